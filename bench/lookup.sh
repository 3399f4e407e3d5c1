#!/usr/bin/env bash
#
# bench/lookup.sh
#	Random access by key (issue 12): lookups by an unsorted key column on a
#	frame with an index, on a frame without one and on a prewarmed heap
#	table with a B-tree, side by side in one run on a throw-away server.
#	Run by hand; never part of the tests.
#
#	bench/lookup.sh [ROWS]		ROWS defaults to 10000000
#
#	The data: ROWS rows (id int8, oid int8, symbol text, ts timestamptz,
#	price float8, qty int4); id = 1..ROWS, oid a random permutation of
#	1..ROWS (a shuffle seeded with SEED, the same in every run), the other
#	columns as in bench/ticks.sh.  One CSV file is loaded into
#	  ticks        a frame with a unique index on oid (see FRAME_INDEX)
#	  ticks_noidx  a frame without an index
#	  ticks_heap   an UNLOGGED heap table with PRIMARY KEY (oid), prewarmed
#	and "orders" is a heap table of ORDERS rows whose "ref" is a random
#	existing oid.
#
#	The measures (frame vs heap; the frame without index where it says so):
#	  1. one "oid = x" lookup, client round trip: pgbench, 1 client, random x,
#	     -M prepared and -M simple, latency average
#	  2. its execution time: EXPLAIN ANALYZE Execution Time over KEYS keys
#	     (also on the frame without index), first in a fresh session, then
#	     in the same session after WARM lookups of other keys on each side
#	     (a fresh backend pays a page fault the first time it touches each
#	     page of shared memory: shared buffers and frames alike)
#	  3. "oid = ANY(100 random keys)": execution time over ANY_SETS key sets
#	     and client round trip, also on the frame without index
#	  4. CLIENTS clients doing "oid = x" for DURATION seconds while a feeder
#	     (a pgbench client of its own) appends BATCH-row INSERTs with new oids
#	     to the table they read: lookups/s and the feeder's rows/s
#	  5. SELECT count(*), sum(t.price) FROM orders o JOIN <t> t ON t.oid = o.ref,
#	     the planner choosing the plan on each side (plans are printed)
#	  6. index memory: shmcache.indexes bytes / entries vs
#	     pg_relation_size('ticks_heap_pkey') / ROWS
#	  7. appending BATCHES batches of BATCH rows (INSERT ... SELECT, one
#	     client) to the frame with the index vs the frame without: rows/s
#	Medians: of REPS pgbench runs (1, 3, 4, 7), of KEYS / ANY_SETS queries
#	(2, 3), of REPS queries (5).  Sides take turns, the one going first
#	changing every run; pgbench runs of one repetition share a random seed,
#	so each side looks up the same keys.  The measures reading the tables
#	(2, 3, 5, 1) run before those appending to them (4, 7).
#
#	Environment (defaults in brackets):
#	  REPS=5           pgbench runs per side of measures 1, 3, 4 and 7; joins per side
#	  DURATION=10      seconds per pgbench run (pgbench -T) of 1, 3 and 4
#	                   (bash's own SECONDS cannot be used for it)
#	  KEYS=200         keys timed with EXPLAIN ANALYZE in measure 2
#	  WARM=300000      lookups per side warming the session of measure 2
#	  ANY_SETS=30      sets of 100 keys timed with EXPLAIN ANALYZE in measure 3
#	  PROTOCOLS="prepared simple"  pgbench -M of measures 1 and 3
#	  CLIENTS=10       lookup clients of measure 4 (-M CONC_PROTOCOL=prepared)
#	  BATCH=1000       rows per INSERT of the feeder (4) and the appends (7)
#	  BATCHES=2000     batches per append run of measure 7
#	  ORDERS=100000    rows of "orders" (measure 5)
#	  FRAME_INDEX=declared  how ticks gets its index: "declared": oid int8
#	                   PRIMARY KEY in create_frame's column list, then the load;
#	                   "create": the load, then shmcache.create_index(); "none":
#	                   no index at all (today's frame: runs on a build without
#	                   the index API; measure 6 is skipped)
#	  SEED=42          seed of the shuffle, the orders, the keys and pgbench
#	  PARALLEL=0       max_parallel_workers_per_gather
#	  SHMCACHE_SIZE=4GB  SHARED_BUFFERS=3GB  WORK_MEM=256MB  JIT=on
#	  HUGE_PAGES=try   as in bench/ticks.sh
#	  SKIP_BUILD=0     1: do not check packages, build and install first
#
#	At 10,000,000 rows the server needs about SHMCACHE_SIZE + SHARED_BUFFERS
#	of memory, the CSV file (~60 bytes a row) goes to a temporary directory
#	under ${TMPDIR:-/tmp}, and a run takes (2 + 3) x REPS x DURATION seconds
#	of pgbench per protocol for measures 1 and 3, 2 x REPS x DURATION for
#	measure 4 (10 minutes with the defaults), plus the set-up and measure 7.
#
#	Nothing is asserted about the figures.  A frame statement that fails
#	(for instance on a build without the index API) stops the run with
#	psql's or pgbench's error; a plan of the indexed frame without
#	"Index Cond:" is reported with a WARNING.

