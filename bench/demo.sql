-- bench/demo.sql
--	The walk-through run by "./quickstart.sh demo": one million sample
--	market ticks, loaded into a shmcache frame and into a plain heap table,
--	queried side by side.
--
--	Needs a server with shared_preload_libraries = 'shmcache' and
--	shmcache.size of at least ~200MB, a superuser connection, and
--	  psql -X -v ON_ERROR_STOP=1 -v csv=/server/side/path/ticks.csv -f bench/demo.sql
--	The CSV file is written and read by the server, so the path must be
--	writable by the server's operating-system user.

\set QUIET on
\pset footer off

\echo
\echo '=== 1. CREATE EXTENSION shmcache'
CREATE EXTENSION shmcache;

\echo
\echo '=== 2. Writing 1,000,000 sample ticks to' :csv
\echo '       (id, symbol with 500 distinct values, ts ascending, price, qty)'
\timing on
COPY (
    SELECT i                                                   AS id,
           'S' || (i % 500)                                    AS symbol,
           timestamptz '2024-01-02 09:00:00+00' + i * interval '1 ms' AS ts,
           round((((i * 7919) % 100000) / 100.0), 2)::float8   AS price,
           (i % 1000)::int4 + 1                                AS qty
    FROM generate_series(1::int8, 1000000) AS i
) TO :'csv' (FORMAT csv, HEADER);

\echo
\echo '=== 3. A frame: shmcache.create_frame creates it and the view "ticks"'
\echo '       (id is its primary key: a hash index, kept up to date with every load)'
SELECT shmcache.create_frame('ticks',
       'id int8 PRIMARY KEY, symbol text, ts timestamptz, price float8, qty int4');

\echo
\echo '=== 4. Loading the CSV into the frame with shmcache.copy_from (rows loaded):'
SELECT shmcache.copy_from('ticks', :'csv', 'format csv, header true');

\echo
\echo '=== 5. The same CSV into an ordinary heap table, with COPY'
\echo '       (with the same primary key: a B-tree index on id)'
\timing off
CREATE TABLE ticks_heap (id int8 PRIMARY KEY, symbol text, ts timestamptz, price float8, qty int4);
\timing on
COPY ticks_heap FROM :'csv' (FORMAT csv, HEADER);
\timing off

\echo
\echo '=== 6. INSERT works on the frame too (the same row goes into the heap table)'
INSERT INTO ticks VALUES (1000001, 'AAPL', '2024-01-02 09:16:40.001+00', 191.25, 100);
INSERT INTO ticks_heap VALUES (1000001, 'AAPL', '2024-01-02 09:16:40.001+00', 191.25, 100);
VACUUM ANALYZE ticks_heap;

\echo
\echo '=== 7. shmcache.cache_table copies a table into a new frame "ticks_heap_cache"'
\timing on
SELECT shmcache.cache_table('ticks_heap');

\echo
\echo '=== 8. Queries, each on the frame "ticks" and then on the heap table "ticks_heap"'
\echo '       (the frame is already in memory; the heap table is in shared_buffers'
\echo '       after the load, so neither side reads the disk)'

\echo
\echo '--- count(*)'
SELECT count(*) AS frame FROM ticks;
SELECT count(*) AS heap FROM ticks_heap;

\echo
\echo '--- sum(price)'
SELECT round(sum(price)::numeric, 2) AS frame FROM ticks;
SELECT round(sum(price)::numeric, 2) AS heap FROM ticks_heap;

\echo
\echo '--- a filtered aggregate: WHERE price > 900 AND qty <= 10'
SELECT count(*), round(avg(price)::numeric, 4) AS avg_price, sum(qty)
  FROM ticks WHERE price > 900 AND qty <= 10;
SELECT count(*), round(avg(price)::numeric, 4) AS avg_price, sum(qty)
  FROM ticks_heap WHERE price > 900 AND qty <= 10;

\echo
\echo '--- GROUP BY symbol ORDER BY 2 DESC LIMIT 5 (total traded value per symbol)'
SELECT symbol, round(sum(price * qty)::numeric, 2) AS value
  FROM ticks GROUP BY symbol ORDER BY 2 DESC LIMIT 5;
SELECT symbol, round(sum(price * qty)::numeric, 2) AS value
  FROM ticks_heap GROUP BY symbol ORDER BY 2 DESC LIMIT 5;

\echo
\echo '--- a point lookup: WHERE id = 654321 (each side through its index on id)'
SELECT * FROM ticks WHERE id = 654321;
SELECT * FROM ticks_heap WHERE id = 654321;

\echo
\echo '--- the cached copy of the heap table answers the same'
SELECT count(*), round(sum(price)::numeric, 2) AS sum FROM ticks_heap_cache;
\timing off

\echo
\echo '=== 9. EXPLAIN on the frame: the aggregate runs in "Custom Scan (ShmcacheAggregate)",'
\echo '       a lookup by key in "Custom Scan (ShmcacheLookup)"'
EXPLAIN SELECT symbol, avg(price) FROM ticks WHERE price > 900 GROUP BY symbol;
EXPLAIN SELECT * FROM ticks WHERE id = 654321;

\echo
\echo '=== 10. Changing rows: UPDATE, DELETE, upsert on the frame and on the heap table, then vacuum'
\timing on
\echo '--- UPDATE ... WHERE symbol = ''S42'' (2,000 rows)'
UPDATE ticks SET price = price * 1.01 WHERE symbol = 'S42';
UPDATE ticks_heap SET price = price * 1.01 WHERE symbol = 'S42';
\echo '--- DELETE ... WHERE qty <= 100 (100,000 rows)'
DELETE FROM ticks WHERE qty <= 100;
DELETE FROM ticks_heap WHERE qty <= 100;
\echo '--- INSERT ... ON CONFLICT (id) DO UPDATE, 1,000 rows (half of them new)'
INSERT INTO ticks SELECT i, 'S1', timestamptz '2024-01-03 00:00+00', 1.0, 1 FROM generate_series(999501, 1000500) i
  ON CONFLICT (id) DO UPDATE SET price = EXCLUDED.price, qty = ticks.qty + 1;
INSERT INTO ticks_heap SELECT i, 'S1', timestamptz '2024-01-03 00:00+00', 1.0, 1 FROM generate_series(999501, 1000500) i
  ON CONFLICT (id) DO UPDATE SET price = EXCLUDED.price, qty = ticks_heap.qty + 1;
\echo '--- the same rows on both sides'
SELECT count(*) AS rows_that_differ FROM
  ((SELECT * FROM ticks EXCEPT ALL SELECT * FROM ticks_heap)
   UNION ALL (SELECT * FROM ticks_heap EXCEPT ALL SELECT * FROM ticks)) d;
\echo '--- shmcache.vacuum(''ticks'') gives back the memory of the deleted rows'
SELECT rows, dead_rows, pg_size_pretty(bytes) AS bytes FROM shmcache.frames WHERE frame = 'ticks'::regclass;
SELECT shmcache.vacuum('ticks') AS removed;
SELECT rows, dead_rows, pg_size_pretty(bytes) AS bytes FROM shmcache.frames WHERE frame = 'ticks'::regclass;
\timing off

\echo
\echo '=== 11. The frames of this database: shmcache.frames'
\x on
SELECT * FROM shmcache.frames;
\x off

\echo
\echo '=== 12. Shared memory use: shmcache.memory'
SELECT * FROM shmcache.memory;

\echo
\echo '=== 13. shmcache.drop_frame(''ticks_heap_cache'') gives its memory back'
SELECT shmcache.drop_frame('ticks_heap_cache');
SELECT * FROM shmcache.memory;
