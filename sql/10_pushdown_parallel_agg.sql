--
-- 10_pushdown_parallel_agg: parallel aggregate pushdown.  Every aggregate
-- query of sql/pushdown_queries.inc (from 300 on: on the frame of 100,000
-- rows and on edge values) under forced parallel query, where parallel
-- ShmcacheAggregate nodes compute partial states in the workers and the
-- leader, and a finalizing one combines them.  Each must give what core
-- gives on a heap table holding the same rows.
--
\i sql/pushdown_setup.inc
\i sql/pushdown_queries.inc
SELECT count(*) AS queries, count(*) FILTER (WHERE core) AS core FROM pd_q;

-- forced parallel query, with aggregate pushdown: with seq_page_cost = 0
-- (the cost of a worker's mapping the frame's memory), parallel
-- ShmcacheAggregate nodes compute partial states in the workers and the
-- leader, and a finalizing one combines them
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
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

\i sql/pushdown_cleanup.inc