set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

ROWS="${1:-10000000}"
REPS="${REPS:-5}"
DURATION="${DURATION:-10}"
KEYS="${KEYS:-200}"
WARM="${WARM:-300000}"
ANY_SETS="${ANY_SETS:-30}"
PROTOCOLS="${PROTOCOLS:-prepared simple}"
CLIENTS="${CLIENTS:-10}"
CONC_PROTOCOL="${CONC_PROTOCOL:-prepared}"
BATCH="${BATCH:-1000}"
BATCHES="${BATCHES:-2000}"
ORDERS="${ORDERS:-100000}"
FRAME_INDEX="${FRAME_INDEX:-declared}"
SEED="${SEED:-42}"
PARALLEL="${PARALLEL:-0}"
SHMCACHE_SIZE="${SHMCACHE_SIZE:-4GB}"
SHARED_BUFFERS="${SHARED_BUFFERS:-3GB}"
WORK_MEM="${WORK_MEM:-256MB}"
JIT="${JIT:-on}"
HUGE_PAGES="${HUGE_PAGES:-try}"
SKIP_BUILD="${SKIP_BUILD:-0}"

for v in ROWS REPS DURATION KEYS WARM ANY_SETS CLIENTS BATCH BATCHES ORDERS SEED PARALLEL SKIP_BUILD; do
	[[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, not '${!v}'"
done
((ROWS >= 100)) || die "ROWS must be at least 100"
# oids are drawn from 1..ROWS; the feeders' oids go above the largest one.
((ROWS < 1000000000000)) || die "ROWS must be below 10^12"
((REPS >= 1 && DURATION >= 1 && KEYS >= 1 && ANY_SETS >= 1 && CLIENTS >= 1 &&
	BATCH >= 1 && BATCHES >= 1 && ORDERS >= 1)) ||
	die "REPS, DURATION, KEYS, ANY_SETS, CLIENTS, BATCH, BATCHES and ORDERS must be at least 1"
[[ -n "${PROTOCOLS// /}" ]] || die "PROTOCOLS must name at least one of prepared, simple, extended"
for p in $PROTOCOLS $CONC_PROTOCOL; do
	[[ "$p" =~ ^(prepared|simple|extended)$ ]] ||
		die "PROTOCOLS and CONC_PROTOCOL are pgbench -M values (prepared, simple, extended), not '$p'"
done
[[ "$FRAME_INDEX" =~ ^(declared|create|none)$ ]] || die "FRAME_INDEX must be declared, create or none"
[[ "$SHMCACHE_SIZE$SHARED_BUFFERS$WORK_MEM" =~ ^[0-9A-Za-z]+$ ]] ||
	die "SHMCACHE_SIZE, SHARED_BUFFERS and WORK_MEM look like 4GB, 512MB, ..."
[[ "$JIT" == on || "$JIT" == off ]] || die "JIT must be on or off"
[[ "$HUGE_PAGES" =~ ^(on|off|try)$ ]] || die "HUGE_PAGES must be on, off or try"

NCPU="$(nproc)"
ANY_KEYS=100

# The tables of each side.
declare -A TBL=([frame]=ticks [noidx]=ticks_noidx [heap]=ticks_heap)

COLUMNS='id int8, oid int8, symbol text, ts timestamptz, price float8, qty int4'
COLUMNS_PK='id int8, oid int8 PRIMARY KEY, symbol text, ts timestamptz, price float8, qty int4'

# row_exprs: the select list of a row from columns "i" (id) and "o" (oid);
# symbol, ts, price and qty are those of row i of bench/ticks.sh.
row_exprs() {
	printf '%s' "i, o, 'S' || (i % 500), timestamptz '$TICKS_TS_BASE' + i * interval '1 ms', (((i * 7919) % 100000) / 100.0)::float8, (i % 1000)::int4 + 1"
}

# random_keys COUNT SEED: COUNT keys drawn from 1..ROWS, one per line.
random_keys() {
	awk -v n="$1" -v seed="$2" -v max="$ROWS" \
		'BEGIN { srand(seed); for (k = 0; k < n; k++) printf "%d\n", int(rand() * max) + 1 }'
}

# key_lists COUNT SEED: COUNT lines of ANY_KEYS comma-separated keys.
key_lists() {
	random_keys $(($1 * ANY_KEYS)) "$2" |
		awk -v n="$ANY_KEYS" '{ printf "%s%s", $1, (NR % n ? "," : "\n") }'
}

# turn R SIDE...: the SIDEs rotated by R places (who goes first changes).
turn() {
	local r="$1"
	shift
	local sides=("$@") n=$#
	local k
	for ((k = 0; k < n; k++)); do
		printf '%s ' "${sides[(k + r) % n]}"
	done
}

# The figures: lines "KEY value" in RESULTS; fig KEY: their median.
record() {
	echo "$1 $2" >>"$RESULTS"
}
fig() {
	awk -v k="$1" '{ v = $NF; $NF = ""; sub(/ $/, "") } $0 == k { print v }' "$RESULTS" | median
}

# int N: N rounded to an integer ("-" stays).
int() {
	awk -v v="$1" 'BEGIN { if (v == "-") print v; else printf "%.0f\n", v }'
}

psql_q() {
	cluster_psql -q -At "$@"
}

# run_pgbench OUT ARGS...: pgbench with ARGS, output to OUT; stops the run
# with pgbench's error if it fails (an aborted client makes it exit non-zero).
run_pgbench() {
	local out="$1"
	shift
	cluster_pgbench "$@" >"$out" 2>&1 || {
		tail -n 15 "$out" >&2
		die "pgbench $* failed (output in $out)"
	}
	[[ -n "$(pgbench_tps "$out")" ]] || die "no tps in the output of pgbench $* ($out)"
}

# next_oid TABLE: one more than the largest oid of TABLE.
next_oid() {
	psql_q -c "SELECT coalesce(max(oid), 0) + 1 FROM $1"
}

# plan_shape: the node lines of EXPLAIN (COSTS OFF) output on stdin, on one
# line: "Aggregate > Hash Join > Seq Scan on orders o > ...".
plan_shape() {
	awk 'NR == 1 || /->/ { s = $0; sub(/^ *(-> *)?/, "", s); out = out (out == "" ? "" : " > ") s }
		END { print out }'
}

bench_prepare shmcache-bench
cd "$WORKTREE"

cluster_start shmcache-bench \
	"shared_preload_libraries = 'shmcache'" \
	"shmcache.size = '$SHMCACHE_SIZE'" \
	"shared_buffers = '$SHARED_BUFFERS'" \
	"work_mem = '$WORK_MEM'" \
	"max_parallel_workers_per_gather = $PARALLEL" \
	"max_connections = $((CLIENTS + 20))" \
	"jit = $JIT" \
	"huge_pages = $HUGE_PAGES" \
	"timezone = 'UTC'"

CSV="$CLUSTER_DIR/lookup.csv"
OUT="$CLUSTER_DIR/bench"
RESULTS="$OUT/results.txt"
mkdir -p "$OUT"
: >"$RESULTS"

# ---------------------------------------------------------------------------
# Set-up: the CSV, the three tables, orders.
# ---------------------------------------------------------------------------
heading "Setting up: $ROWS rows of CSV in $CSV (oid shuffled with seed $SEED)"
seed_frac="$(awk -v s="$SEED" 'BEGIN { printf "%.6f", (s % 1000000) / 1000000 }')"
psql_q -v csv="$CSV" >"$OUT/gen.out" <<SQL || die "the CSV could not be written (psql's error above)"
CREATE EXTENSION shmcache;
CREATE EXTENSION pg_prewarm;
SET max_parallel_workers_per_gather = 0;
SELECT setseed($seed_frac);
\\timing on
\\echo @@ gen
COPY (SELECT $(row_exprs)
        FROM (SELECT row_number() OVER () AS i, o
                FROM (SELECT o FROM generate_series(1::int8, $ROWS::int8) AS o
                       ORDER BY random()) AS shuffled) AS s)
  TO :'csv' (FORMAT csv);
SQL
[[ -s "$CSV" ]] || die "no CSV written"
note "CSV written in $(timings "$OUT/gen.out" | awk '{ printf "%.1f s", $2 / 1000 }'): $(du -h "$CSV" | cut -f1)"

case "$FRAME_INDEX" in
declared) index_how="oid int8 PRIMARY KEY in create_frame, then copy_from" ;;
create) index_how="copy_from, then shmcache.create_index('ticks', 'oid', unique => true)" ;;
none) index_how="none (FRAME_INDEX=none)" ;;
esac
heading "Loading: frame 'ticks' (index: $index_how), frame 'ticks_noidx', UNLOGGED 'ticks_heap' + PRIMARY KEY (oid)"
{
	if [[ "$FRAME_INDEX" == declared ]]; then
		echo "SELECT shmcache.create_frame('ticks', '$COLUMNS_PK');"
	else
		echo "SELECT shmcache.create_frame('ticks', '$COLUMNS');"
	fi
	echo "SELECT shmcache.create_frame('ticks_noidx', '$COLUMNS');"
	echo "CREATE UNLOGGED TABLE ticks_heap ($COLUMNS);"
	printf '%s\n' '\timing on'
	printf '%s\n' '\echo @@ load frame'
	echo "SELECT shmcache.copy_from('ticks', :'csv', 'format csv');"
	if [[ "$FRAME_INDEX" == create ]]; then
		printf '%s\n' '\echo @@ index frame'
		echo "SELECT shmcache.create_index('ticks'::regclass, 'oid', \"unique\" => true);"
	fi
	printf '%s\n' '\echo @@ load noidx'
	echo "SELECT shmcache.copy_from('ticks_noidx', :'csv', 'format csv');"
	printf '%s\n' '\echo @@ load heap'
	echo "COPY ticks_heap FROM :'csv' (FORMAT csv);"
	printf '%s\n' '\echo @@ index heap'
	echo "ALTER TABLE ticks_heap ADD CONSTRAINT ticks_heap_pkey PRIMARY KEY (oid);"
	printf '%s\n' '\timing off'
	echo "VACUUM ANALYZE ticks_heap;"
	echo "SELECT setseed($seed_frac);"
	echo "CREATE TABLE orders AS"
	echo "  SELECT g::int8 AS id, (floor(random() * $ROWS) + 1)::int8 AS ref"
	echo "    FROM generate_series(1, $ORDERS) AS g;"
	echo "VACUUM ANALYZE orders;"
	echo "CHECKPOINT;"
	echo "SELECT sum(pg_prewarm(c)) FROM unnest(ARRAY['ticks_heap', 'ticks_heap_pkey', 'orders']::regclass[]) AS c;"
} | psql_q -v csv="$CSV" >"$OUT/load.out" ||
	die "the set-up failed (psql's error above)$([[ "$FRAME_INDEX" != none ]] &&
		echo "; FRAME_INDEX=$FRAME_INDEX needs the index API of issue 12, FRAME_INDEX=none runs without it")"
