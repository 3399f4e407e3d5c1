--
-- 01_basic: creating, filling, reading, reporting on and dropping frames
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;

-- baseline of memory use, to check that everything is given back
CREATE TEMP TABLE b_mem AS SELECT used_bytes FROM shmcache.memory;
SELECT total_bytes BETWEEN 127 * 1024 * 1024 AND 128 * 1024 * 1024 AS total_is_128mb,
       used_bytes + free_bytes = total_bytes AS used_plus_free
  FROM shmcache.memory;

-- create_frame returns the view as regclass
SELECT shmcache.create_frame('b_ticks',
       'id int8 NOT NULL, symbol varchar(8), price numeric(10,2), qty int4');
SELECT pg_typeof(shmcache.create_frame('b_other', 'x int4'));
\d b_ticks
SELECT frame, owner, columns, rows, bytes > 0 AS has_bytes, chunks, updated IS NULL AS never_updated
  FROM shmcache.frames WHERE frame::text LIKE 'b\_%' ORDER BY frame::text COLLATE "C";

-- an empty frame reads as empty
SELECT count(*) FROM b_ticks;
SELECT * FROM b_ticks;

-- insert and read
INSERT INTO b_ticks VALUES (1, 'AAPL', 191.25, 100), (2, 'MSFT', 402.5, NULL),
                           (3, NULL, NULL, 7);
INSERT INTO b_ticks (id, qty) VALUES (4, 9);
INSERT INTO b_ticks VALUES (5, 'GOOG', 140.129, 3);   -- numeric(10,2) rounds
SELECT * FROM b_ticks ORDER BY id;
SELECT symbol, price FROM b_ticks WHERE qty > 5 ORDER BY id;
SELECT count(*), sum(price), min(symbol), max(id) FROM b_ticks;
SELECT frame, rows, chunks, updated IS NOT NULL AS updated
  FROM shmcache.frames WHERE frame = 'b_ticks'::regclass;
SELECT used_bytes > (SELECT used_bytes FROM b_mem) AS uses_memory,
       frames >= 1 AS frames
  FROM shmcache.memory;

-- INSERT ... RETURNING goes through the view's INSTEAD OF trigger
INSERT INTO b_ticks VALUES (6, 'IBM', 1, 1) RETURNING id, symbol;

-- expressions over columns, in the select list and in ORDER BY
SELECT id * 10 AS id10, lower(symbol) AS sym, price + 1 AS p1 FROM b_ticks ORDER BY id;
SELECT id, qty FROM b_ticks ORDER BY coalesce(qty, 0) - id DESC, id;
SELECT b FROM b_ticks b WHERE id < 3 ORDER BY id;   -- whole-row reference
SELECT id, (SELECT id + 1) AS next FROM b_ticks WHERE id < 3 ORDER BY id;
EXPLAIN (COSTS OFF, VERBOSE) SELECT id * 10 FROM b_ticks;

-- the same through the plain function scan
SET shmcache.enable_customscan = off;
SELECT * FROM b_ticks ORDER BY id;
RESET shmcache.enable_customscan;

-- EXPLAIN shows the custom scan, the frame and the columns read
EXPLAIN (COSTS OFF) SELECT * FROM b_ticks;
EXPLAIN (COSTS OFF) SELECT symbol FROM b_ticks WHERE id > 2;
EXPLAIN (COSTS OFF, VERBOSE) SELECT sum(qty) FROM b_ticks WHERE symbol = 'AAPL';
SET shmcache.enable_customscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM b_ticks;
RESET shmcache.enable_customscan;

