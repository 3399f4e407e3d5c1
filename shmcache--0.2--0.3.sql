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
