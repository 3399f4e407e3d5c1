--
-- 10_pushdown_distinct: count(DISTINCT) in ShmcacheAggregate past the point
-- where its (group, value) pairs move to partitions (256K pairs): the same
-- counts as core on a heap table with the same rows, pushed and not; a
-- count(DISTINCT) is never planned in parallel.  The small cases (NULLs,
-- NaN, -0, collations, groups) are in sql/pushdown_queries.inc.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE dist_h (g int4, i int8, f float8, t text, d date);
INSERT INTO dist_h
SELECT k % 3,
       CASE WHEN k % 97 = 0 THEN NULL ELSE (k::int8 * 7919) % 400000 END,
       CASE WHEN k % 1001 = 0 THEN 'NaN' WHEN k % 1003 = 0 THEN '-0' ELSE (k % 350000) / 4.0 END,
       'x' || ((k::int8 * 104729) % 300000),
       date '2000-01-01' + k % 5000
  FROM generate_series(1, 600000) k;
SELECT shmcache.create_frame('dist_f', 'g int4, i int8, f float8, t text, d date');
INSERT INTO dist_f SELECT * FROM dist_h;

CREATE TEMP TABLE dist_q (n int, q text);
INSERT INTO dist_q VALUES
 (1, 'SELECT count(DISTINCT i), count(DISTINCT f), count(DISTINCT t), count(DISTINCT d), count(*) FROM %s'),
 (2, 'SELECT g, count(DISTINCT i), count(DISTINCT t), count(DISTINCT f) FROM %s GROUP BY g'),
 (3, 'SELECT d, count(DISTINCT i) FROM %s WHERE d < ''2000-03-01'' GROUP BY d'),
 (4, 'SELECT count(DISTINCT t), count(DISTINCT i) FROM %s WHERE g = 1 AND i > 1000');

-- rows of a query, as sorted text
CREATE FUNCTION dist_rows(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    EXECUTE 'SELECT string_agg(s::text, '' '' ORDER BY s::text) FROM (' || q || ') s' INTO r;
    RETURN r;
END $$;

-- does ShmcacheAggregate run query q?
CREATE FUNCTION dist_pushed(q text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE l text;
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        IF l LIKE '%ShmcacheAggregate%' THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END $$;

-- the node runs each query on the frame, and the counts are core's
SELECT n, dist_pushed(format(q, 'dist_f')) AS pushed,
       dist_rows(format(q, 'dist_f')) = dist_rows(format(q, 'dist_h')) AS same
  FROM dist_q ORDER BY n;
SET shmcache.enable_pushdown = off;
SELECT n, dist_rows(format(q, 'dist_f')) = dist_rows(format(q, 'dist_h')) AS same_not_pushed
  FROM dist_q ORDER BY n;
RESET shmcache.enable_pushdown;
SELECT count(DISTINCT i), count(DISTINCT f), count(DISTINCT t), count(DISTINCT d) FROM dist_f;

-- never in parallel: the pairs are not split between processes
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT g, count(DISTINCT i) FROM dist_f GROUP BY g;
EXPLAIN (COSTS OFF) SELECT g, count(i) FROM dist_f GROUP BY g;
SELECT g, count(DISTINCT i) FROM dist_f GROUP BY g ORDER BY g;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

SELECT shmcache.drop_frame('dist_f');
DROP TABLE dist_h;
DROP FUNCTION dist_rows(text);
DROP FUNCTION dist_pushed(text);
