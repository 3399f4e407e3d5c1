--
-- 04_load: every way of loading a frame, and emptying it
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
CREATE TEMP TABLE l_mem AS SELECT used_bytes FROM shmcache.memory;

-- source rows, written to server files in several formats
CREATE TABLE l_src (id int4 NOT NULL, name text, price numeric(8,2), day date);
INSERT INTO l_src SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'name ' || g END,
                         g * 1.25, date '2024-01-01' + g
  FROM generate_series(1, 1000) g;
INSERT INTO l_src VALUES (1001, 'has "quotes", commas; and semicolons', 1, '2024-01-01'),
                         (1002, E'tab\there', 2, NULL),
                         (1003, 'NA', 3, '2024-01-01'),
                         (1004, '', 4, '2024-01-01');
COPY l_src TO '/tmp/shmcache_regress_load.csv' (FORMAT csv, HEADER true);
COPY l_src TO '/tmp/shmcache_regress_load.txt';
COPY l_src TO '/tmp/shmcache_regress_load.bin' (FORMAT binary);
COPY l_src TO '/tmp/shmcache_regress_load_semi.csv' (FORMAT csv, HEADER true, DELIMITER ';', NULL 'NULL', FORCE_QUOTE (name));
COPY l_src TO PROGRAM 'gzip -c > /tmp/shmcache_regress_load.csv.gz' (FORMAT csv);
COPY l_src TO '/tmp/shmcache_regress_load_na.csv' (FORMAT csv, NULL 'NA');

CREATE FUNCTION l_same(frame regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a int8;
    b int8;
    n int8;
BEGIN
    EXECUTE format('SELECT count(*) FROM (SELECT id, name, price, day FROM %s EXCEPT ALL SELECT * FROM l_src) x', frame) INTO a;
    EXECUTE format('SELECT count(*) FROM (SELECT * FROM l_src EXCEPT ALL SELECT id, name, price, day FROM %s) x', frame) INTO b;
    EXECUTE format('SELECT count(*) FROM %s', frame) INTO n;
    RETURN format('%s rows, %s only in frame, %s only in source', n, a, b);
END $$;

SELECT shmcache.create_frame('l_f', 'id int4 NOT NULL, name text, price numeric(8,2), day date');

-- csv with header
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load.csv', 'format csv, header true');
SELECT l_same('l_f');
SELECT * FROM l_f WHERE id > 1000 ORDER BY id;
SELECT shmcache.truncate('l_f');

-- text format (the default), with no options at all and with NULL options
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load.txt');
SELECT l_same('l_f');
SELECT shmcache.truncate('l_f');
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load.txt', NULL);
SELECT l_same('l_f');
TRUNCATE l_f;

-- binary
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load.bin', 'format binary');
SELECT l_same('l_f');
TRUNCATE l_f;

-- options in COPY's spelling: delimiter, null string, quoting, upper case
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load_semi.csv',
                          'format csv, header true, delimiter '';'', null ''NULL''');
SELECT l_same('l_f');
TRUNCATE l_f;
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load_semi.csv',
                          'FORMAT CSV, HEADER, DELIMITER '';'', NULL ''NULL'', QUOTE ''"'', ENCODING ''UTF8''');
SELECT l_same('l_f');
TRUNCATE l_f;
-- null 'NA': a file written with it reads back exactly
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load_na.csv', 'format csv, null ''NA''');
SELECT l_same('l_f');
SELECT count(*) FILTER (WHERE name IS NULL) AS null_names, count(*) FILTER (WHERE name = '') AS empty_names,
       count(*) FILTER (WHERE name = 'NA') AS na_names FROM l_f;
TRUNCATE l_f;
-- with null 'NA', the empty field of a NULL date is no longer NULL: an error, nothing loaded
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load.csv', 'format csv, header true, null ''NA''');
SELECT count(*) FROM l_f;
-- force_null / force_not_null
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load.csv', 'format csv, header true, force_not_null (name)');
SELECT count(*) FILTER (WHERE name IS NULL) AS null_names, count(*) FILTER (WHERE name = '') AS empty_names FROM l_f;
TRUNCATE l_f;
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load.csv', 'format csv, header true, force_null (name)');
SELECT count(*) FILTER (WHERE name IS NULL) AS null_names, count(*) FILTER (WHERE name = '') AS empty_names FROM l_f;
TRUNCATE l_f;

