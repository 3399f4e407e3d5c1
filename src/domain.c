/*-------------------------------------------------------------------------
 *
 * domain.c
 *	  New domain constraints and the values frames already hold.
 *
 * When a constraint is added to a domain (ALTER DOMAIN ... ADD CONSTRAINT,
 * SET NOT NULL) or a NOT VALID one is validated (VALIDATE CONSTRAINT),
 * PostgreSQL checks the values stored in every table column of the domain,
 * or of a domain over it, and refuses the command if one violates the
 * constraint; a column whose type merely contains the domain (an array of
 * it, a composite or range type over it) makes it refuse the command
 * outright.  It skips views, and so frames.  shmcache does the same for
 * frames: the ProcessUtility hook (utility.c) calls
 * shmcache_domain_check_begin() before the command runs, to note the domain
 * and its constraints, and shmcache_domain_check_end() once it has run and
 * the constraint exists, to check every frame of the database.  A violation
 * is reported with PostgreSQL's message and SQLSTATE, naming the frame.
 *
 * Locking: each frame with a column of the domain is locked in ShareLock, as
 * PostgreSQL locks the tables it checks.  Loads into the frame (which hold
 * RowExclusiveLock) are waited for and cannot start until the end of the
 * transaction, so the rows read are all the rows the frame has: those
 * committed, and this transaction's own; a frame still waiting for the
 * autoload worker is waited for, as a writer waits.  Rows that are only in
 * a snapshot file (shmcache.autoload off, or before shmcache.restore()) are
 * not checked: snapsave.c loads them as they were saved.
 *
 * Layer: SQL surface: reads frames through the visibility layer to check
 * their values.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/domain.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_type.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "frames.h"
#include "catalog.h"
#include "persist.h"
#include "reader.h"

/* What an ALTER DOMAIN command needs checked, noted before it runs. */
struct ShmcacheDomainCheck
{
	Oid			domainoid;		/* the domain altered */
	char		subtype;		/* AlterDomainStmt.subtype: 'C' (ADD
								 * CONSTRAINT), 'O' (SET NOT NULL) or 'V'
								 * (VALIDATE CONSTRAINT) */
	char	   *conname;		/* 'V': the constraint validated */
	List	   *old_constraints;	/* 'C': OIDs of the domain's constraints
									 * before the command */
};

/* How the values of a column's type involve a domain. */
typedef enum DomainUse
{
	DOMAIN_UNUSED,				/* not at all */
	DOMAIN_VALUES,				/* they are values of the domain */
	DOMAIN_CONTAINED			/* they contain values of the domain */
} DomainUse;

/* The OIDs of the constraints of domain "domainoid". */
static List *
domain_constraints(Oid domainoid)
{
	Relation	conrel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *result = NIL;

	ScanKeyInit(&key, Anum_pg_constraint_contypid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(domainoid));
	scan = systable_beginscan(conrel, ConstraintTypidIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		result = lappend_oid(result, ((Form_pg_constraint) GETSTRUCT(tuple))->oid);
	systable_endscan(scan);
	table_close(conrel, AccessShareLock);
	return result;
}

/*
 * shmcache_domain_check_begin
 *		Before an ALTER DOMAIN command runs: what must be checked once it has
 *		run, or NULL if nothing (the command adds no constraint, the database
 *		has no frames, or the command will fail by itself: no such domain).
 */
ShmcacheDomainCheck *
shmcache_domain_check_begin(AlterDomainStmt *stmt)
{
	ShmcacheDomainCheck *check;
	Oid			domainoid;

	if (stmt->subtype != 'C' && stmt->subtype != 'O' && stmt->subtype != 'V')
		return NULL;
	if (!OidIsValid(shmcache_catalog_relid(true)))
		return NULL;
	domainoid = LookupTypeNameOid(NULL, makeTypeNameFromNameList(stmt->typeName), true);
	if (!OidIsValid(domainoid) || get_typtype(domainoid) != TYPTYPE_DOMAIN)
		return NULL;

	check = palloc0(sizeof(ShmcacheDomainCheck));
	check->domainoid = domainoid;
	check->subtype = stmt->subtype;
	if (stmt->subtype == 'C')
		check->old_constraints = domain_constraints(domainoid);
	else if (stmt->subtype == 'V')
		check->conname = pstrdup(stmt->name);
	return check;
}

/*
 * Does a value of type "typid" contain values of domain "domainoid", or is
 * it one: is "typid" the domain, or an array, composite, range or
 * multirange type (or a domain over one) with the domain inside, at any
 * depth?
 */
static bool
type_contains_domain(Oid typid, Oid domainoid)
{
	HeapTuple	tuple;
	Form_pg_type typ;
	bool		result = false;

	check_stack_depth();
	if (typid == domainoid)
		return true;
	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for type %u", typid);
	typ = (Form_pg_type) GETSTRUCT(tuple);
	if (typ->typtype == TYPTYPE_DOMAIN)
		result = type_contains_domain(typ->typbasetype, domainoid);
	else if (typ->typtype == TYPTYPE_RANGE)
		result = type_contains_domain(get_range_subtype(typid), domainoid);
	else if (typ->typtype == TYPTYPE_MULTIRANGE)
		result = type_contains_domain(get_multirange_range(typid), domainoid);
	else if (IsTrueArrayType(typ))
		result = type_contains_domain(typ->typelem, domainoid);
	else if (typ->typtype == TYPTYPE_COMPOSITE)
	{
		TupleDesc	tupdesc = lookup_rowtype_tupdesc(typid, -1);
		int			i;

		for (i = 0; i < tupdesc->natts && !result; i++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, i);

			result = !att->attisdropped &&
				type_contains_domain(att->atttypid, domainoid);
		}
		ReleaseTupleDesc(tupdesc);
	}
	ReleaseSysCache(tuple);
	return result;
}

