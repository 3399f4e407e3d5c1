"""The client's numpy reader alone, without a server: time and peak memory.

    python3 bench/arrow_reader.py [ROWS]      (ROWS defaults to 10,000,000)

Writes a stream of ROWS "ticks" rows (id int8, symbol dictionary text of
1,000 values replaced before each 16,384-row batch, ts timestamptz, price
float8, qty int4, oid int8) with python/tests/make_streams.mjs (node and
apache-arrow: ``npm ci`` in python/tests first), then decodes it into a
DataFrame in a fresh process, fed in 1 MB pieces as COPY delivers them, and
prints the seconds (stream -> columns -> DataFrame) and the peak RSS next to
the DataFrame's size.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..", "python", "tests")
PIECE = 1 << 20


def decode(path):
    """Decode the stream at ``path``; print a JSON line of the figures."""
    sys.path.insert(0, os.path.join(HERE, "..", "python"))
    from shmcache._arrow import StreamReader
    from shmcache._pandas import to_dataframe
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    stream = StreamReader()
    with open(path, "rb", buffering=0) as f:
        for piece in iter(lambda: f.read(PIECE), b""):
            stream.feed(piece)
    columns = stream.finish()
    decoded = time.perf_counter()
    frame = to_dataframe(columns)
    done = time.perf_counter()
    print(json.dumps({"decode": decoded - start, "pandas": done - decoded,
                      "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "base_kb": base, "frame": int(frame.memory_usage(index=False).sum()),
                      "rows": len(frame)}))


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    with tempfile.TemporaryDirectory(prefix="shmcache-reader-") as tmp:
        path = os.path.join(tmp, "ticks.arrow")
        subprocess.run(["node", os.path.join(TESTS, "make_streams.mjs"), "ticks", str(rows), path],
                       check=True)
        size = os.path.getsize(path)
        out = subprocess.run([sys.executable, __file__, "--decode", path], check=True,
                             capture_output=True, text=True).stdout
    r = json.loads(out)
    mb = 2 ** 20
    print(f"{r['rows']:,} rows, stream {size / mb:.0f} MB: "
          f"{r['decode'] + r['pandas']:.3f} s ({r['decode']:.3f} s to columns, "
          f"{r['pandas']:.3f} s to the DataFrame)")
    print(f"DataFrame {r['frame'] / mb:.0f} MB; peak RSS {r['peak_kb'] / 1024:.0f} MB, "
          f"{(r['peak_kb'] - r['base_kb']) / 1024:.0f} MB over the process after its imports "
          f"({r['peak_kb'] / 1024 / (r['frame'] / mb):.2f}x the DataFrame)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--decode"]:
        decode(sys.argv[2])
    else:
        main()
