/*-------------------------------------------------------------------------
 *
 * scan.c
 *	  Reading frames: the ShmcacheScan custom scan node that replaces the
 *	  function scan of shmcache.scan() in a frame's view, the planner support
 *	  function that gives the planner a frame's real row count, and the
 *	  plain set-returning shmcache.scan() itself.
 *
 * Planning.  A frame's view reads "shmcache.scan(<frame id>) AS f(...)".
 * set_rel_pathlist_hook sees that function RTE and offers a CustomPath.  Its
 * plan has scanrelid = 0 (there is no relation to open) and a
 * custom_scan_tlist with one Var per frame column, so setrefs maps the
 * query's Vars onto scan slot columns; the frame id expression travels in
 * custom_exprs and is evaluated at executor start (a Const, or a Param in a
 * generic plan); custom_private lists the columns the query needs and the
 * user whose SELECT right on the frame's view the scan must check.
 *
 * Quals of the form "column op constant" are pushed into the node (see
 * filter.c): they select rows chunk by chunk, column-wise, and chunks whose
 * min/max rule them out are skipped; the other quals stay in the plan's qual.
 *
 * Execution.  The node pins the frame's version, fixes the visible row
 * count, and works a chunk at a time: the pushed filters select rows, then a
 * virtual slot is filled per selected row with Datums pointing straight into
 * shared memory: only the needed columns are fetched, nothing is copied, and
 * no tuple is formed unless a parent node needs one.  The pin is released at
 * the end of the scan, or by resource owner cleanup after an error.
 *
 * Parallel scan.  For a frame named by a constant (a frame's view), a partial
 * path is offered too.  The leader pins the version and puts it and the
 * visible row count in the node's shared memory; workers use that snapshot
 * (the leader's pin outlives them) and every participant claims whole chunks
 * from a shared counter, so all see the same rows and each row is returned
 * once.  The non-partial path stays parallel-restricted (as is
 * shmcache.scan()), since a scan started inside a worker would take a
 * snapshot of its own.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "shmcache.h"

PG_FUNCTION_INFO_V1(shmcache_scan);
PG_FUNCTION_INFO_V1(shmcache_scan_support);

/* Executor state of a ShmcacheScan node. */
typedef struct ShmcacheScanState
{
	CustomScanState css;
	ExprState  *frame_id_expr;	/* evaluates to the frame id */
	Oid			check_as_user;	/* whose SELECT right applies, or InvalidOid
								 * for the current user */
	ShmcacheReadSnapshot snap;	/* version and visible rows */
	bool		started;		/* snap is set */
	bool		pinned;			/* snap holds a pin of ours (not so in a
								 * parallel worker) */
	int		   *columns;		/* 0-based columns fetched into the slot */
	int			ncolumns;
	List	   *read_columns;	/* every column read, filters included */
	List	   *pushed;			/* pushed quals */
	ShmcacheFilters *filters;	/* their compiled form, or NULL */
	ShmcacheParallelRead *pscan;	/* shared snapshot, if parallel */
	uint64		next_chunk;		/* next chunk (serial scan) */
	char	   *chunk;			/* current chunk, or NULL */
	uint16	   *sel;			/* its selected rows, unless sel_all */
	uint32		nsel;			/* number of selected rows */
	uint32		pos;			/* next of them to return */
	bool		sel_all;		/* rows 0 .. nsel-1 are selected */
	uint64		chunks_scanned; /* for EXPLAIN ANALYZE */
	uint64		chunks_skipped;
} ShmcacheScanState;

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;

static Plan *plan_shmcache_scan(PlannerInfo *root, RelOptInfo *rel,
								CustomPath *best_path, List *tlist,
								List *clauses, List *custom_plans);
