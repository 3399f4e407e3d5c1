/*-------------------------------------------------------------------------
 *
 * agg_accum.c
 *	  The aggregates of the ShmcacheAggregate node: the kernels that
 *	  accumulate an aggregate over the selected rows of a chunk into the
 *	  states (AggAccum) of the rows' groups, and the states of a parallel
 *	  plan, serialized by the partial nodes, then combined and finalized by
 *	  the finalizing node.
 *
 * The kernels work a column and a chunk at a time: a loop per aggregate
 * kind over the column's array, with the value accessors and the iteration
 * over the selected rows (FOR_EACH_INPUT) inline in it.  Without GROUP BY
 * or nulls, integer sums and averages, float8 sums and float averages add
 * up a chunk in a local variable first.  The float sums of a chunk whose
 * min/max show values that could overflow take a row-by-row path that is
 * exactly core's.
 *
 * Results equal the core aggregates': the same result types (sum of int2/
 * int4 is int8, sum of int8 and avg of integers are numeric), NULL for sum,
 * avg, min and max of no rows, "bigint out of range" and float overflow
 * errors where core raises them.  Float sums may differ in the last bits, as
 * they do between serial and parallel plans.
 *
 * Layer: the ShmcacheAggregate node (see aggregate.h), reading the column
 * arrays of chunks of the reader's snapshot.  Locking: none; the states are
 * backend-local, and those of a generic min/max point into the snapshot's
 * pinned version (see reader.c).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/agg_accum.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "aggregate.h"

/* ------------------------------------------------------------------------
 * Accumulation kernels
 * ------------------------------------------------------------------------
 */

/* The float-kind value in slot "i" of a column's values as double. */
static inline double
float_value(ShmcacheKind kind, const char *values, uint32 i)
{
	if (kind == SHMCACHE_KIND_FLOAT4)
		return ((const float4 *) values)[i];
	return ((const float8 *) values)[i];
}

/* NaN-aware "a < b" with NaN above every other value, as float8_lt. */
static inline bool
float_lt(double a, double b)
{
	if (isnan(a))
		return false;
	if (isnan(b))
		return true;
	return a < b;
}

/*
 * Iterate over the selected rows of a column that are not null: i is the
 * row, st the state of its group in "accs" (uses the locals of the function:
 * n, all, sel, grouped, row_group, has_nulls, nullbits).
 */
#define FOR_EACH_INPUT(BODY) \
	do { \
		for (uint32 j = 0; j < n; j++) \
		{ \
			uint32		i = all ? j : sel[j]; \
			AggAccum   *st = &accs[grouped ? row_group[j] : 0]; \
			if (has_nulls && (nullbits[i >> 3] & (1 << (i & 7)))) \
				continue; \
			{ BODY; } \
		} \
	} while (0)

/*
 * Sum of the selected values of an integer column (no nulls among them).
 * A chunk's int2/int4 values cannot overflow the int64 sum; int8 values are
 * summed in 128 bits.
 */
#define SUM_SELECTED(T, ACC) \
	do { \
		const T    *v_ = (const T *) values; \
		if (all) \
			for (uint32 j = 0; j < n; j++) ACC += v_[j]; \
		else \
			for (uint32 j = 0; j < n; j++) ACC += v_[sel[j]]; \
	} while (0)

static int128
sum_ints(ShmcacheKind kind, const char *values, const uint16 *sel, uint32 n, bool all)
{
	int64		sum64 = 0;
	int128		sum128 = 0;

	switch (kind)
	{
		case SHMCACHE_KIND_INT16:
			SUM_SELECTED(int16, sum64);
			return sum64;
		case SHMCACHE_KIND_INT32:
			SUM_SELECTED(int32, sum64);
			return sum64;
		default:
			SUM_SELECTED(int64, sum128);
			return sum128;
	}
}

