# Copyright (c) 2026, shmcache authors
#
# 007_stress.pl: many readers, one feeder, under load.
#
# One frame "s" (batch int, k int, v int8) gets batches of 1000 rows: batch b
# has k = 1..1000 and v = b * 1000 + k, so its count is 1000 and its sum(v)
# b * 1000000 + 500500.  The feeder appends batch after batch with COPY FROM
# STDIN, multi-row INSERT, 1000 single-row INSERTs in one transaction,
# INSERT ... SELECT and copy_from_program, and between batches it adds rows to
# a second frame "t" (i int8, w int8), one row per commit (autocommit INSERTs
# and a DO loop committing after every row): t holds i = 1..n, w = 3 * i.
#
# Meanwhile 8 reader sessions (6 with the custom scan, 2 with the function
# scan) and one reader whose query runs a parallel plan (the batches of s
# aggregated by parallel ShmcacheAggregate nodes: partial states from the
# workers and the leader, combined by group in the leader) check, query after
# query, that
#  - s holds whole committed batches only: every batch present has 1000 rows
#    and its sum, and the batches are exactly 0..max, no gap;
#  - t holds exactly 1..n;
#  - neither count ever goes backwards (and both grow while they read).
# A monitor session samples pg_stat_activity all along: no reader ever waits
# for a lock, and the parallel reader's queries do get parallel workers.
#
# Then, with the readers still reading, feeders are cancelled
# (pg_cancel_backend, in a transaction block, and statement_timeout) and
# terminated (pg_terminate_backend, during COPY FROM STDIN and during an
# INSERT) half-way through a batch: the next feeder appends at once, and no
# partial batch is ever seen.
#
# At the end: nothing lost or duplicated, both frames' chunks are full
# (chunks = ceil(rows / 16384), in shmcache.frames and in EXPLAIN's "Chunks
# Scanned") although they were filled by many small commits, and after
# drop_frame shmcache.memory's used_bytes is back to its figure before the
# frames were created.
#
# Runs in about 30 seconds on a 2-core machine.

use strict;
use warnings;

use IPC::Run;
use POSIX qw(ceil);
use Time::HiRes qw(time);

use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;

my $N_READERS = 8;         # plain readers; readers 6 and 7 use the function scan
my $BATCHES = 300;         # batches of the feeder's script
my $T_PSQL_ROWS = 20;      # rows of t per batch as autocommit INSERT statements
my $T_DO_ROWS = 200;       # rows of t per batch in a DO loop committing each row
my $CHUNK_ROWS = 16384;    # rows per chunk

my $node = shmcache_node('stress', size => '128MB');

########################################################################
# Set-up
########################################################################

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION shmcache;
CREATE TABLE mem AS SELECT used_bytes FROM shmcache.memory;
SELECT shmcache.create_frame('s', 'batch int, k int, v int8');
SELECT shmcache.create_frame('t', 'i int8, w int8');

-- stop flag of the readers and the monitor, and what they found
CREATE TABLE ctl (done bool);
INSERT INTO ctl VALUES (false);
CREATE TABLE reader_result (reader text, queries int, bad int, gaps int,
    backwards int, states int, last_rows int8, t_bad int, t_backwards int,
    t_states int);
CREATE TABLE monitor_result (samples int, reader_lock_waits int,
    reader_lwlock_waits int, parallel_worker_samples int);
CREATE TABLE monitor_waits (pid int, reader text, wait_event_type text,
    wait_event text, query text);

-- the sums of every batch there can be, for the parallel reader's join
CREATE TABLE expect AS
    SELECT b AS batch, b::int8 * 1000000 + 500500 AS total
      FROM generate_series(0, 999) b;
ANALYZE expect;

-- check_s(): the batches of s, as the readers check them.  Its RETURN QUERY
-- may use a parallel plan, unlike a SELECT INTO of PL/pgSQL: with zero
-- parallel costs and seq_page_cost, s is aggregated by workers and the
-- leader, each reading the chunks it claims of the leader's snapshot.
CREATE FUNCTION check_s(OUT batches int8, OUT n int8, OUT maxb int, OUT minb int,
                        OUT bad int8)
