/*-------------------------------------------------------------------------
 *
 * aggregate.c
 *	  Aggregate pushdown: the ShmcacheAggregate custom scan node computes
 *	  count, sum, avg, min and max (optionally grouped, optionally filtered)
 *	  straight from a frame's column arrays, without forming a tuple per row.
 *
 * Planning.  create_upper_paths_hook looks at the grouping stage of a query
 * whose only relation is a frame scan.  If every aggregate is one of
 * count(*), count(col), sum/avg/min/max(col) on the supported types, with no
 * DISTINCT, ORDER BY or FILTER, the GROUP BY items are plain columns of
 * integer, date/time or text-like type (a GROUP BY without aggregates is
 * fine too), and there is no HAVING, a path is added to the grouped
 * relation.  Its plan is a CustomScan whose scan tuple holds the group
 * columns and the Aggrefs (custom_scan_tlist), so the query's target list,
 * expressions over aggregates included, is computed by ordinary projection,
 * as postgres_fdw does for pushed-down aggregates.
 * The relation's quals are split as for a frame scan: pushed filters select
 * rows column-wise (filter.c); the others are evaluated per selected row on
 * a virtual slot of the needed columns.
 *
 * Execution.  At the first call the node pins the frame, runs through every
 * chunk, and accumulates into per-group states (the groups are agg_group.c's
 * concern); it then returns one row per group.
 *
 * Parallel aggregation.  If the frame scan has a partial path, a parallel
 * plan is offered too: a finalizing node (AGG_MODE_FINAL) over a Gather of
 * partial nodes (AGG_MODE_PARTIAL).  Each participant's partial node reads
 * the leader's snapshot, shared through the node's DSM as the parallel scan
 * shares it, aggregates the chunks it claims, and returns per group the key
 * and each aggregate's state as a bytea (the AggAccum itself: participants
 * run the same binary).  The finalizing node combines the states by group
 * as the core combine functions do and returns the final values.  The
 * partial Aggrefs in the plan are marked AGGSPLIT_INITIAL_SERIAL, so EXPLAIN
 * VERBOSE shows them as PARTIAL.
 *
 * The aggregates themselves, computed as core's are, are agg_accum.c's.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/aggregate.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/nbtree.h"
#include "access/parallel.h"
#include "access/tupdesc.h"
#include "catalog/namespace.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_am.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planner.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/ruleutils.h"
#include "utils/selfuncs.h"
#include "utils/typcache.h"

#include "aggregate.h"

static create_upper_paths_hook_type prev_create_upper_paths_hook = NULL;

static Plan *plan_shmcache_agg(PlannerInfo *root, RelOptInfo *rel,
							   CustomPath *best_path, List *tlist,
							   List *clauses, List *custom_plans);
static Node *create_shmcache_agg_state(CustomScan *cscan);
static void begin_shmcache_agg(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_shmcache_agg(CustomScanState *node);
static void end_shmcache_agg(CustomScanState *node);
static void rescan_shmcache_agg(CustomScanState *node);
static void start_aggregation(ShmcacheAggState *state);
static void prepare_comparisons(ShmcacheAggState *state);
static void set_state_reference_type(AggSpec *agg, TupleDesc rowdesc);
static void explain_shmcache_agg(CustomScanState *node, List *ancestors,
								 ExplainState *es);
static Size estimate_dsm_shmcache_agg(CustomScanState *node, ParallelContext *pcxt);
static void initialize_dsm_shmcache_agg(CustomScanState *node, ParallelContext *pcxt,
										void *coordinate);
static void reinitialize_dsm_shmcache_agg(CustomScanState *node, ParallelContext *pcxt,
										  void *coordinate);
static void initialize_worker_shmcache_agg(CustomScanState *node, shm_toc *toc,
										   void *coordinate);
static void shutdown_shmcache_agg(CustomScanState *node);

static const CustomPathMethods shmcache_agg_path_methods = {
	.CustomName = "ShmcacheAggregate",
	.PlanCustomPath = plan_shmcache_agg,
};

static const CustomScanMethods shmcache_agg_scan_methods = {
	.CustomName = "ShmcacheAggregate",
	.CreateCustomScanState = create_shmcache_agg_state,
};

static const CustomExecMethods shmcache_agg_exec_methods = {
	.CustomName = "ShmcacheAggregate",
	.BeginCustomScan = begin_shmcache_agg,
	.ExecCustomScan = exec_shmcache_agg,
	.EndCustomScan = end_shmcache_agg,
	.ReScanCustomScan = rescan_shmcache_agg,
	.EstimateDSMCustomScan = estimate_dsm_shmcache_agg,
	.InitializeDSMCustomScan = initialize_dsm_shmcache_agg,
	.ReInitializeDSMCustomScan = reinitialize_dsm_shmcache_agg,
	.InitializeWorkerCustomScan = initialize_worker_shmcache_agg,
	.ShutdownCustomScan = shutdown_shmcache_agg,
	.ExplainCustomScan = explain_shmcache_agg,
};

/* ------------------------------------------------------------------------
 * Planning
 * ------------------------------------------------------------------------
 */

/* The column of frame scan "relid" that "expr" is, or -1. */
static int
frame_column(Expr *expr, Index relid)
{
	if (expr != NULL && IsA(expr, Var) && ((Var *) expr)->varno == (int) relid &&
		((Var *) expr)->varlevelsup == 0 && ((Var *) expr)->varattno > 0)
		return ((Var *) expr)->varattno - 1;
	return -1;
}

