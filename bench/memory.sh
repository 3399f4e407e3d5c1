#!/usr/bin/env bash
#
# bench/memory.sh
#	One copy, measured: SESSIONS backends each scan every column of one
#	frame, and the proportional set size (Pss) of every server process is
#	summed.  Throw-away server; run by hand, never part of the tests.
#
#	bench/memory.sh [ROWS]		ROWS defaults to 10000000 (~425 MB frame)
#
#	Environment (defaults in brackets):
#	  SESSIONS=10          backends that scan the frame and stay connected
#	  SHMCACHE_SIZE=2GB  SHARED_BUFFERS=128MB  JIT=off
#	  SKIP_BUILD=0         1: do not check packages, build and install first
#	  PGBIN                server and client programs [pg_config's bindir]
#
#	How memory is measured.  /proc/PID/smaps_rollup gives each process's
#	Rss (pages it maps that are in memory, shared or not) and Pss
#	(proportional set size: each page divided by the number of processes
#	mapping it).  Summing Pss over the postmaster and all of its children
#	therefore counts a shared page once, however many backends map it, and a
#	private page fully.  Pss_Shmem is the shared memory part (the server's
#	main shared memory segment, holding shared_buffers and shmcache.size;
#	pages never touched count nothing), Pss_Anon the private anonymous part
#	(backend-local memory), Private_Dirty the pages only that process has
#	written.  Huge pages are turned off: their memory does not show in Pss.
#
#	Pss only counts the pages a live process has touched: measured with
#	SESSIONS sessions connected before they read the frame, and again after
#	each of them has scanned all of its columns (still connected).

set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

ROWS="${1:-10000000}"
SESSIONS="${SESSIONS:-10}"
SHMCACHE_SIZE="${SHMCACHE_SIZE:-2GB}"
SHARED_BUFFERS="${SHARED_BUFFERS:-128MB}"
JIT="${JIT:-off}"
SKIP_BUILD="${SKIP_BUILD:-0}"

