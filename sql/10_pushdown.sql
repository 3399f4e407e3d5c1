--
-- 10_pushdown: column-wise filters, chunk skipping, aggregate pushdown and
-- parallel scans give exactly what core gives on a heap table holding the
-- same rows, in four modes: pushdown on, shmcache.enable_pushdown = off,
-- shmcache.enable_customscan = off, and forced parallel query.
--
-- Checks marked "-- regression:" guard against bugs this suite found (each
-- described in its comment); the expected output is the heap's answer.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 1;    -- shortest exact float output: text compares exactly
CREATE TEMP TABLE pd_mem AS SELECT used_bytes FROM shmcache.memory;

-- a case-insensitive (nondeterministic) collation; und-x-icu is the
-- deterministic non-C collation used below
CREATE COLLATION pd_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

--
-- Frames and heap tables: "<name>_f" is a frame, "<name>_h" a heap table
-- with the same rows.  Queries name them "<name>@".  The frames are loaded
-- in id order (a heap table's physical order may differ a little: a row
-- can land in an earlier page with room for it); no query on them depends
-- on the order of the rows.
--
-- pe (empty), p1 (one row), p16 (exactly one full chunk, 16384 rows) and
-- pbig (100,000 rows, 7 chunks) share one column list.  Row g:
--   id    ascending (chunk skipping on id)
--   i2    int2 over the whole range of -10000..9999
--   i4    scattered, NULL every 53rd row
--   f4    multiples of 0.5 below 50, NULL every 61st row
--   f8    g * 0.25 (ascending), NaN every 9973rd row, -0 at g % 1000 = 500,
--         Infinity at 50000, -Infinity at 70000
--   fx    g / 7.0: inexact, for the one float sum compared with a tolerance
--   n     numeric 0.00 .. 9.99, NULL every 11th, NaN every 9967th,
--         Infinity at 60000
--   t     37 distinct values (dictionary dedupe), NULL every 101st
--   tu    every value distinct (> 4096 per chunk: dedupe stops)
--   tc    8 values whose order differs under "C" and und-x-icu
--   vc    varchar(12), 13 values
--   d     date, ascending (g / 100 days), 'infinity' at 99998
--   ts    timestamp, clustered (g minutes), NULL for 40001 .. 40100,
--         'infinity' at 99999
--   tz    timestamptz, scattered
--   tm    time
--   b     bool, NULL every 7th
--   nl    NULL in all of chunks 2 and 3, in part of chunk 4, else g % 100
--   k     small group key 0 .. 6, NULL every 10th
--
-- Float values are chosen so that every float sum is exact in any order of
-- addition (multiples of 0.25 or 0.5 far below 2^53 resp. 2^24): core's
-- parallel plans and the node's own order of addition then give the very
-- same bits, and results are compared exactly, as text.  Only the sums of
-- fx are rounded before comparing (query 332), since there the order of
-- addition legitimately changes the last bits.
--
CREATE FUNCTION pd_fill(name text, nrows int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($f$
      CREATE TABLE %I (id int8 NOT NULL, i2 int2, i4 int4, f4 float4, f8 float8, fx float8,
                       n numeric, t text, tu text, tc text COLLATE "und-x-icu", vc varchar(12),
                       d date, ts timestamp, tz timestamptz, tm time, b bool, nl int4, k int4)$f$,
                   name || '_h');
    EXECUTE format($f$
      INSERT INTO %I
      SELECT g,
             (g %% 20000 - 10000)::int2,
             CASE WHEN g %% 53 = 0 THEN NULL ELSE (g::int8 * 7919) %% 100000 - 50000 END,
             CASE WHEN g %% 61 = 0 THEN NULL ELSE ((g %% 100) * 0.5)::float4 END,
             CASE WHEN g %% 9973 = 0 THEN 'NaN'::float8
                  WHEN g = 50000 THEN 'Infinity' WHEN g = 70000 THEN '-Infinity'
                  WHEN g %% 1000 = 500 THEN '-0' ELSE g * 0.25 END,
             g / 7.0::float8,
             CASE WHEN g %% 9967 = 0 THEN 'NaN'::numeric WHEN g = 60000 THEN 'Infinity'
                  WHEN g %% 11 = 0 THEN NULL ELSE round((g %% 1000) / 100.0, 2) END,
             CASE WHEN g %% 101 = 0 THEN NULL ELSE 'S' || lpad((g %% 37)::text, 2, '0') END,
             'u' || lpad(g::text, 6, '0') || repeat('x', g %% 5),
             (ARRAY['apple', 'Apple', 'banana', 'Banana', 'cherry', 'épée', 'Zebra', 'zebra'])[g %% 8 + 1],
             'v' || (g %% 13),
             CASE WHEN g = 99998 THEN 'infinity'::date ELSE date '2024-01-01' + g / 100 END,
             CASE WHEN g BETWEEN 40001 AND 40100 THEN NULL WHEN g = 99999 THEN 'infinity'::timestamp
                  ELSE timestamp '2024-01-01' + g * interval '1 minute' END,
             timestamptz '2024-01-01 00:00+00' + (g::int8 * 37 %% 100000) * interval '1 second',
             time '00:00' + (g %% 86400) * interval '1 second',
             CASE WHEN g %% 7 = 0 THEN NULL ELSE g %% 3 = 0 END,
             CASE WHEN g BETWEEN 16385 AND 49152 OR (g BETWEEN 49153 AND 57000 AND g %% 2 = 0)
                  THEN NULL ELSE g %% 100 END,
             CASE WHEN g %% 10 = 0 THEN NULL ELSE g %% 7 END
        FROM generate_series(1, %s) g ORDER BY g$f$, name || '_h', nrows);
    EXECUTE format('ANALYZE %I', name || '_h');
    PERFORM shmcache.create_frame(name || '_f',
        'id int8 NOT NULL, i2 int2, i4 int4, f4 float4, f8 float8, fx float8, n numeric, t text, tu text, '
        'tc text COLLATE "und-x-icu", vc varchar(12), d date, ts timestamp, tz timestamptz, tm time, '
        'b bool, nl int4, k int4');
    EXECUTE format('INSERT INTO %I SELECT * FROM %I ORDER BY id', name || '_f', name || '_h');
END $$;
SELECT pd_fill('pe', 0), pd_fill('p1', 1), pd_fill('p16', 16384), pd_fill('pbig', 100000);
SELECT frame, rows, chunks FROM shmcache.frames
 WHERE frame::text IN ('pe_f', 'p1_f', 'p16_f', 'pbig_f') ORDER BY rows;

-- pspec: edge values for aggregates, in an order that matters where core
-- keeps the last of equal values (min/max) or overflows part-way
CREATE TABLE pspec_h (g int4, f8 float8, f4 float4, n numeric, t text COLLATE pd_ci, i8 int8, i4 int4, i2 int2);
INSERT INTO pspec_h VALUES
 (1, 1e308, 3e38, 1.0, 'a', 9223372036854775807, 2147483647, 32767),
 (1, 1e308, 3e38, 1.00, 'A', 9223372036854775807, 2147483647, 32767),
 (2, 'Infinity', 'Infinity', 'Infinity', 'b', -9223372036854775808, -2147483648, -32768),
 (2, 0, 0, 2.0, 'B', -9223372036854775808, -2147483648, -32768),
 (3, 0, 0, 5, 'c', 1, 1, 1),
 (3, '-0', '-0', 5.0, 'C', 2, 2, 2),
 (4, 'NaN', 'NaN', 'NaN', NULL, NULL, NULL, NULL),
 (4, '-Infinity', '-Infinity', '-Infinity', 'd', 3, 3, 3),
 (5, 1e160, 1, 1, 'e', 4, 4, 4),
 (5, 0, 1, 1, 'E', 5, 5, 5),
 (6, 1e308, 1, 'Infinity', 'f', 6, 6, 6),
 (6, 1e308, 1, '-Infinity', 'F', 7, 7, 7),
 (6, -1e308, 1, 1, 'f', 8, 8, 8),
 (6, -1e308, 1, 1, 'F', 9, 9, 9);
SELECT shmcache.create_frame('pspec_f', 'g int4, f8 float8, f4 float4, n numeric, t text COLLATE pd_ci, i8 int8, i4 int4, i2 int2');
INSERT INTO pspec_f SELECT * FROM pspec_h;
-- povf: a float8 sum that overflows part-way, with no NULL and no filter
-- (the node's unfiltered fast path)
CREATE TABLE povf_h (f8 float8);
INSERT INTO povf_h VALUES (1e308), (1e308), (-1e308), (-1e308);
SELECT shmcache.create_frame('povf_f', 'f8 float8');
INSERT INTO povf_f SELECT * FROM povf_h;
-- pinf: an overflow followed by an infinite input in the same chunk
CREATE TABLE pinf_h (f8 float8);
INSERT INTO pinf_h VALUES (1e308), (1e308), ('-Infinity');
SELECT shmcache.create_frame('pinf_f', 'f8 float8');
INSERT INTO pinf_f SELECT * FROM pinf_h;
-- pch: three chunks whose partial states overflow only when combined (in a
-- parallel plan each participant aggregates whole chunks): f8 holds 1e308
-- once in each of chunks 1 and 2, a holds 1e160 in chunk 1 and 0 elsewhere
-- (avg's sum of squares), and g splits the rows in two groups
CREATE TABLE pch_h (id int4, g int4, f8 float8, a float8);
INSERT INTO pch_h SELECT i, i % 2, CASE WHEN i IN (1, 16385) THEN 1e308 ELSE 0 END,
                         CASE WHEN i <= 16384 THEN 1e160 ELSE 0 END
  FROM generate_series(1, 40000) i;
SELECT shmcache.create_frame('pch_f', 'id int4, g int4, f8 float8, a float8');
INSERT INTO pch_f SELECT * FROM pch_h ORDER BY id;

--
-- The oracle.  pd_check(q) runs q with "@" replaced by "_f" and by "_h",
-- and compares the rows as text (so -0 vs 0, 1.0 vs 1.00, NaN and the
-- scale of numeric results count) with EXCEPT ALL both ways (with ordered,
-- row numbers are part of the rows).  An error is a result too: both sides
-- must raise the same message.
--
-- the error q (a query of pd_check with one column r) raises, or NULL
CREATE FUNCTION pd_error(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    msg text;
BEGIN
    EXECUTE 'SELECT count(r) FROM (' || q || ') o_s';   -- r: every column computed
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
    RETURN msg;
END $$;
-- a prepared statement's rows as text in table pd_tmp; its error or NULL
CREATE FUNCTION pd_side(q text, ordered bool) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    msg text;
BEGIN
    EXECUTE 'CREATE TEMP TABLE pd_tmp0 AS ' || q;
    CREATE TEMP TABLE pd_tmp AS SELECT o_s::text AS r FROM pd_tmp0 o_s;
    DROP TABLE pd_tmp0;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
    RETURN msg;
END $$;

CREATE FUNCTION pd_check(q text, ordered bool DEFAULT false, OUT nrows int8, OUT status text)
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    qf text := replace(q, '@', '_f');
    qh text := replace(q, '@', '_h');
    err_f text;
    err_h text;
    only_f int8;
    only_h int8;
    nh int8;
BEGIN
    IF q LIKE 'EXECUTE %' THEN
        -- a prepared statement: through tables
        DROP TABLE IF EXISTS pd_tmp, pd_rf, pd_rh;
        err_f := pd_side(qf, ordered);
        IF err_f IS NULL THEN ALTER TABLE pd_tmp RENAME TO pd_rf; END IF;
        err_h := pd_side(qh, ordered);
        IF err_h IS NULL THEN ALTER TABLE pd_tmp RENAME TO pd_rh; END IF;
        qf := 'TABLE pd_rf';
        qh := 'TABLE pd_rh';
    ELSE
        qf := 'SELECT ' || CASE WHEN ordered THEN 'row_number() OVER () || '': '' || ' ELSE '' END ||
              'o_s::text AS r FROM (' || qf || ') o_s';
        qh := 'SELECT ' || CASE WHEN ordered THEN 'row_number() OVER () || '': '' || ' ELSE '' END ||
              'o_s::text AS r FROM (' || qh || ') o_s';
    END IF;
    IF err_f IS NULL AND err_h IS NULL THEN
        BEGIN
            EXECUTE format('WITH f AS MATERIALIZED (%s), h AS MATERIALIZED (%s)
                            SELECT (SELECT count(*) FROM (TABLE f EXCEPT ALL TABLE h) a),
                                   (SELECT count(*) FROM (TABLE h EXCEPT ALL TABLE f) b),
                                   (SELECT count(*) FROM f), (SELECT count(*) FROM h)', qf, qh)
               INTO only_f, only_h, nrows, nh;
            IF only_f = 0 AND only_h = 0 AND nrows = nh THEN
                status := 'ok';
            ELSE
                status := format('MISMATCH only frame %s, only heap %s, rows %s / %s',
                                 only_f, only_h, nrows, nh);
            END IF;
            RETURN;
        EXCEPTION WHEN OTHERS THEN
            -- one side or both raise: which, and what?
            err_f := pd_error(qf);
            err_h := pd_error(qh);
        END;
    END IF;
    nrows := NULL;
    IF err_f IS NULL AND err_h IS NULL THEN
        status := 'MISMATCH: the comparison raises, neither side alone';
    ELSIF err_f IS NOT DISTINCT FROM err_h THEN
        status := 'ok, both raise: ' || err_f;
    ELSE
        status := format('MISMATCH frame %s / heap %s',
                         coalesce('raises: ' || err_f, 'returns rows'),
                         coalesce('raises: ' || err_h, 'returns rows'));
    END IF;
END $$;

-- Which node does the frame's side of q use?
CREATE FUNCTION pd_node(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    plan text := '';
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || replace(q, '@', '_f') LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN concat_ws(' ',
        CASE WHEN plan LIKE '%Parallel Custom Scan (ShmcacheAggregate)%' THEN 'parallel-agg'
             WHEN plan LIKE '%ShmcacheAggregate%' THEN 'pushed-agg' END,
        CASE WHEN plan LIKE '%Parallel Custom Scan (ShmcacheScan)%' THEN 'parallel-scan'
             WHEN plan LIKE '%Custom Scan (ShmcacheScan)%' THEN 'scan' END,
        CASE WHEN plan LIKE '%Pushed Filters%' THEN '+filters' END,
        CASE WHEN plan LIKE '%Gather%' THEN '+gather' END,
        CASE WHEN plan LIKE '%Function Scan on scan%' THEN 'function-scan' END);
EXCEPTION WHEN OTHERS THEN
    RETURN 'explain fails';
END $$;

-- The queries.  %T stands for each of pe@, p1@, p16@ and pbig@ (scope
-- 'all'); scope 'one' queries name their tables themselves.
CREATE TABLE pd_q (n int PRIMARY KEY, ordered bool NOT NULL DEFAULT false,
                   scope text NOT NULL DEFAULT 'all', q text NOT NULL,
                   core bool NOT NULL DEFAULT false);
INSERT INTO pd_q (n, q) VALUES
-- filters: each operator, both ways round, on every kind of column
 (101, $q$SELECT id FROM %T WHERE id = 4242$q$),
 (102, $q$SELECT id FROM %T WHERE 4242 = id$q$),
 (103, $q$SELECT id FROM %T WHERE id < 100$q$),
 (104, $q$SELECT id FROM %T WHERE 100 > id$q$),
 (105, $q$SELECT id FROM %T WHERE id <= 16384$q$),
 (106, $q$SELECT id FROM %T WHERE 16384 >= id$q$),
 (107, $q$SELECT id FROM %T WHERE id > 99990$q$),
 (108, $q$SELECT id FROM %T WHERE 99990 < id$q$),
 (109, $q$SELECT id FROM %T WHERE id >= 98305$q$),
 (110, $q$SELECT id FROM %T WHERE id <> 5 AND id < 20$q$),
 (111, $q$SELECT id FROM %T WHERE id BETWEEN 16000 AND 16800$q$),
 (112, $q$SELECT id FROM %T WHERE id BETWEEN SYMMETRIC 800 AND 700$q$),
 (113, $q$SELECT id FROM %T WHERE id IN (1, 16384, 16385, 32768, 99999, 100000, 123456)$q$),
 (114, $q$SELECT id FROM %T WHERE id IN (NULL, 5, 7)$q$),
 (115, $q$SELECT id FROM %T WHERE id IN (NULL::int8)$q$),
 (116, $q$SELECT id FROM %T WHERE id = ANY ('{}'::int8[])$q$),
 (117, $q$SELECT id FROM %T WHERE id = NULL::int8$q$),
 -- regression: "col op ANY (array)" with an operator other than = on an integer or
 -- float column is evaluated as "col = ANY (array)" (118-120)
 (118, $q$SELECT id FROM %T WHERE id < ANY ('{5,10}'::int8[])$q$),
 (119, $q$SELECT count(*) FROM (SELECT id FROM %T WHERE i4 <> ANY ('{5,10}'::int4[])) s$q$),
 (120, $q$SELECT id FROM %T WHERE f8 > ANY ('{24990,1e9}'::float8[])$q$),
 (121, $q$SELECT id FROM %T WHERE i2 = 5$q$),
 (122, $q$SELECT id FROM %T WHERE i2 < -9990::int8$q$),
 (123, $q$SELECT id FROM %T WHERE i2 = 70000$q$),
 (124, $q$SELECT count(*) FROM (SELECT id FROM %T WHERE i2 >= -32768 AND i2 < 40000::int8) s$q$),
 (125, $q$SELECT id FROM %T WHERE i4 = 2147483648::int8 OR i4 > 49990$q$),
 (126, $q$SELECT id FROM %T WHERE id < 2.5$q$),
 (127, $q$SELECT id FROM %T WHERE id = 3::int2$q$),
 (128, $q$SELECT id, i4 FROM %T WHERE i4 IN (1::int8, 49999, -50000, 21)$q$),
 (129, $q$SELECT id FROM %T WHERE i4 IS NULL$q$),
 (130, $q$SELECT id FROM %T WHERE i4 IS NOT NULL AND i4 > 49000$q$),
 (131, $q$SELECT count(*), min(id), max(id) FROM (SELECT id FROM %T WHERE nl IS NULL) s$q$),
 (132, $q$SELECT count(*), min(id), max(id) FROM (SELECT id FROM %T WHERE nl IS NOT NULL) s$q$),
 (133, $q$SELECT id FROM %T WHERE nl = 5$q$),
 (134, $q$SELECT id FROM %T WHERE nl > 97 AND id > 40000$q$),
 (135, $q$SELECT id, f8 FROM %T WHERE f8 = 'NaN'$q$),
 (136, $q$SELECT id FROM %T WHERE f8 > 'NaN'$q$),
 (137, $q$SELECT id, f8 FROM %T WHERE f8 >= 'NaN'$q$),
 (138, $q$SELECT id, f8 FROM %T WHERE f8 < 'NaN' AND id < 50$q$),
 (139, $q$SELECT id, f8 FROM %T WHERE f8 <= 'NaN' AND id > 99980$q$),
 (140, $q$SELECT id, f8 FROM %T WHERE f8 <> 'NaN' AND id > 99900$q$),
 (141, $q$SELECT id, f8 FROM %T WHERE f8 = 'Infinity' OR f8 = '-Infinity'$q$),
 (142, $q$SELECT id, f8 FROM %T WHERE 'NaN'::float4 > f8 AND 24990::float4 <= f8$q$),
 (143, $q$SELECT id, f8 FROM %T WHERE f8 > 24990$q$),
 (144, $q$SELECT id, f8 FROM %T WHERE f8 < 1$q$),
 (145, $q$SELECT id, f8 FROM %T WHERE f8 = 0$q$),
 (146, $q$SELECT id, f8 FROM %T WHERE f8 = '-0' AND id < 20000$q$),
 (147, $q$SELECT id, f8 FROM %T WHERE f8 IN (0, 'NaN', 2.5, '-Infinity')$q$),
 (148, $q$SELECT id FROM %T WHERE f4 = 0.5 AND id < 2000$q$),
 (149, $q$SELECT id FROM %T WHERE f4 = 0.5::float4 AND id < 2000$q$),
 (150, $q$SELECT id FROM %T WHERE f4 < 1::float8 AND id < 1000$q$),
 (151, $q$SELECT id FROM %T WHERE f4 > 49 AND f4 <= 49.5::float4 AND id < 3000$q$),
 (152, $q$SELECT id FROM %T WHERE f8 BETWEEN 100 AND 200$q$),
 (153, $q$SELECT id FROM %T WHERE f4 IN (1.5, 2.5::float8, 'NaN') AND id < 3000$q$),
 (154, $q$SELECT id, n FROM %T WHERE n = 'NaN'$q$),
 (155, $q$SELECT id, n FROM %T WHERE n > 9.98$q$),
 (156, $q$SELECT id, n FROM %T WHERE n >= 'Infinity'$q$),
 (157, $q$SELECT id, n FROM %T WHERE n IN (1.5, 2.50, NULL) AND id < 5000$q$),
 (158, $q$SELECT id, n FROM %T WHERE n < 0.02$q$),
 (159, $q$SELECT id FROM %T WHERE n IS NULL AND id < 100$q$),
 (160, $q$SELECT id FROM %T WHERE t = 'S07' AND id < 20000$q$),
 (161, $q$SELECT id, t FROM %T WHERE t <> 'S07' AND id < 100$q$),
 (162, $q$SELECT id FROM %T WHERE t < 'S01'$q$),
 (163, $q$SELECT id FROM %T WHERE 'S35' < t$q$),
 (164, $q$SELECT id FROM %T WHERE t IN ('S01', 'S36', NULL) AND id < 30000$q$),
 (165, $q$SELECT id FROM %T WHERE t IS NULL$q$),
 (166, $q$SELECT id FROM %T WHERE t LIKE 'S1%' AND id < 1000$q$),
 (167, $q$SELECT id, t FROM %T WHERE t >= 'S10' AND t <= 'S11' AND id < 2000$q$),
 (168, $q$SELECT id, tu FROM %T WHERE tu = 'u050000'$q$),
 (169, $q$SELECT id, tu FROM %T WHERE tu > 'u099990'$q$),
 (170, $q$SELECT id, tu FROM %T WHERE tu IN ('u000001x', 'u016385', 'u016384xxxx', 'u099999xxxx')$q$),
 (171, $q$SELECT id, tu FROM %T WHERE tu < 'u0001'$q$),
 (172, $q$SELECT count(*), min(id), max(id) FROM (SELECT id FROM %T WHERE tc < 'b') s$q$),
 (173, $q$SELECT count(*), min(id), max(id) FROM (SELECT id FROM %T WHERE tc < 'b' COLLATE "C") s$q$),
 (174, $q$SELECT id FROM %T WHERE tc = 'zebra' AND id < 200$q$),
 (175, $q$SELECT id, tc FROM %T WHERE tc > 'zebra' AND id < 100$q$),
 (176, $q$SELECT id, tc FROM %T WHERE tc BETWEEN 'apple' AND 'banana' AND id < 40$q$),
 (177, $q$SELECT id FROM %T WHERE tc = 'APPLE'$q$),
 (178, $q$SELECT id FROM %T WHERE vc = 'v3' AND id < 500$q$),
 (179, $q$SELECT id, vc FROM %T WHERE vc < 'v2' AND id < 100$q$),
 (180, $q$SELECT id FROM %T WHERE vc IN ('v1', 'v12') AND id > 99000$q$),
 (181, $q$SELECT id FROM %T WHERE d = '2024-02-01'$q$),
 (182, $q$SELECT id FROM %T WHERE d < '2024-01-02'$q$),
 (183, $q$SELECT id, d FROM %T WHERE d >= '2026-09-26'$q$),
 (184, $q$SELECT id FROM %T WHERE d = 'infinity'$q$),
 (185, $q$SELECT id FROM %T WHERE d < '2024-01-02 12:00'::timestamp$q$),
 (186, $q$SELECT id FROM %T WHERE d >= '2026-09-26 12:00+00'::timestamptz$q$),
 (187, $q$SELECT id FROM %T WHERE ts BETWEEN '2024-01-20' AND '2024-01-20 03:00'$q$),
 (188, $q$SELECT id FROM %T WHERE ts >= '2024-03-10'::date$q$),
 (189, $q$SELECT id FROM %T WHERE ts < '2024-01-01 01:00+00'::timestamptz$q$),
 (190, $q$SELECT id FROM %T WHERE ts = 'infinity'$q$),
 (191, $q$SELECT id FROM %T WHERE ts IS NULL$q$),
 (192, $q$SELECT count(*) FROM (SELECT id FROM %T WHERE ts < now()) s$q$),
 (193, $q$SELECT id FROM %T WHERE ts > now() - interval '100 years' AND id < 100$q$),
 (194, $q$SELECT id FROM %T WHERE tz < '2024-01-01 00:10+00'$q$),
 (195, $q$SELECT id FROM %T WHERE tz >= '2024-01-02'::date$q$),
 (196, $q$SELECT id FROM %T WHERE tz = '2024-01-01 05:00:00+05'$q$),
 (197, $q$SELECT id FROM %T WHERE tm = '12:00'$q$),
 (198, $q$SELECT id FROM %T WHERE tm BETWEEN '23:59' AND '23:59:59'$q$),
 (199, $q$SELECT id FROM %T WHERE b = true AND id < 100$q$),
 (200, $q$SELECT id FROM %T WHERE b IS NULL AND id < 100$q$),
 (201, $q$SELECT id FROM %T WHERE i4 + 0 > 49990 AND id < 50000$q$),
 (202, $q$SELECT id FROM %T WHERE i4 > 49990 OR i4 < -49995$q$),
 (203, $q$SELECT id FROM %T WHERE i4 > 0 AND (t = 'S01' OR f8 < 100) AND id < 30000$q$),
 (204, $q$SELECT id FROM %T WHERE f8 * i4 > 1e8 AND id BETWEEN 30000 AND 31000$q$),
 (205, $q$SELECT id FROM %T WHERE id BETWEEN 49150 AND 49160 AND nl IS NULL AND t IS NOT NULL$q$),
 (206, $q$SELECT id FROM %T WHERE id = abs(-77)$q$),
 (207, $q$SELECT id FROM %T WHERE id < (SELECT 10)$q$),
 (208, $q$SELECT id FROM %T WHERE id > 16384 AND id < 16386$q$),
 (209, $q$SELECT id FROM %T WHERE id IN (SELECT id FROM %T WHERE id % 20000 = 0)$q$),
 (210, $q$SELECT * FROM %T WHERE id % 997 = 3$q$),
 (211, $q$SELECT * FROM %T WHERE id IN (1, 16384, 16385, 49153, 50000, 60000, 70000, 99998, 99999, 100000)$q$),
 (212, $q$SELECT id FROM %T WHERE i2 IN (-10000, 9999) AND id > 50000$q$),
 (213, $q$SELECT id FROM %T WHERE tm > '23:59:58'::time AND id < 90000$q$),
 (214, $q$SELECT id FROM %T WHERE NOT (id > 5)$q$),
 (215, $q$SELECT id FROM %T WHERE id = 4242 AND 1 = 1$q$),
 (216, $q$SELECT id FROM %T WHERE id < 100 AND now() < '2000-01-01'$q$),
 (217, $q$SELECT id FROM %T WHERE id = 4242 AND false$q$),
 (218, $q$SELECT count(*), (SELECT count(*) FROM %T WHERE id IS NOT NULL) FROM %T WHERE id IS NULL$q$),
 (219, $q$SELECT id, i2 FROM %T WHERE i2 IN (5, 100000) OR i2 = ANY ('{-3,70000}'::int8[])$q$),
 (220, $q$SELECT id FROM %T WHERE ts = ANY (ARRAY['2024-01-02 00:00+00'::timestamptz, '2024-01-03 00:00+00'])$q$),
-- aggregates, without GROUP BY
 (301, $q$SELECT count(*), count(i4), count(nl), count(t), count(tc), count(b), count(ts) FROM %T$q$),
 (302, $q$SELECT sum(i2), sum(i4), sum(id), avg(i2), avg(i4), avg(id) FROM %T$q$),
 (303, $q$SELECT sum(f4), sum(f8) FROM %T WHERE f8 < 'Infinity' AND f8 > '-Infinity'$q$),
 (304, $q$SELECT avg(f4), avg(f8) FROM %T WHERE f8 < 'Infinity' AND f8 > '-Infinity'$q$),
 (305, $q$SELECT sum(f8), avg(f8), min(f8), max(f8), sum(f4), avg(f4) FROM %T$q$),
 (306, $q$SELECT min(f4), max(f4), min(i2), max(i2), min(i4), max(i4), min(id), max(id) FROM %T$q$),
 (307, $q$SELECT min(d), max(d), min(ts), max(ts), min(tz), max(tz), min(tm), max(tm) FROM %T$q$),
 (308, $q$SELECT sum(n), avg(n), min(n), max(n) FROM %T$q$),
 (309, $q$SELECT sum(n), avg(n), min(n), max(n) FROM %T WHERE n < 'Infinity'$q$),
 (310, $q$SELECT min(t), max(t), min(tu), max(tu), min(tc), max(tc), min(vc), max(vc) FROM %T$q$),
 (311, $q$SELECT min(tc COLLATE "C"), max(tc COLLATE "C"), min(t COLLATE "und-x-icu") FROM %T$q$),
 (312, $q$SELECT count(*), sum(i4), avg(f8), min(t), max(d) FROM %T WHERE id > 200000$q$),
 (313, $q$SELECT count(*), sum(i4), avg(f8), min(t), max(d), min(n), sum(n) FROM %T WHERE id < 0$q$),
 (314, $q$SELECT count(*), sum(i4), max(id) FROM %T WHERE nl IS NULL$q$),
 (315, $q$SELECT count(nl), sum(nl), avg(nl), min(nl), max(nl), count(*) FROM %T WHERE id BETWEEN 16385 AND 49152$q$),
 (316, $q$SELECT sum(i4) / count(*), avg(i4)::int, sum(f8) / nullif(count(f8), 0), max(id) - min(id), avg(i2)::numeric(10,3) FROM %T WHERE f8 < 1e6$q$),
 (317, $q$SELECT count(*), sum(i4) FROM %T WHERE i4 + id > 0$q$),
 (318, $q$SELECT count(*), sum(i2) FROM %T WHERE t = 'S01' OR i4 > 0$q$),
 (319, $q$SELECT sum(id) FILTER (WHERE i4 > 0), count(DISTINCT t), count(DISTINCT k), sum(DISTINCT i2) FROM %T$q$),
 (320, $q$SELECT count(*), sum(i4) FROM %T WHERE ts < now()$q$),
 (321, $q$SELECT count(*), sum(i4), avg(f4) FROM %T WHERE d BETWEEN '2024-02-01' AND '2024-03-01' AND t IN ('S01', 'S02')$q$),
 (322, $q$SELECT count(*), sum(id) FROM %T WHERE false$q$),
 -- regression: a qual without columns (a pseudoconstant: stable function,
 -- parameter) is dropped by ShmcacheAggregate (323)
 (323, $q$SELECT count(*), sum(id) FROM %T WHERE now() < '2000-01-01'$q$),
 (324, $q$SELECT count(*), sum(id) FROM %T WHERE id = NULL::int8$q$),
 (325, $q$SELECT bool_and(b), bool_or(b), count(b) FROM %T$q$),
 (326, $q$SELECT min(vc), max(vc), count(vc) FROM %T WHERE vc > 'v5'$q$),
 -- regression: as 118, under an aggregate
 (327, $q$SELECT count(*), sum(i4) FROM %T WHERE id < ANY ('{5,10}'::int8[])$q$),
 (328, $q$SELECT max(tu), min(tu) FROM %T WHERE tu < 'u05'$q$),
 (329, $q$SELECT count(*) FROM %T WHERE f8 > 24990$q$),
 (330, $q$SELECT count(*) FROM %T GROUP BY ()$q$),
 (331, $q$SELECT count(*), count(f8), sum(f8), min(f8), max(f8) FROM %T WHERE f8 >= 'NaN'$q$),
 -- fx sums: the order of addition differs (four partial sums in the node,
 -- workers in a parallel plan), so they are rounded before comparing
 (332, $q$SELECT round(sum(fx)::numeric, 2), round(avg(fx)::numeric, 6), min(fx), max(fx) FROM %T$q$),
 (333, $q$SELECT count(*), sum(i4), min(ts), max(ts) FROM %T WHERE ts BETWEEN '2024-02-01' AND '2024-02-03'$q$),
 (334, $q$SELECT count(*), min(d), max(d), min(tm), max(tm) FROM %T WHERE d > '2025-01-01' AND tm < '01:00'$q$),
 (335, $q$SELECT sum(i2)::text, avg(i2)::text, sum(f4)::text, avg(f4)::text FROM %T WHERE i2 > 9000$q$),
 (336, $q$SELECT count(*) FROM %T WHERE tc < 'b'$q$),
 (337, $q$SELECT count(*), max(id) FROM %T WHERE i4 IS NULL OR nl IS NULL$q$),
 (338, $q$SELECT 1 FROM %T HAVING count(*) > 0$q$),
 (339, $q$SELECT sum(i4) + sum(i2), sum(i4 + i2), count(*) * 2 FROM %T WHERE id > 50000$q$),
 (340, $q$SELECT max(id), min(id) FROM %T WHERE f8 = 0$q$),
 (341, $q$SELECT sum(i4), sum(i4), count(*), count(*) + 1, CASE WHEN count(*) > 0 THEN max(t) END FROM %T$q$),
-- GROUP BY
 (401, $q$SELECT k, count(*), sum(i4), min(t), max(ts), avg(i2) FROM %T GROUP BY k$q$),
 (402, $q$SELECT t, count(*), sum(i2), min(id), max(id) FROM %T GROUP BY t$q$),
 (403, $q$SELECT t, k, count(*), sum(f4) FROM %T GROUP BY t, k$q$),
 (404, $q$SELECT tc, count(*), min(id) FROM %T GROUP BY tc$q$),
 (405, $q$SELECT vc, count(*), sum(id) FROM %T GROUP BY vc$q$),
 (406, $q$SELECT d, count(*), sum(i4), max(ts) FROM %T GROUP BY d$q$),
 (407, $q$SELECT b, count(*) FROM %T GROUP BY b$q$),
 (408, $q$SELECT ts, count(*) FROM %T WHERE id < 3000 GROUP BY ts$q$),
 (409, $q$SELECT tm, count(*), sum(id) FROM %T WHERE tm < '00:10' GROUP BY tm$q$),
 (410, $q$SELECT i2, count(*) FROM %T GROUP BY i2 HAVING count(*) >= 5 AND min(i4) > 0$q$),
 (411, $q$SELECT k, sum(i4) FROM %T GROUP BY k ORDER BY sum(i4) DESC, k$q$),
 (412, $q$SELECT t, sum(id) / count(*), avg(i4)::int FROM %T GROUP BY t ORDER BY t$q$),
 (413, $q$SELECT nl, count(*) FROM %T GROUP BY nl$q$),
 (414, $q$SELECT k, t, vc, count(*), sum(i2) FROM %T GROUP BY k, t, vc$q$),
 (415, $q$SELECT tu, count(*) FROM %T WHERE id % 1000 = 1 GROUP BY tu$q$),
 (416, $q$SELECT count(*), sum(c) FROM (SELECT tu, count(*) AS c FROM %T GROUP BY tu) s$q$),
 (417, $q$SELECT k, count(*) FILTER (WHERE t = 'S01'), count(DISTINCT t) FROM %T GROUP BY k$q$),
 (418, $q$SELECT id / 16384, count(*), sum(f8) FROM %T WHERE f8 < 1e6 GROUP BY 1$q$),
 (419, $q$SELECT k, min(f8), max(f8), sum(f8), avg(f8) FROM %T GROUP BY k$q$),
 (420, $q$SELECT k, min(n), max(n), sum(n), avg(n) FROM %T WHERE n < 'Infinity' GROUP BY k$q$),
 (421, $q$SELECT t, count(*) FROM %T WHERE t > 'S30' GROUP BY t$q$),
 (422, $q$SELECT k, count(*) FROM %T WHERE id = NULL::int8 GROUP BY k$q$),
 (423, $q$SELECT d, tc, count(*) FROM %T WHERE d < '2024-01-10' GROUP BY d, tc$q$),
 (424, $q$SELECT count(*) FROM (SELECT k, sum(i4) FROM %T GROUP BY k) s$q$),
 (425, $q$SELECT k, sum(i4) FROM %T GROUP BY k ORDER BY k LIMIT 3$q$),
 (426, $q$SELECT DISTINCT count(*) FROM %T GROUP BY k$q$),
 (427, $q$SELECT k, sum(count(*)) OVER () FROM %T GROUP BY k$q$),
 (428, $q$SELECT k, avg(i4) FROM %T GROUP BY k, k$q$),
 (429, $q$SELECT k, count(*) FROM %T GROUP BY ROLLUP (k)$q$),
 (430, $q$SELECT k, count(*), sum(id) FROM %T WHERE id > 99999 GROUP BY k$q$),
 (431, $q$SELECT k, i2 / 1000, count(*) FROM %T GROUP BY k, i2 / 1000$q$),
 (432, $q$SELECT tz, count(*) FROM %T WHERE id < 500 GROUP BY tz$q$),
 (433, $q$SELECT k, nl, count(*), count(nl), sum(nl) FROM %T WHERE id BETWEEN 40000 AND 60000 GROUP BY k, nl$q$),
 (434, $q$SELECT t, min(tc), max(tc), min(n), max(n) FROM %T WHERE n < 'Infinity' GROUP BY t$q$),
 (435, $q$SELECT t, count(*) FROM %T WHERE tc = 'épée' AND i4 * 2 > 0 GROUP BY t$q$),
 -- regression: as 323, grouped (436)
 (436, $q$SELECT k, count(*) FROM %T WHERE now() < '2000-01-01' GROUP BY k$q$),
 (437, $q$SELECT vc, count(*), sum(i4) FROM %T WHERE vc IN ('v1', 'v2') GROUP BY vc ORDER BY vc$q$),
 (438, $q$SELECT i4 FROM %T GROUP BY i4 HAVING i4 > 49990$q$),
 -- regression: as 118 (439)
 (439, $q$SELECT k, count(*) FROM %T WHERE i4 < ANY ('{0}'::int4[]) GROUP BY k$q$),
 (440, $q$SELECT k, min(k), max(k), count(k), sum(k), avg(k) FROM %T GROUP BY k$q$),
 (441, $q$SELECT t, min(t), max(t), count(t) FROM %T GROUP BY t$q$),
 (442, $q$SELECT k, i2, d, t, vc, tc, nl, tm, count(*) FROM %T WHERE id < 500 GROUP BY k, i2, d, t, vc, tc, nl, tm$q$),
 (443, $q$SELECT k, i2, d, t, vc, tc, nl, tm, ts, count(*) FROM %T WHERE id < 500 GROUP BY k, i2, d, t, vc, tc, nl, tm, ts$q$),
 -- GROUP BY without aggregates (in 446 the planner drops the unused count)
 (444, $q$SELECT k, t FROM %T GROUP BY k, t$q$),
 (445, $q$SELECT d FROM %T WHERE id < 5000 AND i4 > 0 GROUP BY d$q$),
 (446, $q$SELECT count(*) FROM (SELECT tc, count(*) FROM %T GROUP BY tc) s$q$),
 -- one text group column, counts and sums of columns without NULLs (and
 -- without NaN or huge floats): summed per dictionary code (fx sums and
 -- averages rounded: the order of addition differs); 449: every chunk
 -- of f8 holds a NaN, and takes the exact path
 (447, $q$SELECT tc, count(*), count(i2), sum(i2), avg(i2), round(sum(fx)::numeric, 2), round(avg(fx)::numeric, 4) FROM %T GROUP BY tc$q$),
 (448, $q$SELECT vc, count(*), sum(i2), round(avg(fx)::numeric, 4), round(sum(fx)::numeric, 2) FROM %T WHERE id % 3 <> 0 GROUP BY vc$q$),
 (449, $q$SELECT tc, sum(f8), avg(f8), count(f8) FROM %T WHERE f8 < 1e6 GROUP BY tc$q$),
 -- one integer group column: summed per value in chunks whose values span
 -- fewer than 16,384 (d: all but the chunk of 'infinity'; i2: the first
 -- chunk; id: every chunk), the other chunks by a hash of the key
 (450, $q$SELECT d, count(*), sum(i2), avg(i2), round(avg(fx)::numeric, 4) FROM %T GROUP BY d$q$),
 (451, $q$SELECT i2, count(*), sum(i2), round(sum(fx)::numeric, 2) FROM %T GROUP BY i2$q$),
 (452, $q$SELECT id, count(*), sum(i2), avg(i2) FROM %T WHERE id < 40000 AND id % 7 <> 0 GROUP BY id$q$);
UPDATE pd_q SET ordered = true WHERE n IN (411, 412, 425, 437);

-- edge values (pspec, povf, pinf), once per mode
INSERT INTO pd_q (n, scope, q) VALUES
 -- regression: an overflowing float sum of one group is not reported when another
 -- group has an infinite input in the same chunk: core raises
 -- "value out of range: overflow" (601, 602)
 (601, 'one', $q$SELECT g, sum(f8) FROM pspec@ WHERE g IN (1, 2) GROUP BY g$q$),
 (602, 'one', $q$SELECT g, sum(f4) FROM pspec@ WHERE g IN (1, 2) GROUP BY g$q$),
 (603, 'one', $q$SELECT sum(f8) FROM pspec@ WHERE g = 1$q$),
 (604, 'one', $q$SELECT sum(f4) FROM pspec@ WHERE g = 1$q$),
 -- regression: min/max keep the first of equal values where core keeps the last:
 -- numeric 1.0 vs 1.00, float -0 vs 0, text equal under a nondeterministic
 -- collation (605-607)
 (605, 'one', $q$SELECT g, min(n), max(n) FROM pspec@ WHERE g IN (1, 2, 3) GROUP BY g$q$),
 (606, 'one', $q$SELECT g, min(f8), max(f8), min(f4), max(f4) FROM pspec@ WHERE g = 3 GROUP BY g$q$),
 (607, 'one', $q$SELECT min(t), max(t) FROM pspec@ WHERE g < 6$q$),
 -- regression: avg(float8) raises an overflow in core where the sum of squares
 -- overflows (here {0, 1e160}); the node returns 5e+159 (608)
 (608, 'one', $q$SELECT avg(f8) FROM pspec@ WHERE g = 5$q$),
 (609, 'one', $q$SELECT sum(i8), avg(i8), sum(i4), avg(i4), sum(i2), avg(i2) FROM pspec@$q$),
 (610, 'one', $q$SELECT g, sum(i8), avg(i8), sum(i4), avg(i4), sum(i2), min(i8), max(i8) FROM pspec@ GROUP BY g$q$),
 -- regression: 1e308 + 1e308 overflows in core; the node's unfiltered float8 sum
 -- adds in four lanes and ends with NaN (611), and an overflow followed by
 -- an infinite input in the same chunk is not reported either (612)
 (611, 'one', $q$SELECT sum(f8) FROM povf@$q$),
 (612, 'one', $q$SELECT sum(f8) FROM pinf@$q$),
 (613, 'one', $q$SELECT sum(f8) FROM pspec@ WHERE g IN (2, 4)$q$),
 -- regression: as 605 (group 1: 1.0 vs 1.00)
 (614, 'one', $q$SELECT g, sum(n), avg(n), min(n), max(n) FROM pspec@ GROUP BY g$q$),
 (615, 'one', $q$SELECT count(*) FROM pspec@ GROUP BY t$q$),
 (616, 'one', $q$SELECT count(*) FROM pspec@ WHERE t = 'a'$q$),
 (617, 'one', $q$SELECT count(*) FROM pspec@ WHERE t IN ('b', 'x', NULL)$q$),
 (618, 'one', $q$SELECT count(*), count(t) FROM pspec@ WHERE t < 'c'$q$),
 (619, 'one', $q$SELECT sum(f8) FROM pspec@ WHERE g = 6$q$),
 -- regression: as 602 (group 1 overflows, group 2 holds Infinity)
 (620, 'one', $q$SELECT g, count(*), sum(f4), avg(f4), min(f4), max(f4), avg(f8) FROM pspec@ WHERE g <> 5 GROUP BY g$q$),
 (621, 'one', $q$SELECT sum(f8), avg(f8), min(f8), max(f8) FROM pspec@ WHERE g IN (3, 4)$q$),
 (622, 'one', $q$SELECT g, count(*) FROM pspec@ WHERE f8 = 0 GROUP BY g$q$),
 -- regression: as 118, on a float column (623)
 (623, 'one', $q$SELECT count(*) FROM pspec@ WHERE f8 < ANY ('{0}'::float8[])$q$),
 (624, 'one', $q$SELECT avg(f8) FROM pspec@ WHERE g = 2$q$),
 (625, 'one', $q$SELECT sum(f8) FROM pch@$q$),
 (626, 'one', $q$SELECT g, sum(f8) FROM pch@ GROUP BY g$q$),
 -- regression: a chunk of small values after a chunk of huge ones takes the
 -- fast path, where avg's sum of squares (huge: the mean is) is not
 -- followed; core raises "value out of range: overflow" (627)
 (627, 'one', $q$SELECT avg(a) FROM pch@$q$),
 (628, 'one', $q$SELECT count(*), sum(f8), avg(a) FROM pch@ WHERE id > 16384$q$),
 (629, 'one', $q$SELECT g, count(*), avg(a), min(a), max(f8) FROM pch@ WHERE id > 16384 GROUP BY g$q$),
-- frames joined to each other, subqueries and LATERAL: the frame's scan is
-- run again with other parameters
 (701, 'one', $q$SELECT x, (SELECT count(*) FROM pbig@ b WHERE b.id < x * 10000) FROM generate_series(0, 11) x$q$),
 (702, 'one', $q$SELECT x, (SELECT sum(i4) FROM pbig@ b WHERE b.k = x AND b.id > 90000) FROM generate_series(0, 7) x$q$),
 (703, 'one', $q$SELECT s.k, l.* FROM (SELECT DISTINCT k FROM p16@) s, LATERAL (SELECT count(*), min(id), max(f8) FROM pbig@ b WHERE b.k = s.k AND b.id > 95000) l$q$),
 (704, 'one', $q$SELECT s.id, l.id FROM p16@ s, LATERAL (SELECT id FROM pbig@ b WHERE b.id > s.id * 5 ORDER BY b.id LIMIT 2) l WHERE s.id % 1000 = 0$q$),
 (705, 'one', $q$SELECT x, c FROM generate_series(1, 3) x CROSS JOIN (SELECT count(*) AS c FROM pbig@ WHERE id > 5 AND t = 'S02') s$q$),
 (706, 'one', $q$SELECT a.id, b.id FROM pbig@ a JOIN p16@ b ON a.id = b.id + 16384 WHERE a.t = 'S05' AND b.id < 2000$q$),
 (707, 'one', $q$SELECT count(*) FROM pbig@ a WHERE EXISTS (SELECT 1 FROM p16@ b WHERE b.id = a.id AND b.f8 > 4000)$q$),
 (708, 'one', $q$SELECT (SELECT max(b.id) FROM pbig@ b WHERE b.id < s.id AND b.t = s.t) FROM p16@ s WHERE s.id % 2000 = 7$q$);
-- the core set, run in the slower modes too (without the custom scan every
-- query copies the whole frame; parallel plans start workers)
UPDATE pd_q SET core = true
 WHERE scope = 'one' OR n IN (
   101, 103, 104, 107, 111, 113, 114, 117, 118, 120, 124, 129, 131, 132, 135, 137, 143, 145,
   147, 153, 155, 160, 164, 165, 169, 172, 173, 181, 185, 186, 187, 189, 192, 195, 203, 210,
   301, 302, 303, 305, 306, 307, 308, 309, 310, 312, 315, 316, 319, 323, 327, 329, 330, 332,
   401, 402, 403, 404, 405, 406, 411, 412, 413, 414, 416, 419, 420, 422, 429, 436, 439, 444, 446,
   447, 448, 449, 450, 451, 452);
SELECT count(*) AS queries, count(*) FILTER (WHERE core) AS core FROM pd_q;

CREATE TABLE pd_frame (base text PRIMARY KEY);
INSERT INTO pd_frame VALUES ('pe@'), ('p1@'), ('p16@'), ('pbig@');
CREATE TABLE pd_res (mode text, frame text, n int, nrows int8, status text);
CREATE FUNCTION pd_run(mode text, frames text[], only_core bool DEFAULT false,
                       from_n int DEFAULT 0, only_n int[] DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pd_res
    SELECT mode, f.base, q.n, c.nrows, c.status
      FROM pd_q q JOIN pd_frame f ON (q.scope = 'all' AND f.base = ANY (frames)) OR
                                     (q.scope = 'one' AND f.base = 'pbig@'),
           LATERAL pd_check(CASE WHEN q.scope = 'all' THEN replace(q.q, '%T', f.base) ELSE q.q END,
                            q.ordered) c
     WHERE (q.core OR NOT only_core) AND q.n >= from_n AND (only_n IS NULL OR q.n = ANY (only_n))
     ORDER BY q.n, f.base;
END $$;

-- 1. pushdown on: the row counts show the queries are not vacuous, the
-- node column which node runs each query on the frame
SELECT pd_run('pushdown', '{pe@,p1@,p16@,pbig@}');
SELECT r.n, r.nrows, pd_node(replace(q.q, '%T', 'pbig@')) AS node, r.status LIKE 'ok%' AS ok
  FROM pd_res r JOIN pd_q q USING (n)
 WHERE r.mode = 'pushdown' AND r.frame = 'pbig@' ORDER BY r.n;
-- the queries that raise an error (the same on both sides)
SELECT n, status FROM pd_res
 WHERE mode = 'pushdown' AND frame = 'pbig@' AND status LIKE 'ok, both raise%' ORDER BY n;
SELECT frame, count(*) AS checks, count(*) FILTER (WHERE status NOT LIKE 'ok%') AS mismatches
  FROM pd_res WHERE mode = 'pushdown' GROUP BY frame ORDER BY frame;

-- 2. no aggregate pushdown: Agg over ShmcacheScan (the queries from 300 on:
-- the plans of the others do not change)
SET shmcache.enable_pushdown = off;
SELECT pd_run('no pushdown', '{pe@,p1@,p16@,pbig@}', false, 300);
RESET shmcache.enable_pushdown;
-- 3. no custom scan: the view's plain function scan, which copies the whole
-- frame for every query; a sample of the queries
SET shmcache.enable_customscan = off;
SELECT pd_run('no customscan', '{pbig@}', true, 0,
              '{101,113,118,135,145,160,172,187,301,302,305,308,310,323,327,401,402,406,419,436,439,
                601,602,605,607,608,611,612,614,623,704}');
RESET shmcache.enable_customscan;
-- 4. forced parallel query, without aggregate pushdown (so that partial
-- aggregates run over a parallel ShmcacheScan; the core queries) and with
-- it (every aggregate query on pbig and the edge values): with
-- seq_page_cost = 0 (the cost of a worker's mapping the frame's memory),
-- parallel ShmcacheAggregate nodes compute partial states in the workers
-- and the leader, and a finalizing one combines them
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
SET shmcache.enable_pushdown = off;
SELECT pd_run('parallel', '{p16@,pbig@}', true);
-- how many of the core queries on pbig read the frame with a parallel scan
SELECT count(*) AS core_queries,
       count(*) FILTER (WHERE pd_node(replace(q, '%T', 'pbig@')) LIKE '%parallel%') AS parallel_scan
  FROM pd_q WHERE core;
RESET shmcache.enable_pushdown;
SET seq_page_cost = 0;
SELECT pd_run('parallel + pushdown', '{pbig@}', false, 300);
-- how many of those queries on pbig aggregate in parallel
SELECT count(*) AS aggregate_queries,
       count(*) FILTER (WHERE pd_node(CASE WHEN scope = 'all' THEN replace(q, '%T', 'pbig@') ELSE q END)
                        LIKE 'parallel-agg%') AS parallel_aggregate
  FROM pd_q WHERE n >= 300;
RESET seq_page_cost;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET force_parallel_mode;

SELECT mode, count(*) AS checks, count(*) FILTER (WHERE status NOT LIKE 'ok%') AS mismatches
  FROM pd_res GROUP BY mode ORDER BY min(ctid);
-- every mismatch (none expected)
SELECT mode, frame, n, status FROM pd_res WHERE status NOT LIKE 'ok%' ORDER BY n, frame, mode;
-- a few real results
SELECT k, count(*), sum(i4), avg(i2), min(t), max(ts) FROM pbig_f GROUP BY k ORDER BY k;
SELECT count(*), sum(i2), sum(id), avg(i4), min(tc), max(tc), min(d), max(ts) FROM pbig_f WHERE f8 < 1000;
SELECT t, count(*), sum(f4) FROM pbig_f WHERE t IN ('S00', 'S36') OR t IS NULL GROUP BY t ORDER BY t;
SELECT id, f8 FROM pbig_f WHERE f8 >= 'NaN' OR f8 < 0 OR (f8 = 0 AND id < 2000) ORDER BY id;
SELECT count(*), sum(f8), avg(f8), min(f8), max(f8) FROM pe_f;
SELECT k, count(*) FROM pe_f GROUP BY k;
SELECT count(*), sum(i4), min(t), max(tu) FROM p1_f;

--
-- Plans: which node runs which shape
--
-- an aggregate with pushed filters and a per-row filter
EXPLAIN (COSTS OFF) SELECT t, count(*), sum(i4), avg(f8) FROM pbig_f
 WHERE id > 50000 AND t IN ('S01', 'S02') AND i4 * 2 > id GROUP BY t;
-- DISTINCT aggregates, FILTER and HAVING are not pushed: Agg over the scan
EXPLAIN (COSTS OFF) SELECT k, count(DISTINCT t) FROM pbig_f WHERE id < 100 GROUP BY k;
EXPLAIN (COSTS OFF) SELECT k, count(*) FROM pbig_f GROUP BY k HAVING count(*) > 1;
-- a scan with pushed filters of every kind
EXPLAIN (COSTS OFF) SELECT id FROM pbig_f
 WHERE id BETWEEN 10 AND 20 AND 5 < i4 AND t IN ('S01', NULL) AND nl IS NULL AND f8 <> 'NaN'
   AND d < '2024-01-02'::timestamp AND i4 + 1 > 0;
-- a generic plan: the constants are parameters
PREPARE pd_p1(int8, text) AS SELECT count(*) FROM pbig_f WHERE id > $1 AND t = $2;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE pd_p1(5, 'S01');
RESET plan_cache_mode;
DEALLOCATE pd_p1;
SET shmcache.enable_pushdown = off;
EXPLAIN (COSTS OFF) SELECT t, count(*) FROM pbig_f WHERE id > 5 GROUP BY t;
RESET shmcache.enable_pushdown;
SET shmcache.enable_customscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM pbig_f WHERE id > 5;
RESET shmcache.enable_customscan;
-- parallel: Gather over a parallel ShmcacheScan (with partial aggregates)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET shmcache.enable_pushdown = off;
EXPLAIN (COSTS OFF) SELECT count(*), sum(i4) FROM pbig_f WHERE id > 5;
EXPLAIN (COSTS OFF) SELECT id FROM pbig_f WHERE t = 'S01' AND i4 > 0;
-- all chunks are read once over all participants; the counts are totals
-- (rows per participant and workers launched vary, and are masked)
CREATE FUNCTION pd_explain(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        CONTINUE WHEN line LIKE '%Workers Launched%';
        RETURN NEXT regexp_replace(line, 'actual rows=\d+ loops=\d+', 'actual rows=N loops=N');
    END LOOP;
END $$;
SELECT pd_explain('SELECT count(*) FROM pbig_f WHERE id > 40000');
SELECT pd_explain('SELECT id FROM pbig_f WHERE id % 1000 = 0 AND id > 90000 AND nl IS NOT NULL');
RESET shmcache.enable_pushdown;
-- parallel aggregation: a finalizing ShmcacheAggregate over a Gather of
-- partial ones (seq_page_cost = 0 makes the workers' mapping of the frame
-- free, so a frame this small is worth it)
SET seq_page_cost = 0;
EXPLAIN (COSTS OFF, VERBOSE) SELECT k, count(*), sum(i4), avg(f8) FROM pbig_f
 WHERE id > 5 AND i4 * 2 > id GROUP BY k;
SELECT pd_explain('SELECT t, count(*), max(n) FROM pbig_f WHERE id > 40000 GROUP BY t');
SELECT pd_explain('SELECT count(*), sum(i4) FROM pbig_f WHERE id % 3 = 0');
RESET seq_page_cost;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

--
-- Chunk skipping (pbig: 7 chunks, ids ascending, ts clustered)
--
-- id > 99990: only the last chunk
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT id FROM pbig_f WHERE id > 99990;
-- BETWEEN across a chunk border: two chunks
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM pbig_f WHERE id BETWEEN 16000 AND 16800;
-- IN list: chunks 1, 2 and 7
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT id FROM pbig_f WHERE id IN (1, 16385, 99999, 123456);
-- timestamps: one chunk
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM pbig_f WHERE ts BETWEEN '2024-01-20' AND '2024-01-21';
-- nl is NULL in all of chunks 2 and 3: IS NOT NULL skips them, IS NULL
-- skips the chunks without NULLs
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM pbig_f WHERE nl IS NOT NULL;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM pbig_f WHERE nl IS NULL;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM pbig_f WHERE nl = 5;
-- floats: NaN sorts above every value, so f8 > 24990 must read the chunks
-- holding a NaN (9973 * k) and Infinity (50000), and f8 < 0 only the chunk
-- of -Infinity (70000)
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM pbig_f WHERE f8 > 24990;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM pbig_f WHERE f8 < 0;
-- a NULL constant: no chunk is read
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM pbig_f WHERE id = NULL::int8;
-- text filters are not used for skipping
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM pbig_f WHERE t = 'S01' AND id < 20000;
-- with the aggregate node too
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT k, count(*), sum(i4) FROM pbig_f WHERE id <= 16384 GROUP BY k;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM pbig_f WHERE d >= '2026-09-26';

--
-- Generic plans: the constants of pushed filters are parameters, evaluated
-- when the scan starts
--
CREATE FUNCTION pd_prepared(sql text, VARIADIC args text[]) RETURNS TABLE (params text, nrows int8, ok bool)
LANGUAGE plpgsql AS $$
DECLARE
    a text;
    st record;
BEGIN
    EXECUTE 'PREPARE pd_p_f' || replace(sql, '@', '_f');
    EXECUTE 'PREPARE pd_p_h' || replace(sql, '@', '_h');
    FOREACH a IN ARRAY args LOOP
        SELECT * INTO st FROM pd_check('EXECUTE pd_p@(' || a || ')');
        params := a;
        nrows := st.nrows;
        ok := st.status = 'ok';
        RETURN NEXT;
    END LOOP;
    DEALLOCATE pd_p_f;
    DEALLOCATE pd_p_h;
END $$;
SET plan_cache_mode = force_generic_plan;
SELECT * FROM pd_prepared($q$(int8, int8) AS SELECT id FROM pbig@ WHERE id > $1 AND id <= $2$q$,
                          '99990, 100000', '0, 10', '16380, 16390', 'NULL, 5');
SELECT * FROM pd_prepared($q$(int4, text) AS SELECT k, count(*), sum(i4) FROM pbig@ WHERE i2 < $1 AND t = $2 GROUP BY k$q$,
                          '0, ''S01''', '-9990, ''S02''', '100, NULL');
SELECT * FROM pd_prepared($q$(float8, numeric) AS SELECT count(*), sum(f8), max(n) FROM pbig@ WHERE f8 >= $1 AND n < $2$q$,
                          '''NaN'', 100', '24000, ''Infinity''', '-1, 0.5');
SELECT * FROM pd_prepared($q$(int8[]) AS SELECT id FROM pbig@ WHERE id = ANY ($1)$q$,
                          '''{1,16385,99999}''', '''{}''', '''{NULL}''');
SELECT * FROM pd_prepared($q$(timestamp, date) AS SELECT count(*), min(ts), max(d) FROM pbig@ WHERE ts >= $1 AND d < $2$q$,
                          '''2024-02-01'', ''2024-02-10''', '''infinity'', ''infinity''');
-- regression: as 323: the pseudoconstant "$1 = 1" is dropped by ShmcacheAggregate
SELECT * FROM pd_prepared($q$(int4) AS SELECT count(*) FROM pbig@ WHERE $1 = 1$q$, '0', '1');
SET shmcache.enable_pushdown = off;
SELECT * FROM pd_prepared($q$(int8, text) AS SELECT t, count(*) FROM pbig@ WHERE id > $1 AND t > $2 GROUP BY t$q$,
                          '50000, ''S30''', '0, ''S35''');
RESET shmcache.enable_pushdown;
RESET plan_cache_mode;
-- a plpgsql function's cached plan, called with other values
CREATE FUNCTION pd_count(lo int8, tt text) RETURNS int8 LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM pbig_f WHERE id > lo AND t = tt);
END $$;
CREATE FUNCTION pd_count_h(lo int8, tt text) RETURNS int8 LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM pbig_h WHERE id > lo AND t = tt);
END $$;
SELECT count(*) AS calls, count(*) FILTER (WHERE pd_count(x * 1000, 'S0' || x % 10) <> pd_count_h(x * 1000, 'S0' || x % 10)) AS mismatches
  FROM generate_series(0, 100) x;

--
-- Cursors and transactions: an aggregate reads the rows of its snapshot
--
BEGIN;
DECLARE pd_c1 CURSOR FOR SELECT count(*), sum(id), max(id) FROM pbig_f;
DECLARE pd_c2 CURSOR FOR SELECT k, count(*) FROM pbig_f WHERE id > 99990 GROUP BY k ORDER BY k;
DECLARE pd_c3 CURSOR FOR SELECT id FROM pbig_f WHERE id > 99998;
DECLARE pd_h1 CURSOR FOR SELECT count(*), sum(id), max(id) FROM pbig_h;
INSERT INTO pbig_f (id, k) SELECT g, 1 FROM generate_series(100001, 100010) g;
INSERT INTO pbig_h (id, k) SELECT g, 1 FROM generate_series(100001, 100010) g;
FETCH ALL FROM pd_c1;
FETCH ALL FROM pd_h1;
FETCH ALL FROM pd_c2;
FETCH ALL FROM pd_c3;
-- a new query sees the transaction's own rows, in every mode
SELECT count(*), sum(id), max(id) FROM pbig_f WHERE id > 99990;
SELECT count(*), sum(id), max(id) FROM pbig_h WHERE id > 99990;
-- new text values in the last, partly filled chunk; a savepoint rolled back
INSERT INTO pbig_f (id, t, i4) VALUES (100011, 'S98', 7), (100012, 'S99', 8);
INSERT INTO pbig_h (id, t, i4) VALUES (100011, 'S98', 7), (100012, 'S99', 8);
SAVEPOINT s1;
INSERT INTO pbig_f (id, t, i4) VALUES (100013, 'S97', 2000000000), (100014, NULL, -2000000000);
SELECT t, count(*), sum(i4) FROM pbig_f WHERE t >= 'S36' GROUP BY t ORDER BY t;
ROLLBACK TO SAVEPOINT s1;
SELECT t, count(*), sum(i4) FROM pbig_f WHERE t >= 'S36' GROUP BY t ORDER BY t;
SELECT t, count(*), sum(i4) FROM pbig_h WHERE t >= 'S36' GROUP BY t ORDER BY t;
SELECT count(*), max(i4), min(i4) FROM pbig_f WHERE i4 > 1000000 OR i4 < -1000000 OR t = 'S97';
SELECT count(*) FROM pbig_f WHERE id > 100010 AND t IN ('S97', 'S98', 'S99');
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL force_parallel_mode = on;
SET LOCAL shmcache.enable_pushdown = off;
SELECT count(*), sum(id), max(id), count(k) FROM pbig_f WHERE id > 99990;
SELECT k, count(*) FROM pbig_f WHERE id > 99990 GROUP BY k ORDER BY k;
SELECT t, count(*) FROM pbig_f WHERE id > 99990 AND t > 'S36' GROUP BY t ORDER BY t;
ROLLBACK;
SELECT count(*), max(id) FROM pbig_f;
-- a cursor declared, then rows committed by another transaction
BEGIN;
DECLARE pd_c4 CURSOR WITH HOLD FOR SELECT count(*), sum(i4) FROM p16_f WHERE id > 16000;
COMMIT;
INSERT INTO p16_f (id, i4) VALUES (16385, 1), (16386, 2);
FETCH ALL FROM pd_c4;
CLOSE pd_c4;
SELECT count(*), sum(i4) FROM p16_f WHERE id > 16000;
BEGIN;
DECLARE pd_c5 SCROLL CURSOR FOR SELECT k, count(*) FROM p16_f GROUP BY k ORDER BY k;
FETCH 2 FROM pd_c5;
INSERT INTO p16_f (id, k) VALUES (16387, 0);
FETCH BACKWARD 1 FROM pd_c5;
FETCH ALL FROM pd_c5;
COMMIT;

--
-- Clean up
--
SELECT shmcache.drop_frame(f) FROM unnest(ARRAY['pe_f', 'p1_f', 'p16_f', 'pbig_f', 'pspec_f', 'povf_f', 'pinf_f', 'pch_f']::regclass[]) f;
DROP TABLE pe_h, p1_h, p16_h, pbig_h, pspec_h, povf_h, pinf_h, pch_h, pd_q, pd_frame, pd_res;
DROP TABLE IF EXISTS pd_tmp, pd_rf, pd_rh;
DROP FUNCTION pd_fill(text, int), pd_side(text, bool), pd_error(text), pd_check(text, bool), pd_node(text),
              pd_run(text, text[], bool, int, int[]), pd_explain(text), pd_prepared(text, text[]), pd_count(int8, text), pd_count_h(int8, text);
DROP COLLATION pd_ci;
SELECT m.used_bytes = b.used_bytes AS memory_back FROM shmcache.memory m, pd_mem b;
DROP TABLE pd_mem;