static Node *create_shmcache_scan_state(CustomScan *cscan);
static void begin_shmcache_scan(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_shmcache_scan(CustomScanState *node);
static void end_shmcache_scan(CustomScanState *node);
static void rescan_shmcache_scan(CustomScanState *node);
static void explain_shmcache_scan(CustomScanState *node, List *ancestors,
								  ExplainState *es);
static Size estimate_dsm_shmcache_scan(CustomScanState *node, ParallelContext *pcxt);
static void initialize_dsm_shmcache_scan(CustomScanState *node, ParallelContext *pcxt,
										 void *coordinate);
static void reinitialize_dsm_shmcache_scan(CustomScanState *node, ParallelContext *pcxt,
										   void *coordinate);
static void initialize_worker_shmcache_scan(CustomScanState *node, shm_toc *toc,
											void *coordinate);
static void shutdown_shmcache_scan(CustomScanState *node);

static const CustomPathMethods shmcache_path_methods = {
	.CustomName = "ShmcacheScan",
	.PlanCustomPath = plan_shmcache_scan,
};

static const CustomScanMethods shmcache_scan_methods = {
	.CustomName = "ShmcacheScan",
	.CreateCustomScanState = create_shmcache_scan_state,
};

static const CustomExecMethods shmcache_exec_methods = {
	.CustomName = "ShmcacheScan",
	.BeginCustomScan = begin_shmcache_scan,
	.ExecCustomScan = exec_shmcache_scan,
	.EndCustomScan = end_shmcache_scan,
	.ReScanCustomScan = rescan_shmcache_scan,
	.EstimateDSMCustomScan = estimate_dsm_shmcache_scan,
	.InitializeDSMCustomScan = initialize_dsm_shmcache_scan,
	.ReInitializeDSMCustomScan = reinitialize_dsm_shmcache_scan,
	.InitializeWorkerCustomScan = initialize_worker_shmcache_scan,
	.ShutdownCustomScan = shutdown_shmcache_scan,
	.ExplainCustomScan = explain_shmcache_scan,
};

/*
 * shmcache_frame_scan_argument
 *		The frame id argument of a call of shmcache.scan(), or NULL if "rte"
 *		is not one.
 */
Expr *
shmcache_frame_scan_argument(RangeTblEntry *rte)
{
	RangeTblFunction *rtfunc;
	FuncExpr   *func;

	if (rte->rtekind != RTE_FUNCTION || list_length(rte->functions) != 1 ||
		rte->funcordinality)
		return NULL;
	rtfunc = linitial(rte->functions);
	if (!IsA(rtfunc->funcexpr, FuncExpr))
		return NULL;
	func = (FuncExpr *) rtfunc->funcexpr;
	if (func->funcid != shmcache_scan_function_oid() ||
		list_length(func->args) != 1)
		return NULL;
	return linitial(func->args);
}

/*
 * Can the custom scan serve this relation?  Not where the executor needs
 * something only a real function scan gives: a whole-row reference, a row
 * mark (EvalPlanQual), or a lateral reference.
 */
static bool
custom_scan_applies(PlannerInfo *root, RelOptInfo *rel, Index rti)
{
	Bitmapset  *attrs = NULL;
	ListCell   *lc;

	if (rel->lateral_relids != NULL)
		return false;
	foreach(lc, root->rowMarks)
	{
		if (((PlanRowMark *) lfirst(lc))->rti == rti)
			return false;
	}
	pull_varattnos((Node *) rel->reltarget->exprs, rti, &attrs);
	foreach(lc, rel->baserestrictinfo)
		pull_varattnos((Node *) ((RestrictInfo *) lfirst(lc))->clause, rti, &attrs);
	return !bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs);
}

/*
 * shmcache_referenced_columns
 *		IntList of the 0-based columns of range table entry "relid" that
 *		"node" references, in order.
 */
List *
shmcache_referenced_columns(Node *node, Index relid)
{
	Bitmapset  *attrs = NULL;
	List	   *columns = NIL;
	int			attno = -1;

	pull_varattnos(node, relid, &attrs);
	while ((attno = bms_next_member(attrs, attno)) >= 0)
		columns = lappend_int(columns, attno + FirstLowInvalidHeapAttributeNumber - 1);
	return columns;
}

/*
 * A ShmcacheScan path for "rel".  Its cost is below the function scan's,
 * which materialises every row: pushed quals cost a hundredth of an operator
 * per row of the frame (column-wise loops); a row that passes them costs half a cpu_tuple_cost plus
 * the quals the node does not push.  With "workers" > 0 it is a partial
 * path, dividing the rows as a parallel heap scan would.
 */
