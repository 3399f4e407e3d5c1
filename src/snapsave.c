/*-------------------------------------------------------------------------
 *
 * snapsave.c
 *	  Saving a frame to its snapshot file, and restoring a frame from it.
 *
 * The shared snapshot table (snapshot.c) says who may save a frame and what
 * its snapshot holds; the file format is snapfile.c's.
 *
 * A frame is saved to pg_shmcache/<database oid>.<frame id>.snap under the
 * data directory.  A file is always written to a temporary name, fsynced
 * and renamed into place with durable_rename(), so a crash or a full disk in
 * the middle of a save leaves the previous snapshot as it was.
 *
 * Saving needs no database connection: the column layout is in the version
 * header in shared memory.  A save takes the frame's saver claim in the
 * snapshot table, pins the frame's current version and its published row
 * count under the frame table lock, exactly as a reader does, and then
 * reads published (immutable) rows only; neither readers nor the frame's
 * writer ever wait for it.  The file is put in place by
 * shmcache_snapshot_install(), which does not if the frame was dropped
 * meanwhile.
 *
 * Restoring runs in a transaction through the writer API: it takes the
 * frame's write claim, truncates, appends every row and checks the trailer
 * and the checksum at the end, before anything is published; a damaged file
 * therefore raises an error and the transaction's rollback leaves the frame
 * as it was.  The file's column definitions must equal the frame's.  A
 * damaged file is set aside (shmcache_snapshot_set_aside) by the autoload
 * worker, never loaded again.
 *
 * Locking: a save holds ShmcacheShared->lock (shared) only while it pins
 * the version; the snapshot table's lock is taken by snapshot.c.  A restore
 * takes no lock of its own: the caller holds RowExclusiveLock on the view,
 * and the frame's write claim is the writer API's.
 *
 * Layer: snapshots (persistence), beside snapshot.c: save and restore of one
 * frame, over the snapshot table (snapshot.c), the file format (snapfile.c)
 * and the writer and pin API of visibility (xact.c, pins.c).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/snapsave.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <unistd.h>

#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "utils/hsearch.h"
#include "utils/rel.h"

#include "snapshot.h"
#include "snapfile.h"
#include "xact.h"
#include "catalog.h"

/* ----------------------------------------------------------------------
 * Saving
 * ----------------------------------------------------------------------
 */

/* What the error cleanup of a save must undo. */
typedef struct SaveState
{
	int			fd;				/* the temporary file, or -1 */
	char		tmp_path[MAXPGPATH];	/* its name */
	char		path[MAXPGPATH];	/* the snapshot it is to replace */
	ShmcacheFrameKey key;
	dsa_pointer version_dp;		/* pinned version, or InvalidDsaPointer */
	bool		claimed;		/* we hold the frame's saver claim */
	ShmcacheSnapSaved saved;	/* what was saved */
} SaveState;

/*
 * Error (or FATAL exit) cleanup of a save: close and remove the temporary
 * file, unpin the version, give up the claim.  Must not fail.
 */
static void
save_cleanup(int code, Datum arg)
{
	SaveState  *s = (SaveState *) DatumGetPointer(arg);

	if (s->fd >= 0)
	{
		CloseTransientFile(s->fd);
		s->fd = -1;
	}
	if (s->tmp_path[0] != '\0')
		(void) unlink(s->tmp_path);
	if (DsaPointerIsValid(s->version_dp))
	{
		shmcache_version_unref(s->version_dp);
		s->version_dp = InvalidDsaPointer;
	}
	if (s->claimed)
	{
		shmcache_snapshot_release(&s->key);
		s->claimed = false;
	}
}

/*
 * The body of a save: pin the frame's current version and its published
 * rows (as a reader does), unless only_changed and it did not change since
 * the save that recorded "saved_changes"; then write the temporary file.
 * Leaves s->version_dp invalid if there was nothing to save.
 */
