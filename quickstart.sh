#!/usr/bin/env bash
#
# quickstart.sh
#	Build, install and try shmcache on Debian 12 with nothing preinstalled.
#
#	./quickstart.sh test	install packages, build + install, run the whole
#				test suite (make installcheck), print
#				"N passed, N failed"; exit status 0 only if all passed
#	./quickstart.sh demo	install packages, build + install, start a
#				throw-away server and run bench/demo.sql
#
# Works as root (as CI runs it: no terminal, no stdin) or as a normal user,
# who then needs sudo for apt-get and "make install".  As root, the server-side
# steps run as the "postgres" user in a temporary copy of this tree, since
# initdb and postgres refuse to run as root.

set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/scripts/lib.sh"

usage() {
	cat <<EOF
usage: $0 test | demo

  test   install what is missing, build and install shmcache, run the tests
         (pg_regress, isolation and TAP, each on its own throw-away server)
  demo   install what is missing, build and install shmcache, then load and
         query 1,000,000 sample rows on a throw-away server
EOF
}

# prepare: the steps both verbs share.  Leaves us in $WORKTREE.
prepare() {
	ensure_packages
	if [[ "$1" == shmcache-test ]]; then
		ensure_npm_packages
		build_install verbose
	else
		build_install quiet
	fi
	make_worktree "$1"
	cd "$WORKTREE"
}

# ---------------------------------------------------------------------------
# test
# ---------------------------------------------------------------------------

