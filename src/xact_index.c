/*-------------------------------------------------------------------------
 *
 * xact_index.c
 *	  A writer's index work: the entries of the rows its transaction appends
 *	  (index.c's ShmcachePending, one per index of every version it wrote),
 *	  unique checks in batches, indexes built or dropped by the transaction,
 *	  all put in place at commit and given back at abort.
 *
 * The writer (xact.c) keeps one ShmcacheIndexWork.  Its pending list grows
 * by the indexes of each new target (the base at claim time, then the new
 * version of each truncate), oldest first, so a savepoint's mark is a
 * length of that list: entries of versions made since are released and the
 * current target's are cut back to its rows at the mark.  Rows are checked
 * against the unique indexes every UNIQUE_CHECK_ROWS appends and before each
 * statement that appended ends (checking a batch lets index.c fetch the
 * memory of its rows ahead).
 *
 * Locking: the caller holds the frame's write claim; entries are linked
 * into the shared indexes only at commit, after which readers find them.
 *
 * Layer: transactions and visibility, over indexes (index.c) and storage.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/xact_index.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "xact.h"
#include "index.h"

/* Rows appended between two checks of the unique indexes, at most. */
#define UNIQUE_CHECK_ROWS	4096

struct ShmcacheIndexWork
{
	ShmcacheVersion *target;	/* the version the writer appends to */
	List	   *pending;		/* ShmcachePending * of every index of every
								 * version this transaction wrote, oldest
								 * version first */
	int			unchecked;		/* rows appended since the last check of the
								 * unique indexes */
	List	   *new_indexes;	/* ShmcacheNewIndex *, installed at commit */
	List	   *drop_indexes;	/* index ids dropped at commit */
};

/* An index built by this transaction, put in its slot at commit. */
typedef struct ShmcacheNewIndex
{
	int			slot;
	dsa_pointer index_dp;
} ShmcacheNewIndex;

/* Is "pending" about the writer's current target? */
#define pending_of_target(work, pending) \
	(shmcache_pending_version(pending) == (work)->target)

/*
 * shmcache_index_work_create
 *		The index work of a new writer, in TopTransactionContext; its target
 *		is set by shmcache_index_work_target.
 */
ShmcacheIndexWork *
shmcache_index_work_create(void)
{
	return MemoryContextAllocZero(TopTransactionContext, sizeof(ShmcacheIndexWork));
}

/*
 * shmcache_index_work_target
 *		The writer appends to "target_dp" (its base, or the new version of a
 *		truncate) from row "nrows" on: entries for the target's indexes,
 *		whose rows below "nrows" are committed.
 */
void
shmcache_index_work_target(ShmcacheIndexWork *work, dsa_pointer target_dp, uint64 nrows)
{
	MemoryContext oldcontext = MemoryContextSwitchTo(TopTransactionContext);
	int			i;

	work->target = dsa_get_address(shmcache_area(), target_dp);
	for (i = 0; i < SHMCACHE_MAX_INDEXES; i++)
	{
		dsa_pointer dp = work->target->indexes[i];

		if (DsaPointerIsValid(dp))
			work->pending = lappend(work->pending,
									shmcache_pending_create(target_dp,
															dsa_get_address(shmcache_area(), dp),
															nrows,
															TopTransactionContext));
	}
	MemoryContextSwitchTo(oldcontext);
}

/*
 * shmcache_index_work_pending
 *		The entries kept for index "index_id" of "version", or NULL.
 */
const ShmcachePending *
shmcache_index_work_pending(const ShmcacheIndexWork *work, ShmcacheVersion *version,
							int64 index_id)
{
	ListCell   *lc;

	foreach(lc, work->pending)
	{
		ShmcachePending *pending = lfirst(lc);

		if (shmcache_pending_version(pending) == version &&
			shmcache_pending_index(pending)->index_id == index_id)
			return pending;
	}
	return NULL;
}

/*
 * shmcache_index_work_prepare
 *		Before a row with "values"/"nulls" is appended: make room for its
 *		entries (so that adding them cannot fail).
 */
void
shmcache_index_work_prepare(ShmcacheIndexWork *work, Datum *values, bool *nulls)
{
	ListCell   *lc;

	foreach(lc, work->pending)
	{
		ShmcachePending *pending = lfirst(lc);

		if (pending_of_target(work, pending))
			shmcache_pending_prepare(pending, values, nulls);
	}
}

