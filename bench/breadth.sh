#!/usr/bin/env bash
#
# bench/breadth.sh
#	Analytics breadth (issue 15): ClickBench's 43 queries on a ClickBench-
#	schema "hits" table and TPC-H Q1 and Q6 on a TPC-H-like "lineitem", on a
#	frame, on a prewarmed heap table and on DuckDB in memory, side by side
#	in one run on a throw-away server.  Run by hand; never part of the tests.
#
#	SKIP_BUILD=1 bench/breadth.sh
#
#	The data: bench/breadth_gen.sql writes ROWS rows of hits and ~6,000,000
#	x SF rows of lineitem as CSV, deterministically (hash-based functions of
#	the row number: the same bytes in every run; see its header for the
#	distributions: skewed users, 85% empty search phrases with a long tail,
#	4000 skewed regions, mostly-zero ids, CounterID 62 on ~10% of the hits,
#	July 2013).  The same two files are loaded into
#	  database "frame": frames "hits" and "lineitem" (create_frame with the
#	                    columns of workloads/*_ddl, NOT NULL kept; copy_from)
#	  database "heap":  UNLOGGED tables "hits" and "lineitem" (the DDL; COPY;
#	                    VACUUM ANALYZE; pg_prewarm)
#	  DuckDB 1.x:       in-memory tables of the same DDL (COPY from the CSV),
#	                    bench/breadth_duckdb.mjs through @duckdb/node-api
#	so the query texts of workloads/ run unchanged on every side.
#
#	The measures, per query (43 ClickBench + TPC-H Q1, Q6):
#	  one thread:  frame and heap with max_parallel_workers_per_gather = 0,
#	               DuckDB with threads = 1
#	  two threads: frame and heap with max_parallel_workers_per_gather = 2,
#	               DuckDB with threads = 2 (PARALLEL2=1)
#	  the hot time of each, geometric means over the queries, frame/heap and
#	  frame/duckdb time ratios, the queries missing the issue's targets, the
#	  shmcache node of each frame plan (EXPLAIN (COSTS OFF)), and the frame's
#	  bytes (shmcache.frames) vs pg_total_relation_size of the heap table.
#	ClickBench's method: each query RUNS times in a row (on PostgreSQL in one
#	new psql session per query and side, so run 1 also pays the session's
#	first touch of the pages), the time of a run is the client's wall time
#	(psql's \timing; DuckDB: runAndReadAll, rows read), hot = the best of
#	runs 2..RUNS.  A run over TIMEOUT seconds is cancelled
#	(statement_timeout; DuckDB: interrupt) and shows as "t/o"; the geometric
#	means count it as TIMEOUT (a lower bound, marked ">").
#	Results: the rows of run 1 of the frame and of the heap table are compared
#	(sorted, decimals to 6 significant digits); differences are printed as a
#	WARNING, those of queries with LIMIT separately (ties may be cut
#	differently).  DuckDB's rows are compared with the heap's for information.
#
#	Environment (defaults in brackets):
#	  ROWS=5000000     hits rows
#	  SF=1             lineitem scale: 1,500,000 x SF orders, ~6,000,000 x SF rows
#	  RUNS=3           runs per query and side (hot = best of 2..RUNS)
#	  TIMEOUT=120      seconds a run may take (statement_timeout)
#	  QUERIES=         a subset, e.g. "1,5,29,t1" (1..43 ClickBench, t1/t6 TPC-H)
#	  SKIP_DUCKDB=0    1: no DuckDB side (its columns show "-")
#	  PARALLEL2=1      0: no two-thread pass
#	  SHMCACHE_SIZE=5GB  SHARED_BUFFERS=6GB  WORK_MEM=256MB  JIT=on
#	  HUGE_PAGES=try   as in bench/ticks.sh
#	  SKIP_BUILD=0     1: do not check packages, build and install first
#	DuckDB comes from the npm registry: bench/duckdb/package-lock.json pins
#	@duckdb/node-api, installed into bench/duckdb/node_modules ("npm ci")
#	unless present (and not with SKIP_DUCKDB=1).
#
#	At the defaults the CSV files take ~3.5 GB under ${TMPDIR:-/tmp} (removed
#	at exit), the frames ~3.3 GB of SHMCACHE_SIZE, the heap tables ~4.5 GB of
#	SHARED_BUFFERS, DuckDB a few GB while it runs; the heap side takes most
#	of the time (up to an hour or more on 2 cores).  Nothing is asserted
#	about the figures.

set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

