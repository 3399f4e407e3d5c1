/*-------------------------------------------------------------------------
 *
 * pins.c
 *	  Readers' pins: a reader pins the version of a frame it reads and fixes
 *	  the rows it sees (those published when it started, or its own
 *	  transaction's rows as of its snapshot), shares that with the workers
 *	  of a parallel plan, and releases the pin with its query or resource
 *	  owner, so that an error or a cancelled query never leaks one.
 *
 * Every scan of a frame in one query reads what the query's first
 * scan of it took (while that pin is held), so a query sees one state of
 * each frame however often it reads it.  In a transaction whose snapshot
 * lasts (REPEATABLE READ, SERIALIZABLE), the transaction's first read of a
 * frame also takes a pin for the transaction (TopTransactionResourceOwner),
 * and every later read of the transaction sees what it saw, until the
 * transaction changes the frame itself; a change of rows the transaction
 * read that another committed since is a serialization failure
 * (shmcache_check_serializable).
 *
 * Layer: transactions and visibility, beside xact.c (writers), whose
 * shmcache_writer_visible() gives a writing transaction's own rows.
 *
 * Locking: a pin is a reference count on the version (storage.c); the frame
 * table lock is taken briefly to find the current version.  Pins live in
 * backend-local memory.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/pins.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "xact.h"
#include "catalog.h"

/* A reader's pin on a version. */
struct ShmcachePin
{
	dsa_pointer version_dp;		/* pinned version, or InvalidDsaPointer */
	ResourceOwner owner;		/* resource owner that releases it */
	uint64		id;				/* unique in this backend */
	int64		frame_id;		/* frame read */
	Oid			viewoid;		/* its view */
	uint64		nrows;			/* rows visible to the reader */
	uint32		dseq;			/* deletes visible to it (ShmcacheRead) */
	uint32		own_cid;
	bool		own_writes;		/* they include unpublished rows of ours */
	bool		index_user;		/* counted in the version's index_users */
};
typedef struct ShmcachePin ShmcachePin;

/* Pins, in TopMemoryContext: they can outlive a transaction's memory. */
static List *pins = NIL;
static uint64 next_pin_id = 1;

static void shmcache_release_pins(ResourceReleasePhase phase, bool isCommit,
								  bool isTopLevel, void *arg);

/* Drop pin "pin" (removed from the list by the caller) and free it. */
static void
pin_release(ShmcachePin *pin)
{
	if (DsaPointerIsValid(pin->version_dp))
	{
		if (pin->index_user)
			shmcache_index_users_done(dsa_get_address(shmcache_area(), pin->version_dp));
		shmcache_version_unref(pin->version_dp);
	}
	pfree(pin);
}

/* A pin of resource owner "owner" on frame "frame_id", if any. */
static ShmcachePin *
find_owner_pin(ResourceOwner owner, int64 frame_id)
{
	ListCell   *lc;

	foreach(lc, pins)
	{
		ShmcachePin *pin = lfirst(lc);

		if (pin->owner == owner && pin->frame_id == frame_id &&
			DsaPointerIsValid(pin->version_dp))
			return pin;
	}
	return NULL;
}

/* A new pin of "owner" on frame "frame_id", holding no version yet. */
static ShmcachePin *
pin_add(ResourceOwner owner, int64 frame_id)
{
	MemoryContext oldcontext = MemoryContextSwitchTo(TopMemoryContext);
	ShmcachePin *pin = palloc0(sizeof(ShmcachePin));

	pin->version_dp = InvalidDsaPointer;
	pin->owner = owner;
	pin->id = next_pin_id++;
	pin->frame_id = frame_id;
	pins = lappend(pins, pin);
	MemoryContextSwitchTo(oldcontext);
	return pin;
}

/* Make "pin" hold what "from" holds (one more reference on its version). */
static void
pin_copy(ShmcachePin *pin, const ShmcachePin *from)
{
	shmcache_version_ref(dsa_get_address(shmcache_area(), from->version_dp));
	pin->version_dp = from->version_dp;
	pin->viewoid = from->viewoid;
	pin->nrows = from->nrows;
	pin->dseq = from->dseq;
	pin->own_cid = from->own_cid;
	pin->own_writes = from->own_writes;
}

