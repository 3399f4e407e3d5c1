/*-------------------------------------------------------------------------
 *
 * lookup.c
 *	  Index lookups: the ShmcacheLookup custom scan node, which finds a
 *	  frame's rows by key through one of its indexes (index.c), and the
 *	  paths that offer it to the planner.
 *
 * Planning.  For a frame's view with indexes, every index whose key
 * columns all have an equality clause "column = expression" (the type's
 * default equality, its collation; integer columns also against other
 * integer types) gets a path; a one-column index also takes "column =
 * ANY(array)" and IN lists.  The expressions may be constants, parameters
 * (generic plans) or, through a parameterized path, columns of the outer
 * side of a nested loop join: the frame is then probed once per outer row.
 * Its cost is per probe and per row found, so the planner prefers a scan
 * where most of the frame qualifies anyway.
 *
 * Execution.  The node pins the frame through the one reader (reader.c),
 * evaluates the key expressions, probes the index once per distinct key
 * (rows of the writer's own transaction come from its pending entries) and
 * returns the rows found, in row order, each fetched straight from shared
 * memory into a virtual slot.  The clauses of the other columns stay in the
 * plan's qual.  Should the index be gone (dropped after planning), the node
 * reads every row and applies the index clauses itself: the same answer,
 * slower.
 *
 * Layer: plan/exec nodes, over the reader, visibility (a writer's pending
 * entries) and indexes.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/lookup.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/stratnum.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "utils/typcache.h"

#include "nodes.h"
#include "reader.h"
#include "catalog.h"
#include "index.h"

/* The positions of a ShmcacheLookup's custom_private list. */
typedef enum ShmcacheLookupPrivate
{
	LOOKUP_PRIVATE_COLUMNS,		/* 0-based columns fetched into the slot */
	LOOKUP_PRIVATE_CHECK_AS_USER,	/* one-element OID list */
	LOOKUP_PRIVATE_READ_COLUMNS,	/* every column read, keys included */
	LOOKUP_PRIVATE_INDEX,		/* the index: a Const int8 of its id */
	LOOKUP_PRIVATE_NAME,		/* its name (String), for EXPLAIN */
	LOOKUP_PRIVATE_ANY			/* Integer: 1 if the one key is = ANY */
} ShmcacheLookupPrivate;

/* The positions of a ShmcacheLookup's custom_exprs list. */
typedef enum ShmcacheLookupExprs
{
	LOOKUP_EXPRS_FRAME_ID,		/* the frame id */
	LOOKUP_EXPRS_KEYS,			/* List: the key values (or array) */
	LOOKUP_EXPRS_CLAUSES		/* List: the index clauses, for EXPLAIN and
								 * the fallback */
} ShmcacheLookupExprs;

/* A clause the index can use for key column "key". */
typedef struct KeyClause
{
	RestrictInfo *rinfo;
	Expr	   *value;			/* the other side: a value, or an array */
	bool		any;			/* column = ANY(value) */
} KeyClause;

/* Executor state of a ShmcacheLookup node. */
typedef struct ShmcacheLookupState
{
	CustomScanState css;
	ShmcacheReader reader;		/* the frame and its rows */
	int		   *columns;		/* 0-based columns fetched into the slot */
	int			ncolumns;
	int64		index_id;
	bool		any;			/* the one key is = ANY(array) */
	List	   *key_states;		/* ExprState per key value */
	Oid		   *key_types;		/* their (base) types */
	ExprState  *fallback_qual;	/* the index clauses, compiled only if the
								 * index is gone */
	ShmcacheIndexKeys keys;		/* the index and its key support, set up at
								 * the first probe of a read (keys.version) */
	ShmcacheRowList rows;		/* rows found, in order */
	int			pos;			/* next of them to return */
	uint64		next_row;		/* fallback: next row to read */
	bool		probed;			/* rows is set (or the fallback started) */
	bool		fallback;		/* the index is gone: read every row */
	uint64		probes;			/* for EXPLAIN ANALYZE */
	uint64		hits;
} ShmcacheLookupState;

