/*-------------------------------------------------------------------------
 *
 * snapshot.h
 *	  Declarations shared by the files of the persistence layer only:
 *	  snapshot.c (the shared snapshot table), snapsave.c (saving and
 *	  restoring frames) and persist_sql.c (their SQL functions).  What the
 *	  rest of shmcache calls is in persist.h; the file format is in
 *	  snapfile.h.
 *
 * Layer: persistence, beside the stack.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/snapshot.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_SNAPSHOT_H
#define SHMCACHE_SNAPSHOT_H

#include "persist.h"
#include "shmem.h"

/* snapshot.c: the shared snapshot table */

/* Load state of a frame's snapshot. */
typedef enum SnapState
{
	SNAP_IDLE = 0,				/* nothing to load: the frame in memory is
								 * the newest state */
	SNAP_PENDING,				/* autoload will load it */
	SNAP_LOADING,				/* autoload is loading it */
	SNAP_LOADED,				/* autoload loaded it */
	SNAP_UNLOADED				/* the file holds rows the frame in memory
								 * does not: autoload is off, or could not
								 * load it; appends and saves are refused
								 * until a restore or a truncate settles it */
} SnapState;

/* What the snapshot table says of one frame (shmcache_snapshot_list). */
typedef struct ShmcacheSnapStatus
{
	int64		frame_id;		/* frame_catalog.frame_id */
	SnapState	state;			/* see SnapState */
	bool		has_file;		/* a snapshot file is in place */
	TimestampTz last_saved;		/* when the file's contents were read */
	int64		rows;			/* rows in the file, -1 if unknown */
	int64		bytes;			/* size of the file */
} ShmcacheSnapStatus;


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
extern bool shmcache_snapshot_unloaded(int64 frame_id);
extern bool shmcache_snapshot_exists(int64 frame_id);
extern Size shmcache_snapshot_table_size(void);
extern int	shmcache_snapshot_list(Oid dbid, ShmcacheSnapStatus *rows, int max);

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
