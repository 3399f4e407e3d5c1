/*-------------------------------------------------------------------------
 *
 * agg_plan.c
 *	  Planning aggregate pushdown: the upper-path hook that offers a
 *	  ShmcacheAggregate path for the grouping stage of a query reading one
 *	  frame, its costs, its parallel form, and its plan.
 *
 * create_upper_paths_hook looks at the grouping stage of a query whose only
 * relation is a frame scan.  If every aggregate is one of count(*),
 * count(col), sum/avg/min/max(col) on the supported types, with no
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
 * If the frame scan has a partial path, a parallel plan is offered too: a
 * finalizing node (AGG_MODE_FINAL) over a Gather of partial nodes
 * (AGG_MODE_PARTIAL), whose scan tuples hold each aggregate's partial state
 * as a bytea.  The partial Aggrefs in the plan are marked
 * AGGSPLIT_INITIAL_SERIAL, so EXPLAIN VERBOSE shows them as PARTIAL.
 *
 * The plan's custom_private is read back by position (ShmcacheAggPrivate,
 * aggregate.h); the executor node is agg_exec.c's.
 *
 * Layer: planning, beside the frame scan's (scan.c), whose splitting of
 * quals and lists of columns it shares; it reads no frame.  Locking: none.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/agg_plan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_namespace.h"
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
#include "utils/lsyscache.h"
#include "utils/selfuncs.h"
#include "utils/typcache.h"

#include "aggregate.h"

static create_upper_paths_hook_type prev_create_upper_paths_hook = NULL;

static Plan *plan_shmcache_agg(PlannerInfo *root, RelOptInfo *rel,
							   CustomPath *best_path, List *tlist,
							   List *clauses, List *custom_plans);

static const CustomPathMethods shmcache_agg_path_methods = {
	.CustomName = "ShmcacheAggregate",
	.PlanCustomPath = plan_shmcache_agg,
};

/* Registered by name, for the plan a parallel worker reads */
static const CustomScanMethods shmcache_agg_scan_methods = {
	.CustomName = "ShmcacheAggregate",
	.CreateCustomScanState = shmcache_agg_create_state,
};

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
 * Can the node evaluate "expr" (a FILTER clause, or NULL) on a row of frame
 * scan "relid" it holds in its row slot: only the frame's own columns, and
 * nothing that needs the executor's context (see
 * shmcache_needs_executor_context)?
 */
static bool
row_expression_ok(Node *expr, Index relid)
{
	ListCell   *lc;

	if (expr == NULL)
		return true;
	if (shmcache_needs_executor_context(expr))
		return false;
	foreach(lc, pull_var_clause(expr, PVC_RECURSE_PLACEHOLDERS))
	{
		Var		   *var = lfirst(lc);

		if (var->varno != (int) relid || var->varlevelsup != 0 || var->varattno < 1)
			return false;
	}
	return true;
}

/*
 * Can the node count the distinct values of argument "arg" of "aggref" (a
 * count(DISTINCT) of a frame column)?  Those of an integer, date/time or
 * float column, or of a text/varchar one under a deterministic collation
 * (equal means equal bytes), distinct by the type's own equality.
 */
static bool
countable_distinct(Aggref *aggref, Expr *arg)
{
	Oid			type = exprType((Node *) arg);
	ShmcacheKind kind = shmcache_fixed_kind(type);
	SortGroupClause *sgc = linitial(aggref->aggdistinct);

	if (type == TEXTOID || type == VARCHAROID)
	{
		if (!OidIsValid(aggref->inputcollid) ||
			!get_collation_isdeterministic(aggref->inputcollid))
			return false;
	}
	else if (!SHMCACHE_KIND_IS_INT(kind) && !SHMCACHE_KIND_IS_FLOAT(kind))
		return false;
	return sgc->eqop == lookup_type_cache(type, TYPECACHE_EQ_OPR)->eq_opr;
}

/*
 * The kind of a supported aggregate call, or -1.  Only the built-in
 * aggregates of pg_catalog, on a plain column of the frame; of DISTINCT
 * ones, count.
 */
