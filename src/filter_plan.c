/*-------------------------------------------------------------------------
 *
 * filter_plan.c
 *	  Which quals of a frame scan the filters take (filter.c has the shapes),
 *	  and how EXPLAIN shows them.
 *
 * Planner hooks split a scan's quals into those pushed into the node's
 * filters and the rest (evaluated per row by the executor); a qual is
 * pushed when its column side is a column of the frame and its other side
 * can be evaluated once at scan start.  The custom nodes keep pushed quals
 * in custom_private, where setrefs never sees them, so they may use no
 * executor parameter or subplan.
 *
 * Layer: filters.  Locking: none (plan-time and EXPLAIN only).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/filter_plan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/restrictinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"

#include "filter.h"

/* The Var of "relid" that "node" is, looking through binary relabelling. */
static Var *
column_var(Node *node, Index relid)
{
	while (node != NULL && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node != NULL && IsA(node, Var) &&
		(relid == 0 || (Index) ((Var *) node)->varno == relid) &&
		((Var *) node)->varlevelsup == 0 && ((Var *) node)->varattno > 0)
		return (Var *) node;
	return NULL;
}

static bool
exec_param_or_subplan_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) && ((Param *) node)->paramkind != PARAM_EXTERN)
		return true;
	if (IsA(node, SubPlan) || IsA(node, AlternativeSubPlan) || IsA(node, SubLink))
		return true;
	return expression_tree_walker(node, exec_param_or_subplan_walker, context);
}

/*
 * shmcache_needs_executor_context
 *		Does "expr" use an executor parameter or a subplan?  The custom nodes
 *		evaluate the expressions they keep in custom_private themselves, and
 *		setrefs/finalize_plan never see them, so they must use neither.
 */
bool
shmcache_needs_executor_context(Node *expr)
{
	return exec_param_or_subplan_walker(expr, NULL);
}

/* Can "expr" be evaluated once at scan start? */
static bool
is_scan_constant(Node *expr)
{
	return !contain_var_clause(expr) &&
		!contain_volatile_functions(expr) &&
		!shmcache_needs_executor_context(expr);
}

/*
 * shmcache_filter_split
 *		Split a pushable qual into its column and constant side; returns
 *		false if "clause" has none of the pushed shapes.  "relid" is the
 *		frame scan's range table index at plan time; any Var is accepted
 *		when it is 0 (executor).
 */
bool
shmcache_filter_split(Expr *clause, Index relid, Var **var, Expr **constant,
					  bool *var_on_right)
{
	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) clause;
		Node	   *left = linitial(op->args);
		Node	   *right = lsecond(op->args);

		if (!op_strict(op->opno))
			return false;
		if ((*var = column_var(left, relid)) != NULL && is_scan_constant(right))
		{
			*constant = (Expr *) right;
			*var_on_right = false;
			return true;
		}
		if ((*var = column_var(right, relid)) != NULL && is_scan_constant(left))
		{
			*constant = (Expr *) left;
			*var_on_right = true;
			return true;
		}
		return false;
	}
	if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) clause;

		if (!saop->useOr || !op_strict(saop->opno) ||
			(*var = column_var(linitial(saop->args), relid)) == NULL ||
			!is_scan_constant(lsecond(saop->args)))
			return false;
		*constant = lsecond(saop->args);
		*var_on_right = false;
		return true;
	}
	if (IsA(clause, NullTest) && !((NullTest *) clause)->argisrow &&
		(*var = column_var((Node *) ((NullTest *) clause)->arg, relid)) != NULL)
	{
		*constant = NULL;
		*var_on_right = false;
		return true;
	}
	return false;
}

/*
 * filter_pushable
 *		Can the ShmcacheScan of range table entry "relid" evaluate "clause"
 *		column-wise?
 */
static bool
filter_pushable(Expr *clause, Index relid)
{
	Var		   *var;
	Expr	   *constant;
	bool		var_on_right;

	return !contain_volatile_functions((Node *) clause) &&
		shmcache_filter_split(clause, relid, &var, &constant, &var_on_right);
}

/*
 * shmcache_split_quals
 *		The quals (RestrictInfos) of a frame scan of range table entry
 *		"relid", as bare clauses: those evaluated column-wise, and the rest.
 */
void
shmcache_split_quals(List *restrictinfos, Index relid, List **pushed, List **rest)
{
	ListCell   *lc;

	*pushed = NIL;
	*rest = NIL;
	foreach(lc, extract_actual_clauses(restrictinfos, false))
	{
		Expr	   *clause = lfirst(lc);

		if (filter_pushable(clause, relid))
			*pushed = lappend(*pushed, clause);
		else
			*rest = lappend(*rest, clause);
	}
}

/*
 * shmcache_filters_describe
 *		The pushed quals "clauses" as text for EXPLAIN, columns named from
 *		"tupdesc" (the frame's columns).
 */
List *
shmcache_filters_describe(List *clauses, TupleDesc tupdesc)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, clauses)
	{
		Expr	   *clause = lfirst(lc);
		Var		   *var;
		Expr	   *constant;
		bool		var_on_right;
		const char *colname;
		StringInfoData buf;

		if (!shmcache_filter_split(clause, 0, &var, &constant, &var_on_right))
			continue;
		colname = quote_identifier(NameStr(TupleDescAttr(tupdesc, var->varattno - 1)->attname));
		initStringInfo(&buf);
		if (IsA(clause, NullTest))
			appendStringInfo(&buf, "%s IS %sNULL", colname,
							 ((NullTest *) clause)->nulltesttype == IS_NULL ? "" : "NOT ");
		else
		{
			Oid			opno = IsA(clause, OpExpr) ? ((OpExpr *) clause)->opno :
				((ScalarArrayOpExpr *) clause)->opno;
			char	   *value = deparse_expression((Node *) constant, NIL, false, false);

			if (IsA(clause, ScalarArrayOpExpr))
				appendStringInfo(&buf, "%s %s ANY (%s)", colname, get_opname(opno), value);
			else if (var_on_right)
				appendStringInfo(&buf, "%s %s %s", value, get_opname(opno), colname);
			else
				appendStringInfo(&buf, "%s %s %s", colname, get_opname(opno), value);
		}
		result = lappend(result, buf.data);
	}
	return result;
}
