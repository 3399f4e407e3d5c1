-- bench/concurrency.sql
--	pgbench script of bench/concurrency.sh: each transaction runs one of the
--	seven queries of bench/ticks.sh, chosen at random, on table :tbl (the
--	frame's view or the heap table).
--
--	Variables (pgbench -D): tbl, rows (rows loaded; ids 1..rows),
--	ts_lo and ts_hi (timestamptz literals, quoted, of the 0.1% ts range).
--	Needs the simple query protocol (pgbench's default): :tbl is a table
--	name, substituted as text.
\set q random(1, 7)
\set id random(1, :rows)
\if :q = 1
SELECT count(*) FROM :tbl;
\elif :q = 2
SELECT sum(price) FROM :tbl;
\elif :q = 3
SELECT count(*), sum(price), avg(qty) FROM :tbl WHERE price > 500;
\elif :q = 4
SELECT symbol, avg(price), sum(qty) FROM :tbl GROUP BY symbol;
\elif :q = 5
SELECT * FROM :tbl WHERE id = :id;
\elif :q = 6
SELECT count(*) FROM :tbl WHERE ts BETWEEN :ts_lo AND :ts_hi;
\else
SELECT count(*) FROM :tbl WHERE price * qty > 100000;
\endif
