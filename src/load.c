/*-------------------------------------------------------------------------
 *
 * load.c
 *	  Everything that changes a frame's rows: copy_from and
 *	  copy_from_program, COPY on a frame's view, INSERT (through the view's
 *	  INSTEAD OF trigger), cache_table, and truncate / TRUNCATE.
 *
 * Loads use PostgreSQL's own COPY parser (BeginCopyFrom / NextCopyFrom) with
 * the frame's view as the target relation, so every COPY FROM option, error
 * message ("COPY ticks, line 3, column price: ...") and the
 * pg_stat_progress_copy row behave as for a table; rows go straight into the
 * frame's column arrays, with no heap tuple and no WAL.  The ProcessUtility
 * hook (utility.c) routes COPY and TRUNCATE on a frame's view here: COPY
 * FROM loads through the same path, COPY TO becomes COPY (SELECT ...) TO.
 *
 * Text and CSV loads (on PostgreSQL 15) split lines with core's
 * NextCopyFromRawFields() and convert the fields here instead of in
 * NextCopyFrom(), doing exactly what NextCopyFrom() does (column list,
 * FORCE_NULL / FORCE_NOT_NULL, defaults, error context) except that columns
 * of common types first try the exact fast paths of input.c; whatever those
 * decline goes to the column's input function as in NextCopyFrom().  Binary
 * loads use NextCopyFrom() itself.
 *
 * Privileges are those of a table: INSERT on the view, or on each column
 * loaded, to add rows (plus pg_read_server_files / pg_execute_server_program
 * for server files and programs, as COPY requires), TRUNCATE on the view to
 * empty it.
 *
 * Layer: SQL surface: loading through the writer API of xact.c.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/load.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "commands/copy.h"
#include "commands/defrem.h"
#include "commands/progress.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/regproc.h"

#include "frames.h"
#include "catalog.h"
#include "xact.h"
#include "persist.h"
#include "input.h"

/* The fast text/CSV path reads COPY FROM's private state (see compat.h). */
#ifdef SHMCACHE_FAST_COPY
#include "commands/copyfrom_internal.h"
#endif

static ExecutorFinish_hook_type prev_executor_finish = NULL;

PG_FUNCTION_INFO_V1(shmcache_copy_from);
PG_FUNCTION_INFO_V1(shmcache_copy_from_program);
PG_FUNCTION_INFO_V1(shmcache_insert_trigger);
PG_FUNCTION_INFO_V1(shmcache_cache_table);
PG_FUNCTION_INFO_V1(shmcache_truncate);

/*
 * Check that the current user may insert into the columns "attnamelist" of
 * "view" (every column if NIL): INSERT on the view, or on each of those
 * columns, as COPY FROM checks a table (through ExecutorCheckPerms_hook too).
 */
static void
check_insert_privilege(Relation view, List *attnamelist)
{
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	Bitmapset  *columns = NULL;
	ListCell   *lc;

	foreach(lc, CopyGetAttnums(RelationGetDescr(view), view, attnamelist))
		columns = bms_add_member(columns,
								 lfirst_int(lc) - FirstLowInvalidHeapAttributeNumber);
	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(view);
	rte->relkind = view->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	shmcache_check_insert_perms(rte, columns);
}

/*
 * Check that the current user may add rows to the columns "attnamelist"
 * (every column if NIL) of the frame of "view" from the given source, as
 * COPY FROM would.
 */
static void
check_load_privileges(Relation view, List *attnamelist, const char *filename,
					  bool is_program)
{
	if (filename != NULL && is_program &&
		!has_privs_of_role(GetUserId(), ROLE_PG_EXECUTE_SERVER_PROGRAM))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program"),
				 errhint("Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.")));
	if (filename != NULL && !is_program &&
		!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be superuser or have privileges of the pg_read_server_files role to COPY from a file"),
				 errhint("Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.")));
	check_insert_privilege(view, attnamelist);
	PreventCommandIfReadOnly("COPY FROM");
}

/*
 * Refuse the COPY FROM options that mean nothing for a frame: FREEZE, which
 * freezes the heap tuples of a table created or truncated in the same
 * transaction.  (BeginCopyFrom accepts it; CopyFrom, which a frame's load
 * does not use, is what refuses it where it cannot apply.)
 */
