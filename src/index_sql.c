/*-------------------------------------------------------------------------
 *
 * index_sql.c
 *	  The SQL surface of indexes on frames: PRIMARY KEY and UNIQUE in a
 *	  frame's column list (and a source table's primary key in
 *	  cache_table), shmcache.create_index() and shmcache.drop_index(), and
 *	  the key finder through which INSERT ... ON CONFLICT and COPY (UPSERT)
 *	  find the rows a new row conflicts with.  (shmcache.indexes reads its
 *	  figures from functions.c.)
 *
 * An index is defined by a row of shmcache.frame_index (dumped by pg_dump
 * with the frame's row of frame_catalog); its entries live in shared
 * memory with the frame's rows (index.c) and are rebuilt as rows come back
 * after a restart.  create_index builds the index over the rows already
 * there under the frame's write claim, so appenders wait and readers do
 * not; like CREATE INDEX CONCURRENTLY, create_index and drop_index run in
 * a transaction of their own.
 *
 * Layer: SQL surface, over definitions (catalog.c), visibility (the write
 * claim) and indexes.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/index_sql.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/varlena.h"

#include "frames.h"
#include "catalog.h"
#include "persist.h"
#include "xact.h"

PG_FUNCTION_INFO_V1(shmcache_create_index);
PG_FUNCTION_INFO_V1(shmcache_drop_index);

/* The position of column "name" in "coldefs", or -1. */
static int
column_position(List *coldefs, const char *name)
{
	ListCell   *lc;

	foreach(lc, coldefs)
	{
		if (strcmp(((ColumnDef *) lfirst(lc))->colname, name) == 0)
			return foreach_current_index(lc);
	}
	return -1;
}

/*
 * shmcache_keys_not_null
 *		The columns of a PRIMARY KEY are NOT NULL: set them in "notnull" (one
 *		per ColumnDef of "coldefs").  Also refuses a second primary key and a
 *		key naming an unknown column, as CREATE TABLE does.
 */
void
shmcache_keys_not_null(List *keys, List *coldefs, bool *notnull)
{
	bool		seen_primary = false;
	ListCell   *lc;

	foreach(lc, keys)
	{
		ShmcacheKeyDef *key = lfirst(lc);
		ListCell   *lc2;

		if (key->primary && seen_primary)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("multiple primary keys for a frame are not allowed")));
		seen_primary |= key->primary;
		foreach(lc2, key->columns)
		{
			int			pos = column_position(coldefs, strVal(lfirst(lc2)));

			if (pos < 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" named in key does not exist",
								strVal(lfirst(lc2)))));
			if (key->primary)
				notnull[pos] = true;
		}
	}
}

/*
 * The definition of an index of "view" on columns "columns" (names):
 * 0-based key columns, each of a type with a default hash operator class;
 * a key may not repeat a column.  Its name is "name", or made as CREATE
 * TABLE makes a constraint's: <frame>_pkey, <frame>_<columns>_key, or
 * <frame>_<columns>_idx for a non-unique index.
 */
static ShmcacheIndex
index_definition(Relation view, List *columns, bool unique, bool primary,
				 const char *name)
{
	TupleDesc	desc = RelationGetDescr(view);
	ShmcacheIndex def;
	StringInfoData colnames;
	ListCell   *lc;

	memset(&def, 0, sizeof(def));
	if (list_length(columns) > SHMCACHE_INDEX_MAX_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_COLUMNS),
				 errmsg("cannot use more than %d columns in an index of a frame",
						SHMCACHE_INDEX_MAX_KEYS)));
	initStringInfo(&colnames);
	foreach(lc, columns)
	{
		const char *colname = strVal(lfirst(lc));
		AttrNumber	attnum = get_attnum(RelationGetRelid(view), colname);
		Form_pg_attribute attr;
		int			k;

		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of frame \"%s\" does not exist",
							colname, RelationGetRelationName(view))));
		for (k = 0; k < def.nkeys; k++)
		{
			if (def.keys[k] == attnum - 1)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column \"%s\" appears twice in index", colname)));
		}
		attr = TupleDescAttr(desc, attnum - 1);
		shmcache_check_indexable(attr->atttypid, attr->attcollation, colname);
		def.keys[def.nkeys++] = attnum - 1;
		appendStringInfo(&colnames, "_%s", colname);
	}
	def.index_id = shmcache_random_id();
	def.unique = unique || primary;
	if (name == NULL)
		name = primary ? psprintf("%s_pkey", RelationGetRelationName(view)) :
			psprintf("%s%s_%s", RelationGetRelationName(view), colnames.data,
					 unique ? "key" : "idx");
	namestrcpy(&def.name, name);
	return def;
}

/*
 * The catalog definition of the index of frame "frame_id" on exactly the
 * columns "def" has, or NULL; or, with "name", the index of that name.
 */