ROWS="${ROWS:-5000000}"
SF="${SF:-1}"
RUNS="${RUNS:-3}"
TIMEOUT="${TIMEOUT:-120}"
QUERIES="${QUERIES:-}"
SKIP_DUCKDB="${SKIP_DUCKDB:-0}"
PARALLEL2="${PARALLEL2:-1}"
SHMCACHE_SIZE="${SHMCACHE_SIZE:-5GB}"
SHARED_BUFFERS="${SHARED_BUFFERS:-6GB}"
WORK_MEM="${WORK_MEM:-256MB}"
JIT="${JIT:-on}"
HUGE_PAGES="${HUGE_PAGES:-try}"
SKIP_BUILD="${SKIP_BUILD:-0}"

for v in ROWS RUNS TIMEOUT SKIP_DUCKDB PARALLEL2 SKIP_BUILD; do
	[[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, not '${!v}'"
done
((ROWS >= 1000)) || die "ROWS must be at least 1000"
((RUNS >= 1 && TIMEOUT >= 1)) || die "RUNS and TIMEOUT must be at least 1"
[[ "$SF" =~ ^[0-9]*\.?[0-9]+$ ]] || die "SF is a positive number (1, 0.1, ...), not '$SF'"
ORDERS="$(awk -v sf="$SF" 'BEGIN { printf "%d", 1500000 * sf + 0.5 }')"
((ORDERS >= 1)) || die "SF=$SF gives no orders"
[[ "$SHMCACHE_SIZE$SHARED_BUFFERS$WORK_MEM" =~ ^[0-9A-Za-z]+$ ]] ||
	die "SHMCACHE_SIZE, SHARED_BUFFERS and WORK_MEM look like 4GB, 512MB, ..."
[[ "$JIT" == on || "$JIT" == off ]] || die "JIT must be on or off"
[[ "$HUGE_PAGES" =~ ^(on|off|try)$ ]] || die "HUGE_PAGES must be on, off or try"

BENCH="$REPO_ROOT/bench"
WL="$BENCH/workloads"
NCPU="$(nproc)"

# ---------------------------------------------------------------------------
# The queries: ids 1..43 (ClickBench, one a line) and t1, t6 (TPC-H, the
# file's statement on one line, comments dropped).
# ---------------------------------------------------------------------------
declare -A QSQL
ALL_IDS=()
n=0
while IFS= read -r line; do
	[[ -n "${line// /}" ]] || continue
	n=$((n + 1))
	QSQL[$n]="$line"
	ALL_IDS+=("$n")
done <"$WL/clickbench_queries.sql"
((n == 43)) || die "$WL/clickbench_queries.sql has $n queries, not 43"
for t in 1 6; do
	QSQL[t$t]="$(grep -v '^[[:space:]]*--' "$WL/tpch_q${t}_pg.sql" | tr '\n\t' '  ' |
		sed 's/  */ /g; s/^ //; s/ *$//')"
	ALL_IDS+=("t$t")
done
if [[ -n "$QUERIES" ]]; then
	IDS=()
	for q in ${QUERIES//,/ }; do
		q="${q#[Qq]}"
		[[ -n "${QSQL[$q]:-}" ]] || die "QUERIES: no query '$q' (1..43, t1, t6)"
		IDS+=("$q")
	done
else
	IDS=("${ALL_IDS[@]}")
fi

# qname ID: "Q5" or "TPC-H Q1".
qname() {
	if [[ "$1" == t* ]]; then echo "TPC-H Q${1#t}"; else echo "Q$1"; fi
}

# ddl_columns FILE: the column list of a CREATE TABLE file (what is between
# its first "(" and its final ");"), on one line.
ddl_columns() {
	sed -n '/(/,$p' "$1" | sed '1s/^[^(]*(//' | tr '\n\t' '  ' |
		sed 's/)[[:space:]]*;[[:space:]]*$//; s/  */ /g'
}

# ---------------------------------------------------------------------------
# Set-up: build, DuckDB's npm package, the server.
# ---------------------------------------------------------------------------
bench_prepare shmcache-breadth
cd "$WORKTREE"

DUCKDB_DIR="$BENCH/duckdb"
if [[ "$SKIP_DUCKDB" != 1 ]]; then
	want="$(node -p 'require(process.argv[1]).packages["node_modules/@duckdb/node-api"].version' \
		"$DUCKDB_DIR/package-lock.json")"
	have="$(cd "$DUCKDB_DIR" && node -p 'require("@duckdb/node-api/package.json").version' 2>/dev/null)" || have=""
	if [[ "$have" == "$want" ]]; then
		heading "npm packages of bench/duckdb: @duckdb/node-api $have present"
	else
		# Not ensure_npm_dir's check: the lock file lists the bindings of every
		# platform, and only this one's is installed.
		heading "Installing the npm packages of bench/duckdb (npm ci): @duckdb/node-api $want"
		(cd "$DUCKDB_DIR" && npm ci --no-audit --no-fund)
	fi
fi

cluster_start shmcache-breadth \
	"shared_preload_libraries = 'shmcache'" \
	"shmcache.size = '$SHMCACHE_SIZE'" \
	"shared_buffers = '$SHARED_BUFFERS'" \
	"work_mem = '$WORK_MEM'" \
	"max_parallel_workers_per_gather = 0" \
	"jit = $JIT" \
	"huge_pages = $HUGE_PAGES" \
	"timezone = 'UTC'"

OUT="$CLUSTER_DIR/bench"
RES="$OUT/res"
TIMES="$OUT/times.txt"
mkdir -p "$OUT" "$RES"
: >"$TIMES"
HITS_CSV="$CLUSTER_DIR/hits.csv"
LINEITEM_CSV="$CLUSTER_DIR/lineitem.csv"

# db_psql DB ARGS...: psql on database DB of the cluster, quiet, unaligned.
db_psql() {
	local db="$1"
	shift
	as_user "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -P pager=off \
		-h "$CLUSTER_DIR" -p "$CLUSTER_PORT" -d "$db" "$@"
}

heading "Generating $ROWS rows of hits and the lineitem of $ORDERS orders (SF $SF) as CSV"
db_psql postgres -v rows="$ROWS" -v orders="$ORDERS" -v hits_csv="$HITS_CSV" \
	-v lineitem_csv="$LINEITEM_CSV" -c '\timing on' -f - <"$BENCH/breadth_gen.sql" >"$OUT/gen.out" ||
	die "the CSV files could not be written (psql's error above)"
timings "$OUT/gen.out" | while read -r k ms; do
	note "$k: $(awk -v ms="$ms" 'BEGIN { printf "%.1f s", ms / 1000 }')"
done
note "hits.csv $(du -h "$HITS_CSV" | cut -f1), lineitem.csv $(du -h "$LINEITEM_CSV" | cut -f1)"

heading "Loading: database 'frame' (frames, copy_from) and database 'heap' (UNLOGGED tables, COPY, VACUUM ANALYZE, pg_prewarm)"
db_psql postgres -c 'CREATE DATABASE frame' -c 'CREATE DATABASE heap'
HITS_COLS="$(ddl_columns "$WL/clickbench_create.sql")"
LINEITEM_COLS="$(ddl_columns "$WL/tpch_lineitem_ddl.sql")"
{
	echo 'CREATE EXTENSION shmcache;'
	echo "SELECT shmcache.create_frame('hits', \$cols\$$HITS_COLS\$cols\$);"
	echo "SELECT shmcache.create_frame('lineitem', \$cols\$$LINEITEM_COLS\$cols\$);"
	printf '%s\n' '\timing on'
	printf '%s\n' '\echo @@ frame hits'
	echo "SELECT shmcache.copy_from('hits', :'hits', 'format csv');"
	printf '%s\n' '\echo @@ frame lineitem'
	echo "SELECT shmcache.copy_from('lineitem', :'lineitem', 'format csv');"
} | db_psql frame -v hits="$HITS_CSV" -v lineitem="$LINEITEM_CSV" >"$OUT/load_frame.out" ||
	die "loading the frames failed (psql's error above)"
{
	echo 'CREATE EXTENSION pg_prewarm;'
	sed 's/CREATE TABLE/CREATE UNLOGGED TABLE/I' "$WL/clickbench_create.sql"
	sed 's/CREATE TABLE/CREATE UNLOGGED TABLE/I' "$WL/tpch_lineitem_ddl.sql"
	printf '%s\n' '\timing on'
	printf '%s\n' '\echo @@ heap hits'
	echo "COPY hits FROM :'hits' (FORMAT csv);"
	printf '%s\n' '\echo @@ heap lineitem'
	echo "COPY lineitem FROM :'lineitem' (FORMAT csv);"
	printf '%s\n' '\echo @@ vacuum'
	echo 'VACUUM ANALYZE hits, lineitem;'
	printf '%s\n' '\echo @@ prewarm'
	echo "SELECT pg_prewarm('hits') + pg_prewarm('lineitem');"
} | db_psql heap -v hits="$HITS_CSV" -v lineitem="$LINEITEM_CSV" >"$OUT/load_heap.out" ||
	die "loading the heap tables failed (psql's error above)"
timings "$OUT/load_frame.out" >"$OUT/load.times"
timings "$OUT/load_heap.out" >>"$OUT/load.times"
awk '{ ms = $NF; $NF = ""; sub(/ $/, ""); printf "    %s: %.1f s\n", $0, ms / 1000 }' "$OUT/load.times"

IFS='|' read -r f_hits f_li f_hits_bytes f_li_bytes < <(db_psql frame -c \
	"SELECT (SELECT count(*) FROM hits), (SELECT count(*) FROM lineitem),
	        (SELECT bytes FROM shmcache.frames WHERE frame = 'hits'::regclass),
	        (SELECT bytes FROM shmcache.frames WHERE frame = 'lineitem'::regclass)")
IFS='|' read -r h_hits h_li h_hits_bytes h_li_bytes < <(db_psql heap -c \
	"SELECT (SELECT count(*) FROM hits), (SELECT count(*) FROM lineitem),
	        pg_total_relation_size('hits'), pg_total_relation_size('lineitem')")
note "rows: frame hits $f_hits, lineitem $f_li; heap hits $h_hits, lineitem $h_li"
[[ "$f_hits" == "$ROWS" && "$h_hits" == "$ROWS" && "$f_li" == "$h_li" ]] ||
	die "the frames and the heap tables do not hold the same rows"
note "bytes: frame hits $f_hits_bytes, lineitem $f_li_bytes; heap hits $h_hits_bytes, lineitem $h_li_bytes"

# ---------------------------------------------------------------------------
# DuckDB: its own process, loading the same CSV files.
# ---------------------------------------------------------------------------
QFILE="$OUT/queries.tsv"
for q in "${IDS[@]}"; do
	printf '%s\t%s\n' "$q" "${QSQL[$q]}"
done >"$QFILE"
DUCK_THREADS=1
[[ "$PARALLEL2" == 1 ]] && DUCK_THREADS=1,2
DUCKDB_VERSION="-"
if [[ "$SKIP_DUCKDB" != 1 ]]; then
	heading "DuckDB in memory: load, then ${#IDS[@]} queries x $RUNS runs with threads = $DUCK_THREADS"
	node "$BENCH/breadth_duckdb.mjs" "$QFILE" "$RES" "$DUCK_THREADS" "$RUNS" "$TIMEOUT" \
		"$WL/clickbench_create.sql" "$HITS_CSV" "$WL/tpch_lineitem_ddl.sql" "$LINEITEM_CSV" \
		>"$OUT/duckdb.out" 2>"$OUT/duckdb.err" || {
		tail -n 20 "$OUT/duckdb.err" >&2
		die "bench/breadth_duckdb.mjs failed"
	}
	DUCKDB_VERSION="$(awk '$1 == "version" { print $2 }' "$OUT/duckdb.out")"
	awk '$1 == "load" { printf "    load %s: %.1f s, %s rows\n", $2, $3 / 1000, $4 }' "$OUT/duckdb.out"
	awk '$1 == "time" { t = ($2 == 1 ? 1 : 2); print "duckdb", t, $3, $4, $5 }' "$OUT/duckdb.out" >>"$TIMES"
	awk '$1 == "load" && $2 == "hits" && $4 != '"$ROWS"' { exit 1 }' "$OUT/duckdb.out" ||
		die "DuckDB did not load $ROWS rows of hits"
fi
rm -f "$HITS_CSV" "$LINEITEM_CSV"

# ---------------------------------------------------------------------------
# PostgreSQL: per pass, per query: the frame's plan, then RUNS runs on the
# frame and on the heap table, each side in a new session.
# ---------------------------------------------------------------------------
# run_side DB PASS WORKERS ID: RUNS runs of query ID in one session on DB;
# appends "DB PASS ID RUN ms|timeout|error" to TIMES and writes the rows of
# run 1 to RES/DB_PASS_ID.txt.  psql stops at the first error, so a timeout
# ends the query's runs.
run_side() {
	local db="$1" pass="$2" workers="$3" q="$4" r log="$OUT/${1}_${2}_${4}.log"
	{
		echo "SET statement_timeout = '${TIMEOUT}s';"
		echo "SET max_parallel_workers_per_gather = $workers;"
		printf '%s\n' '\timing on'
		for ((r = 1; r <= RUNS; r++)); do
			((r == 2)) && echo '\o /dev/null'
			printf '\\echo @@ %s\n' "$r"
			echo "${QSQL[$q]}"
		done
	} | db_psql "$db" -v ON_ERROR_STOP=1 >"$log" 2>&1 || true
	awk -v db="$db" -v pass="$pass" -v q="$q" -v res="$RES/${db}_${pass}_${q}.txt" '
		/^@@ [0-9]+$/ { run = $2; err = ""; next }
		run == "" { next }
		/ERROR: / { err = /statement timeout/ ? "timeout" : "error"; next }
		/^Time: [0-9.]+ ms/ {
			print db, pass, q, run, (err != "" ? err : $2); run = ""; next
		}
		run == 1 && err == "" { print > res }
		END { if (run != "") print db, pass, q, run, (err != "" ? err : "error") }' "$log" >>"$TIMES"
	touch "$RES/${db}_${pass}_${q}.txt"
}

# plan_nodes: the shmcache nodes of EXPLAIN (COSTS OFF) output on stdin and
# the node above each: "ShmcacheAggregate", "ShmcacheScan<HashAggregate",
# "Parallel ShmcacheScan<Partial HashAggregate"; "-" if none.
plan_nodes() {
	awk '
		NR == 1 || /->/ {
			s = $0; ind = match(s, /[^ ]/); sub(/^ *(-> *)?/, "", s); sub(/  .*/, "", s)
			sub(/ on .*/, "", s); sub(/Custom Scan \(/, "", s); sub(/\)$/, "", s)
			n++; name[n] = s; depth[n] = ind
			if (s ~ /Shmcache/) {
				p = ""
				for (k = n - 1; k >= 1; k--) if (depth[k] < ind) { p = name[k]; break }
				out = out (out == "" ? "" : ",") s (p == "" ? "" : "<" p)
			}
		}
		END { print (out == "" ? "-" : out) }'
}

PASSES=(1)
[[ "$PARALLEL2" == 1 ]] && PASSES+=(2)
for pass in "${PASSES[@]}"; do
	workers=$(((pass - 1) * 2))
	heading "PostgreSQL, max_parallel_workers_per_gather = $workers: ${#IDS[@]} queries x $RUNS runs on the frame and the heap table (timeout ${TIMEOUT} s)"
	for q in "${IDS[@]}"; do
		db_psql frame -c "SET max_parallel_workers_per_gather = $workers" \
			-c "EXPLAIN (COSTS OFF) ${QSQL[$q]}" >"$OUT/plan_${pass}_$q.txt" 2>&1 || true
		echo "plan $pass $q $(plan_nodes <"$OUT/plan_${pass}_$q.txt")" >>"$OUT/plans.txt"
		run_side frame "$pass" "$workers" "$q"
		run_side heap "$pass" "$workers" "$q"
		printf '    %-9s frame %s, heap %s\n' "$(qname "$q")" \
			"$(awk -v p="$pass" -v q="$q" '$1 == "frame" && $2 == p && $3 == q { printf "%s ", $5 }' "$TIMES")" \
			"$(awk -v p="$pass" -v q="$q" '$1 == "heap" && $2 == p && $3 == q { printf "%s ", $5 }' "$TIMES")"
	done
done

# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------
# hot SIDE PASS ID: the best of runs 2..RUNS (run 1 if RUNS = 1) in ms;
# "t/o" if a run timed out, "err" if one failed, "-" if not run.
hot() {
	awk -v s="$1" -v p="$2" -v q="$3" -v runs="$RUNS" '
		$1 == s && $2 == p && $3 == q {
			n++
			if ($5 == "timeout") bad = "t/o"
			else if ($5 !~ /^[0-9.]+$/) { if (bad == "") bad = "err" }
			else if (runs == 1 || $4 >= 2) { if (best == "" || $5 + 0 < best + 0) best = $5 }
		}
		END {
			if (bad != "") print bad
			else if (n < runs || best == "") print (n == 0 ? "-" : "err")
			else printf "%.3f\n", best
		}' "$TIMES"
}

# ms V: V for a table: 3 significant digits at most 1 decimal below 100.
ms() {
	awk -v v="$1" 'BEGIN {
		if (v !~ /^[0-9.]+$/) { print v; exit }
		if (v >= 100) printf "%.0f\n", v; else if (v >= 10) printf "%.1f\n", v
		else if (v >= 1) printf "%.2f\n", v; else printf "%.3f\n", v }'
}

# tratio A B: A / B of two hot times ("t/o" counted as TIMEOUT: the ratio is
# then a bound, marked with < or >); "-" when either is missing.
tratio() {
	awk -v a="$1" -v b="$2" -v to="$((TIMEOUT * 1000))" 'BEGIN {
		pa = pb = ""
		if (a == "t/o") { a = to; pa = ">" }
		if (b == "t/o") { b = to; pb = "<" }
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) { print "-"; exit }
		if (pa != "" && pb != "") { print "?"; exit }
		r = a / b
		printf "%s", pa pb
		if (r >= 10) printf "%.1f\n", r; else if (r >= 0.1) printf "%.2f\n", r; else printf "%.2g\n", r
	}'
}

# Hot times per query, side and pass: FIG["side pass id"].
declare -A FIG
for pass in "${PASSES[@]}"; do
	for q in "${IDS[@]}"; do
		for s in frame heap duckdb; do
			FIG["$s $pass $q"]="$(hot "$s" "$pass" "$q")"
		done
	done
done

# geomean SIDE PASS [OTHER]: the geometric mean of SIDE's hot times over the
# queries (over those where OTHER has a time too, if given), "t/o" as
# TIMEOUT (then prefixed ">"); "-" if none.  Also sets GM_N (queries counted).
geomean() {
	local q v o list=""
	for q in "${IDS[@]}"; do
		v="${FIG["$1 $2 $q"]}"
		if [[ -n "${3:-}" ]]; then
			o="${FIG["$3 $2 $q"]}"
			[[ "$o" =~ ^[0-9.]+$ || "$o" == t/o ]] || continue
		fi
		[[ "$v" =~ ^[0-9.]+$ || "$v" == t/o ]] || continue
		list+="$v "
	done
	awk -v l="$list" -v to="$((TIMEOUT * 1000))" 'BEGIN {
		n = split(l, v, " "); lt = ""
		for (k = 1; k <= n; k++) { if (v[k] == "t/o") { v[k] = to; lt = ">" } s += log(v[k]) }
		if (n == 0) print "- 0"; else printf "%s%.3f %d\n", lt, exp(s / n), n }'
}

