/*-------------------------------------------------------------------------
 *
 * agg_exec.c
 *	  The ShmcacheAggregate executor node: count, sum, avg, min and max
 *	  (optionally grouped, optionally filtered) computed straight from a
 *	  frame's column arrays, without forming a tuple per row.
 *
 * At the first call the node pins the frame, runs through every chunk, and
 * accumulates into per-group states; it then returns one row per group.
 * The groups are agg_group.c's, the aggregates, computed as core's are,
 * agg_accum.c's; the plan is agg_plan.c's.
 *
 * Parallel aggregation.  A parallel plan is a finalizing node
 * (AGG_MODE_FINAL) over a Gather of partial nodes (AGG_MODE_PARTIAL).  Each
 * participant's partial node reads the leader's read, shared through
 * the node's DSM as the parallel scan shares it, aggregates the chunks it
 * claims, and returns per group the key and each aggregate's state as a
 * bytea (the AggAccum itself: participants run the same binary).  The
 * finalizing node combines the states by group as the core combine
 * functions do and returns the final values.
 *
 * Layer: executor node, reading frames through the one reader (reader.c).
 * Locking: none of its own; the reader pins what the node reads (see
 * reader.c).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/agg_exec.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/nbtree.h"
#include "access/parallel.h"
#include "access/tupdesc.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"

#include "aggregate.h"

static void begin_shmcache_agg(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *exec_shmcache_agg(CustomScanState *node);
static void end_shmcache_agg(CustomScanState *node);
static void rescan_shmcache_agg(CustomScanState *node);
static void start_aggregation(ShmcacheAggState *state);
static void prepare_comparisons(ShmcacheAggState *state);
static void set_state_reference_type(AggSpec *agg, TupleDesc rowdesc);
static void explain_shmcache_agg(CustomScanState *node, List *ancestors,
								 ExplainState *es);
static void initialize_worker_shmcache_agg(CustomScanState *node, shm_toc *toc,
										   void *coordinate);

static const CustomExecMethods shmcache_agg_exec_methods = {
	.CustomName = "ShmcacheAggregate",
	.BeginCustomScan = begin_shmcache_agg,
	.ExecCustomScan = exec_shmcache_agg,
	.EndCustomScan = end_shmcache_agg,
	.ReScanCustomScan = rescan_shmcache_agg,
	.EstimateDSMCustomScan = shmcache_reader_estimate_dsm,
	.InitializeDSMCustomScan = shmcache_reader_initialize_dsm,
	.ReInitializeDSMCustomScan = shmcache_reader_reinitialize_dsm,
	.InitializeWorkerCustomScan = initialize_worker_shmcache_agg,
	.ShutdownCustomScan = shmcache_reader_shutdown,
	.ExplainCustomScan = explain_shmcache_agg,
};

/* ------------------------------------------------------------------------
 * Execution: set-up
 * ------------------------------------------------------------------------
 */

/*
 * shmcache_agg_create_state
 *		CreateCustomScanState of the plan node (agg_plan.c): a new node
 *		state, with this file's executor methods.
 */
