/*-------------------------------------------------------------------------
 *
 * shmcache.h
 *	  Shared declarations of shmcache: frames held once in the postmaster's
 *	  shared memory, read zero-copy by every backend.
 *
 * A frame is a typed, column-oriented table.  Its definition lives in the
 * catalog table shmcache.frame_catalog and in a view whose query is
 * "SELECT * FROM shmcache.scan(<frame id>) AS f(<columns>)"; its data lives
 * in shared memory only.
 *
 * Shared memory layout (see shmem.c):
 *
 *	 [ ShmcacheControl | frame hash table | DSA area created in place ]
 *
 * A frame's data is a *version* (ShmcacheVersion): a header with the column
 * layout and a two-level directory of chunks.  A chunk holds SHMCACHE_CHUNK_ROWS
 * rows, column by column: for each column an array of fixed-width values (or,
 * for variable-width types, offsets of complete varlenas kept in data blocks)
 * and a null bitmap.  See storage.c for the rules that let readers scan a
 * version while its single writer appends to it.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/shmcache.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_H
#define SHMCACHE_H

#include "access/tupdesc.h"
#include "catalog/objectaccess.h"
#include "nodes/primnodes.h"
#include "port/atomics.h"
#include "storage/lockdefs.h"
#include "storage/lwlock.h"
#include "tcop/utility.h"
#include "utils/dsa.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"
#include "utils/timestamp.h"

#include "compat.h"

/* Rows per chunk; a power of two so that row -> (chunk, slot) is a shift. */
#define SHMCACHE_CHUNK_SHIFT		14
#define SHMCACHE_CHUNK_ROWS			(1 << SHMCACHE_CHUNK_SHIFT)
#define SHMCACHE_CHUNK_MASK			(SHMCACHE_CHUNK_ROWS - 1)

/* Chunk directory: SHMCACHE_DIR_SLOTS pages of SHMCACHE_DIR_PAGE chunks each. */
#define SHMCACHE_DIR_PAGE			1024
#define SHMCACHE_DIR_SLOTS			256
#define SHMCACHE_MAX_CHUNKS			((uint64) SHMCACHE_DIR_SLOTS * SHMCACHE_DIR_PAGE)

/* Largest size of a data block of variable-width values (larger values get
 * a block of their own). */
#define SHMCACHE_BLOCK_SIZE			(256 * 1024)

/* GUCs (all defined in shmcache.c) */
extern int	shmcache_size_mb;
extern int	shmcache_max_frames;
extern bool shmcache_enable_customscan;
extern bool shmcache_enable_pushdown;
extern bool shmcache_autoload;
extern bool shmcache_autoload_wait;
extern int	shmcache_save_interval;
extern int	shmcache_debug_io_delay;
extern int	shmcache_debug_commit_delay;

/*
 * How a column's values are stored and compared.  The integer kinds are the
 * types whose values are signed integers of that width ordered as integers
 * (int2, int4, int8, date, time, timestamp, timestamptz); the float kinds are
 * float4 and float8.  Chunks keep min/max of these for skipping.  Every
 * variable-width column is dictionary-coded (see storage.c).
 */
typedef enum ShmcacheKind
{
	SHMCACHE_KIND_OTHER = 0,	/* any other fixed-width type */
	SHMCACHE_KIND_INT16,
	SHMCACHE_KIND_INT32,
	SHMCACHE_KIND_INT64,
	SHMCACHE_KIND_FLOAT4,
	SHMCACHE_KIND_FLOAT8,
	SHMCACHE_KIND_VARLENA		/* dictionary-coded variable-width type */
} ShmcacheKind;

#define SHMCACHE_KIND_IS_INT(k) \
	((k) == SHMCACHE_KIND_INT16 || (k) == SHMCACHE_KIND_INT32 || (k) == SHMCACHE_KIND_INT64)
#define SHMCACHE_KIND_IS_FLOAT(k) \
	((k) == SHMCACHE_KIND_FLOAT4 || (k) == SHMCACHE_KIND_FLOAT8)

/*
 * One column of a frame, as stored.  Immutable once the version is created.
 */
