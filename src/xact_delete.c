/*-------------------------------------------------------------------------
 *
 * xact_delete.c
 *	  A writer's deleted rows: the pending stamps of its transaction's
 *	  deletes, made committed at commit and undone at abort and at ROLLBACK TO
 *	  SAVEPOINT.
 *
 * The writer (xact.c) keeps one ShmcacheDeletes per version it deleted rows
 * of (a truncate in the transaction changes its target version): the rows,
 * in the order deleted, so in command order.  A subtransaction's deletes are
 * thus those from the first made by a command at or after its mark's
 * command; undoing them is cutting the list back.
 *
 * Locking: the caller holds the frame's write claim.
 *
 * Layer: transactions and visibility, over storage (storage_delete.c).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/xact_delete.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "xact.h"

/* The rows of one version that the transaction deleted. */
struct ShmcacheDeletes
{
	dsa_pointer version_dp;		/* the version (the writer holds a reference) */
	ShmcacheVersion *version;
	uint64	   *rows;			/* in the order deleted */
	uint64		n;
	uint64		max;
};

/* The stamp slot of row "row" (its chunk has stamps). */
static uint32 *
stamp_of(ShmcacheVersion *version, uint64 row)
{
	ShmcacheChunk *chunk = (ShmcacheChunk *) shmcache_version_chunk(version,
																	 row >> SHMCACHE_CHUNK_SHIFT);

	return (uint32 *) dsa_get_address(shmcache_area(), chunk->stamps) +
		(row & SHMCACHE_CHUNK_MASK);
}

/*
 * shmcache_deletes_of
 *		The deletes of version "version_dp" in list "*deletes", added if new.
 */
ShmcacheDeletes *
shmcache_deletes_of(List **deletes, dsa_pointer version_dp)
{
	ShmcacheDeletes *d;
	ListCell   *lc;
	MemoryContext oldcontext;

	foreach(lc, *deletes)
	{
		d = lfirst(lc);
		if (d->version_dp == version_dp)
			return d;
	}
	oldcontext = MemoryContextSwitchTo(TopTransactionContext);
	d = palloc0(sizeof(ShmcacheDeletes));
	d->version_dp = version_dp;
	d->version = dsa_get_address(shmcache_area(), version_dp);
	*deletes = lappend(*deletes, d);
	MemoryContextSwitchTo(oldcontext);
	return d;
}

/*
 * shmcache_deletes_add
 *		Delete row "row" by command "cid": false if it was deleted already
 *		(by this same command: the rows of earlier ones are not read again).
 *		Everything that can fail comes before the stamp is stored.
 */
bool
shmcache_deletes_add(ShmcacheDeletes *d, uint64 row, CommandId cid,
					 const char *frame_name)
{
	uint32	   *stamps;

	if (cid >= SHMCACHE_STAMP_PENDING)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cannot delete rows of frame \"%s\" in a command numbered past %u",
						frame_name, SHMCACHE_STAMP_PENDING - 1)));
	if (d->version->dseq >= SHMCACHE_DSEQ_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("frame \"%s\" has used up its delete sequence numbers",
						frame_name),
				 errhint("Truncate and reload the frame.")));
	stamps = shmcache_chunk_stamps(d->version, row >> SHMCACHE_CHUNK_SHIFT, frame_name);
	if (stamps[row & SHMCACHE_CHUNK_MASK] != 0)
		return false;
	if (d->n == d->max)
	{
		d->max = Max(1024, d->max * 2);
		d->rows = d->rows == NULL ?
			MemoryContextAllocHuge(TopTransactionContext, sizeof(uint64) * d->max) :
			repalloc_huge(d->rows, sizeof(uint64) * d->max);
	}
	d->rows[d->n++] = row;
	stamps[row & SHMCACHE_CHUNK_MASK] = SHMCACHE_STAMP_PENDING | cid;
	return true;
}

/*
 * shmcache_deletes_undo
 *		Undo the deletes of commands "from_cid" and later, in every version
 *		(ROLLBACK TO SAVEPOINT, before the versions made since are freed).
 */
void
shmcache_deletes_undo(List *deletes, CommandId from_cid)
{
	ListCell   *lc;

	foreach(lc, deletes)
	{
		ShmcacheDeletes *d = lfirst(lc);

		while (d->n > 0)
		{
			uint32	   *stamp = stamp_of(d->version, d->rows[d->n - 1]);

			if ((*stamp & ~SHMCACHE_STAMP_PENDING) < from_cid)
				break;
			*stamp = 0;
			d->n--;
		}
	}
}

/*
 * shmcache_deletes_abort
 *		Undo the deletes of version "base_dp", the only one that outlives an
 *		aborted transaction, and give back stamp arrays no commit uses.  Runs
 *		before the base's unpublished chunks are freed.
 */
void
shmcache_deletes_abort(List *deletes, dsa_pointer base_dp)
{
	ListCell   *lc;

	foreach(lc, deletes)
	{
		ShmcacheDeletes *d = lfirst(lc);
		uint64		i;

		if (d->version_dp != base_dp)
			continue;
		for (i = 0; i < d->n; i++)
			*stamp_of(d->version, d->rows[i]) = 0;
		for (i = 0; i < d->n; i++)
			shmcache_chunk_stamps_unused(d->version, d->rows[i] >> SHMCACHE_CHUNK_SHIFT);
	}
}

/*
 * shmcache_deletes_commit
 *		Make the deletes of version "target_dp" committed: stamp them with the
 *		version's next delete sequence number, which is returned for the
 *		caller to publish (the current one if there are none).  Must not fail.
 */
uint32
shmcache_deletes_commit(List *deletes, dsa_pointer target_dp)
{
	ListCell   *lc;

	foreach(lc, deletes)
	{
		ShmcacheDeletes *d = lfirst(lc);
		uint32		dseq = d->version->dseq + 1;
		uint64		i;

		if (d->version_dp != target_dp || d->n == 0)
			continue;
		for (i = 0; i < d->n; i++)
		{
			uint64		row = d->rows[i];
			ShmcacheChunk *chunk = (ShmcacheChunk *)
				shmcache_version_chunk(d->version, row >> SHMCACHE_CHUNK_SHIFT);

			uint32	   *stamps = dsa_get_address(shmcache_area(), chunk->stamps);
			uint32		slot = (uint32) (row & SHMCACHE_CHUNK_MASK);

			if (pg_atomic_read_u32(&chunk->last_dseq) != dseq)
			{
				pg_atomic_write_u32(&chunk->last_dseq, dseq);
				pg_write_barrier();
			}
			stamps[slot] = dseq;
			((uint64 *) shmcache_chunk_dead_bits(stamps))[slot >> 6] |= UINT64CONST(1) << (slot & 63);
			chunk->ndead++;
			if (chunk->first_dseq == SHMCACHE_DSEQ_NONE)
				chunk->first_dseq = dseq;
		}
		pg_atomic_fetch_add_u64(&d->version->ndead, d->n);
		return dseq;
	}
	return ((ShmcacheVersion *) dsa_get_address(shmcache_area(), target_dp))->dseq;
}
