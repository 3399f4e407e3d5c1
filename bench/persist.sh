#!/usr/bin/env bash
#
# bench/persist.sh [rows]
#	How long frames take to survive a restart: shmcache.save() and the
#	autoload at server start of the "ticks" frame (built as bench/ticks.sh
#	builds it, default 10,000,000 rows), next to reloading it from its CSV
#	with shmcache.copy_from() and to pg_prewarm of the same rows in a heap
#	table after a restart.  Run by hand; never part of the tests.
#
#	REPS (default 3) runs of each; medians are printed.  The OS page cache
#	is not dropped: the snapshot, the CSV and the heap files are read from
#	memory in every run, so the figures compare CPU cost, not disk speed
#	(the save includes its fsync).
#
#	SKIP_BUILD=1 skips the package check and the build + install.

set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

ROWS="${1:-10000000}"
REPS="${REPS:-3}"
SKIP_BUILD="${SKIP_BUILD:-0}"
[[ "$ROWS" =~ ^[0-9]+$ && "$REPS" =~ ^[0-9]+$ ]] || die "rows and REPS must be integers"

# ms of the \timing lines of psql output on stdin
timing_ms() {
	awk '/^Time: [0-9.]+ ms/ { print $2 }'
}

bench_prepare shmcache-persist
cd "$WORKTREE"

cluster_start shmcache-persist \
	"shared_preload_libraries = 'shmcache'" \
	"shmcache.size = '2GB'" \
	"shared_buffers = '1GB'" \
	"shmcache.save_interval = 0" \
	"timezone = 'UTC'"
CSV="$CLUSTER_DIR/ticks.csv"

psql_q() {
	cluster_psql -q -At "$@"
}

restart() {
	as_user "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_LOG" -w -t 300 \
		restart >/dev/null
}

heading "Setting up: $ROWS rows of CSV, frame 'ticks' (copy_from), unlogged table 'ticks_heap' (COPY)"
psql_q -v csv="$CSV" <<SQL
CREATE EXTENSION shmcache;
CREATE EXTENSION pg_prewarm;
COPY (
    SELECT i,
           'S' || (i % 500),
           timestamptz '2024-01-02 09:00:00+00' + i * interval '1 ms',
           (((i * 7919) % 100000) / 100.0)::float8,
           (i % 1000)::int4 + 1
    FROM generate_series(1::int8, $ROWS::int8) AS i
) TO :'csv' (FORMAT csv, HEADER);
SELECT shmcache.create_frame('ticks', 'id int8, symbol text, ts timestamptz, price float8, qty int4');
CREATE UNLOGGED TABLE ticks_heap (id int8, symbol text, ts timestamptz, price float8, qty int4);
COPY ticks_heap FROM :'csv' (FORMAT csv, HEADER);
SQL
note "CSV: $(du -h "$CSV" | cut -f1)"

heading "Reload from the CSV: $REPS x truncate + copy_from"
copy_ms="$(for ((k = 0; k < REPS; k++)); do
	printf '%s\n' "SELECT shmcache.truncate('ticks');" '\timing on' \
		"SELECT shmcache.copy_from('ticks', :'csv', 'format csv, header true');" '\timing off' |
		psql_q -v csv="$CSV" | timing_ms
done | median)"
note "copy_from: $copy_ms ms"

heading "Save: $REPS x shmcache.save('ticks')"
save_ms="$(for ((k = 0; k < REPS; k++)); do
	printf '%s\n' '\timing on' "SELECT * FROM shmcache.save('ticks');" | psql_q | timing_ms
done | median)"
IFS='|' read -r frame_bytes snap_bytes < <(psql_q -c \
	"SELECT bytes, snapshot_bytes FROM shmcache.frames WHERE frame = 'ticks'::regclass")
note "save: $save_ms ms; frame $frame_bytes bytes, snapshot $snap_bytes bytes"

heading "Restore in a session: $REPS x shmcache.restore('ticks')"
restore_ms="$(for ((k = 0; k < REPS; k++)); do
	printf '%s\n' '\timing on' "SELECT shmcache.restore('ticks');" | psql_q | timing_ms
done | median)"
note "restore(): $restore_ms ms"

heading "Autoload at start and pg_prewarm of the heap table: $REPS restarts"
autoload_ms=()
ready_ms=()
prewarm_ms=()
for ((k = 0; k < REPS; k++)); do
	offset="$(stat -c %s "$CLUSTER_LOG")"
	restart
	# Wait for the autoload, then read its figure from the log.
	for ((i = 0; i < 600; i++)); do
		tail -c +"$((offset + 1))" "$CLUSTER_LOG" | grep -q 'shmcache: autoload finished' && break
		sleep 0.5
	done
	log="$(tail -c +"$((offset + 1))" "$CLUSTER_LOG")"
	autoload_ms+=("$(sed -n 's/.*loaded frame public\.ticks ([0-9]* rows) from .* in \([0-9]*\) ms/\1/p' <<<"$log")")
	ready_ms+=("$(sed -n 's/.*shmcache: autoload finished after \([0-9]*\) ms/\1/p' <<<"$log")")
	rows="$(psql_q -c 'SELECT count(*) FROM ticks')"
	[[ "$rows" == "$ROWS" ]] || die "after restart the frame has $rows rows, not $ROWS"
	prewarm_ms+=("$(printf '%s\n' '\timing on' "SELECT pg_prewarm('ticks_heap');" | psql_q | timing_ms)")
done
autoload="$(printf '%s\n' "${autoload_ms[@]}" | median)"
ready="$(printf '%s\n' "${ready_ms[@]}" | median)"
prewarm="$(printf '%s\n' "${prewarm_ms[@]}" | median)"
heap_bytes="$(psql_q -c "SELECT pg_total_relation_size('ticks_heap')")"

heading "Results ($ROWS rows; medians of $REPS)"
printf '| %-58s | %10s |\n' "" "ms"
printf '|%s|%s|\n' "------------------------------------------------------------" "-----------:"
printf '| %-58s | %10s |\n' \
	"shmcache.save('ticks') (write, fsync, rename)" "$save_ms" \
	"autoload of the frame at server start (restore in worker)" "$autoload" \
	"autoload, leader start to finish (incl. worker start)" "$ready" \
	"shmcache.restore('ticks') in a session" "$restore_ms" \
	"reload from the CSV (truncate + copy_from)" "$copy_ms" \
	"pg_prewarm('ticks_heap') after restart" "$prewarm"
echo
echo "frame: $frame_bytes bytes in shared memory; snapshot: $snap_bytes bytes;" \
	"heap table: $heap_bytes bytes; CSV: $(stat -c %s "$CSV") bytes"