typedef struct ShmcacheColumn
{
	Oid			typid;			/* pg_type OID of the column */
	int32		typmod;			/* type modifier (enforced on load) */
	Oid			collation;		/* column collation */
	int16		typlen;			/* pg_type.typlen; -1 varlena */
	bool		typbyval;		/* pg_type.typbyval */
	char		typalign;		/* pg_type.typalign */
	char		typstorage;		/* the view column's attstorage, which is
								 * pg_type.typstorage: varlenas of a
								 * TYPSTORAGE_PLAIN type keep a 4-byte
								 * header */
	bool		notnull;		/* NOT NULL enforced on load */
	ShmcacheKind kind;			/* storage and comparison class */
	uint32		stride;			/* bytes per value slot in the values array */
	Size		stats_off;		/* offset of the ShmcacheStats in a chunk */
	Size		dict_off;		/* offset of the ShmcacheDict, 0 if none */
	Size		values_off;		/* offset of the values array in a chunk */
	Size		nulls_off;		/* offset of the null bitmap, 0 if NOT NULL */
} ShmcacheColumn;

/*
 * Per chunk and column: what a scan can know without reading the values.
 * Maintained by the writer as it appends, before rows are published, so a
 * reader may see figures that also cover rows it cannot see yet: the range
 * is then wider and the null count higher than for its rows, never the
 * reverse, which is what skipping needs.
 */
typedef struct ShmcacheStats
{
	uint32		nnulls;			/* null values stored (an upper bound) */
	bool		has_range;		/* min/max are set (integer/float kinds) */
	bool		has_nan;		/* a NaN was stored (float kinds; not in
								 * min/max) */
	union
	{
		int64		i;
		double		f;
	}			min, max;
} ShmcacheStats;

/*
 * Dictionary of a variable-width column in one chunk.  The column's value
 * slots hold 16-bit codes (a chunk has at most 2^14 rows, so codes never run
 * out); entry "code" is the offset of a complete varlena in the chunk's data
 * blocks, reached through segments of SHMCACHE_DICT_SEG entries.  Equal
 * values share one entry while the dictionary is small; past
 * SHMCACHE_DICT_DEDUPE entries new values simply get new entries.
 */
#define SHMCACHE_DICT_SEG_SHIFT		8
#define SHMCACHE_DICT_SEG			(1 << SHMCACHE_DICT_SEG_SHIFT)
#define SHMCACHE_DICT_SEG_MASK		(SHMCACHE_DICT_SEG - 1)
#define SHMCACHE_DICT_SEGMENTS		(SHMCACHE_CHUNK_ROWS / SHMCACHE_DICT_SEG)
#define SHMCACHE_DICT_DEDUPE		4096

typedef struct ShmcacheDict
{
	uint32		nentries;		/* entries stored (writer) */
	uint32		npublished;		/* entries referenced by published rows */
	uint64		segments[SHMCACHE_DICT_SEGMENTS];	/* area offsets */
} ShmcacheDict;

/*
 * A version of a frame's contents.  Allocated in the DSA area as one piece:
 * this header followed by natts ShmcacheColumn entries.
 *
 * Readers pin a version (refcount) and read rows [0, nrows) only.  The one
 * writer of the frame appends past nrows and publishes by advancing nrows
 * after a write barrier; published bytes are never modified.  The frame
 * table's reference to its current version counts as one reference; the
 * version is freed by whoever drops the last reference.
 */
typedef struct ShmcacheVersion
{
	pg_atomic_uint32 refcount;	/* pins + frame's current reference */
	pg_atomic_uint64 nrows;		/* published (committed) rows */
	pg_atomic_uint64 bytes;		/* footprint of this version's allocations */
	uint64		nchunks;		/* chunks allocated (writer-only) */
	dsa_pointer dir[SHMCACHE_DIR_SLOTS];	/* pages of chunk pointers */
	Size		chunk_size;		/* bytes of one chunk */
	int			natts;			/* number of columns */
	ShmcacheColumn cols[FLEXIBLE_ARRAY_MEMBER];
} ShmcacheVersion;

/*
 * Header of a chunk.  The column arrays follow at the offsets given by the
 * version's ShmcacheColumn entries.
 */
