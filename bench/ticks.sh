#!/usr/bin/env bash
#
# bench/ticks.sh
#	The "ticks" benchmark: the same queries on a shmcache frame and on a
#	prewarmed heap table holding the same rows, side by side in one run on a
#	throw-away server.  Run by hand; never part of the tests.
#
#	bench/ticks.sh [ROWS]		ROWS defaults to 10000000
#
#	Environment (defaults in brackets):
#	  REPS=7           timed runs of each query on each side (median reported)
#	  WARMUP=1         untimed runs of each query on each side first
#	  LOAD_REPS=3      timed loads of each kind (median reported): frame,
#	                   UNLOGGED table, logged table
#	  PARALLEL=0       max_parallel_workers_per_gather
#	  SHMCACHE_SIZE=4GB  SHARED_BUFFERS=3GB  WORK_MEM=256MB
#	  JIT=on           PostgreSQL's jit setting (on is its default)
#	  HUGE_PAGES=try   PostgreSQL's huge_pages setting; "on" needs enough
#	                   huge pages reserved (vm.nr_hugepages) for
#	                   SHMCACHE_SIZE + SHARED_BUFFERS
#	  INDEXES=0        1: give the heap table btree indexes on id and ts
#	  SKIP_BUILD=0     1: do not check packages, build and install first
#
#	The server needs about SHMCACHE_SIZE + SHARED_BUFFERS of memory, and the
#	CSV file (~60 bytes a row) goes to a temporary directory under
#	${TMPDIR:-/tmp}.  Query times are the server's own "Execution Time" from
#	EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON): no planning, no client
#	transfer.  Load times are psql's \timing (client round trip included,
#	negligible for loads this size).

set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

ROWS="${1:-10000000}"
REPS="${REPS:-7}"
WARMUP="${WARMUP:-1}"
LOAD_REPS="${LOAD_REPS:-3}"
PARALLEL="${PARALLEL:-0}"
SHMCACHE_SIZE="${SHMCACHE_SIZE:-4GB}"
SHARED_BUFFERS="${SHARED_BUFFERS:-3GB}"
WORK_MEM="${WORK_MEM:-256MB}"
JIT="${JIT:-on}"
HUGE_PAGES="${HUGE_PAGES:-try}"
INDEXES="${INDEXES:-0}"
SKIP_BUILD="${SKIP_BUILD:-0}"

