--
-- 13_hardening_small: what PostgreSQL checks or refuses for a table is
-- checked or refused for a frame too
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
CREATE TEMP TABLE h_mem AS SELECT used_bytes FROM shmcache.memory;

-- h_err(stmt): "SQLSTATE: message" of the error the statement raises, and
-- the table and column the error names, if any
CREATE FUNCTION h_err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text;
    msg text;
    tab text;
    col text;
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            tab = TABLE_NAME, col = COLUMN_NAME;
    RETURN st || ': ' || msg || coalesce(' [' || nullif(tab, '') || '.' || col || ']', '');
END $$;

--
-- ALTER DOMAIN ... ADD CONSTRAINT / SET NOT NULL / VALIDATE CONSTRAINT check
-- the values frames hold, as they check tables' values
--
CREATE DOMAIN h_pos AS int4;
CREATE DOMAIN h_pos_sub AS h_pos;          -- a domain over the domain
CREATE DOMAIN h_other AS int4;
CREATE SCHEMA h_s;
SELECT shmcache.create_frame('h_d', 'id int4, a h_pos, b h_pos_sub, c h_other');
SELECT shmcache.create_frame('h_s.h_d2', 'x h_pos');
-- the offending values sit past the first chunk
INSERT INTO h_d SELECT g, g, g + 10, -g FROM generate_series(1, 20000) g;
INSERT INTO h_d VALUES (20001, -1, 1, -1);
-- a heap table holding the same values, for comparison
CREATE TABLE h_t (a h_pos);
INSERT INTO h_t VALUES (-1);
SELECT h_err('ALTER DOMAIN h_pos ADD CHECK (VALUE > 0)');
DELETE FROM h_t;
SELECT h_err('ALTER DOMAIN h_pos ADD CHECK (VALUE > 0)');
SELECT h_err('ALTER DOMAIN h_pos ADD CONSTRAINT h_pos_gt0 CHECK (VALUE > 0)');
SELECT count(*) AS constraints FROM pg_constraint WHERE contypid = 'h_pos'::regtype;
-- a NOT VALID constraint is not checked, and VALIDATE CONSTRAINT checks it
SELECT h_err('ALTER DOMAIN h_pos ADD CONSTRAINT h_pos_gt0 CHECK (VALUE > 0) NOT VALID');
SELECT h_err('ALTER DOMAIN h_pos VALIDATE CONSTRAINT h_pos_gt0');
SELECT conname, convalidated FROM pg_constraint WHERE contypid = 'h_pos'::regtype;
-- a value of the domain over the domain (column b)
SELECT h_err('ALTER DOMAIN h_pos ADD CONSTRAINT h_pos_lt CHECK (VALUE < 20005)');
-- a constraint every value meets is added
SELECT h_err('ALTER DOMAIN h_pos ADD CONSTRAINT h_pos_gt CHECK (VALUE > -5)');
-- another frame, in another schema
INSERT INTO h_s.h_d2 VALUES (77777);
SELECT h_err('ALTER DOMAIN h_pos ADD CONSTRAINT h_pos_ne CHECK (VALUE <> 77777)');
-- SET NOT NULL
INSERT INTO h_s.h_d2 VALUES (NULL);
SELECT h_err('ALTER DOMAIN h_pos SET NOT NULL');
SELECT shmcache.truncate('h_s.h_d2');
SELECT h_err('ALTER DOMAIN h_pos SET NOT NULL');
SELECT h_err('ALTER DOMAIN h_pos DROP NOT NULL');
-- the rows the transaction itself has added or removed count
BEGIN;
INSERT INTO h_d VALUES (20002, 30000, 1, -1);
SELECT h_err('ALTER DOMAIN h_pos ADD CONSTRAINT h_pos_lt CHECK (VALUE < 25000)');
ROLLBACK;
BEGIN;
SELECT shmcache.truncate('h_d');
SELECT h_err('ALTER DOMAIN h_pos ADD CONSTRAINT h_pos_gt0b CHECK (VALUE > 0)');
ROLLBACK;
SELECT count(*) FROM h_d;
-- the statement's own error
ALTER DOMAIN h_pos ADD CHECK (VALUE > 0);
-- a column of another type, or of an array or composite type over the
-- domain: refused, as for a table (by PostgreSQL itself)
SELECT h_err('ALTER DOMAIN h_other ADD CHECK (VALUE > 0)');
SELECT h_err('ALTER DOMAIN h_other ADD CHECK (VALUE < 0)');
CREATE DOMAIN h_elem AS int4;
SELECT shmcache.create_frame('h_arr', 'v h_elem[]');
SELECT h_err('ALTER DOMAIN h_elem ADD CHECK (VALUE > 0)');
SELECT shmcache.drop_frame('h_arr');
CREATE TYPE h_comp AS (v h_elem);
SELECT shmcache.create_frame('h_cmp', 'c h_comp');
SELECT h_err('ALTER DOMAIN h_elem ADD CHECK (VALUE > 0)');
SELECT shmcache.drop_frame('h_cmp');
SELECT h_err('ALTER DOMAIN h_elem ADD CHECK (VALUE > 0)');
-- frames still readable, and values checked on the way in
SELECT count(*), min(a), min(b) FROM h_d;
INSERT INTO h_d VALUES (1, -3, 1, -1);
SELECT shmcache.drop_frame('h_d');
SELECT shmcache.drop_frame('h_s.h_d2');
DROP TABLE h_t;
DROP TYPE h_comp;
DROP DOMAIN h_pos_sub;
DROP DOMAIN h_pos, h_other, h_elem;
DROP SCHEMA h_s;

