/*-------------------------------------------------------------------------
 *
 * persist.h
 *	  What the rest of shmcache calls of persistence: waiting for a frame
 *	  autoload is bringing back, refusing appends to a frame whose snapshot
 *	  is not loaded, queueing a snapshot's removal or settlement with the
 *	  transaction, the periodic save, restore, and the background workers.
 *
 * Layer: persistence, beside the stack.  The reader and the SQL surface
 * call these; the visibility layer and the layers below it never do.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/persist.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_PERSIST_H
#define SHMCACHE_PERSIST_H

#include "nodes/pg_list.h"
#include "utils/relcache.h"
#include "shmcache.h"

/* snapshot.c: the shared snapshot table, autoload bookkeeping, drops */
extern int64 shmcache_loading_frame;
extern void shmcache_snapshot_shmem_request(void);
extern void shmcache_snapshot_shmem_startup(void);
extern void shmcache_snapshot_wait_loaded(int64 frame_id, bool always);
extern void shmcache_snapshot_path(char *path, Oid dbid, int64 frame_id);
extern void shmcache_snapshot_forget_on_commit(Oid dbid, int64 frame_id);
extern void shmcache_snapshot_forget_on_abort(int64 frame_id);
extern void shmcache_snapshot_settle_on_commit(int64 frame_id);
extern void shmcache_snapshot_check_appendable(int64 frame_id, const char *frame_name);
extern void shmcache_snapshot_set_leader(pid_t pid);
extern List *shmcache_snapshot_pending_databases(void);
extern int64 shmcache_snapshot_next_pending(Oid dbid);
extern void shmcache_snapshot_load_done(Oid dbid, int64 frame_id, bool loaded,
										bool file_kept, uint64 rows);
extern int	shmcache_snapshot_abandon_pending(Oid dbid);

/* snapsave.c: saving frames to snapshot files and restoring them */
extern int	shmcache_snapshot_save_changed(bool wait);
extern uint64 shmcache_snapshot_restore(Relation view, int64 frame_id,
										const char *path);
extern void shmcache_snapshot_set_aside(const char *path);

/* autoload.c: background workers */
extern void shmcache_autoload_init(void);

#endif							/* SHMCACHE_PERSIST_H */
