"""The client against a live server: frames and tables, both drivers.

Skipped unless SHMCACHE_TEST_DSN is set (a libpq connection string of a
server with shmcache in shared_preload_libraries, as a user who may create
the extension and tables).  A heap table of every type the server maps,
with NULLs, NaN, infinities, and text whose dictionary changes from chunk to
chunk, is cached as a frame; the rows ``read_frame`` and ``read_query`` give
for each (with psycopg2, and with psycopg when installed; each reader) must
equal psycopg2's ``fetchall`` of the table.
"""

import datetime
import json
import math
import os
import sys
import unittest
from decimal import Decimal

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import shmcache  # noqa: E402

DSN = os.environ.get("SHMCACHE_TEST_DSN")
ROWS = 40000  # three chunks of the frame

COLUMNS = """id int8 NOT NULL, i2 int2, i4 int4, f4 float4, f8 float8, b bool,
    n numeric(12, 2), nu numeric, t text, vc varchar(12), c char(3), by bytea,
    d date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid, j jsonb,
    ai int4[], at text[]"""

# Row i of the table; every column is NULL in some rows.  Text values come
# and go with i / 16384, so each chunk of the frame has its own dictionary.
ROW_SQL = """
SELECT i,
  CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 60000 - 30000)::int2 END,
  CASE WHEN i % 11 = 0 THEN NULL ELSE i * 37 - 500000 END,
  (CASE i % 13 WHEN 0 THEN NULL WHEN 1 THEN 'NaN' WHEN 2 THEN 'Infinity'
               WHEN 3 THEN '-Infinity' ELSE (i / 8.0)::text END)::float4,
  (CASE i % 17 WHEN 0 THEN NULL WHEN 1 THEN 'NaN' WHEN 2 THEN '-Infinity'
               ELSE (i * 1.25e-3)::text END)::float8,
  CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3 = 0 END,
  CASE WHEN i % 19 = 0 THEN NULL ELSE (i * 7919 % 10000000) / 100.0 - 30000 END,
  CASE WHEN i % 23 = 0 THEN NULL ELSE i::numeric / 7 END,
  CASE WHEN i % 9 = 0 THEN NULL ELSE 'sym' || (i * 7919 % 300 + i / 16384 * 100) END,
  CASE WHEN i % 29 = 0 THEN NULL WHEN i % 31 = 0 THEN '' ELSE 'v' || i % 50 END,
  CASE WHEN i % 37 = 0 THEN NULL ELSE chr(65 + i % 26) END,
  CASE WHEN i % 41 = 0 THEN NULL ELSE int4send(i) END,
  CASE WHEN i % 43 = 0 THEN NULL ELSE date '2000-01-01' + (i * 97 % 40000 - 20000) END,
  CASE WHEN i % 47 = 0 THEN NULL ELSE time '00:00' + i * interval '2.000001 s' END,
  CASE WHEN i % 53 = 0 THEN NULL ELSE timestamp '2024-01-02 09:00' + i * interval '1.001 ms' END,
  CASE WHEN i % 59 = 0 THEN NULL ELSE timestamptz '2024-01-02 09:00+00' - i * interval '1 h' END,
  CASE WHEN i % 61 = 0 THEN NULL
       ELSE make_interval(months => i % 11, days => i % 40 - 20, secs => i / 1000.0) END,
  CASE WHEN i % 67 = 0 THEN NULL ELSE md5(i::text)::uuid END,
  CASE WHEN i % 71 = 0 THEN NULL ELSE jsonb_build_object('i', i, 'even', i % 2 = 0) END,
  CASE WHEN i % 73 = 0 THEN NULL WHEN i % 79 = 0 THEN ARRAY[]::int4[]
       ELSE ARRAY[i, NULLIF(i % 3, 0), -i] END,
  CASE WHEN i % 83 = 0 THEN NULL ELSE ARRAY['a' || i % 4, NULL, ''] END
FROM generate_series(1, {rows}) AS i
"""


def drivers():
    """(name, connect) for each installed driver."""
    found = []
    try:
        import psycopg2
        found.append(("psycopg2", psycopg2.connect))
    except ImportError:
        pass
    try:
        import psycopg
        found.append(("psycopg", psycopg.connect))
    except ImportError:
        pass
    return found


def readers():
    names = ["numpy"]
    try:
        import pyarrow  # noqa: F401
        names.append("pyarrow")
    except ImportError:
        pass
    return names


def _time_of_day(delta):
    return (datetime.datetime.min + delta).time()