for v in ROWS REPS WARMUP LOAD_REPS PARALLEL INDEXES SKIP_BUILD; do
	[[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, not '${!v}'"
done
((ROWS >= 2)) || die "ROWS must be at least 2"
((REPS >= 1 && LOAD_REPS >= 1)) || die "REPS and LOAD_REPS must be at least 1"
[[ "$SHMCACHE_SIZE$SHARED_BUFFERS$WORK_MEM" =~ ^[0-9A-Za-z]+$ ]] ||
	die "SHMCACHE_SIZE, SHARED_BUFFERS and WORK_MEM look like 4GB, 512MB, ..."
[[ "$JIT" == on || "$JIT" == off ]] || die "JIT must be on or off"
[[ "$HUGE_PAGES" =~ ^(on|off|try)$ ]] || die "HUGE_PAGES must be on, off or try"

# Rows are those of ticks_select (scripts/lib.sh): ts = TS_BASE + i ms, i = 1..ROWS.
TS_BASE="$TICKS_TS_BASE"

# The benchmark queries; @T@ stands for the table (frame view or heap).
LABELS=(
	"count(*)"
	"sum(price)"
	"filtered aggregate"
	"group by symbol"
	"point lookup by id"
	"ts range (0.1%)"
	"expression filter"
)
QUERIES=(
	"SELECT count(*) FROM @T@"
	"SELECT sum(price) FROM @T@"
	"SELECT count(*), sum(price), avg(qty) FROM @T@ WHERE price > 500"
	"SELECT symbol, avg(price), sum(qty) FROM @T@ GROUP BY symbol"
	"SELECT * FROM @T@ WHERE id = $((ROWS / 2))"
	"" # set once the server can compute the timestamps
	"SELECT count(*) FROM @T@ WHERE price * qty > 100000"
)

# median, ratio and timings are scripts/lib.sh's.

# values OUT KEY_PREFIX: the timings whose key starts with KEY_PREFIX.
values() {
	timings "$1" | awk -v p="$2" 'index($0, p) == 1 { print $NF }'
}

# progress: echo a dot for every marker on stdin (to show a run is alive).
progress() {
	awk '/^@@ / { printf "."; fflush() } END { print "" }'
}

mem_total_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"

bench_prepare shmcache-bench
cd "$WORKTREE"

cluster_start shmcache-bench \
	"shared_preload_libraries = 'shmcache'" \
	"shmcache.size = '$SHMCACHE_SIZE'" \
	"shared_buffers = '$SHARED_BUFFERS'" \
	"work_mem = '$WORK_MEM'" \
	"max_parallel_workers_per_gather = $PARALLEL" \
	"jit = $JIT" \
	"huge_pages = $HUGE_PAGES" \
	"timezone = 'UTC'"

CSV="$CLUSTER_DIR/ticks.csv"
OUT="$CLUSTER_DIR/bench"
mkdir -p "$OUT"

psql_q() {
	cluster_psql -q -At "$@"
}

heading "Setting up: extensions, $ROWS rows of CSV in $CSV"
psql_q -v csv="$CSV" >"$OUT/gen.out" <<SQL
CREATE EXTENSION shmcache;
CREATE EXTENSION pg_prewarm;
\\timing on
\\echo @@ gen
COPY ($(ticks_select 1 "$ROWS")) TO :'csv' (FORMAT csv, HEADER);
SQL
note "CSV written in $(awk '{ printf "%.1f s", $2 / 1000 }' < <(timings "$OUT/gen.out")):" \
	"$(du -h "$CSV" | cut -f1)"

# ts range: N/1000 rows from the middle, as literals (constants to the planner).
IFS='|' read -r ts_lo ts_hi < <(psql_q <<SQL
SELECT quote_literal(timestamptz '$TS_BASE' + $((ROWS / 2)) * interval '1 ms'),
       quote_literal(timestamptz '$TS_BASE' + $((ROWS / 2 + (ROWS / 1000 > 1 ? ROWS / 1000 : 1) - 1)) * interval '1 ms');
SQL
)
QUERIES[5]="SELECT count(*) FROM @T@ WHERE ts BETWEEN $ts_lo AND $ts_hi"

# ---------------------------------------------------------------------------
# Loads: shmcache.copy_from into a frame vs COPY into an unlogged heap table
# (the one the queries use) and into a logged one, in turn, truncating all
# three between runs.  The last load of the frame and of the unlogged table
# stays; the logged table is dropped afterwards.
# ---------------------------------------------------------------------------
heading "Loading: $LOAD_REPS x (shmcache.copy_from into frame 'ticks', COPY into UNLOGGED 'ticks_heap', COPY into logged 'ticks_logged')"
{
	echo "SELECT shmcache.create_frame('ticks', '$TICKS_COLUMNS');"
	echo "CREATE UNLOGGED TABLE ticks_heap ($TICKS_COLUMNS);"
	echo "CREATE TABLE ticks_logged ($TICKS_COLUMNS);"
	printf '%s\n' '\timing on'
	for ((k = 1; k <= LOAD_REPS; k++)); do
		if ((k > 1)); then
			echo "SELECT shmcache.truncate('ticks');"
			echo "TRUNCATE ticks_heap;"
			echo "TRUNCATE ticks_logged;"
			echo "CHECKPOINT;"
		fi
		printf '\\echo @@ load frame %s\n' "$k"
		echo "SELECT shmcache.copy_from('ticks', :'csv', 'format csv, header true');"
		printf '\\echo @@ load heap %s\n' "$k"
		echo "COPY ticks_heap FROM :'csv' (FORMAT csv, HEADER);"
		printf '\\echo @@ load logged %s\n' "$k"
		echo "COPY ticks_logged FROM :'csv' (FORMAT csv, HEADER);"
	done
	echo "DROP TABLE ticks_logged;"
	echo "CHECKPOINT;"
} | psql_q -v csv="$CSV" | tee "$OUT/load.out" | progress
load_frame="$(values "$OUT/load.out" "load frame" | median)"
load_heap="$(values "$OUT/load.out" "load heap" | median)"
load_logged="$(values "$OUT/load.out" "load logged" | median)"

heading "Preparing the heap table: $([[ "$INDEXES" == 1 ]] && echo "indexes on id and ts, ")VACUUM ANALYZE, pg_prewarm"
{
	if [[ "$INDEXES" == 1 ]]; then
		echo "CREATE INDEX ON ticks_heap (id);"
		echo "CREATE INDEX ON ticks_heap (ts);"
	fi
	echo "VACUUM ANALYZE ticks_heap;"
	echo "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c"
	echo " WHERE c.oid = 'ticks_heap'::regclass"
	echo "    OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'ticks_heap'::regclass);"
} | psql_q >"$OUT/prep.out"
note "blocks prewarmed: $(tail -n 1 "$OUT/prep.out")"

IFS='|' read -r frame_rows heap_rows < <(psql_q -c \
	"SELECT (SELECT count(*) FROM ticks), (SELECT count(*) FROM ticks_heap)")
note "rows: frame $frame_rows, heap $heap_rows"
[[ "$frame_rows" == "$heap_rows" ]] || echo "WARNING: the frame and the heap table differ in row count"

# Plans: each frame query should scan with the custom scan.
for i in "${!QUERIES[@]}"; do
	plan="$(psql_q -c "EXPLAIN (COSTS OFF) ${QUERIES[i]//@T@/ticks}")"
	if ! grep -q Shmcache <<<"$plan"; then
		echo "WARNING: no shmcache node in the plan of: ${QUERIES[i]//@T@/ticks}"
		printf '    %s\n' "${plan//$'\n'/$'\n'    }"
	fi
done

# ---------------------------------------------------------------------------
# Queries: each query WARMUP (untimed) + REPS times per side, frame and heap
# alternately, the side going first switching every run.
# ---------------------------------------------------------------------------
heading "Querying: ${#QUERIES[@]} queries x ($WARMUP warm-up + $REPS timed) runs x 2 sides"
{
	for i in "${!QUERIES[@]}"; do
		for ((r = 1; r <= WARMUP + REPS; r++)); do
			if ((r % 2)); then sides="frame heap"; else sides="heap frame"; fi
			for side in $sides; do
				if [[ "$side" == frame ]]; then tbl=ticks; else tbl=ticks_heap; fi
				if ((r > WARMUP)); then
					printf '\\echo @@ q%s %s %s\n' "$i" "$side" "$r"
				else
					printf '%s\n' '\echo @@ warmup'
				fi
				echo "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) ${QUERIES[i]//@T@/$tbl};"
			done
		done
	done
} | psql_q | tee "$OUT/query.out" | progress

# The physical limit: a plain C loop summing as many float8 values in memory.
heading "Timing a plain C loop summing $ROWS float8 values"
cc -O2 -o "$OUT/sumloop" "$(dirname "${BASH_SOURCE[0]}")/sumloop.c"
c_loop_ms="$("$OUT/sumloop" "$ROWS" "$REPS")"

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
IFS='|' read -r frame_bytes heap_bytes frame_pretty heap_pretty < <(psql_q <<'SQL'
SELECT f.bytes, h.bytes, pg_size_pretty(f.bytes), pg_size_pretty(h.bytes)
  FROM (SELECT bytes::int8 FROM shmcache.frames WHERE frame = 'ticks'::regclass) f,
       (SELECT pg_total_relation_size('ticks_heap') AS bytes) h;
SQL
)
pg_version="$(psql_q -c 'SHOW server_version')"
cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"

echo
echo "shmcache ticks benchmark"
echo "========================"
printf '%-18s %s\n' \
	"rows" "$ROWS" \
	"server" "PostgreSQL $pg_version; shmcache.size=$SHMCACHE_SIZE shared_buffers=$SHARED_BUFFERS work_mem=$WORK_MEM" \
	"" "max_parallel_workers_per_gather=$PARALLEL jit=$JIT huge_pages=$HUGE_PAGES; heap indexes: $([[ "$INDEXES" == 1 ]] && echo "id, ts" || echo none)" \
	"machine" "$(nproc) CPUs (${cpu:-unknown}), $((mem_total_kb / 1024 / 1024)) GB RAM" \
	"method" "query: median of $REPS runs (after $WARMUP warm-up) of EXPLAIN ANALYZE Execution Time" \
	"" "load: median of $LOAD_REPS runs, psql \\timing"

echo
printf '%-36s %14s %14s %10s\n' "load $ROWS rows from CSV" "heap s" "frame s" "heap/frame"
printf '%-36s %14s %14s %10s\n' "-------------------------" "------" "-------" "----------"
printf '%-36s %14.2f %14.2f %10s\n' "UNLOGGED table (median of $LOAD_REPS)" \
	"$(awk -v v="$load_heap" 'BEGIN { print v / 1000 }')" \
	"$(awk -v v="$load_frame" 'BEGIN { print v / 1000 }')" \
	"$(ratio "$load_heap" "$load_frame")"
printf '%-36s %14.2f %14.2f %10s\n' "logged table (median of $LOAD_REPS)" \
	"$(awk -v v="$load_logged" 'BEGIN { print v / 1000 }')" \
	"$(awk -v v="$load_frame" 'BEGIN { print v / 1000 }')" \
	"$(ratio "$load_logged" "$load_frame")"
echo "(heap: COPY ... FROM the file (FORMAT csv, HEADER); frame: shmcache.copy_from, the same"
echo " runs on both rows; loads of the three alternate)"

echo
printf '%-36s %14s %14s %10s\n' "query (median of $REPS)" "heap ms" "frame ms" "heap/frame"
printf '%-36s %14s %14s %10s\n' "------------------" "-------" "--------" "----------"
for i in "${!QUERIES[@]}"; do
	h="$(values "$OUT/query.out" "q$i heap" | median)"
	f="$(values "$OUT/query.out" "q$i frame" | median)"
	printf '%-36s %14s %14s %10s\n' "${LABELS[i]}" "$h" "$f" "$(ratio "$h" "$f")"
done

echo
sum_frame="$(values "$OUT/query.out" "q1 frame" | median)"
printf '%-36s %14s %14s %10s\n' "physical limit" "C loop ms" "frame ms" "frame/C"
printf '%-36s %14s %14s %10s\n' "--------------" "---------" "--------" "-------"
printf '%-36s %14s %14s %10s\n' "sum of $ROWS float8 (median of $REPS)" "$c_loop_ms" "$sum_frame" \
	"$(ratio "$sum_frame" "$c_loop_ms")"
echo "(frame: the sum(price) query above; C loop: bench/sumloop.c, cc -O2)"

echo
printf '%-36s %14s %14s %10s\n' "memory" "heap" "frame" "heap/frame"
printf '%-36s %14s %14s %10s\n' "------" "----" "-----" "----------"
printf '%-36s %14s %14s %10s\n' "size" "$heap_pretty" "$frame_pretty" \
	"$(ratio "$heap_bytes" "$frame_bytes")"
printf '%-36s %14s %14s\n' "bytes" "$heap_bytes" "$frame_bytes"
echo "(heap: pg_total_relation_size('ticks_heap'); frame: bytes in shmcache.frames)"

echo
echo "queries (t = ticks_heap for heap, ticks for frame):"
for i in "${!QUERIES[@]}"; do
	printf '  %-20s %s\n' "${LABELS[i]}" "${QUERIES[i]//@T@/t}"
done
