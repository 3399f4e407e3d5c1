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
 * INSERT ... ON CONFLICT into a frame's view (which PostgreSQL's planner
 * would refuse: a view has no unique index) is planned here too: a SELECT
 * of the proposed rows under a ShmcacheModify node that looks each row's
 * key up in the arbiter indexes (the frame's unique indexes over exactly the
 * conflict target's columns, or all of them for DO NOTHING without a
 * target), as the writer sees them, committed and its own rows alike.  No
 * conflict: the row is appended.  A conflict: DO NOTHING skips the row; DO
 * UPDATE evaluates the SET expressions and the WHERE over the existing row
 * and EXCLUDED, deletes the existing row and appends the new one.  A row
 * this command inserted or updated that a later proposed row conflicts with
 * is PostgreSQL's error ("cannot affect row a second time").
 *
 * shmcache.vacuum() gives back the memory of deleted rows: under the write
 * claim it truncates the frame and appends its live rows again, so readers
 * go on reading the old version until the new one is committed, and the
 * old one is freed when the last of them ends.
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
#include "commands/explain.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "frames.h"
#include "nodes.h"
#include "reader.h"
#include "catalog.h"
#include "xact.h"

PG_FUNCTION_INFO_V1(shmcache_modify_trigger);
PG_FUNCTION_INFO_V1(shmcache_vacuum);

/* The positions of a ShmcacheModify's custom_private list. */
typedef enum ShmcacheModifyPrivate
{
	MODIFY_PRIVATE_VIEW,		/* the frame's view (an OID) */
	MODIFY_PRIVATE_OPERATION,	/* CMD_UPDATE, CMD_DELETE or CMD_INSERT */
	/* INSERT ... ON CONFLICT only: */
	MODIFY_PRIVATE_ACTION,		/* ONCONFLICT_NOTHING or ONCONFLICT_UPDATE */
	MODIFY_PRIVATE_ARBITERS,	/* index ids (int8 Consts) */
	MODIFY_PRIVATE_SET,			/* the new value of every column, over the
								 * existing row (INNER_VAR) and EXCLUDED
								 * (OUTER_VAR) */
	MODIFY_PRIVATE_WHERE,		/* one-element list: the DO UPDATE WHERE, or
								 * NULL */
	MODIFY_PRIVATE_ARBITER_NAMES	/* their names (Strings), for EXPLAIN */
} ShmcacheModifyPrivate;

/* The state of INSERT ... ON CONFLICT. */
typedef struct UpsertState
{
	OnConflictAction action;
	ShmcacheKeyFinder *finder;	/* in the arbiter indexes */
	List	   *set;			/* ExprState per column, DO UPDATE */
	ExprState  *where;
	int		   *all_columns;	/* 0 .. natts - 1 */
	TupleTableSlot *existing;	/* the row a proposed row conflicts with */
	uint64		first_row;		/* rows of the target before this command */
} UpsertState;

/* Executor state of a ShmcacheModify node. */
typedef struct ShmcacheModifyState
{
	CustomScanState css;
	CmdType		operation;
	Relation	view;			/* the frame's view, NULL for EXPLAIN only */
	ShmcacheWriter *writer;
	int64		frame_id;
	int			natts;			/* the frame's columns */
	UpsertState *upsert;		/* INSERT ... ON CONFLICT, else NULL */
} ShmcacheModifyState;

static planner_hook_type prev_planner_hook = NULL;