static void
save_write(SaveState *s, bool only_changed, uint64 saved_changes)
{
	ShmcacheFrame *frame;
	ShmcacheVersion *version;
	ShmcacheSnapFileInfo info;
	uint64		stored_rows = 0;
	uint32		dseq = 0;

	LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
	frame = hash_search(shmcache_frame_table(), &s->key, HASH_FIND, NULL);
	if (frame != NULL && (!only_changed || frame->changes != saved_changes))
	{
		s->version_dp = frame->current;
		version = dsa_get_address(shmcache_area(), s->version_dp);
		shmcache_version_ref(version);
		shmcache_version_state(version, &stored_rows, &dseq);
		s->saved.changes = frame->changes;
		s->saved.viewoid = frame->viewoid;
	}
	LWLockRelease(ShmcacheShared->lock);
	pg_read_barrier();
	s->saved.saved_at = GetCurrentTimestamp();
	if (!DsaPointerIsValid(s->version_dp))
		return;

	version = dsa_get_address(shmcache_area(), s->version_dp);
	s->saved.rows = shmcache_live_rows(version, stored_rows, dseq);
	shmcache_snapshot_path(s->path, s->key.dbid, s->key.frame_id);
	snprintf(s->tmp_path, MAXPGPATH, "%s.%d.tmp", s->path, MyProcPid);
	s->fd = OpenTransientFile(s->tmp_path,
							  O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);
	if (s->fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create file \"%s\": %m", s->tmp_path)));
	info.dbid = s->key.dbid;
	info.frame_id = s->key.frame_id;
	info.viewoid = s->saved.viewoid;
	info.nrows = s->saved.rows;
	info.stored_rows = stored_rows;
	info.dseq = dseq;
	info.saved_at = s->saved.saved_at;
	s->saved.bytes = shmcache_snapfile_write(s->fd, s->tmp_path, s->path,
											 version, &info);
	if (pg_fsync(s->fd) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not fsync file \"%s\": %m", s->tmp_path)));
	if (CloseTransientFile(s->fd) != 0)
	{
		s->fd = -1;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not close file \"%s\": %m", s->tmp_path)));
	}
	s->fd = -1;
}

/* save_write() with its error (and FATAL exit) cleanup. */
static void
save_write_protected(SaveState *s, bool only_changed, uint64 saved_changes)
{
	PG_ENSURE_ERROR_CLEANUP(save_cleanup, PointerGetDatum(s));
	{
		save_write(s, only_changed, saved_changes);
	}
	PG_END_ENSURE_ERROR_CLEANUP(save_cleanup, PointerGetDatum(s));
}

/*
 * shmcache_snapshot_save
 *		Save frame "frame_id" of database "dbid" if it is held in shared
 *		memory (and, with only_changed, if it changed since its last save).
 *		Waits for another save of the same frame if "wait", else skips.
 *		Returns whether a snapshot was written; fills *result.  Errors
 *		(full disk, ...) are raised after the temporary file is removed; the
 *		previous snapshot is never touched by a failed save.  Needs no
 *		database connection and takes no lock readers or writers wait for.
 */
bool
shmcache_snapshot_save(Oid dbid, int64 frame_id, bool only_changed, bool wait,
					   ShmcacheSaveResult *result)
{
	SaveState	s;
	uint64		saved_changes = 0;
	ShmcacheSnapInstall installed;

	memset(result, 0, sizeof(*result));
	memset(&s, 0, sizeof(s));
	s.fd = -1;
	s.version_dp = InvalidDsaPointer;
	s.key = shmcache_frame_key(dbid, frame_id);
	shmcache_require_shmem();

	if (!shmcache_snapshot_claim(&s.key, wait, &saved_changes))
		return false;
	s.claimed = true;

	save_write_protected(&s, only_changed, saved_changes);

	if (!DsaPointerIsValid(s.version_dp))
	{
		shmcache_snapshot_release(&s.key);
		return false;
	}
	shmcache_version_unref(s.version_dp);
	s.version_dp = InvalidDsaPointer;

	/* Put the file in place, unless the frame was dropped meanwhile. */
	installed = shmcache_snapshot_install(&s.key, s.tmp_path, s.path, &s.saved);
	shmcache_snapshot_release(&s.key);
	s.claimed = false;

	if (installed != SNAP_INSTALLED)
	{
		(void) unlink(s.tmp_path);
		if (installed == SNAP_INSTALL_FAILED)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not rename file \"%s\" to \"%s\"",
							s.tmp_path, s.path),
					 errdetail("The previous snapshot, if any, is left as it was.")));
		ereport(LOG,
				(errmsg("shmcache: frame " INT64_FORMAT " of database %u was dropped while it was being saved; the snapshot was discarded",
						frame_id, dbid)));
		return false;
	}

	result->saved = true;
	result->viewoid = s.saved.viewoid;
	result->rows = s.saved.rows;
	result->bytes = s.saved.bytes;
	return true;
}

/*
 * shmcache_snapshot_save_changed
 *		Save every frame of every database that changed since its last save
 *		(the saver: periodically and at shutdown).  A frame another process
 *		is saving is skipped, or with "wait" (at shutdown) waited for.  A
 *		frame that cannot be saved is reported and skipped.  Returns the
 *		number of frames saved.  Runs without a database connection and
 *		outside any transaction.
 */
