/*-------------------------------------------------------------------------
 *
 * xact.c
 *	  Transactional changes to frames: the write claim, publishing at commit,
 *	  rollback at abort and to savepoints, and reader pins.
 *
 * Writers.  A backend that changes a frame (append or truncate) first takes
 * the frame's write claim: a heavyweight lock on the frame's view as a
 * database object in ExclusiveLock mode, held until the end of the
 * transaction.  So two appenders are serialised, a waiting one can be
 * cancelled, deadlocks are detected, and pg_locks shows who waits for whom;
 * readers never take it.  The claim holder's state (ShmcacheWriter) records
 *	 - the base version, current when the claim was taken, and where its
 *	   published data ended (for abort);
 *	 - the target version it writes to: the base, or a new version after a
 *	   truncate in this transaction;
 *	 - the number of rows of the target this transaction sees;
 *	 - a stack of savepoint marks, pushed lazily by the first change made in a
 *	   subtransaction, so that ROLLBACK TO SAVEPOINT undoes exactly the changes
 *	   made since.
 * At commit the target's row count is published after a write barrier and,
 * after a truncate, the frame's current version is swapped to the target; the
 * old version is freed when its last reader unpins it.  At abort the base is
 * cut back to its published rows and new versions are freed.  Nothing that can
 * fail runs at commit.  PREPARE TRANSACTION is refused.
 *
 * Readers pin a version and see the rows published when they started, or
 * their own transaction's rows as of their snapshot (see pins.c and
 * shmcache_writer_visible below).
 *
 * Work for the end of the transaction goes through one queue
 * (shmcache_xact_at_end, xact_queue.c), subtransaction-aware, which this
 * file's callbacks run: dropped frames leave the frame table at commit of
 * the dropping transaction, frames created by an aborted (sub)transaction at
 * its abort, and the persistence layer queues its own actions (removing or
 * settling snapshots) the same way, so this file never calls into it.
 *
 * Indexes: the writer's index work (xact_index.c) keeps, per index of its
 * target, the entries of its rows not yet committed, checks uniqueness in
 * batches and before each statement ends, links the entries at commit, and
 * installs or drops indexes at commit.
 *
 * Layer: transactions and visibility, above definitions (catalog.c, which
 * attaches a frame on first use) and storage.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/xact.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/lsyscache.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "xact.h"
#include "catalog.h"
#include "index.h"

/* A savepoint mark: the state to return to when subtransaction subid aborts. */
typedef struct ShmcacheMark
{
	SubTransactionId subid;		/* first subtransaction that changed the frame */
	dsa_pointer target_dp;		/* target then (the mark holds a reference) */
	ShmcacheTail tail;			/* where the target's data ended then */
	int			nhistory;		/* length of the writer's history then */
	int			index_mark;		/* the index work then */
	CommandId	cid;			/* the command then: deletes by it and later
								 * ones are undone */
} ShmcacheMark;

/*
 * What the writer's transaction had written before command "cid" made its
 * first change: the rows a query of this transaction whose snapshot has
 * curcid <= cid sees (as a heap scan would not see that command's rows).
 */
typedef struct ShmcacheCommandState
{
	CommandId	cid;			/* command that changed the frame next */
	dsa_pointer target_dp;		/* target before it (one reference) */
	uint64		nrows;			/* rows of that target before it */
} ShmcacheCommandState;

struct ShmcacheWriter
{
	int64		frame_id;		/* frame being changed */
	Oid			viewoid;		/* its view */
	SubTransactionId created_subid; /* subtransaction that took the claim */
	dsa_pointer base_dp;		/* version current at claim time (pinned) */
	ShmcacheVersion *base;
	ShmcacheTail base_tail;		/* its published end, restored at abort */
	dsa_pointer target_dp;		/* version written to (one reference) */
	ShmcacheVersion *target;
	uint64		nrows;			/* rows of the target this transaction sees */
	List	   *marks;			/* ShmcacheMark *, innermost first */
	ShmcacheAppender *appender; /* private state of the appends */
	bool		counted;		/* counted in writers_active */
	ShmcacheCommandState *history;	/* one entry per command that changed
									 * the frame, in command order */
	int			nhistory;		/* entries used */
	int			maxhistory;		/* entries allocated */
	ShmcacheIndexWork *indexes; /* entries of its rows, indexes built or
								 * dropped (xact_index.c) */
	List	   *deletes;		/* ShmcacheDeletes * of the versions this
								 * transaction deleted rows of */
};

