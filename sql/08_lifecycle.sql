--
-- 08_lifecycle: DROP EXTENSION and DROP DATABASE give frames' memory back;
-- frames of one database are not visible from another
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
SELECT used_bytes AS z_used FROM shmcache.memory \gset

-- DROP EXTENSION ... CASCADE drops every frame and frees its memory
SELECT shmcache.create_frame('z_ext1', 'a int4');
SELECT shmcache.create_frame('z_ext2', 't text');
INSERT INTO z_ext1 SELECT generate_series(1, 40000);
INSERT INTO z_ext2 SELECT 'x' || g FROM generate_series(1, 1000) g;
SELECT used_bytes > :z_used AS uses_memory FROM shmcache.memory;
-- rolled back, nothing happens
BEGIN;
SET LOCAL client_min_messages = warning;
DROP EXTENSION shmcache CASCADE;
ROLLBACK;
SELECT (SELECT count(*) FROM z_ext1) AS ext1, (SELECT count(*) FROM z_ext2) AS ext2;
SET client_min_messages = warning;
DROP EXTENSION shmcache CASCADE;
RESET client_min_messages;
SELECT count(*) FROM pg_class WHERE relname LIKE 'z\_ext%';
CREATE EXTENSION shmcache;
SELECT count(*) FROM shmcache.frames;
SELECT used_bytes = :z_used AS back_after_drop_extension FROM shmcache.memory;
-- frame ids start again: a new frame must not see an old frame's rows
SELECT shmcache.create_frame('z_ext3', 'a int4');
SELECT count(*) FROM z_ext3;
SELECT frame, rows, chunks FROM shmcache.frames;
INSERT INTO z_ext3 VALUES (1);
SELECT * FROM z_ext3;
SELECT shmcache.drop_frame('z_ext3');

-- another database: its frames are its own
\set z_db :DBNAME
CREATE DATABASE regress_shmcache_other;
\c regress_shmcache_other
CREATE EXTENSION shmcache;
SELECT shmcache.create_frame('z_other', 'a int4');
INSERT INTO z_other SELECT generate_series(1, 20000);
SELECT shmcache.create_frame('z_same_name', 'a int4');
INSERT INTO z_same_name VALUES (1), (2);
SELECT frame, rows FROM shmcache.frames ORDER BY frame::text COLLATE "C";
SELECT frames FROM shmcache.memory;
\c :z_db
SELECT shmcache.create_frame('z_same_name', 'a int4');   -- same name, same frame id
SELECT count(*) FROM z_same_name;
SELECT frame, rows FROM shmcache.frames ORDER BY frame::text COLLATE "C";
SELECT frames FROM shmcache.memory;
SELECT used_bytes > :z_used AS other_database_uses_memory FROM shmcache.memory;
SELECT shmcache.drop_frame('z_same_name');
DROP DATABASE regress_shmcache_other;
SELECT used_bytes = :z_used AS back_after_drop_database FROM shmcache.memory;
