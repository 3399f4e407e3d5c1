/*-------------------------------------------------------------------------
 *
 * filter.c
 *	  Column-wise filters: the quals of a frame scan of the form "column op
 *	  constant" evaluated over a whole chunk at a time, producing the list of
 *	  matching rows before any tuple is formed, and chunk skipping by the
 *	  chunks' min/max and null counts.
 *
 * Pushed shapes: "column op expr" and "expr op column" with a strict,
 * non-volatile operator; "column op ANY (array expr)" (IN lists);
 * "column IS [NOT] NULL".  The expression side may not reference columns,
 * volatile functions, subplans or executor parameters; it is evaluated once
 * when the scan starts, so parameters of a generic plan and stable functions
 * like now() work.  BETWEEN and AND-ed conditions arrive as separate quals.
 *
 * Evaluation picks one of three representations per filter:
 *	 - integers: the column is of an integer kind and the operator compares
 *	   within the integer types (int2/int4/int8) or within the column's own
 *	   type (date, time, timestamp, timestamptz): native int64 comparisons in
 *	   tight loops, and min/max skipping;
 *	 - floats: float4/float8 columns and constants, native comparisons with
 *	   PostgreSQL's NaN ordering (NaN equals NaN and sorts above everything),
 *	   and min/max skipping;
 *	 - generic: the operator's own function, called once per dictionary
 *	   entry for variable-width columns (text, numeric, ...: the rows then
 *	   only look up their code) and once per row for other fixed-width types.
 *
 * Which quals are pushed, and how EXPLAIN shows them, is filter_plan.c's.
 *
 * Layer: filters, below the reader (which applies them to each chunk it
 * hands out).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/filter.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

#include "filter.h"

/* btree strategy number used here for "<>" (as get_op_btree_interpretation) */
#define STRATEGY_NE			ROWCOMPARE_NE

typedef enum FilterType
{
	FILTER_COMPARE,				/* column op constant */
	FILTER_ANY,					/* column op ANY (array) */
	FILTER_IS_NULL,
	FILTER_IS_NOT_NULL
} FilterType;

typedef enum FilterRep
{
	REP_INT,
	REP_FLOAT,
	REP_GENERIC
} FilterRep;

/* One pushed qual, compiled. */
typedef struct Filter
{
	Expr	   *clause;			/* the qual as planned */
	int			col;			/* 0-based column */
	FilterType	type;
	bool		var_on_right;	/* "constant op column" */
	Oid			opno;			/* the operator (compare, any) */
	Oid			argtype;		/* type of the constant (element type for
								 * any) */
	ExprState  *arg;			/* the constant's expression */
	FmgrInfo	fn;				/* generic: the operator's function */
	Oid			collation;		/* its input collation */
	int			strategy;		/* integer and float: btree strategy */
	FilterRep	rep;

	/* Bound at scan start */
	FilterType	eval_type;		/* how it is evaluated (see reduce_any) */
	bool		never;			/* no row can match (null constant) */
	int			nvals;			/* constants (1 for compare) */
	int64	   *ivals;
	double	   *fvals;
	Datum	   *dvals;
	bool	   *dict_match;		/* generic on a dictionary: per entry */
	struct valueset_hash *set; /* a long = ANY list of integers or floats
								 * as a hash set (of float_key for floats),
								 * or NULL */
	uint64	   *set_bits;		/* SET_BITS bits: one per bit_of(key) of
								 * the keys, so that most values not in the
								 * set are told by one bit */
} Filter;

#define SET_BITS			65536

/* A value of a hash set of a long = ANY list (simplehash). */
typedef struct ValueSetEntry
{
	uint64		key;
	char		status;
} ValueSetEntry;

#define SH_PREFIX		valueset
#define SH_ELEMENT_TYPE	ValueSetEntry
#define SH_KEY_TYPE		uint64
#define SH_KEY			key
#define SH_HASH_KEY(tb, key)	shmcache_hash_int64(key)
#define SH_EQUAL(tb, a, b)	((a) == (b))
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* = ANY lists at least this long are probed through a hash set. */
#define HASHED_LIST_MIN		8

static void build_value_set(Filter *f);

struct ShmcacheFilters
{
	int			nfilters;
	Filter	   *filters;
	const ShmcacheVersion *version;
	bool		own_writes;
	bool		never;			/* some filter can match no row */
};

