/*-------------------------------------------------------------------------
 *
 * agg_group.c
 *	  Groups of the ShmcacheAggregate node: the hash table of group keys,
 *	  the group of every selected row of a chunk, and accumulation by dense
 *	  key, which takes a chunk's counts and sums per key rather than per
 *	  row.
 *
 * A group's key has a part per group column: an integer column's value, or
 * for a text column the number its stringhash table gives the value, the
 * same for equal values (equal bytes) in every chunk.  Groups are numbered
 * in order of appearance, their keys and states in arrays of the node
 * state; grouphash maps a key to its group's number.
 *
 * With one group column, a chunk's rows get dense keys (dictionary codes of
 * a text column, or an integer column's values minus the chunk's minimum
 * when they span fewer than 16,384): counts and sums are taken per key in
 * small arrays, and each key's figures go to its group once per chunk.
 * Otherwise each row's group is found by a hash of its key, and the kernels
 * of agg_accum.c update the states of each row's group.
 *
 * count(DISTINCT col) has its own file, agg_distinct.c, which numbers text
 * values with this file's shmcache_agg_string_id.
 *
 * The hash tables are simplehash instantiations of this file alone
 * (SH_SCOPE static inline): every lookup is compiled here, next to the loops
 * that make it, and the node state only points to them.
 *
 * Layer: the ShmcacheAggregate node (see aggregate.h), reading chunks of
 * the reader's snapshot.  Locking: none; the node's groups are
 * backend-local, and the text values a group or stringhash entry points to
 * are in the snapshot's pinned version (see reader.c).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/agg_group.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "common/int.h"
#include "miscadmin.h"
#include "utils/datum.h"
#include "utils/float.h"

#include "aggregate.h"

/*
 * Hash of group keys -> group number.  An entry holds only the group number
 * and the key's hash: the key itself is the group's (ShmcacheAggState.groups),
 * and GROUP_PROBE stands for the key being looked up (ShmcacheAggState.probe),
 * as core's TupleHashTable does with its input slot.  Entries stay small
 * however many group columns there are.
 */
typedef struct GroupEntry
{
	uint32		group;
	uint32		hash;
	char		status;
} GroupEntry;

#define GROUP_PROBE		UINT32_MAX

static uint32 group_hash(void *state, uint32 group);
static bool group_equal(void *state, uint32 a, uint32 b);

#define SH_PREFIX		grouphash
#define SH_ELEMENT_TYPE	GroupEntry
#define SH_KEY_TYPE		uint32
#define SH_KEY			group
#define SH_HASH_KEY(tb, key)	group_hash((tb)->private_data, key)
#define SH_EQUAL(tb, a, b)	group_equal((tb)->private_data, a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a)	((a)->hash)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* Hash of variable-width values (by their bytes) -> value number */
typedef struct StringEntry
{
	const char *value;			/* varlena in shared memory */
	uint32		hash;
	uint32		id;
	char		status;
} StringEntry;

static bool varlena_images_equal(const char *a, const char *b);

#define SH_PREFIX		stringhash
#define SH_ELEMENT_TYPE	StringEntry
#define SH_KEY_TYPE		const char *
#define SH_KEY			value
#define SH_HASH_KEY(tb, key)	hash_bytes((const unsigned char *) VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key))
#define SH_EQUAL(tb, a, b)	varlena_images_equal(a, b)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* The key parts and null bits of group "group", or of the probe. */
static inline void
group_key_of(const ShmcacheAggState *state, uint32 group, const int64 **parts,
			 uint32 *nulls)
{
	if (group == GROUP_PROBE)
	{
		*parts = state->probe->parts;
		*nulls = state->probe->nulls;
	}
	else
	{
		*parts = group_key_parts(state, group);
		*nulls = state->group_nulls[group];
	}
}

/* grouphash: the hash of a group's key (its group columns' parts only). */
static uint32
group_hash(void *private_data, uint32 group)
{
	const ShmcacheAggState *state = private_data;
	const int64 *parts;
	uint32		nulls;
	uint64		h;
	int			i;

	group_key_of(state, group, &parts, &nulls);
	h = shmcache_mix64(nulls);
	for (i = 0; i < state->ngroupcols; i++)
		h = shmcache_mix64(h ^ (uint64) parts[i]);
	return (uint32) h;
}