/*
 * The kind of a supported aggregate call, or -1.  Only the built-in
 * aggregates of pg_catalog, on a plain column of the frame.
 */
static int
classify_aggref(Aggref *aggref, Index relid, int *col)
{
	char	   *name;
	Oid			argtype;
	TargetEntry *arg;

	if (aggref->aggdistinct != NIL || aggref->aggorder != NIL ||
		aggref->aggfilter != NULL || aggref->aggkind != AGGKIND_NORMAL ||
		aggref->agglevelsup != 0 || aggref->aggsplit != AGGSPLIT_SIMPLE ||
		get_func_namespace(aggref->aggfnoid) != PG_CATALOG_NAMESPACE)
		return -1;
	name = get_func_name(aggref->aggfnoid);
	if (aggref->aggstar)
	{
		*col = -1;
		return strcmp(name, "count") == 0 ? AGG_COUNT_STAR : -1;
	}
	if (list_length(aggref->args) != 1)
		return -1;
	arg = linitial(aggref->args);
	if ((*col = frame_column(arg->expr, relid)) < 0)
		return -1;
	argtype = exprType((Node *) arg->expr);
	if (strcmp(name, "count") == 0)
		return AGG_COUNT;
	if (strcmp(name, "sum") == 0)
	{
		switch (argtype)
		{
			case INT2OID:
			case INT4OID:
				return AGG_SUM_INT;
			case INT8OID:
				return AGG_SUM_INT8;
			case FLOAT4OID:
				return AGG_SUM_FLOAT4;
			case FLOAT8OID:
				return AGG_SUM_FLOAT8;
			case NUMERICOID:
				return AGG_SUM_NUMERIC;
		}
		return -1;
	}
	if (strcmp(name, "avg") == 0)
	{
		switch (argtype)
		{
			case INT2OID:
			case INT4OID:
			case INT8OID:
				return AGG_AVG_INT;
			case FLOAT4OID:
			case FLOAT8OID:
				return AGG_AVG_FLOAT;
			case NUMERICOID:
				return AGG_AVG_NUMERIC;
		}
		return -1;
	}
	if (strcmp(name, "min") == 0 || strcmp(name, "max") == 0)
	{
		bool		is_min = name[1] == 'i';

		switch (argtype)
		{
			case INT2OID:
			case INT4OID:
			case INT8OID:
			case DATEOID:
			case TIMEOID:
			case TIMESTAMPOID:
			case TIMESTAMPTZOID:
				return is_min ? AGG_MIN_INT : AGG_MAX_INT;
			case FLOAT4OID:
			case FLOAT8OID:
				return is_min ? AGG_MIN_FLOAT : AGG_MAX_FLOAT;
			case NUMERICOID:
			case TEXTOID:
			case VARCHAROID:
				return is_min ? AGG_MIN_GENERIC : AGG_MAX_GENERIC;
		}
		return -1;
	}
	return -1;
}

/*
 * Is "expr" (a GROUP BY item, grouped by equality operator "eqop") a column
 * the node can group by: integer or date/time, or text/varchar under a
 * deterministic collation (equal means equal bytes)?
 */
static bool
groupable_column(Expr *expr, Index relid, Oid eqop)
{
	Oid			type;
	TypeCacheEntry *tce;

	if (frame_column(expr, relid) < 0)
		return false;
	type = exprType((Node *) expr);
	switch (type)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case DATEOID:
		case TIMEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			break;
		case TEXTOID:
		case VARCHAROID:
			if (!OidIsValid(exprCollation((Node *) expr)) ||
				!get_collation_isdeterministic(exprCollation((Node *) expr)))
				return false;
			break;
		default:
			return false;
	}
	tce = lookup_type_cache(type, TYPECACHE_EQ_OPR);
	return tce->eq_opr == eqop;
}

/*
 * The Aggrefs of the grouping target, or NIL with *ok false if something in
 * it cannot be computed by the node.
 */
static List *
collect_aggrefs(PathTarget *target, Index relid, bool *ok)
{
	List	   *aggrefs = NIL;
	ListCell   *lc;

	*ok = true;
	foreach(lc, pull_var_clause((Node *) target->exprs,
								PVC_INCLUDE_AGGREGATES | PVC_RECURSE_PLACEHOLDERS |
								PVC_RECURSE_WINDOWFUNCS))
	{
		Node	   *node = lfirst(lc);
		int			col;

		if (IsA(node, Aggref))
		{
			if (classify_aggref((Aggref *) node, relid, &col) < 0)
				*ok = false;
			aggrefs = list_append_unique(aggrefs, node);
		}
		else if (!IsA(node, Var))
			*ok = false;
	}
	return aggrefs;
}

/*
 * The cost of aggregating "rel" in one process: a hundredth of an operator
 * per row and pushed qual (column-wise loops over arrays), the other quals
 * on the rows that pass the pushed ones (their values are read in place, no
 * row is formed), and per selected row a tenth of an operator for each
 * aggregate but count(*) (a count per chunk), more with GROUP BY: for one
 * text column, a quarter of an operator per aggregate and for the count of
 * rows per dictionary code; otherwise finding each row's group by a hash of
 * its key, and updating scattered states.  A tenth of an operator
 * is about what summing a float8 column takes.  It is below any plan that
 * forms rows, unless the per-row quals are costly.
 */