# norm FILE: the rows of FILE sorted, decimals rounded to 6 significant digits.
norm() {
	awk -F'|' 'BEGIN { OFS = "|" }
		{ for (k = 1; k <= NF; k++) if ($k ~ /^-?[0-9]*\.[0-9]+([eE][-+]?[0-9]+)?$/ || $k ~ /^-?[0-9]+[eE][-+]?[0-9]+$/) $k = sprintf("%.6g", $k); print }' "$1" | LC_ALL=C sort
}

settings="$(db_psql postgres <<'SQL'
SELECT string_agg(n || '=' || current_setting(n), ' ' ORDER BY n)
  FROM unnest(ARRAY['server_version', 'shmcache.size', 'shared_buffers', 'work_mem',
                    'jit', 'huge_pages', 'max_worker_processes', 'max_parallel_workers']) AS n;
SQL
)"
cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
mem_total_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"

echo
echo "shmcache analytics breadth benchmark (issue 15)"
echo "==============================================="
printf '%-10s %s\n' \
	"data" "hits: $ROWS rows (bench/breadth_gen.sql); lineitem: $f_li rows (SF $SF, $ORDERS orders)" \
	"frame" "database 'frame': frames hits, lineitem (create_frame with the DDL's columns, copy_from)" \
	"heap" "database 'heap': UNLOGGED tables hits, lineitem (COPY, VACUUM ANALYZE, pg_prewarm)" \
	"duckdb" "DuckDB $DUCKDB_VERSION in memory (@duckdb/node-api), the same DDL and CSV files" \
	"settings" "$settings" \
	"machine" "$NCPU cores (${cpu:-unknown}), $((mem_total_kb / 1024 / 1024)) GB RAM" \
	"method" "each query $RUNS times in a row (PostgreSQL: one new psql session per query and side);" \
	"" "client wall time (psql \\timing, DuckDB runAndReadAll); hot = best of runs 2..$RUNS; timeout $TIMEOUT s"