-- the planner knows the real row count
CREATE FUNCTION b_plan_rows(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    j json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO j;
    RETURN (j -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
END $$;
SELECT b_plan_rows('SELECT * FROM b_ticks') AS plan_rows,
       (SELECT rows FROM shmcache.frames WHERE frame = 'b_ticks'::regclass) AS frame_rows;
INSERT INTO b_ticks SELECT g, 'X', g, g FROM generate_series(100, 40099) g;
SELECT b_plan_rows('SELECT * FROM b_ticks') AS plan_rows,
       (SELECT rows FROM shmcache.frames WHERE frame = 'b_ticks'::regclass) AS frame_rows;
SET shmcache.enable_customscan = off;
SELECT b_plan_rows('SELECT * FROM b_ticks') AS plan_rows_function_scan;
RESET shmcache.enable_customscan;
SELECT rows, chunks FROM shmcache.frames WHERE frame = 'b_ticks'::regclass;
SELECT count(*), sum(id), count(DISTINCT symbol) FROM b_ticks;

-- truncate gives the memory of the rows back
CREATE TEMP TABLE b_mem_empty AS SELECT 0::int8 AS used_bytes;
SELECT shmcache.truncate('b_ticks');
SELECT count(*) FROM b_ticks;
SELECT rows, chunks FROM shmcache.frames WHERE frame = 'b_ticks'::regclass;
-- remember the use with both frames empty
UPDATE b_mem_empty SET used_bytes = (SELECT used_bytes FROM shmcache.memory);
INSERT INTO b_ticks SELECT g, 'Y', g, g FROM generate_series(1, 20000) g;
SELECT rows, chunks FROM shmcache.frames WHERE frame = 'b_ticks'::regclass;
SELECT m.used_bytes > e.used_bytes AS grew FROM shmcache.memory m, b_mem_empty e;
TRUNCATE b_ticks;
SELECT m.used_bytes = e.used_bytes AS back_after_truncate FROM shmcache.memory m, b_mem_empty e;
SELECT count(*) FROM b_ticks;
INSERT INTO b_ticks VALUES (1, 'AGAIN', 1, 1);
SELECT * FROM b_ticks;

-- drop_frame gives everything back
SELECT shmcache.drop_frame('b_other');
SELECT shmcache.drop_frame('b_ticks');
SELECT count(*) FROM shmcache.frames WHERE frame::text LIKE 'b\_%';
SELECT m.used_bytes = b.used_bytes AS back_after_drop FROM shmcache.memory m, b_mem b;
SELECT * FROM b_ticks;   -- gone

-- DROP VIEW frees a frame as well
SELECT shmcache.create_frame('b_dv', 'a int4, b text');
INSERT INTO b_dv SELECT g, repeat('z', g % 50) FROM generate_series(1, 30000) g;
SELECT rows, chunks FROM shmcache.frames WHERE frame = 'b_dv'::regclass;
DROP VIEW b_dv;
SELECT count(*) FROM shmcache.frames WHERE frame::text LIKE 'b\_%';
SELECT m.used_bytes = b.used_bytes AS back_after_drop_view FROM shmcache.memory m, b_mem b;

-- schema-qualified names, and DROP SCHEMA ... CASCADE
CREATE SCHEMA b_schema;
SELECT shmcache.create_frame('b_schema.f1', 'a int4 NOT NULL, note text');
SELECT shmcache.create_frame('b_schema.f2', 'x float8');
SELECT shmcache.create_frame('b_schema."Mixed Case"', '"Col A" int4, "select" text');
INSERT INTO b_schema.f1 VALUES (1, 'one'), (2, 'two');
INSERT INTO b_schema.f2 SELECT g / 4.0 FROM generate_series(1, 100) g;
INSERT INTO b_schema."Mixed Case" VALUES (1, 'quoted');
SELECT * FROM b_schema."Mixed Case";
SELECT frame, columns, rows FROM shmcache.frames
 WHERE frame::text LIKE 'b\_schema.%' ORDER BY frame::text COLLATE "C";
SELECT * FROM b_schema.f1 ORDER BY a;
SELECT sum(x) FROM b_schema.f2;
EXPLAIN (COSTS OFF) SELECT * FROM b_schema.f1;
-- a frame in a schema not on the search_path is found by its qualified name
SELECT shmcache.truncate('b_schema.f2');
SELECT count(*) FROM b_schema.f2;
DROP SCHEMA b_schema CASCADE;
SELECT count(*) FROM shmcache.frames WHERE frame::text LIKE 'b\_schema.%';
SELECT m.used_bytes = b.used_bytes AS back_after_drop_schema FROM shmcache.memory m, b_mem b;

-- the search_path decides where an unqualified frame goes
CREATE SCHEMA b_path;
SET search_path = b_path, public;
SELECT shmcache.create_frame('b_sp', 'a int4');
SELECT frame::text, (SELECT nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE c.oid = frame) AS schema
  FROM shmcache.frames WHERE frame::text LIKE '%b\_sp';
RESET search_path;
SELECT shmcache.drop_frame('b_path.b_sp');
DROP SCHEMA b_path;

-- varchar(n), numeric(p,s) and NOT NULL are kept in the definition
SELECT shmcache.create_frame('b_typmods',
       'v varchar(3) NOT NULL, n numeric(5,2), c char(4), t timestamp(0)');
SELECT columns FROM shmcache.frames WHERE frame = 'b_typmods'::regclass;
INSERT INTO b_typmods VALUES ('ab', 1.005, 'x', '2024-01-02 03:04:05.6');
SELECT v, n, c || '|' AS c, t FROM b_typmods;
SELECT * FROM b_typmods;
SELECT shmcache.drop_frame('b_typmods');

-- nothing is left behind
SELECT count(*) FROM shmcache.frames;
SELECT frames = 0 AS no_frames_left FROM shmcache.memory;
SELECT m.used_bytes = b.used_bytes AS back_at_start FROM shmcache.memory m, b_mem b;

DROP FUNCTION b_plan_rows(text);
DROP TABLE b_mem, b_mem_empty;
