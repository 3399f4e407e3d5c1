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
 * of value slots and (for nullable columns) a null bitmap, preceded by
 * per-column statistics (ShmcacheStats: null count, min/max for integer and
 * float kinds) that let scans skip chunks.  Fixed-width values are stored raw
 * in their slot.  Variable-width values are dictionary-coded: the slot holds
 * a 16-bit code into the chunk's dictionary for the column (ShmcacheDict),
 * whose entries are complete varlenas in data blocks chained from the chunk
 * header: detoasted, and with a one-byte header exactly where a heap tuple
 * would have one, i.e. when the value fits and the column's storage
 * (ShmcacheColumn.typstorage) is not plain; types with plain storage
 * (int2vector, oidvector, tsquery, ...) read their values as C structs
 * behind a 4-byte header.  The writer keeps a private hash of the entries
 * (ShmcacheAppender), so a value repeated within a chunk is stored once while
 * the dictionary is small; text columns with few distinct values thus cost
 * two bytes a row, and filters and grouping can work on the codes.  A Datum
 * handed to the executor points straight into shared memory.
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
 *	 - Dictionary entries are published with the rows that use them: at commit
 *	   the writer sets each touched chunk's npublished (before the barrier
 *	   that publishes nrows), so a reader looks at entries below npublished
 *	   only, which no rollback can cut.
 *	 - Unpublished rows can be rolled back (abort, ROLLBACK TO SAVEPOINT):
 *	   chunks past the kept row count are freed and the partial chunk's data
 *	   blocks and dictionaries are cut back to where they were (ShmcacheTail).
 *	 - A version is freed when its reference count drops to zero: the frame
 *	   table holds one reference for the current version, every reader and
 *	   writer pin holds one more.
 *
 * Layer: storage, above shared memory; it knows no relation, transaction or
 * catalog.  The memory of a version's indexes is storage_index.c's.
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
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"

#include "storage.h"

/*
 * Size of the first data block of a chunk, so that the block takes the
 * smallest allocation (three 4 kB pages, see shmem.c); later ones double.
 */
#define SHMCACHE_FIRST_BLOCK_SIZE	(12 * 1024 - offsetof(ShmcacheBlock, data))

/* Slots of the writer's hash of a chunk's dictionary (a power of two). */
#define DEDUPE_SLOTS				(2 * SHMCACHE_DICT_DEDUPE)

/*
 * The writer's private index of one column's dictionary in the chunk it
 * appends to: an open-addressing hash of entry codes (code + 1, 0 = empty)
 * and the hash of each entry.
 */
typedef struct DedupeIndex
{
	uint16		slots[DEDUPE_SLOTS];
	uint32		hashes[SHMCACHE_DICT_DEDUPE];
} DedupeIndex;

/*
 * ShmcacheAppender: what a writer keeps between rows.  The indexes describe
 * the dictionaries of chunk "chunk"; they are rebuilt from shared memory
 * when the writer moves to another chunk, and must be reset whenever chunks
 * may have been freed (rollback, truncate), since a new chunk can reuse the
 * address of a freed one.
 */
struct ShmcacheAppender
{
	MemoryContext context;		/* where the indexes live */
	char	   *chunk;			/* chunk the indexes describe, or NULL */
	int			natts;
	DedupeIndex **indexes;		/* per column, NULL for fixed-width ones */
};

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
	pg_atomic_init_u32(&version->publishing, 0);
	version->dseq = 0;
	pg_atomic_init_u64(&version->ndead, 0);
	pg_atomic_init_u64(&version->bytes, shmcache_footprint(header_size));
	version->nchunks = 0;
	for (i = 0; i < SHMCACHE_DIR_SLOTS; i++)
		version->dir[i] = InvalidDsaPointer;
	version->chunk_size = chunk_size;
	for (i = 0; i < SHMCACHE_MAX_INDEXES; i++)
		version->indexes[i] = InvalidDsaPointer;
	pg_atomic_init_u32(&version->index_users, 0);
	pg_atomic_init_u64(&version->dropped, InvalidDsaPointer);
	version->natts = natts;
	memcpy(version->cols, cols, sizeof(ShmcacheColumn) * natts);
	return dp;
}

