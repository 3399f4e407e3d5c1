/*-------------------------------------------------------------------------
 *
 * snapshot.c
 *	  The shared snapshot table: what every frame's snapshot holds and
 *	  whether it is loaded, saver claims, autoload bookkeeping, and the
 *	  snapshot side of dropping, truncating and restoring frames at commit.
 *
 * Saving and restoring (snapsave.c) call down to it; it knows nothing of
 * the file format (snapfile.c) except how to peek at a header.  A frame's
 * snapshot is the file pg_shmcache/<database oid>.<frame id>.snap under the
 * data directory.
 *
 * The table (one ShmcacheSnapEntry per frame that has a snapshot, is being
 * saved or is waiting to be loaded) is filled from the directory in the
 * postmaster's shmem startup hook, also after a crash restart, so that a
 * query arriving before the autoload worker reached its frame finds the
 * frame "pending" and waits for it (see shmcache_snapshot_wait_loaded).
 * A snapshot that holds rows the frame in memory does not ("unloaded")
 * blocks appends and saves until a restore or a truncate settles it, when
 * that transaction commits (the per-transaction commit queue below).
 *
 * Locking: ShmcacheSnapShared->lock protects the snapshot table.  It is
 * taken before ShmcacheShared->lock when both are needed, never after.
 * Only one process saves a given frame at a time (saver_pid, taken with
 * shmcache_snapshot_claim).  The condition variable is broadcast whenever a
 * load or a save ends.
 *
 * Dropping a frame removes its snapshot: the unlink runs after the frame's
 * entry has left the frame table, and a save renames its file into place
 * (shmcache_snapshot_install) only while it holds the snapshot lock and
 * sees the entry still there, so a save running during a drop cannot bring
 * the file back.
 *
 * Layer: snapshots (persistence), above visibility and the file format
 * (snapfile.c), below the reader: its shared state, over shared memory (the
 * frame table).  Called by the autoload workers, by readers and writers
 * waiting for a load (reader.c, scan.c, load.c, domain.c) and by drops
 * (frames.c), whose removals it queues with xact.c's end-of-transaction
 * queue.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/snapshot.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "storage/condition_variable.h"
#include "storage/fd.h"
#include "storage/shmem.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"

#include "snapshot.h"
#include "snapfile.h"
#include "xact.h"

#define SNAP_DIR				"pg_shmcache"

/*
 * Entry of the shared snapshot table, keyed like the frame table.
 */
typedef struct ShmcacheSnapEntry
{
	ShmcacheFrameKey key;		/* hash key, must be first */
	SnapState	state;			/* see SnapState */
	pid_t		saver_pid;		/* process saving the frame now, or 0 */
	bool		has_file;		/* a snapshot file is in place */
	TimestampTz last_saved;		/* when the file's contents were read */
	int64		rows;			/* rows in the file, -1 if unknown */
	int64		bytes;			/* size of the file */
	uint64		saved_changes;	/* ShmcacheFrame.changes the file holds */
} ShmcacheSnapEntry;

/* Shared state of this file. */
typedef struct ShmcacheSnapShared
{
	LWLock	   *lock;			/* protects the snapshot table */
	ConditionVariable cv;		/* broadcast when a load or a save ends */
	pg_atomic_uint32 npending;	/* entries PENDING or LOADING */
	pid_t		leader_pid;		/* the running leader, or 0 (under lock) */
} ShmcacheSnapShared;

/*
 * A query waiting for a frame to be loaded while no leader runs gives up
 * after this many seconds (the leader could not be started at all, e.g.
 * max_worker_processes was exhausted).
 */
#define SNAP_NO_LEADER_TIMEOUT	30

static ShmcacheSnapShared *snap_shared = NULL;
static HTAB *snap_table = NULL;

/*
 * Frame id this process is restoring as the autoload worker; waits for that
 * frame's pending load are skipped (it is us).
 */
int64		shmcache_loading_frame = 0;


/*
 * shmcache_snapshot_table_size
 *		How many entries the snapshot table can hold.
 */
Size
shmcache_snapshot_table_size(void)
{
	/* Files of frames not loaded yet, plus every frame held in memory. */
	return mul_size(shmcache_max_frames, 2);
}