static void
check_frame_copy_options(ParseState *pstate, List *options)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = lfirst(lc);

		if (strcmp(def->defname, "freeze") == 0 && defGetBoolean(def))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot perform COPY FREEZE on a frame"),
					 errdetail("Frames hold no heap tuples to freeze."),
					 parser_errposition(pstate, def->location)));
	}
}

/*
 * Take shmcache's own COPY FROM option out of "*options": UPSERT [boolean],
 * a row whose key equals a live row's in a unique index replaces that row.
 */
static bool
take_upsert_option(List **options)
{
	bool		upsert = false;
	ListCell   *lc;

	foreach(lc, *options)
	{
		DefElem    *def = lfirst(lc);

		if (strcmp(def->defname, "upsert") == 0)
		{
			upsert = defGetBoolean(def);
			*options = foreach_delete_current(*options, lc);
		}
	}
	return upsert;
}

/*
 * Before row "values"/"nulls" is appended by COPY (UPSERT): delete the
 * rows it conflicts with in the frame's unique indexes, a later row of the
 * same load included.
 */
static void
replace_conflicts(ShmcacheKeyFinder *finder, ShmcacheWriter *writer, Relation view,
				  const Datum *values, const bool *nulls)
{
	uint64		row;

	/* (a row deleted is dead to the finder: the next conflict, or none) */
	while (shmcache_key_finder_first(finder, writer, values, nulls, &row))
		(void) shmcache_writer_delete(writer, view, row);
}

/*
 * Turn a WHERE clause of COPY FROM into an implicitly-ANDed qual list over
 * the view's columns, as COPY does for a table.
 */
static List *
transform_copy_where(ParseState *pstate, Relation view, Node *where)
{
	ParseNamespaceItem *nsitem;
	Node	   *qual;

	nsitem = addRangeTableEntryForRelation(pstate, view, RowExclusiveLock,
										   NULL, false, false);
	addNSItemToQuery(pstate, nsitem, false, true, true);
	qual = transformExpr(pstate, where, EXPR_KIND_COPY_WHERE);
	qual = coerce_to_boolean(pstate, qual, "WHERE");
	assign_expr_collations(pstate, qual);
	qual = eval_const_expressions(NULL, qual);
	qual = (Node *) canonicalize_qual((Expr *) qual, false);
	return make_ands_implicit((Expr *) qual);
}

#ifdef SHMCACHE_FAST_COPY
/* One input field of a text/CSV load: the column it fills and how. */
typedef struct LoadField
{
	int			attno;			/* 0-based column of the frame */
	int32		typmod;			/* its typmod, for the input function */
	ShmcacheInputKind kind;		/* its fast path, if any */
	const char *attname;		/* its name, for error messages */
} LoadField;

/*
 * The fields of a text/CSV load, in input order, from the COPY state's
 * column list.  Returns the array and sets *nfields.
 */
static LoadField *
load_fields(CopyFromState cstate, TupleDesc tupdesc, int *nfields)
{
	LoadField  *fields = palloc(sizeof(LoadField) * Max(list_length(cstate->attnumlist), 1));
	ListCell   *lc;
	int			n = 0;

	foreach(lc, cstate->attnumlist)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, lfirst_int(lc) - 1);
		LoadField  *f = &fields[n++];

		f->attno = lfirst_int(lc) - 1;
		f->typmod = att->atttypmod;
		f->kind = shmcache_input_kind(att->atttypid, att->atttypmod);
		f->attname = NameStr(att->attname);
	}
	*nfields = n;
	return fields;
}

/*
 * Read the next row of a text or CSV load into values/nulls (natts
 * columns), as NextCopyFrom() does on PostgreSQL 15, but trying the fast
 * paths of input.c before each column's input function.  Returns false at
 * the end of the input.  The caller has switched to the per-tuple memory
 * context of "econtext" and installed CopyFromErrorCallback.
 */
