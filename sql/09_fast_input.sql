--
-- 09_fast_input: text and CSV loads convert int, float, text, date and
-- timestamp fields with fast paths of their own (src/input.c).  They must
-- give exactly what the types' input functions give, and bad input must
-- fail with COPY's own error and context line.  The oracle: the same file
-- COPYed into a heap table with the same columns.  Frame and table have the
-- same name in two schemas, so that even the error context lines
-- ("COPY t, line 1, column i2: ...") must be equal.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS shmcache;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET extra_float_digits = 1;

-- files go to this suite's results directory
\getenv abs_builddir PG_ABS_BUILDDIR
\set fi_file :abs_builddir '/results/09_fast_input.data'

CREATE SCHEMA fi_frame;
CREATE SCHEMA fi_heap;

-- fi_write(path, lines): write "lines" to the server file "path", verbatim
-- (COPY's CSV format with a delimiter and a quote that never occur)
CREATE FUNCTION fi_write(path text, lines text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('COPY (SELECT l FROM unnest(string_to_array(%L, E''\n'')) WITH ORDINALITY AS x(l, i) ORDER BY i) '
                   'TO %L (FORMAT csv, DELIMITER E''\x02'', QUOTE E''\x01'')',
                   trim(both E'\n' from lines), path);
END $$;

-- fi_error(stmt): "SQLSTATE: message / first context line" of the error
-- "stmt" raises, or "ok"
CREATE FUNCTION fi_error(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text;
    msg text;
    ctx text;
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, ctx = PG_EXCEPTION_CONTEXT;
    RETURN st || ': ' || msg || ' / ' || split_part(ctx, E'\n', 1);
END $$;

-- fi_load(t, path, options): empty frame fi_frame.t and table fi_heap.t,
-- load "path" into both (copy_from and COPY, with COPY's "options"), and
-- compare the rows as text (so that -0 and 0, or NaN bit patterns, differ)
CREATE FUNCTION fi_load(t text, path text, options text DEFAULT 'format csv') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    nf int8;
    nh int8;
    only_frame int8;
    only_heap int8;
BEGIN
    EXECUTE format('TRUNCATE fi_frame.%I', t);
    EXECUTE format('TRUNCATE fi_heap.%I', t);
    EXECUTE format('SELECT shmcache.copy_from(%L, %L, %L)', 'fi_frame.' || t, path, options) INTO nf;
    EXECUTE format('COPY fi_heap.%I FROM %L (%s)', t, path, options);
    GET DIAGNOSTICS nh = ROW_COUNT;
    EXECUTE format('SELECT count(*) FROM (SELECT x::text FROM fi_frame.%I x EXCEPT ALL SELECT x::text FROM fi_heap.%I x) d', t, t)
        INTO only_frame;
    EXECUTE format('SELECT count(*) FROM (SELECT x::text FROM fi_heap.%I x EXCEPT ALL SELECT x::text FROM fi_frame.%I x) d', t, t)
        INTO only_heap;
    RETURN format('frame %s rows, heap %s rows, %s only in frame, %s only in heap', nf, nh, only_frame, only_heap);
END $$;

-- fi_bad(t, path, line): write "line" alone to "path" and load it into the
-- frame with copy_from and with COPY, and into the table with COPY: the
-- error, if the three agree, else all three
CREATE FUNCTION fi_bad(t text, path text, line text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r_fn text;
    r_copy text;
    r_heap text;
BEGIN
    PERFORM fi_write(path, line);
    r_fn := fi_error(format('SELECT shmcache.copy_from(%L, %L, ''format csv'')', 'fi_frame.' || t, path));
    r_copy := fi_error(format('COPY fi_frame.%I FROM %L (FORMAT csv)', t, path));
    r_heap := fi_error(format('COPY fi_heap.%I FROM %L (FORMAT csv)', t, path));
    IF r_fn = r_heap AND r_copy = r_heap THEN
        RETURN r_heap;
    END IF;
    RETURN format('MISMATCH frame copy_from: %s | frame COPY: %s | heap COPY: %s', r_fn, r_copy, r_heap);
END $$;

-- ---------------------------------------------------------------------
-- integers
-- ---------------------------------------------------------------------
SELECT shmcache.create_frame('fi_frame.ints', 'n int4, i2 int2, i4 int4, i8 int8');
CREATE TABLE fi_heap.ints (n int4, i2 int2, i4 int4, i8 int8);
SELECT fi_write(:'fi_file', $$
1,0,0,0
2,-0,-0,-0
3,+0,+0,+0
4,1,-1,+1
5,32767,2147483647,9223372036854775807
6,-32768,-2147483648,-9223372036854775808
7,9999,999999999,999999999999999999
8,-9999,-999999999,-999999999999999999
9,10000,1000000000,1000000000000000000
10,-10000,-1000000000,-1000000000000000000
11,+32767,+2147483647,+9223372036854775807
12,0042,000000042,000000000000000000000000042
13," 7"," 7"," 7"
14,"7 ","7 ","7 "
15," -7 ","	-7	"," +7 "
16,"12","-12","+12"
17,,,
18,00000,0000000000,0000000000000000000
$$);
SELECT fi_load('ints', :'fi_file');
SELECT * FROM fi_frame.ints ORDER BY n;
-- the text format too
COPY fi_heap.ints TO :'fi_file';
SELECT fi_load('ints', :'fi_file', 'format text');
SELECT fi_bad('ints', :'fi_file', '1,32768,0,0');
SELECT fi_bad('ints', :'fi_file', '1,-32769,0,0');
SELECT fi_bad('ints', :'fi_file', '1,0,2147483648,0');
SELECT fi_bad('ints', :'fi_file', '1,0,-2147483649,0');
SELECT fi_bad('ints', :'fi_file', '1,0,0,9223372036854775808');
SELECT fi_bad('ints', :'fi_file', '1,0,0,-9223372036854775809');
SELECT fi_bad('ints', :'fi_file', '1,0,0,99999999999999999999999');
SELECT fi_bad('ints', :'fi_file', '1,"",0,0');
SELECT fi_bad('ints', :'fi_file', '1,0," ",0');
SELECT fi_bad('ints', :'fi_file', '1,0,0,-');
SELECT fi_bad('ints', :'fi_file', '1,+,0,0');
SELECT fi_bad('ints', :'fi_file', '1,0,1.5,0');
SELECT fi_bad('ints', :'fi_file', '1,0,0,12a');
SELECT fi_bad('ints', :'fi_file', '1,0,- 1,0');
SELECT fi_bad('ints', :'fi_file', '1,0,0,--1');
SELECT fi_bad('ints', :'fi_file', '1,0,0,1e3');
SELECT fi_bad('ints', :'fi_file', '1,0,0');
SELECT fi_bad('ints', :'fi_file', '1,0,0,0,0');
SELECT count(*) AS rows_after_errors FROM fi_frame.ints;

-- ---------------------------------------------------------------------
-- floating point
-- ---------------------------------------------------------------------
SELECT shmcache.create_frame('fi_frame.floats', 'n int4, f4 float4, f8 float8');
CREATE TABLE fi_heap.floats (n int4, f4 float4, f8 float8);
SELECT fi_write(:'fi_file', $$
1,0,0
2,-0,-0
3,+0,+0.0
4,-0.0,-0.000
5,1.5,-1.5
6,79.19,79.19
7,0.1,0.1
8,0.2,0.3
9,3.141593,3.14159265358979
10,1234567,123456789012345
11,12345678,1234567890123456
12,16777217,9007199254740993
13,1e10,1e22
14,1e11,1e23
15,1e-10,1e-22
16,1e-11,1e-23
17,1E5,1.5e+3
18,2.5e-3,-2.5E-3
19,.5,.5
20,5.,5.
21,-.5,-.5
22,00001.5000,00001.50000000000000
23,0.000001,0.0000000000000001
24,3.4028235e38,1.7976931348623157e308
25,1.17549435e-38,2.2250738585072014e-308
26,1.4e-45,4.9e-324
27,NaN,NaN
28,nan,-nan
29,Infinity,-Infinity
30,inf,-inf
31," 1.5","1.5 "
32,"2.5","	2.5"
33,,
34,1e0,1e-0
35,123.456e1,123456.789e-3
36,0.1e1,100e-2
37,9999999,999999999999999
38,0.30000001,0.30000000000000004
39,1e000,1e022
40,000000000000000000001,0.000000000000000000000000000000000
$$);
SELECT fi_load('floats', :'fi_file');
SELECT * FROM fi_frame.floats ORDER BY n;
SELECT fi_bad('floats', :'fi_file', '1,abc,0');
SELECT fi_bad('floats', :'fi_file', '1,0,1e400');
SELECT fi_bad('floats', :'fi_file', '1,0,-1e400');
SELECT fi_bad('floats', :'fi_file', '1,0,1e-400');
SELECT fi_bad('floats', :'fi_file', '1,1e39,0');
SELECT fi_bad('floats', :'fi_file', '1,1e-50,0');
SELECT fi_bad('floats', :'fi_file', '1,"",0');
SELECT fi_bad('floats', :'fi_file', '1,0,1.5x');
SELECT fi_bad('floats', :'fi_file', '1,0,--1');
SELECT fi_bad('floats', :'fi_file', '1,0,1e');
SELECT fi_bad('floats', :'fi_file', '1,0,.');
SELECT fi_bad('floats', :'fi_file', '1,0,1.2.3');
SELECT count(*) AS rows_after_errors FROM fi_frame.floats;

-- ---------------------------------------------------------------------
-- text and varchar
-- ---------------------------------------------------------------------
SELECT shmcache.create_frame('fi_frame.texts', 'n int4, t text, v varchar, v3 varchar(3), c3 char(3)');
CREATE TABLE fi_heap.texts (n int4, t text, v varchar, v3 varchar(3), c3 char(3));
SELECT fi_write(:'fi_file', $$
1,abc,abc,abc,abc
2,"","","",""
3,,,,
4," x "," x ",x  , x
5,"a,b","a""b","""","a,"
6,é ü 中,日本語,äöü,äö
7,NULL,\N,\N,NA
8,"multi
line","tab	here",ab,a
9,abc   ,abc   ,abc  ,abc  
$$);
SELECT fi_load('texts', :'fi_file');
SELECT n, t, v, v3, c3, length(t) AS len_t, length(c3) AS len_c3, octet_length(c3) AS bytes_c3
  FROM fi_frame.texts ORDER BY n;
-- the text format: backslash escapes
COPY fi_heap.texts TO :'fi_file';
SELECT fi_load('texts', :'fi_file', 'format text');
SELECT fi_bad('texts', :'fi_file', '1,a,b,abcd,c');
SELECT fi_bad('texts', :'fi_file', '1,a,b,c,abcd');
SELECT count(*) AS rows_after_errors FROM fi_frame.texts;

-- ---------------------------------------------------------------------
-- date, timestamp, timestamptz (also with typmods), in several time zones
-- and DateStyles: every timestamp line goes to all four timestamp columns
-- ---------------------------------------------------------------------
SELECT shmcache.create_frame('fi_frame.dates', 'n int4, d date');
CREATE TABLE fi_heap.dates (n int4, d date);
SELECT shmcache.create_frame('fi_frame.stamps',
    'n int4, ts timestamp, tz timestamptz, ts3 timestamp(3), tz0 timestamptz(0)');
CREATE TABLE fi_heap.stamps (n int4, ts timestamp, tz timestamptz, ts3 timestamp(3), tz0 timestamptz(0));

CREATE TEMP TABLE fi_date_lines (n serial, v text);
INSERT INTO fi_date_lines (v) VALUES
    ('2024-01-02'), ('2024-02-29'), ('2000-02-29'), ('1900-02-28'), ('2023-12-31'),
    ('0001-01-01'), ('9999-12-31'), ('0099-06-15'), ('1000-01-01'), ('1970-01-01'),
    ('2024-1-2'), ('20240102'), ('Jan 2 2024'), ('2024.01.02'),
    ('epoch'), ('infinity'), ('-infinity'), ('0044-03-15 BC'), ('2024-01-02 BC'),
    (' 2024-01-02'), ('2024-01-02 '), ('10000-01-01'), ('5874897-12-31'), ('4714-11-24 BC'),
    ('2024-01-02 10:00:00'), ('2024-01-02T00:00:00'), ('J2451545'), (NULL);

CREATE TEMP TABLE fi_stamp_lines (n serial, v text);
INSERT INTO fi_stamp_lines (v) VALUES
    ('2024-01-02 09:00:00'), ('2024-01-02 09:00:00+00'), ('2024-01-02 09:00:00.001+00'),
    ('2024-01-02 09:00:00.1'), ('2024-01-02 09:00:00.12'), ('2024-01-02 09:00:00.123'),
    ('2024-01-02 09:00:00.1234'), ('2024-01-02 09:00:00.12345'), ('2024-01-02 09:00:00.123456'),
    ('2024-01-02 09:00:00.1234564'), ('2024-01-02 09:00:00.1234565'), ('2024-01-02 09:00:00.1234575'),
    ('2024-01-02 09:00:00.0000005'), ('2024-01-02 09:00:00.9999995'), ('2024-01-02 23:59:59.9999999'),
    ('2024-01-02 09:00:00.000000'), ('2024-01-02 09:00:00.999999+00'), ('2024-01-02 09:00:00.5555555555'),
    ('2024-01-02T09:00:00'), ('2024-01-02T09:00:00.5+01'), ('2024-01-02 09:00'), ('2024-01-02 09:00+02'),
    ('2024-01-02'), ('2024-01-02 09:00:00-08'), ('2024-01-02 09:00:00+05:30'), ('2024-01-02 09:00:00+0530'),
    ('2024-01-02 09:00:00-03:30'), ('2024-01-02 09:00:00+14'), ('2024-01-02 09:00:00+15:59'),
    ('2024-01-02 09:00:00-15'), ('2024-01-02 09:00:00-1545'), ('2024-01-02 09:00:00+05:30:15'),
    ('2024-01-02 09:00:00 +05'), ('2024-01-02 09:00:00Z'), ('2024-01-02 09:00:00 UTC'),
    ('2024-01-02 09:00:00 America/New_York'), ('2024-01-02 09:00:00 PST'), ('2024-01-02 09:00:00+5'),
    ('2024-03-10 02:30:00'), ('2024-11-03 01:30:00'), ('2024-03-31 02:30:00'), ('2024-10-27 02:30:00'),
    ('2024-04-07 02:15:00'), ('2024-10-06 02:15:00'),
    ('1850-06-01 12:00:00'), ('1883-11-18 12:03:58'), ('1901-12-13 20:45:52'), ('2038-01-19 03:14:08'),
    ('2100-07-01 12:00:00'), ('1999-12-31 24:00:00'), ('2016-12-31 23:59:60'), ('2024-01-02 9:00:00'),
    ('0001-01-01 00:00:00'), ('0001-01-01 00:00:00+15'), ('9999-12-31 23:59:59.999999'),
    ('9999-12-31 23:59:59.999999-15'), ('0099-01-01 00:00:00'), ('1970-01-01 00:00:00+00'),
    ('epoch'), ('infinity'), ('-infinity'), ('0044-03-15 12:00:00 BC'), ('4713-11-24 00:00:00 BC'),
    ('2024-01-02 09:00:00 AM'), ('2024-01-02 09:00:00 pm'), ('Tue Jan 02 09:00:00 2024'),
    ('2024-01-02 00:00:00.000001'), ('2024-01-02 00:00:00.000001-00:01'), ('2024-01-02 09:00:00.'),
    ('2024-01-02  09:00:00'), ('2024-01-02 09:00:00+0'), ('2024-01-02 09:00:00+053'),
    ('2024-01-02 09:00:00+05:3'), (NULL);

-- fi_dates_csv() / fi_stamps_csv(): the lines as CSV (values quoted, NULL as an empty field)
CREATE FUNCTION fi_dates_csv() RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(n || ',' || coalesce('"' || v || '"', ''), E'\n' ORDER BY n) FROM fi_date_lines $$;
CREATE FUNCTION fi_stamps_csv() RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(n || repeat(',' || coalesce('"' || v || '"', ''), 4), E'\n' ORDER BY n) FROM fi_stamp_lines $$;

-- fi_datetime(path): load both files in every combination of time zone and
-- DateStyle below; one line per combination
CREATE FUNCTION fi_datetime(path text) RETURNS TABLE (timezone text, datestyle text, dates text, stamps text)
LANGUAGE plpgsql AS $$
DECLARE
    tzs text[] := ARRAY['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata',
                        'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', '<-03>+3', 'EST5EDT'];
    styles text[] := ARRAY['ISO, YMD', 'ISO, DMY', 'SQL, DMY', 'Postgres, MDY', 'German, DMY'];
    z text;
    s text;
BEGIN
    FOREACH z IN ARRAY tzs LOOP
        FOREACH s IN ARRAY styles LOOP
            PERFORM set_config('TimeZone', z, true);
            PERFORM set_config('DateStyle', s, true);
            PERFORM fi_write(path, fi_dates_csv());
            dates := fi_load('dates', path);
            PERFORM fi_write(path, fi_stamps_csv());
            stamps := fi_load('stamps', path);
            timezone := z;
            datestyle := s;
            RETURN NEXT;
        END LOOP;
    END LOOP;
END $$;

BEGIN;
SELECT * FROM fi_datetime(:'fi_file');
COMMIT;
SELECT * FROM fi_frame.stamps ORDER BY n LIMIT 5;

-- values that depend on DateStyle's field order (refused with YMD)
CREATE FUNCTION fi_dmy(path text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    s text;
BEGIN
    FOREACH s IN ARRAY ARRAY['ISO, DMY', 'SQL, MDY', 'German, DMY', 'Postgres, MDY'] LOOP
        PERFORM set_config('DateStyle', s, true);
        PERFORM fi_write(path, '1,01/02/2024' || E'\n' || '2,02.01.2024' || E'\n' || '3,12/11/10');
        RETURN NEXT s || ': ' || fi_load('dates', path);
        PERFORM fi_write(path, '1' || repeat(',01/02/2024 09:00:00', 4) || E'\n' ||
                               '2' || repeat(',02.01.2024 09:00:00.5-02', 4));
        RETURN NEXT s || ': ' || fi_load('stamps', path);
    END LOOP;
END $$;
BEGIN;
SELECT * FROM fi_dmy(:'fi_file');
COMMIT;

-- errors
SET TimeZone = 'America/New_York';
SELECT v, fi_bad('dates', :'fi_file', '1,"' || v || '"') AS result
  FROM unnest(ARRAY['01/02/2024', '02.01.2024', '2023-02-29', '2024-13-01', '2024-00-10', '2024-01-32', '0000-01-01', '2024-01-00',
                    'garbage', '', '2024-01-02x', '5874898-01-01', '4714-11-23 BC']) AS v;
SELECT v, fi_bad('stamps', :'fi_file', '1' || repeat(',"' || v || '"', 4)) AS result
  FROM unnest(ARRAY['01/02/2024 09:00:00', 'allballs', '294276-12-31 23:59:59', '2024-02-30 10:00:00', '2024-01-02 25:00:00', '2024-01-02 10:60:00',
                    '2024-01-02 10:00:61', '2024-01-02 09:00:00+16', '2024-01-02 09:00:00-16:00',
                    '2024-01-02 09:00:00+05:60', 'not a date', '', '2024-01-02 09:00:00.1.2',
                    '2024-01-02 09:00:00+', '2024-01-02 9:00:00 xyz', '294277-01-01 00:00:00', '2024-01-02 09:00:00.123456789x']) AS v;
SET TimeZone = 'UTC';

-- ---------------------------------------------------------------------
-- what NextCopyFrom does besides converting: column lists, FORCE_NULL /
-- FORCE_NOT_NULL, a view column's DEFAULT, WHERE, HEADER, other delimiters
-- ---------------------------------------------------------------------
SELECT shmcache.create_frame('fi_frame.misc', 'a int4, b text, c int8, d float8');
CREATE TABLE fi_heap.misc (a int4, b text, c int8, d float8);
ALTER VIEW fi_frame.misc ALTER COLUMN c SET DEFAULT 42;
ALTER TABLE fi_heap.misc ALTER COLUMN c SET DEFAULT 42;
COPY fi_frame.misc (d, a, b) FROM STDIN (FORMAT csv, FORCE_NULL (b), FORCE_NOT_NULL (a));
1.5,1,x
2.5,2,""
3.5,3,
\.
COPY fi_heap.misc (d, a, b) FROM STDIN (FORMAT csv, FORCE_NULL (b), FORCE_NOT_NULL (a));
1.5,1,x
2.5,2,""
3.5,3,
\.
SELECT * FROM fi_frame.misc ORDER BY a;
-- FORCE_NOT_NULL on an int column: the empty string fails as in a table
SELECT fi_write(:'fi_file', $$
1,x,,1.5
$$);
SELECT fi_error(format('COPY fi_frame.misc FROM %L (FORMAT csv, FORCE_NOT_NULL (c))', :'fi_file')) AS frame,
       fi_error(format('COPY fi_heap.misc FROM %L (FORMAT csv, FORCE_NOT_NULL (c))', :'fi_file')) AS heap;
-- header, delimiter, quote, null marker, WHERE
SELECT fi_write(:'fi_file', $$
a;b;c;d
1;'x;y';7;0.5
2;NA;NA;NA
3;'NA';-8;-0
4;z;9;1e3
$$);
SELECT fi_load('misc', :'fi_file', 'format csv, header true, delimiter '';'', quote '''''''', null ''NA''');
SELECT * FROM fi_frame.misc ORDER BY a;
TRUNCATE fi_frame.misc;
COPY fi_frame.misc FROM :'fi_file' (FORMAT csv, HEADER, DELIMITER ';', QUOTE '''', NULL 'NA') WHERE c > 0 AND d <> 1000;
SELECT * FROM fi_frame.misc ORDER BY a;
-- text format: a column list leaving c to its default
TRUNCATE fi_frame.misc;
COPY fi_frame.misc (a, d) FROM STDIN;
1	2.25
2	\N
3	-1e-5
\.
SELECT * FROM fi_frame.misc ORDER BY a;

-- ---------------------------------------------------------------------
-- a larger load: 200,000 rows of ticks-like data, CSV and text
-- ---------------------------------------------------------------------
SELECT shmcache.create_frame('fi_frame.ticks', 'id int8, symbol text, ts timestamptz, price float8, qty int4');
CREATE TABLE fi_heap.ticks (id int8, symbol text, ts timestamptz, price float8, qty int4);
COPY (SELECT i, 'S' || (i % 500), timestamptz '2024-01-02 09:00:00+00' + i * interval '1.001 ms',
             (((i * 7919) % 100000) / 100.0)::float8 * (CASE WHEN i % 7 = 0 THEN -1e-3 ELSE 1 END),
             (i % 1000)::int4 - 500
        FROM generate_series(1::int8, 200000::int8) AS i) TO :'fi_file' (FORMAT csv);
SELECT fi_load('ticks', :'fi_file');
SET TimeZone = 'Asia/Kolkata';
COPY (SELECT * FROM fi_heap.ticks) TO :'fi_file' (FORMAT text);
SELECT fi_load('ticks', :'fi_file', 'format text');
RESET TimeZone;

-- clean up (the data file is emptied)
COPY (SELECT WHERE false) TO :'fi_file';
DROP SCHEMA fi_frame CASCADE;
DROP SCHEMA fi_heap CASCADE;
DROP FUNCTION fi_write(text, text), fi_error(text), fi_load(text, text, text), fi_bad(text, text, text),
              fi_dates_csv(), fi_stamps_csv(), fi_datetime(text), fi_dmy(text);
