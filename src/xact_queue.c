/*-------------------------------------------------------------------------
 *
 * xact_queue.c
 *	  The one end-of-transaction queue of shmcache: actions queued for the
 *	  commit of the transaction or the abort of a (sub)transaction -- frames
 *	  dropped or created (here), snapshots removed or settled (queued by the
 *	  persistence layer) -- run in the order queued by xact.c's transaction
 *	  callbacks.
 *
 * Layer: transactions and visibility, beside xact.c, which runs the queue.
 *
 * Locking: the queue is backend-local (TopTransactionContext); forgetting a
 * frame takes ShmcacheShared->lock exclusively for the frame table.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/xact_queue.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "xact.h"

/*
 * An action queued for the end of the transaction (the one queue of
 * shmcache: frames dropped or created, snapshots removed or settled): run
 * at commit, or at abort (of the transaction or of the subtransaction that
 * queued it), in the order queued.
 */
typedef struct ShmcacheEndAction
{
	SubTransactionId subid;		/* subtransaction that queued it */
	bool		at_commit;		/* else at abort */
	ShmcacheXactAction action;
	Oid			dbid;
	Oid			viewoid;
	int64		frame_id;
} ShmcacheEndAction;

/* The queue, in TopTransactionContext. */
static List *end_actions = NIL;

/*
 * Remove from the frame table the frame of view "viewoid", else the frame
 * "frame_id", else (0) every frame of "dbid" (a ShmcacheXactAction).  Their
 * current versions are freed once their last reader is done.  Must not fail.
 */
static void
forget_frames(Oid dbid, Oid viewoid, int64 frame_id)
{
	HASH_SEQ_STATUS status;
	ShmcacheFrame *frame;
	List	   *unref = NIL;
	ListCell   *lc;

	if (ShmcacheShared == NULL)
		return;
	LWLockAcquire(ShmcacheShared->lock, LW_EXCLUSIVE);
	hash_seq_init(&status, shmcache_frame_table());
	while ((frame = hash_seq_search(&status)) != NULL)
	{
		if (frame->key.dbid != dbid ||
			(OidIsValid(viewoid) ? frame->viewoid != viewoid :
			 frame_id != 0 && frame->key.frame_id != frame_id))
			continue;
		unref = lappend(unref, (void *) frame->current);
		hash_search(shmcache_frame_table(), &frame->key, HASH_REMOVE, NULL);
	}
	LWLockRelease(ShmcacheShared->lock);

	foreach(lc, unref)
		shmcache_version_unref((dsa_pointer) lfirst(lc));
}

/*
 * shmcache_xact_at_end
 *		Queue "action" (dbid, viewoid, frame_id) for the commit of this
 *		transaction ("at_commit") or for the abort of the current
 *		subtransaction or of an enclosing one.  Actions run in the order
 *		queued and must not fail.
 */
void
shmcache_xact_at_end(bool at_commit, ShmcacheXactAction action, Oid dbid,
					 Oid viewoid, int64 frame_id)
{
	MemoryContext oldcontext = MemoryContextSwitchTo(TopTransactionContext);
	ShmcacheEndAction *a = palloc(sizeof(ShmcacheEndAction));

	a->subid = GetCurrentSubTransactionId();
	a->at_commit = at_commit;
	a->action = action;
	a->dbid = dbid;
	a->viewoid = viewoid;
	a->frame_id = frame_id;
	end_actions = lappend(end_actions, a);
	MemoryContextSwitchTo(oldcontext);
}

/*
 * shmcache_xact_at_commit_queued
 *		Is "action" queued for this transaction's commit on frame "frame_id"
 *		of "dbid"?
 */
bool
shmcache_xact_at_commit_queued(ShmcacheXactAction action, Oid dbid, int64 frame_id)
{
	ListCell   *lc;

	foreach(lc, end_actions)
	{
		ShmcacheEndAction *a = lfirst(lc);

		if (a->at_commit && a->action == action && a->dbid == dbid &&
			a->frame_id == frame_id)
			return true;
	}
	return false;
}

/*
 * shmcache_xact_queue_run
 *		Run the queued actions of the transaction's end ("commit" or not) and
 *		forget them all.
 */
void
shmcache_xact_queue_run(bool commit)
{
	ListCell   *lc;

	foreach(lc, end_actions)
	{
		ShmcacheEndAction *a = lfirst(lc);

		if (a->at_commit == commit)
			a->action(a->dbid, a->viewoid, a->frame_id);
	}
	end_actions = NIL;
}

/*
 * shmcache_xact_queue_subxact_end
 *		At the end of subtransaction "subid": on commit its actions pass to
 *		the parent; on abort its actions for commit are void, and its actions
 *		for abort run now.
 */
void
shmcache_xact_queue_subxact_end(SubXactEvent event, SubTransactionId subid,
								SubTransactionId parent)
{
	List	   *run_now = NIL;
	ListCell   *lc;

	foreach(lc, end_actions)
	{
		ShmcacheEndAction *a = lfirst(lc);

		if (a->subid != subid)
			continue;
		if (event == SUBXACT_EVENT_COMMIT_SUB)
			a->subid = parent;
		else
		{
			if (!a->at_commit)
				run_now = lappend(run_now, a);
			end_actions = foreach_delete_current(end_actions, lc);
		}
	}
	foreach(lc, run_now)
	{
		ShmcacheEndAction *a = lfirst(lc);

		a->action(a->dbid, a->viewoid, a->frame_id);
	}
}

/*
 * shmcache_forget_frame_on_commit
 *		The frame with view "viewoid" (or, with InvalidOid, every frame of the
 *		database) is being dropped: free it when this transaction commits.
 */
void
shmcache_forget_frame_on_commit(Oid dbid, Oid viewoid)
{
	shmcache_xact_at_end(true, forget_frames, dbid, viewoid, 0);
}

/*
 * shmcache_forget_frame_on_abort
 *		Frame "frame_id" was created by this transaction: if it aborts, free
 *		whatever was loaded into it.
 */
void
shmcache_forget_frame_on_abort(int64 frame_id)
{
	shmcache_xact_at_end(false, forget_frames, MyDatabaseId, InvalidOid, frame_id);
}

/*
 * shmcache_xact_queue_empty
 *		Is nothing queued?
 */
bool
shmcache_xact_queue_empty(void)
{
	return end_actions == NIL;
}