static set_rel_pathlist_hook_type prev_set_rel_pathlist_hook = NULL;

static Plan *plan_shmcache_lookup(PlannerInfo *root, RelOptInfo *rel,
								  CustomPath *best_path, List *tlist,
								  List *clauses, List *custom_plans);
static Node *create_shmcache_lookup_state(CustomScan *cscan);
static void begin_shmcache_lookup(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_shmcache_lookup(CustomScanState *node);
static void end_shmcache_lookup(CustomScanState *node);
static void rescan_shmcache_lookup(CustomScanState *node);
static void explain_shmcache_lookup(CustomScanState *node, List *ancestors,
									ExplainState *es);

static const CustomPathMethods shmcache_lookup_path_methods = {
	.CustomName = "ShmcacheLookup",
	.PlanCustomPath = plan_shmcache_lookup,
};

static const CustomScanMethods shmcache_lookup_scan_methods = {
	.CustomName = "ShmcacheLookup",
	.CreateCustomScanState = create_shmcache_lookup_state,
};

static const CustomExecMethods shmcache_lookup_exec_methods = {
	.CustomName = "ShmcacheLookup",
	.BeginCustomScan = begin_shmcache_lookup,
	.ExecCustomScan = exec_shmcache_lookup,
	.EndCustomScan = end_shmcache_lookup,
	.ReScanCustomScan = rescan_shmcache_lookup,
	.ExplainCustomScan = explain_shmcache_lookup,
};

/* ------------------------------------------------------------------------
 * Planning
 * ------------------------------------------------------------------------
 */

static bool
is_integer_type(Oid typid)
{
	return typid == INT2OID || typid == INT4OID || typid == INT8OID;
}

/*
 * Can a key column of type "coltype" (base type) and collation "colcoll"
 * be probed with values of type "valtype" compared by operator "opno" under
 * collation "inputcoll"?  Only when the operator is the column type's own
 * equality (which its hash operator class hashes), or an equality of the
 * integer family between integer types (hashed by value here).
 */
static bool
key_operator_ok(Oid opno, Oid coltype, Oid colcoll, Oid valtype, Oid inputcoll)
{
	TypeCacheEntry *tce = lookup_type_cache(coltype, TYPECACHE_EQ_OPR | TYPECACHE_HASH_PROC);

	if (OidIsValid(colcoll) && inputcoll != colcoll)
		return false;
	if (is_integer_type(coltype) && is_integer_type(valtype))
		return get_op_opfamily_strategy(opno, INTEGER_BTREE_FAM_OID) == BTEqualStrategyNumber;
	return OidIsValid(tce->hash_proc) && opno == tce->eq_opr &&
		(valtype == coltype ||
		 ((coltype == TEXTOID || coltype == VARCHAROID) &&
		  (valtype == TEXTOID || valtype == VARCHAROID)));
}

/* Is "expr" column "attno" of relation "relid" (under a RelabelType)? */
static bool
is_key_var(Expr *expr, Index relid, AttrNumber attno)
{
	while (IsA(expr, RelabelType))
		expr = ((RelabelType *) expr)->arg;
	return IsA(expr, Var) && ((Var *) expr)->varno == (int) relid &&
		((Var *) expr)->varattno == attno && ((Var *) expr)->varlevelsup == 0;
}

/*
 * Is "rinfo" a clause the index can use for column "attno" (1-based) of
 * type "coltype" and collation "colcoll"?  Fills *kc.
 */
static bool
match_key_clause(RestrictInfo *rinfo, RelOptInfo *rel, AttrNumber attno,
				 Oid coltype, Oid colcoll, bool allow_any, KeyClause *kc)
{
	Expr	   *clause = rinfo->clause;
	Expr	   *value;

	if (rinfo->pseudoconstant)
		return false;
	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) clause;

		if (is_key_var(linitial(op->args), rel->relid, attno))
			value = lsecond(op->args);
		else if (is_key_var(lsecond(op->args), rel->relid, attno))
			value = linitial(op->args);
		else
			return false;
		if (!key_operator_ok(op->opno, coltype, colcoll, getBaseType(exprType((Node *) value)),
							 op->inputcollid))
			return false;
		kc->any = false;
	}
	else if (allow_any && IsA(clause, ScalarArrayOpExpr) &&
			 ((ScalarArrayOpExpr *) clause)->useOr)
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) clause;
		Oid			elemtype;

		if (!is_key_var(linitial(saop->args), rel->relid, attno))
			return false;
		value = lsecond(saop->args);
		elemtype = get_element_type(exprType((Node *) value));
		if (!OidIsValid(elemtype) ||
			!key_operator_ok(saop->opno, coltype, colcoll, getBaseType(elemtype),
							 saop->inputcollid))
			return false;
		kc->any = true;
	}
	else
		return false;
	/* The value must not depend on this relation, nor change while read. */
	if (bms_is_member(rel->relid, pull_varnos(NULL, (Node *) value)) ||
		contain_volatile_functions((Node *) value))
		return false;
	kc->rinfo = rinfo;
	kc->value = value;
	return true;
}

