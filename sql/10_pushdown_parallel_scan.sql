--
-- 10_pushdown_parallel_scan: the core queries of sql/pushdown_queries.inc
-- on frames of 16,384 and 100,000 rows under forced parallel query, without
-- aggregate pushdown: Gather over a parallel ShmcacheScan, with core's
-- partial aggregates over it.  Each must give what core gives on a heap
-- table holding the same rows.
--
\i sql/pushdown_setup.inc
\i sql/pushdown_queries.inc
SELECT count(*) AS queries, count(*) FILTER (WHERE core) AS core FROM pd_q;

-- forced parallel query, without aggregate pushdown (so that partial
-- aggregates run over a parallel ShmcacheScan; the core queries)
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
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET force_parallel_mode;

SELECT mode, count(*) AS checks, count(*) FILTER (WHERE status NOT LIKE 'ok%') AS mismatches
  FROM pd_res GROUP BY mode ORDER BY min(ctid);
-- every mismatch (none expected)
SELECT mode, frame, n, status FROM pd_res WHERE status NOT LIKE 'ok%' ORDER BY n, frame, mode;

\i sql/pushdown_cleanup.inc
