/*-------------------------------------------------------------------------
 *
 * shmcache.c
 *	  Module entry point: every GUC, and hook and worker registration.
 *
 * shmcache must be loaded through shared_preload_libraries: its memory is
 * reserved when the postmaster starts.  Loaded any other way, the library
 * registers nothing and every SQL function raises one clear error.
 *
 * Layer: module entry: registers every layer's hooks and defines every GUC.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/shmcache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/guc.h"

#include "frames.h"
#include "nodes.h"
#include "xact.h"
#include "catalog.h"
#include "persist.h"
#include "shmem.h"

PG_MODULE_MAGIC;

/* GUC variables */
int			shmcache_size_mb = 256;
int			shmcache_max_frames = 1000;
bool		shmcache_enable_pushdown = true;
bool		shmcache_enable_customscan = true;
bool		shmcache_autoload = true;
bool		shmcache_autoload_wait = true;
int			shmcache_save_interval = 300;
int			shmcache_autovacuum_naptime = 60;
int			shmcache_autovacuum_threshold = 10000;
double		shmcache_autovacuum_scale_factor = 0.2;
int			shmcache_debug_io_delay = 0;
int			shmcache_debug_commit_delay = 0;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

void		_PG_init(void);

static void
shmcache_request_hook(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	shmcache_shmem_request();
	shmcache_snapshot_shmem_request();
}

static void
shmcache_startup_hook(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	shmcache_shmem_startup();
	shmcache_snapshot_shmem_startup();
}

/*
 * Define the GUCs that need shared memory; PGC_POSTMASTER variables can only
 * be defined while shared_preload_libraries are being loaded.
 */
static void
shmcache_define_shmem_gucs(void)
{
	DefineCustomIntVariable("shmcache.size",
							"Shared memory reserved for frames at server start.",
							"Frames of all databases share it.",
							&shmcache_size_mb,
							256,
							16,
							INT_MAX / 2,
							PGC_POSTMASTER,
							GUC_UNIT_MB,
							NULL,
							NULL,
							NULL);

	DefineCustomIntVariable("shmcache.max_frames",
							"Maximum number of frames held in shared memory, in all databases.",
							NULL,
							&shmcache_max_frames,
							1000,
							1,
							1000000,
							PGC_POSTMASTER,
							0,
							NULL,
							NULL,
							NULL);
}

/* Define the GUCs that exist however the library is loaded. */
static void
shmcache_define_session_gucs(void)
{
	DefineCustomBoolVariable("shmcache.enable_customscan",
							 "Read frames with the ShmcacheScan custom scan node.",
							 "When off, frames are read by the plain function scan of shmcache.scan().",
							 &shmcache_enable_customscan,
							 true,
							 PGC_USERSET,
							 0,
							 NULL,
							 NULL,
							 NULL);

	DefineCustomBoolVariable("shmcache.enable_pushdown",
							 "Compute aggregates over a frame in the ShmcacheAggregate node.",
							 "When off, aggregates are computed by PostgreSQL's Agg node over a frame scan.",
							 &shmcache_enable_pushdown,
							 true,
							 PGC_USERSET,
							 0,
							 NULL,
							 NULL,
							 NULL);
}

/* A hidden, superuser-only delay in milliseconds, for tests only. */
static void
define_debug_delay(const char *name, const char *description, int *variable)
{
	DefineCustomIntVariable(name,
							description,
							NULL,
							variable,
							0,
							0,
							10000,
							PGC_SUSET,
							GUC_UNIT_MS | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							NULL,
							NULL,
							NULL);
}

/*
 * Define the persistence GUCs (see autoload.c and snapshot.c); with the
 * shared memory ones, while shared_preload_libraries are being loaded.
 */
static void
shmcache_define_persistence_gucs(void)
{
	DefineCustomBoolVariable("shmcache.autoload",
							 "Load every frame that has a snapshot at server start.",
							 "A background worker loads them; queries that reach a frame "
							 "before it is loaded wait for it (see shmcache.autoload_wait).",
							 &shmcache_autoload,
							 true,
							 PGC_POSTMASTER,
							 0,
							 NULL,
							 NULL,
							 NULL);

	DefineCustomBoolVariable("shmcache.autoload_wait",
							 "Queries wait for a frame that is still being loaded at server start.",
							 "When off, such a query reads the frame as empty.  Writers always wait.",
							 &shmcache_autoload_wait,
							 true,
							 PGC_USERSET,
							 0,
							 NULL,
							 NULL,
							 NULL);

	DefineCustomIntVariable("shmcache.save_interval",
							"Time between saves of the frames changed since their last save.",
							"Frames are also saved at a clean shutdown. "
							"If set to zero, they are saved only at shutdown.",
							&shmcache_save_interval,
							300,
							0,
							INT_MAX / 1000,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL,
							NULL,
							NULL);

	DefineCustomIntVariable("shmcache.autovacuum_naptime",
							"Time between checks for frames to vacuum.",
							"A frame whose deleted rows exceed shmcache.autovacuum_threshold "
							"plus shmcache.autovacuum_scale_factor of its rows is rewritten "
							"without them in the background.  If set to zero, never.",
							&shmcache_autovacuum_naptime,
							60,
							0,
							INT_MAX / 1000,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL,
							NULL,
							NULL);
	DefineCustomIntVariable("shmcache.autovacuum_threshold",
							"Deleted rows a frame has at least before it is vacuumed in the background.",
							NULL,
							&shmcache_autovacuum_threshold,
							10000,
							0,
							INT_MAX,
							PGC_SIGHUP,
							0,
							NULL,
							NULL,
							NULL);
	DefineCustomRealVariable("shmcache.autovacuum_scale_factor",
							 "Share of a frame's rows, deleted ones included, its deleted rows exceed before it is vacuumed in the background.",
							 NULL,
							 &shmcache_autovacuum_scale_factor,
							 0.2,
							 0.0,
							 1.0,
							 PGC_SIGHUP,
							 0,
							 NULL,
							 NULL,
							 NULL);

	define_debug_delay("shmcache.debug_io_delay",
					   "Sleep this long after each block of rows saved or restored (testing only).",
					   &shmcache_debug_io_delay);
	define_debug_delay("shmcache.debug_commit_delay",
					   "Sleep this long at commit before a frame's rows are published (testing only).",
					   &shmcache_debug_commit_delay);
}

void
_PG_init(void)
{
	shmcache_define_session_gucs();
	if (!process_shared_preload_libraries_in_progress)
		return;
	shmcache_define_shmem_gucs();
	shmcache_define_persistence_gucs();
	shmcache_autoload_init();
	MarkGUCPrefixReserved("shmcache");

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = shmcache_request_hook;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = shmcache_startup_hook;

	shmcache_xact_init();
	shmcache_pins_init();
	shmcache_catalog_init();
	shmcache_frames_init();
	shmcache_process_utility_init();
	shmcache_load_init();
	shmcache_modify_init();
	shmcache_follow_init();
	shmcache_scan_init();
	shmcache_aggregate_init();
	shmcache_lookup_init();
	shmcache_topn_init();
}
