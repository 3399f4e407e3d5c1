/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Frame definitions: the catalog table, create_frame, drop handling, and
 *	  bringing a frame into shared memory on first use.
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
 * users who may create and drop frames need no privileges on it.
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
#include "catalog/heap.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_class.h"
#include "catalog/dependency.h"
#include "catalog/pg_database.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "rewrite/rewriteHandler.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "shmcache.h"

/* Columns of shmcache.frame_catalog */
#define Anum_frame_catalog_frame_id		1
#define Anum_frame_catalog_view			2
#define Anum_frame_catalog_not_null		3
#define Anum_frame_catalog_created		4
#define Natts_frame_catalog				4

PG_FUNCTION_INFO_V1(shmcache_create_frame);

static object_access_hook_type prev_object_access_hook = NULL;

static int64 new_frame_id(void);

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
	Oid			catalog_relid;	/* shmcache.frame_catalog */
	Oid			scan_funcoid;	/* shmcache.scan(int8) */
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
		objs.catalog_relid = extension_member(RelationRelationId,
											  get_relname_relid("frame_catalog", nspid),
											  objs.extoid);
		objs.scan_funcoid = extension_member(ProcedureRelationId,
											 GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
															 CStringGetDatum("scan"),
															 PointerGetDatum(buildoidvector(&argtype, 1)),
															 ObjectIdGetDatum(nspid)),
											 objs.extoid);
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
	Oid			relid = get_extension_objects()->catalog_relid;

	if (!OidIsValid(relid) && !missing_ok)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"shmcache\" is not installed in this database")));
	return relid;
}

/*
 * Open the catalog and check that its columns are the ones this code reads
 * (an extension script of another version could differ).
 */
static Relation
catalog_open(Oid relid, LOCKMODE lockmode)
{
	static const Oid expected[Natts_frame_catalog] = {
		INT8OID, REGCLASSOID, INT2ARRAYOID, TIMESTAMPTZOID
	};
	Relation	rel = table_open(relid, lockmode);
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < Natts_frame_catalog; i++)
	{
		if (i >= desc->natts || TupleDescAttr(desc, i)->attisdropped ||
			TupleDescAttr(desc, i)->atttypid != expected[i])
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("shmcache.frame_catalog does not have the expected columns"),
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
				 errmsg("shmcache.frame_catalog holds a null in column %d", attnum)));
	return value;
}

/*
 * Scan the catalog for the row whose column "attnum" equals "value" (using
 * equality function "eqproc") and call "found" on it.  Returns whether a row
 * was found.  The catalog is small: a sequential scan is right.
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
	if (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		found(rel, tuple, arg);
		result = true;
	}
	systable_endscan(scan);
	UnregisterSnapshot(snapshot);
	return result;
}

/* catalog_find callback: copy the frame id out. */
static void
read_frame_id(Relation rel, HeapTuple tuple, void *arg)
{
	*(int64 *) arg = DatumGetInt64(catalog_value(rel, tuple, Anum_frame_catalog_frame_id));
}

/*
 * shmcache_catalog_lookup_view
 *		Is "viewoid" a frame's view?  If so, set *frame_id.
 */
