/*-------------------------------------------------------------------------
 *
 * storage.c
 *	  Frame storage: versions, chunks, column arrays and variable-width data
 *	  blocks in the DSA area.
 *
 * A version (ShmcacheVersion) is one generation of a frame's contents.  Its
 * rows live in chunks of SHMCACHE_CHUNK_ROWS rows, reached through a
 * two-level directory (dir[] pages of SHMCACHE_DIR_PAGE chunk pointers) that
 * is never reallocated, so a reader never follows a pointer the writer is
 * about to replace.  A chunk is one allocation holding, per column, an array
 * of value slots and (for nullable columns) a null bitmap.  Fixed-width values
 * are stored raw in their slot; variable-width values are stored as complete
 * varlenas (detoasted, with a short header when they fit) in data blocks
 * chained from the chunk header, and their slot holds the value's offset from
 * the start of the DSA area.  A Datum handed to the executor therefore points
 * straight into shared memory.
 *
 * Concurrency rules:
 *	 - A version has at most one writer at a time (the frame's write claim,
 *	   see xact.c).  Only the writer touches rows at or past the published
 *	   count nrows, the chunk count nchunks, and the data blocks of the last,
 *	   partially filled chunk.
 *	 - The writer publishes rows by storing them first and advancing nrows
 *	   after pg_write_barrier(); readers read nrows, then pg_read_barrier(),
 *	   then only rows below it.  Published bytes are never modified, so a
 *	   reader needs no lock while it scans.
 *	 - Unpublished rows can be rolled back (abort, ROLLBACK TO SAVEPOINT):
 *	   chunks past the kept row count are freed and the partial chunk's data
 *	   blocks are cut back to where they were (ShmcacheTail).
 *	 - A version is freed when its reference count drops to zero: the frame
 *	   table holds one reference for the current version, every reader and
 *	   writer pin holds one more.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/storage.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/tupmacs.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "shmcache.h"

/* Size of the first data block of a chunk; later ones double. */
#define SHMCACHE_FIRST_BLOCK_SIZE	(16 * 1024)

static Size
version_header_size(int natts)
{
	return add_size(offsetof(ShmcacheVersion, cols),
					mul_size(natts, sizeof(ShmcacheColumn)));
}

static Size
block_alloc_size(uint32 size)
{
	return offsetof(ShmcacheBlock, data) + size;
}

static Size
null_bitmap_size(void)
{
	return MAXALIGN(SHMCACHE_CHUNK_ROWS / 8);
}

/*
 * Allocate and initialise an empty version with a copy of the given column
 * layout; the caller holds the one reference it starts with.
 */
static dsa_pointer
version_alloc(int natts, const ShmcacheColumn *cols, Size chunk_size,
			  const char *frame_name)
{
	Size		header_size = version_header_size(natts);
	dsa_pointer dp;
	ShmcacheVersion *version;
	int			i;

	dp = shmcache_alloc(header_size, frame_name);
	version = dsa_get_address(shmcache_area(), dp);
	pg_atomic_init_u32(&version->refcount, 1);
	pg_atomic_init_u64(&version->nrows, 0);
	pg_atomic_init_u64(&version->bytes, shmcache_footprint(header_size));
	version->nchunks = 0;
	for (i = 0; i < SHMCACHE_DIR_SLOTS; i++)
		version->dir[i] = InvalidDsaPointer;
	version->chunk_size = chunk_size;
	version->natts = natts;
	memcpy(version->cols, cols, sizeof(ShmcacheColumn) * natts);
	return dp;
}

/*
 * shmcache_version_create
 *		Create an empty version for a frame whose columns are described by
 *		"tupdesc" (the frame's view) and "notnull".  Returns it with one
 *		reference held by the caller.
 */
dsa_pointer
shmcache_version_create(TupleDesc tupdesc, const bool *notnull,
						const char *frame_name)
{
	ShmcacheColumn *cols = palloc0(sizeof(ShmcacheColumn) * Max(tupdesc->natts, 1));
	Size		off = MAXALIGN(sizeof(ShmcacheChunk));
	int			i;

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);
		ShmcacheColumn *col = &cols[i];

		if (attr->attlen == -2)
			elog(ERROR, "column \"%s\" has unsupported type %s",
				 NameStr(attr->attname), format_type_be(attr->atttypid));
		col->typid = attr->atttypid;
		col->typmod = attr->atttypmod;
		col->collation = attr->attcollation;
		col->typlen = attr->attlen;
		col->typbyval = attr->attbyval;
		col->typalign = attr->attalign;
		col->notnull = notnull[i];
		if (col->typlen < 0)
			col->stride = sizeof(uint64);
		else
			col->stride = att_align_nominal(col->typlen, col->typalign);
		col->values_off = off;
		off = add_size(off, MAXALIGN(mul_size(col->stride, SHMCACHE_CHUNK_ROWS)));
		if (col->notnull)
			col->nulls_off = 0;
		else
		{
			col->nulls_off = off;
			off = add_size(off, null_bitmap_size());
		}
	}
	return version_alloc(tupdesc->natts, cols, off, frame_name);
}