/*
 * The transaction's pin on frame "frame_id": in a transaction whose
 * snapshot lasts (REPEATABLE READ, SERIALIZABLE), the first read of a frame
 * fixes what every later read of the transaction sees (but for its own
 * changes).  NULL in READ COMMITTED, and before that first read.
 */
static ShmcachePin *
find_xact_pin(int64 frame_id)
{
	if (!IsolationUsesXactSnapshot() || TopTransactionResourceOwner == NULL)
		return NULL;
	return find_owner_pin(TopTransactionResourceOwner, frame_id);
}

/*
 * shmcache_read_begin
 *		Pin the version of frame "frame_id" this backend should read and fix
 *		the rows visible to it: those published now or, if this transaction
 *		writes the frame, those its commands before "snapshot"'s wrote (all
 *		of them if "snapshot" is NULL); or, if this query (resource owner)
 *		read the frame already, what it saw then.  The pin belongs to
 *		CurrentResourceOwner.  Readers that want to see a frame still being
 *		loaded at server start wait for its autoload first.
 *
 *		Taking a transaction's own rows as of the reader's snapshot, not as
 *		of the moment the reader starts, is what keeps a cursor that starts
 *		reading late from seeing rows of a later subtransaction: ROLLBACK TO
 *		SAVEPOINT frees those while the cursor lives on.
 */
void
shmcache_read_begin(int64 frame_id, Snapshot snapshot, ShmcacheRead *read)
{
	ShmcachePin *earlier = find_owner_pin(CurrentResourceOwner, frame_id);
	ShmcachePin *pin;
	bool		own = false;

	/* Register the pin first, so that an error below cannot leak it. */
	pin = pin_add(CurrentResourceOwner, frame_id);
	if (earlier == NULL)
	{
		own = shmcache_writer_visible(frame_id, snapshot, read);
		if (!own)
			earlier = find_xact_pin(frame_id);
	}
	if (earlier != NULL)
		pin_copy(pin, earlier);
	else if (own)
	{
		pin->version_dp = read->version_dp;
		pin->viewoid = read->viewoid;
		pin->nrows = read->nrows;
		pin->dseq = read->dseq;
		pin->own_cid = read->own_cid;
		shmcache_version_ref(dsa_get_address(shmcache_area(), pin->version_dp));
		pin->own_writes = true;
	}
	else
	{
		pin->own_writes = false;
		pin->own_cid = 0;
		pin->version_dp = shmcache_pin_current(frame_id, &pin->viewoid);
		shmcache_version_state(dsa_get_address(shmcache_area(), pin->version_dp),
							   &pin->nrows, &pin->dseq);
		if (IsolationUsesXactSnapshot() && TopTransactionResourceOwner != NULL &&
			CurrentResourceOwner != TopTransactionResourceOwner)
			pin_copy(pin_add(TopTransactionResourceOwner, frame_id), pin);
	}
	read->version_dp = pin->version_dp;
	read->version = dsa_get_address(shmcache_area(), read->version_dp);
	read->nrows = pin->nrows;
	read->dseq = pin->dseq;
	read->own_cid = pin->own_cid;
	read->own_writes = pin->own_writes;
	read->viewoid = pin->viewoid;
	read->frame_id = frame_id;
	read->pin = pin;
	read->reused = (earlier != NULL);
}

/*
 * shmcache_check_serializable
 *		Before a transaction whose snapshot lasts changes rows of frame
 *		"frame_id" (named "frame_name") that it has read: if another
 *		transaction committed a change to the frame since, the rows it read
 *		may have changed; refuse, as PostgreSQL refuses to update a row
 *		changed since the snapshot.
 */
void
shmcache_check_serializable(int64 frame_id, const char *frame_name)
{
	ShmcachePin *xpin = find_xact_pin(frame_id);
	dsa_pointer current;
	uint64		nrows;
	uint32		dseq;

	if (xpin == NULL || xpin->own_writes)
		return;
	current = shmcache_pin_current(frame_id, NULL);
	shmcache_version_state(dsa_get_address(shmcache_area(), current), &nrows, &dseq);
	shmcache_version_unref(current);
	if (current != xpin->version_dp || nrows != xpin->nrows || dseq != xpin->dseq)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent update"),
				 errdetail("Frame \"%s\" was changed by a transaction that committed after this one first read it.",
						   frame_name)));
}

