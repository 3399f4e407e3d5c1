--
-- 02_types: every supported column type round-trips exactly
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 0;

CREATE TYPE t_mood AS ENUM ('sad', 'ok', 'happy');
CREATE TEMP TABLE t_mem AS SELECT used_bytes FROM shmcache.memory;

SELECT shmcache.create_frame('t_all',
  'id int4 NOT NULL, c_i2 int2, c_i4 int4, c_i8 int8, c_f4 float4, c_f8 float8,
   c_num numeric(12,3), c_bool bool, c_text text, c_vc varchar(10), c_ch char(5),
   c_bytea bytea, c_date date, c_time time, c_ts timestamp, c_tstz timestamptz,
   c_iv interval, c_uuid uuid, c_jsonb jsonb, c_mood t_mood, c_ia int4[], c_ta text[]');
SELECT columns FROM shmcache.frames WHERE frame = 't_all'::regclass;

-- the heap table with the same columns
CREATE TABLE t_heap (
  id int4 NOT NULL, c_i2 int2, c_i4 int4, c_i8 int8, c_f4 float4, c_f8 float8,
  c_num numeric(12,3), c_bool bool, c_text text, c_vc varchar(10), c_ch char(5),
  c_bytea bytea, c_date date, c_time time, c_ts timestamp, c_tstz timestamptz,
  c_iv interval, c_uuid uuid, c_jsonb jsonb, c_mood t_mood, c_ia int4[], c_ta text[]);

INSERT INTO t_heap VALUES
  (1, 1, 2, 3, 1.5, 2.25, 123456789.123, true, 'hello', 'varchar', 'ab',
   '\xdeadbeef', '2024-02-29', '23:59:59.999999', '2024-01-01 12:34:56.789',
   '2024-06-30 23:00:00+02', '1 year 2 mons 3 days 04:05:06.7',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2, {"b": null}], "c": "d"}',
   'happy', '{1,2,3}', '{"x","y z",NULL}'),
  -- extremes
  (2, -32768, -2147483648, -9223372036854775808, '-Infinity', 'NaN',
   -999999999.999, false, '', '', '', '\x', '4713-01-01 BC', '00:00',
   '294276-12-31 23:59:59.999999', '-infinity', '-178000000 years',
   '00000000-0000-0000-0000-000000000000', 'null', 'sad', '{}', '{}'),
  (3, 32767, 2147483647, 9223372036854775807, 'Infinity', '1e308',
   999999999.999, true, 'üñíçødé ✓ 日本語', '1234567890', 'abcde', '\x00ff00',
   'infinity', '24:00:00', 'infinity', 'infinity', '178000000 years',
   'ffffffff-ffff-ffff-ffff-ffffffffffff', '[1, "two", 3.5, true]', 'ok',
   '{{1,2},{3,NULL}}', '{{"a","b"},{"c","d"}}'),
  -- NULL in every nullable column
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  -- large values: a 100 kB text (toasted in the heap), a long array, a large jsonb and bytea
  (5, 0, 0, 0, -0.0, 1.0e-300, 0.001, false,
   (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 3200) g),
   'x', 'y    ', decode(repeat('0123456789abcdef', 8192), 'hex'),
   '2000-01-01', '12:00', '2000-01-01', '2000-01-01 00:00:00+00', '0',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a15', (SELECT jsonb_agg(g) FROM generate_series(1, 20000) g), 'ok',
   (SELECT array_agg(g) FROM generate_series(1, 50000) g),
   (SELECT array_agg(g::text) FROM generate_series(1, 10000) g)),
  -- a compressible large text
  (6, 6, 6, 6, 6, 6, 6, true, repeat('abc', 100000), 'six', 'six',
   '\x06', '2006-06-06', '06:06:06', '2006-06-06 06:06:06', '2006-06-06 06:06:06+06',
   '6 days', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a16', '{"six": 6}', 'sad',
   '{6,NULL,6}', '{"",NULL,"six"}');
