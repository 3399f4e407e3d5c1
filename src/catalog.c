/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Frame definitions: the only access to the catalog table and to the
 *	  extension's own objects, and bringing a frame into shared memory on
 *	  first use (shmcache_frame_attach).
 *
 * Layer: definitions, just above storage and shared memory, below
 * transactions and visibility (which attach a frame on its first use) and
 * everything else; it calls only down.  Creating and dropping frames, the
 * SQL surface over these definitions, is frames.c.
 *
 * A frame is defined by two ordinary database objects, so that a restart or
 * a pg_dump/restore brings it back:
 *	 - a row of shmcache.frame_catalog (frame_id, view, not_null, created),
 *	   an extension configuration table, so pg_dump dumps its rows;
 *	 - a view "SELECT * FROM shmcache.scan(<frame_id>) AS f(<columns>)",
 *	   whose columns give the frame's names, types, typmods and collations,
 *	   and an INSTEAD OF INSERT trigger on it.
 * Shared memory holds only the data.  The frame table entry of a frame is
 * created from these definitions the first time a backend reads or writes
 * the frame after server start (shmcache_frame_attach).
 *
 * The catalog table is read and written directly (not through SQL), so that
 * users who may create and drop frames need no privileges on it, and no
 * user's search_path or objects can take part.  Only objects that belong to
 * the installed extension are trusted (extension membership, not names).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "storage.h"

/* Columns of shmcache.frame_catalog */
#define Anum_frame_catalog_frame_id		1
#define Anum_frame_catalog_view			2
#define Anum_frame_catalog_not_null		3
#define Anum_frame_catalog_created		4
#define Natts_frame_catalog				4

/* Columns of shmcache.frame_index */
#define Anum_frame_index_index_id		1
#define Anum_frame_index_frame_id		2
#define Anum_frame_index_name			3
#define Anum_frame_index_columns		4
#define Anum_frame_index_is_unique		5
#define Anum_frame_index_is_primary		6
#define Natts_frame_index				6

/* The extension's tables this file reads and writes. */
typedef enum CatalogTable
{
	FRAME_CATALOG,
	FRAME_INDEX
} CatalogTable;

/* Their names and the column types this code expects of them. */
static const struct
{
	const char *name;
	int			natts;
	Oid			types[Natts_frame_index];
}			catalog_tables[] = {
	[FRAME_CATALOG] = {"frame_catalog", Natts_frame_catalog,
	{INT8OID, REGCLASSOID, INT2ARRAYOID, TIMESTAMPTZOID}},
	[FRAME_INDEX] = {"frame_index", Natts_frame_index,
	{INT8OID, INT8OID, NAMEOID, INT2ARRAYOID, BOOLOID, BOOLOID}},
};


/*
 * The objects of the installed extension this backend relies on, looked up
 * by OID and extension membership, never by the user's search_path: a
 * schema "shmcache" with look-alike objects in a database without the
 * extension (or beside it) must never be taken for ours.  Reset whenever
 * pg_proc or pg_class change.
 */
typedef struct ExtensionObjects
{
	bool		valid;			/* the fields below are current */
	Oid			extoid;			/* pg_extension OID, or InvalidOid */
	Oid			relids[lengthof(catalog_tables)];	/* shmcache.frame_catalog,
														 * shmcache.frame_index */
	Oid			scan_funcoid;	/* shmcache.scan(int8) */
	Oid			modify_trigger_funcoid; /* shmcache.modify_trigger(), or
										 * InvalidOid before version 0.3 */
	Oid			follow_trigger_funcoid; /* shmcache.follow_trigger(), the same */
} ExtensionObjects;

static ExtensionObjects extension_objects;

static void
invalidate_extension_objects(Datum arg, int cacheid, uint32 hashvalue)
{
	extension_objects.valid = false;
}

/* The schema of extension "extoid" (pg_extension.extnamespace). */
static Oid
extension_schema(Oid extoid)
{
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			nspid = InvalidOid;

	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(extoid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	if (HeapTupleIsValid(tuple = systable_getnext(scan)))
		nspid = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return nspid;
}

/* "objid" of class "classid" if it is a member of extension "extoid". */
static Oid
extension_member(Oid classid, Oid objid, Oid extoid)
{
	if (OidIsValid(objid) && getExtensionOfObject(classid, objid) == extoid)
		return objid;
	return InvalidOid;
}

/* The extension's trigger function "name"() in schema "nspid", or InvalidOid. */
static Oid
trigger_function(Oid nspid, Oid extoid, const char *name)
{
	return extension_member(ProcedureRelationId,
							GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
											CStringGetDatum(name),
											PointerGetDatum(buildoidvector(NULL, 0)),
											ObjectIdGetDatum(nspid)),
							extoid);
}

