/*-------------------------------------------------------------------------
 *
 * shmem.c
 *	  The shared memory region of shmcache: reserved at server start, then
 *	  managed by PostgreSQL's own allocator.
 *
 * The region is requested from shmem_request_hook and laid out in
 * shmem_startup_hook as
 *
 *	 [ ShmcacheControl | DSA area created in place (shmcache.size) ]
 *
 * plus a fixed-size shared hash table of frames (shmcache.max_frames
 * entries).  The DSA area is size-limited to the space reserved for it, so it
 * never creates DSM segments: every allocation lies inside the region, at the
 * same address in every backend, and memory freed by dropping or truncating a
 * frame is reused by later allocations.
 *
 * Accounting: every allocation is made as a run of whole pages larger than
 * the DSA's small-object limit, so that what it takes from the area (its
 * footprint) is known exactly.  The capacity is what is left of shmcache.size
 * after the allocator's own bookkeeping; used_bytes is the sum of the
 * footprints; an allocation fails only when it needs more than capacity -
 * used_bytes (or than the largest free run, after fragmentation).
 *
 * Locking: the frame table and the "current" pointers of its entries are
 * protected by ShmcacheShared->lock.  The DSA area does its own locking.
 *
 * Layer: shared memory (the bottom layer).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/shmem.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/freepage.h"
#include "storage/shmem.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "shmem.h"

ShmcacheControl *ShmcacheShared = NULL;

/* Backend-local handles, set up on first use. */
static HTAB *frame_table = NULL;
static dsa_area *area = NULL;

/*
 * Allocations up to 8 kB come from the DSA's size-class superblocks; larger
 * ones are runs of FPM_PAGE_SIZE pages.  Ours are always of the latter kind.
 */
#define SHMCACHE_MIN_ALLOC		(8192 + 1)

/*
 * Bytes of the area an allocation of "size" bytes takes: whole pages, plus an
 * allowance for the span descriptor the allocator keeps for it.
 */
Size
shmcache_footprint(Size size)
{
	return TYPEALIGN(FPM_PAGE_SIZE, Max(size, SHMCACHE_MIN_ALLOC)) + 128;
}

/*
 * Bytes of an in-place area of "area_size" bytes that allocations can use.
 * The allocator keeps at its start a control block (about 6 kB), one page
 * map entry per page and its free page manager, rounded up to whole pages,
 * and it takes one 64 kB superblock for the descriptors of the spans it
 * hands out.
 */
static Size
area_capacity(Size area_size)
{
	Size		metadata;

	metadata = TYPEALIGN(FPM_PAGE_SIZE,
						 8192 + (area_size / FPM_PAGE_SIZE) * sizeof(dsa_pointer));
	return area_size - metadata - 64 * 1024;
}

/* Bytes of the region outside the DSA area. */
static Size
shmcache_control_size(void)
{
	return MAXALIGN(sizeof(ShmcacheControl));
}

/* Bytes given to the DSA area: shmcache.size. */
static Size
shmcache_area_size(void)
{
	return mul_size((Size) shmcache_size_mb, 1024 * 1024);
}

/*
 * shmcache_shmem_request
 *		Reserve the region and the lock.  Called from shmem_request_hook.
 */
void
shmcache_shmem_request(void)
{
	Size		size;

	size = add_size(shmcache_control_size(), shmcache_area_size());
	size = add_size(size, hash_estimate_size(shmcache_max_frames,
											 sizeof(ShmcacheFrame)));
	RequestAddinShmemSpace(size);
	RequestNamedLWLockTranche("shmcache", 1);
}

/*
 * shmcache_shmem_startup
 *		Create (in the postmaster) or find the region.  Called from
 *		shmem_startup_hook, also after a crash restart, when the region is
 *		new and every frame is gone.
 */