/*
 * shmcache_read_use_indexes
 *		The reader is about to read the indexes of its version: from now on
 *		until its pin goes, a dropped index is not freed under it.
 */
void
shmcache_read_use_indexes(ShmcacheRead *read)
{
	ShmcachePin *pin = read->pin;

	if (pin == NULL || pin->index_user)
		return;
	/* A full barrier: the count is up before any slot is read. */
	pg_atomic_fetch_add_u32(&read->version->index_users, 1);
	pin->index_user = true;
}

/*
 * shmcache_read_end
 *		Release a reader's pin.
 */
void
shmcache_read_end(ShmcacheRead *read)
{
	ShmcachePin *pin = read->pin;

	pins = list_delete_ptr(pins, pin);
	pin_release(pin);
	read->version = NULL;
	read->pin = NULL;
}

/* Memory context callback releasing a pin, if it is still held. */
typedef struct PinReleaseCallback
{
	MemoryContextCallback callback;
	uint64		pin_id;
} PinReleaseCallback;

static void
release_pin_callback(void *arg)
{
	uint64		pin_id = ((PinReleaseCallback *) arg)->pin_id;
	ListCell   *lc;

	foreach(lc, pins)
	{
		ShmcachePin *pin = lfirst(lc);

		if (pin->id == pin_id)
		{
			pins = foreach_delete_current(pins, lc);
			pin_release(pin);
			break;
		}
	}
}

/*
 * shmcache_read_end_with
 *		Release a reader's pin when memory context "context" goes away (the
 *		end of the query whose executor state it belongs to), or earlier with
 *		its resource owner after an error.  Until then, later reads of the
 *		frame by the same query see the same rows.
 */
void
shmcache_read_end_with(ShmcacheRead *read, MemoryContext context)
{
	PinReleaseCallback *cb = MemoryContextAlloc(context, sizeof(PinReleaseCallback));

	cb->callback.func = release_pin_callback;
	cb->callback.arg = cb;
	cb->pin_id = read->pin->id;
	MemoryContextRegisterResetCallback(context, &cb->callback);
	read->version = NULL;
	read->pin = NULL;
}

/*
 * shmcache_parallel_read_init
 *		Leader: share read "read" (pinned by the leader until after every
 *		worker has exited) with the workers of a parallel plan.
 */
void
shmcache_parallel_read_init(ShmcacheParallelRead *shared,
							const ShmcacheRead *read)
{
	pg_atomic_init_u64(&shared->next_chunk, 0);
	pg_atomic_init_u64(&shared->chunks_scanned, 0);
	pg_atomic_init_u64(&shared->chunks_skipped, 0);
	shared->version_dp = read->version_dp;
	shared->nrows = read->nrows;
	shared->dseq = read->dseq;
	shared->own_cid = read->own_cid;
	shared->own_writes = read->own_writes;
	shared->viewoid = read->viewoid;
}

/*
 * shmcache_parallel_read_attach
 *		Worker: read what the leader pinned.  No pin is taken; the leader's
 *		outlives the worker.
 */
void
shmcache_parallel_read_attach(const ShmcacheParallelRead *shared,
							  ShmcacheRead *read)
{
	memset(read, 0, sizeof(*read));
	read->version_dp = shared->version_dp;
	read->version = dsa_get_address(shmcache_area(), shared->version_dp);
	read->nrows = shared->nrows;
	read->dseq = shared->dseq;
	read->own_cid = shared->own_cid;
	read->own_writes = shared->own_writes;
	read->viewoid = shared->viewoid;
}

/*
 * shmcache_parallel_read_restart
 *		Leader, before a rescan with new workers: claim chunks from the first
 *		one again.
 */
void
shmcache_parallel_read_restart(ShmcacheParallelRead *shared)
{
	pg_atomic_write_u64(&shared->next_chunk, 0);
}

/*
 * shmcache_parallel_read_claim
 *		Claim the next chunk of a shared read for this participant; false
 *		when every chunk has been claimed.
 */
bool
shmcache_parallel_read_claim(ShmcacheParallelRead *shared,
							 const ShmcacheRead *read, uint64 *chunkno)
{
	*chunkno = pg_atomic_fetch_add_u64(&shared->next_chunk, 1);
	return (*chunkno << SHMCACHE_CHUNK_SHIFT) < read->nrows;
}

