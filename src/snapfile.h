/*-------------------------------------------------------------------------
 *
 * snapfile.h
 *	  The file format of frame snapshots (see snapfile.c): writing a
 *	  version's rows to an open file and reading a file back, checked.
 *
 * Layer: persistence, beside the stack; its bottom, over storage.  It knows
 * versions and files, nothing of the shared snapshot table, transactions or
 * the catalog.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/snapfile.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_SNAPFILE_H
#define SHMCACHE_SNAPFILE_H

#include "storage.h"

/*
 * Whose rows a snapshot file holds, as its header says: given by the caller
 * when writing, returned when reading.
 */
typedef struct ShmcacheSnapFileInfo
{
	Oid			dbid;			/* database of the frame */
	int64		frame_id;		/* frame_catalog.frame_id */
	Oid			viewoid;		/* the frame's view when saved */
	uint64		nrows;			/* rows in the file: the live ones of */
	uint64		stored_rows;	/* the version's first stored_rows rows */
	uint32		dseq;			/* with the deletes up to dseq */
	TimestampTz saved_at;		/* when the frame's rows were read */
} ShmcacheSnapFileInfo;

/* Writing */
extern uint64 shmcache_snapfile_write(int fd, const char *path,
									  const char *replaces,
									  ShmcacheVersion *version,
									  const ShmcacheSnapFileInfo *info);

/* Reading */
typedef struct ShmcacheSnapFileReader ShmcacheSnapFileReader;

/*
 * Called once per row read: "values" and "nulls" have one entry per column;
 * by-reference values point into memory that is reset after each block.
 */
typedef void (*ShmcacheSnapFileRowFunc) (Datum *values, bool *nulls, void *arg);

extern bool shmcache_snapfile_peek(const char *path, ShmcacheSnapFileInfo *info);
extern ShmcacheSnapFileReader *shmcache_snapfile_read_begin(const char *path,
															ShmcacheSnapFileInfo *info);
extern void shmcache_snapfile_read_columns(ShmcacheSnapFileReader *reader);
extern void shmcache_snapfile_check_columns(ShmcacheSnapFileReader *reader,
											ShmcacheVersion *version,
											TupleDesc tupdesc);
extern uint64 shmcache_snapfile_read_rows(ShmcacheSnapFileReader *reader,
										  ShmcacheSnapFileRowFunc row_func,
										  void *arg);

#endif							/* SHMCACHE_SNAPFILE_H */