RETURNS SETOF record LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    SELECT count(*), coalesce(sum(g.c), 0)::int8, coalesce(max(g.batch), -1),
           coalesce(min(g.batch), 0),
           count(*) FILTER (WHERE g.c <> 1000 OR g.sv IS DISTINCT FROM e.total)
      FROM (SELECT batch, count(*) AS c, sum(v) AS sv FROM s GROUP BY batch) g
      LEFT JOIN expect e ON e.batch = g.batch;
END
$$;

-- slow(k, at): true, after sleeping for a long time if k = at; makes a
-- feeder stop half-way through a batch
CREATE FUNCTION slow(k int, at int) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    IF k = at THEN
        PERFORM pg_sleep(300);
    END IF;
    RETURN true;
END
$$;
});
my $used_before = $node->safe_psql('postgres', 'SELECT used_bytes FROM mem');

# sum(v) of batch b
sub batch_sum
{
	my ($b) = @_;
	return $b * 1000000 + 500500;
}

########################################################################
# The feeder's script: batch b in one of five ways, then rows of t
########################################################################

my $t_rows = 0;    # rows of t the script adds

sub batch_sql
{
	my ($b) = @_;
	my $sql;

	if ($b % 8 == 7)
	{
		# a program's output through copy_from_program
		$sql =
		  "SELECT shmcache.copy_from_program('s', \$p\$awk 'BEGIN { for (k = 1; k <= 1000; k++) print $b \",\" k \",\" $b * 1000 + k }'\$p\$, 'format csv');\n";
	}
	elsif ($b % 4 == 0)
	{
		# COPY FROM STDIN
		$sql = "COPY s FROM STDIN;\n"
		  . join('', map { "$b\t$_\t" . ($b * 1000 + $_) . "\n" } 1 .. 1000)
		  . "\\.\n";
	}
	elsif ($b % 4 == 1)
	{
		# one multi-row INSERT
		$sql = "INSERT INTO s VALUES "
		  . join(',', map { "($b,$_," . ($b * 1000 + $_) . ")" } 1 .. 1000)
		  . ";\n";
	}
	elsif ($b % 4 == 2)
	{
		# 1000 single-row INSERTs in one transaction
		$sql = "BEGIN;\n"
		  . join('',
			map { "INSERT INTO s VALUES ($b,$_," . ($b * 1000 + $_) . ");\n" }
			  1 .. 1000)
		  . "COMMIT;\n";
	}
	else
	{
		# INSERT ... SELECT
		$sql =
		  "INSERT INTO s SELECT $b, k, $b * 1000 + k FROM generate_series(1, 1000) k;\n";
	}

	# rows of t, one per commit
	for (1 .. $T_PSQL_ROWS)
	{
		$t_rows++;
		$sql .= "INSERT INTO t VALUES ($t_rows, " . 3 * $t_rows . ");\n";
	}
	$sql .=
	    "DO \$\$ BEGIN FOR i IN "
	  . ($t_rows + 1) . '..'
	  . ($t_rows + $T_DO_ROWS)
	  . " LOOP INSERT INTO t VALUES (i, 3 * i); COMMIT; END LOOP; END \$\$;\n";
	$t_rows += $T_DO_ROWS;
	return $sql;
}

my $script = $node->basedir . '/feeder.sql';
{
	open my $fh, '>', $script or die "could not write $script: $!";
	print $fh "SET application_name = 'feeder';\n";
	print $fh batch_sql($_) for 0 .. $BATCHES - 1;
	close $fh;
}

########################################################################
# Readers and the monitor
########################################################################