/* Fill extension_objects from the catalogs. */
static void
lookup_extension_objects(void)
{
	ExtensionObjects objs;
	Oid			nspid;
	Oid			argtype = INT8OID;

	memset(&objs, 0, sizeof(objs));
	objs.extoid = get_extension_oid("shmcache", true);
	if (OidIsValid(objs.extoid) &&
		OidIsValid(nspid = extension_schema(objs.extoid)))
	{
		int			i;

		for (i = 0; i < (int) lengthof(catalog_tables); i++)
			objs.relids[i] = extension_member(RelationRelationId,
											  get_relname_relid(catalog_tables[i].name, nspid),
											  objs.extoid);
		objs.scan_funcoid = extension_member(ProcedureRelationId,
											 GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
															 CStringGetDatum("scan"),
															 PointerGetDatum(buildoidvector(&argtype, 1)),
															 ObjectIdGetDatum(nspid)),
											 objs.extoid);
		objs.modify_trigger_funcoid = trigger_function(nspid, objs.extoid, "modify_trigger");
		objs.follow_trigger_funcoid = trigger_function(nspid, objs.extoid, "follow_trigger");
	}
	objs.valid = true;
	extension_objects = objs;
}

static const ExtensionObjects *
get_extension_objects(void)
{
	if (!extension_objects.valid)
		lookup_extension_objects();
	return &extension_objects;
}

/*
 * shmcache_modify_trigger_oid
 *		OID of the extension's shmcache.modify_trigger() in this database,
 *		InvalidOid if the extension is not installed or older than 0.3.
 */
Oid
shmcache_modify_trigger_oid(void)
{
	return get_extension_objects()->modify_trigger_funcoid;
}

/*
 * shmcache_follow_trigger_oid
 *		OID of the extension's shmcache.follow_trigger(), InvalidOid if the
 *		extension is not installed or older than 0.3.
 */
Oid
shmcache_follow_trigger_oid(void)
{
	return get_extension_objects()->follow_trigger_funcoid;
}

/*
 * shmcache_scan_function_oid
 *		OID of the extension's shmcache.scan(int8) in this database,
 *		InvalidOid if the extension is not installed.  Cheap after the first
 *		call.
 */
Oid
shmcache_scan_function_oid(void)
{
	return get_extension_objects()->scan_funcoid;
}

/*
 * shmcache_catalog_relid
 *		OID of the extension's shmcache.frame_catalog, or InvalidOid if the
 *		extension is not installed in this database (and missing_ok).
 */
Oid
shmcache_catalog_relid(bool missing_ok)
{
	Oid			relid = get_extension_objects()->relids[FRAME_CATALOG];

	if (!OidIsValid(relid) && !missing_ok)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"shmcache\" is not installed in this database")));
	return relid;
}

/*
 * Open catalog table "which" and check that its columns are the ones this
 * code reads (an extension script of another version could differ).  NULL
 * if it is not there and "missing_ok": the extension is not installed here,
 * or (frame_index) is at a version without indexes.
 */
static Relation
catalog_open(CatalogTable which, bool missing_ok, LOCKMODE lockmode)
{
	Oid			relid = get_extension_objects()->relids[which];
	Relation	rel;
	TupleDesc	desc;
	int			i;

	if (!OidIsValid(relid))
	{
		if (missing_ok)
			return NULL;
		(void) shmcache_catalog_relid(false);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("shmcache.%s does not exist", catalog_tables[which].name),
				 errhint("Update the extension with ALTER EXTENSION shmcache UPDATE.")));
	}
	rel = table_open(relid, lockmode);
	desc = RelationGetDescr(rel);

	for (i = 0; i < catalog_tables[which].natts; i++)
	{
		if (i >= desc->natts || TupleDescAttr(desc, i)->attisdropped ||
			TupleDescAttr(desc, i)->atttypid != catalog_tables[which].types[i])
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("shmcache.%s does not have the expected columns",
							catalog_tables[which].name),
					 errhint("Reinstall the extension with the version of its library.")));
	}
	return rel;
}