/*
 * shmcache_agg_floats_may_overflow
 *		Could accumulating this chunk's values of a float column overflow or
 *		meet an infinity or NaN?  Its min/max say: values below the bound
 *		cannot overflow a sum (or avg's sum of squares) of up to 2^32 of
 *		them.  Added to what earlier chunks of larger values gave, they can (a
 *		sum near the limit, or avg's squared distance from a huge mean), so
 *		once a chunk takes the exact path, the later ones do too
 *		(AggSpec.exact_floats).
 */
bool
shmcache_agg_floats_may_overflow(AggKind kind, const ShmcacheColumn *col,
								 const char *chunk)
{
	const ShmcacheStats *stats = shmcache_chunk_stats(chunk, col);
	double		bound = kind == AGG_SUM_FLOAT4 ? 1e28 :
		kind == AGG_AVG_FLOAT ? 1e140 : 1e290;

	if (stats->has_nan)
		return true;
	return stats->has_range &&
		(fabs(stats->min.f) >= bound || fabs(stats->max.f) >= bound);
}

/*
 * Accumulate float sums (and avg's counts) of a chunk whose values cannot
 * overflow anything: tight loops, with four partial sums when there is one
 * group, no null and no filter.
 */
static void
accumulate_floats(ShmcacheAggState *state, AggKind kind, AggAccum *accs,
				  const ShmcacheColumn *col, const char *chunk, uint32 n, bool all)
{
	const uint16 *sel = state->sel;
	const uint32 *row_group = state->row_group;
	bool		grouped = state->grouped;
	ShmcacheKind colkind = col->kind;
	const char *values = chunk + col->values_off;
	const uint8 *nullbits = (const uint8 *) chunk + col->nulls_off;
	bool		has_nulls = shmcache_chunk_has_nulls(chunk, col);

	if (kind == AGG_SUM_FLOAT4)
	{
		FOR_EACH_INPUT(st->count++;
					   st->sum.f += ((const float4 *) values)[i]);
		return;
	}
	if (!grouped && all && !has_nulls && colkind == SHMCACHE_KIND_FLOAT8)
	{
		const float8 *v = (const float8 *) values;
		double		s0 = 0,
					s1 = 0,
					s2 = 0,
					s3 = 0;
		uint32		i;

		for (i = 0; i + 4 <= n; i += 4)
		{
			s0 += v[i];
			s1 += v[i + 1];
			s2 += v[i + 2];
			s3 += v[i + 3];
		}
		for (; i < n; i++)
			s0 += v[i];
		accs[0].sum.d += (s0 + s1) + (s2 + s3);
		accs[0].count += n;
		return;
	}
	if (!grouped && !has_nulls)
	{
		double		sum = 0;

		if (colkind == SHMCACHE_KIND_FLOAT8)
			SUM_SELECTED(float8, sum);
		else
			SUM_SELECTED(float4, sum);
		accs[0].sum.d += sum;
		accs[0].count += n;
		return;
	}
	FOR_EACH_INPUT(st->count++;
				   st->sum.d += float_value(colkind, values, i));
}

/*
 * Accumulate float sums and averages row by row exactly as core's transition
 * functions do (float8pl, float4pl, float8_accum's Youngs-Cramer update),
 * raising their overflow error where they would: for chunks holding huge,
 * infinite or NaN values.  avg's sum of squared deviations is only followed
 * here; in chunks of smaller values it cannot reach infinity.
 */