# The reader's loop, as one DO block: check s and t, query after query, until
# a round that started after ctl.done was set (at most 150 s), then record
# what was found.  $check_s is the
# query giving (batches, rows, max batch, min batch, bad batches) of s.
sub reader_sql
{
	my ($name, $check_s) = @_;
	return qq{
\\echo started
DO \$\$
DECLARE
    queries int := 0;
    bad int := 0;            -- queries that saw a partial or wrong batch
    gaps int := 0;           -- queries whose batches were not 0..max
    backwards int := 0;      -- queries that saw fewer rows than the last one
    states int := 0;         -- different row counts seen
    prev int8 := 0;
    t_bad int := 0;
    t_backwards int := 0;
    t_states int := 0;
    t_prev int8 := 0;
    nb int8; n int8; maxb int; minb int; nbad int8;
    tn int8; tmax int8; tsum numeric; twsum numeric;
    done bool;
    stop timestamptz := clock_timestamp() + interval '150 s';
BEGIN
    LOOP
        -- read the flag first: the last round then sees everything committed
        done := (SELECT c.done FROM ctl c);
        queries := queries + 1;

        SELECT * INTO nb, n, maxb, minb, nbad FROM ($check_s) q;
        IF nbad <> 0 OR n <> nb * 1000 THEN bad := bad + 1; END IF;
        IF nb > 0 AND (minb <> 0 OR maxb <> nb - 1) THEN gaps := gaps + 1; END IF;
        IF n < prev THEN backwards := backwards + 1; END IF;
        IF n <> prev THEN states := states + 1; END IF;
        prev := n;

        SELECT count(*), coalesce(max(i), 0), coalesce(sum(i), 0), coalesce(sum(w), 0)
          INTO tn, tmax, tsum, twsum FROM t;
        IF tn <> tmax OR tsum <> tn * (tn + 1) / 2 OR twsum <> 3 * tsum THEN
            t_bad := t_bad + 1;
        END IF;
        IF tn < t_prev THEN t_backwards := t_backwards + 1; END IF;
        IF tn <> t_prev THEN t_states := t_states + 1; END IF;
        t_prev := tn;

        EXIT WHEN done OR clock_timestamp() > stop;
        PERFORM pg_sleep(0.01);
    END LOOP;
    INSERT INTO reader_result VALUES ('$name', queries, bad, gaps, backwards,
        states, prev, t_bad, t_backwards, t_states);
END
\$\$;
};
}

my $plain_check_s = q{
SELECT count(*), coalesce(sum(c), 0)::int8, coalesce(max(batch), -1),
       coalesce(min(batch), 0),
       count(*) FILTER (WHERE c <> 1000 OR sv <> batch::int8 * 1000000 + 500500)
  FROM (SELECT batch, count(*) AS c, sum(v) AS sv FROM s GROUP BY batch) g};

my @readers;
for my $i (0 .. $N_READERS - 1)
{
	my $r = $node->background_psql('postgres');
	$r->query_safe("SET application_name = 'reader$i'");
	$r->query_safe('SET shmcache.enable_customscan = off') if $i >= 6;
	push @readers, $r;
}
my $par = $node->background_psql('postgres');
$par->query_safe(
	q{SET application_name = 'reader_par';
SET force_parallel_mode = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET seq_page_cost = 0;});
my $par_pid = backend_pid($par);
like(
	$par->query_safe('EXPLAIN (COSTS OFF) SELECT * FROM check_s()'),
	qr/Function Scan on check_s/,
	'parallel reader calls check_s()');

