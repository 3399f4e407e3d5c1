/*-------------------------------------------------------------------------
 *
 * xact.h
 *	  Transactions and visibility: write claims and a writer's own rows
 *	  (xact.c), readers' pins and reads shared with parallel workers
 *	  (pins.c), and the one end-of-transaction queue.
 *
 * Layer: transactions and visibility, above storage and the catalog (catalog.h).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/xact.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_XACT_H
#define SHMCACHE_XACT_H

#include "access/xact.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"
#include "index.h"
#include "storage.h"

/* xact.c: writers, pins and transaction integration */
typedef struct ShmcacheRead
{
	ShmcacheVersion *version;	/* pinned version */
	dsa_pointer version_dp;
	uint64		nrows;			/* rows visible to this reader */
	uint32		dseq;			/* committed deletes visible to it (see
								 * shmcache_stamp_dead) */
	uint32		own_cid;		/* its own transaction's deletes by commands
								 * before this one are visible; 0 if none */
	bool		own_writes;		/* includes this transaction's unpublished
								 * rows */
	Oid			viewoid;		/* the frame's view */
	int64		frame_id;		/* the frame */
	struct ShmcachePin *pin;	/* the pin (xact.c) */
	bool		reused;			/* this query had read the frame already */
} ShmcacheRead;

/*
 * A read shared with parallel workers, in a node's DSM: the leader's
 * pinned version and visible rows, and the counter from which every
 * participant claims whole chunks.
 */
typedef struct ShmcacheParallelRead
{
	pg_atomic_uint64 next_chunk;	/* next chunk to claim */
	pg_atomic_uint64 chunks_scanned;	/* by the workers, for EXPLAIN */
	pg_atomic_uint64 chunks_skipped;
	dsa_pointer version_dp;		/* the leader's read */
	uint64		nrows;
	uint32		dseq;
	uint32		own_cid;
	bool		own_writes;
	Oid			viewoid;
} ShmcacheParallelRead;

typedef struct ShmcacheWriter ShmcacheWriter;

extern void shmcache_xact_init(void);
extern ShmcacheWriter *shmcache_writer_begin(Relation view, int64 frame_id);
extern ShmcacheWriter *shmcache_writer_lookup(Oid viewoid);
extern void shmcache_writer_append(ShmcacheWriter *writer, Relation view,
								   Datum *values, bool *nulls);
extern void shmcache_writer_truncate(ShmcacheWriter *writer, Relation view);
extern void shmcache_writers_check_unique(void);
extern void shmcache_writer_add_index(ShmcacheWriter *writer, Relation view,
									  const ShmcacheIndex *def);
extern void shmcache_writer_drop_index(ShmcacheWriter *writer, int64 index_id);
extern const ShmcachePending *shmcache_writer_pending(int64 frame_id,
													  ShmcacheVersion *version,
													  int64 index_id);
extern void shmcache_read_begin(int64 frame_id, Snapshot snapshot,
								ShmcacheRead *read);
extern void shmcache_read_end(ShmcacheRead *read);
extern void shmcache_read_use_indexes(ShmcacheRead *read);
extern void shmcache_read_end_with(ShmcacheRead *read, MemoryContext context);
extern void shmcache_parallel_read_init(ShmcacheParallelRead *shared,
										const ShmcacheRead *read);
extern void shmcache_parallel_read_attach(const ShmcacheParallelRead *shared,
										  ShmcacheRead *read);
extern void shmcache_parallel_read_restart(ShmcacheParallelRead *shared);
extern bool shmcache_parallel_read_claim(ShmcacheParallelRead *shared,
										 const ShmcacheRead *read,
										 uint64 *chunkno);
extern void shmcache_parallel_read_counts(ShmcacheParallelRead *shared,
										  uint64 *chunks_scanned,
										  uint64 *chunks_skipped);
extern dsa_pointer shmcache_pin_current(int64 frame_id, Oid *viewoid);
extern bool shmcache_writer_visible(int64 frame_id, Snapshot snapshot,
								   ShmcacheRead *read);
extern bool shmcache_writer_delete(ShmcacheWriter *writer, Relation view, uint64 row);
extern ShmcacheVersion *shmcache_writer_target(ShmcacheWriter *writer, uint64 *nrows);
extern void shmcache_check_serializable(int64 frame_id, const char *frame_name);

/* xact_delete.c: a writer's deleted rows (used by xact.c) */
typedef struct ShmcacheDeletes ShmcacheDeletes;
extern ShmcacheDeletes *shmcache_deletes_of(List **deletes, dsa_pointer version_dp);
extern bool shmcache_deletes_add(ShmcacheDeletes *deletes, uint64 row, CommandId cid,
								 const char *frame_name);
extern void shmcache_deletes_undo(List *deletes, CommandId from_cid);
extern void shmcache_deletes_abort(List *deletes, dsa_pointer base_dp);
extern uint32 shmcache_deletes_commit(List *deletes, dsa_pointer target_dp);

/* xact_index.c: a writer's index entries and index changes (used by xact.c) */
typedef struct ShmcacheIndexWork ShmcacheIndexWork;
extern ShmcacheIndexWork *shmcache_index_work_create(void);
extern void shmcache_index_work_target(ShmcacheIndexWork *work, dsa_pointer target_dp,
									   uint64 nrows);
extern const ShmcachePending *shmcache_index_work_pending(const ShmcacheIndexWork *work,
														  ShmcacheVersion *version,
														  int64 index_id);
extern void shmcache_index_work_prepare(ShmcacheIndexWork *work, Datum *values,
										bool *nulls);
extern void shmcache_index_work_add(ShmcacheIndexWork *work, Relation view, uint64 row);
extern void shmcache_index_work_check(ShmcacheIndexWork *work, Relation view);
extern bool shmcache_index_work_unchecked(const ShmcacheIndexWork *work);
extern int	shmcache_index_work_mark(const ShmcacheIndexWork *work);
extern void shmcache_index_work_rollback(ShmcacheIndexWork *work, int mark,
										 dsa_pointer target_dp, uint64 nrows);
extern void shmcache_index_work_add_index(ShmcacheIndexWork *work, Relation view,
										  uint64 nrows, const ShmcacheIndex *def);
extern void shmcache_index_work_drop_index(ShmcacheIndexWork *work, int64 index_id);
extern void shmcache_index_work_commit(ShmcacheIndexWork *work);
extern void shmcache_index_work_release(ShmcacheIndexWork *work);

/* pins.c: readers' pins */
extern void shmcache_pins_init(void);
extern uint64 shmcache_frame_rows(int64 frame_id);
extern List *shmcache_frames_due_for_vacuum(Oid dbid);
extern void shmcache_writers_quiesce(void);
extern void shmcache_writers_reopen(void);
typedef void (*ShmcacheXactAction) (Oid dbid, Oid viewoid, int64 frame_id);
extern void shmcache_xact_at_end(bool at_commit, ShmcacheXactAction action, Oid dbid,
								 Oid viewoid, int64 frame_id);
extern bool shmcache_xact_at_commit_queued(ShmcacheXactAction action, Oid dbid,
										   int64 frame_id);
extern void shmcache_forget_frame_on_commit(Oid dbid, Oid viewoid);
extern void shmcache_xact_queue_run(bool commit);
extern void shmcache_xact_queue_subxact_end(SubXactEvent event, SubTransactionId subid,
											SubTransactionId parent);
extern bool shmcache_xact_queue_empty(void);
extern void shmcache_forget_frame_on_abort(int64 frame_id);

#endif							/* SHMCACHE_XACT_H */
