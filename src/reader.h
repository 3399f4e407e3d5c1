/*-------------------------------------------------------------------------
 *
 * reader.h
 *	  The one frame reader: what every executor node (and any later reader)
 *	  uses to read a frame.  See reader.c.
 *
 * Layer: reader, above transactions and visibility (xact.c) and the
 * column-wise filters (filter.c), below the plan/exec nodes (scan.c,
 * agg_exec.c).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/reader.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_READER_H
#define SHMCACHE_READER_H

#include "nodes/execnodes.h"
#include "filter.h"
#include "xact.h"

/*
 * A scan of shmcache.scan() whose column list ends with this int8 column
 * returns each row's position in the frame there: UPDATE and DELETE read
 * the rows they change so (see modify.c).
 */
#define SHMCACHE_POSITION_COLUMN	"shmcache_row"

struct PlanState;
struct ParallelContext;
struct ExplainState;

/*
 * The reading state of a node: which frame (a planned expression), whose
 * rights apply, the pinned read, the next chunk (or the shared counter
 * of a parallel plan), the pushed filters that select rows and skip chunks,
 * and the chunk counts EXPLAIN ANALYZE shows.
 */
typedef struct ShmcacheReader
{
	struct PlanState *parent;	/* the node that reads */
	bool		frame_id_const; /* the frame id is a constant */
	struct ExprState *frame_id_expr;	/* evaluates the frame id */
	Oid			check_as_user;	/* whose SELECT right applies, or InvalidOid
								 * for the current user */
	List	   *read_columns;	/* 0-based columns read, filters included */
	List	   *pushed;			/* pushed quals */
	ShmcacheFilters *filters;	/* their compiled form, or NULL */
	TupleDesc	rowdesc;		/* the frame's columns as the node reads them */
	int			position;		/* the column of rowdesc that gets each row's
								 * position, or -1 */
	ShmcacheRead read;	/* version and visible rows */
	bool		started;		/* read is set */
	bool		pinned;			/* read holds a pin of ours (not so in a
								 * parallel worker, nor for a NULL id) */
	ShmcacheParallelRead *pread;	/* shared read, in a parallel plan */
	uint64		next_chunk;		/* chunks taken so far (serial read) */
	bool		backward;		/* a serial read from the last chunk to the
								 * first (set by the node before reading) */
	uint64		chunkno;		/* the chunk next_chunk returned last */
	uint16	   *scratch;		/* SHMCACHE_CHUNK_ROWS slots, to take deleted
								 * rows out of a selection */
	uint64		chunks_scanned; /* for EXPLAIN ANALYZE */
	uint64		chunks_skipped;
} ShmcacheReader;

extern void shmcache_reader_init(ShmcacheReader *reader, struct PlanState *parent,
								 Expr *frame_id_arg, Oid check_as_user,
								 List *read_columns, List *pushed, TupleDesc rowdesc);
extern int	shmcache_position_column(TupleDesc rowdesc);
extern int	shmcache_reader_columns(const ShmcacheReader *reader, List *columns,
									int *array);
extern bool shmcache_reader_starts_at_begin(const ShmcacheReader *reader);
extern void shmcache_reader_start(ShmcacheReader *reader);
extern void shmcache_reader_end(ShmcacheReader *reader);
extern void shmcache_reader_rewind(ShmcacheReader *reader);
extern void shmcache_reader_rescan(ShmcacheReader *reader, bool params_changed);
extern const char *shmcache_reader_next_chunk(ShmcacheReader *reader, uint16 *sel,
											  uint32 *n, bool *all);
extern void shmcache_reader_dsm_attach(ShmcacheReader *reader, void *coordinate);

/*
 * A custom scan node that reads a frame: its state begins with these two
 * fields, so that the parallel-plan callbacks below serve as its own
 * CustomExecMethods.
 */
typedef struct ShmcacheReaderNode
{
	CustomScanState css;
	ShmcacheReader reader;
} ShmcacheReaderNode;

extern Size shmcache_reader_estimate_dsm(CustomScanState *node,
										 struct ParallelContext *pcxt);
extern void shmcache_reader_initialize_dsm(CustomScanState *node,
										   struct ParallelContext *pcxt,
										   void *coordinate);
extern void shmcache_reader_reinitialize_dsm(CustomScanState *node,
											 struct ParallelContext *pcxt,
											 void *coordinate);
extern void shmcache_reader_shutdown(CustomScanState *node);
extern bool shmcache_reader_recheck(ScanState *ss, TupleTableSlot *slot);
extern void shmcache_reader_explain_frame(const ShmcacheReader *reader,
										  struct ExplainState *es);
extern void shmcache_reader_explain_filters(const ShmcacheReader *reader,
											struct ExplainState *es);
extern void shmcache_reader_explain_counts(const ShmcacheReader *reader,
										   struct ExplainState *es);
extern void shmcache_check_read_privilege(Oid viewoid, Oid userid, List *columns,
										  bool every_column);
extern void shmcache_check_frame_matches(ShmcacheRead *read, TupleDesc tupdesc);

#endif							/* SHMCACHE_READER_H */
