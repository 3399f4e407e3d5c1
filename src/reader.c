/*-------------------------------------------------------------------------
 *
 * reader.c
 *	  The one frame reader, shared by every node that reads a frame
 *	  (ShmcacheScan, ShmcacheAggregate): it evaluates the frame id, pins a
 *	  version of the frame and fixes its rows as of the query's snapshot, checks the right to
 *	  read it, hands out its chunks one after the other (or, in a parallel
 *	  plan, from a counter every participant claims from) with the rows the
 *	  pushed filters select, and tells EXPLAIN what it read.
 *
 * Layer: reader.  It calls down into transactions and visibility (xact.c:
 * pins and shared parallel reads), the column-wise filters (filter.c: chunk
 * skipping belongs to claiming a chunk) and storage; the plan/exec nodes
 * call it.
 *
 * Lifecycle, for a node: shmcache_reader_init at executor start; then
 * shmcache_reader_start, at executor start when the frame id is a constant
 * (so that a cursor reads the frame as it was when declared, and EXPLAIN
 * names it) or at the first row otherwise; shmcache_reader_next_chunk until
 * it returns NULL; shmcache_reader_rescan; shmcache_reader_end.  The leader
 * of a parallel plan shares its read through the node's DSM
 * (shmcache_reader_dsm_*); workers read it without pinning, the leader's pin
 * outliving them.
 *
 * Locking: none of its own; see pins.c for pins.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/reader.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"

#include "access/parallel.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "reader.h"
#include "catalog.h"
#include "persist.h"

/*
 * shmcache_reader_init
 *		Prepare "reader" for node "parent": the frame id expression as
 *		planned, the user whose rights apply, the columns read and the
 *		pushed quals; "rowdesc" describes the frame's columns.
 */
void
shmcache_reader_init(ShmcacheReader *reader, PlanState *parent,
					 Expr *frame_id_arg, Oid check_as_user, List *read_columns,
					 List *pushed, TupleDesc rowdesc)
{
	memset(reader, 0, sizeof(*reader));
	reader->parent = parent;
	reader->frame_id_const = IsA(frame_id_arg, Const);
	reader->frame_id_expr = ExecInitExpr(frame_id_arg, parent);
	reader->check_as_user = check_as_user;
	reader->position = shmcache_position_column(rowdesc);
	reader->read_columns = reader->position < 0 ? read_columns :
		list_delete_int(list_copy(read_columns), reader->position);
	reader->pushed = pushed;
	reader->filters = shmcache_filters_create(pushed, parent);
	reader->rowdesc = rowdesc;
}

/*
 * shmcache_position_column
 *		The column of "rowdesc" that gets each row's position (see
 *		SHMCACHE_POSITION_COLUMN), or -1.
 */
int
shmcache_position_column(TupleDesc rowdesc)
{
	Form_pg_attribute last;

	if (rowdesc->natts == 0)
		return -1;
	last = TupleDescAttr(rowdesc, rowdesc->natts - 1);
	if (last->atttypid != INT8OID ||
		strcmp(NameStr(last->attname), SHMCACHE_POSITION_COLUMN) != 0)
		return -1;
	return rowdesc->natts - 1;
}

/*
 * shmcache_reader_columns
 *		The frame columns among "columns" (0-based slot columns the node
 *		fills) into "array": all but the position column.  Returns how many.
 */
int
shmcache_reader_columns(const ShmcacheReader *reader, List *columns, int *array)
{
	ListCell   *lc;
	int			n = 0;

	foreach(lc, columns)
	{
		if (lfirst_int(lc) != reader->position)
			array[n++] = lfirst_int(lc);
	}
	return n;
}

/*
 * shmcache_reader_starts_at_begin
 *		Should the node start reading at executor start?  Yes for a constant
 *		frame id (a frame's view), except in a parallel worker of a
 *		parallel-aware node, which reads what the leader pinned instead.
 */
bool
shmcache_reader_starts_at_begin(const ShmcacheReader *reader)
{
	return reader->frame_id_const &&
		!(IsParallelWorker() && reader->parent->plan->parallel_aware);
}

/* Bind the filters' constants to the read (they may use parameters). */
static void
bind_filters(ShmcacheReader *reader)
{
	if (reader->filters && reader->read.version != NULL)
		shmcache_filters_bind(reader->filters, reader->read.version,
							  reader->read.own_writes,
							  reader->parent->ps_ExprContext);
}

