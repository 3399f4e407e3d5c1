/*-------------------------------------------------------------------------
 *
 * persist_sql.c
 *	  SQL functions of persistence: shmcache.save(), shmcache.restore() and
 *	  shmcache.persistence_stats().
 *
 * They check privileges and resolve frames through their definitions
 * (catalog.c), then call saving and restoring (snapsave.c) and read the
 * shared snapshot table (snapshot.c).
 *
 * Locking: no lock of its own.  The frame table's lock (ShmcacheShared->lock)
 * is taken here for a moment, the snapshot table's lock in snapshot.c, never
 * both at once.  shmcache.save() takes AccessShareLock on each view it
 * saves, shmcache.restore() RowExclusiveLock on its view.
 *
 * Layer: SQL surface of persistence, over snapsave.c, snapshot.c and the
 * definitions (catalog.c).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/persist_sql.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <unistd.h>

#include "access/relation.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "snapshot.h"
#include "catalog.h"
#include "xact.h"

PG_FUNCTION_INFO_V1(shmcache_save);
PG_FUNCTION_INFO_V1(shmcache_restore);
PG_FUNCTION_INFO_V1(shmcache_persistence_stats);

/*
 * Save the frame of "viewoid" for shmcache.save(); the caller checked that
 * the user owns it.  A frame not held in memory with a snapshot is left
 * alone (saving it would replace the snapshot by an empty frame).  Adds a
 * result row if a snapshot was written.
 */
static void
save_one(ReturnSetInfo *rsinfo, Oid viewoid, bool explicit)
{
	int64		frame_id;
	ShmcacheSaveResult result;

	LockRelationOid(viewoid, AccessShareLock);
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(viewoid)))
	{
		UnlockRelationOid(viewoid, AccessShareLock);
		return;					/* dropped meanwhile */
	}
	frame_id = shmcache_frame_id_of(viewoid);
	shmcache_snapshot_wait_loaded(frame_id, true);
	if (!shmcache_frame_held(MyDatabaseId, frame_id) ||
		shmcache_snapshot_unloaded(frame_id))
	{
		if (shmcache_snapshot_exists(frame_id))
		{
			ereport(explicit ? NOTICE : DEBUG1,
					(errmsg("frame \"%s\" is not loaded; its snapshot is left as it is",
							get_rel_name(viewoid)),
					 errhint("Load it with shmcache.restore() first.")));
			return;
		}
		shmcache_frame_attach(frame_id);
	}
	if (shmcache_snapshot_save(MyDatabaseId, frame_id, false, true, &result))
	{
		Datum		values[3];
		bool		nulls[3] = {false};

		values[0] = ObjectIdGetDatum(viewoid);
		values[1] = Int64GetDatum((int64) result.rows);
		values[2] = Int64GetDatum((int64) result.bytes);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * shmcache.save(frame regclass DEFAULT NULL)
 *		RETURNS TABLE (frame regclass, rows int8, bytes int8)
 *		Save a frame (its owner only), or with NULL every frame of this
 *		database the current user owns, to its snapshot file.
 */
Datum
shmcache_save(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	shmcache_require_shmem();
	InitMaterializedSRF(fcinfo, 0);

	if (!PG_ARGISNULL(0))
	{
		Oid			viewoid = PG_GETARG_OID(0);

		(void) shmcache_frame_id_of(viewoid);
		if (!shmcache_relation_ownercheck(viewoid, GetUserId()))
			aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_VIEW, get_rel_name(viewoid));
		save_one(rsinfo, viewoid, true);
	}
	else
	{
		List	   *views = shmcache_catalog_views();
		ListCell   *lc;

		foreach(lc, views)
		{
			Oid			viewoid = lfirst_oid(lc);

			if (shmcache_relation_ownercheck(viewoid, GetUserId()))
				save_one(rsinfo, viewoid, false);
		}
	}
	return (Datum) 0;
}

/*
 * shmcache.restore(frame regclass) RETURNS int8
 *		Replace a frame's rows by those of its snapshot, in the current
 *		transaction (published at commit).  Needs ownership of the frame.
 */
Datum
shmcache_restore(PG_FUNCTION_ARGS)
{
	Oid			viewoid = PG_GETARG_OID(0);
	int64		frame_id;
	Relation	view;
	char		path[MAXPGPATH];
	uint64		rows;

	shmcache_require_shmem();
	view = shmcache_open_frame(viewoid, RowExclusiveLock, &frame_id);
	if (!shmcache_relation_ownercheck(viewoid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_VIEW, RelationGetRelationName(view));
	PreventCommandIfReadOnly("shmcache.restore()");
	shmcache_snapshot_wait_loaded(frame_id, true);

	shmcache_snapshot_path(path, MyDatabaseId, frame_id);
	if (access(path, F_OK) != 0 && errno == ENOENT)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("frame \"%s\" has no snapshot", RelationGetRelationName(view)),
				 errhint("Save it with shmcache.save() first.")));
	rows = shmcache_snapshot_restore(view, frame_id, path);
	relation_close(view, NoLock);
	PG_RETURN_INT64((int64) rows);
}

/*
 * shmcache.persistence_stats()
 *		One row per frame of this database that is held in memory or has a
 *		snapshot: frame_id, state ('loaded', 'loading', 'not loaded'),
 *		last_saved, snapshot_rows, snapshot_bytes.
 */
Datum
shmcache_persistence_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HASH_SEQ_STATUS status;
	ShmcacheFrame *frame;
	ShmcacheSnapStatus *rows;
	bool	   *in_memory;
	int			nrows;
	int			max = shmcache_snapshot_table_size() + shmcache_max_frames;
	int			i;

	shmcache_require_shmem();
	InitMaterializedSRF(fcinfo, 0);
	rows = palloc0(sizeof(ShmcacheSnapStatus) * max);
	in_memory = palloc0(sizeof(bool) * max);

	nrows = shmcache_snapshot_list(MyDatabaseId, rows, max);

	LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
	hash_seq_init(&status, shmcache_frame_table());
	while ((frame = hash_seq_search(&status)) != NULL)
	{
		if (frame->key.dbid != MyDatabaseId)
			continue;
		for (i = 0; i < nrows; i++)
			if (rows[i].frame_id == frame->key.frame_id)
				break;
		if (i == nrows)
		{
			if (nrows >= max)
				continue;
			rows[nrows].frame_id = frame->key.frame_id;
			rows[nrows].state = SNAP_IDLE;
			nrows++;
		}
		in_memory[i] = true;
	}
	LWLockRelease(ShmcacheShared->lock);

	for (i = 0; i < nrows; i++)
	{
		ShmcacheSnapStatus *row = &rows[i];
		Datum		values[5];
		bool		nulls[5] = {false};
		const char *state;

		if (row->state == SNAP_PENDING || row->state == SNAP_LOADING)
			state = "loading";
		else if (in_memory[i] && row->state != SNAP_UNLOADED)
			state = "loaded";
		else
			state = "not loaded";
		values[0] = Int64GetDatum(row->frame_id);
		values[1] = CStringGetTextDatum(state);
		values[2] = TimestampTzGetDatum(row->last_saved);
		nulls[2] = !row->has_file;
		values[3] = Int64GetDatum(row->rows);
		nulls[3] = !row->has_file || row->rows < 0;
		values[4] = Int64GetDatum(row->bytes);
		nulls[4] = !row->has_file;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