static void
accumulate_floats_exactly(AggKind kind, AggAccum *accs, const ShmcacheColumn *col,
						  const char *chunk, const uint16 *sel,
						  const uint32 *row_group, bool grouped, uint32 n, bool all)
{
	for (uint32 j = 0; j < n; j++)
	{
		uint32		i = all ? j : sel[j];
		AggAccum   *st = &accs[grouped ? row_group[j] : 0];

		if (shmcache_slot_isnull(col, chunk, i))
			continue;
		if (kind == AGG_SUM_FLOAT4)
			st->sum.f = float4_pl(st->sum.f, ((const float4 *) (chunk + col->values_off))[i]);
		else if (kind == AGG_SUM_FLOAT8)
			st->sum.d = float8_pl(st->sum.d, float_value(col->kind, chunk + col->values_off, i));
		else
		{
			double		x = float_value(col->kind, chunk + col->values_off, i);
			double		sx = st->sum.d + x;

			if (st->count > 0)
			{
				double		n1 = (double) st->count + 1.0;
				double		tmp = x * n1 - sx;
				double		sxx = st->sumsq + tmp * tmp / (n1 * st->count);

				if (isinf(sx) || isinf(sxx))
				{
					if (!isinf(st->sum.d) && !isinf(x))
						float_overflow_error();
					sxx = get_float8_nan();
				}
				st->sumsq = sxx;
			}
			else if (isnan(x) || isinf(x))
				st->sumsq = get_float8_nan();
			st->sum.d = sx;
		}
		st->count++;
	}
}

/*
 * shmcache_agg_accumulate
 *		Accumulate aggregate "a" over the selected rows of "chunk" (into the
 *		states of their groups, row_group[], when grouped).
 */
void
shmcache_agg_accumulate(ShmcacheAggState *state, int a, const char *chunk, uint32 n,
						bool all)
{
	AggSpec    *agg = &state->aggs[a];
	AggAccum   *accs = state->accums[a];
	const uint16 *sel = state->sel;
	const uint32 *row_group = state->row_group;
	bool		grouped = state->grouped;
	const ShmcacheColumn *col;
	ShmcacheKind kind;
	const char *values;
	const uint8 *nullbits;
	bool		has_nulls;

	if (agg->kind == AGG_COUNT_STAR)
	{
		if (!grouped)
			accs[0].count += n;
		else
		{
			for (uint32 j = 0; j < n; j++)
				accs[row_group[j]].count++;
		}
		return;
	}
	/* local copies: stores to the states could alias the column header */
	col = &state->reader.read.version->cols[agg->col];
	kind = col->kind;
	values = chunk + col->values_off;
	nullbits = (const uint8 *) chunk + col->nulls_off;
	has_nulls = shmcache_chunk_has_nulls(chunk, col);

	switch (agg->kind)
	{
		case AGG_COUNT:
			FOR_EACH_INPUT(st->count++);
			break;
		case AGG_SUM_INT:
		case AGG_SUM_INT8:
		case AGG_AVG_INT:
			if (!grouped && !has_nulls)
			{
				/* one group: sum the chunk in a register, then add */
				int128		sum = sum_ints(kind, values, sel, n, all);

				if (agg->kind != AGG_SUM_INT)
					accs[0].sum.i128 += sum;
				else if (pg_add_s64_overflow(accs[0].sum.i, (int64) sum, &accs[0].sum.i))
					ereport(ERROR,
							(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
							 errmsg("bigint out of range")));
				accs[0].count += n;
			}
			else if (agg->kind == AGG_SUM_INT)
				FOR_EACH_INPUT(
							   st->count++;
							   if (pg_add_s64_overflow(st->sum.i, int_value(kind, values, i), &st->sum.i))
							   ereport(ERROR,
									   (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
										errmsg("bigint out of range"))));
			else
				FOR_EACH_INPUT(st->count++;
							   st->sum.i128 += int_value(kind, values, i));
			break;
		case AGG_SUM_FLOAT8:
		case AGG_AVG_FLOAT:
		case AGG_SUM_FLOAT4:
			if (agg->exact_floats ||
				shmcache_agg_floats_may_overflow(agg->kind, col, chunk))
			{
				agg->exact_floats = true;
				accumulate_floats_exactly(agg->kind, accs, col, chunk, sel,
										  row_group, grouped, n, all);
			}
			else
				accumulate_floats(state, agg->kind, accs, col, chunk, n, all);
			break;
		case AGG_SUM_NUMERIC:
		case AGG_AVG_NUMERIC:
			{
				MemoryContext old = MemoryContextSwitchTo(state->numeric_context);
				bool		isnull;

				FOR_EACH_INPUT(
							   Datum v = shmcache_fetch_value(col, chunk, i, &isnull);

							   st->numeric = st->count++ == 0 ? v :
							   DirectFunctionCall2(numeric_add, st->numeric, v));
				MemoryContextSwitchTo(old);
			}
			break;
		case AGG_MIN_INT:
			FOR_EACH_INPUT(
						   int64 v = int_value(kind, values, i);

						   if (!st->has || v < st->minmax.i)
						   st->minmax.i = v;
						   st->has = true);
			break;
		case AGG_MAX_INT:
			FOR_EACH_INPUT(
						   int64 v = int_value(kind, values, i);

						   if (!st->has || v > st->minmax.i)
						   st->minmax.i = v;
						   st->has = true);
			break;
			/*
			 * min and max keep the later of equal values (-0 and 0, 1.0 and
			 * 1.00, equal text under a nondeterministic collation), as core's
			 * smaller/larger functions do.
			 */
		case AGG_MIN_FLOAT:
			FOR_EACH_INPUT(
						   double v = float_value(kind, values, i);

						   if (!st->has || !float_lt(st->minmax.d, v))
						   st->minmax.d = v;
						   st->has = true);
			break;
		case AGG_MAX_FLOAT:
			FOR_EACH_INPUT(
						   double v = float_value(kind, values, i);

						   if (!st->has || !float_lt(v, st->minmax.d))
						   st->minmax.d = v;
						   st->has = true);
			break;
		case AGG_MIN_GENERIC:
		case AGG_MAX_GENERIC:
			{
				bool		isnull;
				int			sign = agg->kind == AGG_MIN_GENERIC ? 1 : -1;

				FOR_EACH_INPUT(
							   Datum v = shmcache_fetch_value(col, chunk, i, &isnull);

							   if (!st->has ||
								   sign * DatumGetInt32(FunctionCall2Coll(&agg->cmp, agg->collation,
																		  v, st->minmax.datum)) <= 0)
							   st->minmax.datum = v;
							   st->has = true);
			}
			break;
		default:
			elog(ERROR, "unexpected pushed aggregate %d", agg->kind);
	}
}