if [[ "$SKIP_DUCKDB" != 1 ]] && grep -q '^spelling ' "$OUT/duckdb.out"; then
	echo "DuckDB spelling changes:"
	sed -n 's/^spelling /  /p' "$OUT/duckdb.out"
else
	[[ "$SKIP_DUCKDB" == 1 ]] || echo "DuckDB ran every query text unchanged."
fi

ROW_FORMAT='%-10s %10s %10s %10s %10s %10s  %s\n'
declare -A GEO
for pass in "${PASSES[@]}"; do
	if [[ "$pass" == 1 ]]; then
		what="one thread: max_parallel_workers_per_gather = 0, DuckDB threads = 1"
		dcol=duckdb-1t
	else
		what="two threads: max_parallel_workers_per_gather = 2, DuckDB threads = 2"
		dcol=duckdb-2t
	fi
	echo
	echo "Hot times in ms, $what;"
	echo "f/heap, f/duck: frame time / other time (below 1: the frame is faster)"
	echo
	# shellcheck disable=SC2059
	printf "$ROW_FORMAT" query frame heap "$dcol" f/heap f/duck "frame plan: shmcache node<node above it"
	# shellcheck disable=SC2059
	printf "$ROW_FORMAT" ----- ----- ---- "${dcol//?/-}" ------ ------ ---------------------------------------
	for q in "${IDS[@]}"; do
		f="${FIG["frame $pass $q"]}" h="${FIG["heap $pass $q"]}" d="${FIG["duckdb $pass $q"]}"
		# shellcheck disable=SC2059
		printf "$ROW_FORMAT" "$(qname "$q")" "$(ms "$f")" "$(ms "$h")" "$(ms "$d")" \
			"$(tratio "$f" "$h")" "$(tratio "$f" "$d")" \
			"$(awk -v p="$pass" -v q="$q" '$1 == "plan" && $2 == p && $3 == q { $1 = $2 = $3 = ""; sub(/^ +/, ""); print }' "$OUT/plans.txt")"
	done
	read -r gf nf < <(geomean frame "$pass")
	read -r gh nh < <(geomean heap "$pass")
	read -r gd nd < <(geomean duckdb "$pass")
	read -r gfh _ < <(geomean frame "$pass" heap)
	read -r ghf _ < <(geomean heap "$pass" frame)
	read -r gfd _ < <(geomean frame "$pass" duckdb)
	read -r gdf _ < <(geomean duckdb "$pass" frame)
	# shellcheck disable=SC2059
	printf "$ROW_FORMAT" "geomean" "$(ms "$gf")" "$(ms "$gh")" "$(ms "$gd")" \
		"$(tratio "${gfh#>}" "${ghf#>}")" "$(tratio "${gfd#>}" "${gdf#>}")" \
		"over $nf / $nh / $nd queries; ratios over the queries both sides have"
	GEO["$pass fd"]="$(tratio "${gfd#>}" "${gdf#>}")"
	GEO["$pass fh"]="$(tratio "${gfh#>}" "${ghf#>}")"
done

# ---------------------------------------------------------------------------
# The issue's targets
# ---------------------------------------------------------------------------
# over LIMIT A B: "1" if the time ratio A / B is above LIMIT (a timeout of A
# counts as above, one of B as TIMEOUT); "" if it is not or cannot be told.
over() {
	awk -v lim="$1" -v a="$2" -v b="$3" -v to="$((TIMEOUT * 1000))" 'BEGIN {
		if (a == "t/o" && b ~ /^[0-9.]+$/) { print 1; exit }
		if (b == "t/o") b = to
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) exit
		if (a / b > lim) print 1 }'
}
# verdict RATIO LIMIT: "met" if RATIO (possibly "<x"/">x") is at most LIMIT.
verdict() {
	awk -v r="$1" -v lim="$2" 'BEGIN {
		if (r == "-" || r == "?") { print "unknown"; exit }
		b = substr(r, 1, 1); v = r; sub(/^[<>]/, "", v)
		if (b == ">") print (v + 0 >= lim ? "NOT met" : "unknown")
		else print (v + 0 <= lim ? "met" : "NOT met") }'
}

