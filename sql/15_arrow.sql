--
-- 15_arrow: COPY ... TO ... (FORMAT arrow): options, errors, privileges and
-- the shape of the streams (their values are checked by a reference
-- reader in tests/011_arrow.pl)
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;

SELECT shmcache.create_frame('a_f', 'id int4 NOT NULL, t text, secret text');
INSERT INTO a_f VALUES (1, 'one', 's1'), (2, NULL, 's2'), (3, 'three', NULL);
CREATE TABLE a_h (id int4 NOT NULL, t text, secret text,
                  g int4 GENERATED ALWAYS AS (id * 2) STORED);
INSERT INTO a_h (id, t, secret) SELECT * FROM a_f;
CREATE VIEW a_v AS SELECT id, t FROM a_h;
CREATE SEQUENCE a_seq;

-- A stream: schema, batches, end-of-stream marker; 8-byte aligned.
CREATE FUNCTION a_stream(path text, OUT bytes int, OUT starts bool, OUT ends bool)
LANGUAGE sql AS $$
  SELECT length(s), substr(s, 1, 4) = '\xffffffff'::bytea,
         substr(s, length(s) - 7) = '\xffffffff00000000'::bytea
  FROM pg_read_binary_file(path) AS s
$$;
COPY a_f TO '/tmp/shmcache_regress_arrow_f.arrow' (FORMAT arrow);
SELECT bytes % 8 AS misaligned, starts, ends FROM a_stream('/tmp/shmcache_regress_arrow_f.arrow');
COPY a_f (id, t) TO '/tmp/shmcache_regress_arrow_f.arrow' (FORMAT 'arrow');
SELECT bytes % 8 AS misaligned, starts, ends FROM a_stream('/tmp/shmcache_regress_arrow_f.arrow');
COPY (SELECT id FROM a_f WHERE id > 1) TO '/tmp/shmcache_regress_arrow_f.arrow' (FORMAT arrow);
COPY a_h TO '/tmp/shmcache_regress_arrow_h.arrow' (FORMAT arrow);
SELECT bytes % 8 AS misaligned, starts, ends FROM a_stream('/tmp/shmcache_regress_arrow_h.arrow');
COPY a_v TO '/tmp/shmcache_regress_arrow_h.arrow' (FORMAT arrow);
COPY (SELECT * FROM a_h ORDER BY id) TO PROGRAM 'cat > /tmp/shmcache_regress_arrow_h.arrow' (FORMAT arrow);
SELECT bytes % 8 AS misaligned, starts, ends FROM a_stream('/tmp/shmcache_regress_arrow_h.arrow');
-- no rows: the schema and the end-of-stream marker
COPY (SELECT * FROM a_f WHERE id > 10) TO '/tmp/shmcache_regress_arrow_f.arrow' (FORMAT arrow);
SELECT bytes % 8 AS misaligned, starts, ends FROM a_stream('/tmp/shmcache_regress_arrow_f.arrow');
-- to the client (psql's \copy) and into a data-modifying query's rows
\copy a_f TO '/dev/null' (FORMAT arrow)
\copy (SELECT * FROM a_h) TO '/dev/null' (FORMAT arrow)
COPY (INSERT INTO a_h (id) VALUES (4) RETURNING id, g) TO '/dev/null' (FORMAT arrow);
SELECT id, g FROM a_h WHERE id = 4;

-- options: FORMAT arrow takes no other
COPY a_f TO STDOUT (FORMAT arrow, DELIMITER ',');
COPY a_f TO STDOUT (FORMAT arrow, HEADER);
COPY a_f TO STDOUT (FORMAT arrow, NULL 'x');
COPY a_f TO STDOUT (FORMAT arrow, FORCE_QUOTE *);
COPY a_f TO STDOUT (FORMAT arrow, ENCODING 'UTF8');
COPY a_f TO STDOUT (FORMAT arrow, compression 'zstd');
COPY a_f TO STDOUT (FORMAT arrow, FORMAT csv);
COPY a_f TO STDOUT (FORMAT csv, FORMAT arrow);
COPY a_f TO STDOUT (FORMAT "Arrow");
-- COPY FROM cannot read Arrow
COPY a_f FROM STDIN (FORMAT arrow);
\.
COPY a_h FROM '/tmp/shmcache_regress_arrow_h.arrow' (FORMAT arrow);
-- what COPY TO refuses
COPY a_h TO STDOUT (FORMAT arrow) WHERE id > 1;
COPY a_h TO 'relative.arrow' (FORMAT arrow);
COPY a_h TO '/tmp' (FORMAT arrow);
COPY a_seq TO STDOUT (FORMAT arrow);
COPY a_h (g) TO STDOUT (FORMAT arrow);
COPY a_h (nope) TO STDOUT (FORMAT arrow);
COPY a_h (id, id) TO STDOUT (FORMAT arrow);
COPY a_f (nope) TO STDOUT (FORMAT arrow);
COPY (SELECT 1 INTO a_new) TO STDOUT (FORMAT arrow);
COPY (INSERT INTO a_h (id) VALUES (5)) TO STDOUT (FORMAT arrow);
COPY (SELECT 1/0) TO '/dev/null' (FORMAT arrow);
-- the SQLSTATEs
\set VERBOSITY sqlstate
COPY a_f TO STDOUT (FORMAT arrow, DELIMITER ',');
COPY a_f TO STDOUT (FORMAT arrow, compression 'zstd');
COPY a_f FROM STDIN (FORMAT arrow);
\.
\set VERBOSITY default

-- privileges: reading as for SELECT, server files and programs as for COPY
CREATE ROLE regress_arrow_bob;
GRANT SELECT (id, t) ON a_f, a_h TO regress_arrow_bob;
SET ROLE regress_arrow_bob;
\copy a_f (id, t) TO '/dev/null' (FORMAT arrow)
\copy a_h (id, t) TO '/dev/null' (FORMAT arrow)
\copy (SELECT id FROM a_f WHERE t IS NOT NULL) TO '/dev/null' (FORMAT arrow)
\copy a_f TO '/dev/null' (FORMAT arrow)
\copy a_h TO '/dev/null' (FORMAT arrow)
\copy (SELECT secret FROM a_f) TO '/dev/null' (FORMAT arrow)
\copy (SELECT * FROM a_v) TO '/dev/null' (FORMAT arrow)
COPY a_f (id) TO '/tmp/shmcache_regress_arrow_bob.arrow' (FORMAT arrow);
COPY a_f (id) TO PROGRAM 'cat > /dev/null' (FORMAT arrow);
RESET ROLE;
GRANT pg_write_server_files TO regress_arrow_bob;
SET ROLE regress_arrow_bob;
COPY a_f (id) TO '/tmp/shmcache_regress_arrow_bob.arrow' (FORMAT arrow);
COPY a_f TO '/tmp/shmcache_regress_arrow_bob.arrow' (FORMAT arrow);
COPY a_f (id) TO PROGRAM 'cat > /dev/null' (FORMAT arrow);
RESET ROLE;
-- no SELECT at all
REVOKE SELECT ON a_f, a_h FROM regress_arrow_bob;
SET ROLE regress_arrow_bob;
\copy a_f (id) TO '/dev/null' (FORMAT arrow)
\copy a_h (id) TO '/dev/null' (FORMAT arrow)
RESET ROLE;
REVOKE pg_write_server_files FROM regress_arrow_bob;

-- the frame keeps working, in text formats too
COPY a_f TO STDOUT (FORMAT csv);

DROP FUNCTION a_stream(text);
DROP VIEW a_v;
DROP TABLE a_h;
DROP SEQUENCE a_seq;
SELECT shmcache.drop_frame('a_f');
DROP OWNED BY regress_arrow_bob;
DROP ROLE regress_arrow_bob;
