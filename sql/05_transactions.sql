--
-- 05_transactions: frame changes are transactional
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
CREATE TEMP TABLE x_mem AS SELECT used_bytes FROM shmcache.memory;
-- x_state(): rows, sum of ids, and whether used_bytes equals the remembered value
CREATE TEMP TABLE x_mark (used_bytes int8);
CREATE FUNCTION x_remember() RETURNS void LANGUAGE sql AS $$
  DELETE FROM x_mark; INSERT INTO x_mark SELECT used_bytes FROM shmcache.memory;
$$;

SELECT shmcache.create_frame('x_f', 'id int8 NOT NULL, t text');
CREATE FUNCTION x_state(OUT n int8, OUT ids int8, OUT same_memory bool) LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM x_f), (SELECT sum(id) FROM x_f),
         (SELECT used_bytes FROM shmcache.memory) = (SELECT used_bytes FROM x_mark)
$$;
COPY (SELECT g, 'file ' || g FROM generate_series(1001, 41000) g) TO '/tmp/shmcache_regress_xact.csv' (FORMAT csv);
INSERT INTO x_f SELECT g, 'base ' || g FROM generate_series(1, 1000) g;
SELECT x_remember();
SELECT * FROM x_state();

-- rollback of copy_from, INSERT, COPY FROM STDIN, truncate
BEGIN;
SELECT shmcache.copy_from('x_f', '/tmp/shmcache_regress_xact.csv', 'format csv');
SELECT n, ids FROM x_state();       -- read your own writes
ROLLBACK;
SELECT * FROM x_state();
BEGIN;
INSERT INTO x_f SELECT g, repeat('x', 100) FROM generate_series(2001, 60000) g;
INSERT INTO x_f VALUES (-1, 'one more');
COPY x_f FROM STDIN;
-2	from stdin
\.
SELECT n, ids FROM x_state();
ROLLBACK;
SELECT * FROM x_state();
BEGIN;
SELECT shmcache.truncate('x_f');
SELECT n, ids FROM x_state();
ROLLBACK;
SELECT * FROM x_state();
BEGIN;
TRUNCATE x_f;
INSERT INTO x_f VALUES (5, 'five');
SELECT n, ids FROM x_state();
ROLLBACK;
SELECT * FROM x_state();
-- an error aborts the transaction: the same as a rollback
BEGIN;
INSERT INTO x_f SELECT g, 'err' FROM generate_series(5001, 30000) g;
SELECT 1 / 0;
COMMIT;
SELECT * FROM x_state();
-- ... also inside a function
CREATE FUNCTION x_fail() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO x_f SELECT g, 'f' FROM generate_series(1, 20000) g;
    RAISE EXCEPTION 'failing after the insert';
END $$;
SELECT x_fail();
SELECT * FROM x_state();
-- a plpgsql exception block is a subtransaction
CREATE FUNCTION x_catch() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO x_f VALUES (7001, 'kept');
    BEGIN
        INSERT INTO x_f SELECT g, 'lost' FROM generate_series(7002, 27001) g;
        RAISE EXCEPTION 'undo the inner block';
    EXCEPTION WHEN raise_exception THEN
        NULL;
    END;
    RETURN (SELECT string_agg(t, ',') FROM x_f WHERE id > 7000);
END $$;
SELECT x_catch();
SELECT count(*), max(id) FROM x_f;
DELETE FROM x_mark;
SELECT shmcache.truncate('x_f');
INSERT INTO x_f SELECT g, 'base ' || g FROM generate_series(1, 1000) g;
SELECT x_remember();