slow_heap=() slow_duck=() slow_tpch=()
for q in "${IDS[@]}"; do
	f="${FIG["frame 1 $q"]}"
	[[ -n "$(over 0.2 "$f" "${FIG["heap 1 $q"]}")" ]] && slow_heap+=("$(qname "$q")")
	[[ -n "$(over 2 "$f" "${FIG["duckdb 1 $q"]}")" ]] && slow_duck+=("$(qname "$q")")
	if [[ "$q" == t* && "$SKIP_DUCKDB" != 1 ]]; then
		[[ -n "$(over 1 "$f" "${FIG["duckdb 1 $q"]}")" ]] && slow_tpch+=("$(qname "$q")")
	fi
done
ntpch=0
for q in "${IDS[@]}"; do [[ "$q" == t* ]] && ntpch=$((ntpch + 1)); done
size_ratio="$(ratio "$f_hits_bytes" "$h_hits_bytes")"

echo
echo "Targets of issue 15 (one thread unless said; ratios are frame time / other time):"
TFORMAT='  %-62s %-9s %s\n'
# shellcheck disable=SC2059
printf "$TFORMAT" "geomean frame / DuckDB 1 thread < 1" \
	"$(if [[ "$SKIP_DUCKDB" == 1 ]]; then echo skipped; else verdict "${GEO[1 fd]}" 0.999999; fi)" "${GEO[1 fd]}"