timings "$OUT/load.out" >"$OUT/load.times"
load_ms() {
	awk -v k="$1" '$1 " " $2 == k { print $3 }' "$OUT/load.times"
}
note "blocks prewarmed (ticks_heap, its primary key, orders): $(tail -n 1 "$OUT/load.out")"
rm -f "$CSV"

IFS='|' read -r frame_rows noidx_rows heap_rows < <(psql_q -c \
	"SELECT (SELECT count(*) FROM ticks), (SELECT count(*) FROM ticks_noidx), (SELECT count(*) FROM ticks_heap)")
note "rows: ticks $frame_rows, ticks_noidx $noidx_rows, ticks_heap $heap_rows"
[[ "$frame_rows" == "$ROWS" && "$noidx_rows" == "$ROWS" && "$heap_rows" == "$ROWS" ]] ||
	die "the tables do not all hold $ROWS rows"
# The same rows everywhere: a checksum over (id, oid) of each table.
check_sql() {
	echo "SELECT count(DISTINCT oid) = count(*), min(oid), max(oid), sum(oid), sum((id * 7 + oid) % 1000003) FROM $1"
}
sums="$(for s in frame noidx heap; do psql_q -c "$(check_sql "${TBL[$s]}")"; done | sort -u)"
[[ "$(wc -l <<<"$sums")" == 1 && "$sums" == "t|1|$ROWS|"* ]] ||
	die "the tables do not hold the same permutation of 1..$ROWS (count(DISTINCT oid) = count(*), min, max, sums): $sums"