/*
 * Raise a unique violation of "index" by stored row "row" of "version" (a
 * frame of "view"), with message "msg" and detail "detail" (formats taking
 * the constraint's name, resp. the key columns and their values).
 */
static void
report_duplicate(Relation view, ShmcacheVersion *version, const ShmcacheIndex *index,
				 uint64 row, const char *msg, const char *detail)
{
	const char *chunk = shmcache_version_chunk(version, row >> SHMCACHE_CHUNK_SHIFT);
	TupleDesc	desc = RelationGetDescr(view);
	StringInfoData cols;
	StringInfoData vals;
	int			k;

	initStringInfo(&cols);
	initStringInfo(&vals);
	for (k = 0; k < index->nkeys; k++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, index->keys[k]);
		Oid			outfunc;
		bool		varlena;
		bool		isnull;
		Datum		value = shmcache_fetch_value(&version->cols[index->keys[k]], chunk,
												 (uint32) (row & SHMCACHE_CHUNK_MASK),
												 &isnull);

		getTypeOutputInfo(attr->atttypid, &outfunc, &varlena);
		appendStringInfo(&cols, "%s%s", k > 0 ? ", " : "",
						 quote_identifier(NameStr(attr->attname)));
		appendStringInfo(&vals, "%s%s", k > 0 ? ", " : "",
						 OidOutputFunctionCall(outfunc, value));
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg_internal(msg, NameStr(index->name)),
			 errdetail_internal(detail, cols.data, vals.data),
			 errtableconstraint(view, NameStr(index->name))));
}

/*
 * shmcache_index_work_check
 *		Check the rows appended since the last check against the unique
 *		indexes of the target, raising a unique violation for the first that
 *		repeats a key.  Every statement that appends checks its rows before
 *		it ends, as the SQL standard has it for constraints that are not
 *		deferred.
 */
void
shmcache_index_work_check(ShmcacheIndexWork *work, Relation view)
{
	ListCell   *lc;

	work->unchecked = 0;
	foreach(lc, work->pending)
	{
		ShmcachePending *pending = lfirst(lc);
		uint64		row;

		if (!pending_of_target(work, pending))
			continue;
		row = shmcache_pending_check(pending);
		if (row != PG_UINT64_MAX)
			report_duplicate(view, work->target, shmcache_pending_index(pending),
							 row, "duplicate key value violates unique constraint \"%s\"",
							 "Key (%s)=(%s) already exists.");
	}
}

/* Are there appended rows not checked yet? */
bool
shmcache_index_work_unchecked(const ShmcacheIndexWork *work)
{
	return work->unchecked > 0;
}

/*
 * shmcache_index_work_add
 *		Row "row" of the target, prepared for, was appended: its entries,
 *		and a unique check of the batch when it is full.
 */
void
shmcache_index_work_add(ShmcacheIndexWork *work, Relation view, uint64 row)
{
	ListCell   *lc;

	foreach(lc, work->pending)
	{
		ShmcachePending *pending = lfirst(lc);

		if (pending_of_target(work, pending))
			shmcache_pending_add(pending, row, RelationGetRelationName(view));
	}
	if (++work->unchecked >= UNIQUE_CHECK_ROWS)
		shmcache_index_work_check(work, view);
}

/*
 * shmcache_index_work_mark
 *		What a savepoint mark remembers of the index work.
 */
int
shmcache_index_work_mark(const ShmcacheIndexWork *work)
{
	return list_length(work->pending);
}

/*
 * shmcache_index_work_rollback
 *		Back to mark "mark", the writer's target being "target_dp" again with
 *		"nrows" rows: the entries of versions made since are released, the
 *		target's cut back.
 */
void
shmcache_index_work_rollback(ShmcacheIndexWork *work, int mark,
							 dsa_pointer target_dp, uint64 nrows)
{
	ListCell   *lc;

	for_each_from(lc, work->pending, mark)
		shmcache_pending_release(lfirst(lc));
	work->pending = list_truncate(work->pending, mark);
	work->target = dsa_get_address(shmcache_area(), target_dp);
	foreach(lc, work->pending)
	{
		ShmcachePending *pending = lfirst(lc);

		if (pending_of_target(work, pending))
			shmcache_pending_cut(pending, nrows);
	}
}

/* The slot of index "index_id" in "version", or -1. */
static int
index_slot(ShmcacheVersion *version, int64 index_id)
{
	int			i;

	for (i = 0; i < SHMCACHE_MAX_INDEXES; i++)
	{
		if (DsaPointerIsValid(version->indexes[i]) &&
			((ShmcacheIndex *) dsa_get_address(shmcache_area(),
											   version->indexes[i]))->index_id == index_id)
			return i;
	}
	return -1;
}

