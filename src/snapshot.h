/*-------------------------------------------------------------------------
 *
 * snapshot.h
 *	  Declarations shared by the files of the persistence layer only:
 *	  snapshot.c (the shared snapshot table), snapsave.c (saving and
 *	  restoring frames) and persist_sql.c (their SQL functions).  What the
 *	  rest of shmcache calls is in shmcache.h; the file format is in
 *	  snapfile.h.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/snapshot.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_SNAPSHOT_H
#define SHMCACHE_SNAPSHOT_H

#include "shmcache.h"

/* The key of frame "frame_id" of database "dbid" in the frame table. */
static inline void
shmcache_snapshot_key(ShmcacheFrameKey *key, Oid dbid, int64 frame_id)
{
	memset(key, 0, sizeof(*key));
	key->dbid = dbid;
	key->frame_id = frame_id;
}

/* snapshot.c: the shared snapshot table */

/*
 * A snapshot file a save wrote, as the snapshot table records it
 * (shmcache_snapshot_install).
 */
typedef struct ShmcacheSnapSaved
{
	Oid			viewoid;		/* the frame's view when its rows were pinned */
	TimestampTz saved_at;		/* when the rows were pinned */
	uint64		rows;			/* rows written */
	uint64		bytes;			/* bytes of the file */
	uint64		changes;		/* ShmcacheFrame.changes when pinned */
} ShmcacheSnapSaved;

/* What became of a saved file (shmcache_snapshot_install). */
typedef enum ShmcacheSnapInstall
{
	SNAP_INSTALLED,				/* renamed into place and recorded */
	SNAP_INSTALL_DROPPED,		/* the frame was dropped meanwhile */
	SNAP_INSTALL_FAILED			/* durable_rename() failed (logged) */
} ShmcacheSnapInstall;

extern bool shmcache_snapshot_claim(const ShmcacheFrameKey *key, bool wait,
									uint64 *saved_changes);
extern void shmcache_snapshot_release(const ShmcacheFrameKey *key);
extern ShmcacheSnapInstall shmcache_snapshot_install(const ShmcacheFrameKey *key,
													 const char *tmp_path,
													 const char *path,
													 const ShmcacheSnapSaved *saved);

/* snapsave.c: saving and restoring */
typedef struct ShmcacheSaveResult
{
	bool		saved;			/* a snapshot was written */
	Oid			viewoid;		/* the frame's view */
	uint64		rows;			/* rows written */
	uint64		bytes;			/* bytes of the file */
} ShmcacheSaveResult;

extern bool shmcache_snapshot_save(Oid dbid, int64 frame_id, bool only_changed,
								   bool wait, ShmcacheSaveResult *result);

#endif							/* SHMCACHE_SNAPSHOT_H */