/*
 * shmcache_snapshot_path
 *		The snapshot file of frame "frame_id" of database "dbid", relative to
 *		the data directory.  "path" has MAXPGPATH bytes.
 */
void
shmcache_snapshot_path(char *path, Oid dbid, int64 frame_id)
{
	snprintf(path, MAXPGPATH, SNAP_DIR "/%u." INT64_FORMAT ".snap", dbid,
			 frame_id);
}

/*
 * shmcache_snapshot_shmem_request
 *		Reserve the snapshot table and its lock (shmem_request_hook).
 */
void
shmcache_snapshot_shmem_request(void)
{
	Size		entries = shmcache_snapshot_table_size();

	RequestAddinShmemSpace(add_size(MAXALIGN(sizeof(ShmcacheSnapShared)),
									hash_estimate_size(entries,
													   sizeof(ShmcacheSnapEntry))));
	RequestNamedLWLockTranche("shmcache snapshots", 1);
}

/*
 * Fill the snapshot table from the files in pg_shmcache: one entry per
 * snapshot, pending if it is to be autoloaded.  Leftover temporary files of
 * saves cut short by a crash are removed.  Runs in the postmaster, so it
 * only logs problems.
 */
static void
scan_snapshot_directory(void)
{
	DIR		   *dir;
	struct dirent *de;
	bool		autoload = shmcache_autoload;
	int			nfiles = 0;
	Size		entries = shmcache_snapshot_table_size();

	if (MakePGDirectory(SNAP_DIR) < 0 && errno != EEXIST)
	{
		ereport(LOG,
				(errcode_for_file_access(),
				 errmsg("could not create directory \"%s\": %m", SNAP_DIR)));
		return;
	}

	/* A standby does not load frames: it cannot take write claims. */
	if (access("standby.signal", F_OK) == 0)
		autoload = false;

	dir = AllocateDir(SNAP_DIR);
	while ((de = ReadDirExtended(dir, SNAP_DIR, LOG)) != NULL)
	{
		char		path[MAXPGPATH];
		unsigned int dbid;
		long long	frame_id;
		int			len = 0;
		size_t		namelen = strlen(de->d_name);
		ShmcacheFrameKey key;
		ShmcacheSnapEntry *entry;
		ShmcacheSnapFileInfo info;
		struct stat st;
		bool		found;

		snprintf(path, sizeof(path), SNAP_DIR "/%s", de->d_name);
		if (namelen > 4 && strcmp(de->d_name + namelen - 4, ".tmp") == 0)
		{
			if (unlink(path) != 0)
				ereport(LOG,
						(errcode_for_file_access(),
						 errmsg("could not remove file \"%s\": %m", path)));
			continue;
		}
		if (sscanf(de->d_name, "%u.%lld.snap%n", &dbid, &frame_id, &len) != 2 ||
			len != (int) namelen || frame_id <= 0 || stat(path, &st) != 0)
			continue;

		memset(&key, 0, sizeof(key));
		key.dbid = dbid;
		key.frame_id = frame_id;
		entry = hash_get_num_entries(snap_table) < (long) entries ?
			hash_search(snap_table, &key, HASH_ENTER_NULL, &found) : NULL;
		if (entry == NULL)
		{
			ereport(LOG,
					(errmsg("shmcache: too many snapshot files, \"%s\" is ignored", path),
					 errhint("Increase shmcache.max_frames.")));
			continue;
		}
		entry->state = autoload ? SNAP_PENDING : SNAP_UNLOADED;
		entry->saver_pid = 0;
		entry->has_file = true;
		entry->bytes = st.st_size;
		entry->saved_changes = 0;
		if (shmcache_snapfile_peek(path, &info))
		{
			entry->rows = (int64) info.nrows;
			entry->last_saved = info.saved_at;
		}
		else
		{
			entry->rows = -1;
			entry->last_saved = time_t_to_timestamptz(st.st_mtime);
		}
		if (autoload)
			pg_atomic_fetch_add_u32(&snap_shared->npending, 1);
		nfiles++;
	}
	FreeDir(dir);

	if (nfiles > 0)
		ereport(LOG,
				(errmsg("shmcache: found %d frame snapshots in \"%s\"%s",
						nfiles, SNAP_DIR,
						autoload ? ", to be loaded by the autoload worker" : "")));
}

