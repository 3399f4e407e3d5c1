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
 * Layer: plan/exec: the planner hook and the ShmcacheScan node over the
 * reader.
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

#include "nodes.h"
#include "reader.h"
#include "catalog.h"
#include "persist.h"

PG_FUNCTION_INFO_V1(shmcache_scan);
PG_FUNCTION_INFO_V1(shmcache_scan_support);

/* Executor state of a ShmcacheScan node. */
typedef struct ShmcacheScanState
{
	CustomScanState css;
	ShmcacheReader reader;		/* the frame, its snapshot, its chunks */
	int		   *columns;		/* 0-based columns fetched into the slot */
	int			ncolumns;
	const char *chunk;			/* current chunk, or NULL */
	uint16	   *sel;			/* its selected rows, unless sel_all */
	uint32		nsel;			/* number of selected rows */
	uint32		pos;			/* next of them to return */
	bool		sel_all;		/* rows 0 .. nsel-1 are selected */
} ShmcacheScanState;

/* The positions of a ShmcacheScan's custom_private list. */
typedef enum ShmcacheScanPrivate
{
	SCAN_PRIVATE_COLUMNS,		/* 0-based columns fetched into the slot */
	SCAN_PRIVATE_CHECK_AS_USER, /* one-element OID list, see
								 * shmcache_scan_check_as_user */
	SCAN_PRIVATE_PUSHED,		/* pushed quals */
	SCAN_PRIVATE_READ_COLUMNS	/* every column read, filters included */
} ShmcacheScanPrivate;

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
static void initialize_worker_shmcache_scan(CustomScanState *node, shm_toc *toc,
											void *coordinate);

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
	.EstimateDSMCustomScan = shmcache_reader_estimate_dsm,
	.InitializeDSMCustomScan = shmcache_reader_initialize_dsm,
	.ReInitializeDSMCustomScan = shmcache_reader_reinitialize_dsm,
	.InitializeWorkerCustomScan = initialize_worker_shmcache_scan,
	.ShutdownCustomScan = shmcache_reader_shutdown,
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
 * shmcache_position_attno
 *		The attribute number of the position column of a scan of
 *		shmcache.scan() (see SHMCACHE_POSITION_COLUMN), or 0.
 */
AttrNumber
shmcache_position_attno(RangeTblEntry *rte)
{
	RangeTblFunction *rtfunc = linitial(rte->functions);

	if (rtfunc->funccolnames == NIL ||
		strcmp(strVal(llast(rtfunc->funccolnames)), SHMCACHE_POSITION_COLUMN) != 0 ||
		llast_oid(rtfunc->funccoltypes) != INT8OID)
		return 0;
	return list_length(rtfunc->funccolnames);
}

/*
 * Split "clauses" into those the node pushes into the reader and the rest,
 * as shmcache_split_quals does; a clause on the position column is never
 * pushed (the frame has no such column).
 */
static void
split_scan_quals(RangeTblEntry *rte, List *clauses, Index relid, List **pushed,
				 List **rest)
{
	AttrNumber	position = shmcache_position_attno(rte);
	List	   *kept = NIL;
	ListCell   *lc;

	shmcache_split_quals(clauses, relid, pushed, rest);
	if (position == 0)
		return;
	foreach(lc, *pushed)
	{
		Node	   *clause = lfirst(lc);
		Bitmapset  *attrs = NULL;

		pull_varattnos(IsA(clause, RestrictInfo) ? (Node *) ((RestrictInfo *) clause)->clause : clause,
					   relid, &attrs);
		if (bms_is_member(position - FirstLowInvalidHeapAttributeNumber, attrs))
			*rest = lappend(*rest, clause);
		else
			kept = lappend(kept, clause);
	}
	*pushed = kept;
}

/*
 * shmcache_scan_applies
 *		Can a custom node read this relation instead of the function scan?
 *		It must read shmcache.scan(), with the custom nodes enabled, and not
 *		where the executor needs something only a real function scan gives: a
 *		whole-row reference, a row mark (EvalPlanQual), or a lateral
 *		reference.
 */
