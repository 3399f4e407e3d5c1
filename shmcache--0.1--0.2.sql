/* shmcache--0.1--0.2.sql */

\echo Use "ALTER EXTENSION shmcache UPDATE TO '0.2'" to load this file. \quit

-- Frame ids are drawn at random: the sequence of 0.1 is unused.
DROP SEQUENCE shmcache.frame_id_seq;

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