/* How many keys an = ANY value holds: the array's length if constant. */
static double
any_length(Expr *value)
{
	if (IsA(value, Const) && !((Const *) value)->constisnull)
		return Max(ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(((Const *) value)->constvalue)),
								  ARR_DIMS(DatumGetArrayTypeP(((Const *) value)->constvalue))),
				   1);
	return 10;
}

/*
 * A ShmcacheLookup path of index "def" using "kcs" (one per key), with
 * "param_info" for a parameterized path.  A probe costs a few operators per
 * key (hashing, a bucket and its chain); a row found costs half a tuple, as
 * in a ShmcacheScan, plus the quals left.
 */
static CustomPath *
make_lookup_path(PlannerInfo *root, RelOptInfo *rel, const ShmcacheIndex *def,
				 const char *name, KeyClause *kcs, ParamPathInfo *param_info)
{
	CustomPath *path = makeNode(CustomPath);
	List	   *index_rinfos = NIL;
	List	   *index_clauses = NIL;
	List	   *keys = NIL;
	List	   *rest = NIL;
	QualCost	qual_cost;
	double		probes = kcs[0].any ? any_length(kcs[0].value) : 1;
	double		found;
	double		rows;
	ListCell   *lc;
	int			k;

	for (k = 0; k < def->nkeys; k++)
	{
		index_rinfos = lappend(index_rinfos, kcs[k].rinfo);
		index_clauses = lappend(index_clauses, kcs[k].rinfo->clause);
		keys = lappend(keys, kcs[k].value);
	}
	foreach(lc, list_concat_copy(rel->baserestrictinfo,
								 param_info ? param_info->ppi_clauses : NIL))
	{
		if (!list_member_ptr(index_rinfos, lfirst(lc)))
			rest = lappend(rest, lfirst(lc));
	}
	cost_qual_eval(&qual_cost, rest, root);
	found = def->unique ? probes :
		clamp_row_est(rel->tuples * clauselist_selectivity(root, index_rinfos, rel->relid,
														   JOIN_INNER, NULL));
	rows = param_info ? param_info->ppi_rows : rel->rows;

	path->path.pathtype = T_CustomScan;
	path->path.parent = rel;
	path->path.pathtarget = rel->reltarget;
	path->path.param_info = param_info;
	path->path.parallel_aware = false;
	path->path.parallel_safe = false;
	path->path.parallel_workers = 0;
	path->path.rows = Min(rows, found);
	path->path.startup_cost = qual_cost.startup + rel->reltarget->cost.startup;
	path->path.total_cost = path->path.startup_cost +
		probes * def->nkeys * cpu_operator_cost * 4 +
		found * (cpu_tuple_cost * 0.5 + qual_cost.per_tuple) +
		path->path.rows * rel->reltarget->cost.per_tuple;
	path->path.pathkeys = NIL;
	path->flags = CUSTOMPATH_SUPPORT_PROJECTION;
	path->custom_private = list_make4(makeConst(INT8OID, -1, InvalidOid, 8,
												Int64GetDatum(def->index_id), false, true),
									  makeString(pstrdup(name)),
									  makeInteger(kcs[0].any ? 1 : 0),
									  list_make2(keys, index_rinfos));
	path->methods = &shmcache_lookup_path_methods;
	return path;
}

