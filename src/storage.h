/*-------------------------------------------------------------------------
 *
 * storage.h
 *	  How a frame is laid out in shared memory: versions, chunks, columns,
 *	  dictionaries and per-chunk statistics, their accessors, and appending,
 *	  publishing and rolling back rows.  See storage.c.
 *
 * Layer: storage, above shared memory (shmem.h).  Knows nothing of relations,
 * transactions or the catalog.
 *
 * A frame's data is a *version* (ShmcacheVersion): a header with the column
 * layout and a two-level directory of chunks.  A chunk holds SHMCACHE_CHUNK_ROWS
 * rows, column by column: for each column an array of fixed-width values (or,
 * for variable-width types, offsets of complete varlenas kept in data blocks)
 * and a null bitmap.  See storage.c for the rules that let readers scan a
 * version while its single writer appends to it.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/storage.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_STORAGE_H
#define SHMCACHE_STORAGE_H

#include "access/tupdesc.h"
#include "shmem.h"

/* Rows per chunk; a power of two so that row -> (chunk, slot) is a shift. */
#define SHMCACHE_CHUNK_SHIFT		14
#define SHMCACHE_CHUNK_ROWS			(1 << SHMCACHE_CHUNK_SHIFT)
#define SHMCACHE_CHUNK_MASK			(SHMCACHE_CHUNK_ROWS - 1)

/* Chunk directory: SHMCACHE_DIR_SLOTS pages of SHMCACHE_DIR_PAGE chunks each. */
#define SHMCACHE_DIR_PAGE			1024
#define SHMCACHE_DIR_SLOTS			256
#define SHMCACHE_MAX_CHUNKS			((uint64) SHMCACHE_DIR_SLOTS * SHMCACHE_DIR_PAGE)

/* Largest size of a data block of variable-width values (larger values get
 * a block of their own). */
#define SHMCACHE_BLOCK_SIZE			(256 * 1024)
/*
 * How a column's values are stored and compared.  The integer kinds are the
 * types whose values are signed integers of that width ordered as integers
 * (int2, int4, int8, date, time, timestamp, timestamptz); the float kinds are
 * float4 and float8.  Chunks keep min/max of these for skipping.  Every
 * variable-width column is dictionary-coded (see storage.c).
 */
typedef enum ShmcacheKind
{
	SHMCACHE_KIND_OTHER = 0,	/* any other fixed-width type */
	SHMCACHE_KIND_INT16,
	SHMCACHE_KIND_INT32,
	SHMCACHE_KIND_INT64,
	SHMCACHE_KIND_FLOAT4,
	SHMCACHE_KIND_FLOAT8,
	SHMCACHE_KIND_VARLENA		/* dictionary-coded variable-width type */
} ShmcacheKind;

#define SHMCACHE_KIND_IS_INT(k) \
	((k) == SHMCACHE_KIND_INT16 || (k) == SHMCACHE_KIND_INT32 || (k) == SHMCACHE_KIND_INT64)
#define SHMCACHE_KIND_IS_FLOAT(k) \
	((k) == SHMCACHE_KIND_FLOAT4 || (k) == SHMCACHE_KIND_FLOAT8)

/*
 * One column of a frame, as stored.  Immutable once the version is created.
 */
typedef struct ShmcacheColumn
{
	Oid			typid;			/* pg_type OID of the column */
	int32		typmod;			/* type modifier (enforced on load) */
	Oid			collation;		/* column collation */
	int16		typlen;			/* pg_type.typlen; -1 varlena */
	bool		typbyval;		/* pg_type.typbyval */
	char		typalign;		/* pg_type.typalign */
	char		typstorage;		/* the view column's attstorage, which is
								 * pg_type.typstorage: varlenas of a
								 * TYPSTORAGE_PLAIN type keep a 4-byte
								 * header */
	bool		notnull;		/* NOT NULL enforced on load */
	ShmcacheKind kind;			/* storage and comparison class */
	uint32		stride;			/* bytes per value slot in the values array */
	Size		stats_off;		/* offset of the ShmcacheStats in a chunk */
	Size		dict_off;		/* offset of the ShmcacheDict, 0 if none */
	Size		values_off;		/* offset of the values array in a chunk */
	Size		nulls_off;		/* offset of the null bitmap, 0 if NOT NULL */
} ShmcacheColumn;

