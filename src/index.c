/*-------------------------------------------------------------------------
 *
 * index.c
 *	  Hash indexes on frames: which rows an index holds and how they are
 *	  found.
 *
 * An index (ShmcacheIndex, laid out by storage.c) chains the rows of each
 * bucket newest first.  Keys are hashed and compared as the column type's
 * default hash operator class does (so equality is the type's, collation
 * included), with fast paths that give the same answers: integer kinds
 * (int2, int4, int8, date, time, timestamp, timestamptz) by value, floats by
 * value with -0 = 0 and NaN = NaN, and text, varchar and bytea under a
 * deterministic collation by their bytes.  Rows with a null key are not
 * indexed (a null never equals anything, and unique indexes allow many).
 *
 * Writing.  The frame's one writer keeps the entries of its rows not yet
 * committed in backend-local memory (ShmcachePending): its own queries find
 * them there, uniqueness is checked against them and the committed rows,
 * and ROLLBACK TO SAVEPOINT cuts them back.  Everything shared an entry will
 * need (its link page, a larger table) is allocated while the row is
 * appended, so that linking at commit (shmcache_pending_link), before the
 * rows are published, cannot fail.
 *
 * Reading.  A lookup walks the chain of its bucket and keeps the rows below
 * its row count whose keys are equal: rows linked later are skipped, links
 * never change, so a reader needs no lock and never waits.
 *
 * Layer: indexes, above storage, below definitions and visibility.
 *
 * Locking: the writer's claim (xact.c) serialises everything that changes
 * an index; readers take nothing (see storage.c for the memory rules).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/index.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/detoast.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "index.h"

/* How many rows ahead linking at commit prefetches buckets. */
#define LINK_PREFETCH			16

/* Rows whose memory a uniqueness check fetches ahead at a time. */
#define CHECK_BATCH				64


/* ShmcachePending.next of a row that has a null key (not indexed). */
#define PENDING_UNINDEXED		PG_UINT32_MAX

struct ShmcachePending
{
	ShmcacheIndexKeys keys;		/* the index and its key support */
	MemoryContext context;		/* where the arrays live */
	uint64		first_row;		/* rows below are committed and linked */
	uint32		n;				/* pending rows: first_row .. first_row+n-1 */
	uint32		checked;		/* of these, the first "checked" are known
								 * not to repeat a key (unique indexes) */
	uint32		max;			/* rows the arrays have room for */
	uint32	   *hashes;			/* per pending row: its key hash */
	uint32	   *next;			/* per pending row: the previous pending row
								 * of its bucket + 1, 0, or PENDING_UNINDEXED */
	uint32	   *buckets;		/* newest pending row + 1 of each bucket */
	uint32		mask;			/* buckets - 1 */
	dsa_pointer reserved;		/* a larger shared table to install at
								 * commit, or InvalidDsaPointer */
	dsa_pointer version_dp;		/* keys.version, referenced until released */
	uint64		capacity;		/* rows the shared table (or the reserved one)
								 * has buckets for */
	bool		next_indexed;	/* the row shmcache_pending_prepare looked
								 * at has no null key */
	uint32		next_hash;		/* and its key's hash */
	bool		has_range;		/* one integer key: key_min/key_max cover
								 * the keys of every pending row (and maybe
								 * more) */
	int64		key_min;
	int64		key_max;
};

/* The value of an integer-kind Datum of column "col". */
static inline int64
int_value(const ShmcacheColumn *col, Datum d)
{
	return shmcache_int_datum(col->kind, d);
}

/* The value of a float-kind Datum, with -0 made 0. */
static inline double
float_value(const ShmcacheColumn *col, Datum d)
{
	double		f = col->kind == SHMCACHE_KIND_FLOAT4 ? DatumGetFloat4(d) : DatumGetFloat8(d);

	return f == 0 ? 0 : f;
}