Node *
shmcache_agg_create_state(CustomScan *cscan)
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
	List	   *filter_clauses = NIL;
	List	   *row_columns;
	Node	   *filter;
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
		state->rest_qual = ExecInitQual(state->rest, &node->ss.ps);

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
		filter = list_nth(list_nth(priv, AGG_PRIVATE_FILTERS), foreach_current_index(lc));
		if (filter != NULL)
		{
			agg->filter_clause = make_ands_implicit((Expr *) filter);
			agg->filter = ExecInitQual(agg->filter_clause, &node->ss.ps);
			filter_clauses = list_concat(filter_clauses, agg->filter_clause);
		}
		agg->resulttype = TupleDescAttr(scandesc, state->ngroupcols +
										foreach_current_index(lc))->atttypid;
		set_state_reference_type(agg, state->row_slot->tts_tupleDescriptor);
	}

	/* the columns the row quals and the FILTER clauses read */
	row_columns = var_columns((Node *) list_make2(state->rest, filter_clauses));
	state->nrow_columns = list_length(row_columns);
	state->row_columns = palloc(sizeof(int) * Max(state->nrow_columns, 1));
	foreach(lc, row_columns)
		state->row_columns[foreach_current_index(lc)] = lfirst_int(lc);
	if (filter_clauses != NIL)
	{
		state->filter_sel = palloc(sizeof(uint16) * SHMCACHE_CHUNK_ROWS);
		state->filter_group = palloc(sizeof(uint32) * SHMCACHE_CHUNK_ROWS);
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
	 * partial node in a worker uses the leader's read (see
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

/* ------------------------------------------------------------------------
 * Execution: aggregating, then returning a row per group
 * ------------------------------------------------------------------------
 */

/*
 * Make the row slot the expression context's scan tuple: a stored virtual
 * tuple in which each row overwrites the columns the row quals and FILTER
 * clauses read (the others stay null).
 */
static TupleTableSlot *
prepare_row_slot(ShmcacheAggState *state)
{
	TupleTableSlot *slot = state->row_slot;

	state->css.ss.ps.ps_ExprContext->ecxt_scantuple = slot;
	if (TTS_EMPTY(slot))
	{
		memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
		ExecStoreVirtualTuple(slot);
	}
	return slot;
}

/* Does row "i" of "chunk", put in the row slot, pass the quals "qual"? */
static bool
row_passes(ShmcacheAggState *state, TupleTableSlot *slot, const char *chunk, uint32 i,
		   ExprState *qual)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;

	shmcache_fetch_row(state->reader.read.version, chunk, i, state->row_columns,
					   state->nrow_columns, slot->tts_values, slot->tts_isnull);
	ResetExprContext(econtext);
	return ExecQual(qual, econtext);
}

/*
 * Keep the selected rows of "chunk" that pass the quals not pushed: *n, *all
 * and state->sel are narrowed to them.
 */
static void
apply_row_quals(ShmcacheAggState *state, const char *chunk, uint32 *n, bool *all)
{
	TupleTableSlot *slot = prepare_row_slot(state);
	uint32		m = 0;
	uint32		j;

	for (j = 0; j < *n; j++)
	{
		uint32		i = *all ? j : state->sel[j];

		if (row_passes(state, slot, chunk, i, state->rest_qual))
			state->sel[m++] = (uint16) i;
	}
	*n = m;
	*all = false;
}

/*
 * The selected rows of "chunk" that the FILTER of aggregate "agg" passes,
 * in filter_sel, and their groups in filter_group; returns their number.
 */
static uint32
filter_rows(ShmcacheAggState *state, const AggSpec *agg, const char *chunk, uint32 n,
			bool all)
{
	TupleTableSlot *slot = prepare_row_slot(state);
	uint32		m = 0;
	uint32		j;

	for (j = 0; j < n; j++)
	{
		uint32		i = all ? j : state->sel[j];

		if (!row_passes(state, slot, chunk, i, agg->filter))
			continue;
		state->filter_sel[m] = (uint16) i;
		state->filter_group[m] = state->grouped ? state->row_group[j] : 0;
		m++;
	}
	return m;
}

/*
 * Accumulate aggregate "a" over the selected rows of "chunk", those its
 * FILTER passes if it has one (the kernels then see them as the selection).
 */