static Cost
aggregation_cost(PlannerInfo *root, RelOptInfo *rel, List *group_exprs, List *aggrefs)
{
	List	   *pushed;
	List	   *rest;
	QualCost	rest_cost;
	double		fetched;
	double		per_row;
	int			naggs = 0;
	ListCell   *lc;

	foreach(lc, aggrefs)
		naggs += !((Aggref *) lfirst(lc))->aggstar;

	shmcache_split_quals(rel->baserestrictinfo, rel->relid, &pushed, &rest);
	cost_qual_eval(&rest_cost, rest, root);
	fetched = rel->tuples * clauselist_selectivity(root, pushed, rel->relid, JOIN_INNER, NULL);
	if (group_exprs == NIL)
		per_row = naggs * 0.1 * cpu_operator_cost;
	else if (list_length(group_exprs) == 1 &&
			 get_typlen(exprType(linitial(group_exprs))) == -1)
		per_row = (list_length(aggrefs) + 1) * 0.25 * cpu_operator_cost;
	else
		per_row = (list_length(aggrefs) * 0.5 + 2) * cpu_operator_cost;
	return rest_cost.startup +
		rel->tuples * list_length(pushed) * cpu_operator_cost * 0.01 +
		fetched * rest_cost.per_tuple +
		rel->rows * per_row;
}

/*
 * A ShmcacheAggregate path of "output_rel" in mode "mode", producing
 * "target".  Costs and row counts are set by the caller.
 */
static CustomPath *
make_agg_path(RelOptInfo *output_rel, PathTarget *target, AggMode mode,
			  Index relid, List *group_exprs, List *aggrefs)
{
	CustomPath *path = makeNode(CustomPath);

	path->path.pathtype = T_CustomScan;
	path->path.parent = output_rel;
	path->path.pathtarget = target;
	path->path.param_info = NULL;
	path->path.parallel_aware = false;
	path->path.parallel_safe = false;
	path->path.parallel_workers = 0;
	path->path.pathkeys = NIL;
	path->flags = 0;
	path->custom_private = list_make4(makeInteger(relid), group_exprs, aggrefs,
									  makeInteger(mode));
	path->methods = &shmcache_agg_path_methods;
	return path;
}

/*
 * The Aggref a partial node returns for "aggref": the same call marked as
 * computing a partial state, of type bytea (the node's own state image).
 */
static Aggref *
make_partial_aggref(Aggref *aggref)
{
	Aggref	   *partial = copyObject(aggref);

	partial->aggsplit = AGGSPLIT_INITIAL_SERIAL;
	partial->aggtype = BYTEAOID;
	return partial;
}

/*
 * The bytes of column data aggregating "rel" reads: the values of the
 * columns the grouping, the aggregates and the quals use (two bytes a row
 * for a dictionary-coded column).
 */
static double
frame_bytes_read(PlannerInfo *root, RelOptInfo *rel, List *group_exprs,
				 List *aggrefs)
{
	RangeTblFunction *rtfunc = linitial(planner_rt_fetch(rel->relid, root)->functions);
	List	   *quals = extract_actual_clauses(rel->baserestrictinfo, false);
	ListCell   *lc;
	double		width = 0;

	foreach(lc, shmcache_referenced_columns((Node *) list_make3(group_exprs, aggrefs, quals),
											rel->relid))
	{
		int16		typlen = get_typlen(list_nth_oid(rtfunc->funccoltypes, lfirst_int(lc)));

		width += typlen > 0 ? typlen : (int16) sizeof(uint16);
	}
	return rel->tuples * width;
}

/*
 * Offer a parallel plan too, if the frame scan has a partial path (the frame
 * is named by a constant and its quals may run in workers): a finalizing
 * node combining, by group, the partial states of a Gather of partial
 * nodes, each of which aggregates the chunks its process claims.  Every
 * participant's groups pass through the Gather.  "serial_cost" is the
 * cost of aggregating in one process.
 */
static void
add_parallel_agg_path(PlannerInfo *root, RelOptInfo *input_rel,
					  RelOptInfo *output_rel, List *group_exprs,
					  List *aggrefs, double ngroups, Cost serial_cost)
{
	PathTarget *partial_target = create_empty_pathtarget();
	CustomPath *partial;
	CustomPath *final;
	GatherPath *gather;
	ListCell   *lc;
	int			workers;
	double		divisor;
	double		gathered;

	if (!output_rel->consider_parallel || input_rel->partial_pathlist == NIL)
		return;
	workers = ((Path *) linitial(input_rel->partial_pathlist))->parallel_workers;
	divisor = shmcache_parallel_divisor(workers);
	foreach(lc, group_exprs)
		add_column_to_pathtarget(partial_target, lfirst(lc), 0);
	foreach(lc, aggrefs)
		add_column_to_pathtarget(partial_target, (Expr *) make_partial_aggref(lfirst(lc)), 0);
	set_pathtarget_cost_width(root, partial_target);

	partial = make_agg_path(output_rel, partial_target, AGG_MODE_PARTIAL,
							input_rel->relid, group_exprs, aggrefs);
	partial->path.parallel_aware = true;
	partial->path.parallel_safe = true;
	partial->path.parallel_workers = workers;
	partial->path.rows = clamp_row_est(Min(ngroups, input_rel->rows / divisor));

	/*
	 * Besides its share of the work, a worker maps into its address space the
	 * pages of shared memory it reads (a new process has none mapped): about
	 * what reading as many bytes of a table in shared buffers costs, a
	 * seq_page_cost a block.  With aggregation this cheap, that and the
	 * workers' start decide whether they pay.  The charge stays with huge
	 * pages, where mapping is cheap: starting workers then still takes
	 * several milliseconds more than parallel_setup_cost reckons, against
	 * aggregates that take a few.
	 */
	partial->path.startup_cost = serial_cost / divisor +
		frame_bytes_read(root, input_rel, group_exprs, aggrefs) / BLCKSZ *
		seq_page_cost * workers / divisor;
	partial->path.total_cost = partial->path.startup_cost +
		partial->path.rows * cpu_tuple_cost;

	gathered = partial->path.rows * divisor;
	gather = create_gather_path(root, output_rel, &partial->path, partial_target,
								NULL, &gathered);

	final = make_agg_path(output_rel, output_rel->reltarget, AGG_MODE_FINAL,
						  input_rel->relid, group_exprs, aggrefs);
	final->custom_paths = list_make1(gather);
	final->path.rows = ngroups;
	final->path.startup_cost = gather->path.total_cost +
		gathered * (list_length(group_exprs) + list_length(aggrefs)) * cpu_operator_cost;
	final->path.total_cost = final->path.startup_cost + ngroups * cpu_tuple_cost;
	add_path(output_rel, &final->path);
}