/* ------------------------------------------------------------------------
 * Executor: compiling and binding
 * ------------------------------------------------------------------------
 */

static bool
is_integer_type(Oid typid)
{
	return typid == INT2OID || typid == INT4OID || typid == INT8OID;
}

/*
 * The strategy of "opno" as "column op constant" in the default btree
 * operator family of the column's type "coltype" (STRATEGY_NE for the
 * negator of its equality), or 0 if it is not one of that family's
 * comparisons: only then do native comparisons mean what the operator means.
 */
static int
btree_strategy(Oid opno, Oid coltype, bool var_on_right)
{
	Oid			opclass = GetDefaultOpClass(coltype, BTREE_AM_OID);
	Oid			opfamily;
	Oid			negator;
	int			strategy;

	if (!OidIsValid(opclass))
		return 0;
	opfamily = get_opclass_family(opclass);
	strategy = get_op_opfamily_strategy(opno, opfamily);
	if (strategy == 0)
	{
		negator = get_negator(opno);
		if (OidIsValid(negator) &&
			get_op_opfamily_strategy(negator, opfamily) == BTEqualStrategyNumber)
			return STRATEGY_NE;
		return 0;
	}
	if (var_on_right && strategy != BTEqualStrategyNumber)
		strategy = BTMaxStrategyNumber + 1 - strategy;	/* < is > mirrored */
	return strategy;
}

/*
 * Choose how a compare or any filter on column "col" is evaluated: natively
 * when both sides are integers or floats compared as such, else through the
 * operator's function.
 */
static FilterRep
choose_rep(Filter *f, const ShmcacheColumn *col)
{
	Oid			coltype = getBaseType(col->typid);
	Oid			argtype = getBaseType(f->argtype);

	f->strategy = btree_strategy(f->opno, coltype, f->var_on_right);
	if (f->strategy == 0)
		return REP_GENERIC;
	if (SHMCACHE_KIND_IS_INT(col->kind) &&
		((is_integer_type(coltype) && is_integer_type(argtype)) || coltype == argtype))
		return REP_INT;
	if (SHMCACHE_KIND_IS_FLOAT(col->kind) &&
		(argtype == FLOAT4OID || argtype == FLOAT8OID))
		return REP_FLOAT;
	return REP_GENERIC;
}

/*
 * shmcache_filters_create
 *		Compile the pushed quals "clauses" (as split_clause accepts them) for
 *		a scan node "parent".  Returns NULL if there are none.
 */
ShmcacheFilters *
shmcache_filters_create(List *clauses, PlanState *parent)
{
	ShmcacheFilters *filters;
	ListCell   *lc;

	if (clauses == NIL)
		return NULL;
	filters = palloc0(sizeof(ShmcacheFilters));
	filters->filters = palloc0(sizeof(Filter) * list_length(clauses));
	foreach(lc, clauses)
	{
		Expr	   *clause = lfirst(lc);
		Filter	   *f = &filters->filters[filters->nfilters++];
		Var		   *var;
		Expr	   *constant;

		if (!shmcache_filter_split(clause, 0, &var, &constant, &f->var_on_right))
			elog(ERROR, "unexpected pushed qual in a frame scan");
		fix_opfuncids((Node *) clause);
		f->clause = clause;
		f->col = var->varattno - 1;
		if (IsA(clause, NullTest))
		{
			f->type = ((NullTest *) clause)->nulltesttype == IS_NULL ?
				FILTER_IS_NULL : FILTER_IS_NOT_NULL;
			continue;
		}
		if (IsA(clause, OpExpr))
		{
			f->type = FILTER_COMPARE;
			f->opno = ((OpExpr *) clause)->opno;
			f->collation = ((OpExpr *) clause)->inputcollid;
			f->argtype = exprType((Node *) constant);
			fmgr_info(((OpExpr *) clause)->opfuncid, &f->fn);
		}
		else
		{
			f->type = FILTER_ANY;
			f->opno = ((ScalarArrayOpExpr *) clause)->opno;
			f->collation = ((ScalarArrayOpExpr *) clause)->inputcollid;
			f->argtype = get_element_type(exprType((Node *) constant));
			fmgr_info(((ScalarArrayOpExpr *) clause)->opfuncid, &f->fn);
		}
		f->arg = ExecInitExpr(constant, parent);
	}
	return filters;
}