/*
 * shmcache_snapshot_shmem_startup
 *		Create or attach the snapshot table (shmem_startup_hook).  In the
 *		postmaster, at server start and after a crash restart, fill it from
 *		the snapshot directory.
 */
void
shmcache_snapshot_shmem_startup(void)
{
	HASHCTL		info;
	bool		found;

	snap_shared = NULL;
	snap_table = NULL;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	snap_shared = ShmemInitStruct("shmcache snapshots",
								  MAXALIGN(sizeof(ShmcacheSnapShared)), &found);
	if (!found)
	{
		snap_shared->lock = &(GetNamedLWLockTranche("shmcache snapshots"))->lock;
		ConditionVariableInit(&snap_shared->cv);
		pg_atomic_init_u32(&snap_shared->npending, 0);
		snap_shared->leader_pid = 0;
	}
	memset(&info, 0, sizeof(info));
	info.keysize = sizeof(ShmcacheFrameKey);
	info.entrysize = sizeof(ShmcacheSnapEntry);
	snap_table = ShmemInitHash("shmcache snapshot table",
							   shmcache_snapshot_table_size(),
							   shmcache_snapshot_table_size(),
							   &info, HASH_ELEM | HASH_BLOBS);
	/* Not in a single-user backend: no autoload worker would come. */
	if (!found && IsPostmasterEnvironment && !IsUnderPostmaster)
		scan_snapshot_directory();
	LWLockRelease(AddinShmemInitLock);
}

/*
 * shmcache_snapshot_wait_loaded
 *		If frame "frame_id" of this database is still waiting to be loaded
 *		by the autoload worker, wait until it is (or its load failed).
 *		Readers wait only with shmcache.autoload_wait = on ("always" false),
 *		writers always, so that their rows are never overwritten by the load.
 *		Cheap when nothing is pending.  Called with no LWLock held.
 */
void
shmcache_snapshot_wait_loaded(int64 frame_id, bool always)
{
	ShmcacheFrameKey key;
	bool		waited = false;
	int			no_leader = 0;

	if (snap_shared == NULL ||
		pg_atomic_read_u32(&snap_shared->npending) == 0)
		return;
	if (!always && !shmcache_autoload_wait)
		return;
	if (frame_id == shmcache_loading_frame)
		return;

	key = shmcache_frame_key(MyDatabaseId, frame_id);
	for (;;)
	{
		ShmcacheSnapEntry *entry;
		bool		pending;

		pid_t		leader;

		LWLockAcquire(snap_shared->lock, LW_SHARED);
		entry = hash_search(snap_table, &key, HASH_FIND, NULL);
		pending = entry != NULL &&
			(entry->state == SNAP_PENDING || entry->state == SNAP_LOADING);
		leader = snap_shared->leader_pid;
		LWLockRelease(snap_shared->lock);
		if (!pending)
			break;
		if (!waited)
			ereport(DEBUG1,
					(errmsg_internal("waiting for the autoload of frame " INT64_FORMAT,
									 frame_id)));
		waited = true;
		no_leader = leader == 0 ? no_leader + 1 : 0;
		if (no_leader > SNAP_NO_LEADER_TIMEOUT)
		{
			int			n = shmcache_snapshot_abandon_pending(InvalidOid);

			if (n > 0)
				ereport(WARNING,
						(errmsg("shmcache: no autoload worker is running; %d frames are not loaded", n),
						 errhint("Check max_worker_processes and the server log.")));
			break;
		}
		/* Wake up every second to notice a missing leader. */
		(void) ConditionVariableTimedSleep(&snap_shared->cv, 1000L, PG_WAIT_EXTENSION);
	}
	if (waited)
		ConditionVariableCancelSleep();
}

/* ----------------------------------------------------------------------
 * The snapshot table: saver claims
 * ----------------------------------------------------------------------
 */

/*
 * shmcache_snapshot_release
 *		Give up the saver claim of frame "key" taken by
 *		shmcache_snapshot_claim() and wake waiting savers.  Must not fail
 *		(runs in a save's error cleanup).
 */
