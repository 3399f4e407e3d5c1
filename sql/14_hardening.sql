--
-- Hardening: reads of a transaction's own rows, changes to a frame's view
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;

-- A cursor reads the rows its transaction had written when it was declared,
-- as a heap cursor does, however late it starts reading; rows of a later
-- subtransaction rolled back under it are never read (they are freed).
SELECT shmcache.create_frame('uf', 'a int4, b text');
CREATE TABLE uf_heap (a int4, b text);
SELECT frame_id AS uf_id FROM shmcache.frame_catalog WHERE view = 'uf'::regclass \gset

CREATE FUNCTION cursor_counts(custom bool, pushdown bool)
RETURNS TABLE (cursor_name text, rows_after_first bigint)
LANGUAGE plpgsql AS $$
DECLARE
	c_plain refcursor;
	c_subquery refcursor;
	c_union refcursor;
	c_group refcursor;
	c_function refcursor;
	c_heap refcursor;
	r record;
	k bigint;
BEGIN
	PERFORM set_config('shmcache.enable_customscan', custom::text, true);
	PERFORM set_config('shmcache.enable_pushdown', pushdown::text, true);
	INSERT INTO uf SELECT g, 'v' || g FROM generate_series(1, 20000) g;
	INSERT INTO uf_heap SELECT g, 'v' || g FROM generate_series(1, 20000) g;
	OPEN c_plain FOR SELECT a, b FROM uf;
	OPEN c_subquery FOR
		SELECT a, b FROM shmcache.scan((SELECT frame_id FROM shmcache.frame_catalog
										WHERE view = 'uf'::regclass)) AS f(a int4, b text);
	OPEN c_union FOR SELECT a, b FROM uf UNION ALL SELECT a, b FROM uf;
	OPEN c_group FOR SELECT b, count(*) FROM uf GROUP BY b;
	OPEN c_function FOR
		SELECT a, b FROM shmcache.scan(current_setting('test.uf_id')::int8) AS f(a int4, b text);
	OPEN c_heap FOR SELECT a, b FROM uf_heap;
	BEGIN
		INSERT INTO uf SELECT g, 'w' || g FROM generate_series(20001, 60000) g;
		INSERT INTO uf_heap SELECT g, 'w' || g FROM generate_series(20001, 60000) g;
		FETCH c_plain INTO r;
		FETCH c_subquery INTO r;
		FETCH c_union INTO r;
		FETCH c_group INTO r;
		FETCH c_function INTO r;
		FETCH c_heap INTO r;
		RAISE EXCEPTION 'roll back to the savepoint';
	EXCEPTION WHEN raise_exception THEN
		NULL;
	END;
	MOVE FORWARD ALL IN c_plain;
	GET DIAGNOSTICS k = ROW_COUNT;
	cursor_name := 'plain'; rows_after_first := k; RETURN NEXT;
	MOVE FORWARD ALL IN c_subquery;
	GET DIAGNOSTICS k = ROW_COUNT;
	cursor_name := 'frame id by subquery'; rows_after_first := k; RETURN NEXT;
	MOVE FORWARD ALL IN c_union;
	GET DIAGNOSTICS k = ROW_COUNT;
	cursor_name := 'union all'; rows_after_first := k; RETURN NEXT;
	MOVE FORWARD ALL IN c_group;
	GET DIAGNOSTICS k = ROW_COUNT;
	cursor_name := 'group by'; rows_after_first := k; RETURN NEXT;
	MOVE FORWARD ALL IN c_function;
	GET DIAGNOSTICS k = ROW_COUNT;
	cursor_name := 'scan function'; rows_after_first := k; RETURN NEXT;
	MOVE FORWARD ALL IN c_heap;
	GET DIAGNOSTICS k = ROW_COUNT;
	cursor_name := 'heap'; rows_after_first := k; RETURN NEXT;
	CLOSE c_plain; CLOSE c_subquery; CLOSE c_union; CLOSE c_group;
	CLOSE c_function; CLOSE c_heap;
	TRUNCATE uf_heap;
	PERFORM shmcache.truncate('uf');
END $$;
SELECT set_config('test.uf_id', :'uf_id', false) IS NOT NULL AS set;

SELECT 'custom scan, pushdown' AS mode, * FROM cursor_counts(true, true);
SELECT 'custom scan' AS mode, * FROM cursor_counts(true, false);
SELECT 'function scan' AS mode, * FROM cursor_counts(false, false);

-- The same in plain SQL, reading the rows after the rollback.
BEGIN;
INSERT INTO uf SELECT g, 'v' || g FROM generate_series(1, 20000) g;
DECLARE c CURSOR FOR SELECT a, b FROM shmcache.scan(
	(SELECT frame_id FROM shmcache.frame_catalog WHERE view = 'uf'::regclass)) AS f(a int4, b text);
