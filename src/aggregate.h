/*-------------------------------------------------------------------------
 *
 * aggregate.h
 *	  Aggregate pushdown: the ShmcacheAggregate custom scan node computes
 *	  count, count(DISTINCT), sum, avg, min and max (optionally grouped,
 *	  optionally filtered)
 *	  straight from a frame's column arrays, without forming a tuple per row.
 *	  This header is private to the node's files, and holds what they share
 *	  (aggregate kinds and states, groups, the node state, the positions of
 *	  the plan's custom_private) and the functions they call across files:
 *
 *	  agg_plan.c	planning: the upper-path hook, costs, serial and parallel
 *					paths, the plan and its custom_private
 *	  agg_exec.c	the executor node: set-up, running through the chunks
 *					or the partial rows, output rows, rescans, parallel DSM,
 *					EXPLAIN
 *	  agg_group.c	groups: their hash table, the group of each row,
 *					accumulation by dense key, the (group, value) sets
 *					of count(DISTINCT)
 *	  agg_accum.c	aggregates: accumulation kernels, partial states
 *					(serialized, combined), final values
 *
 * No loop over a chunk's rows calls across files: each is in the file of
 * what it computes, and the small helpers two of them share are static
 * inline here.  The calls across files are per chunk and aggregate (the
 * finalizing node's, per partial row and aggregate).
 *
 * Layer: the node sits above the reader (reader.h), through which it reads
 * frames, and beside the frame scan (scan.c), whose planning helpers it
 * uses.  Locking: none of its own (see reader.c).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/aggregate.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_AGGREGATE_H
#define SHMCACHE_AGGREGATE_H

#include "catalog/pg_type.h"
#include "nodes/execnodes.h"

#include "nodes.h"
#include "reader.h"

/* GROUP BY columns the node handles */
#define MAX_GROUP_COLUMNS	8

/* What a pushed aggregate computes. */
typedef enum AggKind
{
	AGG_COUNT_STAR,
	AGG_COUNT,
	AGG_SUM_INT,				/* sum(int2/int4) -> int8 */
	AGG_SUM_INT8,				/* sum(int8) -> numeric */
	AGG_AVG_INT,				/* avg(int2/int4/int8) -> numeric */
	AGG_SUM_FLOAT4,				/* sum(float4) -> float4 */
	AGG_SUM_FLOAT8,				/* sum(float8) -> float8 */
	AGG_AVG_FLOAT,				/* avg(float4/float8) -> float8 */
	AGG_SUM_NUMERIC,			/* sum(numeric) -> numeric */
	AGG_AVG_NUMERIC,			/* avg(numeric) -> numeric */
	AGG_MIN_INT,				/* min/max of integer kinds */
	AGG_MAX_INT,
	AGG_MIN_FLOAT,				/* min/max of float kinds */
	AGG_MAX_FLOAT,
	AGG_MIN_GENERIC,			/* min/max by the type's btree comparison */
	AGG_MAX_GENERIC,
	AGG_COUNT_DISTINCT			/* count(DISTINCT) of an integer, date/time,
								 * float or text column; serial only */
} AggKind;

/*
 * What a ShmcacheAggregate node does.  A parallel plan is a finalizing node
 * over a Gather of partial ones.
 */
typedef enum AggMode
{
	AGG_MODE_SERIAL,			/* aggregate the frame, return final values */
	AGG_MODE_PARTIAL,			/* aggregate the chunks this process claims,
								 * return partial states */
	AGG_MODE_FINAL				/* combine the partial states from below */
} AggMode;

/* A pushed aggregate at execution time. */
typedef struct AggSpec
{
	AggKind		kind;
	int			col;			/* 0-based column, -1 for count(*) */
	Oid			collation;		/* input collation (generic min/max) */
	Oid			resulttype;
	FmgrInfo	cmp;			/* generic min/max: btree comparison */
	int16		reflen;			/* typlen of the Datum a state may point to */
	bool		refbyval;		/* (numeric sum, generic min/max) */
	bool		exact_floats;	/* float sum/avg: a chunk needed the exact
								 * path, so do all later ones */
	List	   *filter_clause;	/* FILTER (WHERE ...), implicit AND, or NIL */
	ExprState  *filter;			/* its compiled form, on row_slot */
} AggSpec;

