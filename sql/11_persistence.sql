--
-- 09_persistence: shmcache.save() and shmcache.restore() from SQL
-- (restarts, autoload and damaged files are tested in tests/008_snapshots.pl)
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
DROP ROLE IF EXISTS s_alice;
DROP ROLE IF EXISTS s_bob;
RESET client_min_messages;
CREATE ROLE s_alice;
CREATE ROLE s_bob;
GRANT CREATE ON SCHEMA public TO s_alice, s_bob;

SELECT shmcache.create_frame('s_f', 'id int8 NOT NULL, t text, n numeric');
INSERT INTO s_f SELECT i, 'v' || i, i / 3.0 FROM generate_series(1, 20000) i;
CREATE TABLE s_copy AS SELECT * FROM s_f;

-- no snapshot yet
SELECT state, last_saved IS NULL AS no_save, snapshot_rows, snapshot_bytes
  FROM shmcache.frames WHERE frame = 's_f'::regclass;
SELECT shmcache.restore('s_f');

-- save: one row per frame saved
SELECT frame, rows, bytes > 0 AS has_bytes FROM shmcache.save('s_f');
SELECT state, last_saved IS NOT NULL AS saved, snapshot_rows, snapshot_bytes > 0 AS has_bytes
  FROM shmcache.frames WHERE frame = 's_f'::regclass;

-- restore is transactional: rolled back, the frame is as it was
INSERT INTO s_f VALUES (-1, 'after the save', NULL);
BEGIN;
SELECT shmcache.restore('s_f');
SELECT count(*) FROM s_f;
ROLLBACK;
SELECT count(*) FROM s_f;
-- committed, the frame holds exactly the saved rows, in order
SELECT shmcache.restore('s_f');
SELECT count(*) FROM s_f;
SELECT count(*) FROM (TABLE s_f EXCEPT ALL TABLE s_copy) a;
SELECT count(*) FROM (TABLE s_copy EXCEPT ALL TABLE s_f) b;
SELECT bool_and(id = rn) AS in_order
  FROM (SELECT id, row_number() OVER () AS rn FROM s_f) x;
-- restore + append in one transaction
BEGIN;
SELECT shmcache.restore('s_f');
INSERT INTO s_f VALUES (20001, 'x', 1);
COMMIT;
SELECT count(*), max(id) FROM s_f;

-- an empty frame saves and restores as empty
SELECT shmcache.create_frame('s_empty', 'a int4');
SELECT frame, rows FROM shmcache.save('s_empty');
INSERT INTO s_empty VALUES (1);
SELECT shmcache.restore('s_empty');
SELECT count(*) FROM s_empty;

-- privileges: saving and restoring need ownership
SET ROLE s_alice;
SELECT shmcache.create_frame('s_alice_f', 'a int4');
INSERT INTO s_alice_f VALUES (1), (2);
SELECT shmcache.save('s_f');
SELECT shmcache.restore('s_f');
-- save(NULL) saves the frames the user owns
SELECT frame, rows FROM shmcache.save();
RESET ROLE;
SET ROLE s_bob;
SELECT frame, rows FROM shmcache.save();
SELECT shmcache.restore('s_alice_f');
RESET ROLE;
GRANT SELECT, INSERT ON s_alice_f TO s_bob;
SET ROLE s_bob;
SELECT shmcache.save('s_alice_f');
RESET ROLE;
-- a superuser saves every frame
SELECT frame, rows FROM shmcache.save() WHERE frame::text LIKE 's\_%' ORDER BY frame::text COLLATE "C";

-- errors
SELECT shmcache.save('pg_class');
SELECT shmcache.restore('pg_class');
SELECT shmcache.restore(NULL);

-- dropping a frame removes its snapshot (it no longer shows)
SELECT shmcache.drop_frame('s_alice_f');
SELECT count(*) FROM shmcache.persistence_stats() p
 WHERE NOT EXISTS (SELECT FROM shmcache.frame_catalog c WHERE c.frame_id = p.frame_id);

SELECT shmcache.drop_frame('s_f');
SELECT shmcache.drop_frame('s_empty');
DROP TABLE s_copy;
REVOKE CREATE ON SCHEMA public FROM s_alice, s_bob;
DROP ROLE s_alice;
DROP ROLE s_bob;