/*
 * shmcache_reader_start
 *		Evaluate the frame id, pin the frame's version and fix the rows the
 *		node sees (those committed when its query started, and the rows of
 *		its transaction's earlier commands); check the right to read the
 *		columns read; bind the filters.  A NULL frame id gives an empty
 *		read (no version, nothing pinned), as the STRICT function
 *		shmcache.scan() returns no rows for it.
 */
void
shmcache_reader_start(ShmcacheReader *reader)
{
	bool		isnull;
	Datum		frame_id;

	frame_id = ExecEvalExprSwitchContext(reader->frame_id_expr,
										 reader->parent->ps_ExprContext, &isnull);
	if (isnull)
		memset(&reader->read, 0, sizeof(reader->read));
	else
	{
		shmcache_snapshot_wait_loaded(DatumGetInt64(frame_id), false);
		shmcache_read_begin(DatumGetInt64(frame_id),
							reader->parent->state->es_snapshot, &reader->read);
		reader->pinned = true;
		shmcache_check_read_privilege(reader->read.viewoid, reader->check_as_user,
									  reader->read_columns, false);
		shmcache_check_frame_matches(&reader->read, reader->rowdesc);
	}
	reader->started = true;
	bind_filters(reader);
	shmcache_reader_rewind(reader);
}

/*
 * shmcache_reader_end
 *		Release the reader's pin; the next start reads the frame again.
 */
void
shmcache_reader_end(ShmcacheReader *reader)
{
	if (reader->pinned)
		shmcache_read_end(&reader->read);
	reader->pinned = false;
	reader->started = false;
}

/*
 * shmcache_reader_rewind
 *		Read from the first chunk again (a serial read; from the last one if
 *		reader->backward).
 */
void
shmcache_reader_rewind(ShmcacheReader *reader)
{
	reader->next_chunk = 0;
}

/* The number of chunks that hold the rows of the read. */
static uint64
read_chunks(const ShmcacheReader *reader)
{
	return (reader->read.nrows + SHMCACHE_CHUNK_ROWS - 1) >> SHMCACHE_CHUNK_SHIFT;
}

/*
 * shmcache_reader_rescan
 *		Before a rescan: the same rows are read again, unless the frame id
 *		may have changed ("params_changed" and not a constant): then the next
 *		start reads the frame it now names.  The filters' constants are bound
 *		again, as they may depend on parameters.
 */
void
shmcache_reader_rescan(ShmcacheReader *reader, bool params_changed)
{
	if (params_changed && reader->started && !reader->frame_id_const)
		shmcache_reader_end(reader);
	else if (reader->started)
		bind_filters(reader);
	shmcache_reader_rewind(reader);
}

/*
 * The rows of a chunk's selection (sel[], or 0 .. n-1 if "all") that the
 * dead bitmap "bits" does not mark, into out[]; returns how many.
 */
static uint32
live_by_bits(const uint64 *bits, const uint16 *sel, uint32 n, bool all, uint16 *out)
{
	uint32		kept = 0;
	uint32		i;

	if (all)
	{
		for (i = 0; i < n; i += 64)
		{
			uint64		dead = bits[i >> 6];
			uint32		end = Min(n, i + 64);
			uint32		j;

			if (dead == 0)
			{
				for (j = i; j < end; j++)
					out[kept++] = (uint16) j;
				continue;
			}
			for (j = i; j < end; j++)
			{
				out[kept] = (uint16) j;
				kept += ((dead >> (j & 63)) & 1) == 0;
			}
		}
		return kept;
	}
	for (i = 0; i < n; i++)
	{
		out[kept] = sel[i];
		kept += ((bits[sel[i] >> 6] >> (sel[i] & 63)) & 1) == 0;
	}
	return kept;
}

/*
 * The same by the stamps, for a reader (dseq, own_cid).
 */
static uint32
live_by_stamps(const uint32 *stamps, const uint16 *sel, uint32 n, bool all,
			   uint32 dseq, uint32 own_cid, uint16 *out)
{
	uint32		kept = 0;
	uint32		i;

	for (i = 0; i < n; i++)
	{
		uint16		slot = all ? (uint16) i : sel[i];

		out[kept] = slot;
		kept += !shmcache_stamp_dead(stamps[slot], dseq, own_cid);
	}
	return kept;
}

