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

/*
 * COPY FROM's fast text/CSV path reads CopyFromStateData, core's private
 * COPY FROM state, whose layout and rules change between major versions
 * (PostgreSQL 16 indexes defexprs by column and adds COPY's DEFAULT option,
 * 17 adds ON_ERROR): it is built for PostgreSQL 15 only (load.c), and later
 * versions load through NextCopyFrom().
 */
#if PG_VERSION_NUM < 160000
#define SHMCACHE_FAST_COPY 1
#endif

/*
 * Whose SELECT right a function RTE of a view's query needs: PostgreSQL 15
 * marks every RTE of a view's query with the view owner as checkAsUser;
 * from 16 on only relation RTEs carry one (in their RTEPermissionInfo), so
 * a function scan is checked as the current user.
 */
#if PG_VERSION_NUM >= 160000
#define shmcache_rte_check_as_user(rte) InvalidOid
#else
#define shmcache_rte_check_as_user(rte) ((rte)->checkAsUser)
#endif

/*
 * Check that the current user may insert into the columns "columns"
 * (bitmapset offset by FirstLowInvalidHeapAttributeNumber) of the relation
 * of RTE "rte", as COPY FROM does, through ExecutorCheckPerms_hook too.
 * PostgreSQL 16 moved the required permissions to RTEPermissionInfo.
 */
#if PG_VERSION_NUM >= 160000
#define shmcache_check_insert_perms(rte, columns) \
	do { \
		RTEPermissionInfo *perminfo_ = makeNode(RTEPermissionInfo); \
		perminfo_->relid = (rte)->relid; \
		perminfo_->requiredPerms = ACL_INSERT; \
		perminfo_->insertedCols = (columns); \
		(rte)->perminfoindex = 1; \
		ExecCheckPermissions(list_make1(rte), list_make1(perminfo_), true); \
	} while (0)
#else
#define shmcache_check_insert_perms(rte, columns) \
	do { \
		(rte)->requiredPerms = ACL_INSERT; \
		(rte)->insertedCols = (columns); \
		ExecCheckRTPerms(list_make1(rte), true); \
	} while (0)
#endif

#endif							/* SHMCACHE_COMPAT_H */