static CustomPath *
make_scan_path(PlannerInfo *root, RelOptInfo *rel, int workers)
{
	CustomPath *path = makeNode(CustomPath);
	List	   *pushed;
	List	   *rest;
	QualCost	qual_cost;
	double		rows = rel->rows;
	double		tuples = rel->tuples;
	double		fetched;

	shmcache_split_quals(rel->baserestrictinfo, rel->relid, &pushed, &rest);
	cost_qual_eval(&qual_cost, rest, root);
	fetched = tuples * clauselist_selectivity(root, pushed, rel->relid, JOIN_INNER, NULL);
	if (workers > 0)
	{
		double		divisor = shmcache_parallel_divisor(workers);

		rows = clamp_row_est(rows / divisor);
		tuples /= divisor;
		fetched /= divisor;
	}
	path->path.pathtype = T_CustomScan;
	path->path.parent = rel;
	path->path.pathtarget = rel->reltarget;
	path->path.param_info = NULL;
	path->path.parallel_aware = workers > 0;
	path->path.parallel_safe = workers > 0;
	path->path.parallel_workers = workers;
	path->path.rows = rows;
	path->path.startup_cost = qual_cost.startup + rel->reltarget->cost.startup;
	path->path.total_cost = path->path.startup_cost +
		tuples * (list_length(pushed) * cpu_operator_cost * 0.01) +
		fetched * (cpu_tuple_cost * 0.5 + qual_cost.per_tuple) +
		rows * rel->reltarget->cost.per_tuple;
	path->path.pathkeys = NIL;
	path->flags = CUSTOMPATH_SUPPORT_PROJECTION;
	path->methods = &shmcache_path_methods;
	return path;
}

/*
 * shmcache_parallel_divisor
 *		The share of a parallel plan's work one of its "workers" workers does
 *		is 1 / this: the leader's part is counted as get_parallel_divisor()
 *		reckons it.
 */
double
shmcache_parallel_divisor(int workers)
{
	double		divisor = workers;

	if (parallel_leader_participation && 1.0 - 0.3 * workers > 0)
		divisor += 1.0 - 0.3 * workers;
	return divisor;
}

/*
 * The pages a heap table holding the frame's rows would have: the measure
 * of size PostgreSQL's choice of the number of workers is based on.
 */
static double
frame_pages(RelOptInfo *rel, RangeTblEntry *rte)
{
	RangeTblFunction *rtfunc = linitial(rte->functions);
	int32		width = 0;
	int			i;

	for (i = 0; i < list_length(rtfunc->funccoltypes); i++)
		width += get_typavgwidth(list_nth_oid(rtfunc->funccoltypes, i),
								 list_nth_int(rtfunc->funccoltypmods, i));
	return Max(rel->tuples * width / BLCKSZ, 1.0);
}

/*
 * Offer a partial (parallel) path if the frame is named by a constant and
 * everything the scan evaluates may run in a worker.  The function RTE made
 * the relation parallel-restricted; our node lifts that, since workers share
 * the leader's snapshot.
 */
static void
add_partial_scan_path(PlannerInfo *root, RelOptInfo *rel, RangeTblEntry *rte)
{
	Expr	   *frame_id_arg = shmcache_frame_scan_argument(rte);
	int			workers;

	/* (a NULL frame id reads nothing: no use starting workers for it) */
	if (!root->glob->parallelModeOK || max_parallel_workers_per_gather <= 0 ||
		!IsA(frame_id_arg, Const) || ((Const *) frame_id_arg)->constisnull ||
		!is_parallel_safe(root, (Node *) rel->baserestrictinfo) ||
		!is_parallel_safe(root, (Node *) rel->reltarget->exprs))
		return;
	workers = compute_parallel_worker(rel, frame_pages(rel, rte), -1,
									  max_parallel_workers_per_gather);
	if (workers <= 0)
		return;
	rel->consider_parallel = true;
	add_partial_path(rel, &make_scan_path(root, rel, workers)->path);
}