/*
 * The dead bitmap of "chunk" (whose stamps are "stamps", or NULL) if the
 * reader sees every committed delete of it and none of its own, with the
 * chunk's last_dseq read before it in *last; else NULL.
 */
static const uint64 *
readable_dead_bits(const ShmcacheReader *reader, const char *chunk,
				   const uint32 *stamps, uint32 *last)
{
	if (stamps == NULL || reader->read.own_cid != 0)
		return NULL;
	*last = pg_atomic_read_u32((pg_atomic_uint32 *) &((const ShmcacheChunk *) chunk)->last_dseq);
	if (*last > reader->read.dseq)
		return NULL;
	pg_read_barrier();
	return shmcache_chunk_dead_bits(stamps);
}

/*
 * Were the dead bits read after readable_dead_bits gave *last those of its
 * reader, no commit having changed them meanwhile?
 */
static bool
dead_bits_unchanged(const char *chunk, uint32 last)
{
	pg_read_barrier();
	return pg_atomic_read_u32((pg_atomic_uint32 *) &((const ShmcacheChunk *) chunk)->last_dseq) == last;
}

/*
 * Take the rows deleted for this reader out of a chunk's selection (see
 * shmcache_reader_next_chunk).  A chunk without such rows costs a test; one
 * whose committed deletes are all visible to the reader is read by its dead
 * bitmap (or, for a node that reads no column, counted by its delete count),
 * others by their stamps.
 */
static void
drop_deleted(ShmcacheReader *reader, const char *chunk, uint16 *sel, uint32 *n,
			 bool *all)
{
	const uint32 *stamps = shmcache_chunk_deletes(chunk, reader->read.dseq,
												  reader->read.own_cid);
	const uint64 *bits;
	uint32		last;
	uint32		kept;

	if (stamps == NULL)
		return;
	if (reader->scratch == NULL)
		reader->scratch = MemoryContextAlloc(reader->parent->state->es_query_cxt,
											 sizeof(uint16) * SHMCACHE_CHUNK_ROWS);
	if ((bits = readable_dead_bits(reader, chunk, stamps, &last)) != NULL)
	{
		bool		count_only = *all && reader->read_columns == NIL;
		uint16	   *out = *all ? sel : reader->scratch;

		kept = count_only ? *n - ((const ShmcacheChunk *) chunk)->ndead :
			live_by_bits(bits, sel, *n, *all, out);
		if (dead_bits_unchanged(chunk, last))
		{
			if (!count_only)
			{
				if (out != sel)
					memcpy(sel, out, sizeof(uint16) * kept);
				*all = false;
			}
			*n = kept;			/* (count only: rows 0 .. kept - 1 stand
								 * for the live ones) */
			return;
		}
		/* a commit meanwhile: by the stamps, from the rows as given */
	}
	kept = live_by_stamps(stamps, sel, *n, *all, reader->read.dseq,
						  reader->read.own_cid, reader->scratch);
	memcpy(sel, reader->scratch, sizeof(uint16) * kept);
	*n = kept;
	*all = false;
}

/*
 * Select the rows of "chunk" (*n of them) that the pushed filters pass and
 * that are not deleted for this reader, as shmcache_reader_next_chunk
 * returns them; false if the filters ruled the chunk out.  The first filter
 * that reads the rows takes the deleted ones out in the same pass, when the
 * reader may use the chunk's dead bitmap (and a commit did not change it
 * meanwhile); otherwise drop_deleted does it after the filters.
 */
static bool
select_live_rows(ShmcacheReader *reader, const char *chunk, uint16 *sel, uint32 *n,
				 bool *all)
{
	uint32		rows = *n;
	uint32		last = 0;
	const uint64 *dead = reader->filters == NULL ? NULL :
		readable_dead_bits(reader, chunk,
						   shmcache_chunk_deletes(chunk, reader->read.dseq,
												  reader->read.own_cid),
						   &last);
	bool		offered = dead != NULL;

	if (!shmcache_filters_apply(reader->filters, chunk, sel, n, all, &dead))
		return false;
	if (offered && dead == NULL)
	{
		if (dead_bits_unchanged(chunk, last))
			return true;
		/* a commit meanwhile: filter again, then take the deleted out */
		*n = rows;
		*all = true;
		(void) shmcache_filters_apply(reader->filters, chunk, sel, n, all, &dead);
	}
	drop_deleted(reader, chunk, sel, n, all);
	return true;
}