DECLARE d CURSOR FOR SELECT b, count(*) FROM uf GROUP BY b ORDER BY b DESC;
SAVEPOINT s;
INSERT INTO uf SELECT g, 'w' || g FROM generate_series(20001, 60000) g;
FETCH 1 FROM c;
FETCH 1 FROM d;
ROLLBACK TO s;
MOVE 19997 IN c;
FETCH ALL FROM c;
MOVE 19997 IN d;
FETCH ALL FROM d;
-- a query after the rollback sees the rows that are left
SELECT count(*), max(a) FROM uf;
COMMIT;
SELECT count(*), max(a) FROM uf;

-- Rows written after a cursor was declared are not read by it.
BEGIN;
DECLARE e CURSOR FOR SELECT count(*) FROM shmcache.scan(
	(SELECT frame_id FROM shmcache.frame_catalog WHERE view = 'uf'::regclass)) AS f(a int4, b text);
INSERT INTO uf VALUES (-1, 'later');
FETCH ALL FROM e;
SELECT count(*) FROM uf;
ROLLBACK;

-- A frame's view keeps reading its own frame with its own columns.
SELECT shmcache.create_frame('other', 'a int4, b text');
SELECT frame_id AS other_id FROM shmcache.frame_catalog WHERE view = 'other'::regclass \gset
CREATE OR REPLACE VIEW uf AS
	SELECT * FROM shmcache.scan(:other_id::int8) AS f(a int4, b text);
CREATE OR REPLACE VIEW uf AS
	SELECT *, 1 AS c FROM shmcache.scan(:uf_id::int8) AS f(a int4, b text);
CREATE RULE r AS ON UPDATE TO uf DO INSTEAD NOTHING;
ALTER VIEW uf RENAME COLUMN b TO bb;
SELECT count(*), max(bb) FROM uf;
ALTER VIEW uf RENAME COLUMN bb TO b;
-- any other view may still be replaced
CREATE VIEW plain_v AS SELECT 1 AS x;
CREATE OR REPLACE VIEW plain_v AS SELECT 2 AS x;
SELECT * FROM plain_v;

-- Frame ids are drawn at random, not counted: two frames' ids differ by
-- more than a sequence would make them.
SELECT abs(:other_id - :uf_id) > 1000 AS ids_not_sequential;

DROP VIEW plain_v;
DROP FUNCTION cursor_counts(bool, bool);
DROP TABLE uf_heap;
SELECT shmcache.drop_frame('uf');
SELECT shmcache.drop_frame('other');

-- Only a frame's own view may read it with shmcache.scan(<its id>): another
-- view doing so (a view restored from a dump into a database where the id is
-- another frame's) is refused; queries may still call shmcache.scan().
SELECT shmcache.create_frame('own', 'a int4');
INSERT INTO own VALUES (7);
SELECT frame_id AS own_id FROM shmcache.frame_catalog WHERE view = 'own'::regclass \gset
CREATE VIEW alias AS SELECT * FROM shmcache.scan(:own_id::int8) AS f(a int4);
CREATE VIEW alias AS SELECT count(*) FROM (SELECT 1 FROM shmcache.scan(:own_id::int8) AS f(a int4)) s;
SELECT to_regclass('alias') IS NULL AS not_created;
SELECT * FROM shmcache.scan(:own_id::int8) AS f(a int4);
SELECT shmcache.drop_frame('own');

-- The statements shmcache runs for create_frame, cache_table and drop_frame
-- name everything with its schema (a collation of the caller's schema too)
-- and run under a pinned search_path.
CREATE SCHEMA coll_s;
CREATE COLLATION coll_s.mycoll (provider = libc, locale = 'C');
SET search_path = coll_s, public;
SELECT shmcache.create_frame('public.collf', 'a text COLLATE mycoll');
RESET search_path;
SELECT pg_get_viewdef('collf'::regclass) LIKE '%COLLATE coll_s.mycoll%' AS collation_qualified;
INSERT INTO collf VALUES ('b'), ('a');
SELECT a FROM collf ORDER BY a;
CREATE TABLE coll_src (a text COLLATE coll_s.mycoll);
INSERT INTO coll_src VALUES ('x');
SELECT shmcache.cache_table('coll_src');
SELECT a FROM coll_src_cache;
SELECT shmcache.drop_frame('collf');
SELECT shmcache.drop_frame('coll_src_cache');
DROP TABLE coll_src;
DROP SCHEMA coll_s CASCADE;