# shellcheck disable=SC2059
printf "$TFORMAT" "TPC-H Q1, Q6: frame faster than DuckDB 1 thread" \
	"$(if [[ "$SKIP_DUCKDB" == 1 ]]; then echo skipped; elif ((${#slow_tpch[@]} == 0)); then echo met; else echo "NOT met"; fi)" \
	"${#slow_tpch[@]} of $ntpch fail${slow_tpch[*]:+: ${slow_tpch[*]}}"
# shellcheck disable=SC2059
printf "$TFORMAT" "every query >= 5x faster than heap (frame / heap <= 0.2)" \
	"$( ((${#slow_heap[@]} == 0)) && echo met || echo "NOT met")" \
	"${#slow_heap[@]} of ${#IDS[@]} fail${slow_heap[*]:+: ${slow_heap[*]}}"
# shellcheck disable=SC2059
printf "$TFORMAT" "no query > 2x slower than DuckDB 1 thread (frame / duckdb <= 2)" \
	"$(if [[ "$SKIP_DUCKDB" == 1 ]]; then echo skipped; elif ((${#slow_duck[@]} == 0)); then echo met; else echo "NOT met"; fi)" \
	"${#slow_duck[@]} of ${#IDS[@]} fail${slow_duck[*]:+: ${slow_duck[*]}}"