-- plenty of ordinary rows, spanning two chunks
INSERT INTO t_heap
SELECT g, (g % 1000)::int2, g * 7, g::int8 * 1000000007, g / 8.0, g / 1024.0,
       (g * 1.001)::numeric(12,3), g % 3 = 0,
       CASE WHEN g % 10 = 0 THEN NULL ELSE 'row ' || g END,
       left('v' || g, 10), left('c' || g, 5), int4send(g),
       date '2020-01-01' + g, time '00:00' + g * interval '1 second',
       timestamp '2020-01-01' + g * interval '1 minute',
       timestamptz '2020-01-01 00:00+00' + g * interval '1 hour',
       g * interval '1 day 1 ms', md5(g::text)::uuid,
       jsonb_build_object('g', g, 'even', g % 2 = 0),
       (enum_range(NULL::t_mood))[g % 3 + 1],
       ARRAY[g, g + 1], ARRAY['t' || g]
  FROM generate_series(7, 20000) g;

-- the same rows into the frame
INSERT INTO t_all SELECT * FROM t_heap;

SELECT (SELECT count(*) FROM t_all) AS frame_rows, (SELECT count(*) FROM t_heap) AS heap_rows;
SELECT rows, chunks FROM shmcache.frames WHERE frame = 't_all'::regclass;

-- round trip, with the custom scan and with the function scan
CREATE FUNCTION t_compare() RETURNS TABLE (only_frame int8, only_heap int8, same_md5 bool)
LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM (SELECT * FROM t_all EXCEPT ALL SELECT * FROM t_heap) a),
         (SELECT count(*) FROM (SELECT * FROM t_heap EXCEPT ALL SELECT * FROM t_all) b),
         (SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM t_all t) =
         (SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM t_heap t)
$$;
SELECT * FROM t_compare();
SET shmcache.enable_customscan = off;
SELECT * FROM t_compare();
RESET shmcache.enable_customscan;

-- column by column (uses only the columns named)
SELECT count(*) AS mismatches FROM t_all f JOIN t_heap h USING (id)
 WHERE f.c_i2 IS DISTINCT FROM h.c_i2 OR f.c_i4 IS DISTINCT FROM h.c_i4
    OR f.c_i8 IS DISTINCT FROM h.c_i8 OR f.c_f4::text IS DISTINCT FROM h.c_f4::text
    OR f.c_f8::text IS DISTINCT FROM h.c_f8::text OR f.c_num IS DISTINCT FROM h.c_num
    OR f.c_bool IS DISTINCT FROM h.c_bool OR f.c_text IS DISTINCT FROM h.c_text
    OR f.c_vc IS DISTINCT FROM h.c_vc OR f.c_ch::text IS DISTINCT FROM h.c_ch::text
    OR f.c_bytea IS DISTINCT FROM h.c_bytea OR f.c_date IS DISTINCT FROM h.c_date
    OR f.c_time IS DISTINCT FROM h.c_time OR f.c_ts IS DISTINCT FROM h.c_ts
    OR f.c_tstz IS DISTINCT FROM h.c_tstz OR f.c_iv::text IS DISTINCT FROM h.c_iv::text
    OR f.c_uuid IS DISTINCT FROM h.c_uuid OR f.c_jsonb IS DISTINCT FROM h.c_jsonb
    OR f.c_mood IS DISTINCT FROM h.c_mood OR f.c_ia IS DISTINCT FROM h.c_ia
    OR f.c_ta IS DISTINCT FROM h.c_ta;

-- COPY TO of the frame equals COPY TO of the heap table (text and binary)
COPY (SELECT * FROM t_all ORDER BY id) TO '/tmp/shmcache_regress_types_frame.txt';
COPY (SELECT * FROM t_heap ORDER BY id) TO '/tmp/shmcache_regress_types_heap.txt';
SELECT md5(pg_read_file('/tmp/shmcache_regress_types_frame.txt')) =
       md5(pg_read_file('/tmp/shmcache_regress_types_heap.txt')) AS same_copy_text;
COPY (SELECT * FROM t_all ORDER BY id) TO '/tmp/shmcache_regress_types_frame.bin' (FORMAT binary);
COPY (SELECT * FROM t_heap ORDER BY id) TO '/tmp/shmcache_regress_types_heap.bin' (FORMAT binary);
SELECT md5(pg_read_binary_file('/tmp/shmcache_regress_types_frame.bin')) =
       md5(pg_read_binary_file('/tmp/shmcache_regress_types_heap.bin')) AS same_copy_binary;

-- the small rows, printed
SELECT id, c_i2, c_i4, c_i8, c_f4, c_f8, c_num, c_bool, c_vc, c_ch, c_bytea
  FROM t_all WHERE id <= 4 ORDER BY id;