/* The running state of one aggregate in one group. */
typedef struct AggAccum
{
	int64		count;			/* rows (count) or non-null inputs */
	union
	{
		int64		i;
		int128		i128;
		double		d;
		float4		f;
	}			sum;
	double		sumsq;			/* avg(float): sum of squared deviations
								 * (followed only where it could overflow) */
	bool		has;			/* minmax set */
	union
	{
		int64		i;
		double		d;
		Datum		datum;
	}			minmax;
	Datum		numeric;		/* numeric sum, or 0 */
} AggAccum;


/* A group key being looked up */
typedef struct GroupKey
{
	int64		parts[MAX_GROUP_COLUMNS];
	uint32		nulls;
} GroupKey;

/* A sum per key of accumulate_by_key(): of integers or of floats */
typedef union KeySum
{
	int64		i;
	double		d;
} KeySum;

/* Executor state of a ShmcacheAggregate node. */
typedef struct ShmcacheAggState
{
	CustomScanState css;
	ShmcacheReader reader;		/* the frame, its snapshot, its chunks (not
								 * used by a finalizing node) */
	List	   *rest;			/* quals evaluated per row */
	ExprState  *rest_qual;
	TupleTableSlot *row_slot;	/* frame columns, for rest_qual and the
								 * aggregates' FILTER clauses */
	int		   *row_columns;	/* columns they need */
	int			nrow_columns;
	int			ngroupcols;
	int			group_cols[MAX_GROUP_COLUMNS];
	int			naggs;
	AggSpec    *aggs;
	bool		grouped;		/* has GROUP BY */
	AggMode		mode;

	bool		done;			/* aggregation finished */
	MemoryContext numeric_context;	/* numeric sums between chunks */

	/*
	 * groups, numbered in order of appearance: the key of group g is
	 * ngroupcols parts from group_parts[g * ngroupcols] (see
	 * group_key_parts) with null bits group_nulls[g] (bit i: group column i
	 * is null), its output values as many Datums from group_values[g *
	 * ngroupcols]; its aggregate states are in accums
	 */
	int64	   *group_parts;
	Datum	   *group_values;
	uint32	   *group_nulls;
	uint32		ngroups;
	uint32		maxgroups;
	AggAccum  **accums;			/* per aggregate, the states of every group */
	struct grouphash_hash *group_table;	/* key -> group number */
	const GroupKey *probe;		/* the key group_table is looking up */
	/* per group column of text: value -> value number (stringhash) */
	struct stringhash_hash *string_table[MAX_GROUP_COLUMNS];
	/* per aggregate: the values a count(DISTINCT) has seen, or NULL */
	struct DistinctSet **distinct;
	uint32		next_output;

	/* per chunk work space */
	uint16	   *filter_sel;		/* rows an aggregate's FILTER passes */
	uint32	   *filter_group;	/* and their groups */
	uint16	   *sel;
	uint32	   *row_group;		/* group of each selected row */
	uint32	   *code_group;		/* single text group column: per code */
	uint32	   *id_group;		/* single text group column: per value
								 * number, or UINT32_MAX */
	uint32		nid_groups;		/* length of id_group */
	bool		by_key;			/* accumulate_by_key() may take chunks */
	int64	   *key_rows;		/* by_key: rows per key */
	KeySum	  **key_sums;		/* by_key: per aggregate, sums per key */
	uint16	   *key_index;		/* by_key: integer group column: each row's
								 * key */
	uint32	   *code_ids[MAX_GROUP_COLUMNS];	/* text group columns: value
												 * number per code */
} ShmcacheAggState;

