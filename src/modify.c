/*-------------------------------------------------------------------------
 *
 * modify.c
 *	  UPDATE and DELETE on a frame's view: the planner hook that plans them
 *	  and the ShmcacheModify node that carries them out.
 *
 * A frame's view has INSTEAD OF UPDATE and DELETE row triggers, so that the
 * rewriter lets such a statement through: it keeps the view as the result
 * relation, reads the rows from a copy of the view expanded as a subquery,
 * and adds a "wholerow" of that subquery for the trigger.  The planner hook
 * sees a top-level UPDATE or DELETE whose result relation is a frame's view
 * and plans, instead, a SELECT of the same range table that returns, for
 * every row to change, its position in the frame (the frame's scan reads
 * shmcache.scan() with one more column, the position, see scan.c), then for
 * UPDATE the row's new values, then the RETURNING expressions computed on
 * the old (DELETE) or new (UPDATE) values.  On top of that plan the
 * ShmcacheModify node deletes each position (a stamp, see storage.h) and,
 * for UPDATE, appends the new values, counts the rows for the command tag
 * and returns the RETURNING values.  The result relation stays in the range
 * table, so the executor checks the UPDATE or DELETE privilege on the view
 * (and its columns) as for a table, and refuses a read-only transaction.
 *
 * The node takes the frame's write claim before its subplan starts reading,
 * so the rows it reads are the latest committed ones and no other writer
 * changes them before commit; a row reached twice (a join) is changed once,
 * as PostgreSQL does for a table.  The rows this command deletes stay
 * visible to its own reads; later commands of the transaction do not see
 * them, other transactions see the change at commit.  A data-modifying WITH
 * is not planned here: the view's trigger then raises a clear error.
 *
 * Layer: SQL surface: over the writer (xact.h) and the catalog.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/modify.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/rel.h"

#include "frames.h"
#include "nodes.h"
#include "reader.h"
#include "catalog.h"
#include "xact.h"

PG_FUNCTION_INFO_V1(shmcache_modify_trigger);

/* The positions of a ShmcacheModify's custom_private list. */
typedef enum ShmcacheModifyPrivate
{
	MODIFY_PRIVATE_VIEW,		/* the frame's view (an OID) */
	MODIFY_PRIVATE_OPERATION	/* CMD_UPDATE or CMD_DELETE */
} ShmcacheModifyPrivate;

/* Executor state of a ShmcacheModify node. */
typedef struct ShmcacheModifyState
{
	CustomScanState css;
	CmdType		operation;
	Relation	view;			/* the frame's view, NULL for EXPLAIN only */
	ShmcacheWriter *writer;
	int			natts;			/* the frame's columns */
} ShmcacheModifyState;

static planner_hook_type prev_planner_hook = NULL;