note "the same permutation in all three (distinct|min|max|sum(oid)|sum((id * 7 + oid) % 1000003)): $sums"

# Index memory (measure 6), before anything is appended.
index_rows="-"
frame_bpr="-"
if [[ "$FRAME_INDEX" != none ]]; then
	psql_q -c 'SELECT name, columns, "unique", entries, bytes FROM shmcache.indexes WHERE frame = '"'ticks'::regclass" \
		>"$OUT/indexes.out" || die "could not read shmcache.indexes (psql's error above): the index API of issue 12 is missing"
	index_rows="$(wc -l <"$OUT/indexes.out")"
	((index_rows == 1)) ||
		die "shmcache.indexes should show one index on ticks, not $index_rows: $(cat "$OUT/indexes.out")"
	IFS='|' read -r idx_name idx_columns idx_unique idx_entries idx_bytes <"$OUT/indexes.out"
	note "shmcache.indexes: ticks index $idx_name ($idx_columns), unique $idx_unique, $idx_entries entries, $idx_bytes bytes"
	[[ "$idx_unique" == t ]] || echo "WARNING: the index on ticks is not unique"
	[[ "$idx_entries" == "$ROWS" ]] || echo "WARNING: the index on ticks has $idx_entries entries, not $ROWS"
	frame_bpr="$(awk -v b="$idx_bytes" -v n="$idx_entries" 'BEGIN { if (n > 0) printf "%.2f", b / n; else print "-" }')"