/*
 * shmcache_version_clone_empty
 *		Create an empty version with the same columns as "model" (truncate).
 */
dsa_pointer
shmcache_version_clone_empty(ShmcacheVersion *model, const char *frame_name)
{
	return version_alloc(model->natts, model->cols, model->chunk_size,
						 frame_name);
}

/*
 * shmcache_version_matches
 *		Does the version store the columns the caller expects?  A frame's view
 *		replaced by hand with other column types must not be read.
 */
bool
shmcache_version_matches(ShmcacheVersion *version, TupleDesc tupdesc)
{
	int			i;

	if (version->natts != tupdesc->natts)
		return false;
	for (i = 0; i < tupdesc->natts; i++)
	{
		if (TupleDescAttr(tupdesc, i)->atttypid != version->cols[i].typid)
			return false;
	}
	return true;
}

/*
 * shmcache_version_chunk
 *		Address of chunk "chunkno" of "version"; the chunk must exist.
 */
char *
shmcache_version_chunk(ShmcacheVersion *version, uint64 chunkno)
{
	dsa_area   *a = shmcache_area();
	dsa_pointer *page;

	page = dsa_get_address(a, version->dir[chunkno / SHMCACHE_DIR_PAGE]);
	return dsa_get_address(a, page[chunkno % SHMCACHE_DIR_PAGE]);
}

/* The directory slot holding chunk "chunkno"'s pointer. */
static dsa_pointer *
chunk_dir_entry(ShmcacheVersion *version, uint64 chunkno)
{
	dsa_pointer *page;

	page = dsa_get_address(shmcache_area(),
						   version->dir[chunkno / SHMCACHE_DIR_PAGE]);
	return &page[chunkno % SHMCACHE_DIR_PAGE];
}

/*
 * Allocate the next chunk of "version" (and its directory page if needed).
 * Writer only.
 */
static char *
chunk_add(ShmcacheVersion *version, const char *frame_name)
{
	uint64		chunkno = version->nchunks;
	int			pageno = chunkno / SHMCACHE_DIR_PAGE;
	dsa_pointer dp;
	ShmcacheChunk *chunk;

	if (chunkno >= SHMCACHE_MAX_CHUNKS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("frame \"%s\" cannot hold more than %llu rows",
						frame_name,
						(unsigned long long) (SHMCACHE_MAX_CHUNKS * SHMCACHE_CHUNK_ROWS))));

	if (!DsaPointerIsValid(version->dir[pageno]))
	{
		Size		page_size = sizeof(dsa_pointer) * SHMCACHE_DIR_PAGE;

		dp = shmcache_alloc(page_size, frame_name);
		memset(dsa_get_address(shmcache_area(), dp), 0, page_size);
		pg_atomic_fetch_add_u64(&version->bytes, shmcache_footprint(page_size));
		pg_write_barrier();
		version->dir[pageno] = dp;
	}

	dp = shmcache_alloc(version->chunk_size, frame_name);
	pg_atomic_fetch_add_u64(&version->bytes, shmcache_footprint(version->chunk_size));
	chunk = dsa_get_address(shmcache_area(), dp);
	chunk->blocks = InvalidDsaPointer;
	*chunk_dir_entry(version, chunkno) = dp;
	version->nchunks = chunkno + 1;
	return (char *) chunk;
}

/*
 * Reserve "len" bytes aligned to "align" in the data blocks of "chunk" and
 * return their address.  Blocks grow geometrically, so a chunk of short
 * strings wastes little and a large value gets a block of its own.
 */
static char *
block_reserve(ShmcacheVersion *version, ShmcacheChunk *chunk, Size len,
			  Size align, const char *frame_name)
{
	dsa_area   *a = shmcache_area();
	ShmcacheBlock *block = NULL;
	uint32		size;
	dsa_pointer dp;

	if (DsaPointerIsValid(chunk->blocks))
	{
		Size		pos;

		block = dsa_get_address(a, chunk->blocks);
		pos = TYPEALIGN(align, block->used);
		if (pos + len <= block->size)
		{
			block->used = pos + len;
			return block->data + pos;
		}
	}

	size = block ? Min((Size) block->size * 2, SHMCACHE_BLOCK_SIZE)
		: SHMCACHE_FIRST_BLOCK_SIZE;
	size = Max(size, len);
	dp = shmcache_alloc(block_alloc_size(size), frame_name);
	pg_atomic_fetch_add_u64(&version->bytes, shmcache_footprint(block_alloc_size(size)));
	block = dsa_get_address(a, dp);
	block->next = chunk->blocks;
	block->size = size;
	block->used = len;
	chunk->blocks = dp;
	return block->data;
}