void
shmcache_snapshot_release(const ShmcacheFrameKey *key)
{
	ShmcacheSnapEntry *entry;

	LWLockAcquire(snap_shared->lock, LW_EXCLUSIVE);
	entry = hash_search(snap_table, key, HASH_FIND, NULL);
	if (entry != NULL && entry->saver_pid == MyProcPid)
		entry->saver_pid = 0;
	LWLockRelease(snap_shared->lock);
	ConditionVariableBroadcast(&snap_shared->cv);
}

/*
 * shmcache_snapshot_claim
 *		Become the one saver of frame "key": false if the frame is waiting to
 *		be loaded (there is nothing to save yet), or if another process is
 *		saving it and "wait" is false.  Otherwise waits for that process.
 *		On success sets *saved_changes to the frame's change count its last
 *		save saw.
 */
bool
shmcache_snapshot_claim(const ShmcacheFrameKey *key, bool wait,
						uint64 *saved_changes)
{
	bool		claimed = false;
	bool		slept = false;

	for (;;)
	{
		ShmcacheSnapEntry *entry;
		bool		found;
		bool		busy;

		LWLockAcquire(snap_shared->lock, LW_EXCLUSIVE);
		entry = hash_search(snap_table, key, HASH_FIND, NULL);
		found = entry != NULL;
		if (!found &&
			hash_get_num_entries(snap_table) < (long) shmcache_snapshot_table_size())
			entry = hash_search(snap_table, key, HASH_ENTER_NULL, &found);
		if (entry == NULL)
		{
			LWLockRelease(snap_shared->lock);
			ereport(ERROR,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("too many shmcache snapshots"),
					 errhint("Increase shmcache.max_frames and restart the server.")));
		}
		if (!found)
		{
			entry->state = SNAP_IDLE;
			entry->saver_pid = 0;
			entry->has_file = false;
			entry->last_saved = 0;
			entry->rows = -1;
			entry->bytes = 0;
			entry->saved_changes = 0;
		}
		if (entry->state == SNAP_PENDING || entry->state == SNAP_LOADING ||
			entry->state == SNAP_UNLOADED)
		{
			/* Saving would replace rows the frame does not hold. */
			LWLockRelease(snap_shared->lock);
			break;
		}
		busy = entry->saver_pid != 0;
		if (!busy)
		{
			entry->saver_pid = MyProcPid;
			*saved_changes = entry->saved_changes;
			claimed = true;
		}
		LWLockRelease(snap_shared->lock);
		if (!busy || !wait)
			break;
		slept = true;
		ConditionVariableSleep(&snap_shared->cv, PG_WAIT_EXTENSION);
	}
	if (slept)
		ConditionVariableCancelSleep();
	return claimed;
}

/*
 * shmcache_snapshot_install
 *		Rename the file a save of frame "key" wrote, "tmp_path", to its
 *		snapshot "path" and record it in the table, unless the frame was
 *		dropped meanwhile (its frame table entry is gone or names another
 *		view).  The caller holds the frame's saver claim.  A drop removes the
 *		frame table entry before it removes the snapshot, and both wait for
 *		the snapshot lock held here, so a dropped frame's file never comes
 *		back.  The temporary file is left to the caller unless installed.
 */
ShmcacheSnapInstall
shmcache_snapshot_install(const ShmcacheFrameKey *key, const char *tmp_path,
						  const char *path, const ShmcacheSnapSaved *saved)
{
	ShmcacheFrame *frame;
	bool		still_there;
	int			rc = 0;

	LWLockAcquire(snap_shared->lock, LW_EXCLUSIVE);
	LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
	frame = hash_search(shmcache_frame_table(), key, HASH_FIND, NULL);
	still_there = frame != NULL && frame->viewoid == saved->viewoid;
	LWLockRelease(ShmcacheShared->lock);
	if (still_there)
	{
		rc = durable_rename(tmp_path, path, LOG);
		if (rc == 0)
		{
			ShmcacheSnapEntry *entry;

			entry = hash_search(snap_table, key, HASH_FIND, NULL);
			if (entry != NULL)
			{
				entry->has_file = true;
				entry->last_saved = saved->saved_at;
				entry->rows = (int64) saved->rows;
				entry->bytes = (int64) saved->bytes;
				entry->saved_changes = saved->changes;
			}
		}
	}
	LWLockRelease(snap_shared->lock);
	if (!still_there)
		return SNAP_INSTALL_DROPPED;
	return rc == 0 ? SNAP_INSTALLED : SNAP_INSTALL_FAILED;
}