/*
 * create_upper_paths_hook: offer a ShmcacheAggregate path for the grouping
 * stage of a query that reads one frame.
 */
static void
shmcache_create_upper_paths(PlannerInfo *root, UpperRelationKind stage,
							RelOptInfo *input_rel, RelOptInfo *output_rel,
							void *extra)
{
	Query	   *parse = root->parse;
	RangeTblEntry *rte;
	CustomPath *path;
	List	   *aggrefs;
	List	   *group_exprs = NIL;
	ListCell   *lc;
	bool		ok;
	double		ngroups = 1;
	Cost		cost;

	if (prev_create_upper_paths_hook)
		prev_create_upper_paths_hook(root, stage, input_rel, output_rel, extra);

	if (stage != UPPERREL_GROUP_AGG || !shmcache_enable_pushdown ||
		!shmcache_enable_customscan || ShmcacheShared == NULL ||
		input_rel->reloptkind != RELOPT_BASEREL ||
		(!parse->hasAggs && parse->groupClause == NIL) ||
		parse->groupingSets != NIL || parse->havingQual != NULL ||
		list_length(parse->groupClause) > MAX_GROUP_COLUMNS)
		return;
	rte = planner_rt_fetch(input_rel->relid, root);
	if (rte->rtekind != RTE_FUNCTION || shmcache_frame_scan_argument(rte) == NULL ||
		input_rel->lateral_relids != NULL)
		return;
	foreach(lc, input_rel->baserestrictinfo)
	{
		Node	   *clause = (Node *) ((RestrictInfo *) lfirst(lc))->clause;
		Bitmapset  *attrs = NULL;

		/* a qual on no column gates the whole scan: leave it to core */
		if (((RestrictInfo *) lfirst(lc))->pseudoconstant)
			return;

		/* quals read per row must be plain columns and simple expressions */
		pull_varattnos(clause, input_rel->relid, &attrs);
		if (shmcache_needs_executor_context(clause) ||
			(attrs != NULL && bms_first_member(attrs) < 1 - FirstLowInvalidHeapAttributeNumber))
			return;
	}
	foreach(lc, parse->groupClause)
	{
		SortGroupClause *sgc = lfirst(lc);
		Expr	   *expr = (Expr *) get_sortgroupclause_expr(sgc, parse->targetList);

		if (!groupable_column(expr, input_rel->relid, sgc->eqop))
			return;
		group_exprs = lappend(group_exprs, expr);
	}
	aggrefs = collect_aggrefs(output_rel->reltarget, input_rel->relid, &ok);
	if (!ok || (aggrefs == NIL && group_exprs == NIL))
		return;

	if (group_exprs != NIL)
		ngroups = estimate_num_groups(root, group_exprs, input_rel->rows, NULL, NULL);
	cost = aggregation_cost(root, input_rel, group_exprs, aggrefs);

	path = make_agg_path(output_rel, output_rel->reltarget, AGG_MODE_SERIAL,
						 input_rel->relid, group_exprs, aggrefs);
	path->path.rows = ngroups;
	path->path.startup_cost = cost;
	path->path.total_cost = cost + ngroups * cpu_tuple_cost;
	add_path(output_rel, &path->path);

	add_parallel_agg_path(root, input_rel, output_rel, group_exprs, aggrefs,
						  ngroups, cost);
}

/*
 * PlanCustomPath: a CustomScan whose scan tuple is the group columns then
 * the aggregates (their partial states for a partial node).  custom_private:
 * group columns, aggregate specs (kind, column, collation), pushed quals,
 * other quals, columns read, check-as user, the frame's column names, types
 * and typmods, the mode.  A finalizing node reads no frame itself: it has no
 * quals and its one child plan is the Gather of partial nodes.
 */
