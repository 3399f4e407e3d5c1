/*-------------------------------------------------------------------------
 *
 * follow.c
 *	  Frames that follow a table: shmcache.cache_table(..., follow => true)
 *	  keeps a frame equal to its source table, and shmcache.unfollow() stops
 *	  that.
 *
 * Following is four statement-level AFTER triggers on the source table
 * (INSERT, UPDATE and DELETE with transition tables, and TRUNCATE), each
 * calling shmcache.follow_trigger(frame id), and each depending on the
 * frame's view (so dropping the frame drops them).  A trigger only records
 * its statement's changes, as rows of the frame's columns marked "delete
 * the row with this key", "insert this row" or "truncate", in a tuplestore
 * of the transaction (one per statement, so that ROLLBACK TO SAVEPOINT can
 * forget a subtransaction's).  The frame is changed at the transaction's
 * pre-commit, under its write claim: writers of the source table are
 * serialized only for that short step, never for their whole transaction,
 * and the frame's readers see the changes at commit, with the table's.  A
 * transaction thus does not see its own changes of the source table in the
 * frame before it commits.
 *
 * The source must have a primary key (the frame gets it: rows are found by
 * it).  ALTER TABLE on a followed table is refused; shmcache.unfollow()
 * first.  cache_table creates the triggers before it reads the table, and
 * CREATE TRIGGER's lock keeps writers out until it commits, so no change
 * falls between the rows loaded and the rows followed.
 *
 * Layer: SQL surface: over the writer (xact.h), the key finder (index_sql.c)
 * and the catalog.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/follow.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "frames.h"
#include "catalog.h"
#include "xact.h"

PG_FUNCTION_INFO_V1(shmcache_follow_trigger);
PG_FUNCTION_INFO_V1(shmcache_unfollow);

/* What a recorded row asks for (its first column). */
#define FOLLOW_INSERT	'I'
#define FOLLOW_DELETE	'D'
#define FOLLOW_TRUNCATE 'T'

/* The changes of one statement of the source table. */
typedef struct FollowBatch
{
	SubTransactionId subid;		/* the subtransaction that made them */
	Tuplestorestate *rows;		/* (op, the frame's columns) */
} FollowBatch;

/* A frame's changes in this transaction, applied at pre-commit. */
typedef struct FollowLog
{
	int64		frame_id;
	TupleDesc	desc;			/* op "char", then the frame's columns */
	List	   *batches;		/* FollowBatch *, in statement order */
} FollowLog;

/* In TopTransactionContext; NIL outside a transaction that recorded any. */
static List *follow_logs = NIL;

static const char *const follow_events[] = {"insert", "update", "delete", "truncate"};

/* The log of frame "frame_id" for the source "source", made if new. */
static FollowLog *
follow_log(int64 frame_id, TupleDesc source)
{
	ListCell   *lc;
	FollowLog  *log;
	MemoryContext oldcontext;
	int			natts = 1;
	int			i;

	foreach(lc, follow_logs)
	{
		log = lfirst(lc);
		if (log->frame_id == frame_id)
			return log;
	}
	oldcontext = MemoryContextSwitchTo(TopTransactionContext);
	log = palloc0(sizeof(FollowLog));
	log->frame_id = frame_id;
	for (i = 0; i < source->natts; i++)
		natts += !TupleDescAttr(source, i)->attisdropped;
	log->desc = CreateTemplateTupleDesc(natts);
	TupleDescInitEntry(log->desc, 1, "op", CHAROID, -1, 0);
	natts = 1;
	for (i = 0; i < source->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(source, i);

		if (!att->attisdropped)
			TupleDescInitEntry(log->desc, ++natts, NameStr(att->attname),
							   att->atttypid, att->atttypmod, 0);
	}
	follow_logs = lappend(follow_logs, log);
	MemoryContextSwitchTo(oldcontext);
	return log;
}

