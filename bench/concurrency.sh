#!/usr/bin/env bash
#
# bench/concurrency.sh
#	Many readers, one feeder: N pgbench clients run the queries of
#	bench/ticks.sh (bench/concurrency.sql, one chosen at random per
#	transaction) against a frame and against a prewarmed heap table holding
#	the same rows, without and with a feeder appending to the table they
#	read.  Throw-away server; run by hand, never part of the tests.
#
#	bench/concurrency.sh [ROWS]	ROWS defaults to 10000000
#
#	Environment (defaults in brackets):
#	  DURATION=10          seconds per cell (pgbench -T)
#	  CLIENTS="1 4 10 16"  reader clients, one cell each
#	  SIDES="frame heap"   FEEDER="off on"
#	  FEED_RATE=10         feeder batches per second (0: as fast as it can)
#	  FEED_BATCH=1000      rows per batch: one INSERT ... SELECT, one commit
#	  SHMCACHE_SIZE=4GB  SHARED_BUFFERS=3GB  WORK_MEM=256MB
#	  JIT=on  PARALLEL=0   (max_parallel_workers_per_gather)
#	  SKIP_BUILD=0         1: do not check packages, build and install first
#	  PGBIN                server and client programs [pg_config's bindir]
#
#	Per cell: queries per second (pgbench's tps, one query per
#	transaction), latency percentiles from pgbench's per-transaction log
#	(--log: every query of every client, client round trip included), the
#	rows per second the feeder committed while pgbench ran, and the sum of
#	the proportional set size (Pss) of all server processes, sampled half-way
#	through the cell (see bench/memory.sh for what that sum means).

set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

ROWS="${1:-10000000}"
DURATION="${DURATION:-10}"
CLIENTS="${CLIENTS:-1 4 10 16}"
SIDES="${SIDES:-frame heap}"
FEEDER="${FEEDER:-off on}"
FEED_RATE="${FEED_RATE:-10}"
FEED_BATCH="${FEED_BATCH:-1000}"
SHMCACHE_SIZE="${SHMCACHE_SIZE:-4GB}"
SHARED_BUFFERS="${SHARED_BUFFERS:-3GB}"
WORK_MEM="${WORK_MEM:-256MB}"
JIT="${JIT:-on}"
PARALLEL="${PARALLEL:-0}"
SKIP_BUILD="${SKIP_BUILD:-0}"