/* Convert a non-null constant to the filter's native representation. */
static void
bind_value(Filter *f, int i, Datum value)
{
	Oid			argtype = getBaseType(f->argtype);

	f->dvals[i] = value;
	if (f->rep == REP_INT)
	{
		switch (argtype)
		{
			case INT2OID:
				f->ivals[i] = DatumGetInt16(value);
				break;
			case INT4OID:
			case DATEOID:
				f->ivals[i] = DatumGetInt32(value);
				break;
			default:
				f->ivals[i] = DatumGetInt64(value);
				break;
		}
	}
	else if (f->rep == REP_FLOAT)
		f->fvals[i] = argtype == FLOAT4OID ? DatumGetFloat4(value) : DatumGetFloat8(value);
}

/* Compare constants a and b of a native filter, NaN above everything. */
static int
compare_constants(const Filter *f, int a, int b)
{
	if (f->rep == REP_INT)
		return (f->ivals[a] > f->ivals[b]) - (f->ivals[a] < f->ivals[b]);
	if (isnan(f->fvals[a]) || isnan(f->fvals[b]))
		return isnan(f->fvals[a]) - isnan(f->fvals[b]);
	return (f->fvals[a] > f->fvals[b]) - (f->fvals[a] < f->fvals[b]);
}

/*
 * "column op ANY (array)" with an ordering operator holds when "column op
 * e" holds for the array's largest element (<, <=) or its smallest (>, >=);
 * with <>, for every non-null value unless all elements are equal.  Turn
 * such a filter into one comparison (or an IS NOT NULL test).
 */
static void
reduce_any(Filter *f)
{
	int			pick = 0;
	bool		all_equal = true;
	int			k;

	for (k = 1; k < f->nvals; k++)
	{
		int			c = compare_constants(f, k, pick);

		all_equal &= (compare_constants(f, k, 0) == 0);
		if ((f->strategy == BTLessStrategyNumber || f->strategy == BTLessEqualStrategyNumber) ?
			c > 0 : c < 0)
			pick = k;
	}
	if (f->strategy == STRATEGY_NE && !all_equal)
	{
		f->eval_type = FILTER_IS_NOT_NULL;
		return;
	}
	f->eval_type = FILTER_COMPARE;
	f->ivals[0] = f->ivals[pick];
	f->fvals[0] = f->fvals[pick];
	f->dvals[0] = f->dvals[pick];
	f->nvals = 1;
}

/* Evaluate a filter's constant side: one value, or the non-null elements. */
static void
bind_filter(Filter *f, const ShmcacheColumn *col, ExprContext *econtext)
{
	bool		isnull;
	Datum		value;

	f->never = false;
	f->eval_type = f->type;
	if (f->type == FILTER_IS_NULL || f->type == FILTER_IS_NOT_NULL)
		return;
	f->rep = choose_rep(f, col);
	value = ExecEvalExprSwitchContext(f->arg, econtext, &isnull);
	if (isnull)
	{
		f->never = true;		/* a strict operator yields null */
		return;
	}
	if (f->type == FILTER_COMPARE)
	{
		f->nvals = 1;
		f->ivals = palloc(sizeof(int64));
		f->fvals = palloc(sizeof(double));
		f->dvals = palloc(sizeof(Datum));
		bind_value(f, 0, value);
	}
	else
	{
		ArrayType  *array = DatumGetArrayTypeP(value);
		int16		elmlen;
		bool		elmbyval;
		char		elmalign;
		Datum	   *elems;
		bool	   *elemnulls;
		int			nelems;
		int			i;

		get_typlenbyvalalign(ARR_ELEMTYPE(array), &elmlen, &elmbyval, &elmalign);
		deconstruct_array(array, ARR_ELEMTYPE(array), elmlen, elmbyval, elmalign,
						  &elems, &elemnulls, &nelems);
		f->ivals = palloc(sizeof(int64) * Max(nelems, 1));
		f->fvals = palloc(sizeof(double) * Max(nelems, 1));
		f->dvals = palloc(sizeof(Datum) * Max(nelems, 1));
		f->nvals = 0;
		/* A null element never makes "x op ANY" true; skip it. */
		for (i = 0; i < nelems; i++)
		{
			if (!elemnulls[i])
				bind_value(f, f->nvals++, elems[i]);
		}
		f->never = (f->nvals == 0);
		if (!f->never && f->rep != REP_GENERIC && f->strategy != BTEqualStrategyNumber)
			reduce_any(f);
		f->set = NULL;
		if (f->rep != REP_GENERIC && f->eval_type == FILTER_ANY &&
			f->nvals >= HASHED_LIST_MIN)
			build_value_set(f);
	}
	if (f->rep == REP_GENERIC && col->kind == SHMCACHE_KIND_VARLENA &&
		f->dict_match == NULL)
		f->dict_match = palloc(sizeof(bool) * SHMCACHE_CHUNK_ROWS);
}

