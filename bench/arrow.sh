#!/usr/bin/env bash
#
# bench/arrow.sh
#	The Python benchmark of issue 13: the "ticks" frame into a pandas
#	DataFrame in one Python process, side by side in one run: a
#	multiprocessing Manager proxy (what users run today), COPY (FORMAT csv)
#	+ pandas.read_csv, the shmcache client with its numpy reader and with
#	pyarrow (if installed), ten workers at once, and a 100,000-row slice.
#	Each in a fresh child process: seconds and peak RSS.  Run by hand;
#	never part of the tests.  The measuring is bench/arrow_bench.py.
#
#	bench/arrow.sh [ROWS]		ROWS defaults to 10000000
#
#	Environment (defaults in brackets):
#	  WORKERS=10  SLICE=100000  REPS=20 (slice reads, median reported)
#	  SHMCACHE_SIZE=4GB  SHARED_BUFFERS=1GB
#	  PYTHON=/usr/bin/python3  (Debian's, which has numpy, pandas, psycopg2)
#	  SKIP_BUILD=0     1: do not check packages, build and install first
#
#	Needs about SHMCACHE_SIZE + SHARED_BUFFERS of memory for the server, and
#	for the Python side about 2 GB plus WORKERS times the DataFrame.  The
#	CSV file the frame is loaded from (~60 bytes a row) goes to a temporary
#	directory under ${TMPDIR:-/tmp}.

set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

ROWS="${1:-10000000}"
WORKERS="${WORKERS:-10}"
SLICE="${SLICE:-100000}"
REPS="${REPS:-20}"
SHMCACHE_SIZE="${SHMCACHE_SIZE:-4GB}"
SHARED_BUFFERS="${SHARED_BUFFERS:-1GB}"
PYTHON="${PYTHON:-/usr/bin/python3}"

for v in ROWS WORKERS SLICE REPS; do
	[[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, not '${!v}'"
done
((ROWS >= SLICE && SLICE >= 1)) || die "ROWS must be at least SLICE, and SLICE at least 1"
[[ "$SHMCACHE_SIZE$SHARED_BUFFERS" =~ ^[0-9A-Za-z]+$ ]] ||
	die "SHMCACHE_SIZE and SHARED_BUFFERS look like 4GB, 512MB, ..."

REQUIRED_PACKAGES+=(python3-numpy python3-pandas python3-psycopg2)
bench_prepare shmcache-bench-arrow
"$PYTHON" -c 'import numpy, pandas, psycopg2' ||
	die "$PYTHON lacks numpy, pandas or psycopg2 (set PYTHON)"

cluster_start shmcache-bench-arrow \
	"shared_preload_libraries = 'shmcache'" \
	"shmcache.size = '$SHMCACHE_SIZE'" \
	"shared_buffers = '$SHARED_BUFFERS'" \
	"timezone = 'UTC'"

if is_root; then db_user="$SERVER_USER"; else db_user="$(id -un)"; fi
DSN="host=$CLUSTER_DIR port=$CLUSTER_PORT dbname=postgres user=$db_user"
CSV="$CLUSTER_DIR/ticks.csv"

heading "Loading $ROWS rows into the frame 'ticks' (through a CSV file)"
cluster_psql -q -At -v csv="$CSV" >/dev/null <<SQL
CREATE EXTENSION shmcache;
SELECT shmcache.create_frame('ticks', '$TICKS_COLUMNS');
COPY ($(ticks_select 1 "$ROWS")) TO :'csv' (FORMAT csv);
SELECT shmcache.copy_from('ticks', :'csv', 'format csv');
SQL
rm -f -- "$CSV"
note "$(cluster_psql -At -c "SELECT rows || ' rows, ' || pg_size_pretty(bytes::int8) || ' of shared memory' FROM shmcache.frames WHERE frame = 'ticks'::regclass")"

heading "Measuring: each path in a fresh Python process ($PYTHON)"
cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo
echo "shmcache Python benchmark: $ROWS ticks rows into pandas"
echo "======================================================="
echo "machine: $(nproc) CPUs (${cpu:-unknown}), $(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024 / 1024)) GB RAM;" \
	"Python $("$PYTHON" -c 'import sys, numpy, pandas; print(sys.version.split()[0], "numpy", numpy.__version__, "pandas", pandas.__version__)')"
echo
"$PYTHON" "$REPO_ROOT/bench/arrow_bench.py" --dsn "$DSN" --rows "$ROWS" \
	--workers "$WORKERS" --slice "$SLICE" --reps "$REPS"
