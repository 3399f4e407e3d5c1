/*-------------------------------------------------------------------------
 *
 * autoload.c
 *	  Frames survive restarts: the background workers that load snapshots at
 *	  server start and save frames periodically and at shutdown (their
 *	  settings are defined with the others in shmcache.c).
 *
 * In the style of pg_prewarm's autoprewarm:
 *
 *	 - The leader ("shmcache leader", registered in _PG_init, no database
 *	   connection) starts once recovery has finished.  If shmcache.autoload
 *	   is on it starts one worker per database that has frames waiting to be
 *	   loaded, one database after the other, and waits for each.  Then it
 *	   stays alive as the saver: every shmcache.save_interval it saves the
 *	   frames that changed since their last save, and when it is asked to
 *	   stop (SIGTERM, sent at a smart or fast shutdown before the shutdown
 *	   checkpoint) it saves them all once more and exits.  It needs no
 *	   database connection for that: a frame's layout is in shared memory.
 *	   It is restarted after a crash restart, so frames come back as of
 *	   their last save then too.  Every shmcache.autovacuum_naptime it also
 *	   looks for frames with many deleted rows (shmcache.autovacuum_threshold
 *	   and _scale_factor) and starts a vacuum worker in each database that
 *	   has some, one after the other.
 *
 *	 - A per-database worker ("shmcache autoload") connects to its database
 *	   and restores each of its pending frames in a transaction of its own
 *	   (snapsave.c), logging each result.  A snapshot that is damaged or does
 *	   not match its frame is renamed aside (<name>.bad) and skipped; one
 *	   whose frame no longer exists is removed; any other failure (out of
 *	   shmcache memory, say) leaves the file in place for the next start.
 *
 * The frames to load are known from the postmaster's shmem startup hook on
 * (snapshot.c lists the snapshot directory there), so a query that reaches a
 * frame before its worker did waits for it (shmcache.autoload_wait = on) or
 * reads it empty (off); a writer always waits.  Whenever a worker or the
 * leader ends, frames it did not load are marked "not loaded" and their
 * waiters woken, so no query waits for a load that will never come.
 *
 *	 - A per-database vacuum worker ("shmcache vacuum") rewrites each of its
 *	   database's frames that are due without their deleted rows
 *	   (shmcache_frame_vacuum), as the frame's owner, a transaction each.
 *
 * Layer: SQL surface (the top of persistence): background workers over
 * snapsave.c (save, restore), snapshot.c (the snapshot table) and modify.c
 * (vacuum).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/autoload.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/procsignal.h"
#include "tcop/tcopprot.h"
#include "commands/dbcommands.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "frames.h"
#include "snapshot.h"
#include "catalog.h"
#include "xact.h"

PGDLLEXPORT void shmcache_leader_main(Datum main_arg);
PGDLLEXPORT void shmcache_loader_main(Datum main_arg);
PGDLLEXPORT void shmcache_vacuum_main(Datum main_arg);

/*
 * shmcache_autoload_init
 *		Register the leader (from _PG_init, while shared_preload_libraries
 *		are loaded).
 */
void
shmcache_autoload_init(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 10;
	strcpy(worker.bgw_library_name, "shmcache");
	strcpy(worker.bgw_function_name, "shmcache_leader_main");
	strcpy(worker.bgw_name, "shmcache leader");
	strcpy(worker.bgw_type, "shmcache leader");
	RegisterBackgroundWorker(&worker);
}

/* Exit callback of the leader: nobody will load what is still pending. */
static void
leader_exit(int code, Datum arg)
{
	int			n = shmcache_snapshot_abandon_pending(InvalidOid);

	shmcache_snapshot_set_leader(0);
	if (n > 0)
		ereport(LOG,
				(errmsg("shmcache: %d frames were not loaded: the autoload was interrupted", n)));
}

/*
 * Start the worker "type" (autoload or vacuum, entry point shmcache_<what>_main)
 * of database "dbid" and wait until it exits.  Returns false if it could not
 * be started.
 */
static bool
run_database_worker(Oid dbid, const char *type, const char *what)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strcpy(worker.bgw_library_name, "shmcache");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "shmcache_%s_main", what);
	snprintf(worker.bgw_name, BGW_MAXLEN, "shmcache %s of database %u", type, dbid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "shmcache %s", type);
	worker.bgw_main_arg = ObjectIdGetDatum(dbid);
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		ereport(LOG,
				(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("shmcache: could not start the %s worker of database %u", type, dbid),
				 errhint("Consider increasing the configuration parameter \"%s\".",
						 "max_worker_processes")));
		return false;
	}
	(void) WaitForBackgroundWorkerShutdown(handle);
	return true;
}