/*
 * shmcache_agg_compact_numeric_sums
 *		Copy the numeric sums out of their context, which is then reset.
 */
void
shmcache_agg_compact_numeric_sums(ShmcacheAggState *state)
{
	MemoryContext fresh = AllocSetContextCreate(GetMemoryChunkContext(state->group_nulls),
												"shmcache numeric sums",
												ALLOCSET_DEFAULT_SIZES);
	uint32		g;
	int			a;

	for (g = 0; g < state->ngroups; g++)
	{
		for (a = 0; a < state->naggs; a++)
		{
			AggAccum   *st = &state->accums[a][g];

			if ((state->aggs[a].kind == AGG_SUM_NUMERIC ||
				 state->aggs[a].kind == AGG_AVG_NUMERIC) && st->count > 0)
			{
				MemoryContext old = MemoryContextSwitchTo(fresh);

				st->numeric = datumCopy(st->numeric, false, -1);
				MemoryContextSwitchTo(old);
			}
		}
	}
	MemoryContextDelete(state->numeric_context);
	state->numeric_context = fresh;
}

/* ------------------------------------------------------------------------
 * States: partial states of a parallel plan, their combination, final
 * values
 * ------------------------------------------------------------------------
 */

/*
 * shmcache_agg_serialize_state
 *		The partial state of aggregate "a" in group "g" as a bytea: the
 *		AggAccum, then the image of the Datum it points to, if any (a numeric
 *		sum, a by-reference min or max).  Participants of a parallel plan run
 *		the same binary, so the struct travels as it is.
 */