/* Per-transaction state, in TopTransactionContext. */
static List *writers = NIL;

static void shmcache_xact_callback(XactEvent event, void *arg);
static void shmcache_subxact_callback(SubXactEvent event,
									  SubTransactionId mySubid,
									  SubTransactionId parentSubid, void *arg);

/*
 * shmcache_xact_init
 *		Register the transaction and resource owner callbacks (once per
 *		backend, from _PG_init).
 */
void
shmcache_xact_init(void)
{
	RegisterXactCallback(shmcache_xact_callback, NULL);
	RegisterSubXactCallback(shmcache_subxact_callback, NULL);
}

/* This transaction's writer of frame "frame_id", or of view "viewoid". */
static ShmcacheWriter *
find_writer(int64 frame_id, Oid viewoid)
{
	ListCell   *lc;

	foreach(lc, writers)
	{
		ShmcacheWriter *writer = lfirst(lc);

		if (writer->frame_id == frame_id ||
			(OidIsValid(viewoid) && writer->viewoid == viewoid))
			return writer;
	}
	return NULL;
}

#define writer_find_by_id(frame_id) find_writer((frame_id), InvalidOid)

/*
 * shmcache_writer_lookup
 *		This transaction's writer of the frame with view "viewoid", if any.
 */
ShmcacheWriter *
shmcache_writer_lookup(Oid viewoid)
{
	return find_writer(0, viewoid);
}

/*
 * shmcache_pin_current
 *		Take a reference on the current version of frame "frame_id" of this
 *		database, bringing the frame into shared memory if this is its first
 *		use.  Sets *viewoid (if not NULL) to the frame's view.
 */
dsa_pointer
shmcache_pin_current(int64 frame_id, Oid *viewoid)
{
	ShmcacheFrameKey key;

	key = shmcache_frame_key(MyDatabaseId, frame_id);

	for (;;)
	{
		ShmcacheFrame *frame;
		dsa_pointer dp = InvalidDsaPointer;

		LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
		frame = hash_search(shmcache_frame_table(), &key, HASH_FIND, NULL);
		if (frame != NULL)
		{
			dp = frame->current;
			if (viewoid)
				*viewoid = frame->viewoid;
			shmcache_version_ref(dsa_get_address(shmcache_area(), dp));
		}
		LWLockRelease(ShmcacheShared->lock);
		if (frame != NULL)
			return dp;
		shmcache_frame_attach(frame_id);
	}
}

/*
 * Count the writer among the active ones, unless the shutdown save has
 * closed the door: then every commit it must see has already happened.
 */
static void
writer_enter(ShmcacheWriter *writer)
{
	bool		closed;

	LWLockAcquire(ShmcacheShared->lock, LW_EXCLUSIVE);
	closed = ShmcacheShared->writers_closed;
	if (!closed)
	{
		ShmcacheShared->writers_active++;
		writer->counted = true;
	}
	LWLockRelease(ShmcacheShared->lock);
	if (closed)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("frames cannot be changed while the server shuts down")));
}

/*
 * shmcache_writers_quiesce
 *		The shutdown save: refuse new write claims and wait until every
 *		transaction that holds one has ended, so that the save sees every
 *		commit PostgreSQL keeps (a backend told to stop can still finish a
 *		commit).  No LWLock may be held.
 */
void
shmcache_writers_quiesce(void)
{
	long		waited_ms = 0;

	LWLockAcquire(ShmcacheShared->lock, LW_EXCLUSIVE);
	ShmcacheShared->writers_closed = true;
	LWLockRelease(ShmcacheShared->lock);
	for (;;)
	{
		int			active;

		LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
		active = ShmcacheShared->writers_active;
		LWLockRelease(ShmcacheShared->lock);
		if (active == 0)
			break;
		if (waited_ms > 0 && waited_ms % 10000 == 0)
			ereport(LOG,
					(errmsg("shmcache: waiting for %d transactions that change frames to end", active)));
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		waited_ms += 10;
	}
}

/*
 * shmcache_writers_reopen
 *		Accept write claims again (after the shutdown save).
 */