/*
 * Load the snapshots of every database, one database after the other.
 */
static void
autoload_all(void)
{
	List	   *dbs = shmcache_snapshot_pending_databases();
	TimestampTz start = GetCurrentTimestamp();
	ListCell   *lc;

	if (dbs == NIL)
		return;
	ereport(LOG,
			(errmsg("shmcache: autoload of frame snapshots of %d databases started",
					list_length(dbs))));
	foreach(lc, dbs)
	{
		Oid			dbid = lfirst_oid(lc);
		int			n;

		if (ShutdownRequestPending)
			break;
		(void) run_database_worker(dbid, "autoload", "loader");
		n = shmcache_snapshot_abandon_pending(dbid);
		if (n > 0)
			ereport(LOG,
					(errmsg("shmcache: %d frames of database %u were not loaded", n, dbid)));
	}
	ereport(LOG,
			(errmsg("shmcache: autoload %s after %ld ms",
					ShutdownRequestPending ? "interrupted by shutdown" : "finished",
					TimestampDifferenceMilliseconds(start, GetCurrentTimestamp()))));
}

/*
 * Save changed frames, logging how many; never raises an error.  At
 * shutdown ("wait"), frames another process is saving are waited for.
 */
static void
save_changed(const char *why, bool wait)
{
	TimestampTz start = GetCurrentTimestamp();
	int			n = shmcache_snapshot_save_changed(wait);

	if (n > 0)
		ereport(LOG,
				(errmsg("shmcache: saved %d changed frames %s in %ld ms", n, why,
						TimestampDifferenceMilliseconds(start, GetCurrentTimestamp()))));
}

/*
 * Is a task done every "interval" seconds (0: never), last at *last, due
 * now?  If so, *last becomes now; if not, *delay becomes the milliseconds
 * until it is, if that is sooner (or *delay is -1).
 */
static bool
due(TimestampTz *last, int interval, long *delay)
{
	long		wait;

	if (interval <= 0)
		return false;
	wait = TimestampDifferenceMilliseconds(GetCurrentTimestamp(),
										   TimestampTzPlusMilliseconds(*last, interval * 1000L));
	if (wait <= 0)
	{
		*last = GetCurrentTimestamp();
		return true;
	}
	if (*delay < 0 || wait < *delay)
		*delay = wait;
	return false;
}

/* Run the vacuum worker of every database with frames due for it. */
static void
autovacuum_all(void)
{
	List	   *dbs = NIL;
	ListCell   *lc;

	foreach(lc, shmcache_frames_due_for_vacuum(InvalidOid))
		dbs = list_append_unique_oid(dbs, ((ShmcacheFrameKey *) lfirst(lc))->dbid);
	foreach(lc, dbs)
	{
		if (ShutdownRequestPending)
			break;
		(void) run_database_worker(lfirst_oid(lc), "vacuum", "vacuum");
	}
}

/*
 * shmcache_leader_main
 *		Entry point of the leader: autoload, then save periodically and at
 *		shutdown.
 */
void
shmcache_leader_main(Datum main_arg)
{
	TimestampTz last_save;
	TimestampTz last_vacuum;
	MemoryContext cxt;

	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGUSR1, procsignal_sigusr1_handler);
	BackgroundWorkerUnblockSignals();
	before_shmem_exit(leader_exit, (Datum) 0);
	shmcache_require_shmem();
	shmcache_snapshot_set_leader(MyProcPid);

	cxt = AllocSetContextCreate(TopMemoryContext, "shmcache leader",
								ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);

	if (shmcache_autoload)
		autoload_all();
	MemoryContextReset(cxt);

	last_save = last_vacuum = GetCurrentTimestamp();
	while (!ShutdownRequestPending)
	{
		long		delay = -1;

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (due(&last_save, shmcache_save_interval, &delay))
		{
			save_changed("periodically", false);
			MemoryContextReset(cxt);
			continue;
		}
		if (due(&last_vacuum, shmcache_autovacuum_naptime, &delay))
		{
			autovacuum_all();
			MemoryContextReset(cxt);
			continue;
		}
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | (delay >= 0 ? WL_TIMEOUT : 0),
						 delay, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}

	/*
	 * Asked to stop: most likely a clean shutdown.  Backends were told to
	 * stop at the same moment; one may still complete a commit, so the save
	 * waits for every transaction that changes a frame to end first, and
	 * refuses new write claims meanwhile.  (If the leader alone was
	 * terminated, writers go on once the save is done.)
	 */
	shmcache_writers_quiesce();
	save_changed("at shutdown", true);
	shmcache_writers_reopen();
}