/* Callback of generate_implied_equalities_for_column: is "em" the key? */
static bool
em_is_key(PlannerInfo *root, RelOptInfo *rel, EquivalenceClass *ec,
		  EquivalenceMember *em, void *arg)
{
	return is_key_var(em->em_expr, rel->relid, *(AttrNumber *) arg);
}

/*
 * Offer the paths of index "def" of the frame read by "rel": with the
 * relation's own clauses, and for a one-column index, parameterized by each
 * join clause on its key (a nested loop of probes).
 */
static void
add_index_paths(PlannerInfo *root, RelOptInfo *rel, RangeTblFunction *rtfunc,
				const ShmcacheIndex *def)
{
	KeyClause	kcs[SHMCACHE_INDEX_MAX_KEYS];
	AttrNumber	attno;
	Oid			coltype;
	Oid			colcoll;
	ListCell   *lc;
	int			k;

	for (k = 0; k < def->nkeys; k++)
	{
		bool		matched = false;

		attno = def->keys[k] + 1;
		if (attno > list_length(rtfunc->funccoltypes))
			return;
		coltype = getBaseType(list_nth_oid(rtfunc->funccoltypes, attno - 1));
		colcoll = list_nth_oid(rtfunc->funccolcollations, attno - 1);
		foreach(lc, rel->baserestrictinfo)
		{
			/* Prefer "=" to "= ANY": it is one probe. */
			if (match_key_clause(lfirst(lc), rel, attno, coltype, colcoll, false, &kcs[k]) ||
				(!matched && def->nkeys == 1 &&
				 match_key_clause(lfirst(lc), rel, attno, coltype, colcoll, true, &kcs[k])))
			{
				matched = true;
				if (!kcs[k].any)
					break;
			}
		}
		if (!matched)
			break;
	}
	if (k == def->nkeys)
		add_path(rel, &make_lookup_path(root, rel, def, NameStr(def->name), kcs, NULL)->path);

	if (def->nkeys != 1)
		return;
	attno = def->keys[0] + 1;
	coltype = getBaseType(list_nth_oid(rtfunc->funccoltypes, attno - 1));
	colcoll = list_nth_oid(rtfunc->funccolcollations, attno - 1);
	foreach(lc, list_concat_copy(rel->joininfo,
								 generate_implied_equalities_for_column(root, rel, em_is_key,
																		&attno, NULL)))
	{
		RestrictInfo *rinfo = lfirst(lc);
		Relids		outer;

		if (!match_key_clause(rinfo, rel, attno, coltype, colcoll, false, &kcs[0]))
			continue;
		outer = bms_difference(rinfo->clause_relids, rel->relids);
		if (bms_is_empty(outer) || bms_overlap(outer, rel->lateral_referencers))
			continue;
		add_path(rel, &make_lookup_path(root, rel, def, NameStr(def->name), kcs,
										get_baserel_parampathinfo(root, rel, outer))->path);
	}
}

/*
 * set_rel_pathlist_hook: offer ShmcacheLookup paths for the frame read by
 * "rel" when it is named by a constant (a frame's view), one per usable
 * index.
 */
static void
shmcache_lookup_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti,
								 RangeTblEntry *rte)
{
	Expr	   *frame_id_arg;
	ListCell   *lc;

	if (prev_set_rel_pathlist_hook)
		prev_set_rel_pathlist_hook(root, rel, rti, rte);
	if (!shmcache_scan_applies(root, rel, rti, rte))
		return;
	frame_id_arg = shmcache_frame_scan_argument(rte);
	if (!IsA(frame_id_arg, Const) || ((Const *) frame_id_arg)->constisnull)
		return;
	foreach(lc, shmcache_planned_indexes(DatumGetInt64(((Const *) frame_id_arg)->constvalue)))
		add_index_paths(root, rel, linitial(rte->functions), lfirst(lc));
}