/*
 * Per chunk and column: what a scan can know without reading the values.
 * Maintained by the writer as it appends, before rows are published, so a
 * reader may see figures that also cover rows it cannot see yet: the range
 * is then wider and the null count higher than for its rows, never the
 * reverse, which is what skipping needs.
 */
typedef struct ShmcacheStats
{
	uint32		nnulls;			/* null values stored (an upper bound) */
	bool		has_range;		/* min/max are set (integer/float kinds) */
	bool		has_nan;		/* a NaN was stored (float kinds; not in
								 * min/max) */
	union
	{
		int64		i;
		double		f;
	}			min, max;
} ShmcacheStats;

/*
 * Dictionary of a variable-width column in one chunk.  The column's value
 * slots hold 16-bit codes (a chunk has at most 2^14 rows, so codes never run
 * out); entry "code" is the offset of a complete varlena in the chunk's data
 * blocks, reached through segments of SHMCACHE_DICT_SEG entries.  Equal
 * values share one entry while the dictionary is small; past
 * SHMCACHE_DICT_DEDUPE entries new values simply get new entries.
 */
#define SHMCACHE_DICT_SEG_SHIFT		8
#define SHMCACHE_DICT_SEG			(1 << SHMCACHE_DICT_SEG_SHIFT)
#define SHMCACHE_DICT_SEG_MASK		(SHMCACHE_DICT_SEG - 1)
#define SHMCACHE_DICT_SEGMENTS		(SHMCACHE_CHUNK_ROWS / SHMCACHE_DICT_SEG)
#define SHMCACHE_DICT_DEDUPE		4096

typedef struct ShmcacheDict
{
	uint32		nentries;		/* entries stored (writer) */
	uint32		npublished;		/* entries referenced by published rows */
	uint64		segments[SHMCACHE_DICT_SEGMENTS];	/* area offsets */
} ShmcacheDict;

/*
 * A hash index on key columns of a frame (see index.c for its use).  Every
 * row whose keys are all non-null has one entry: the rows of one bucket are
 * chained newest first, the bucket holding the newest row and each row's
 * link (in a link page per chunk, one uint32 per row) the one before it;
 * "row + 1" is stored, 0 ends a chain.  Entries are linked by the writer at
 * commit, before the rows are published, and never unlinked: a reader skips
 * rows past its own row count.  When the table grows, the new bucket array
 * starts with the old heads (bucket j and j + old size share the old chain),
 * so no published link ever changes; the old array is kept (chained from
 * "older") until the index is freed, since a reader may still be reading it.
 */
#define SHMCACHE_MAX_INDEXES		8	/* per frame */
#define SHMCACHE_INDEX_MAX_KEYS		8	/* columns per index */
#define SHMCACHE_INDEX_MAX_ROWS		((uint64) PG_UINT32_MAX - 1)

typedef struct ShmcacheIndexTable
{
	dsa_pointer older;			/* the table this one replaced, or invalid */
	uint32		mask;			/* buckets - 1 (a power of two less one) */
	uint32		buckets[FLEXIBLE_ARRAY_MEMBER]; /* newest row + 1, or 0 */
} ShmcacheIndexTable;

typedef struct ShmcacheIndex
{
	int64		index_id;		/* shmcache.frame_index.index_id */
	NameData	name;			/* constraint name, for errors */
	bool		unique;			/* keys must be unique (nulls excepted) */
	int			nkeys;
	int16		keys[SHMCACHE_INDEX_MAX_KEYS];	/* 0-based key columns */
	pg_atomic_uint64 table;		/* current ShmcacheIndexTable */
	dsa_pointer dir[SHMCACHE_DIR_SLOTS];	/* pages of link page pointers */
	uint64		npages;			/* link pages allocated (writer-only) */
	pg_atomic_uint64 nentries;	/* entries linked */
	pg_atomic_uint64 bytes;		/* footprint of this index */
	dsa_pointer next_dropped;	/* in the version's list of dropped indexes */
	bool		has_range;		/* one integer key: min/max cover every
								 * linked key (writer-only, under the claim) */
	int64		min;
	int64		max;
} ShmcacheIndex;