for v in ROWS DURATION FEED_RATE FEED_BATCH PARALLEL SKIP_BUILD; do
	[[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, not '${!v}'"
done
((ROWS >= 1000 && DURATION >= 1 && FEED_BATCH >= 1)) ||
	die "ROWS must be at least 1000, DURATION and FEED_BATCH at least 1"
for c in $CLIENTS; do
	[[ "$c" =~ ^[1-9][0-9]*$ ]] || die "CLIENTS must be positive integers, not '$c'"
done
for s in $SIDES; do
	[[ "$s" == frame || "$s" == heap ]] || die "SIDES are frame and/or heap, not '$s'"
done
for f in $FEEDER; do
	[[ "$f" == on || "$f" == off ]] || die "FEEDER is off and/or on, not '$f'"
done
[[ "$SHMCACHE_SIZE$SHARED_BUFFERS$WORK_MEM" =~ ^[0-9A-Za-z]+$ ]] ||
	die "SHMCACHE_SIZE, SHARED_BUFFERS and WORK_MEM look like 4GB, 512MB, ..."
[[ "$JIT" == on || "$JIT" == off ]] || die "JIT must be on or off"

max_clients=0
for c in $CLIENTS; do ((c > max_clients)) && max_clients=$c; done

# percentiles: "p50 p95 p99" (nearest rank) of the numbers on stdin, one per
# line, divided by 1000 (pgbench logs microseconds; we print milliseconds).
percentiles() {
	sort -n | awk '
		{ v[NR] = $1 }
		function p(q,   i) {
			i = int(q * NR / 100); if (i < q * NR / 100) i++
			if (i < 1) i = 1
			return v[i] / 1000
		}
		END {
			if (NR == 0) { print "- - -"; exit }
			printf "%.1f %.1f %.1f\n", p(50), p(95), p(99)
		}'
}

now() {
	date +%s.%N
}

bench_prepare shmcache-bench
cd "$WORKTREE"

cluster_start shmcache-bench \
	"shared_preload_libraries = 'shmcache'" \
	"shmcache.size = '$SHMCACHE_SIZE'" \
	"shared_buffers = '$SHARED_BUFFERS'" \
	"work_mem = '$WORK_MEM'" \
	"max_parallel_workers_per_gather = $PARALLEL" \
	"max_connections = $((max_clients + 20))" \
	"jit = $JIT" \
	"timezone = 'UTC'"

CSV="$CLUSTER_DIR/ticks.csv"
OUT="$CLUSTER_DIR/bench"
as_user mkdir -p "$OUT/log"

psql_q() {
	cluster_psql -q -At "$@"
}

# ---------------------------------------------------------------------------
# Set-up, as bench/ticks.sh does: the same CSV into a frame (copy_from) and
# an unlogged heap table (COPY); the heap table vacuumed, analyzed and
# prewarmed.
# ---------------------------------------------------------------------------
heading "Setting up: $ROWS rows into frame 'ticks' and UNLOGGED table 'ticks_heap'"
t0="$(now)"
psql_q -v csv="$CSV" >"$OUT/setup.out" <<SQL
CREATE EXTENSION shmcache;
CREATE EXTENSION pg_prewarm;
COPY ($(ticks_select 1 "$ROWS")) TO :'csv' (FORMAT csv, HEADER);
SELECT shmcache.create_frame('ticks', '$TICKS_COLUMNS');
SELECT shmcache.copy_from('ticks', :'csv', 'format csv, header true');
CREATE UNLOGGED TABLE ticks_heap ($TICKS_COLUMNS);
COPY ticks_heap FROM :'csv' (FORMAT csv, HEADER);
VACUUM ANALYZE ticks_heap;
SELECT pg_prewarm('ticks_heap');
SQL
rm -f "$CSV"
note "done in $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f s", b - a }')"

IFS='|' read -r frame_pretty heap_pretty < <(psql_q <<'SQL'
SELECT pg_size_pretty((SELECT bytes FROM shmcache.frames WHERE frame = 'ticks'::regclass)),
       pg_size_pretty(pg_total_relation_size('ticks_heap'));
SQL
)
note "frame: $frame_pretty, heap table: $heap_pretty"

# The 0.1% ts range of bench/ticks.sh, as quoted literals.
IFS='|' read -r ts_lo ts_hi < <(psql_q <<SQL
SELECT quote_literal(timestamptz '$TICKS_TS_BASE' + $((ROWS / 2)) * interval '1 ms'),
       quote_literal(timestamptz '$TICKS_TS_BASE' + $((ROWS / 2 + ROWS / 1000 - 1)) * interval '1 ms');
SQL
)

# The frame should be read with the custom scan.
plan="$(psql_q -c "EXPLAIN (COSTS OFF) SELECT symbol, avg(price), sum(qty) FROM ticks GROUP BY symbol")"
grep -q ShmcacheScan <<<"$plan" || echo "WARNING: the frame is not read with the custom scan"

# ---------------------------------------------------------------------------
# The feeder: a psql session fed INSERT ... SELECT statements of FEED_BATCH
# rows (ids after the last one loaded), one autocommit transaction each,
# FEED_RATE per second.
# ---------------------------------------------------------------------------
declare -A NEXT_ID=([frame]=$((ROWS + 1)) [heap]=$((ROWS + 1)))
FEED_STOP="$OUT/feeder.stop"
FEED_OUT="$OUT/feeder.out"
FEED_SLEEP="$(awk -v r="$FEED_RATE" 'BEGIN { if (r > 0) printf "%.4f", 1 / r; else print 0 }')"

# start_feeder SIDE
start_feeder() {
	local side="$1" tbl first="${NEXT_ID[$1]}"
	[[ "$side" == frame ]] && tbl=ticks || tbl=ticks_heap
	rm -f "$FEED_STOP"
	(
		next="$first"
		while [[ ! -e "$FEED_STOP" ]]; do
			echo "INSERT INTO $tbl $(ticks_select "$next" $((next + FEED_BATCH - 1)));"
			next=$((next + FEED_BATCH))
			if ((FEED_RATE > 0)); then sleep "$FEED_SLEEP"; fi
		done
	) | cluster_psql -At >"$FEED_OUT" 2>&1 &
	FEED_PID=$!
}

# stop_feeder SIDE: stop the feeder; it finishes what it was sent.
stop_feeder() {
	local done_batches
	touch "$FEED_STOP"
	wait "$FEED_PID" || die "the feeder failed: $(tail -n 3 "$FEED_OUT")"
	done_batches="$(grep -c '^INSERT 0 ' "$FEED_OUT" || true)"
	NEXT_ID[$1]=$((NEXT_ID[$1] + done_batches * FEED_BATCH))
}

# ---------------------------------------------------------------------------
# The cells
# ---------------------------------------------------------------------------
RESULTS="$OUT/results.txt"
: >"$RESULTS"

# run_cell SIDE CLIENTS FEEDER: one pgbench run; appends a line to RESULTS:
# "side clients feeder qps p50 p95 p99 feeder_rows_per_s pss_mb"
run_cell() {
	local side="$1" clients="$2" feeder="$3" tbl cell jobs t_start t_end
	local qps lat feed_rate_done="-" pss_mb="-" batches_at_end sampler
	[[ "$side" == frame ]] && tbl=ticks || tbl=ticks_heap
	cell="${side}_c${clients}_feed${feeder}"
	jobs=$((clients < $(nproc) ? clients : $(nproc)))

	if [[ "$feeder" == on ]]; then
		start_feeder "$side"
	fi
	(
		sleep $(((DURATION + 1) / 2))
		cluster_pss_kb >"$OUT/$cell.pss"
	) &
	sampler=$!
	t_start="$(now)"
	cluster_pgbench -n -M simple -c "$clients" -j "$jobs" -T "$DURATION" \
		-f "$WORKTREE/bench/concurrency.sql" \
		-D tbl="$tbl" -D rows="$ROWS" -D ts_lo="$ts_lo" -D ts_hi="$ts_hi" \
		--log --log-prefix="$OUT/log/$cell" >"$OUT/$cell.pgbench" 2>&1 ||
		die "pgbench failed: $(tail -n 5 "$OUT/$cell.pgbench")"
	t_end="$(now)"
	if [[ "$feeder" == on ]]; then
		# the batches committed while pgbench ran
		batches_at_end="$(grep -c '^INSERT 0 ' "$FEED_OUT" || true)"
		stop_feeder "$side"
		feed_rate_done="$(awk -v n="$batches_at_end" -v b="$FEED_BATCH" \
			-v a="$t_start" -v e="$t_end" 'BEGIN { printf "%.0f", n * b / (e - a) }')"
	fi
	wait "$sampler" || true
	if [[ -s "$OUT/$cell.pss" ]]; then
		pss_mb="$(awk '{ printf "%.0f", $1 / 1024 }' "$OUT/$cell.pss")"
	fi
	qps="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$OUT/$cell.pgbench")"
	qps="$(awk -v q="${qps:-0}" 'BEGIN { printf "%.2f", q }')"
	lat="$(cat "$OUT/log/$cell".* | awk '{ print $3 }' | percentiles)"
	echo "$side $clients $feeder $qps $lat $feed_rate_done $pss_mb" >>"$RESULTS"
	note "$(printf '%-5s %3s clients, feeder %-3s: %8s qps  p50/p95/p99 %s ms  feeder %s rows/s  PSS %s MB' \
		"$side" "$clients" "$feeder" "$qps" "${lat// //}" "$feed_rate_done" "$pss_mb")"
}

ncells=0
for f in $FEEDER; do for c in $CLIENTS; do for s in $SIDES; do ncells=$((ncells + 1)); done; done; done
heading "Running $ncells cells of $DURATION s: clients ($CLIENTS) x feeder ($FEEDER) x ($SIDES)"
for f in $FEEDER; do
	for c in $CLIENTS; do
		for s in $SIDES; do
			run_cell "$s" "$c" "$f"
		done
	done
done

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
pg_version="$(psql_q -c 'SHOW server_version')"
cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
mem_total_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
IFS='|' read -r frame_rows heap_rows < <(psql_q -c \
	"SELECT (SELECT rows FROM shmcache.frames WHERE frame = 'ticks'::regclass), (SELECT count(*) FROM ticks_heap)")

echo
echo "shmcache concurrency benchmark"
echo "=============================="
printf '%-10s %s\n' \
	"rows" "$ROWS loaded (frame $frame_pretty, heap table $heap_pretty); at the end frame $frame_rows, heap $heap_rows" \
	"server" "PostgreSQL $pg_version; shmcache.size=$SHMCACHE_SIZE shared_buffers=$SHARED_BUFFERS work_mem=$WORK_MEM" \
	"" "max_parallel_workers_per_gather=$PARALLEL jit=$JIT" \
	"machine" "$(nproc) CPUs (${cpu:-unknown}), $((mem_total_kb / 1024 / 1024)) GB RAM" \
	"readers" "pgbench -c N -j min(N, $(nproc)) -T $DURATION, one random query of bench/ticks.sh per transaction" \
	"feeder" "$FEED_BATCH-row INSERT ... SELECT per commit, $([[ "$FEED_RATE" == 0 ]] && echo "as fast as it can" || echo "at most $FEED_RATE per second"), into the table read"

echo
printf '%-6s %7s %6s %9s %9s %9s %9s %14s %14s\n' \
	side clients feeder qps "p50 ms" "p95 ms" "p99 ms" "feeder rows/s" "server PSS MB"
printf '%-6s %7s %6s %9s %9s %9s %9s %14s %14s\n' \
	---- ------- ------ --- ------ ------ ------ ------------- -------------
while read -r side clients feeder qps p50 p95 p99 frate pss; do
	printf '%-6s %7s %6s %9s %9s %9s %9s %14s %14s\n' \
		"$side" "$clients" "$feeder" "$qps" "$p50" "$p95" "$p99" "$frate" "$pss"
done <"$RESULTS"
echo
echo "qps: pgbench tps (one query per transaction); latencies: all queries of the cell,"
echo "client round trip included; server PSS: sum of Pss over the postmaster and all its"
echo "children half-way through the cell (shared memory counted once, for the pages touched)."