static ShmcacheIndex *
existing_index(int64 frame_id, const ShmcacheIndex *def, const char *name)
{
	ListCell   *lc;

	foreach(lc, shmcache_catalog_indexes(frame_id))
	{
		ShmcacheIndex *other = lfirst(lc);

		if (name != NULL ? strcmp(NameStr(other->name), name) == 0 :
			(other->nkeys == def->nkeys &&
			 memcmp(other->keys, def->keys, sizeof(int16) * def->nkeys) == 0))
			return other;
	}
	return NULL;
}

/*
 * shmcache_define_keys
 *		Record the PRIMARY KEY and UNIQUE constraints "keys" of the frame
 *		being created ("frame_id", view "viewoid"); the frame is attached
 *		afterwards, with its indexes.
 */
void
shmcache_define_keys(int64 frame_id, Oid viewoid, List *keys)
{
	Relation	view;
	ListCell   *lc;

	if (keys == NIL)
		return;
	CommandCounterIncrement();	/* the view's columns */
	view = relation_open(viewoid, AccessShareLock);
	foreach(lc, keys)
	{
		ShmcacheKeyDef *key = lfirst(lc);
		ShmcacheIndex def = index_definition(view, key->columns, true, key->primary,
											 key->name);

		if (existing_index(frame_id, &def, NameStr(def.name)) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("constraint \"%s\" of frame \"%s\" already exists",
							NameStr(def.name), RelationGetRelationName(view))));
		shmcache_catalog_insert_index(frame_id, &def, key->primary);
		CommandCounterIncrement();
	}
	relation_close(view, NoLock);
}

/*
 * Open the frame named by argument 0 for an index change: the caller must
 * own it (as for CREATE INDEX), outside a transaction block; sets *frame_id
 * and the key columns of argument 1 in *columns.
 */
static Relation
open_frame_for_index(FunctionCallInfo fcinfo, const char *what, int64 *frame_id,
					 List **columns)
{
	Relation	view;
	char	   *column_list = text_to_cstring(PG_GETARG_TEXT_PP(1));

	shmcache_require_shmem();
	PreventInTransactionBlock(true, what);
	view = shmcache_open_frame(PG_GETARG_OID(0), AccessShareLock, frame_id);
	if (!shmcache_relation_ownercheck(RelationGetRelid(view), GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_VIEW, RelationGetRelationName(view));
	*columns = NIL;
	if (!SplitIdentifierString(column_list, ',', columns) || *columns == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid column list \"%s\"", text_to_cstring(PG_GETARG_TEXT_PP(1))),
				 errhint("List column names separated by commas, as in \"symbol, ts\".")));
	return view;
}

/* SplitIdentifierString's names (char *) as String nodes. */
static List *
string_nodes(List *names)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, names)
		result = lappend(result, makeString(lfirst(lc)));
	return result;
}

/*
 * shmcache.create_index(frame regclass, columns text, "unique" bool DEFAULT false)
 *		Build an index on the columns of a frame from the rows it holds and
 *		keep it up to date from then on.
 */
Datum
shmcache_create_index(PG_FUNCTION_ARGS)
{
	int64		frame_id;
	List	   *names;
	Relation	view = open_frame_for_index(fcinfo, "shmcache.create_index()", &frame_id,
											&names);
	bool		unique = PG_GETARG_BOOL(2);
	ShmcacheIndex def = index_definition(view, string_nodes(names), unique, false, NULL);
	ShmcacheWriter *writer;

	if (existing_index(frame_id, &def, NULL) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("frame \"%s\" already has an index on these columns",
						RelationGetRelationName(view))));
	if (existing_index(frame_id, &def, NameStr(def.name)) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("index \"%s\" of frame \"%s\" already exists",
						NameStr(def.name), RelationGetRelationName(view))));
	shmcache_catalog_insert_index(frame_id, &def, false);
	shmcache_snapshot_wait_loaded(frame_id, true);
	writer = shmcache_writer_begin(view, frame_id);
	shmcache_writer_add_index(writer, view, &def);
	/* Cached plans of queries on the frame are made again, with the index. */
	CacheInvalidateRelcache(view);
	relation_close(view, NoLock);
	PG_RETURN_VOID();
}

/*
 * shmcache.drop_index(frame regclass, columns text)
 *		Drop the index on these columns of a frame; its memory comes back
 *		once no query still reads it.
 */
Datum
shmcache_drop_index(PG_FUNCTION_ARGS)
{
	int64		frame_id;
	List	   *names;
	Relation	view = open_frame_for_index(fcinfo, "shmcache.drop_index()", &frame_id,
											&names);
	ShmcacheIndex def = index_definition(view, string_nodes(names), false, false, NULL);
	ShmcacheIndex *index = existing_index(frame_id, &def, NULL);

	if (index == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("frame \"%s\" has no index on these columns",
						RelationGetRelationName(view))));
	shmcache_catalog_delete_indexes(frame_id, index->index_id);
	shmcache_snapshot_wait_loaded(frame_id, true);
	shmcache_writer_drop_index(shmcache_writer_begin(view, frame_id), index->index_id);
	CacheInvalidateRelcache(view);
	relation_close(view, NoLock);
	PG_RETURN_VOID();
}