/* Record "op" for every row of transition table "table" of "source". */
static void
record_rows(FollowBatch *batch, FollowLog *log, TupleDesc source,
			Tuplestorestate *table, char op)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(source, &TTSOpsMinimalTuple);
	Datum	   *values = palloc(sizeof(Datum) * log->desc->natts);
	bool	   *nulls = palloc(sizeof(bool) * log->desc->natts);
	int			readptr = tuplestore_alloc_read_pointer(table, EXEC_FLAG_REWIND);

	tuplestore_select_read_pointer(table, readptr);
	tuplestore_rescan(table);
	values[0] = CharGetDatum(op);
	nulls[0] = false;
	while (tuplestore_gettupleslot(table, true, false, slot))
	{
		int			n = 1;
		int			i;

		slot_getallattrs(slot);
		for (i = 0; i < source->natts; i++)
		{
			if (TupleDescAttr(source, i)->attisdropped)
				continue;
			values[n] = slot->tts_values[i];
			nulls[n++] = slot->tts_isnull[i];
		}
		tuplestore_putvalues(batch->rows, log->desc, values, nulls);
	}
	tuplestore_select_read_pointer(table, 0);
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * shmcache.follow_trigger()
 *		AFTER ... FOR EACH STATEMENT trigger of a followed table (argument:
 *		the frame id): records the statement's changes for pre-commit.
 */
Datum
shmcache_follow_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	source;
	FollowLog  *log;
	FollowBatch *batch;
	MemoryContext oldcontext;
	int64		frame_id;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		trigdata->tg_trigger->tgnargs != 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("shmcache.follow_trigger() must be an AFTER statement trigger with a frame id")));
	/* (the frame exists: dropping it drops this trigger) */
	frame_id = pg_strtoint64(trigdata->tg_trigger->tgargs[0]);

	source = RelationGetDescr(trigdata->tg_relation);
	log = follow_log(frame_id, source);
	oldcontext = MemoryContextSwitchTo(TopTransactionContext);
	batch = palloc(sizeof(FollowBatch));
	batch->subid = GetCurrentSubTransactionId();
	batch->rows = tuplestore_begin_heap(false, false, work_mem);
	log->batches = lappend(log->batches, batch);
	MemoryContextSwitchTo(oldcontext);

	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
	{
		Datum	   *values = palloc0(sizeof(Datum) * log->desc->natts);
		bool	   *nulls = palloc(sizeof(bool) * log->desc->natts);

		memset(nulls, true, sizeof(bool) * log->desc->natts);
		values[0] = CharGetDatum(FOLLOW_TRUNCATE);
		nulls[0] = false;
		tuplestore_putvalues(batch->rows, log->desc, values, nulls);
	}
	if (trigdata->tg_oldtable != NULL)
		record_rows(batch, log, source, trigdata->tg_oldtable, FOLLOW_DELETE);
	if (trigdata->tg_newtable != NULL)
		record_rows(batch, log, source, trigdata->tg_newtable, FOLLOW_INSERT);
	return PointerGetDatum(NULL);
}

/*
 * Delete the frame's row with the key of "values"/"nulls".  A row that is
 * not there (the frame was changed directly, or restored empty by pg_dump)
 * is a warning, not an error: the table's writers must not be stopped by
 * the frame.
 */
static void
delete_by_key(ShmcacheKeyFinder *finder, ShmcacheWriter *writer, Relation view,
			  const Datum *values, const bool *nulls)
{
	uint64		row;

	if (shmcache_key_finder_first(finder, writer, values, nulls, &row))
	{
		(void) shmcache_writer_delete(writer, view, row);
		return;
	}
	/* (the table's writers go on: the frame is told to be rebuilt) */
	ereport(WARNING,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("frame \"%s\" does not hold a row its table changed",
					RelationGetRelationName(view)),
			 errdetail("The frame no longer equals its table."),
			 errhint("A followed frame must be changed only through its table: unfollow it and cache the table again.")));
}