/*
 * Does an index clause make "rinfo" redundant: the same clause, or an
 * equality derived from the same equivalence class (a join clause the
 * planner generated again for the parameterized path)?
 */
static bool
implied_by_index(RestrictInfo *rinfo, List *index_rinfos)
{
	ListCell   *lc;

	foreach(lc, index_rinfos)
	{
		RestrictInfo *index_rinfo = lfirst(lc);

		if (rinfo == index_rinfo || equal(rinfo->clause, index_rinfo->clause) ||
			(rinfo->parent_ec != NULL && rinfo->parent_ec == index_rinfo->parent_ec))
			return true;
	}
	return false;
}

/*
 * PlanCustomPath: the frame's columns as the scan tuple (as ShmcacheScan),
 * the key values and index clauses in custom_exprs (so that setrefs and
 * nestloop parameters apply to them), the other clauses in the qual.
 */
static Plan *
plan_shmcache_lookup(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
					 List *tlist, List *clauses, List *custom_plans)
{
	RangeTblEntry *rte = planner_rt_fetch(rel->relid, root);
	CustomScan *cscan = makeNode(CustomScan);
	List	   *keys = linitial(lfourth(best_path->custom_private));
	List	   *index_rinfos = lsecond(lfourth(best_path->custom_private));
	List	   *index_clauses = extract_actual_clauses(index_rinfos, false);
	List	   *quals = NIL;
	List	   *columns;
	List	   *read_columns;
	ListCell   *lc;

	/* The index clauses hold exactly; the others stay. */
	foreach(lc, clauses)
	{
		RestrictInfo *rinfo = lfirst(lc);

		if (!rinfo->pseudoconstant && !implied_by_index(rinfo, index_rinfos))
			quals = lappend(quals, rinfo->clause);
	}
	columns = shmcache_referenced_columns((Node *) list_make3(best_path->path.pathtarget->exprs,
															 tlist, quals),
										  rel->relid);
	read_columns = shmcache_referenced_columns((Node *) list_make4(best_path->path.pathtarget->exprs,
																  tlist, quals, index_clauses),
											   rel->relid);

	cscan->custom_scan_tlist = shmcache_frame_scan_tlist(rel, rte);
	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = quals;
	cscan->scan.scanrelid = 0;
	cscan->flags = best_path->flags;
	cscan->custom_exprs = list_make3(copyObject(shmcache_frame_scan_argument(rte)),
									 copyObject(keys), copyObject(index_clauses));
	cscan->custom_private = list_make5(columns,
									   list_make1_oid(shmcache_scan_check_as_user(rte)),
									   read_columns,
									   linitial(best_path->custom_private),
									   lsecond(best_path->custom_private));
	cscan->custom_private = lappend(cscan->custom_private,
									lthird(best_path->custom_private));
	cscan->methods = &shmcache_lookup_scan_methods;
	return &cscan->scan.plan;
}

/* ------------------------------------------------------------------------
 * Execution
 * ------------------------------------------------------------------------
 */

static Node *
create_shmcache_lookup_state(CustomScan *cscan)
{
	ShmcacheLookupState *state = palloc0(sizeof(ShmcacheLookupState));

	NodeSetTag(state, T_CustomScanState);
	state->css.methods = &shmcache_lookup_exec_methods;
	return (Node *) state;
}