--
-- COPY FREEZE: refused, as the other things a frame cannot do
--
COPY (SELECT g, 'v' || g FROM generate_series(1, 3) g) TO '/tmp/shmcache_regress_h.csv' (FORMAT csv);
SELECT shmcache.create_frame('h_l', 'id int4, t text');
SELECT h_err($$SELECT shmcache.copy_from('h_l', '/tmp/shmcache_regress_h.csv', 'format csv, freeze true')$$);
SELECT h_err($$SELECT shmcache.copy_from('h_l', '/tmp/shmcache_regress_h.csv', 'freeze, format csv')$$);
SELECT h_err($$SELECT shmcache.copy_from_program('h_l', 'cat /tmp/shmcache_regress_h.csv', 'format csv, freeze')$$);
COPY h_l FROM '/tmp/shmcache_regress_h.csv' (FORMAT csv, FREEZE);
COPY h_l FROM '/tmp/shmcache_regress_h.csv' CSV FREEZE;
-- (psql skips the data of a COPY FROM STDIN that fails before reading it)
COPY h_l FROM STDIN (FREEZE true);
1	a
\.
SELECT count(*) FROM h_l;
-- FREEZE false asks for nothing
SELECT shmcache.copy_from('h_l', '/tmp/shmcache_regress_h.csv', 'format csv, freeze false');
COPY h_l FROM '/tmp/shmcache_regress_h.csv' (FORMAT csv, FREEZE false);
SELECT count(*) FROM h_l;
SELECT shmcache.drop_frame('h_l');

--
-- COPY with a column list needs INSERT on those columns only, as for a table
--
COPY (SELECT g, 'w' || g FROM generate_series(20, 22) g) TO '/tmp/shmcache_regress_h_cols.csv' (FORMAT csv);
SELECT shmcache.create_frame('h_c', 'id int4, t text');
CREATE ROLE regress_shmcache_h_dave;
GRANT INSERT (id) ON h_c TO regress_shmcache_h_dave;
SET ROLE regress_shmcache_h_dave;
INSERT INTO h_c (id) VALUES (10);
COPY h_c (id) FROM STDIN;
11
\.
COPY h_c (id, t) FROM STDIN;
12	x
\.
COPY h_c FROM STDIN;
12	x
\.
RESET ROLE;
-- INSERT on every column is as good as INSERT on the view
GRANT INSERT (t) ON h_c TO regress_shmcache_h_dave;
SET ROLE regress_shmcache_h_dave;
COPY h_c FROM STDIN;
13	y
\.
COPY h_c (t, id) FROM STDIN;
z	14
\.
RESET ROLE;
GRANT pg_read_server_files TO regress_shmcache_h_dave;
SET ROLE regress_shmcache_h_dave;
SELECT shmcache.copy_from('h_c', '/tmp/shmcache_regress_h_cols.csv', 'format csv');
RESET ROLE;
REVOKE INSERT (t) ON h_c FROM regress_shmcache_h_dave;
SET ROLE regress_shmcache_h_dave;
SELECT h_err($$SELECT shmcache.copy_from('h_c', '/tmp/shmcache_regress_h_cols.csv', 'format csv')$$);
RESET ROLE;
SELECT id, t FROM h_c ORDER BY id, t;
REVOKE pg_read_server_files FROM regress_shmcache_h_dave;
REVOKE ALL ON h_c FROM regress_shmcache_h_dave;
DROP ROLE regress_shmcache_h_dave;
SELECT shmcache.drop_frame('h_c');

--
-- create_frame refuses what CREATE TABLE refuses
--
SELECT h_err($$SELECT shmcache.create_frame('h_g', 'a int4 NOT NULL NULL')$$);
SELECT h_err($$SELECT shmcache.create_frame('h_g', 'a int4, b int4 NULL NOT NULL')$$);
SELECT h_err($$SELECT shmcache.create_frame('h_g', 'a SETOF int4')$$);
SELECT h_err($$SELECT shmcache.create_frame('h_g', 'a int4 OPTIONS (x ''y'')')$$);
CREATE TABLE h_g (a int4 NOT NULL NULL);
CREATE TABLE h_g (a SETOF int4);
-- what CREATE TABLE accepts
SELECT shmcache.create_frame('h_g', 'a int4 NOT NULL NOT NULL, b int4 NULL NULL, c int4 NULL');
SELECT columns FROM shmcache.frames WHERE frame = 'h_g'::regclass;
SELECT shmcache.drop_frame('h_g');

