/*-------------------------------------------------------------------------
 *
 * storage_index.c
 *	  The memory of a version's indexes: an index, its bucket tables and its
 *	  link pages, allocated, grown, cut back and freed.  Which rows an index
 *	  holds and how it is read is index.c's.
 *
 * An index (ShmcacheIndex, storage.h) hangs off one of its version's slots.
 * Its link pages, one per chunk, are reached through a two-level directory
 * like the version's chunks.  A larger bucket table is reserved while
 * appending and installed at commit; the table it replaces stays until the
 * index is freed.  A dropped index leaves its slot at commit and is freed
 * once no pin that may read indexes remains (ShmcacheVersion.index_users).
 *
 * Layer: storage, beside storage.c.
 *
 * Locking: only the frame's writer changes an index (its claim, xact.c);
 * readers follow published pointers only (see storage.c).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/storage_index.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "port/pg_bitutils.h"

#include "storage.h"

#define INDEX_MIN_BUCKETS			1024
#define INDEX_LINK_PAGE_SIZE		(sizeof(uint32) * SHMCACHE_CHUNK_ROWS)

static Size
index_table_size(uint32 nbuckets)
{
	return offsetof(ShmcacheIndexTable, buckets) + sizeof(uint32) * (Size) nbuckets;
}

/* Allocate an index table of "nbuckets" buckets, all empty. */
static dsa_pointer
index_table_alloc(ShmcacheVersion *version, ShmcacheIndex *index,
				  uint32 nbuckets, const char *frame_name)
{
	Size		size = index_table_size(nbuckets);
	dsa_pointer dp = shmcache_alloc(size, frame_name);
	ShmcacheIndexTable *table = dsa_get_address(shmcache_area(), dp);

	table->older = InvalidDsaPointer;
	table->mask = nbuckets - 1;
	memset(table->buckets, 0, sizeof(uint32) * (Size) nbuckets);
	pg_atomic_fetch_add_u64(&index->bytes, shmcache_footprint(size));
	pg_atomic_fetch_add_u64(&version->bytes, shmcache_footprint(size));
	return dp;
}

/*
 * shmcache_index_alloc
 *		A new, empty index of "version" with the definition of "def" (id,
 *		name, uniqueness, keys) and room for about "nbuckets" entries before
 *		it grows.  The caller puts it in one of the version's slots.
 */
