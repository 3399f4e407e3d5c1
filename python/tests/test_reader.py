"""The Arrow reader on streams written by the reference implementation.

``make_streams.mjs`` (node, apache-arrow from npm) writes IPC streams of
every type the server writes, with NULLs, NaN and infinities, an empty
stream, one row, several batches, dictionaries replaced and extended
between batches, and the expected values as JSON; a "ticks" stream of
the benchmark's shape checks the DataFrame a frame gives.  Each stream is
decoded by the numpy reader, and by the pyarrow one when pyarrow is
installed, fed in pieces of several sizes.
"""

import datetime
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from shmcache import ArrowError  # noqa: E402
from shmcache._arrow import StreamReader  # noqa: E402
from shmcache._client import frame_statement, query_statement  # noqa: E402

try:
    import pandas as pd
    from shmcache._pandas import to_dataframe
except ImportError:
    pd = None
try:
    from shmcache._pyarrow import PyarrowStreamReader
except ImportError:
    PyarrowStreamReader = None

HERE = os.path.dirname(os.path.abspath(__file__))
READERS = {"numpy": StreamReader}
if PyarrowStreamReader is not None:
    READERS["pyarrow"] = PyarrowStreamReader


def run_node(*args):
    """Run make_streams.mjs, installing apache-arrow first if need be."""
    if not os.path.isdir(os.path.join(HERE, "node_modules", "apache-arrow")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE,
                       check=True)
    subprocess.run(["node", os.path.join(HERE, "make_streams.mjs"), *args], check=True)


def decode(path, reader=StreamReader, piece=65536):
    """The columns of the stream in ``path``, fed ``piece`` bytes at a time."""
    with open(path, "rb") as f:
        data = f.read()
    stream = reader()
    for start in range(0, len(data), piece):
        stream.feed(data[start:start + piece])
    return stream.finish()


def canonical(field, value):
    """A decoded value in the JSON form of make_streams.mjs's expected values."""
    kind = field.kind
    if kind == "int":
        return str(int(value)) if field.params["bit_width"] == 64 else int(value)
    if kind == "float":
        v = float(value)
        return v if math.isfinite(v) else {"nan": "NaN", "inf": "Infinity",
                                            "-inf": "-Infinity"}[repr(v)]
    if kind == "bool":
        return bool(value)
    if kind == "binary":
        return value.hex()
    if kind == "date":
        return int(value.astype("M8[D]").astype("i8"))
    if kind in ("time", "timestamp"):
        return str(int(value.astype("i8")))
    if kind == "interval":
        return [int(value["months"]), int(value["days"]), str(int(value["nanoseconds"]))]
    if kind == "list":
        return [None if v is None else canonical(field.children[0], v) for v in value]
    return str(value)  # utf8, decimal, uuid


def canonical_column(column):
    if column.categories is not None:
        return column.array().tolist()
    valid = column.valid if column.valid is not None else np.ones(len(column.values), bool)
    return [canonical(column.field, v) if ok else None for v, ok in zip(column.values, valid)]