static void
begin_shmcache_lookup(CustomScanState *node, EState *estate, int eflags)
{
	ShmcacheLookupState *state = (ShmcacheLookupState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *priv = cscan->custom_private;
	List	   *keys = list_nth(cscan->custom_exprs, LOOKUP_EXPRS_KEYS);
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	ListCell   *lc;

	shmcache_require_shmem();
	shmcache_reader_init(&state->reader, &node->ss.ps,
						 list_nth(cscan->custom_exprs, LOOKUP_EXPRS_FRAME_ID),
						 linitial_oid(list_nth(priv, LOOKUP_PRIVATE_CHECK_AS_USER)),
						 list_nth(priv, LOOKUP_PRIVATE_READ_COLUMNS), NIL,
						 slot->tts_tupleDescriptor);
	state->columns = palloc(sizeof(int) *
							Max(list_length(list_nth(priv, LOOKUP_PRIVATE_COLUMNS)), 1));
	state->ncolumns = shmcache_reader_columns(&state->reader,
											  list_nth(priv, LOOKUP_PRIVATE_COLUMNS),
											  state->columns);
	state->index_id = DatumGetInt64(((Const *) list_nth(priv, LOOKUP_PRIVATE_INDEX))->constvalue);
	state->any = intVal(list_nth(priv, LOOKUP_PRIVATE_ANY)) != 0;
	state->key_states = ExecInitExprList(keys, &node->ss.ps);
	state->key_types = palloc(sizeof(Oid) * Max(list_length(keys), 1));
	foreach(lc, keys)
		state->key_types[foreach_current_index(lc)] = getBaseType(exprType(lfirst(lc)));
	/* (in the query's memory: it grows by repalloc as probes find rows) */
	state->rows.max = 16;
	state->rows.rows = palloc(sizeof(uint64) * state->rows.max);
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	if (shmcache_reader_starts_at_begin(&state->reader))
		shmcache_reader_start(&state->reader);
}

/*
 * A key value of type "valtype" as a Datum of key column "col"'s type in
 * *result; false if no value of the column can equal it (an integer out of
 * the column's range).
 */
static bool
key_datum(const ShmcacheColumn *col, Oid valtype, Datum value, Datum *result)
{
	int64		v;

	if (!SHMCACHE_KIND_IS_INT(col->kind) || !is_integer_type(valtype))
	{
		*result = value;
		return true;
	}
	v = valtype == INT2OID ? DatumGetInt16(value) :
		valtype == INT4OID ? DatumGetInt32(value) : DatumGetInt64(value);
	switch (col->kind)
	{
		case SHMCACHE_KIND_INT16:
			if (v < PG_INT16_MIN || v > PG_INT16_MAX)
				return false;
			*result = Int16GetDatum((int16) v);
			return true;
		case SHMCACHE_KIND_INT32:
			if (v < PG_INT32_MIN || v > PG_INT32_MAX)
				return false;
			*result = Int32GetDatum((int32) v);
			return true;
		default:
			*result = Int64GetDatum(v);
			return true;
	}
}

/* Probe the index with one key ("values", one per key column). */
static void
probe(ShmcacheLookupState *state, const ShmcacheIndexKeys *keys,
	  const ShmcachePending *pending, Datum *values)
{
	int			before = state->rows.n;

	state->probes++;
	shmcache_index_lookup(keys, values, state->reader.read.nrows, pending, &state->rows);
	state->hits += state->rows.n - before;
}

static int
row_cmp(const void *a, const void *b)
{
	uint64		ra = *(const uint64 *) a;
	uint64		rb = *(const uint64 *) b;

	return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/* Probe an = ANY array "array" of the one key column. */
static void
probe_array(ShmcacheLookupState *state, const ShmcacheIndexKeys *keys,
			const ShmcachePending *pending, ArrayType *array)
{
	Oid			elemtype = ARR_ELEMTYPE(array);
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
	deconstruct_array(array, elemtype, elmlen, elmbyval, elmalign, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		Datum		value;

		if (!nulls[i] && key_datum(keys->keys[0].col, getBaseType(elemtype), elems[i], &value))
			probe(state, keys, pending, &value);
	}
}

/*
 * The index clauses compiled as a qual, for reading every row when the
 * index is gone (rare: compiled then, not at every executor start).
 */
static ExprState *
fallback_qual(ShmcacheLookupState *state)
{
	CustomScan *cscan = (CustomScan *) state->css.ss.ps.plan;
	MemoryContext old = MemoryContextSwitchTo(state->css.ss.ps.state->es_query_cxt);
	ExprState  *qual = ExecInitQual(list_nth(cscan->custom_exprs, LOOKUP_EXPRS_CLAUSES),
									&state->css.ss.ps);

	MemoryContextSwitchTo(old);
	return qual;
}

/*
 * Find the rows: evaluate the keys and probe, then sort the rows found and
 * drop repeats (an IN list may name a key twice).  Without the index, start
 * reading every row instead.
 */
static void
find_rows(ShmcacheLookupState *state)
{
	ShmcacheRead *read = &state->reader.read;
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	ShmcacheIndexKeys *keys = &state->keys;
	const ShmcachePending *pending = NULL;
	Datum		values[SHMCACHE_INDEX_MAX_KEYS];
	MemoryContext old;
	ListCell   *lc;
	int			i;
	int			kept;

	state->rows.n = 0;
	state->pos = 0;
	state->next_row = 0;
	state->probed = true;
	if (read->version == NULL)
		return;
	if (keys->version != read->version)
	{
		/* The first probe of this read (a rescan may probe again). */
		ShmcacheIndex *index;

		shmcache_read_use_indexes(read);
		index = shmcache_index_find(read->version, state->index_id);
		state->fallback = (index == NULL);
		if (state->fallback)
		{
			if (state->fallback_qual == NULL)
				state->fallback_qual = fallback_qual(state);
			return;
		}
		shmcache_index_keys_init(keys, read->version, index);
		keys->fetch_columns = state->columns;
		keys->nfetch = state->ncolumns;
		keys->dseq = read->dseq;
		keys->own_cid = read->own_cid;
	}
	if (state->fallback)
		return;
	if (read->own_writes)
		pending = shmcache_writer_pending(read->frame_id, read->version, state->index_id);

	/* Key values and arrays live as long as the row being produced. */
	old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	foreach(lc, state->key_states)
	{
		bool		isnull;
		Datum		value = ExecEvalExpr(lfirst(lc), econtext, &isnull);
		int			k = foreach_current_index(lc);

		/* A null key equals nothing. */
		if (isnull)
			break;
		if (state->any)
		{
			probe_array(state, keys, pending, DatumGetArrayTypeP(value));
			break;
		}
		if (!key_datum(keys->keys[k].col, state->key_types[k], value, &values[k]))
			break;
	}
	if (!state->any && lc == NULL)
		probe(state, keys, pending, values);
	MemoryContextSwitchTo(old);

	if (state->rows.n > 1)
	{
		qsort(state->rows.rows, state->rows.n, sizeof(uint64), row_cmp);
		for (i = 1, kept = 1; i < state->rows.n; i++)
		{
			if (state->rows.rows[i] != state->rows.rows[kept - 1])
				state->rows.rows[kept++] = state->rows.rows[i];
		}
		state->rows.n = kept;
	}
}

/* Fill the scan slot with row "row" of the read. */
static TupleTableSlot *
fetch_row(ShmcacheLookupState *state, uint64 row)
{
	TupleTableSlot *slot = state->css.ss.ss_ScanTupleSlot;
	ShmcacheVersion *version = state->reader.read.version;
	const char *chunk = shmcache_version_chunk(version, row >> SHMCACHE_CHUNK_SHIFT);
	uint32		slotno = (uint32) (row & SHMCACHE_CHUNK_MASK);
	int			i;

	/*
	 * A row's columns lie in as many arrays: ask for all of their cache
	 * lines first, so that the memory latencies overlap.
	 */
	for (i = 0; i < state->ncolumns; i++)
		shmcache_prefetch_value(&version->cols[state->columns[i]], chunk, slotno);
	shmcache_fetch_row(version, chunk, slotno, state->columns, state->ncolumns,
					   slot->tts_values, slot->tts_isnull);
	if (state->reader.position >= 0)
	{
		slot->tts_values[state->reader.position] = Int64GetDatum((int64) row);
		slot->tts_isnull[state->reader.position] = false;
	}
	return ExecStoreVirtualTuple(slot);
}

/* ExecScan access method: the next row found, or an empty slot. */
static TupleTableSlot *
shmcache_lookup_next(ScanState *ss)
{
	ShmcacheLookupState *state = (ShmcacheLookupState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;
	ExprContext *econtext = ss->ps.ps_ExprContext;

	ExecClearTuple(slot);
	if (!state->probed)
		find_rows(state);
	while (state->fallback && state->next_row < state->reader.read.nrows)
	{
		const ShmcacheRead *read = &state->reader.read;

		CHECK_FOR_INTERRUPTS();
		if (shmcache_row_dead(shmcache_version_chunk(read->version,
													 state->next_row >> SHMCACHE_CHUNK_SHIFT),
							  (uint32) (state->next_row & SHMCACHE_CHUNK_MASK),
							  read->dseq, read->own_cid))
		{
			state->next_row++;
			continue;
		}
		fetch_row(state, state->next_row++);
		econtext->ecxt_scantuple = slot;
		if (ExecQual(state->fallback_qual, econtext))
			return slot;
		ExecClearTuple(slot);
	}
	if (state->fallback || state->pos >= state->rows.n)
		return slot;
	return fetch_row(state, state->rows.rows[state->pos++]);
}

static TupleTableSlot *
exec_shmcache_lookup(CustomScanState *node)
{
	ShmcacheLookupState *state = (ShmcacheLookupState *) node;

	if (!state->reader.started)
	{
		shmcache_reader_start(&state->reader);
		state->probed = false;
	}
	return ExecScan(&node->ss, shmcache_lookup_next, shmcache_reader_recheck);
}

static void
end_shmcache_lookup(CustomScanState *node)
{
	shmcache_reader_end(&((ShmcacheLookupState *) node)->reader);
}

/*
 * A rescan probes again when a key (or the frame id) depends on a parameter
 * that changed (a nested loop's next outer row); else it returns the same
 * rows.
 */
static void
rescan_shmcache_lookup(CustomScanState *node)
{
	ShmcacheLookupState *state = (ShmcacheLookupState *) node;

	shmcache_reader_rescan(&state->reader, node->ss.ps.chgParam != NULL);
	if (node->ss.ps.chgParam != NULL)
		state->probed = false;
	state->pos = 0;
	state->next_row = 0;
	ExecScanReScan(&node->ss);
}

/*
 * EXPLAIN: the frame and columns read, the index and its clauses ("Index
 * Cond", as for an index scan), and with ANALYZE the probes and the rows
 * they found.
 */
static void
explain_shmcache_lookup(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ShmcacheLookupState *state = (ShmcacheLookupState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *clauses = list_nth(cscan->custom_exprs, LOOKUP_EXPRS_CLAUSES);
	List	   *context;

	shmcache_reader_explain_frame(&state->reader, es);
	ExplainPropertyText("Index", strVal(list_nth(cscan->custom_private, LOOKUP_PRIVATE_NAME)),
						es);
	context = set_deparse_context_plan(es->deparse_cxt, &cscan->scan.plan, ancestors);
	ExplainPropertyText("Index Cond",
						deparse_expression((Node *) make_ands_explicit(clauses), context,
										   es->verbose, false),
						es);
	if (es->analyze)
	{
		ExplainPropertyUInteger("Index Probes", NULL, state->probes, es);
		ExplainPropertyUInteger("Index Hits", NULL, state->hits, es);
		if (state->fallback)
			ExplainPropertyText("Index Missing", "every row read", es);
	}
}

/*
 * shmcache_lookup_init
 *		Register the node's methods by name (for plans read back by
 *		extensions that copy plans) and the planner hook (from _PG_init).
 */
void
shmcache_lookup_init(void)
{
	RegisterCustomScanMethods(&shmcache_lookup_scan_methods);
	prev_set_rel_pathlist_hook = set_rel_pathlist_hook;
	set_rel_pathlist_hook = shmcache_lookup_set_rel_pathlist;
}