void
shmcache_writers_reopen(void)
{
	LWLockAcquire(ShmcacheShared->lock, LW_EXCLUSIVE);
	ShmcacheShared->writers_closed = false;
	LWLockRelease(ShmcacheShared->lock);
}

/*
 * shmcache_writer_begin
 *		Take the write claim on a frame (waiting for another writer's
 *		transaction to end) and return this transaction's writer state.
 *		The caller holds at least RowExclusiveLock on the view, has checked
 *		privileges and has waited for the frame's autoload (see
 *		shmcache_snapshot_wait_loaded), so that its rows are never
 *		overwritten by the load.
 */
ShmcacheWriter *
shmcache_writer_begin(Relation view, int64 frame_id)
{
	ShmcacheWriter *writer = writer_find_by_id(frame_id);
	MemoryContext oldcontext;

	if (writer != NULL)
		return writer;

	LockDatabaseObject(RelationRelationId, RelationGetRelid(view), 0,
					   ExclusiveLock);

	oldcontext = MemoryContextSwitchTo(TopTransactionContext);
	writer = palloc0(sizeof(ShmcacheWriter));
	MemoryContextSwitchTo(oldcontext);

	writer->frame_id = frame_id;
	writer->viewoid = RelationGetRelid(view);
	writer->created_subid = GetCurrentSubTransactionId();
	writer->base_dp = shmcache_pin_current(frame_id, NULL);	/* the base pin */
	writer->base = dsa_get_address(shmcache_area(), writer->base_dp);
	shmcache_version_ref(writer->base); /* the target reference */
	writer->target_dp = writer->base_dp;
	writer->target = writer->base;
	writer->appender = shmcache_appender_create(TopTransactionContext);
	/* We hold the claim, so nobody else can publish rows now. */
	writer->nrows = pg_atomic_read_u64(&writer->base->nrows);
	shmcache_version_tail(writer->base, writer->nrows, &writer->base_tail);
	writer->indexes = shmcache_index_work_create();
	shmcache_index_work_target(writer->indexes, writer->target_dp, writer->nrows);

	oldcontext = MemoryContextSwitchTo(TopTransactionContext);
	writers = lappend(writers, writer);
	MemoryContextSwitchTo(oldcontext);
	writer_enter(writer);
	return writer;
}

/*
 * shmcache_writer_pending
 *		The entries this transaction's writer of frame "frame_id" keeps for
 *		index "index_id" of "version", or NULL.
 */
const ShmcachePending *
shmcache_writer_pending(int64 frame_id, ShmcacheVersion *version, int64 index_id)
{
	ShmcacheWriter *writer = writer_find_by_id(frame_id);

	return writer == NULL ? NULL :
		shmcache_index_work_pending(writer->indexes, version, index_id);
}

/*
 * Before the first change in a subtransaction, remember the writer's state so
 * that the subtransaction's abort can return to it.  Changes made in the
 * subtransaction that took the claim need no mark: its abort ends the writer.
 */
static void
writer_mark(ShmcacheWriter *writer)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	ShmcacheMark *mark;
	MemoryContext oldcontext;

	if (subid == writer->created_subid)
		return;
	if (writer->marks != NIL &&
		((ShmcacheMark *) linitial(writer->marks))->subid == subid)
		return;

	oldcontext = MemoryContextSwitchTo(TopTransactionContext);
	mark = palloc(sizeof(ShmcacheMark));
	writer->marks = lcons(mark, writer->marks);
	MemoryContextSwitchTo(oldcontext);

	mark->subid = subid;
	mark->target_dp = writer->target_dp;
	shmcache_version_ref(writer->target);
	shmcache_version_tail(writer->target, writer->nrows, &mark->tail);
	mark->nhistory = writer->nhistory;
	mark->index_mark = shmcache_index_work_mark(writer->indexes);
	mark->cid = GetCurrentCommandId(false);
}

/*
 * Before the first change a command makes, record what the transaction had
 * written until then, for readers whose snapshot predates the command (see
 * writer_visible_state).
 */