/*
 * A version of a frame's contents.  Allocated in the DSA area as one piece:
 * this header followed by natts ShmcacheColumn entries.
 *
 * Readers pin a version (refcount) and read rows [0, nrows) only.  The one
 * writer of the frame appends past nrows and publishes by advancing nrows
 * after a write barrier; published bytes are never modified.  The frame
 * table's reference to its current version counts as one reference; the
 * version is freed by whoever drops the last reference.
 */
typedef struct ShmcacheVersion
{
	pg_atomic_uint32 refcount;	/* pins + frame's current reference */
	pg_atomic_uint64 nrows;		/* published (committed) rows */
	pg_atomic_uint32 publishing;	/* odd while the writer publishes nrows
									 * and dseq together (a sequence lock:
									 * see shmcache_version_state) */
	uint32		dseq;			/* delete stamps up to this are committed */
	pg_atomic_uint64 ndead;		/* rows deleted by committed stamps */
	pg_atomic_uint64 bytes;		/* footprint of this version's allocations */
	uint64		nchunks;		/* chunks allocated (writer-only) */
	dsa_pointer dir[SHMCACHE_DIR_SLOTS];	/* pages of chunk pointers */
	Size		chunk_size;		/* bytes of one chunk */
	dsa_pointer indexes[SHMCACHE_MAX_INDEXES];	/* ShmcacheIndex, or invalid
												 * (set by the writer at
												 * commit) */
	pg_atomic_uint32 index_users;	/* pins that may read the indexes */
	pg_atomic_uint64 dropped;	/* dropped indexes not yet freed (chained
								 * through next_dropped): freed when no pin
								 * may read them */
	int			natts;			/* number of columns */
	ShmcacheColumn cols[FLEXIBLE_ARRAY_MEMBER];
} ShmcacheVersion;

/*
 * Header of a chunk.  The column arrays follow at the offsets given by the
 * version's ShmcacheColumn entries.
 */
typedef struct ShmcacheChunk
{
	dsa_pointer blocks;			/* newest data block of variable-width
								 * values, or InvalidDsaPointer */
	dsa_pointer stamps;			/* delete stamps, one uint32 per row (see
								 * below), or InvalidDsaPointer while no row
								 * was ever deleted (set by the writer) */
	uint32		first_dseq;		/* the lowest committed delete stamp in
								 * stamps, SHMCACHE_DSEQ_NONE while none is;
								 * set before the commit is published */
	pg_atomic_uint32 last_dseq; /* the highest committed delete stamp; a
								 * commit raises it before it sets its rows'
								 * bits in the dead bitmap that follows the
								 * stamps (see shmcache_chunk_dead_bits) */
	uint32		ndead;			/* rows with a committed delete stamp */
} ShmcacheChunk;

/*
 * Deleted rows.  A delete is a stamp on the row, never a change to its
 * values: 0 while the row lives; SHMCACHE_STAMP_PENDING | cid once command
 * "cid" of the frame's writer deleted it, not yet committed; and at commit
 * the version's next delete sequence number (1, 2, ...).  A reader that
 * fixed delete sequence "dseq" treats a row as deleted if its committed
 * stamp is at most dseq, and, if it reads its own transaction's writes as of
 * command "own_cid", if a pending stamp's command is before own_cid.  Stamp
 * arrays are allocated on a chunk's first delete; a chunk without committed
 * deletes visible to a reader costs it one comparison.
 */