typedef struct ShmcacheChunk
{
	dsa_pointer blocks;			/* newest data block of variable-width
								 * values, or InvalidDsaPointer */
} ShmcacheChunk;

/* The statistics and the dictionary of column "col" in "chunk". */
#define shmcache_chunk_stats(chunk, col) \
	((ShmcacheStats *) ((chunk) + (col)->stats_off))
#define shmcache_chunk_dict(chunk, col) \
	((ShmcacheDict *) ((chunk) + (col)->dict_off))

/*
 * A data block of variable-width values, chained newest first from the
 * chunk header.  Values are complete varlenas, with a short header when they
 * fit and the column's storage is not plain, as in a heap tuple.
 */
typedef struct ShmcacheBlock
{
	dsa_pointer next;			/* older block, or InvalidDsaPointer */
	uint32		size;			/* usable bytes in data[] */
	uint32		used;			/* bytes of data[] in use */
	char		data[FLEXIBLE_ARRAY_MEMBER];
} ShmcacheBlock;

/* Key of a frame in the shared frame table. */
typedef struct ShmcacheFrameKey
{
	Oid			dbid;			/* database the frame belongs to */
	uint32		pad;			/* always zero: keys are hashed as blobs */
	int64		frame_id;		/* shmcache.frame_catalog.frame_id */
} ShmcacheFrameKey;

/* The key of frame "frame_id" of database "dbid". */
static inline ShmcacheFrameKey
shmcache_frame_key(Oid dbid, int64 frame_id)
{
	ShmcacheFrameKey key;

	memset(&key, 0, sizeof(key));
	key.dbid = dbid;
	key.frame_id = frame_id;
	return key;
}

/*
 * Entry of the shared frame table (protected by ShmcacheControl.lock).
 * Created on first use of a frame after its definition was read from the
 * catalog; removed when the frame is dropped.
 */
typedef struct ShmcacheFrame
{
	ShmcacheFrameKey key;		/* hash key, must be first */
	Oid			viewoid;		/* the frame's view */
	dsa_pointer current;		/* current ShmcacheVersion */
	TimestampTz updated;		/* last committed change, 0 if none */
	uint64		changes;		/* committed changes since the entry was
								 * created; compared by snapsave.c with the
								 * count its last save saw */
} ShmcacheFrame;

/*
 * Control block at the start of the region.
 */
typedef struct ShmcacheControl
{
	LWLock	   *lock;			/* protects the frame table and the current
								 * pointers of its entries */
	int			tranche_id;		/* LWLock tranche of the lock and the area */
	Size		area_size;		/* bytes given to the DSA area */
	Size		capacity;		/* bytes of it that allocations can use */
	pg_atomic_uint64 used_bytes;	/* footprint of every allocation made */
	int			writers_active; /* transactions holding a write claim that
								 * have not ended (under lock) */
	bool		writers_closed; /* no new write claims: the shutdown save
								 * is waiting for the active ones (under
								 * lock) */
	char	   *area_place;		/* start of the in-place DSA area */
} ShmcacheControl;

/* shmem.c */
extern ShmcacheControl *ShmcacheShared;
extern void shmcache_shmem_request(void);
extern void shmcache_shmem_startup(void);
extern void shmcache_require_shmem(void);
extern dsa_area *shmcache_area(void);
extern struct HTAB *shmcache_frame_table(void);
extern bool shmcache_frame_held(Oid dbid, int64 frame_id);
extern dsa_pointer shmcache_alloc(Size size, const char *frame_name);
extern void shmcache_free(dsa_pointer dp, Size size);
extern Size shmcache_footprint(Size size);

/*
 * Address of shared bytes kept as an offset from the start of the DSA area,
 * which is the same in every backend.
 */
static inline char *
shmcache_offset_address(uint64 offset)
{
	return ShmcacheShared->area_place + offset;
}

/* The varlena of dictionary entry "code". */
static inline char *
shmcache_dict_entry(const ShmcacheDict *dict, uint32 code)
{
	const uint64 *segment;

	segment = (const uint64 *) shmcache_offset_address(dict->segments[code >> SHMCACHE_DICT_SEG_SHIFT]);
	return shmcache_offset_address(segment[code & SHMCACHE_DICT_SEG_MASK]);
}