# The monitor: every 20 ms, readers waiting for a lock (or an LWLock), and
# parallel workers of the parallel reader.
my $monitor = $node->background_psql('postgres');
$monitor->query_until(
	qr/started/, qq{
\\echo started
DO \$\$
DECLARE
    samples int := 0;
    lock_waits int := 0;
    lwlock_waits int := 0;
    par_samples int := 0;
    nlock int; nlw int; npar int;
    stop timestamptz := clock_timestamp() + interval '150 s';
BEGIN
    LOOP
        samples := samples + 1;
        -- read pg_stat_activity afresh, not the transaction's copy
        PERFORM pg_stat_clear_snapshot();
        SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'),
               count(*) FILTER (WHERE wait_event_type = 'LWLock')
          INTO nlock, nlw
          FROM pg_stat_activity
         WHERE application_name LIKE 'reader%' AND backend_type = 'client backend';
        IF nlock > 0 THEN
            lock_waits := lock_waits + 1;
            INSERT INTO monitor_waits
                SELECT pid, application_name, wait_event_type, wait_event, query
                  FROM pg_stat_activity
                 WHERE application_name LIKE 'reader%' AND wait_event_type = 'Lock';
        END IF;
        IF nlw > 0 THEN lwlock_waits := lwlock_waits + 1; END IF;
        SELECT count(*) INTO npar FROM pg_stat_activity
         WHERE backend_type = 'parallel worker' AND leader_pid = $par_pid;
        IF npar > 0 THEN par_samples := par_samples + 1; END IF;
        EXIT WHEN (SELECT done FROM ctl) OR clock_timestamp() > stop;
        PERFORM pg_sleep(0.02);
    END LOOP;
    INSERT INTO monitor_result VALUES (samples, lock_waits, lwlock_waits, par_samples);
END
\$\$;
});

for my $i (0 .. $N_READERS - 1)
{
	$readers[$i]->query_until(qr/started/, reader_sql("reader$i", $plain_check_s));
}
$par->query_until(qr/started/,
	reader_sql('reader_par', 'SELECT * FROM check_s()'));

########################################################################
# Phase 1: the feeder's script
########################################################################

my $t0 = time;
my ($feeder_out, $feeder_err) = ('', '');
my $feeder = IPC::Run::start(
	[
		$node->installed_command('psql'), '-X', '-q', '-v', 'ON_ERROR_STOP=1',
		'-d', $node->connstr('postgres'), '-f', $script
	],
	'>', \$feeder_out, '2>', \$feeder_err,
	IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
ok($feeder->finish, "feeder's script ran ($BATCHES batches)")
  or diag "feeder: $feeder_err";
note sprintf('feeder script: %.1f s', time - $t0);

my $next_batch = $BATCHES;

is( $node->safe_psql(
		'postgres', 'SELECT count(*), count(DISTINCT batch), max(batch) FROM s'),
	($BATCHES * 1000) . "|$BATCHES|" . ($BATCHES - 1),
	'all batches of the script are there');

########################################################################
# Phase 2: feeders cancelled and terminated half-way through a batch
########################################################################

# append batch b in a new session, timing it; must not wait
sub next_feeder
{
	my ($b, $what) = @_;
	my $start = time;
	$node->safe_psql('postgres',
		"SET lock_timeout = '20s'; INSERT INTO s SELECT $b, k, $b * 1000 + k FROM generate_series(1, 1000) k"
	);
	my $elapsed = time - $start;
	cmp_ok($elapsed, '<', 5,
		sprintf('%s: the next feeder appended batch %d at once (%.2f s)',
			$what, $b, $elapsed));
}

# the frame's write claim is not held by anyone
sub claim_free
{
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_locks WHERE locktype = 'object' AND classid = 'pg_class'::regclass AND objid = 's'::regclass"
	) eq '0';
}

# (a) pg_cancel_backend in a transaction block, at row 600 of a batch
{
	my $f = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = backend_pid($f);
	my $b = $next_batch;
	$f->query_until(qr/started/,
		"\\echo started\nBEGIN;\nINSERT INTO s SELECT $b, k, $b * 1000 + k FROM generate_series(1, 1000) k WHERE slow(k, 600);\n"
	);
	ok( $node->poll_query_until('postgres',
			"SELECT wait_event = 'PgSleep' FROM pg_stat_activity WHERE pid = $pid"),
		'cancel: feeder is half-way through its batch');
	$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
	ok( $node->poll_query_until('postgres',
			"SELECT state = 'idle in transaction (aborted)' FROM pg_stat_activity WHERE pid = $pid"
		),
		'cancel: the feeder is left in an aborted transaction block');
	ok(claim_free(),
		'cancel: its write claim is released before its ROLLBACK');
	next_feeder($b, 'cancel');
	$f->query('ROLLBACK');
	like($f->{stderr}, qr/canceling statement due to user request/,
		'cancel: the feeder got the cancel error');
	$f->quit;
	$next_batch++;
}

