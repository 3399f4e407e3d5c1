/*-------------------------------------------------------------------------
 *
 * frames.h
 *	  The SQL surface: creating and guarding frames (frames.c), loading
 *	  them (load.c), Arrow streams (copyto.c), the ProcessUtility hook
 *	  (utility.c) and ALTER DOMAIN (domain.c).
 *
 * Layer: SQL surface, the top of the stack.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/frames.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_FRAMES_H
#define SHMCACHE_FRAMES_H

#include "tcop/utility.h"
#include "utils/relcache.h"
#include "shmcache.h"

/* frames.c */
extern void shmcache_frames_init(void);
struct _DestReceiver;
extern void shmcache_execute_sql(const char *sql, struct _DestReceiver *dest);
/*
 * A piece of a statement a user passed as a string (a column list, COPY
 * options), parsed by shmcache_fragment_parse: until shmcache_fragment_end,
 * errors name it.
 */
typedef struct ShmcacheFragment
{
	ErrorContextCallback callback;
	const char *what;			/* "column list", "COPY options" */
	const char *text;			/* the user's text */
} ShmcacheFragment;

extern Node *shmcache_fragment_parse(ShmcacheFragment *fragment, const char *what,
									 const char *text, const char *format,
									 NodeTag tag, const char *invalid);
extern void shmcache_fragment_end(ShmcacheFragment *fragment);
/* A PRIMARY KEY or UNIQUE constraint of a frame being created. */
typedef struct ShmcacheKeyDef
{
	char	   *name;			/* the constraint's name, or NULL */
	bool		primary;		/* PRIMARY KEY, else UNIQUE */
	List	   *columns;		/* column names (String) */
} ShmcacheKeyDef;

extern Oid	shmcache_create_frame_internal(RangeVar *rv, List *coldefs, List *keys);

/* index_sql.c */
extern void shmcache_keys_not_null(List *keys, List *coldefs, bool *notnull);
extern void shmcache_define_keys(int64 frame_id, Oid viewoid, List *keys);
extern void shmcache_check_view_change(Node *parsetree);
extern void shmcache_check_new_view(Oid viewoid);

/* load.c */
extern PlannedStmt *shmcache_frame_copy(PlannedStmt *pstmt, const char *queryString,
										QueryCompletion *qc);
extern TruncateStmt *shmcache_frame_truncate(TruncateStmt *stmt);

/* copyto.c: COPY ... TO ... (FORMAT arrow) */
extern bool shmcache_copy_is_arrow(const CopyStmt *stmt);
extern void shmcache_copy_arrow(PlannedStmt *pstmt, const char *queryString,
								QueryCompletion *qc);

/* utility.c: the ProcessUtility hook */
extern void shmcache_process_utility_init(void);
extern void shmcache_load_init(void);
extern struct ShmcacheWriter *shmcache_frame_claim(Relation view, int64 frame_id);
extern struct ShmcacheWriter *shmcache_load_begin(Relation view);

/* index_sql.c: the rows a new row conflicts with */
typedef struct ShmcacheKeyFinder ShmcacheKeyFinder;
extern ShmcacheKeyFinder *shmcache_key_finder_create(int64 frame_id, const char *frame_name,
													 List *index_ids, bool all_unique);
extern int	shmcache_key_finder_indexes(const ShmcacheKeyFinder *finder);
extern bool shmcache_key_finder_first(ShmcacheKeyFinder *finder,
									  struct ShmcacheWriter *writer,
									  const Datum *values, const bool *nulls, uint64 *row);

/* follow.c */
extern void shmcache_follow_start(Relation source, Oid viewoid, int64 frame_id);
extern void shmcache_check_followed_change(Node *parsetree);
extern void shmcache_follow_init(void);

/* modify.c */
extern void shmcache_modify_init(void);
extern uint64 shmcache_frame_vacuum(Relation view, int64 frame_id);

/* domain.c: ALTER DOMAIN and the values frames hold */
typedef struct ShmcacheDomainCheck ShmcacheDomainCheck;
extern ShmcacheDomainCheck *shmcache_domain_check_begin(AlterDomainStmt *stmt);
extern void shmcache_domain_check_end(ShmcacheDomainCheck *check);

#endif							/* SHMCACHE_FRAMES_H */