static void
writer_note_command(ShmcacheWriter *writer)
{
	CommandId	cid = GetCurrentCommandId(true);
	ShmcacheCommandState *entry;

	if (writer->nhistory > 0 && writer->history[writer->nhistory - 1].cid == cid)
		return;
	if (writer->nhistory == writer->maxhistory)
	{
		writer->maxhistory = Max(16, writer->maxhistory * 2);
		writer->history = writer->history == NULL ?
			MemoryContextAlloc(TopTransactionContext,
							   sizeof(ShmcacheCommandState) * writer->maxhistory) :
			repalloc(writer->history,
					 sizeof(ShmcacheCommandState) * writer->maxhistory);
	}
	entry = &writer->history[writer->nhistory++];
	entry->cid = cid;
	entry->target_dp = writer->target_dp;
	entry->nrows = writer->nrows;
	shmcache_version_ref(writer->target);
}

/* Forget the history entries from "keep" on, dropping their references. */
static void
writer_cut_history(ShmcacheWriter *writer, int keep)
{
	while (writer->nhistory > keep)
		shmcache_version_unref(writer->history[--writer->nhistory].target_dp);
}

/*
 * The target and row count a reader of this transaction sees through
 * "snapshot": the rows written by commands before the snapshot's, as for a
 * heap table.  With no snapshot, everything written so far.
 */
static void
writer_visible_state(ShmcacheWriter *writer, Snapshot snapshot,
					 dsa_pointer *target_dp, uint64 *nrows)
{
	int			lo = 0;
	int			hi = writer->nhistory;

	/* The first command that changed the frame at or after curcid. */
	while (snapshot != NULL && lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (writer->history[mid].cid >= snapshot->curcid)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (snapshot != NULL && lo < writer->nhistory)
	{
		*target_dp = writer->history[lo].target_dp;
		*nrows = writer->history[lo].nrows;
	}
	else
	{
		*target_dp = writer->target_dp;
		*nrows = writer->nrows;
	}
}

/*
 * shmcache_writer_visible
 *		If this transaction writes frame "frame_id": the version and row
 *		count a reader with "snapshot" sees of it (see writer_visible_state)
 *		and the frame's view, and true.  Otherwise false.
 */
bool
shmcache_writer_visible(int64 frame_id, Snapshot snapshot, ShmcacheRead *read)
{
	ShmcacheWriter *writer = writer_find_by_id(frame_id);

	if (writer == NULL)
		return false;
	writer_visible_state(writer, snapshot, &read->version_dp, &read->nrows);
	read->version = dsa_get_address(shmcache_area(), read->version_dp);
	read->dseq = read->version->dseq;
	read->own_cid = snapshot != NULL ? snapshot->curcid : PG_UINT32_MAX;
	read->viewoid = writer->viewoid;
	return true;
}

/*
 * shmcache_writer_target
 *		The version the writer writes to, and (*nrows) its rows the writer
 *		sees.
 */
ShmcacheVersion *
shmcache_writer_target(ShmcacheWriter *writer, uint64 *nrows)
{
	*nrows = writer->nrows;
	return writer->target;
}

/*
 * shmcache_writer_delete
 *		Delete row "row" of the writer's target (a row this command reads):
 *		false if this command deleted it already.  The row stays visible to
 *		the readers of this command and of other transactions until commit.
 */
bool
shmcache_writer_delete(ShmcacheWriter *writer, Relation view, uint64 row)
{
	if (row >= writer->nrows)
		elog(ERROR, "row " UINT64_FORMAT " of frame \"%s\" does not exist",
			 row, RelationGetRelationName(view));
	writer_mark(writer);
	return shmcache_deletes_add(shmcache_deletes_of(&writer->deletes, writer->target_dp),
								row, GetCurrentCommandId(true),
								RelationGetRelationName(view));
}

/*
 * shmcache_writer_append
 *		Append one row, after checking NOT NULL; visible to this transaction
 *		at once, to others at commit.
 */
void
shmcache_writer_append(ShmcacheWriter *writer, Relation view, Datum *values,
					   bool *nulls)
{
	int			i;

	/* Check constraints before touching shared memory. */
	for (i = 0; i < writer->target->natts; i++)
	{
		if (nulls[i] && writer->target->cols[i].notnull)
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("null value in column \"%s\" of relation \"%s\" violates not-null constraint",
							NameStr(TupleDescAttr(RelationGetDescr(view), i)->attname),
							RelationGetRelationName(view)),
					 errtablecol(view, i + 1)));
	}
	shmcache_index_work_prepare(writer->indexes, values, nulls);
	writer_mark(writer);
	writer_note_command(writer);
	shmcache_append_row(writer->target, writer->appender, writer->nrows,
						values, nulls, RelationGetRelationName(view));
	shmcache_index_work_add(writer->indexes, view, writer->nrows++);
}