/* Column "attnum" of a catalog row; a null where none may be is an error. */
static Datum
catalog_value(Relation rel, HeapTuple tuple, AttrNumber attnum)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, RelationGetDescr(rel), &isnull);

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("shmcache.%s holds a null in column %d",
						RelationGetRelationName(rel), attnum)));
	return value;
}

/*
 * Scan catalog table "rel" for the rows whose column "attnum" equals "value"
 * (using equality function "eqproc") and call "found" on each.  Returns
 * whether a row was found.  The tables are small: a sequential scan is
 * right.
 */
static bool
catalog_find(Relation rel, AttrNumber attnum, RegProcedure eqproc, Datum value,
			 void (*found) (Relation rel, HeapTuple tuple, void *arg), void *arg)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
	bool		result = false;

	ScanKeyInit(&key, attnum, BTEqualStrategyNumber, eqproc, value);
	scan = systable_beginscan(rel, InvalidOid, false, snapshot, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		found(rel, tuple, arg);
		result = true;
	}
	systable_endscan(scan);
	UnregisterSnapshot(snapshot);
	return result;
}

/* catalog_find callback: delete the row found. */
static void
delete_row(Relation rel, HeapTuple tuple, void *arg)
{
	CatalogTupleDelete(rel, &tuple->t_self);
}

/* catalog_find callback: copy the frame id out. */
static void
read_frame_id(Relation rel, HeapTuple tuple, void *arg)
{
	*(int64 *) arg = DatumGetInt64(catalog_value(rel, tuple, Anum_frame_catalog_frame_id));
}

/*
 * Find the catalog row of view "viewoid" and set *frame_id; delete the row
 * too if "delete".  False if there is none (or no catalog).
 */
static bool
find_view(Oid viewoid, int64 *frame_id, bool delete)
{
	LOCKMODE	lockmode = delete ? RowExclusiveLock : AccessShareLock;
	Relation	rel = catalog_open(FRAME_CATALOG, true, lockmode);
	bool		found;

	if (rel == NULL)
		return false;
	found = catalog_find(rel, Anum_frame_catalog_view, F_OIDEQ,
						 ObjectIdGetDatum(viewoid), read_frame_id, frame_id);
	if (found && delete)
	{
		catalog_find(rel, Anum_frame_catalog_view, F_OIDEQ,
					 ObjectIdGetDatum(viewoid), delete_row, NULL);
		shmcache_catalog_delete_indexes(*frame_id, 0);
	}
	table_close(rel, lockmode);
	return found;
}

/*
 * shmcache_catalog_lookup_view
 *		Is "viewoid" a frame's view?  If so, set *frame_id.
 */
bool
shmcache_catalog_lookup_view(Oid viewoid, int64 *frame_id)
{
	return find_view(viewoid, frame_id, false);
}

/*
 * shmcache_frame_id_of
 *		The frame id of view "viewoid"; an error if it is not a frame.
 */
int64
shmcache_frame_id_of(Oid viewoid)
{
	int64		frame_id;

	if (!shmcache_catalog_lookup_view(viewoid, &frame_id))
	{
		char	   *name = get_rel_name(viewoid);

		if (name == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation with OID %u does not exist", viewoid)));
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a shmcache frame", name),
				 errhint("Frames are created with shmcache.create_frame() or shmcache.cache_table().")));
	}
	return frame_id;
}

/* What shmcache_catalog_lookup_id reads from a catalog row. */
typedef struct FrameDefinition
{
	Oid			viewoid;
	ArrayType  *not_null;		/* int2[] of NOT NULL attribute numbers */
} FrameDefinition;

static void
read_frame_definition(Relation rel, HeapTuple tuple, void *arg)
{
	FrameDefinition *def = arg;

	def->viewoid = DatumGetObjectId(catalog_value(rel, tuple, Anum_frame_catalog_view));
	def->not_null = DatumGetArrayTypePCopy(catalog_value(rel, tuple, Anum_frame_catalog_not_null));
}

/*
 * shmcache_catalog_view_of
 *		The view of frame "frame_id" of this database, or InvalidOid if there
 *		is no such frame (or the extension is not installed).
 */