def _interval(months, days, nanoseconds):
    """An interval as psycopg2 gives it: a timedelta, months as 30 days
    (the test data keeps months under 12, psycopg2 counts a year as 365)."""
    return datetime.timedelta(days=30 * months + days, microseconds=nanoseconds // 1000)


def python_value(name, value):
    """A value of column ``name`` from a numpy array, as psycopg2 gives it."""
    if isinstance(value, np.ndarray):  # arrays: lists with None for NULL
        return [None if v is None else python_value(name, v) for v in value.tolist()]
    if name == "tm":
        return _time_of_day(value.item())
    if name == "tz":
        return value.item().replace(tzinfo=datetime.timezone.utc)
    if name == "iv":
        return _interval(*(int(x) for x in value.item()))
    if name == "u":
        return str(value)
    if name == "j":
        return json.loads(value)
    if name == "nu":  # numeric without precision comes as text
        return Decimal(value)
    return value.item() if isinstance(value, np.generic) else value


def rows_from_arrays(arrays):
    names = list(arrays)
    columns = []
    for name in names:
        data = arrays[name]
        mask = np.ma.getmaskarray(data)
        columns.append([None if m else python_value(name, v)
                        for v, m in zip(np.ma.getdata(data), mask)])
    return [tuple(row) for row in zip(*columns)]


def same(a, b):
    """Equality of rows where NaN equals NaN."""
    def eq(x, y):
        if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
            return True
        return x == y
    return len(a) == len(b) and all(eq(x, y) for x, y in zip(a, b))


@unittest.skipUnless(DSN, "SHMCACHE_TEST_DSN is not set")
class ServerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        import psycopg2
        cls.oracle = psycopg2.connect(DSN)
        cls.oracle.autocommit = True
        with cls.oracle.cursor() as cur:
            cur.execute("SET timezone = 'UTC'")
            cur.execute("CREATE EXTENSION IF NOT EXISTS shmcache")
            cur.execute("DROP VIEW IF EXISTS py_frame; DROP TABLE IF EXISTS py_heap")
            cur.execute(f"CREATE TABLE py_heap ({COLUMNS})")
            cur.execute("INSERT INTO py_heap " + ROW_SQL.format(rows=ROWS))
            cur.execute("SELECT shmcache.cache_table('py_heap', 'py_frame')")
            cur.execute("SELECT * FROM py_heap ORDER BY id")
            cls.expected = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                            for row in cur.fetchall()]

    @classmethod
    def tearDownClass(cls):
        with cls.oracle.cursor() as cur:
            cur.execute("SELECT shmcache.drop_frame('py_frame')")
            cur.execute("DROP TABLE py_heap")
        cls.oracle.close()

    def connections(self):
        """(label, connection, reader) for each driver and reader."""
        for name, connect in drivers():
            conn = connect(DSN)
            try:
                for reader in readers():
                    yield f"{name}/{reader}", conn, reader
            finally:
                conn.close()

    def assertRows(self, got, expected):
        self.assertEqual(len(got), len(expected))
        for g, e in zip(got, expected):
            self.assertTrue(same(g, e), f"\n got {g}\nwant {e}")

    def test_frame_and_table_arrays(self):
        for label, conn, reader in self.connections():
            with self.subTest(label):
                frame = shmcache.read_frame_arrays(conn, "py_frame", reader=reader)
                self.assertRows(sorted(rows_from_arrays(frame)), self.expected)  # by id
                heap = shmcache.read_query_arrays(conn, "SELECT * FROM py_heap ORDER BY id",
                                                  reader=reader)
                self.assertRows(rows_from_arrays(heap), self.expected)

    def test_dataframes(self):
        import pandas as pd
        for label, conn, reader in self.connections():
            with self.subTest(label):
                frame = shmcache.read_frame(conn, "py_frame", reader=reader)
                frame = frame.sort_values("id", ignore_index=True)  # chunks in any order
                heap = shmcache.read_query(conn, "SELECT * FROM py_heap ORDER BY id",
                                           reader=reader)
                self.assertIsInstance(frame["t"].dtype, pd.CategoricalDtype)
                self.assertEqual(str(frame["tz"].dtype), str(heap["tz"].dtype))
                self.assertEqual(frame["t"].astype(object).where(frame["t"].notna(), None)
                                 .tolist(), [r[8] for r in self.expected])
                for name in ("id", "i2", "i4", "f8", "b", "n", "ts", "tz", "by"):
                    pd.testing.assert_series_equal(frame[name], heap[name], check_names=True)

    def test_columns_where_params(self):
        lo, hi = 16000, 16800  # across a chunk boundary
        want = [(r[0], r[4], r[8]) for r in self.expected if lo <= r[0] <= hi]
        for label, conn, reader in self.connections():
            with self.subTest(label):
                got = shmcache.read_frame_arrays(conn, "py_frame", ["id", "f8", "t"],
                                                 where="id BETWEEN %s AND %s",
                                                 params=(lo, hi), reader=reader)
                self.assertRows(rows_from_arrays(got), want)
                one = shmcache.read_frame(conn, "py_frame", where="id = %s", params=(7,),
                                          reader=reader)
                self.assertEqual(len(one), 1)
                none = shmcache.read_frame(conn, "py_frame", ["id", "t"], where="false",
                                           reader=reader)
                self.assertEqual(list(none.columns), ["id", "t"])
                self.assertEqual(len(none), 0)

    def test_append_frame(self):
        import pandas as pd
        rows = pd.DataFrame({"id": [1, 2], "t": ["x", None], "f8": [0.5, float("nan")],
                             "tz": pd.to_datetime(["2024-01-02 09:00:00.001", None], utc=True)})
        with self.oracle.cursor() as cur:
            cur.execute("SELECT shmcache.create_frame('py_append', "
                        "'id int8, t text, f8 float8, tz timestamptz')")
        try:
            for label, conn, reader in self.connections():
                with self.subTest(label):
                    shmcache.append_frame(conn, "py_append", rows)
                    conn.commit()
                    got = shmcache.read_frame(conn, "py_append", where="true ORDER BY id",
                                              reader=reader)
                    self.assertEqual(got["id"].tolist(), [1, 2])
                    self.assertEqual(got["t"].tolist()[0], "x")
                    self.assertTrue(pd.isna(got["t"].tolist()[1]))
                    self.assertTrue(np.isnan(got["f8"].tolist()[1]))
                    self.assertEqual(got["tz"].tolist()[0], rows["tz"][0])
                    self.assertTrue(pd.isna(got["tz"].tolist()[1]))
                    conn.rollback()  # end the reading transaction before TRUNCATE
                    with self.oracle.cursor() as cur:
                        cur.execute("TRUNCATE py_append")
        finally:
            with self.oracle.cursor() as cur:
                cur.execute("SELECT shmcache.drop_frame('py_append')")


if __name__ == "__main__":
    unittest.main()
