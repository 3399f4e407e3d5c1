/* shmcache--0.2--0.3.sql */

\echo Use "ALTER EXTENSION shmcache UPDATE TO '0.3'" to load this file. \quit

-- UPDATE and DELETE of a frame's view are planned by the extension; the
-- view's INSTEAD OF trigger lets them through the rewriter and refuses the
-- forms the planner does not see (a data-modifying WITH).
CREATE FUNCTION shmcache.modify_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'shmcache_modify_trigger'
LANGUAGE C;

DO $$
DECLARE
    v regclass;
BEGIN
    FOR v IN SELECT c.view FROM shmcache.frame_catalog c LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER shmcache_modify INSTEAD OF UPDATE OR DELETE ON %s '
                                  'FOR EACH ROW EXECUTE FUNCTION shmcache.modify_trigger()', v);
    END LOOP;
END
$$;

-- Compaction: a frame rewritten without its deleted rows.
CREATE FUNCTION shmcache.vacuum(frame regclass)
RETURNS int8
AS 'MODULE_PATHNAME', 'shmcache_vacuum'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION shmcache.vacuum(regclass) IS 'rewrite a frame without its deleted rows; returns how many were removed';

-- shmcache.frames shows deleted rows not yet removed by vacuum.
DROP VIEW shmcache.frames;
DROP FUNCTION shmcache.frame_stats();
CREATE FUNCTION shmcache.frame_stats(
    OUT frame_id int8, OUT rows int8, OUT dead_rows int8, OUT bytes int8,
    OUT chunks int8, OUT updated timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'shmcache_frame_stats'
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
       COALESCE(s.dead_rows, 0) AS dead_rows,
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
GRANT SELECT ON shmcache.frames TO PUBLIC;

-- Frames that follow a table.
CREATE FUNCTION shmcache.follow_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'shmcache_follow_trigger'
LANGUAGE C;

DROP FUNCTION shmcache.cache_table(regclass, text);
CREATE FUNCTION shmcache.cache_table(source regclass, frame text DEFAULT NULL,
                                     follow bool DEFAULT false)
RETURNS regclass
AS 'MODULE_PATHNAME', 'shmcache_cache_table'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION shmcache.cache_table(regclass, text, bool) IS 'create a frame with the columns and current rows of a table, and with follow, keep it equal to the table';

CREATE FUNCTION shmcache.unfollow(frame regclass)
RETURNS bool
AS 'MODULE_PATHNAME', 'shmcache_unfollow'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION shmcache.unfollow(regclass) IS 'stop keeping a frame equal to its table';
