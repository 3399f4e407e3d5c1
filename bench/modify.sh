#!/usr/bin/env bash
#
# bench/modify.sh
#	Changing rows: upserts, single-row UPDATEs, a 10% DELETE on a frame vs a
#	heap table with the same rows and primary key, then reads of a frame
#	with 10% of its rows deleted and shmcache.vacuum() of one with half
#	deleted, side by side in one run on a throw-away server.  Run by hand;
#	never part of the tests.
#
#	bench/modify.sh [ROWS]		ROWS defaults to $ROWS, else 10000000
#
#	The data: ROWS rows of the "ticks" data set of bench/ticks.sh (id int8,
#	symbol text, ts timestamptz, price float8, qty int4): id = 1..ROWS,
#	symbol 'S' || id % 500, qty id % 1000 + 1 (1..1000).  One CSV file is
#	loaded into
#	  ticks        a frame, id int8 PRIMARY KEY in create_frame's columns
#	  ticks_heap   a heap table with PRIMARY KEY (id): logged (a normal
#	               table, the users' alternative) unless HEAP_LOGGED=0
#	               (then UNLOGGED); VACUUM ANALYZE, CHECKPOINT, pg_prewarm
#	  ticks_all, ticks_del (measure 4) and ticks_vac (5), frames like ticks
#	               loaded when their measure runs and dropped after it
#
#	The measures (frame vs heap unless it says otherwise):
#	  1. the upsert feeder: one pgbench client sending BATCH-row
#	       INSERT INTO t SELECT ... ON CONFLICT (id) DO UPDATE
#	         SET price = EXCLUDED.price, qty = t.qty + 1, ts = EXCLUDED.ts
#	     half of whose keys exist (spread over 1..ROWS from a random start,
#	     pgbench's seeded random) and half are new (above the largest id),
#	     for DURATION seconds while READERS pgbench clients (-M prepared)
#	     read the same table: READS=point "SELECT * FROM t WHERE id = :k"
#	     (random existing k) or READS=symbol "SELECT sum(price) FROM t WHERE
#	     symbol = 'S' || :s".  The feeder's rows/s (batches x BATCH / s)
#	     and the readers' queries/s.
#	  2. "UPDATE t SET price = price + 1 WHERE id = :k", random existing k:
#	     pgbench, 1 client, -M prepared, DURATION seconds, latency average
#	  3. "DELETE FROM t WHERE qty <= 100" (10% of the rows, one in every
#	     ten over the whole table) between BEGIN and ROLLBACK: psql \timing
#	     of the DELETE (EXPLAIN ANALYZE is not used for it)
#	  4. aggregates (count(*), a filtered sum, a GROUP BY symbol, a max for
#	     one symbol) on ticks_all (no deletions) and ticks_del (the same rows,
#	     then "DELETE ... WHERE qty % 10 = 3" committed: 10%): EXPLAIN
#	     (ANALYZE, TIMING OFF) Execution Time; ratio deleted / undeleted.
#	     Nothing restarts the server between that DELETE and the queries (a
#	     restart would load the frame from its snapshot, without the deleted
#	     rows).
#	  5. ticks_vac with "DELETE ... WHERE id % 2 = 0" committed (50%):
#	     shmcache.frames bytes before and after shmcache.vacuum(), and
#	     vacuum()'s psql \timing
#	  6. follow: two heap tables "acc_plain" and "acc_followed" of
#	     FOLLOW_ROWS accounts (id int8 PRIMARY KEY, balance int8), the second
#	     followed by a frame (shmcache.cache_table(..., follow => true));
#	     FOLLOW_CLIENTS pgbench clients (-M prepared) run
#	       UPDATE acc SET balance = balance + :d WHERE id = :id
#	     with random id for DURATION seconds on each: tps, ratio followed /
#	     plain (the frame changes at each commit, under its write claim).
#	Medians: of REPS pgbench runs (1, 2), of REPS DELETEs (3), of REPS
#	queries (4, after WARMUP untimed runs of each), of REPS vacuums (5, each
#	on a freshly loaded ticks_vac).  Sides take turns, the one going first
#	changing every repetition; pgbench runs of one repetition share a random
#	seed, so both sides are sent the same keys.  Measures 4 and 5 (their own
#	frames) run first, then 3 (rolled back: changes nothing), 2 and 1, so
#	that the tables of 3 still hold the loaded rows.
#
#	Environment (defaults in brackets):
#	  REPS=5           repetitions per side of every measure
#	  WARMUP=1         untimed runs per side first (3, 4)
#	  DURATION=10      seconds per pgbench run (pgbench -T) of 1 and 2
#	  READERS=8        reader clients of measure 1 (-M prepared)
#	  READS=point      what they run: point (id = :k) or symbol (sum(price)
#	                   of one symbol: a scan on the heap, which has no index
#	                   on symbol)
#	  BATCH=1000       rows per upsert of the feeder (even: half new keys)
#	  FOLLOW_ROWS=100000  accounts of measure 6
#	  FOLLOW_CLIENTS=8 pgbench clients of measure 6
#	  HEAP_LOGGED=1    0: ticks_heap is UNLOGGED
#	  SEED=42          seed of pgbench's random numbers
#	  PARALLEL=0       max_parallel_workers_per_gather
#	  SHMCACHE_SIZE=4GB  SHARED_BUFFERS=3GB  WORK_MEM=256MB  JIT=on
#	  HUGE_PAGES=try   as in bench/ticks.sh
#	  PORT=5497        the first port tried for the server (the other
#	                   benchmarks start at 54329)
#	  SKIP_BUILD=0     1: do not check packages, build and install first
#	                   (the build + install runs under flock on
#	                   /tmp/shmcache-install.lock, with make -s)
#	synchronous_commit and every other setting is PostgreSQL's default.
#
#	At 10,000,000 rows the server needs about SHMCACHE_SIZE + SHARED_BUFFERS
#	of memory, the CSV file (~60 bytes a row) goes to a temporary directory
#	under ${TMPDIR:-/tmp}, and a run takes 2 x 2 x REPS x DURATION seconds of
#	pgbench (3.5 minutes with the defaults), plus the set-up, the DELETEs,
#	the queries and REPS loads of ticks_vac.
#
#	Nothing is asserted about the figures.  A statement that fails stops
#	the run with psql's or pgbench's error; a frame plan without the
#	frame's own nodes is reported with a WARNING.