fi
IFS='|' read -r heap_idx_bytes frame_bytes noidx_bytes heap_bytes < <(psql_q <<'SQL'
SELECT pg_relation_size('ticks_heap_pkey'),
       (SELECT bytes FROM shmcache.frames WHERE frame = 'ticks'::regclass),
       (SELECT bytes FROM shmcache.frames WHERE frame = 'ticks_noidx'::regclass),
       pg_total_relation_size('ticks_heap');
SQL
)
heap_bpr="$(awk -v b="$heap_idx_bytes" -v n="$ROWS" 'BEGIN { printf "%.2f", b / n }')"

# ---------------------------------------------------------------------------
# Plans: the point lookup (literal and generic), ANY, the join, per side.
# ---------------------------------------------------------------------------
heading "Plans"
mid=$((ROWS / 2))
any_example="$(key_lists 1 "$SEED")"
declare -A PLAN
for s in frame noidx heap; do
	t="${TBL[$s]}"
	PLAN[point_$s]="$(psql_q -c "EXPLAIN (COSTS OFF) SELECT * FROM $t WHERE oid = $mid")"
	PLAN[point8_$s]="$(psql_q -c "EXPLAIN (COSTS OFF) SELECT * FROM $t WHERE oid = $mid::int8")"
	PLAN[generic_$s]="$(psql_q <<SQL
SET plan_cache_mode = force_generic_plan;
PREPARE p(int8) AS SELECT * FROM $t WHERE oid = \$1;
EXPLAIN (COSTS OFF) EXECUTE p($mid);
SQL
)"
	PLAN[any_$s]="$(psql_q -c "EXPLAIN (COSTS OFF) SELECT * FROM $t WHERE oid = ANY(ARRAY[$any_example]::int8[])")"
	PLAN[any4_$s]="$(psql_q -c "EXPLAIN (COSTS OFF) SELECT * FROM $t WHERE oid = ANY(ARRAY[$any_example])")"
	PLAN[join_$s]="$(psql_q -c "EXPLAIN (COSTS OFF) SELECT count(*), sum(t.price) FROM orders o JOIN $t t ON t.oid = o.ref")"
done
# uses_index PLAN: "index" if the plan has an Index Cond, "scan" if not.
uses_index() {
	if grep -q 'Index Cond:' <<<"$1"; then echo index; else echo scan; fi
}
for q in point point8 generic any any4 join; do
	note "$(printf '%-8s heap: %-5s frame: %-5s frame without index: %s' "$q" \
		"$(uses_index "${PLAN[${q}_heap]}")" "$(uses_index "${PLAN[${q}_frame]}")" "$(uses_index "${PLAN[${q}_noidx]}")")"
	if [[ "$FRAME_INDEX" != none && "$q" != join && "$(uses_index "${PLAN[${q}_frame]}")" != index ]]; then
		echo "WARNING: the $q lookup on ticks does not use its index (no 'Index Cond:' in the plan):"
		printf '    %s\n' "${PLAN[${q}_frame]//$'\n'/$'\n'    }"
	fi
done

