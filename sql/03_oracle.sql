--
-- 03_oracle: every query on a frame gives what it gives on a heap table
-- holding the same rows, with the custom scan on and off
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET extra_float_digits = 0;
CREATE TEMP TABLE o_mem AS SELECT used_bytes FROM shmcache.memory;

-- 50,000 rows over four chunks; prices are multiples of 0.25 so that sums
-- are exact whatever the order of addition
CREATE TABLE o_heap (id int8 NOT NULL, symbol text, ts timestamptz, price float8, qty int4);
INSERT INTO o_heap
SELECT g, 'S' || lpad((g * 7 % 50)::text, 2, '0'),
       timestamptz '2024-01-01 00:00+00' + g * interval '1 minute',
       (g % 4000) * 0.25,
       CASE WHEN g % 17 = 0 THEN NULL ELSE (g % 1000)::int4 END
  FROM generate_series(1, 50000) g;
ANALYZE o_heap;
SELECT shmcache.create_frame('o_frame', 'id int8 NOT NULL, symbol text, ts timestamptz, price float8, qty int4');
INSERT INTO o_frame SELECT * FROM o_heap;
SELECT rows, chunks FROM shmcache.frames WHERE frame = 'o_frame'::regclass;

-- a small dimension, as a heap table (o_dim) and as a frame (o_dimf)
CREATE TABLE o_dim (symbol text PRIMARY KEY, sector text, weight int4);
INSERT INTO o_dim SELECT 'S' || lpad(g::text, 2, '0'), 'sector ' || (g % 5), g
  FROM generate_series(0, 59) g;
ANALYZE o_dim;
SELECT shmcache.cache_table('o_dim', 'o_dimf');
SELECT count(*) FROM o_dimf;

-- oracle(q): run q with %T = o_frame, %D = o_dimf and with %T = o_heap,
-- %D = o_dim; true iff both give the same non-empty multiset of rows
-- (with ordered, the same rows in the same order)
CREATE FUNCTION oracle(q text, ordered bool DEFAULT false) RETURNS bool
LANGUAGE plpgsql AS $$
DECLARE
    qf text := replace(replace(q, '%T', 'o_frame'), '%D', 'o_dimf');
    qh text := replace(replace(q, '%T', 'o_heap'), '%D', 'o_dim');
    only_f int8;
    only_h int8;
    nf int8;
    nh int8;