set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

ROWS="${1:-${ROWS:-10000000}}"
REPS="${REPS:-5}"
WARMUP="${WARMUP:-1}"
DURATION="${DURATION:-10}"
READERS="${READERS:-8}"
READS="${READS:-point}"
BATCH="${BATCH:-1000}"
FOLLOW_ROWS="${FOLLOW_ROWS:-100000}"
FOLLOW_CLIENTS="${FOLLOW_CLIENTS:-8}"
HEAP_LOGGED="${HEAP_LOGGED:-1}"
SEED="${SEED:-42}"
PARALLEL="${PARALLEL:-0}"
SHMCACHE_SIZE="${SHMCACHE_SIZE:-4GB}"
SHARED_BUFFERS="${SHARED_BUFFERS:-3GB}"
WORK_MEM="${WORK_MEM:-256MB}"
JIT="${JIT:-on}"
HUGE_PAGES="${HUGE_PAGES:-try}"
PORT="${PORT:-5497}"
SKIP_BUILD="${SKIP_BUILD:-0}"
INSTALL_LOCK=/tmp/shmcache-install.lock

for v in ROWS REPS WARMUP DURATION READERS BATCH FOLLOW_ROWS FOLLOW_CLIENTS HEAP_LOGGED SEED PARALLEL PORT SKIP_BUILD; do
	[[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, not '${!v}'"
done
((REPS >= 1 && DURATION >= 1 && READERS >= 1)) || die "REPS, DURATION and READERS must be at least 1"
((BATCH >= 2 && BATCH % 2 == 0)) || die "BATCH must be even and at least 2"
((ROWS >= 1000 && ROWS >= BATCH)) || die "ROWS must be at least 1000 and at least BATCH"
((ROWS < 1000000000000)) || die "ROWS must be below 10^12"
[[ "$READS" == point || "$READS" == symbol ]] || die "READS must be point or symbol"
[[ "$HEAP_LOGGED" == 0 || "$HEAP_LOGGED" == 1 ]] || die "HEAP_LOGGED must be 0 or 1"
((PORT >= 1024 && PORT <= 65000)) || die "PORT must be from 1024 to 65000"
[[ "$SHMCACHE_SIZE$SHARED_BUFFERS$WORK_MEM" =~ ^[0-9A-Za-z]+$ ]] ||
	die "SHMCACHE_SIZE, SHARED_BUFFERS and WORK_MEM look like 4GB, 512MB, ..."
[[ "$JIT" == on || "$JIT" == off ]] || die "JIT must be on or off"
[[ "$HUGE_PAGES" =~ ^(on|off|try)$ ]] || die "HUGE_PAGES must be on, off or try"

NCPU="$(nproc)"
COLUMNS_PK="${TICKS_COLUMNS/id int8/id int8 PRIMARY KEY}"
if ((HEAP_LOGGED)); then HEAP_KIND=logged HEAP_CREATE="CREATE TABLE"; else HEAP_KIND=UNLOGGED HEAP_CREATE="CREATE UNLOGGED TABLE"; fi
declare -A TBL=([frame]=ticks [heap]=ticks_heap [all]=ticks_all [del]=ticks_del)
# The existing keys of an upsert batch: 1 + (r + g * STRIDE) % ROWS for odd
# g = 1, 3, ..., BATCH - 1: distinct as STRIDE is a prime not dividing ROWS.
STRIDE=1000003
((ROWS % STRIDE)) || STRIDE=999983

# cluster_start (scripts/lib.sh) takes the first free port from 54329, as
# the other benchmarks do; this one starts looking at PORT.
eval "_lib_$(declare -f find_free_port)"
find_free_port() {
	_lib_find_free_port "$PORT"
}

# --- helpers (the logic of bench/lookup.sh's) ------------------------------
psql_q() {
	cluster_psql -q -At "$@"
}
# turn R SIDE...: the SIDEs rotated by R places (who goes first changes).
turn() {
	local r="$1"
	shift
	local sides=("$@") k
	for ((k = 0; k < $#; k++)); do printf '%s ' "${sides[(k + r) % $#]}"; done
}
# record KEY VALUE; fig KEY: the median of the values recorded for KEY.
record() {
	echo "$1 $2" >>"$RESULTS"
}
fig() {
	awk -v k="$1" '{ v = $NF; $NF = ""; sub(/ $/, "") } $0 == k { print v }' "$RESULTS" | median
}
int() {
	awk -v v="$1" 'BEGIN { if (v == "-") print v; else printf "%.0f\n", v }'
}
# run_pgbench OUT ARGS...: pgbench with ARGS, output to OUT; stops the run
# with pgbench's error if it fails.
run_pgbench() {
	local out="$1"
	shift
	cluster_pgbench "$@" >"$out" 2>&1 || {
		tail -n 15 "$out" >&2
		die "pgbench $* failed (output in $out)"
	}
	[[ -n "$(pgbench_tps "$out")" ]] || die "no tps in the output of pgbench $* ($out)"
}
# plan_shape: the node lines of EXPLAIN (COSTS OFF) on stdin, on one line.
plan_shape() {
	awk 'NR == 1 || /->/ { s = $0; sub(/^ *(-> *)?/, "", s); out = out (out == "" ? "" : " > ") s }
		END { print out }'
}
progress() {
	awk '/^@@ / { printf "."; fflush() } END { print "" }'
}
# want_node SIDE LABEL PLAN NODE: a WARNING if a frame's PLAN lacks NODE.
want_node() {
	[[ "$1" == heap ]] || grep -q "$4" <<<"$3" || {
		echo "WARNING: no $4 in the plan of $2 on ${TBL[$1]}:"
		printf '    %s\n' "${3//$'\n'/$'\n'    }"
	}
}
# frame_stat FRAME COLUMN...: columns of FRAME's row in shmcache.frames.
frame_stat() {
	local f="$1"
	shift
	psql_q -c "SELECT concat_ws(' ', $(IFS=,; echo "$*")) FROM shmcache.frames WHERE frame = '$f'::regclass"
}

# upsert_sql TABLE R NEXT: the feeder's statement; R and NEXT are pgbench
# variables (:r, :next) or numbers (for EXPLAIN).
upsert_sql() {
	cat <<SQL
INSERT INTO $1 (id, symbol, ts, price, qty)
  SELECT k, 'S' || (k % 500), now(), (((k * 7919 + $2) % 100000) / 100.0)::float8, (k % 1000)::int4 + 1
    FROM (SELECT CASE WHEN g % 2 = 1 THEN 1 + ($2 + g * $STRIDE) % $ROWS ELSE $3 + g / 2 - 1 END AS k
            FROM generate_series(1::int8, $BATCH::int8) AS g) AS s
  ON CONFLICT (id) DO UPDATE SET price = EXCLUDED.price, qty = $1.qty + 1, ts = EXCLUDED.ts;
SQL
}
read_sql() {
	if [[ "$READS" == point ]]; then
		echo "SELECT * FROM $1 WHERE id = $2;"
	else
		echo "SELECT sum(price) FROM $1 WHERE symbol = 'S' || $2;"
	fi
}
UPDATE_SQL='UPDATE @T@ SET price = price + 1 WHERE id = @K@;'
DELETE_SQL='DELETE FROM @T@ WHERE qty <= 100;'

# --- build, server ---------------------------------------------------------
if [[ "$SKIP_BUILD" != 1 ]]; then
	ensure_packages
	heading "Building and installing shmcache into $("$PG_CONFIG" --pkglibdir) (make -s, under flock $INSTALL_LOCK)"
	{
		flock 9 &&
			make -s -C "$REPO_ROOT" PG_CONFIG="$PG_CONFIG" -j"$NCPU" &&
			as_root make -s -C "$REPO_ROOT" PG_CONFIG="$PG_CONFIG" install
	} 9>>"$INSTALL_LOCK" || die "the build failed"
fi
SKIP_BUILD=1 bench_prepare shmcache-bench
cd "$WORKTREE"

cluster_start shmcache-bench \
	"shared_preload_libraries = 'shmcache'" \
	"shmcache.size = '$SHMCACHE_SIZE'" \
	"shared_buffers = '$SHARED_BUFFERS'" \
	"work_mem = '$WORK_MEM'" \
	"max_parallel_workers_per_gather = $PARALLEL" \
	"max_connections = $((READERS + 20))" \
	"jit = $JIT" \
	"huge_pages = $HUGE_PAGES" \
	"timezone = 'UTC'"

CSV="$CLUSTER_DIR/modify.csv"
OUT="$CLUSTER_DIR/bench"
RESULTS="$OUT/results.txt"
mkdir -p "$OUT"
: >"$RESULTS"

# ---------------------------------------------------------------------------
# Set-up: the CSV, ticks and ticks_heap.
# ---------------------------------------------------------------------------
heading "Setting up: $ROWS rows of CSV in $CSV; frame 'ticks' (id PRIMARY KEY), $HEAP_KIND 'ticks_heap' + PRIMARY KEY (id)"
{
	echo "CREATE EXTENSION shmcache;"
	echo "CREATE EXTENSION pg_prewarm;"
	printf '%s\n' '\timing on'
	printf '%s\n' '\echo @@ gen'
	echo "COPY ($(ticks_select 1 "$ROWS")) TO :'csv' (FORMAT csv);"
	echo "SELECT shmcache.create_frame('ticks', '$COLUMNS_PK');"
	echo "$HEAP_CREATE ticks_heap ($TICKS_COLUMNS);"
	printf '%s\n' '\echo @@ load frame'
	echo "SELECT shmcache.copy_from('ticks', :'csv', 'format csv');"
	printf '%s\n' '\echo @@ load heap'
	echo "COPY ticks_heap FROM :'csv' (FORMAT csv);"
	printf '%s\n' '\echo @@ index heap'
	echo "ALTER TABLE ticks_heap ADD CONSTRAINT ticks_heap_pkey PRIMARY KEY (id);"
	printf '%s\n' '\timing off'
	echo "VACUUM ANALYZE ticks_heap;"
	echo "CHECKPOINT;"
	echo "SELECT sum(pg_prewarm(c)) FROM unnest(ARRAY['ticks_heap', 'ticks_heap_pkey']::regclass[]) AS c;"
} | psql_q -v csv="$CSV" >"$OUT/load.out" || die "the set-up failed (psql's error above)"
timings "$OUT/load.out" >"$OUT/load.times"
load_ms() {
	awk -v k="$1" '$1 " " $2 == k || $1 == k { print $NF }' "$OUT/load.times"
}
note "CSV written in $(load_ms gen) ms ($(du -h "$CSV" | cut -f1)); loads: frame copy_from $(load_ms "load frame") ms," \
	"heap COPY $(load_ms "load heap") ms + ADD PRIMARY KEY $(load_ms "index heap") ms"
note "blocks prewarmed (ticks_heap and its primary key): $(tail -n 1 "$OUT/load.out")"
# The same rows on both sides.
check_sql() {
	echo "SELECT count(*), count(DISTINCT id), sum(id), sum(qty), sum((price * 100)::int8), count(DISTINCT symbol) FROM $1"
}
sums="$(for t in ticks ticks_heap; do psql_q -c "$(check_sql "$t")"; done | sort -u)"
[[ "$(wc -l <<<"$sums")" == 1 && "$sums" == "$ROWS|$ROWS|"* ]] ||
	die "ticks and ticks_heap do not hold the same $ROWS rows (count, distinct ids, sums): ${sums//$'\n'/ vs }"
note "the same rows in both (count|distinct id|sum(id)|sum(qty)|sum(price * 100)|symbols): $sums"

# Plans of the statements of measures 1 to 3, literal and generic.
heading "Plans"
declare -A PLAN
generic() {
	printf 'SET plan_cache_mode = force_generic_plan;\nPREPARE p(int8) AS %s\nEXPLAIN (COSTS OFF) EXECUTE p(%s);\n' "$1" "$2"
}
for s in frame heap; do
	t="${TBL[$s]}"
	u="${UPDATE_SQL//@T@/$t}"
	PLAN[update_$s]="$(psql_q -c "EXPLAIN (COSTS OFF) ${u//@K@/$((ROWS / 2))}")"
	PLAN[updgen_$s]="$(generic "${u//@K@/\$1}" $((ROWS / 2)) | psql_q)"
	PLAN[delete_$s]="$(psql_q -c "EXPLAIN (COSTS OFF) ${DELETE_SQL//@T@/$t}")"
	PLAN[upsert_$s]="$(psql_q -c "EXPLAIN (COSTS OFF) $(upsert_sql "$t" 0 $((ROWS + 1)))")"
	if [[ "$READS" == point ]]; then
		PLAN[read_$s]="$(generic "$(read_sql "$t" "\$1")" $((ROWS / 2)) | psql_q)"
	else
		PLAN[read_$s]="$(psql_q -c "EXPLAIN (COSTS OFF) $(read_sql "$t" "'42'")")"
	fi
	want_node "$s" UPDATE "${PLAN[update_$s]}" ShmcacheLookup
	want_node "$s" "UPDATE (generic plan)" "${PLAN[updgen_$s]}" ShmcacheLookup
	want_node "$s" DELETE "${PLAN[delete_$s]}" ShmcacheScan
	want_node "$s" upsert "${PLAN[upsert_$s]}" ShmcacheModify
	want_node "$s" "the readers' query" "${PLAN[read_$s]}" Shmcache
done
for q in upsert read update updgen delete; do
	for s in heap frame; do
		note "$(printf '%-7s %-6s %s' "$q" "$s" "$(plan_shape <<<"${PLAN[${q}_$s]}")")"
	done
done

# ---------------------------------------------------------------------------
# 4: aggregates on a frame without deletions vs one with 10% deleted.
# ---------------------------------------------------------------------------
LABELS=("count(*)" "sum(price) WHERE qty > 500" "GROUP BY symbol" "max(price) of one symbol")
QUERIES=(
	"SELECT count(*) FROM @T@"
	"SELECT sum(price) FROM @T@ WHERE qty > 500"
	"SELECT symbol, count(*), sum(price), avg(qty) FROM @T@ GROUP BY symbol"
	"SELECT max(price) FROM @T@ WHERE symbol = 'S42'"
)
heading "Aggregates: frames 'ticks_all' and 'ticks_del' (DELETE ... WHERE qty % 10 = 3 committed), ${#QUERIES[@]} queries x ($WARMUP warm-up + $REPS timed) x 2 frames"
psql_q -v csv="$CSV" >"$OUT/agg_load.out" <<SQL
SELECT shmcache.create_frame('ticks_all', '$COLUMNS_PK');
SELECT shmcache.create_frame('ticks_del', '$COLUMNS_PK');
SELECT shmcache.copy_from('ticks_all', :'csv', 'format csv');
SELECT shmcache.copy_from('ticks_del', :'csv', 'format csv');
DELETE FROM ticks_del WHERE qty % 10 = 3;
SQL
read -r del_rows del_dead < <(frame_stat ticks_del rows dead_rows)
IFS='|' read -r all_n del_n del_check < <(psql_q -c "SELECT (SELECT count(*) FROM ticks_all), (SELECT count(*) FROM ticks_del),
	(SELECT sum(qty) FROM ticks_all WHERE qty % 10 <> 3) = (SELECT sum(qty) FROM ticks_del)")
note "ticks_all: $all_n rows; ticks_del: $del_n rows (shmcache.frames: rows $del_rows, dead_rows $del_dead)"
[[ "$del_check" == t && "$all_n" == "$ROWS" && "$del_n" == "$del_rows" ]] ||
	echo "WARNING: ticks_del does not hold the rows of ticks_all with qty % 10 <> 3"
for i in "${!QUERIES[@]}"; do
	for s in all del; do
		plan="$(psql_q -c "EXPLAIN (COSTS OFF) ${QUERIES[i]//@T@/${TBL[$s]}}")"
		want_node "$s" "${LABELS[i]}" "$plan" Shmcache
	done
done
{
	for i in "${!QUERIES[@]}"; do
		for ((r = 1; r <= WARMUP + REPS; r++)); do
			for s in $(turn "$r" all del); do
				if ((r > WARMUP)); then
					printf '\\echo @@ agg%s %s %s\n' "$i" "$s" "$r"
				else
					printf '%s\n' '\echo @@ warmup'
				fi
				echo "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) ${QUERIES[i]//@T@/${TBL[$s]}};"
			done
		done
	done
} | psql_q | tee "$OUT/agg.out" | progress
timings "$OUT/agg.out" | awk '$1 != "warmup" { print $1, $2, $4 }' >>"$RESULTS"
psql_q -c "SELECT shmcache.drop_frame('ticks_all'), shmcache.drop_frame('ticks_del')" >/dev/null

# ---------------------------------------------------------------------------
# 5: vacuum of a frame with half of its rows deleted.
# ---------------------------------------------------------------------------
heading "Vacuum: $REPS x (load frame 'ticks_vac', DELETE ... WHERE id % 2 = 0, shmcache.vacuum)"
psql_q -c "SELECT shmcache.create_frame('ticks_vac', '$COLUMNS_PK')" >/dev/null
for ((r = 1; r <= REPS; r++)); do
	psql_q -v csv="$CSV" >/dev/null <<SQL
SELECT shmcache.truncate('ticks_vac');
SELECT shmcache.copy_from('ticks_vac', :'csv', 'format csv');
DELETE FROM ticks_vac WHERE id % 2 = 0;
SQL
	read -r vb_rows vb_dead vb_bytes < <(frame_stat ticks_vac rows dead_rows bytes)
	vb_idx="$(psql_q -c "SELECT sum(bytes) FROM shmcache.indexes WHERE frame = 'ticks_vac'::regclass")"
	psql_q >"$OUT/vacuum_$r.out" <<SQL
\\timing on
\\echo @@ vacuum frame
SELECT shmcache.vacuum('ticks_vac');
SQL
	removed="$(sed -n 2p "$OUT/vacuum_$r.out")"
	read -r va_rows va_dead va_bytes < <(frame_stat ticks_vac rows dead_rows bytes)
	va_idx="$(psql_q -c "SELECT sum(bytes) FROM shmcache.indexes WHERE frame = 'ticks_vac'::regclass")"
	record "vacuum_ms frame" "$(timings "$OUT/vacuum_$r.out" | awk '{ print $NF }')"
	record "vacuum_before frame" "$vb_bytes"
	record "vacuum_after frame" "$va_bytes"
	note "run $r: before rows $vb_rows dead $vb_dead bytes $vb_bytes (index $vb_idx);" \
		"vacuum removed $removed in $(timings "$OUT/vacuum_$r.out" | awk '{ print $NF }') ms;" \
		"after rows $va_rows dead $va_dead bytes $va_bytes (index $va_idx)"
done
psql_q -c "SELECT shmcache.drop_frame('ticks_vac')" >/dev/null
rm -f "$CSV"

# ---------------------------------------------------------------------------
# 3: DELETE of 10% of the rows, rolled back.
# ---------------------------------------------------------------------------
heading "DELETE of 10% (qty <= 100) between BEGIN and ROLLBACK: ($WARMUP warm-up + $REPS timed) x 2 sides"
{
	printf '%s\n' '\timing on'
	for ((r = 1; r <= WARMUP + REPS; r++)); do
		for s in $(turn "$r" frame heap); do
			echo "BEGIN;"
			if ((r > WARMUP)); then
				printf '\\echo @@ delete %s %s\n' "$s" "$r"
			else
				printf '%s\n' '\echo @@ warmup'
			fi
			echo "${DELETE_SQL//@T@/${TBL[$s]}}"
			echo "ROLLBACK;"
		done
	done
} | cluster_psql -At | tee "$OUT/delete.out" | progress
timings "$OUT/delete.out" | awk '$1 != "warmup" { print $1, $2, $4 }' >>"$RESULTS"
deleted="$(sed -n 's/^DELETE //p' "$OUT/delete.out" | sort -u)"
[[ "$(wc -l <<<"$deleted")" == 1 ]] || echo "WARNING: the DELETEs did not all delete as many rows: ${deleted//$'\n'/, }"
note "rows deleted per DELETE: ${deleted//$'\n'/, } of $ROWS; median ms: frame $(fig "delete frame") heap $(fig "delete heap")"

# ---------------------------------------------------------------------------
# 2: single-row UPDATE latency.
# ---------------------------------------------------------------------------
for s in frame heap; do
	t="${TBL[$s]}"
	u="${UPDATE_SQL//@T@/$t}"
	printf '\\set k random(1, %s)\n%s\n' "$ROWS" "${u//@K@/:k}" >"$OUT/update_$s.pgbench"
	printf '\\set r random(0, %s)\n%s\n\\set next :next + %s\n' $((ROWS - 1)) "$(upsert_sql "$t" :r :next)" \
		$((BATCH / 2)) >"$OUT/upsert_$s.pgbench"
	if [[ "$READS" == point ]]; then
		printf '\\set k random(1, %s)\n%s\n' "$ROWS" "$(read_sql "$t" :k)"
	else
		printf '\\set s random(0, 499)\n%s\n' "$(read_sql "$t" :s)"
	fi >"$OUT/read_$s.pgbench"
done
heading "Single-row UPDATE: $REPS x $DURATION s x 2 sides, pgbench -c 1 -M prepared"
for ((r = 1; r <= REPS; r++)); do
	for s in $(turn "$r" frame heap); do
		o="$OUT/update_${s}_$r.out"
		run_pgbench "$o" -n -M prepared -c 1 -j 1 -T "$DURATION" --random-seed=$((SEED + r)) \
			-f "$OUT/update_$s.pgbench"
		record "update_ms $s" "$(pgbench_latency_ms "$o")"
	done
	note "run $r: latency ms frame $(fig "update_ms frame") heap $(fig "update_ms heap") (medians so far)"
done

# ---------------------------------------------------------------------------
# 1: the upsert feeder with READERS readers.
# ---------------------------------------------------------------------------
read_jobs=$((READERS < NCPU ? READERS : NCPU))
heading "Upsert feeder ($BATCH-row batches, half new keys, -M simple) + $READERS readers ($READS, -M prepared): $REPS x $DURATION s x 2 sides"
for ((r = 1; r <= REPS; r++)); do
	for s in $(turn "$r" frame heap); do
		fo="$OUT/feed_${s}_$r.out"
		o="$OUT/read_${s}_$r.out"
		next="$(psql_q -c "SELECT coalesce(max(id), 0) + 1 FROM ${TBL[$s]}")"
		cluster_pgbench -n -M simple -c 1 -j 1 -T "$DURATION" --random-seed=$((SEED + r)) -D next="$next" \
			-f "$OUT/upsert_$s.pgbench" >"$fo" 2>&1 &
		feeder=$!
		run_pgbench "$o" -n -M prepared -c "$READERS" -j "$read_jobs" -T "$DURATION" \
			--random-seed=$((SEED + 100 + r)) -f "$OUT/read_$s.pgbench"
		wait "$feeder" || {
			tail -n 15 "$fo" >&2
			die "the feeder's pgbench failed (output in $fo)"
		}
		[[ -n "$(pgbench_tps "$fo")" ]] || die "no tps in the feeder's output ($fo)"
		record "feed_rows $s" "$(awk -v t="$(pgbench_tps "$fo")" -v b="$BATCH" 'BEGIN { printf "%.0f", t * b }')"
		record "read_qps $s" "$(pgbench_tps "$o")"
	done
	note "run $r: feeder rows/s frame $(int "$(fig "feed_rows frame")") heap $(int "$(fig "feed_rows heap")");" \
		"readers q/s frame $(int "$(fig "read_qps frame")") heap $(int "$(fig "read_qps heap")") (medians so far)"
done
IFS='|' read -r end_frame end_heap < <(psql_q -c "SELECT (SELECT count(*) FROM ticks), (SELECT count(*) FROM ticks_heap)")
read -r end_rows end_dead end_bytes < <(frame_stat ticks rows dead_rows bytes)
note "at the end: ticks $end_frame rows (shmcache.frames: rows $end_rows, dead_rows $end_dead, bytes $end_bytes), ticks_heap $end_heap rows" \
	"(pg_total_relation_size $(psql_q -c "SELECT pg_total_relation_size('ticks_heap')"))"

# ---------------------------------------------------------------------------
# 6: a table's writers, with and without a frame following the table.
# ---------------------------------------------------------------------------
heading "Follow: $FOLLOW_CLIENTS clients updating random accounts of $FOLLOW_ROWS, $REPS x $DURATION s x (plain, followed)"
psql_q <<SQL >/dev/null
CREATE TABLE acc_plain (id int8 PRIMARY KEY, balance int8 NOT NULL);
CREATE TABLE acc_followed (id int8 PRIMARY KEY, balance int8 NOT NULL);
INSERT INTO acc_plain SELECT g, 1000 FROM generate_series(1, $FOLLOW_ROWS) g;
INSERT INTO acc_followed SELECT g, 1000 FROM generate_series(1, $FOLLOW_ROWS) g;
VACUUM ANALYZE acc_plain, acc_followed;
SELECT shmcache.cache_table('acc_followed', 'acc_frame', follow => true);
SQL
for s in plain followed; do
	printf '\\set id random(1, %s)\n\\set d random(-5, 5)\nUPDATE acc_%s SET balance = balance + :d WHERE id = :id;\n' \
		"$FOLLOW_ROWS" "$s" >"$OUT/follow_$s.pgbench"
done
for ((r = 1; r <= REPS; r++)); do
	for s in $(turn "$r" plain followed); do
		o="$OUT/follow_${s}_$r.out"
		run_pgbench "$o" -n -M prepared -c "$FOLLOW_CLIENTS" -j "$read_jobs" -T "$DURATION" \
			--random-seed=$((SEED + 200 + r)) -f "$OUT/follow_$s.pgbench"
		record "follow_tps $s" "$(pgbench_tps "$o")"
	done
	note "run $r: tps plain $(int "$(fig "follow_tps plain")") followed $(int "$(fig "follow_tps followed")") (medians so far)"
done
follow_diff="$(psql_q -c "SELECT count(*) FROM ((SELECT * FROM acc_followed EXCEPT ALL SELECT * FROM acc_frame) UNION ALL (SELECT * FROM acc_frame EXCEPT ALL SELECT * FROM acc_followed)) d")"
note "after the runs, frame and followed table differ in $follow_diff rows"

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
settings="$(psql_q <<'SQL'
SELECT string_agg(n || '=' || current_setting(n), ' ' ORDER BY n)
  FROM unnest(ARRAY['server_version', 'shmcache.size', 'shared_buffers', 'work_mem',
                    'max_parallel_workers_per_gather', 'jit', 'huge_pages', 'synchronous_commit',
                    'fsync', 'wal_level', 'max_wal_size', 'autovacuum', 'max_connections']) AS n;
SQL
)"
cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
mem_total_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
if [[ "$READS" == point ]]; then
	reads_what="SELECT * FROM t WHERE id = :k (random existing k)"
else
	reads_what="SELECT sum(price) FROM t WHERE symbol = 'S' || :s (random s of 0..499)"
fi

echo
echo "shmcache modify benchmark"
echo "========================="
printf '%-10s %s\n' \
	"rows" "$ROWS (bench/ticks.sh's data set: id 1..$ROWS, symbol 'S' || id % 500, qty id % 1000 + 1)" \
	"frame" "ticks: id int8 PRIMARY KEY in create_frame, shmcache.copy_from" \
	"heap" "ticks_heap: $HEAP_KIND table, COPY, PRIMARY KEY (id), VACUUM ANALYZE, pg_prewarm" \
	"settings" "$settings" \
	"machine" "$NCPU cores (${cpu:-unknown}), $((mem_total_kb / 1024 / 1024)) GB RAM" \
	"method" "1: feeder pgbench -c 1 -M simple -T $DURATION, $BATCH-row INSERT ... ON CONFLICT (id) DO UPDATE," \
	"" "   $((BATCH / 2)) existing + $((BATCH / 2)) new keys a batch; readers pgbench -c $READERS -j $read_jobs -M prepared:" \
	"" "   $reads_what; medians of $REPS runs" \
	"" "2: pgbench -c 1 -M prepared -T $DURATION, latency average, median of $REPS runs" \
	"" "3: psql \\timing of the DELETE inside BEGIN ... ROLLBACK, median of $REPS (after $WARMUP warm-up)" \
	"" "4: EXPLAIN (ANALYZE, TIMING OFF) Execution Time, median of $REPS (after $WARMUP warm-up)," \
	"" "   frames ticks_all (no deletions) and ticks_del (qty % 10 = 3 deleted, committed: $del_dead rows)" \
	"" "5: shmcache.frames bytes and psql \\timing of shmcache.vacuum(), median of $REPS fresh loads"

# row LABEL FRAME HEAP KIND TARGET: KIND "time" (ratio heap/frame), "rate"
# (frame/heap, figures as integers), "rel" (frame/heap, "heap" being the base).
ROW_FORMAT='%-58s %12s %12s %7s  %s\n'
row() {
	local f="$2" h="$3" g
	case "$4" in
	time) g="$(ratio "$h" "$f")" ;;
	rate) g="$(ratio "$f" "$h")" f="$(int "$f")" h="$(int "$h")" ;;
	*) g="$(ratio "$f" "$h")" ;;
	esac
	# shellcheck disable=SC2059
	printf "$ROW_FORMAT" "$1" "$f" "$h" "$g" "$5"
}

echo
echo "heap|base: ticks_heap in 1-3; in 4 the frame without deletions (the frame column: with 10% deleted);"
echo "in 5 the bytes before vacuum (the frame column: after).  ratio: as the target says."
echo
# shellcheck disable=SC2059
printf "$ROW_FORMAT" measure frame "heap|base" ratio target
# shellcheck disable=SC2059
printf "$ROW_FORMAT" ------- ----- --------- ----- ------
row "1. upsert feeder + $READERS readers, rows/s" \
	"$(fig "feed_rows frame")" "$(fig "feed_rows heap")" rate "frame/heap >= 2 and frame >= 50,000 rows/s"
row "1. the readers meanwhile ($READS), queries/s" \
	"$(fig "read_qps frame")" "$(fig "read_qps heap")" rate ""
row "2. UPDATE ... WHERE id = :k, latency ms" \
	"$(fig "update_ms frame")" "$(fig "update_ms heap")" time "heap/frame >= 1"
row "3. DELETE 10% (qty <= 100), ms" \
	"$(fig "delete frame")" "$(fig "delete heap")" time "heap/frame >= 3"
for i in "${!QUERIES[@]}"; do
	row "4. ${LABELS[i]}, 10% deleted vs none, ms" \
		"$(fig "agg$i del")" "$(fig "agg$i all")" rel "deleted/none <= 1.3"
done
row "5. vacuum of 50% deleted: shmcache.frames bytes" \
	"$(int "$(fig "vacuum_after frame")")" "$(int "$(fig "vacuum_before frame")")" rel "after/before <= 0.55"
row "5. shmcache.vacuum() time, ms" "$(fig "vacuum_ms frame")" "-" rel ""
row "6. $FOLLOW_CLIENTS clients updating a table, followed vs not, tps" \
	"$(fig "follow_tps followed")" "$(fig "follow_tps plain")" rate "followed/plain >= 0.70"

echo
echo "queries of 4 (t = ticks_all / ticks_del):"
for i in "${!QUERIES[@]}"; do
	printf '  %-28s %s\n' "${LABELS[i]}" "${QUERIES[i]//@T@/t}"
done