if [[ "$PARALLEL2" == 1 ]]; then
	# shellcheck disable=SC2059
	printf "$TFORMAT" "2 workers: geomean frame / DuckDB 2 threads < 1" \
		"$(if [[ "$SKIP_DUCKDB" == 1 ]]; then echo skipped; else verdict "${GEO[2 fd]}" 0.999999; fi)" "${GEO[2 fd]}"
fi
# shellcheck disable=SC2059
printf "$TFORMAT" "frame bytes / heap bytes of hits <= 0.5" "$(verdict "$size_ratio" 0.5)" \
	"$size_ratio ($f_hits_bytes / $h_hits_bytes; lineitem: $(ratio "$f_li_bytes" "$h_li_bytes"))"
echo "  geomean frame / heap: one thread ${GEO[1 fh]}$([[ "$PARALLEL2" == 1 ]] && echo ", two workers ${GEO[2 fh]}")"

# ---------------------------------------------------------------------------
# Results: frame vs heap (run 1 of each pass), DuckDB vs heap for information
# ---------------------------------------------------------------------------
mismatch=() tied=() duck_diff=() compared=0 duck_compared=0
for pass in "${PASSES[@]}"; do
	for q in "${IDS[@]}"; do
		if [[ "$(awk -v p="$pass" -v q="$q" '($1 == "frame" || $1 == "heap") && $2 == p && $3 == q && $4 == 1 && $5 ~ /^[0-9.]+$/ { n++ } END { print n + 0 }' "$TIMES")" == 2 ]]; then
			compared=$((compared + 1))
			if ! cmp -s <(norm "$RES/frame_${pass}_$q.txt") <(norm "$RES/heap_${pass}_$q.txt"); then
				if grep -qi 'limit' <<<"${QSQL[$q]}"; then
					tied+=("$pass:$q")
				else
					mismatch+=("$pass:$q")
				fi
			fi
		fi
		d="$RES/duckdb_${pass}_$q.txt"
		if [[ -f "$d" && -f "$RES/heap_1_$q.txt" ]] && [[ "${FIG["heap 1 $q"]}" =~ ^[0-9.]+$ ]]; then
			duck_compared=$((duck_compared + 1))
			cmp -s <(norm "$d") <(norm "$RES/heap_1_$q.txt") || duck_diff+=("$pass:$(qname "$q")")
		fi
	done
