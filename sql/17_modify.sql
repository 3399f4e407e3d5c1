--
-- 17_modify: UPDATE and DELETE on frames.  The same statements run on a
-- frame and on a heap table with the same rows and primary key; after each
-- step both hold the same rows, read with the custom nodes and pushdown on
-- and off, by scans, aggregates, top-N and primary key lookups.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
SET extra_float_digits = 0;

SELECT shmcache.create_frame('m', 'id int8 PRIMARY KEY, grp int4 NOT NULL, name text, x float8');
CREATE TABLE mh (id int8 PRIMARY KEY, grp int4 NOT NULL, name text, x float8);
INSERT INTO m SELECT g, g % 7, CASE WHEN g % 11 = 0 THEN NULL ELSE 'n' || (g % 50) END, g / 4.0
FROM generate_series(1, 50000) g;
INSERT INTO mh SELECT * FROM m;
CREATE TABLE other (id int8, tag text);
INSERT INTO other SELECT g * 3, 't' || g FROM generate_series(1, 2000) g;
INSERT INTO other SELECT g * 3, 'dup' || g FROM generate_series(1, 100) g;   -- ids 3..300 twice

-- Do frame and heap hold the same rows, whichever way the frame is read?
CREATE FUNCTION same_rows() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    mode text;
    pushdown text;
    diff bigint;
    probe bigint;
BEGIN
    FOREACH mode IN ARRAY ARRAY['on', 'off'] LOOP
        FOREACH pushdown IN ARRAY ARRAY['on', 'off'] LOOP
            PERFORM set_config('shmcache.enable_customscan', mode, true);
            PERFORM set_config('shmcache.enable_pushdown', pushdown, true);
            SELECT count(*) INTO diff FROM
              ((SELECT * FROM m EXCEPT ALL SELECT * FROM mh)
               UNION ALL (SELECT * FROM mh EXCEPT ALL SELECT * FROM m)) d;
            IF diff <> 0 THEN
                RETURN format('%s rows differ (customscan %s, pushdown %s)', diff, mode, pushdown);
            END IF;
            IF (SELECT array_agg(row(grp, c, s, mx)::text ORDER BY grp) FROM
                  (SELECT grp, count(*) c, sum(x) s, max(name) mx FROM m WHERE x > 10 GROUP BY grp) a)
               IS DISTINCT FROM
               (SELECT array_agg(row(grp, c, s, mx)::text ORDER BY grp) FROM
                  (SELECT grp, count(*) c, sum(x) s, max(name) mx FROM mh WHERE x > 10 GROUP BY grp) a) THEN
                RETURN format('aggregates differ (customscan %s, pushdown %s)', mode, pushdown);
            END IF;
            IF (SELECT array_agg(id) FROM (SELECT id FROM m ORDER BY x DESC, id LIMIT 20) t)
               IS DISTINCT FROM (SELECT array_agg(id) FROM (SELECT id FROM mh ORDER BY x DESC, id LIMIT 20) t) THEN
                RETURN format('top-N differs (customscan %s, pushdown %s)', mode, pushdown);
            END IF;
            FOR probe IN SELECT g FROM generate_series(1, 60001, 997) g LOOP
                IF (SELECT row(m.*)::text FROM m WHERE id = probe)
                   IS DISTINCT FROM (SELECT row(mh.*)::text FROM mh WHERE id = probe) THEN
                    RETURN format('lookup of %s differs (customscan %s, pushdown %s)', probe, mode, pushdown);
                END IF;
            END LOOP;
        END LOOP;
    END LOOP;
    PERFORM set_config('shmcache.enable_customscan', 'on', true);
    PERFORM set_config('shmcache.enable_pushdown', 'on', true);
    RETURN format('same %s rows', (SELECT count(*) FROM m));
END
$$;

SELECT same_rows();

-- DELETE with a WHERE, then with USING (a join whose rows repeat).
DELETE FROM m WHERE id % 10 = 0;
DELETE FROM mh WHERE id % 10 = 0;
SELECT same_rows();
DELETE FROM m USING other o WHERE m.id = o.id AND o.tag LIKE 't1%';
DELETE FROM mh USING other o WHERE mh.id = o.id AND o.tag LIKE 't1%';
SELECT same_rows();
SELECT (SELECT rows FROM shmcache.frames WHERE frame = 'm'::regclass) = (SELECT count(*) FROM mh)
    AS frames_counts_live_rows;

