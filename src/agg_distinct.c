/*-------------------------------------------------------------------------
 *
 * agg_distinct.c
 *	  count(DISTINCT col) of the ShmcacheAggregate node.
 *
 * count(DISTINCT col) keeps a set of (group, value) pairs per aggregate: a
 * pair new to the set adds one to its group's count.  Past
 * DISTINCT_DIRECT_MAX pairs (when the set outgrows the caches, and a probe
 * per row would wait on memory) the pairs go instead to 256 partitions by
 * hash, appended in sequence, deduplicated when a partition has doubled and
 * counted at the end, a partition at a time in a set that fits the caches.
 * The value is an integer-kind column's value, a float column's value with
 * -0 and every NaN made one (equal as float8eq has them), or a text
 * column's value number from the aggregate's own stringhash table (equal
 * bytes, the collation being deterministic), taken once per dictionary
 * entry of a chunk.
 *
 * The pairs' hash table is a simplehash instantiation of this file alone
 * (SH_SCOPE static inline), compiled next to the loop that probes it.
 *
 * Layer: the ShmcacheAggregate node (see aggregate.h), reading chunks of
 * the reader's snapshot.  Locking: none; the sets are backend-local.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/agg_distinct.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/float.h"

#include "aggregate.h"

/* A (group, value) pair of a count(DISTINCT) */
typedef struct DistinctKey
{
	uint64		value;
	uint32		group;
} DistinctKey;

static inline uint32
distinct_hash(DistinctKey key)
{
	return (uint32) shmcache_mix64(key.value + key.group * UINT64CONST(0x9E3779B97F4A7C15));
}

typedef struct DistinctEntry
{
	DistinctKey key;
	uint32		hash;
	char		status;
} DistinctEntry;

#define SH_PREFIX		distincthash
#define SH_ELEMENT_TYPE	DistinctEntry
#define SH_KEY_TYPE		DistinctKey
#define SH_KEY			key
#define SH_HASH_KEY(tb, k)	distinct_hash(k)
#define SH_EQUAL(tb, a, b)	((a).value == (b).value && (a).group == (b).group)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a)	((a)->hash)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* A block of the pairs of a partition. */
#define DISTINCT_BLOCK_KEYS		4096
typedef struct DistinctBlock
{
	struct DistinctBlock *next;
	uint32		n;
	DistinctKey keys[DISTINCT_BLOCK_KEYS];
} DistinctBlock;

/*
 * Pairs of a count(DISTINCT) with hashes of one range, once spilled: in
 * blocks appended as they fill, so that no pair is ever copied to grow.
 */
typedef struct DistinctPart
{
	DistinctBlock *head;
	DistinctBlock *tail;
	Size		n;				/* pairs held */
	Size		deduplicated;	/* n after the last deduplication */
} DistinctPart;

#define DISTINCT_DIRECT_MAX		(256 * 1024)
#define DISTINCT_PART_BITS		8

/* The state of one count(DISTINCT) aggregate. */
typedef struct DistinctSet
{
	distincthash_hash *pairs;	/* (group, value) pairs seen, until spilled */
	DistinctPart *parts;		/* then: the pairs, by hash, or NULL */
	struct stringhash_hash *strings;	/* text: value -> value number */
	uint32	   *code_ids;		/* text: value number of each dictionary
								 * entry of the current chunk */
} DistinctSet;

/* An empty set of a count(DISTINCT) of a column of kind "kind". */
static DistinctSet *
distinct_set_create(ShmcacheKind kind)
{
	DistinctSet *set = palloc0(sizeof(DistinctSet));

	set->pairs = distincthash_create(CurrentMemoryContext, 1024, NULL);
	if (kind == SHMCACHE_KIND_VARLENA)
	{
		set->strings = shmcache_agg_strings_create(1024);
		set->code_ids = palloc(sizeof(uint32) * SHMCACHE_CHUNK_ROWS);
	}
	return set;
}