/* Apply the changes of "log" to its frame (pre-commit). */
static void
follow_apply(FollowLog *log)
{
	Oid			viewoid = shmcache_catalog_view_of(log->frame_id);
	Relation	view;
	ShmcacheWriter *writer;
	ShmcacheKeyFinder *finder;
	TupleTableSlot *slot;
	MemoryContext rowcxt;
	ListCell   *lc;

	if (!OidIsValid(viewoid) || (view = try_relation_open(viewoid, RowExclusiveLock)) == NULL)
		return;					/* dropped by this transaction */
	writer = shmcache_writer_lookup(viewoid);
	if (writer == NULL)
		writer = shmcache_load_begin(view);
	finder = shmcache_key_finder_create(log->frame_id, RelationGetRelationName(view), NIL, true);
	slot = MakeSingleTupleTableSlot(log->desc, &TTSOpsMinimalTuple);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "shmcache follow",
								   ALLOCSET_DEFAULT_SIZES);
	foreach(lc, log->batches)
	{
		FollowBatch *batch = lfirst(lc);

		while (tuplestore_gettupleslot(batch->rows, true, false, slot))
		{
			MemoryContext old = MemoryContextSwitchTo(rowcxt);

			CHECK_FOR_INTERRUPTS();
			slot_getallattrs(slot);
			switch (DatumGetChar(slot->tts_values[0]))
			{
				case FOLLOW_TRUNCATE:
					shmcache_writer_truncate(writer, view);
					break;
				case FOLLOW_DELETE:
					delete_by_key(finder, writer, view, slot->tts_values + 1,
								  slot->tts_isnull + 1);
					break;
				default:
					shmcache_writer_append(writer, view, slot->tts_values + 1,
										   slot->tts_isnull + 1);
					break;
			}
			MemoryContextSwitchTo(old);
			MemoryContextReset(rowcxt);
		}
	}
	MemoryContextDelete(rowcxt);
	ExecDropSingleTupleTableSlot(slot);
	relation_close(view, NoLock);
}

/* Transaction end: apply the logs at pre-commit, forget them after. */
static void
follow_xact_callback(XactEvent event, void *arg)
{
	ListCell   *lc;

	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			foreach(lc, follow_logs)
				follow_apply(lfirst(lc));
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (follow_logs != NIL)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that has changed a table a shmcache frame follows")));
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			follow_logs = NIL;
			break;
		default:
			break;
	}
}

/* Subtransaction abort: forget the changes it and its children recorded. */
static void
follow_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	foreach(lc, follow_logs)
	{
		FollowLog  *log = lfirst(lc);
		ListCell   *lc2;

		foreach(lc2, log->batches)
		{
			if (((FollowBatch *) lfirst(lc2))->subid >= mySubid)
				log->batches = foreach_delete_current(log->batches, lc2);
		}
	}
}

/*
 * shmcache_follow_start
 *		Make frame "frame_id" (view "viewoid") follow table "source": the
 *		triggers, each depending on the view.  The caller loads the rows
 *		after, while CREATE TRIGGER's lock keeps the table's writers out.
 */
void
shmcache_follow_start(Relation source, Oid viewoid, int64 frame_id)
{
	char	   *qualname = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(source)),
													  RelationGetRelationName(source));
	ObjectAddress view_addr;
	int			i;

	if (source->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("only an ordinary table can be followed"),
				 errdetail("\"%s\" is not an ordinary table.", RelationGetRelationName(source))));
	if (!OidIsValid(RelationGetPrimaryKeyIndex(source)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("table \"%s\" has no primary key", RelationGetRelationName(source)),
				 errdetail("A frame follows a table by its primary key.")));
	if (!OidIsValid(shmcache_follow_trigger_oid()))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("following a table needs shmcache 0.3"),
				 errhint("Run ALTER EXTENSION shmcache UPDATE.")));
	ObjectAddressSet(view_addr, RelationRelationId, viewoid);
	for (i = 0; i < (int) lengthof(follow_events); i++)
	{
		char	   *name = psprintf("shmcache_follow_" INT64_FORMAT "_%s", frame_id,
									follow_events[i]);
		const char *transition = i == 0 ? " REFERENCING NEW TABLE AS shmcache_new" :
			i == 1 ? " REFERENCING OLD TABLE AS shmcache_old NEW TABLE AS shmcache_new" :
			i == 2 ? " REFERENCING OLD TABLE AS shmcache_old" : "";
		ObjectAddress trigger_addr;

		shmcache_execute_sql(psprintf("CREATE TRIGGER %s AFTER %s ON %s%s FOR EACH STATEMENT "
									  "EXECUTE FUNCTION shmcache.follow_trigger('" INT64_FORMAT "')",
									  quote_identifier(name), follow_events[i], qualname,
									  transition, frame_id), NULL);
		ObjectAddressSet(trigger_addr, TriggerRelationId,
						 get_trigger_oid(RelationGetRelid(source), name, false));
		recordDependencyOn(&trigger_addr, &view_addr, DEPENDENCY_AUTO);
	}
}