-- RETURNING gives the deleted rows, whole rows too.
DELETE FROM m WHERE id BETWEEN 101 AND 105 RETURNING id, name, m;
DELETE FROM mh WHERE id BETWEEN 101 AND 105;
DELETE FROM m WHERE id = -1 RETURNING *;

-- UPDATE: expressions, the primary key unchanged, RETURNING the new values.
UPDATE m SET x = x * 2 + 1, name = upper(name) WHERE grp = 3 AND id < 60 RETURNING id, grp, name, x;
UPDATE mh SET x = x * 2 + 1, name = upper(name) WHERE grp = 3 AND id < 60;
SELECT same_rows();
-- UPDATE ... FROM a join whose rows repeat: each row changes once.
UPDATE m SET name = o.tag FROM other o WHERE m.id = o.id AND m.id < 400;
UPDATE mh SET name = o.tag FROM other o WHERE mh.id = o.id AND mh.id < 400;
SELECT count(*) FROM m WHERE name LIKE 'dup%' OR name LIKE 't%';
-- (which of two join rows wins is not defined: compare the rest)
UPDATE m SET name = NULL WHERE id < 400 AND (name LIKE 'dup%' OR name LIKE 't%');
UPDATE mh SET name = NULL WHERE id < 400 AND (name LIKE 'dup%' OR name LIKE 't%');
SELECT same_rows();
-- the key itself, moving rows past the others
UPDATE m SET id = id + 100000 WHERE grp = 5 AND id < 1000;
UPDATE mh SET id = id + 100000 WHERE grp = 5 AND id < 1000;
SELECT same_rows();
-- many statements on the same rows in one transaction, with a subquery
BEGIN;
UPDATE m SET x = x + 1 WHERE id < 2000;
UPDATE m SET x = x + 1 WHERE id < 2000;
DELETE FROM m WHERE id < 2000 AND x > (SELECT avg(x) FROM m WHERE id < 2000);
SELECT count(*), sum(x) FROM m WHERE id < 2000;
COMMIT;
BEGIN;
UPDATE mh SET x = x + 1 WHERE id < 2000;
UPDATE mh SET x = x + 1 WHERE id < 2000;
DELETE FROM mh WHERE id < 2000 AND x > (SELECT avg(x) FROM mh WHERE id < 2000);
SELECT count(*), sum(x) FROM mh WHERE id < 2000;
COMMIT;
SELECT same_rows();

-- Uniqueness: an UPDATE onto another row's key is refused, and changes
-- nothing; NOT NULL holds.
UPDATE m SET id = 1 WHERE id = 2;
UPDATE m SET grp = NULL WHERE id = 9;
SELECT same_rows();

