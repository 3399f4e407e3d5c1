/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  Frame definitions: the only access to shmcache.frame_catalog and the
 *	  extension's own objects (systable scans, trusted by extension
 *	  membership).  See catalog.c.
 *
 * Layer: definitions, above storage.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/catalog.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_CATALOG_H
#define SHMCACHE_CATALOG_H

#include "nodes/pg_list.h"
#include "storage/lockdefs.h"
#include "utils/relcache.h"
#include "storage.h"

/* catalog.c */
extern Oid	shmcache_catalog_relid(bool missing_ok);
extern Oid	shmcache_scan_function_oid(void);
extern Oid	shmcache_modify_trigger_oid(void);
extern Oid	shmcache_follow_trigger_oid(void);
extern bool shmcache_catalog_lookup_view(Oid viewoid, int64 *frame_id);
extern int64 shmcache_frame_id_of(Oid viewoid);
extern Oid	shmcache_catalog_view_of(int64 frame_id);
extern Relation shmcache_open_relation(Oid relid, LOCKMODE lockmode);
extern Relation shmcache_open_frame(Oid viewoid, LOCKMODE lockmode, int64 *frame_id);
extern List *shmcache_catalog_views(void);
extern void shmcache_catalog_init(void);
extern void shmcache_frame_attach(int64 frame_id);
extern void shmcache_catalog_insert(int64 frame_id, Oid viewoid, List *coldefs,
									const bool *notnull);
extern bool shmcache_catalog_delete_view(Oid viewoid, int64 *frame_id);
extern List *shmcache_catalog_indexes(int64 frame_id);
extern List *shmcache_planned_indexes(int64 frame_id);
extern void shmcache_catalog_insert_index(int64 frame_id, const ShmcacheIndex *def,
										  bool primary);
extern void shmcache_catalog_delete_indexes(int64 frame_id, int64 index_id);
extern int64 shmcache_random_id(void);

#endif							/* SHMCACHE_CATALOG_H */