static void
accumulate_aggregate(ShmcacheAggState *state, int a, const char *chunk, uint32 n, bool all)
{
	AggSpec    *agg = &state->aggs[a];
	uint16	   *sel = state->sel;
	uint32	   *row_group = state->row_group;

	if (agg->filter != NULL)
	{
		n = filter_rows(state, agg, chunk, n, all);
		all = false;
		state->sel = state->filter_sel;
		state->row_group = state->filter_group;
	}
	if (n > 0 && agg->kind == AGG_COUNT_DISTINCT)
		shmcache_agg_count_distinct(state, a, chunk, n, all);
	else if (n > 0)
		shmcache_agg_accumulate(state, a, chunk, n, all);
	state->sel = sel;
	state->row_group = row_group;
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
	shmcache_agg_reset_distinct(state);
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
			accumulate_aggregate(state, a, chunk, n, all);
		if (has_numeric)
			shmcache_agg_compact_numeric_sums(state);
	}
	shmcache_agg_finish_distinct(state);
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
	shmcache_agg_reset_distinct(state);
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
			shmcache_agg_combine_serialized(&state->aggs[a], &state->accums[a][g],
											slot->tts_values[state->ngroupcols + a]);
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
	uint32		g;
	MemoryContext old;
	int			i;

	ExecClearTuple(slot);
	if (state->next_output >= state->ngroups)
		return slot;
	g = state->next_output++;

	/* values made here live until the next call (ExecScan resets this) */
	old = MemoryContextSwitchTo(ss->ps.ps_ExprContext->ecxt_per_tuple_memory);
	for (i = 0; i < state->ngroupcols; i++)
	{
		slot->tts_isnull[i] = (state->group_nulls[g] & (1 << i)) != 0;
		slot->tts_values[i] = slot->tts_isnull[i] ? (Datum) 0 :
			group_output_values(state, g)[i];
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
	return ExecScan(&node->ss, shmcache_agg_next, shmcache_reader_recheck);
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
 * Parallel plans: the partial node's shared read (the other callbacks are
 * the reader's own)
 * ------------------------------------------------------------------------
 */

StaticAssertDecl(offsetof(ShmcacheAggState, reader) == offsetof(ShmcacheReaderNode, reader),
				 "ShmcacheAggState must begin as a ShmcacheReaderNode");

static void
initialize_worker_shmcache_agg(CustomScanState *node, shm_toc *toc,
							   void *coordinate)
{
	ShmcacheAggState *state = (ShmcacheAggState *) node;

	shmcache_reader_dsm_attach(&state->reader, coordinate);
	prepare_comparisons(state);
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

/* A pushed aggregate, as SQL. */
static char *
describe_aggregate(const AggSpec *agg, TupleDesc rowdesc, Oid viewoid)
{
	static const char *const names[] = {
		[AGG_COUNT_STAR] = "count", [AGG_COUNT] = "count",
		[AGG_SUM_INT] = "sum", [AGG_SUM_INT8] = "sum", [AGG_AVG_INT] = "avg",
		[AGG_SUM_FLOAT4] = "sum", [AGG_SUM_FLOAT8] = "sum", [AGG_AVG_FLOAT] = "avg",
		[AGG_SUM_NUMERIC] = "sum", [AGG_AVG_NUMERIC] = "avg",
		[AGG_MIN_INT] = "min", [AGG_MAX_INT] = "max",
		[AGG_MIN_FLOAT] = "min", [AGG_MAX_FLOAT] = "max",
		[AGG_MIN_GENERIC] = "min", [AGG_MAX_GENERIC] = "max",
		[AGG_COUNT_DISTINCT] = "count",
	};
	char	   *call;

	if (agg->col < 0)
		call = psprintf("%s(*)", names[agg->kind]);
	else
		call = psprintf("%s(%s%s)", names[agg->kind],
						agg->kind == AGG_COUNT_DISTINCT ? "DISTINCT " : "",
						quote_identifier(NameStr(TupleDescAttr(rowdesc, agg->col)->attname)));
	if (agg->filter_clause == NIL)
		return call;
	return psprintf("%s FILTER (WHERE %s)", call, describe_row_quals(agg->filter_clause, viewoid));
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
	Oid			viewoid = state->reader.read.viewoid;
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
		items = lappend(items, describe_aggregate(&state->aggs[i], rowdesc, viewoid));
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