void
shmcache_shmem_startup(void)
{
	HASHCTL		info;
	bool		found;

	/* Reset in case this is a restart within the postmaster. */
	ShmcacheShared = NULL;
	frame_table = NULL;
	area = NULL;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);

	ShmcacheShared = ShmemInitStruct("shmcache",
									 add_size(shmcache_control_size(),
											  shmcache_area_size()),
									 &found);
	if (!found)
	{
		dsa_area   *new_area;

		ShmcacheShared->lock = &(GetNamedLWLockTranche("shmcache"))->lock;
		ShmcacheShared->tranche_id = ShmcacheShared->lock->tranche;
		ShmcacheShared->area_size = shmcache_area_size();
		ShmcacheShared->area_place = (char *) ShmcacheShared + shmcache_control_size();

		new_area = dsa_create_in_place(ShmcacheShared->area_place,
									   ShmcacheShared->area_size,
									   ShmcacheShared->tranche_id, NULL);
		dsa_pin(new_area);
		dsa_set_size_limit(new_area, ShmcacheShared->area_size);
		ShmcacheShared->capacity = area_capacity(ShmcacheShared->area_size);
		pg_atomic_init_u64(&ShmcacheShared->used_bytes, 0);
		ShmcacheShared->writers_active = 0;
		ShmcacheShared->writers_closed = false;
		/* The postmaster never allocates; backends attach on first use. */
		dsa_detach(new_area);
	}

	memset(&info, 0, sizeof(info));
	info.keysize = sizeof(ShmcacheFrameKey);
	info.entrysize = sizeof(ShmcacheFrame);
	frame_table = ShmemInitHash("shmcache frames",
								shmcache_max_frames, shmcache_max_frames,
								&info, HASH_ELEM | HASH_BLOBS);

	LWLockRelease(AddinShmemInitLock);
}

/*
 * shmcache_require_shmem
 *		Raise the one clear error every entry point gives when shmcache was
 *		not loaded through shared_preload_libraries.
 */
void
shmcache_require_shmem(void)
{
	if (ShmcacheShared == NULL || frame_table == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("shmcache must be loaded via shared_preload_libraries"),
				 errhint("Add shmcache to shared_preload_libraries in postgresql.conf and restart the server.")));
}

/*
 * shmcache_area
 *		This backend's handle on the DSA area, attached on first use.
 */
dsa_area *
shmcache_area(void)
{
	if (area == NULL)
	{
		MemoryContext oldcontext;

		shmcache_require_shmem();
		oldcontext = MemoryContextSwitchTo(TopMemoryContext);
		area = dsa_attach_in_place(ShmcacheShared->area_place, NULL);
		dsa_pin_mapping(area);
		on_shmem_exit(dsa_on_shmem_exit_release_in_place,
					  PointerGetDatum(ShmcacheShared->area_place));
		MemoryContextSwitchTo(oldcontext);
	}
	return area;
}

/*
 * shmcache_frame_table
 *		The shared frame table.  Caller must hold ShmcacheShared->lock.
 */
HTAB *
shmcache_frame_table(void)
{
	shmcache_require_shmem();
	return frame_table;
}

/*
 * shmcache_frame_held
 *		Does frame "frame_id" of database "dbid" have an entry in the shared
 *		frame table?  Takes ShmcacheShared->lock for a moment: the answer can
 *		be out of date when the caller reads it.
 */
bool
shmcache_frame_held(Oid dbid, int64 frame_id)
{
	ShmcacheFrameKey key = shmcache_frame_key(dbid, frame_id);
	bool		found;

	LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
	found = hash_search(shmcache_frame_table(), &key, HASH_FIND, NULL) != NULL;
	LWLockRelease(ShmcacheShared->lock);
	return found;
}

/*
 * shmcache_alloc
 *		Allocate at least "size" bytes for frame "frame_name"; running out of
 *		shmcache.size is an ordinary error naming the frame, the bytes
 *		needed and the bytes free.
 */
dsa_pointer
shmcache_alloc(Size size, const char *frame_name)
{
	Size		footprint = shmcache_footprint(size);
	dsa_pointer dp;

	dp = dsa_allocate_extended(shmcache_area(),
							   TYPEALIGN(FPM_PAGE_SIZE, Max(size, SHMCACHE_MIN_ALLOC)),
							   DSA_ALLOC_HUGE | DSA_ALLOC_NO_OOM);
	if (!DsaPointerIsValid(dp))
	{
		uint64		used = pg_atomic_read_u64(&ShmcacheShared->used_bytes);
		uint64		total = ShmcacheShared->capacity;

		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of shmcache memory while loading frame \"%s\"",
						frame_name),
				 errdetail("Needed %zu more bytes in one piece; %llu of %llu bytes are free.",
						   footprint,
						   (unsigned long long) (total > used ? total - used : 0),
						   (unsigned long long) total),
				 errhint("Increase shmcache.size, or truncate or drop frames.")));
	}
	pg_atomic_fetch_add_u64(&ShmcacheShared->used_bytes, footprint);
	return dp;
}

/*
 * shmcache_free
 *		Give back an allocation of "size" bytes made by shmcache_alloc.
 */
void
shmcache_free(dsa_pointer dp, Size size)
{
	dsa_free(shmcache_area(), dp);
	pg_atomic_fetch_sub_u64(&ShmcacheShared->used_bytes, shmcache_footprint(size));
}