/* Is slot "slot" of a column null in "chunk"? */
static inline bool
shmcache_slot_isnull(const ShmcacheColumn *col, const char *chunk, uint32 slot)
{
	return col->nulls_off != 0 &&
		(((const uint8 *) (chunk + col->nulls_off))[slot >> 3] & (1 << (slot & 7))) != 0;
}

/* Does column "col" hold a null in "chunk"? */
static inline bool
shmcache_chunk_has_nulls(const char *chunk, const ShmcacheColumn *col)
{
	return col->nulls_off != 0 && shmcache_chunk_stats(chunk, col)->nnulls > 0;
}

/* storage.c */
typedef struct ShmcacheTail
{
	uint64		nrows;			/* row count the tail belongs to */
	dsa_pointer block;			/* newest data block of the partial chunk */
	uint32		block_used;		/* its fill at that time */
} ShmcacheTail;

extern dsa_pointer shmcache_version_create(TupleDesc tupdesc, const bool *notnull,
										   const char *frame_name);
extern dsa_pointer shmcache_version_clone_empty(ShmcacheVersion *model,
												const char *frame_name);
extern void shmcache_version_ref(ShmcacheVersion *version);
extern void shmcache_version_unref(dsa_pointer version_dp);
extern char *shmcache_version_chunk(ShmcacheVersion *version, uint64 chunkno);
extern void shmcache_version_tail(ShmcacheVersion *version, uint64 nrows,
								  ShmcacheTail *tail);
extern void shmcache_version_rollback(ShmcacheVersion *version,
									  const ShmcacheTail *tail);
typedef struct ShmcacheAppender ShmcacheAppender;
extern ShmcacheAppender *shmcache_appender_create(MemoryContext context);
extern void shmcache_appender_reset(ShmcacheAppender *appender);
extern void shmcache_append_row(ShmcacheVersion *version, ShmcacheAppender *appender,
								uint64 row, Datum *values, bool *nulls,
								const char *frame_name);
extern void shmcache_version_publish(ShmcacheVersion *version, uint64 from_rows,
									 uint64 to_rows);
extern uint32 shmcache_dict_visible(const ShmcacheDict *dict, bool own_writes);
extern bool shmcache_version_matches(ShmcacheVersion *version, TupleDesc tupdesc);

/*
 * Fetch column "col" of slot "slot" of a chunk, as a Datum pointing into
 * shared memory for by-reference types.
 */
static inline Datum
shmcache_fetch_value(const ShmcacheColumn *col, const char *chunk,
					 uint32 slot, bool *isnull)
{
	const char *values = chunk + col->values_off;

	if (col->nulls_off != 0 &&
		(((const uint8 *) (chunk + col->nulls_off))[slot >> 3] & (1 << (slot & 7))))
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;
	if (col->typlen < 0)
		return PointerGetDatum(shmcache_dict_entry((const ShmcacheDict *) (chunk + col->dict_off),
												   ((const uint16 *) values)[slot]));
	if (!col->typbyval)
		return PointerGetDatum(values + (Size) slot * col->stride);
	switch (col->typlen)
	{
		case 1:
			return CharGetDatum(((const char *) values)[slot]);
		case 2:
			return Int16GetDatum(((const int16 *) values)[slot]);
		case 4:
			return Int32GetDatum(((const int32 *) values)[slot]);
		default:
			return ((const Datum *) values)[slot];
	}
}

/* xact.c: writers, pins and transaction integration */
typedef struct ShmcacheReadSnapshot
{
	ShmcacheVersion *version;	/* pinned version */
	dsa_pointer version_dp;
	uint64		nrows;			/* rows visible to this reader */
	bool		own_writes;		/* includes this transaction's unpublished
								 * rows */
	Oid			viewoid;		/* the frame's view */
	struct ShmcachePin *pin;	/* the pin (xact.c) */
	bool		reused;			/* this query had read the frame already */
} ShmcacheReadSnapshot;

/*
 * A read snapshot shared with parallel workers, in a node's DSM: the leader's
 * pinned version and visible rows, and the counter from which every
 * participant claims whole chunks.
 */