for v in ROWS SESSIONS SKIP_BUILD; do
	[[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, not '${!v}'"
done
((ROWS >= 1 && SESSIONS >= 1)) || die "ROWS and SESSIONS must be at least 1"
[[ "$SHMCACHE_SIZE$SHARED_BUFFERS" =~ ^[0-9A-Za-z]+$ ]] ||
	die "SHMCACHE_SIZE and SHARED_BUFFERS look like 2GB, 128MB, ..."
[[ "$JIT" == on || "$JIT" == off ]] || die "JIT must be on or off"
[[ -r /proc/self/smaps_rollup ]] || die "this needs /proc/PID/smaps_rollup (Linux 4.14 or later)"

bench_prepare shmcache-bench
cd "$WORKTREE"

cluster_start shmcache-bench \
	"shared_preload_libraries = 'shmcache'" \
	"shmcache.size = '$SHMCACHE_SIZE'" \
	"shared_buffers = '$SHARED_BUFFERS'" \
	"huge_pages = off" \
	"max_parallel_workers_per_gather = 0" \
	"jit = $JIT" \
	"timezone = 'UTC'"

CSV="$CLUSTER_DIR/ticks.csv"
OUT="$CLUSTER_DIR/bench"
as_user mkdir -p "$OUT"

psql_q() {
	cluster_psql -q -At "$@"
}

mb() {
	awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

# ---------------------------------------------------------------------------
# The frame, loaded as bench/ticks.sh loads it
# ---------------------------------------------------------------------------
heading "Loading $ROWS rows into frame 'ticks' (CSV, then shmcache.copy_from)"
psql_q -v csv="$CSV" >"$OUT/setup.out" <<SQL
CREATE EXTENSION shmcache;
COPY ($(ticks_select 1 "$ROWS")) TO :'csv' (FORMAT csv, HEADER);
SELECT shmcache.create_frame('ticks', '$TICKS_COLUMNS');
SELECT shmcache.copy_from('ticks', :'csv', 'format csv, header true');
SQL
rm -f "$CSV"
IFS='|' read -r frame_bytes used_bytes < <(psql_q -c \
	"SELECT f.bytes, m.used_bytes FROM shmcache.frames f, shmcache.memory m WHERE f.frame = 'ticks'::regclass")
frame_kb=$((frame_bytes / 1024))
note "frame: $(mb "$frame_kb") MB (shmcache.memory used_bytes: $(mb $((used_bytes / 1024))) MB)"

# measure NAME: each server process's figures as $OUT/NAME.procs, their sums
# as $OUT/NAME.sum (see smaps_rollup_kb and sum_smaps_kb in scripts/lib.sh).
measure() {
	# shellcheck disable=SC2046
	smaps_rollup_kb $(cluster_pids) >"$OUT/$1.procs"
	sum_smaps_kb <"$OUT/$1.procs" >"$OUT/$1.sum"
}

# ---------------------------------------------------------------------------
# SESSIONS psql sessions that stay connected, each reading its commands from
# a FIFO
# ---------------------------------------------------------------------------
heading "Opening $SESSIONS sessions"
declare -a FD PID
for ((i = 1; i <= SESSIONS; i++)); do
	as_user mkfifo "$OUT/s$i.in"
	cluster_psql -At <"$OUT/s$i.in" >"$OUT/s$i.out" 2>&1 &
	exec {fd}>"$OUT/s$i.in"
	FD[i]=$fd
done
on_exit close_sessions

close_sessions() {
	local i
	for ((i = 1; i <= SESSIONS; i++)); do
		[[ -n "${FD[i]:-}" ]] && eval "exec ${FD[i]}>&-"
	done
	wait 2>/dev/null || true
}

# run_in I SQL: send SQL to session I; wait_for I MARK: until it printed MARK.
run_in() {
	printf '%s\n' "$2" >&"${FD[$1]}"
}
wait_for() {
	local tries=0
	until grep -qx "$2" "$OUT/s$1.out" 2>/dev/null; do
		((++tries < 6000)) || die "session $1 did not answer: $(tail -n 3 "$OUT/s$1.out")"
		if grep -q 'ERROR' "$OUT/s$1.out" 2>/dev/null; then
			die "session $1: $(grep ERROR "$OUT/s$1.out" | head -n 1)"
		fi
		sleep 0.1
	done
}

for ((i = 1; i <= SESSIONS; i++)); do
	run_in "$i" "SELECT 'pid ' || pg_backend_pid();"
done
for ((i = 1; i <= SESSIONS; i++)); do
	wait_for "$i" 'pid [0-9]*'
	PID[i]="$(sed -n 's/^pid //p' "$OUT/s$i.out")"
done
note "backends: ${PID[*]}"
sleep 1
heading "Measuring: $SESSIONS sessions connected, none has read the frame yet"
measure connected

# ---------------------------------------------------------------------------
# Each session scans every column of the frame, one after the other
# ---------------------------------------------------------------------------
heading "Each session scans all columns of the frame"
SCAN="SELECT 'scanned ' || count(*) || ' ' || sum(id) || ' ' || sum(length(symbol)) || ' ' || sum(extract(epoch FROM ts))::int8 || ' ' || sum(price)::int8 || ' ' || sum(qty) FROM ticks;"
for ((i = 1; i <= SESSIONS; i++)); do
	run_in "$i" "$SCAN"
	wait_for "$i" 'scanned .*'
done
answers="$(for ((i = 1; i <= SESSIONS; i++)); do grep '^scanned ' "$OUT/s$i.out"; done | sort -u)"
[[ "$(wc -l <<<"$answers")" == 1 ]] || die "the sessions disagree: $answers"
note "every session: ${answers#scanned }"
sleep 1
heading "Measuring: $SESSIONS sessions that have each scanned the frame"
measure scanned

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
pg_version="$(psql_q -c 'SHOW server_version')"
cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
mem_total_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"

# process_name PID: the process title, without "postgres: "
process_name() {
	local t
	if [[ "$1" == "$(head -n 1 "$CLUSTER_DIR/data/postmaster.pid")" ]]; then
		printf 'postmaster'
		return
	fi
	t="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true)"
	t="${t#postgres: }"
	printf '%s' "${t%% }"
}

echo
echo "shmcache memory benchmark: one copy, measured"
echo "============================================="
printf '%-10s %s\n' \
	"rows" "$ROWS (id int8, symbol text, ts timestamptz, price float8, qty int4)" \
	"frame" "$frame_bytes bytes ($(mb "$frame_kb") MB) in shmcache.frames" \
	"server" "PostgreSQL $pg_version; shmcache.size=$SHMCACHE_SIZE shared_buffers=$SHARED_BUFFERS huge_pages=off jit=$JIT" \
	"machine" "$(nproc) CPUs (${cpu:-unknown}), $((mem_total_kb / 1024 / 1024)) GB RAM; kernel $(uname -r)" \
	"sessions" "$SESSIONS, each read all five columns of all rows (count and sums), then stayed idle"

echo
echo "every server process, after the scans (MB):"
printf '  %-8s %-40s %8s %8s %10s %9s %9s %14s\n' pid process Rss Pss Pss_Shmem Pss_Anon Pss_File Private_Dirty
while read -r pid rss pss shm anon file dirty; do
	printf '  %-8s %-40s %8s %8s %10s %9s %9s %14s\n' "$pid" "$(process_name "$pid" | cut -c1-40)" \
		"$(mb "$rss")" "$(mb "$pss")" "$(mb "$shm")" "$(mb "$anon")" "$(mb "$file")" "$(mb "$dirty")"
done <"$OUT/scanned.procs"

# backend averages after the scans
read -r be_rss be_anon be_dirty < <(
	for ((i = 1; i <= SESSIONS; i++)); do grep "^${PID[i]} " "$OUT/scanned.procs"; done |
		awk '{ r += $2; a += $5; d += $7; n++ } END { printf "%d %d %d\n", r / n, a / n, d / n }')

# sum_of NAME N: field N of measurement NAME's sums
sum_of() {
	awk -v c="$2" '{ print $c }' "$OUT/$1.sum"
}

echo
echo "sums over the postmaster and all its children (MB):"
printf '  %-42s %20s %20s\n' "" "$SESSIONS connected," "$SESSIONS connected,"
printf '  %-42s %20s %20s\n' "" "before the scans" "after the scans"
row() {
	printf '  %-42s %20s %20s\n' "$1" "$(mb "$(sum_of connected "$2")")" "$(mb "$(sum_of scanned "$2")")"
}
row "total Pss" 1
row "  Pss_Shmem (shared memory, counted once)" 2
row "  Pss_Anon (private memory)" 3
row "  Pss_File (program and libraries)" 4
printf '  %-42s %20s %20s\n' "processes" "$(sum_of connected 6)" "$(sum_of scanned 6)"
printf '  %-42s %20s %20s\n' "total Pss beyond the frame" "-" "$(mb $(($(sum_of scanned 1) - frame_kb)))"

echo
echo "frame: $(mb "$frame_kb") MB, once; $SESSIONS private copies would take $(mb $((frame_kb * SESSIONS))) MB."
echo "After the scans each backend maps the whole frame (Rss $(mb "$be_rss") MB on average) but"
echo "has only $(mb "$be_anon") MB of Pss_Anon ($(mb "$be_dirty") MB Private_Dirty) on average."
echo "Before the scans no live process has touched the frame's pages (the session that"
echo "loaded it is gone), so no Pss counts them, though they are in memory all the same."