/*
 * shmcache_reader_next_chunk
 *		The next chunk with rows the pushed filters select, or NULL at the
 *		end: the next one of the read, or in a parallel plan the next one
 *		no participant has claimed.  Sets *n to the number of rows selected
 *		and either *all (rows 0 .. *n - 1) or their slots in sel[] (room for
 *		SHMCACHE_CHUNK_ROWS).  Chunks the filters rule out are skipped and
 *		counted.
 */
const char *
shmcache_reader_next_chunk(ShmcacheReader *reader, uint16 *sel, uint32 *n,
						   bool *all)
{
	for (;;)
	{
		uint64		chunkno;
		uint64		first;
		const char *chunk;

		CHECK_FOR_INTERRUPTS();
		if (shmcache_filters_never(reader->filters))
			return NULL;
		if (reader->pread != NULL)
			(void) shmcache_parallel_read_claim(reader->pread, &reader->read, &chunkno);
		else if (reader->backward)
		{
			if (reader->next_chunk >= read_chunks(reader))
				return NULL;
			chunkno = read_chunks(reader) - 1 - reader->next_chunk++;
		}
		else
			chunkno = reader->next_chunk++;
		first = chunkno << SHMCACHE_CHUNK_SHIFT;
		if (first >= reader->read.nrows)
			return NULL;
		*n = Min(SHMCACHE_CHUNK_ROWS, reader->read.nrows - first);
		chunk = shmcache_version_chunk(reader->read.version, chunkno);
		if (!select_live_rows(reader, chunk, sel, n, all))
		{
			reader->chunks_skipped++;
			continue;
		}
		reader->chunks_scanned++;
		reader->chunkno = chunkno;
		if (*n > 0)
			return chunk;
	}
}

/*
 * The parallel-plan callbacks below are CustomExecMethods of a node whose
 * state begins as a ShmcacheReaderNode does.
 */
#define node_reader(node)	(&((ShmcacheReaderNode *) (node))->reader)

/*
 * shmcache_reader_estimate_dsm
 *		The DSM a parallel-aware node needs for its reader.
 */
Size
shmcache_reader_estimate_dsm(CustomScanState *node, ParallelContext *pcxt)
{
	return sizeof(ShmcacheParallelRead);
}

/*
 * shmcache_reader_initialize_dsm
 *		Leader: share the read (pinned at executor start) with the
 *		workers, in the node's DSM "coordinate".
 */
void
shmcache_reader_initialize_dsm(CustomScanState *node, ParallelContext *pcxt,
							   void *coordinate)
{
	ShmcacheReader *reader = node_reader(node);

	Assert(reader->started);
	shmcache_parallel_read_init(coordinate, &reader->read);
	reader->pread = coordinate;
}

/*
 * shmcache_reader_reinitialize_dsm
 *		Leader, before a rescan with new workers: claim chunks from the
 *		first one again.
 */
void
shmcache_reader_reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt,
								 void *coordinate)
{
	ShmcacheReader *reader = node_reader(node);

	shmcache_parallel_read_restart(coordinate);
	reader->pread = coordinate;
}

/*
 * shmcache_reader_dsm_attach
 *		Worker: read what the leader pinned, without a pin of its own.
 */
void
shmcache_reader_dsm_attach(ShmcacheReader *reader, void *coordinate)
{
	reader->pread = coordinate;
	shmcache_parallel_read_attach(reader->pread, &reader->read);
	reader->started = true;
	bind_filters(reader);
	shmcache_reader_rewind(reader);
}

/*
 * shmcache_reader_shutdown
 *		At the end of a parallel read: a worker adds its chunk counts to the
 *		shared ones, the leader (whose workers are done) the shared ones to
 *		its own.
 */
void
shmcache_reader_shutdown(CustomScanState *node)
{
	ShmcacheReader *reader = node_reader(node);

	if (reader->pread == NULL)
		return;
	shmcache_parallel_read_counts(reader->pread, &reader->chunks_scanned,
								  &reader->chunks_skipped);
	reader->pread = NULL;
}

/*
 * shmcache_reader_recheck
 *		ExecScan's recheck method for a node reading a frame: there is nothing
 *		to recheck, since a frame has no row marks (EvalPlanQual never runs).
 */