static Node *create_modify_state(CustomScan *cscan);
static void begin_modify(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_modify(CustomScanState *node);
static void end_modify(CustomScanState *node);
static void rescan_modify(CustomScanState *node);

static const CustomScanMethods modify_plan_methods = {
	.CustomName = "ShmcacheModify",
	.CreateCustomScanState = create_modify_state,
};

static const CustomExecMethods modify_exec_methods = {
	.CustomName = "ShmcacheModify",
	.BeginCustomScan = begin_modify,
	.ExecCustomScan = exec_modify,
	.EndCustomScan = end_modify,
	.ReScanCustomScan = rescan_modify,
};

/* The range table index of the rewriter's source subquery ("wholerow"). */
static Index
source_relation(Query *parse)
{
	ListCell   *lc;

	foreach(lc, parse->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (tle->resjunk && tle->resname != NULL &&
			strcmp(tle->resname, "wholerow") == 0 && IsA(tle->expr, Var) &&
			((Var *) tle->expr)->varattno == InvalidAttrNumber)
			return ((Var *) tle->expr)->varno;
	}
	elog(ERROR, "UPDATE or DELETE of a frame without its source row");
	return 0;					/* keep compiler quiet */
}

/*
 * Make the source subquery (the view's query: shmcache.scan(id) AS f(...))
 * return each row's position as column natts + 1.
 */
static void
add_position_column(RangeTblEntry *source, int natts)
{
	Query	   *sub = source->subquery;
	ListCell   *lc;
	int			rti = 0;

	foreach(lc, sub->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		rti++;
		if (shmcache_frame_scan_argument(rte) != NULL)
		{
			RangeTblFunction *rtfunc = linitial(rte->functions);

			rtfunc->funccolcount++;
			rtfunc->funccolnames = lappend(rtfunc->funccolnames, makeString(SHMCACHE_POSITION_COLUMN));
			rtfunc->funccoltypes = lappend_oid(rtfunc->funccoltypes, INT8OID);
			rtfunc->funccoltypmods = lappend_int(rtfunc->funccoltypmods, -1);
			rtfunc->funccolcollations = lappend_oid(rtfunc->funccolcollations, InvalidOid);
			rte->eref->colnames = lappend(rte->eref->colnames, makeString(SHMCACHE_POSITION_COLUMN));
			sub->targetList = lappend(sub->targetList,
									  makeTargetEntry((Expr *) makeVar(rti, natts + 1, INT8OID, -1,
																	   InvalidOid, 0),
													  natts + 1, pstrdup(SHMCACHE_POSITION_COLUMN), false));
			source->eref->colnames = lappend(source->eref->colnames,
											 makeString(SHMCACHE_POSITION_COLUMN));
			return;
		}
	}
	elog(ERROR, "the view of a frame does not read shmcache.scan()");
}

/*
 * The values of the changed row, one entry per frame column (resno = attno):
 * for UPDATE the SET expression or the old value, for DELETE the old value.
 */
static List *
row_values(Query *parse, Index source, TupleDesc desc)
{
	List	   *values = NIL;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Expr	   *expr = NULL;
		ListCell   *lc;

		if (parse->commandType == CMD_UPDATE)
		{
			foreach(lc, parse->targetList)
			{
				TargetEntry *tle = lfirst(lc);

				if (!tle->resjunk && tle->resno == i + 1)
					expr = tle->expr;
			}
		}
		if (expr == NULL)
			expr = (Expr *) makeVar(source, i + 1, att->atttypid, att->atttypmod,
									att->attcollation, 0);
		values = lappend(values, makeTargetEntry(expr, i + 1, pstrdup(NameStr(att->attname)),
												 false));
	}
	return values;
}

/* Append "tles" to "tlist" with resnos following on. */
static List *
append_entries(List *tlist, List *tles)
{
	ListCell   *lc;

	foreach(lc, tles)
	{
		TargetEntry *tle = flatCopyTargetEntry(lfirst(lc));

		tle->resno = list_length(tlist) + 1;
		tle->resjunk = false;
		tlist = lappend(tlist, tle);
	}
	return tlist;
}

/*
 * The ShmcacheModify plan over "child" (planned from the SELECT): its scan
 * tuple is the child's, its target list the RETURNING values that follow
 * the position and, for UPDATE, the new values.
 */
static Plan *
modify_plan(Plan *child, Query *parse, Oid viewoid, int natts, List *returning)
{
	CustomScan *cscan = makeNode(CustomScan);
	int			first_returning = 1 + (parse->commandType == CMD_UPDATE ? natts : 0);
	ListCell   *lc;
	int			k = 0;

	foreach(lc, child->targetlist)
	{
		TargetEntry *tle = lfirst(lc);

		k++;
		cscan->custom_scan_tlist =
			lappend(cscan->custom_scan_tlist,
					makeTargetEntry((Expr *) makeVarFromTargetEntry(OUTER_VAR, tle), k,
									tle->resname, false));
		if (k > first_returning)
		{
			TargetEntry *ret = list_nth(returning, k - first_returning - 1);

			cscan->scan.plan.targetlist =
				lappend(cscan->scan.plan.targetlist,
						makeTargetEntry((Expr *) makeVarFromTargetEntry(INDEX_VAR, tle),
										list_length(cscan->scan.plan.targetlist) + 1,
										ret->resname, false));
		}
	}
	cscan->scan.plan.lefttree = child;
	cscan->scan.plan.startup_cost = child->startup_cost;
	cscan->scan.plan.total_cost = child->total_cost;
	cscan->scan.plan.plan_rows = child->plan_rows;
	cscan->scan.plan.plan_width = child->plan_width;
	cscan->scan.scanrelid = 0;
	cscan->custom_private = list_make2(list_make1_oid(viewoid),
									   list_make1_int(parse->commandType));
	cscan->methods = &modify_plan_methods;
	return &cscan->scan.plan;
}