# ---------------------------------------------------------------------------
# 2, 3 and 5: execution times (EXPLAIN ANALYZE), one psql session.
# ---------------------------------------------------------------------------
heading "Execution times: $KEYS point lookups, $ANY_SETS x ANY($ANY_KEYS keys), $REPS joins, per side"
explain() {
	echo "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $1;"
}
# point_lookups NAME SEED SIDE...: KEYS "oid = x" lookups on each side, timed.
point_lookups() {
	local name="$1" seed="$2" j=0 k s
	shift 2
	while read -r k; do
		j=$((j + 1))
		for s in $(turn "$j" "$@"); do
			printf '\\echo @@ %s %s %s\n' "$name" "$s" "$j"
			explain "SELECT * FROM ${TBL[$s]} WHERE oid = $k"
		done
	done < <(random_keys "$KEYS" "$seed")
}
# warm_session: WARM lookups of random keys on the frame and on the heap in
# this session, as a long-lived worker has done, so that its backend has
# touched (and mapped) the pages a lookup reads.
warm_session() {
	cat <<SQL
DO \$\$
DECLARE r record;
BEGIN
  PERFORM setseed($seed_frac);
  FOR i IN 1..$WARM LOOP
    SELECT * INTO r FROM ${TBL[frame]} WHERE oid = (SELECT (random() * ($ROWS - 1))::int8 + 1);
    SELECT * INTO r FROM ${TBL[heap]} WHERE oid = (SELECT (random() * ($ROWS - 1))::int8 + 1);
  END LOOP;
END \$\$;
SQL
}
{
	# warm-up, untimed
	for s in frame noidx heap; do
		explain "SELECT * FROM ${TBL[$s]} WHERE oid = $mid"
		explain "SELECT * FROM ${TBL[$s]} WHERE oid = ANY(ARRAY[$any_example]::int8[])"
	done
	point_lookups point $((SEED + 1)) frame noidx heap
	warm_session
	point_lookups pointwarm $((SEED + 3)) frame heap
	j=0
	while read -r keys; do
		j=$((j + 1))
		for s in $(turn "$j" frame noidx heap); do
			printf '\\echo @@ any %s %s\n' "$s" "$j"
			explain "SELECT * FROM ${TBL[$s]} WHERE oid = ANY(ARRAY[$keys]::int8[])"
		done
	done < <(key_lists "$ANY_SETS" $((SEED + 2)))
	for ((r = 1; r <= REPS; r++)); do
		for s in $(turn "$r" frame noidx heap); do
			printf '\\echo @@ join %s %s\n' "$s" "$r"
			explain "SELECT count(*), sum(t.price) FROM orders o JOIN ${TBL[$s]} t ON t.oid = o.ref"
		done
	done
} | psql_q | tee "$OUT/explain.out" | awk '/^@@ / { printf "."; fflush() } END { print "" }'
timings "$OUT/explain.out" | awk '{ print $1 "_exec " $2, $4 }' >>"$RESULTS"
# The join's result on each side (the same rows, so the same answer; the
# sum in numeric, which does not depend on the order of the rows).
join_answers="$(for s in frame noidx heap; do
	psql_q -c "SELECT count(*), sum(t.price::numeric) FROM orders o JOIN ${TBL[$s]} t ON t.oid = o.ref"
done | sort -u)"
[[ "$(wc -l <<<"$join_answers")" == 1 ]] ||
	echo "WARNING: the join gives different answers on the three sides: ${join_answers//$'\n'/, }"

# ---------------------------------------------------------------------------
# 1 and 3: client round trips, pgbench with one client.
# ---------------------------------------------------------------------------
for s in frame noidx heap; do
	{
		echo "\\set x random(1, $ROWS)"
		echo "SELECT * FROM ${TBL[$s]} WHERE oid = :x;"
	} >"$OUT/point_$s.pgbench"
	{
		list=""
		for ((k = 1; k <= ANY_KEYS; k++)); do
			echo "\\set k$k random(1, $ROWS)"
			list+="${list:+, }:k$k"
		done
		echo "SELECT * FROM ${TBL[$s]} WHERE oid = ANY(ARRAY[$list]::int8[]);"
	} >"$OUT/any_$s.pgbench"
	{
		echo "INSERT INTO ${TBL[$s]}"
		echo "  SELECT $(row_exprs)"
		echo "    FROM (SELECT i, i AS o FROM generate_series(:next::int8, :next::int8 + $((BATCH - 1))) AS i) AS s;"
		echo "\\set next :next + $BATCH"
	} >"$OUT/feed_$s.pgbench"
done

nprot="$(wc -w <<<"$PROTOCOLS")"
heading "Client round trips: $REPS x $DURATION s x ($nprot protocols) x (2 sides point, 3 sides ANY)"
for ((r = 1; r <= REPS; r++)); do
	for p in $PROTOCOLS; do
		for s in $(turn "$r" frame heap); do
			o="$OUT/rt_point_${p}_${s}_$r.out"
			run_pgbench "$o" -n -M "$p" -c 1 -j 1 -T "$DURATION" --random-seed=$((SEED + r)) \
				-f "$OUT/point_$s.pgbench"
			record "point_rt_$p $s" "$(pgbench_latency_ms "$o")"
		done
		for s in $(turn "$r" frame noidx heap); do
			o="$OUT/rt_any_${p}_${s}_$r.out"
			run_pgbench "$o" -n -M "$p" -c 1 -j 1 -T "$DURATION" --random-seed=$((SEED + r)) \
				-f "$OUT/any_$s.pgbench"
			record "any_rt_$p $s" "$(pgbench_latency_ms "$o")"
		done
		note "run $r, $p: point ms: frame $(fig "point_rt_$p frame") heap $(fig "point_rt_$p heap");" \
			"ANY ms: frame $(fig "any_rt_$p frame") noidx $(fig "any_rt_$p noidx") heap $(fig "any_rt_$p heap") (medians so far)"
	done
done

