/*-------------------------------------------------------------------------
 *
 * topn.c
 *	  The ShmcacheTopN custom scan node: "SELECT ... FROM frame [WHERE ...]
 *	  ORDER BY col [, ...] LIMIT n" keeps the row numbers of the best n rows
 *	  so far in a bounded heap while it reads the frame, and forms rows only
 *	  for those, in order, at the end.  PostgreSQL's plan forms a row for
 *	  every row the filters pass and sorts them (a bounded heap sort too).
 *
 * Planning.  create_upper_paths_hook at the ORDERED stage: a query whose one
 * relation is a frame scan, without grouping, aggregates, window functions,
 * DISTINCT, set-returning functions in its target list or a qual without
 * columns, sorted by plain columns of the frame, with a constant LIMIT
 * (OFFSET included: root->limit_tuples) of at most TOPN_MAX_ROWS, not WITH
 * TIES (the rows tied with the last one would be cut).  The path
 * is sorted as the query asks and returns the limit's rows; the Limit node
 * stays above it (for OFFSET, and to stop early).
 *
 * Execution.  The node reads the frame through the reader: pushed filters
 * select the rows of each chunk.  A selected row's sort keys are compared
 * with those of the worst row of the heap (SortSupport of the ORDER BY's
 * operators, collations and NULLS FIRST/LAST); only a row that would enter
 * the heap has the other quals evaluated on it.  Once the heap is full, a
 * chunk whose min/max of the first sort key (an integer-kind or float
 * column in its type's own order) show that none of its rows can beat the
 * heap's worst is passed over, and a row whose first key is worse than the
 * worst row's is passed over by comparing the raw values.  The chunks are
 * read from the last to the first when the first and last chunks' ranges
 * show the best rows are likely at the end (a descending order of a
 * column that grows with the rows), so that the heap fills with them
 * first and the other chunks are passed over.  At the end the heap's rows
 * are sorted and formed from their row numbers, in the scan slot, with
 * values pointing into the pinned version; the plan's quals and projection
 * apply as in ShmcacheScan.  Among rows with equal keys, which enter the
 * last places is unspecified, as it is with a sort.
 *
 * Layer: plan/exec, a node over the reader, beside scan.c.  Locking: none
 * of its own (see reader.c).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/topn.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/sortsupport.h"
#include "utils/typcache.h"

#include "nodes.h"
#include "reader.h"

/* The largest LIMIT (OFFSET included) the node keeps rows for */
#define TOPN_MAX_ROWS		100000

/*
 * The positions of a ShmcacheTopN's custom_private list: a frame scan's
 * (shmcache_scan_private), then these.
 */
typedef enum ShmcacheTopNPrivate
{
	TOPN_PRIVATE_KEY_COLUMNS = 4,	/* per sort key: its 0-based column, */
	TOPN_PRIVATE_SORT_OPS,		/* its sort operator, */
	TOPN_PRIVATE_COLLATIONS,	/* its collation */
	TOPN_PRIVATE_NULLS_FIRST,	/* and whether nulls come first */
	TOPN_PRIVATE_LIMIT			/* rows kept */
} ShmcacheTopNPrivate;

/* Executor state of a ShmcacheTopN node. */
typedef struct ShmcacheTopNState
{
	CustomScanState css;
	ShmcacheReader reader;		/* the frame, its snapshot, its chunks */
	int		   *columns;		/* 0-based columns fetched into the slot */
	int			ncolumns;
	int			nkeys;
	int		   *key_columns;	/* 0-based column of each sort key */
	SortSupport sortkeys;		/* and how it compares */
	bool		skip_by_range;	/* chunk min/max of the first key may rule
								 * chunks out */
	ShmcacheKind first_kind;	/* then: the first key column's kind */
	bool		worst_known;	/* the heap is full, and worst_first is the
								 * first key of its worst row */
	double		worst_first;
	uint16	   *sel;			/* selected rows of the current chunk */
	int			limit;			/* rows kept */

	/* the heap: its worst row first */
	int			nheap;
	uint64	   *rows;			/* row numbers */
	Datum	   *values;			/* their keys: nkeys per row */
	bool	   *nulls;
	Datum	   *probe_values;	/* keys of the row being considered */
	bool	   *probe_nulls;

	bool		collected;		/* the frame has been read */
	int		   *order;			/* heap slots in sort order */
	int			next_output;
	uint64		candidates;		/* rows the quals were evaluated on, for
								 * EXPLAIN ANALYZE */
	uint64		chunks_passed;	/* chunks ruled out by the first key */
} ShmcacheTopNState;