/*
 * set_rel_pathlist_hook: offer ShmcacheScan paths for shmcache.scan().
 */
static void
shmcache_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti,
						  RangeTblEntry *rte)
{
	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);

	if (!shmcache_enable_customscan || rte->rtekind != RTE_FUNCTION ||
		ShmcacheShared == NULL || shmcache_frame_scan_argument(rte) == NULL ||
		!custom_scan_applies(root, rel, rti))
		return;

	add_path(rel, &make_scan_path(root, rel, 0)->path);
	add_partial_scan_path(root, rel, rte);
}

/*
 * Whose SELECT right on the frame's view does reading through this function
 * RTE need?  PostgreSQL 15 marks every RTE of a view's query, function RTEs
 * included, with the view owner as checkAsUser: a scan that comes from a
 * frame's view, perhaps through other views, is checked as the owner of the
 * view that contains it, as a table would be.  A call written directly in a
 * query has no checkAsUser and is checked as the current user.  From
 * PostgreSQL 16 on only relation RTEs carry a checkAsUser, so every scan is
 * checked as the current user.
 */
Oid
shmcache_scan_check_as_user(RangeTblEntry *rte)
{
#if PG_VERSION_NUM < 160000
	return rte->checkAsUser;
#else
	return InvalidOid;
#endif
}

/*
 * PlanCustomPath: a CustomScan with scanrelid 0 whose scan tuple has the
 * frame's columns.
 */
static Plan *
plan_shmcache_scan(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
				   List *tlist, List *clauses, List *custom_plans)
{
	RangeTblEntry *rte = planner_rt_fetch(rel->relid, root);
	RangeTblFunction *rtfunc = linitial(rte->functions);
	CustomScan *cscan = makeNode(CustomScan);
	List	   *pushed;
	List	   *quals;
	List	   *columns;
	List	   *read_columns;
	int			attno;

	for (attno = 1; attno <= list_length(rtfunc->funccoltypes); attno++)
	{
		Var		   *var = makeVar(rel->relid, attno,
								  list_nth_oid(rtfunc->funccoltypes, attno - 1),
								  list_nth_int(rtfunc->funccoltypmods, attno - 1),
								  list_nth_oid(rtfunc->funccolcollations, attno - 1),
								  0);

		cscan->custom_scan_tlist =
			lappend(cscan->custom_scan_tlist,
					makeTargetEntry((Expr *) var, attno,
									pstrdup(strVal(list_nth(rtfunc->funccolnames, attno - 1))),
									false));
	}

	/* Columns fetched into the slot: those of the output and the quals kept. */
	shmcache_split_quals(clauses, rel->relid, &pushed, &quals);
	columns = shmcache_referenced_columns((Node *) list_make3(best_path->path.pathtarget->exprs,
															 tlist, quals),
										  rel->relid);
	/* Columns read at all, for privileges and EXPLAIN */
	read_columns = shmcache_referenced_columns((Node *) list_make4(best_path->path.pathtarget->exprs,
																  tlist, quals, pushed),
											   rel->relid);

	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = quals;
	cscan->scan.scanrelid = 0;
	cscan->flags = best_path->flags;
	cscan->custom_exprs = list_make1(copyObject(shmcache_frame_scan_argument(rte)));
	cscan->custom_private = list_make4(columns, list_make1_oid(shmcache_scan_check_as_user(rte)),
									   pushed, read_columns);
	cscan->methods = &shmcache_scan_methods;
	return &cscan->scan.plan;
}

static Node *
create_shmcache_scan_state(CustomScan *cscan)
{
	ShmcacheScanState *state = palloc0(sizeof(ShmcacheScanState));

	NodeSetTag(state, T_CustomScanState);
	state->css.methods = &shmcache_exec_methods;
	return (Node *) state;
}

/*
 * shmcache_check_read_privilege
 *		Reading a frame needs SELECT on its view, as for a table: on the whole
 *		view, or on each column read (on any column if none is read).
 *		"columns" are 0-based column numbers; with "every_column" the read
 *		needs every column.  "userid" InvalidOid means the current user.
 */