/*
 * Plan UPDATE or DELETE "parse" of the frame whose view is its result
 * relation: a SELECT of what to change, under a ShmcacheModify node.
 */
static PlannedStmt *
plan_frame_change(Query *parse, const char *query_string, int cursor_options,
				  ParamListInfo bound_params)
{
	Query	   *select = copyObject(parse);
	Index		result = parse->resultRelation;
	RangeTblEntry *target = rt_fetch(result, parse->rtable);
	Index		source = source_relation(select);
	Relation	view = relation_open(target->relid, NoLock);
	TupleDesc	desc = RelationGetDescr(view);
	List	   *values = row_values(select, source, desc);
	List	   *returning;
	List	   *tlist;
	PlannedStmt *stmt;
	bool		has_sublinks = select->hasSubLinks;

	if (parse->hasModifyingCTE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("UPDATE or DELETE of frame \"%s\" cannot be combined with a data-modifying WITH",
						RelationGetRelationName(view))));
	add_position_column(rt_fetch(source, select->rtable), desc->natts);

	/* RETURNING: the result relation's columns are the old or new values */
	returning = (List *) ReplaceVarsFromTargetList((Node *) select->returningList,
												   result, 0, target, values,
												   REPLACEVARS_REPORT_ERROR, 0,
												   &has_sublinks);
	tlist = list_make1(makeTargetEntry((Expr *) makeVar(source, desc->natts + 1, INT8OID,
														-1, InvalidOid, 0),
									   1, pstrdup(SHMCACHE_POSITION_COLUMN), false));
	if (parse->commandType == CMD_UPDATE)
		tlist = append_entries(tlist, values);
	tlist = append_entries(tlist, returning);

	select->commandType = CMD_SELECT;
	select->resultRelation = 0;
	select->targetList = tlist;
	select->returningList = NIL;
	select->hasSubLinks = has_sublinks;

	/* The write claim is taken in a leader: no parallel workers. */
	cursor_options &= ~CURSOR_OPT_PARALLEL_OK;
	if (prev_planner_hook)
		stmt = prev_planner_hook(select, query_string, cursor_options, bound_params);
	else
		stmt = standard_planner(select, query_string, cursor_options, bound_params);

	stmt->planTree = modify_plan(stmt->planTree, parse, RelationGetRelid(view),
								 desc->natts, returning);
	stmt->commandType = parse->commandType;
	stmt->canSetTag = parse->canSetTag;
	stmt->hasReturning = (parse->returningList != NIL);
	relation_close(view, NoLock);
	return stmt;
}

/*
 * planner_hook: UPDATE and DELETE of a frame's view are planned above; every
 * other statement as it would be.
 */
static PlannedStmt *
shmcache_planner(Query *parse, const char *query_string, int cursor_options,
				 ParamListInfo bound_params)
{
	if ((parse->commandType == CMD_UPDATE || parse->commandType == CMD_DELETE) &&
		parse->resultRelation > 0)
	{
		RangeTblEntry *target = rt_fetch(parse->resultRelation, parse->rtable);
		int64		frame_id;

		if (target->rtekind == RTE_RELATION && target->relkind == RELKIND_VIEW &&
			shmcache_catalog_lookup_view(target->relid, &frame_id))
			return plan_frame_change(parse, query_string, cursor_options, bound_params);
	}
	if (prev_planner_hook)
		return prev_planner_hook(parse, query_string, cursor_options, bound_params);
	return standard_planner(parse, query_string, cursor_options, bound_params);
}