Datum
shmcache_agg_serialize_state(ShmcacheAggState *state, int a, uint32 g)
{
	const AggSpec *agg = &state->aggs[a];
	const AggAccum *st = &state->accums[a][g];
	Datum		ref = (Datum) 0;
	Size		reflen = 0;
	bytea	   *image;

	if (!agg->refbyval)
	{
		if (agg->kind == AGG_SUM_NUMERIC || agg->kind == AGG_AVG_NUMERIC)
			ref = st->count > 0 ? st->numeric : (Datum) 0;
		else if (st->has)
			ref = st->minmax.datum;
		if (ref != (Datum) 0)
			reflen = datumGetSize(ref, false, agg->reflen);
	}
	image = palloc(VARHDRSZ + sizeof(AggAccum) + reflen);
	SET_VARSIZE(image, VARHDRSZ + sizeof(AggAccum) + reflen);
	memcpy(VARDATA(image), st, sizeof(AggAccum));
	if (reflen > 0)
		memcpy(VARDATA(image) + sizeof(AggAccum), DatumGetPointer(ref), reflen);
	return PointerGetDatum(image);
}

/*
 * The state in a partial state image, its Datum copied out (aligned) into
 * the current memory context.
 */
static void
deserialize_state(const AggSpec *agg, Datum image, AggAccum *st)
{
	const char *data = VARDATA_ANY(DatumGetPointer(image));
	Size		reflen = VARSIZE_ANY_EXHDR(DatumGetPointer(image)) - sizeof(AggAccum);

	memcpy(st, data, sizeof(AggAccum));
	if (reflen > 0)
	{
		char	   *ref = palloc(reflen);

		memcpy(ref, data + sizeof(AggAccum), reflen);
		if (agg->kind == AGG_SUM_NUMERIC || agg->kind == AGG_AVG_NUMERIC)
			st->numeric = PointerGetDatum(ref);
		else
			st->minmax.datum = PointerGetDatum(ref);
	}
}

/*
 * Add partial state "from" to "into", as the core aggregates' combine
 * functions do (int8pl, float8pl, float4pl, float8_combine, numeric_add,
 * the min/max functions), with their overflow errors.
 */
static void
combine_state(AggSpec *agg, AggAccum *into, const AggAccum *from)
{
	switch (agg->kind)
	{
		case AGG_COUNT_STAR:
		case AGG_COUNT:
			into->count += from->count;
			break;
		case AGG_SUM_INT:
			if (pg_add_s64_overflow(into->sum.i, from->sum.i, &into->sum.i))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("bigint out of range")));
			into->count += from->count;
			break;
		case AGG_SUM_INT8:
		case AGG_AVG_INT:
			into->sum.i128 += from->sum.i128;
			into->count += from->count;
			break;
		case AGG_SUM_FLOAT4:
			into->sum.f = float4_pl(into->sum.f, from->sum.f);
			into->count += from->count;
			break;
		case AGG_SUM_FLOAT8:
			into->sum.d = float8_pl(into->sum.d, from->sum.d);
			into->count += from->count;
			break;
		case AGG_AVG_FLOAT:
			if (into->count == 0)
				*into = *from;
			else if (from->count > 0)
			{
				double		n1 = into->count;
				double		n2 = from->count;
				double		tmp = into->sum.d / n1 - from->sum.d / n2;
				double		sxx = into->sumsq + from->sumsq + n1 * n2 * tmp * tmp / (n1 + n2);

				into->sum.d = float8_pl(into->sum.d, from->sum.d);
				if (unlikely(isinf(sxx)) && !isinf(into->sumsq) && !isinf(from->sumsq))
					float_overflow_error();
				into->sumsq = sxx;
				into->count += from->count;
			}
			break;
		case AGG_SUM_NUMERIC:
		case AGG_AVG_NUMERIC:
			if (from->count > 0)
				into->numeric = into->count == 0 ? from->numeric :
					DirectFunctionCall2(numeric_add, into->numeric, from->numeric);
			into->count += from->count;
			break;
		case AGG_MIN_INT:
		case AGG_MAX_INT:
			if (from->has &&
				(!into->has || (agg->kind == AGG_MIN_INT ?
								from->minmax.i < into->minmax.i :
								from->minmax.i > into->minmax.i)))
				into->minmax.i = from->minmax.i;
			into->has |= from->has;
			break;
		case AGG_MIN_FLOAT:
		case AGG_MAX_FLOAT:
			if (from->has &&
				(!into->has || (agg->kind == AGG_MIN_FLOAT ?
								float_lt(from->minmax.d, into->minmax.d) :
								float_lt(into->minmax.d, from->minmax.d))))
				into->minmax.d = from->minmax.d;
			into->has |= from->has;
			break;
		case AGG_MIN_GENERIC:
		case AGG_MAX_GENERIC:
			if (from->has)
			{
				int			sign = agg->kind == AGG_MIN_GENERIC ? 1 : -1;

				if (!into->has ||
					sign * DatumGetInt32(FunctionCall2Coll(&agg->cmp,
														   agg->collation,
														   from->minmax.datum,
														   into->minmax.datum)) < 0)
					into->minmax.datum = from->minmax.datum;
				into->has = true;
			}
			break;
		case AGG_COUNT_DISTINCT:
			/* never planned in parallel (agg_plan.c) */
			elog(ERROR, "count(DISTINCT) has no partial states");
	}
}