#define SHMCACHE_STAMP_PENDING		0x80000000U
#define SHMCACHE_DSEQ_NONE			PG_UINT32_MAX
#define SHMCACHE_DSEQ_MAX			(SHMCACHE_STAMP_PENDING - 1)
#define SHMCACHE_STAMPS_SIZE		(sizeof(uint32) * SHMCACHE_CHUNK_ROWS + \
									 SHMCACHE_CHUNK_ROWS / 8)

/* Is a row with delete stamp "stamp" deleted for a reader (dseq, own_cid)? */
static inline bool
shmcache_stamp_dead(uint32 stamp, uint32 dseq, uint32 own_cid)
{
	if (stamp & SHMCACHE_STAMP_PENDING)
		return (stamp & ~SHMCACHE_STAMP_PENDING) < own_cid;
	return stamp != 0 && stamp <= dseq;
}

/*
 * The dead bitmap after a chunk's stamps: a bit per row, set for every row
 * with a committed stamp.  A reader that sees every committed stamp of the
 * chunk (last_dseq <= its dseq) can read it instead of the stamps, 2 kB
 * instead of 64; the commit that changes it raises last_dseq first, so a
 * reader that finds last_dseq unchanged after reading the bits read none of
 * a later commit's.
 */
static inline const uint64 *
shmcache_chunk_dead_bits(const uint32 *stamps)
{
	return (const uint64 *) (stamps + SHMCACHE_CHUNK_ROWS);
}

/*
 * The delete stamps a reader (dseq, own_cid) must look at in "chunk", or NULL
 * if no row of it can be deleted for that reader.
 */
static inline const uint32 *
shmcache_chunk_deletes(const char *chunk, uint32 dseq, uint32 own_cid)
{
	const ShmcacheChunk *header = (const ShmcacheChunk *) chunk;

	if (!DsaPointerIsValid(header->stamps) ||
		(own_cid == 0 && header->first_dseq > dseq))
		return NULL;
	return dsa_get_address(shmcache_area(), header->stamps);
}

/* Is row "slot" of "chunk" deleted for a reader (dseq, own_cid)? */
static inline bool
shmcache_row_dead(const char *chunk, uint32 slot, uint32 dseq, uint32 own_cid)
{
	const uint32 *stamps = shmcache_chunk_deletes(chunk, dseq, own_cid);

	return stamps != NULL && shmcache_stamp_dead(stamps[slot], dseq, own_cid);
}

/* The statistics and the dictionary of column "col" in "chunk". */
#define shmcache_chunk_stats(chunk, col) \
	((ShmcacheStats *) ((chunk) + (col)->stats_off))
#define shmcache_chunk_dict(chunk, col) \
	((ShmcacheDict *) ((chunk) + (col)->dict_off))

/*
 * A data block of variable-width values, chained newest first from the
 * chunk header.  Values are complete varlenas, with a short header when they
 * fit and the column's storage is not plain, as in a heap tuple.
 */
typedef struct ShmcacheBlock
{
	dsa_pointer next;			/* older block, or InvalidDsaPointer */
	uint32		size;			/* usable bytes in data[] */
	uint32		used;			/* bytes of data[] in use */
	char		data[FLEXIBLE_ARRAY_MEMBER];
} ShmcacheBlock;
/* The varlena of dictionary entry "code". */
static inline char *
shmcache_dict_entry(const ShmcacheDict *dict, uint32 code)
{
	const uint64 *segment;

	segment = (const uint64 *) shmcache_offset_address(dict->segments[code >> SHMCACHE_DICT_SEG_SHIFT]);
	return shmcache_offset_address(segment[code & SHMCACHE_DICT_SEG_MASK]);
}

/*
 * Ask the CPU to bring the cache line of "p" in, to read it or to write it
 * (a hint; may do nothing).
 */
#if defined(__GNUC__) || defined(__clang__)
#define shmcache_prefetch(p)		__builtin_prefetch((p), 0)
#define shmcache_prefetch_write(p)	__builtin_prefetch((p), 1)
#else
#define shmcache_prefetch(p)		((void) (p))
#define shmcache_prefetch_write(p)	((void) (p))
#endif