static int
classify_aggref(Aggref *aggref, Index relid, int *col)
{
	char	   *name;
	Oid			argtype;
	TargetEntry *arg;

	if (aggref->aggorder != NIL || !row_expression_ok((Node *) aggref->aggfilter, relid) ||
		aggref->aggkind != AGGKIND_NORMAL ||
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
	if (aggref->aggdistinct != NIL)
		return strcmp(name, "count") == 0 && countable_distinct(aggref, arg->expr) ?
			AGG_COUNT_DISTINCT : -1;
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
		ShmcacheKind kind = shmcache_fixed_kind(argtype);

		if (SHMCACHE_KIND_IS_INT(kind))
			return is_min ? AGG_MIN_INT : AGG_MAX_INT;
		if (SHMCACHE_KIND_IS_FLOAT(kind))
			return is_min ? AGG_MIN_FLOAT : AGG_MAX_FLOAT;
		if (argtype == NUMERICOID || argtype == TEXTOID || argtype == VARCHAROID)
			return is_min ? AGG_MIN_GENERIC : AGG_MAX_GENERIC;
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
	if (type == TEXTOID || type == VARCHAROID)
	{
		if (!OidIsValid(exprCollation((Node *) expr)) ||
			!get_collation_isdeterministic(exprCollation((Node *) expr)))
			return false;
	}
	else if (!SHMCACHE_KIND_IS_INT(shmcache_fixed_kind(type)))
		return false;
	tce = lookup_type_cache(type, TYPECACHE_EQ_OPR);
	return tce->eq_opr == eqop;
}

/*
 * The Aggrefs of the grouping target and of the HAVING quals, or NIL with
 * *ok false if something in them cannot be computed by the node.
 */
static List *
collect_aggrefs(PathTarget *target, List *having, Index relid, bool *ok)
{
	List	   *aggrefs = NIL;
	ListCell   *lc;

	*ok = true;
	foreach(lc, pull_var_clause((Node *) list_make2(target->exprs, having),
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
			  Index relid, List *group_exprs, List *aggrefs, List *having)
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
	path->custom_private = list_make5(makeInteger(relid), group_exprs, aggrefs,
									  makeInteger(mode), having);
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
 * The rows of an aggregate path returning "ngroups" groups, and its cost,
 * with the HAVING quals evaluated on each group, as core's cost_agg has it.
 */
static void
charge_having(PlannerInfo *root, Path *path, List *having, double ngroups)
{
	QualCost	having_cost;

	path->rows = ngroups;
	if (having == NIL)
		return;
	cost_qual_eval(&having_cost, having, root);
	path->startup_cost += having_cost.startup;
	path->total_cost += having_cost.startup + ngroups * having_cost.per_tuple;
	path->rows = clamp_row_est(ngroups *
							   clauselist_selectivity(root, having, 0, JOIN_INNER, NULL));
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
					  List *aggrefs, List *having, double ngroups,
					  Cost serial_cost)
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
							input_rel->relid, group_exprs, aggrefs, NIL);
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
						  input_rel->relid, group_exprs, aggrefs, having);
	final->custom_paths = list_make1(gather);
	final->path.startup_cost = gather->path.total_cost +
		gathered * (list_length(group_exprs) + list_length(aggrefs)) * cpu_operator_cost;
	final->path.total_cost = final->path.startup_cost + ngroups * cpu_tuple_cost;
	charge_having(root, &final->path, having, ngroups);
	add_path(output_rel, &final->path);
}

/*
 * Is one of "aggrefs" a DISTINCT aggregate?  Its set of values is not
 * split between processes: such aggregation is serial, as core's is.
 */
static bool
has_distinct_aggregate(List *aggrefs)
{
	ListCell   *lc;

	foreach(lc, aggrefs)
	{
		if (((Aggref *) lfirst(lc))->aggdistinct != NIL)
			return true;
	}
	return false;
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
	List	   *having;
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
		parse->groupingSets != NIL ||
		list_length(parse->groupClause) > MAX_GROUP_COLUMNS)
		return;
	rte = planner_rt_fetch(input_rel->relid, root);
	if (rte->rtekind != RTE_FUNCTION || shmcache_frame_scan_argument(rte) == NULL ||
		shmcache_position_attno(rte) != 0 || input_rel->lateral_relids != NULL)
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
	having = (List *) ((GroupPathExtraData *) extra)->havingQual;
	aggrefs = collect_aggrefs(output_rel->reltarget, having, input_rel->relid, &ok);
	if (!ok || (aggrefs == NIL && group_exprs == NIL))
		return;

	if (group_exprs != NIL)
		ngroups = estimate_num_groups(root, group_exprs, input_rel->rows, NULL, NULL);
	cost = aggregation_cost(root, input_rel, group_exprs, aggrefs);

	path = make_agg_path(output_rel, output_rel->reltarget, AGG_MODE_SERIAL,
						 input_rel->relid, group_exprs, aggrefs, having);
	path->path.startup_cost = cost;
	path->path.total_cost = cost + ngroups * cpu_tuple_cost;
	charge_having(root, &path->path, having, ngroups);
	add_path(output_rel, &path->path);

	if (!has_distinct_aggregate(aggrefs))
		add_parallel_agg_path(root, input_rel, output_rel, group_exprs, aggrefs,
							  having, ngroups, cost);
}

/*
 * PlanCustomPath: a CustomScan whose scan tuple is the group columns then
 * the aggregates (their partial states for a partial node).  custom_private:
 * group columns, aggregate specs (kind, column, collation), pushed quals,
 * other quals, columns read, check-as user, the frame's column names, types
 * and typmods, the mode, the aggregates' FILTER clauses.  A finalizing node reads no frame itself: it has no
 * quals and its one child plan is the Gather of partial nodes.  The HAVING
 * quals are the plan's own quals (of a serial or finalizing node), over
 * the scan tuple's aggregates and group columns.
 */
static Plan *
plan_shmcache_agg(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
				  List *tlist, List *clauses, List *custom_plans)
{
	Index		relid = intVal(linitial(best_path->custom_private));
	List	   *group_exprs = lsecond(best_path->custom_private);
	List	   *aggrefs = lthird(best_path->custom_private);
	AggMode		mode = intVal(lfourth(best_path->custom_private));
	List	   *having = list_nth(best_path->custom_private, 4);
	RelOptInfo *input_rel = find_base_rel(root, relid);
	RangeTblEntry *rte = planner_rt_fetch(relid, root);
	RangeTblFunction *rtfunc = linitial(rte->functions);
	CustomScan *cscan = makeNode(CustomScan);
	List	   *scan_tlist = NIL;
	List	   *group_cols = NIL;
	List	   *agg_specs = NIL;
	List	   *filters = NIL;
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
		filters = lappend(filters, mode == AGG_MODE_FINAL ? NULL : copyObject(aggref->aggfilter));
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
	cscan->scan.plan.qual = having;
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
	cscan->custom_private = lappend(cscan->custom_private, filters);
	cscan->custom_plans = custom_plans;
	cscan->methods = &shmcache_agg_scan_methods;
	return &cscan->scan.plan;
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