# count_results LOG: print "PASSED FAILED SKIPPED" and then the names of the
# failed TAP files, one per line, from the output of make installcheck.
#  - pg_regress / pg_isolation_regress (PG 15) print one line per test:
#      "test name   ... ok   12 ms", or, in a parallel group,
#      "     name   ... FAILED   12 ms"   ("failed (ignored)" counts as skipped;
#    anything else after "..." is pg_regress itself failing, e.g. no
#    expected file, and counts as failed)
#  - prove prints "tests/001_x.pl .. ok" per file ("skipped: why" possible),
#    then, when something failed, a "Test Summary Report" naming each failed
#    file "tests/001_x.pl (Wstat: ...)", then "Files=N, Tests=M, ...".
#    The summary is the reliable part (stderr may interleave with per-file
#    lines), so it is used when present; per-file lines are the fallback.
count_results() {
	awk '
	/^(test +| +)[^ ]+ +\.\.\. +ok/                    { pass++; next }
	/^(test +| +)[^ ]+ +\.\.\. +FAILED/                { fail++; next }
	/^(test +| +)[^ ]+ +\.\.\. +failed \(ignored\)/    { skip++; next }
	/^(test +| +)[^ ]+ +\.\.\. /                      { fail++; next }
	/^Test Summary Report/                             { in_report = 1; next }
	/^Files=[0-9]+,/ {
		in_report = 0; saw_files = 1
		n = $0; sub(/^Files=/, "", n); sub(/,.*/, "", n); tap_total += n
		next
	}
	in_report && /^[^ ]+\.(pl|t) +\(Wstat:/ {
		tap_fail++; failed_names[++nf] = $1; next
	}
	/^[^ #][^ ]*\.(pl|t) \.+( |$)/ {
		rest = $0; sub(/^[^ ]+ \.+ ?/, "", rest)
		if (rest ~ /^ok/) line_ok++
		else if (rest ~ /^skipped/) line_skip++
		else { line_fail++; line_failed_names[++nl] = $1 }
	}
	END {
		if (saw_files) {
			tap_pass = tap_total - tap_fail - line_skip
			if (tap_pass < 0) tap_pass = 0
		} else {
			tap_pass = line_ok; tap_fail = line_fail; nf = nl
			for (i = 1; i <= nl; i++) failed_names[i] = line_failed_names[i]
		}
		printf "%d %d %d\n", pass + tap_pass, fail + tap_fail, skip + line_skip
		for (i = 1; i <= nf; i++) print failed_names[i]
	}' "$1"
}

# show_file FILE HOW N: print a bounded part of FILE (HOW = head or tail).
show_file() {
	local file="$1" how="$2" n="$3" total
	total="$(wc -l <"$file")"
	printf '\n----- %s (%s lines%s) -----\n' "$file" "$total" \
		"$( ((total > n)) && echo ", $how $n shown")"
	"$how" -n "$n" "$file"
}

# show_failures STAMP FAILED_TAP...: print what CI needs to see why tests
# failed, bounded: the regression.diffs of pg_regress and isolation runs with
# the end of their temporary servers' logs, and the end of the TAP logs of
# the failed TAP files.  When neither a diff nor a failed TAP file is known
# (e.g. a server did not start), the end of every such log instead.
show_failures() {
	local stamp="$1" f base diffs=0 shown=0
	shift
	heading "Failure details"
	# pg_regress keeps its temporary server's log in log/ beside the diffs.
	while IFS= read -r f; do
		show_file "$f" head 400
		if [[ -f "${f%/*}/log/postmaster.log" ]]; then
			show_file "${f%/*}/log/postmaster.log" tail 40
		fi
		diffs=$((diffs + 1))
	done < <(find . -path ./.git -prune -o -name regression.diffs -newer "$stamp" \
		-type f -size +0 -print | sort)
	if ((diffs == 0 && $# == 0)); then
		while IFS= read -r f; do
			show_file "$f" tail 40
		done < <(find . -path '*tmp_check*' -prune -o -path '*/log/postmaster.log' \
			-newer "$stamp" -type f -print | sort)
	fi
	for base in "$@"; do
		base="${base##*/}"
		base="${base%.*}"
		while IFS= read -r f; do
			show_file "$f" tail 150
			shown=$((shown + 1))
		done < <(find . -path '*tmp_check*/log/*' -type f -newer "$stamp" \
			-name "regress_log_$base" -print | sort)
		while IFS= read -r f; do
			show_file "$f" tail 40
			shown=$((shown + 1))
		done < <(find . -path '*tmp_check*/log/*' -type f -newer "$stamp" \
			-name "${base}_*.log" -print | sort)
	done
	if ((shown == 0 && diffs == 0)); then
		while IFS= read -r f; do
			show_file "$f" tail 60
		done < <(find . -path '*tmp_check*/log/*' -type f -newer "$stamp" -print |
			sort | head -n 30)
	fi
}

do_test() {
	local log stamp status=0 counts passed failed skipped
	local -a failed_tap=()

	prepare shmcache-test
	# One locale everywhere, so expected output does not depend on the host.
	export LC_ALL=C.UTF-8 LANG=C.UTF-8

	# The log is kept (and named at the end) only when something failed.
	log="$(mktemp "${TMPDIR:-/tmp}/shmcache-installcheck.XXXXXX")"
	stamp="$(mktemp "${TMPDIR:-/tmp}/shmcache-stamp.XXXXXX")"
	on_exit rm -f -- "$stamp"

	heading "Running the test suite: make installcheck (as $(as_user id -un))"
	as_user make PG_CONFIG="$PG_CONFIG" installcheck 2>&1 | tee "$log" || status=$?

	counts="$(count_results "$log")"
	read -r passed failed skipped <<<"$(head -n 1 <<<"$counts")"
	mapfile -t failed_tap < <(tail -n +2 <<<"$counts")

	if ((status != 0 && failed == 0)); then
		echo
		echo "make installcheck exited with status $status without a failing test line;" \
			"counting that as 1 failure (see the output above)"
		failed=$((failed + 1))
	elif ((status == 0 && failed == 0 && passed == 0)); then
		echo
		echo "no test results found in the output of make installcheck;" \
			"counting that as 1 failure"
		failed=1
	fi
	if ((failed > 0)); then
		show_failures "$stamp" "${failed_tap[@]}"
		echo
		if is_root; then
			KEEP_WORKTREE=1
			echo "work tree kept for inspection: $WORKTREE"
		fi
		echo "full output of make installcheck: $log"
	else
		rm -f -- "$log"
	fi
	if ((skipped > 0)); then
		echo "($skipped skipped or ignored)"
	fi
	echo "$passed passed, $failed failed"
	((failed == 0))
}

# ---------------------------------------------------------------------------
# demo
# ---------------------------------------------------------------------------

do_demo() {
	prepare shmcache-demo
	cluster_start shmcache-demo \
		"shared_preload_libraries = 'shmcache'" \
		"shmcache.size = '1GB'" \
		"shared_buffers = '512MB'"
	heading "Running bench/demo.sql"
	cluster_psql -v csv="$CLUSTER_DIR/ticks.csv" -f "$WORKTREE/bench/demo.sql"
	heading "From Python: examples/python/seed.py (a feeder appends 1,000-row batches while ten workers read the frame)"
	as_user /usr/bin/python3 "$WORKTREE/examples/python/seed.py" \
		--dsn "host=$CLUSTER_DIR port=$CLUSTER_PORT dbname=postgres" \
		--frame seed_ticks --reset --seconds 5
	heading "Demo finished; stopping the server and removing $CLUSTER_DIR"
}

case "${1:-}" in
test) do_test ;;
demo) do_demo ;;
-h | --help | help) usage ;;
*)
	usage >&2
	exit 2
	;;
esac