static Plan *
plan_shmcache_agg(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
				  List *tlist, List *clauses, List *custom_plans)
{
	Index		relid = intVal(linitial(best_path->custom_private));
	List	   *group_exprs = lsecond(best_path->custom_private);
	List	   *aggrefs = lthird(best_path->custom_private);
	AggMode		mode = intVal(lfourth(best_path->custom_private));
	RelOptInfo *input_rel = find_base_rel(root, relid);
	RangeTblEntry *rte = planner_rt_fetch(relid, root);
	RangeTblFunction *rtfunc = linitial(rte->functions);
	CustomScan *cscan = makeNode(CustomScan);
	List	   *scan_tlist = NIL;
	List	   *group_cols = NIL;
	List	   *agg_specs = NIL;
	List	   *pushed;
	List	   *rest;
	List	   *read_columns;
	ListCell   *lc;

	foreach(lc, group_exprs)
	{
		scan_tlist = lappend(scan_tlist,
							 makeTargetEntry(copyObject(lfirst(lc)),
											 list_length(scan_tlist) + 1, NULL, false));
		group_cols = lappend_int(group_cols, frame_column(lfirst(lc), relid));
	}
	foreach(lc, aggrefs)
	{
		Aggref	   *aggref = lfirst(lc);
		int			col;
		int			kind = classify_aggref(aggref, relid, &col);

		scan_tlist = lappend(scan_tlist,
							 makeTargetEntry(mode == AGG_MODE_PARTIAL ?
											 (Expr *) make_partial_aggref(aggref) :
											 copyObject((Expr *) aggref),
											 list_length(scan_tlist) + 1, NULL, false));
		agg_specs = lappend(agg_specs,
							list_make3_int(kind, col, (int) aggref->inputcollid));
	}
	if (mode == AGG_MODE_FINAL)
		pushed = rest = read_columns = NIL;
	else
	{
		shmcache_split_quals(input_rel->baserestrictinfo, relid, &pushed, &rest);
		read_columns = shmcache_referenced_columns((Node *) list_make4(group_exprs, aggrefs,
																	   pushed, rest),
												   relid);
	}

	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = NIL;
	cscan->scan.scanrelid = 0;
	cscan->custom_scan_tlist = scan_tlist;
	cscan->custom_exprs = list_make1(copyObject(shmcache_frame_scan_argument(rte)));
	cscan->custom_private = list_make4(group_cols, agg_specs, pushed, rest);
	cscan->custom_private = lappend(cscan->custom_private, read_columns);
	cscan->custom_private = lappend(cscan->custom_private,
									list_make1_oid(shmcache_scan_check_as_user(rte)));
	cscan->custom_private = lappend(cscan->custom_private, rtfunc->funccolnames);
	cscan->custom_private = lappend(cscan->custom_private, rtfunc->funccoltypes);
	cscan->custom_private = lappend(cscan->custom_private, rtfunc->funccoltypmods);
	cscan->custom_private = lappend(cscan->custom_private, makeInteger(mode));
	cscan->custom_plans = custom_plans;
	cscan->methods = &shmcache_agg_scan_methods;
	return &cscan->scan.plan;
}

/* ------------------------------------------------------------------------
 * Execution: set-up
 * ------------------------------------------------------------------------
 */

static Node *
create_shmcache_agg_state(CustomScan *cscan)
{
	ShmcacheAggState *state = palloc0(sizeof(ShmcacheAggState));

	NodeSetTag(state, T_CustomScanState);
	state->css.methods = &shmcache_agg_exec_methods;
	return (Node *) state;
}

/*
 * A slot with the frame's columns, for the quals evaluated per row (their
 * Vars read the scan tuple, whatever their varno).
 */
static TupleTableSlot *
make_row_slot(List *names, List *types, List *typmods)
{
	TupleDesc	tupdesc = CreateTemplateTupleDesc(list_length(types));
	int			i;

	for (i = 0; i < list_length(types); i++)
		TupleDescInitEntry(tupdesc, i + 1, strVal(list_nth(names, i)),
						   list_nth_oid(types, i), list_nth_int(typmods, i), 0);
	return MakeSingleTupleTableSlot(tupdesc, &TTSOpsVirtual);
}

/* IntList of the 0-based columns the Vars of "node" read, in order. */
static List *
var_columns(Node *node)
{
	Bitmapset  *attrs = NULL;
	List	   *columns = NIL;
	ListCell   *lc;
	int			col = -1;

	foreach(lc, pull_var_clause(node, 0))
		attrs = bms_add_member(attrs, ((Var *) lfirst(lc))->varattno - 1);
	while ((col = bms_next_member(attrs, col)) >= 0)
		columns = lappend_int(columns, col);
	return columns;
}

