--
-- 06_errors: bad input gives a clear error and leaves frames and memory
-- exactly as they were
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
CREATE TEMP TABLE e_mem AS SELECT used_bytes FROM shmcache.memory;

SELECT shmcache.create_frame('e_f', 'id int4 NOT NULL, v varchar(5), n numeric(5,2), d date');
INSERT INTO e_f SELECT g, 'v' || (g % 1000), g / 100.0, date '2024-01-01' + g FROM generate_series(1, 20000) g;
CREATE TEMP TABLE e_mark (used_bytes int8);
INSERT INTO e_mark SELECT used_bytes FROM shmcache.memory;
-- e_unchanged(): the frame holds exactly its 20000 rows, and memory is as before
CREATE FUNCTION e_unchanged() RETURNS text LANGUAGE sql AS $$
  SELECT CASE WHEN (SELECT count(*) FROM e_f) = 20000 AND (SELECT sum(id) FROM e_f) = 200010000
               AND (SELECT rows FROM shmcache.frames WHERE frame = 'e_f'::regclass) = 20000
              THEN 'rows unchanged' ELSE 'ROWS CHANGED' END || ', ' ||
         CASE WHEN (SELECT used_bytes FROM shmcache.memory) = (SELECT used_bytes FROM e_mark)
              THEN 'memory unchanged' ELSE 'MEMORY CHANGED' END
$$;
SELECT e_unchanged();

-- malformed CSV: the error names the line and the column
COPY (SELECT 'id,v,n,d' UNION ALL SELECT '1,a,1.5,2024-01-01' UNION ALL SELECT '2,b,oops,2024-01-01')
  TO '/tmp/shmcache_regress_err_bad.csv';
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_bad.csv', 'format csv, header true');
SELECT e_unchanged();
COPY (SELECT '1,a,1.5,2024-01-01' UNION ALL SELECT '2,"unterminated,1,2024-01-01')
  TO '/tmp/shmcache_regress_err_quote.csv';
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_quote.csv', 'format csv');
SELECT e_unchanged();
COPY (SELECT '1,a,1.5,2024-01-01,extra') TO '/tmp/shmcache_regress_err_extra.csv';
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_extra.csv', 'format csv');
SELECT e_unchanged();
-- a bad row after many good ones (past the first chunk)
COPY (SELECT g || ',x,1,2024-01-01' FROM generate_series(1, 30000) g UNION ALL SELECT '30001,x,1,not a date')
  TO '/tmp/shmcache_regress_err_late.csv';
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_late.csv', 'format csv');
SELECT e_unchanged();
-- wrong types, too long for varchar(n), out of range for numeric(5,2)
COPY e_f FROM STDIN (FORMAT csv);
1,ok,1,2024-01-01
x2,ok,1,2024-01-01
\.
SELECT e_unchanged();
COPY e_f FROM STDIN (FORMAT csv);
1,toolong,1,2024-01-01
\.
SELECT e_unchanged();
COPY e_f FROM STDIN (FORMAT csv);
1,ok,1000,2024-01-01
\.
SELECT e_unchanged();
INSERT INTO e_f VALUES (1, 'toolong', 1, '2024-01-01');
INSERT INTO e_f VALUES ('one', 'a', 1, '2024-01-01');
INSERT INTO e_f VALUES (1, 'a', 1, '2024-02-30');
INSERT INTO e_f SELECT g, 'v', 1, NULL::date FROM generate_series(1, 20000) g UNION ALL SELECT 1, 'toolong', 1, NULL;
SELECT e_unchanged();
-- NULL into NOT NULL, through COPY and INSERT
COPY e_f FROM STDIN (FORMAT csv);
1,a,1,2024-01-01
,b,2,2024-01-01
\.
SELECT e_unchanged();
COPY e_f (v) FROM STDIN;
a
\.
SELECT e_unchanged();
INSERT INTO e_f VALUES (NULL, 'a', 1, NULL);
INSERT INTO e_f (v) VALUES ('a');
INSERT INTO e_f SELECT CASE WHEN g = 25000 THEN NULL ELSE g END, 'v', 1, NULL FROM generate_series(1, 30000) g;
SELECT e_unchanged();