static Node *create_modify_state(CustomScan *cscan);
static void begin_modify(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_modify(CustomScanState *node);
static void end_modify(CustomScanState *node);
static void rescan_modify(CustomScanState *node);
static void explain_modify(CustomScanState *node, List *ancestors, ExplainState *es);
static void begin_upsert(ShmcacheModifyState *state, List *priv);

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
	.ExplainCustomScan = explain_modify,
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
 * One entry per frame column (resno = attno): the expression of the
 * non-junk entry of "given" with that resno, or else a Var of column attno of
 * range table entry "rti" (the old value), or a null if "rti" is 0.
 */
static List *
column_values(List *given, Index rti, TupleDesc desc)
{
	List	   *values = NIL;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Expr	   *expr = NULL;
		ListCell   *lc;

		foreach(lc, given)
		{
			TargetEntry *tle = lfirst(lc);

			if (!tle->resjunk && tle->resno == i + 1)
				expr = tle->expr;
		}
		if (expr == NULL && rti > 0)
			expr = (Expr *) makeVar(rti, i + 1, att->atttypid, att->atttypmod,
									att->attcollation, 0);
		else if (expr == NULL)
			expr = (Expr *) makeNullConst(att->atttypid, att->atttypmod, att->attcollation);
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

	if (parse->commandType == CMD_INSERT)
		first_returning = list_length(child->targetlist);	/* none */

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
	cscan->custom_private = list_make1(list_make1_oid(viewoid));
	cscan->custom_private = lappend(cscan->custom_private,
									list_make1_int(parse->commandType));
	if (parse->commandType == CMD_INSERT)
		cscan->scan.plan.targetlist = returning;	/* (over the scan tuple) */
	cscan->methods = &modify_plan_methods;
	return &cscan->scan.plan;
}

/*
 * Plan "select" (what statement "parse" changes) and put the ShmcacheModify
 * node of frame view "viewoid" on top: the statement's plan.
 */
static PlannedStmt *
plan_under_modify(Query *select, Query *parse, const char *query_string,
				  int cursor_options, ParamListInfo bound_params, Oid viewoid,
				  int natts, List *returning)
{
	PlannedStmt *stmt;

	/* The write claim is taken in a leader: no parallel workers. */
	cursor_options &= ~CURSOR_OPT_PARALLEL_OK;
	if (prev_planner_hook)
		stmt = prev_planner_hook(select, query_string, cursor_options, bound_params);
	else
		stmt = standard_planner(select, query_string, cursor_options, bound_params);
	stmt->planTree = modify_plan(stmt->planTree, parse, viewoid, natts, returning);
	stmt->commandType = parse->commandType;
	stmt->canSetTag = parse->canSetTag;
	stmt->hasReturning = (parse->returningList != NIL);
	return stmt;
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
	List	   *values = column_values(parse->commandType == CMD_UPDATE ?
										   select->targetList : NIL, source, desc);
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

	stmt = plan_under_modify(select, parse, query_string, cursor_options, bound_params,
							 RelationGetRelid(view), desc->natts, returning);
	relation_close(view, NoLock);
	return stmt;
}

/*
 * The frame's unique indexes that arbitrate "oc": those whose key columns
 * are exactly the conflict target's, or every unique index for DO NOTHING
 * without a target.  As index ids (int8 Consts).
 */
static List *
arbiter_indexes(OnConflictExpr *oc, int64 frame_id, Index result, List **names)
{
	Bitmapset  *target = NULL;
	bool		plain = true;
	List	   *arbiters = NIL;
	ListCell   *lc;

	foreach(lc, oc->arbiterElems)
	{
		InferenceElem *elem = lfirst(lc);
		Var		   *var = (Var *) elem->expr;

		if (!IsA(var, Var) || var->varno != (int) result || var->varattno <= 0 ||
			OidIsValid(elem->inferopclass))
			plain = false;		/* an expression or an operator class */
		else
			target = bms_add_member(target, var->varattno - 1);
	}
	foreach(lc, shmcache_planned_indexes(frame_id))
	{
		ShmcacheIndex *def = lfirst(lc);
		Bitmapset  *keys = NULL;
		int			k;

		for (k = 0; k < def->nkeys; k++)
			keys = bms_add_member(keys, def->keys[k]);
		if (def->unique && oc->arbiterWhere == NULL && plain &&
			(oc->arbiterElems == NIL || bms_equal(keys, target)))
		{
			arbiters = lappend(arbiters, makeConst(INT8OID, -1, InvalidOid, sizeof(int64),
												   Int64GetDatum(def->index_id), false,
												   FLOAT8PASSBYVAL));
			*names = lappend(*names, makeString(pstrdup(NameStr(def->name))));
		}
	}
	if (arbiters == NIL && (oc->arbiterElems != NIL || OidIsValid(oc->constraint)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
				 errmsg("there is no unique or exclusion constraint matching the ON CONFLICT specification")));
	return arbiters;
}

/*
 * "expr" ready for the node to evaluate: Vars of range table entry "inner"
 * read the inner tuple, those of "outer" the outer one (0: none).
 */
static Expr *
node_expr(Expr *expr, Index inner, Index outer, int varno_inner)
{
	Node	   *node = (Node *) copyObject(expr);

	if (checkExprHasSubLink(node))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("subqueries are not supported in ON CONFLICT or its RETURNING on a frame")));
	ChangeVarNodes(node, inner, varno_inner, 0);
	if (outer > 0)
		ChangeVarNodes(node, outer, OUTER_VAR, 0);
	return expression_planner((Expr *) node);
}