static bool
next_text_row(CopyFromState cstate, const LoadField *fields, int nfields,
			  int natts, ExprContext *econtext, Datum *values, bool *nulls)
{
	char	  **raw;
	int			nraw;
	int			i;

	memset(values, 0, sizeof(Datum) * natts);
	memset(nulls, true, sizeof(bool) * natts);

	if (!NextCopyFromRawFields(cstate, &raw, &nraw))
		return false;
	if (nfields > 0 && nraw > nfields)
		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg("extra data after last expected column")));

	for (i = 0; i < nfields; i++)
	{
		const LoadField *f = &fields[i];
		int			m = f->attno;
		char	   *string;

		if (i >= nraw)
			ereport(ERROR,
					(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
					 errmsg("missing data for column \"%s\"", f->attname)));
		string = raw[i];

		/* ignore the field, leaving the column NULL (convert_selectively) */
		if (cstate->convert_select_flags && !cstate->convert_select_flags[m])
			continue;

		if (cstate->opts.csv_mode)
		{
			/* FORCE_NOT_NULL: an unquoted NULL marker is the marker string */
			if (string == NULL && cstate->opts.force_notnull_flags[m])
				string = cstate->opts.null_print;
			/* FORCE_NULL: a quoted NULL marker is NULL too */
			else if (string != NULL && cstate->opts.force_null_flags[m] &&
					 strcmp(string, cstate->opts.null_print) == 0)
				string = NULL;
		}

		/* A fast path raises no error, so it needs no error context. */
		if (string != NULL && shmcache_input_fast(f->kind, string, &values[m]))
		{
			nulls[m] = false;
			continue;
		}

		cstate->cur_attname = f->attname;
		cstate->cur_attval = string;
		values[m] = InputFunctionCall(&cstate->in_functions[m], string,
									  cstate->typioparams[m], f->typmod);
		if (string != NULL)
			nulls[m] = false;
		cstate->cur_attname = NULL;
		cstate->cur_attval = NULL;
	}

	/* defaults of the columns not in the input (a view column's DEFAULT) */
	for (i = 0; i < cstate->num_defaults; i++)
		values[cstate->defmap[i]] = ExecEvalExpr(cstate->defexprs[i], econtext,
												 &nulls[cstate->defmap[i]]);
	return true;
}
#endif							/* SHMCACHE_FAST_COPY */

/*
 * Load rows into the frame of "view" with PostgreSQL's COPY FROM parser:
 * from "filename" (a file, or a program if is_program), or from the client
 * when filename is NULL.  Returns the number of rows added.
 */
static uint64
load_rows(ParseState *pstate, Relation view, const char *filename,
		  bool is_program, List *attnamelist, List *options, Node *where)
{
	ShmcacheWriter *writer;
	CopyFromState cstate;
	EState	   *estate = CreateExecutorState();
	ExprContext *econtext = GetPerTupleExprContext(estate);
	TupleDesc	tupdesc = RelationGetDescr(view);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(tupdesc, &TTSOpsVirtual);
	ExprState  *qual = NULL;
	ShmcacheKeyFinder *finder = NULL;
	ErrorContextCallback errcallback;
	uint64		processed = 0;
	uint64		excluded = 0;
#ifdef SHMCACHE_FAST_COPY
	LoadField  *fields = NULL;
	int			nfields = 0;
#endif

	check_frame_copy_options(pstate, options);
	options = list_copy(options);
	writer = shmcache_load_begin(view);
	if (take_upsert_option(&options))
	{
		finder = shmcache_key_finder_create(shmcache_frame_id_of(RelationGetRelid(view)),
											RelationGetRelationName(view), NIL, true);
		if (shmcache_key_finder_indexes(finder) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
					 errmsg("COPY (UPSERT) needs a frame with a primary key or a unique index"),
					 errdetail("Frame \"%s\" has none.", RelationGetRelationName(view))));
	}
	if (where != NULL)
		qual = ExecPrepareQual(transform_copy_where(pstate, view, where), estate);

	cstate = BeginCopyFrom(pstate, view, NULL, filename, is_program, NULL,
						   attnamelist, options);
#ifdef SHMCACHE_FAST_COPY
	if (!cstate->opts.binary)
		fields = load_fields(cstate, tupdesc, &nfields);