-- bad options
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_bad.csv', 'format csv, no_such_option true');
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_bad.csv', 'format xml');
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_bad.csv', 'format csv,, header');
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_bad.csv', 'format csv) WHERE (true');
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_bad.csv', 'format csv); DROP TABLE e_mark; --');
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_bad.csv', 'format csv, format text');
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_bad.csv', 'format binary, header true');
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_bad.csv', 'format csv, delimiter ''ab''');
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_err_bad.csv', 'force_null (nosuchcol), format csv');
-- (psql skips the data of a COPY FROM STDIN that fails before reading it)
COPY e_f FROM STDIN (FORMAT csv, bogus 1);
1,a,1,2024-01-01
\.
COPY e_f (id, nosuchcol) FROM STDIN;
1	a
\.
COPY e_f (id, id) FROM STDIN;
1	1
\.
COPY e_f FROM STDIN WHERE nosuchcol > 1;
1	a	1	2024-01-01
\.
COPY e_f FROM STDIN WHERE id > (SELECT 1);
1	a	1	2024-01-01
\.
SELECT e_unchanged();
SELECT count(*) FROM e_mark;   -- still there

-- missing file, failing program, NULL arguments
SELECT shmcache.copy_from('e_f', '/tmp/shmcache_regress_no_such_file.csv', 'format csv');
SELECT shmcache.copy_from('e_f', 'relative/path.csv', 'format csv');
SELECT shmcache.copy_from_program('e_f', 'exit 3', 'format csv');
SELECT shmcache.copy_from_program('e_f', 'printf ''1,a,1,2024-01-01\n''; exit 1', 'format csv');
SELECT shmcache.copy_from(NULL, '/tmp/x.csv');
SELECT shmcache.copy_from('e_f', NULL);
SELECT shmcache.copy_from_program('e_f', NULL);
SELECT shmcache.cache_table(NULL);
SELECT e_unchanged();

-- things that are not frames
CREATE TABLE e_table (a int4);
CREATE VIEW e_view AS SELECT 1 AS a;
SELECT shmcache.copy_from('e_table', '/tmp/shmcache_regress_err_bad.csv');
SELECT shmcache.copy_from_program('e_view', 'true');
SELECT shmcache.truncate('e_table');
SELECT shmcache.drop_frame('e_table');
SELECT shmcache.drop_frame('e_view');
SELECT shmcache.drop_frame('pg_class');
SELECT shmcache.truncate('no_such_frame');
SELECT shmcache.drop_frame('no_such_frame');
SELECT shmcache.copy_from('no_such_schema.f', '/tmp/x.csv');
SELECT shmcache.drop_frame(0);
SELECT * FROM shmcache.scan(-1) AS f(a int4);
SELECT * FROM shmcache.scan(NULL) AS f(a int4);
-- a direct scan whose column list does not match the frame
SELECT frame_id AS e_id FROM shmcache.frame_catalog WHERE view = 'e_f'::regclass \gset
SELECT * FROM shmcache.scan(:e_id) AS f(a text);
SELECT * FROM shmcache.scan(:e_id) AS f(id int4, v varchar(5), n numeric(5,2), d date, extra int4);
-- (only the types are checked, not their modifiers)
SELECT count(*) FROM shmcache.scan(:e_id) AS f(id int4, v varchar(6), n numeric(5,2), d date);
SET shmcache.enable_customscan = off;
SELECT * FROM shmcache.scan(:e_id) AS f(a text);
RESET shmcache.enable_customscan;
SELECT count(*) FROM shmcache.scan(:e_id) AS f(id int4, v varchar(5), n numeric(5,2), d date);
-- the frame id may be any expression: a subquery (an initplan), a join column
SELECT count(*) FROM shmcache.scan((SELECT frame_id FROM shmcache.frame_catalog WHERE view = 'e_f'::regclass))
  AS f(id int4, v varchar(5), n numeric(5,2), d date);
SELECT count(*) FROM shmcache.frame_catalog c,
       LATERAL shmcache.scan(c.frame_id) AS f(id int4, v varchar(5), n numeric(5,2), d date)
 WHERE c.view = 'e_f'::regclass;
SET shmcache.enable_customscan = off;
SELECT count(*) FROM shmcache.scan((SELECT frame_id FROM shmcache.frame_catalog WHERE view = 'e_f'::regclass))
  AS f(id int4, v varchar(5), n numeric(5,2), d date);
RESET shmcache.enable_customscan;
SELECT e_unchanged();
-- the trigger function outside of a frame's view
SELECT shmcache.insert_trigger();
CREATE TRIGGER e_trg BEFORE INSERT ON e_table FOR EACH ROW EXECUTE FUNCTION shmcache.insert_trigger();
INSERT INTO e_table VALUES (1);
DROP TRIGGER e_trg ON e_table;

-- create_frame: duplicate names, bad column lists
SELECT shmcache.create_frame('e_f', 'a int4');
SELECT shmcache.create_frame('e_table', 'a int4');
SELECT shmcache.create_frame('no_such_schema.e_g', 'a int4');
SELECT shmcache.create_frame('e_g', 'a no_such_type');
SELECT shmcache.create_frame('e_g', 'a int4 CHECK (a > 0)');
SELECT shmcache.create_frame('e_g', 'a int4 DEFAULT 1');
SELECT shmcache.create_frame('e_g', 'a int4 REFERENCES e_table (a)');
SELECT shmcache.create_frame('e_g', 'a int4 GENERATED ALWAYS AS (1) STORED');
SELECT shmcache.create_frame('e_g', 'a int4 GENERATED ALWAYS AS IDENTITY');
SELECT shmcache.create_frame('e_g', 'a int4, CHECK (a > 0)');
SELECT shmcache.create_frame('e_g', 'LIKE e_table');
SELECT shmcache.create_frame('e_g', 'a int4 COMPRESSION pglz');
SELECT shmcache.create_frame('e_g', '');
SELECT shmcache.create_frame('e_g', '   ');
SELECT shmcache.create_frame('e_g', 'a');
SELECT shmcache.create_frame('e_g', 'a int4,');
SELECT shmcache.create_frame('e_g', 'a int4, a text');
SELECT shmcache.create_frame('e_g', 'a int4); DROP TABLE e_table; --');
SELECT shmcache.create_frame('e_g', 'a int4) INHERITS (e_table');
SELECT shmcache.create_frame('e_g', 'this is garbage');
SELECT shmcache.create_frame('', 'a int4');
SELECT shmcache.create_frame('a.b.c.d', 'a int4');
SELECT shmcache.create_frame(NULL, 'a int4');
SELECT count(*) FROM e_table;   -- still there
SELECT count(*) FROM shmcache.frames WHERE frame::text LIKE 'e\_%';
SELECT count(*) FROM pg_class WHERE relname = 'e_g';
-- a table's row type is a valid column type
SELECT shmcache.create_frame('e_g', 'a e_table');
INSERT INTO e_g VALUES (ROW(7));
SELECT a, (a).a FROM e_g;
SELECT shmcache.drop_frame('e_g');
SELECT e_unchanged();

-- MERGE, and ON CONFLICT without a matching unique index, on a frame's view
-- are PostgreSQL's errors (UPDATE and DELETE: 17_modify)
MERGE INTO e_f USING (SELECT 1 AS id) s ON e_f.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id);
INSERT INTO e_f VALUES (1, 'a', 1, NULL) ON CONFLICT (id) DO NOTHING;
INSERT INTO e_f VALUES (1, 'a', 1, NULL) ON CONFLICT (id) DO UPDATE SET v = 'b';
SELECT * FROM e_f WHERE id = 1 FOR UPDATE;   -- allowed, as on any view over a function
SELECT e_unchanged();
-- a default set on the view's column applies to INSERT, as for any view
ALTER VIEW e_f ALTER COLUMN v SET DEFAULT 'dflt';
INSERT INTO e_f (id) VALUES (-1);
SELECT id, v FROM e_f WHERE id = -1;
ALTER VIEW e_f ALTER COLUMN v DROP DEFAULT;
SELECT shmcache.truncate('e_f');
INSERT INTO e_f SELECT g, 'v' || (g % 1000), g / 100.0, date '2024-01-01' + g FROM generate_series(1, 20000) g;
SELECT e_unchanged();

-- running out of shmcache.size: an error naming the frame, what was needed
-- and what is free; nothing of the load is kept
SELECT shmcache.create_frame('e_big', 'id int4, t text');
INSERT INTO e_big VALUES (1, 'small');
UPDATE e_mark SET used_bytes = (SELECT used_bytes FROM shmcache.memory);
CREATE FUNCTION e_try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    msg text;
    det text;
    hint text;
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN msg || ' / ' || regexp_replace(det, '[0-9]+', 'N', 'g') || ' / ' || hint;
END $$;
SELECT e_try($$INSERT INTO e_big SELECT g, g || repeat('x', 1000000) FROM generate_series(1, 200) g$$);
SELECT count(*), max(id) FROM e_big;
SELECT e_unchanged();
SELECT rows FROM shmcache.frames WHERE frame = 'e_big'::regclass;
-- the same, as the statement's own error (terse: the numbers vary)
\set VERBOSITY terse
INSERT INTO e_big SELECT g, g || repeat('x', 1000000) FROM generate_series(1, 200) g;
\set VERBOSITY default
SELECT e_unchanged();
-- through copy_from_program, and in a transaction that then goes on
SELECT e_try($$SELECT shmcache.copy_from_program('e_big', 'for i in $(seq 1 300); do printf "%d,%d" $i $i; head -c 500000 /dev/zero | tr ''\0'' x; echo; done', 'format csv')$$);
SELECT e_unchanged();
BEGIN;
INSERT INTO e_big VALUES (2, 'kept');
SAVEPOINT s;
SELECT e_try($$INSERT INTO e_big SELECT g, g || repeat('y', 1000000) FROM generate_series(3, 300) g$$);
ROLLBACK TO s;
INSERT INTO e_big VALUES (3, 'kept too');
COMMIT;
SELECT id, t FROM e_big ORDER BY id;
-- after the failure the memory can be used again
INSERT INTO e_big SELECT g, repeat('z', 1000000) FROM generate_series(10, 59) g;
SELECT count(*), sum(length(t)) FROM e_big;
SELECT shmcache.truncate('e_big');
SELECT m.used_bytes < b.used_bytes AS memory_given_back FROM shmcache.memory m, e_mark b;

-- clean up
SELECT shmcache.drop_frame('e_f');
SELECT shmcache.drop_frame('e_big');
DROP TABLE e_table, e_mark;
DROP VIEW e_view;
DROP FUNCTION e_unchanged(), e_try(text);
SELECT m.used_bytes = b.used_bytes AS memory_back FROM shmcache.memory m, e_mem b;
DROP TABLE e_mem;