-- INSERT ... ON CONFLICT: new keys are inserted, existing ones skipped or
-- updated from EXCLUDED and the existing row, with a WHERE; RETURNING.
INSERT INTO m SELECT g, g % 7, 'new', g FROM generate_series(49990, 50010) g
ON CONFLICT (id) DO NOTHING RETURNING id;
INSERT INTO mh SELECT g, g % 7, 'new', g FROM generate_series(49990, 50010) g
ON CONFLICT (id) DO NOTHING;
SELECT same_rows();
INSERT INTO m SELECT g, g % 7, 'upd', g * 2 FROM generate_series(49000, 51000, 71) g
ON CONFLICT (id) DO UPDATE SET x = m.x + EXCLUDED.x, name = EXCLUDED.name || coalesce(m.name, '-')
WHERE m.grp <> 4
RETURNING id, name, x;
INSERT INTO mh SELECT g, g % 7, 'upd', g * 2 FROM generate_series(49000, 51000, 71) g
ON CONFLICT (id) DO UPDATE SET x = mh.x + EXCLUDED.x, name = EXCLUDED.name || coalesce(mh.name, '-')
WHERE mh.grp <> 4;
SELECT same_rows();
-- from a table, without a conflict target, with the key itself updated
INSERT INTO m SELECT id, 1, tag, id FROM other WHERE tag LIKE 't%' ON CONFLICT DO NOTHING;
INSERT INTO mh SELECT id, 1, tag, id FROM other WHERE tag LIKE 't%' ON CONFLICT DO NOTHING;
INSERT INTO m VALUES (3000, 1, 'k', 1) ON CONFLICT (id) DO UPDATE SET id = m.id + 200000;
INSERT INTO mh VALUES (3000, 1, 'k', 1) ON CONFLICT (id) DO UPDATE SET id = mh.id + 200000;
SELECT same_rows();
-- a row proposed twice, on both sides; a target no unique index matches
INSERT INTO m VALUES (1, 1, 'a', 1), (1, 1, 'b', 2) ON CONFLICT (id) DO UPDATE SET name = 'twice';
INSERT INTO mh VALUES (1, 1, 'a', 1), (1, 1, 'b', 2) ON CONFLICT (id) DO UPDATE SET name = 'twice';
INSERT INTO m VALUES (60001, 1, 'a', 1), (60001, 1, 'b', 2) ON CONFLICT (id) DO NOTHING;
INSERT INTO mh VALUES (60001, 1, 'a', 1), (60001, 1, 'b', 2) ON CONFLICT (id) DO NOTHING;
INSERT INTO m VALUES (1, 1, 'a', 1) ON CONFLICT (grp) DO NOTHING;
INSERT INTO m VALUES (1, NULL, 'a', 1) ON CONFLICT (id) DO UPDATE SET grp = NULL;
-- prepared, past the generic plan, and undone by a savepoint
PREPARE up(int8, float8) AS INSERT INTO m VALUES ($1, 2, 'p', $2)
ON CONFLICT (id) DO UPDATE SET x = m.x + $2;
PREPARE uph(int8, float8) AS INSERT INTO mh VALUES ($1, 2, 'p', $2)
ON CONFLICT (id) DO UPDATE SET x = mh.x + $2;
BEGIN;
EXECUTE up(11, 1); EXECUTE up(11, 1); EXECUTE up(70001, 1); EXECUTE up(11, 1);
EXECUTE up(70001, 1); EXECUTE up(13, 5); EXECUTE up(70002, 3); EXECUTE up(13, 5);
SAVEPOINT s;
EXECUTE up(11, 100); EXECUTE up(70003, 100);
ROLLBACK TO SAVEPOINT s;
COMMIT;
EXECUTE uph(11, 1); EXECUTE uph(11, 1); EXECUTE uph(70001, 1); EXECUTE uph(11, 1);
EXECUTE uph(70001, 1); EXECUTE uph(13, 5); EXECUTE uph(70002, 3); EXECUTE uph(13, 5);
SELECT same_rows();
EXPLAIN (COSTS OFF) INSERT INTO m VALUES (1, 1, 'a', 1) ON CONFLICT (id) DO UPDATE SET x = 0;
-- a unique index over two columns
SELECT shmcache.create_frame('m2', 'a int4, b text, v int4, UNIQUE (a, b)');
INSERT INTO m2 VALUES (1, 'x', 1), (1, 'y', 1), (2, NULL, 1);
INSERT INTO m2 VALUES (1, 'x', 5), (1, 'z', 5), (2, NULL, 5)
ON CONFLICT (b, a) DO UPDATE SET v = m2.v + EXCLUDED.v;
SELECT * FROM m2 ORDER BY a, b, v;
SELECT shmcache.drop_frame('m2');

-- COPY (UPSERT): a row whose key is taken replaces the row, a later row
-- of the same load included; a frame without a unique index refuses it.
COPY m FROM STDIN (FORMAT csv, UPSERT);
11,1,copied,1.5
80001,1,copied,2.5
80001,2,copied again,3.5
\.
INSERT INTO mh VALUES (11, 1, 'copied', 1.5), (80001, 2, 'copied again', 3.5)
ON CONFLICT (id) DO UPDATE SET grp = EXCLUDED.grp, name = EXCLUDED.name, x = EXCLUDED.x;
SELECT same_rows();
SELECT shmcache.copy_from('m', '/dev/null', 'format csv, upsert true');
-- rows that replace rows one after the other, one with a null (found by
-- tests/014_modify.pl: the finder's row list outlived its row's memory)
SELECT shmcache.create_frame('m4', 'id int8 PRIMARY KEY, t text');
INSERT INTO m4 VALUES (1, 'a'), (2, 'a');
COPY m4 FROM STDIN (FORMAT csv, UPSERT);
1,
2,c
3,d
2,e
\.
SELECT * FROM m4 ORDER BY id;
SELECT shmcache.drop_frame('m4');
SELECT shmcache.create_frame('m3', 'a int4');
SELECT shmcache.copy_from('m3', '/dev/null', 'upsert');
SELECT shmcache.drop_frame('m3');