/*
 * A 64-bit value's hash: the finaliser of MurmurHash3, in which every input
 * bit affects every output bit.
 */
static inline uint64
shmcache_mix64(uint64 v)
{
	v ^= v >> 33;
	v *= UINT64CONST(0xff51afd7ed558ccd);
	v ^= v >> 33;
	v *= UINT64CONST(0xc4ceb9fe1a85ec53);
	v ^= v >> 33;
	return v;
}

/* The same in 32 bits, for hash tables. */
static inline uint32
shmcache_hash_int64(uint64 v)
{
	return (uint32) shmcache_mix64(v);
}

/* Is slot "slot" of a column null in "chunk"? */
static inline bool
shmcache_slot_isnull(const ShmcacheColumn *col, const char *chunk, uint32 slot)
{
	return col->nulls_off != 0 &&
		(((const uint8 *) (chunk + col->nulls_off))[slot >> 3] & (1 << (slot & 7))) != 0;
}

/* Does column "col" hold a null in "chunk"? */
static inline bool
shmcache_chunk_has_nulls(const char *chunk, const ShmcacheColumn *col)
{
	return col->nulls_off != 0 && shmcache_chunk_stats(chunk, col)->nnulls > 0;
}

/* storage.c */
typedef struct ShmcacheTail
{
	uint64		nrows;			/* row count the tail belongs to */
	dsa_pointer block;			/* newest data block of the partial chunk */
	uint32		block_used;		/* its fill at that time */
} ShmcacheTail;

extern dsa_pointer shmcache_version_create(TupleDesc tupdesc, const bool *notnull,
										   const char *frame_name);
extern dsa_pointer shmcache_version_clone_empty(ShmcacheVersion *model,
												const char *frame_name);
extern void shmcache_version_ref(ShmcacheVersion *version);
extern void shmcache_version_unref(dsa_pointer version_dp);
extern char *shmcache_version_chunk(ShmcacheVersion *version, uint64 chunkno);
extern void shmcache_version_tail(ShmcacheVersion *version, uint64 nrows,
								  ShmcacheTail *tail);
extern void shmcache_version_rollback(ShmcacheVersion *version,
									  const ShmcacheTail *tail);
typedef struct ShmcacheAppender ShmcacheAppender;
extern ShmcacheAppender *shmcache_appender_create(MemoryContext context);
extern void shmcache_appender_reset(ShmcacheAppender *appender);
extern void shmcache_append_row(ShmcacheVersion *version, ShmcacheAppender *appender,
								uint64 row, Datum *values, bool *nulls,
								const char *frame_name);
extern void shmcache_version_publish(ShmcacheVersion *version, uint64 from_rows,
									 uint64 to_rows);
extern void shmcache_version_state(ShmcacheVersion *version, uint64 *nrows,
								   uint32 *dseq);
extern void shmcache_version_set_state(ShmcacheVersion *version, uint64 nrows,
									   uint32 dseq);

/* deleted rows (storage_delete.c) */
extern uint32 *shmcache_chunk_stamps(ShmcacheVersion *version, uint64 chunkno,
									 const char *frame_name);
extern void shmcache_chunk_stamps_unused(ShmcacheVersion *version, uint64 chunkno);
extern Size shmcache_chunk_stamps_free(ShmcacheChunk *chunk);
extern uint64 shmcache_live_rows(ShmcacheVersion *version, uint64 nrows, uint32 dseq);

extern uint32 shmcache_dict_visible(const ShmcacheDict *dict, bool own_writes);
extern ShmcacheKind shmcache_fixed_kind(Oid typid);

/* two-level directories (storage_dir.c) */
extern dsa_pointer *shmcache_dir_entry(const dsa_pointer *dir, uint64 n);
extern void shmcache_dir_ensure_page(dsa_pointer *dir, uint64 n, pg_atomic_uint64 *bytes,
									 const char *frame_name);
extern Size shmcache_dir_free_pages_from(dsa_pointer *dir, uint64 keep);