bool
shmcache_catalog_lookup_view(Oid viewoid, int64 *frame_id)
{
	Oid			relid = shmcache_catalog_relid(true);
	Relation	rel;
	bool		found;

	if (!OidIsValid(relid))
		return false;
	rel = catalog_open(relid, AccessShareLock);
	found = catalog_find(rel, Anum_frame_catalog_view, F_OIDEQ,
						 ObjectIdGetDatum(viewoid), read_frame_id, frame_id);
	table_close(rel, AccessShareLock);
	return found;
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
	Oid			relid = shmcache_catalog_relid(true);
	Relation	rel;
	FrameDefinition def;
	bool		found;

	if (!OidIsValid(relid))
		return InvalidOid;
	rel = catalog_open(relid, AccessShareLock);
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
	Oid			relid = shmcache_catalog_relid(true);
	Relation	rel;
	Snapshot	snapshot;
	SysScanDesc scan;
	CatalogEntry *entries = NULL;
	int			n = 0;
	int			max = 0;
	HeapTuple	tuple;
	List	   *views = NIL;
	int			i;

	if (!OidIsValid(relid))
		return NIL;
	rel = catalog_open(relid, AccessShareLock);
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
	Oid			relid = shmcache_catalog_relid(false);
	Relation	rel;
	FrameDefinition def;
	Relation	view;
	Datum	   *attnums;
	int			nattnums;
	int			i;

	rel = catalog_open(relid, AccessShareLock);
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

	memset(&key, 0, sizeof(key));
	key.dbid = MyDatabaseId;
	key.frame_id = frame_id;

	LWLockAcquire(ShmcacheShared->lock, LW_SHARED);
	found = hash_search(shmcache_frame_table(), &key, HASH_FIND, NULL) != NULL;
	LWLockRelease(ShmcacheShared->lock);
	if (found)
		return;

	viewoid = shmcache_catalog_lookup_id(frame_id, &notnull, &natts);
	if (!OidIsValid(viewoid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("shmcache frame %lld does not exist", (long long) frame_id)));

	view = relation_open(viewoid, AccessShareLock);
	version_dp = shmcache_version_create(RelationGetDescr(view), notnull,
										 RelationGetRelationName(view));
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

/* Error context for problems found in a user's column list. */
static void
column_list_error_callback(void *arg)
{
	errcontext("column list \"%s\"", (const char *) arg);
	/* A position would point into our CREATE TABLE text, not the user's. */
	errposition(0);
}

/*
 * Check the NULL / NOT NULL clauses of a column of frame "frame_name" as
 * CREATE TABLE does: they may repeat, but not contradict each other.
 */
static void
check_nullability(ColumnDef *coldef, const char *frame_name)
{
	bool		saw_nullable = false;
	bool		not_null = false;
	ListCell   *lc;

	foreach(lc, coldef->constraints)
	{
		Constraint *con = lfirst(lc);
		bool		this_not_null = (con->contype == CONSTR_NOTNULL);

		if (saw_nullable && not_null != this_not_null)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("conflicting NULL/NOT NULL declarations for column \"%s\" of frame \"%s\"",
							coldef->colname, frame_name)));
		saw_nullable = true;
		not_null = this_not_null;
	}
}

/*
 * Parse a column list such as "id int8 NOT NULL, name varchar(20)" of frame
 * "frame_name" with PostgreSQL's own grammar, as the element list of a
 * CREATE TABLE, and return its ColumnDefs.  Only what a frame can honour is
 * accepted, and what CREATE TABLE would refuse is refused.
 */
static List *
parse_column_list(const char *columns, const char *frame_name)
{
	ErrorContextCallback errcallback;
	List	   *raw;
	CreateStmt *stmt;
	ListCell   *lc;

	errcallback.callback = column_list_error_callback;
	errcallback.arg = (void *) columns;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	raw = raw_parser(psprintf("CREATE TABLE shmcache_frame (%s)", columns),
					 RAW_PARSE_DEFAULT);
	if (list_length(raw) != 1 ||
		!IsA(((RawStmt *) linitial(raw))->stmt, CreateStmt))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("invalid column list for a frame")));
	stmt = (CreateStmt *) ((RawStmt *) linitial(raw))->stmt;
	if (stmt->inhRelations != NIL || stmt->partspec != NULL ||
		stmt->partbound != NULL || stmt->ofTypename != NULL ||
		stmt->options != NIL || stmt->tablespacename != NULL ||
		stmt->accessMethod != NULL || stmt->oncommit != ONCOMMIT_NOOP ||
		stmt->relation->relpersistence != RELPERSISTENCE_PERMANENT)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("invalid column list for a frame")));

	foreach(lc, stmt->tableElts)
	{
		Node	   *elt = lfirst(lc);
		ColumnDef  *coldef;
		ListCell   *lc2;

		if (!IsA(elt, ColumnDef))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("frame column lists may contain only column definitions"),
					 errhint("Table constraints, LIKE and similar clauses are not supported.")));
		coldef = (ColumnDef *) elt;
		foreach(lc2, stmt->tableElts)
		{
			if (lfirst(lc2) == elt)
				break;
			if (strcmp(((ColumnDef *) lfirst(lc2))->colname, coldef->colname) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column \"%s\" specified more than once",
								coldef->colname)));
		}
		if (coldef->typeName->setof)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("column \"%s\" cannot be declared SETOF",
							coldef->colname)));
		if (coldef->compression != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("COMPRESSION is not supported for frame columns")));
		if (coldef->fdwoptions != NIL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("OPTIONS is not supported for frame columns")));
		foreach(lc2, coldef->constraints)
		{
			Constraint *con = lfirst(lc2);

			if (con->contype != CONSTR_NOTNULL && con->contype != CONSTR_NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("constraint on column \"%s\" is not supported for frames",
								coldef->colname),
						 errdetail("Frame columns accept only NOT NULL and NULL.")));
		}
		check_nullability(coldef, frame_name);
	}
	error_context_stack = errcallback.previous;
	return stmt->tableElts;
}

