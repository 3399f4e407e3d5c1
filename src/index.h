/*-------------------------------------------------------------------------
 *
 * index.h
 *	  Hash indexes on frames: hashing and comparing keys, lookups, a
 *	  writer's entries of rows not yet committed, linking them at commit,
 *	  and building an index over rows already there.  See index.c.
 *
 * Layer: indexes, above storage (which lays out an index's memory), below
 * definitions and visibility.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/index.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_INDEX_H
#define SHMCACHE_INDEX_H

#include "fmgr.h"
#include "storage.h"

/* How one key column is hashed and compared, in this backend. */
typedef struct ShmcacheKeySupport
{
	const ShmcacheColumn *col;	/* the column, in the version */
	bool		bytewise;		/* a varlena equal only when its bytes are */
	Oid			collation;		/* the column's collation */
	FmgrInfo	hash;			/* the type's default hash function (when
								 * not an integer, float or bytewise kind) */
	FmgrInfo	eq;				/* its equality function */
} ShmcacheKeySupport;

/* The keys of one index of one version, ready to hash and compare. */
typedef struct ShmcacheIndexKeys
{
	ShmcacheVersion *version;
	ShmcacheIndex *index;
	int			nkeys;
	ShmcacheKeySupport keys[SHMCACHE_INDEX_MAX_KEYS];
	const int  *fetch_columns;	/* columns the caller reads from the rows
								 * found, asked for from memory with each
								 * candidate row's key (NULL: none) */
	int			nfetch;
	uint32		dseq;			/* the deletes the caller sees (see */
	uint32		own_cid;		/* shmcache_stamp_dead): a writer sees all */
} ShmcacheIndexKeys;

/* Row numbers a lookup found. */
typedef struct ShmcacheRowList
{
	uint64	   *rows;
	int			n;
	int			max;
} ShmcacheRowList;

/* A writer's entries of its rows not yet committed (opaque). */
typedef struct ShmcachePending ShmcachePending;

extern void shmcache_index_keys_init(ShmcacheIndexKeys *keys, ShmcacheVersion *version,
									 ShmcacheIndex *index);
extern void shmcache_check_indexable(Oid typid, Oid collation, const char *colname);
extern ShmcacheIndex *shmcache_index_find(ShmcacheVersion *version, int64 index_id);
extern void shmcache_index_lookup(const ShmcacheIndexKeys *keys, const Datum *values,
								  uint64 limit, const ShmcachePending *pending,
								  ShmcacheRowList *out);

extern ShmcachePending *shmcache_pending_create(dsa_pointer version_dp,
												ShmcacheIndex *index,
												uint64 first_row,
												MemoryContext context);
extern ShmcacheIndex *shmcache_pending_index(const ShmcachePending *pending);
extern ShmcacheVersion *shmcache_pending_version(const ShmcachePending *pending);
extern void shmcache_pending_prepare(ShmcachePending *pending, const Datum *values,
									 const bool *nulls);
extern uint64 shmcache_pending_check(ShmcachePending *pending);
extern void shmcache_pending_add(ShmcachePending *pending, uint64 row,
								 const char *frame_name);
extern void shmcache_pending_cut(ShmcachePending *pending, uint64 nrows);
extern void shmcache_pending_link(ShmcachePending *pending);
extern void shmcache_pending_release(ShmcachePending *pending);
extern uint64 shmcache_index_build(ShmcacheVersion *version, ShmcacheIndex *index,
								   uint64 nrows, const char *frame_name);

#endif							/* SHMCACHE_INDEX_H */
