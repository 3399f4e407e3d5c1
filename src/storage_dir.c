/*-------------------------------------------------------------------------
 *
 * storage_dir.c
 *	  Two-level directories in shared memory (a version's chunks, an
 *	  index's link pages): dir[] holds pages of SHMCACHE_DIR_PAGE pointers,
 *	  allocated as needed and never moved, so that a reader never follows a
 *	  pointer the writer replaces.
 *
 * Layer: storage, below storage.c and storage_index.c.
 *
 * Locking: only the writer adds or frees pages (its claim, xact.c); a page
 * is published with a write barrier before its slot is set.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/storage_dir.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "storage.h"

/*
 * shmcache_dir_entry
 *		The slot of entry "n" of directory "dir"; its page must exist.
 */
dsa_pointer *
shmcache_dir_entry(const dsa_pointer *dir, uint64 n)
{
	dsa_pointer *page;

	page = dsa_get_address(shmcache_area(), dir[n / SHMCACHE_DIR_PAGE]);
	return &page[n % SHMCACHE_DIR_PAGE];
}

/*
 * shmcache_dir_ensure_page
 *		Make sure the page of entry "n" of "dir" exists; its footprint is
 *		added to *bytes.  Writer only.
 */
void
shmcache_dir_ensure_page(dsa_pointer *dir, uint64 n, pg_atomic_uint64 *bytes,
				const char *frame_name)
{
	int			pageno = n / SHMCACHE_DIR_PAGE;
	Size		page_size = sizeof(dsa_pointer) * SHMCACHE_DIR_PAGE;
	dsa_pointer dp;

	if (DsaPointerIsValid(dir[pageno]))
		return;
	dp = shmcache_alloc(page_size, frame_name);
	memset(dsa_get_address(shmcache_area(), dp), 0, page_size);
	pg_atomic_fetch_add_u64(bytes, shmcache_footprint(page_size));
	pg_write_barrier();
	dir[pageno] = dp;
}

/*
 * shmcache_dir_free_pages_from
 *		Free the pages of "dir" from the one of entry "keep" on, when no entry
 *		there is kept; returns the bytes freed.
 */
Size
shmcache_dir_free_pages_from(dsa_pointer *dir, uint64 keep)
{
	Size		page_size = sizeof(dsa_pointer) * SHMCACHE_DIR_PAGE;
	Size		freed = 0;
	int			pageno;

	for (pageno = (keep + SHMCACHE_DIR_PAGE - 1) / SHMCACHE_DIR_PAGE;
		 pageno < SHMCACHE_DIR_SLOTS; pageno++)
	{
		if (!DsaPointerIsValid(dir[pageno]))
			break;
		shmcache_free(dir[pageno], page_size);
		dir[pageno] = InvalidDsaPointer;
		freed += shmcache_footprint(page_size);
	}
	return freed;
}