/*
 * Is this ColumnDef NOT NULL?  (parse_column_list refused NULL and NOT NULL
 * on one column.)
 */
static bool
column_is_not_null(ColumnDef *coldef)
{
	ListCell   *lc;

	if (coldef->is_not_null)
		return true;
	foreach(lc, coldef->constraints)
	{
		if (((Constraint *) lfirst(lc))->contype == CONSTR_NOTNULL)
			return true;
	}
	return false;
}

/* Run one utility statement through SPI. */
static void
execute_sql(const char *sql)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc != SPI_OK_UTILITY)
		elog(ERROR, "SPI_execute failed: %s: %s", SPI_result_code_string(rc), sql);
}

/*
 * Insert the catalog row of a new frame.
 */
static void
catalog_insert(int64 frame_id, Oid viewoid, List *coldefs, const bool *notnull)
{
	Relation	rel = catalog_open(shmcache_catalog_relid(false), RowExclusiveLock);
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
 * shmcache_create_frame_internal
 *		Create frame "rv" with the given columns (ColumnDefs whose type and
 *		collation are set or resolvable) and return its view's OID.  Used by
 *		create_frame and cache_table.
 */
Oid
shmcache_create_frame_internal(RangeVar *rv, List *coldefs)
{
	Oid			nspid;
	char	   *qualname;
	StringInfoData sql;
	int64		frame_id;
	bool	   *notnull = palloc0(sizeof(bool) * list_length(coldefs));
	ListCell   *lc;
	Oid			viewoid;

	/* (the column definition list of shmcache.scan() cannot be empty) */
	if (coldefs == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("a frame needs at least one column")));
	nspid = RangeVarGetCreationNamespace(rv);
	if (OidIsValid(get_relname_relid(rv->relname, nspid)))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s\" already exists", rv->relname)));
	qualname = quote_qualified_identifier(get_namespace_name(nspid), rv->relname);
	frame_id = new_frame_id();

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE VIEW %s AS SELECT * FROM shmcache.scan(" INT64_FORMAT "::pg_catalog.int8) AS f(",
					 qualname, frame_id);
	foreach(lc, coldefs)
	{
		ColumnDef  *coldef = lfirst(lc);
		Oid			typid;
		int32		typmod;
		Oid			collid;

		typenameTypeIdAndMod(NULL, coldef->typeName, &typid, &typmod);
		collid = GetColumnDefCollation(NULL, coldef, typid);
		CheckAttributeType(coldef->colname, typid, collid, NIL, 0);
		notnull[foreach_current_index(lc)] = column_is_not_null(coldef);

		if (foreach_current_index(lc) > 0)
			appendStringInfoString(&sql, ", ");
		appendStringInfo(&sql, "%s %s", quote_identifier(coldef->colname),
						 format_type_extended(typid, typmod,
											  FORMAT_TYPE_TYPEMOD_GIVEN |
											  FORMAT_TYPE_FORCE_QUALIFY));
		if (OidIsValid(collid) && collid != get_typcollation(typid))
			appendStringInfo(&sql, " COLLATE %s", generate_collation_name(collid));
	}
	appendStringInfoChar(&sql, ')');

	SPI_connect();
	execute_sql(sql.data);
	execute_sql(psprintf("CREATE TRIGGER shmcache_insert INSTEAD OF INSERT ON %s "
						 "FOR EACH ROW EXECUTE FUNCTION shmcache.insert_trigger()",
						 qualname));
	SPI_finish();

	viewoid = get_relname_relid(rv->relname, nspid);
	Assert(OidIsValid(viewoid));
	catalog_insert(frame_id, viewoid, coldefs, notnull);
	CommandCounterIncrement();
	shmcache_forget_frame_on_abort(frame_id);
	/* Take its place in shared memory now: shmcache.max_frames applies. */
	shmcache_frame_attach(frame_id);
	return viewoid;
}