Oid
shmcache_catalog_view_of(int64 frame_id)
{
	Relation	rel = catalog_open(FRAME_CATALOG, true, AccessShareLock);
	FrameDefinition def = {0};
	bool		found;

	if (rel == NULL)
		return InvalidOid;
	found = catalog_find(rel, Anum_frame_catalog_frame_id, F_INT8EQ,
						 Int64GetDatum(frame_id), read_frame_definition, &def);
	table_close(rel, AccessShareLock);
	return found ? def.viewoid : InvalidOid;
}

/* A frame of the catalog, for sorting by frame id. */
typedef struct CatalogEntry
{
	int64		frame_id;
	Oid			viewoid;
} CatalogEntry;

static int
catalog_entry_cmp(const void *a, const void *b)
{
	int64		x = ((const CatalogEntry *) a)->frame_id;
	int64		y = ((const CatalogEntry *) b)->frame_id;

	return (x > y) - (x < y);
}

/*
 * shmcache_catalog_views
 *		The views of every frame of this database, in frame id order (NIL if
 *		the extension is not installed here), read with the latest snapshot.
 */
List *
shmcache_catalog_views(void)
{
	Relation	rel = catalog_open(FRAME_CATALOG, true, AccessShareLock);
	Snapshot	snapshot;
	SysScanDesc scan;
	CatalogEntry *entries = NULL;
	int			n = 0;
	int			max = 0;
	HeapTuple	tuple;
	List	   *views = NIL;
	int			i;

	if (rel == NULL)
		return NIL;
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = systable_beginscan(rel, InvalidOid, false, snapshot, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		if (n == max)
		{
			max = Max(16, max * 2);
			entries = entries ? repalloc(entries, sizeof(CatalogEntry) * max) :
				palloc(sizeof(CatalogEntry) * max);
		}
		entries[n].frame_id = DatumGetInt64(catalog_value(rel, tuple, Anum_frame_catalog_frame_id));
		entries[n].viewoid = DatumGetObjectId(catalog_value(rel, tuple, Anum_frame_catalog_view));
		n++;
	}
	systable_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);

	if (n > 1)
		qsort(entries, n, sizeof(CatalogEntry), catalog_entry_cmp);
	for (i = 0; i < n; i++)
		views = lappend_oid(views, entries[i].viewoid);
	return views;
}

/*
 * shmcache_catalog_lookup_id
 *		The view of frame "frame_id" and, in *notnull (palloc'd, natts
 *		entries), which of its columns are NOT NULL.  InvalidOid if there is
 *		no such frame.
 */
static Oid
shmcache_catalog_lookup_id(int64 frame_id, bool **notnull, int *natts)
{
	Relation	rel = catalog_open(FRAME_CATALOG, false, AccessShareLock);
	FrameDefinition def = {0};
	Relation	view;
	Datum	   *attnums;
	int			nattnums;
	int			i;

	if (!catalog_find(rel, Anum_frame_catalog_frame_id, F_INT8EQ,
					  Int64GetDatum(frame_id), read_frame_definition, &def))
	{
		table_close(rel, AccessShareLock);
		return InvalidOid;
	}
	table_close(rel, AccessShareLock);

	view = relation_open(def.viewoid, AccessShareLock);
	if (view->rd_rel->relkind != RELKIND_VIEW)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("shmcache.frame_catalog names \"%s\" for frame " INT64_FORMAT ", which is not a view",
						RelationGetRelationName(view), frame_id)));
	*natts = RelationGetDescr(view)->natts;
	relation_close(view, NoLock);

	*notnull = palloc0(sizeof(bool) * Max(*natts, 1));
	deconstruct_array(def.not_null, INT2OID, 2, true, TYPALIGN_SHORT,
					  &attnums, NULL, &nattnums);
	for (i = 0; i < nattnums; i++)
	{
		int			attnum = DatumGetInt16(attnums[i]);

		if (attnum >= 1 && attnum <= *natts)
			(*notnull)[attnum - 1] = true;
	}
	return def.viewoid;
}