static Node *
create_modify_state(CustomScan *cscan)
{
	ShmcacheModifyState *state = palloc0(sizeof(ShmcacheModifyState));

	NodeSetTag(state, T_CustomScanState);
	state->css.methods = &modify_exec_methods;
	state->operation = (CmdType) linitial_int(list_nth(cscan->custom_private,
													   MODIFY_PRIVATE_OPERATION));
	return (Node *) state;
}

/*
 * BeginCustomScan: take the frame's write claim, then start the subplan, so
 * that it reads the rows no other writer can change any more.
 */
static void
begin_modify(CustomScanState *node, EState *estate, int eflags)
{
	ShmcacheModifyState *state = (ShmcacheModifyState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Oid			viewoid = linitial_oid(list_nth(cscan->custom_private, MODIFY_PRIVATE_VIEW));

	if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY))
	{
		state->view = relation_open(viewoid, RowExclusiveLock);
		state->natts = RelationGetDescr(state->view)->natts;
		state->writer = shmcache_writer_lookup(viewoid);
		if (state->writer == NULL)
			state->writer = shmcache_load_begin(state->view);
	}
	outerPlanState(node) = ExecInitNode(outerPlan(cscan), estate, eflags);
}

/* The next row changed that has RETURNING values, or NULL at the end. */
static TupleTableSlot *
exec_modify(CustomScanState *node)
{
	ShmcacheModifyState *state = (ShmcacheModifyState *) node;
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	EState	   *estate = node->ss.ps.state;

	for (;;)
	{
		TupleTableSlot *row = ExecProcNode(outerPlanState(node));
		bool		isnull;
		int64		position;

		if (TupIsNull(row))
			return NULL;
		ResetExprContext(econtext);
		position = DatumGetInt64(slot_getattr(row, 1, &isnull));
		if (isnull || position < 0)
			elog(ERROR, "a frame row without a position");
		if (!shmcache_writer_delete(state->writer, state->view, (uint64) position))
			continue;			/* changed already by this command */
		if (state->operation == CMD_UPDATE)
		{
			slot_getsomeattrs(row, 1 + state->natts);
			shmcache_writer_append(state->writer, state->view,
								   row->tts_values + 1, row->tts_isnull + 1);
		}
		estate->es_processed++;
		if (node->ss.ps.plan->targetlist != NIL)
		{
			econtext->ecxt_scantuple = row;
			return ExecProject(node->ss.ps.ps_ProjInfo);
		}
	}
}

static void
end_modify(CustomScanState *node)
{
	ShmcacheModifyState *state = (ShmcacheModifyState *) node;

	ExecEndNode(outerPlanState(node));
	if (state->view != NULL)
		relation_close(state->view, NoLock);
}

static void
rescan_modify(CustomScanState *node)
{
	elog(ERROR, "ShmcacheModify cannot be rescanned");
}

/*
 * shmcache.modify_trigger()
 *		INSTEAD OF UPDATE OR DELETE row trigger of every frame's view.  The
 *		planner hook plans those statements without the trigger; it fires
 *		only where the hook could not (a data-modifying WITH).
 */
Datum
shmcache_modify_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("shmcache.modify_trigger() must be called as a trigger")));
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("UPDATE or DELETE of frame \"%s\" is supported only as a statement of its own",
					RelationGetRelationName(trigdata->tg_relation)),
			 errhint("Run it outside WITH.")));
	PG_RETURN_NULL();
}

/*
 * shmcache_modify_init
 *		Register the node and the planner hook (from _PG_init).
 */
void
shmcache_modify_init(void)
{
	RegisterCustomScanMethods(&modify_plan_methods);
	prev_planner_hook = planner_hook;
	planner_hook = shmcache_planner;
}
