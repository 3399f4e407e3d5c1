--
-- 16_indexes: hash indexes on frames.  Every lookup gives what the same
-- query gives on a heap table with the same rows and indexes, with the
-- index used and not used; uniqueness is enforced on every load path and a
-- refused load leaves rows and memory as they were.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET extra_float_digits = 0;

-- Every indexable kind: integers, date/time, floats (NaN, -0), text under
-- the default and the C collation, varchar, numeric, uuid, bytea, bool;
-- nulls in every non-key column, and keys that repeat for the non-unique
-- indexes.
CREATE TABLE ix_heap (
    id   int8 PRIMARY KEY,
    i2   int2, i4 int4, d date, ts timestamp, tz timestamptz,
    f8   float8, t text, tc text COLLATE "C", vc varchar(10),
    n    numeric, u uuid, b bytea, ok bool,
    UNIQUE (i4, t));
INSERT INTO ix_heap
SELECT g,
       (g % 300)::int2, g * 3, date '2024-01-01' + g % 400,
       timestamp '2024-01-01' + g * interval '1 hour',
       timestamptz '2024-01-01 00:00+00' + (g % 700) * interval '1 minute',
       CASE WHEN g % 97 = 0 THEN 'NaN'::float8 WHEN g % 89 = 0 THEN -0.0 ELSE (g % 500) / 4.0 END,
       CASE WHEN g % 13 = 0 THEN NULL ELSE 'k' || (g % 900) END,
       'K' || (g % 800), 'v' || (g % 1000),
       (g % 600) / 8.0, md5((g % 1200)::text)::uuid, decode(lpad(to_hex(g % 250), 4, '0'), 'hex'),
       g % 2 = 0
  FROM generate_series(1, 40000) g;
CREATE INDEX ON ix_heap (i2);
CREATE INDEX ON ix_heap (d);
CREATE INDEX ON ix_heap (ts);
CREATE INDEX ON ix_heap (tz);
CREATE INDEX ON ix_heap (f8);
CREATE INDEX ON ix_heap (t);
CREATE INDEX ON ix_heap (tc);
CREATE INDEX ON ix_heap (vc);
CREATE INDEX ON ix_heap (n);
CREATE INDEX ON ix_heap (u);
CREATE INDEX ON ix_heap (b);
ANALYZE ix_heap;