/* catalog_find callback: add the index definition of a frame_index row. */
static void
read_index_definition(Relation rel, HeapTuple tuple, void *arg)
{
	List	  **defs = arg;
	ShmcacheIndex *def = palloc0(sizeof(ShmcacheIndex));
	ArrayType  *columns = DatumGetArrayTypeP(catalog_value(rel, tuple, Anum_frame_index_columns));
	Datum	   *attnums;
	int			n;
	int			k;

	def->index_id = DatumGetInt64(catalog_value(rel, tuple, Anum_frame_index_index_id));
	namestrcpy(&def->name,
			   NameStr(*DatumGetName(catalog_value(rel, tuple, Anum_frame_index_name))));
	def->unique = DatumGetBool(catalog_value(rel, tuple, Anum_frame_index_is_unique));
	deconstruct_array(columns, INT2OID, 2, true, TYPALIGN_SHORT, &attnums, NULL, &n);
	if (ARR_NDIM(columns) != 1 || ARR_HASNULL(columns) || n < 1 ||
		n > SHMCACHE_INDEX_MAX_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("shmcache.frame_index holds an invalid column list for index \"%s\"",
						NameStr(def->name))));
	def->nkeys = n;
	for (k = 0; k < n; k++)
		def->keys[k] = DatumGetInt16(attnums[k]) - 1;
	*defs = lappend(*defs, def);
}

/*
 * shmcache_catalog_indexes
 *		The definitions of the indexes of frame "frame_id" (ShmcacheIndex,
 *		definition fields only); none if the extension predates indexes.
 */
List *
shmcache_catalog_indexes(int64 frame_id)
{
	Relation	rel = catalog_open(FRAME_INDEX, true, AccessShareLock);
	List	   *defs = NIL;

	if (rel == NULL)
		return NIL;
	catalog_find(rel, Anum_frame_index_frame_id, F_INT8EQ, Int64GetDatum(frame_id),
				 read_index_definition, &defs);
	table_close(rel, AccessShareLock);
	return defs;
}

/*
 * The planner's cache of index definitions, per frame: reading frame_index
 * at every planning of a query on a frame would cost more than the lookup
 * the plan makes.  Emptied on every relcache invalidation: create_index
 * and drop_index invalidate the frame's view, as does dropping it.
 */
typedef struct IndexCacheEntry
{
	int64		frame_id;		/* hash key */
	List	   *defs;			/* ShmcacheIndex definitions */
} IndexCacheEntry;

static HTAB *index_cache = NULL;
static MemoryContext index_cache_context = NULL;

static void
invalidate_index_cache(Datum arg, Oid relid)
{
	if (index_cache_context != NULL)
		MemoryContextReset(index_cache_context);
	index_cache = NULL;
}

/* A copy of index definitions "defs" in the current memory context. */
static List *
copy_index_definitions(List *defs)
{
	List	   *copy = NIL;
	ListCell   *lc;

	foreach(lc, defs)
	{
		ShmcacheIndex *def = palloc(sizeof(ShmcacheIndex));

		memcpy(def, lfirst(lc), sizeof(ShmcacheIndex));
		copy = lappend(copy, def);
	}
	return copy;
}

/*
 * shmcache_planned_indexes
 *		shmcache_catalog_indexes for the planner, from a cache (a copy the
 *		caller owns: an invalidation may empty the cache meanwhile).  A plan
 *		that names an index that is gone by the time it runs is still right:
 *		the node then reads every row (see lookup.c).
 */