void
shmcache_check_read_privilege(Oid viewoid, Oid userid, List *columns,
							  bool every_column)
{
	bool		allowed;
	ListCell   *lc;

	if (!OidIsValid(userid))
		userid = GetUserId();
	allowed = pg_class_aclcheck(viewoid, userid, ACL_SELECT) == ACLCHECK_OK;
	if (!allowed && every_column)
		allowed = pg_attribute_aclcheck_all(viewoid, userid, ACL_SELECT,
											ACLMASK_ALL) == ACLCHECK_OK;
	else if (!allowed && columns == NIL)
		allowed = pg_attribute_aclcheck_all(viewoid, userid, ACL_SELECT,
											ACLMASK_ANY) == ACLCHECK_OK;
	else if (!allowed)
	{
		allowed = true;
		foreach(lc, columns)
		{
			if (pg_attribute_aclcheck(viewoid, lfirst_int(lc) + 1, userid,
									  ACL_SELECT) != ACLCHECK_OK)
				allowed = false;
		}
	}
	if (!allowed)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_VIEW, get_rel_name(viewoid));
}

/*
 * shmcache_check_frame_matches
 *		A frame whose view was redefined by hand with other columns is not
 *		read.
 */
void
shmcache_check_frame_matches(ShmcacheReadSnapshot *snap, TupleDesc tupdesc)
{
	if (!shmcache_version_matches(snap->version, tupdesc))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("frame \"%s\" does not match the columns of its scan",
						get_rel_name(snap->viewoid)),
				 errdetail("The view of a frame must read shmcache.scan() with the frame's own column list.")));
}

/*
 * shmcache_read_begin_expr
 *		Evaluate the frame id argument of a frame scan or aggregate node and
 *		begin reading that frame as of "snapshot" (shmcache_read_begin),
 *		returning true.  A
 *		NULL frame id reads no rows, as the STRICT function shmcache.scan()
 *		returns none for it: *snap is then an empty snapshot, with no version
 *		and nothing pinned, and the result is false.
 */
bool
shmcache_read_begin_expr(ExprState *frame_id_expr, ExprContext *econtext,
						 Snapshot snapshot, ShmcacheReadSnapshot *snap)
{
	bool		isnull;
	Datum		frame_id = ExecEvalExprSwitchContext(frame_id_expr, econtext, &isnull);

	if (isnull)
	{
		memset(snap, 0, sizeof(*snap));
		return false;
	}
	shmcache_read_begin(DatumGetInt64(frame_id), snapshot, snap);
	return true;
}

/*
 * shmcache_explain_frame
 *		EXPLAIN's "Frame" line for a node that has "started" reading the
 *		snapshot "snap" or not: the frame's view, "none" if the frame id was
 *		NULL, or "chosen at run time" while the frame is not known yet (a
 *		frame id computed at run time).
 */
void
shmcache_explain_frame(bool started, const ShmcacheReadSnapshot *snap,
					   ExplainState *es)
{
	if (!started)
		ExplainPropertyText("Frame", "chosen at run time", es);
	else if (!OidIsValid(snap->viewoid))
		ExplainPropertyText("Frame", "none (null frame id)", es);
	else
		ExplainPropertyText("Frame",
							quote_qualified_identifier(get_namespace_name(get_rel_namespace(snap->viewoid)),
													   get_rel_name(snap->viewoid)),
							es);
}

/* A List of ints as an array (at least one element long). */
static int *
int_list_to_array(List *list)
{
	int		   *array = palloc(sizeof(int) * Max(list_length(list), 1));
	ListCell   *lc;

	foreach(lc, list)
		array[foreach_current_index(lc)] = lfirst_int(lc);
	return array;
}

/* Start reading from the first chunk of the snapshot. */
static void
reset_scan_position(ShmcacheScanState *state)
{
	state->next_chunk = 0;
	state->chunk = NULL;
	state->nsel = 0;
	state->pos = 0;
}