/* ----------------------------------------------------------------------
 * The snapshot table: autoload bookkeeping
 * ----------------------------------------------------------------------
 */

/*
 * shmcache_snapshot_pending_databases
 *		Databases with frames waiting to be autoloaded.
 */
List *
shmcache_snapshot_pending_databases(void)
{
	HASH_SEQ_STATUS status;
	ShmcacheSnapEntry *entry;
	List	   *dbs = NIL;

	LWLockAcquire(snap_shared->lock, LW_SHARED);
	hash_seq_init(&status, snap_table);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (entry->state == SNAP_PENDING)
			dbs = list_append_unique_oid(dbs, entry->key.dbid);
	}
	LWLockRelease(snap_shared->lock);
	return dbs;
}

/*
 * shmcache_snapshot_set_leader
 *		Record the running leader (MyProcPid), or that it is gone (0).
 */
void
shmcache_snapshot_set_leader(pid_t pid)
{
	LWLockAcquire(snap_shared->lock, LW_EXCLUSIVE);
	snap_shared->leader_pid = pid;
	LWLockRelease(snap_shared->lock);
}

/*
 * shmcache_snapshot_next_pending
 *		Take the next frame of database "dbid" waiting to be autoloaded and
 *		mark it loading; 0 if there is none.
 */
int64
shmcache_snapshot_next_pending(Oid dbid)
{
	HASH_SEQ_STATUS status;
	ShmcacheSnapEntry *entry;
	ShmcacheSnapEntry *next = NULL;
	int64		frame_id = 0;

	LWLockAcquire(snap_shared->lock, LW_EXCLUSIVE);
	hash_seq_init(&status, snap_table);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (entry->key.dbid == dbid && entry->state == SNAP_PENDING &&
			(next == NULL || entry->key.frame_id < next->key.frame_id))
			next = entry;
	}
	if (next != NULL)
	{
		next->state = SNAP_LOADING;
		frame_id = next->key.frame_id;
	}
	LWLockRelease(snap_shared->lock);
	return frame_id;
}

/*
 * shmcache_snapshot_load_done
 *		The autoload of a frame ended: loaded (with "rows" rows), or not;
 *		"file_kept" tells whether its snapshot file is still in place.  Wakes
 *		the queries waiting for it.
 */
void
shmcache_snapshot_load_done(Oid dbid, int64 frame_id, bool loaded,
							bool file_kept, uint64 rows)
{
	ShmcacheFrameKey key;
	ShmcacheSnapEntry *entry;

	key = shmcache_frame_key(dbid, frame_id);
	LWLockAcquire(snap_shared->lock, LW_EXCLUSIVE);
	entry = hash_search(snap_table, &key, HASH_FIND, NULL);
	if (entry != NULL &&
		(entry->state == SNAP_PENDING || entry->state == SNAP_LOADING))
	{
		entry->state = loaded ? SNAP_LOADED :
			file_kept ? SNAP_UNLOADED : SNAP_IDLE;
		entry->has_file = file_kept;
		if (!file_kept)
		{
			entry->last_saved = 0;
			entry->rows = -1;
			entry->bytes = 0;
		}
		if (loaded)
		{
			ShmcacheFrame *frame;

			entry->rows = (int64) rows;
			/* The restored contents are what the file holds. */
			LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
			frame = hash_search(shmcache_frame_table(), &key, HASH_FIND, NULL);
			if (frame != NULL)
				entry->saved_changes = frame->changes;
			LWLockRelease(ShmcacheShared->lock);
		}
		pg_atomic_fetch_sub_u32(&snap_shared->npending, 1);
	}
	LWLockRelease(snap_shared->lock);
	ConditionVariableBroadcast(&snap_shared->cv);
}

/*
 * shmcache_snapshot_abandon_pending
 *		Mark every frame of database "dbid" (every database if InvalidOid)
 *		still waiting to be autoloaded as not loaded, and wake the queries
 *		waiting for them: their loader is gone.  Returns how many there were.
 *		Must not fail (runs at process exit).
 */
