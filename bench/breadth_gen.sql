-- bench/breadth_gen.sql
--	The data of bench/breadth.sh: a ClickBench-schema "hits" table and a
--	TPC-H-like "lineitem", written as two CSV files.  Run by psql with the
--	variables rows (hits rows), orders (TPC-H orders: 1,500,000 x SF; about
--	4 lineitems each), hits_csv and lineitem_csv (files the server writes).
--
--	Deterministic: every value is a function of the row number through
--	hashint8extended (no random()), and the rows are written in row-number
--	order (no parallel plan), so a given (rows, orders) gives the same bytes
--	in every run.  The helper functions live in schema breadth_gen of the
--	database it runs in (dropped at the end).
--
--	hits (columns and types of workloads/clickbench_create.sql):
--	  row i is a hit at EventTime = 2013-07-01 + (i - 1) / rows x 31 days plus
--	  up to a minute of jitter: the rows are in time order, as a log appended
--	  over July 2013 would be.
--	  UserID: one of max(1000, rows / 15) users, power-law skew (user k has
--	  the share of (k+1)^0.4 - k^0.4); a user has one ClientIP, RegionID, OS,
--	  UserAgent, screen, browser language, ... (from the user key).
--	  User key 5000 has UserID 435090932899640449 (ClickBench Q20's).
--	  CounterID: one of 10000 counters (sites), steep skew: counter key 0,
--	  CounterID 62, has ~10% of the hits (Q37-Q43 filter on it); URLs are the
--	  counter's domain + one of max(1000, rows / 40) pages (skewed); two of
--	  the counters are google domains and 1% of the pages carry
--	  "?utm_source=google", so LIKE '%google%' finds rows; 1% of URLs are ''.
--	  Title: words of the page (Latin and Cyrillic), " - Google" in 2.5%.
--	  SearchPhrase: '' in 85% of hits, else one of max(1000, rows / 8)
--	  phrases of 2-4 words, skewed; SearchEngineID follows it.
--	  RegionID: 4000 regions, skewed (per user).  AdvEngineID: 0 in 98%.
--	  Referer: '' in 40%, else one of 3000 referring domains (skewed, yandex
--	  and google first) and 1000 paths.  URLHash / RefererHash: hashes of
--	  the page / referer, the most frequent page of counter 62 and the most
--	  frequent referer having the constants of Q42 / Q41.
--	  IsRefresh 1 in 8%, DontCountHits 1 in 5%, IsLink 1 in 5%, IsDownload 1
--	  in 1%; TraficSourceID -1..10 skewed (2 for searches); the rest plausible.
--
--	lineitem (workloads/tpch_lineitem_ddl.sql), dbgen's distributions:
--	  order o (1..orders) has orderkey ((o-1)/8)*32 + (o-1)%8 + 1 (dbgen's
--	  sparse keys), an orderdate uniform in 1992-01-01 .. 1998-08-02 and 1..7
--	  lines; l_partkey uniform in 1..200000 x SF, l_suppkey dbgen's formula
--	  from it, l_quantity 1..50, l_extendedprice = quantity x the part's
--	  retail price (dbgen's formula), l_discount 0.00..0.10, l_tax 0..0.08,
--	  shipdate = orderdate + 1..121, commitdate = orderdate + 30..90,
--	  receiptdate = shipdate + 1..30; returnflag R/A (half each) if received
--	  by 1995-06-17, else N; linestatus O if shipped after 1995-06-17, else F;
--	  shipinstruct and shipmode among dbgen's values; a comment of words.

\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = 0;
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS breadth_gen CASCADE;
CREATE SCHEMA breadth_gen;
SET search_path = breadth_gen, public;

-- h(i, s): a non-negative 63-bit hash of i under salt s.
CREATE FUNCTION h(i int8, s int8) RETURNS int8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT hashint8extended(i, s) & 9223372036854775807 $$;
-- u(i, s): uniform in [0, 1), 52 bits.
CREATE FUNCTION u(i int8, s int8) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8extended(i, s) & 4503599627370495)::float8 / 4503599627370496.0 $$;
-- z(i, s, n, a): a key in 0..n-1, power-law skewed: floor(n * u^a); key k
-- has the share ((k+1)^(1/a) - k^(1/a)) / n^(1/a), key 0 the largest.
CREATE FUNCTION z(i int8, s int8, n int8, a float8) RETURNS int8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT least(n - 1, floor(n * power((hashint8extended(i, s) & 4503599627370495)::float8 / 4503599627370496.0, a)))::int8 $$;
-- pick(arr, k): element k mod length (0-based) of arr.
CREATE FUNCTION pick(arr anyarray, k int8) RETURNS anyelement LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT arr[1 + (k % cardinality(arr))::int] $$;

-- Words of domains and paths (Latin), of phrases and titles (also Cyrillic).
CREATE FUNCTION wl() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$ SELECT ARRAY[
 'kupit','prodam','avto','kvartira','moskva','spb','online','besplatno','smotret','film',
 'serial','igra','skachat','pogoda','novosti','rabota','ceny','otzyvy','foto','video',
 'muzyka','recept','kredit','bank','telefon','iphone','samsung','noutbuk','mebel','remont',
 'tury','otdyh','shkola','kino','sport','futbol','hokkei','market','auto','dom',
 'sad','ogorod','zdorovie','apteka','kupon','skidki','dostavka','odezhda','obuv','deti'] $$;
CREATE FUNCTION ww() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$ SELECT wl() || ARRAY[
 'купить','новости','погода','видео','скачать','бесплатно','москва','авто','работа','фильмы',
 'онлайн','смотреть','цены','отзывы','игры','музыка','квартиры','рецепты','карта','знакомства'] $$;
CREATE FUNCTION sect() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$ SELECT ARRAY[
 'news','catalog','item','search','forum','blog','user','video','photo','cars','realty',
 'job','sport','weather','games','music','shop','page','article','index'] $$;
CREATE FUNCTION pre() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$ SELECT ARRAY[
 'www.','www.','','m.','www.','','forum.','shop.','www.','news.'] $$;
CREATE FUNCTION tld() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$ SELECT ARRAY[
 '.ru','.ru','.ru','.com','.net','.ua','.su','.org','.by','.kz','.ru','.com.tr'] $$;
CREATE FUNCTION refdom(k int8) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE k
 WHEN 0 THEN 'yandex.ru' WHEN 1 THEN 'www.google.ru' WHEN 2 THEN 'go.mail.ru'
 WHEN 3 THEN 'www.google.com' WHEN 4 THEN 'vk.com' WHEN 5 THEN 'www.odnoklassniki.ru'
 ELSE pick(pre(), h(k, 70)) || pick(wl(), h(k, 71)) || pick(wl(), h(k, 72)) || pick(tld(), h(k, 73)) END $$;
CREATE FUNCTION sitedom(k int8) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE k
 WHEN 7 THEN 'www.google.ru' WHEN 29 THEN 'maps.google.com'
 ELSE pick(pre(), h(k, 80)) || pick(wl(), h(k, 81)) || pick(wl(), h(k, 82)) || pick(tld(), h(k, 83)) END $$;

\echo @@ hits
COPY (
SELECT
  h(i, 101) AS WatchID,
  (CASE WHEN h(uk, 102) % 10 < 8 THEN 1 ELSE 0 END)::int2 AS JavaEnable,
  title AS Title,
  1::int2 AS GoodEvent,
  et AS EventTime,
  et::date AS EventDate,
  (CASE WHEN ck = 0 THEN 62 ELSE 100 + h(ck, 103) % 100000 END)::int4 AS CounterID,
  (h(uk, 104) % 4294000000 - 2147000000)::int4 AS ClientIP,
  region AS RegionID,
  CASE WHEN uk = 5000 THEN 435090932899640449 ELSE h(uk, 105) END AS UserID,
  (h(ck, 106) % 4)::int2 AS CounterClass,
  z(uk, 107, 60, 3)::int2 AS OS,
  z(uk, 108, 80, 3)::int2 AS UserAgent,
  url AS URL,
  referer AS Referer,
  (CASE WHEN u(i, 109) < 0.08 THEN 1 ELSE 0 END)::int2 AS IsRefresh,
  (CASE WHEN referer = '' THEN 0 ELSE 1 + h(rd, 110) % 20 END)::int2 AS RefererCategoryID,
  (CASE WHEN referer = '' THEN 0 ELSE region END)::int4 AS RefererRegionID,
  (h(ck, 111) % 50)::int2 AS URLCategoryID,
  ((229 + z(i, 112, 4000, 3) * 37) % 20000)::int4 AS URLRegionID,
  rw AS ResolutionWidth,
  rh AS ResolutionHeight,
  (CASE WHEN h(uk, 113) % 4 = 0 THEN 32 ELSE 24 END)::int2 AS ResolutionDepth,
  pick(ARRAY[11, 0, 10, 11, 9, 11]::int2[], h(uk, 114)) AS FlashMajor,
  (h(uk, 115) % 10)::int2 AS FlashMinor,
  CASE WHEN h(uk, 116) % 3 = 0 THEN (h(uk, 117) % 1000)::text ELSE '' END AS FlashMinor2,
  (h(uk, 118) % 5)::int2 AS NetMajor,
  (h(uk, 119) % 10)::int2 AS NetMinor,
  z(uk, 120, 40, 2)::int2 AS UserAgentMajor,
  pick(ARRAY['0', '1', '2', '5', 'D0', 'Bl', 'Y7', '112', '3']::varchar[], z(uk, 121, 9, 2)) AS UserAgentMinor,
  (CASE WHEN h(uk, 122) % 20 = 0 THEN 0 ELSE 1 END)::int2 AS CookieEnable,
  (CASE WHEN h(uk, 123) % 25 = 0 THEN 0 ELSE 1 END)::int2 AS JavascriptEnable,
  (CASE WHEN mobile THEN 1 ELSE 0 END)::int2 AS IsMobile,
  (CASE WHEN mobile THEN 1 + h(uk, 124) % 10 ELSE 0 END)::int2 AS MobilePhone,
  CASE WHEN mobile THEN pick(ARRAY['iPad', 'iPhone', 'GT-I9300', 'GT-I9100', 'GT-N7100', 'HTC One', 'Nexus 4',
    'Lumia 920', 'Xperia Z', 'GT-S5830', 'Galaxy Tab', 'MB526', 'LG-P500', 'Optimus', 'Desire HD'], z(uk, 125, 15, 2.5))
    ELSE '' END AS MobilePhoneModel,
  CASE WHEN h(i, 126) % 20 = 0 THEN 'p=' || (h(i, 127) % 100) ELSE '' END AS Params,
  (h(uk, 128) % 500000)::int4 AS IPNetworkID,
  (CASE WHEN phrase <> '' THEN 2 ELSE pick(ARRAY[0, -1, 1, 3, 4, 5, 6, 7, 8, 9, 10], z(i, 129, 11, 2)) END)::int2 AS TraficSourceID,
  (CASE WHEN phrase <> '' THEN 1 + z(i, 130, 30, 3) ELSE 0 END)::int2 AS SearchEngineID,
  phrase AS SearchPhrase,
  (CASE WHEN u(i, 131) < 0.02 THEN 1 + z(i, 132, 30, 2) ELSE 0 END)::int2 AS AdvEngineID,
  (CASE WHEN h(i, 133) % 500 = 0 THEN 1 ELSE 0 END)::int2 AS IsArtifical,
  (CASE WHEN rw = 0 THEN 0 ELSE greatest(0, rw - 17 - h(i, 134) % 40) END)::int2 AS WindowClientWidth,
  (CASE WHEN rh = 0 THEN 0 ELSE greatest(0, rh - 120 - h(i, 135) % 200) END)::int2 AS WindowClientHeight,
  tz::int2 AS ClientTimeZone,
  et + ((h(uk, 136) % 600) - 300) * interval '1 second' AS ClientEventTime,
  (CASE WHEN h(uk, 137) % 3 = 0 THEN 5 ELSE 0 END)::int2 AS SilverlightVersion1,
  (h(uk, 138) % 2)::int2 AS SilverlightVersion2,
  (CASE WHEN h(uk, 137) % 3 = 0 THEN 50000 + h(uk, 139) % 20000 ELSE 0 END)::int4 AS SilverlightVersion3,
  0::int2 AS SilverlightVersion4,
  CASE WHEN h(ck, 140) % 3 = 0 THEN 'windows-1251' ELSE 'utf-8' END AS PageCharset,
  pick(ARRAY[0, 500, 601, 602, 700]::int4[], h(ck, 141)) AS CodeVersion,
  (CASE WHEN u(i, 142) < 0.05 THEN 1 ELSE 0 END)::int2 AS IsLink,
  (CASE WHEN u(i, 143) < 0.01 THEN 1 ELSE 0 END)::int2 AS IsDownload,
  (CASE WHEN u(i, 144) < 0.3 THEN 1 ELSE 0 END)::int2 AS IsNotBounce,
  CASE WHEN h(uk, 145) % 4 = 0 THEN 0 ELSE h(uk, 146) END AS FUniqID,
  CASE WHEN h(i, 147) % 10 = 0 THEN url ELSE '' END AS OriginalURL,
  (h(i, 148) % 2147483647)::int4 AS HID,
  0::int2 AS IsOldCounter,
  (CASE WHEN h(i, 149) % 50 = 0 THEN 1 ELSE 0 END)::int2 AS IsEvent,
  (CASE WHEN h(i, 150) % 100 = 0 THEN 1 ELSE 0 END)::int2 AS IsParameter,
  (CASE WHEN u(i, 151) < 0.05 THEN 1 ELSE 0 END)::int2 AS DontCountHits,
  (CASE WHEN h(i, 152) % 100 = 0 THEN 1 ELSE 0 END)::int2 AS WithHash,
  pick(ARRAY['E', 'E', 'E', 'F', 'D', '5', '3']::char[], h(i, 153)) AS HitColor,
  et + tz * interval '1 hour' AS LocalEventTime,
  pick(ARRAY[0, 18, 25, 35, 45, 55]::int2[], h(uk, 154)) AS Age,
  (h(uk, 155) % 3)::int2 AS Sex,
  (h(uk, 156) % 5)::int2 AS Income,
  (h(uk, 157) % 1024)::int2 AS Interests,
  (CASE WHEN h(uk, 158) % 50 = 0 THEN 1 ELSE 0 END)::int2 AS Robotness,
  (h(i, 159) % 4294000000 - 2147000000)::int4 AS RemoteIP,
  (CASE WHEN h(i, 160) % 3 = 0 THEN -1 ELSE h(i, 161) % 100000 END)::int4 AS WindowName,
  (CASE WHEN h(i, 162) % 3 = 0 THEN -1 ELSE h(i, 163) % 100000 END)::int4 AS OpenerName,
  (h(i, 164) % 20)::int2 AS HistoryLength,
  pick(ARRAY['ru', 'ru', 'ru', 'en', 'uk', 'de', 'tr', '']::text[], h(uk, 165)) AS BrowserLanguage,
  pick(ARRAY['ru', 'ru', 'ru', 'ua', 'by', 'kz', 'tr', 'us', 'de']::text[], h(uk, 166)) AS BrowserCountry,
  CASE WHEN rd = 4 AND referer <> '' THEN 'vkontakte' ELSE '' END AS SocialNetwork,
  '' AS SocialAction,
  (CASE WHEN h(i, 167) % 200 = 0 THEN 404 ELSE 0 END)::int2 AS HTTPError,
  (h(i, 168) % 1000)::int4 AS SendTiming,
  (h(i, 169) % 200)::int4 AS DNSTiming,
  (h(i, 170) % 300)::int4 AS ConnectTiming,
  (h(i, 171) % 2000)::int4 AS ResponseStartTiming,
  (h(i, 172) % 3000)::int4 AS ResponseEndTiming,
  (h(i, 173) % 5000)::int4 AS FetchTiming,
  0::int2 AS SocialSourceNetworkID,
  '' AS SocialSourcePage,
  CASE WHEN h(i, 174) % 100 = 0 THEN h(i, 175) % 100000 ELSE 0 END AS ParamPrice,
  CASE WHEN h(i, 174) % 100 = 0 THEN (h(i, 176) % 1000000)::text ELSE '' END AS ParamOrderID,
  CASE WHEN h(i, 174) % 100 = 0 THEN 'RUB' ELSE '' END AS ParamCurrency,
  (CASE WHEN h(i, 174) % 100 = 0 THEN 1 ELSE 0 END)::int2 AS ParamCurrencyID,
  '' AS OpenstatServiceName,
  '' AS OpenstatCampaignID,
  '' AS OpenstatAdID,
  '' AS OpenstatSourceID,
  CASE WHEN h(i, 177) % 50 = 0 THEN pick(ARRAY['google', 'yandex', 'vk', 'email']::text[], h(i, 178)) ELSE '' END AS UTMSource,
  CASE WHEN h(i, 177) % 50 = 0 THEN 'cpc' ELSE '' END AS UTMMedium,
  CASE WHEN h(i, 177) % 50 = 0 THEN 'c' || (h(i, 179) % 100) ELSE '' END AS UTMCampaign,
  '' AS UTMContent,
  '' AS UTMTerm,
  '' AS FromTag,
  (CASE WHEN h(i, 180) % 100 = 0 THEN 1 ELSE 0 END)::int2 AS HasGCLID,
  CASE WHEN referer = '' THEN 6202628419148573758
       WHEN rd = 0 AND rp = 0 THEN 3594120000172545465 ELSE h(rd * 1000 + rp, 181) END AS RefererHash,
  CASE WHEN url = '' THEN 6202628419148573758
       WHEN ck = 0 AND pk = 0 THEN 2868770270353813622 ELSE h(ck * 1000003 + pk, 182) END AS URLHash,
  (CASE WHEN h(i, 183) % 100 = 0 THEN h(i, 184) % 1000 ELSE 0 END)::int4 AS CLID
FROM (
  SELECT s.*,
    CASE WHEN u(i, 40) < 0.01 THEN ''
         ELSE 'http://' || dom || '/' || pick(sect(), h(pid, 41)) || '/' || pick(wl(), h(pid, 42)) || '-' ||
              pick(wl(), h(pid, 43)) || '/' || (h(pid, 44) % 1000000) ||
              CASE WHEN h(pid, 45) % 100 = 0 THEN '?utm_source=google&p=' || pk ELSE '.html' END END AS url,
    CASE WHEN u(i, 40) < 0.01 THEN ''
         ELSE pick(ww(), h(pid, 46)) || ' ' || pick(ww(), h(pid, 47)) || ' ' || pick(ww(), h(pid, 48)) ||
              CASE WHEN h(pid, 49) % 40 = 0 THEN ' - Google' ELSE '' END || ' - ' || dom END AS title,
    CASE WHEN u(i, 50) < 0.4 THEN ''
         ELSE CASE WHEN h(rd, 51) % 3 = 0 THEN 'https://' ELSE 'http://' END || refdom(rd) || '/' ||
              pick(sect(), h(rp, 52)) || '/' || rp || '.html' END AS referer,
    CASE WHEN u(i, 60) < 0.85 THEN ''
         ELSE pick(ww(), h(sk, 61)) || ' ' || pick(ww(), h(sk, 62)) ||
              CASE WHEN h(sk, 63) % 4 <> 0 THEN ' ' || pick(ww(), h(sk, 64)) ELSE '' END ||
              CASE WHEN h(sk, 65) % 5 = 0 THEN ' ' || (2000 + h(sk, 66) % 14) ELSE '' END END AS phrase,
    ((229 + z(uk, 67, 4000, 3) * 37) % 20000)::int4 AS region,
    pick(ARRAY[1366, 1920, 1280, 1024, 1600, 1440, 1680, 0, 1360, 1536, 1280, 800, 2560, 1093, 360, 320, 768, 1152]::int2[], wk) AS rw,
    pick(ARRAY[768, 1080, 1024, 768, 900, 900, 1050, 0, 768, 864, 800, 600, 1440, 614, 640, 480, 1024, 864]::int2[], wk) AS rh,
    pick(ARRAY[3, 3, 3, 4, 2, -1, 0, 6, 5]::int2[], h(uk, 68)) AS tz,
    h(uk, 69) % 10 = 0 AS mobile
  FROM (
    SELECT i, uk, ck, pk, ck * 1000003 + pk AS pid, sitedom(ck) AS dom, rd, rp, sk,
      timestamp '2013-07-01' + least(2678399, floor((i - 1) * 2678400.0 / :rows) + h(i, 20) % 60) * interval '1 second' AS et
    FROM (
      SELECT i,
        z(i, 21, greatest(1000, :rows / 15), 2.5) AS uk,
        z(i, 22, 10000, 4) AS ck,
        z(i, 23, greatest(1000, :rows / 40), 2.5) AS pk,
        z(i, 24, 3000, 3) AS rd,
        z(i, 25, 1000, 2.5) AS rp,
        z(i, 26, greatest(1000, :rows / 8), 2.5) AS sk
      FROM generate_series(1, :rows::int8) AS i
      OFFSET 0) AS k
    OFFSET 0) AS s,
  LATERAL (SELECT z(s.uk, 27, 18, 2) AS wk) AS w
  OFFSET 0) AS t
) TO :'hits_csv' (FORMAT csv);

\echo @@ lineitem
COPY (
SELECT okey AS l_orderkey, pk AS l_partkey,
  ((pk + (h(r, 203) % 4) * (ns / 4 + (pk - 1) / ns)) % ns + 1)::int4 AS l_suppkey,
  ln AS l_linenumber, qty AS l_quantity,
  (qty * (90000 + (pk / 10) % 20001 + 100 * (pk % 1000)) / 100.0)::numeric(15,2) AS l_extendedprice,
  ((h(r, 204) % 11) / 100.0)::numeric(15,2) AS l_discount,
  ((h(r, 205) % 9) / 100.0)::numeric(15,2) AS l_tax,
  CASE WHEN ship + 1 + (h(r, 206) % 30)::int <= date '1995-06-17'
       THEN CASE WHEN h(r, 207) % 2 = 0 THEN 'R' ELSE 'A' END ELSE 'N' END AS l_returnflag,
  CASE WHEN ship > date '1995-06-17' THEN 'O' ELSE 'F' END AS l_linestatus,
  ship AS l_shipdate,
  odate + 30 + (h(r, 208) % 61)::int AS l_commitdate,
  ship + 1 + (h(r, 206) % 30)::int AS l_receiptdate,
  pick(ARRAY['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'], h(r, 209)) AS l_shipinstruct,
  pick(ARRAY['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'], h(r, 210)) AS l_shipmode,
  left(pick(ARRAY['carefully', 'final', 'deposits', 'furiously', 'regular', 'ironic', 'packages', 'slyly',
                  'quickly', 'express', 'accounts', 'blithely', 'pending', 'requests', 'bold', 'theodolites'], h(r, 211)) || ' ' ||
       pick(ARRAY['sleep', 'wake', 'haggle', 'nag', 'use', 'boost', 'cajole', 'detect', 'integrate', 'maintain'], h(r, 212)) || ' ' ||
       pick(ARRAY['above the', 'across the', 'after the', 'against the', 'along the', 'among the', 'about the'], h(r, 213)) || ' ' ||
       pick(ARRAY['furious', 'special', 'even', 'silent', 'daring', 'unusual', 'final', 'quiet'], h(r, 214)) || ' ' ||
       pick(ARRAY['foxes', 'ideas', 'pinto beans', 'instructions', 'dependencies', 'excuses', 'platelets', 'asymptotes'], h(r, 215)),
       10 + (h(r, 216) % 34)::int) AS l_comment
FROM (
  SELECT okey, odate, ln, ns, o * 8 + ln AS r,
    (1 + h(o * 8 + ln, 201) % np)::int4 AS pk,
    (1 + h(o * 8 + ln, 202) % 50)::numeric(15,2) AS qty,
    odate + 1 + (h(o * 8 + ln, 217) % 121)::int AS ship
  FROM (
    SELECT o, (((o - 1) / 8) * 32 + (o - 1) % 8 + 1)::int4 AS okey,
      date '1992-01-01' + (h(o, 200) % (date '1998-08-02' - date '1992-01-01' + 1))::int AS odate,
      1 + (h(o, 199) % 7)::int AS nl,
      greatest(1, round(200000.0 * :orders / 1500000))::int8 AS np,
      greatest(4, round(10000.0 * :orders / 1500000))::int8 AS ns
    FROM generate_series(1, :orders::int8) AS o
    OFFSET 0) AS ord,
  LATERAL generate_series(1, ord.nl) AS ln
  OFFSET 0) AS l
) TO :'lineitem_csv' (FORMAT csv);

DROP SCHEMA breadth_gen CASCADE;
