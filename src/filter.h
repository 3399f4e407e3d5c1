/*-------------------------------------------------------------------------
 *
 * filter.h
 *	  Column-wise filters over a chunk and chunk skipping.  See filter.c.
 *
 * Layer: filters, above storage; the reader applies them.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/filter.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_FILTER_H
#define SHMCACHE_FILTER_H

#include "nodes/pg_list.h"
#include "nodes/primnodes.h"
#include "storage.h"

/* filter_plan.c */
extern bool shmcache_needs_executor_context(Node *expr);
extern bool shmcache_filter_split(Expr *clause, Index relid, Var **var,
								  Expr **constant, bool *var_on_right);
extern void shmcache_split_quals(List *restrictinfos, Index relid, List **pushed,
								 List **rest);
extern List *shmcache_filters_describe(List *clauses, TupleDesc tupdesc);

/* filter.c */
typedef struct ShmcacheFilters ShmcacheFilters;
struct PlanState;
struct ExprContext;
extern ShmcacheFilters *shmcache_filters_create(List *clauses, struct PlanState *parent);
extern void shmcache_filters_bind(ShmcacheFilters *filters,
								  const ShmcacheVersion *version, bool own_writes,
								  struct ExprContext *econtext);
extern bool shmcache_filters_apply(ShmcacheFilters *filters, const char *chunk,
								   uint16 *sel, uint32 *n, bool *all,
								   const uint64 **dead);
extern bool shmcache_filters_never(const ShmcacheFilters *filters);

#endif							/* SHMCACHE_FILTER_H */