class StreamsTest(unittest.TestCase):
    """Streams written by apache-arrow, decoded by each reader."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="shmcache-streams-")
        run_node("cases", cls.dir)
        with open(os.path.join(cls.dir, "expected.json")) as f:
            cls.expected = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def path(self, case):
        return os.path.join(self.dir, f"{case}.arrow")

    def check_case(self, case):
        expected = self.expected[case]
        for name, reader in READERS.items():
            for piece in (1, 7, 4096):
                with self.subTest(reader=name, piece=piece):
                    columns = decode(self.path(case), reader, piece)
                    self.assertEqual([c.name for c in columns], list(expected["columns"]))
                    for column in columns:
                        self.assertEqual(len(column.values), expected["rows"])
                        self.assertEqual(canonical_column(column),
                                         expected["columns"][column.name], column.name)

    def test_all_types_in_several_batches(self):
        self.check_case("all_types")

    def test_one_row(self):
        self.check_case("one_row")

    def test_empty(self):
        self.check_case("empty")

    def test_dictionary_replaced_and_extended(self):
        self.check_case("dictionary")
        categories = list(decode(self.path("dictionary"))[0].categories)
        self.assertEqual(categories, sorted(set(categories)))  # the union, sorted
        self.assertLessEqual(set(self.expected["dictionary"]["columns"]["sym"]) - {None},
                             set(categories))
        self.assertIn("k0", categories)  # in a dictionary, in no row

    def test_dtypes(self):
        columns = {c.name: c for c in decode(self.path("empty"))}
        dtypes = {name: str(c.values.dtype) for name, c in columns.items()}
        self.assertEqual(dtypes["int16"], "int16")
        self.assertEqual(dtypes["int64"], "int64")
        self.assertEqual(dtypes["float32"], "float32")
        self.assertEqual(dtypes["bool"], "bool")
        self.assertEqual(dtypes["date"], "datetime64[D]")
        self.assertEqual(dtypes["time"], "timedelta64[us]")
        self.assertEqual(dtypes["timestamp"], "datetime64[us]")
        self.assertEqual(columns["timestamptz"].timezone, "UTC")
        self.assertIsNone(columns["timestamp"].timezone)
        self.assertEqual(columns["interval"].values.dtype.names, ("months", "days", "nanoseconds"))
        for name in ("utf8", "binary", "decimal", "uuid", "int32_list"):
            self.assertEqual(dtypes[name], "object", name)

    def test_arrays_mask_nulls(self):
        columns = {c.name: c for c in decode(self.path("all_types"))}
        int16 = columns["int16"].array()
        self.assertIsInstance(int16, np.ma.MaskedArray)
        self.assertEqual(int16.mask.tolist(), [False, True, False, False, False, False])
        self.assertTrue(np.isnan(columns["float64"].values[4]))  # NULL
        self.assertTrue(np.isnat(columns["timestamp"].values[3]))
        one = {c.name: c for c in decode(self.path("one_row"))}
        self.assertNotIsInstance(one["int16"].array(), np.ma.MaskedArray)

    def test_broken_streams(self):
        with open(self.path("all_types"), "rb") as f:
            data = f.read()
        for broken, message in ((data[:-20], "middle of a message"),
                                (b"", "empty"),
                                (b"\x00" * 16, "continuation"),
                                (data + b"\xff", "after the end")):
            with self.subTest(message=message):
                stream = StreamReader()
                with self.assertRaisesRegex(ArrowError, message):
                    stream.feed(broken)
                    stream.finish()


@unittest.skipIf(pd is None, "pandas is not installed")
class DataFrameTest(unittest.TestCase):
    """The DataFrame of decoded columns."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="shmcache-streams-")
        run_node("cases", cls.dir)
        cls.rows = 40000  # three batches: 16384, 16384, 7232 rows
        run_node("ticks", str(cls.rows), os.path.join(cls.dir, "ticks.arrow"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def frame(self, case, reader=StreamReader):
        return to_dataframe(decode(os.path.join(self.dir, f"{case}.arrow"), reader))

    def test_ticks(self):
        i = np.arange(1, self.rows + 1)
        for name, reader in READERS.items():
            with self.subTest(reader=name):
                df = self.frame("ticks", reader)
                self.assertEqual(list(df.columns), ["id", "symbol", "ts", "price", "qty", "oid"])
                np.testing.assert_array_equal(df["id"].to_numpy(), i)
                self.assertIsInstance(df["symbol"].dtype, pd.CategoricalDtype)
                self.assertEqual(len(df["symbol"].cat.categories), 1000)
                self.assertEqual(df["symbol"].astype(str).tolist(), [f"S{k % 1000}" for k in i])
                self.assertEqual(str(df["ts"].dt.tz), "UTC")
                expected_ts = (pd.Timestamp("2024-01-02 09:00:00", tz="UTC")
                               + pd.to_timedelta(i, unit="ms"))
                self.assertTrue((df["ts"].to_numpy() == expected_ts.to_numpy()).all())
                np.testing.assert_array_equal(df["price"].to_numpy(), (i * 7919 % 100000) / 100)
                np.testing.assert_array_equal(df["qty"].to_numpy(), i % 1000 + 1)
                self.assertEqual(df["qty"].dtype, np.int32)
                np.testing.assert_array_equal(df["oid"].to_numpy(), i * 3)

    def test_all_types(self):
        df = self.frame("all_types")
        self.assertEqual(str(df["int16"].dtype), "Int16")
        self.assertTrue(df["int16"].isna().tolist()[1])
        self.assertEqual(df["int64"][0], 9223372036854775807)
        self.assertEqual(str(df["bool"].dtype), "boolean")
        self.assertEqual(df["float32"].dtype, np.float32)
        self.assertEqual(str(df["timestamptz"].dtype), "datetime64[ns, UTC]")
        self.assertEqual(df["timestamptz"][0], pd.Timestamp("2024-01-02 09:00:00.001", tz="UTC"))
        self.assertTrue(pd.isna(df["timestamptz"][1]))
        # year 1 and 9999 are outside pandas 1.x's datetime64[ns]: objects
        if pd.__version__.startswith("1."):
            self.assertEqual(df["date"][1], datetime.date(1, 1, 1))
            self.assertEqual(df["timestamp"][2], datetime.datetime(9999, 12, 31, 23, 59, 59, 999999))
        self.assertEqual(df["time"][1], pd.Timedelta(hours=23, minutes=59, seconds=59,
                                                     microseconds=999999))
        self.assertEqual(df["interval"][1], pd.DateOffset(months=14, days=-3,
                                                          microseconds=3723000000))
        self.assertIsNone(df["interval"][2])
        self.assertEqual(str(df["uuid"][0]), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")

    def test_one_row_in_range(self):
        df = self.frame("one_row")
        self.assertEqual(df["date"].dtype.kind, "M")
        self.assertEqual(df["date"][0], pd.Timestamp("1970-01-01"))
        self.assertEqual(str(df["int16"].dtype), "int16")

    def test_empty(self):
        df = self.frame("empty")
        self.assertEqual(len(df), 0)
        self.assertEqual(len(df.columns), 18)

    def test_dictionary(self):
        df = self.frame("dictionary")
        self.assertIsInstance(df["sym"].dtype, pd.CategoricalDtype)
        self.assertEqual(df["sym"].isna().sum(), 5)


class StatementTest(unittest.TestCase):
    """The COPY statements the client builds."""

    @staticmethod
    def quote(name):
        return '"' + name.replace('"', '""') + '"'

    def test_frame(self):
        self.assertEqual(frame_statement(self.quote, "ticks"),
                         'COPY "ticks" TO STDOUT (FORMAT arrow)')
        self.assertEqual(frame_statement(self.quote, ("s", 'we"ird'), ["id", "Price"]),
                         'COPY "s"."we""ird" ("id", "Price") TO STDOUT (FORMAT arrow)')
        self.assertEqual(frame_statement(self.quote, "ticks", "id", where="id < %s"),
                         'COPY (SELECT "id" FROM "ticks" WHERE id < %s\n) TO STDOUT (FORMAT arrow)')
        with self.assertRaises(ValueError):
            frame_statement(self.quote, "ticks", [])

    def test_query(self):
        self.assertEqual(query_statement("SELECT 1 -- one"),
                         "COPY (SELECT 1 -- one\n) TO STDOUT (FORMAT arrow)")


if __name__ == "__main__":
    unittest.main()