/*
 * How the values of type "typid" involve domain "domainoid": they are values
 * of it if "typid" is the domain or a domain over it (at any depth), whose
 * values are all values of the domain too.
 */
static DomainUse
domain_use(Oid typid, Oid domainoid)
{
	Oid			t = typid;

	while (t != domainoid)
	{
		HeapTuple	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(t));
		Form_pg_type typ;

		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for type %u", t);
		typ = (Form_pg_type) GETSTRUCT(tuple);
		t = typ->typtype == TYPTYPE_DOMAIN ? typ->typbasetype : InvalidOid;
		ReleaseSysCache(tuple);
		if (!OidIsValid(t))
			return type_contains_domain(typid, domainoid) ? DOMAIN_CONTAINED : DOMAIN_UNUSED;
	}
	return DOMAIN_VALUES;
}

/*
 * Add what constraint "conoid" requires to the checks: its expression to
 * *exprs if it is a validated CHECK constraint, *not_null if it is a NOT
 * NULL constraint.  A NOT VALID constraint requires nothing of stored values.
 */
static void
add_constraint_check(Oid conoid, List **exprs, bool *not_null)
{
	HeapTuple	tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	Form_pg_constraint con;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for constraint %u", conoid);
	con = (Form_pg_constraint) GETSTRUCT(tuple);
	if (con->contype == CONSTRAINT_CHECK && con->convalidated)
	{
		bool		isnull;
		Datum		conbin = SysCacheGetAttr(CONSTROID, tuple,
											 Anum_pg_constraint_conbin, &isnull);

		if (isnull)
			elog(ERROR, "null conbin for constraint %u", conoid);
		*exprs = lappend(*exprs, stringToNode(TextDatumGetCString(conbin)));
	}
#ifdef CONSTRAINT_NOTNULL
	else if (con->contype == CONSTRAINT_NOTNULL && con->convalidated)
		*not_null = true;
#endif
	ReleaseSysCache(tuple);
}

/*
 * Check every value of the columns "columns" (0-based; of the domain or a
 * domain over it) of the frame of "view" against the CHECK expressions
 * "exprs" and, with "not_null", for nulls.  The caller holds ShareLock on
 * the view.
 */