bool
shmcache_reader_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

/*
 * shmcache_reader_explain_frame
 *		EXPLAIN's "Frame" (the frame's view, "none" for a NULL frame id, or
 *		"chosen at run time" before a computed frame id is known) and
 *		"Columns Read".
 */
void
shmcache_reader_explain_frame(const ShmcacheReader *reader, ExplainState *es)
{
	Oid			viewoid = reader->read.viewoid;
	StringInfoData columns;
	ListCell   *lc;

	if (!reader->started)
		ExplainPropertyText("Frame", "chosen at run time", es);
	else if (!OidIsValid(viewoid))
		ExplainPropertyText("Frame", "none (null frame id)", es);
	else
		ExplainPropertyText("Frame",
							quote_qualified_identifier(get_namespace_name(get_rel_namespace(viewoid)),
													   get_rel_name(viewoid)),
							es);
	initStringInfo(&columns);
	foreach(lc, reader->read_columns)
		appendStringInfo(&columns, "%s%s", columns.len > 0 ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(reader->rowdesc,
																lfirst_int(lc))->attname)));
	ExplainPropertyText("Columns Read", columns.len > 0 ? columns.data : "none", es);
}

/*
 * shmcache_reader_explain_filters
 *		EXPLAIN's "Pushed Filters".
 */
void
shmcache_reader_explain_filters(const ShmcacheReader *reader, ExplainState *es)
{
	if (reader->pushed != NIL)
		ExplainPropertyList("Pushed Filters",
							shmcache_filters_describe(reader->pushed, reader->rowdesc), es);
}

/*
 * shmcache_reader_explain_counts
 *		EXPLAIN ANALYZE's "Rows Visible", "Chunks Scanned" and "Chunks
 *		Skipped" (over all participants of a parallel plan).
 */
void
shmcache_reader_explain_counts(const ShmcacheReader *reader, ExplainState *es)
{
	if (!es->analyze || !reader->started)
		return;
	ExplainPropertyUInteger("Rows Visible", NULL, reader->read.nrows, es);
	ExplainPropertyUInteger("Chunks Scanned", NULL, reader->chunks_scanned, es);
	if (reader->pushed != NIL)
		ExplainPropertyUInteger("Chunks Skipped", NULL, reader->chunks_skipped, es);
}

/*
 * shmcache_check_read_privilege
 *		Reading a frame needs SELECT on its view, as for a table: on the whole
 *		view, or on each column read (on any column if none is read).
 *		"columns" are 0-based column numbers; with "every_column" the read
 *		needs every column.  "userid" InvalidOid means the current user.
 */
void
shmcache_check_read_privilege(Oid viewoid, Oid userid, List *columns,
							  bool every_column)
{
	bool		allowed;
	ListCell   *lc;

	if (!OidIsValid(userid))
		userid = GetUserId();
	allowed = pg_class_aclcheck(viewoid, userid, ACL_SELECT) == ACLCHECK_OK;
	if (!allowed && every_column)
		allowed = pg_attribute_aclcheck_all(viewoid, userid, ACL_SELECT,
											ACLMASK_ALL) == ACLCHECK_OK;
	else if (!allowed && columns == NIL)
		allowed = pg_attribute_aclcheck_all(viewoid, userid, ACL_SELECT,
											ACLMASK_ANY) == ACLCHECK_OK;
	else if (!allowed)
	{
		allowed = true;
		foreach(lc, columns)
		{
			if (pg_attribute_aclcheck(viewoid, lfirst_int(lc) + 1, userid,
									  ACL_SELECT) != ACLCHECK_OK)
				allowed = false;
		}
	}
	if (!allowed)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_VIEW, get_rel_name(viewoid));
}

/*
 * shmcache_check_frame_matches
 *		A frame whose view was redefined by hand with other columns is not
 *		read.
 */
void
shmcache_check_frame_matches(ShmcacheRead *read, TupleDesc tupdesc)
{
	int			natts = tupdesc->natts - (shmcache_position_column(tupdesc) >= 0);

	if (!shmcache_version_matches(read->version, tupdesc, natts))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("frame \"%s\" does not match the columns of its scan",
						get_rel_name(read->viewoid)),
				 errdetail("The view of a frame must read shmcache.scan() with the frame's own column list.")));
}
