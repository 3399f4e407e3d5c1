# shellcheck shell=bash
#
# scripts/lib.sh
#	Shell helpers shared by quickstart.sh, the benchmarks (bench/*.sh) and
#	the demo: Debian package installation, build + install of the extension,
#	the unprivileged work tree, throw-away PostgreSQL clusters, figures of a
#	benchmark run (medians, ratios, psql and pgbench timings), the memory of
#	a running cluster, and the benchmarks' "ticks" data set.
#
# Source it from bash (callers use "set -euo pipefail"); it defines functions
# and a few variables and runs nothing else.  Root-only steps run directly
# when we are root and through sudo otherwise.  initdb and postgres refuse to
# run as root, so when we are root every server-side command runs as the
# unprivileged "postgres" user (created by the postgresql packages) through
# runuser, in a copy of the source tree that user owns (see make_worktree).

if [[ -n "${_SHMCACHE_LIB_LOADED:-}" ]]; then
	return 0
fi
_SHMCACHE_LIB_LOADED=1

PG_MAJOR=15
PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config}"
# Server and client programs: those of PG_CONFIG's installation (Debian's
# path until the packages are installed), unless PGBIN is set.
if [[ -z "${PGBIN:-}" ]]; then
	if [[ -x "$PG_CONFIG" ]]; then
		PGBIN="$("$PG_CONFIG" --bindir)"
	else
		PGBIN="/usr/lib/postgresql/${PG_MAJOR}/bin"
	fi