/* Exit callback of a database worker: wake whoever waits for its frames. */
static void
loader_exit(int code, Datum arg)
{
	shmcache_loading_frame = 0;
	(void) shmcache_snapshot_abandon_pending(DatumGetObjectId(arg));
}

/* What as_owner changed, for as_owner_end. */
typedef struct OwnerState
{
	Oid			userid;
	int			sec_context;
	int			nestlevel;
} OwnerState;

/*
 * Become the owner of "view" in a security-restricted operation with
 * search_path = pg_catalog, as VACUUM runs a table's code: the workers run
 * as the bootstrap superuser, and nothing a user defined may run with that
 * right.  An error restores the user and the settings with the
 * transaction's abort; as_owner_end does otherwise.
 */
static void
as_owner(Relation view, OwnerState *state)
{
	GetUserIdAndSecContext(&state->userid, &state->sec_context);
	SetUserIdAndSecContext(view->rd_rel->relowner,
						   state->sec_context | SECURITY_RESTRICTED_OPERATION);
	state->nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog",
							 PGC_SUSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

static void
as_owner_end(OwnerState *state)
{
	AtEOXact_GUC(false, state->nestlevel);
	SetUserIdAndSecContext(state->userid, state->sec_context);
}

/* Restore frame "frame_id" (view "view") from "path" as the view's owner. */
static uint64
restore_as_owner(Relation view, int64 frame_id, const char *path)
{
	OwnerState	state;
	uint64		rows;

	as_owner(view, &state);
	rows = shmcache_snapshot_restore(view, frame_id, path);
	as_owner_end(&state);
	return rows;
}

/*
 * Restore frame "frame_id" of this database from its snapshot in a
 * transaction of its own and record the outcome.  Returns whether it was
 * loaded; adds its rows to *rows.
 */
static bool
load_frame(int64 frame_id, uint64 *total_rows)
{
	char		path[MAXPGPATH];
	MemoryContext cxt = CurrentMemoryContext;
	TimestampTz start = GetCurrentTimestamp();
	/* Set inside PG_TRY and read after it: volatile. */
	char	   *volatile name = NULL;
	volatile bool orphan = false;
	volatile bool loaded = false;
	bool		kept = true;
	volatile uint64 rows = 0;

	shmcache_snapshot_path(path, MyDatabaseId, frame_id);
	StartTransactionCommand();
	PG_TRY();
	{
		Oid			viewoid;

		PushActiveSnapshot(GetTransactionSnapshot());
		viewoid = shmcache_catalog_view_of(frame_id);
		if (!OidIsValid(viewoid))
			orphan = true;
		else
		{
			Relation	view = relation_open(viewoid, RowExclusiveLock);

			name = MemoryContextStrdup(cxt,
									   quote_qualified_identifier(get_namespace_name(RelationGetNamespace(view)),
																  RelationGetRelationName(view)));
			shmcache_loading_frame = frame_id;
			rows = restore_as_owner(view, frame_id, path);
			relation_close(view, NoLock);
		}
		PopActiveSnapshot();
		CommitTransactionCommand();
		loaded = !orphan;
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		bool		damaged;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		shmcache_loading_frame = 0;

		damaged = edata->sqlerrcode == ERRCODE_DATA_CORRUPTED ||
			edata->sqlerrcode == ERRCODE_DATATYPE_MISMATCH;
		ereport(LOG,
				(errcode(edata->sqlerrcode),
				 errmsg("shmcache: could not load frame %s from snapshot \"%s\": %s",
						name ? name : psprintf(INT64_FORMAT, frame_id), path,
						edata->message),
				 edata->detail ? errdetail_internal("%s", edata->detail) : 0,
				 damaged ? errhint("The file is renamed to \"%s.bad\" and the frame starts empty.", path) :
				 errhint("The file is kept and will be loaded at the next start.")));
		if (damaged)
		{
			shmcache_snapshot_set_aside(path);
			kept = false;
		}
		FreeErrorData(edata);
	}
	PG_END_TRY();
	shmcache_loading_frame = 0;

	if (orphan)
	{
		ereport(LOG,
				(errmsg("shmcache: removed snapshot \"%s\": frame " INT64_FORMAT " no longer exists",
						path, frame_id)));
		if (unlink(path) != 0 && errno != ENOENT)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("could not remove file \"%s\": %m", path)));
		kept = false;
	}
	shmcache_snapshot_load_done(MyDatabaseId, frame_id, loaded, kept, rows);
	if (loaded)
	{
		ereport(LOG,
				(errmsg("shmcache: loaded frame %s (%llu rows) from \"%s\" in %ld ms",
						name, (unsigned long long) rows, path,
						TimestampDifferenceMilliseconds(start, GetCurrentTimestamp()))));
		*total_rows += rows;
	}
	return loaded;
}