typedef struct ShmcacheParallelRead
{
	pg_atomic_uint64 next_chunk;	/* next chunk to claim */
	pg_atomic_uint64 chunks_scanned;	/* by the workers, for EXPLAIN */
	pg_atomic_uint64 chunks_skipped;
	dsa_pointer version_dp;		/* the leader's snapshot */
	uint64		nrows;
	bool		own_writes;
	Oid			viewoid;
} ShmcacheParallelRead;

typedef struct ShmcacheWriter ShmcacheWriter;

extern void shmcache_xact_init(void);
extern ShmcacheWriter *shmcache_writer_begin(Relation view, int64 frame_id);
extern ShmcacheWriter *shmcache_writer_lookup(Oid viewoid);
extern void shmcache_writer_append(ShmcacheWriter *writer, Relation view,
								   Datum *values, bool *nulls);
extern void shmcache_writer_truncate(ShmcacheWriter *writer, Relation view);
extern void shmcache_read_begin(int64 frame_id, Snapshot snapshot,
								ShmcacheReadSnapshot *snap);
extern void shmcache_read_end(ShmcacheReadSnapshot *snap);
extern void shmcache_read_end_with(ShmcacheReadSnapshot *snap, MemoryContext context);
extern void shmcache_parallel_read_init(ShmcacheParallelRead *shared,
										const ShmcacheReadSnapshot *snap);
extern void shmcache_parallel_read_attach(const ShmcacheParallelRead *shared,
										  ShmcacheReadSnapshot *snap);
extern void shmcache_parallel_read_restart(ShmcacheParallelRead *shared);
extern bool shmcache_parallel_read_claim(ShmcacheParallelRead *shared,
										 const ShmcacheReadSnapshot *snap,
										 uint64 *chunkno);
extern void shmcache_parallel_read_counts(ShmcacheParallelRead *shared,
										  uint64 *chunks_scanned,
										  uint64 *chunks_skipped);
extern dsa_pointer shmcache_pin_current(int64 frame_id, Oid *viewoid);
extern bool shmcache_writer_visible(int64 frame_id, Snapshot snapshot,
								   dsa_pointer *version_dp, uint64 *nrows,
								   Oid *viewoid);

/* pins.c: readers' pins */
extern void shmcache_pins_init(void);
extern uint64 shmcache_frame_rows(int64 frame_id);
extern void shmcache_writers_quiesce(void);
extern void shmcache_writers_reopen(void);
typedef void (*ShmcacheXactAction) (Oid dbid, Oid viewoid, int64 frame_id);
extern void shmcache_xact_at_end(bool at_commit, ShmcacheXactAction action, Oid dbid,
								 Oid viewoid, int64 frame_id);
extern bool shmcache_xact_at_commit_queued(ShmcacheXactAction action, Oid dbid,
										   int64 frame_id);
extern void shmcache_forget_frame_on_commit(Oid dbid, Oid viewoid);
extern void shmcache_forget_frame_on_abort(int64 frame_id);

/* catalog.c */
extern Oid	shmcache_catalog_relid(bool missing_ok);
extern Oid	shmcache_scan_function_oid(void);
extern bool shmcache_catalog_lookup_view(Oid viewoid, int64 *frame_id);
extern int64 shmcache_frame_id_of(Oid viewoid);
extern Oid	shmcache_catalog_view_of(int64 frame_id);
extern Relation shmcache_open_relation(Oid relid, LOCKMODE lockmode);
extern Relation shmcache_open_frame(Oid viewoid, LOCKMODE lockmode, int64 *frame_id);
extern List *shmcache_catalog_views(void);
extern void shmcache_catalog_init(void);
extern void shmcache_catalog_insert(int64 frame_id, Oid viewoid, List *coldefs,
									const bool *notnull);
extern bool shmcache_catalog_delete_view(Oid viewoid, int64 *frame_id);

/* frames.c */
extern void shmcache_frames_init(void);
struct _DestReceiver;
extern void shmcache_execute_sql(const char *sql, struct _DestReceiver *dest);
extern void shmcache_frame_attach(int64 frame_id);
extern Oid	shmcache_create_frame_internal(RangeVar *rv, List *coldefs);
extern void shmcache_check_view_change(Node *parsetree);
extern void shmcache_check_new_view(Oid viewoid);