/* Give back the memory of "set" (after shmcache_agg_finish_distinct). */
static void
distinct_set_free(DistinctSet *set)
{
	if (set->pairs != NULL)
		distincthash_destroy(set->pairs);
	if (set->parts != NULL)
		pfree(set->parts);
	if (set->strings != NULL)
	{
		shmcache_agg_strings_destroy(set->strings);
		pfree(set->code_ids);
	}
	pfree(set);
}

/*
 * The distinct value of slot "i" of a column of kind "kind" (see the header
 * comment): floats equal as float8eq has them give the same bits.
 */
static inline uint64
distinct_value(ShmcacheKind kind, const char *values, uint32 i, const uint32 *code_ids)
{
	double		d;
	uint64		bits;

	switch (kind)
	{
		case SHMCACHE_KIND_VARLENA:
			return code_ids[((const uint16 *) values)[i]];
		case SHMCACHE_KIND_FLOAT4:
		case SHMCACHE_KIND_FLOAT8:
			d = kind == SHMCACHE_KIND_FLOAT4 ? ((const float4 *) values)[i] :
				((const float8 *) values)[i];
			if (d == 0)
				d = 0;
			else if (isnan(d))
				d = get_float8_nan();
			memcpy(&bits, &d, sizeof(bits));
			return bits;
		default:
			return (uint64) int_value(kind, values, i);
	}
}

/* Add "key" (hash "hash") to the partition of its hash, which it returns. */
static inline DistinctPart *
distinct_part_add(DistinctSet *set, DistinctKey key, uint32 hash)
{
	DistinctPart *part = &set->parts[hash >> (32 - DISTINCT_PART_BITS)];

	if (part->tail == NULL || part->tail->n == DISTINCT_BLOCK_KEYS)
	{
		DistinctBlock *block = palloc(sizeof(DistinctBlock));

		block->next = NULL;
		block->n = 0;
		if (part->tail == NULL)
			part->head = block;
		else
			part->tail->next = block;
		part->tail = block;
	}
	part->tail->keys[part->tail->n++] = key;
	part->n++;
	return part;
}

/*
 * Keep one of each pair of "part" (in a set the size of the partition),
 * packed into its first blocks; the others are freed.  With "accs", each
 * pair kept adds one to its group's count there.
 */
static void
distinct_part_deduplicate(DistinctPart *part, AggAccum *accs)
{
	distincthash_hash *seen = distincthash_create(CurrentMemoryContext, part->n, NULL);
	DistinctBlock *into = part->head;
	DistinctBlock *block;
	DistinctBlock *next;
	uint32		at = 0;

	for (block = part->head; block != NULL; block = block->next)
	{
		uint32		i;

		for (i = 0; i < block->n; i++)
		{
			bool		found;

			distincthash_insert(seen, block->keys[i], &found);
			if (found)
				continue;
			if (accs != NULL)
				accs[block->keys[i].group].count++;
			if (at == DISTINCT_BLOCK_KEYS)
			{
				into->n = at;
				into = into->next;
				at = 0;
			}
			into->keys[at++] = block->keys[i];
		}
	}
	part->n = part->deduplicated = seen->members;
	distincthash_destroy(seen);
	if (into == NULL)
		return;
	into->n = at;
	for (block = into->next; block != NULL; block = next)
	{
		next = block->next;
		pfree(block);
	}
	into->next = NULL;
	part->tail = into;
}

/*
 * Move the pairs of the set to partitions, and the count of each group
 * back to zero: from now on the partitions count.
 */
static void
distinct_spill(DistinctSet *set, AggAccum *accs, uint32 ngroups)
{
	distincthash_iterator it;
	DistinctEntry *entry;
	uint32		g;

	set->parts = palloc0(sizeof(DistinctPart) << DISTINCT_PART_BITS);
	distincthash_start_iterate(set->pairs, &it);
	while ((entry = distincthash_iterate(set->pairs, &it)) != NULL)
		(void) distinct_part_add(set, entry->key, entry->hash);
	distincthash_destroy(set->pairs);
	set->pairs = NULL;
	for (g = 0; g < ngroups; g++)
		accs[g].count = 0;
}

