--
-- 18_follow: a frame that follows a table.  After every transaction on the
-- table (INSERT, UPDATE of values and keys, DELETE, TRUNCATE, COPY,
-- savepoints, rollback) the frame holds exactly the table's rows, read with
-- the custom nodes on and off; its own transaction sees the frame change at
-- commit.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
SET extra_float_digits = 0;

CREATE TABLE src (id int8 PRIMARY KEY, grp int4, name text, x float8);
INSERT INTO src SELECT g, g % 5, CASE WHEN g % 7 = 0 THEN NULL ELSE 'n' || g END, g / 3.0
FROM generate_series(1, 20000) g;
SELECT shmcache.cache_table('src', 'fsrc', follow => true);

CREATE FUNCTION same_as_table() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    mode text;
    diff bigint;
BEGIN
    FOREACH mode IN ARRAY ARRAY['on', 'off'] LOOP
        PERFORM set_config('shmcache.enable_customscan', mode, true);
        SELECT count(*) INTO diff FROM
          ((SELECT * FROM src EXCEPT ALL SELECT * FROM fsrc)
           UNION ALL (SELECT * FROM fsrc EXCEPT ALL SELECT * FROM src)) d;
        IF diff <> 0 THEN
            RETURN format('%s rows differ (customscan %s)', diff, mode);
        END IF;
    END LOOP;
    PERFORM set_config('shmcache.enable_customscan', 'on', true);
    RETURN format('same %s rows', (SELECT count(*) FROM fsrc));
END
$$;

SELECT same_as_table();
INSERT INTO src SELECT g, g % 5, 'new', g FROM generate_series(20001, 21000) g;
SELECT same_as_table();
UPDATE src SET x = x * 2, name = upper(name) WHERE grp = 1;
SELECT same_as_table();
UPDATE src SET id = id + 100000 WHERE id % 100 = 0;
SELECT same_as_table();
DELETE FROM src WHERE grp = 2 AND id < 5000;
SELECT same_as_table();
COPY src FROM STDIN (FORMAT csv);
300001,1,copied,1.5
300002,2,,2.5
\.
SELECT same_as_table();
INSERT INTO src VALUES (300001, 0, 'x', 0) ON CONFLICT (id) DO UPDATE SET name = 'upserted';
SELECT same_as_table();

-- The transaction that changes the table sees the frame change at commit.
BEGIN;
DELETE FROM src WHERE id = 1;
SELECT count(*) AS frame_still_has_it FROM fsrc WHERE id = 1;
COMMIT;
SELECT count(*) AS gone FROM fsrc WHERE id = 1;

-- Rollback and savepoints.
BEGIN;
DELETE FROM src WHERE grp = 3;
ROLLBACK;
SELECT same_as_table();
BEGIN;
UPDATE src SET name = 'kept' WHERE id = 3;
SAVEPOINT s;
DELETE FROM src WHERE grp = 4;
UPDATE src SET name = 'lost' WHERE id = 3;
ROLLBACK TO SAVEPOINT s;
INSERT INTO src VALUES (400000, 1, 'after', 1);
COMMIT;
SELECT same_as_table();
SELECT name FROM fsrc WHERE id IN (3, 400000) ORDER BY id;

-- TRUNCATE, then rows again in the same transaction.
BEGIN;
TRUNCATE src;
INSERT INTO src VALUES (1, 1, 'one', 1), (2, 2, 'two', 2);
COMMIT;
SELECT same_as_table();

-- DDL on the table is refused while it is followed; unfollow, then the
-- frame keeps its rows and no longer changes.
ALTER TABLE src ADD COLUMN extra int;
SELECT shmcache.unfollow('fsrc');
SELECT shmcache.unfollow('fsrc');
ALTER TABLE src ADD COLUMN extra int;
INSERT INTO src VALUES (3, 3, 'three', 3, 3);
SELECT id, name FROM fsrc ORDER BY id;

-- Errors: a table without a primary key, a view; who may follow.
CREATE TABLE nokey (a int);
SELECT shmcache.cache_table('nokey', follow => true);
SELECT shmcache.cache_table('fsrc', 'fsrc2', follow => true);
SELECT to_regclass('nokey_cache') IS NULL AS no_frame_left;

-- Dropping a followed frame drops its triggers; the table goes on.
CREATE TABLE src2 (k text PRIMARY KEY, v int);
INSERT INTO src2 VALUES ('a', 1);
SELECT shmcache.cache_table('src2', follow => true);
SELECT count(*) AS follow_triggers FROM pg_trigger WHERE tgrelid = 'src2'::regclass;
SELECT shmcache.drop_frame('src2_cache');
SELECT count(*) AS follow_triggers FROM pg_trigger WHERE tgrelid = 'src2'::regclass;
INSERT INTO src2 VALUES ('b', 2);

DROP FUNCTION same_as_table();
SELECT shmcache.drop_frame('fsrc');
DROP TABLE src, src2, nokey;
