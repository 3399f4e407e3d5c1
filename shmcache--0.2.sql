/* shmcache--0.2.sql */

\echo Use "CREATE EXTENSION shmcache" to load this file. \quit

-- Every function checks its caller's rights itself.
GRANT USAGE ON SCHEMA shmcache TO PUBLIC;

-- Frame definitions.  Rows are dumped by pg_dump (configuration table); the
-- data itself lives in shared memory only.
CREATE TABLE shmcache.frame_catalog (
    frame_id  int8        PRIMARY KEY,
    view      regclass    NOT NULL UNIQUE,
    not_null  int2[]      NOT NULL DEFAULT '{}',
    created   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE shmcache.frame_catalog IS 'one row per frame: its id, view and NOT NULL columns';

SELECT pg_catalog.pg_extension_config_dump('shmcache.frame_catalog', '');
GRANT SELECT ON shmcache.frame_catalog TO PUBLIC;

-- Index definitions (PRIMARY KEY, UNIQUE, create_index): dumped like the
-- frames' rows; the entries live in shared memory with the rows.
CREATE TABLE shmcache.frame_index (
    index_id   int8    PRIMARY KEY,
    frame_id   int8    NOT NULL,
    name       name    NOT NULL,
    columns    int2[]  NOT NULL,
    is_unique  bool    NOT NULL,
    is_primary bool    NOT NULL,
    UNIQUE (frame_id, name)
);
COMMENT ON TABLE shmcache.frame_index IS 'one row per index of a frame: its id, frame, name, key columns and uniqueness';
SELECT pg_catalog.pg_extension_config_dump('shmcache.frame_index', '');
GRANT SELECT ON shmcache.frame_index TO PUBLIC;

-- Reading
CREATE FUNCTION shmcache.scan_support(internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'shmcache_scan_support'
LANGUAGE C STRICT;

CREATE FUNCTION shmcache.scan(frame_id int8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'shmcache_scan'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
SUPPORT shmcache.scan_support;
COMMENT ON FUNCTION shmcache.scan(int8) IS 'rows of a frame; used by the frame''s view';

-- Defining frames
CREATE FUNCTION shmcache.create_frame(name text, columns text)
RETURNS regclass
AS 'MODULE_PATHNAME', 'shmcache_create_frame'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION shmcache.create_frame(text, text) IS 'create a frame and its view';

CREATE FUNCTION shmcache.drop_frame(frame regclass)
RETURNS void
AS 'MODULE_PATHNAME', 'shmcache_drop_frame'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION shmcache.drop_frame(regclass) IS 'drop a frame (as DROP VIEW of its view)';

-- Loading
CREATE FUNCTION shmcache.insert_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'shmcache_insert_trigger'
LANGUAGE C;

CREATE FUNCTION shmcache.copy_from(frame regclass, filename text, options text DEFAULT '')
RETURNS int8
AS 'MODULE_PATHNAME', 'shmcache_copy_from'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION shmcache.copy_from(regclass, text, text) IS 'append the rows of a server file, with COPY FROM options';

CREATE FUNCTION shmcache.copy_from_program(frame regclass, command text, options text DEFAULT '')
RETURNS int8
AS 'MODULE_PATHNAME', 'shmcache_copy_from_program'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION shmcache.copy_from_program(regclass, text, text) IS 'append the output of a server program, with COPY FROM options';

CREATE FUNCTION shmcache.cache_table(source regclass, frame text DEFAULT NULL)
RETURNS regclass
AS 'MODULE_PATHNAME', 'shmcache_cache_table'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION shmcache.cache_table(regclass, text) IS 'create a frame with the columns and current rows of a table';

CREATE FUNCTION shmcache.truncate(frame regclass)
RETURNS void
AS 'MODULE_PATHNAME', 'shmcache_truncate'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION shmcache.truncate(regclass) IS 'remove all rows of a frame';

-- Indexes
CREATE FUNCTION shmcache.create_index(frame regclass, columns text, "unique" bool DEFAULT false)
RETURNS void
AS 'MODULE_PATHNAME', 'shmcache_create_index'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION shmcache.create_index(regclass, text, bool) IS 'build a hash index on columns of a frame';

CREATE FUNCTION shmcache.drop_index(frame regclass, columns text)
RETURNS void
AS 'MODULE_PATHNAME', 'shmcache_drop_index'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION shmcache.drop_index(regclass, text) IS 'drop the index on columns of a frame';

CREATE FUNCTION shmcache.index_stats(
    OUT index_id int8, OUT entries int8, OUT bytes int8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'shmcache_index_stats'
LANGUAGE C STRICT VOLATILE;

CREATE VIEW shmcache.indexes AS
SELECT c.view AS frame,
       i.name::text AS name,
       (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.n)
          FROM pg_catalog.unnest(i.columns) WITH ORDINALITY AS k(attnum, n)
          JOIN pg_catalog.pg_attribute a ON a.attrelid = c.view AND a.attnum = k.attnum) AS columns,
       i.is_unique AS "unique",
       i.is_primary AS "primary",
       COALESCE(s.entries, 0) AS entries,
       COALESCE(s.bytes, 0) AS bytes
  FROM shmcache.frame_index i
  JOIN shmcache.frame_catalog c ON c.frame_id = i.frame_id
  LEFT JOIN shmcache.index_stats() s ON s.index_id = i.index_id;
COMMENT ON VIEW shmcache.indexes IS 'indexes of the frames of this database';
GRANT SELECT ON shmcache.indexes TO PUBLIC;

-- Reporting
CREATE FUNCTION shmcache.frame_stats(
    OUT frame_id int8, OUT rows int8, OUT bytes int8, OUT chunks int8,
    OUT updated timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'shmcache_frame_stats'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION shmcache.memory_stats(
    OUT total_bytes int8, OUT used_bytes int8, OUT free_bytes int8,
    OUT frames int8)
RETURNS record
AS 'MODULE_PATHNAME', 'shmcache_memory_stats'
LANGUAGE C STRICT VOLATILE;

-- Persistence
CREATE FUNCTION shmcache.save(frame regclass DEFAULT NULL)
RETURNS TABLE (frame regclass, rows int8, bytes int8)
AS 'MODULE_PATHNAME', 'shmcache_save'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION shmcache.save(regclass) IS 'save a frame (or, with NULL, every frame of this database you own) to its snapshot file';

CREATE FUNCTION shmcache.restore(frame regclass)
RETURNS int8
AS 'MODULE_PATHNAME', 'shmcache_restore'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION shmcache.restore(regclass) IS 'replace the rows of a frame by those of its snapshot';

CREATE FUNCTION shmcache.persistence_stats(
    OUT frame_id int8, OUT state text, OUT last_saved timestamptz,
    OUT snapshot_rows int8, OUT snapshot_bytes int8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'shmcache_persistence_stats'
LANGUAGE C STRICT VOLATILE;

CREATE VIEW shmcache.frames AS
SELECT c.view AS frame,
       pg_catalog.pg_get_userbyid(cl.relowner) AS owner,
       (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' ' ||
                                     pg_catalog.format_type(a.atttypid, a.atttypmod) ||
                                     CASE WHEN a.attnum = ANY (c.not_null) THEN ' NOT NULL' ELSE '' END,
                                     ', ' ORDER BY a.attnum)
          FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = c.view AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       COALESCE(s.rows, 0) AS rows,
       COALESCE(s.bytes, 0) AS bytes,
       COALESCE(s.chunks, 0) AS chunks,
       c.created,
       s.updated,
       COALESCE(p.state, 'not loaded') AS state,
       p.last_saved,
       p.snapshot_rows,
       p.snapshot_bytes
  FROM shmcache.frame_catalog c
  JOIN pg_catalog.pg_class cl ON cl.oid = c.view
  LEFT JOIN shmcache.frame_stats() s ON s.frame_id = c.frame_id
  LEFT JOIN shmcache.persistence_stats() p ON p.frame_id = c.frame_id;
COMMENT ON VIEW shmcache.frames IS 'frames of this database';

CREATE VIEW shmcache.memory AS
SELECT * FROM shmcache.memory_stats();
COMMENT ON VIEW shmcache.memory IS 'use of shmcache.size';

GRANT SELECT ON shmcache.frames, shmcache.memory TO PUBLIC;