/* load.c */
extern bool shmcache_frame_copy(PlannedStmt *pstmt, const char *queryString,
								ProcessUtilityContext context, ParamListInfo params,
								QueryEnvironment *queryEnv, DestReceiver *dest,
								QueryCompletion *qc);
extern TruncateStmt *shmcache_frame_truncate(TruncateStmt *stmt);

/* utility.c: the ProcessUtility hook */
extern void shmcache_process_utility_init(void);
extern void shmcache_next_process_utility(PlannedStmt *pstmt, const char *queryString,
										  bool readOnlyTree, ProcessUtilityContext context,
										  ParamListInfo params, QueryEnvironment *queryEnv,
										  DestReceiver *dest, QueryCompletion *qc);

/* domain.c: ALTER DOMAIN and the values frames hold */
typedef struct ShmcacheDomainCheck ShmcacheDomainCheck;
extern ShmcacheDomainCheck *shmcache_domain_check_begin(AlterDomainStmt *stmt);
extern void shmcache_domain_check_end(ShmcacheDomainCheck *check);

/* filter.c */
typedef struct ShmcacheFilters ShmcacheFilters;
struct PlanState;
struct ExprContext;
extern bool shmcache_needs_executor_context(Node *expr);
extern void shmcache_split_quals(List *restrictinfos, Index relid, List **pushed,
								 List **rest);
extern ShmcacheFilters *shmcache_filters_create(List *clauses, struct PlanState *parent);
extern void shmcache_filters_bind(ShmcacheFilters *filters,
								  const ShmcacheVersion *version, bool own_writes,
								  struct ExprContext *econtext);
extern bool shmcache_filters_apply(ShmcacheFilters *filters, const char *chunk,
								   uint16 *sel, uint32 *n, bool *all);
extern bool shmcache_filters_never(const ShmcacheFilters *filters);
extern List *shmcache_filters_describe(List *clauses, TupleDesc tupdesc);

/* scan.c */
struct RangeTblEntry;
extern void shmcache_scan_init(void);
extern Expr *shmcache_frame_scan_argument(struct RangeTblEntry *rte);
extern Oid	shmcache_scan_check_as_user(struct RangeTblEntry *rte);
extern List *shmcache_referenced_columns(Node *node, Index relid);
extern double shmcache_parallel_divisor(int workers);
struct ExprState;
struct ExplainState;

/* agg_plan.c */
extern void shmcache_aggregate_init(void);

/* snapshot.c: the shared snapshot table, autoload bookkeeping, drops */
extern int64 shmcache_loading_frame;
extern void shmcache_snapshot_shmem_request(void);
extern void shmcache_snapshot_shmem_startup(void);
extern void shmcache_snapshot_wait_loaded(int64 frame_id, bool always);
extern void shmcache_snapshot_path(char *path, Oid dbid, int64 frame_id);
extern void shmcache_snapshot_forget(Oid dbid, int64 frame_id);
extern void shmcache_snapshot_forget_on_commit(Oid dbid, int64 frame_id);
extern void shmcache_snapshot_forget_on_abort(int64 frame_id);
extern void shmcache_snapshot_settle_on_commit(int64 frame_id);
extern void shmcache_snapshot_check_appendable(int64 frame_id, const char *frame_name);
extern void shmcache_snapshot_set_leader(pid_t pid);
extern List *shmcache_snapshot_pending_databases(void);
extern int64 shmcache_snapshot_next_pending(Oid dbid);
extern void shmcache_snapshot_load_done(Oid dbid, int64 frame_id, bool loaded,
										bool file_kept, uint64 rows);
extern int	shmcache_snapshot_abandon_pending(Oid dbid);

/* snapsave.c: saving frames to snapshot files and restoring them */
extern int	shmcache_snapshot_save_changed(bool wait);
extern uint64 shmcache_snapshot_restore(Relation view, int64 frame_id,
										const char *path);
extern void shmcache_snapshot_set_aside(const char *path);

/* autoload.c: background workers */
extern void shmcache_autoload_init(void);

#endif							/* SHMCACHE_H */
