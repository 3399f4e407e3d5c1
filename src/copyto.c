/*-------------------------------------------------------------------------
 *
 * copyto.c
 *	  COPY ... TO ... (FORMAT arrow): an Arrow IPC stream of any relation or
 *	  query, to the client (COPY TO STDOUT, psql's \copy), a server file or
 *	  a program.
 *
 * The relation form "COPY rel [(cols)] TO" runs as "COPY (SELECT cols FROM
 * rel) TO", as COPY does for a table with row-level security: so reading is
 * checked as for SELECT (column privileges included) by the executor, and
 * every relation that can be selected from works, a frame's view included.
 * The query is planned and started as copyto.c in PostgreSQL does (one
 * snapshot for the whole stream), then:
 *
 *	- Fast path: when the plan is a single ShmcacheScan that returns frame
 *	  columns as they are (no per-row qual left; pushed filters and chunk
 *	  skipping are the reader's), the node is not run: its reader hands out
 *	  chunks with their selected rows, and each chunk becomes one record
 *	  batch built from the chunk's column arrays: fixed-width values copied
 *	  as blocks (or gathered through the selection vector, dates and
 *	  timestamps converted in a loop), null bitmaps inverted into validity
 *	  bitmaps, and text columns sent as dictionary arrays whose dictionary
 *	  is the chunk's own (a DictionaryBatch replacing the previous one,
 *	  before each record batch).  Other types go value by value.
 *	- Generic path: the executor's rows go to a DestReceiver that appends
 *	  them to the columns of a batch, written every 65,536 rows or 16 MB.
 *
 * Both give the same values; a text column of a frame is dictionary-encoded
 * utf8 on the fast path and plain utf8 on the generic path.  The encoding
 * is arrow.c's.  Progress shows in pg_stat_progress_copy.
 *
 * Layer: SQL surface (called by the ProcessUtility hook in utility.c); it
 * reads frames through the reader (reader.h) of a ShmcacheScan (nodes.h).
 * Locking: the relation of the relation form is locked AccessShareLock,
 * as by COPY; frames are read under the reader's pin.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/copyto.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <unistd.h>

#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/copy.h"
#include "commands/defrem.h"
#include "commands/progress.h"
#include "executor/executor.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_node.h"
#include "pgstat.h"
#include "port.h"
#include "storage/fd.h"
#include "tcop/dest.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/formatting.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "frames.h"
#include "arrow.h"
#include "nodes.h"
#include "reader.h"

/* Where the stream goes. */
typedef struct ArrowTarget
{
	FILE	   *file;			/* server file or program, or NULL: client */
	const char *filename;		/* file name or program */
	bool		is_program;
	StringInfoData msg;			/* CopyData message to the client */
	const ShmcacheArrowWriter *writer;	/* the stream's, for its progress */
} ArrowTarget;

/* The DestReceiver of the generic path. */
typedef struct ArrowReceiver
{
	DestReceiver pub;
	ShmcacheArrowWriter *writer;
} ArrowReceiver;

/* The COPY options that make no sense for an Arrow stream. */
static const char *const text_options[] = {
	"freeze", "delimiter", "null", "header", "quote", "escape",
	"force_quote", "force_not_null", "force_null", "convert_selectively",
	"encoding", NULL
};

/*
 * shmcache_copy_is_arrow
 *		Does this COPY ask for FORMAT arrow?
 */
bool
shmcache_copy_is_arrow(const CopyStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *defel = lfirst_node(DefElem, lc);

		if (strcmp(defel->defname, "format") == 0 && defel->arg != NULL &&
			IsA(defel->arg, String) && strcmp(strVal(defel->arg), "arrow") == 0)
			return true;
	}
	return false;
}

/*
 * Check the options of a COPY in FORMAT arrow: FORMAT is the only one, the
 * text and CSV options are refused as COPY refuses them in BINARY mode.
 */
