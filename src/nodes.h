/*-------------------------------------------------------------------------
 *
 * nodes.h
 *	  The plan/exec nodes' entry points: ShmcacheScan and shmcache.scan()
 *	  (scan.c), ShmcacheLookup (lookup.c), ShmcacheTopN (topn.c),
 *	  ShmcacheAggregate (agg_plan.c), and the planning and reading helpers
 *	  of scan.c the others share.
 *
 * Layer: plan/exec nodes, above the reader (reader.h).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/nodes.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_NODES_H
#define SHMCACHE_NODES_H

#include "nodes/primnodes.h"
#include "shmcache.h"

/* scan.c */
struct RangeTblEntry;
extern void shmcache_scan_init(void);
extern Expr *shmcache_frame_scan_argument(struct RangeTblEntry *rte);
extern AttrNumber shmcache_position_attno(struct RangeTblEntry *rte);
extern Oid	shmcache_scan_check_as_user(struct RangeTblEntry *rte);
extern List *shmcache_referenced_columns(Node *node, Index relid);
extern double shmcache_parallel_divisor(int workers);
struct PlanState;
struct ShmcacheReader;
extern struct ShmcacheReader *shmcache_scan_reader(struct PlanState *ps, int *columns,
												   int ncolumns);
struct RelOptInfo;
extern List *shmcache_frame_scan_tlist(struct RelOptInfo *rel, struct RangeTblEntry *rte);
extern List *shmcache_scan_private(struct RangeTblEntry *rte, List *columns, List *pushed,
								   List *read_columns);
struct CustomScanState;
extern void shmcache_scan_begin_reader(struct CustomScanState *node,
									   struct ShmcacheReader *reader,
									   int **columns, int *ncolumns);

struct PlannerInfo;
extern bool shmcache_scan_applies(struct PlannerInfo *root, struct RelOptInfo *rel,
								  Index rti, struct RangeTblEntry *rte);

/* lookup.c */
extern void shmcache_lookup_init(void);

/* topn.c */
extern void shmcache_topn_init(void);

/* agg_plan.c */
extern void shmcache_aggregate_init(void);

#endif							/* SHMCACHE_NODES_H */