/* A free index slot of the target, counting those taken at commit. */
static int
free_index_slot(ShmcacheIndexWork *work, const char *frame_name)
{
	bool		taken[SHMCACHE_MAX_INDEXES];
	ListCell   *lc;
	int			slot;

	for (slot = 0; slot < SHMCACHE_MAX_INDEXES; slot++)
		taken[slot] = DsaPointerIsValid(work->target->indexes[slot]);
	foreach(lc, work->new_indexes)
		taken[((ShmcacheNewIndex *) lfirst(lc))->slot] = true;
	for (slot = 0; slot < SHMCACHE_MAX_INDEXES && taken[slot]; slot++)
		;
	if (slot == SHMCACHE_MAX_INDEXES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("frame \"%s\" cannot have more than %d indexes",
						frame_name, SHMCACHE_MAX_INDEXES)));
	return slot;
}

/*
 * shmcache_index_work_add_index
 *		Build index "def" over the target's first "nrows" (committed) rows;
 *		it takes effect at commit.  For a unique index whose keys repeat,
 *		nothing is kept and the duplicated key is reported as CREATE UNIQUE
 *		INDEX does.
 */
void
shmcache_index_work_add_index(ShmcacheIndexWork *work, Relation view, uint64 nrows,
							  const ShmcacheIndex *def)
{
	const char *frame_name = RelationGetRelationName(view);
	int			slot = free_index_slot(work, frame_name);
	ShmcacheNewIndex *new_index;
	ShmcacheIndex *index;
	dsa_pointer dp;
	uint64		duplicate;

	dp = shmcache_index_alloc(work->target, def, (uint32) Min(nrows, PG_INT32_MAX),
							  frame_name);
	index = dsa_get_address(shmcache_area(), dp);
	PG_TRY();
	{
		duplicate = shmcache_index_build(work->target, index, nrows, frame_name);
		if (duplicate != PG_UINT64_MAX)
			report_duplicate(view, work->target, index, duplicate,
							 "could not create unique index \"%s\"",
							 "Key (%s)=(%s) is duplicated.");
	}
	PG_CATCH();
	{
		shmcache_index_free(work->target, dp);
		PG_RE_THROW();
	}
	PG_END_TRY();

	new_index = MemoryContextAlloc(TopTransactionContext, sizeof(ShmcacheNewIndex));
	new_index->slot = slot;
	new_index->index_dp = dp;
	work->new_indexes = lappend(work->new_indexes, new_index);
}

/*
 * shmcache_index_work_drop_index
 *		Drop index "index_id" of the target at commit.
 */
void
shmcache_index_work_drop_index(ShmcacheIndexWork *work, int64 index_id)
{
	int64	   *id = MemoryContextAlloc(TopTransactionContext, sizeof(int64));

	*id = index_id;
	work->drop_indexes = lappend(work->drop_indexes, id);
}

/*
 * shmcache_index_work_commit
 *		At commit, before the rows are published: link the target's new
 *		entries, put the indexes built by this transaction in their slots
 *		and take out the dropped ones.  Must not fail.
 */
void
shmcache_index_work_commit(ShmcacheIndexWork *work)
{
	ListCell   *lc;

	foreach(lc, work->pending)
	{
		ShmcachePending *pending = lfirst(lc);

		if (pending_of_target(work, pending))
			shmcache_pending_link(pending);
	}
	pg_write_barrier();
	foreach(lc, work->new_indexes)
	{
		ShmcacheNewIndex *new_index = lfirst(lc);

		work->target->indexes[new_index->slot] = new_index->index_dp;
	}
	work->new_indexes = NIL;
	foreach(lc, work->drop_indexes)
	{
		int			slot = index_slot(work->target, *(int64 *) lfirst(lc));

		if (slot >= 0)
			shmcache_index_drop(work->target, slot);
	}
}

/*
 * shmcache_index_work_release
 *		End of transaction: give back the entries and the indexes not put
 *		in place.
 */
void
shmcache_index_work_release(ShmcacheIndexWork *work)
{
	ListCell   *lc;

	foreach(lc, work->pending)
		shmcache_pending_release(lfirst(lc));
	foreach(lc, work->new_indexes)
		shmcache_index_free(work->target,
							((ShmcacheNewIndex *) lfirst(lc))->index_dp);
}