# ---------------------------------------------------------------------------
# 4: CLIENTS clients doing lookups while a feeder appends, per side.
# ---------------------------------------------------------------------------
conc_jobs=$((CLIENTS < NCPU ? CLIENTS : NCPU))
heading "Lookups while appending: $REPS x $DURATION s x 2 sides, $CLIENTS clients (-M $CONC_PROTOCOL) + 1 feeder of $BATCH-row INSERTs"
for ((r = 1; r <= REPS; r++)); do
	for s in $(turn "$r" frame heap); do
		fo="$OUT/conc_feed_${s}_$r.out"
		o="$OUT/conc_${s}_$r.out"
		cluster_pgbench -n -M simple -c 1 -j 1 -T "$DURATION" -D next="$(next_oid "${TBL[$s]}")" \
			-f "$OUT/feed_$s.pgbench" >"$fo" 2>&1 &
		feeder=$!
		run_pgbench "$o" -n -M "$CONC_PROTOCOL" -c "$CLIENTS" -j "$conc_jobs" -T "$DURATION" \
			--random-seed=$((SEED + r)) -f "$OUT/point_$s.pgbench"
		wait "$feeder" || {
			tail -n 15 "$fo" >&2
			die "the feeder's pgbench failed (output in $fo)"
		}
		[[ -n "$(pgbench_tps "$fo")" ]] || die "no tps in the feeder's output ($fo)"
		record "conc_lookups $s" "$(pgbench_tps "$o")"
		record "conc_feed $s" "$(awk -v t="$(pgbench_tps "$fo")" -v b="$BATCH" 'BEGIN { printf "%.0f", t * b }')"
	done
	note "run $r: lookups/s frame $(int "$(fig "conc_lookups frame")") heap $(int "$(fig "conc_lookups heap")");" \
		"feeder rows/s frame $(int "$(fig "conc_feed frame")") heap $(int "$(fig "conc_feed heap")") (medians so far)"
done

# ---------------------------------------------------------------------------
# 7: appending to the frame with the index vs the frame without.
# ---------------------------------------------------------------------------
heading "Appending: $REPS x $BATCHES batches of $BATCH rows x 2 frames (with and without index)"
for ((r = 1; r <= REPS; r++)); do
	for s in $(turn "$r" frame noidx); do
		o="$OUT/append_${s}_$r.out"
		run_pgbench "$o" -n -M simple -c 1 -j 1 -t "$BATCHES" -D next="$(next_oid "${TBL[$s]}")" \
			-f "$OUT/feed_$s.pgbench"
		record "append $s" "$(awk -v t="$(pgbench_tps "$o")" -v b="$BATCH" 'BEGIN { printf "%.0f", t * b }')"
	done
	note "run $r: rows/s frame with index $(int "$(fig "append frame")"), without $(int "$(fig "append noidx")") (medians so far)"
done
if [[ "$FRAME_INDEX" != none ]]; then
	IFS='|' read -r end_rows end_entries < <(psql_q -c \
		"SELECT (SELECT count(*) FROM ticks), (SELECT entries FROM shmcache.indexes WHERE frame = 'ticks'::regclass)")
	[[ "$end_rows" == "$end_entries" ]] ||
		echo "WARNING: at the end ticks has $end_rows rows but its index $end_entries entries"
fi

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
settings="$(psql_q <<'SQL'
SELECT string_agg(n || '=' || current_setting(n), ' ' ORDER BY n)
  FROM unnest(ARRAY['server_version', 'shmcache.size', 'shared_buffers', 'work_mem',
                    'max_parallel_workers_per_gather', 'jit', 'huge_pages',
                    'plan_cache_mode', 'max_connections', 'random_page_cost',
                    'effective_cache_size']) AS n;
SQL
)"
cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
mem_total_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"

echo
echo "shmcache lookup benchmark"
echo "========================="
printf '%-10s %s\n' \
	"rows" "$ROWS (oid: a permutation of 1..$ROWS shuffled with seed $SEED); orders: $ORDERS rows" \
	"frame" "ticks, index on oid: $index_how" \
	"heap" "ticks_heap: UNLOGGED, PRIMARY KEY (oid) added after COPY, VACUUM ANALYZE, pg_prewarm" \
	"settings" "$settings" \
	"machine" "$NCPU cores (${cpu:-unknown}), $((mem_total_kb / 1024 / 1024)) GB RAM" \
	"method" "round trips: pgbench -c 1 -T $DURATION, latency average, median of $REPS runs" \
	"" "execution: EXPLAIN (ANALYZE, TIMING OFF) Execution Time, median of $KEYS keys / $ANY_SETS key sets / $REPS joins" \
	"" "concurrent: pgbench -c $CLIENTS -j $conc_jobs -M $CONC_PROTOCOL -T $DURATION + a feeder (pgbench -c 1), median of $REPS runs" \
	"" "appends: pgbench -c 1 -t $BATCHES of one $BATCH-row INSERT ... SELECT, median of $REPS runs"