/*
 * shmcache_parallel_read_counts
 *		At the end of a parallel read, a worker adds its chunk counts to the
 *		shared ones; the leader (whose workers have all finished by then) adds
 *		the shared ones to its own, for EXPLAIN ANALYZE.
 */
void
shmcache_parallel_read_counts(ShmcacheParallelRead *shared,
							  uint64 *chunks_scanned, uint64 *chunks_skipped)
{
	if (IsParallelWorker())
	{
		pg_atomic_fetch_add_u64(&shared->chunks_scanned, *chunks_scanned);
		pg_atomic_fetch_add_u64(&shared->chunks_skipped, *chunks_skipped);
	}
	else
	{
		*chunks_scanned += pg_atomic_read_u64(&shared->chunks_scanned);
		*chunks_skipped += pg_atomic_read_u64(&shared->chunks_skipped);
	}
}

/*
 * Release the pins of the resource owner being released (a query ended by an
 * error, a closed cursor, the end of a transaction).
 */
static void
shmcache_release_pins(ResourceReleasePhase phase, bool isCommit,
					  bool isTopLevel, void *arg)
{
	ListCell   *lc;

	if (phase != RESOURCE_RELEASE_AFTER_LOCKS)
		return;
	foreach(lc, pins)
	{
		ShmcachePin *pin = lfirst(lc);

		if (pin->owner != CurrentResourceOwner)
			continue;
		pins = foreach_delete_current(pins, lc);
		pin_release(pin);
	}
}

/*
 * shmcache_frame_rows
 *		Rows of frame "frame_id" this backend would see now, for planning;
 *		0 if the frame is not in shared memory yet.
 */
uint64
shmcache_frame_rows(int64 frame_id)
{
	ShmcacheFrameKey key;
	ShmcacheFrame *frame;
	ShmcacheRead read;
	uint64		rows = 0;
	uint64		dead = 0;

	if (shmcache_writer_visible(frame_id, NULL, &read))
		return read.nrows - Min(read.nrows, pg_atomic_read_u64(&read.version->ndead));

	key = shmcache_frame_key(MyDatabaseId, frame_id);
	LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
	frame = hash_search(shmcache_frame_table(), &key, HASH_FIND, NULL);
	if (frame != NULL)
	{
		ShmcacheVersion *version = dsa_get_address(shmcache_area(), frame->current);

		rows = pg_atomic_read_u64(&version->nrows);
		dead = pg_atomic_read_u64(&version->ndead);
	}
	LWLockRelease(ShmcacheShared->lock);
	return rows - Min(rows, dead);
}

/*
 * shmcache_frames_due_for_vacuum
 *		Frames (of database "dbid", or of all if InvalidOid) whose deleted
 *		rows exceed shmcache.autovacuum_threshold plus
 *		shmcache.autovacuum_scale_factor of their rows: a List of palloc'd
 *		ShmcacheFrameKeys.
 */
List *
shmcache_frames_due_for_vacuum(Oid dbid)
{
	HASH_SEQ_STATUS status;
	ShmcacheFrame *frame;
	List	   *due = NIL;

	LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
	hash_seq_init(&status, shmcache_frame_table());
	while ((frame = hash_seq_search(&status)) != NULL)
	{
		ShmcacheVersion *version;
		double		dead;

		if (OidIsValid(dbid) && frame->key.dbid != dbid)
			continue;
		version = dsa_get_address(shmcache_area(), frame->current);
		dead = (double) pg_atomic_read_u64(&version->ndead);
		if (dead > 0 &&
			dead > shmcache_autovacuum_threshold +
			shmcache_autovacuum_scale_factor * (double) pg_atomic_read_u64(&version->nrows))
		{
			ShmcacheFrameKey *key = palloc(sizeof(ShmcacheFrameKey));

			*key = frame->key;
			due = lappend(due, key);
		}
	}
	LWLockRelease(ShmcacheShared->lock);
	return due;
}

/*
 * shmcache_pins_init
 *		Register the resource owner callback that releases pins (once per
 *		backend, from _PG_init).
 */
void
shmcache_pins_init(void)
{
	RegisterResourceReleaseCallback(shmcache_release_pins, NULL);
}
