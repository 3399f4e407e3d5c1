--
-- 10_pushdown_cursors: cursors and transactions: an aggregate reads the
-- rows of its snapshot, a new query the transaction's own rows (savepoints
-- rolled back included), in every mode; cursors declared before rows are
-- committed.  Frames and tables: sql/pushdown_setup.inc.
--
\i sql/pushdown_setup.inc

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

\i sql/pushdown_cleanup.inc