int
shmcache_snapshot_abandon_pending(Oid dbid)
{
	HASH_SEQ_STATUS status;
	ShmcacheSnapEntry *entry;
	int			n = 0;

	if (snap_shared == NULL)
		return 0;
	LWLockAcquire(snap_shared->lock, LW_EXCLUSIVE);
	hash_seq_init(&status, snap_table);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if ((entry->key.dbid == dbid || !OidIsValid(dbid)) &&
			(entry->state == SNAP_PENDING || entry->state == SNAP_LOADING))
		{
			entry->state = SNAP_UNLOADED;
			pg_atomic_fetch_sub_u32(&snap_shared->npending, 1);
			n++;
		}
	}
	LWLockRelease(snap_shared->lock);
	if (n > 0)
		ConditionVariableBroadcast(&snap_shared->cv);
	return n;
}

/* ----------------------------------------------------------------------
 * Dropped frames
 * ----------------------------------------------------------------------
 */

/*
 * snapshot_forget
 *		Frame "frame_id" of database "dbid" (every frame of it if frame_id is
 *		0) is gone: remove its snapshot file and its entry.  Called after the
 *		frame left the frame table (see the file header).  Only logs
 *		problems: it runs at commit.
 */
static void
snapshot_forget(Oid dbid, int64 frame_id)
{
	HASH_SEQ_STATUS status;
	ShmcacheSnapEntry *entry;
	bool		woke = false;

	if (snap_shared == NULL)
		return;
	LWLockAcquire(snap_shared->lock, LW_EXCLUSIVE);
	hash_seq_init(&status, snap_table);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (entry->key.dbid != dbid ||
			(frame_id != 0 && entry->key.frame_id != frame_id))
			continue;
		if (entry->state == SNAP_PENDING || entry->state == SNAP_LOADING)
		{
			pg_atomic_fetch_sub_u32(&snap_shared->npending, 1);
			woke = true;
		}
		if (entry->saver_pid == 0)
			hash_search(snap_table, &entry->key, HASH_REMOVE, NULL);
		else
		{
			/* Its saver will find the frame gone; keep its claim. */
			entry->state = SNAP_IDLE;
			entry->has_file = false;
		}
	}
	if (frame_id != 0)
	{
		char		path[MAXPGPATH];

		shmcache_snapshot_path(path, dbid, frame_id);
		if (unlink(path) != 0 && errno != ENOENT)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("could not remove file \"%s\": %m", path)));
	}
	else
	{
		/* Plain opendir(): this runs at commit and must not fail. */
		DIR		   *dir = opendir(SNAP_DIR);
		struct dirent *de;
		char		prefix[32];

		snprintf(prefix, sizeof(prefix), "%u.", dbid);
		while (dir != NULL && (de = readdir(dir)) != NULL)
		{
			char		path[MAXPGPATH];
			size_t		len = strlen(de->d_name);

			if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
				len < 5 || strcmp(de->d_name + len - 5, ".snap") != 0)
				continue;
			snprintf(path, sizeof(path), SNAP_DIR "/%s", de->d_name);
			if (unlink(path) != 0 && errno != ENOENT)
				ereport(LOG,
						(errcode_for_file_access(),
						 errmsg("could not remove file \"%s\": %m", path)));
		}
		if (dir != NULL)
			closedir(dir);
	}
	LWLockRelease(snap_shared->lock);
	if (woke)
		ConditionVariableBroadcast(&snap_shared->cv);
}

/* snapshot_forget as a ShmcacheXactAction. */
static void
forget_action(Oid dbid, Oid viewoid, int64 frame_id)
{
	snapshot_forget(dbid, frame_id);
}

/*
 * shmcache_snapshot_forget_on_commit
 *		A frame (frame_id, or with 0 every frame of database "dbid") is being
 *		dropped: remove its snapshot when this transaction commits, after the
 *		frame left the frame table (the caller queues that first).
 */
void
shmcache_snapshot_forget_on_commit(Oid dbid, int64 frame_id)
{
	shmcache_xact_at_end(true, forget_action, dbid, InvalidOid, frame_id);
}

/*
 * shmcache_snapshot_forget_on_abort
 *		Frame "frame_id" was created by this transaction: if it aborts, remove
 *		any snapshot a save in it wrote.
 */
void
shmcache_snapshot_forget_on_abort(int64 frame_id)
{
	shmcache_xact_at_end(false, forget_action, MyDatabaseId, InvalidOid, frame_id);
}