/*
 * A new frame id: drawn at random from 62 bits rather than counted per
 * database, so that a frame restored from a dump into another database (or
 * server) keeps its id without meeting a frame that already has it there;
 * an id already taken in this database is drawn again.
 */
static int64
new_frame_id(void)
{
	for (;;)
	{
		uint64		id;

		if (!pg_strong_random(&id, sizeof(id)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random frame id")));
		id &= (UINT64CONST(1) << 62) - 1;
		if (id != 0 && !OidIsValid(shmcache_catalog_view_of((int64) id)))
			return (int64) id;
	}
}

/*
 * shmcache_check_view_change
 *		Refuse utility statements that would change what a frame's view
 *		reads (CREATE OR REPLACE VIEW, CREATE RULE): the view and the frame
 *		must keep reading and writing the same frame with the same columns.
 */
void
shmcache_check_view_change(Node *parsetree)
{
	RangeVar   *rv;
	Oid			relid;
	int64		frame_id;

	if (IsA(parsetree, ViewStmt) && ((ViewStmt *) parsetree)->replace)
		rv = ((ViewStmt *) parsetree)->view;
	else if (IsA(parsetree, RuleStmt))
		rv = ((RuleStmt *) parsetree)->relation;
	else
		return;
	if (ShmcacheShared == NULL)
		return;
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (OidIsValid(relid) && shmcache_catalog_lookup_view(relid, &frame_id))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot change the definition of \"%s\": it is the view of a shmcache frame",
						rv->relname),
				 errhint("A frame's columns are fixed when it is created; create a new frame instead.")));
}

/* Context of reads_other_frame(). */
typedef struct FrameScanWalk
{
	Oid			scan_funcoid;	/* the extension's shmcache.scan() */
	Oid			viewoid;		/* the view being defined */
	Oid			other_view;		/* set to the view of a frame it reads */
} FrameScanWalk;

/*
 * Does this part of a view's query call shmcache.scan() for a frame that
 * belongs to another view?  Sets walk->other_view.
 */
static bool
reads_other_frame(Node *node, FrameScanWalk *walk)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, reads_other_frame, walk, 0);
	if (IsA(node, FuncExpr) && ((FuncExpr *) node)->funcid == walk->scan_funcoid &&
		list_length(((FuncExpr *) node)->args) == 1 &&
		IsA(linitial(((FuncExpr *) node)->args), Const) &&
		!((Const *) linitial(((FuncExpr *) node)->args))->constisnull)
	{
		Oid			frame_view = shmcache_catalog_view_of(DatumGetInt64(((Const *) linitial(((FuncExpr *) node)->args))->constvalue));

		if (OidIsValid(frame_view) && frame_view != walk->viewoid)
		{
			walk->other_view = frame_view;
			return true;
		}
	}
	return expression_tree_walker(node, reads_other_frame, walk);
}