static void
begin_shmcache_agg(CustomScanState *node, EState *estate, int eflags)
{
	ShmcacheAggState *state = (ShmcacheAggState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *priv = cscan->custom_private;
	List	   *group_cols = list_nth(priv, AGG_PRIVATE_GROUP_COLUMNS);
	List	   *agg_specs = list_nth(priv, AGG_PRIVATE_AGGREGATES);
	TupleDesc	scandesc = node->ss.ss_ScanTupleSlot->tts_tupleDescriptor;
	ListCell   *lc;

	shmcache_require_shmem();
	state->mode = intVal(list_nth(priv, AGG_PRIVATE_MODE));
	state->rest = list_nth(priv, AGG_PRIVATE_ROW_QUALS);
	state->row_slot = make_row_slot(list_nth(priv, AGG_PRIVATE_COLUMN_NAMES),
									list_nth(priv, AGG_PRIVATE_COLUMN_TYPES),
									list_nth(priv, AGG_PRIVATE_COLUMN_TYPMODS));
	shmcache_reader_init(&state->reader, &node->ss.ps, linitial(cscan->custom_exprs),
						 linitial_oid(list_nth(priv, AGG_PRIVATE_CHECK_AS_USER)),
						 list_nth(priv, AGG_PRIVATE_READ_COLUMNS),
						 list_nth(priv, AGG_PRIVATE_PUSHED),
						 state->row_slot->tts_tupleDescriptor);
	if (state->rest != NIL)
	{
		List	   *row_columns = var_columns((Node *) state->rest);

		state->nrow_columns = list_length(row_columns);
		state->row_columns = palloc(sizeof(int) * Max(state->nrow_columns, 1));
		foreach(lc, row_columns)
			state->row_columns[foreach_current_index(lc)] = lfirst_int(lc);
		state->rest_qual = ExecInitQual(state->rest, &node->ss.ps);
	}

	state->ngroupcols = list_length(group_cols);
	state->grouped = state->ngroupcols > 0;
	foreach(lc, group_cols)
		state->group_cols[foreach_current_index(lc)] = lfirst_int(lc);
	state->naggs = list_length(agg_specs);
	state->aggs = palloc0(sizeof(AggSpec) * Max(state->naggs, 1));
	foreach(lc, agg_specs)
	{
		List	   *spec = lfirst(lc);
		AggSpec    *agg = &state->aggs[foreach_current_index(lc)];

		agg->kind = linitial_int(spec);
		agg->col = lsecond_int(spec);
		agg->collation = (Oid) lthird_int(spec);
		agg->resulttype = TupleDescAttr(scandesc, state->ngroupcols +
										foreach_current_index(lc))->atttypid;
		set_state_reference_type(agg, state->row_slot->tts_tupleDescriptor);
	}
	state->sel = palloc(sizeof(uint16) * SHMCACHE_CHUNK_ROWS);
	state->row_group = palloc(sizeof(uint32) * SHMCACHE_CHUNK_ROWS);
	shmcache_agg_prepare_by_key(state);
	state->numeric_context = AllocSetContextCreate(CurrentMemoryContext,
												   "shmcache numeric sums",
												   ALLOCSET_DEFAULT_SIZES);

	/*
	 * As for a frame scan, a constant frame id fixes the snapshot when the
	 * query starts (a cursor sees the frame as it was when declared).  A
	 * partial node in a worker uses the leader's snapshot (see
	 * initialize_worker_shmcache_agg); a finalizing node reads its child.
	 */
	if (state->mode == AGG_MODE_FINAL)
	{
		node->custom_ps = list_make1(ExecInitNode(linitial(cscan->custom_plans),
												  estate, eflags));
		prepare_comparisons(state);
	}
	else if (shmcache_reader_starts_at_begin(&state->reader))
		start_aggregation(state);
}

/*
 * The type of the Datum a state of "agg" may point to: a numeric sum, or the
 * min/max of a by-reference type.  A partial state carries its image.
 */
static void
set_state_reference_type(AggSpec *agg, TupleDesc rowdesc)
{
	agg->reflen = sizeof(Datum);
	agg->refbyval = true;
	if (agg->kind == AGG_SUM_NUMERIC || agg->kind == AGG_AVG_NUMERIC)
	{
		agg->reflen = -1;
		agg->refbyval = false;
	}
	else if (agg->kind == AGG_MIN_GENERIC || agg->kind == AGG_MAX_GENERIC)
	{
		agg->reflen = TupleDescAttr(rowdesc, agg->col)->attlen;
		agg->refbyval = TupleDescAttr(rowdesc, agg->col)->attbyval;
	}
}

/*
 * The comparison function of the default btree operator class of "type",
 * for generic min/max.
 */
static void
lookup_comparison(Oid type, FmgrInfo *cmp)
{
	Oid			opclass = GetDefaultOpClass(type, BTREE_AM_OID);
	Oid			opcintype = get_opclass_input_type(opclass);
	Oid			proc = get_opfamily_proc(get_opclass_family(opclass), opcintype,
										 opcintype, BTORDER_PROC);

	if (!OidIsValid(proc))
		elog(ERROR, "no btree comparison function for type %u", type);
	fmgr_info(proc, cmp);
}

/* Look up the comparison functions of generic min/max. */
static void
prepare_comparisons(ShmcacheAggState *state)
{
	TupleDesc	rowdesc = state->row_slot->tts_tupleDescriptor;
	int			i;

	for (i = 0; i < state->naggs; i++)
	{
		AggSpec    *agg = &state->aggs[i];

		if (agg->kind == AGG_MIN_GENERIC || agg->kind == AGG_MAX_GENERIC)
			lookup_comparison(TupleDescAttr(rowdesc, agg->col)->atttypid, &agg->cmp);
	}
}

/*
 * Pin the frame, check the right to read it and prepare to read it.  A NULL
 * frame id gives an empty snapshot: the aggregates of no rows.
 */
static void
start_aggregation(ShmcacheAggState *state)
{
	shmcache_reader_start(&state->reader);
	prepare_comparisons(state);
}

/*
 * Keep only the rows of the selection that pass the quals evaluated per row
 * (the ones not pushed), filling a slot with the columns they read.
 */
static void
apply_row_quals(ShmcacheAggState *state, const char *chunk, uint32 *n, bool *all)
{
	const ShmcacheColumn *cols = state->reader.snap.version->cols;
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	TupleTableSlot *slot = state->row_slot;
	uint32		m = 0;
	uint32		j;

	/*
	 * The slot stays a stored virtual tuple; each row overwrites the values
	 * of the columns the quals read (the others stay null).
	 */
	econtext->ecxt_scantuple = slot;
	if (TTS_EMPTY(slot))
	{
		memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
		ExecStoreVirtualTuple(slot);
	}
	for (j = 0; j < *n; j++)
	{
		uint32		i = *all ? j : state->sel[j];
		int			k;

		for (k = 0; k < state->nrow_columns; k++)
		{
			int			c = state->row_columns[k];

			slot->tts_values[c] = shmcache_fetch_value(&cols[c], chunk, i,
													   &slot->tts_isnull[c]);
		}
		ResetExprContext(econtext);
		if (ExecQual(state->rest_qual, econtext))
			state->sel[m++] = (uint16) i;
	}
	*n = m;
	*all = false;
}

/* Run through the chunks of the snapshot, accumulating. */
static void
aggregate_frame(ShmcacheAggState *state)
{
	const char *chunk;
	uint32		n;
	bool		all;
	bool		has_numeric = false;
	int			a;

	shmcache_agg_reset_groups(state);
	for (a = 0; a < state->naggs; a++)
	{
		has_numeric |= state->aggs[a].kind == AGG_SUM_NUMERIC ||
			state->aggs[a].kind == AGG_AVG_NUMERIC;
		state->aggs[a].exact_floats = false;
	}

	shmcache_reader_rewind(&state->reader);
	while ((chunk = shmcache_reader_next_chunk(&state->reader, state->sel, &n, &all)) != NULL)
	{
		if (state->rest_qual != NULL)
			apply_row_quals(state, chunk, &n, &all);
		if (n == 0)
			continue;
		if (state->grouped && shmcache_agg_accumulate_by_key(state, chunk, n, all))
			continue;
		if (state->grouped)
			shmcache_agg_assign_groups(state, chunk, n, all);
		for (a = 0; a < state->naggs; a++)
			shmcache_agg_accumulate(state, a, chunk, n, all);
		if (has_numeric)
			shmcache_agg_compact_numeric_sums(state);
	}
	state->done = true;
	state->next_output = 0;
}

/*
 * Finalizing node: combine the partial states of every row the Gather below
 * returns (a row per group and participant) into the groups.
 */
static void
combine_partials(ShmcacheAggState *state)
{
	PlanState  *child = linitial(state->css.custom_ps);
	TupleTableSlot *slot;
	int			a;

	shmcache_agg_reset_groups(state);
	for (;;)
	{
		uint32		g;

		CHECK_FOR_INTERRUPTS();
		slot = ExecProcNode(child);
		if (TupIsNull(slot))
			break;
		slot_getallattrs(slot);
		g = state->grouped ? shmcache_agg_partial_row_group(state, slot) : 0;
		for (a = 0; a < state->naggs; a++)
		{
			shmcache_agg_combine_serialized(&state->aggs[a], &state->accums[a][g],
											slot->tts_values[state->ngroupcols + a]);
		}
	}
	state->done = true;
	state->next_output = 0;
}

/* ExecScan access method: the next group's row, or an empty slot. */
static TupleTableSlot *
shmcache_agg_next(ScanState *ss)
{
	ShmcacheAggState *state = (ShmcacheAggState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;
	FrameGroup	   *group;
	MemoryContext old;
	int			i;

	ExecClearTuple(slot);
	if (state->next_output >= state->ngroups)
		return slot;
	group = &state->groups[state->next_output++];

	/* values made here live until the next call (ExecScan resets this) */
	old = MemoryContextSwitchTo(ss->ps.ps_ExprContext->ecxt_per_tuple_memory);
	for (i = 0; i < state->ngroupcols; i++)
	{
		slot->tts_isnull[i] = (group->nulls & (1 << i)) != 0;
		slot->tts_values[i] = slot->tts_isnull[i] ? (Datum) 0 : group->values[i];
	}
	for (i = 0; i < state->naggs; i++)
	{
		if (state->mode == AGG_MODE_PARTIAL)
		{
			slot->tts_isnull[state->ngroupcols + i] = false;
			slot->tts_values[state->ngroupcols + i] =
				shmcache_agg_serialize_state(state, i, state->next_output - 1);
		}
		else
			slot->tts_values[state->ngroupcols + i] =
				shmcache_agg_final_value(&state->aggs[i],
										 &state->accums[i][state->next_output - 1],
										 &slot->tts_isnull[state->ngroupcols + i]);
	}
	MemoryContextSwitchTo(old);
	return ExecStoreVirtualTuple(slot);
}

static bool
shmcache_agg_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
exec_shmcache_agg(CustomScanState *node)
{
	ShmcacheAggState *state = (ShmcacheAggState *) node;

	if (state->mode == AGG_MODE_FINAL)
	{
		if (!state->done)
			combine_partials(state);
	}
	else
	{
		if (!state->reader.started)
			start_aggregation(state);
		if (!state->done)
			aggregate_frame(state);
	}
	return ExecScan(&node->ss, shmcache_agg_next, shmcache_agg_recheck);
}

static void
end_shmcache_agg(CustomScanState *node)
{
	ShmcacheAggState *state = (ShmcacheAggState *) node;

	shmcache_reader_end(&state->reader);
	ExecDropSingleTupleTableSlot(state->row_slot);
	if (state->mode == AGG_MODE_FINAL)
		ExecEndNode(linitial(node->custom_ps));
}

/*
 * A rescan returns the groups again, unless parameters changed: then the
 * frame is aggregated again (on a new snapshot if the frame id changed).  A
 * partial node always aggregates again, the chunks it claims this time; a
 * finalizing node combines again what its child returns after a rescan.
 */
static void
rescan_shmcache_agg(CustomScanState *node)
{
	ShmcacheAggState *state = (ShmcacheAggState *) node;

	if (state->mode == AGG_MODE_FINAL)
	{
		PlanState  *child = linitial(node->custom_ps);

		if (node->ss.ps.chgParam != NULL)
		{
			UpdateChangedParamSet(child, node->ss.ps.chgParam);
			state->done = false;
		}
		if (child->chgParam == NULL && !state->done)
			ExecReScan(child);
	}
	else if (node->ss.ps.chgParam != NULL || state->mode == AGG_MODE_PARTIAL)
	{
		shmcache_reader_rescan(&state->reader, true);
		state->done = false;
	}
	state->next_output = 0;
	ExecScanReScan(&node->ss);
}

/* ------------------------------------------------------------------------
 * Parallel plans: the partial node's shared snapshot
 * ------------------------------------------------------------------------
 */

static Size
estimate_dsm_shmcache_agg(CustomScanState *node, ParallelContext *pcxt)
{
	return shmcache_reader_dsm_size();
}

static void
initialize_dsm_shmcache_agg(CustomScanState *node, ParallelContext *pcxt,
							void *coordinate)
{
	shmcache_reader_dsm_init(&((ShmcacheAggState *) node)->reader, coordinate);
}

static void
reinitialize_dsm_shmcache_agg(CustomScanState *node, ParallelContext *pcxt,
							  void *coordinate)
{
	shmcache_reader_dsm_reinit(&((ShmcacheAggState *) node)->reader, coordinate);
}

static void
initialize_worker_shmcache_agg(CustomScanState *node, shm_toc *toc,
							   void *coordinate)
{
	ShmcacheAggState *state = (ShmcacheAggState *) node;

	shmcache_reader_dsm_attach(&state->reader, coordinate);
	prepare_comparisons(state);
}

static void
shutdown_shmcache_agg(CustomScanState *node)
{
	shmcache_reader_shutdown(&((ShmcacheAggState *) node)->reader);
}

/* The name of a pushed aggregate, as SQL. */
static char *
describe_aggregate(const AggSpec *agg, TupleDesc rowdesc)
{
	static const char *const names[] = {
		[AGG_COUNT_STAR] = "count", [AGG_COUNT] = "count",
		[AGG_SUM_INT] = "sum", [AGG_SUM_INT8] = "sum", [AGG_AVG_INT] = "avg",
		[AGG_SUM_FLOAT4] = "sum", [AGG_SUM_FLOAT8] = "sum", [AGG_AVG_FLOAT] = "avg",
		[AGG_SUM_NUMERIC] = "sum", [AGG_AVG_NUMERIC] = "avg",
		[AGG_MIN_INT] = "min", [AGG_MAX_INT] = "max",
		[AGG_MIN_FLOAT] = "min", [AGG_MAX_FLOAT] = "max",
		[AGG_MIN_GENERIC] = "min", [AGG_MAX_GENERIC] = "max",
	};

	if (agg->col < 0)
		return psprintf("%s(*)", names[agg->kind]);
	return psprintf("%s(%s)", names[agg->kind],
					quote_identifier(NameStr(TupleDescAttr(rowdesc, agg->col)->attname)));
}

/*
 * The quals evaluated per row as text: their Vars are given range table
 * index 1 and deparsed as columns of the frame's view.
 */
static char *
describe_row_quals(List *quals, Oid viewoid)
{
	List	   *vars = pull_var_clause((Node *) quals, 0);
	Node	   *copy = (Node *) copyObject(make_ands_explicit(quals));

	if (vars != NIL)
		ChangeVarNodes(copy, ((Var *) linitial(vars))->varno, 1, 0);
	return deparse_expression(copy, deparse_context_for(get_rel_name(viewoid), viewoid),
							  false, false);
}

/*
 * EXPLAIN: the frame, the columns read, the group key, the aggregates, the
 * pushed filters and the per-row filter; with ANALYZE the rows visible,
 * chunks scanned and skipped and the groups.  A finalizing node shows the
 * group key and the aggregates it finalizes, its child the rest; a partial
 * node's chunk counts are those of all participants.
 */
static void
explain_shmcache_agg(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ShmcacheAggState *state = (ShmcacheAggState *) node;
	TupleDesc	rowdesc = state->row_slot->tts_tupleDescriptor;
	Oid			viewoid = state->reader.snap.viewoid;
	List	   *items = NIL;
	int			i;

	if (state->mode != AGG_MODE_FINAL)
		shmcache_reader_explain_frame(&state->reader, es);
	if (state->grouped)
	{
		items = NIL;
		for (i = 0; i < state->ngroupcols; i++)
			items = lappend(items, (char *) quote_identifier(NameStr(TupleDescAttr(rowdesc, state->group_cols[i])->attname)));
		ExplainPropertyList("Group Key", items, es);
	}
	items = NIL;
	for (i = 0; i < state->naggs; i++)
		items = lappend(items, describe_aggregate(&state->aggs[i], rowdesc));
	if (items != NIL)
		ExplainPropertyList(state->mode == AGG_MODE_SERIAL ? "Aggregates" :
							state->mode == AGG_MODE_PARTIAL ? "Partial Aggregates" :
							"Finalize Aggregates", items, es);
	shmcache_reader_explain_filters(&state->reader, es);
	if (state->rest != NIL && state->reader.pinned)
		ExplainPropertyText("Row Filter", describe_row_quals(state->rest, viewoid), es);
	if (es->analyze && state->mode == AGG_MODE_FINAL && state->grouped)
		ExplainPropertyUInteger("Groups", NULL, state->ngroups, es);
	shmcache_reader_explain_counts(&state->reader, es);
	if (es->analyze && state->reader.started && state->grouped &&
		state->mode == AGG_MODE_SERIAL)
		ExplainPropertyUInteger("Groups", NULL, state->ngroups, es);
}

/*
 * shmcache_aggregate_init
 *		Register the node and the planner hook (from _PG_init).
 */
void
shmcache_aggregate_init(void)
{
	RegisterCustomScanMethods(&shmcache_agg_scan_methods);
	prev_create_upper_paths_hook = create_upper_paths_hook;
	create_upper_paths_hook = shmcache_create_upper_paths;
}