--
-- cache_table of a table without columns
--
CREATE TABLE h_none ();
SELECT h_err($$SELECT shmcache.cache_table('h_none')$$);
CREATE TABLE h_dropped (a int4);
ALTER TABLE h_dropped DROP COLUMN a;
SELECT h_err($$SELECT shmcache.cache_table('h_dropped')$$);
SELECT count(*) FROM pg_class WHERE relname IN ('h_none_cache', 'h_dropped_cache');
DROP TABLE h_none, h_dropped;

--
-- a regclass argument naming no relation: PostgreSQL's error, not XX000
--
SELECT h_err($$SELECT shmcache.copy_from(0, '/tmp/shmcache_regress_h.csv')$$);
SELECT h_err($$SELECT shmcache.copy_from_program(0, 'true')$$);
SELECT h_err($$SELECT shmcache.truncate(0)$$);
SELECT h_err($$SELECT shmcache.restore(0)$$);
SELECT h_err($$SELECT shmcache.save(0)$$);
SELECT h_err($$SELECT shmcache.drop_frame(0)$$);
SELECT h_err($$SELECT shmcache.cache_table(0)$$);
-- the OID of a dropped relation
CREATE TABLE h_gone (a int4);
SELECT 'h_gone'::regclass::oid AS h_gone_oid \gset
DROP TABLE h_gone;
SELECT regexp_replace(h_err(format('SELECT shmcache.copy_from(%s, ''/tmp/x'')', :h_gone_oid)), '[0-9]{3,}', 'N');
SELECT regexp_replace(h_err(format('SELECT shmcache.truncate(%s)', :h_gone_oid)), '[0-9]{3,}', 'N');
SELECT regexp_replace(h_err(format('SELECT shmcache.restore(%s)', :h_gone_oid)), '[0-9]{3,}', 'N');
SELECT regexp_replace(h_err(format('SELECT shmcache.cache_table(%s)', :h_gone_oid)), '[0-9]{3,}', 'N');

--
-- a NULL frame id reads no rows, as the STRICT function shmcache.scan()
-- returns none, in both custom nodes and in a generic plan
--
SELECT shmcache.create_frame('h_n', 'id int4, t text');
INSERT INTO h_n SELECT g, 'v' || g FROM generate_series(1, 5) g;
SELECT frame_id AS h_n_id FROM shmcache.frame_catalog WHERE view = 'h_n'::regclass \gset
PREPARE h_rows(int8) AS SELECT * FROM shmcache.scan($1) AS f(id int4, t text) WHERE id > 0;
PREPARE h_agg(int8) AS SELECT count(*), sum(id), min(t) FROM shmcache.scan($1) AS f(id int4, t text) WHERE id > 0;
PREPARE h_grp(int8) AS SELECT t, count(*) FROM shmcache.scan($1) AS f(id int4, t text) GROUP BY t;
SET plan_cache_mode = force_generic_plan;
EXECUTE h_rows(NULL);
EXECUTE h_agg(NULL);
EXECUTE h_grp(NULL);
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) EXECUTE h_rows(NULL);
EXPLAIN (COSTS OFF, ANALYZE, TIMING OFF, SUMMARY OFF) EXECUTE h_agg(NULL);
EXECUTE h_agg(:h_n_id);
EXECUTE h_agg(NULL);
RESET plan_cache_mode;
-- a constant NULL, and what the plain function scan returns
SELECT * FROM shmcache.scan(NULL) AS f(id int4, t text);
SELECT count(*), sum(id), min(t) FROM shmcache.scan(NULL) AS f(id int4, t text);
EXPLAIN (COSTS OFF) SELECT count(*), sum(id), min(t) FROM shmcache.scan(NULL) AS f(id int4, t text);
SET shmcache.enable_customscan = off;
SELECT * FROM shmcache.scan(NULL) AS f(id int4, t text);
SELECT count(*), sum(id), min(t) FROM shmcache.scan(NULL) AS f(id int4, t text);
RESET shmcache.enable_customscan;
-- a frame id that is NULL on some rescans and not on others
SELECT v.x IS NULL AS null_id,
       (SELECT count(*) FROM shmcache.scan(v.x) AS f(id int4, t text) WHERE id > 0),
       (SELECT count(*) FROM (SELECT * FROM shmcache.scan(v.x) AS f(id int4, t text) WHERE id > 0 OFFSET 0) s)
  FROM (VALUES (NULL::int8), (:h_n_id), (NULL), (:h_n_id)) v(x);

SELECT shmcache.drop_frame('h_n');

-- clean up
DROP FUNCTION h_err(text);
SELECT m.used_bytes = h.used_bytes AS memory_back FROM shmcache.memory m, h_mem h;
DROP TABLE h_mem;