static void
check_options(ParseState *pstate, const CopyStmt *stmt)
{
	bool		format_seen = false;
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *defel = lfirst_node(DefElem, lc);
		int			i;

		if (strcmp(defel->defname, "format") == 0)
		{
			if (format_seen)
				errorConflictingDefElem(defel, pstate);
			format_seen = true;
			continue;
		}
		for (i = 0; text_options[i] != NULL; i++)
		{
			if (strcmp(defel->defname, text_options[i]) == 0)
			{
				char	   *upper = asc_toupper(defel->defname, strlen(defel->defname));
				char	   *c;

				for (c = upper; *c; c++)
					if (*c == '_')
						*c = ' ';
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("cannot specify %s in ARROW mode", upper),
						 parser_errposition(pstate, defel->location)));
			}
		}
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("option \"%s\" not recognized", defel->defname),
				 parser_errposition(pstate, defel->location)));
	}
	if (stmt->is_from)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FROM does not support FORMAT arrow"),
				 errhint("FORMAT arrow writes Arrow IPC streams with COPY TO only.")));
	if (stmt->whereClause)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("WHERE clause not allowed with COPY TO"),
				 parser_errposition(pstate, exprLocation(stmt->whereClause))));
}

/*
 * Server files and programs need the roles COPY asks for; the client
 * stream needs a client.
 */
static void
check_target(const CopyStmt *stmt)
{
	if (stmt->filename == NULL)
	{
		if (whereToSendOutput != DestRemote)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("COPY TO STDOUT in FORMAT arrow needs a client connection")));
		return;
	}
	if (stmt->is_program)
	{
		if (!has_privs_of_role(GetUserId(), ROLE_PG_EXECUTE_SERVER_PROGRAM))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program"),
					 errhint("Anyone can COPY to stdout or from stdin. "
							 "psql's \\copy command also works for anyone.")));
	}
	else if (!has_privs_of_role(GetUserId(), ROLE_PG_WRITE_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be superuser or have privileges of the pg_write_server_files role to COPY to a file"),
				 errhint("Anyone can COPY to stdout or from stdin. "
						 "psql's \\copy command also works for anyone.")));
}

/*
 * The SELECT that the relation form of COPY reads: the columns listed, or
 * every column but generated ones, as COPY chooses them (CopyGetAttnums),
 * from the relation locked now and named with its schema.  A plain table
 * is read without its inheritance children, as COPY reads it.
 */
static Node *
relation_select(const CopyStmt *stmt, Oid *relid)
{
	SelectStmt *select = makeNode(SelectStmt);
	Relation	rel;
	RangeVar   *rv;
	ListCell   *lc;

	*relid = RangeVarGetRelidExtended(stmt->relation, AccessShareLock, 0, NULL, NULL);
	rel = relation_open(*relid, NoLock);
	switch (rel->rd_rel->relkind)
	{
		case RELKIND_RELATION:
		case RELKIND_PARTITIONED_TABLE:
		case RELKIND_VIEW:
		case RELKIND_MATVIEW:
		case RELKIND_FOREIGN_TABLE:
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("cannot copy from non-table relation \"%s\"",
							RelationGetRelationName(rel))));
	}
	foreach(lc, CopyGetAttnums(RelationGetDescr(rel), rel, stmt->attlist))
	{
		Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), lfirst_int(lc) - 1);
		ColumnRef  *col = makeNode(ColumnRef);
		ResTarget  *target = makeNode(ResTarget);

		col->fields = list_make1(makeString(pstrdup(NameStr(attr->attname))));
		col->location = -1;
		target->val = (Node *) col;
		target->location = -1;
		select->targetList = lappend(select->targetList, target);
	}
	rv = makeRangeVar(get_namespace_name(RelationGetNamespace(rel)),
					  pstrdup(RelationGetRelationName(rel)), -1);
	rv->inh = rel->rd_rel->relkind != RELKIND_RELATION;
	select->fromClause = list_make1(rv);
	relation_close(rel, NoLock);
	return (Node *) select;
}

/* ------------------------------------------------------------------------
 * Output: the client (COPY protocol) or a file or program
 * ------------------------------------------------------------------------
 */

/*
 * Report the rows and bytes of the stream so far in pg_stat_progress_copy
 * (a batch counts once it is being written: a client that reads slowly
 * shows how far it got).
 */