/*
 * Plan INSERT ... ON CONFLICT "parse" into the frame "frame_id" whose view
 * is its result relation: a SELECT of the proposed rows under a
 * ShmcacheModify node.
 */
static PlannedStmt *
plan_frame_upsert(Query *parse, const char *query_string, int cursor_options,
				  ParamListInfo bound_params, int64 frame_id)
{
	Query	   *select = copyObject(parse);
	OnConflictExpr *oc = parse->onConflict;
	Index		result = parse->resultRelation;
	Relation	view = relation_open(rt_fetch(result, parse->rtable)->relid, NoLock);
	TupleDesc	desc = RelationGetDescr(view);
	List	   *names = NIL;
	List	   *arbiters = arbiter_indexes(oc, frame_id, result, &names);
	List	   *set = NIL;
	Expr	   *where = NULL;
	List	   *returning = NIL;
	ListCell   *lc;
	PlannedStmt *stmt;
	CustomScan *cscan;

	if (oc->action == ONCONFLICT_UPDATE)
	{
		/* SET's value, or the existing row's */
		foreach(lc, column_values(oc->onConflictSet, result, desc))
			set = lappend(set, node_expr(((TargetEntry *) lfirst(lc))->expr, result,
										 oc->exclRelIndex, INNER_VAR));
		if (oc->onConflictWhere != NULL)
			where = node_expr((Expr *) oc->onConflictWhere, result, oc->exclRelIndex,
							  INNER_VAR);
	}
	foreach(lc, parse->returningList)
	{
		TargetEntry *tle = flatCopyTargetEntry(lfirst(lc));

		tle->expr = node_expr(tle->expr, result, 0, INDEX_VAR);
		tle->resno = list_length(returning) + 1;
		returning = lappend(returning, tle);
	}

	select->commandType = CMD_SELECT;
	select->resultRelation = 0;
	select->onConflict = NULL;
	select->returningList = NIL;
	select->targetList = column_values(parse->targetList, 0, desc);
	stmt = plan_under_modify(select, parse, query_string, cursor_options, bound_params,
							 RelationGetRelid(view), desc->natts, returning);
	cscan = (CustomScan *) stmt->planTree;
	cscan->custom_private = lappend(cscan->custom_private, list_make1_int(oc->action));
	cscan->custom_private = lappend(cscan->custom_private, arbiters);
	cscan->custom_private = lappend(cscan->custom_private, set);
	cscan->custom_private = lappend(cscan->custom_private, list_make1(where));
	cscan->custom_private = lappend(cscan->custom_private, names);
	relation_close(view, NoLock);
	return stmt;
}

