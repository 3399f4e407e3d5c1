--
-- 10_pushdown_oracle: column-wise filters and aggregate pushdown give
-- exactly what core gives on a heap table holding the same rows.  Every
-- query of sql/pushdown_queries.inc runs on frames of 0, 1, 16,384 and
-- 100,000 rows (and on edge values), with pushdown on, with
-- shmcache.enable_pushdown = off and with shmcache.enable_customscan = off.
-- The parallel modes are 10_pushdown_parallel_scan and _parallel_agg.
--
\i sql/pushdown_setup.inc
\i sql/pushdown_queries.inc
SELECT count(*) AS queries, count(*) FILTER (WHERE core) AS core FROM pd_q;

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

\i sql/pushdown_cleanup.inc
