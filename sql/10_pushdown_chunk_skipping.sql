--
-- 10_pushdown_chunk_skipping: the chunks a scan skips by their minimum and
-- maximum (EXPLAIN ANALYZE's Chunks Scanned and Chunks Skipped), on pbig:
-- 7 chunks, ids ascending, ts clustered.  Frames and tables:
-- sql/pushdown_setup.inc.
--
\i sql/pushdown_setup.inc

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

\i sql/pushdown_cleanup.inc
