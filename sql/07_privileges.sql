--
-- 07_privileges: frames follow the privileges of their views, as tables do
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
CREATE TEMP TABLE p_mem AS SELECT used_bytes FROM shmcache.memory;
GRANT SELECT ON p_mem TO PUBLIC;

CREATE ROLE regress_shmcache_alice;   -- owns the frame
CREATE ROLE regress_shmcache_bob;     -- gets privileges one by one
CREATE ROLE regress_shmcache_carol;   -- reads only through alice's view
CREATE SCHEMA p_s AUTHORIZATION regress_shmcache_alice;
GRANT USAGE ON SCHEMA p_s TO regress_shmcache_bob, regress_shmcache_carol;
GRANT CREATE ON SCHEMA p_s TO regress_shmcache_bob;
COPY (SELECT g, 'file ' || g FROM generate_series(1, 100) g) TO '/tmp/shmcache_regress_priv.csv' (FORMAT csv);

-- the owner can do everything, except what needs server files or programs
SET ROLE regress_shmcache_alice;
SELECT shmcache.create_frame('p_s.f', 'id int4 NOT NULL, t text');
SELECT frame, owner FROM shmcache.frames WHERE frame = 'p_s.f'::regclass;
INSERT INTO p_s.f VALUES (1, 'one'), (2, 'two');
COPY p_s.f FROM STDIN (FORMAT csv);
3,three
\.
SELECT * FROM p_s.f ORDER BY id;
SELECT shmcache.copy_from('p_s.f', '/tmp/shmcache_regress_priv.csv', 'format csv');
SELECT shmcache.copy_from_program('p_s.f', 'cat /tmp/shmcache_regress_priv.csv', 'format csv');
COPY p_s.f FROM '/tmp/shmcache_regress_priv.csv' (FORMAT csv);
COPY p_s.f FROM PROGRAM 'cat /tmp/shmcache_regress_priv.csv' (FORMAT csv);
SELECT count(*) FROM p_s.f;
-- a view and a SECURITY DEFINER function over the frame, for carol
CREATE VIEW p_s.v AS SELECT id, upper(t) AS t FROM p_s.f WHERE id <= 2;
GRANT SELECT ON p_s.v TO regress_shmcache_carol;
CREATE FUNCTION p_s.f_count() RETURNS int8 LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM p_s.f';
RESET ROLE;

-- server files need pg_read_server_files, programs pg_execute_server_program
GRANT pg_read_server_files TO regress_shmcache_alice;
SET ROLE regress_shmcache_alice;
SELECT shmcache.copy_from('p_s.f', '/tmp/shmcache_regress_priv.csv', 'format csv');
COPY p_s.f FROM '/tmp/shmcache_regress_priv.csv' (FORMAT csv);
SELECT shmcache.copy_from_program('p_s.f', 'cat /tmp/shmcache_regress_priv.csv', 'format csv');
RESET ROLE;
GRANT pg_execute_server_program TO regress_shmcache_alice;
SET ROLE regress_shmcache_alice;
SELECT shmcache.copy_from_program('p_s.f', 'cat /tmp/shmcache_regress_priv.csv', 'format csv');
COPY p_s.f FROM PROGRAM 'cat /tmp/shmcache_regress_priv.csv' (FORMAT csv);
SELECT count(*) FROM p_s.f;
SELECT shmcache.truncate('p_s.f');
INSERT INTO p_s.f VALUES (1, 'one'), (2, 'two'), (3, 'three');
RESET ROLE;
REVOKE pg_read_server_files, pg_execute_server_program FROM regress_shmcache_alice;
SELECT frame_id AS p_id FROM shmcache.frame_catalog WHERE view = 'p_s.f'::regclass \gset

-- bob, with no privileges on the frame, can do nothing with it
SET ROLE regress_shmcache_bob;
SELECT * FROM p_s.f;
SELECT count(*) FROM p_s.f;
SELECT * FROM shmcache.scan(:p_id) AS f(id int4, t text);
SET shmcache.enable_customscan = off;
SELECT * FROM p_s.f;
SELECT * FROM shmcache.scan(:p_id) AS f(id int4, t text);
RESET shmcache.enable_customscan;
COPY p_s.f TO STDOUT;
INSERT INTO p_s.f VALUES (4, 'four');
COPY p_s.f FROM STDIN;
4	four
\.
SELECT shmcache.copy_from('p_s.f', '/tmp/shmcache_regress_priv.csv', 'format csv');
SELECT shmcache.truncate('p_s.f');
TRUNCATE p_s.f;
SELECT shmcache.drop_frame('p_s.f');
DROP VIEW p_s.f;
SELECT shmcache.cache_table('p_s.f', 'p_s.p_bob_copy');
-- the reporting views are readable by everyone
SELECT frame, owner, rows FROM shmcache.frames WHERE frame = 'p_s.f'::regclass;
SELECT frames >= 1 AS has_frames FROM shmcache.memory;
RESET ROLE;
SELECT count(*) FROM p_s.f;