dsa_pointer
shmcache_index_alloc(ShmcacheVersion *version, const ShmcacheIndex *def,
					 uint32 nbuckets, const char *frame_name)
{
	dsa_pointer dp = shmcache_alloc(sizeof(ShmcacheIndex), frame_name);
	ShmcacheIndex *index = dsa_get_address(shmcache_area(), dp);
	int			i;

	index->index_id = def->index_id;
	index->name = def->name;
	index->unique = def->unique;
	index->nkeys = def->nkeys;
	memcpy(index->keys, def->keys, sizeof(index->keys));
	for (i = 0; i < SHMCACHE_DIR_SLOTS; i++)
		index->dir[i] = InvalidDsaPointer;
	index->npages = 0;
	pg_atomic_init_u64(&index->nentries, 0);
	pg_atomic_init_u64(&index->bytes, shmcache_footprint(sizeof(ShmcacheIndex)));
	pg_atomic_fetch_add_u64(&version->bytes, shmcache_footprint(sizeof(ShmcacheIndex)));
	index->next_dropped = InvalidDsaPointer;
	index->has_range = false;
	pg_atomic_init_u64(&index->table, InvalidDsaPointer);

	PG_TRY();
	{
		uint32		buckets = (uint32) Min(pg_nextpower2_64(Max(nbuckets, INDEX_MIN_BUCKETS)),
										   (uint64) 1 << 31);

		pg_atomic_write_u64(&index->table,
							index_table_alloc(version, index, buckets, frame_name));
	}
	PG_CATCH();
	{
		shmcache_index_free(version, dp);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return dp;
}

/*
 * Free the link pages of "index" from chunk "keep" on; returns the bytes
 * freed.  Writer only, for rows never linked (rollback).
 */
static Size
index_free_links_from(ShmcacheIndex *index, uint64 keep)
{
	Size		freed = 0;
	uint64		pageno;

	for (pageno = keep; pageno < index->npages; pageno++)
	{
		dsa_pointer *entry;

		if (!DsaPointerIsValid(index->dir[pageno / SHMCACHE_DIR_PAGE]))
			continue;
		entry = shmcache_dir_entry(index->dir, pageno);
		if (DsaPointerIsValid(*entry))
		{
			shmcache_free(*entry, INDEX_LINK_PAGE_SIZE);
			*entry = InvalidDsaPointer;
			freed += shmcache_footprint(INDEX_LINK_PAGE_SIZE);
		}
	}
	index->npages = Min(index->npages, keep);
	freed += shmcache_dir_free_pages_from(index->dir, keep);
	pg_atomic_fetch_sub_u64(&index->bytes, freed);
	return freed;
}

/*
 * shmcache_index_free
 *		Free an index of "version" with its tables and link pages.  Nobody
 *		may read it any more.  Never fails.
 */
void
shmcache_index_free(ShmcacheVersion *version, dsa_pointer index_dp)
{
	ShmcacheIndex *index = dsa_get_address(shmcache_area(), index_dp);
	dsa_pointer table_dp = pg_atomic_read_u64(&index->table);
	Size		freed = index_free_links_from(index, 0);

	while (DsaPointerIsValid(table_dp))
	{
		ShmcacheIndexTable *table = dsa_get_address(shmcache_area(), table_dp);
		dsa_pointer older = table->older;
		Size		size = index_table_size(table->mask + 1);

		shmcache_free(table_dp, size);
		freed += shmcache_footprint(size);
		table_dp = older;
	}
	shmcache_free(index_dp, sizeof(ShmcacheIndex));
	freed += shmcache_footprint(sizeof(ShmcacheIndex));
	pg_atomic_fetch_sub_u64(&version->bytes, freed);
}

/*
 * shmcache_index_links
 *		The link page of chunk "chunkno" of "index", allocated if needed.
 *		Writer only: readers find existing pages through the directory.
 */
uint32 *
shmcache_index_links(ShmcacheVersion *version, ShmcacheIndex *index,
					 uint64 chunkno, const char *frame_name)
{
	dsa_pointer *entry;

	shmcache_dir_ensure_page(index->dir, chunkno, &index->bytes, frame_name);
	entry = shmcache_dir_entry(index->dir, chunkno);
	if (!DsaPointerIsValid(*entry))
	{
		dsa_pointer dp = shmcache_alloc(INDEX_LINK_PAGE_SIZE, frame_name);

		pg_atomic_fetch_add_u64(&index->bytes, shmcache_footprint(INDEX_LINK_PAGE_SIZE));
		pg_atomic_fetch_add_u64(&version->bytes, shmcache_footprint(INDEX_LINK_PAGE_SIZE));
		pg_write_barrier();
		*entry = dp;
		index->npages = Max(index->npages, chunkno + 1);
	}
	return dsa_get_address(shmcache_area(), *entry);
}

/*
 * shmcache_index_table_reserve
 *		A table of "nbuckets" buckets (a power of two) for "index" to grow
 *		into at commit (shmcache_index_table_install), so that growing then
 *		cannot fail; or to give back with shmcache_index_table_free.  Writer
 *		only.
 */
dsa_pointer
shmcache_index_table_reserve(ShmcacheVersion *version, ShmcacheIndex *index,
							 uint32 nbuckets, const char *frame_name)
{
	Assert((nbuckets & (nbuckets - 1)) == 0);
	return index_table_alloc(version, index, nbuckets, frame_name);
}

/*
 * shmcache_index_table_install
 *		Make reserved table "new_dp" (larger than the current one) the
 *		index's table, starting with the current heads: bucket j shares the
 *		chain of old bucket (j & old mask).  Published links never change;
 *		the old table stays for readers still in it.  Never fails.
 */
void
shmcache_index_table_install(ShmcacheIndex *index, dsa_pointer new_dp)
{
	dsa_pointer old_dp = pg_atomic_read_u64(&index->table);
	ShmcacheIndexTable *old = dsa_get_address(shmcache_area(), old_dp);
	ShmcacheIndexTable *new = dsa_get_address(shmcache_area(), new_dp);
	uint32		j;

	Assert(new->mask > old->mask);
	for (j = 0; j <= new->mask; j++)
		new->buckets[j] = old->buckets[j & old->mask];
	new->older = old_dp;
	pg_write_barrier();
	pg_atomic_write_u64(&index->table, new_dp);
}

/*
 * shmcache_index_table_free
 *		Give back a reserved table that was never installed.
 */
void
shmcache_index_table_free(ShmcacheVersion *version, ShmcacheIndex *index,
						  dsa_pointer table_dp)
{
	ShmcacheIndexTable *table = dsa_get_address(shmcache_area(), table_dp);
	Size		size = index_table_size(table->mask + 1);

	shmcache_free(table_dp, size);
	pg_atomic_fetch_sub_u64(&index->bytes, shmcache_footprint(size));
	pg_atomic_fetch_sub_u64(&version->bytes, shmcache_footprint(size));
}

/* Free the dropped indexes of "version" no pin can read any more. */
static void
free_dropped_indexes(ShmcacheVersion *version)
{
	dsa_pointer dp = pg_atomic_exchange_u64(&version->dropped, InvalidDsaPointer);

	while (DsaPointerIsValid(dp))
	{
		dsa_pointer next = ((ShmcacheIndex *) dsa_get_address(shmcache_area(), dp))->next_dropped;

		shmcache_index_free(version, dp);
		dp = next;
	}
}

/*
 * shmcache_index_drop
 *		Take the index in slot "slot" out of "version" (the writer, at
 *		commit).  It is freed at once if no pin may be reading indexes, else
 *		by the last such pin (shmcache_index_users_done): a pin counts itself
 *		in index_users before it looks at the slots.  Never fails.
 */
void
shmcache_index_drop(ShmcacheVersion *version, int slot)
{
	dsa_pointer dp = version->indexes[slot];
	ShmcacheIndex *index = dsa_get_address(shmcache_area(), dp);
	uint64		head;

	version->indexes[slot] = InvalidDsaPointer;
	head = pg_atomic_read_u64(&version->dropped);
	do
	{
		index->next_dropped = head;
	} while (!pg_atomic_compare_exchange_u64(&version->dropped, &head, dp));
	pg_memory_barrier();
	if (pg_atomic_read_u32(&version->index_users) == 0)
		free_dropped_indexes(version);
}

/*
 * shmcache_index_users_done
 *		A pin that counted itself in index_users is done with the indexes.
 */
void
shmcache_index_users_done(ShmcacheVersion *version)
{
	if (pg_atomic_sub_fetch_u32(&version->index_users, 1) == 0 &&
		DsaPointerIsValid(pg_atomic_read_u64(&version->dropped)))
		free_dropped_indexes(version);
}

/*
 * shmcache_version_cut_index_links
 *		Free the link pages of every index of "version" from chunk "keep" on
 *		(rows rolled back, never linked); returns the bytes freed.
 */
Size
shmcache_version_cut_index_links(ShmcacheVersion *version, uint64 keep)
{
	Size		freed = 0;
	int			i;

	for (i = 0; i < SHMCACHE_MAX_INDEXES; i++)
	{
		if (DsaPointerIsValid(version->indexes[i]))
			freed += index_free_links_from(dsa_get_address(shmcache_area(),
														   version->indexes[i]),
										   keep);
	}
	return freed;
}

/*
 * shmcache_version_free_indexes
 *		Free every index of "version", dropped ones too (the version goes).
 */
void
shmcache_version_free_indexes(ShmcacheVersion *version)
{
	int			i;

	for (i = 0; i < SHMCACHE_MAX_INDEXES; i++)
	{
		if (DsaPointerIsValid(version->indexes[i]))
			shmcache_index_free(version, version->indexes[i]);
	}
	free_dropped_indexes(version);
}
