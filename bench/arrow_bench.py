"""The Python side of bench/arrow.sh: ways to get the "ticks" frame into pandas.

    arrow_bench.py --dsn DSN [--workers 10] [--slice 100000] [--reps 20]

Each measurement runs in a fresh child process (this script with --child
MODE), which prints one JSON line: the seconds it took, its peak RSS
(``ru_maxrss``), its RSS before starting, the DataFrame's own size and rows.

  manager   a multiprocessing BaseManager serving the DataFrame (loaded by
            a server process beforehand, untimed), proxy ``.retrieve()``:
            what the users run today
  csv       COPY ticks TO STDOUT (FORMAT csv) into memory + pandas.read_csv
  numpy     shmcache.read_frame with the numpy reader
  pyarrow   shmcache.read_frame with pyarrow (when installed)
  workers   --workers numpy children reading at the same moment
  slice     read_frame(where="id BETWEEN ..."): --slice rows from the middle,
            median of --reps runs after one warm-up

The parent prints a table; a measurement that fails shows its error.
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from multiprocessing.managers import BaseManager

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

AUTHKEY = b"shmcache-bench"


# --------------------------------------------------------------------------
# Ways to get the DataFrame (children)
# --------------------------------------------------------------------------

def connect(dsn):
    import psycopg2
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    return conn


def read_csv(conn):
    """The frame through COPY ... (FORMAT csv) and pandas.read_csv, with the
    dtypes the client gives (symbol categorical, ts tz-aware)."""
    import pandas as pd
    buf = io.BytesIO()
    with conn.cursor() as cur:
        cur.copy_expert("COPY ticks TO STDOUT (FORMAT csv)", buf)
    buf.seek(0)
    return pd.read_csv(buf, names=["id", "symbol", "ts", "price", "qty"],
                       dtype={"symbol": "category"}, parse_dates=["ts"])


class _Holder:
    def __init__(self, frame):
        self.frame = frame

    def retrieve(self):
        return self.frame


class FrameManager(BaseManager):
    pass


def serve_manager(args):
    """Load the frame, then serve it at --address until killed."""
    holder = _Holder(read_csv(connect(args.dsn)))
    FrameManager.register("frame", callable=lambda: holder)
    server = FrameManager(address=args.address, authkey=AUTHKEY).get_server()
    print("ready", flush=True)
    server.serve_forever()


def from_manager(args, conn):
    FrameManager.register("frame")
    manager = FrameManager(address=args.address, authkey=AUTHKEY)
    manager.connect()
    return manager.frame().retrieve()


def from_client(reader):
    import shmcache
    return lambda args, conn: shmcache.read_frame(conn, "ticks", reader=reader)


def read_slice(args, conn):
    """Median seconds of reading --slice rows from the middle."""
    import shmcache
    lo = args.rows // 2 - args.slice // 2
    bounds = (lo, lo + args.slice - 1)
    times = []
    for _ in range(args.reps + 1):
        start = time.perf_counter()
        frame = shmcache.read_frame(conn, "ticks", where="id BETWEEN %s AND %s",
                                    params=bounds, reader="numpy")
        times.append(time.perf_counter() - start)
    assert len(frame) == args.slice, len(frame)
    return frame, statistics.median(times[1:])


MODES = {"manager": from_manager, "csv": lambda args, conn: read_csv(conn),
         "numpy": from_client("numpy"), "pyarrow": from_client("pyarrow")}


def rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(args):
    """Run one measurement: its result as a dict."""
    import pandas  # noqa: F401  (imported before the baseline is taken)
    conn = connect(args.dsn)
    base = rss_kb()
    if args.start_at:
        time.sleep(max(0.0, args.start_at - time.time()))
    start = time.perf_counter()
    if args.child == "slice":
        frame, seconds = read_slice(args, conn)
    else:
        frame = MODES[args.child](args, conn)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_kb": rss_kb(), "base_kb": base,
            "frame_bytes": int(frame.memory_usage(index=False).sum()), "rows": len(frame)}


def child(args):
    """Print the JSON line of one measurement, or of its error."""
    try:
        result = measure(args)
    except Exception as e:  # reported in the table
        result = {"error": f"{type(e).__name__}: {str(e).strip().splitlines()[0]}"}
    print(json.dumps(result))


# --------------------------------------------------------------------------
# The parent: runs the children, prints the table
# --------------------------------------------------------------------------

def child_command(args, mode, *extra):
    return [sys.executable, os.path.abspath(__file__), "--child", mode, "--dsn", args.dsn,
            "--rows", str(args.rows), "--slice", str(args.slice), "--reps", str(args.reps),
            "--address", args.address, *extra]


def result_of(process):
    out, err = process.communicate()
    if process.returncode != 0:
        return {"error": f"exit {process.returncode}: {err.strip()[-200:]}"}
    return json.loads(out.strip().splitlines()[-1])


def run_child(args, mode, *extra):
    return result_of(subprocess.Popen(child_command(args, mode, *extra), text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))


def run_manager(args):
    server = subprocess.Popen(child_command(args, "serve"), text=True, stdout=subprocess.PIPE)
    try:
        if server.stdout.readline().strip() != "ready":
            return {"error": "the manager server did not start"}
        return run_child(args, "manager")
    finally:
        server.terminate()
        server.wait()


def run_workers(args):
    start_at = time.time() + 3.0  # all imported and connected by then
    children = [subprocess.Popen(child_command(args, "numpy", "--start-at", str(start_at)),
                                 text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for _ in range(args.workers)]
    results = [result_of(c) for c in children]
    failed = [r for r in results if "error" in r]
    if failed:
        return failed[0]
    worst = max(results, key=lambda r: r["seconds"])
    worst["peak_kb"] = max(r["peak_kb"] for r in results)
    return worst


def pyarrow_installed():
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def fmt_row(label, result, reference):
    if "error" in result:
        return f"{label:<44} failed: {result['error'][:90]}"
    peak_mb = result["peak_kb"] / 1024
    frame_mb = result["frame_bytes"] / 2**20
    ratio = result["seconds"] / reference if reference else float("nan")
    return (f"{label:<44} {result['seconds']:>9.3f} {ratio:>9.2f} {peak_mb:>9.0f} "
            f"{(result['peak_kb'] - result['base_kb']) / 1024:>9.0f} {frame_mb:>9.0f}")


def parent(args):
    results = {"numpy": run_child(args, "numpy")}
    results["manager"] = run_manager(args)
    results["csv"] = run_child(args, "csv")
    results["pyarrow"] = (run_child(args, "pyarrow") if pyarrow_installed()
                          else {"error": "pyarrow is not installed"})
    results["workers"] = run_workers(args)
    results["slice"] = run_child(args, "slice")
    reference = results["numpy"].get("seconds")
    labels = [
        ("manager", "(a) Manager proxy .retrieve()"),
        ("csv", "(b) COPY (FORMAT csv) + pandas.read_csv"),
        ("numpy", "(c) shmcache.read_frame, numpy reader"),
        ("pyarrow", "(d) shmcache.read_frame, pyarrow"),
        ("workers", f"(e) {args.workers} workers at once, numpy (slowest)"),
        ("slice", f"(f) {args.slice:,}-row slice, numpy (median)"),
    ]
    print(f"{'path':<44} {'seconds':>9} {'vs (c)':>9} {'peak MB':>9} {'+MB':>9} {'frame MB':>9}")
    print(f"{'----':<44} {'-------':>9} {'------':>9} {'-------':>9} {'---':>9} {'--------':>9}")
    for key, label in labels:
        print(fmt_row(label, results[key], reference))
    print("(peak MB: the child's ru_maxrss; +MB: over its RSS after importing pandas and")
    print(" connecting; frame MB: DataFrame.memory_usage; (e): the slowest worker, the")
    print(" largest peak; (f): --reps reads after one warm-up)")
    manager, numpy_ = results["manager"].get("seconds"), reference
    if manager and numpy_:
        print(f"Manager / numpy reader: {manager / numpy_:.1f}x", end="")
        if results["csv"].get("seconds"):
            print(f"; CSV / numpy reader: {results['csv']['seconds'] / numpy_:.1f}x", end="")
        print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--rows", type=int, required=True, help="rows of the ticks frame")
    parser.add_argument("--workers", type=int, default=10)
    parser.add_argument("--slice", type=int, default=100000)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--address", default=f"/tmp/shmcache-bench-{os.getpid()}.sock")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "serve":
        serve_manager(args)
    elif args.child:
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
