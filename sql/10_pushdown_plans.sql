--
-- 10_pushdown_plans: which node runs which shape of query on a frame
-- (EXPLAIN): ShmcacheAggregate or Agg over ShmcacheScan, pushed filters,
-- generic plans, the function scan, parallel scans and parallel
-- aggregation.  Frames and tables: sql/pushdown_setup.inc.
--
\i sql/pushdown_setup.inc

-- an aggregate with pushed filters and a per-row filter
EXPLAIN (COSTS OFF) SELECT t, count(*), sum(i4), avg(f8) FROM pbig_f
 WHERE id > 50000 AND t IN ('S01', 'S02') AND i4 * 2 > id GROUP BY t;
-- count(DISTINCT) (serial only) and FILTER are pushed; other DISTINCT
-- aggregates are not: Agg over the scan
EXPLAIN (COSTS OFF) SELECT k, count(DISTINCT t) FROM pbig_f WHERE id < 100 GROUP BY k;
EXPLAIN (COSTS OFF) SELECT k, sum(DISTINCT i4) FROM pbig_f WHERE id < 100 GROUP BY k;
EXPLAIN (COSTS OFF) SELECT k, count(*) FILTER (WHERE i4 > 0) FROM pbig_f GROUP BY k;
-- HAVING is the node's Filter over its groups, with the aggregates only it
-- uses computed too
EXPLAIN (COSTS OFF) SELECT k, count(*) FROM pbig_f GROUP BY k HAVING count(*) > 1 AND max(t) > 'S';
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

-- ORDER BY ... LIMIT: ShmcacheTopN under the Limit, the quals that are not
-- pushed evaluated only on rows that would enter the heap; a chunk whose
-- min/max of the first key cannot beat a full heap is passed over (pbig's
-- id ascends with the rows: after the first chunk, all); ORDER BY of an
-- expression (a COLLATE clause too), a LIMIT past 100,000 or a parameter,
-- and DISTINCT stay with PostgreSQL's Sort
SELECT pd_explain('SELECT id, t FROM pbig_f ORDER BY id LIMIT 3');
SELECT pd_explain('SELECT id FROM pbig_f WHERE t = ''S03'' AND i4 + 1 > 0 ORDER BY f8 DESC, id LIMIT 5 OFFSET 2');
EXPLAIN (COSTS OFF) SELECT id FROM pbig_f ORDER BY tz DESC NULLS LAST, t, d NULLS FIRST LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM pbig_f ORDER BY tz, t COLLATE "C" LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM pbig_f ORDER BY id + 1 LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM pbig_f ORDER BY id LIMIT 200000;
EXPLAIN (COSTS OFF) SELECT DISTINCT t FROM pbig_f ORDER BY t LIMIT 3;
PREPARE topn(int) AS SELECT id FROM pbig_f ORDER BY f8 LIMIT $1;
EXPLAIN (COSTS OFF) EXECUTE topn(3);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE topn(3);
RESET plan_cache_mode;
DEALLOCATE topn;
-- a scrollable cursor reads the rows backward too
BEGIN;
DECLARE c SCROLL CURSOR FOR SELECT id, f8 FROM pbig_f WHERE f8 < 1000 ORDER BY f8 DESC, id LIMIT 4;
FETCH ALL FROM c;
FETCH BACKWARD 2 FROM c;
COMMIT;

DROP FUNCTION pd_explain(text);
\i sql/pushdown_cleanup.inc