/*
 * planner_hook: UPDATE, DELETE and INSERT ... ON CONFLICT of a frame's view
 * are planned above; every other statement as it would be.
 */
static PlannedStmt *
shmcache_planner(Query *parse, const char *query_string, int cursor_options,
				 ParamListInfo bound_params)
{
	if ((parse->commandType == CMD_UPDATE || parse->commandType == CMD_DELETE ||
		 (parse->commandType == CMD_INSERT && parse->onConflict != NULL)) &&
		parse->resultRelation > 0)
	{
		RangeTblEntry *target = rt_fetch(parse->resultRelation, parse->rtable);
		int64		frame_id;

		if (target->rtekind == RTE_RELATION && target->relkind == RELKIND_VIEW &&
			shmcache_catalog_lookup_view(target->relid, &frame_id))
		{
			if (parse->commandType == CMD_INSERT)
				return plan_frame_upsert(parse, query_string, cursor_options,
										 bound_params, frame_id);
			return plan_frame_change(parse, query_string, cursor_options, bound_params);
		}
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
		state->frame_id = shmcache_frame_id_of(viewoid);
		state->writer = shmcache_writer_lookup(viewoid);
		if (state->writer == NULL)
			state->writer = shmcache_load_begin(state->view);
		shmcache_check_serializable(state->frame_id, RelationGetRelationName(state->view));
		if (state->operation == CMD_INSERT)
			begin_upsert(state, cscan->custom_private);
	}
	outerPlanState(node) = ExecInitNode(outerPlan(cscan), estate, eflags);
}

/* Prepare the state of INSERT ... ON CONFLICT from the plan's "priv". */
static void
begin_upsert(ShmcacheModifyState *state, List *priv)
{
	UpsertState *upsert = palloc0(sizeof(UpsertState));
	uint64		nrows;
	int			i;

	upsert->action = (OnConflictAction) linitial_int(list_nth(priv, MODIFY_PRIVATE_ACTION));
	upsert->finder = shmcache_key_finder_create(state->frame_id,
												RelationGetRelationName(state->view),
												list_nth(priv, MODIFY_PRIVATE_ARBITERS),
												false);
	upsert->set = ExecInitExprList(list_nth(priv, MODIFY_PRIVATE_SET), &state->css.ss.ps);
	upsert->where = ExecInitQual(make_ands_implicit(linitial(list_nth(priv, MODIFY_PRIVATE_WHERE))),
								 &state->css.ss.ps);
	upsert->all_columns = palloc(sizeof(int) * Max(state->natts, 1));
	for (i = 0; i < state->natts; i++)
		upsert->all_columns[i] = i;
	upsert->existing = ExecInitExtraTupleSlot(state->css.ss.ps.state,
											  RelationGetDescr(state->view), &TTSOpsVirtual);
	(void) shmcache_writer_target(state->writer, &nrows);
	upsert->first_row = nrows;
	state->upsert = upsert;
}

/*
 * DO UPDATE of existing row "row" with the proposed row "proposed": the new
 * values in the node's scan slot, or NULL if the WHERE rules the row out.
 */
static TupleTableSlot *
update_existing(ShmcacheModifyState *state, uint64 row, TupleTableSlot *proposed)
{
	UpsertState *upsert = state->upsert;
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	TupleTableSlot *result = state->css.ss.ss_ScanTupleSlot;
	uint64		nrows;
	ShmcacheVersion *version = shmcache_writer_target(state->writer, &nrows);
	ListCell   *lc;

	if (row >= upsert->first_row)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("ON CONFLICT DO UPDATE command cannot affect row a second time"),
				 errhint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")));
	ExecClearTuple(upsert->existing);
	shmcache_fetch_row(version, shmcache_version_chunk(version, row >> SHMCACHE_CHUNK_SHIFT),
					   (uint32) (row & SHMCACHE_CHUNK_MASK), upsert->all_columns,
					   state->natts, upsert->existing->tts_values,
					   upsert->existing->tts_isnull);
	ExecStoreVirtualTuple(upsert->existing);
	econtext->ecxt_innertuple = upsert->existing;
	econtext->ecxt_outertuple = proposed;
	if (upsert->where != NULL && !ExecQual(upsert->where, econtext))
		return NULL;
	ExecClearTuple(result);
	foreach(lc, upsert->set)
	{
		int			i = foreach_current_index(lc);

		result->tts_values[i] = ExecEvalExpr(lfirst(lc), econtext, &result->tts_isnull[i]);
	}
	return ExecStoreVirtualTuple(result);
}