/*
 * shmcache_writers_check_unique
 *		At the end of a statement (and before commit): check the rows this
 *		transaction appended and did not check yet against the frames'
 *		unique indexes.
 */
void
shmcache_writers_check_unique(void)
{
	ListCell   *lc;

	foreach(lc, writers)
	{
		ShmcacheWriter *writer = lfirst(lc);
		Relation	view;

		if (!shmcache_index_work_unchecked(writer->indexes))
			continue;
		view = relation_open(writer->viewoid, AccessShareLock);
		shmcache_index_work_check(writer->indexes, view);
		relation_close(view, AccessShareLock);
	}
}

/*
 * shmcache_writer_truncate
 *		Empty the frame for this transaction: later appends go to a new
 *		version that replaces the current one at commit.
 */
void
shmcache_writer_truncate(ShmcacheWriter *writer, Relation view)
{
	dsa_pointer old_target = writer->target_dp;
	dsa_pointer new_dp;

	writer_mark(writer);
	writer_note_command(writer);
	new_dp = shmcache_version_clone_empty(writer->target,
										  RelationGetRelationName(view));
	writer->target_dp = new_dp;
	writer->target = dsa_get_address(shmcache_area(), new_dp);
	writer->nrows = 0;
	shmcache_version_unref(old_target);
	shmcache_appender_reset(writer->appender);
	shmcache_index_work_target(writer->indexes, new_dp, 0);
}

/* Drop every reference a writer holds and forget it (end of transaction). */
static void
writer_release(ShmcacheWriter *writer)
{
	ListCell   *lc;

	writer_cut_history(writer, 0);
	shmcache_index_work_release(writer->indexes);
	if (writer->counted)
	{
		LWLockAcquire(ShmcacheShared->lock, LW_EXCLUSIVE);
		ShmcacheShared->writers_active--;
		LWLockRelease(ShmcacheShared->lock);
		writer->counted = false;
	}
	foreach(lc, writer->marks)
		shmcache_version_unref(((ShmcacheMark *) lfirst(lc))->target_dp);
	shmcache_version_unref(writer->target_dp);
	shmcache_version_unref(writer->base_dp);
}

/* Undo everything the writer did and release it. */
static void
writer_abort(ShmcacheWriter *writer)
{
	shmcache_deletes_abort(writer->deletes, writer->base_dp);
	shmcache_version_rollback(writer->base, &writer->base_tail);
	writer_release(writer);
}

/*
 * shmcache_writer_add_index
 *		Build index "def" over the frame's committed rows; it takes effect at
 *		commit (see shmcache_index_work_add_index).  The writer must not have
 *		changed the frame (create_index runs in a transaction of its own).
 */
void
shmcache_writer_add_index(ShmcacheWriter *writer, Relation view,
						  const ShmcacheIndex *def)
{
	Assert(writer->target == writer->base && writer->nhistory == 0);
	shmcache_index_work_add_index(writer->indexes, view, writer->nrows, def);
}

/*
 * shmcache_writer_drop_index
 *		Drop index "index_id" of the frame at commit.
 */
void
shmcache_writer_drop_index(ShmcacheWriter *writer, int64 index_id)
{
	shmcache_index_work_drop_index(writer->indexes, index_id);
}

/*
 * Publish the writer's changes: the target's rows become visible and, after a
 * truncate, the target becomes the frame's current version.  Must not fail.
 */
