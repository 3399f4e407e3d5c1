"""The seed scenario: one feeder appends to a frame while ten workers read it.

    python3 examples/python/seed.py --dsn "host=... dbname=..." [--seconds 10]

The frame ``ticks`` (id, symbol, ts, price, qty, oid) lives once in the
server's shared memory.  For --seconds:

- a feeder process appends batches of 1,000 rows (``shmcache.append_frame``,
  COPY FROM STDIN), committing each;
- ten worker processes each, over and over: run an aggregate in SQL (count,
  average price, last id), fetch a slice of 5,000 rows into pandas with the
  client (``where="id BETWEEN ..."``) and compute its VWAP, and look one row
  up by key (``WHERE oid = %s``).

Then it prints what each worker saw and the memory of the one shared copy
next to what ten private pandas copies of the frame would take.  The frame
is created (with --rows rows) if it does not exist; --reset drops it first.
Needs psycopg2 or psycopg, numpy and pandas, and shmcache in the server's
shared_preload_libraries.  Run from a checkout, or with shmcache installed
(``pip install ./python``).
"""

import argparse
import multiprocessing
import os
import random
import re
import statistics
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "python"))
import shmcache  # noqa: E402

COLUMNS = "id int8 NOT NULL, symbol text, ts timestamptz, price float8, qty int4, oid int8 PRIMARY KEY"
BATCH = 1000
SLICE = 5000
TS0 = pd.Timestamp("2024-01-02 09:00", tz="UTC")


def connect(dsn):
    """An autocommit connection: each statement (each append) commits."""
    try:
        import psycopg2 as driver
    except ImportError:
        import psycopg as driver
    conn = driver.connect(dsn)
    conn.autocommit = True
    return conn


def query(conn, sql, params=None):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []


def ticks(first, count):
    """Rows first .. first + count - 1 of the data set."""
    i = np.arange(first, first + count)
    return pd.DataFrame({
        "id": i,
        "symbol": np.char.add("S", (i % 500).astype(str)),
        "ts": TS0 + pd.to_timedelta(i, unit="ms"),
        "price": (i * 7919 % 100000) / 100,
        "qty": (i % 1000 + 1).astype(np.int32),
        "oid": i * 3,
    })


def prepare(args):
    """Create the frame with --rows rows unless it exists (--reset: drop it)."""
    conn = connect(args.dsn)
    query(conn, "CREATE EXTENSION IF NOT EXISTS shmcache")
    exists = query(conn, "SELECT to_regclass(%s) IS NOT NULL", (args.frame,))[0][0]
    if exists and args.reset:
        query(conn, "SELECT shmcache.drop_frame(%s::regclass)", (args.frame,))
        exists = False
    if not exists:
        query(conn, "SELECT shmcache.create_frame(%s, %s)", (args.frame, COLUMNS))
        for first in range(1, args.rows + 1, 100_000):
            shmcache.append_frame(conn, args.frame,
                                  ticks(first, min(100_000, args.rows - first + 1)))
    conn.close()


def feeder(args, deadline, results):
    conn = connect(args.dsn)
    next_id = query(conn, f"SELECT coalesce(max(id), 0) + 1 FROM {args.frame}")[0][0]
    batches = 0
    while time.time() < deadline:
        shmcache.append_frame(conn, args.frame, ticks(next_id, BATCH))
        next_id += BATCH
        batches += 1
        time.sleep(0.01)
    results.put(("feeder", {"batches": batches}))


def timed(times, fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    times.append(time.perf_counter() - start)
    return result


def worker(number, args, deadline, results):
    conn = connect(args.dsn)
    rng = random.Random(number)
    agg_t, slice_t, lookup_t = [], [], []
    first_rows = rows = slice_rows = hits = 0
    while time.time() < deadline:
        rows, avg_price, last_id = timed(agg_t, query, conn, "SELECT count(*), avg(price), "
                                         f"max(id) FROM {args.frame}")[0]
        first_rows = first_rows or rows
        lo = rng.randint(1, max(1, last_id - SLICE + 1))
        frame = timed(slice_t, shmcache.read_frame, conn, args.frame,
                      where="id BETWEEN %s AND %s", params=(lo, lo + SLICE - 1))
        vwap = (frame["price"] * frame["qty"]).sum() / max(1, frame["qty"].sum())
        slice_rows += len(frame)
        key = 3 * rng.randint(1, last_id)
        hits += len(timed(lookup_t, query, conn, f"SELECT * FROM {args.frame} WHERE oid = %s",
                          (key,)))
    results.put((number, {
        "rounds": len(agg_t), "first_rows": first_rows, "rows": rows, "avg": avg_price,
        "vwap": vwap, "slice_rows": slice_rows, "hits": hits,
        "ms": [1000 * statistics.median(t) for t in (agg_t, slice_t, lookup_t)]}))


def report(args, seen):
    feed = seen.pop("feeder")
    print(f"feeder: {feed['batches']} batches of {BATCH:,} rows appended "
          f"({feed['batches'] * BATCH:,} rows)")
    print(f"{'worker':>6} {'rounds':>7} {'frame rows seen':>21} {'slice rows':>11} "
          f"{'lookups hit':>11}  median ms: agg / slice / lookup")
    for number in sorted(seen):
        w = seen[number]
        print(f"{number:>6} {w['rounds']:>7} {w['first_rows']:>10,}..{w['rows']:<10,} "
              f"{w['slice_rows']:>11,} {w['hits']:>5}/{w['rounds']:<5}  "
              + " / ".join(f"{ms:.1f}" for ms in w["ms"]))
    conn = connect(args.dsn)
    rows, shared = query(conn, "SELECT rows, bytes FROM shmcache.frames "
                               "WHERE frame = %s::regclass", (args.frame,))[0]
    private = shmcache.read_frame(conn, args.frame).memory_usage(index=False, deep=True).sum()
    mb = 2 ** 20
    print(f"memory: the frame ({rows:,} rows) is one copy in shared memory, "
          f"{shared / mb:.1f} MB;")
    print(f"        ten workers holding it as private DataFrames would take "
          f"10 x {private / mb:.1f} MB = {10 * private / mb:.1f} MB")


def identifier(name):
    """--frame goes into SQL text as it is, so it must be a plain name."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise argparse.ArgumentTypeError(f"not a lowercase SQL identifier: {name!r}")
    return name


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True, help="libpq connection string")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=10)
    parser.add_argument("--frame", default="ticks", type=identifier,
                        help="the frame: a lowercase SQL identifier (default ticks)")
    parser.add_argument("--rows", type=int, default=100_000,
                        help="rows of a newly created frame (default 100,000)")
    parser.add_argument("--reset", action="store_true", help="drop and recreate the frame")
    args = parser.parse_args()

    prepare(args)
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    deadline = time.time() + 2 + args.seconds  # two seconds to start
    processes = [ctx.Process(target=feeder, args=(args, deadline, results))]
    processes += [ctx.Process(target=worker, args=(n, args, deadline, results))
                  for n in range(1, args.workers + 1)]
    print(f"{args.seconds:g} s: 1 feeder appending to '{args.frame}', "
          f"{args.workers} workers reading it")
    for p in processes:
        p.start()
    seen = dict(results.get() for _ in processes)
    for p in processes:
        p.join()
    report(args, seen)


if __name__ == "__main__":
    main()