/*
 * shmcache_check_new_view
 *		A view was just created: refuse it if it reads, through
 *		shmcache.scan() with a constant id, a frame that is another view's.
 *		Only a frame's own view reads it that way; this is what keeps a view
 *		restored from a dump into a database that already has a frame with
 *		the dumped id from showing that frame's rows.
 */
void
shmcache_check_new_view(Oid viewoid)
{
	FrameScanWalk walk;
	Relation	view;

	walk.scan_funcoid = shmcache_scan_function_oid();
	if (!OidIsValid(walk.scan_funcoid) || !OidIsValid(viewoid))
		return;
	walk.viewoid = viewoid;
	walk.other_view = InvalidOid;
	view = relation_open(viewoid, AccessShareLock);
	if (view->rd_rel->relkind == RELKIND_VIEW &&
		reads_other_frame((Node *) get_view_query(view), &walk))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("view \"%s\" would read the frame of view \"%s\"",
						RelationGetRelationName(view), get_rel_name(walk.other_view)),
				 errdetail("Only a frame's own view may call shmcache.scan() with its id."),
				 errhint("Read the frame through its view \"%s\".",
						 get_rel_name(walk.other_view))));
	relation_close(view, NoLock);
}

/*
 * shmcache.create_frame(name text, columns text) RETURNS regclass
 *		Create a frame and its view.
 */
Datum
shmcache_create_frame(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);
	char	   *columns = text_to_cstring(PG_GETARG_TEXT_PP(1));
	RangeVar   *rv;

	shmcache_require_shmem();
	rv = makeRangeVarFromNameList(textToQualifiedNameList(name));
	PG_RETURN_OID(shmcache_create_frame_internal(rv, parse_column_list(columns,
																	   rv->relname)));
}

/* catalog_find callback: delete the row found. */
static void
delete_row(Relation rel, HeapTuple tuple, void *arg)
{
	CatalogTupleDelete(rel, &tuple->t_self);
}

/*
 * object_access_hook: when a view is dropped (DROP VIEW, DROP SCHEMA
 *		... CASCADE, DROP EXTENSION ... CASCADE, drop_frame) delete its
 *		catalog row and free its frame at commit; when a database is dropped,
 *		free all its frames.
 */
static void
shmcache_object_access(ObjectAccessType access, Oid classId, Oid objectId,
					   int subId, void *arg)
{
	if (prev_object_access_hook)
		prev_object_access_hook(access, classId, objectId, subId, arg);
	if (access != OAT_DROP || ShmcacheShared == NULL)
		return;

	if (classId == RelationRelationId && subId == 0 &&
		get_rel_relkind(objectId) == RELKIND_VIEW)
	{
		Oid			relid = shmcache_catalog_relid(true);

		/* The catalog may be gone already in DROP EXTENSION ... CASCADE. */
		if (OidIsValid(relid))
		{
			Relation	rel = catalog_open(relid, RowExclusiveLock);
			int64		frame_id;

			if (catalog_find(rel, Anum_frame_catalog_view, F_OIDEQ,
							 ObjectIdGetDatum(objectId), read_frame_id, &frame_id))
			{
				catalog_find(rel, Anum_frame_catalog_view, F_OIDEQ,
							 ObjectIdGetDatum(objectId), delete_row, NULL);
				shmcache_snapshot_forget_on_commit(MyDatabaseId, frame_id);
			}
			table_close(rel, RowExclusiveLock);
		}
		shmcache_forget_frame_on_commit(MyDatabaseId, objectId);
	}
	else if (classId == DatabaseRelationId)
	{
		shmcache_forget_frame_on_commit(objectId, InvalidOid);
		shmcache_snapshot_forget_on_commit(objectId, 0);
	}
}

/*
 * shmcache_catalog_init
 *		Install the object access hook (from _PG_init).
 */
void
shmcache_catalog_init(void)
{
	CacheRegisterSyscacheCallback(PROCOID, invalidate_extension_objects, (Datum) 0);
	CacheRegisterSyscacheCallback(RELOID, invalidate_extension_objects, (Datum) 0);
	prev_object_access_hook = object_access_hook;
	object_access_hook = shmcache_object_access;
}