static void
writer_commit(ShmcacheWriter *writer)
{
	ShmcacheFrameKey key;
	ShmcacheFrame *frame;
	bool		replaced = false;
	uint32		dseq;

	/* Tests widen the window in which a commit completes late. */
	if (shmcache_debug_commit_delay > 0)
		pg_usleep(shmcache_debug_commit_delay * 1000L);
	shmcache_index_work_commit(writer->indexes);
	shmcache_version_publish(writer->target,
							 pg_atomic_read_u64(&writer->target->nrows),
							 writer->nrows);
	dseq = shmcache_deletes_commit(writer->deletes, writer->target_dp);
	shmcache_version_set_state(writer->target, writer->nrows, dseq);

	key = shmcache_frame_key(MyDatabaseId, writer->frame_id);

	LWLockAcquire(ShmcacheShared->lock, LW_EXCLUSIVE);
	frame = hash_search(shmcache_frame_table(), &key, HASH_FIND, NULL);
	if (frame != NULL)
	{
		Assert(frame->current == writer->base_dp);
		if (writer->target_dp != writer->base_dp)
		{
			shmcache_version_ref(writer->target);
			frame->current = writer->target_dp;
			replaced = true;
		}
		frame->updated = GetCurrentTimestamp();
		frame->changes++;
	}
	LWLockRelease(ShmcacheShared->lock);

	/* The frame's reference to the replaced version goes too. */
	if (replaced)
		shmcache_version_unref(writer->base_dp);
	writer_release(writer);
}

/*
 * Transaction end: publish or undo every writer's changes, then apply the
 * queued frame removals.
 */
static void
shmcache_xact_callback(XactEvent event, void *arg)
{
	ListCell   *lc;

	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			/* (every statement checked its rows; this is a safety net) */
			shmcache_writers_check_unique();
			return;
		case XACT_EVENT_PRE_PREPARE:
			if (writers != NIL || !shmcache_xact_queue_empty())
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that has changed a shmcache frame")));
			break;
		case XACT_EVENT_COMMIT:
			foreach(lc, writers)
				writer_commit(lfirst(lc));
			shmcache_xact_queue_run(true);
			break;
		case XACT_EVENT_ABORT:
			foreach(lc, writers)
				writer_abort(lfirst(lc));
			shmcache_xact_queue_run(false);
			break;
		default:
			return;
	}
	writers = NIL;
}

/* Return a writer to its savepoint mark (which is popped). */
static void
writer_rollback_to_mark(ShmcacheWriter *writer)
{
	ShmcacheMark *mark = linitial(writer->marks);

	writer->marks = list_delete_first(writer->marks);
	shmcache_deletes_undo(writer->deletes, mark->cid);
	writer_cut_history(writer, mark->nhistory);
	if (mark->target_dp != writer->target_dp)
	{
		/* A truncate since the mark: its new version goes away. */
		shmcache_version_unref(writer->target_dp);
		writer->target_dp = mark->target_dp;	/* the mark's reference moves */
		writer->target = dsa_get_address(shmcache_area(), mark->target_dp);
	}
	else
		shmcache_version_unref(mark->target_dp);
	shmcache_version_rollback(writer->target, &mark->tail);
	shmcache_appender_reset(writer->appender);
	writer->nrows = mark->tail.nrows;
	/* Entries of versions made since the mark go; the target's are cut. */
	shmcache_index_work_rollback(writer->indexes, mark->index_mark,
								 writer->target_dp, writer->nrows);
	pfree(mark);
}

/*
 * Subtransaction end: on abort undo the changes made since its mark (or the
 * whole writer if it started there); on commit hand the mark to the parent.
 */
static void
shmcache_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;

	foreach(lc, writers)
	{
		ShmcacheWriter *writer = lfirst(lc);
		ShmcacheMark *mark = writer->marks ? linitial(writer->marks) : NULL;

		if (event == SUBXACT_EVENT_ABORT_SUB)
		{
			if (writer->created_subid == mySubid)
			{
				/* The claim goes with the subtransaction's locks. */
				writer_abort(writer);
				writers = foreach_delete_current(writers, lc);
			}
			else if (mark != NULL && mark->subid == mySubid)
				writer_rollback_to_mark(writer);
		}
		else
		{
			if (writer->created_subid == mySubid)
				writer->created_subid = parentSubid;
			if (mark != NULL && mark->subid == mySubid)
			{
				ShmcacheMark *outer = list_length(writer->marks) > 1 ?
				lsecond(writer->marks) : NULL;

				if (parentSubid == writer->created_subid ||
					(outer != NULL && outer->subid == parentSubid))
				{
					/* The parent already knows how to undo these changes. */
					shmcache_version_unref(mark->target_dp);
					writer->marks = list_delete_first(writer->marks);
					pfree(mark);
				}
				else
					mark->subid = parentSubid;
			}
		}
	}
	shmcache_xact_queue_subxact_end(event, mySubid, parentSubid);
}