-- Rollback, savepoints and a transaction's own view.
SELECT bytes AS bytes_before FROM shmcache.frames WHERE frame = 'm'::regclass \gset
BEGIN;
DELETE FROM m WHERE grp = 1;
SELECT count(*) FROM m WHERE grp = 1;
UPDATE m SET x = -x WHERE grp = 2;
SAVEPOINT s;
DELETE FROM m WHERE grp = 2;
UPDATE m SET x = 0 WHERE grp = 4;
SELECT count(*) FROM m WHERE grp IN (2, 4) AND x <> 0;
ROLLBACK TO SAVEPOINT s;
SELECT count(*) FROM m WHERE grp = 2 AND x < 0;
ROLLBACK;
SELECT same_rows();
SELECT bytes = :bytes_before AS memory_given_back FROM shmcache.frames WHERE frame = 'm'::regclass;
BEGIN;
DELETE FROM m WHERE grp = 6;
UPDATE m SET x = -1 WHERE grp = 0;
SAVEPOINT s;
DELETE FROM m WHERE grp = 0;
RELEASE SAVEPOINT s;
COMMIT;
BEGIN;
DELETE FROM mh WHERE grp = 6;
UPDATE mh SET x = -1 WHERE grp = 0;
DELETE FROM mh WHERE grp = 0;
COMMIT;
SELECT same_rows();

-- A cursor opened before a DELETE of its own transaction keeps its rows,
-- as for a table.
BEGIN;
DECLARE c CURSOR FOR SELECT count(*) FROM m WHERE grp = 3;
DELETE FROM m WHERE grp = 3;
FETCH c;
SELECT count(*) FROM m WHERE grp = 3;
ROLLBACK;

-- Plans, errors.
EXPLAIN (COSTS OFF) DELETE FROM m WHERE id = 9;
EXPLAIN (COSTS OFF) DELETE FROM m WHERE x > 100 AND name LIKE 'n1%';
EXPLAIN (COSTS OFF) UPDATE m SET x = 1 FROM other WHERE m.id = other.id RETURNING m.id;
WITH d AS (DELETE FROM m WHERE id = 9 RETURNING id) SELECT * FROM d;
BEGIN READ ONLY;
DELETE FROM m WHERE id = 9;
ROLLBACK;
UPDATE m SET nosuch = 1;

-- Privileges: DELETE and UPDATE (column grants) on the view.
CREATE ROLE modify_user;
GRANT SELECT ON m TO modify_user;
SET ROLE modify_user;
DELETE FROM m WHERE id = 9;
UPDATE m SET x = 1 WHERE id = 9;
RESET ROLE;
GRANT DELETE, UPDATE (x) ON m TO modify_user;
SET ROLE modify_user;
UPDATE m SET name = 'no' WHERE id = 9;
UPDATE m SET x = 1 WHERE id = 9;
DELETE FROM m WHERE id = 15;
RESET ROLE;
UPDATE mh SET x = 1 WHERE id = 9;
DELETE FROM mh WHERE id = 15;
SELECT same_rows();

-- shmcache.vacuum gives back the memory of deleted rows; readers and lookups
-- see the same rows after it.
SELECT rows = (SELECT count(*) FROM mh) AS live, dead_rows > 0 AS has_dead, bytes AS bytes_before
FROM shmcache.frames WHERE frame = 'm'::regclass \gset
SELECT :'live' AS live, :'has_dead' AS has_dead;
SELECT shmcache.vacuum('m') > 0 AS removed;
SELECT rows = (SELECT count(*) FROM mh) AS live, dead_rows, bytes < :bytes_before AS smaller
FROM shmcache.frames WHERE frame = 'm'::regclass;
SELECT shmcache.vacuum('m');
SELECT same_rows();
BEGIN;
DELETE FROM m WHERE grp = 2;
SELECT shmcache.vacuum('m') > 0 AS removed_own_deletes;
SELECT count(*) FROM m WHERE grp = 2;
ROLLBACK;
SELECT same_rows();
SET ROLE modify_user;
SELECT shmcache.vacuum('m');
RESET ROLE;

-- A snapshot holds the live rows only, and restores them.
SELECT frame, rows = (SELECT count(*) FROM mh) AS live_rows_saved FROM shmcache.save('m');
SELECT shmcache.restore('m');
SELECT same_rows();
DELETE FROM m WHERE id < 100;
DELETE FROM mh WHERE id < 100;
SELECT same_rows();

-- Truncate after deletes; then the frame takes rows again.
TRUNCATE m;
INSERT INTO m VALUES (1, 1, 'a', 1), (2, 2, 'b', 2);
UPDATE m SET name = 'c' WHERE id = 2;
DELETE FROM m WHERE id = 1;
SELECT * FROM m;

DROP FUNCTION same_rows();
DROP TABLE mh, other;
SELECT shmcache.drop_frame('m');
REVOKE ALL ON SCHEMA public FROM modify_user;
DROP ROLE modify_user;