SELECT id, c_text FROM t_all WHERE id IN (1, 2, 4) ORDER BY id;
SELECT c_text = (SELECT c_text FROM t_heap WHERE id = 3) AS same_non_ascii FROM t_all WHERE id = 3;
SELECT id, c_date, c_time, c_ts, c_tstz, c_iv FROM t_all WHERE id <= 4 ORDER BY id;
SELECT id, c_uuid, c_jsonb, c_mood, c_ia, c_ta FROM t_all WHERE id <= 4 ORDER BY id;
-- the large ones, summarised
SELECT id, length(c_text), length(c_bytea), array_length(c_ia, 1), cardinality(c_ta),
       jsonb_array_length(c_jsonb) FROM t_all WHERE id = 5;
SELECT id, length(c_text), md5(c_text) = md5(repeat('abc', 100000)) AS same FROM t_all WHERE id = 6;

-- filters on every type select the same rows as on the heap table
CREATE FUNCTION t_filter(pred text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    nf int8;
    nh int8;
    sf int8;
    sh int8;
BEGIN
    EXECUTE 'SELECT count(*), sum(id) FROM t_all WHERE ' || pred INTO nf, sf;
    EXECUTE 'SELECT count(*), sum(id) FROM t_heap WHERE ' || pred INTO nh, sh;
    IF nf = nh AND sf IS NOT DISTINCT FROM sh THEN
        RETURN nf || ' rows';
    END IF;
    RETURN format('DIFFERENT: frame %s rows (ids %s), heap %s rows (ids %s)', nf, sf, nh, sh);
END $$;
CREATE TEMP TABLE t_preds (n int, pred text);
INSERT INTO t_preds VALUES
  (1, 'c_i2 > 500'), (2, 'c_i2 = -32768'), (3, 'c_i4 < 0'), (4, 'c_i8 >= 9223372036854775807'),
  (5, 'c_i8 BETWEEN 7000000049 AND 50000000350'), (6, 'c_f4 > 1000'), (7, 'c_f4 = ''-Infinity'''),
  (8, 'c_f8 > 1e300'), (9, 'c_f8 = ''NaN'''), (10, 'c_f8 < 0.001'), (11, 'c_f4 = 0'),
  (12, 'c_num BETWEEN 0 AND 10'), (13, 'c_num < -1'), (14, 'c_bool'), (15, 'NOT c_bool'),
  (16, 'c_bool IS NULL'), (17, 'c_text > ''row 5'' COLLATE "C"'), (18, 'c_text LIKE ''row 1%'''),
  (19, 'c_text IS NULL'), (20, 'c_text = '''''), (21, 'c_vc = ''v100'''), (22, 'c_vc >= ''v9'' COLLATE "C"'),
  (23, 'c_ch = ''c100 '''), (24, 'c_ch < ''c2'' COLLATE "C"'), (25, 'c_bytea > ''\x00002000'''),
  (26, 'c_bytea = ''\x'''), (27, 'c_date < ''2020-06-01'''), (28, 'c_date = ''infinity'''),
  (29, 'c_date < ''1000-01-01'''), (30, 'c_time > ''03:00'''), (31, 'c_time = ''24:00'''),
  (32, 'c_ts > ''2020-01-10'''), (33, 'c_ts >= ''infinity'''), (34, 'c_tstz < ''2020-01-05'''),
  (35, 'c_tstz = ''-infinity'''), (36, 'c_iv > ''100 days'''), (37, 'c_iv < ''0'''),
  (38, 'c_uuid < ''80000000-0000-0000-0000-000000000000'''), (39, 'c_uuid IS NULL'), (40, 'c_jsonb ? ''g'''), (41, 'c_jsonb @> ''{"even": false}'''),
  (42, 'c_mood = ''ok'''), (43, 'c_mood > ''ok'''), (44, 'c_ia IS NULL'), (45, 'c_ia[1] > 19990'),
  (46, 'c_ta @> ''{t50}'''), (47, 'array_length(c_ia, 1) > 2'), (48, 'id % 1000 = 0'),
  (49, 'c_i4 IS NULL OR c_text IS NULL'), (50, 'c_f8 IN (2.25, 1, 0.5)');
SELECT n, pred, t_filter(pred) FROM t_preds ORDER BY n;
SET shmcache.enable_customscan = off;
SELECT n, t_filter(pred) FROM t_preds ORDER BY n;
RESET shmcache.enable_customscan;

-- operators of every type work on frame columns
SELECT count(*) FROM t_all WHERE c_mood > 'sad';
SELECT count(*) FROM t_all WHERE c_jsonb @> '{"even": true}';
SELECT count(*) FROM t_all WHERE c_ia @> ARRAY[100];
SELECT count(*) FROM t_all WHERE c_ch = 'c100';
SELECT count(*) FROM t_all WHERE c_tstz >= '2021-01-01' AND c_tstz < '2021-02-01';
SELECT count(*) FROM t_all WHERE c_uuid = md5('77')::uuid;
SELECT c_mood, count(*) FROM t_all GROUP BY c_mood ORDER BY c_mood;

-- typmods are enforced on load
SELECT shmcache.create_frame('t_typmod', 'v varchar(3), n numeric(5,2), c char(4), b bit(3), vb varbit(4), ts timestamp(0), t time(1), iv interval(2)');
INSERT INTO t_typmod (v) VALUES ('abcd');               -- too long
INSERT INTO t_typmod (v) VALUES ('abc   ');             -- trailing spaces are cut, as for tables
INSERT INTO t_typmod (v) VALUES ('ab'::varchar(10));
INSERT INTO t_typmod (n) VALUES (123.456), (0.005), (-1.115);
INSERT INTO t_typmod (n) VALUES (1000);                 -- overflows numeric(5,2)
INSERT INTO t_typmod (c) VALUES ('x'), ('wxyz');
INSERT INTO t_typmod (c) VALUES ('vwxyz');              -- too long
INSERT INTO t_typmod (b) VALUES (B'101');
INSERT INTO t_typmod (b) VALUES (B'10');                -- wrong length for bit(3)
INSERT INTO t_typmod (vb) VALUES (B'10101');            -- too long for varbit(4)
INSERT INTO t_typmod (ts, t, iv) VALUES ('2024-01-01 10:00:00.5', '10:00:00.06', '1.256 seconds');
SELECT v, length(v) AS len, n, c, c || '|' AS c_text, octet_length(c) AS c_octets, b, ts, t, iv
  FROM t_typmod ORDER BY v, n, c, b, ts;
SELECT count(*) FROM t_typmod;
-- the same through COPY
COPY t_typmod (v) FROM STDIN;
xyzw
\.
COPY t_typmod (n, c) FROM STDIN (FORMAT csv);
2.345,q
\.
SELECT n, c || '|' AS c FROM t_typmod WHERE c = 'q';
SELECT count(*) FROM t_typmod;

-- domains over base types keep their constraint
CREATE DOMAIN t_pos AS int4 CHECK (VALUE > 0);
SELECT shmcache.create_frame('t_dom', 'p t_pos, t text COLLATE "C"');
INSERT INTO t_dom VALUES (5, 'b'), (7, 'B');
INSERT INTO t_dom VALUES (-1, 'a');
SELECT * FROM t_dom ORDER BY t;
SELECT pg_typeof(p) FROM t_dom LIMIT 1;

-- composite and range types
CREATE TYPE t_pair AS (a int4, b text);
SELECT shmcache.create_frame('t_misc', 'pr t_pair, r int4range, ip inet, pt point, x xml');
INSERT INTO t_misc VALUES (ROW(1, 'one'), '[1,10)', '10.0.0.1/8', '(1,2)', '<a>b</a>'),
                          (NULL, 'empty', NULL, NULL, NULL);
SELECT pr, (pr).b, r, ip, pt, x FROM t_misc ORDER BY r;
SELECT count(*) FROM t_misc WHERE r @> 5;

-- clean up
SELECT shmcache.drop_frame('t_all');
SELECT shmcache.drop_frame('t_typmod');
SELECT shmcache.drop_frame('t_dom');
SELECT shmcache.drop_frame('t_misc');
DROP TABLE t_heap;
DROP FUNCTION t_compare(), t_filter(text);
DROP TABLE t_preds;
DROP TYPE t_mood, t_pair;
DROP DOMAIN t_pos;
SELECT m.used_bytes = b.used_bytes AS memory_back FROM shmcache.memory m, t_mem b;
DROP TABLE t_mem;