-- savepoints
BEGIN;
INSERT INTO x_f VALUES (2001, 'a');
SAVEPOINT s1;
INSERT INTO x_f SELECT g, 'b' FROM generate_series(2002, 30000) g;
SELECT count(*) FROM x_f;
ROLLBACK TO SAVEPOINT s1;
SELECT count(*), max(id) FROM x_f;
INSERT INTO x_f VALUES (2002, 'c');
SAVEPOINT s2;
INSERT INTO x_f VALUES (2003, 'd');
SAVEPOINT s3;
INSERT INTO x_f VALUES (2004, 'e');
SAVEPOINT s4;
INSERT INTO x_f VALUES (2005, 'f');
RELEASE SAVEPOINT s4;
ROLLBACK TO SAVEPOINT s3;          -- undoes 2004 and 2005
SELECT id, t FROM x_f WHERE id > 2000 ORDER BY id;
RELEASE SAVEPOINT s2;              -- keeps 2003
SAVEPOINT s5;
SELECT shmcache.copy_from('x_f', '/tmp/shmcache_regress_xact.csv', 'format csv');
ROLLBACK TO s5;
SAVEPOINT s6;
INSERT INTO x_f VALUES (NULL, 'bad');   -- fails: the subtransaction is aborted
ROLLBACK TO s6;
INSERT INTO x_f VALUES (2006, 'g');
COMMIT;
SELECT id, t FROM x_f WHERE id > 2000 ORDER BY id;
SELECT count(*) FROM x_f;
-- truncate inside a savepoint, rolled back
BEGIN;
INSERT INTO x_f VALUES (3001, 'h');
SAVEPOINT s1;
TRUNCATE x_f;
INSERT INTO x_f VALUES (3002, 'i');
SELECT count(*) FROM x_f;
ROLLBACK TO s1;
SELECT count(*), max(id) FROM x_f;
COMMIT;
SELECT count(*), max(id) FROM x_f;
-- truncate committed inside a released savepoint
BEGIN;
SAVEPOINT s1;
TRUNCATE x_f;
RELEASE s1;
INSERT INTO x_f VALUES (1, 'only');
COMMIT;
SELECT * FROM x_f;

-- BEGIN; truncate; load; COMMIT replaces the rows
INSERT INTO x_f SELECT g, 'old' FROM generate_series(2, 20000) g;
BEGIN;
SELECT shmcache.truncate('x_f');
SELECT shmcache.copy_from('x_f', '/tmp/shmcache_regress_xact.csv', 'format csv');
SELECT count(*), min(id), max(id) FROM x_f;
COMMIT;
SELECT count(*), min(id), max(id), count(*) FILTER (WHERE t = 'old') AS old FROM x_f;
SELECT rows, chunks FROM shmcache.frames WHERE frame = 'x_f'::regclass;
-- the same as a single statement of a function
CREATE FUNCTION x_replace() RETURNS int8 LANGUAGE plpgsql AS $$
BEGIN
    PERFORM shmcache.truncate('x_f');
    RETURN shmcache.copy_from('x_f', '/tmp/shmcache_regress_xact.csv', 'format csv');
END $$;
SELECT x_replace();
SELECT count(*), min(id), max(id) FROM x_f;

-- read your own writes; a cursor opened before an insert does not see it
SELECT shmcache.truncate('x_f');
INSERT INTO x_f VALUES (1, 'one'), (2, 'two');
BEGIN;
DECLARE x_c CURSOR FOR SELECT id, t FROM x_f ORDER BY id;
DECLARE x_c2 CURSOR FOR SELECT id, t FROM x_f;
FETCH 1 FROM x_c2;
INSERT INTO x_f VALUES (3, 'three');
SELECT * FROM x_f ORDER BY id;
FETCH ALL FROM x_c;
FETCH ALL FROM x_c2;
DECLARE x_c3 CURSOR FOR SELECT count(*) FROM x_f;
TRUNCATE x_f;
INSERT INTO x_f VALUES (4, 'four');
FETCH ALL FROM x_c3;
SELECT * FROM x_f;
ROLLBACK;
SELECT * FROM x_f ORDER BY id;
-- a statement sees the rows of the transaction as they were when it started
SELECT shmcache.create_frame('x_s', 'id int8 NOT NULL, t text');
BEGIN;
INSERT INTO x_s SELECT * FROM x_f;
INSERT INTO x_s SELECT id + 10, t FROM x_s;
INSERT INTO x_s SELECT id + 100, t FROM x_s;
SELECT id, t FROM x_s ORDER BY id;
COMMIT;
SELECT count(*) FROM x_s;
SELECT shmcache.drop_frame('x_s');

