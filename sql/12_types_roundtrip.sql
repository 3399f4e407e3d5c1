--
-- 12_types_roundtrip: values of every base, range and multirange type that
-- a table column can have, and of their arrays, round-trip through a frame
-- exactly: INSERT, shmcache.copy_from() and COPY FROM, both scan paths,
-- save and restore.  Varlenas of types with
-- plain storage (int2vector, oidvector, tsquery) keep their 4-byte header,
-- as in a heap tuple (issue 10).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';

-- Hand-written values, as literals of the type.  Other values come from
-- the catalog columns of each type, and arrays are built from the values of
-- their element type.  Long values (a 4-byte header in a heap tuple too)
-- follow below.
CREATE TABLE rt_literal (ord serial, typname name, lit text);
INSERT INTO rt_literal (typname, lit) VALUES
  ('int2vector', '1 2 3'), ('int2vector', ''), ('int2vector', '-32768 32767'),
  ('oidvector', '1 2'), ('oidvector', ''), ('oidvector', '4294967295 0'),
  ('tsquery', 'a & b'), ('tsquery', '!x | (y <-> z)'), ('tsquery', 'fat:ab & rat:*'),
  ('tsquery', 'a <3> (b | !c)'),
  ('tsvector', 'a fat cat'), ('tsvector', 'a:1A b:2,3 c:4D'), ('tsvector', ''),
  ('jsonb', '{"a": [1, 2, {"b": null}], "c": "d"}'), ('jsonb', '[]'), ('jsonb', '"x"'),
  ('json', '{"a" : 1,  "a": 2 }'), ('json', '[1, "two"]'),
  ('jsonpath', '$.a[*] ? (@ > 1)'), ('jsonpath', 'strict $.x'),
  ('xml', '<a x="1">b<c/></a>'), ('xml', 'just text'),
  ('numeric', '0'), ('numeric', '-1.5'), ('numeric', 'NaN'), ('numeric', 'Infinity'),
  ('numeric', '123456789012345678901234567890.123456789'),
  ('bytea', '\x'), ('bytea', '\xdeadbeef'), ('bytea', '\x00'),
  ('text', ''), ('text', 'abc'), ('text', 'üñíçødé ✓ 日本語'),
  ('varchar', ''), ('varchar', 'varchar value'),
  ('bpchar', 'ab  '), ('bpchar', 'x'), ('bpchar', ''),
  ('name', 'a_name'), ('name', ''),
  ('char', 'a'), ('char', ''),
  ('uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
  ('inet', '192.168.0.1/24'), ('inet', '::1'), ('inet', '2001:db8::1/64'),
  ('cidr', '10.0.0.0/8'), ('cidr', '2001:db8::/32'),
  ('macaddr', '08:00:2b:01:02:03'), ('macaddr8', '08:00:2b:01:02:03:04:05'),
  ('point', '(1,2)'), ('point', '(-1.5,NaN)'),
  ('box', '(1,2),(3,4)'), ('lseg', '[(0,0),(1,1)]'), ('line', '{1,2,3}'),
  ('path', '[(0,0),(1,1)]'), ('path', '((0,0),(1,1),(2,0))'),
  ('polygon', '((0,0),(1,1),(1,0))'), ('circle', '<(1,2),3>'),
  ('interval', '1 year 2 mons 3 days 04:05:06.7'), ('interval', '-1 day'),
  ('time', '23:59:59.999999'), ('timetz', '12:34:56+02'), ('date', '2024-02-29'),
  ('timestamp', '2024-01-01 12:34:56.789'), ('timestamptz', '2024-06-30 23:00:00+02'),
  ('bit', '101'), ('bit', ''), ('varbit', '1010101'), ('varbit', ''),
  ('money', '12.34'), ('money', '-0.01'),
  ('pg_lsn', '16/B374D848'),
  ('txid_snapshot', '10:20:10,14,15'), ('pg_snapshot', '10:20:10,14,15'),
  ('regclass', 'pg_class'), ('regtype', 'integer'), ('regproc', 'now'),
  ('regprocedure', 'abs(integer)'), ('regoper', '||/'), ('regoperator', '+(integer,integer)'),
  ('regnamespace', 'pg_catalog'), ('regrole', 'pg_monitor'), ('regconfig', 'english'),
  ('regdictionary', 'simple'), ('regcollation', '"C"'),
  ('oid', '0'), ('oid', '4294967295'), ('xid', '7'), ('xid8', '10'), ('cid', '5'),
  ('tid', '(1,2)'), ('aclitem', '=r/pg_monitor'), ('refcursor', 'c1'),
  ('int2', '-32768'), ('int4', '2147483647'), ('int8', '-9223372036854775808'),
  ('float4', '1.5'), ('float4', 'NaN'), ('float8', '-Infinity'), ('float8', '1e-300'),
  ('bool', 'true'), ('bool', 'false'),
  ('int4range', '[1,5)'), ('int4range', 'empty'), ('int8range', '(,10]'),
  ('numrange', '[1.5,2.5]'), ('daterange', '[2024-01-01,2024-02-01)'),
  ('tsrange', '[2024-01-01 00:00,)'), ('tstzrange', '[2024-01-01 00:00+00,2024-01-02 00:00+00)'),
  ('int4multirange', '{[1,3), [5,7)}'), ('int4multirange', '{}'),
  ('nummultirange', '{[1.5,2.5]}'), ('int8multirange', '{(,0]}'),
  ('datemultirange', '{[2024-01-01,2024-02-01)}'), ('tsmultirange', '{[2024-01-01 00:00,)}'),
  ('tstzmultirange', '{[2024-01-01 00:00+00,2024-01-02 00:00+00)}');
INSERT INTO rt_literal (typname, lit)
SELECT 'int2vector', string_agg(g::text, ' ') FROM generate_series(1, 100) g UNION ALL
SELECT 'oidvector', string_agg(g::text, ' ') FROM generate_series(1, 100) g UNION ALL
SELECT 'tsquery', string_agg('w' || g, ' & ') FROM generate_series(1, 50) g UNION ALL
SELECT 'tsvector', string_agg('w' || g, ' ') FROM generate_series(1, 50) g UNION ALL
SELECT 'text', repeat('long text ', 30) UNION ALL
SELECT 'varchar', repeat('long varchar ', 30) UNION ALL
SELECT 'bytea', '\x' || repeat('ab', 300) UNION ALL
SELECT 'jsonb', jsonb_agg(g)::text FROM generate_series(1, 100) g UNION ALL
SELECT 'numeric', repeat('9', 200) || '.5' UNION ALL
SELECT 'varbit', repeat('10', 200) UNION ALL
SELECT 'path', '[' || string_agg(format('(%s,%s)', g, g * 2), ',') || ']'
  FROM generate_series(1, 20) g UNION ALL
SELECT 'polygon', '(' || string_agg(format('(%s,%s)', g, g % 3), ',') || ')'
  FROM generate_series(1, 20) g;

-- How a frame differs from a heap table with the same rows (id, v): rows
-- missing on either side by their text, by their binary output ("send", if
-- the type has one) and by the type's equality (if it has one).
CREATE FUNCTION rt_mismatches(f regclass, h regclass, send regproc) RETURNS int8
LANGUAGE plpgsql AS $$
DECLARE
  n int8;
  bad int8 := 0;
  arg text := '';
BEGIN
  EXECUTE format('SELECT count(*) FROM ((SELECT x::text FROM %1$s x EXCEPT ALL SELECT y::text FROM %2$s y)
                  UNION ALL (SELECT y::text FROM %2$s y EXCEPT ALL SELECT x::text FROM %1$s x)) d', f, h)
    INTO n;
  bad := bad + n;
  IF send IS NOT NULL THEN
    -- the argument is cast to the send function's own type (textsend of a
    -- refcursor), unless that is a pseudo-type (array_send)
    SELECT CASE WHEN t.typtype <> 'p' THEN '::' || t.oid::regtype::text ELSE '' END
      INTO arg FROM pg_proc p JOIN pg_type t ON t.oid = p.proargtypes[0]
     WHERE p.oid = send;
    BEGIN
      EXECUTE format('SELECT count(*) FROM %1$s x FULL JOIN %2$s y USING (id)
                      WHERE %3$s(x.v%4$s) IS DISTINCT FROM %3$s(y.v%4$s)', f, h, send, arg)
        INTO n;
      bad := bad + n;
    EXCEPTION WHEN undefined_function THEN
      NULL;                     -- an array of a type without send (aclitem)
    END;
  END IF;
  BEGIN
    EXECUTE format('SELECT count(*) FROM %1$s x FULL JOIN %2$s y USING (id)
                    WHERE (x.v = y.v) IS NOT TRUE AND (x.v IS NOT NULL OR y.v IS NOT NULL)', f, h)
      INTO n;
    bad := bad + n;
  EXCEPTION WHEN undefined_function OR ambiguous_function THEN
    NULL;                       -- no equality operator
  END;
  RETURN bad;
END $$;

-- rt_mismatches() with the custom scan off and on
CREATE FUNCTION rt_mismatches_both(f regclass, h regclass, send regproc) RETURNS int8
LANGUAGE plpgsql AS $$
DECLARE
  bad int8;
BEGIN
  PERFORM set_config('shmcache.enable_customscan', 'off', true);
  bad := rt_mismatches(f, h, send);
  PERFORM set_config('shmcache.enable_customscan', 'on', true);
  RETURN bad + rt_mismatches(f, h, send);
END $$;

-- extended statistics, so that pg_statistic_ext_data holds values of
-- pg_ndistinct, pg_dependencies and pg_mcv_list
CREATE TABLE rt_stats (a int4, b int4);
INSERT INTO rt_stats SELECT g % 10, g % 5 FROM generate_series(1, 100) g;
CREATE STATISTICS rt_stats_ext (ndistinct, dependencies, mcv) ON a, b FROM rt_stats;
ANALYZE rt_stats;

CREATE TABLE rt_result (typname name, tested bool, nvalues int8, mismatches int8, error text,
                        text_input bool);
CREATE TABLE rt_elem (ord serial, typ oid, val text);

-- For every base type, range and multirange type, and their arrays: a heap table rt_h (id, v) with its values, a frame
-- rt_x filled by INSERT and a frame rt_y filled by copy_from() from a text
-- file of rt_h (types that take input from text), compared with rt_h by both
-- scans, then saved, restored and compared again.
DO $$
DECLARE
  t record;
  c record;
  tname text;
  delim text;
  elems text;
  n int8;
  bad int8;
  has_y bool;
  loaded bool;
BEGIN
  FOR t IN
    SELECT ty.oid, ty.typname, ty.typelem, NULLIF(ty.typsend, 0)::regproc AS send,
           ty.typelem <> 0 AND
           ty.oid = (SELECT e.typarray FROM pg_type e WHERE e.oid = ty.typelem) AS is_array
      FROM pg_type ty
     WHERE ty.typtype IN ('b', 'r', 'm') AND ty.typisdefined
       AND ty.typnamespace = 'pg_catalog'::regnamespace
       -- arrays of those only (not of row types)
       AND NOT EXISTS (SELECT FROM pg_type e WHERE e.oid = ty.typelem AND e.typarray = ty.oid
                                               AND e.typtype NOT IN ('b', 'r', 'm'))
     ORDER BY 5, ty.typname COLLATE "C"    -- element types before arrays
  LOOP
    tname := format('pg_catalog.%I', t.typname);
    loaded := false;
    -- a type a table column cannot have is skipped
    BEGIN
      EXECUTE format('CREATE TABLE rt_h (id int4 GENERATED BY DEFAULT AS IDENTITY, v %s)', tname);
    EXCEPTION WHEN others THEN
      INSERT INTO rt_result VALUES (t.typname, false, NULL, NULL, SQLERRM);
      COMMIT;
      CONTINUE;
    END;

    BEGIN
      EXECUTE 'INSERT INTO rt_h (v) VALUES (NULL)';
      FOR c IN SELECT lit FROM rt_literal WHERE typname = t.typname ORDER BY ord LOOP
        EXECUTE format('INSERT INTO rt_h (v) VALUES (%L::%s)', c.lit, tname);
      END LOOP;
      FOR c IN SELECT r.oid::regclass AS rel, a.attname
                 FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid
                WHERE r.relnamespace = 'pg_catalog'::regnamespace AND r.relkind = 'r'
                  AND a.atttypid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY r.relname COLLATE "C", a.attnum LOOP
        EXECUTE format('INSERT INTO rt_h (v) SELECT %1$I FROM %2$s WHERE %1$I IS NOT NULL LIMIT 3',
                       c.attname, c.rel);
      END LOOP;
      IF t.is_array THEN
        -- the element type's values, with a NULL, repeated to make it long
        SELECT typdelim INTO delim FROM pg_type WHERE oid = t.typelem;
        SELECT string_agg('"' || replace(replace(val, '\', '\\'), '"', '\"') || '"', delim ORDER BY ord)
          INTO elems FROM rt_elem WHERE typ = t.typelem;
        IF elems IS NOT NULL THEN
          EXECUTE format('INSERT INTO rt_h (v) VALUES (%L::%s), (%L::%s), (%L::%s)',
                         '{' || elems || '}', tname,
                         '{' || elems || delim || 'NULL}', tname,
                         '{' || repeat(elems || delim, 10) || 'NULL}', tname);
        END IF;
        EXECUTE format('INSERT INTO rt_h (v) VALUES (%L::%s), (%L::%s)', '{}', tname, '{NULL}', tname);
      ELSE
        BEGIN
          -- values the arrays of this type are built from, if their text
          -- is input again
          EXECUTE format('INSERT INTO rt_elem (typ, val) SELECT %s, v::text FROM rt_h
                          WHERE v IS NOT NULL ORDER BY id LIMIT 4', t.oid);
          EXECUTE format('SELECT count(%s) FROM rt_elem WHERE typ = %s', 'val::' || tname, t.oid);
        EXCEPTION WHEN others THEN
          NULL;                 -- the insert is rolled back
        END;
      END IF;
      -- every value again, read from the heap (short headers where the
      -- type's storage allows them)
      INSERT INTO rt_h (v) SELECT v FROM rt_h ORDER BY id;
      SELECT count(v) INTO n FROM rt_h;

      PERFORM shmcache.create_frame('rt_x', format('id int4, v %s', tname));
      INSERT INTO rt_x SELECT id, v FROM rt_h ORDER BY id;
      -- rt_y, for types whose text is input again (not pg_node_tree, nor
      -- regproc, whose output names overloaded functions)
      has_y := false;
      BEGIN
        EXECUTE 'COPY rt_h TO ''/tmp/shmcache_regress_rt.txt''';
        CREATE TEMP TABLE rt_input_check AS SELECT * FROM rt_h WITH NO DATA;
        EXECUTE 'COPY rt_input_check FROM ''/tmp/shmcache_regress_rt.txt''';
        DROP TABLE rt_input_check;
        has_y := true;
      EXCEPTION WHEN others THEN
        NULL;
      END;
      IF has_y THEN
        PERFORM shmcache.create_frame('rt_y', format('id int4, v %s', tname));
        PERFORM shmcache.copy_from('rt_y', '/tmp/shmcache_regress_rt.txt');
      END IF;
      loaded := true;
    EXCEPTION WHEN others THEN
      INSERT INTO rt_result VALUES (t.typname, true, NULL, NULL, 'load: ' || SQLERRM);
    END;
    COMMIT;                     -- save() reads committed rows only

    IF loaded THEN
      BEGIN
        bad := rt_mismatches_both('rt_x', 'rt_h', t.send);
        IF has_y THEN
          bad := bad + rt_mismatches_both('rt_y', 'rt_h', t.send);
        END IF;
        PERFORM shmcache.save('rt_x');
        PERFORM shmcache.restore('rt_x');
        bad := bad + rt_mismatches_both('rt_x', 'rt_h', t.send);
        INSERT INTO rt_result VALUES (t.typname, true, n, bad, NULL, has_y);
      EXCEPTION WHEN others THEN
        INSERT INTO rt_result VALUES (t.typname, true, n, NULL, 'read: ' || SQLERRM);
      END;
    END IF;
    IF to_regclass('rt_x') IS NOT NULL THEN
      PERFORM shmcache.drop_frame('rt_x');
    END IF;
    IF to_regclass('rt_y') IS NOT NULL THEN
      PERFORM shmcache.drop_frame('rt_y');
    END IF;
    DROP TABLE rt_h;
    COMMIT;
  END LOOP;
END $$;

SELECT count(*) FILTER (WHERE tested) AS types_tested,
       count(*) FILTER (WHERE tested AND nvalues > 0) AS types_with_values,
       count(*) FILTER (WHERE NOT tested) AS types_skipped
  FROM rt_result;
-- types a table column cannot have
SELECT typname, error FROM rt_result WHERE NOT tested ORDER BY typname COLLATE "C";
-- types without a value to test: no input from text, no catalog column
SELECT typname FROM rt_result WHERE tested AND nvalues = 0 ORDER BY typname COLLATE "C";
-- types whose values were not loaded by copy_from() too: their text output
-- is not input again
SELECT typname FROM rt_result WHERE tested AND nvalues > 0 AND NOT text_input
 ORDER BY typname COLLATE "C";
-- failures: none
SELECT typname, mismatches, error FROM rt_result
 WHERE tested AND (error IS NOT NULL OR mismatches <> 0) ORDER BY typname COLLATE "C";
-- the types with plain storage and some neighbours
SELECT typname, nvalues > 0 AS has_values, mismatches, error FROM rt_result
 WHERE typname IN ('int2vector', 'oidvector', 'tsquery', '_int2vector', '_oidvector',
                   '_tsquery', 'tsvector', 'text', 'bpchar', 'jsonb', 'numeric',
                   'pg_node_tree', 'aclitem', '_aclitem', 'name', '_text')
 ORDER BY typname COLLATE "C";

--
-- int2vector, oidvector and tsquery in detail: values, functions, filters,
-- COPY FROM STDIN, binary copy_from(), save and restore
--
CREATE DOMAIN rt_i2v AS int2vector;     -- a domain has its base type's storage
SELECT shmcache.create_frame('rt_plain',
  'id int4 NOT NULL, a int2vector, b oidvector, q tsquery, tv tsvector, d rt_i2v');
CREATE TABLE rt_plain_h (id int4 NOT NULL, a int2vector, b oidvector, q tsquery,
                         tv tsvector, d rt_i2v);
INSERT INTO rt_plain_h VALUES
  (1, '1 2 3', '1 2', 'a & b', 'a fat cat', '4 5'),
  (2, '', '', '!x | (y <-> z)', '', ''),
  (3, NULL, NULL, NULL, NULL, NULL),
  (4, (SELECT string_agg(g::text, ' ') FROM generate_series(1, 100) g)::int2vector,
      (SELECT string_agg(g::text, ' ') FROM generate_series(1, 100) g)::oidvector,
      (SELECT string_agg('w' || g, ' & ') FROM generate_series(1, 50) g)::tsquery,
      (SELECT string_agg('w' || g, ' ') FROM generate_series(1, 50) g)::tsvector,
      '7');
INSERT INTO rt_plain SELECT * FROM rt_plain_h;
COPY rt_plain FROM STDIN;
5	7 8 9	10 11	c | !d	x:1 y:2	1
6	1 2 3	1 2	a & b	a fat cat	4 5
\.
\echo rows loaded: :ROW_COUNT
COPY rt_plain_h FROM STDIN;
5	7 8 9	10 11	c | !d	x:1 y:2	1
6	1 2 3	1 2	a & b	a fat cat	4 5
\.
-- binary input (the types' receive functions; an empty int2vector or
-- oidvector comes back from its binary form as an array of no dimension,
-- which their receive functions refuse, in a heap table as well)
COPY (SELECT id + 100, a, b, q, tv, d FROM rt_plain_h WHERE id IN (1, 3, 4))
  TO '/tmp/shmcache_regress_rt.bin' (FORMAT binary);
SELECT shmcache.copy_from('rt_plain', '/tmp/shmcache_regress_rt.bin', 'format binary');
COPY rt_plain_h FROM '/tmp/shmcache_regress_rt.bin' (FORMAT binary);

SET shmcache.enable_customscan = off;
SELECT id, a, b, q, tv, d FROM rt_plain WHERE id <> 4 AND id <> 104 ORDER BY id;
RESET shmcache.enable_customscan;
EXPLAIN (COSTS OFF) SELECT id, a, b, q, tv, d FROM rt_plain;
SELECT id, a, b, q, tv, d FROM rt_plain WHERE id <> 4 AND id <> 104 ORDER BY id;
SELECT id, a[0] AS a0, array_length(a::int2[], 1) AS alen, b[1] AS b1,
       numnode(q) AS nodes, tv @@ q AS matches, length(tv) AS lexemes, d[0] AS d0
  FROM rt_plain ORDER BY id;
-- filters on the columns (pushed into the scan) and the types' operators
SELECT id FROM rt_plain WHERE a = '1 2 3' ORDER BY id;
SELECT id FROM rt_plain WHERE b = '1 2' ORDER BY id;
SELECT id FROM rt_plain WHERE q = 'a & b' ORDER BY id;
SELECT id FROM rt_plain WHERE q @> 'a' ORDER BY id;
SELECT id FROM rt_plain WHERE tv @@ 'fat & cat' ORDER BY id;
SELECT count(DISTINCT q), count(DISTINCT a), count(DISTINCT b) FROM rt_plain;
SELECT count(*) FROM (SELECT x::text FROM rt_plain x EXCEPT ALL SELECT y::text FROM rt_plain_h y) d;
SELECT count(*) FROM (SELECT y::text FROM rt_plain_h y EXCEPT ALL SELECT x::text FROM rt_plain x) d;

-- save and restore
SELECT frame, rows FROM shmcache.save('rt_plain');
TRUNCATE rt_plain;
SELECT count(*) FROM rt_plain;
SELECT shmcache.restore('rt_plain');
SELECT id, a, b, q, tv, d FROM rt_plain WHERE id <> 4 AND id <> 104 ORDER BY id;
SELECT count(*) FROM (SELECT x::text FROM rt_plain x EXCEPT ALL SELECT y::text FROM rt_plain_h y) d;
SELECT count(*) FROM (SELECT y::text FROM rt_plain_h y EXCEPT ALL SELECT x::text FROM rt_plain x) d;
SET shmcache.enable_customscan = off;
SELECT count(*) FROM (SELECT x::text FROM rt_plain x EXCEPT ALL SELECT y::text FROM rt_plain_h y) d;
SELECT count(*) FROM (SELECT y::text FROM rt_plain_h y EXCEPT ALL SELECT x::text FROM rt_plain x) d;
RESET shmcache.enable_customscan;

--
-- The dictionary keeps one entry for equal values whether they arrive with
-- a 4-byte header (COPY: straight from the input function) or a 1-byte one
-- (INSERT: through the view's trigger tuple): the frame mixing both takes
-- as many bytes as the one loaded by COPY only.
--
SELECT shmcache.create_frame('rt_d1', 't text, a int2vector');
SELECT shmcache.create_frame('rt_d2', 't text, a int2vector');
COPY (SELECT 'same value', '1 2'::int2vector FROM generate_series(1, 1000))
  TO '/tmp/shmcache_regress_rt_1000.txt';
COPY (SELECT 'same value', '1 2'::int2vector FROM generate_series(1, 500))
  TO '/tmp/shmcache_regress_rt_500.txt';
COPY rt_d1 FROM '/tmp/shmcache_regress_rt_1000.txt';
BEGIN;
INSERT INTO rt_d2 SELECT 'same value', '1 2' FROM generate_series(1, 500);
COPY rt_d2 FROM '/tmp/shmcache_regress_rt_500.txt';
COMMIT;
SELECT count(*), count(DISTINCT (t, a)) FROM rt_d2;
SELECT (SELECT bytes FROM shmcache.frames WHERE frame = 'rt_d1'::regclass) =
       (SELECT bytes FROM shmcache.frames WHERE frame = 'rt_d2'::regclass) AS same_bytes;

SELECT shmcache.drop_frame('rt_d1');
SELECT shmcache.drop_frame('rt_d2');
SELECT shmcache.drop_frame('rt_plain');
DROP TABLE rt_plain_h, rt_literal, rt_result, rt_elem, rt_stats;
DROP DOMAIN rt_i2v;
DROP FUNCTION rt_mismatches_both(regclass, regclass, regproc);
DROP FUNCTION rt_mismatches(regclass, regclass, regproc);