/* The positions of a ShmcacheAggregate's custom_private list. */
typedef enum ShmcacheAggPrivate
{
	AGG_PRIVATE_GROUP_COLUMNS,	/* 0-based group columns */
	AGG_PRIVATE_AGGREGATES,		/* per aggregate: (kind, column, collation) */
	AGG_PRIVATE_PUSHED,			/* pushed quals */
	AGG_PRIVATE_ROW_QUALS,		/* quals evaluated per row */
	AGG_PRIVATE_READ_COLUMNS,	/* every column read */
	AGG_PRIVATE_CHECK_AS_USER,	/* one-element OID list */
	AGG_PRIVATE_COLUMN_NAMES,	/* the frame's columns: names, */
	AGG_PRIVATE_COLUMN_TYPES,	/* types */
	AGG_PRIVATE_COLUMN_TYPMODS, /* and typmods */
	AGG_PRIVATE_MODE,			/* AggMode */
	AGG_PRIVATE_FILTERS			/* per aggregate: its FILTER clause, or NULL */
} ShmcacheAggPrivate;

/* The key parts and the output values of group "g". */
#define group_key_parts(state, g) \
	(&(state)->group_parts[(Size) (g) * Max((state)->ngroupcols, 1)])
#define group_output_values(state, g) \
	(&(state)->group_values[(Size) (g) * Max((state)->ngroupcols, 1)])

/* The integer-kind value in slot "i" of a column's values as int64. */
static inline int64
int_value(ShmcacheKind kind, const char *values, uint32 i)
{
	switch (kind)
	{
		case SHMCACHE_KIND_INT16:
			return ((const int16 *) values)[i];
		case SHMCACHE_KIND_INT32:
			return ((const int32 *) values)[i];
		default:
			return ((const int64 *) values)[i];
	}
}

/* An integer-kind value as a Datum of type "type". */
static inline Datum
int_datum(int64 value, Oid type)
{
	switch (type)
	{
		case INT2OID:
			return Int16GetDatum((int16) value);
		case INT4OID:
		case DATEOID:
			return Int32GetDatum((int32) value);
		default:
			return Int64GetDatum(value);
	}
}

/* agg_exec.c */
extern Node *shmcache_agg_create_state(CustomScan *cscan);

/* agg_group.c */
extern void shmcache_agg_prepare_by_key(ShmcacheAggState *state);
extern void shmcache_agg_reset_groups(ShmcacheAggState *state);
extern void shmcache_agg_assign_groups(ShmcacheAggState *state, const char *chunk,
									   uint32 n, bool all);
extern bool shmcache_agg_accumulate_by_key(ShmcacheAggState *state, const char *chunk,
										   uint32 n, bool all);
extern uint32 shmcache_agg_partial_row_group(ShmcacheAggState *state,
											 TupleTableSlot *slot);
extern struct stringhash_hash *shmcache_agg_strings_create(uint32 size);
extern void shmcache_agg_strings_destroy(struct stringhash_hash *strings);
extern uint32 shmcache_agg_string_id(struct stringhash_hash *strings,
									 const ShmcacheDict *dict, uint32 code);

/* agg_distinct.c */
extern void shmcache_agg_reset_distinct(ShmcacheAggState *state);
extern void shmcache_agg_count_distinct(ShmcacheAggState *state, int a,
										const char *chunk, uint32 n, bool all);
extern void shmcache_agg_finish_distinct(ShmcacheAggState *state);

/* agg_accum.c */
extern void shmcache_agg_accumulate(ShmcacheAggState *state, int a, const char *chunk,
									uint32 n, bool all);
extern bool shmcache_agg_floats_may_overflow(AggKind kind, const ShmcacheColumn *col,
											 const char *chunk);
extern void shmcache_agg_compact_numeric_sums(ShmcacheAggState *state);
extern Datum shmcache_agg_serialize_state(ShmcacheAggState *state, int a, uint32 g);
extern void shmcache_agg_combine_serialized(AggSpec *agg, AggAccum *into, Datum image);
extern Datum shmcache_agg_final_value(const AggSpec *agg, const AggAccum *st,
									  bool *isnull);

#endif							/* SHMCACHE_AGGREGATE_H */