#endif

	errcallback.callback = CopyFromErrorCallback;
	errcallback.arg = (void *) cstate;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	for (;;)
	{
		MemoryContext oldcontext;
		bool		done;

		CHECK_FOR_INTERRUPTS();
		ResetPerTupleExprContext(estate);
		oldcontext = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
		ExecClearTuple(slot);
#ifdef SHMCACHE_FAST_COPY
		if (fields != NULL)
			done = !next_text_row(cstate, fields, nfields, tupdesc->natts,
								  econtext, slot->tts_values, slot->tts_isnull);
		else
#endif
			done = !NextCopyFrom(cstate, econtext, slot->tts_values,
								 slot->tts_isnull);
		if (!done)
		{
			ExecStoreVirtualTuple(slot);
			econtext->ecxt_scantuple = slot;
			if (qual != NULL && !ExecQual(qual, econtext))
				pgstat_progress_update_param(PROGRESS_COPY_TUPLES_EXCLUDED,
											 ++excluded);
			else
			{
				if (finder != NULL)
					replace_conflicts(finder, writer, view, slot->tts_values,
									  slot->tts_isnull);
				shmcache_writer_append(writer, view, slot->tts_values,
									   slot->tts_isnull);
				pgstat_progress_update_param(PROGRESS_COPY_TUPLES_PROCESSED,
											 ++processed);
			}
		}
		MemoryContextSwitchTo(oldcontext);
		if (done)
			break;
	}

	error_context_stack = errcallback.previous;
	EndCopyFrom(cstate);
	ExecDropSingleTupleTableSlot(slot);
	FreeExecutorState(estate);
	shmcache_writers_check_unique();
	return processed;
}

/*
 * Parse an option string in COPY's own spelling ("format csv, header true,
 * delimiter ';'") with PostgreSQL's grammar and return its DefElems; they are
 * validated by BeginCopyFrom like COPY's.
 */
static List *
parse_copy_options(const char *options)
{
	ShmcacheFragment fragment;
	CopyStmt   *stmt;

	if (strspn(options, " \t\r\n") == strlen(options))
		return NIL;

	stmt = (CopyStmt *) shmcache_fragment_parse(&fragment, "COPY options", options,
												"COPY shmcache_frame FROM STDIN (%s)",
												T_CopyStmt, _("invalid COPY options"));
	if (!stmt->is_from || stmt->filename != NULL || stmt->whereClause != NULL ||
		stmt->attlist != NIL || stmt->query != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("invalid COPY options")));

	shmcache_fragment_end(&fragment);
	return stmt->options;
}

/* Refuse a NULL for a required argument of a non-strict function. */
static void
require_argument(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/* Shared body of copy_from and copy_from_program. */
static Datum
copy_from_source(FunctionCallInfo fcinfo, bool is_program)
{
	Oid			viewoid;
	char	   *source;
	char	   *options;
	Relation	view;
	ParseState *pstate;
	uint64		processed;

	shmcache_require_shmem();
	require_argument(fcinfo, 0, "frame");
	require_argument(fcinfo, 1, is_program ? "command" : "filename");
	viewoid = PG_GETARG_OID(0);
	source = text_to_cstring(PG_GETARG_TEXT_PP(1));
	options = PG_ARGISNULL(2) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(2));
	view = shmcache_open_frame(viewoid, RowExclusiveLock, NULL);
	check_load_privileges(view, NIL, source, is_program);

	pstate = make_parsestate(NULL);
	processed = load_rows(pstate, view, source, is_program, NIL,
						  parse_copy_options(options), NULL);
	free_parsestate(pstate);
	relation_close(view, NoLock);
	PG_RETURN_INT64((int64) processed);
}

/*
 * shmcache.copy_from(frame regclass, filename text, options text)
 *		Load a server file into a frame; returns the rows loaded.
 */
Datum
shmcache_copy_from(PG_FUNCTION_ARGS)
{
	return copy_from_source(fcinfo, false);
}

/*
 * shmcache.copy_from_program(frame regclass, command text, options text)
 *		Load the output of a server program into a frame.
 */
Datum
shmcache_copy_from_program(PG_FUNCTION_ARGS)
{
	return copy_from_source(fcinfo, true);
}