/*
 * Mark the unloaded snapshot of frame "frame_id" of "dbid" settled (a
 * ShmcacheXactAction).
 */
static void
settle(Oid dbid, Oid viewoid, int64 frame_id)
{
	ShmcacheFrameKey key;
	ShmcacheSnapEntry *entry;

	key = shmcache_frame_key(dbid, frame_id);
	LWLockAcquire(snap_shared->lock, LW_EXCLUSIVE);
	entry = hash_search(snap_table, &key, HASH_FIND, NULL);
	if (entry != NULL && entry->state == SNAP_UNLOADED)
		entry->state = SNAP_IDLE;
	LWLockRelease(snap_shared->lock);
}

/*
 * shmcache_snapshot_settle_on_commit
 *		This transaction replaces every row of frame "frame_id" (a restore or
 *		a truncate): when it commits, a snapshot that was not loaded stops
 *		blocking appends and saves.  Until then, this transaction may append.
 */
void
shmcache_snapshot_settle_on_commit(int64 frame_id)
{
	shmcache_xact_at_end(true, settle, MyDatabaseId, InvalidOid, frame_id);
}

/*
 * shmcache_snapshot_check_appendable
 *		Refuse to append to frame "frame_id" while its snapshot holds rows
 *		that were not loaded: they would be replaced by the next save.
 */
void
shmcache_snapshot_check_appendable(int64 frame_id, const char *frame_name)
{
	if (shmcache_snapshot_unloaded(frame_id) &&
		!shmcache_xact_at_commit_queued(settle, MyDatabaseId, frame_id))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("frame \"%s\" has a snapshot that was not loaded", frame_name),
				 errdetail("Rows appended now would replace the snapshot's rows at the next save."),
				 errhint("Load the snapshot with shmcache.restore(), or discard it with shmcache.truncate().")));
}

/* ----------------------------------------------------------------------
 * The snapshot table: what the SQL functions read
 * ----------------------------------------------------------------------
 */

/*
 * The load state of frame "frame_id" of this database, and whether a file
 * exists for it; SNAP_IDLE and false if the table has no entry for it.
 */
static SnapState
snapshot_state(int64 frame_id, bool *has_file)
{
	ShmcacheFrameKey key;
	ShmcacheSnapEntry *entry;
	SnapState	state = SNAP_IDLE;

	*has_file = false;
	key = shmcache_frame_key(MyDatabaseId, frame_id);
	LWLockAcquire(snap_shared->lock, LW_SHARED);
	entry = hash_search(snap_table, &key, HASH_FIND, NULL);
	if (entry != NULL)
	{
		state = entry->state;
		*has_file = entry->has_file;
	}
	LWLockRelease(snap_shared->lock);
	return state;
}

/*
 * shmcache_snapshot_unloaded
 *		Does frame "frame_id" of this database have a snapshot not loaded?
 */
bool
shmcache_snapshot_unloaded(int64 frame_id)
{
	bool		has_file;

	return snapshot_state(frame_id, &has_file) == SNAP_UNLOADED;
}

/*
 * shmcache_snapshot_exists
 *		Does a snapshot entry say a file exists for frame "frame_id" of this
 *		database?
 */
bool
shmcache_snapshot_exists(int64 frame_id)
{
	bool		has_file;

	(void) snapshot_state(frame_id, &has_file);
	return has_file;
}

/*
 * shmcache_snapshot_list
 *		Copy the entries of database "dbid" into "rows", at most "max" of
 *		them; returns how many were copied.
 */
int
shmcache_snapshot_list(Oid dbid, ShmcacheSnapStatus *rows, int max)
{
	HASH_SEQ_STATUS status;
	ShmcacheSnapEntry *entry;
	int			nrows = 0;

	LWLockAcquire(snap_shared->lock, LW_SHARED);
	hash_seq_init(&status, snap_table);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (entry->key.dbid != dbid || nrows >= max)
			continue;
		rows[nrows].frame_id = entry->key.frame_id;
		rows[nrows].state = entry->state;
		rows[nrows].has_file = entry->has_file;
		rows[nrows].last_saved = entry->last_saved;
		rows[nrows].rows = entry->rows;
		rows[nrows].bytes = entry->bytes;
		nrows++;
	}
	LWLockRelease(snap_shared->lock);
	return nrows;
}