# row LABEL HEAP FRAME NOIDX KIND TARGET: KIND "time" (lower is better:
# gains are heap/frame, noidx/frame) or "rate" (higher is better: frame/heap,
# frame/noidx; printed as integers).
ROW_FORMAT='%-52s %10s %10s %7s %10s %7s  %s\n'
row() {
	local h="$2" f="$3" n="$4" g1 g2
	if [[ "$5" == time ]]; then
		g1="$(ratio "$h" "$f")"
		g2="$(ratio "$n" "$f")"
	else
		g1="$(ratio "$f" "$h")"
		g2="$(ratio "$f" "$n")"
		h="$(int "$h")" f="$(int "$f")" n="$(int "$n")"
	fi
	# shellcheck disable=SC2059
	printf "$ROW_FORMAT" "$1" "$h" "$f" "$g1" "$n" "$g2" "$6"
}

echo
echo "frame = ticks (index on oid), heap = ticks_heap (B-tree), noidx = ticks_noidx (no index);"
echo "x heap, x noidx: how many times better the frame is (times: other/frame; rates: frame/other)"
echo
# shellcheck disable=SC2059
printf "$ROW_FORMAT" measure heap frame "x heap" noidx "x noidx" "target (issue 12)"
# shellcheck disable=SC2059
printf "$ROW_FORMAT" ------- ---- ----- ------ ----- ------- -----------------
for p in $PROTOCOLS; do
	row "1. oid = x, round trip -M $p, ms" \
		"$(fig "point_rt_$p heap")" "$(fig "point_rt_$p frame")" "-" time "x heap >= 1"
done
row "2. oid = x, execution, fresh session, ms" \
	"$(fig "point_exec heap")" "$(fig "point_exec frame")" "$(fig "point_exec noidx")" time "x heap >= 3"
row "2. oid = x, execution, warm session, ms" \
	"$(fig "pointwarm_exec heap")" "$(fig "pointwarm_exec frame")" "-" time "x heap >= 3"
row "3. oid = ANY($ANY_KEYS keys), execution, ms" \
	"$(fig "any_exec heap")" "$(fig "any_exec frame")" "$(fig "any_exec noidx")" time "x heap >= 1; noidx >= 20x faster than today"
for p in $PROTOCOLS; do
	row "3. oid = ANY($ANY_KEYS keys), round trip -M $p, ms" \
		"$(fig "any_rt_$p heap")" "$(fig "any_rt_$p frame")" "$(fig "any_rt_$p noidx")" time "x heap >= 1"
done
row "4. $CLIENTS clients oid = x while feeding, lookups/s" \
	"$(fig "conc_lookups heap")" "$(fig "conc_lookups frame")" "-" rate "x heap >= 1"
row "4. the feeder meanwhile, rows/s" \
	"$(fig "conc_feed heap")" "$(fig "conc_feed frame")" "-" rate ""
row "5. join $ORDERS orders on oid, execution, ms" \
	"$(fig "join_exec heap")" "$(fig "join_exec frame")" "$(fig "join_exec noidx")" time "x heap >= 1"
row "6. index bytes per row" \
	"$heap_bpr" "$frame_bpr" "-" time "frame <= 16"
row "7. append $BATCH-row batches, rows/s" \
	"-" "$(fig "append frame")" "$(fig "append noidx")" rate "x noidx >= 0.70"

echo
echo "6: heap: pg_relation_size('ticks_heap_pkey') / $ROWS = $heap_idx_bytes / $ROWS;" \
	"frame: shmcache.indexes bytes / entries$([[ "$FRAME_INDEX" != none ]] && echo " = $idx_bytes / $idx_entries")"
echo "   shmcache.frames bytes after the load: ticks $frame_bytes, ticks_noidx $noidx_bytes;" \
	"pg_total_relation_size('ticks_heap') $heap_bytes"
printf '%s' "loads (one run each, psql \\timing, ms): frame copy_from $(load_ms "load frame")"
[[ "$FRAME_INDEX" == create ]] && printf '%s' " + create_index $(load_ms "index frame")"
echo "; frame without index copy_from $(load_ms "load noidx"); heap COPY $(load_ms "load heap") + ADD PRIMARY KEY $(load_ms "index heap")"

echo
echo "plans (EXPLAIN (COSTS OFF)): point: oid = $mid (int8 = int4, as in measures 1 -M simple and 2);"
echo "point8: oid = $mid::int8; generic: oid = \$1 (int8) prepared, plan_cache_mode = force_generic_plan"
echo "(as in -M prepared once the plan cache goes generic); any: oid = ANY(ARRAY[100 keys]::int8[]) (as in 3);"
echo "any4: the same without the cast (int4[]); join: as in 5"
for q in point point8 generic any any4 join; do
	for s in heap frame noidx; do
		printf '  %-8s %-6s %-6s %s\n' "$q" "$s" "$(uses_index "${PLAN[${q}_$s]}")" "$(plan_shape <<<"${PLAN[${q}_$s]}")"
	done
done