/*
 * shmcache.insert_trigger()
 *		INSTEAD OF INSERT row trigger of every frame's view: appends the row.
 */
Datum
shmcache_insert_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	view;
	ShmcacheWriter *writer;
	TupleDesc	tupdesc;
	Datum	   *values;
	bool	   *nulls;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_INSTEAD(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("shmcache.insert_trigger() must be an INSTEAD OF INSERT row trigger")));

	shmcache_require_shmem();
	view = trigdata->tg_relation;
	writer = shmcache_writer_lookup(RelationGetRelid(view));
	if (writer == NULL)
		writer = shmcache_load_begin(view);

	tupdesc = RelationGetDescr(view);
	values = palloc(sizeof(Datum) * tupdesc->natts);
	nulls = palloc(sizeof(bool) * tupdesc->natts);
	heap_deform_tuple(trigdata->tg_trigtuple, tupdesc, values, nulls);
	shmcache_writer_append(writer, view, values, nulls);
	pfree(values);
	pfree(nulls);
	return PointerGetDatum(trigdata->tg_trigtuple);
}

/* A DestReceiver that appends every row it receives to a frame. */
typedef struct FrameReceiver
{
	DestReceiver pub;
	ShmcacheWriter *writer;
	Relation	view;
	uint64		rows;
} FrameReceiver;

static bool
frame_receive_slot(TupleTableSlot *slot, DestReceiver *self)
{
	FrameReceiver *receiver = (FrameReceiver *) self;

	slot_getallattrs(slot);
	shmcache_writer_append(receiver->writer, receiver->view,
						   slot->tts_values, slot->tts_isnull);
	receiver->rows++;
	return true;
}

static void
frame_receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
frame_receiver_shutdown(DestReceiver *self)
{
}

static void
frame_receiver_destroy(DestReceiver *self)
{
}

/*
 * Build the ColumnDefs of a frame with the columns of relation "rel": names,
 * types, typmods, collations and NOT NULL.
 */
static List *
columns_of_relation(Relation rel, StringInfo select_list)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	List	   *coldefs = NIL;
	int			i;

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);
		ColumnDef  *coldef;

		if (attr->attisdropped)
			continue;
		coldef = makeColumnDef(NameStr(attr->attname), attr->atttypid,
							   attr->atttypmod, attr->attcollation);
		coldef->is_not_null = attr->attnotnull;
		coldefs = lappend(coldefs, coldef);
		appendStringInfo(select_list, "%s%s", select_list->len > 0 ? ", " : "",
						 quote_identifier(NameStr(attr->attname)));
	}
	return coldefs;
}

/*
 * The primary key of "rel" as a ShmcacheKeyDef (named after the frame), or
 * NIL if it has none.
 */
static List *
primary_key_of(Relation rel)
{
	Oid			pkoid = RelationGetPrimaryKeyIndex(rel);
	ShmcacheKeyDef *key;
	Relation	index;
	int			i;

	if (!OidIsValid(pkoid))
		return NIL;
	key = palloc0(sizeof(ShmcacheKeyDef));
	key->primary = true;
	index = index_open(pkoid, AccessShareLock);
	for (i = 0; i < index->rd_index->indnkeyatts; i++)
		key->columns = lappend(key->columns,
							   makeString(get_attname(RelationGetRelid(rel),
													  index->rd_index->indkey.values[i],
													  false)));
	index_close(index, AccessShareLock);
	return list_make1(key);
}

/*
 * shmcache.cache_table(source regclass, frame text DEFAULT NULL,
 *						follow boolean DEFAULT false)
 *		Create a frame with the columns and primary key of "source" (named
 *		<source>_cache in the source's schema unless given) and load its
 *		current rows.
 */