static void
report_progress(const ShmcacheArrowWriter *writer)
{
	const int	index[] = {PROGRESS_COPY_TUPLES_PROCESSED, PROGRESS_COPY_BYTES_PROCESSED};
	int64		values[2];

	values[0] = writer->total_rows;
	values[1] = writer->bytes_written;
	pgstat_progress_update_multi_param(2, index, values);
}

/*
 * ArrowSink: CopyData messages to the client, or a write to the file; the
 * progress is reported first, as the write may wait for the reader.
 */
static void
write_target(void *arg, const char *data, Size len)
{
	ArrowTarget *target = arg;

	report_progress(target->writer);
	if (target->file == NULL)
	{
		pq_beginmessage_reuse(&target->msg, 'd');
		pq_sendbytes(&target->msg, data, len);
		pq_endmessage_reuse(&target->msg);
		return;
	}
	if (fwrite(data, 1, len, target->file) != len || ferror(target->file))
	{
		if (target->is_program)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not write to COPY program: %m")));
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not write to COPY file: %m")));
	}
}

/* Open the server file or program, or tell the client a copy begins. */
static void
open_target(ArrowTarget *target, int natts)
{
	if (target->filename == NULL)
	{
		StringInfoData buf;
		int			i;

		initStringInfo(&target->msg);
		/* CopyOutResponse: binary overall format, binary columns */
		pq_beginmessage(&buf, 'H');
		pq_sendbyte(&buf, 1);
		pq_sendint16(&buf, natts);
		for (i = 0; i < natts; i++)
			pq_sendint16(&buf, 1);
		pq_endmessage(&buf);
	}
	else if (target->is_program)
	{
		target->file = OpenPipeStream(target->filename, PG_BINARY_W);
		if (target->file == NULL)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not execute command \"%s\": %m",
							target->filename)));
	}
	else
	{
		mode_t		oumask;
		struct stat st;

		if (!is_absolute_path(target->filename))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_NAME),
					 errmsg("relative path not allowed for COPY to file")));
		oumask = umask(S_IWGRP | S_IWOTH);
		PG_TRY();
		{
			target->file = AllocateFile(target->filename, PG_BINARY_W);
		}
		PG_FINALLY();
		{
			umask(oumask);
		}
		PG_END_TRY();
		if (target->file == NULL)
		{
			int			save_errno = errno;

			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not open file \"%s\" for writing: %m",
							target->filename),
					 (save_errno == ENOENT || save_errno == EACCES) ?
					 errhint("COPY TO instructs the PostgreSQL server process to write a file. "
							 "You may want a client-side facility such as psql's \\copy.") : 0));
		}
		if (fstat(fileno(target->file), &st))
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not stat file \"%s\": %m", target->filename)));
		if (S_ISDIR(st.st_mode))
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is a directory", target->filename)));
	}
}

/* End the copy: CopyDone to the client, or close the file or program. */
static void
close_target(ArrowTarget *target)
{
	if (target->filename == NULL)
		pq_putemptymessage('c');
	else if (target->is_program)
	{
		int			rc = ClosePipeStream(target->file);

		target->file = NULL;
		if (rc == -1)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not close pipe to external command: %m")));
		else if (rc != 0)
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("program \"%s\" failed", target->filename),
					 errdetail_internal("%s", wait_result_to_str(rc))));
	}
	else
	{
		FILE	   *file = target->file;

		target->file = NULL;
		if (FreeFile(file))
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not close file \"%s\": %m", target->filename)));
	}
}


/* ------------------------------------------------------------------------
 * Generic path: rows from the executor
 * ------------------------------------------------------------------------
 */

static bool
arrow_receive_slot(TupleTableSlot *slot, DestReceiver *self)
{
	ArrowReceiver *receiver = (ArrowReceiver *) self;

	slot_getallattrs(slot);
	shmcache_arrow_append_row(receiver->writer, slot->tts_values, slot->tts_isnull);
	if (shmcache_arrow_batch_full(receiver->writer))
		shmcache_arrow_write_batch(receiver->writer);
	return true;
}

static void
arrow_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
arrow_shutdown(DestReceiver *self)
{
}

