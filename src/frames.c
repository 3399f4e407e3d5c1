/*-------------------------------------------------------------------------
 *
 * frames.c
 *	  Creating frames and guarding their views: create_frame (and the frame
 *	  creation cache_table uses), the checks that keep a frame's view reading
 *	  its own frame, the object access hook that frees a frame when its
 *	  view or database is dropped, and taking a frame's write claim for the
 *	  SQL that changes it (shmcache_frame_claim, shmcache_load_begin).
 *
 * Layer: SQL surface.  It reads and writes frame definitions only through
 * catalog.c and queues frees with xact.c and snapshot.c.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/frames.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/heap.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_database.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "frames.h"
#include "catalog.h"
#include "xact.h"
#include "persist.h"

PG_FUNCTION_INFO_V1(shmcache_create_frame);

static object_access_hook_type prev_object_access_hook = NULL;

static int64 new_frame_id(void);

/* Error context of a fragment being parsed or checked. */
static void
fragment_error_callback(void *arg)
{
	ShmcacheFragment *fragment = arg;

	errcontext("%s \"%s\"", fragment->what, fragment->text);
	/* A position would point into our statement text, not the user's. */
	errposition(0);
}

/*
 * shmcache_fragment_parse
 *		Parse "text", a piece of a statement a user passed as a string (a
 *		column list, COPY options), as the statement "format" (with one %s
 *		for the text) with PostgreSQL's own grammar; return it, which must be
 *		a node of type "tag", or raise a syntax error "invalid".  Until
 *		shmcache_fragment_end, errors name the fragment ("what").
 */
Node *
shmcache_fragment_parse(ShmcacheFragment *fragment, const char *what,
						const char *text, const char *format, NodeTag tag,
						const char *invalid)
{
	List	   *raw;

	fragment->what = what;
	fragment->text = text;
	fragment->callback.callback = fragment_error_callback;
	fragment->callback.arg = fragment;
	fragment->callback.previous = error_context_stack;
	error_context_stack = &fragment->callback;

	raw = raw_parser(psprintf(format, text), RAW_PARSE_DEFAULT);
	if (list_length(raw) != 1 || nodeTag(((RawStmt *) linitial(raw))->stmt) != tag)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg_internal("%s", invalid)));
	return ((RawStmt *) linitial(raw))->stmt;
}

/*
 * shmcache_fragment_end
 *		Done with a fragment: errors no longer name it.
 */
void
shmcache_fragment_end(ShmcacheFragment *fragment)
{
	error_context_stack = fragment->callback.previous;
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
		bool		this_not_null = (con->contype == CONSTR_NOTNULL ||
									 con->contype == CONSTR_PRIMARY);

		if (con->contype == CONSTR_UNIQUE)
			continue;

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
 * A PRIMARY KEY or UNIQUE constraint of a column list, as a ShmcacheKeyDef;
 * "column" names the column of a column constraint.  Options an index of a
 * frame cannot honour are refused.
 */
static ShmcacheKeyDef *
key_definition(Constraint *con, const char *column)
{
	ShmcacheKeyDef *key = palloc0(sizeof(ShmcacheKeyDef));

	if (con->including != NIL || con->options != NIL || con->indexname != NULL ||
		con->indexspace != NULL || con->deferrable || con->nulls_not_distinct)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("options of PRIMARY KEY and UNIQUE are not supported for frames"),
				 errdetail("INCLUDE, WITH, USING INDEX, DEFERRABLE and NULLS NOT DISTINCT cannot be used.")));
	key->name = con->conname;
	key->primary = (con->contype == CONSTR_PRIMARY);
	key->columns = column != NULL ? list_make1(makeString(pstrdup(column))) : con->keys;
	return key;
}

/*
 * Parse a column list such as "id int8 PRIMARY KEY, name varchar(20) NOT
 * NULL" of frame "frame_name" with PostgreSQL's own grammar, as the element
 * list of a CREATE TABLE, and return its ColumnDefs, with its PRIMARY KEY
 * and UNIQUE constraints (column or table constraints) in *keys.  Only what
 * a frame can honour is accepted, and what CREATE TABLE would refuse is
 * refused.
 */
static List *
parse_column_list(const char *columns, const char *frame_name, List **keys)
{
	List	   *coldefs = NIL;
	ShmcacheFragment fragment;
	CreateStmt *stmt;
	ListCell   *lc;

	stmt = (CreateStmt *) shmcache_fragment_parse(&fragment, "column list", columns,
												  "CREATE TABLE shmcache_frame (%s)",
												  T_CreateStmt,
												  _("invalid column list for a frame"));
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

		if (IsA(elt, Constraint) &&
			(((Constraint *) elt)->contype == CONSTR_PRIMARY ||
			 ((Constraint *) elt)->contype == CONSTR_UNIQUE))
		{
			*keys = lappend(*keys, key_definition((Constraint *) elt, NULL));
			continue;
		}
		if (!IsA(elt, ColumnDef))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("frame column lists may contain only column definitions, PRIMARY KEY and UNIQUE"),
					 errhint("Other table constraints, LIKE and similar clauses are not supported.")));
		coldef = (ColumnDef *) elt;
		foreach(lc2, coldefs)
		{
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

			if (con->contype == CONSTR_PRIMARY || con->contype == CONSTR_UNIQUE)
				*keys = lappend(*keys, key_definition(con, coldef->colname));
			else if (con->contype != CONSTR_NOTNULL && con->contype != CONSTR_NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("constraint on column \"%s\" is not supported for frames",
								coldef->colname),
						 errdetail("Frame columns accept only NOT NULL, NULL, PRIMARY KEY and UNIQUE.")));
		}
		check_nullability(coldef, frame_name);
		coldefs = lappend(coldefs, coldef);
	}
	shmcache_fragment_end(&fragment);
	return coldefs;
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
		ConstrType	contype = ((Constraint *) lfirst(lc))->contype;

		if (contype == CONSTR_NOTNULL || contype == CONSTR_PRIMARY)
			return true;
	}
	return false;
}