-- copy_from_program: cat, and gzip -dc of a compressed file
SELECT shmcache.copy_from_program('l_f', 'cat /tmp/shmcache_regress_load.csv', 'format csv, header true');
SELECT l_same('l_f');
TRUNCATE l_f;
SELECT shmcache.copy_from_program('l_f', 'gzip -dc /tmp/shmcache_regress_load.csv.gz', 'format csv');
SELECT l_same('l_f');
TRUNCATE l_f;
SELECT shmcache.copy_from_program('l_f', 'printf ''1,a,,\n2,b,2.5,2024-02-02\n''', 'format csv');
SELECT * FROM l_f ORDER BY id;
-- a row with too few columns: COPY's error, nothing of the load kept
SELECT shmcache.copy_from_program('l_f', 'printf ''3,c,,\n4,d\n''', 'format csv');
SELECT * FROM l_f ORDER BY id;
TRUNCATE l_f;

-- loads append, and return the rows loaded
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load.csv', 'format csv, header true') AS first;
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load.csv', 'format csv, header true') AS second;
SELECT count(*), count(DISTINCT id) FROM l_f;
TRUNCATE l_f;

-- COPY view FROM STDIN
COPY l_f FROM STDIN;
1	one	1.5	2024-01-01
2	\N	2.25	\N
3	three	3	2024-03-03
\.
\echo rows loaded: :ROW_COUNT
COPY l_f FROM STDIN (FORMAT csv, HEADER true);
id,name,price,day
4,"four, with comma",4.444,2024-04-04
5,,5,
\.
\echo rows loaded: :ROW_COUNT
COPY l_f (day, id) FROM STDIN (FORMAT csv);
2024-06-06,6
2024-07-07,7
\.
\echo rows loaded: :ROW_COUNT
COPY l_f (id, name) FROM STDIN WHERE id % 2 = 0;
8	eight
9	nine
10	ten
11	eleven
\.
\echo rows loaded: :ROW_COUNT
COPY l_f FROM STDIN WHERE name LIKE 'k%' AND price > 1;
12	keep	2	2024-12-12
13	drop	2	2024-12-12
14	kept too	5	\N
15	keep not	1	\N
\.
\echo rows loaded: :ROW_COUNT
SELECT * FROM l_f ORDER BY id;

-- COPY view FROM a server file, with options, a column list and WHERE
TRUNCATE l_f;
COPY l_f FROM '/tmp/shmcache_regress_load.csv' (FORMAT csv, HEADER true) WHERE id <= 5 OR id > 1002;
\echo rows loaded: :ROW_COUNT
SELECT * FROM l_f ORDER BY id;
TRUNCATE l_f;
COPY l_f FROM PROGRAM 'gzip -dc /tmp/shmcache_regress_load.csv.gz' (FORMAT csv) WHERE price > 1000;
\echo rows loaded: :ROW_COUNT
SELECT count(*), min(id), max(id) FROM l_f;
TRUNCATE l_f;

-- \copy (client side)
\copy l_f FROM '/tmp/shmcache_regress_load.csv' (FORMAT csv, HEADER true)
\echo rows loaded: :ROW_COUNT
SELECT l_same('l_f');
\copy l_f FROM '/tmp/shmcache_regress_load.csv' (FORMAT csv, HEADER true) WHERE id > 1002
\echo rows loaded: :ROW_COUNT
SELECT count(*) FROM l_f;

-- COPY view TO
TRUNCATE l_f;
INSERT INTO l_f VALUES (1, 'a', 1.5, '2024-01-01'), (2, NULL, NULL, NULL), (3, 'c, d', 3, '2024-03-03');
COPY l_f TO STDOUT;
COPY l_f TO STDOUT (FORMAT csv, HEADER true);
COPY l_f (name, id) TO STDOUT (FORMAT csv);
COPY public.l_f (day) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *);
\copy l_f TO STDOUT
\copy (SELECT id, name FROM l_f WHERE id > 1) TO STDOUT
-- COPY TO a file and back into another frame
COPY l_f TO '/tmp/shmcache_regress_load_out.bin' (FORMAT binary);
SELECT shmcache.create_frame('l_f2', 'id int4 NOT NULL, name text, price numeric(8,2), day date');
SELECT shmcache.copy_from('l_f2', '/tmp/shmcache_regress_load_out.bin', 'format binary');
SELECT * FROM l_f2 ORDER BY id;
SELECT shmcache.drop_frame('l_f2');
-- COPY ... TO with a query on the frame
COPY (SELECT count(*), sum(price) FROM l_f) TO STDOUT;

-- INSERT: VALUES, SELECT, column lists, RETURNING, in a CTE
TRUNCATE l_f;
INSERT INTO l_f SELECT * FROM l_src WHERE id <= 100;
INSERT INTO l_f (id) VALUES (2000);
INSERT INTO l_f (price, id) SELECT price * 2, id + 5000 FROM l_src WHERE id <= 3;
INSERT INTO l_f VALUES (3000, 'ret', 1, '2024-01-01') RETURNING *;
WITH ins AS (INSERT INTO l_f VALUES (3001, 'cte', 2, NULL) RETURNING id) SELECT * FROM ins;
SELECT count(*), sum(id), count(name), sum(price) FROM l_f;
SELECT * FROM l_f WHERE id >= 2000 ORDER BY id;