/*
 * shmcache_fixed_kind
 *		The storage kind of values of the fixed-width base type "typid" (see
 *		ShmcacheKind): an integer or float kind, or SHMCACHE_KIND_OTHER.
 */
ShmcacheKind
shmcache_fixed_kind(Oid typid)
{
	switch (typid)
	{
		case INT2OID:
			return SHMCACHE_KIND_INT16;
		case INT4OID:
		case DATEOID:
			return SHMCACHE_KIND_INT32;
		case INT8OID:
		case TIMEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return SHMCACHE_KIND_INT64;
		case FLOAT4OID:
			return SHMCACHE_KIND_FLOAT4;
		case FLOAT8OID:
			return SHMCACHE_KIND_FLOAT8;
		default:
			return SHMCACHE_KIND_OTHER;
	}
}

/* The storage kind of a column of type "typid" (see ShmcacheKind). */
static ShmcacheKind
column_kind(Oid typid, int16 typlen)
{
	if (typlen == -1)
		return SHMCACHE_KIND_VARLENA;
	return shmcache_fixed_kind(getBaseType(typid));
}

/*
 * shmcache_version_create
 *		Create an empty version for a frame whose columns are described by
 *		"tupdesc" (the frame's view) and "notnull".  Returns it with one
 *		reference held by the caller.
 *
 * A chunk is laid out as: the ShmcacheChunk header, every column's
 * ShmcacheStats, then per column its dictionary header (variable-width
 * columns), its value slots and its null bitmap (nullable columns).
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
		cols[i].stats_off = off;
		off = add_size(off, MAXALIGN(sizeof(ShmcacheStats)));
	}

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
		col->typstorage = attr->attstorage;
		col->notnull = notnull[i];
		col->kind = column_kind(col->typid, col->typlen);
		col->dict_off = 0;
		if (col->kind == SHMCACHE_KIND_VARLENA)
		{
			col->dict_off = off;
			off = add_size(off, MAXALIGN(sizeof(ShmcacheDict)));
			col->stride = sizeof(uint16);
		}
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
	dsa_pointer dp = version_alloc(model->natts, model->cols, model->chunk_size,
								   frame_name);
	ShmcacheVersion *version = dsa_get_address(shmcache_area(), dp);
	int			i;

	PG_TRY();
	{
		for (i = 0; i < SHMCACHE_MAX_INDEXES; i++)
		{
			if (DsaPointerIsValid(model->indexes[i]))
				version->indexes[i] =
					shmcache_index_alloc(version,
										 dsa_get_address(shmcache_area(),
														 model->indexes[i]),
										 0, frame_name);
		}
	}
	PG_CATCH();
	{
		shmcache_version_unref(dp);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return dp;
}

/*
 * shmcache_version_matches
 *		Does the version store the columns the caller expects, the first
 *		"natts" of "tupdesc"?  A frame's view replaced by hand with other
 *		column types must not be read.
 */
bool
shmcache_version_matches(ShmcacheVersion *version, TupleDesc tupdesc, int natts)
{
	int			i;

	if (version->natts != natts)
		return false;
	for (i = 0; i < natts; i++)
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
	return shmcache_dir_entry(version->dir, chunkno);
}

/*
 * Allocate the next chunk of "version" (and its directory page if needed).
 * Writer only.
 */