done
# show_diff PASS:ID: the two results, side by side in a unified diff.
show_diff() {
	local pass="${1%%:*}" q="${1#*:}"
	echo "  $(qname "$q"), pass $pass (frame = -, heap = +):"
	diff -u <(norm "$RES/frame_${pass}_$q.txt") <(norm "$RES/heap_${pass}_$q.txt") |
		sed -n '3,$p' | head -n 12 | sed 's/^/    /' || true
}
echo
echo "Results, frame vs heap table (rows of run 1, sorted, decimals to 6 significant digits): $compared compared"
if ((${#mismatch[@]})); then
	echo "WARNING: the frame and the heap table give different rows for ${#mismatch[@]} queries without LIMIT:"
	for m in "${mismatch[@]}"; do show_diff "$m"; done
fi
if ((${#tied[@]})); then
	echo "Different rows for ${#tied[@]} queries with LIMIT (ties at the limit may be cut differently; check):"
	for m in "${tied[@]}"; do show_diff "$m"; done
fi
((${#mismatch[@]} + ${#tied[@]})) || echo "  all equal"
if [[ "$SKIP_DUCKDB" != 1 ]]; then
	echo "DuckDB vs heap (for information; number and time formats differ): $((duck_compared - ${#duck_diff[@]})) of $duck_compared equal${duck_diff[*]:+; differ (thread pass:query): ${duck_diff[*]}}"
fi