fi
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Debian packages everything here needs (prove is in perl; node runs the
# reference Arrow reader of tests/011_arrow.pl and writes the streams of
# the Python client's tests; numpy, pandas and psycopg2 are what the client,
# its tests and the demo's Python part use).
REQUIRED_PACKAGES=("postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR"
	"postgresql-client-$PG_MAJOR" libipc-run-perl make gcc perl nodejs
	python3 python3-numpy python3-pandas python3-psycopg2)
# Debian packages needed only when their command is missing: the nodejs
# packages of NodeSource bring their own npm and conflict with Debian's.
REQUIRED_COMMANDS=(npm)
# The unprivileged account that runs servers when we are root.
SERVER_USER=postgres

# Our servers are reached through explicit -h/-p; stray libpq settings from
# the caller's environment must not redirect or alter those connections.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE \
	PGSERVICEFILE PGDATA PGSSLMODE PGTARGETSESSIONATTRS

# ---------------------------------------------------------------------------
# Messages and exit handling
# ---------------------------------------------------------------------------

# heading TEXT: a step heading a person can follow in a long log.
heading() {
	printf '\n==> %s\n' "$*"
}

# note TEXT: an indented detail line.
note() {
	printf '    %s\n' "$*"
}

# die TEXT: an error on stderr, then exit 1 (exit handlers still run).
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

_ON_EXIT=()

# on_exit CMD [ARGS...]: run CMD at exit (also after INT/TERM/HUP), newest
# first.  Arguments are quoted now, so paths with spaces are safe.
on_exit() {
	_ON_EXIT+=("$(printf '%q ' "$@")")
}

_run_on_exit() {
	local rc=$? i
	set +e
	trap - EXIT
	for ((i = ${#_ON_EXIT[@]} - 1; i >= 0; i--)); do
		eval "${_ON_EXIT[i]}"
	done
	exit "$rc"
}
trap _run_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------------------
# Privileges
# ---------------------------------------------------------------------------

is_root() {
	[[ "$(id -u)" -eq 0 ]]
}

# as_root CMD...: run CMD as root (directly, or through sudo).
as_root() {
	if is_root; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "root is needed for: $* (run as root, or install sudo)"
	fi
}

# as_user CMD...: run CMD as the unprivileged server user: ourselves, or
# $SERVER_USER when we are root.  The environment is kept (runuser without
# --login), so LC_ALL, PATH, etc. pass through.
as_user() {
	if is_root; then
		runuser -u "$SERVER_USER" -- "$@"
	else
		"$@"
	fi
}

# ---------------------------------------------------------------------------
# Packages, build, work tree
# ---------------------------------------------------------------------------

# ensure_packages: install whichever of REQUIRED_PACKAGES is missing.  Does
# nothing (no apt-get update) when all are installed.  Installing
# postgresql-15 may start Debian's own cluster on port 5432; we never use it.
ensure_packages() {
	local pkg missing=()
	for pkg in "${REQUIRED_PACKAGES[@]}"; do
		if [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null)" != ii* ]]; then
			missing+=("$pkg")
		fi
	done
	for pkg in "${REQUIRED_COMMANDS[@]}"; do
		if ! command -v "$pkg" >/dev/null 2>&1; then
			missing+=("$pkg")
		fi
	done
	if ((${#missing[@]} == 0)); then
		heading "Debian packages: all present (${REQUIRED_PACKAGES[*]})"
		return 0
	fi
	heading "Installing Debian packages: ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${missing[@]}"
}

# ensure_npm_packages: the JavaScript packages the tests run (apache-arrow,
# the reference Arrow implementation) in the node_modules of tests/arrow
# (tests/011_arrow.pl reads streams with it) and python/tests (the Python
# client's tests decode streams it writes), exactly as each directory's
# package-lock.json pins them.  Nothing is fetched when they are installed
# already (so it works offline then); otherwise "npm ci" installs them.
ensure_npm_packages() {
	local dir
	for dir in "$REPO_ROOT/tests/arrow" "$REPO_ROOT/python/tests"; do
		ensure_npm_dir "$dir"
	done
}

# ensure_npm_dir DIR: the packages of DIR's package-lock.json, as above.
ensure_npm_dir() {
	local dir="$1"
	if (cd "$dir" && node -e '
		const lock = require("./package-lock.json").packages;
		for (const [path, want] of Object.entries(lock)) {
			if (!path) continue;
			const have = require("./" + path + "/package.json").version;
			if (have !== want.version) process.exit(1);
		}' 2>/dev/null); then
		heading "npm packages of ${dir#"$REPO_ROOT"/}: all present"
		return 0
	fi
	heading "Installing the npm packages of ${dir#"$REPO_ROOT"/} (npm ci)"
	(cd "$dir" && npm ci --no-audit --no-fund)
}

# build_install quiet|verbose: build the extension in the source tree as the
# calling user, then "make install" it as root.  With "quiet", make's output
# goes to a log that is shown only if the build fails.
build_install() {
	local log
	heading "Building and installing shmcache into $("$PG_CONFIG" --pkglibdir)"
	if [[ "$1" != quiet ]]; then
		make -C "$REPO_ROOT" PG_CONFIG="$PG_CONFIG" -j"$(nproc)"
		as_root make -C "$REPO_ROOT" PG_CONFIG="$PG_CONFIG" install
		return
	fi
	log="$(mktemp "${TMPDIR:-/tmp}/shmcache-build.XXXXXX")"
	if ! { make -C "$REPO_ROOT" PG_CONFIG="$PG_CONFIG" -j"$(nproc)" &&
		as_root make -C "$REPO_ROOT" PG_CONFIG="$PG_CONFIG" install; } >"$log" 2>&1; then
		cat "$log" >&2
		rm -f -- "$log"
		die "the build failed"
	fi
	rm -f -- "$log"
	note "built and installed"
}

# make_worktree PREFIX: set WORKTREE to a directory holding the sources that
# the unprivileged server user can read and write.  Not root: the source tree
# itself.  Root: a fresh copy (without .git, build products and test output)
# in a new temporary directory owned by $SERVER_USER, removed at exit unless
# KEEP_WORKTREE=1 by then.
make_worktree() {
	local prefix="$1"
	if ! is_root; then
		WORKTREE="$REPO_ROOT"
		return 0
	fi
	getent passwd "$SERVER_USER" >/dev/null ||
		die "user '$SERVER_USER' does not exist (it comes with postgresql-$PG_MAJOR)"
	WORKTREE="$(mktemp -d "${TMPDIR:-/tmp}/${prefix}.XXXXXX")"
	KEEP_WORKTREE=0
	on_exit _remove_worktree "$WORKTREE"
	tar -C "$REPO_ROOT" -cf - \
		--exclude=.git --exclude='tmp_check*' --exclude='*.o' --exclude='*.so' \
		--exclude='*.bc' --exclude=./results --exclude=./output_iso \
		--exclude=./log --exclude='./regression.*' . |
		tar -C "$WORKTREE" -xf -
	chown -R "$SERVER_USER:" "$WORKTREE"
	as_user test -w "$WORKTREE" ||
		die "$SERVER_USER cannot use $WORKTREE (is ${TMPDIR:-/tmp} reachable for it?)"
	heading "Running server-side steps as '$SERVER_USER' in a copy: $WORKTREE"
}

_remove_worktree() {
	if [[ "${KEEP_WORKTREE:-0}" != 1 ]]; then
		rm -rf -- "$1"
	fi
}

# bench_prepare PREFIX: what every benchmark does first: unless SKIP_BUILD=1,
# install the missing packages and build + install the extension; then set
# WORKTREE as make_worktree does.
bench_prepare() {
	if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
		ensure_packages
		build_install verbose
	fi
	make_worktree "$1"
}

# ---------------------------------------------------------------------------
# Throw-away clusters
# ---------------------------------------------------------------------------

# find_free_port [START]: print the first port from START (default 54329)
# upward that nothing listens on over TCP and that has no socket lock file in
# the usual socket directories.
find_free_port() {
	local port="${1:-54329}" last
	last=$((port + 200))
	while ((port < last)); do
		if [[ ! -e "/tmp/.s.PGSQL.$port.lock" &&
			! -e "/var/run/postgresql/.s.PGSQL.$port.lock" ]] &&
			! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
		port=$((port + 1))
	done
	die "no free port found from $1 to $last"
}

# cluster_start PREFIX [CONF_LINE...]: initdb a new cluster in a fresh
# temporary directory owned by the server user, append the CONF_LINEs to its
# postgresql.conf and start it: no TCP (listen_addresses = ''), the unix
# socket in that directory, a free port.  Sets CLUSTER_DIR (also a good place
# for files the server reads or writes), CLUSTER_PORT and CLUSTER_LOG.  At
# exit the server is stopped (fast) and the directory removed.
cluster_start() {
	local prefix="$1"
	shift
	CLUSTER_DIR="$(mktemp -d "${TMPDIR:-/tmp}/${prefix}.XXXXXX")"
	on_exit cluster_stop "$CLUSTER_DIR"
	if is_root; then
		chown "$SERVER_USER:" "$CLUSTER_DIR"
	fi
	CLUSTER_PORT="$(find_free_port 54329)"
	CLUSTER_LOG="$CLUSTER_DIR/server.log"

	heading "Starting a throw-away PostgreSQL $PG_MAJOR on port $CLUSTER_PORT (socket in $CLUSTER_DIR)"
	as_user "$PGBIN/initdb" -D "$CLUSTER_DIR/data" -A trust -E UTF8 --no-locale \
		--no-sync >"$CLUSTER_DIR/initdb.log" 2>&1 || {
		cat "$CLUSTER_DIR/initdb.log" >&2
		die "initdb failed"
	}
	{
		echo "# added by scripts/lib.sh"
		echo "port = $CLUSTER_PORT"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$CLUSTER_DIR'"
		printf '%s\n' "$@"
	} | as_user tee -a "$CLUSTER_DIR/data/postgresql.conf" >/dev/null
	printf '%s\n' "$@" | sed 's/^/    /'
	if ! as_user "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_LOG" \
		-w -t 120 start >/dev/null; then
		echo "--- tail of $CLUSTER_LOG" >&2
		tail -n 40 "$CLUSTER_LOG" >&2 || true
		die "the server did not start"
	fi
}

# cluster_stop DIR: stop the server of DIR (if running) and remove DIR.
cluster_stop() {
	local dir="$1"
	if [[ -f "$dir/data/postmaster.pid" ]]; then
		as_user "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 ||
			echo "warning: could not stop the server in $dir" >&2
	fi
	rm -rf -- "$dir"
}

# cluster_psql ARGS...: psql on the running cluster's "postgres" database as
# its superuser: no psqlrc, stop at the first error, no pager.
cluster_psql() {
	as_user "$PGBIN/psql" -X -v ON_ERROR_STOP=1 -P pager=off \
		-h "$CLUSTER_DIR" -p "$CLUSTER_PORT" -d postgres "$@"
}

# cluster_pgbench ARGS...: pgbench on the running cluster's "postgres"
# database as its superuser.
cluster_pgbench() {
	as_user "$PGBIN/pgbench" -h "$CLUSTER_DIR" -p "$CLUSTER_PORT" "$@" postgres
}

# ---------------------------------------------------------------------------
# Figures of a benchmark run
# ---------------------------------------------------------------------------

# median: the median of the numbers on stdin, one per line ("-" if none).
median() {
	sort -g | awk '{ v[NR] = $1 }
		END {
			if (NR == 0) { print "-"; exit }
			if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]
			else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

# ratio A B: A / B to two or three significant digits; "-" if either is
# missing or B is 0.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "-" || b == "-" || b + 0 == 0) { print "-"; exit }
		r = a / b
		if (r >= 10) printf "%.1f\n", r
		else if (r >= 0.1) printf "%.2f\n", r
		else printf "%.2g\n", r
	}'
}

# timings OUT: from psql output with "@@ KEY" marker lines (\echo @@ KEY),
# print "KEY value_ms" for the first "Time: N ms" (\timing) or "Execution
# Time: N ms" (EXPLAIN ANALYZE) line after each marker.
timings() {
	awk '
		/^@@ / { key = substr($0, 4); next }
		key != "" && /^(Execution )?Time: [0-9.]+ ms/ {
			v = $0; sub(/^(Execution )?Time: /, "", v); sub(/ ms.*/, "", v)
			print key, v; key = ""
		}' "$1"
}

# pgbench_tps OUT: the tps (without initial connection time) of a pgbench
# run whose output is in OUT; nothing if OUT has none.
pgbench_tps() {
	sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$1"
}

# pgbench_latency_ms OUT: the "latency average" of a pgbench run, in ms.
pgbench_latency_ms() {
	sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' "$1"
}

# ---------------------------------------------------------------------------
# Memory of a running cluster
# ---------------------------------------------------------------------------

# cluster_pids: the postmaster's pid, then its children's, one per line.
cluster_pids() {
	local pm
	pm="$(head -n 1 "$CLUSTER_DIR/data/postmaster.pid")"
	echo "$pm"
	pgrep -P "$pm" || true
}

# smaps_rollup_kb PID...: one line per process that still exists:
# "pid Rss Pss Pss_Shmem Pss_Anon Pss_File Private_Dirty" in kB, from
# /proc/PID/smaps_rollup (fields the kernel does not have print as 0).
# Reading it needs root, or to be the server user (who we are when not root).
smaps_rollup_kb() {
	local pid
	for pid in "$@"; do
		{ cat "/proc/$pid/smaps_rollup" 2>/dev/null || true; } |
			awk -v pid="$pid" '
				$1 ~ /:$/ { v[substr($1, 1, length($1) - 1)] = $2; n++ }
				END {
					if (n) printf "%s %d %d %d %d %d %d\n", pid, v["Rss"], v["Pss"],
						v["Pss_Shmem"], v["Pss_Anon"], v["Pss_File"], v["Private_Dirty"]
				}'
	done
}

# sum_smaps_kb: sum the lines of smaps_rollup_kb on stdin:
# "Pss Pss_Shmem Pss_Anon Pss_File Private_Dirty processes" in kB.
sum_smaps_kb() {
	awk '{ p += $3; s += $4; a += $5; f += $6; d += $7; n++ }
		END { printf "%d %d %d %d %d %d\n", p, s, a, f, d, n }'
}

# cluster_pss_kb: sum_smaps_kb over the postmaster and all its children.  The
# Pss of a shared page is divided among the processes mapping it, so the sum
# counts shared memory (shared_buffers, shmcache.size) once, for the pages
# that live processes have touched.
cluster_pss_kb() {
	# shellcheck disable=SC2046
	smaps_rollup_kb $(cluster_pids) | sum_smaps_kb
}

# ---------------------------------------------------------------------------
# The "ticks" data set of the benchmarks
# ---------------------------------------------------------------------------

# Row i (i = 1, 2, ...) is (i, 'S' || i % 500, TICKS_TS_BASE + i ms,
# ((i * 7919) % 100000) / 100.0, i % 1000 + 1): 500 symbols, prices 0..999.99,
# quantities 1..1000, one tick per millisecond.
# shellcheck disable=SC2034  # used by the scripts that source this file
TICKS_COLUMNS='id int8, symbol text, ts timestamptz, price float8, qty int4'
TICKS_TS_BASE='2024-01-02 09:00:00+00'

# ticks_select FIRST LAST: a SELECT of rows FIRST..LAST of the data set.
ticks_select() {
	printf '%s' "SELECT i, 'S' || (i % 500), timestamptz '$TICKS_TS_BASE' + i * interval '1 ms', (((i * 7919) % 100000) / 100.0)::float8, (i % 1000)::int4 + 1 FROM generate_series($1::int8, $2::int8) AS i"
}