/* The triggers by which frame "viewoid" follows a table (their OIDs). */
static List *
follow_triggers(Oid viewoid)
{
	Relation	depend = table_open(DependRelationId, AccessShareLock);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *triggers = NIL;

	ScanKeyInit(&keys[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&keys[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(viewoid));
	scan = systable_beginscan(depend, DependReferenceIndexId, true, NULL, 2, keys);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);

		if (dep->classid == TriggerRelationId && dep->deptype == DEPENDENCY_AUTO)
			triggers = lappend_oid(triggers, dep->objid);
	}
	systable_endscan(scan);
	table_close(depend, AccessShareLock);
	return triggers;
}

/*
 * shmcache.unfollow(frame regclass)
 *		Stop following: drop the frame's triggers on its table.  The frame
 *		keeps its rows.  For the frame's owner; returns whether it followed.
 */
Datum
shmcache_unfollow(PG_FUNCTION_ARGS)
{
	Relation	view;
	List	   *triggers;
	ListCell   *lc;

	view = shmcache_open_frame(PG_GETARG_OID(0), AccessShareLock, NULL);
	if (!shmcache_relation_ownercheck(RelationGetRelid(view), GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_VIEW, RelationGetRelationName(view));
	triggers = follow_triggers(RelationGetRelid(view));
	foreach(lc, triggers)
	{
		ObjectAddress addr;

		ObjectAddressSet(addr, TriggerRelationId, lfirst_oid(lc));
		performDeletion(&addr, DROP_RESTRICT, PERFORM_DELETION_INTERNAL);
	}
	relation_close(view, NoLock);
	PG_RETURN_BOOL(triggers != NIL);
}

/*
 * shmcache_check_followed_change
 *		Refuse ALTER TABLE on a table a frame follows.
 */
void
shmcache_check_followed_change(Node *parsetree)
{
	Oid			relid;
	Relation	rel;
	bool		followed = false;
	int			i;

	if (!IsA(parsetree, AlterTableStmt) || !OidIsValid(shmcache_follow_trigger_oid()))
		return;
	relid = RangeVarGetRelid(((AlterTableStmt *) parsetree)->relation, NoLock, true);
	if (!OidIsValid(relid) || get_rel_relkind(relid) != RELKIND_RELATION)
		return;
	rel = relation_open(relid, AccessShareLock);
	for (i = 0; rel->trigdesc != NULL && i < rel->trigdesc->numtriggers; i++)
		followed |= rel->trigdesc->triggers[i].tgfoid == shmcache_follow_trigger_oid();
	relation_close(rel, AccessShareLock);
	if (followed)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot alter table \"%s\" while a shmcache frame follows it",
						get_rel_name(relid)),
				 errhint("Run shmcache.unfollow() on the frame first.")));
}

/*
 * shmcache_follow_init
 *		Register the transaction callbacks (from _PG_init, after the
 *		writers', so that pre-commit applies the changes before the writers
 *		check them).
 */
void
shmcache_follow_init(void)
{
	RegisterXactCallback(follow_xact_callback, NULL);
	RegisterSubXactCallback(follow_subxact_callback, NULL);
}