static char *
chunk_add(ShmcacheVersion *version, const char *frame_name)
{
	uint64		chunkno = version->nchunks;
	dsa_pointer dp;
	ShmcacheChunk *chunk;
	int			i;

	if (chunkno >= SHMCACHE_MAX_CHUNKS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("frame \"%s\" cannot hold more than %llu rows",
						frame_name,
						(unsigned long long) (SHMCACHE_MAX_CHUNKS * SHMCACHE_CHUNK_ROWS))));

	shmcache_dir_ensure_page(version->dir, chunkno, &version->bytes, frame_name);
	dp = shmcache_alloc(version->chunk_size, frame_name);
	pg_atomic_fetch_add_u64(&version->bytes, shmcache_footprint(version->chunk_size));
	chunk = dsa_get_address(shmcache_area(), dp);
	chunk->blocks = InvalidDsaPointer;
	chunk->stamps = InvalidDsaPointer;
	chunk->first_dseq = SHMCACHE_DSEQ_NONE;
	pg_atomic_init_u32(&chunk->last_dseq, 0);
	chunk->ndead = 0;
	for (i = 0; i < version->natts; i++)
	{
		const ShmcacheColumn *col = &version->cols[i];

		memset(shmcache_chunk_stats((char *) chunk, col), 0, sizeof(ShmcacheStats));
		if (col->dict_off != 0)
			memset(shmcache_chunk_dict((char *) chunk, col), 0, sizeof(ShmcacheDict));
	}
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
 * The bytes a variable-width value of a column with storage "typstorage" is
 * stored as: detoasted, with a one-byte header when it is short enough and
 * the storage is not plain, as heap_fill_tuple() would store it.  A value of
 * a plain-storage type always gets a 4-byte header, even if it arrives with
 * a short one (a snapshot written before shmcache followed typstorage), since
 * the type's functions read it without detoasting.  Sets *len; *header is the
 * one-byte header to write before the returned data, or 0 if the returned
 * bytes are the complete varlena.
 *
 * Equal values of a column thus always get the same image, which the
 * dictionary's dedupe relies on.
 */
static const char *
varlena_image(Datum value, char typstorage, Size *len, uint8 *header)
{
	struct varlena *src;

	*header = 0;
	if (typstorage == TYPSTORAGE_PLAIN)
	{
		src = pg_detoast_datum((struct varlena *) DatumGetPointer(value));
		*len = VARSIZE(src);
		return (const char *) src;
	}
	src = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));
	if (VARATT_IS_SHORT(src))
		*len = VARSIZE_SHORT(src);
	else if (VARATT_CAN_MAKE_SHORT(src))
	{
		*len = VARATT_CONVERTED_SHORT_SIZE(src);
		SET_VARSIZE_SHORT(header, *len);
		return VARDATA(src);
	}
	else
		*len = VARSIZE(src);
	return (const char *) src;
}

/* Does the stored varlena "entry" have the image (len, header, data)? */
static bool
entry_equals(const char *entry, Size len, uint8 header, const char *data)
{
	if (header != 0)
		return (uint8) entry[0] == header && memcmp(entry + 1, data, len - 1) == 0;
	return VARSIZE_ANY(entry) == len && memcmp(entry, data, len) == 0;
}

/* Hash of a varlena image, equal for equal images. */
static uint32
image_hash(Size len, uint8 header, const char *data)
{
	/* The payload after a one-byte header, or the whole image but its first byte. */
	return hash_bytes((const unsigned char *) data + (header ? 0 : 1), len - 1) ^
		(uint32) len;
}

/* Hash of a stored entry, consistent with image_hash(). */
static uint32
entry_hash(const char *entry)
{
	Size		len = VARSIZE_ANY(entry);

	return hash_bytes((const unsigned char *) entry + 1, len - 1) ^ (uint32) len;
}

/* Add code "code" with hash "hash" to a dedupe index. */
static void
dedupe_insert(DedupeIndex *index, uint32 code, uint32 hash)
{
	uint32		pos = hash & (DEDUPE_SLOTS - 1);

	while (index->slots[pos] != 0)
		pos = (pos + 1) & (DEDUPE_SLOTS - 1);
	index->slots[pos] = code + 1;
	index->hashes[code] = hash;
}

/*
 * Make the appender's indexes describe the dictionaries of "chunk", reading
 * back what an earlier writer stored in it.
 */
static void
appender_attach(ShmcacheAppender *appender, ShmcacheVersion *version, char *chunk)
{
	int			i;

	if (appender->chunk == chunk)
		return;
	if (appender->indexes == NULL)
	{
		appender->natts = version->natts;
		appender->indexes = MemoryContextAllocZero(appender->context,
												   sizeof(DedupeIndex *) * Max(version->natts, 1));
	}
	for (i = 0; i < version->natts; i++)
	{
		const ShmcacheColumn *col = &version->cols[i];
		const ShmcacheDict *dict;
		DedupeIndex *index;
		uint32		code;

		if (col->dict_off == 0)
			continue;
		if (appender->indexes[i] == NULL)
			appender->indexes[i] = MemoryContextAlloc(appender->context, sizeof(DedupeIndex));
		index = appender->indexes[i];
		memset(index->slots, 0, sizeof(index->slots));
		dict = shmcache_chunk_dict(chunk, col);
		for (code = 0; code < Min(dict->nentries, SHMCACHE_DICT_DEDUPE); code++)
			dedupe_insert(index, code, entry_hash(shmcache_dict_entry(dict, code)));
	}
	appender->chunk = chunk;
}