/*
 * shmcache_agg_combine_serialized
 *		Add the partial state serialized in "image" (a partial node's
 *		output) to "into"; what it points to is copied into the current
 *		memory context.
 */
void
shmcache_agg_combine_serialized(AggSpec *agg, AggAccum *into, Datum image)
{
	AggAccum	from;

	deserialize_state(agg, image, &from);
	combine_state(agg, into, &from);
}

/* An int128 as numeric. */
static Datum
int128_numeric(int128 value)
{
	const int64 base = INT64CONST(1000000000000000000);

	if (value >= PG_INT64_MIN && value <= PG_INT64_MAX)
		return NumericGetDatum(int64_to_numeric((int64) value));
	return DirectFunctionCall2(numeric_add,
							   DirectFunctionCall2(numeric_mul,
												   int128_numeric(value / base),
												   NumericGetDatum(int64_to_numeric(base))),
							   NumericGetDatum(int64_to_numeric((int64) (value % base))));
}

/*
 * shmcache_agg_final_value
 *		The final value of aggregate "agg" from state "st".
 */
Datum
shmcache_agg_final_value(const AggSpec *agg, const AggAccum *st, bool *isnull)
{
	*isnull = false;
	switch (agg->kind)
	{
		case AGG_COUNT_STAR:
		case AGG_COUNT:
		case AGG_COUNT_DISTINCT:
			return Int64GetDatum(st->count);
		default:
			break;
	}
	if (st->count == 0 && !st->has)
	{
		*isnull = true;
		return (Datum) 0;
	}
	switch (agg->kind)
	{
		case AGG_SUM_INT:
			return Int64GetDatum(st->sum.i);
		case AGG_SUM_INT8:
			return int128_numeric(st->sum.i128);
		case AGG_AVG_INT:
			return DirectFunctionCall2(numeric_div, int128_numeric(st->sum.i128),
									   NumericGetDatum(int64_to_numeric(st->count)));
		case AGG_SUM_FLOAT4:
			return Float4GetDatum(st->sum.f);
		case AGG_SUM_FLOAT8:
			return Float8GetDatum(st->sum.d);
		case AGG_AVG_FLOAT:
			return Float8GetDatum(st->sum.d / st->count);
		case AGG_SUM_NUMERIC:
			return st->numeric;
		case AGG_AVG_NUMERIC:
			return DirectFunctionCall2(numeric_div, st->numeric,
									   NumericGetDatum(int64_to_numeric(st->count)));
		case AGG_MIN_INT:
		case AGG_MAX_INT:
			return int_datum(st->minmax.i, agg->resulttype);
		case AGG_MIN_FLOAT:
		case AGG_MAX_FLOAT:
			return agg->resulttype == FLOAT4OID ?
				Float4GetDatum((float4) st->minmax.d) : Float8GetDatum(st->minmax.d);
		default:
			return st->minmax.datum;
	}
}