Datum
shmcache_cache_table(PG_FUNCTION_ARGS)
{
	Oid			source;
	Relation	rel;
	RangeVar   *rv;
	StringInfoData select_list;
	List	   *coldefs;
	List	   *keys;
	char	   *source_name;
	Oid			viewoid;
	Relation	view;
	FrameReceiver receiver;

	shmcache_require_shmem();
	require_argument(fcinfo, 0, "source");
	source = PG_GETARG_OID(0);
	rel = shmcache_open_relation(source, AccessShareLock);
	initStringInfo(&select_list);
	coldefs = columns_of_relation(rel, &select_list);
	keys = primary_key_of(rel);
	source_name = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
											 RelationGetRelationName(rel));
	if (PG_ARGISNULL(1))
		rv = makeRangeVar(get_namespace_name(RelationGetNamespace(rel)),
						  psprintf("%s_cache", RelationGetRelationName(rel)), -1);
	else
		rv = makeRangeVarFromNameList(stringToQualifiedNameList(text_to_cstring(PG_GETARG_TEXT_PP(1))));
	relation_close(rel, NoLock);

	viewoid = shmcache_create_frame_internal(rv, coldefs, keys);
	view = relation_open(viewoid, RowExclusiveLock);
	if (PG_NARGS() > 2 && !PG_ARGISNULL(2) && PG_GETARG_BOOL(2))
	{
		/* the triggers first: their lock keeps the table's writers out */
		rel = relation_open(source, AccessShareLock);
		shmcache_follow_start(rel, viewoid, shmcache_frame_id_of(viewoid));
		relation_close(rel, NoLock);
	}

	memset(&receiver, 0, sizeof(receiver));
	receiver.pub.receiveSlot = frame_receive_slot;
	receiver.pub.rStartup = frame_receiver_startup;
	receiver.pub.rShutdown = frame_receiver_shutdown;
	receiver.pub.rDestroy = frame_receiver_destroy;
	receiver.pub.mydest = DestNone;
	receiver.view = view;
	receiver.writer = shmcache_frame_claim(view, shmcache_frame_id_of(viewoid));

	shmcache_execute_sql(psprintf("SELECT %s FROM %s", select_list.data, source_name),
						 (DestReceiver *) &receiver);

	relation_close(view, NoLock);
	PG_RETURN_OID(viewoid);
}

/* Empty the frame of "view" for this transaction (TRUNCATE privilege). */
static void
truncate_frame(Relation view)
{
	int64		frame_id = shmcache_frame_id_of(RelationGetRelid(view));
	AclResult	aclresult;

	aclresult = pg_class_aclcheck(RelationGetRelid(view), GetUserId(), ACL_TRUNCATE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_VIEW, RelationGetRelationName(view));
	PreventCommandIfReadOnly("TRUNCATE");

	shmcache_writer_truncate(shmcache_frame_claim(view, frame_id), view);
	shmcache_snapshot_settle_on_commit(frame_id);
}

/*
 * shmcache.truncate(frame regclass)
 *		Remove all rows of a frame; readers that started before keep reading
 *		the old rows, whose memory is freed when the last of them ends.
 */
Datum
shmcache_truncate(PG_FUNCTION_ARGS)
{
	Relation	view;

	shmcache_require_shmem();
	view = shmcache_open_frame(PG_GETARG_OID(0), RowExclusiveLock, NULL);
	truncate_frame(view);
	relation_close(view, NoLock);
	PG_RETURN_VOID();
}

/*
 * The view named by "rv", locked in "lockmode", if it is a frame's view;
 * else InvalidOid, and nothing is locked (the statement goes on to core,
 * which takes its own locks).
 */
static Oid
frame_view_of(RangeVar *rv, LOCKMODE lockmode)
{
	Oid			relid = RangeVarGetRelid(rv, NoLock, true);
	int64		frame_id;

	if (!OidIsValid(relid) || get_rel_relkind(relid) != RELKIND_VIEW ||
		!shmcache_catalog_lookup_view(relid, &frame_id))
		return InvalidOid;
	LockRelationOid(relid, lockmode);
	return relid;
}

/*
 * shmcache_frame_copy
 *		COPY on a frame's view (the utility statement of "pstmt").  COPY FROM
 *		loads through load_rows() and returns NULL: nothing is left to do.
 *		COPY TO returns the COPY (SELECT ...) TO it becomes, for the caller
 *		to pass on down the ProcessUtility chain.  A statement that is not
 *		about a frame is returned as it is.
 */