/*
 * The next proposed row of INSERT ... ON CONFLICT that was inserted or
 * updated, in the node's scan slot; NULL at the end.
 */
static TupleTableSlot *
next_upsert(ShmcacheModifyState *state)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;

	for (;;)
	{
		TupleTableSlot *proposed = ExecProcNode(outerPlanState(state));
		TupleTableSlot *result = state->css.ss.ss_ScanTupleSlot;
		uint64		row;

		if (TupIsNull(proposed))
			return NULL;
		ResetExprContext(econtext);
		slot_getallattrs(proposed);
		if (!shmcache_key_finder_first(state->upsert->finder, state->writer,
									   proposed->tts_values, proposed->tts_isnull, &row))
		{
			ExecClearTuple(result);
			memcpy(result->tts_values, proposed->tts_values, sizeof(Datum) * state->natts);
			memcpy(result->tts_isnull, proposed->tts_isnull, sizeof(bool) * state->natts);
			ExecStoreVirtualTuple(result);
		}
		else if (state->upsert->action == ONCONFLICT_NOTHING)
			continue;
		else if ((result = update_existing(state, row, proposed)) == NULL)
			continue;
		else if (!shmcache_writer_delete(state->writer, state->view, row))
			elog(ERROR, "a conflicting row of frame \"%s\" was deleted already",
				 RelationGetRelationName(state->view));
		shmcache_writer_append(state->writer, state->view, result->tts_values,
							   result->tts_isnull);
		return result;
	}
}