static void
arrow_destroy(DestReceiver *self)
{
}

/* ------------------------------------------------------------------------
 * Fast path: chunks of a frame
 * ------------------------------------------------------------------------
 */

/* Is a frame column of type "typid" sent dictionary-encoded? */
static bool
frame_column_has_dictionary(Oid typid)
{
	switch (getBaseType(typid))
	{
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			return true;
		default:
			return false;
	}
}

/*
 * Write the chunks of "reader" as record batches: output column i is
 * frame column columns[i].
 */
static void
write_chunks(ShmcacheArrowWriter *writer, ShmcacheReader *reader,
			 const int *columns)
{
	uint16	   *sel = palloc(sizeof(uint16) * SHMCACHE_CHUNK_ROWS);
	const char *chunk;
	uint32		n;
	bool		all;

	while ((chunk = shmcache_reader_next_chunk(reader, sel, &n, &all)) != NULL)
	{
		const ShmcacheVersion *version = reader->read.version;
		const uint16 *s = all ? NULL : sel;
		MemoryContext old = MemoryContextSwitchTo(writer->batch_context);
		int			i;

		for (i = 0; i < writer->ncolumns; i++)
		{
			const ShmcacheColumn *fc = &version->cols[columns[i]];
			ShmcacheArrowColumn *ac = writer->columns[i];

			if (ac->dictionary)
			{
				const ShmcacheDict *dict = shmcache_chunk_dict(chunk, fc);
				uint32		nentries = shmcache_dict_visible(dict, reader->read.own_writes);
				uint32		code;

				for (code = 0; code < nentries; code++)
					shmcache_arrow_append_datum(ac->dict,
												PointerGetDatum(shmcache_dict_entry(dict, code)),
												false);
			}
			if (ac->dictionary || shmcache_arrow_conv_is_block(ac->conv))
			{
				if (shmcache_chunk_has_nulls(chunk, fc))
					shmcache_arrow_put_nulls(ac, (const uint8 *) chunk + fc->nulls_off, s, n);
				shmcache_arrow_put_values(ac, chunk + fc->values_off, s, n);
			}
			else
			{
				uint32		r;

				for (r = 0; r < n; r++)
				{
					bool		isnull;
					Datum		value = shmcache_fetch_value(fc, chunk, s ? s[r] : r,
															 &isnull);

					shmcache_arrow_append_datum(ac, value, isnull);
				}
			}
		}
		writer->batch_rows = n;
		MemoryContextSwitchTo(old);
		shmcache_arrow_write_batch(writer);
	}
	pfree(sel);
}

/* ------------------------------------------------------------------------
 * The COPY
 * ------------------------------------------------------------------------
 */

/*
 * Plan and run "raw" (a query returning rows) and write its rows as an
 * Arrow stream to "target".  Returns the number of rows.
 */