/*
 * shmcache_agg_count_distinct
 *		Accumulate count(DISTINCT) aggregate "a" over the selected rows of
 *		"chunk": each (group, value) pair not seen before adds one to the
 *		group's count (once partitioned, at shmcache_agg_finish_distinct).
 */
void
shmcache_agg_count_distinct(ShmcacheAggState *state, int a, const char *chunk,
							uint32 n, bool all)
{
	DistinctSet *set = state->distinct[a];
	AggAccum   *accs = state->accums[a];
	const ShmcacheColumn *col = &state->reader.read.version->cols[state->aggs[a].col];
	ShmcacheKind kind = col->kind;
	const char *values = chunk + col->values_off;
	const uint8 *nullbits = (const uint8 *) chunk + col->nulls_off;
	bool		has_nulls = shmcache_chunk_has_nulls(chunk, col);
	uint32		j;

	if (kind == SHMCACHE_KIND_VARLENA)
	{
		const ShmcacheDict *dict = shmcache_chunk_dict(chunk, col);
		uint32		nentries = shmcache_dict_visible(dict, state->reader.read.own_writes);
		uint32		code;

		for (code = 0; code < nentries; code++)
			set->code_ids[code] = shmcache_agg_string_id(set->strings, dict, code);
	}
	for (j = 0; j < n; j++)
	{
		uint32		i = all ? j : state->sel[j];
		DistinctKey key;
		bool		found;

		if (has_nulls && (nullbits[i >> 3] & (1 << (i & 7))))
			continue;
		memset(&key, 0, sizeof(key));
		key.group = state->grouped ? state->row_group[j] : 0;
		key.value = distinct_value(kind, values, i, set->code_ids);
		if (set->parts != NULL)
		{
			DistinctPart *part = distinct_part_add(set, key, distinct_hash(key));

			if (part->n >= 2 * part->deduplicated + 65536)
				distinct_part_deduplicate(part, NULL);
			continue;
		}
		distincthash_insert(set->pairs, key, &found);
		if (!found)
		{
			accs[key.group].count++;
			if (set->pairs->members > DISTINCT_DIRECT_MAX)
				distinct_spill(set, accs, state->ngroups);
		}
	}
}

/*
 * shmcache_agg_finish_distinct
 *		At the end of aggregation: the counts of the count(DISTINCT)
 *		aggregates whose pairs went to partitions.
 */
void
shmcache_agg_finish_distinct(ShmcacheAggState *state)
{
	int			a;

	for (a = 0; a < state->naggs; a++)
	{
		DistinctSet *set = state->distinct[a];
		int			p;

		if (state->aggs[a].kind != AGG_COUNT_DISTINCT || set->parts == NULL)
			continue;
		for (p = 0; p < (1 << DISTINCT_PART_BITS); p++)
		{
			DistinctPart *part = &set->parts[p];
			DistinctBlock *block;
			DistinctBlock *next;

			CHECK_FOR_INTERRUPTS();
			distinct_part_deduplicate(part, state->accums[a]);
			for (block = part->head; block != NULL; block = next)
			{
				next = block->next;
				pfree(block);
			}
			memset(part, 0, sizeof(DistinctPart));
		}
	}
}

/*
 * shmcache_agg_reset_distinct
 *		Empty sets for the count(DISTINCT) aggregates, the sets of an earlier
 *		aggregation (a rescan) freed first.
 */
void
shmcache_agg_reset_distinct(ShmcacheAggState *state)
{
	int			a;

	if (state->distinct == NULL)
		state->distinct = palloc0(sizeof(DistinctSet *) * Max(state->naggs, 1));
	for (a = 0; a < state->naggs; a++)
	{
		if (state->aggs[a].kind != AGG_COUNT_DISTINCT)
			continue;
		if (state->distinct[a] != NULL)
			distinct_set_free(state->distinct[a]);
		state->distinct[a] = distinct_set_create(state->reader.read.version->cols[state->aggs[a].col].kind);
	}
}