/* The next row changed that has RETURNING values, or NULL at the end. */
static TupleTableSlot *
exec_modify(CustomScanState *node)
{
	ShmcacheModifyState *state = (ShmcacheModifyState *) node;
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	EState	   *estate = node->ss.ps.state;

	if (state->upsert != NULL)
	{
		TupleTableSlot *result;

		while ((result = next_upsert(state)) != NULL)
		{
			estate->es_processed++;
			if (node->ss.ps.plan->targetlist != NIL)
			{
				/* (no projection if RETURNING is the row itself) */
				if (node->ss.ps.ps_ProjInfo == NULL)
					return result;
				econtext->ecxt_scantuple = result;
				return ExecProject(node->ss.ps.ps_ProjInfo);
			}
		}
		return NULL;
	}
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
 * ExplainCustomScan: the operation and the frame, and for INSERT ... ON
 * CONFLICT the action and the arbiter indexes, as ModifyTable shows them.
 */
static void
explain_modify(CustomScanState *node, List *ancestors, ExplainState *es)
{
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *priv = cscan->custom_private;
	CmdType		operation = (CmdType) linitial_int(list_nth(priv, MODIFY_PRIVATE_OPERATION));
	Oid			viewoid = linitial_oid(list_nth(priv, MODIFY_PRIVATE_VIEW));
	char	   *nspname = get_namespace_name(get_rel_namespace(viewoid));

	ExplainPropertyText("Operation", operation == CMD_DELETE ? "Delete" :
						operation == CMD_UPDATE ? "Update" : "Insert", es);
	ExplainPropertyText("Frame", quote_qualified_identifier(nspname, get_rel_name(viewoid)), es);
	if (operation == CMD_INSERT)
	{
		List	   *names = NIL;
		ListCell   *lc;

		ExplainPropertyText("Conflict Resolution",
							linitial_int(list_nth(priv, MODIFY_PRIVATE_ACTION)) == ONCONFLICT_UPDATE ?
							"UPDATE" : "NOTHING", es);
		foreach(lc, (List *) list_nth(priv, MODIFY_PRIVATE_ARBITER_NAMES))
			names = lappend(names, strVal(lfirst(lc)));
		ExplainPropertyList("Conflict Arbiter Indexes", names, es);
	}
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

/* Is row "row" of "read" deleted for it?  Its chunk in *chunk, if asked. */
static bool
read_row_dead(const ShmcacheRead *read, uint64 row, const char **chunk)
{
	const char *c = shmcache_version_chunk(read->version, row >> SHMCACHE_CHUNK_SHIFT);

	if (chunk != NULL)
		*chunk = c;
	return shmcache_row_dead(c, (uint32) (row & SHMCACHE_CHUNK_MASK), read->dseq,
							 read->own_cid);
}

/*
 * shmcache_frame_vacuum
 *		Rewrite frame "frame_id" of "view" without its deleted rows (nothing
 *		if it has none) in the current transaction; returns how many were
 *		removed.
 */
uint64
shmcache_frame_vacuum(Relation view, int64 frame_id)
{
	ShmcacheWriter *writer;
	ShmcacheRead read;
	MemoryContext rowcxt;
	MemoryContext old;
	int		   *columns;
	Datum	   *values;
	bool	   *nulls;
	uint64		row;
	uint64		dead = 0;

	writer = shmcache_writer_lookup(RelationGetRelid(view));
	if (writer == NULL)
		writer = shmcache_load_begin(view);

	/* every row this transaction sees, its own changes included */
	shmcache_read_begin(frame_id, NULL, &read);
	for (row = 0; row < read.nrows; row++)
		dead += read_row_dead(&read, row, NULL);
	if (dead > 0)
	{
		shmcache_writer_truncate(writer, view);
		columns = palloc(sizeof(int) * Max(read.version->natts, 1));
		values = palloc(sizeof(Datum) * Max(read.version->natts, 1));
		nulls = palloc(sizeof(bool) * Max(read.version->natts, 1));
		for (int i = 0; i < read.version->natts; i++)
			columns[i] = i;
		rowcxt = AllocSetContextCreate(CurrentMemoryContext, "shmcache vacuum",
									   ALLOCSET_DEFAULT_SIZES);
		old = MemoryContextSwitchTo(rowcxt);
		for (row = 0; row < read.nrows; row++)
		{
			const char *chunk;

			CHECK_FOR_INTERRUPTS();
			if (read_row_dead(&read, row, &chunk))
				continue;
			shmcache_fetch_row(read.version, chunk, (uint32) (row & SHMCACHE_CHUNK_MASK),
							   columns, read.version->natts, values, nulls);
			shmcache_writer_append(writer, view, values, nulls);
			MemoryContextReset(rowcxt);
		}
		MemoryContextSwitchTo(old);
		MemoryContextDelete(rowcxt);
		shmcache_writers_check_unique();
	}
	shmcache_read_end(&read);
	return dead;
}

/*
 * shmcache.vacuum(frame regclass)
 *		shmcache_frame_vacuum for the frame's owner.
 */
Datum
shmcache_vacuum(PG_FUNCTION_ARGS)
{
	int64		frame_id;
	Relation	view;
	uint64		dead;

	shmcache_require_shmem();
	view = shmcache_open_frame(PG_GETARG_OID(0), RowExclusiveLock, &frame_id);
	if (!shmcache_relation_ownercheck(RelationGetRelid(view), GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_VIEW, RelationGetRelationName(view));
	dead = shmcache_frame_vacuum(view, frame_id);
	relation_close(view, NoLock);
	PG_RETURN_INT64((int64) dead);
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