static create_upper_paths_hook_type prev_create_upper_paths_hook = NULL;

static Plan *plan_shmcache_topn(PlannerInfo *root, RelOptInfo *rel,
								CustomPath *best_path, List *tlist,
								List *clauses, List *custom_plans);
static Node *create_shmcache_topn_state(CustomScan *cscan);
static void begin_shmcache_topn(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_shmcache_topn(CustomScanState *node);
static void end_shmcache_topn(CustomScanState *node);
static void rescan_shmcache_topn(CustomScanState *node);
static void explain_shmcache_topn(CustomScanState *node, List *ancestors,
								  ExplainState *es);

static const CustomPathMethods shmcache_topn_path_methods = {
	.CustomName = "ShmcacheTopN",
	.PlanCustomPath = plan_shmcache_topn,
};

static const CustomScanMethods shmcache_topn_scan_methods = {
	.CustomName = "ShmcacheTopN",
	.CreateCustomScanState = create_shmcache_topn_state,
};

static const CustomExecMethods shmcache_topn_exec_methods = {
	.CustomName = "ShmcacheTopN",
	.BeginCustomScan = begin_shmcache_topn,
	.ExecCustomScan = exec_shmcache_topn,
	.EndCustomScan = end_shmcache_topn,
	.ReScanCustomScan = rescan_shmcache_topn,
	.ExplainCustomScan = explain_shmcache_topn,
};

/* ------------------------------------------------------------------------
 * Planning
 * ------------------------------------------------------------------------
 */

/* The sort keys of a ShmcacheTopN, as parallel lists. */
typedef struct TopNKeys
{
	List	   *columns;		/* 0-based frame columns */
	List	   *sort_ops;
	List	   *collations;
	List	   *nulls_first;
} TopNKeys;

/*
 * The sort keys of "pathkeys" in "keys", if each is a plain column of frame
 * scan "relid"; else false.
 */
static bool
sort_key_columns(List *pathkeys, Index relid, TopNKeys *keys)
{
	ListCell   *lc;

	memset(keys, 0, sizeof(TopNKeys));

	foreach(lc, pathkeys)
	{
		PathKey    *pk = lfirst(lc);
		EquivalenceClass *ec = pk->pk_eclass;
		Var		   *var = NULL;
		Oid			sortop;
		ListCell   *lm;

		if (ec->ec_has_volatile)
			return false;
		foreach(lm, ec->ec_members)
		{
			EquivalenceMember *em = lfirst(lm);

			if (IsA(em->em_expr, Var) && ((Var *) em->em_expr)->varno == (int) relid &&
				((Var *) em->em_expr)->varlevelsup == 0 &&
				((Var *) em->em_expr)->varattno > 0)
			{
				var = (Var *) em->em_expr;
				break;
			}
		}
		if (var == NULL)
			return false;
		sortop = get_opfamily_member(pk->pk_opfamily, var->vartype, var->vartype,
									 pk->pk_strategy);
		if (!OidIsValid(sortop))
			return false;
		keys->columns = lappend_int(keys->columns, var->varattno - 1);
		keys->sort_ops = lappend_oid(keys->sort_ops, sortop);
		keys->collations = lappend_oid(keys->collations, ec->ec_collation);
		keys->nulls_first = lappend_int(keys->nulls_first, pk->pk_nulls_first);
	}
	return true;
}

/*
 * Does the query, apart from its ORDER BY and LIMIT, only read and filter
 * rows of the frame scan "rel" (whose quals the node can take)?
 */
static bool
topn_query_applies(PlannerInfo *root, RelOptInfo *rel)
{
	Query	   *parse = root->parse;
	RangeTblEntry *rte;
	ListCell   *lc;

	if (parse->hasAggs || parse->groupClause != NIL || parse->groupingSets != NIL ||
		parse->havingQual != NULL || parse->hasWindowFuncs ||
		parse->distinctClause != NIL || parse->hasTargetSRFs ||
		parse->rowMarks != NIL || parse->limitOption == LIMIT_OPTION_WITH_TIES ||
		rel->reloptkind != RELOPT_BASEREL)
		return false;
	rte = planner_rt_fetch(rel->relid, root);
	if (!shmcache_scan_applies(root, rel, rel->relid, rte) ||
		shmcache_position_attno(rte) != 0)
		return false;
	foreach(lc, rel->baserestrictinfo)
	{
		if (((RestrictInfo *) lfirst(lc))->pseudoconstant)
			return false;
	}
	return true;
}

/*
 * create_upper_paths_hook: offer a ShmcacheTopN path for the ORDERED stage
 * of a query reading one frame with ORDER BY and a constant LIMIT.  Its cost
 * is a frame scan's, with a key comparison instead of a row formed per row
 * the pushed filters pass, the other quals on the rows that enter the heap
 * (about limit * (1 + ln(rows / limit)) of rows in random order), and the
 * heap's sift per entry.
 */
static void
shmcache_topn_upper_paths(PlannerInfo *root, UpperRelationKind stage,
						  RelOptInfo *input_rel, RelOptInfo *output_rel,
						  void *extra)
{
	CustomPath *path;
	TopNKeys	keys;
	List	   *pushed;
	List	   *rest;
	QualCost	rest_cost;
	double		limit = root->limit_tuples;
	double		fetched;
	double		entered;

	if (prev_create_upper_paths_hook)
		prev_create_upper_paths_hook(root, stage, input_rel, output_rel, extra);

	if (stage != UPPERREL_ORDERED || !shmcache_enable_pushdown ||
		!shmcache_enable_customscan || ShmcacheShared == NULL ||
		limit < 1 || limit > TOPN_MAX_ROWS || root->sort_pathkeys == NIL ||
		!topn_query_applies(root, input_rel))
		return;
	if (!sort_key_columns(root->sort_pathkeys, input_rel->relid, &keys))
		return;

	shmcache_split_quals(input_rel->baserestrictinfo, input_rel->relid, &pushed, &rest);
	cost_qual_eval(&rest_cost, rest, root);
	fetched = input_rel->tuples *
		clauselist_selectivity(root, pushed, input_rel->relid, JOIN_INNER, NULL);
	entered = fetched <= limit ? fetched : limit * (1 + log(fetched / limit));

	path = makeNode(CustomPath);
	path->path.pathtype = T_CustomScan;
	path->path.parent = output_rel;
	path->path.pathtarget = root->upper_targets[UPPERREL_ORDERED];
	path->path.param_info = NULL;
	path->path.parallel_aware = false;
	path->path.parallel_safe = false;
	path->path.parallel_workers = 0;
	path->path.rows = clamp_row_est(Min(limit, input_rel->rows));
	path->path.startup_cost = rest_cost.startup +
		input_rel->tuples * list_length(pushed) * cpu_operator_cost * 0.01 +
		fetched * list_length(keys.columns) * cpu_operator_cost +
		entered * (rest_cost.per_tuple + cpu_operator_cost * log2(Max(limit, 2)));
	path->path.total_cost = path->path.startup_cost +
		path->path.rows * (cpu_tuple_cost + path->path.pathtarget->cost.per_tuple);
	path->path.pathkeys = root->sort_pathkeys;
	path->flags = CUSTOMPATH_SUPPORT_PROJECTION;
	path->custom_private = list_make4(makeInteger(input_rel->relid),
									  list_make4(keys.columns, keys.sort_ops,
												 keys.collations, keys.nulls_first),
									  makeInteger((int) limit), NIL);
	path->methods = &shmcache_topn_path_methods;
	add_path(output_rel, &path->path);
}

/*
 * PlanCustomPath: as a frame scan (scan.c), plus the sort keys and the
 * limit.  The quals are the frame relation's own (an upper relation has
 * none).
 */
static Plan *
plan_shmcache_topn(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
				   List *tlist, List *clauses, List *custom_plans)
{
	Index		relid = intVal(linitial(best_path->custom_private));
	List	   *keys = lsecond(best_path->custom_private);
	List	   *key_columns = linitial(keys);
	RelOptInfo *input_rel = find_base_rel(root, relid);
	RangeTblEntry *rte = planner_rt_fetch(relid, root);
	CustomScan *cscan = makeNode(CustomScan);
	List	   *pushed;
	List	   *quals;
	List	   *columns;
	List	   *read_columns;

	shmcache_split_quals(input_rel->baserestrictinfo, relid, &pushed, &quals);
	columns = shmcache_referenced_columns((Node *) list_make2(tlist, quals), relid);
	read_columns = list_concat_unique_int(shmcache_referenced_columns((Node *) list_make3(tlist, quals,
																						  pushed),
																	  relid),
										  key_columns);

	cscan->custom_scan_tlist = shmcache_frame_scan_tlist(input_rel, rte);
	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = quals;
	cscan->scan.scanrelid = 0;
	cscan->flags = best_path->flags;
	cscan->custom_exprs = list_make1(copyObject(shmcache_frame_scan_argument(rte)));
	cscan->custom_private = list_concat(shmcache_scan_private(rte, columns, pushed, read_columns),
										keys);
	cscan->custom_private = lappend(cscan->custom_private,
									lthird(best_path->custom_private));
	cscan->methods = &shmcache_topn_scan_methods;
	return &cscan->scan.plan;
}

/* ------------------------------------------------------------------------
 * Execution
 * ------------------------------------------------------------------------
 */

static Node *
create_shmcache_topn_state(CustomScan *cscan)
{
	ShmcacheTopNState *state = palloc0(sizeof(ShmcacheTopNState));

	NodeSetTag(state, T_CustomScanState);
	state->css.methods = &shmcache_topn_exec_methods;
	return (Node *) state;
}

/* The sort keys of the plan, with the sort support of each. */
static void
prepare_sort_keys(ShmcacheTopNState *state, List *priv)
{
	List	   *columns = list_nth(priv, TOPN_PRIVATE_KEY_COLUMNS);
	int			k;

	state->nkeys = list_length(columns);
	state->key_columns = palloc(sizeof(int) * state->nkeys);
	state->sortkeys = palloc0(sizeof(SortSupportData) * state->nkeys);
	for (k = 0; k < state->nkeys; k++)
	{
		SortSupport ssup = &state->sortkeys[k];

		state->key_columns[k] = list_nth_int(columns, k);
		ssup->ssup_cxt = CurrentMemoryContext;
		ssup->ssup_collation = list_nth_oid(list_nth(priv, TOPN_PRIVATE_COLLATIONS), k);
		ssup->ssup_nulls_first = list_nth_int(list_nth(priv, TOPN_PRIVATE_NULLS_FIRST), k) != 0;
		ssup->abbreviate = false;
		PrepareSortSupportFromOrderingOp(list_nth_oid(list_nth(priv, TOPN_PRIVATE_SORT_OPS), k),
										 ssup);
	}
}

/*
 * Can chunk statistics rule chunks out by the first sort key: is it an
 * integer-kind or float column (state->first_kind) sorted by its type's own
 * < or >?
 */
static bool
first_key_has_range(ShmcacheTopNState *state, List *priv)
{
	Form_pg_attribute attr = TupleDescAttr(state->reader.rowdesc, state->key_columns[0]);
	Oid			sortop = linitial_oid(list_nth(priv, TOPN_PRIVATE_SORT_OPS));
	TypeCacheEntry *tce;

	if (!SHMCACHE_KIND_IS_INT(state->first_kind) && !SHMCACHE_KIND_IS_FLOAT(state->first_kind))
		return false;
	tce = lookup_type_cache(attr->atttypid, TYPECACHE_LT_OPR | TYPECACHE_GT_OPR);
	return sortop == tce->lt_opr || sortop == tce->gt_opr;
}

static void
begin_shmcache_topn(CustomScanState *node, EState *estate, int eflags)
{
	ShmcacheTopNState *state = (ShmcacheTopNState *) node;
	List	   *priv = ((CustomScan *) node->ss.ps.plan)->custom_private;
	int			nkeys;

	shmcache_scan_begin_reader(node, &state->reader, &state->columns, &state->ncolumns);
	prepare_sort_keys(state, priv);
	state->first_kind = shmcache_fixed_kind(TupleDescAttr(state->reader.rowdesc,
														  state->key_columns[0])->atttypid);
	state->skip_by_range = first_key_has_range(state, priv);
	state->limit = intVal(list_nth(priv, TOPN_PRIVATE_LIMIT));
	nkeys = state->nkeys;
	state->sel = palloc(sizeof(uint16) * SHMCACHE_CHUNK_ROWS);
	state->rows = palloc(sizeof(uint64) * state->limit);
	state->values = palloc(sizeof(Datum) * state->limit * nkeys);
	state->nulls = palloc(sizeof(bool) * state->limit * nkeys);
	state->probe_values = palloc(sizeof(Datum) * nkeys);
	state->probe_nulls = palloc(sizeof(bool) * nkeys);
	state->order = palloc(sizeof(int) * state->limit);
}

/* Compare the keys at "va"/"na" with those at "vb"/"nb", in sort order. */
static int
compare_keys(const ShmcacheTopNState *state, const Datum *va, const bool *na,
			 const Datum *vb, const bool *nb)
{
	int			k;

	for (k = 0; k < state->nkeys; k++)
	{
		int			r = ApplySortComparator(va[k], na[k], vb[k], nb[k], &state->sortkeys[k]);

		if (r != 0)
			return r;
	}
	return 0;
}

/* Compare heap slots "a" and "b". */
static inline int
compare_slots(const ShmcacheTopNState *state, int a, int b)
{
	int			nkeys = state->nkeys;

	return compare_keys(state, &state->values[a * nkeys], &state->nulls[a * nkeys],
						&state->values[b * nkeys], &state->nulls[b * nkeys]);
}

/* Exchange heap slots "a" and "b". */
static void
swap_slots(ShmcacheTopNState *state, int a, int b)
{
	int			k;
	uint64		row = state->rows[a];

	state->rows[a] = state->rows[b];
	state->rows[b] = row;
	for (k = 0; k < state->nkeys; k++)
	{
		Datum		v = state->values[a * state->nkeys + k];
		bool		isnull = state->nulls[a * state->nkeys + k];

		state->values[a * state->nkeys + k] = state->values[b * state->nkeys + k];
		state->nulls[a * state->nkeys + k] = state->nulls[b * state->nkeys + k];
		state->values[b * state->nkeys + k] = v;
		state->nulls[b * state->nkeys + k] = isnull;
	}
}

/* Store row "row" with the probe's keys in heap slot "i". */
static void
store_slot(ShmcacheTopNState *state, int i, uint64 row)
{
	state->rows[i] = row;
	memcpy(&state->values[i * state->nkeys], state->probe_values, sizeof(Datum) * state->nkeys);
	memcpy(&state->nulls[i * state->nkeys], state->probe_nulls, sizeof(bool) * state->nkeys);
}

/*
 * Add row "row" (its keys in the probe) to the heap, whose first slot holds
 * its worst row: appended and sifted up while it has room, else in place
 * of the worst row and sifted down.
 */
static void
heap_add(ShmcacheTopNState *state, uint64 row)
{
	int			i;

	if (state->nheap < state->limit)
	{
		i = state->nheap++;
		store_slot(state, i, row);
		while (i > 0 && compare_slots(state, (i - 1) / 2, i) < 0)
		{
			swap_slots(state, (i - 1) / 2, i);
			i = (i - 1) / 2;
		}
		return;
	}
	store_slot(state, 0, row);
	i = 0;
	for (;;)
	{
		int			worst = i;
		int			left = 2 * i + 1;

		if (left < state->nheap && compare_slots(state, left, worst) > 0)
			worst = left;
		if (left + 1 < state->nheap && compare_slots(state, left + 1, worst) > 0)
			worst = left + 1;
		if (worst == i)
			break;
		swap_slots(state, i, worst);
		i = worst;
	}
}

/*
 * An integer-kind or float value of the first sort key as a double.  The
 * conversion keeps the order (it may make close integers equal), so a value
 * that compares worse as a double is worse.
 */
static inline double
first_key_number(const ShmcacheTopNState *state, Datum value)
{
	if (SHMCACHE_KIND_IS_INT(state->first_kind))
		return (double) shmcache_int_datum(state->first_kind, value);
	if (state->first_kind == SHMCACHE_KIND_FLOAT4)
		return DatumGetFloat4(value);
	return DatumGetFloat8(value);
}

/*
 * Note the first key of the heap's worst row, once the heap is full and
 * that key is a number (not NULL, not NaN).
 */
static void
note_worst(ShmcacheTopNState *state)
{
	state->worst_known = false;
	if (!state->skip_by_range || state->nheap < state->limit || state->nulls[0])
		return;
	state->worst_first = first_key_number(state, state->values[0]);
	state->worst_known = !isnan(state->worst_first);
}

/* Fill the scan slot with the columns of row "slotno" of "chunk". */
static TupleTableSlot *
fill_slot(ShmcacheTopNState *state, const char *chunk, uint32 slotno)
{
	TupleTableSlot *slot = state->css.ss.ss_ScanTupleSlot;

	ExecClearTuple(slot);
	shmcache_fetch_row(state->reader.read.version, chunk, slotno,
					   state->columns, state->ncolumns, slot->tts_values, slot->tts_isnull);
	return ExecStoreVirtualTuple(slot);
}

/*
 * Consider the selected rows of chunk "chunkno": a row whose keys beat the
 * heap's worst row (or any, while the heap has room) and that passes the
 * plan's quals enters the heap.
 */
static void
collect_chunk(ShmcacheTopNState *state, const char *chunk, uint64 chunkno,
			  uint32 n, bool all)
{
	const ShmcacheColumn *cols = state->reader.read.version->cols;
	ExprState  *qual = state->css.ss.ps.qual;
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	uint32		j;
	int			k;

	bool		reverse = state->sortkeys[0].ssup_reverse;

	for (j = 0; j < n; j++)
	{
		uint32		slotno = all ? j : state->sel[j];

		/* the first key alone rules most rows out once the heap is full */
		state->probe_values[0] = shmcache_fetch_value(&cols[state->key_columns[0]], chunk,
													  slotno, &state->probe_nulls[0]);
		if (state->worst_known && !state->probe_nulls[0])
		{
			double		first = first_key_number(state, state->probe_values[0]);

			if (reverse ? first < state->worst_first : first > state->worst_first)
				continue;
		}
		for (k = 1; k < state->nkeys; k++)
			state->probe_values[k] = shmcache_fetch_value(&cols[state->key_columns[k]], chunk,
														  slotno, &state->probe_nulls[k]);
		if (state->nheap == state->limit &&
			compare_keys(state, state->probe_values, state->probe_nulls,
						 state->values, state->nulls) >= 0)
			continue;
		if (qual != NULL)
		{
			state->candidates++;
			ResetExprContext(econtext);
			econtext->ecxt_scantuple = fill_slot(state, chunk, slotno);
			if (!ExecQual(qual, econtext))
				continue;
		}
		heap_add(state, (chunkno << SHMCACHE_CHUNK_SHIFT) | slotno);
		note_worst(state);
	}
}

/*
 * Should the frame be read from its last chunk back: are the best values of
 * the first sort key (by the chunk statistics of the first and last
 * chunks) likely at the end?
 */
static bool
best_rows_at_end(ShmcacheTopNState *state)
{
	ShmcacheRead *read = &state->reader.read;
	const ShmcacheColumn *col;
	const ShmcacheStats *first;
	const ShmcacheStats *last;
	uint64		nchunks;

	if (!state->skip_by_range || read->version == NULL || read->nrows == 0)
		return false;
	nchunks = (read->nrows + SHMCACHE_CHUNK_ROWS - 1) >> SHMCACHE_CHUNK_SHIFT;
	col = &read->version->cols[state->key_columns[0]];
	first = shmcache_chunk_stats(shmcache_version_chunk(read->version, 0), col);
	last = shmcache_chunk_stats(shmcache_version_chunk(read->version, nchunks - 1), col);
	if (nchunks < 2 || !first->has_range || !last->has_range)
		return false;
	if (SHMCACHE_KIND_IS_INT(col->kind))
		return state->sortkeys[0].ssup_reverse ? last->max.i > first->max.i :
			last->min.i < first->min.i;
	return state->sortkeys[0].ssup_reverse ? last->max.f > first->max.f :
		last->min.f < first->min.f;
}

/*
 * Is the heap full, and can no row of "chunk" enter it, by the min/max of
 * the first sort key in the chunk's statistics?  A row ties with the heap's
 * worst row at best when the first key is all there is to compare.  NULLs
 * sorted first, a NaN sorted first (descending), or a worst row whose first
 * key is NULL or NaN, keep the chunk.
 */
static bool
chunk_cannot_enter(ShmcacheTopNState *state, const char *chunk)
{
	const ShmcacheColumn *col;
	const ShmcacheStats *stats;
	SortSupport ssup = &state->sortkeys[0];
	Datum		worst = state->values[0];
	bool		ties = state->nkeys == 1;

	if (!state->skip_by_range || state->nheap < state->limit || state->nulls[0])
		return false;
	col = &state->reader.read.version->cols[state->key_columns[0]];
	stats = shmcache_chunk_stats(chunk, col);
	if (!stats->has_range || (stats->nnulls > 0 && ssup->ssup_nulls_first))
		return false;
	if (SHMCACHE_KIND_IS_INT(col->kind))
	{
		int64		w = shmcache_int_datum(col->kind, worst);

		if (ssup->ssup_reverse)
			return ties ? stats->max.i <= w : stats->max.i < w;
		return ties ? stats->min.i >= w : stats->min.i > w;
	}
	else
	{
		double		w = col->kind == SHMCACHE_KIND_FLOAT4 ? DatumGetFloat4(worst) :
			DatumGetFloat8(worst);

		if (isnan(w))
			return false;
		if (ssup->ssup_reverse)
			return !stats->has_nan && (ties ? stats->max.f <= w : stats->max.f < w);
		return ties ? stats->min.f >= w : stats->min.f > w;
	}
}

static int
order_cmp(const void *a, const void *b, void *arg)
{
	return compare_slots(arg, *(const int *) a, *(const int *) b);
}

/* Read the frame into the heap, then put its rows in sort order. */
static void
collect(ShmcacheTopNState *state)
{
	const char *chunk;
	uint32		n;
	bool		all;
	int			i;

	state->nheap = 0;
	state->next_output = 0;
	state->candidates = 0;
	state->chunks_passed = 0;
	state->worst_known = false;
	state->reader.backward = best_rows_at_end(state);
	shmcache_reader_rewind(&state->reader);
	while ((chunk = shmcache_reader_next_chunk(&state->reader, state->sel, &n, &all)) != NULL)
	{
		if (chunk_cannot_enter(state, chunk))
			state->chunks_passed++;
		else
			collect_chunk(state, chunk, state->reader.chunkno, n, all);
	}
	for (i = 0; i < state->nheap; i++)
		state->order[i] = i;
	qsort_arg(state->order, state->nheap, sizeof(int), order_cmp, state);
	state->collected = true;
}

/* ExecScan access method: the next row in sort order, or an empty slot. */
static TupleTableSlot *
shmcache_topn_next(ScanState *ss)
{
	ShmcacheTopNState *state = (ShmcacheTopNState *) ss;
	uint64		row;

	if (state->next_output >= state->nheap)
		return ExecClearTuple(ss->ss_ScanTupleSlot);
	row = state->rows[state->order[state->next_output++]];
	return fill_slot(state,
					 shmcache_version_chunk(state->reader.read.version,
											row >> SHMCACHE_CHUNK_SHIFT),
					 (uint32) (row & SHMCACHE_CHUNK_MASK));
}

static TupleTableSlot *
exec_shmcache_topn(CustomScanState *node)
{
	ShmcacheTopNState *state = (ShmcacheTopNState *) node;

	if (!state->reader.started)
	{
		shmcache_reader_start(&state->reader);
		state->collected = false;
	}
	if (!state->collected)
		collect(state);
	return ExecScan(&node->ss, shmcache_topn_next, shmcache_reader_recheck);
}

static void
end_shmcache_topn(CustomScanState *node)
{
	shmcache_reader_end(&((ShmcacheTopNState *) node)->reader);
}

/*
 * A rescan returns the same rows again, unless a parameter changed (a qual's,
 * or the frame id's): then the frame is read again.
 */
static void
rescan_shmcache_topn(CustomScanState *node)
{
	ShmcacheTopNState *state = (ShmcacheTopNState *) node;

	shmcache_reader_rescan(&state->reader, node->ss.ps.chgParam != NULL);
	if (node->ss.ps.chgParam != NULL)
		state->collected = false;
	state->next_output = 0;
	ExecScanReScan(&node->ss);
}

/*
 * EXPLAIN: the frame, the columns read, the sort keys and the rows kept,
 * the pushed filters; with ANALYZE the chunk counts and the rows the other
 * quals were evaluated on.
 */
static void
explain_shmcache_topn(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ShmcacheTopNState *state = (ShmcacheTopNState *) node;
	TupleDesc	rowdesc = state->reader.rowdesc;
	List	   *items = NIL;
	int			k;

	shmcache_reader_explain_frame(&state->reader, es);
	for (k = 0; k < state->nkeys; k++)
	{
		SortSupport ssup = &state->sortkeys[k];
		const char *name = quote_identifier(NameStr(TupleDescAttr(rowdesc, state->key_columns[k])->attname));

		items = lappend(items, psprintf("%s%s%s", name, ssup->ssup_reverse ? " DESC" : "",
										ssup->ssup_nulls_first != ssup->ssup_reverse ?
										(ssup->ssup_nulls_first ? " NULLS FIRST" : " NULLS LAST") : ""));
	}
	ExplainPropertyList("Sort Key", items, es);
	ExplainPropertyInteger("Rows Kept", NULL, state->limit, es);
	shmcache_reader_explain_filters(&state->reader, es);
	shmcache_reader_explain_counts(&state->reader, es);
	if (es->analyze && state->skip_by_range)
		ExplainPropertyUInteger("Chunks Passed Over", NULL, state->chunks_passed, es);
	if (es->analyze && state->reader.backward)
		ExplainPropertyText("Chunk Order", "last to first", es);
	if (es->analyze && state->css.ss.ps.qual != NULL)
		ExplainPropertyUInteger("Filter Evaluations", NULL, state->candidates, es);
}

/*
 * shmcache_topn_init
 *		Register the node and the planner hook (from _PG_init).
 */
void
shmcache_topn_init(void)
{
	RegisterCustomScanMethods(&shmcache_topn_scan_methods);
	prev_create_upper_paths_hook = create_upper_paths_hook;
	create_upper_paths_hook = shmcache_topn_upper_paths;
}