bool
shmcache_scan_applies(PlannerInfo *root, RelOptInfo *rel, Index rti,
					  RangeTblEntry *rte)
{
	Bitmapset  *attrs = NULL;
	ListCell   *lc;

	if (!shmcache_enable_customscan || rte->rtekind != RTE_FUNCTION ||
		ShmcacheShared == NULL || shmcache_frame_scan_argument(rte) == NULL)
		return false;

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

	split_scan_quals(planner_rt_fetch(rel->relid, root), rel->baserestrictinfo,
					 rel->relid, &pushed, &rest);
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
 * the leader's read.
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

	if (!shmcache_scan_applies(root, rel, rti, rte))
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
	return shmcache_rte_check_as_user(rte);
}

/*
 * shmcache_frame_scan_tlist
 *		The custom_scan_tlist of a node reading the frame of function RTE
 *		"rte": one Var per frame column, so that setrefs maps the query's
 *		Vars onto scan slot columns.
 */
List *
shmcache_frame_scan_tlist(RelOptInfo *rel, RangeTblEntry *rte)
{
	RangeTblFunction *rtfunc = linitial(rte->functions);
	List	   *tlist = NIL;
	int			attno;

	for (attno = 1; attno <= list_length(rtfunc->funccoltypes); attno++)
	{
		Var		   *var = makeVar(rel->relid, attno,
								  list_nth_oid(rtfunc->funccoltypes, attno - 1),
								  list_nth_int(rtfunc->funccoltypmods, attno - 1),
								  list_nth_oid(rtfunc->funccolcollations, attno - 1),
								  0);

		tlist = lappend(tlist,
						makeTargetEntry((Expr *) var, attno,
										pstrdup(strVal(list_nth(rtfunc->funccolnames, attno - 1))),
										false));
	}
	return tlist;
}

/*
 * shmcache_scan_private
 *		The custom_private of a node reading the frame of "rte" as a frame
 *		scan does (see ShmcacheScanPrivate).
 */
List *
shmcache_scan_private(RangeTblEntry *rte, List *columns, List *pushed, List *read_columns)
{
	return list_make4(columns, list_make1_oid(shmcache_scan_check_as_user(rte)),
					  pushed, read_columns);
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
	CustomScan *cscan = makeNode(CustomScan);
	List	   *pushed;
	List	   *quals;
	List	   *columns;
	List	   *read_columns;

	cscan->custom_scan_tlist = shmcache_frame_scan_tlist(rel, rte);

	/* Columns fetched into the slot: those of the output and the quals kept. */
	split_scan_quals(rte, clauses, rel->relid, &pushed, &quals);
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
	cscan->custom_private = shmcache_scan_private(rte, columns, pushed, read_columns);
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

/* Start returning rows from the first chunk of the snapshot. */
static void
reset_scan_position(ShmcacheScanState *state)
{
	state->chunk = NULL;
	state->nsel = 0;
	state->pos = 0;
}

/*
 * shmcache_scan_begin_reader
 *		BeginCustomScan of a node whose plan was made as a frame scan's (its
 *		custom_private starting as ShmcacheScanPrivate): its reader, and the
 *		columns fetched into the scan slot (*columns, *ncolumns).
 */
void
shmcache_scan_begin_reader(CustomScanState *node, ShmcacheReader *reader,
						   int **columns, int *ncolumns)
{
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *priv = cscan->custom_private;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;

	shmcache_require_shmem();
	shmcache_reader_init(reader, &node->ss.ps, linitial(cscan->custom_exprs),
						 linitial_oid(list_nth(priv, SCAN_PRIVATE_CHECK_AS_USER)),
						 list_nth(priv, SCAN_PRIVATE_READ_COLUMNS),
						 list_nth(priv, SCAN_PRIVATE_PUSHED),
						 slot->tts_tupleDescriptor);
	*columns = palloc(sizeof(int) * Max(list_length(list_nth(priv, SCAN_PRIVATE_COLUMNS)), 1));
	*ncolumns = shmcache_reader_columns(reader, list_nth(priv, SCAN_PRIVATE_COLUMNS), *columns);

	/* Columns the query does not need stay null in every row. */
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);

	/*
	 * A constant frame id (a frame's view) is resolved now, so that EXPLAIN
	 * can name the frame; one computed by a subquery or a parameter only when
	 * the scan first runs, once the values it depends on exist.  A parallel
	 * worker uses the leader's read instead (see
	 * initialize_worker_shmcache_scan).
	 */
	if (shmcache_reader_starts_at_begin(reader))
		shmcache_reader_start(reader);
}