static void
check_frame_values(Relation view, List *columns, List *exprs, bool not_null)
{
	EState	   *estate = CreateExecutorState();
	ExprContext *econtext = GetPerTupleExprContext(estate);
	List	   *states = NIL;
	int64		frame_id;
	ShmcacheRead read;
	uint64		first;
	ListCell   *lc;

	foreach(lc, exprs)
		states = lappend(states, ExecPrepareExpr(lfirst(lc), estate));

	/* all the frame's rows: a load by the autoload worker is waited for */
	frame_id = shmcache_frame_id_of(RelationGetRelid(view));
	shmcache_snapshot_wait_loaded(frame_id, true);
	shmcache_read_begin(frame_id, NULL, &read);
	shmcache_check_frame_matches(&read, RelationGetDescr(view));
	for (first = 0; first < read.nrows; first += SHMCACHE_CHUNK_ROWS)
	{
		const char *chunk = shmcache_version_chunk(read.version,
												   first >> SHMCACHE_CHUNK_SHIFT);
		uint32		n = Min(SHMCACHE_CHUNK_ROWS, read.nrows - first);

		CHECK_FOR_INTERRUPTS();
		foreach(lc, columns)
		{
			int			col = lfirst_int(lc);
			const char *attname = NameStr(TupleDescAttr(RelationGetDescr(view), col)->attname);
			uint32		slot;

			for (slot = 0; slot < n; slot++)
			{
				bool		isnull;
				Datum		value;
				ListCell   *lc2;

				if (shmcache_row_dead(chunk, slot, read.dseq, read.own_cid))
					continue;
				value = shmcache_fetch_value(&read.version->cols[col], chunk, slot, &isnull);
				if (isnull && not_null)
					ereport(ERROR,
							(errcode(ERRCODE_NOT_NULL_VIOLATION),
							 errmsg("column \"%s\" of frame \"%s\" contains null values",
									attname, RelationGetRelationName(view)),
							 errtablecol(view, col + 1)));
				econtext->domainValue_datum = value;
				econtext->domainValue_isNull = isnull;
				foreach(lc2, states)
				{
					bool		resnull;
					Datum		result = ExecEvalExprSwitchContext(lfirst(lc2), econtext,
																   &resnull);

					if (!resnull && !DatumGetBool(result))
						ereport(ERROR,
								(errcode(ERRCODE_CHECK_VIOLATION),
								 errmsg("column \"%s\" of frame \"%s\" contains values that violate the new constraint",
										attname, RelationGetRelationName(view)),
								 errtablecol(view, col + 1)));
				}
				ResetExprContext(econtext);
			}
		}
	}
	shmcache_read_end(&read);
	FreeExecutorState(estate);
}

/*
 * Check the frame of view "viewoid" for a new constraint of domain
 * "domainoid" (CHECK expressions "exprs", NOT NULL if "not_null"): refuse
 * the command if a column's type contains the domain, check the values of
 * the columns of the domain.  (PostgreSQL 15.20 already refuses the first
 * case itself, finding the type used by the frame's view's rule; the check
 * here does not depend on that.)
 */
static void
check_frame(Oid viewoid, Oid domainoid, List *exprs, bool not_null)
{
	Relation	view = try_relation_open(viewoid, AccessShareLock);
	TupleDesc	tupdesc;
	List	   *columns = NIL;
	int			i;

	/* a frame dropped by a transaction that committed meanwhile */
	if (view == NULL)
		return;
	tupdesc = RelationGetDescr(view);
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attisdropped)
			continue;
		switch (domain_use(att->atttypid, domainoid))
		{
			case DOMAIN_UNUSED:
				break;
			case DOMAIN_VALUES:
				columns = lappend_int(columns, i);
				break;
			case DOMAIN_CONTAINED:
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot alter type \"%s\" because column \"%s\" of frame \"%s\" uses it",
								format_type_be(domainoid), NameStr(att->attname),
								RelationGetRelationName(view)),
						 errdetail("Values of the domain inside values of type %s cannot be checked.",
								   format_type_be(att->atttypid))));
		}
	}
	if (columns != NIL)
	{
		LockRelationOid(viewoid, ShareLock);
		check_frame_values(view, columns, exprs, not_null);
	}
	relation_close(view, NoLock);
}

/*
 * shmcache_domain_check_end
 *		After the ALTER DOMAIN command noted by shmcache_domain_check_begin()
 *		has run: check the frames of this database for the constraint it
 *		added or validated, raising PostgreSQL's errors if a value violates
 *		it.
 */
void
shmcache_domain_check_end(ShmcacheDomainCheck *check)
{
	List	   *exprs = NIL;
	bool		not_null = false;
	ListCell   *lc;

	/* make the command's catalog changes visible */
	CommandCounterIncrement();

	if (check->subtype == 'C')
	{
		foreach(lc, domain_constraints(check->domainoid))
		{
			if (!list_member_oid(check->old_constraints, lfirst_oid(lc)))
				add_constraint_check(lfirst_oid(lc), &exprs, &not_null);
		}
	}
	else if (check->subtype == 'V')
		add_constraint_check(get_domain_constraint_oid(check->domainoid,
													   check->conname, false),
							 &exprs, &not_null);
	else
		not_null = true;

	if (exprs == NIL && !not_null)
		return;
	foreach(lc, shmcache_catalog_views())
		check_frame(lfirst_oid(lc), check->domainoid, exprs, not_null);
}