int
shmcache_snapshot_save_changed(bool wait)
{
	HASH_SEQ_STATUS status;
	ShmcacheFrame *frame;
	ShmcacheFrameKey *keys;
	long		nkeys = 0;
	volatile int saved = 0;
	long		i;
	MemoryContext cxt = CurrentMemoryContext;

	shmcache_require_shmem();
	LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
	keys = palloc(sizeof(ShmcacheFrameKey) *
				  Max(hash_get_num_entries(shmcache_frame_table()), 1));
	hash_seq_init(&status, shmcache_frame_table());
	while ((frame = hash_seq_search(&status)) != NULL)
		keys[nkeys++] = frame->key;
	LWLockRelease(ShmcacheShared->lock);

	for (i = 0; i < nkeys; i++)
	{
		ShmcacheSaveResult result;
		TimestampTz start = GetCurrentTimestamp();

		PG_TRY();
		{
			if (shmcache_snapshot_save(keys[i].dbid, keys[i].frame_id, true,
									   wait, &result))
			{
				char		path[MAXPGPATH];

				shmcache_snapshot_path(path, keys[i].dbid, keys[i].frame_id);
				ereport(LOG,
						(errmsg("shmcache: saved frame " INT64_FORMAT " of database %u (%llu rows, %llu bytes) to \"%s\" in %ld ms",
								keys[i].frame_id, keys[i].dbid,
								(unsigned long long) result.rows,
								(unsigned long long) result.bytes, path,
								TimestampDifferenceMilliseconds(start, GetCurrentTimestamp()))));
				saved++;
			}
		}
		PG_CATCH();
		{
			/* Report and go on with the other frames. */
			MemoryContextSwitchTo(cxt);
			LWLockReleaseAll();
			EmitErrorReport();
			FlushErrorState();
		}
		PG_END_TRY();
	}
	pfree(keys);
	return saved;
}

/* ----------------------------------------------------------------------
 * Restoring
 * ----------------------------------------------------------------------
 */

/* Where a restore appends the rows it reads. */
typedef struct RestoreState
{
	Relation	view;			/* the frame's view */
	ShmcacheWriter *writer;		/* the frame's writer in this transaction */
} RestoreState;

/* Append a row read from a snapshot file (shmcache_snapfile_read_rows). */
static void
restore_row(Datum *values, bool *nulls, void *arg)
{
	RestoreState *rs = (RestoreState *) arg;

	shmcache_writer_append(rs->writer, rs->view, values, nulls);
}

/*
 * shmcache_snapshot_restore
 *		Replace the rows of the frame of "view" (frame "frame_id") by those
 *		of snapshot file "path", in the current transaction: the rows are
 *		published when it commits.  The caller holds RowExclusiveLock on the
 *		view and has checked privileges.  A damaged or truncated file raises
 *		ERRCODE_DATA_CORRUPTED, a file that does not match the frame's
 *		definition ERRCODE_DATATYPE_MISMATCH; the frame is then left as it was
 *		(after rollback).  Returns the number of rows restored.
 */
uint64
shmcache_snapshot_restore(Relation view, int64 frame_id, const char *path)
{
	ShmcacheSnapFileReader *reader;
	ShmcacheSnapFileInfo info;
	ShmcacheRead read;
	RestoreState rs;

	reader = shmcache_snapfile_read_begin(path, &info);
	if (info.dbid != MyDatabaseId || info.frame_id != frame_id)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("shmcache snapshot file \"%s\" does not match its frame", path),
				 errdetail("The file holds frame " INT64_FORMAT " of database %u.",
						   info.frame_id, info.dbid)));
	if (info.viewoid != RelationGetRelid(view))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("shmcache snapshot file \"%s\" does not match its frame", path),
				 errdetail("The file was written for the view with OID %u, the frame's view is \"%s\" (OID %u).",
						   info.viewoid, RelationGetRelationName(view),
						   RelationGetRelid(view))));
	shmcache_snapfile_read_columns(reader);

	/*
	 * The frame's layout (pinning brings it into shared memory if needed; on
	 * error the pin goes with the resource owner).
	 */
	shmcache_read_begin(frame_id, NULL, &read);
	shmcache_snapfile_check_columns(reader, read.version, RelationGetDescr(view));
	shmcache_read_end(&read);

	rs.view = view;
	rs.writer = shmcache_writer_begin(view, frame_id);
	shmcache_writer_truncate(rs.writer, view);
	shmcache_snapshot_settle_on_commit(frame_id);

	return shmcache_snapfile_read_rows(reader, restore_row, &rs);
}

/*
 * shmcache_snapshot_set_aside
 *		Rename a damaged or foreign snapshot file to <name>.bad, so that it
 *		is kept for inspection but never loaded again.  Only logs problems.
 */
void
shmcache_snapshot_set_aside(const char *path)
{
	char		bad[MAXPGPATH];

	snprintf(bad, sizeof(bad), "%s.bad", path);
	if (durable_rename(path, bad, LOG) == 0)
		ereport(LOG,
				(errmsg("shmcache: renamed damaged snapshot \"%s\" to \"%s\"", path, bad)));
}