/* Hash of one key value, as equal values hash alike. */
static uint32
key_hash(const ShmcacheKeySupport *ks, Datum d)
{
	if (SHMCACHE_KIND_IS_INT(ks->col->kind))
		return shmcache_hash_int64((uint64) int_value(ks->col, d));
	if (SHMCACHE_KIND_IS_FLOAT(ks->col->kind))
	{
		double		f = float_value(ks->col, d);
		uint64		bits;

		if (isnan(f))
			return shmcache_hash_int64(0x7ff8000000000000);
		memcpy(&bits, &f, sizeof(bits));
		return shmcache_hash_int64(bits);
	}
	if (ks->bytewise)
	{
		struct varlena *v = PG_DETOAST_DATUM_PACKED(d);

		return hash_bytes((unsigned char *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	}
	return DatumGetUInt32(FunctionCall1Coll((FmgrInfo *) &ks->hash, ks->collation, d));
}

/* Are two key values equal? */
static bool
key_equal(const ShmcacheKeySupport *ks, Datum a, Datum b)
{
	if (SHMCACHE_KIND_IS_INT(ks->col->kind))
		return int_value(ks->col, a) == int_value(ks->col, b);
	if (SHMCACHE_KIND_IS_FLOAT(ks->col->kind))
	{
		double		fa = float_value(ks->col, a);
		double		fb = float_value(ks->col, b);

		return fa == fb || (isnan(fa) && isnan(fb));
	}
	if (ks->bytewise)
	{
		struct varlena *va = PG_DETOAST_DATUM_PACKED(a);
		struct varlena *vb = PG_DETOAST_DATUM_PACKED(b);

		return VARSIZE_ANY_EXHDR(va) == VARSIZE_ANY_EXHDR(vb) &&
			memcmp(VARDATA_ANY(va), VARDATA_ANY(vb), VARSIZE_ANY_EXHDR(va)) == 0;
	}
	return DatumGetBool(FunctionCall2Coll((FmgrInfo *) &ks->eq, ks->collation, a, b));
}

/* Hash of a whole key ("values", one per key column). */
static uint32
keys_hash(const ShmcacheIndexKeys *keys, const Datum *values)
{
	uint32		h = 0;
	int			k;

	for (k = 0; k < keys->nkeys; k++)
		h = hash_combine(h, key_hash(&keys->keys[k], values[k]));
	return h;
}

/* The chunk of stored row "row" of the keys' version. */
static inline const char *
row_chunk(const ShmcacheIndexKeys *keys, uint64 row)
{
	return shmcache_version_chunk(keys->version, row >> SHMCACHE_CHUNK_SHIFT);
}

/* Does the stored row in slot "slot" of "chunk" have the key "values"? */
static bool
row_has_key(const ShmcacheIndexKeys *keys, const char *chunk, uint32 slot,
			const Datum *values)
{
	int			k;

	for (k = 0; k < keys->nkeys; k++)
	{
		bool		isnull;
		Datum		d = shmcache_fetch_value(keys->keys[k].col, chunk, slot, &isnull);

		if (isnull || !key_equal(&keys->keys[k], d, values[k]))
			return false;
	}
	return true;
}

/*
 * Ask for the memory of the candidate row in slot "slot" of "chunk": its key
 * values and the columns the caller will read if it matches, at once, so
 * that their latencies overlap instead of following one another.
 */
static void
prefetch_candidate(const ShmcacheIndexKeys *keys, const char *chunk, uint32 slot)
{
	int			i;

	for (i = 0; i < keys->nkeys; i++)
		shmcache_prefetch_value(keys->keys[i].col, chunk, slot);
	for (i = 0; i < keys->nfetch; i++)
		shmcache_prefetch_value(&keys->version->cols[keys->fetch_columns[i]], chunk, slot);
}

/*
 * The key columns of a row being appended ("values"/"nulls" per column) in
 * "out"; false if one is null.
 */
static bool
row_keys(const ShmcacheIndexKeys *keys, const Datum *values, const bool *nulls,
		 Datum *out)
{
	int			k;

	for (k = 0; k < keys->nkeys; k++)
	{
		int			col = keys->index->keys[k];

		if (nulls[col])
			return false;
		out[k] = values[col];
	}
	return true;
}

/* The link page of chunk "chunkno" of "index" (it must exist). */
static inline uint32 *
link_page(const ShmcacheIndex *index, uint64 chunkno)
{
	dsa_pointer *page = dsa_get_address(shmcache_area(),
										index->dir[chunkno / SHMCACHE_DIR_PAGE]);

	return dsa_get_address(shmcache_area(), page[chunkno % SHMCACHE_DIR_PAGE]);
}

static void
rowlist_add(ShmcacheRowList *out, uint64 row)
{
	if (out->n == out->max)
	{
		out->max = Max(16, out->max * 2);
		out->rows = out->rows ? repalloc(out->rows, sizeof(uint64) * out->max) :
			palloc(sizeof(uint64) * out->max);
	}
	out->rows[out->n++] = row;
}

/* Is row "slot" of "chunk" deleted for the caller of "keys"? */
static inline bool
row_dead(const ShmcacheIndexKeys *keys, const char *chunk, uint32 slot)
{
	return shmcache_row_dead(chunk, slot, keys->dseq, keys->own_cid);
}

/*
 * Walk the committed chain of "hash": add to "out" every row below "limit"
 * with key "values", or, with "out" NULL, stop at the first.  Returns the
 * number of rows found.  A unique index has one committed row of a key at
 * the most, so its walk ends at the first found.
 */
static int
walk_committed(const ShmcacheIndexKeys *keys, uint32 hash, const Datum *values,
			   uint64 limit, ShmcacheRowList *out)
{
	const ShmcacheIndex *index = keys->index;
	const ShmcacheIndexTable *table;
	uint32		link;
	int			found = 0;

	table = dsa_get_address(shmcache_area(), pg_atomic_read_u64(&((ShmcacheIndex *) index)->table));
	pg_read_barrier();
	link = table->buckets[hash & table->mask];
	while (link != 0)
	{
		uint64		row = link - 1;
		uint32	   *next = &link_page(index, row >> SHMCACHE_CHUNK_SHIFT)[row & SHMCACHE_CHUNK_MASK];

		if (row < limit)
		{
			const char *chunk = row_chunk(keys, row);
			uint32		slot = (uint32) (row & SHMCACHE_CHUNK_MASK);

			prefetch_candidate(keys, chunk, slot);
			shmcache_prefetch(next);
			if (row_has_key(keys, chunk, slot, values) && !row_dead(keys, chunk, slot))
			{
				found++;
				if (out != NULL)
					rowlist_add(out, row);
				if (out == NULL || index->unique)
					break;
			}
		}
		link = *next;
	}
	return found;
}

/* The same over a writer's pending rows below "limit". */
static int
walk_pending(const ShmcachePending *pending, const ShmcacheIndexKeys *vis,
			 uint32 hash, const Datum *values, uint64 limit, ShmcacheRowList *out)
{
	uint32		link = pending->buckets[hash & pending->mask];
	int			found = 0;

	while (link != 0)
	{
		uint32		i = link - 1;
		uint64		row = pending->first_row + i;

		const char *chunk;

		if (pending->hashes[i] == hash && row < limit &&
			row_has_key(&pending->keys, chunk = row_chunk(&pending->keys, row),
						(uint32) (row & SHMCACHE_CHUNK_MASK), values) &&
			!row_dead(vis, chunk, (uint32) (row & SHMCACHE_CHUNK_MASK)))
		{
			found++;
			if (out == NULL)
				break;
			rowlist_add(out, row);
		}
		link = pending->next[i];
	}
	return found;
}

/*
 * shmcache_check_indexable
 *		Refuse a key column of type "typid" that has no default hash operator
 *		class: its equality could not be hashed.
 */
void
shmcache_check_indexable(Oid typid, Oid collation, const char *colname)
{
	TypeCacheEntry *tce = lookup_type_cache(typid, TYPECACHE_HASH_PROC | TYPECACHE_EQ_OPR);

	if (!OidIsValid(tce->hash_proc) || !OidIsValid(tce->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("column \"%s\" cannot be indexed", colname),
				 errdetail("Data type %s has no default hash operator class.",
						   format_type_be(typid))));
}

/*
 * shmcache_index_keys_init
 *		Prepare the key support of "index" of "version" for this backend.
 */
void
shmcache_index_keys_init(ShmcacheIndexKeys *keys, ShmcacheVersion *version,
						 ShmcacheIndex *index)
{
	int			k;

	keys->version = version;
	keys->index = index;
	keys->nkeys = index->nkeys;
	keys->fetch_columns = NULL;
	keys->nfetch = 0;
	keys->dseq = SHMCACHE_DSEQ_MAX;
	keys->own_cid = PG_UINT32_MAX;
	for (k = 0; k < index->nkeys; k++)
	{
		ShmcacheKeySupport *ks = &keys->keys[k];
		const ShmcacheColumn *col = &version->cols[index->keys[k]];
		Oid			base = getBaseType(col->typid);

		ks->col = col;
		ks->collation = col->collation;
		ks->bytewise = col->kind == SHMCACHE_KIND_VARLENA &&
			(base == TEXTOID || base == VARCHAROID || base == BYTEAOID) &&
			(!OidIsValid(col->collation) || get_collation_isdeterministic(col->collation));
		if (!SHMCACHE_KIND_IS_INT(col->kind) && !SHMCACHE_KIND_IS_FLOAT(col->kind) &&
			!ks->bytewise)
		{
			TypeCacheEntry *tce = lookup_type_cache(col->typid,
													TYPECACHE_HASH_PROC_FINFO |
													TYPECACHE_EQ_OPR_FINFO);

			if (!OidIsValid(tce->hash_proc) || !OidIsValid(tce->eq_opr))
				elog(ERROR, "index key type %s has no default hash operator class",
					 format_type_be(col->typid));
			fmgr_info_copy(&ks->hash, &tce->hash_proc_finfo, CurrentMemoryContext);
			fmgr_info_copy(&ks->eq, &tce->eq_opr_finfo, CurrentMemoryContext);
		}
	}
}

/*
 * shmcache_index_find
 *		The index "index_id" of "version", or NULL.  A reader must count
 *		itself among the index users first (pins.c).
 */
ShmcacheIndex *
shmcache_index_find(ShmcacheVersion *version, int64 index_id)
{
	int			i;

	for (i = 0; i < SHMCACHE_MAX_INDEXES; i++)
	{
		dsa_pointer dp = version->indexes[i];

		if (DsaPointerIsValid(dp))
		{
			ShmcacheIndex *index = dsa_get_address(shmcache_area(), dp);

			if (index->index_id == index_id)
				return index;
		}
	}
	return NULL;
}

/*
 * shmcache_index_lookup
 *		Add to "out" the rows below "limit" whose key is "values" (one Datum
 *		of each key column's type): committed ones, and with "pending" the
 *		writer's own.
 */
void
shmcache_index_lookup(const ShmcacheIndexKeys *keys, const Datum *values,
					  uint64 limit, const ShmcachePending *pending,
					  ShmcacheRowList *out)
{
	uint32		hash = keys_hash(keys, values);

	walk_committed(keys, hash, values, limit, out);
	if (pending != NULL && pending->n > 0)
		walk_pending(pending, keys, hash, values, limit, out);
}

/*
 * shmcache_pending_create
 *		The writer's entries of "index" of its target version "version_dp",
 *		whose rows below "first_row" are committed (and linked).  It holds a
 *		reference on the version until shmcache_pending_release.
 */
ShmcachePending *
shmcache_pending_create(dsa_pointer version_dp, ShmcacheIndex *index,
						uint64 first_row, MemoryContext context)
{
	ShmcachePending *pending = MemoryContextAllocZero(context, sizeof(ShmcachePending));
	ShmcacheVersion *version = dsa_get_address(shmcache_area(), version_dp);

	shmcache_index_keys_init(&pending->keys, version, index);
	shmcache_version_ref(version);
	pending->version_dp = version_dp;
	pending->context = context;
	pending->first_row = first_row;
	pending->mask = 1023;
	pending->reserved = InvalidDsaPointer;
	pending->buckets = MemoryContextAllocZero(context, sizeof(uint32) * (pending->mask + 1));
	return pending;
}

/* shmcache_pending_index: the index whose entries "pending" holds. */
ShmcacheIndex *
shmcache_pending_index(const ShmcachePending *pending)
{
	return pending->keys.index;
}

/* shmcache_pending_version: the version of that index. */
ShmcacheVersion *
shmcache_pending_version(const ShmcachePending *pending)
{
	return pending->keys.version;
}

/*
 * Does the index keep the range of its keys?  Only for one integer key:
 * then a key outside the range of the committed keys needs no probe for
 * uniqueness, which is what a feeder appending ever larger ids meets.
 */
static inline bool
range_key(const ShmcacheIndexKeys *keys)
{
	return keys->nkeys == 1 && SHMCACHE_KIND_IS_INT(keys->keys[0].col->kind);
}

/* Widen the range (*has, *min, *max) to cover "v". */
static inline void
range_add(bool *has, int64 *min, int64 *max, int64 v)
{
	if (!*has || v < *min)
		*min = v;
	if (!*has || v > *max)
		*max = v;
	*has = true;
}

/* Might integer key "v" be among the committed keys of the index? */
static inline bool
maybe_committed(const ShmcacheIndex *index, int64 v)
{
	return index->has_range && v >= index->min && v <= index->max;
}

/*
 * shmcache_pending_prepare
 *		Hash the key of the row about to be appended with "values"/"nulls"
 *		(per column), for shmcache_pending_add.
 */
void
shmcache_pending_prepare(ShmcachePending *pending, const Datum *values,
						 const bool *nulls)
{
	Datum		keyvals[SHMCACHE_INDEX_MAX_KEYS];

	pending->next_indexed = row_keys(&pending->keys, values, nulls, keyvals);
	if (!pending->next_indexed)
		return;
	pending->next_hash = keys_hash(&pending->keys, keyvals);
	if (range_key(&pending->keys))
	{
		int64		v = int_value(pending->keys.keys[0].col, keyvals[0]);

		range_add(&pending->has_range, &pending->key_min, &pending->key_max, v);
	}
}

/* The key of stored row "row" in "values"; false if a key column is null. */
static bool
stored_keys(const ShmcacheIndexKeys *keys, uint64 row, Datum *values)
{
	const char *chunk = shmcache_version_chunk(keys->version, row >> SHMCACHE_CHUNK_SHIFT);
	bool		isnull = false;
	int			k;

	for (k = 0; k < keys->nkeys && !isnull; k++)
		values[k] = shmcache_fetch_value(keys->keys[k].col, chunk,
										 (uint32) (row & SHMCACHE_CHUNK_MASK), &isnull);
	return !isnull;
}

/* Bring in the bucket, and then the head row's link and first key, of each
 * unchecked row of [from, to): the chains of a batch are then walked from
 * cache rather than with a wait on memory at every step. */
static void
prefetch_batch(const ShmcachePending *pending, const ShmcacheIndexTable *table,
			   uint32 from, uint32 to)
{
	const ShmcacheIndex *index = pending->keys.index;
	const ShmcacheColumn *col = pending->keys.keys[0].col;
	uint32		i;

	for (i = from; i < to; i++)
		shmcache_prefetch(&table->buckets[pending->hashes[i] & table->mask]);
	for (i = from; i < to; i++)
	{
		uint32		link = table->buckets[pending->hashes[i] & table->mask];
		uint64		row;

		if (link == 0 || pending->next[i] == PENDING_UNINDEXED)
			continue;
		row = link - 1;
		if (row >= pending->first_row)
			continue;
		shmcache_prefetch(&link_page(index, row >> SHMCACHE_CHUNK_SHIFT)[row & SHMCACHE_CHUNK_MASK]);
		if (col->typlen > 0)
			shmcache_prefetch(shmcache_version_chunk(pending->keys.version,
												 row >> SHMCACHE_CHUNK_SHIFT) +
						  col->values_off + (row & SHMCACHE_CHUNK_MASK) * col->stride);
	}
}

/*
 * shmcache_pending_check
 *		Check that the pending rows not checked yet repeat no key of a unique
 *		index: neither a committed row's nor an earlier pending row's.  Rows
 *		are checked in batches, their memory fetched ahead (prefetch_batch),
 *		rather than one probe (and a few waits on memory) per row appended.
 *		Returns the first row that repeats a key, else PG_UINT64_MAX.
 */
uint64
shmcache_pending_check(ShmcachePending *pending)
{
	const ShmcacheIndexTable *table;
	Datum		keyvals[SHMCACHE_INDEX_MAX_KEYS];
	uint32		i;

	if (!pending->keys.index->unique)
	{
		pending->checked = pending->n;
		return PG_UINT64_MAX;
	}
	table = dsa_get_address(shmcache_area(), pg_atomic_read_u64(&pending->keys.index->table));
	for (i = pending->checked; i < pending->n; i++)
	{
		uint64		row = pending->first_row + i;

		if ((i - pending->checked) % CHECK_BATCH == 0)
			prefetch_batch(pending, table, i, Min(i + CHECK_BATCH, pending->n));
		if (pending->next[i] == PENDING_UNINDEXED ||
			!stored_keys(&pending->keys, row, keyvals) ||
			row_dead(&pending->keys, row_chunk(&pending->keys, row),
					 (uint32) (row & SHMCACHE_CHUNK_MASK)))
			continue;
		if (((!range_key(&pending->keys) ||
			  maybe_committed(pending->keys.index,
							  int_value(pending->keys.keys[0].col, keyvals[0]))) &&
			 walk_committed(&pending->keys, pending->hashes[i], keyvals,
							pending->first_row, NULL) > 0) ||
			walk_pending(pending, &pending->keys, pending->hashes[i], keyvals, row, NULL) > 0)
			return row;
	}
	pending->checked = pending->n;
	return PG_UINT64_MAX;
}

/* Rebuild the pending bucket chains for "mask" + 1 buckets. */
static void
pending_rehash(ShmcachePending *pending, uint32 mask)
{
	uint32		i;

	pfree(pending->buckets);
	pending->mask = mask;
	pending->buckets = MemoryContextAllocZero(pending->context,
											  sizeof(uint32) * ((Size) mask + 1));
	for (i = 0; i < pending->n; i++)
	{
		uint32		b = pending->hashes[i] & mask;

		if (pending->next[i] == PENDING_UNINDEXED)
			continue;
		pending->next[i] = pending->buckets[b];
		pending->buckets[b] = i + 1;
	}
}

/*
 * Make sure everything shared the entry of "row" will need exists: its link
 * page, and a table with at least as many buckets as rows: a larger one is
 * reserved, and installed only at commit, so that a load that fails gives
 * it back.
 */
static void
reserve_shared(ShmcachePending *pending, uint64 row, const char *frame_name)
{
	ShmcacheVersion *version = pending->keys.version;
	ShmcacheIndex *index = pending->keys.index;
	ShmcacheIndexTable *table;

	if (row >= SHMCACHE_INDEX_MAX_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("an indexed frame cannot hold more than %llu rows",
						(unsigned long long) SHMCACHE_INDEX_MAX_ROWS),
				 errdetail("Frame \"%s\" has index \"%s\".", frame_name,
						   NameStr(index->name))));
	/* A row past those of its chunk that have one starts a chunk. */
	if ((row & SHMCACHE_CHUNK_MASK) == 0 || pending->n == 0)
		(void) shmcache_index_links(version, index, row >> SHMCACHE_CHUNK_SHIFT,
									frame_name);
	if (row + 1 <= pending->capacity)
		return;
	if (DsaPointerIsValid(pending->reserved))
		table = dsa_get_address(shmcache_area(), pending->reserved);
	else
		table = dsa_get_address(shmcache_area(), pg_atomic_read_u64(&index->table));
	if (row + 1 > (uint64) table->mask + 1 && table->mask < PG_INT32_MAX)
	{
		dsa_pointer larger = shmcache_index_table_reserve(version, index,
														  (table->mask + 1) * 2,
														  frame_name);

		if (DsaPointerIsValid(pending->reserved))
			shmcache_index_table_free(version, index, pending->reserved);
		pending->reserved = larger;
		table = dsa_get_address(shmcache_area(), larger);
	}
	pending->capacity = (uint64) table->mask + 1;
}

/*
 * shmcache_pending_add
 *		Record the entry of "row", just appended, whose key
 *		shmcache_pending_conflict looked at; rows must come in order.  May
 *		fail (out of memory) before recording it, never after.
 */
void
shmcache_pending_add(ShmcachePending *pending, uint64 row, const char *frame_name)
{
	uint32		i;

	Assert(row == pending->first_row + pending->n);
	reserve_shared(pending, row, frame_name);
	if (pending->n == pending->max)
	{
		uint32		max = Max(1024, pending->max * 2);

		pending->hashes = pending->hashes ?
			repalloc(pending->hashes, sizeof(uint32) * max) :
			MemoryContextAlloc(pending->context, sizeof(uint32) * max);
		pending->next = pending->next ?
			repalloc(pending->next, sizeof(uint32) * max) :
			MemoryContextAlloc(pending->context, sizeof(uint32) * max);
		pending->max = max;
	}
	if (pending->n > pending->mask)
		pending_rehash(pending, pending->mask * 2 + 1);

	i = pending->n++;
	if (!pending->next_indexed)
	{
		pending->hashes[i] = 0;
		pending->next[i] = PENDING_UNINDEXED;
		return;
	}
	pending->hashes[i] = pending->next_hash;
	pending->next[i] = pending->buckets[pending->hashes[i] & pending->mask];
	pending->buckets[pending->hashes[i] & pending->mask] = i + 1;
}

/*
 * shmcache_pending_release
 *		The writer is done with "pending": give back a table reserved and not
 *		installed, and the version's reference.  Never fails.
 */
void
shmcache_pending_release(ShmcachePending *pending)
{
	if (DsaPointerIsValid(pending->reserved))
		shmcache_index_table_free(pending->keys.version, pending->keys.index,
								  pending->reserved);
	pending->reserved = InvalidDsaPointer;
	shmcache_version_unref(pending->version_dp);
}

/*
 * shmcache_pending_cut
 *		Forget the entries of rows from "nrows" on (rolled back).
 */
void
shmcache_pending_cut(ShmcachePending *pending, uint64 nrows)
{
	Assert(nrows >= pending->first_row);
	pending->checked = Min(pending->checked, (uint32) (nrows - pending->first_row));
	while (pending->first_row + pending->n > nrows)
	{
		uint32		i = --pending->n;

		/* The newest row of its bucket is the head. */
		if (pending->next[i] != PENDING_UNINDEXED)
			pending->buckets[pending->hashes[i] & pending->mask] = pending->next[i];
	}
}

/*
 * Link committed row "row" with key hash "hash" into "index": its link is
 * the bucket's head, then (after a barrier, for readers walking past it)
 * the row becomes the head.
 */
static inline void
link_row(ShmcacheIndex *index, ShmcacheIndexTable *table, uint64 row, uint32 hash)
{
	uint32	   *head = &table->buckets[hash & table->mask];

	link_page(index, row >> SHMCACHE_CHUNK_SHIFT)[row & SHMCACHE_CHUNK_MASK] = *head;
	pg_write_barrier();
	*head = (uint32) (row + 1);
}

/*
 * shmcache_pending_link
 *		At commit, before the rows are published: link every pending entry
 *		into the shared index.  Never fails (see reserve_shared).
 */
void
shmcache_pending_link(ShmcachePending *pending)
{
	ShmcacheIndex *index = pending->keys.index;
	ShmcacheIndexTable *table;
	uint64		linked = 0;
	uint32		i;

	if (DsaPointerIsValid(pending->reserved))
	{
		shmcache_index_table_install(index, pending->reserved);
		pending->reserved = InvalidDsaPointer;
	}
	table = dsa_get_address(shmcache_area(), pg_atomic_read_u64(&index->table));
	for (i = 0; i < pending->n; i++)
	{
		/* The buckets are far apart: ask for the ones of later rows early. */
		if (i + LINK_PREFETCH < pending->n)
			shmcache_prefetch_write(&table->buckets[pending->hashes[i + LINK_PREFETCH] & table->mask]);
		if (pending->next[i] == PENDING_UNINDEXED)
			continue;
		link_row(index, table, pending->first_row + i, pending->hashes[i]);
		linked++;
	}
	pg_atomic_fetch_add_u64(&index->nentries, linked);
	if (pending->has_range)
	{
		range_add(&index->has_range, &index->min, &index->max, pending->key_min);
		range_add(&index->has_range, &index->min, &index->max, pending->key_max);
	}
	pending->first_row += pending->n;
	pending->n = 0;
	pending->checked = 0;
	memset(pending->buckets, 0, sizeof(uint32) * ((Size) pending->mask + 1));
}

/*
 * shmcache_index_build
 *		Link rows 0 .. nrows-1 of "version" (committed; the caller holds the
 *		write claim) into "index", a new index nobody reads yet.  Returns
 *		PG_UINT64_MAX, or for a unique index the first row whose key an
 *		earlier row has (and nothing more is linked).
 */
uint64
shmcache_index_build(ShmcacheVersion *version, ShmcacheIndex *index, uint64 nrows,
					 const char *frame_name)
{
	ShmcacheIndexKeys keys;
	ShmcacheIndexTable *table;
	Datum		keyvals[SHMCACHE_INDEX_MAX_KEYS];
	uint64		row;
	uint64		linked = 0;

	shmcache_index_keys_init(&keys, version, index);
	for (row = 0; row < nrows; row++)
	{
		const char *chunk = shmcache_version_chunk(version, row >> SHMCACHE_CHUNK_SHIFT);
		uint32		slot = (uint32) (row & SHMCACHE_CHUNK_MASK);
		uint32		hash;
		bool		isnull = false;
		int			k;

		CHECK_FOR_INTERRUPTS();
		if (slot == 0)
		{
			if (row >= SHMCACHE_INDEX_MAX_ROWS)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("an indexed frame cannot hold more than %llu rows",
								(unsigned long long) SHMCACHE_INDEX_MAX_ROWS)));
			(void) shmcache_index_links(version, index, row >> SHMCACHE_CHUNK_SHIFT,
										frame_name);
		}
		for (k = 0; k < keys.nkeys && !isnull; k++)
			keyvals[k] = shmcache_fetch_value(keys.keys[k].col, chunk, slot, &isnull);
		if (isnull)
			continue;
		hash = keys_hash(&keys, keyvals);
		if (index->unique && !row_dead(&keys, chunk, slot) &&
			walk_committed(&keys, hash, keyvals, row, NULL) > 0)
			return row;
		if (range_key(&keys))
			range_add(&index->has_range, &index->min, &index->max,
					  int_value(keys.keys[0].col, keyvals[0]));
		table = dsa_get_address(shmcache_area(), pg_atomic_read_u64(&index->table));
		link_row(index, table, row, hash);
		linked++;
	}
	pg_atomic_fetch_add_u64(&index->nentries, linked);
	return PG_UINT64_MAX;
}