/*
 * Evaluate the frame id, pin the frame's version and fix the rows this scan
 * sees; bind the pushed filters' constants.  A NULL frame id gives an empty
 * snapshot (no version), which returns no rows.
 */
static void
start_scan(ShmcacheScanState *state)
{
	TupleTableSlot *slot = state->css.ss.ss_ScanTupleSlot;
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;

	state->pinned = shmcache_read_begin_expr(state->frame_id_expr, econtext,
											 state->css.ss.ps.state->es_snapshot,
											 &state->snap);
	state->started = true;
	if (state->pinned)
	{
		shmcache_check_read_privilege(state->snap.viewoid, state->check_as_user,
									  state->read_columns, false);
		shmcache_check_frame_matches(&state->snap, slot->tts_tupleDescriptor);
		if (state->filters)
			shmcache_filters_bind(state->filters, state->snap.version,
								  state->snap.own_writes, econtext);
	}
	reset_scan_position(state);
}

/* Release the scan's pin. */
static void
stop_scan(ShmcacheScanState *state)
{
	if (state->pinned)
		shmcache_read_end(&state->snap);
	state->pinned = false;
	state->started = false;
}

static void
begin_shmcache_scan(CustomScanState *node, EState *estate, int eflags)
{
	ShmcacheScanState *state = (ShmcacheScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	Expr	   *frame_id_arg = linitial(cscan->custom_exprs);

	shmcache_require_shmem();
	state->frame_id_expr = ExecInitExpr(frame_id_arg, &node->ss.ps);
	state->check_as_user = linitial_oid(lsecond(cscan->custom_private));
	state->ncolumns = list_length(linitial(cscan->custom_private));
	state->columns = int_list_to_array(linitial(cscan->custom_private));
	state->pushed = lthird(cscan->custom_private);
	state->read_columns = lfourth(cscan->custom_private);
	state->filters = shmcache_filters_create(state->pushed, &node->ss.ps);
	state->sel = palloc(sizeof(uint16) * SHMCACHE_CHUNK_ROWS);

	/* Columns the query does not need stay null in every row. */
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);

	/*
	 * A constant frame id (a frame's view) is resolved now, so that EXPLAIN
	 * can name the frame; one computed by a subquery or a parameter only when
	 * the scan first runs, once the values it depends on exist.  A parallel
	 * worker uses the leader's snapshot instead (see
	 * initialize_worker_shmcache_scan).
	 */
	if (IsA(frame_id_arg, Const) &&
		!(IsParallelWorker() && node->ss.ps.plan->parallel_aware))
		start_scan(state);
}

/*
 * Move to the next chunk with selected rows; false at the end of the scan.
 * Chunks come one after the other, or from the shared counter in a
 * parallel scan.
 */
static bool
next_chunk(ShmcacheScanState *state)
{
	for (;;)
	{
		uint64		chunkno;
		uint64		first;
		uint32		n;

		CHECK_FOR_INTERRUPTS();
		if (state->pscan)
			shmcache_parallel_read_claim(state->pscan, &state->snap, &chunkno);
		else
			chunkno = state->next_chunk++;
		first = chunkno << SHMCACHE_CHUNK_SHIFT;
		if (first >= state->snap.nrows || shmcache_filters_never(state->filters))
		{
			state->chunk = NULL;
			return false;
		}
		n = Min(SHMCACHE_CHUNK_ROWS, state->snap.nrows - first);
		state->chunk = shmcache_version_chunk(state->snap.version, chunkno);
		if (!shmcache_filters_apply(state->filters, state->chunk, state->sel,
									&n, &state->sel_all))
		{
			state->chunks_skipped++;
			continue;
		}
		state->chunks_scanned++;
		if (n > 0)
		{
			state->nsel = n;
			state->pos = 0;
			return true;
		}
	}
}