BEGIN
    IF ordered THEN
        qf := 'SELECT row_number() OVER () AS o_rn, o_s.* FROM (' || qf || ') o_s';
        qh := 'SELECT row_number() OVER () AS o_rn, o_s.* FROM (' || qh || ') o_s';
    END IF;
    EXECUTE format('WITH f AS MATERIALIZED (%s), h AS MATERIALIZED (%s)
                    SELECT (SELECT count(*) FROM (TABLE f EXCEPT ALL TABLE h) a),
                           (SELECT count(*) FROM (TABLE h EXCEPT ALL TABLE f) b),
                           (SELECT count(*) FROM f), (SELECT count(*) FROM h)', qf, qh)
       INTO only_f, only_h, nf, nh;
    IF only_f <> 0 OR only_h <> 0 OR nf <> nh OR nf = 0 THEN
        RAISE NOTICE 'oracle mismatch (only frame %, only heap %, rows % / %): %',
                     only_f, only_h, nf, nh, q;
        RETURN false;
    END IF;
    RETURN true;
END $$;

CREATE TABLE o_queries (n int PRIMARY KEY, ordered bool NOT NULL DEFAULT false, q text NOT NULL);
INSERT INTO o_queries (n, ordered, q) VALUES
-- plain reads and filters
 (1,  false, 'SELECT * FROM %T'),
 (2,  false, 'SELECT id, price FROM %T'),
 (3,  false, 'SELECT * FROM %T WHERE id = 4242'),
 (4,  false, 'SELECT * FROM %T WHERE id < 100'),
 (5,  false, 'SELECT * FROM %T WHERE id BETWEEN 16000 AND 16800'),
 (6,  false, 'SELECT * FROM %T WHERE symbol IN (''S01'', ''S13'', ''S49'')'),
 (7,  false, 'SELECT * FROM %T WHERE qty IS NULL'),
 (8,  false, 'SELECT * FROM %T WHERE qty IS NOT NULL AND price > 900'),
 (9,  false, 'SELECT * FROM %T WHERE id < 10 OR symbol = ''S07'' OR qty = 999'),
 (10, false, 'SELECT * FROM %T WHERE symbol LIKE ''S1%'''),
 (11, false, 'SELECT * FROM %T WHERE ts >= ''2024-01-20'' AND ts < ''2024-01-21'''),
 (12, false, 'SELECT * FROM %T WHERE price = 0.25 * qty'),
 (13, false, 'SELECT * FROM %T WHERE NOT (qty > 10) OR qty IS NULL'),
 (14, false, 'SELECT * FROM %T WHERE symbol <> ''S00'' AND id % 1000 = 1'),
 (15, false, 'SELECT * FROM %T WHERE id > 49990'),
 (16, false, 'SELECT * FROM %T WHERE id = ANY (ARRAY[1, 16384, 16385, 32768, 49999, 50000])'),
-- expressions
 (20, false, 'SELECT id * 2, upper(symbol), price / 2, coalesce(qty, -1) FROM %T'),
 (21, false, 'SELECT id, date_trunc(''day'', ts), extract(hour FROM ts) FROM %T WHERE id % 97 = 0'),
 (22, false, 'SELECT t::text FROM %T t WHERE id < 50'),
 (23, false, 'SELECT t.*, t.price * t.qty AS notional FROM %T t WHERE qty > 500'),
 (24, false, 'SELECT CASE WHEN qty IS NULL THEN ''none'' WHEN qty > 500 THEN ''big'' ELSE ''small'' END, count(*) FROM %T GROUP BY 1'),
-- aggregates
 (30, false, 'SELECT count(*), count(qty), sum(price), avg(price), min(ts), max(ts), min(symbol), max(symbol), sum(qty) FROM %T'),
 (31, false, 'SELECT symbol, count(*), sum(price), avg(price), min(qty), max(qty) FROM %T GROUP BY symbol'),
 (32, false, 'SELECT symbol, sum(qty) FROM %T GROUP BY symbol HAVING sum(qty) > 470000'),
 (33, false, 'SELECT date_trunc(''day'', ts) AS d, count(*), sum(price) FROM %T GROUP BY 1'),
 (34, false, 'SELECT symbol, qty IS NULL, count(*) FROM %T GROUP BY ROLLUP (symbol, qty IS NULL)'),
 (35, false, 'SELECT count(DISTINCT symbol), count(DISTINCT qty), bool_and(price >= 0) FROM %T'),
 (36, false, 'SELECT string_agg(symbol, '','' ORDER BY id) FROM %T WHERE id <= 200'),
 (37, false, 'SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY price), mode() WITHIN GROUP (ORDER BY symbol) FROM %T'),
 (38, false, 'SELECT count(*) FILTER (WHERE qty > 100), sum(price) FILTER (WHERE symbol = ''S10'') FROM %T'),
-- ordering, LIMIT, OFFSET, DISTINCT
 (40, true,  'SELECT * FROM %T ORDER BY id LIMIT 10'),
 (41, true,  'SELECT * FROM %T ORDER BY id DESC LIMIT 25 OFFSET 100'),
 (42, true,  'SELECT id, price FROM %T ORDER BY price DESC, id LIMIT 100'),
 (43, true,  'SELECT symbol, id FROM %T ORDER BY symbol, id DESC OFFSET 49950'),
 (44, true,  'SELECT id, qty FROM %T ORDER BY qty NULLS FIRST, id LIMIT 3000'),
 (45, false, 'SELECT DISTINCT symbol FROM %T'),
 (46, false, 'SELECT DISTINCT qty % 10, symbol FROM %T'),
 (47, true,  'SELECT DISTINCT ON (symbol) symbol, id, price FROM %T ORDER BY symbol, price DESC, id'),
 (48, true,  'SELECT * FROM %T ORDER BY id'),
-- joins
 (50, false, 'SELECT t.id, d.sector FROM %T t JOIN o_dim d ON d.symbol = t.symbol WHERE t.id % 10 = 0'),
 (51, false, 'SELECT d.sector, count(*), sum(t.price) FROM %T t JOIN o_dim d USING (symbol) GROUP BY d.sector'),
 (52, false, 'SELECT t.id, d.weight FROM %T t JOIN %D d USING (symbol) WHERE d.weight < 5'),
 (53, false, 'SELECT d.symbol, count(t.id) FROM %D d LEFT JOIN %T t ON t.symbol = d.symbol AND t.qty > 990 GROUP BY d.symbol'),
 (54, false, 'SELECT a.id, b.id FROM %T a JOIN %T b ON b.id = a.id + 16384 WHERE a.id % 100 = 0'),
 (55, false, 'SELECT a.symbol, count(*) FROM %T a JOIN %T b ON a.symbol = b.symbol AND a.id < 200 AND b.id < 300 GROUP BY a.symbol'),
 (56, false, 'SELECT a.id, b.qty FROM %T a LEFT JOIN %T b ON b.id = a.qty WHERE a.id < 2000'),
 (57, false, 'SELECT a.id, b.id FROM %T a FULL JOIN (SELECT * FROM %T WHERE id > 49000) b ON a.id = b.id - 1000 WHERE a.id IS NULL OR a.id > 47990'),
 (58, false, 'SELECT count(*) FROM %T a, %D d WHERE a.symbol = d.symbol AND d.sector = ''sector 3'''),
 (59, false, 'SELECT * FROM o_dim d WHERE NOT EXISTS (SELECT 1 FROM %T t WHERE t.symbol = d.symbol)'),
-- subqueries
 (60, false, 'SELECT * FROM %T WHERE symbol IN (SELECT symbol FROM o_dim WHERE weight % 7 = 0)'),
 (61, false, 'SELECT * FROM %T t WHERE EXISTS (SELECT 1 FROM %D d WHERE d.symbol = t.symbol AND d.weight = 3)'),
 (62, false, 'SELECT * FROM %T WHERE price > (SELECT avg(price) FROM %T) + 450'),
 (63, false, 'SELECT id, (SELECT sector FROM o_dim d WHERE d.symbol = t.symbol) FROM %T t WHERE id % 500 = 0'),
 (64, false, 'SELECT * FROM %T WHERE id NOT IN (SELECT id FROM %T WHERE id > 10)'),
 (65, false, 'SELECT * FROM (SELECT symbol, max(price) AS mp FROM %T GROUP BY symbol) s WHERE mp > 999'),
 (66, false, 'SELECT * FROM %T WHERE qty = (SELECT max(qty) FROM %T)'),
-- CTEs
 (70, false, 'WITH x AS (SELECT * FROM %T WHERE qty < 10) SELECT symbol, count(*) FROM x GROUP BY symbol'),
 (71, false, 'WITH x AS MATERIALIZED (SELECT * FROM %T WHERE id % 3 = 0) SELECT a.id FROM x a JOIN x b ON a.id = b.id + 3'),
 (72, false, 'WITH RECURSIVE r(n, s) AS (SELECT 1, 0::float8 UNION ALL SELECT n + 1, s + (SELECT price FROM %T WHERE id = n) FROM r WHERE n < 20) SELECT * FROM r'),
 (73, false, 'WITH x AS NOT MATERIALIZED (SELECT id, price FROM %T) SELECT * FROM x WHERE id < 30'),
-- window functions
 (80, false, 'SELECT id, row_number() OVER (PARTITION BY symbol ORDER BY id) FROM %T'),
 (81, false, 'SELECT id, sum(price) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM %T WHERE id < 5000'),
 (82, false, 'SELECT symbol, id, rank() OVER (PARTITION BY symbol ORDER BY price DESC) FROM %T WHERE id % 7 = 1'),
 (83, false, 'SELECT id, lag(price) OVER w, lead(qty, 2) OVER w FROM %T WINDOW w AS (ORDER BY id)'),
 (84, false, 'SELECT * FROM (SELECT id, symbol, row_number() OVER (PARTITION BY symbol ORDER BY id DESC) AS rn FROM %T) s WHERE rn <= 3'),
-- set operations
 (90, false, 'SELECT id, symbol FROM %T WHERE id < 100 UNION ALL SELECT id, symbol FROM %T WHERE id > 49900'),
 (91, false, 'SELECT symbol FROM %T UNION SELECT symbol FROM o_dim'),
 (92, false, 'SELECT qty FROM %T INTERSECT SELECT qty FROM %T WHERE id > 40000'),
 (93, false, 'SELECT id FROM %T WHERE id < 1000 EXCEPT SELECT id FROM %T WHERE id % 2 = 0'),
-- LATERAL
 (100, false, 'SELECT d.symbol, l.id, l.price FROM o_dim d, LATERAL (SELECT * FROM %T t WHERE t.symbol = d.symbol ORDER BY t.price DESC, t.id LIMIT 2) l'),
 (101, false, 'SELECT d.symbol, l.* FROM %D d LEFT JOIN LATERAL (SELECT count(*) AS n, max(id) AS m FROM %T t WHERE t.symbol = d.symbol AND t.id < d.weight * 100) l ON true'),
 (102, false, 'SELECT t.id, g FROM %T t, LATERAL generate_series(1, t.id::int % 3) g WHERE t.id < 3000'),
-- the frame inside other constructs
 (110, false, 'SELECT * FROM (SELECT * FROM %T WHERE id < 5000) s WHERE s.qty > 400'),
 (111, false, 'SELECT (SELECT count(*) FROM %T WHERE symbol = d.symbol) FROM o_dim d'),
 (112, false, 'SELECT * FROM %T WHERE id IN (1, 2, 3) FOR UPDATE'),
 (113, false, 'SELECT json_agg(t ORDER BY id)::text FROM %T t WHERE id < 20'),
 (114, false, 'SELECT * FROM ROWS FROM (generate_series(1, 3)) g, %T t WHERE t.id = g');

-- all queries, with the custom scan
SET shmcache.enable_customscan = on;
SELECT n, oracle(q, ordered) AS ok FROM o_queries ORDER BY n;
-- and with the plain function scan
SET shmcache.enable_customscan = off;
SELECT n, oracle(q, ordered) AS ok FROM o_queries ORDER BY n;
RESET shmcache.enable_customscan;

-- the plans really use the custom scan (for frames only)
EXPLAIN (COSTS OFF) SELECT t.id, d.sector FROM o_frame t JOIN o_dim d USING (symbol) WHERE t.id < 10;
EXPLAIN (COSTS OFF) SELECT a.id FROM o_frame a JOIN o_frame b ON a.id = b.id WHERE a.qty IS NULL;

-- generic plans: the frame id and the parameters are evaluated at run time
SET plan_cache_mode = force_generic_plan;
PREPARE o_pf(int8, text) AS SELECT * FROM o_frame WHERE id > $1 AND symbol = $2;
PREPARE o_ph(int8, text) AS SELECT * FROM o_heap WHERE id > $1 AND symbol = $2;
EXPLAIN (COSTS OFF) EXECUTE o_pf(10, 'S01');
CREATE TEMP TABLE o_rf AS EXECUTE o_pf(1000, 'S03');
CREATE TEMP TABLE o_rh AS EXECUTE o_ph(1000, 'S03');
SELECT (SELECT count(*) FROM o_rf) AS n,
       (SELECT count(*) FROM (TABLE o_rf EXCEPT ALL TABLE o_rh) a) + (SELECT count(*) FROM (TABLE o_rh EXCEPT ALL TABLE o_rf) b) AS differences;
DROP TABLE o_rf, o_rh;
CREATE TEMP TABLE o_rf AS EXECUTE o_pf(45000, 'S44');
CREATE TEMP TABLE o_rh AS EXECUTE o_ph(45000, 'S44');
SELECT (SELECT count(*) FROM o_rf) AS n,
       (SELECT count(*) FROM (TABLE o_rf EXCEPT ALL TABLE o_rh) a) + (SELECT count(*) FROM (TABLE o_rh EXCEPT ALL TABLE o_rf) b) AS differences;
DROP TABLE o_rf, o_rh;
PREPARE o_pagg(float8) AS SELECT symbol, count(*), sum(price * 2) FROM o_frame WHERE price > $1 GROUP BY symbol;
PREPARE o_hagg(float8) AS SELECT symbol, count(*), sum(price * 2) FROM o_heap WHERE price > $1 GROUP BY symbol;
CREATE TEMP TABLE o_rf AS EXECUTE o_pagg(500);
CREATE TEMP TABLE o_rh AS EXECUTE o_hagg(500);
SELECT (SELECT count(*) FROM o_rf) AS n,
       (SELECT count(*) FROM (TABLE o_rf EXCEPT ALL TABLE o_rh) a) + (SELECT count(*) FROM (TABLE o_rh EXCEPT ALL TABLE o_rf) b) AS differences;
DROP TABLE o_rf, o_rh;
-- a generic plan stays valid while rows are added
INSERT INTO o_frame VALUES (50001, 'S01', '2024-03-01', 1, 1);
INSERT INTO o_heap VALUES (50001, 'S01', '2024-03-01', 1, 1);
CREATE TEMP TABLE o_rf AS EXECUTE o_pf(49000, 'S01');
CREATE TEMP TABLE o_rh AS EXECUTE o_ph(49000, 'S01');
SELECT (SELECT count(*) FROM o_rf) AS n,
       (SELECT count(*) FROM (TABLE o_rf EXCEPT ALL TABLE o_rh) a) + (SELECT count(*) FROM (TABLE o_rh EXCEPT ALL TABLE o_rf) b) AS differences;
DROP TABLE o_rf, o_rh;
-- (both keep the extra row)
DEALLOCATE o_pf; DEALLOCATE o_ph; DEALLOCATE o_pagg; DEALLOCATE o_hagg;
-- a plpgsql function's cached plan on a frame
CREATE FUNCTION o_count_above(lim int8) RETURNS int8 LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM o_frame WHERE id > lim);
END $$;
SELECT o_count_above(49990), o_count_above(0), o_count_above(25000);
RESET plan_cache_mode;
DROP FUNCTION o_count_above(int8);