PlannedStmt *
shmcache_frame_copy(PlannedStmt *pstmt, const char *queryString,
					QueryCompletion *qc)
{
	CopyStmt   *stmt = castNode(CopyStmt, pstmt->utilityStmt);
	Oid			viewoid;

	if (stmt->relation == NULL)
		return pstmt;
	viewoid = frame_view_of(stmt->relation,
							stmt->is_from ? RowExclusiveLock : AccessShareLock);
	if (!OidIsValid(viewoid))
		return pstmt;

	if (stmt->is_from)
	{
		Relation	view = relation_open(viewoid, NoLock);
		ParseState *pstate = make_parsestate(NULL);
		uint64		processed;

		pstate->p_sourcetext = queryString;
		check_load_privileges(view, stmt->attlist, stmt->filename,
							  stmt->is_program);
		PreventCommandIfParallelMode("COPY FROM");
		processed = load_rows(pstate, view, stmt->filename, stmt->is_program,
							  stmt->attlist, stmt->options, stmt->whereClause);
		free_parsestate(pstate);
		relation_close(view, NoLock);
		if (qc)
			SetQueryCompletion(qc, CMDTAG_COPY, processed);
		return NULL;
	}
	else
	{
		SelectStmt *select = makeNode(SelectStmt);
		CopyStmt   *copy = copyObject(stmt);
		PlannedStmt *wrapper = copyObject(pstmt);
		ListCell   *lc;

		if (stmt->attlist == NIL)
		{
			ColumnRef  *star = makeNode(ColumnRef);
			ResTarget  *target = makeNode(ResTarget);

			star->fields = list_make1(makeNode(A_Star));
			star->location = -1;
			target->val = (Node *) star;
			target->location = -1;
			select->targetList = list_make1(target);
		}
		foreach(lc, stmt->attlist)
		{
			ColumnRef  *col = makeNode(ColumnRef);
			ResTarget  *target = makeNode(ResTarget);

			col->fields = list_make1(makeString(strVal(lfirst(lc))));
			col->location = -1;
			target->val = (Node *) col;
			target->location = -1;
			select->targetList = lappend(select->targetList, target);
		}
		select->fromClause = list_make1(copyObject(stmt->relation));
		copy->relation = NULL;
		copy->attlist = NIL;
		copy->query = (Node *) select;
		wrapper->utilityStmt = (Node *) copy;
		return wrapper;
	}
}

/*
 * shmcache_frame_truncate
 *		TRUNCATE naming frames' views: the frames are emptied here, the other
 *		relations are left to TRUNCATE itself.  Returns the statement for the
 *		rest ("stmt" itself if it names no frame), or NULL if nothing is left.
 */
TruncateStmt *
shmcache_frame_truncate(TruncateStmt *stmt)
{
	List	   *others = NIL;
	bool		any_frame = false;
	ListCell   *lc;
	TruncateStmt *rest;

	foreach(lc, stmt->relations)
	{
		RangeVar   *rv = lfirst(lc);
		Oid			viewoid = frame_view_of(rv, RowExclusiveLock);

		if (OidIsValid(viewoid))
		{
			Relation	view = relation_open(viewoid, NoLock);

			truncate_frame(view);
			relation_close(view, NoLock);
			any_frame = true;
		}
		else
			others = lappend(others, rv);
	}
	if (!any_frame)
		return stmt;
	if (others == NIL)
		return NULL;
	rest = copyObject(stmt);
	rest->relations = others;
	return rest;
}

/*
 * ExecutorFinish hook: a statement that appended rows to frames (INSERT
 * through the view's trigger, INSERT ... SELECT, cache_table's query)
 * checks them against the frames' unique indexes before it ends.
 */
static void
shmcache_executor_finish(QueryDesc *queryDesc)
{
	if (prev_executor_finish)
		prev_executor_finish(queryDesc);
	else
		standard_ExecutorFinish(queryDesc);
	shmcache_writers_check_unique();
}

/*
 * shmcache_load_init
 *		Install the ExecutorFinish hook (from _PG_init).
 */
void
shmcache_load_init(void)
{
	prev_executor_finish = ExecutorFinish_hook;
	ExecutorFinish_hook = shmcache_executor_finish;
}