SELECT shmcache.create_frame('ix_frame',
  'id int8 PRIMARY KEY, i2 int2, i4 int4, d date, ts timestamp, tz timestamptz,
   f8 float8, t text, tc text COLLATE "C", vc varchar(10), n numeric, u uuid,
   b bytea, ok bool, UNIQUE (i4, t)');
SELECT name, columns, "unique", "primary", entries FROM shmcache.indexes
 WHERE frame = 'ix_frame'::regclass ORDER BY name;
-- the primary key's column is NOT NULL
SELECT columns FROM shmcache.frames WHERE frame = 'ix_frame'::regclass;
INSERT INTO ix_frame SELECT * FROM ix_heap;
SELECT shmcache.create_index('ix_frame', 'i2');
SELECT shmcache.create_index('ix_frame', 'd');
SELECT shmcache.create_index('ix_frame', 'tz');
SELECT shmcache.create_index('ix_frame', 'f8');
SELECT shmcache.create_index('ix_frame', 't, tc');
SELECT shmcache.create_index('ix_frame', 'vc');
SELECT name, columns, "unique", entries, bytes > 0 AS has_bytes FROM shmcache.indexes
 WHERE frame = 'ix_frame'::regclass ORDER BY name;
-- eight indexes at most
SELECT shmcache.create_index('ix_frame', 'n');

-- ix_oracle(q): q with %T = ix_frame and with %T = ix_heap give the same
-- multiset of rows, with the custom nodes on and off.
CREATE FUNCTION ix_oracle(q text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    qf text := replace(q, '%T', 'ix_frame');
    qh text := replace(q, '%T', 'ix_heap');
    only_f int8;
    only_h int8;
    n int8;
    result text := '';
    mode text;
BEGIN
    FOREACH mode IN ARRAY ARRAY['on', 'off'] LOOP
        PERFORM set_config('shmcache.enable_customscan', mode, true);
        EXECUTE format('WITH f AS MATERIALIZED (%s), h AS MATERIALIZED (%s)
                        SELECT (SELECT count(*) FROM (TABLE f EXCEPT ALL TABLE h) a),
                               (SELECT count(*) FROM (TABLE h EXCEPT ALL TABLE f) b),
                               (SELECT count(*) FROM f)', qf, qh)
           INTO only_f, only_h, n;
        IF only_f <> 0 OR only_h <> 0 THEN
            RETURN format('MISMATCH (%s): only frame %s, only heap %s', mode, only_f, only_h);
        END IF;
        result := n::text;
    END LOOP;
    PERFORM set_config('shmcache.enable_customscan', 'on', true);
    RETURN result;
END $$;

-- uses_lookup(q): does the plan of q on the frame probe an index?
CREATE FUNCTION uses_lookup(q text) RETURNS bool
LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || replace(q, '%T', 'ix_frame') LOOP
        IF line LIKE '%ShmcacheLookup%' THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END $$;

CREATE TABLE ix_queries (n int PRIMARY KEY, q text NOT NULL);
INSERT INTO ix_queries VALUES
 (1,  'SELECT * FROM %T WHERE id = 4242'),
 (2,  'SELECT * FROM %T WHERE id = 4242::int4'),
 (3,  'SELECT * FROM %T WHERE 17::int2 = id'),
 (4,  'SELECT * FROM %T WHERE id IN (1, 16384, 16385, 32768, 40000, 40001, 1)'),
 (5,  'SELECT * FROM %T WHERE id = ANY (ARRAY[5, NULL, 7]::int8[])'),
 (6,  'SELECT * FROM %T WHERE i2 = 7'),
 (7,  'SELECT * FROM %T WHERE i2 = 70000'),
 (8,  'SELECT * FROM %T WHERE d = ''2024-03-01'''),
 (9,  'SELECT * FROM %T WHERE ts = ''2024-01-03 05:00'''),
 (10, 'SELECT * FROM %T WHERE tz = ''2024-01-01 01:00+00'''),
 (11, 'SELECT * FROM %T WHERE f8 = ''NaN'''),
 (12, 'SELECT * FROM %T WHERE f8 = 0'),
 (13, 'SELECT * FROM %T WHERE f8 = 12.25'),
 (14, 'SELECT * FROM %T WHERE t = ''k17'' AND tc = ''K17'''),
 (15, 'SELECT * FROM %T WHERE vc = ''v99'''),
 (16, 'SELECT * FROM %T WHERE vc = ''v99''::text'),
 (17, 'SELECT * FROM %T WHERE n = 12.5'),
 (18, 'SELECT * FROM %T WHERE n = 12.50'),
 (19, 'SELECT * FROM %T WHERE i4 = 3 * 4242 AND t = ''k642'''),
 (20, 'SELECT * FROM %T WHERE i4 = 3 * 4243 AND t IS NULL'),
 (21, 'SELECT * FROM %T WHERE id = 4242 AND i2 = 43'),
 (22, 'SELECT * FROM %T WHERE id = 4242 AND i2 = 42'),
 (23, 'SELECT * FROM %T WHERE id = NULL'),
 (24, 'SELECT * FROM %T WHERE i2 = ANY (ARRAY(SELECT g FROM generate_series(1, 5) g)::int2[])'),
 (25, 'SELECT count(*), sum(f8) FROM %T WHERE d IN (''2024-01-05'', ''2024-02-05'')'),
 (26, 'SELECT * FROM %T WHERE id = 4242 OR id = 4243'),
 (27, 'SELECT o.g, x.id FROM generate_series(1, 300) o(g) JOIN %T x ON x.id = o.g * 7'),
 (28, 'SELECT o.g, x.id FROM generate_series(1, 50) o(g) LEFT JOIN %T x ON x.i2 = o.g - 10'),
 (29, 'SELECT x.id, y.id FROM %T x JOIN %T y ON y.id = x.i2 WHERE x.id < 30'),
 (30, 'SELECT * FROM %T WHERE u = md5(''77'')::uuid');
SELECT n, ix_oracle(q), uses_lookup(q) FROM ix_queries ORDER BY n;

-- what EXPLAIN shows
EXPLAIN (COSTS OFF) SELECT * FROM ix_frame WHERE id = 42;
EXPLAIN (COSTS OFF) SELECT id FROM ix_frame WHERE id IN (1, 2, 3) AND i2 > 0;
EXPLAIN (COSTS OFF) SELECT * FROM ix_frame WHERE t = 'k1' AND tc = 'K1';
EXPLAIN (COSTS OFF)
SELECT count(*) FROM generate_series(1, 10) o(g) JOIN ix_frame x ON x.id = o.g;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT id FROM ix_frame WHERE id IN (1, 2, 3, 3, 99999);
-- the other side of an = must be computable before the scan: not indexed
EXPLAIN (COSTS OFF) SELECT * FROM ix_frame WHERE id = i4;

-- generic plans
PREPARE ix_p(int8) AS SELECT id, i2 FROM ix_frame WHERE id = $1;
PREPARE ix_a(int8[]) AS SELECT count(*) FROM ix_frame WHERE id = ANY ($1);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE ix_p(10);
EXECUTE ix_p(10);
EXECUTE ix_p(NULL);
EXECUTE ix_a(ARRAY[1, 2, 3, 4, NULL, 40000, 50000]);
RESET plan_cache_mode;

-- a transaction sees its own rows through the index, as of each command
BEGIN;
INSERT INTO ix_frame (id, i4, t) VALUES (50001, 1, 'own');
SELECT id, t FROM ix_frame WHERE id = 50001;
DECLARE ix_c CURSOR FOR SELECT id FROM ix_frame WHERE id IN (50001, 50002);
INSERT INTO ix_frame (id, i4, t) VALUES (50002, 2, 'own');
FETCH ALL FROM ix_c;
SELECT id FROM ix_frame WHERE id IN (50001, 50002) ORDER BY id;
SAVEPOINT s1;
INSERT INTO ix_frame (id, i4, t) VALUES (50003, 3, 'own');
ROLLBACK TO SAVEPOINT s1;
SELECT id FROM ix_frame WHERE id IN (50001, 50002, 50003) ORDER BY id;
-- a key rolled back to a savepoint can be loaded again
INSERT INTO ix_frame (id, i4, t) VALUES (50003, 3, 'own');
SELECT id FROM ix_frame WHERE id = 50003;
TRUNCATE ix_frame;
SELECT count(*) FROM ix_frame WHERE id = 4242;
INSERT INTO ix_frame (id, i4, t) VALUES (4242, 1, 'after truncate');
SELECT id, t FROM ix_frame WHERE id = 4242;
ROLLBACK;
SELECT id, t FROM ix_frame WHERE id IN (4242, 50001, 50002, 50003) ORDER BY id;

-- uniqueness on every load path: the load is refused whole, and the rows
-- and memory of the frame stay as they were
-- (the second key, (i4, t), is unique but nulls are not equal to each other)
INSERT INTO ix_frame (id, i4, t) VALUES (60000, 3, NULL), (60001, 3, NULL);
SELECT count(*) FROM ix_frame WHERE id IN (60000, 60001);
CREATE TEMP TABLE ix_before AS
SELECT (SELECT rows FROM shmcache.frames WHERE frame = 'ix_frame'::regclass) AS rows,
       (SELECT bytes FROM shmcache.frames WHERE frame = 'ix_frame'::regclass) AS bytes,
       (SELECT used_bytes FROM shmcache.memory) AS used;
CREATE FUNCTION ix_unchanged() RETURNS bool LANGUAGE sql AS $$
SELECT (SELECT rows FROM shmcache.frames WHERE frame = 'ix_frame'::regclass) = rows AND
       (SELECT bytes FROM shmcache.frames WHERE frame = 'ix_frame'::regclass) = bytes AND
       (SELECT used_bytes FROM shmcache.memory) = used
  FROM ix_before $$;
INSERT INTO ix_frame (id, i4, t) VALUES (42, 1, 'dup');
SELECT ix_unchanged();
INSERT INTO ix_frame (id, i4, t) VALUES (70000, 6, 'a'), (70001, 7, 'b'), (70000, 8, 'c');
SELECT ix_unchanged();
INSERT INTO ix_frame (id, i4, t) VALUES (70000, 3, 'k1');
SELECT ix_unchanged();
INSERT INTO ix_frame (id, i4, t) SELECT id + 100000, i4, t FROM ix_heap;
SELECT ix_unchanged();
-- COPY, within the load
COPY ix_frame (id, i4, t) FROM stdin;
70000	1	x
70001	2	y
70000	3	z
\.
SELECT ix_unchanged();
-- COPY against committed rows, after many rows (the table grows first)
CREATE TEMP TABLE ix_load AS SELECT g + 100000 AS id FROM generate_series(1, 60000) g
UNION ALL SELECT 17;
COPY (SELECT id, NULL::int2, id::int4, NULL::date, NULL::timestamp, NULL::timestamptz,
             NULL::float8, 'x', NULL::text, NULL::text, NULL::numeric, NULL::uuid,
             NULL::bytea, NULL::bool FROM ix_load) TO '/tmp/ix_load.csv' (FORMAT csv);
SELECT shmcache.copy_from('ix_frame', '/tmp/ix_load.csv', 'format csv');
COPY ix_frame FROM '/tmp/ix_load.csv' (FORMAT csv);
SELECT ix_unchanged();
-- in a subtransaction: only it is undone
BEGIN;
INSERT INTO ix_frame (id, i4, t) VALUES (80000, 1, 'kept');
SAVEPOINT s;
INSERT INTO ix_frame (id, i4, t) VALUES (80001, 1, 'x'), (80000, 2, 'y');
ROLLBACK TO SAVEPOINT s;
INSERT INTO ix_frame (id, i4, t) VALUES (80001, 1, 'kept too');
COMMIT;
SELECT id, t FROM ix_frame WHERE id IN (80000, 80001) ORDER BY id;

-- building a unique index over repeated keys fails and keeps nothing
SELECT shmcache.drop_index('ix_frame', 'i2');
SELECT shmcache.create_index('ix_frame', 'i2', true);
SELECT name FROM shmcache.indexes WHERE frame = 'ix_frame'::regclass AND columns = 'i2';
-- errors
SELECT shmcache.create_index('ix_frame', 'nope');
SELECT shmcache.create_index('ix_frame', 'id');
SELECT shmcache.create_index('ix_frame', 'i4, i4');
SELECT shmcache.create_index('ix_frame', '');
SELECT shmcache.drop_index('ix_frame', 'ok');
BEGIN;
SELECT shmcache.create_index('ix_frame', 'ok');
ROLLBACK;
SELECT shmcache.create_frame('ix_bad', 'a int PRIMARY KEY, b int PRIMARY KEY');
SELECT shmcache.create_frame('ix_bad', 'a int, PRIMARY KEY (a, c)');
SELECT shmcache.create_frame('ix_bad', 'a int NULL PRIMARY KEY');
SELECT shmcache.create_frame('ix_bad', 'a int UNIQUE NULLS NOT DISTINCT');
SELECT shmcache.create_frame('ix_bad', 'a point UNIQUE');
SELECT shmcache.create_frame('ix_bad', 'a int CONSTRAINT my_key UNIQUE, b int CONSTRAINT my_key UNIQUE');
SELECT count(*) FROM pg_class WHERE relname = 'ix_bad';
-- a constraint name given is used in errors
SELECT shmcache.create_frame('ix_named', 'a int CONSTRAINT a_must_differ UNIQUE, b text');
INSERT INTO ix_named VALUES (1, 'x'), (1, 'y');
-- only the owner may add or drop an index
CREATE ROLE ix_user;
GRANT SELECT, INSERT ON ix_named TO ix_user;
SET ROLE ix_user;
SELECT shmcache.create_index('ix_named', 'b');
RESET ROLE;
DROP OWNED BY ix_user;
DROP ROLE ix_user;

-- a nondeterministic collation: keys are equal, unique and found as the
-- collation compares them
CREATE COLLATION ix_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SELECT shmcache.create_frame('ix_ci_frame', 'k text COLLATE ix_ci PRIMARY KEY, v int');
INSERT INTO ix_ci_frame VALUES ('Alpha', 1), ('beta', 2);
INSERT INTO ix_ci_frame VALUES ('ALPHA', 3);
SELECT * FROM ix_ci_frame WHERE k = 'BETA';
SELECT * FROM ix_ci_frame WHERE k IN ('alpha', 'BeTa') ORDER BY v;
-- probed through the index once per outer row
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT f.* FROM (VALUES ('BETA' COLLATE ix_ci), ('ALPHA'), ('gamma')) v(k)
  JOIN ix_ci_frame f ON f.k = v.k ORDER BY f.v;
EXPLAIN (COSTS OFF)
SELECT f.* FROM (VALUES ('BETA' COLLATE ix_ci), ('ALPHA'), ('gamma')) v(k)
  JOIN ix_ci_frame f ON f.k = v.k;
RESET enable_hashjoin;
RESET enable_mergejoin;
SELECT shmcache.drop_frame('ix_ci_frame');
DROP COLLATION ix_ci;

-- long = ANY / IN lists (eight values and more) on columns without an
-- index are filtered through a hash set: the same rows as the heap table,
-- with the filters pushed and not
CREATE TABLE ix_lists_h AS
SELECT g AS i, ((g % 97) / 4.0)::float4 AS f4,
       CASE WHEN g % 50 = 0 THEN 'NaN'::float8 WHEN g % 51 = 0 THEN -0.0::float8
            ELSE g / 8.0 END AS f8,
       timestamptz '2024-01-01 00:00+00' + g * interval '1 s' AS tz
  FROM generate_series(1, 40000) g;
SELECT shmcache.cache_table('ix_lists_h', 'ix_lists');
CREATE FUNCTION ix_lists_same(cond text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE nf int8; nh int8; np int8;
BEGIN
    EXECUTE 'SELECT count(*) FROM ix_lists WHERE ' || cond INTO nf;
    EXECUTE 'SELECT count(*) FROM ix_lists_h WHERE ' || cond INTO nh;
    PERFORM set_config('shmcache.enable_pushdown', 'off', true);
    EXECUTE 'SELECT count(*) FROM ix_lists WHERE ' || cond INTO np;
    PERFORM set_config('shmcache.enable_pushdown', 'on', true);
    RETURN CASE WHEN nf = nh AND np = nh THEN nf::text
                ELSE format('MISMATCH frame %s heap %s unpushed %s', nf, nh, np) END;
END $$;
SELECT ix_lists_same('i IN (1, 2, 3, 16384, 16385, 20000, 39999, 40000, 40001, -5)');
SELECT ix_lists_same('i = ANY (ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9, NULL, 5000000000]::int8[])');
SELECT ix_lists_same('f4 IN (0, 0.25, 0.5, 1.75, 24, 23.75, 3.25, 7.5, 100)');
SELECT ix_lists_same('f8 IN (''NaN'', 0, 0.125, 1.5, 2.5, 3.5, 99.75, 4999.875, 5000)');
SELECT ix_lists_same('f8 = ANY (ARRAY[''-0'', ''NaN'', 1, 2, 3, 4, 5, 6, 7]::float8[])');
SELECT ix_lists_same('tz IN (''2024-01-01 00:00:01+00'', ''2024-01-01 00:00:02+00'',
    ''2024-01-01 01:00:00+00'', ''2024-01-01 02:00:00+00'', ''2024-01-01 03:00:00+00'',
    ''2024-01-01 04:00:00+00'', ''2024-01-01 05:00:00+00'', ''2024-01-02 00:00:00+00'')');
EXPLAIN (COSTS OFF) SELECT count(*) FROM ix_lists WHERE i IN (1, 2, 3, 4, 5, 6, 7, 8, 9);
SELECT shmcache.drop_frame('ix_lists');
DROP TABLE ix_lists_h;
DROP FUNCTION ix_lists_same(text);

-- cache_table carries the source's primary key
CREATE TABLE ix_src (a int, b text, c int, PRIMARY KEY (b, a));
INSERT INTO ix_src SELECT g % 10, 'b' || (g / 10), g FROM generate_series(1, 100) g;
SELECT shmcache.cache_table('ix_src');
SELECT name, columns, "unique", "primary", entries FROM shmcache.indexes
 WHERE frame = 'ix_src_cache'::regclass;
SELECT c FROM ix_src_cache WHERE a = 3 AND b = 'b5';

-- dropping a frame drops its indexes' definitions and memory
SELECT shmcache.drop_frame('ix_named');
SELECT shmcache.drop_frame('ix_src_cache');
SELECT count(*) FROM shmcache.frame_index i
 WHERE NOT EXISTS (SELECT FROM shmcache.frame_catalog c WHERE c.frame_id = i.frame_id);

DROP TABLE ix_heap, ix_queries, ix_src, ix_load;
SELECT shmcache.drop_frame('ix_frame');
DROP FUNCTION ix_oracle(text), uses_lookup(text), ix_unchanged();