/*
 * Store a variable-width value of column "col" in "chunk" and return its
 * dictionary code: the code of an equal entry if the dictionary is still
 * small enough to be searched, else a new entry.
 */
static uint16
store_varlena(ShmcacheVersion *version, ShmcacheAppender *appender, int attno,
			  char *chunk, Datum value, const char *frame_name)
{
	const ShmcacheColumn *col = &version->cols[attno];
	ShmcacheDict *dict = shmcache_chunk_dict(chunk, col);
	DedupeIndex *index = appender->indexes[attno];
	uint32		code = dict->nentries;
	uint32		hash = 0;
	Size		len;
	uint8		header;
	const char *data = varlena_image(value, col->typstorage, &len, &header);
	uint64	   *segment;
	char	   *dest;

	if (code < SHMCACHE_DICT_DEDUPE)
	{
		uint32		pos;

		hash = image_hash(len, header, data);
		for (pos = hash & (DEDUPE_SLOTS - 1); index->slots[pos] != 0;
			 pos = (pos + 1) & (DEDUPE_SLOTS - 1))
		{
			uint32		other = index->slots[pos] - 1;

			if (index->hashes[other] == hash &&
				entry_equals(shmcache_dict_entry(dict, other), len, header, data))
				return (uint16) other;
		}
	}

	/* A new entry: its segment first, then the value, then the count. */
	if ((code & SHMCACHE_DICT_SEG_MASK) == 0)
		dict->segments[code >> SHMCACHE_DICT_SEG_SHIFT] =
			(uint64) (block_reserve(version, (ShmcacheChunk *) chunk,
									sizeof(uint64) * SHMCACHE_DICT_SEG,
									sizeof(uint64), frame_name) -
					  ShmcacheShared->area_place);
	dest = block_reserve(version, (ShmcacheChunk *) chunk, len,
						 header != 0 || VARATT_IS_SHORT(data) ? 1 : MAXIMUM_ALIGNOF,
						 frame_name);
	if (header != 0)
	{
		dest[0] = (char) header;
		memcpy(dest + 1, data, len - 1);
	}
	else
		memcpy(dest, data, len);
	segment = (uint64 *) shmcache_offset_address(dict->segments[code >> SHMCACHE_DICT_SEG_SHIFT]);
	segment[code & SHMCACHE_DICT_SEG_MASK] = (uint64) (dest - ShmcacheShared->area_place);
	dict->nentries = code + 1;
	if (code < SHMCACHE_DICT_DEDUPE)
		dedupe_insert(index, code, hash);
	return (uint16) code;
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

/* Widen the chunk statistics of an integer or float column by "value". */
static void
stats_add(ShmcacheStats *stats, ShmcacheKind kind, Datum value)
{
	if (SHMCACHE_KIND_IS_INT(kind))
	{
		int64		v = shmcache_int_datum(kind, value);

		if (!stats->has_range)
		{
			stats->min.i = stats->max.i = v;
			pg_write_barrier();
			stats->has_range = true;
		}
		else if (v < stats->min.i)
			stats->min.i = v;
		else if (v > stats->max.i)
			stats->max.i = v;
	}
	else if (SHMCACHE_KIND_IS_FLOAT(kind))
	{
		double		v = kind == SHMCACHE_KIND_FLOAT4 ? DatumGetFloat4(value) :
			DatumGetFloat8(value);

		if (isnan(v))
			stats->has_nan = true;
		else if (!stats->has_range)
		{
			stats->min.f = stats->max.f = v;
			pg_write_barrier();
			stats->has_range = true;
		}
		else if (v < stats->min.f)
			stats->min.f = v;
		else if (v > stats->max.f)
			stats->max.f = v;
	}
}

/*
 * shmcache_appender_create
 *		Private state for a writer's appends, allocated in "context".
 */
ShmcacheAppender *
shmcache_appender_create(MemoryContext context)
{
	ShmcacheAppender *appender = MemoryContextAllocZero(context, sizeof(ShmcacheAppender));

	appender->context = context;
	return appender;
}

/*
 * shmcache_appender_reset
 *		Forget the chunk the appender describes: needed after chunks may have
 *		been freed (rollback, truncate).
 */
void
shmcache_appender_reset(ShmcacheAppender *appender)
{
	appender->chunk = NULL;
}

/*
 * shmcache_append_row
 *		Store a row at position "row" of "version".  Writer only; the row
 *		becomes visible to others only when nrows is advanced past it.  The
 *		caller has checked NOT NULL; "frame_name" names the frame in an
 *		out-of-memory error.
 */
void
shmcache_append_row(ShmcacheVersion *version, ShmcacheAppender *appender,
					uint64 row, Datum *values, bool *nulls, const char *frame_name)
{
	uint32		slot = row & SHMCACHE_CHUNK_MASK;
	char	   *chunk;
	int			i;

	if (slot == 0 && (row >> SHMCACHE_CHUNK_SHIFT) == version->nchunks)
		chunk = chunk_add(version, frame_name);
	else
		chunk = shmcache_version_chunk(version, row >> SHMCACHE_CHUNK_SHIFT);
	appender_attach(appender, version, chunk);

	for (i = 0; i < version->natts; i++)
	{
		const ShmcacheColumn *col = &version->cols[i];
		char	   *colvalues = chunk + col->values_off;
		ShmcacheStats *stats = shmcache_chunk_stats(chunk, col);

		if (col->nulls_off != 0)
		{
			uint8	   *bits = (uint8 *) (chunk + col->nulls_off);

			if (nulls[i])
			{
				bits[slot >> 3] |= (1 << (slot & 7));
				stats->nnulls++;
				continue;
			}
			bits[slot >> 3] &= ~(1 << (slot & 7));
		}
		if (col->kind == SHMCACHE_KIND_VARLENA)
			((uint16 *) colvalues)[slot] =
				store_varlena(version, appender, i, chunk, values[i], frame_name);
		else
		{
			store_fixed(col, colvalues, slot, values[i]);
			stats_add(stats, col->kind, values[i]);
		}
	}
}

/*
 * shmcache_version_publish
 *		Called by the writer at commit, before it publishes rows [from_rows,
 *		to_rows): the dictionary entries those rows use become readable.
 */
void
shmcache_version_publish(ShmcacheVersion *version, uint64 from_rows, uint64 to_rows)
{
	uint64		chunkno;
	int			i;

	if (to_rows <= from_rows)
		return;
	for (chunkno = from_rows >> SHMCACHE_CHUNK_SHIFT;
		 chunkno <= (to_rows - 1) >> SHMCACHE_CHUNK_SHIFT; chunkno++)
	{
		char	   *chunk = shmcache_version_chunk(version, chunkno);

		for (i = 0; i < version->natts; i++)
		{
			if (version->cols[i].dict_off != 0)
			{
				ShmcacheDict *dict = shmcache_chunk_dict(chunk, &version->cols[i]);

				dict->npublished = dict->nentries;
			}
		}
	}
}

/*
 * shmcache_version_state
 *		The rows and the delete sequence of "version" as last published, read
 *		together: a reader retries while the writer is between the two stores
 *		(a few instructions at commit, see shmcache_version_set_state), so it
 *		never sees one commit's rows without its deletes or the reverse.
 */
void
shmcache_version_state(ShmcacheVersion *version, uint64 *nrows, uint32 *dseq)
{
	for (;;)
	{
		uint32		before = pg_atomic_read_u32(&version->publishing);

		pg_read_barrier();
		*nrows = pg_atomic_read_u64(&version->nrows);
		*dseq = ((volatile ShmcacheVersion *) version)->dseq;
		pg_read_barrier();
		if ((before & 1) == 0 &&
			pg_atomic_read_u32(&version->publishing) == before)
			return;
		pg_spin_delay();
	}
}

/*
 * shmcache_version_set_state
 *		Publish "nrows" rows and the delete stamps up to "dseq" of "version"
 *		at once.  Writer only, after everything they cover is stored.
 */
void
shmcache_version_set_state(ShmcacheVersion *version, uint64 nrows, uint32 dseq)
{
	pg_atomic_fetch_add_u32(&version->publishing, 1);	/* a full barrier */
	pg_atomic_write_u64(&version->nrows, nrows);
	((volatile ShmcacheVersion *) version)->dseq = dseq;
	pg_write_barrier();
	pg_atomic_fetch_add_u32(&version->publishing, 1);
}

/*
 * shmcache_dict_visible
 *		How many entries of a dictionary a reader may look at: those used by
 *		published rows, or every entry if the reader sees its own
 *		transaction's unpublished rows (only it can change them).
 */
uint32
shmcache_dict_visible(const ShmcacheDict *dict, bool own_writes)
{
	return own_writes ? dict->nentries : dict->npublished;
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

/*
 * shmcache_chunk_stamps_free
 *		Free the stamps of "chunk", if any; returns the bytes freed.
 */
Size
shmcache_chunk_stamps_free(ShmcacheChunk *chunk)
{
	if (!DsaPointerIsValid(chunk->stamps))
		return 0;
	shmcache_free(chunk->stamps, SHMCACHE_STAMPS_SIZE);
	chunk->stamps = InvalidDsaPointer;
	return shmcache_footprint(SHMCACHE_STAMPS_SIZE);
}

/* Free chunk "chunkno" of "version" with its data blocks. */
static Size
free_chunk(ShmcacheVersion *version, uint64 chunkno)
{
	dsa_pointer *entry = chunk_dir_entry(version, chunkno);
	ShmcacheChunk *chunk = dsa_get_address(shmcache_area(), *entry);
	Size		freed;

	freed = free_blocks(chunk->blocks, InvalidDsaPointer) +
		shmcache_chunk_stamps_free(chunk) +
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

	for (chunkno = keep; chunkno < version->nchunks; chunkno++)
		freed += free_chunk(version, chunkno);
	version->nchunks = keep;
	return freed + shmcache_dir_free_pages_from(version->dir, keep);
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
 * Cut the dictionaries of "chunk" back to the entries its first "kept" rows
 * use.  Codes are handed out in row order, so those are the entries up to the
 * largest code of a kept row; the data blocks holding later entries (and
 * their segments) have just been cut.
 */
static void
dicts_cut(ShmcacheVersion *version, char *chunk, uint32 kept)
{
	int			i;

	for (i = 0; i < version->natts; i++)
	{
		const ShmcacheColumn *col = &version->cols[i];
		const uint16 *codes = (const uint16 *) (chunk + col->values_off);
		ShmcacheDict *dict;
		uint32		nentries = 0;
		uint32		slot;
		uint32		seg;

		if (col->dict_off == 0)
			continue;
		dict = shmcache_chunk_dict(chunk, col);
		for (slot = 0; slot < kept; slot++)
		{
			if (!shmcache_slot_isnull(col, chunk, slot) && codes[slot] >= nentries)
				nentries = codes[slot] + 1;
		}
		dict->nentries = nentries;
		for (seg = (nentries + SHMCACHE_DICT_SEG - 1) >> SHMCACHE_DICT_SEG_SHIFT;
			 seg < SHMCACHE_DICT_SEGMENTS; seg++)
			dict->segments[seg] = 0;
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
	Size		freed = free_chunks_from(version, keep) +
		shmcache_version_cut_index_links(version, keep);

	if ((tail->nrows & SHMCACHE_CHUNK_MASK) != 0)
	{
		ShmcacheChunk *chunk;

		chunk = (ShmcacheChunk *) shmcache_version_chunk(version, keep - 1);
		freed += free_blocks(chunk->blocks, tail->block);
		chunk->blocks = tail->block;
		if (DsaPointerIsValid(tail->block))
			((ShmcacheBlock *) dsa_get_address(shmcache_area(), tail->block))->used =
				tail->block_used;
		dicts_cut(version, (char *) chunk, tail->nrows & SHMCACHE_CHUNK_MASK);
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
	shmcache_version_free_indexes(version);
	free_chunks_from(version, 0);
	shmcache_free(version_dp, version_header_size(version->natts));
}