-- cache_table: default name, explicit name, NOT NULL copied, dropped columns skipped
CREATE TABLE l_tab (a int4 NOT NULL, junk text, b text, c numeric(6,1) NOT NULL, d varchar(4));
INSERT INTO l_tab SELECT g, 'junk', 'b' || g, g / 10.0, left('d' || g, 4) FROM generate_series(1, 20000) g;
ALTER TABLE l_tab DROP COLUMN junk;
SELECT shmcache.cache_table('l_tab');
SELECT frame, columns, rows, chunks FROM shmcache.frames WHERE frame = 'l_tab_cache'::regclass;
SELECT (SELECT count(*) FROM (SELECT * FROM l_tab_cache EXCEPT ALL SELECT * FROM l_tab) x) AS only_frame,
       (SELECT count(*) FROM (SELECT * FROM l_tab EXCEPT ALL SELECT * FROM l_tab_cache) x) AS only_table;
SELECT shmcache.cache_table('l_tab', 'l_tab_named');
SELECT count(*), sum(a), sum(c) FROM l_tab_named;
INSERT INTO l_tab_named (a) VALUES (1);     -- c is NOT NULL, as in the table
-- a schema-qualified frame name, and a table in another schema
CREATE SCHEMA l_s;
CREATE TABLE l_s.t (x int4 PRIMARY KEY, "Y" text DEFAULT 'dflt' CHECK ("Y" <> ''));
INSERT INTO l_s.t VALUES (1, 'one'), (2, 'two');
SELECT shmcache.cache_table('l_s.t');
SELECT shmcache.cache_table('l_s.t', 'l_s."Other Name"');
SELECT shmcache.cache_table('l_s.t', 'public.l_t_in_public');
SELECT frame, columns, rows FROM shmcache.frames WHERE frame::text LIKE 'l\_%' ORDER BY frame::text COLLATE "C";
SELECT * FROM l_s.t_cache ORDER BY x;
SELECT * FROM l_s."Other Name" ORDER BY x;
-- the frame is a snapshot: later changes of the table do not show
INSERT INTO l_s.t VALUES (3, 'three');
SELECT count(*) FROM l_s.t_cache;
-- caching an empty table, and caching a frame
CREATE TABLE l_empty (x int4);
SELECT shmcache.cache_table('l_empty');
SELECT count(*) FROM l_empty_cache;
SELECT shmcache.cache_table('l_tab_named', 'l_frame_of_frame');
SELECT count(*), sum(a) FROM l_frame_of_frame;
-- a name that is taken
SELECT shmcache.cache_table('l_tab');
SELECT shmcache.cache_table('l_tab', 'l_src');

-- TRUNCATE: of one frame, of several, of frames together with tables
CREATE TABLE l_tt (x int4);
INSERT INTO l_tt VALUES (1), (2);
TRUNCATE l_tab_cache, l_tab_named;
SELECT (SELECT count(*) FROM l_tab_cache) AS a, (SELECT count(*) FROM l_tab_named) AS b;
TRUNCATE l_tt, l_f, l_s.t_cache;
SELECT (SELECT count(*) FROM l_tt) AS tt, (SELECT count(*) FROM l_f) AS f, (SELECT count(*) FROM l_s.t_cache) AS t_cache;
TRUNCATE TABLE l_frame_of_frame RESTART IDENTITY;
SELECT count(*) FROM l_frame_of_frame;
SELECT frame, rows, chunks FROM shmcache.frames WHERE frame::text LIKE 'l\_%' ORDER BY frame::text COLLATE "C";
-- a frame can be loaded again after truncate
SELECT shmcache.copy_from('l_f', '/tmp/shmcache_regress_load.csv', 'format csv, header true');
SELECT l_same('l_f');

-- clean up
SELECT shmcache.drop_frame('l_f');
SELECT shmcache.drop_frame('l_tab_cache');
DROP VIEW l_tab_named, l_frame_of_frame, l_empty_cache, l_t_in_public;
DROP SCHEMA l_s CASCADE;
DROP TABLE l_src, l_tab, l_tt, l_empty;
DROP FUNCTION l_same(regclass);
SELECT count(*) FROM shmcache.frames WHERE frame::text LIKE 'l\_%';
SELECT m.used_bytes = b.used_bytes AS memory_back FROM shmcache.memory m, l_mem b;
DROP TABLE l_mem;