/*
 * shmcache_execute_sql
 *		Run one statement that shmcache wrote through SPI, sending its rows
 *		(if any) to "dest" (NULL: none), under search_path = pg_catalog,
 *		pg_temp: every name in it is qualified, and nothing a user defined
 *		in a schema of the caller's search_path may take part.
 */
void
shmcache_execute_sql(const char *sql, DestReceiver *dest)
{
	SPIExecuteOptions options;
	int			save_nestlevel;
	int			rc;

	memset(&options, 0, sizeof(options));
	options.dest = dest;
	/* A query reads with the caller's snapshot; a utility command may write. */
	options.read_only = (dest != NULL);
	SPI_connect();
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	rc = SPI_execute_extended(sql, &options);
	if (rc < 0)
		elog(ERROR, "SPI_execute_extended failed: %s: %s",
			 SPI_result_code_string(rc), sql);
	AtEOXact_GUC(true, save_nestlevel);
	SPI_finish();
}

/* The name of collation "collid", schema-qualified and quoted. */
static char *
qualified_collation_name(Oid collid)
{
	HeapTuple	tuple = SearchSysCache1(COLLOID, ObjectIdGetDatum(collid));
	Form_pg_collation coll;
	char	   *name;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for collation %u", collid);
	coll = (Form_pg_collation) GETSTRUCT(tuple);
	name = quote_qualified_identifier(get_namespace_name(coll->collnamespace),
									  NameStr(coll->collname));
	ReleaseSysCache(tuple);
	return name;
}

/*
 * shmcache_create_frame_internal
 *		Create frame "rv" with the given columns (ColumnDefs whose type and
 *		collation are set or resolvable) and keys (ShmcacheKeyDef) and return
 *		its view's OID.  Used by create_frame and cache_table.
 */
Oid
shmcache_create_frame_internal(RangeVar *rv, List *coldefs, List *keys)
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
			appendStringInfo(&sql, " COLLATE %s", qualified_collation_name(collid));
	}
	appendStringInfoChar(&sql, ')');
	shmcache_keys_not_null(keys, coldefs, notnull);

	shmcache_execute_sql(sql.data, NULL);
	shmcache_execute_sql(psprintf("CREATE TRIGGER shmcache_insert INSTEAD OF INSERT ON %s "
								  "FOR EACH ROW EXECUTE FUNCTION shmcache.insert_trigger()",
								  qualname), NULL);
	/* (UPDATE and DELETE from extension version 0.3 on) */
	if (OidIsValid(shmcache_modify_trigger_oid()))
		shmcache_execute_sql(psprintf("CREATE TRIGGER shmcache_modify INSTEAD OF UPDATE OR DELETE ON %s "
									  "FOR EACH ROW EXECUTE FUNCTION shmcache.modify_trigger()",
									  qualname), NULL);

	viewoid = get_relname_relid(rv->relname, nspid);
	Assert(OidIsValid(viewoid));
	shmcache_catalog_insert(frame_id, viewoid, coldefs, notnull);
	shmcache_define_keys(frame_id, viewoid, keys);
	CommandCounterIncrement();
	shmcache_forget_frame_on_abort(frame_id);
	shmcache_snapshot_forget_on_abort(frame_id);
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
		int64		id = shmcache_random_id();

		if (!OidIsValid(shmcache_catalog_view_of(id)))
			return id;
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
	List	   *keys = NIL;
	List	   *coldefs;

	shmcache_require_shmem();
	rv = makeRangeVarFromNameList(textToQualifiedNameList(name));
	coldefs = parse_column_list(columns, rv->relname, &keys);
	PG_RETURN_OID(shmcache_create_frame_internal(rv, coldefs, keys));
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
		int64		frame_id;

		/* The frame leaves the frame table before its snapshot goes. */
		shmcache_forget_frame_on_commit(MyDatabaseId, objectId);
		if (shmcache_catalog_delete_view(objectId, &frame_id))
			shmcache_snapshot_forget_on_commit(MyDatabaseId, frame_id);
	}
	else if (classId == DatabaseRelationId)
	{
		shmcache_forget_frame_on_commit(objectId, InvalidOid);
		shmcache_snapshot_forget_on_commit(objectId, 0);
	}
}

/*
 * shmcache_frames_init
 *		Install the object access hook (from _PG_init).
 */
void
shmcache_frames_init(void)
{
	prev_object_access_hook = object_access_hook;
	object_access_hook = shmcache_object_access;
}

/*
 * shmcache_frame_claim
 *		Take the write claim on frame "frame_id" of "view", once a load of
 *		the frame at server start has ended.
 */
ShmcacheWriter *
shmcache_frame_claim(Relation view, int64 frame_id)
{
	shmcache_snapshot_wait_loaded(frame_id, true);
	return shmcache_writer_begin(view, frame_id);
}

/*
 * shmcache_load_begin
 *		Take the write claim on the frame of "view" to change it, unless its
 *		snapshot holds rows that were not loaded.
 */
ShmcacheWriter *
shmcache_load_begin(Relation view)
{
	int64		frame_id = shmcache_frame_id_of(RelationGetRelid(view));
	ShmcacheWriter *writer = shmcache_frame_claim(view, frame_id);

	shmcache_snapshot_check_appendable(frame_id, RelationGetRelationName(view));
	return writer;
}