/* ExecScan access method: the next selected row, or an empty slot. */
static TupleTableSlot *
shmcache_scan_next(ScanState *ss)
{
	ShmcacheScanState *state = (ShmcacheScanState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;
	const ShmcacheColumn *cols;
	uint32		slotno;
	int			i;

	ExecClearTuple(slot);
	if (state->pos >= state->nsel && !next_chunk(state))
		return slot;
	cols = state->snap.version->cols;
	slotno = state->sel_all ? state->pos : state->sel[state->pos];
	state->pos++;
	for (i = 0; i < state->ncolumns; i++)
	{
		int			col = state->columns[i];

		slot->tts_values[col] = shmcache_fetch_value(&cols[col], state->chunk,
													 slotno, &slot->tts_isnull[col]);
	}
	return ExecStoreVirtualTuple(slot);
}

/* ExecScan recheck method: there is nothing to recheck (no row marks). */
static bool
shmcache_scan_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
exec_shmcache_scan(CustomScanState *node)
{
	ShmcacheScanState *state = (ShmcacheScanState *) node;

	if (!state->started)
		start_scan(state);
	return ExecScan(&node->ss, shmcache_scan_next, shmcache_scan_recheck);
}

static void
end_shmcache_scan(CustomScanState *node)
{
	stop_scan((ShmcacheScanState *) node);
}

/*
 * A rescan reads the same snapshot again, unless the frame id depends on a
 * parameter that changed: then the scan starts over on that frame.  The
 * filters' constants are evaluated again, as they may depend on parameters.
 */
static void
rescan_shmcache_scan(CustomScanState *node)
{
	ShmcacheScanState *state = (ShmcacheScanState *) node;

	if (node->ss.ps.chgParam != NULL && state->started &&
		!IsA(linitial(((CustomScan *) node->ss.ps.plan)->custom_exprs), Const))
		stop_scan(state);
	else if (state->started && state->snap.version != NULL && state->filters)
		shmcache_filters_bind(state->filters, state->snap.version,
							  state->snap.own_writes, node->ss.ps.ps_ExprContext);
	reset_scan_position(state);
	ExecScanReScan(&node->ss);
}

/* ------------------------------------------------------------------------
 * Parallel scan
 * ------------------------------------------------------------------------
 */

static Size
estimate_dsm_shmcache_scan(CustomScanState *node, ParallelContext *pcxt)
{
	return sizeof(ShmcacheParallelRead);
}

/* Leader: publish the snapshot (taken in begin_shmcache_scan) to workers. */
static void
initialize_dsm_shmcache_scan(CustomScanState *node, ParallelContext *pcxt,
							 void *coordinate)
{
	ShmcacheScanState *state = (ShmcacheScanState *) node;

	Assert(state->started);
	shmcache_parallel_read_init(coordinate, &state->snap);
	state->pscan = coordinate;
}

/* Leader, before a rescan with new workers: start claiming chunks again. */
static void
reinitialize_dsm_shmcache_scan(CustomScanState *node, ParallelContext *pcxt,
							   void *coordinate)
{
	ShmcacheScanState *state = (ShmcacheScanState *) node;
	ShmcacheParallelRead *pscan = coordinate;

	shmcache_parallel_read_restart(pscan);
	state->pscan = pscan;
}

/* Worker: read the leader's snapshot. */
static void
initialize_worker_shmcache_scan(CustomScanState *node, shm_toc *toc,
								void *coordinate)
{
	ShmcacheScanState *state = (ShmcacheScanState *) node;

	state->pscan = coordinate;
	shmcache_parallel_read_attach(state->pscan, &state->snap);
	state->started = true;
	if (state->filters)
		shmcache_filters_bind(state->filters, state->snap.version,
							  state->snap.own_writes, node->ss.ps.ps_ExprContext);
	reset_scan_position(state);
}

/* Collect the chunk counts of all participants for EXPLAIN ANALYZE. */
static void
shutdown_shmcache_scan(CustomScanState *node)
{
	ShmcacheScanState *state = (ShmcacheScanState *) node;

	if (state->pscan == NULL)
		return;
	shmcache_parallel_read_counts(state->pscan, &state->chunks_scanned,
								  &state->chunks_skipped);
	state->pscan = NULL;
}

/*
 * EXPLAIN: the frame, the columns read, the pushed filters and, with
 * ANALYZE, the rows visible to the scan and the chunks it visited and
 * skipped.
 */
static void
explain_shmcache_scan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ShmcacheScanState *state = (ShmcacheScanState *) node;
	TupleDesc	tupdesc = node->ss.ss_ScanTupleSlot->tts_tupleDescriptor;
	StringInfoData columns;
	ListCell   *lc;

	shmcache_explain_frame(state->started, &state->snap, es);
	initStringInfo(&columns);
	foreach(lc, state->read_columns)
		appendStringInfo(&columns, "%s%s", columns.len > 0 ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(tupdesc, lfirst_int(lc))->attname)));
	ExplainPropertyText("Columns Read", columns.len > 0 ? columns.data : "none", es);
	if (state->pushed != NIL)
		ExplainPropertyList("Pushed Filters",
							shmcache_filters_describe(state->pushed, tupdesc), es);
	if (es->analyze && state->started)
	{
		ExplainPropertyUInteger("Rows Visible", NULL, state->snap.nrows, es);
		ExplainPropertyUInteger("Chunks Scanned", NULL, state->chunks_scanned, es);
		if (state->pushed != NIL)
			ExplainPropertyUInteger("Chunks Skipped", NULL, state->chunks_skipped, es);
	}
}