/*
 * shmcache_loader_main
 *		Entry point of a per-database autoload worker: restore every frame of
 *		the database that is waiting to be loaded.
 */
void
shmcache_loader_main(Datum main_arg)
{
	Oid			dbid = DatumGetObjectId(main_arg);
	TimestampTz start = GetCurrentTimestamp();
	int64		frame_id;
	int			loaded = 0;
	int			failed = 0;
	uint64		rows = 0;
	char	   *dbname;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	before_shmem_exit(loader_exit, ObjectIdGetDatum(dbid));
	BackgroundWorkerInitializeConnectionByOid(dbid, InvalidOid, 0);

	/* Never wait forever for a lock a query holds while it waits for us. */
	SetConfigOption("lock_timeout", "10s", PGC_SUSET, PGC_S_OVERRIDE);
	/* No name this worker resolves may come from a user's schema. */
	SetConfigOption("search_path", "pg_catalog", PGC_SUSET, PGC_S_OVERRIDE);
	StartTransactionCommand();
	dbname = MemoryContextStrdup(TopMemoryContext, get_database_name(dbid));
	CommitTransactionCommand();

	while ((frame_id = shmcache_snapshot_next_pending(dbid)) != 0)
	{
		if (load_frame(frame_id, &rows))
			loaded++;
		else
			failed++;
	}
	ereport(LOG,
			(errmsg("shmcache: autoload of database \"%s\": %d frames loaded (%llu rows), %d not loaded, in %ld ms",
					dbname, loaded, (unsigned long long) rows,
					failed, TimestampDifferenceMilliseconds(start, GetCurrentTimestamp()))));
}

/*
 * Vacuum frame "frame_id" of this database in a transaction of its own, as
 * its owner, logging the outcome; never raises an error.
 */
static void
vacuum_frame(int64 frame_id)
{
	MemoryContext cxt = CurrentMemoryContext;
	TimestampTz start = GetCurrentTimestamp();

	StartTransactionCommand();
	PG_TRY();
	{
		Oid			viewoid;

		PushActiveSnapshot(GetTransactionSnapshot());
		viewoid = shmcache_catalog_view_of(frame_id);
		if (OidIsValid(viewoid))
		{
			Relation	view = relation_open(viewoid, RowExclusiveLock);
			char	   *name = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(view)),
														  RelationGetRelationName(view));
			OwnerState	state;
			uint64		removed;

			as_owner(view, &state);
			removed = shmcache_frame_vacuum(view, frame_id);
			as_owner_end(&state);
			relation_close(view, NoLock);
			ereport(LOG,
					(errmsg("shmcache: vacuumed frame %s: %llu deleted rows removed in %ld ms",
							name, (unsigned long long) removed,
							TimestampDifferenceMilliseconds(start, GetCurrentTimestamp()))));
		}
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		ereport(LOG,
				(errcode(edata->sqlerrcode),
				 errmsg("shmcache: could not vacuum frame " INT64_FORMAT ": %s",
						frame_id, edata->message)));
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

/*
 * shmcache_vacuum_main
 *		Entry point of a per-database vacuum worker: vacuum every frame of
 *		the database that is due.
 */
void
shmcache_vacuum_main(Datum main_arg)
{
	Oid			dbid = DatumGetObjectId(main_arg);
	ListCell   *lc;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dbid, InvalidOid, 0);
	/* Writers hold the claim for their transactions: wait, but not forever. */
	SetConfigOption("lock_timeout", "10s", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("search_path", "pg_catalog", PGC_SUSET, PGC_S_OVERRIDE);
	foreach(lc, shmcache_frames_due_for_vacuum(dbid))
		vacuum_frame(((ShmcacheFrameKey *) lfirst(lc))->frame_id);
}
