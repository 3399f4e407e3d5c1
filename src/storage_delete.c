/*-------------------------------------------------------------------------
 *
 * storage_delete.c
 *	  The memory of deleted rows: a chunk's delete stamps (see storage.h for
 *	  what a stamp means to a reader).
 *
 * A chunk gets its stamp array, one uint32 per row, zeroed, when the writer
 * first deletes one of its rows, before anything is committed, so that the
 * commit itself allocates nothing.  The writer stores pending stamps while
 * its transaction runs and committed ones at commit, before it publishes
 * the new delete sequence; a 32-bit store is atomic, so a concurrent reader
 * sees a stamp either as it was or as it is, and both mean "live" to any
 * reader that fixed its delete sequence earlier.  An array that never got a
 * committed stamp is given back when its transaction aborts; the others live
 * as long as their chunk.
 *
 * Locking: the frame's write claim (xact.c) for every change; readers take
 * no lock.
 *
 * Layer: storage.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/storage_delete.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "storage.h"


/*
 * shmcache_chunk_stamps
 *		The delete stamps of chunk "chunkno" of "version", allocated (all
 *		rows live) if the chunk has none yet.  Writer only.
 */
uint32 *
shmcache_chunk_stamps(ShmcacheVersion *version, uint64 chunkno,
					  const char *frame_name)
{
	ShmcacheChunk *chunk = (ShmcacheChunk *) shmcache_version_chunk(version, chunkno);

	if (!DsaPointerIsValid(chunk->stamps))
	{
		dsa_pointer dp = shmcache_alloc(SHMCACHE_STAMPS_SIZE, frame_name);

		memset(dsa_get_address(shmcache_area(), dp), 0, SHMCACHE_STAMPS_SIZE);
		pg_atomic_fetch_add_u64(&version->bytes, shmcache_footprint(SHMCACHE_STAMPS_SIZE));
		pg_write_barrier();
		chunk->stamps = dp;
	}
	return dsa_get_address(shmcache_area(), chunk->stamps);
}

/*
 * shmcache_chunk_stamps_unused
 *		Give back the stamps of chunk "chunkno" if no committed delete uses
 *		them.  Writer only, at abort, when its pending stamps are undone:
 *		no reader looks at an array without committed stamps but the
 *		writer's own transaction.
 */
void
shmcache_chunk_stamps_unused(ShmcacheVersion *version, uint64 chunkno)
{
	ShmcacheChunk *chunk;

	if (chunkno >= version->nchunks)
		return;
	chunk = (ShmcacheChunk *) shmcache_version_chunk(version, chunkno);
	if (chunk->first_dseq == SHMCACHE_DSEQ_NONE)
		pg_atomic_fetch_sub_u64(&version->bytes, shmcache_chunk_stamps_free(chunk));
}

/*
 * shmcache_live_rows
 *		How many of the first "nrows" rows of "version" live for a reader
 *		that sees the deletes up to "dseq" (and none of its own).
 */
uint64
shmcache_live_rows(ShmcacheVersion *version, uint64 nrows, uint32 dseq)
{
	uint64		live = nrows;
	uint64		chunkno;

	for (chunkno = 0; (chunkno << SHMCACHE_CHUNK_SHIFT) < nrows; chunkno++)
	{
		const char *chunk = shmcache_version_chunk(version, chunkno);
		const uint32 *stamps = shmcache_chunk_deletes(chunk, dseq, 0);
		uint64		first = chunkno << SHMCACHE_CHUNK_SHIFT;
		uint32		n = (uint32) Min((uint64) SHMCACHE_CHUNK_ROWS, nrows - first);
		uint32		i;

		if (stamps == NULL)
			continue;
		for (i = 0; i < n; i++)
			live -= shmcache_stamp_dead(stamps[i], dseq, 0);
	}
	return live;
}
