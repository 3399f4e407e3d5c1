/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Version shims: the one place where shmcache copes with API differences
 *	  between the PostgreSQL major versions it builds against (15 to 17).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_COMPAT_H
#define SHMCACHE_COMPAT_H

#if PG_VERSION_NUM < 150000
#error "shmcache requires PostgreSQL 15 or later"
#endif

/* PostgreSQL 16 replaced the per-catalog ownership checks by one function. */
#if PG_VERSION_NUM >= 160000
#define shmcache_relation_ownercheck(relid, roleid) \
	object_ownercheck(RelationRelationId, (relid), (roleid))
#else
#define shmcache_relation_ownercheck(relid, roleid) \
	pg_class_ownercheck((relid), (roleid))
#endif

#endif							/* SHMCACHE_COMPAT_H */