/*
 * shmcache_filters_bind
 *		Evaluate the constants of "filters" for a scan of "version" starting
 *		now; "own_writes" as in ShmcacheRead.
 */
void
shmcache_filters_bind(ShmcacheFilters *filters, const ShmcacheVersion *version,
					  bool own_writes, ExprContext *econtext)
{
	int			i;

	filters->version = version;
	filters->own_writes = own_writes;
	filters->never = false;
	for (i = 0; i < filters->nfilters; i++)
	{
		Filter	   *f = &filters->filters[i];

		bind_filter(f, &version->cols[f->col], econtext);
		filters->never |= f->never;
	}
}

/* ------------------------------------------------------------------------
 * Executor: chunk skipping
 * ------------------------------------------------------------------------
 */

/* May a value in [min, max] satisfy "value <strategy> c" (integers)? */
static bool
int_range_may_match(int strategy, int64 min, int64 max, int64 c)
{
	switch (strategy)
	{
		case BTLessStrategyNumber:
			return min < c;
		case BTLessEqualStrategyNumber:
			return min <= c;
		case BTEqualStrategyNumber:
			return min <= c && c <= max;
		case BTGreaterEqualStrategyNumber:
			return max >= c;
		case BTGreaterStrategyNumber:
			return max > c;
		default:				/* <> */
			return min != c || max != c;
	}
}

/*
 * May a non-NaN value in [min, max] (if has_range) or a NaN (if has_nan)
 * satisfy "value <strategy> c" under PostgreSQL's float ordering?
 */
static bool
float_range_may_match(int strategy, const ShmcacheStats *stats, double c)
{
	bool		range = stats->has_range;
	bool		nan = stats->has_nan;

	if (isnan(c))
	{
		switch (strategy)
		{
			case BTLessStrategyNumber:
				return range;
			case BTLessEqualStrategyNumber:
				return range || nan;
			case BTEqualStrategyNumber:
			case BTGreaterEqualStrategyNumber:
				return nan;
			case BTGreaterStrategyNumber:
				return false;
			default:
				return range;
		}
	}
	switch (strategy)
	{
		case BTLessStrategyNumber:
			return range && stats->min.f < c;
		case BTLessEqualStrategyNumber:
			return range && stats->min.f <= c;
		case BTEqualStrategyNumber:
			return range && stats->min.f <= c && c <= stats->max.f;
		case BTGreaterEqualStrategyNumber:
			return (range && stats->max.f >= c) || nan;
		case BTGreaterStrategyNumber:
			return (range && stats->max.f > c) || nan;
		default:
			return nan || (range && (stats->min.f != c || stats->max.f != c));
	}
}