/* grouphash: do two groups (or a group and the probe) have the same key? */
static bool
group_equal(void *private_data, uint32 a, uint32 b)
{
	const ShmcacheAggState *state = private_data;
	const int64 *parts_a;
	const int64 *parts_b;
	uint32		nulls_a;
	uint32		nulls_b;
	int			i;

	group_key_of(state, a, &parts_a, &nulls_a);
	group_key_of(state, b, &parts_b, &nulls_b);
	if (nulls_a != nulls_b)
		return false;
	for (i = 0; i < state->ngroupcols; i++)
		if (parts_a[i] != parts_b[i])
			return false;
	return true;
}

/* Equal images (the stored form of equal text values). */
static bool
varlena_images_equal(const char *a, const char *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/* Number of a new group with key "key"; its output values are set later. */
static uint32
add_group(ShmcacheAggState *state, const GroupKey *key)
{
	Size		width = Max(state->ngroupcols, 1);
	int			a;

	if (state->ngroups == state->maxgroups)
	{
		state->maxgroups *= 2;
		state->group_parts = repalloc_huge(state->group_parts,
										   sizeof(int64) * width * state->maxgroups);
		state->group_values = repalloc_huge(state->group_values,
											sizeof(Datum) * width * state->maxgroups);
		state->group_nulls = repalloc_huge(state->group_nulls,
										   sizeof(uint32) * state->maxgroups);
		for (a = 0; a < state->naggs; a++)
			state->accums[a] = repalloc_huge(state->accums[a],
											 sizeof(AggAccum) * state->maxgroups);
	}
	memcpy(group_key_parts(state, state->ngroups), key->parts,
		   sizeof(int64) * state->ngroupcols);
	state->group_nulls[state->ngroups] = key->nulls;
	for (a = 0; a < state->naggs; a++)
		memset(&state->accums[a][state->ngroups], 0, sizeof(AggAccum));
	return state->ngroups++;
}

/*
 * The group of key "key", found by its hash, or a new one (*found false),
 * whose output values the caller sets.
 */
static uint32
find_group(ShmcacheAggState *state, const GroupKey *key, bool *found)
{
	GroupEntry *entry;

	state->probe = key;
	entry = grouphash_insert(state->group_table, GROUP_PROBE, found);
	if (!*found)
		entry->group = add_group(state, key);
	return entry->group;
}

/*
 * The group of key "key", created if new; "chunk" and "slot" give a row of
 * the group, whose column values become the group's output values.
 */
static uint32
lookup_group(ShmcacheAggState *state, const GroupKey *key, const char *chunk,
			 uint32 slot)
{
	bool		found;
	uint32		g = find_group(state, key, &found);
	int			c;

	if (!found)
	{
		const ShmcacheColumn *cols = state->reader.read.version->cols;

		for (c = 0; c < state->ngroupcols; c++)
		{
			bool		isnull;

			group_output_values(state, g)[c] = shmcache_fetch_value(&cols[state->group_cols[c]],
																	chunk, slot, &isnull);
		}
	}
	return g;
}

/*
 * shmcache_agg_strings_create
 *		An empty numbering of text values (see shmcache_agg_string_id).
 */
struct stringhash_hash *
shmcache_agg_strings_create(uint32 size)
{
	return stringhash_create(CurrentMemoryContext, size, NULL);
}

/*
 * shmcache_agg_strings_destroy
 *		Give back the memory of a numbering of text values.
 */
void
shmcache_agg_strings_destroy(struct stringhash_hash *strings)
{
	stringhash_destroy(strings);
}

/*
 * shmcache_agg_string_id
 *		The number "strings" gives the value of dictionary entry "code" (of
 *		a text group column, or of a count(DISTINCT)'s column): the same for
 *		equal values in every chunk.
 */
uint32
shmcache_agg_string_id(struct stringhash_hash *strings, const ShmcacheDict *dict,
					   uint32 code)
{
	StringEntry *entry;
	bool		found;

	entry = stringhash_insert(strings, shmcache_dict_entry(dict, code), &found);
	if (!found)
		entry->id = strings->members - 1;
	return entry->id;
}

/*
 * The group of dictionary entry "code" when grouping by one text column:
 * found by the entry's value number, without hashing a group key; a new
 * group's output value is the entry itself.
 */
static uint32
text_group(ShmcacheAggState *state, const ShmcacheDict *dict, uint32 code)
{
	uint32		id = shmcache_agg_string_id(state->string_table[0], dict, code);

	if (id >= state->nid_groups)
	{
		uint32		n = Max(id + 1, state->nid_groups * 2);

		state->id_group = state->id_group == NULL ?
			palloc(sizeof(uint32) * n) : repalloc(state->id_group, sizeof(uint32) * n);
		memset(state->id_group + state->nid_groups, 0xFF,
			   sizeof(uint32) * (n - state->nid_groups));
		state->nid_groups = n;
	}
	if (state->id_group[id] == UINT32_MAX)
	{
		GroupKey	key;
		uint32		g;

		memset(&key, 0, sizeof(key));
		key.parts[0] = id;
		g = add_group(state, &key);
		group_output_values(state, g)[0] = PointerGetDatum(shmcache_dict_entry(dict, code));
		state->id_group[id] = g;
	}
	return state->id_group[id];
}

/*
 * shmcache_agg_assign_groups
 *		Find the group of every selected row of "chunk" (row_group[j] for the
 *		j-th selected row).  A single text column maps each dictionary entry
 *		the rows use to its group once per chunk; otherwise each row's key is
 *		hashed.
 */
void
shmcache_agg_assign_groups(ShmcacheAggState *state, const char *chunk, uint32 n,
						   bool all)
{
	const ShmcacheColumn *cols = state->reader.read.version->cols;
	const ShmcacheColumn *first = &cols[state->group_cols[0]];
	uint32	   *code_ids[MAX_GROUP_COLUMNS];
	GroupKey	key;
	uint32		j;
	int			c;

	memset(&key, 0, sizeof(key));

	/* per chunk: dictionary codes -> value numbers of text group columns */
	for (c = 0; c < state->ngroupcols; c++)
	{
		const ShmcacheColumn *col = &cols[state->group_cols[c]];

		code_ids[c] = NULL;
		if (col->kind == SHMCACHE_KIND_VARLENA && state->ngroupcols > 1)
		{
			const ShmcacheDict *dict = shmcache_chunk_dict(chunk, col);
			uint32		nentries = shmcache_dict_visible(dict, state->reader.read.own_writes);
			uint32		code;

			if (state->code_ids[c] == NULL)
				state->code_ids[c] = palloc(sizeof(uint32) * SHMCACHE_CHUNK_ROWS);
			code_ids[c] = state->code_ids[c];
			for (code = 0; code < nentries; code++)
				code_ids[c][code] = shmcache_agg_string_id(state->string_table[c], dict, code);
		}
	}

	if (state->ngroupcols == 1 && first->kind == SHMCACHE_KIND_VARLENA)
	{
		const ShmcacheDict *dict = shmcache_chunk_dict(chunk, first);
		const uint16 *codes = (const uint16 *) (chunk + first->values_off);
		uint32		nentries = shmcache_dict_visible(dict, state->reader.read.own_writes);
		bool		has_nulls = shmcache_chunk_has_nulls(chunk, first);
		uint32		code;
		int64		null_group = -1;

		/* each code's group, found by the row that first uses it */
		for (code = 0; code < nentries; code++)
			state->code_group[code] = UINT32_MAX;
		for (j = 0; j < n; j++)
		{
			uint32		i = all ? j : state->sel[j];
			uint32		g;

			if (has_nulls && shmcache_slot_isnull(first, chunk, i))
			{
				if (null_group < 0)
				{
					key.parts[0] = 0;
					key.nulls = 1;
					null_group = lookup_group(state, &key, chunk, i);
				}
				state->row_group[j] = (uint32) null_group;
				continue;
			}
			g = state->code_group[codes[i]];
			if (g == UINT32_MAX)
				g = state->code_group[codes[i]] = text_group(state, dict, codes[i]);
			state->row_group[j] = g;
		}
	}
	else
	{
		for (j = 0; j < n; j++)
		{
			uint32		i = all ? j : state->sel[j];

			key.nulls = 0;
			for (c = 0; c < state->ngroupcols; c++)
			{
				const ShmcacheColumn *col = &cols[state->group_cols[c]];
				const char *values = chunk + col->values_off;

				if (shmcache_slot_isnull(col, chunk, i))
				{
					key.parts[c] = 0;
					key.nulls |= 1 << c;
				}
				else if (code_ids[c] != NULL)
					key.parts[c] = code_ids[c][((const uint16 *) values)[i]];
				else
					key.parts[c] = int_value(col->kind, values, i);
			}
			state->row_group[j] = lookup_group(state, &key, chunk, i);
		}
	}
}

/*
 * The group of integer value "value" of the one group column.
 */
static uint32
int_group(ShmcacheAggState *state, int64 value)
{
	GroupKey	key;
	bool		found;
	uint32		g;

	memset(&key, 0, sizeof(key));
	key.parts[0] = value;
	g = find_group(state, &key, &found);
	if (!found)
		group_output_values(state, g)[0] =
			int_datum(value, TupleDescAttr(state->row_slot->tts_tupleDescriptor,
										   state->group_cols[0])->atttypid);
	return g;
}

/*
 * shmcache_agg_prepare_by_key
 *		Can accumulate_by_key() serve this node: one group column, and only
 *		counts and sums (or averages) of int2, int4 and float columns?  Its
 *		work space is allocated if so.  At executor start.
 */
void
shmcache_agg_prepare_by_key(ShmcacheAggState *state)
{
	TupleDesc	rowdesc = state->row_slot->tts_tupleDescriptor;
	int			a;

	state->by_key = state->mode != AGG_MODE_FINAL && state->ngroupcols == 1;
	for (a = 0; a < state->naggs && state->by_key; a++)
	{
		AggSpec    *agg = &state->aggs[a];

		if (agg->filter != NULL)
		{
			state->by_key = false;
			break;
		}
		switch (agg->kind)
		{
			case AGG_COUNT_STAR:
			case AGG_COUNT:
			case AGG_SUM_INT:
			case AGG_SUM_FLOAT8:
			case AGG_AVG_FLOAT:
				break;
			case AGG_AVG_INT:
				state->by_key = TupleDescAttr(rowdesc, agg->col)->attlen < 8;
				break;
			default:
				state->by_key = false;
		}
	}
	if (!state->by_key)
		return;
	state->key_rows = palloc(sizeof(int64) * SHMCACHE_CHUNK_ROWS);
	state->key_index = palloc(sizeof(uint16) * SHMCACHE_CHUNK_ROWS);
	state->key_sums = palloc0(sizeof(KeySum *) * Max(state->naggs, 1));
	for (a = 0; a < state->naggs; a++)
		if (state->aggs[a].col >= 0)
			state->key_sums[a] = palloc(sizeof(KeySum) * SHMCACHE_CHUNK_ROWS);
}

/*
 * The dense keys of the rows of "chunk" for accumulate_by_key(), by row:
 * the dictionary codes of a text group column, or an integer group
 * column's values minus the chunk's minimum ("base") when they span fewer
 * than 16,384 values; "nkeys" is one more than the largest key.  False if
 * the chunk does not qualify: a NULL in a column read, too wide a span,
 * floats that could overflow (those chunks take the exact path).
 */
static bool
chunk_keys(ShmcacheAggState *state, const char *chunk, uint32 n, bool all,
		   const uint16 **keys, uint32 *nkeys, int64 *base)
{
	const ShmcacheColumn *cols = state->reader.read.version->cols;
	const ShmcacheColumn *group_col = &cols[state->group_cols[0]];
	const ShmcacheStats *stats = shmcache_chunk_stats(chunk, group_col);
	const char *values = chunk + group_col->values_off;
	uint32		last = all ? n : (uint32) state->sel[n - 1] + 1;
	int			a;

	if (!state->by_key || shmcache_chunk_has_nulls(chunk, group_col))
		return false;
	for (a = 0; a < state->naggs; a++)
	{
		AggSpec    *agg = &state->aggs[a];

		if (agg->col < 0)
			continue;
		if (shmcache_chunk_has_nulls(chunk, &cols[agg->col]))
			return false;
		if ((agg->kind == AGG_SUM_FLOAT8 || agg->kind == AGG_AVG_FLOAT) &&
			(agg->exact_floats ||
			 shmcache_agg_floats_may_overflow(agg->kind, &cols[agg->col], chunk)))
			return false;
	}

	*base = 0;
	if (group_col->kind == SHMCACHE_KIND_VARLENA)
	{
		*keys = (const uint16 *) values;
		*nkeys = shmcache_dict_visible(shmcache_chunk_dict(chunk, group_col),
									   state->reader.read.own_writes);
		return true;
	}
	if (!stats->has_range ||
		(uint64) stats->max.i - (uint64) stats->min.i >= SHMCACHE_CHUNK_ROWS)
		return false;
	*base = stats->min.i;
	*nkeys = (uint32) ((uint64) stats->max.i - (uint64) stats->min.i) + 1;
	for (uint32 i = 0; i < last; i++)
		state->key_index[i] = (uint16) (int_value(group_col->kind, values, i) - *base);
	*keys = state->key_index;
	return true;
}

/* SUMS[key of row i].FIELD += value of row i, over the selected rows. */
#define SUM_BY_KEY(T, SUMS, FIELD) \
	do { \
		const T    *v_ = (const T *) values; \
		if (all) \
			for (uint32 j = 0; j < n; j++) (SUMS)[keys[j]].FIELD += v_[j]; \
		else \
			for (uint32 j = 0; j < n; j++) (SUMS)[keys[sel[j]]].FIELD += v_[sel[j]]; \
	} while (0)

/*
 * Grouping by one column whose chunk gives dense keys (chunk_keys): count
 * the rows of each key and sum each aggregate's values per key, in small
 * arrays that stay in the L1 cache (no row needs its group), then add each
 * key's figures to the states of its group.  The float sums are added up in
 * another order than row by row, which may change their last bits, as
 * parallel plans do.
 */
static void
accumulate_by_key(ShmcacheAggState *state, const char *chunk, uint32 n, bool all,
				  const uint16 *keys, uint32 nkeys, int64 base)
{
	const ShmcacheColumn *cols = state->reader.read.version->cols;
	const ShmcacheColumn *group_col = &cols[state->group_cols[0]];
	const uint16 *sel = state->sel;
	int64	   *rows = state->key_rows;
	uint32		k;
	int			a;

	memset(rows, 0, sizeof(int64) * nkeys);
	if (all)
		for (uint32 j = 0; j < n; j++)
			rows[keys[j]]++;
	else
		for (uint32 j = 0; j < n; j++)
			rows[keys[sel[j]]]++;
	for (a = 0; a < state->naggs; a++)
	{
		const AggSpec *agg = &state->aggs[a];
		const ShmcacheColumn *col;
		const char *values;

		if (agg->col < 0 || agg->kind == AGG_COUNT)
			continue;
		col = &cols[agg->col];
		values = chunk + col->values_off;
		if (agg->kind == AGG_SUM_INT || agg->kind == AGG_AVG_INT)
		{
			for (k = 0; k < nkeys; k++)
				state->key_sums[a][k].i = 0;
			if (col->kind == SHMCACHE_KIND_INT16)
				SUM_BY_KEY(int16, state->key_sums[a], i);
			else
				SUM_BY_KEY(int32, state->key_sums[a], i);
		}
		else
		{
			for (k = 0; k < nkeys; k++)
				state->key_sums[a][k].d = 0;
			if (col->kind == SHMCACHE_KIND_FLOAT4)
				SUM_BY_KEY(float4, state->key_sums[a], d);
			else
				SUM_BY_KEY(float8, state->key_sums[a], d);
		}
	}

	for (k = 0; k < nkeys; k++)
	{
		uint32		g;

		if (rows[k] == 0)
			continue;
		g = group_col->kind == SHMCACHE_KIND_VARLENA ?
			text_group(state, shmcache_chunk_dict(chunk, group_col), k) :
			int_group(state, base + k);
		for (a = 0; a < state->naggs; a++)
		{
			AggAccum   *st = &state->accums[a][g];

			st->count += rows[k];
			switch (state->aggs[a].kind)
			{
				case AGG_SUM_INT:
					if (pg_add_s64_overflow(st->sum.i, state->key_sums[a][k].i, &st->sum.i))
						ereport(ERROR,
								(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
								 errmsg("bigint out of range")));
					break;
				case AGG_AVG_INT:
					st->sum.i128 += state->key_sums[a][k].i;
					break;
				case AGG_SUM_FLOAT8:
				case AGG_AVG_FLOAT:
					st->sum.d += state->key_sums[a][k].d;
					break;
				default:
					break;
			}
		}
	}
}

/*
 * shmcache_agg_accumulate_by_key
 *		Accumulate the selected rows of "chunk" by dense key
 *		(accumulate_by_key) if the chunk gives dense keys (chunk_keys); false
 *		if it does not, and nothing was accumulated.
 */
bool
shmcache_agg_accumulate_by_key(ShmcacheAggState *state, const char *chunk,
							   uint32 n, bool all)
{
	const uint16 *keys;
	uint32		nkeys;
	int64		base;

	if (!chunk_keys(state, chunk, n, all, &keys, &nkeys, &base))
		return false;
	accumulate_by_key(state, chunk, n, all, keys, nkeys, base);
	return true;
}

/*
 * shmcache_agg_reset_groups
 *		Start with no groups (or the one group of an aggregate without GROUP
 *		BY).
 */
void
shmcache_agg_reset_groups(ShmcacheAggState *state)
{
	GroupKey	key;
	int			a;
	int			c;

	if (state->group_nulls == NULL)
	{
		Size		width = Max(state->ngroupcols, 1);

		state->maxgroups = 64;
		state->group_parts = palloc(sizeof(int64) * width * state->maxgroups);
		state->group_values = palloc(sizeof(Datum) * width * state->maxgroups);
		state->group_nulls = palloc(sizeof(uint32) * state->maxgroups);
		state->accums = palloc(sizeof(AggAccum *) * Max(state->naggs, 1));
		for (a = 0; a < state->naggs; a++)
			state->accums[a] = palloc(sizeof(AggAccum) * state->maxgroups);
	}
	state->ngroups = 0;

	memset(&key, 0, sizeof(key));
	if (state->grouped)
	{
		if (state->group_table != NULL)
			grouphash_destroy(state->group_table);
		state->group_table = grouphash_create(CurrentMemoryContext, 256, state);
		for (c = 0; c < state->ngroupcols; c++)
		{
			if (state->string_table[c] != NULL)
				shmcache_agg_strings_destroy(state->string_table[c]);
			state->string_table[c] = shmcache_agg_strings_create(256);
		}
		if (state->code_group == NULL)
			state->code_group = palloc(sizeof(uint32) * SHMCACHE_CHUNK_ROWS);
		if (state->id_group != NULL)
			memset(state->id_group, 0xFF, sizeof(uint32) * state->nid_groups);
	}
	else
		add_group(state, &key);
}

/*
 * shmcache_agg_partial_row_group
 *		Finalizing node: the group of the partial row in "slot" (its group
 *		columns come first), created if new; the key values are copied for
 *		the group's output.
 */
uint32
shmcache_agg_partial_row_group(ShmcacheAggState *state, TupleTableSlot *slot)
{
	TupleDesc	rowdesc = state->row_slot->tts_tupleDescriptor;
	Datum		values[MAX_GROUP_COLUMNS];
	GroupKey	key;
	bool		found;
	uint32		g;
	int			c;

	memset(&key, 0, sizeof(key));
	for (c = 0; c < state->ngroupcols; c++)
	{
		Form_pg_attribute attr = TupleDescAttr(rowdesc, state->group_cols[c]);

		values[c] = slot->tts_values[c];
		if (slot->tts_isnull[c])
			key.nulls |= 1 << c;
		else if (attr->attlen == -1)
		{
			StringEntry *string;

			string = stringhash_insert(state->string_table[c],
									   DatumGetPointer(values[c]), &found);
			if (!found)
			{
				string->value = DatumGetPointer(datumCopy(values[c], false, -1));
				string->id = state->string_table[c]->members - 1;
			}
			key.parts[c] = string->id;
			values[c] = PointerGetDatum(string->value);
		}
		else
			key.parts[c] = attr->attlen == 2 ? DatumGetInt16(values[c]) :
				attr->attlen == 4 ? DatumGetInt32(values[c]) : DatumGetInt64(values[c]);
	}
	g = find_group(state, &key, &found);
	if (!found)
		memcpy(group_output_values(state, g), values, sizeof(Datum) * state->ngroupcols);
	return g;
}