static void
begin_shmcache_scan(CustomScanState *node, EState *estate, int eflags)
{
	ShmcacheScanState *state = (ShmcacheScanState *) node;

	state->sel = palloc(sizeof(uint16) * SHMCACHE_CHUNK_ROWS);
	shmcache_scan_begin_reader(node, &state->reader, &state->columns, &state->ncolumns);
}

/* ExecScan access method: the next selected row, or an empty slot. */
static TupleTableSlot *
shmcache_scan_next(ScanState *ss)
{
	ShmcacheScanState *state = (ShmcacheScanState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;
	uint32		slotno;

	ExecClearTuple(slot);
	if (state->pos >= state->nsel)
	{
		state->chunk = shmcache_reader_next_chunk(&state->reader, state->sel,
												  &state->nsel, &state->sel_all);
		state->pos = 0;
		if (state->chunk == NULL)
		{
			state->nsel = 0;
			return slot;
		}
	}
	slotno = state->sel_all ? state->pos : state->sel[state->pos];
	state->pos++;
	shmcache_fetch_row(state->reader.read.version, state->chunk, slotno,
					   state->columns, state->ncolumns, slot->tts_values, slot->tts_isnull);
	if (state->reader.position >= 0)
	{
		slot->tts_values[state->reader.position] =
			Int64GetDatum((int64) ((state->reader.chunkno << SHMCACHE_CHUNK_SHIFT) + slotno));
		slot->tts_isnull[state->reader.position] = false;
	}
	return ExecStoreVirtualTuple(slot);
}

static TupleTableSlot *
exec_shmcache_scan(CustomScanState *node)
{
	ShmcacheScanState *state = (ShmcacheScanState *) node;

	if (!state->reader.started)
	{
		shmcache_reader_start(&state->reader);
		reset_scan_position(state);
	}
	return ExecScan(&node->ss, shmcache_scan_next, shmcache_reader_recheck);
}

static void
end_shmcache_scan(CustomScanState *node)
{
	shmcache_reader_end(&((ShmcacheScanState *) node)->reader);
}

/*
 * A rescan reads the same snapshot again, unless the frame id depends on a
 * parameter that changed: then the scan starts over on that frame.
 */
static void
rescan_shmcache_scan(CustomScanState *node)
{
	ShmcacheScanState *state = (ShmcacheScanState *) node;

	shmcache_reader_rescan(&state->reader, node->ss.ps.chgParam != NULL);
	reset_scan_position(state);
	ExecScanReScan(&node->ss);
}

/*
 * shmcache_scan_reader
 *		The reader of "ps" if it is a ShmcacheScan node whose rows are frame
 *		columns as they are: no qual left to evaluate per row (pushed filters
 *		are the reader's), not parallel-aware, and a target list of exactly
 *		"ncolumns" plain column references.  Then columns[i] is set to the
 *		0-based frame column of output column i, the reader is started if
 *		it was not (a frame id computed at run time), and the caller may
 *		read the chunks itself (shmcache_reader_next_chunk) instead of
 *		running the node; otherwise NULL.  COPY ... (FORMAT arrow) uses it to
 *		build record batches straight from the frame's column arrays.
 */
ShmcacheReader *
shmcache_scan_reader(PlanState *ps, int *columns, int ncolumns)
{
	ShmcacheScanState *state = (ShmcacheScanState *) ps;
	ListCell   *lc;

	if (!IsA(ps, CustomScanState) ||
		((CustomScanState *) ps)->methods != &shmcache_exec_methods ||
		ps->plan->qual != NIL || ps->plan->parallel_aware ||
		list_length(ps->plan->targetlist) != ncolumns)
		return NULL;
	foreach(lc, ps->plan->targetlist)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Var		   *var = (Var *) tle->expr;

		if (tle->resjunk || !IsA(var, Var) || var->varno != INDEX_VAR ||
			var->varattno < 1 || var->varattno > state->reader.rowdesc->natts)
			return NULL;
		columns[foreach_current_index(lc)] = var->varattno - 1;
	}
	if (!state->reader.started)
		shmcache_reader_start(&state->reader);
	return &state->reader;
}

