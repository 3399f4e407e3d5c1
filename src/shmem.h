/*-------------------------------------------------------------------------
 *
 * shmem.h
 *	  The shared memory region: its control block, the DSA area created in
 *	  place, the shared frame table and accounted allocation.  See shmem.c.
 *
 * Layer: shared memory, the bottom of the stack.
 *
 * Shared memory layout:
 *
 *	 [ ShmcacheControl | frame hash table | DSA area created in place ]
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/shmem.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_SHMEM_H
#define SHMCACHE_SHMEM_H

#include "port/atomics.h"
#include "storage/lwlock.h"
#include "utils/dsa.h"
#include "utils/timestamp.h"
#include "shmcache.h"

/* Key of a frame in the shared frame table. */
typedef struct ShmcacheFrameKey
{
	Oid			dbid;			/* database the frame belongs to */
	uint32		pad;			/* always zero: keys are hashed as blobs */
	int64		frame_id;		/* shmcache.frame_catalog.frame_id */
} ShmcacheFrameKey;

/* The key of frame "frame_id" of database "dbid". */
static inline ShmcacheFrameKey
shmcache_frame_key(Oid dbid, int64 frame_id)
{
	ShmcacheFrameKey key;

	memset(&key, 0, sizeof(key));
	key.dbid = dbid;
	key.frame_id = frame_id;
	return key;
}

/*
 * Entry of the shared frame table (protected by ShmcacheControl.lock).
 * Created on first use of a frame after its definition was read from the
 * catalog; removed when the frame is dropped.
 */
typedef struct ShmcacheFrame
{
	ShmcacheFrameKey key;		/* hash key, must be first */
	Oid			viewoid;		/* the frame's view */
	dsa_pointer current;		/* current ShmcacheVersion */
	TimestampTz updated;		/* last committed change, 0 if none */
	uint64		changes;		/* committed changes since the entry was
								 * created; compared by snapsave.c with the
								 * count its last save saw */
} ShmcacheFrame;

/*
 * Control block at the start of the region.
 */
typedef struct ShmcacheControl
{
	LWLock	   *lock;			/* protects the frame table and the current
								 * pointers of its entries */
	int			tranche_id;		/* LWLock tranche of the lock and the area */
	Size		area_size;		/* bytes given to the DSA area */
	Size		capacity;		/* bytes of it that allocations can use */
	pg_atomic_uint64 used_bytes;	/* footprint of every allocation made */
	int			writers_active; /* transactions holding a write claim that
								 * have not ended (under lock) */
	bool		writers_closed; /* no new write claims: the shutdown save
								 * is waiting for the active ones (under
								 * lock) */
	char	   *area_place;		/* start of the in-place DSA area */
} ShmcacheControl;

/* shmem.c */
extern ShmcacheControl *ShmcacheShared;
extern void shmcache_shmem_request(void);
extern void shmcache_shmem_startup(void);
extern void shmcache_require_shmem(void);
extern dsa_area *shmcache_area(void);
extern struct HTAB *shmcache_frame_table(void);
extern bool shmcache_frame_held(Oid dbid, int64 frame_id);
extern dsa_pointer shmcache_alloc(Size size, const char *frame_name);
extern void shmcache_free(dsa_pointer dp, Size size);
extern Size shmcache_footprint(Size size);

/*
 * Address of shared bytes kept as an offset from the start of the DSA area,
 * which is the same in every backend.
 */
static inline char *
shmcache_offset_address(uint64 offset)
{
	return ShmcacheShared->area_place + offset;
}

#endif							/* SHMCACHE_SHMEM_H */