/*
 * shmcache.scan(frame_id int8) RETURNS SETOF record
 *		The plain function scan of a frame, used when the custom scan is off
 *		or not applicable: materialises the visible rows.
 */
Datum
shmcache_scan(PG_FUNCTION_ARGS)
{
	int64		frame_id = PG_GETARG_INT64(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ShmcacheReadSnapshot snap;
	Datum	   *values;
	bool	   *nulls;
	uint64		row;

	shmcache_require_shmem();
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	shmcache_read_begin(frame_id,
						ActiveSnapshotSet() ? GetActiveSnapshot() : NULL, &snap);
	shmcache_check_read_privilege(snap.viewoid, InvalidOid, NIL, true);
	shmcache_check_frame_matches(&snap, rsinfo->setDesc);

	values = palloc(sizeof(Datum) * Max(snap.version->natts, 1));
	nulls = palloc(sizeof(bool) * Max(snap.version->natts, 1));
	for (row = 0; row < snap.nrows; row++)
	{
		char	   *chunk = shmcache_version_chunk(snap.version,
												   row >> SHMCACHE_CHUNK_SHIFT);
		int			i;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < snap.version->natts; i++)
			values[i] = shmcache_fetch_value(&snap.version->cols[i], chunk,
											 row & SHMCACHE_CHUNK_MASK, &nulls[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}

	/*
	 * The first read of the frame in this query keeps its pin until the query
	 * ends, so that every later read sees the same rows; a later read's own
	 * pin is not needed.
	 */
	if (snap.reused)
		shmcache_read_end(&snap);
	else
		shmcache_read_end_with(&snap, rsinfo->econtext->ecxt_per_query_memory);
	return (Datum) 0;
}

/*
 * shmcache.scan_support(internal)
 *		Planner support for shmcache.scan(): the row estimate is the frame's
 *		row count.
 */
Datum
shmcache_scan_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);
	SupportRequestRows *req;
	Node	   *arg;

	if (!IsA(rawreq, SupportRequestRows) || ShmcacheShared == NULL)
		PG_RETURN_POINTER(NULL);
	req = (SupportRequestRows *) rawreq;
	if (!IsA(req->node, FuncExpr) || list_length(((FuncExpr *) req->node)->args) != 1)
		PG_RETURN_POINTER(NULL);
	arg = linitial(((FuncExpr *) req->node)->args);
	if (!IsA(arg, Const) || ((Const *) arg)->constisnull)
		PG_RETURN_POINTER(NULL);
	req->rows = (double) shmcache_frame_rows(DatumGetInt64(((Const *) arg)->constvalue));
	PG_RETURN_POINTER(req);
}

/*
 * shmcache_scan_init
 *		Register the custom scan and the planner hook (from _PG_init).
 */
void
shmcache_scan_init(void)
{
	RegisterCustomScanMethods(&shmcache_scan_methods);
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = shmcache_set_rel_pathlist;
}