-- PREPARE TRANSACTION is refused when frames were changed
BEGIN;
INSERT INTO x_f VALUES (999, 'prepared');
PREPARE TRANSACTION 'x_gid';
SELECT count(*) FROM x_f WHERE id = 999;
SELECT count(*) FROM pg_prepared_xacts WHERE gid = 'x_gid';
BEGIN;
TRUNCATE x_f;
PREPARE TRANSACTION 'x_gid';
SELECT count(*) FROM x_f;
-- ... but reading frames in a prepared transaction is fine
BEGIN;
SELECT count(*) FROM x_f;
CREATE TABLE x_prepared (a int);
PREPARE TRANSACTION 'x_gid2';
COMMIT PREPARED 'x_gid2';
DROP TABLE x_prepared;

-- DROP VIEW rolled back keeps the frame and its rows
SELECT x_remember();
BEGIN;
DROP VIEW x_f;
SELECT count(*) FROM shmcache.frames WHERE frame::text = 'x_f';
ROLLBACK;
SELECT frame, rows FROM shmcache.frames WHERE frame = 'x_f'::regclass;
SELECT * FROM x_state();
BEGIN;
SELECT shmcache.drop_frame('x_f');
ROLLBACK;
SELECT * FROM x_state();
-- a drop inside a savepoint rolled back
BEGIN;
SAVEPOINT s1;
DROP VIEW x_f;
ROLLBACK TO s1;
INSERT INTO x_f VALUES (12345, 'after');
COMMIT;
SELECT count(*) FROM x_f WHERE id = 12345;
-- drop after changes in the same transaction
BEGIN;
INSERT INTO x_f SELECT g, 'x' FROM generate_series(1, 30000) g;
SELECT shmcache.drop_frame('x_f');
ROLLBACK;
SELECT count(*) FROM x_f;
BEGIN;
INSERT INTO x_f SELECT g, 'x' FROM generate_series(1, 30000) g;
DROP VIEW x_f;
COMMIT;
SELECT count(*) FROM shmcache.frames WHERE frame::text = 'x_f';
SELECT m.used_bytes = b.used_bytes AS memory_back FROM shmcache.memory m, x_mem b;

-- create_frame rolled back leaves no frame and no memory
BEGIN;
SELECT shmcache.create_frame('x_g', 'a int4');
INSERT INTO x_g SELECT g FROM generate_series(1, 50000) g;
SELECT count(*) FROM x_g;
ROLLBACK;
SELECT count(*) FROM shmcache.frames WHERE frame::text = 'x_g';
SELECT count(*) FROM shmcache.frame_catalog c WHERE NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = c.view);
SELECT m.used_bytes = b.used_bytes AS memory_back FROM shmcache.memory m, x_mem b;
SELECT * FROM x_g;
-- created in a savepoint that is rolled back
BEGIN;
SAVEPOINT s1;
SELECT shmcache.create_frame('x_g', 'a int4');
INSERT INTO x_g VALUES (1);
ROLLBACK TO s1;
SELECT shmcache.create_frame('x_g', 'b text');
INSERT INTO x_g VALUES ('second');
COMMIT;
SELECT * FROM x_g;
SELECT columns FROM shmcache.frames WHERE frame = 'x_g'::regclass;
-- created and dropped in one transaction
BEGIN;
SELECT shmcache.create_frame('x_h', 'a int4');
INSERT INTO x_h VALUES (1);
SELECT shmcache.drop_frame('x_h');
COMMIT;
SELECT count(*) FROM shmcache.frames WHERE frame::text = 'x_h';
-- two frames changed in one transaction commit or roll back together
SELECT shmcache.create_frame('x_h', 'a int4');
BEGIN;
INSERT INTO x_g VALUES ('third');
INSERT INTO x_h VALUES (3);
ROLLBACK;
SELECT (SELECT count(*) FROM x_g) AS g, (SELECT count(*) FROM x_h) AS h;
BEGIN;
INSERT INTO x_g VALUES ('third');
INSERT INTO x_h VALUES (3);
COMMIT;
SELECT (SELECT count(*) FROM x_g) AS g, (SELECT count(*) FROM x_h) AS h;

-- clean up
SELECT shmcache.drop_frame('x_g');
SELECT shmcache.drop_frame('x_h');
DROP FUNCTION x_remember(), x_state(), x_fail(), x_catch(), x_replace();
DROP TABLE x_mark;
SELECT m.used_bytes = b.used_bytes AS memory_back FROM shmcache.memory m, x_mem b;
DROP TABLE x_mem;