# (b) statement_timeout, at row 300 of a batch
{
	my $f = $node->background_psql('postgres', on_error_stop => 0);
	my $b = $next_batch;
	$f->query(
		"SET statement_timeout = '1s'; INSERT INTO s SELECT $b, k, $b * 1000 + k FROM generate_series(1, 1000) k WHERE slow(k, 300)"
	);
	like(
		$f->{stderr},
		qr/canceling statement due to statement timeout/,
		'statement_timeout: the feeder timed out');
	ok(claim_free(), 'statement_timeout: its write claim is released');
	next_feeder($b, 'statement_timeout');
	$f->quit;
	$next_batch++;
}

# (c) pg_terminate_backend during COPY FROM STDIN: 900 rows of the batch
# sent, no end of data
{
	my $f = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = backend_pid($f);
	my $b = $next_batch;
	$f->{stdin} .= "COPY s FROM STDIN;\n"
	  . join('', map { "$b\t$_\t" . ($b * 1000 + $_) . "\n" } 1 .. 900);
	$f->{run}->pump_nb;
	ok( $node->poll_query_until('postgres',
			"SELECT tuples_processed >= 100 FROM pg_stat_progress_copy WHERE pid = $pid"
		),
		'terminate: COPY FROM STDIN has loaded part of its batch');
	$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
	ok( $node->poll_query_until('postgres',
			"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid"),
		'terminate: the COPY feeder is gone');
	ok(claim_free(), 'terminate: its write claim is released');
	next_feeder($b, 'terminate during COPY');
	$f->{run}->kill_kill;
	$next_batch++;
}

# (d) pg_terminate_backend during an INSERT in a transaction block
{
	my $f = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = backend_pid($f);
	my $b = $next_batch;
	$f->query_until(qr/started/,
		"\\echo started\nBEGIN;\nINSERT INTO s SELECT $b, k, $b * 1000 + k FROM generate_series(1, 1000) k WHERE slow(k, 400);\n"
	);
	ok( $node->poll_query_until('postgres',
			"SELECT wait_event = 'PgSleep' FROM pg_stat_activity WHERE pid = $pid"),
		'terminate: INSERT feeder is half-way through its batch');
	$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
	ok( $node->poll_query_until('postgres',
			"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid"),
		'terminate: the INSERT feeder is gone');
	ok(claim_free(), 'terminate: its write claim is released');
	next_feeder($b, 'terminate during INSERT');
	$f->{run}->kill_kill;
	$next_batch++;
}

########################################################################
# Stop the readers and the monitor, and see what they found
########################################################################

$node->safe_psql('postgres', 'UPDATE ctl SET done = true');
$_->query_safe('SELECT 1') for (@readers, $par, $monitor);
note sprintf('run: %.1f s', time - $t0);

my $results = $node->safe_psql('postgres',
	'SELECT reader, queries, bad, gaps, backwards, states, last_rows, t_bad, t_backwards, t_states FROM reader_result ORDER BY reader'
);
note "reader|queries|bad|gaps|backwards|states|last_rows|t_bad|t_backwards|t_states\n$results";
my @rows = split /\n/, $results;
is(scalar(@rows), $N_READERS + 1, 'every reader reported');
for my $row (@rows)
{
	my ($name, $queries, $bad, $gaps, $backwards, $states, $last, $t_bad,
		$t_backwards, $t_states)
	  = split /\|/, $row;
	cmp_ok($queries, '>=', 20, "$name: ran $queries queries");
	cmp_ok($states, '>=', 5, "$name: saw s grow ($states different counts)");
	cmp_ok($t_states, '>=', 5, "$name: saw t grow ($t_states different counts)");
	is($bad, '0', "$name: saw whole batches only, with their sums");
	is($gaps, '0', "$name: saw batches 0..max, no gap");
	is($backwards, '0', "$name: the row count of s never went backwards");
	is($t_bad, '0', "$name: t was 1..n every time");
	is($t_backwards, '0', "$name: the row count of t never went backwards");
	is($last, $next_batch * 1000, "$name: saw the last batch in the end");
}

