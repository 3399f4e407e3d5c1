--
-- 10_pushdown_generic_plans: in generic plans, the constants of pushed
-- filters are parameters, evaluated when the scan starts: prepared
-- statements under plan_cache_mode = force_generic_plan, and a PL/pgSQL
-- function's cached plan, give what core gives on the heap table.  (Query
-- numbers are those of sql/pushdown_queries.inc.)
--
\i sql/pushdown_setup.inc

CREATE FUNCTION pd_prepared(sql text, VARIADIC args text[]) RETURNS TABLE (params text, nrows int8, ok bool)
LANGUAGE plpgsql AS $$
DECLARE
    a text;
    st record;
BEGIN
    EXECUTE 'PREPARE pd_p_f' || replace(sql, '@', '_f');
    EXECUTE 'PREPARE pd_p_h' || replace(sql, '@', '_h');
    FOREACH a IN ARRAY args LOOP
        SELECT * INTO st FROM pd_check('EXECUTE pd_p@(' || a || ')');
        params := a;
        nrows := st.nrows;
        ok := st.status = 'ok';
        RETURN NEXT;
    END LOOP;
    DEALLOCATE pd_p_f;
    DEALLOCATE pd_p_h;
END $$;
SET plan_cache_mode = force_generic_plan;
SELECT * FROM pd_prepared($q$(int8, int8) AS SELECT id FROM pbig@ WHERE id > $1 AND id <= $2$q$,
                          '99990, 100000', '0, 10', '16380, 16390', 'NULL, 5');
SELECT * FROM pd_prepared($q$(int4, text) AS SELECT k, count(*), sum(i4) FROM pbig@ WHERE i2 < $1 AND t = $2 GROUP BY k$q$,
                          '0, ''S01''', '-9990, ''S02''', '100, NULL');
SELECT * FROM pd_prepared($q$(float8, numeric) AS SELECT count(*), sum(f8), max(n) FROM pbig@ WHERE f8 >= $1 AND n < $2$q$,
                          '''NaN'', 100', '24000, ''Infinity''', '-1, 0.5');
SELECT * FROM pd_prepared($q$(int8[]) AS SELECT id FROM pbig@ WHERE id = ANY ($1)$q$,
                          '''{1,16385,99999}''', '''{}''', '''{NULL}''');
SELECT * FROM pd_prepared($q$(timestamp, date) AS SELECT count(*), min(ts), max(d) FROM pbig@ WHERE ts >= $1 AND d < $2$q$,
                          '''2024-02-01'', ''2024-02-10''', '''infinity'', ''infinity''');
-- regression: as 323: the pseudoconstant "$1 = 1" is dropped by ShmcacheAggregate
SELECT * FROM pd_prepared($q$(int4) AS SELECT count(*) FROM pbig@ WHERE $1 = 1$q$, '0', '1');
SET shmcache.enable_pushdown = off;
SELECT * FROM pd_prepared($q$(int8, text) AS SELECT t, count(*) FROM pbig@ WHERE id > $1 AND t > $2 GROUP BY t$q$,
                          '50000, ''S30''', '0, ''S35''');
RESET shmcache.enable_pushdown;
RESET plan_cache_mode;
-- a plpgsql function's cached plan, called with other values
CREATE FUNCTION pd_count(lo int8, tt text) RETURNS int8 LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM pbig_f WHERE id > lo AND t = tt);
END $$;
CREATE FUNCTION pd_count_h(lo int8, tt text) RETURNS int8 LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM pbig_h WHERE id > lo AND t = tt);
END $$;
SELECT count(*) AS calls, count(*) FILTER (WHERE pd_count(x * 1000, 'S0' || x % 10) <> pd_count_h(x * 1000, 'S0' || x % 10)) AS mismatches
  FROM generate_series(0, 100) x;

DROP FUNCTION pd_prepared(text, text[]), pd_count(int8, text), pd_count_h(int8, text);
\i sql/pushdown_cleanup.inc