/* ------------------------------------------------------------------------
 * Parallel scan: the reader's shared read (the other callbacks are the
 * reader's own)
 * ------------------------------------------------------------------------
 */

StaticAssertDecl(offsetof(ShmcacheScanState, reader) == offsetof(ShmcacheReaderNode, reader),
				 "ShmcacheScanState must begin as a ShmcacheReaderNode");

static void
initialize_worker_shmcache_scan(CustomScanState *node, shm_toc *toc,
								void *coordinate)
{
	ShmcacheScanState *state = (ShmcacheScanState *) node;

	shmcache_reader_dsm_attach(&state->reader, coordinate);
	reset_scan_position(state);
}

/*
 * EXPLAIN: the frame, the columns read, the pushed filters and, with
 * ANALYZE, the rows visible to the scan and the chunks it visited and
 * skipped.
 */
static void
explain_shmcache_scan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ShmcacheReader *reader = &((ShmcacheScanState *) node)->reader;

	shmcache_reader_explain_frame(reader, es);
	shmcache_reader_explain_filters(reader, es);
	shmcache_reader_explain_counts(reader, es);
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
	ShmcacheRead read;
	int			natts;
	Datum	   *values;
	bool	   *nulls;
	uint64		row;

	shmcache_require_shmem();
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	natts = rsinfo->setDesc->natts - (shmcache_position_column(rsinfo->setDesc) >= 0);

	shmcache_snapshot_wait_loaded(frame_id, false);
	shmcache_read_begin(frame_id,
						ActiveSnapshotSet() ? GetActiveSnapshot() : NULL, &read);
	shmcache_check_read_privilege(read.viewoid, InvalidOid, NIL, true);
	shmcache_check_frame_matches(&read, rsinfo->setDesc);

	values = palloc(sizeof(Datum) * (natts + 1));
	nulls = palloc(sizeof(bool) * (natts + 1));
	nulls[natts] = false;
	for (row = 0; row < read.nrows; row++)
	{
		char	   *chunk = shmcache_version_chunk(read.version,
												   row >> SHMCACHE_CHUNK_SHIFT);
		int			i;

		CHECK_FOR_INTERRUPTS();
		if (shmcache_row_dead(chunk, row & SHMCACHE_CHUNK_MASK, read.dseq, read.own_cid))
			continue;
		for (i = 0; i < natts; i++)
			values[i] = shmcache_fetch_value(&read.version->cols[i], chunk,
											 row & SHMCACHE_CHUNK_MASK, &nulls[i]);
		values[natts] = Int64GetDatum((int64) row);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	/*
	 * The first read of the frame in this query keeps its pin until the query
	 * ends, so that every later read sees the same rows; a later read's own
	 * pin is not needed.
	 */
	if (read.reused)
		shmcache_read_end(&read);
	else
		shmcache_read_end_with(&read, rsinfo->econtext->ecxt_per_query_memory);
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
