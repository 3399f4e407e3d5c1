/*-------------------------------------------------------------------------
 *
 * shmcache.h
 *	  What every file of shmcache shares: the GUCs (defined in shmcache.c)
 *	  and the version shims (compat.h).
 *
 * shmcache keeps frames -- typed, column-oriented tables -- once in the
 * postmaster's shared memory, read zero-copy by every backend.  A frame's
 * definition lives in the catalog table shmcache.frame_catalog and in a
 * view whose query is "SELECT * FROM shmcache.scan(<frame id>) AS
 * f(<columns>)"; its data lives in shared memory only.
 *
 * Each layer has its own header, and a file includes only the headers of
 * its own layer and the layers below (src/README draws them):
 *
 *	 frames.h    SQL surface (frames.c, load.c, utility.c, domain.c)
 *	 nodes.h     plan/exec nodes (scan.c, agg_*.c with aggregate.h)
 *	 reader.h    the one frame reader (reader.c)
 *	 filter.h    column-wise filters (filter.c)
 *	 xact.h      transactions and visibility (xact.c, pins.c)
 *	 catalog.h   definitions (catalog.c)
 *	 storage.h   frame layout (storage.c)
 *	 shmem.h     shared memory (shmem.c)
 *
 * and beside them, persistence: snapshot.h (snapshot.c, snapsave.c,
 * autoload.c, persist_sql.c) over snapfile.h (the file format).
 *
 * Layer: none; included by every file.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/shmcache.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_H
#define SHMCACHE_H

#include "compat.h"

/* GUCs (all defined in shmcache.c) */
extern int	shmcache_size_mb;
extern int	shmcache_max_frames;
extern bool shmcache_enable_customscan;
extern bool shmcache_enable_pushdown;
extern bool shmcache_autoload;
extern bool shmcache_autoload_wait;
extern int	shmcache_save_interval;
extern int	shmcache_autovacuum_naptime;
extern int	shmcache_autovacuum_threshold;
extern double shmcache_autovacuum_scale_factor;
extern int	shmcache_debug_io_delay;
extern int	shmcache_debug_commit_delay;

#endif							/* SHMCACHE_H */