/* Can any visible row of "chunk" satisfy filter "f"? */
static bool
chunk_may_match(const Filter *f, const ShmcacheColumn *col, const char *chunk)
{
	const ShmcacheStats *stats = shmcache_chunk_stats(chunk, col);
	int			strategy = f->eval_type == FILTER_ANY ? BTEqualStrategyNumber : f->strategy;
	int			i;

	if (f->eval_type == FILTER_IS_NULL)
		return shmcache_chunk_has_nulls(chunk, col);
	if (f->eval_type == FILTER_IS_NOT_NULL)
	{
		/* in integer and float columns, a non-null value widens the stats */
		return !(SHMCACHE_KIND_IS_INT(col->kind) || SHMCACHE_KIND_IS_FLOAT(col->kind)) ||
			stats->has_range || stats->has_nan;
	}
	if (f->rep == REP_GENERIC)
		return true;
	/* No non-null value was ever stored: nothing can match. */
	if (!stats->has_range && !stats->has_nan)
		return false;
	for (i = 0; i < f->nvals; i++)
	{
		if (f->rep == REP_INT ?
			stats->has_range && int_range_may_match(strategy, stats->min.i, stats->max.i, f->ivals[i]) :
			float_range_may_match(strategy, stats, f->fvals[i]))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------------
 * Executor: selecting rows
 * ------------------------------------------------------------------------
 */

/*
 * Keep the rows for which COND (an expression of row number i) holds: all of
 * [0, n) if *all, else the n rows listed in sel.  The result goes to sel and
 * n is set to its length.
 */
#define SELECT_ROWS(COND) \
	do { \
		uint32		m_ = 0; \
		if (*all && *dead != NULL) \
		{ \
			const uint64 *d_ = *dead; \
			for (uint32 i = 0; i < *n; i++) \
			{ \
				sel[m_] = (uint16) i; \
				m_ += (((d_[i >> 6] >> (i & 63)) & 1) == 0 && (COND)) ? 1 : 0; \
			} \
			*dead = NULL; \
		} \
		else if (*all) \
		{ \
			for (uint32 i = 0; i < *n; i++) \
			{ \
				sel[m_] = (uint16) i; \
				m_ += (COND) ? 1 : 0; \
			} \
		} \
		else \
		{ \
			for (uint32 j_ = 0; j_ < *n; j_++) \
			{ \
				uint32		i = sel[j_]; \
				sel[m_] = (uint16) i; \
				m_ += (COND) ? 1 : 0; \
			} \
		} \
		*n = m_; \
		*all = false; \
	} while (0)

/* Integer comparisons of values of C type T against c. */
#define SELECT_INT(T, strategy, c) \
	do { \
		const T    *v_ = (const T *) values; \
		switch (strategy) \
		{ \
			case BTLessStrategyNumber: SELECT_ROWS(v_[i] < (c)); break; \
			case BTLessEqualStrategyNumber: SELECT_ROWS(v_[i] <= (c)); break; \
			case BTEqualStrategyNumber: SELECT_ROWS(v_[i] == (c)); break; \
			case BTGreaterEqualStrategyNumber: SELECT_ROWS(v_[i] >= (c)); break; \
			case BTGreaterStrategyNumber: SELECT_ROWS(v_[i] > (c)); break; \
			default: SELECT_ROWS(v_[i] != (c)); break; \
		} \
	} while (0)

/*
 * Float comparisons of values of C type T against c, with NaN equal to NaN
 * and above every other value.
 */
#define SELECT_FLOAT(T, strategy, c) \
	do { \
		const T    *v_ = (const T *) values; \
		if (isnan(c)) \
		{ \
			switch (strategy) \
			{ \
				case BTLessStrategyNumber: SELECT_ROWS(!isnan(v_[i])); break; \
				case BTLessEqualStrategyNumber: break; \
				case BTEqualStrategyNumber: \
				case BTGreaterEqualStrategyNumber: SELECT_ROWS(isnan(v_[i])); break; \
				case BTGreaterStrategyNumber: SELECT_ROWS(false); break; \
				default: SELECT_ROWS(!isnan(v_[i])); break; \
			} \
		} \
		else \
		{ \
			switch (strategy) \
			{ \
				case BTLessStrategyNumber: SELECT_ROWS(v_[i] < (c)); break; \
				case BTLessEqualStrategyNumber: SELECT_ROWS(v_[i] <= (c)); break; \
				case BTEqualStrategyNumber: SELECT_ROWS(v_[i] == (c)); break; \
				case BTGreaterEqualStrategyNumber: SELECT_ROWS(!(v_[i] < (c))); break; \
				case BTGreaterStrategyNumber: SELECT_ROWS(!(v_[i] <= (c))); break; \
				default: SELECT_ROWS(v_[i] != (c)); break; \
			} \
		} \
	} while (0)

/* A float as the key of a hash set: -0 is 0, every NaN the same. */
static inline uint64
float_key(double v)
{
	uint64		bits;

	if (v == 0)
		v = 0;
	if (isnan(v))
		return UINT64CONST(0x7ff8000000000000);
	memcpy(&bits, &v, sizeof(bits));
	return bits;
}

/* The bit of "key" in a set's bitmap (Fibonacci hashing: a multiply). */
static inline uint32
bit_of(uint64 key)
{
	return (uint32) ((key * UINT64CONST(0x9E3779B97F4A7C15)) >> 48);
}

/* Is "key" in the hash set of "f"? */
static inline bool
set_contains(const Filter *f, uint64 key)
{
	uint32		b = bit_of(key);

	return (f->set_bits[b >> 6] & (UINT64CONST(1) << (b & 63))) != 0 &&
		valueset_lookup(f->set, key) != NULL;
}

/*
 * Put the constants of a long = ANY list of integers or floats in a hash
 * set, so that a row costs one probe rather than one comparison per
 * constant (as PostgreSQL hashes long IN lists).
 */
static void
build_value_set(Filter *f)
{
	int			k;

	f->set = valueset_create(CurrentMemoryContext, f->nvals, NULL);
	f->set_bits = palloc0(SET_BITS / 8);
	for (k = 0; k < f->nvals; k++)
	{
		uint64		key = f->rep == REP_INT ? (uint64) f->ivals[k] : float_key(f->fvals[k]);
		uint32		b = bit_of(key);
		bool		found;

		f->set_bits[b >> 6] |= UINT64CONST(1) << (b & 63);
		(void) valueset_insert(f->set, key, &found);
	}
}

/* Is value "v" one of the integer constants of "f"? */
static inline bool
int_in_list(const Filter *f, int64 v)
{
	if (f->set != NULL)
		return set_contains(f, (uint64) v);
	for (int k = 0; k < f->nvals; k++)
	{
		if (f->ivals[k] == v)
			return true;
	}
	return false;
}

/* Is float "v" one of the float constants of "f" (NaN matching NaN)? */
static inline bool
float_in_list(const Filter *f, double v)
{
	if (f->set != NULL)
		return set_contains(f, float_key(v));
	for (int k = 0; k < f->nvals; k++)
	{
		if (f->fvals[k] == v || (isnan(v) && isnan(f->fvals[k])))
			return true;
	}
	return false;
}

/* Does the operator of generic filter "f" hold for "value"? */
static bool
generic_match(Filter *f, Datum value)
{
	int			k;

	for (k = 0; k < f->nvals; k++)
	{
		LOCAL_FCINFO(fcinfo, 2);
		Datum		result;

		InitFunctionCallInfoData(*fcinfo, &f->fn, 2, f->collation, NULL, NULL);
		fcinfo->args[0].value = f->var_on_right ? f->dvals[k] : value;
		fcinfo->args[0].isnull = false;
		fcinfo->args[1].value = f->var_on_right ? value : f->dvals[k];
		fcinfo->args[1].isnull = false;
		result = FunctionCallInvoke(fcinfo);
		if (!fcinfo->isnull && DatumGetBool(result))
			return true;
	}
	return false;
}

/* Apply an integer or float filter to the values of "chunk". */
static void
select_native(const Filter *f, const ShmcacheColumn *col, const char *chunk,
			  uint16 *sel, uint32 *n, bool *all, const uint64 **dead)
{
	const char *values = chunk + col->values_off;

	if (f->eval_type == FILTER_ANY)
	{
		switch (col->kind)
		{
			case SHMCACHE_KIND_INT16:
				SELECT_ROWS(int_in_list(f, ((const int16 *) values)[i]));
				break;
			case SHMCACHE_KIND_INT32:
				SELECT_ROWS(int_in_list(f, ((const int32 *) values)[i]));
				break;
			case SHMCACHE_KIND_INT64:
				SELECT_ROWS(int_in_list(f, ((const int64 *) values)[i]));
				break;
			case SHMCACHE_KIND_FLOAT4:
				SELECT_ROWS(float_in_list(f, ((const float4 *) values)[i]));
				break;
			default:
				SELECT_ROWS(float_in_list(f, ((const float8 *) values)[i]));
				break;
		}
		return;
	}
	switch (col->kind)
	{
		case SHMCACHE_KIND_INT16:
			SELECT_INT(int16, f->strategy, f->ivals[0]);
			break;
		case SHMCACHE_KIND_INT32:
			SELECT_INT(int32, f->strategy, f->ivals[0]);
			break;
		case SHMCACHE_KIND_INT64:
			SELECT_INT(int64, f->strategy, f->ivals[0]);
			break;
		case SHMCACHE_KIND_FLOAT4:
			SELECT_FLOAT(float4, f->strategy, f->fvals[0]);
			break;
		default:
			SELECT_FLOAT(float8, f->strategy, f->fvals[0]);
			break;
	}
}

/*
 * Apply a generic filter: per dictionary entry for a variable-width column,
 * else per row.  Null rows are never passed to the operator.
 */
static void
select_generic(Filter *f, const ShmcacheColumn *col, const char *chunk,
			   bool own_writes, uint16 *sel, uint32 *n, bool *all,
			   const uint64 **dead)
{
	if (col->kind == SHMCACHE_KIND_VARLENA)
	{
		const ShmcacheDict *dict = shmcache_chunk_dict(chunk, col);
		const uint16 *codes = (const uint16 *) (chunk + col->values_off);
		uint32		nentries = shmcache_dict_visible(dict, own_writes);
		uint32		code;

		for (code = 0; code < nentries; code++)
			f->dict_match[code] = generic_match(f, PointerGetDatum(shmcache_dict_entry(dict, code)));
		/* a null row's code is whatever the slot holds: test nulls first */
		if (shmcache_chunk_has_nulls(chunk, col))
			SELECT_ROWS(!shmcache_slot_isnull(col, chunk, i));
		SELECT_ROWS(f->dict_match[codes[i]]);
		return;
	}
	if (shmcache_chunk_has_nulls(chunk, col))
		SELECT_ROWS(!shmcache_slot_isnull(col, chunk, i));
	{
		bool		isnull;

		SELECT_ROWS(generic_match(f, shmcache_fetch_value(col, chunk, i, &isnull)));
	}
}

/*
 * shmcache_filters_apply
 *		Select the rows of "chunk" (its first *n rows are visible) that pass
 *		every filter.  On return either *all is true and every one of the *n
 *		rows passes, or sel lists the *n passing rows in order.  Returns false
 *		if the chunk was skipped without reading its values (*n is then 0).
 *		A dead bitmap in *dead (see storage.h) is taken out of the rows in the
 *		same pass as the first filter, and *dead set to NULL; if no filter
 *		read the rows, *dead is left as it was, for the caller to apply.
 */
bool
shmcache_filters_apply(ShmcacheFilters *filters, const char *chunk,
					   uint16 *sel, uint32 *n, bool *all, const uint64 **dead)
{
	const ShmcacheColumn *cols;
	int			k;

	*all = true;
	if (filters == NULL)
		return true;
	cols = filters->version->cols;
	for (k = 0; k < filters->nfilters; k++)
	{
		const Filter *f = &filters->filters[k];

		if (f->never || !chunk_may_match(f, &cols[f->col], chunk))
		{
			*n = 0;
			return false;
		}
	}
	for (k = 0; k < filters->nfilters && *n > 0; k++)
	{
		Filter	   *f = &filters->filters[k];
		const ShmcacheColumn *col = &cols[f->col];
		bool		has_nulls = shmcache_chunk_has_nulls(chunk, col);

		switch (f->eval_type)
		{
			case FILTER_IS_NULL:
				SELECT_ROWS(shmcache_slot_isnull(col, chunk, i));
				break;
			case FILTER_IS_NOT_NULL:
				if (has_nulls)
					SELECT_ROWS(!shmcache_slot_isnull(col, chunk, i));
				break;
			default:
				if (f->rep == REP_GENERIC)
				{
					select_generic(f, col, chunk, filters->own_writes, sel, n, all, dead);
					break;
				}
				select_native(f, col, chunk, sel, n, all, dead);
				/* null slots hold no value: drop them */
				if (has_nulls)
					SELECT_ROWS(!shmcache_slot_isnull(col, chunk, i));
				break;
		}
	}
	return true;
}

/*
 * shmcache_filters_never
 *		Can no row pass (a constant was null)?  Valid after binding.
 */
bool
shmcache_filters_never(const ShmcacheFilters *filters)
{
	return filters != NULL && filters->never;
}
