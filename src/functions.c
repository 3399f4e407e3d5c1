/*-------------------------------------------------------------------------
 *
 * functions.c
 *	  SQL-callable functions that report on frames and drop them:
 *	  shmcache.drop_frame() and the sources of the shmcache.frames,
 *	  shmcache.indexes and shmcache.memory views.
 *
 * Layer: SQL surface: reports and drop_frame over definitions and shared
 * memory.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/functions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "frames.h"
#include "catalog.h"
#include "xact.h"

PG_FUNCTION_INFO_V1(shmcache_drop_frame);
PG_FUNCTION_INFO_V1(shmcache_frame_stats);
PG_FUNCTION_INFO_V1(shmcache_index_stats);
PG_FUNCTION_INFO_V1(shmcache_memory_stats);

/*
 * shmcache.drop_frame(frame regclass)
 *		Drop a frame: exactly DROP VIEW of its view, with that command's
 *		privilege checks, locking and dependency rules.  Its memory is freed
 *		at commit, or when the last query still reading it ends.
 */
Datum
shmcache_drop_frame(PG_FUNCTION_ARGS)
{
	Oid			viewoid = PG_GETARG_OID(0);
	char	   *qualname;

	shmcache_require_shmem();
	(void) shmcache_frame_id_of(viewoid);
	qualname = quote_qualified_identifier(get_namespace_name(get_rel_namespace(viewoid)),
										  get_rel_name(viewoid));
	shmcache_execute_sql(psprintf("DROP VIEW %s", qualname), NULL);
	PG_RETURN_VOID();
}

/* What a report function puts in its result for one frame. */
typedef void (*FrameReport) (ReturnSetInfo *rsinfo, ShmcacheFrame *frame,
							 ShmcacheVersion *version);

/*
 * The body of a set-returning report: "report" for every frame of this
 * database held in shared memory (its current version), under the frame
 * table's lock.
 */
static Datum
report_frames(FunctionCallInfo fcinfo, FrameReport report)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HASH_SEQ_STATUS status;
	ShmcacheFrame *frame;

	shmcache_require_shmem();
	InitMaterializedSRF(fcinfo, 0);

	LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
	hash_seq_init(&status, shmcache_frame_table());
	while ((frame = hash_seq_search(&status)) != NULL)
	{
		if (frame->key.dbid == MyDatabaseId)
			report(rsinfo, frame, dsa_get_address(shmcache_area(), frame->current));
	}
	LWLockRelease(ShmcacheShared->lock);
	return (Datum) 0;
}

/* frame_stats' row of one frame. */
static void
frame_stats_row(ReturnSetInfo *rsinfo, ShmcacheFrame *frame, ShmcacheVersion *version)
{
	Datum		values[6];
	bool		nulls[6] = {false};
	uint64		nrows;
	uint32		dseq;
	uint64		dead = pg_atomic_read_u64(&version->ndead);

	shmcache_version_state(version, &nrows, &dseq);
	values[0] = Int64GetDatum(frame->key.frame_id);
	values[1] = Int64GetDatum((int64) (nrows - Min(nrows, dead)));
	values[2] = Int64GetDatum((int64) dead);
	values[3] = Int64GetDatum((int64) pg_atomic_read_u64(&version->bytes));
	values[4] = Int64GetDatum((int64) version->nchunks);
	values[5] = TimestampTzGetDatum(frame->updated);
	nulls[5] = (frame->updated == 0);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * shmcache.frame_stats()
 *		One row per frame of this database held in shared memory:
 *		frame_id, rows (committed), bytes, chunks, updated.
 */
Datum
shmcache_frame_stats(PG_FUNCTION_ARGS)
{
	return report_frames(fcinfo, frame_stats_row);
}

/* index_stats' rows of the indexes of one frame. */
static void
index_stats_rows(ReturnSetInfo *rsinfo, ShmcacheFrame *frame, ShmcacheVersion *version)
{
	int			i;

	/* Counted as an index user, so that no index is freed meanwhile. */
	pg_atomic_fetch_add_u32(&version->index_users, 1);
	for (i = 0; i < SHMCACHE_MAX_INDEXES; i++)
	{
		ShmcacheIndex *index;
		Datum		values[3];
		bool		nulls[3] = {false};

		if (!DsaPointerIsValid(version->indexes[i]))
			continue;
		index = dsa_get_address(shmcache_area(), version->indexes[i]);
		values[0] = Int64GetDatum(index->index_id);
		values[1] = Int64GetDatum((int64) pg_atomic_read_u64(&index->nentries));
		values[2] = Int64GetDatum((int64) pg_atomic_read_u64(&index->bytes));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	shmcache_index_users_done(version);
}

/*
 * shmcache.index_stats()
 *		One row per index of a frame of this database held in shared memory:
 *		index_id, entries, bytes.
 */
Datum
shmcache_index_stats(PG_FUNCTION_ARGS)
{
	return report_frames(fcinfo, index_stats_rows);
}

/*
 * shmcache.memory_stats()
 *		total_bytes (what of shmcache.size frames can use), used_bytes,
 *		free_bytes, and the number of
 *		this database's frames held in shared memory.
 */
Datum
shmcache_memory_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false};
	HASH_SEQ_STATUS status;
	ShmcacheFrame *frame;
	uint64		used;
	int64		frames = 0;

	shmcache_require_shmem();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
	hash_seq_init(&status, shmcache_frame_table());
	while ((frame = hash_seq_search(&status)) != NULL)
	{
		if (frame->key.dbid == MyDatabaseId)
			frames++;
	}
	LWLockRelease(ShmcacheShared->lock);

	used = pg_atomic_read_u64(&ShmcacheShared->used_bytes);
	values[0] = Int64GetDatum((int64) ShmcacheShared->capacity);
	values[1] = Int64GetDatum((int64) used);
	values[2] = Int64GetDatum((int64) (ShmcacheShared->capacity - Min(used, ShmcacheShared->capacity)));
	values[3] = Int64GetDatum(frames);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