/*
 * Store a variable-width value in the chunk's data blocks and return its
 * offset from the start of the area.  The value is detoasted first; values
 * short enough get a one-byte header, as heap_fill_tuple() would give them.
 */
static uint64
store_varlena(ShmcacheVersion *version, ShmcacheChunk *chunk, Datum value,
			  const char *frame_name)
{
	struct varlena *src = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));
	char	   *dest;

	if (VARATT_IS_SHORT(src))
	{
		Size		len = VARSIZE_SHORT(src);

		dest = block_reserve(version, chunk, len, 1, frame_name);
		memcpy(dest, src, len);
	}
	else if (VARATT_CAN_MAKE_SHORT(src))
	{
		Size		len = VARATT_CONVERTED_SHORT_SIZE(src);

		dest = block_reserve(version, chunk, len, 1, frame_name);
		SET_VARSIZE_SHORT(dest, len);
		memcpy(dest + 1, VARDATA(src), len - 1);
	}
	else
	{
		Size		len = VARSIZE(src);

		dest = block_reserve(version, chunk, len, MAXIMUM_ALIGNOF, frame_name);
		memcpy(dest, src, len);
	}
	return (uint64) (dest - ShmcacheShared->area_place);
}

/* Store a non-null fixed-width value in its slot. */
static void
store_fixed(const ShmcacheColumn *col, char *values, uint32 slot, Datum value)
{
	if (!col->typbyval)
	{
		memcpy(values + (Size) slot * col->stride, DatumGetPointer(value),
			   col->typlen);
		return;
	}
	switch (col->typlen)
	{
		case 1:
			((char *) values)[slot] = DatumGetChar(value);
			break;
		case 2:
			((int16 *) values)[slot] = DatumGetInt16(value);
			break;
		case 4:
			((int32 *) values)[slot] = DatumGetInt32(value);
			break;
		case 8:
			((Datum *) values)[slot] = value;
			break;
		default:
			elog(ERROR, "unsupported by-value type length %d", col->typlen);
	}
}

/*
 * shmcache_append_row
 *		Store a row at position "row" of "version".  Writer only; the row
 *		becomes visible to others only when nrows is advanced past it.
 *		"view" is the frame's view, for the names in error messages.
 */
void
shmcache_append_row(ShmcacheVersion *version, uint64 row, Datum *values,
					bool *nulls, Relation view)
{
	const char *frame_name = RelationGetRelationName(view);
	uint32		slot = row & SHMCACHE_CHUNK_MASK;
	char	   *chunk;
	int			i;

	/* Check constraints before touching shared memory. */
	for (i = 0; i < version->natts; i++)
	{
		if (nulls[i] && version->cols[i].notnull)
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("null value in column \"%s\" of relation \"%s\" violates not-null constraint",
							NameStr(TupleDescAttr(RelationGetDescr(view), i)->attname),
							frame_name),
					 errtablecol(view, i + 1)));
	}

	if (slot == 0 && (row >> SHMCACHE_CHUNK_SHIFT) == version->nchunks)
		chunk = chunk_add(version, frame_name);
	else
		chunk = shmcache_version_chunk(version, row >> SHMCACHE_CHUNK_SHIFT);

	for (i = 0; i < version->natts; i++)
	{
		const ShmcacheColumn *col = &version->cols[i];
		char	   *colvalues = chunk + col->values_off;

		if (col->nulls_off != 0)
		{
			uint8	   *bits = (uint8 *) (chunk + col->nulls_off);

			if (nulls[i])
			{
				bits[slot >> 3] |= (1 << (slot & 7));
				continue;
			}
			bits[slot >> 3] &= ~(1 << (slot & 7));
		}
		if (col->typlen < 0)
			((uint64 *) colvalues)[slot] =
				store_varlena(version, (ShmcacheChunk *) chunk, values[i], frame_name);
		else
			store_fixed(col, colvalues, slot, values[i]);
	}
}

/*
 * Free the data blocks from "dp" up to (not including) "stop"; returns the
 * bytes freed.
 */
static Size
free_blocks(dsa_pointer dp, dsa_pointer stop)
{
	dsa_area   *a = shmcache_area();
	Size		freed = 0;

	while (DsaPointerIsValid(dp) && dp != stop)
	{
		ShmcacheBlock *block = dsa_get_address(a, dp);
		dsa_pointer next = block->next;
		Size		size = block_alloc_size(block->size);

		shmcache_free(dp, size);
		freed += shmcache_footprint(size);
		dp = next;
	}
	return freed;
}