List *
shmcache_planned_indexes(int64 frame_id)
{
	IndexCacheEntry *entry;
	List	   *defs;
	MemoryContext old;

	if (index_cache != NULL &&
		(entry = hash_search(index_cache, &frame_id, HASH_FIND, NULL)) != NULL)
		return copy_index_definitions(entry->defs);

	/* (reading the catalog may process invalidations, emptying the cache) */
	defs = shmcache_catalog_indexes(frame_id);
	if (index_cache == NULL)
	{
		HASHCTL		ctl;

		if (index_cache_context == NULL)
			index_cache_context = AllocSetContextCreate(CacheMemoryContext,
														"shmcache index definitions",
														ALLOCSET_SMALL_SIZES);
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(IndexCacheEntry);
		ctl.hcxt = index_cache_context;
		index_cache = hash_create("shmcache index definitions", 16, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	old = MemoryContextSwitchTo(index_cache_context);
	entry = hash_search(index_cache, &frame_id, HASH_ENTER, NULL);
	entry->defs = copy_index_definitions(defs);
	MemoryContextSwitchTo(old);
	return defs;
}

/*
 * shmcache_catalog_insert_index
 *		Record index "def" of frame "frame_id".
 */
void
shmcache_catalog_insert_index(int64 frame_id, const ShmcacheIndex *def, bool primary)
{
	Relation	rel = catalog_open(FRAME_INDEX, false, RowExclusiveLock);
	Datum		values[Natts_frame_index];
	bool		nulls[Natts_frame_index] = {false};
	Datum		attnums[SHMCACHE_INDEX_MAX_KEYS];
	int			k;

	for (k = 0; k < def->nkeys; k++)
		attnums[k] = Int16GetDatum(def->keys[k] + 1);
	values[Anum_frame_index_index_id - 1] = Int64GetDatum(def->index_id);
	values[Anum_frame_index_frame_id - 1] = Int64GetDatum(frame_id);
	values[Anum_frame_index_name - 1] = NameGetDatum(&def->name);
	values[Anum_frame_index_columns - 1] =
		PointerGetDatum(construct_array(attnums, def->nkeys, INT2OID, 2, true,
										TYPALIGN_SHORT));
	values[Anum_frame_index_is_unique - 1] = BoolGetDatum(def->unique);
	values[Anum_frame_index_is_primary - 1] = BoolGetDatum(primary);
	CatalogTupleInsert(rel, heap_form_tuple(RelationGetDescr(rel), values, nulls));
	table_close(rel, RowExclusiveLock);
}

/*
 * shmcache_catalog_delete_indexes
 *		Delete the catalog row of index "index_id", or with 0 those of every
 *		index of frame "frame_id".
 */
void
shmcache_catalog_delete_indexes(int64 frame_id, int64 index_id)
{
	Relation	rel = catalog_open(FRAME_INDEX, true, RowExclusiveLock);

	if (rel == NULL)
		return;
	if (index_id != 0)
		catalog_find(rel, Anum_frame_index_index_id, F_INT8EQ, Int64GetDatum(index_id),
					 delete_row, NULL);
	else
		catalog_find(rel, Anum_frame_index_frame_id, F_INT8EQ, Int64GetDatum(frame_id),
					 delete_row, NULL);
	table_close(rel, RowExclusiveLock);
}

/*
 * Put the indexes of frame "frame_id" (catalog definitions), empty, in the
 * new "version".
 */
static void
add_catalog_indexes(ShmcacheVersion *version, int64 frame_id, const char *frame_name)
{
	List	   *defs = shmcache_catalog_indexes(frame_id);
	ListCell   *lc;
	int			slot = 0;

	foreach(lc, defs)
	{
		ShmcacheIndex *def = lfirst(lc);
		int			k;

		for (k = 0; k < def->nkeys; k++)
		{
			if (def->keys[k] < 0 || def->keys[k] >= version->natts)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("index \"%s\" of frame \"%s\" names a column the frame does not have",
								NameStr(def->name), frame_name)));
		}
		if (slot == SHMCACHE_MAX_INDEXES)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("frame \"%s\" has more than %d indexes", frame_name,
							SHMCACHE_MAX_INDEXES)));
		version->indexes[slot++] = shmcache_index_alloc(version, def, 0, frame_name);
	}
}

/*
 * shmcache_frame_attach
 *		Make sure frame "frame_id" of this database has an entry in the
 *		shared frame table, creating it (empty) from its catalog definition
 *		if this is its first use since server start.
 */
void
shmcache_frame_attach(int64 frame_id)
{
	ShmcacheFrameKey key;
	ShmcacheFrame *frame;
	bool	   *notnull;
	int			natts;
	Oid			viewoid;
	Relation	view;
	dsa_pointer version_dp;
	bool		found;

	if (shmcache_frame_held(MyDatabaseId, frame_id))
		return;
	key = shmcache_frame_key(MyDatabaseId, frame_id);

	viewoid = shmcache_catalog_lookup_id(frame_id, &notnull, &natts);
	if (!OidIsValid(viewoid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("shmcache frame %lld does not exist", (long long) frame_id)));

	view = relation_open(viewoid, AccessShareLock);
	version_dp = shmcache_version_create(RelationGetDescr(view), notnull,
										 RelationGetRelationName(view));
	PG_TRY();
	{
		add_catalog_indexes(dsa_get_address(shmcache_area(), version_dp), frame_id,
							RelationGetRelationName(view));
	}
	PG_CATCH();
	{
		shmcache_version_unref(version_dp);
		PG_RE_THROW();
	}
	PG_END_TRY();
	relation_close(view, NoLock);

	LWLockAcquire(ShmcacheShared->lock, LW_EXCLUSIVE);
	/*
	 * A shared hash table grows past its size into PostgreSQL's spare shared
	 * memory, which the lock table needs: the limit is enforced here.
	 */
	frame = hash_search(shmcache_frame_table(), &key, HASH_FIND, NULL);
	found = frame != NULL;
	if (!found && hash_get_num_entries(shmcache_frame_table()) < shmcache_max_frames)
		frame = hash_search(shmcache_frame_table(), &key, HASH_ENTER_NULL, &found);
	if (frame != NULL && !found)
	{
		frame->viewoid = viewoid;
		frame->current = version_dp;
		frame->updated = 0;
		frame->changes = 0;
	}
	LWLockRelease(ShmcacheShared->lock);

	if (frame == NULL || found)
		shmcache_version_unref(version_dp);
	if (frame == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("too many shmcache frames"),
				 errdetail("The server holds at most %d frames in all databases.",
						   shmcache_max_frames),
				 errhint("Increase shmcache.max_frames and restart the server.")));
}