/* indexes' memory (storage_index.c); their use is index.c's */
extern dsa_pointer shmcache_index_alloc(ShmcacheVersion *version, const ShmcacheIndex *def,
										uint32 nbuckets, const char *frame_name);
extern void shmcache_index_free(ShmcacheVersion *version, dsa_pointer index_dp);
extern uint32 *shmcache_index_links(ShmcacheVersion *version, ShmcacheIndex *index,
									uint64 chunkno, const char *frame_name);
extern dsa_pointer shmcache_index_table_reserve(ShmcacheVersion *version,
												ShmcacheIndex *index, uint32 nbuckets,
												const char *frame_name);
extern void shmcache_index_table_install(ShmcacheIndex *index, dsa_pointer new_dp);
extern void shmcache_index_table_free(ShmcacheVersion *version, ShmcacheIndex *index,
									  dsa_pointer table_dp);
extern void shmcache_index_drop(ShmcacheVersion *version, int slot);
extern void shmcache_index_users_done(ShmcacheVersion *version);
extern Size shmcache_version_cut_index_links(ShmcacheVersion *version, uint64 keep);
extern void shmcache_version_free_indexes(ShmcacheVersion *version);
extern bool shmcache_version_matches(ShmcacheVersion *version, TupleDesc tupdesc,
									 int natts);

/*
 * Ask the CPU for the cache lines of column "col" of slot "slot" of a chunk
 * (its value, or code, and its null bit), ahead of shmcache_fetch_value: a
 * hint, for readers that fetch scattered rows.
 */
static inline void
shmcache_prefetch_value(const ShmcacheColumn *col, const char *chunk, uint32 slot)
{
	shmcache_prefetch(chunk + col->values_off + (Size) slot * col->stride);
	if (col->nulls_off != 0)
		shmcache_prefetch(chunk + col->nulls_off + (slot >> 3));
}

/*
 * Fetch column "col" of slot "slot" of a chunk, as a Datum pointing into
 * shared memory for by-reference types.
 */
static inline Datum
shmcache_fetch_value(const ShmcacheColumn *col, const char *chunk,
					 uint32 slot, bool *isnull)
{
	const char *values = chunk + col->values_off;

	if (col->nulls_off != 0 &&
		(((const uint8 *) (chunk + col->nulls_off))[slot >> 3] & (1 << (slot & 7))))
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;
	if (col->typlen < 0)
		return PointerGetDatum(shmcache_dict_entry((const ShmcacheDict *) (chunk + col->dict_off),
												   ((const uint16 *) values)[slot]));
	if (!col->typbyval)
		return PointerGetDatum(values + (Size) slot * col->stride);
	switch (col->typlen)
	{
		case 1:
			return CharGetDatum(((const char *) values)[slot]);
		case 2:
			return Int16GetDatum(((const int16 *) values)[slot]);
		case 4:
			return Int32GetDatum(((const int32 *) values)[slot]);
		default:
			return ((const Datum *) values)[slot];
	}
}

/* The value of a Datum of an integer-kind column of kind "kind". */
static inline int64
shmcache_int_datum(ShmcacheKind kind, Datum d)
{
	switch (kind)
	{
		case SHMCACHE_KIND_INT16:
			return DatumGetInt16(d);
		case SHMCACHE_KIND_INT32:
			return DatumGetInt32(d);
		default:
			return DatumGetInt64(d);
	}
}

/*
 * Fetch columns "columns" (0-based, "ncolumns" of them) of slot "slot" of a
 * chunk of "version" into values[col] and isnull[col], as
 * shmcache_fetch_value does.
 */
static inline void
shmcache_fetch_row(const ShmcacheVersion *version, const char *chunk, uint32 slot,
				   const int *columns, int ncolumns, Datum *values, bool *isnull)
{
	int			i;

	for (i = 0; i < ncolumns; i++)
	{
		int			col = columns[i];

		values[col] = shmcache_fetch_value(&version->cols[col], chunk, slot, &isnull[col]);
	}
}

#endif							/* SHMCACHE_STORAGE_H */