-- GRANT SELECT: bob can read, through the view and a direct scan, with both scans
GRANT SELECT ON p_s.f TO regress_shmcache_bob;
SET ROLE regress_shmcache_bob;
SELECT * FROM p_s.f ORDER BY id;
SELECT count(*) FROM shmcache.scan(:p_id) AS f(id int4, t text);
SET shmcache.enable_customscan = off;
SELECT * FROM p_s.f ORDER BY id;
SELECT count(*) FROM shmcache.scan(:p_id) AS f(id int4, t text);
RESET shmcache.enable_customscan;
COPY p_s.f TO STDOUT;
SELECT shmcache.cache_table('p_s.f', 'p_s.p_bob_copy');   -- a frame of his own
SELECT frame, owner, rows FROM shmcache.frames WHERE frame = 'p_s.p_bob_copy'::regclass;
SELECT shmcache.drop_frame('p_s.p_bob_copy');
-- ... but still not write
INSERT INTO p_s.f VALUES (4, 'four');
SELECT shmcache.truncate('p_s.f');
RESET ROLE;

-- GRANT INSERT: bob can add rows; server files still need the COPY roles
GRANT INSERT ON p_s.f TO regress_shmcache_bob;
SET ROLE regress_shmcache_bob;
INSERT INTO p_s.f VALUES (4, 'four');
INSERT INTO p_s.f SELECT * FROM p_s.f WHERE id = 4;
COPY p_s.f FROM STDIN;
5	five
\.
SELECT shmcache.copy_from('p_s.f', '/tmp/shmcache_regress_priv.csv', 'format csv');
SELECT shmcache.copy_from_program('p_s.f', 'cat /tmp/shmcache_regress_priv.csv', 'format csv');
COPY p_s.f FROM '/tmp/shmcache_regress_priv.csv' (FORMAT csv);
COPY p_s.f FROM PROGRAM 'cat /tmp/shmcache_regress_priv.csv' (FORMAT csv);
SELECT count(*), sum(id) FROM p_s.f;
SELECT shmcache.truncate('p_s.f');
TRUNCATE p_s.f;
RESET ROLE;
GRANT pg_read_server_files TO regress_shmcache_bob;
SET ROLE regress_shmcache_bob;
SELECT shmcache.copy_from('p_s.f', '/tmp/shmcache_regress_priv.csv', 'format csv');
SELECT shmcache.copy_from_program('p_s.f', 'cat /tmp/shmcache_regress_priv.csv', 'format csv');
SELECT count(*) FROM p_s.f;
RESET ROLE;
REVOKE pg_read_server_files FROM regress_shmcache_bob;

-- GRANT TRUNCATE: bob can empty the frame, but never drop it
GRANT TRUNCATE ON p_s.f TO regress_shmcache_bob;
SET ROLE regress_shmcache_bob;
BEGIN;
SELECT shmcache.truncate('p_s.f');
SELECT count(*) FROM p_s.f;
ROLLBACK;
TRUNCATE p_s.f;
SELECT count(*) FROM p_s.f;
INSERT INTO p_s.f VALUES (1, 'one'), (2, 'two'), (3, 'three');
SELECT shmcache.drop_frame('p_s.f');
DROP VIEW p_s.f;
RESET ROLE;

-- REVOKE takes it all back
REVOKE ALL ON p_s.f FROM regress_shmcache_bob;
SET ROLE regress_shmcache_bob;
SELECT count(*) FROM p_s.f;
SELECT count(*) FROM shmcache.scan(:p_id) AS f(id int4, t text);
INSERT INTO p_s.f VALUES (6, 'six');
TRUNCATE p_s.f;
RESET ROLE;

-- a column privilege allows reading that column only
GRANT SELECT (id) ON p_s.f TO regress_shmcache_bob;
SET ROLE regress_shmcache_bob;
SELECT id FROM p_s.f ORDER BY id;
SELECT count(*) FROM p_s.f;
SELECT t FROM p_s.f;
RESET ROLE;
REVOKE ALL ON p_s.f FROM regress_shmcache_bob;

-- carol reads through alice's view and SECURITY DEFINER function only
SET ROLE regress_shmcache_carol;
SELECT * FROM p_s.v ORDER BY id;
-- the plain function scan cannot see the view: it checks the current user
SET shmcache.enable_customscan = off;
SELECT * FROM p_s.v ORDER BY id;
RESET shmcache.enable_customscan;
SELECT p_s.f_count();
SELECT * FROM p_s.f;
SELECT * FROM shmcache.scan(:p_id) AS f(id int4, t text);
-- naming alice's view in the same query gives no right to scan the frame directly
SELECT * FROM p_s.v UNION ALL SELECT * FROM shmcache.scan(:p_id) AS f(id int4, t text);
RESET ROLE;

-- the owner drops the frame; the superuser can do anything
SET ROLE regress_shmcache_alice;
SELECT shmcache.create_frame('p_s.g', 'a int4');
RESET ROLE;
INSERT INTO p_s.g VALUES (1);
SELECT shmcache.copy_from_program('p_s.g', 'echo 2');
SELECT * FROM p_s.g ORDER BY a;
SELECT shmcache.truncate('p_s.g');
SELECT shmcache.drop_frame('p_s.g');
SET ROLE regress_shmcache_alice;
DROP FUNCTION p_s.f_count();
DROP VIEW p_s.v;
SELECT shmcache.drop_frame('p_s.f');
SELECT count(*) FROM shmcache.frames WHERE frame::text LIKE 'p\_%';
RESET ROLE;

-- clean up
DROP SCHEMA p_s;
DROP ROLE regress_shmcache_alice, regress_shmcache_bob, regress_shmcache_carol;
SELECT m.used_bytes = b.used_bytes AS memory_back FROM shmcache.memory m, p_mem b;
DROP TABLE p_mem;