-- cursors: the frame and the heap deliver the same rows, in both directions
CREATE FUNCTION o_cursor_compare(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    cf refcursor;
    ch refcursor;
    rf record;
    rh record;
    n int := 0;
BEGIN
    OPEN cf SCROLL FOR EXECUTE replace(q, '%T', 'o_frame');
    OPEN ch SCROLL FOR EXECUTE replace(q, '%T', 'o_heap');
    LOOP
        FETCH cf INTO rf;
        FETCH ch INTO rh;
        EXIT WHEN rf IS NULL AND rh IS NULL;
        IF rf::text IS DISTINCT FROM rh::text THEN
            RETURN format('forward row %s differs: %s / %s', n, rf, rh);
        END IF;
        n := n + 1;
    END LOOP;
    FOR i IN 1 .. 50 LOOP
        FETCH PRIOR FROM cf INTO rf;
        FETCH PRIOR FROM ch INTO rh;
        IF rf::text IS DISTINCT FROM rh::text THEN
            RETURN format('backward row %s differs: %s / %s', i, rf, rh);
        END IF;
    END LOOP;
    FETCH ABSOLUTE 17000 FROM cf INTO rf;
    FETCH ABSOLUTE 17000 FROM ch INTO rh;
    IF rf::text IS DISTINCT FROM rh::text THEN
        RETURN format('absolute row differs: %s / %s', rf, rh);
    END IF;
    CLOSE cf;
    CLOSE ch;
    RETURN format('%s rows equal', n);
END $$;
SELECT o_cursor_compare('SELECT * FROM %T ORDER BY id');
SELECT o_cursor_compare('SELECT id, symbol, price FROM %T WHERE qty > 10 ORDER BY id');
SELECT o_cursor_compare('SELECT id, price * 4 FROM %T ORDER BY id');
SET shmcache.enable_customscan = off;
SELECT o_cursor_compare('SELECT * FROM %T ORDER BY id');
RESET shmcache.enable_customscan;
-- an SQL-level cursor in a transaction
BEGIN;
DECLARE o_c SCROLL CURSOR FOR SELECT id, symbol, price, qty FROM o_frame;
FETCH 3 FROM o_c;
MOVE FORWARD 16380 IN o_c;
FETCH 3 FROM o_c;
FETCH BACKWARD 2 FROM o_c;
FETCH ABSOLUTE 50000 FROM o_c;
FETCH RELATIVE -16384 FROM o_c;
FETCH NEXT FROM o_c;
FETCH LAST FROM o_c;
CLOSE o_c;
DECLARE o_c2 CURSOR FOR SELECT count(*), sum(price) FROM o_frame;
FETCH ALL FROM o_c2;
COMMIT;
SELECT count(*), sum(price) FROM o_heap;

-- parallel query: a heap table scanned in parallel joined with the frame
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
SELECT n, oracle(q, ordered) AS ok FROM o_queries WHERE n IN (1, 4, 20, 30, 31, 45, 50, 51, 54, 60, 62, 80, 90, 100) ORDER BY n;
SELECT count(*), sum(t.price), count(DISTINCT d.sector) FROM o_frame t JOIN o_dim d USING (symbol);
SELECT count(*), sum(t.price), count(DISTINCT d.sector) FROM o_heap t JOIN o_dim d USING (symbol);
SELECT count(*), sum(h.price + f.price) FROM o_heap h JOIN o_frame f USING (id);
SELECT count(*), sum(h.price + h.price) FROM o_heap h;
-- the plan has a Gather (the heap scanned by workers) and the frame's custom scan
CREATE FUNCTION o_plan_has(q text, VARIADIC words text[]) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE
    plan text := '';
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN (SELECT bool_and(strpos(plan, w) > 0) FROM unnest(words) w);
END $$;
SELECT o_plan_has('SELECT count(*), sum(h.price + f.price) FROM o_heap h JOIN o_frame f USING (id)',
                  'Gather', 'Parallel Seq Scan on o_heap', 'Custom Scan (ShmcacheScan)') AS parallel_plan;
SELECT count(*) FROM o_heap h WHERE id IN (SELECT id FROM o_frame WHERE qty = 5);
SELECT count(*) FROM o_heap h WHERE id IN (SELECT id FROM o_heap WHERE qty = 5);
SET shmcache.enable_customscan = off;
SELECT count(*), sum(h.price + f.price) FROM o_heap h JOIN o_frame f USING (id);
SELECT n, oracle(q, ordered) AS ok FROM o_queries WHERE n IN (1, 30, 51, 54) ORDER BY n;
RESET shmcache.enable_customscan;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET force_parallel_mode;

-- INSERT ... SELECT from a frame into another frame, and into itself
SELECT shmcache.truncate('o_frame');
INSERT INTO o_frame SELECT * FROM o_heap;
SELECT shmcache.create_frame('o_frame2', 'id int8 NOT NULL, symbol text, ts timestamptz, price float8, qty int4');
INSERT INTO o_frame2 SELECT * FROM o_frame;
SELECT count(*), sum(id), sum(price) FROM o_frame2;
SELECT (SELECT count(*) FROM (SELECT * FROM o_frame2 EXCEPT ALL SELECT * FROM o_heap) a) AS only_frame2,
       (SELECT count(*) FROM (SELECT * FROM o_heap EXCEPT ALL SELECT * FROM o_frame2) b) AS only_heap;
INSERT INTO o_frame SELECT * FROM o_frame;   -- reads the rows it started with
SELECT count(*), sum(id), count(DISTINCT id) FROM o_frame;
INSERT INTO o_heap SELECT * FROM o_heap;
SELECT n, oracle(q, ordered) AS ok FROM o_queries WHERE n IN (1, 30, 31, 45, 54, 80) ORDER BY n;
SELECT rows, chunks FROM shmcache.frames WHERE frame = 'o_frame'::regclass;
INSERT INTO o_frame2 SELECT * FROM o_frame2 WHERE id <= 10 UNION ALL SELECT * FROM o_frame2 WHERE id > 49990;
SELECT count(*) FROM o_frame2;

-- clean up
SELECT shmcache.drop_frame('o_frame');
SELECT shmcache.drop_frame('o_frame2');
SELECT shmcache.drop_frame('o_dimf');
DROP TABLE o_heap, o_dim, o_queries;
DROP FUNCTION oracle(text, bool);
DROP FUNCTION o_cursor_compare(text);
DROP FUNCTION o_plan_has(text, text[]);
SELECT m.used_bytes = b.used_bytes AS memory_back FROM shmcache.memory m, o_mem b;
DROP TABLE o_mem;