/*
 * shmcache_open_relation
 *		relation_open() for a relation named by a regclass argument: an OID
 *		that names no relation (0, or a dropped relation's) is the user's
 *		error, reported as PostgreSQL's regclass functions report it.
 */
Relation
shmcache_open_relation(Oid relid, LOCKMODE lockmode)
{
	Relation	rel = try_relation_open(relid, lockmode);

	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	return rel;
}

/*
 * shmcache_open_frame
 *		Open the view of the frame named by a regclass argument, locked in
 *		"lockmode", and set *frame_id (unless NULL); an error if it is no
 *		frame's view.
 */
Relation
shmcache_open_frame(Oid viewoid, LOCKMODE lockmode, int64 *frame_id)
{
	Relation	view = shmcache_open_relation(viewoid, lockmode);
	int64		id = shmcache_frame_id_of(viewoid);

	if (frame_id != NULL)
		*frame_id = id;
	return view;
}

/*
 * shmcache_catalog_insert
 *		Insert the catalog row of a new frame.
 */
void
shmcache_catalog_insert(int64 frame_id, Oid viewoid, List *coldefs, const bool *notnull)
{
	Relation	rel = catalog_open(FRAME_CATALOG, false, RowExclusiveLock);
	Datum		values[Natts_frame_catalog];
	bool		nulls[Natts_frame_catalog] = {false};
	Datum	   *attnums = palloc(sizeof(Datum) * Max(list_length(coldefs), 1));
	int			nattnums = 0;
	int			i;
	HeapTuple	tuple;

	for (i = 0; i < list_length(coldefs); i++)
	{
		if (notnull[i])
			attnums[nattnums++] = Int16GetDatum(i + 1);
	}
	values[Anum_frame_catalog_frame_id - 1] = Int64GetDatum(frame_id);
	values[Anum_frame_catalog_view - 1] = ObjectIdGetDatum(viewoid);
	values[Anum_frame_catalog_not_null - 1] =
		PointerGetDatum(construct_array(attnums, nattnums, INT2OID, 2, true,
										TYPALIGN_SHORT));
	values[Anum_frame_catalog_created - 1] =
		TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());

	tuple = heap_form_tuple(RelationGetDescr(rel), values, nulls);
	CatalogTupleInsert(rel, tuple);
	table_close(rel, RowExclusiveLock);
}


/*
 * shmcache_catalog_delete_view
 *		Delete the catalog row of the frame whose view is "viewoid", if there
 *		is one (and the catalog is still there: DROP EXTENSION ... CASCADE
 *		may have dropped it first); sets *frame_id and returns whether it was
 *		a frame.
 */
bool
shmcache_catalog_delete_view(Oid viewoid, int64 *frame_id)
{
	return find_view(viewoid, frame_id, true);
}

/*
 * shmcache_random_id
 *		A random id of 62 bits, not 0: the ids of frames and of indexes.
 */
int64
shmcache_random_id(void)
{
	uint64		id;

	do
	{
		if (!pg_strong_random(&id, sizeof(id)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random id")));
		id &= (UINT64CONST(1) << 62) - 1;
	} while (id == 0);
	return (int64) id;
}

/*
 * shmcache_catalog_init
 *		Register the invalidation callbacks of the cached extension objects
 *		(from _PG_init).
 */
void
shmcache_catalog_init(void)
{
	CacheRegisterSyscacheCallback(PROCOID, invalidate_extension_objects, (Datum) 0);
	CacheRegisterSyscacheCallback(RELOID, invalidate_extension_objects, (Datum) 0);
	CacheRegisterRelcacheCallback(invalidate_index_cache, (Datum) 0);
}
