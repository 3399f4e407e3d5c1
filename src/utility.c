/*-------------------------------------------------------------------------
 *
 * utility.c
 *	  The ProcessUtility hook: COPY and TRUNCATE on frames' views (carried
 *	  out by load.c), COPY ... TO ... (FORMAT arrow) of any relation or
 *	  query (carried out by copyto.c), ALTER DOMAIN commands after which
 *	  the values that frames hold must be checked (domain.c), and view
 *	  definitions that would change what a frame's view reads, or read
 *	  another view's frame (refused by catalog.c).
 *
 * ProcessUtility hooks form a chain: the hook of the library loaded last
 * runs first and calls the one loaded before it, and so on down to
 * standard_ProcessUtility().  Whatever shmcache does not carry out itself
 * goes on down the chain, so that the hooks of libraries loaded before
 * shmcache (auditing, statistics) see it: every statement that is not about
 * a frame; ALTER DOMAIN, whose frames are checked once it has run; COPY ...
 * TO from a frame, passed on as the COPY (SELECT ...) TO it becomes, with the
 * statement's own text; and the tables of a TRUNCATE that also names frames.
 *
 * COPY FROM into a frame, the emptying of frames by TRUNCATE and COPY in
 * FORMAT arrow (which PostgreSQL does not know) cannot go down the chain.  The chain ends in standard_ProcessUtility(), which
 * refuses to TRUNCATE a view and would load a view only row by row through
 * its INSTEAD OF trigger, without the fast paths of load.c; and no hook
 * below ProcessUtility lets a library take over a statement on its way.
 * These statements are carried out here and do not reach the hooks of the
 * libraries loaded before shmcache, while the hooks of those loaded after it
 * run first and see every statement.  shmcache should therefore come first
 * in shared_preload_libraries; the postmaster logs a message at start when
 * it does not.  (COPY FROM into a frame still checks its privileges with
 * ExecCheckRTPerms, as COPY does for a table, so ExecutorCheckPerms_hook
 * sees it.)
 *
 * Layer: SQL surface: the ProcessUtility hook, dispatching to load.c,
 * copyto.c, domain.c and frames.c.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/utility.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "tcop/utility.h"

#include "frames.h"
#include "shmem.h"

static ProcessUtility_hook_type prev_process_utility = NULL;

/*
 * next_process_utility
 *		Pass a statement on down the ProcessUtility chain: to the hook of the
 *		library loaded before shmcache, or to standard_ProcessUtility().
 */
static void
next_process_utility(PlannedStmt *pstmt, const char *queryString,
					 bool readOnlyTree, ProcessUtilityContext context,
					 ParamListInfo params, QueryEnvironment *queryEnv,
					 DestReceiver *dest, QueryCompletion *qc)
{
	if (prev_process_utility)
		prev_process_utility(pstmt, queryString, readOnlyTree, context,
							 params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}

/*
 * ProcessUtility hook: COPY and TRUNCATE on frames' views, COPY in FORMAT
 * arrow, ALTER DOMAIN on domains that frames may use; everything else, and whatever of these
 * statements is not about frames, goes on down the chain.
 */
static void
shmcache_process_utility(PlannedStmt *pstmt, const char *queryString,
						 bool readOnlyTree, ProcessUtilityContext context,
						 ParamListInfo params, QueryEnvironment *queryEnv,
						 DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	ShmcacheDomainCheck *domain_check = NULL;

	shmcache_check_view_change(parsetree);
	shmcache_check_followed_change(parsetree);
	if (IsA(parsetree, CopyStmt) && shmcache_copy_is_arrow((CopyStmt *) parsetree))
	{
		shmcache_copy_arrow(pstmt, queryString, qc);
		return;
	}
	if (IsA(parsetree, CopyStmt))
	{
		pstmt = shmcache_frame_copy(pstmt, queryString, qc);
		if (pstmt == NULL)
			return;
		parsetree = pstmt->utilityStmt;
	}

	if (IsA(parsetree, TruncateStmt))
	{
		TruncateStmt *rest = shmcache_frame_truncate((TruncateStmt *) parsetree);

		if (rest == NULL)
		{
			if (qc)
				SetQueryCompletion(qc, CMDTAG_TRUNCATE_TABLE, 0);
			return;
		}
		if (rest != (TruncateStmt *) parsetree)
		{
			pstmt = copyObject(pstmt);
			pstmt->utilityStmt = (Node *) rest;
			readOnlyTree = false;
		}
	}

	if (IsA(parsetree, AlterDomainStmt))
		domain_check = shmcache_domain_check_begin((AlterDomainStmt *) parsetree);

	next_process_utility(pstmt, queryString, readOnlyTree, context,
						 params, queryEnv, dest, qc);

	if (domain_check != NULL)
		shmcache_domain_check_end(domain_check);
	if (IsA(parsetree, ViewStmt) && ShmcacheShared != NULL)
	{
		/* The new view must be visible to read its query. */
		CommandCounterIncrement();
		shmcache_check_new_view(RangeVarGetRelid(((ViewStmt *) parsetree)->view,
												 NoLock, true));
	}
}

/*
 * shmcache_process_utility_init
 *		Install the ProcessUtility hook (from _PG_init).  A hook installed
 *		already belongs to a library loaded before shmcache, which will not
 *		see the statements shmcache carries out itself (see the header
 *		comment): the postmaster says so in its log.
 */
void
shmcache_process_utility_init(void)
{
	if (ProcessUtility_hook != NULL && !IsUnderPostmaster)
		ereport(LOG,
				(errmsg("shmcache is loaded after another library that uses the ProcessUtility hook"),
				 errdetail("COPY FROM into frames and TRUNCATE of frames do not reach the hooks of libraries loaded before shmcache."),
				 errhint("List shmcache before the other libraries in shared_preload_libraries.")));
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = shmcache_process_utility;
}