my ($samples, $lock_waits, $lwlock_waits, $par_samples) = split /\|/,
  $node->safe_psql('postgres', 'SELECT * FROM monitor_result');
note "monitor: $samples samples, $lwlock_waits with a reader waiting for an LWLock";
cmp_ok($samples, '>=', 100, "monitor sampled pg_stat_activity $samples times");
is($lock_waits, '0', 'no reader ever waited for a lock')
  or diag $node->safe_psql('postgres', 'SELECT * FROM monitor_waits');
cmp_ok($par_samples, '>', 0,
	"the parallel reader's queries ran parallel workers ($par_samples samples)");
# check_s()'s query itself, as the parallel reader plans it
like(
	$par->query_safe(
		q{EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM (SELECT batch, count(*) AS c, sum(v) AS sv FROM s GROUP BY batch) g
  LEFT JOIN expect e ON e.batch = g.batch}),
	qr/Workers Launched: [1-9].*Parallel Custom Scan \(ShmcacheAggregate\).*Rows Visible: @{[$next_batch * 1000]}\b/s,
	'the parallel reader\'s plan: the batches aggregated in parallel');

########################################################################
# Nothing lost, nothing duplicated; full chunks
########################################################################

my $nb = $next_batch;
is( $node->safe_psql(
		'postgres', qq{
SELECT count(*), count(DISTINCT (batch, k)), count(DISTINCT batch), min(batch),
       max(batch), min(k), max(k)
  FROM s}),
	($nb * 1000) . '|' . ($nb * 1000) . "|$nb|0|" . ($nb - 1) . '|1|1000',
	"s: batches 0..@{[$nb - 1]}, 1000 distinct rows each");
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM (SELECT batch, count(*) AS c, sum(v) AS sv FROM s GROUP BY batch) g
 WHERE c <> 1000 OR sv <> batch::int8 * 1000000 + 500500}),
	'0',
	's: every batch has its sum');
is( $node->safe_psql(
		'postgres', 'SELECT count(*), count(DISTINCT i), min(i), max(i), sum(w) = 3 * sum(i) FROM t'),
	"$t_rows|$t_rows|1|$t_rows|t",
	"t: rows 1..$t_rows, each once");

foreach my $frame ('s', 't')
{
	my ($rows, $chunks) = split /\|/, $node->safe_psql('postgres',
		"SELECT rows, chunks FROM shmcache.frames WHERE frame = '$frame'::regclass");
	my $full = ceil($rows / $CHUNK_ROWS);
	is($chunks, $full,
		"$frame: $rows rows appended by small commits fill $full chunks");
	like(
		$node->safe_psql(
			'postgres',
			"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM $frame"
		),
		qr/Chunks Scanned: $full\b/,
		"$frame: EXPLAIN shows $full chunks scanned");
}

########################################################################
# Dropped, the frames give back all of their memory
########################################################################

$_->quit for (@readers, $par, $monitor);
$node->safe_psql('postgres',
	"SELECT shmcache.drop_frame('s'); SELECT shmcache.drop_frame('t')");
is(used_bytes($node), $used_before,
	'after drop_frame, used_bytes is back to its figure before the frames');
is($node->safe_psql('postgres', 'SELECT frames FROM shmcache.memory'),
	'0', 'no frame is left in shared memory');

$node->stop;

done_testing();