/* Free chunk "chunkno" of "version" with its data blocks. */
static Size
free_chunk(ShmcacheVersion *version, uint64 chunkno)
{
	dsa_pointer *entry = chunk_dir_entry(version, chunkno);
	ShmcacheChunk *chunk = dsa_get_address(shmcache_area(), *entry);
	Size		freed;

	freed = free_blocks(chunk->blocks, InvalidDsaPointer) +
		shmcache_footprint(version->chunk_size);
	shmcache_free(*entry, version->chunk_size);
	*entry = InvalidDsaPointer;
	return freed;
}

/*
 * Free chunks from "keep" on and the directory pages no longer needed.
 * Returns the bytes freed.
 */
static Size
free_chunks_from(ShmcacheVersion *version, uint64 keep)
{
	Size		freed = 0;
	uint64		chunkno;
	int			pageno;

	for (chunkno = keep; chunkno < version->nchunks; chunkno++)
		freed += free_chunk(version, chunkno);
	version->nchunks = keep;

	for (pageno = (keep + SHMCACHE_DIR_PAGE - 1) / SHMCACHE_DIR_PAGE;
		 pageno < SHMCACHE_DIR_SLOTS; pageno++)
	{
		Size		page_size = sizeof(dsa_pointer) * SHMCACHE_DIR_PAGE;

		if (!DsaPointerIsValid(version->dir[pageno]))
			break;
		shmcache_free(version->dir[pageno], page_size);
		version->dir[pageno] = InvalidDsaPointer;
		freed += shmcache_footprint(page_size);
	}
	return freed;
}

/*
 * shmcache_version_tail
 *		Remember where the writer's data of "version" ends when it holds
 *		"nrows" rows, so that shmcache_version_rollback() can cut back to it.
 */
void
shmcache_version_tail(ShmcacheVersion *version, uint64 nrows, ShmcacheTail *tail)
{
	tail->nrows = nrows;
	tail->block = InvalidDsaPointer;
	tail->block_used = 0;
	if ((nrows & SHMCACHE_CHUNK_MASK) != 0)
	{
		ShmcacheChunk *chunk;

		chunk = (ShmcacheChunk *) shmcache_version_chunk(version,
														 nrows >> SHMCACHE_CHUNK_SHIFT);
		tail->block = chunk->blocks;
		if (DsaPointerIsValid(tail->block))
			tail->block_used = ((ShmcacheBlock *)
								dsa_get_address(shmcache_area(), tail->block))->used;
	}
}

/*
 * shmcache_version_rollback
 *		Discard every row the writer stored past "tail" and give back the
 *		memory they took.  Writer only; readers never look past the published
 *		count, which is at most tail->nrows.
 */
void
shmcache_version_rollback(ShmcacheVersion *version, const ShmcacheTail *tail)
{
	uint64		keep = (tail->nrows + SHMCACHE_CHUNK_ROWS - 1) >> SHMCACHE_CHUNK_SHIFT;
	Size		freed = free_chunks_from(version, keep);

	if ((tail->nrows & SHMCACHE_CHUNK_MASK) != 0)
	{
		ShmcacheChunk *chunk;

		chunk = (ShmcacheChunk *) shmcache_version_chunk(version, keep - 1);
		freed += free_blocks(chunk->blocks, tail->block);
		chunk->blocks = tail->block;
		if (DsaPointerIsValid(tail->block))
			((ShmcacheBlock *) dsa_get_address(shmcache_area(), tail->block))->used =
				tail->block_used;
	}
	pg_atomic_fetch_sub_u64(&version->bytes, freed);
}

/*
 * shmcache_version_ref
 *		Take one more reference on a version.  The caller must already hold a
 *		reference, or hold ShmcacheShared->lock while the version is some
 *		frame's current version.
 */
void
shmcache_version_ref(ShmcacheVersion *version)
{
	pg_atomic_fetch_add_u32(&version->refcount, 1);
}

/*
 * shmcache_version_unref
 *		Drop a reference; the last one frees the version and all its chunks.
 *		Never raises an error, so it is safe in abort and commit callbacks.
 */
void
shmcache_version_unref(dsa_pointer version_dp)
{
	ShmcacheVersion *version = dsa_get_address(shmcache_area(), version_dp);

	if (pg_atomic_sub_fetch_u32(&version->refcount, 1) != 0)
		return;
	free_chunks_from(version, 0);
	shmcache_free(version_dp, version_header_size(version->natts));
}