/* ----------------------------------------------------------------------
 * Finding the rows a new row conflicts with
 * ----------------------------------------------------------------------
 */

struct ShmcacheKeyFinder
{
	MemoryContext context;		/* where the finder and what it keeps live
								 * (callers find rows in shorter-lived
								 * contexts) */
	int64		frame_id;
	const char *frame_name;
	int			nindexes;
	int64	   *index_ids;		/* the unique indexes that arbitrate */
	ShmcacheVersion *version;	/* the version keys[] were made for */
	ShmcacheIndexKeys *keys;	/* per index */
	ShmcacheRowList found;
};

/*
 * shmcache_key_finder_create
 *		A finder of conflicting rows in unique indexes "index_ids" (int8
 *		Consts) of frame "frame_id", named "frame_name", or in every unique
 *		index of the frame if "index_ids" is NIL and "all_unique".
 */
ShmcacheKeyFinder *
shmcache_key_finder_create(int64 frame_id, const char *frame_name, List *index_ids,
						   bool all_unique)
{
	ShmcacheKeyFinder *finder = palloc0(sizeof(ShmcacheKeyFinder));
	ListCell   *lc;

	if (index_ids == NIL && all_unique)
	{
		foreach(lc, shmcache_planned_indexes(frame_id))	/* (cached) */
		{
			ShmcacheIndex *def = lfirst(lc);

			if (def->unique)
				index_ids = lappend(index_ids,
									makeConst(INT8OID, -1, InvalidOid, sizeof(int64),
											  Int64GetDatum(def->index_id), false,
											  FLOAT8PASSBYVAL));
		}
	}
	finder->context = CurrentMemoryContext;
	finder->found.max = 16;
	finder->found.rows = palloc(sizeof(uint64) * finder->found.max);
	finder->frame_id = frame_id;
	finder->frame_name = pstrdup(frame_name);
	finder->nindexes = list_length(index_ids);
	finder->index_ids = palloc(sizeof(int64) * Max(finder->nindexes, 1));
	foreach(lc, index_ids)
		finder->index_ids[foreach_current_index(lc)] =
			DatumGetInt64(((Const *) lfirst(lc))->constvalue);
	finder->keys = palloc0(sizeof(ShmcacheIndexKeys) * Max(finder->nindexes, 1));
	return finder;
}

/* shmcache_key_finder_indexes: how many indexes the finder looks in. */
int
shmcache_key_finder_indexes(const ShmcacheKeyFinder *finder)
{
	return finder->nindexes;
}

/* Make the key support of the finder's indexes in the writer's target. */
static void
finder_prepare(ShmcacheKeyFinder *finder, ShmcacheVersion *version)
{
	int			i;

	for (i = 0; i < finder->nindexes; i++)
	{
		ShmcacheIndex *index = shmcache_index_find(version, finder->index_ids[i]);

		if (index == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("a unique index of frame \"%s\" was dropped",
							finder->frame_name),
					 errhint("Run the statement again.")));
		shmcache_index_keys_init(&finder->keys[i], version, index);
	}
	finder->version = version;
}

/*
 * The row of the frame, live for "writer", whose key in the finder's index
 * "i" is that of row "values"/"nulls" (the frame's columns): true and *row,
 * or false (none, or a null key).
 */
static bool
find_in_index(ShmcacheKeyFinder *finder, ShmcacheWriter *writer, int i,
			  const Datum *values, const bool *nulls, uint64 *row)
{
	uint64		nrows;
	ShmcacheVersion *version = shmcache_writer_target(writer, &nrows);
	const ShmcacheIndex *index;
	Datum		keyvals[SHMCACHE_INDEX_MAX_KEYS];
	int			k;

	if (finder->version != version)
	{
		MemoryContext oldcontext = MemoryContextSwitchTo(finder->context);

		finder_prepare(finder, version);
		MemoryContextSwitchTo(oldcontext);
	}
	index = finder->keys[i].index;
	finder->found.n = 0;
	for (k = 0; k < index->nkeys && !nulls[index->keys[k]]; k++)
		keyvals[k] = values[index->keys[k]];
	/* (a null key conflicts with nothing) */
	if (k == index->nkeys)
		shmcache_index_lookup(&finder->keys[i], keyvals, nrows,
							  shmcache_writer_pending(finder->frame_id, version,
													  index->index_id),
							  &finder->found);	/* (rows grow by repalloc: in
												 * the finder's context) */
	if (finder->found.n == 0)
		return false;
	*row = finder->found.rows[0];
	return true;
}

/*
 * shmcache_key_finder_first
 *		A row of the frame, live for "writer", that row "values"/"nulls"
 *		conflicts with in one of the finder's indexes (the first of them that
 *		has one): true and *row, or false.
 */
bool
shmcache_key_finder_first(ShmcacheKeyFinder *finder, ShmcacheWriter *writer,
						  const Datum *values, const bool *nulls, uint64 *row)
{
	int			i;

	for (i = 0; i < finder->nindexes; i++)
	{
		if (find_in_index(finder, writer, i, values, nulls, row))
			return true;
	}
	return false;
}