static uint64
copy_query(RawStmt *raw, const char *queryString, Oid relid, ArrowTarget *target)
{
	List	   *rewritten;
	Query	   *query;
	PlannedStmt *plan;
	QueryDesc  *qd;
	ArrowReceiver *receiver;
	ShmcacheArrowWriter *writer;
	ShmcacheReader *reader;
	int		   *columns;
	bool	   *dictionary;
	TupleDesc	tupdesc;
	uint64		processed;
	int			i;

	rewritten = pg_analyze_and_rewrite_fixedparams(raw, queryString, NULL, 0, NULL);
	if (rewritten == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("DO INSTEAD NOTHING rules are not supported for COPY")));
	if (list_length(rewritten) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("multi-statement DO INSTEAD rules are not supported for COPY")));
	query = linitial_node(Query, rewritten);
	if (query->utilityStmt != NULL && IsA(query->utilityStmt, CreateTableAsStmt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY (SELECT INTO) is not supported")));
	if (query->commandType != CMD_SELECT && query->returningList == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY query must have a RETURNING clause")));

	/*
	 * A relation is read in its physical order, as COPY reads a table; a
	 * query may run in parallel, as in COPY (query) TO.
	 */
	plan = pg_plan_query(query, queryString,
						 OidIsValid(relid) ? 0 : CURSOR_OPT_PARALLEL_OK, NULL);

	/* One snapshot for the whole stream, as COPY (query) TO takes it */
	PushCopiedSnapshot(GetActiveSnapshot());
	UpdateActiveSnapshotCommandId();

	receiver = palloc0(sizeof(ArrowReceiver));
	receiver->pub.receiveSlot = arrow_receive_slot;
	receiver->pub.rStartup = arrow_startup;
	receiver->pub.rShutdown = arrow_shutdown;
	receiver->pub.rDestroy = arrow_destroy;
	receiver->pub.mydest = DestCopyOut;
	qd = CreateQueryDesc(plan, queryString, GetActiveSnapshot(), InvalidSnapshot,
						 &receiver->pub, NULL, NULL, 0);
	ExecutorStart(qd, 0);
	tupdesc = qd->tupDesc;

	/* The fast path, if the plan is a plain ShmcacheScan */
	columns = palloc(sizeof(int) * Max(tupdesc->natts, 1));
	dictionary = palloc0(sizeof(bool) * Max(tupdesc->natts, 1));
	reader = shmcache_scan_reader(qd->planstate, columns, tupdesc->natts);
	if (reader != NULL)
	{
		for (i = 0; i < tupdesc->natts; i++)
			dictionary[i] =
				frame_column_has_dictionary(TupleDescAttr(reader->rowdesc, columns[i])->atttypid);
	}

	open_target(target, tupdesc->natts);
	pgstat_progress_start_command(PROGRESS_COMMAND_COPY, relid);
	pgstat_progress_update_param(PROGRESS_COPY_COMMAND, PROGRESS_COPY_COMMAND_TO);
	pgstat_progress_update_param(PROGRESS_COPY_TYPE,
								 target->filename == NULL ? PROGRESS_COPY_TYPE_PIPE :
								 target->is_program ? PROGRESS_COPY_TYPE_PROGRAM :
								 PROGRESS_COPY_TYPE_FILE);

	writer = shmcache_arrow_writer_create(tupdesc, dictionary, write_target, target);
	target->writer = writer;
	shmcache_arrow_write_schema(writer);
	if (reader != NULL)
		write_chunks(writer, reader, columns);
	else
	{
		receiver->writer = writer;
		ExecutorRun(qd, ForwardScanDirection, 0L, true);
	}
	shmcache_arrow_write_end(writer);
	report_progress(writer);
	processed = writer->total_rows;

	ExecutorFinish(qd);
	ExecutorEnd(qd);
	FreeQueryDesc(qd);
	PopActiveSnapshot();

	close_target(target);
	pgstat_progress_end_command();
	return processed;
}

/*
 * shmcache_copy_arrow
 *		Carry out a COPY ... TO ... (FORMAT arrow) (the utility statement of
 *		"pstmt"; shmcache_copy_is_arrow said so).
 */
void
shmcache_copy_arrow(PlannedStmt *pstmt, const char *queryString,
					QueryCompletion *qc)
{
	CopyStmt   *stmt = castNode(CopyStmt, pstmt->utilityStmt);
	ParseState *pstate = make_parsestate(NULL);
	MemoryContext context;
	MemoryContext old;
	ArrowTarget target;
	RawStmt    *raw;
	Oid			relid = InvalidOid;
	uint64		processed;

	pstate->p_sourcetext = queryString;
	check_options(pstate, stmt);
	check_target(stmt);

	context = AllocSetContextCreate(CurrentMemoryContext, "shmcache COPY arrow",
									ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(context);

	memset(&target, 0, sizeof(target));
	target.filename = stmt->filename;
	target.is_program = stmt->is_program;

	raw = makeNode(RawStmt);
	raw->stmt = stmt->relation ? relation_select(stmt, &relid) : copyObject(stmt->query);
	raw->stmt_location = pstmt->stmt_location;
	raw->stmt_len = pstmt->stmt_len;
	processed = copy_query(raw, queryString, relid, &target);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	free_parsestate(pstate);
	if (qc)
		SetQueryCompletion(qc, CMDTAG_COPY, processed);
}
