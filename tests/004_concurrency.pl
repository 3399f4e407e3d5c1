
# Copyright (c) 2026, shmcache authors

# Concurrent appenders and readers.
#
# - Two appenders on one frame: the second waits (on a heavyweight "object"
#   lock, visible in pg_locks and pg_stat_activity) until the first one's
#   transaction ends; no row is lost.  Deadlocks between appenders of two
#   frames are detected.
# - Readers never wait for a writer: an uncommitted load or truncate leaves
#   readers with the old rows, at once.
# - Loads are atomic for readers: while batches of 1000 rows are committed,
#   every count a reader sees is a multiple of 1000 and never decreases; a
#   transaction that truncates and reloads is seen as old or new, never
#   empty or partial; a cursor keeps reading the version it started on.
# - A query sees one snapshot of each frame, even if it scans it twice.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;

my $node = shmcache_node('concurrency', conf => ["deadlock_timeout = '100ms'"]);

my $csv = $node->basedir . '/reload.csv';

$node->safe_psql(
	'postgres', qq{
CREATE EXTENSION shmcache;
SELECT shmcache.create_frame('c', 'x int8, t text');
SELECT shmcache.create_frame('d', 'x int8');
CREATE TABLE ctl (done bool);
INSERT INTO ctl VALUES (false);
CREATE TABLE reader_log (i int, n int8, s numeric, l int8);
COPY (SELECT i, 'r' || i FROM generate_series(1, 50000) i) TO '$csv' (FORMAT csv);
});

# A query of another session that must not wait: run it with a short
# statement_timeout.
sub quick
{
	my ($sql) = @_;
	return $node->safe_psql('postgres', "SET statement_timeout = '5s'; $sql");
}

########################################################################
# Two appenders on one frame
########################################################################

my $s1 = $node->background_psql('postgres', on_error_stop => 0);
my $s2 = $node->background_psql('postgres', on_error_stop => 0);
my $pid1 = backend_pid($s1);
my $pid2 = backend_pid($s2);

$s1->query_safe(
	"BEGIN; INSERT INTO c SELECT i, 'a' || i FROM generate_series(1, 1000) i");
$s2->query_until(qr/started/,
	"\\echo started\nINSERT INTO c SELECT i, 'b' || i FROM generate_series(1001, 2000) i;\n"
);

ok( $node->poll_query_until('postgres',
		"SELECT wait_event_type = 'Lock' AND wait_event = 'object' FROM pg_stat_activity WHERE pid = $pid2"
	),
	'second appender waits on an object lock');
is( quick(
		"SELECT l.mode, l.granted FROM pg_locks l WHERE l.locktype = 'object' AND l.classid = 'pg_class'::regclass AND l.objid = 'c'::regclass AND l.pid = $pid2"
	),
	'ExclusiveLock|f',
	'pg_locks shows the waiting appender');
is( quick(
		"SELECT l.granted FROM pg_locks l WHERE l.locktype = 'object' AND l.classid = 'pg_class'::regclass AND l.objid = 'c'::regclass AND l.pid = $pid1"
	),
	't',
	'pg_locks shows the first appender holding the claim');
is(quick("SELECT pg_blocking_pids($pid2) = ARRAY[$pid1]"),
	't', 'pg_blocking_pids names the first appender');
is(quick('SELECT count(*) FROM c'),
	'0', 'a reader does not wait for the appenders and sees no rows yet');
is($s1->query_safe('SELECT count(*) FROM c'),
	'1000', 'the first appender sees its own rows');

$s1->query_safe('COMMIT');
is($s2->query_safe('SELECT count(*) FROM c'),
	'2000', 'second appender went on after the first committed');
is( quick('SELECT count(*), count(DISTINCT x), min(x), max(x), sum(length(t)) FROM c'),
	quick("SELECT count(*), count(DISTINCT i), min(i), max(i), sum(length(CASE WHEN i <= 1000 THEN 'a' ELSE 'b' END || i)) FROM generate_series(1, 2000) i"),
	'no row lost or mixed up');
is(frame_rows($node, 'c'), '2000', 'shmcache.frames shows 2000 rows');

# the same with ROLLBACK of the first appender
$s1->query_safe(
	"BEGIN; INSERT INTO c SELECT i, 'z' FROM generate_series(1, 500) i");
$s2->query_until(qr/started/,
	"\\echo started\nINSERT INTO c SELECT i, 'y' FROM generate_series(1, 700) i;\n"
);
ok( $node->poll_query_until('postgres',
		"SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $pid2"),
	'second appender waits again');
$s1->query_safe('ROLLBACK');
is($s2->query_safe('SELECT count(*) FROM c'),
	'2700', 'after ROLLBACK of the first, the second appender went on');
is(quick("SELECT count(*) FROM c WHERE t = 'z'"),
	'0', 'nothing of the rolled back load is visible');
is(quick("SELECT count(*) FROM c WHERE t = 'y'"),
	'700', 'all of the second load is visible');

# Deadlock between appenders of two frames.
$s1->query_safe('BEGIN; INSERT INTO c VALUES (1, \'dl\')');
$s2->query_safe('BEGIN; INSERT INTO d VALUES (1)');
$s1->query_until(qr/started/, "\\echo started\nINSERT INTO d VALUES (2);\n");
ok( $node->poll_query_until('postgres',
		"SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $pid1"),
	'appender 1 waits for appender 2');
{
	# Either waiter may be the one whose deadlock check runs first.
	$s2->query('INSERT INTO c VALUES (3, \'dl\')');
	$s1->query("SELECT 'ping'");
	my $e1 = $s1->{stderr};
	my $e2 = $s2->{stderr};
	$s1->{stderr} = $s2->{stderr} = '';
	my $victims = grep { /deadlock detected/ } ($e1, $e2);
	is($victims, 1, 'deadlock between appenders is detected in one of them')
	  or diag "session 1: $e1\nsession 2: $e2";
	$s1->query_safe($e1 =~ /deadlock/ ? 'ROLLBACK' : 'COMMIT');
	$s2->query_safe($e2 =~ /deadlock/ ? 'ROLLBACK' : 'COMMIT');
}
is(quick("SELECT count(*) FROM c WHERE t = 'dl'"), '1',
	'the surviving transaction committed its row in c');
is(quick('SELECT count(*) FROM d'), '1',
	'... and its row in d, none of the aborted one');

########################################################################
# Readers never wait
########################################################################

my $before = frame_rows($node, 'c');
$s1->query_safe(
	"BEGIN; INSERT INTO c SELECT i, repeat('w', 20) FROM generate_series(1, 200000) i"
);
is(quick('SELECT count(*) FROM c'),
	$before, 'reader sees the old count during an uncommitted load');
is(quick("SELECT count(*) FROM c WHERE t = repeat('w', 20)"),
	'0', '... and none of the new rows');
is(quick("SET shmcache.enable_customscan = off; SELECT count(*) FROM c"),
	$before, '... with the function scan too');
is(frame_rows($node, 'c'), $before, 'shmcache.frames shows the old count');
is($s1->query_safe('SELECT count(*) FROM c'),
	$before + 200000, 'the loader sees its own rows');
$s1->query_safe('COMMIT');
is(quick('SELECT count(*) FROM c'), $before + 200000,
	'the load is visible after commit');

$before = frame_rows($node, 'c');
$s1->query_safe("BEGIN; SELECT shmcache.truncate('c')");
is(quick('SELECT count(*) FROM c'),
	$before, 'reader sees the old rows during an uncommitted truncate');
$s1->query_safe('TRUNCATE c');
is(quick('SELECT count(*) FROM c'),
	$before, '... and during an uncommitted TRUNCATE statement');
is($s1->query_safe('SELECT count(*) FROM c'),
	'0', 'the truncating transaction sees an empty frame');
$s1->query_safe('ROLLBACK');
is(quick('SELECT count(*) FROM c'), $before, 'truncate rolled back');

########################################################################
# Batches of 1000 rows committed while a reader counts
########################################################################

# A reader that counts a frame in a loop until ctl.done (at most 60 s),
# logging every count, alternating the custom scan and the function scan.
sub start_reader
{
	my ($s, $frame, $isolation, $target) = @_;
	# A REPEATABLE READ reader cannot see ctl.done change: it stops when it
	# has seen $target rows.
	$target //= -1;
	$node->safe_psql('postgres',
		'UPDATE ctl SET done = false; TRUNCATE reader_log');
	my $begin = $isolation ? "BEGIN ISOLATION LEVEL $isolation;" : '';
	my $end = $isolation ? 'COMMIT;' : '';
	$s->query_until(
		qr/started/, qq{
\\echo started
$begin
DO \$\$
DECLARE
	n int8;
	s numeric;
	l int8;
	i int := 0;
	stop timestamptz := clock_timestamp() + interval '60 s';
BEGIN
	LOOP
		i := i + 1;
		PERFORM set_config('shmcache.enable_customscan',
		                   CASE WHEN i % 2 = 0 THEN 'on' ELSE 'off' END, true);
		EXECUTE 'SELECT count(*), coalesce(sum(x), 0), coalesce(sum(length(t)), 0) FROM $frame'
		   INTO n, s, l;
		INSERT INTO reader_log VALUES (i, n, s, l);
		EXIT WHEN n = $target OR (SELECT done FROM ctl) OR clock_timestamp() > stop;
	END LOOP;
END
\$\$;
$end
});
	# wait until the reader has logged a first count
	$node->poll_query_until('postgres',
		"SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE '%reader_log VALUES%' AND state = 'active' AND pid <> pg_backend_pid()"
	);
}

sub stop_reader
{
	my ($s) = @_;
	$node->safe_psql('postgres', 'UPDATE ctl SET done = true');
	$s->query_safe('SELECT 1');
}

$node->safe_psql('postgres',
	"SELECT shmcache.create_frame('b', 'x int8, t text')");
my $reader = $node->background_psql('postgres');
start_reader($reader, 'b', undef);
$node->safe_psql(
	'postgres', q{
DO $$
BEGIN
	FOR k IN 1..300 LOOP
		INSERT INTO b SELECT i, 'v' || i FROM generate_series(1, 1000) i;
		COMMIT;
		IF k % 10 = 0 THEN PERFORM pg_sleep(0.01); END IF;
	END LOOP;
END
$$;
});
stop_reader($reader);

my $per_batch_s = 500500;    # sum(1..1000)
my $per_batch_l = $node->safe_psql('postgres',
	"SELECT sum(length('v' || i)) FROM generate_series(1, 1000) i");
my ($nlog, $bad, $decreasing, $states, $lastn) = split /\|/, $node->safe_psql(
	'postgres', qq{
SELECT count(*),
       count(*) FILTER (WHERE n % 1000 <> 0 OR s <> n / 1000 * $per_batch_s
                              OR l <> n / 1000 * $per_batch_l),
       count(*) FILTER (WHERE n < prev),
       count(DISTINCT n),
       max(n)
  FROM (SELECT *, lag(n) OVER (ORDER BY i) AS prev FROM reader_log) r});
note "reader made $nlog counts, saw $states states";
cmp_ok($nlog, '>=', 100, "reader counted many times ($nlog)");
cmp_ok($states, '>', 2, "reader saw the frame grow ($states states)");
is($bad, '0', 'every count is whole batches, with their values');
is($decreasing, '0', 'counts never decrease');
is(frame_rows($node, 'b'), '300000', 'all batches are there');

# the same under REPEATABLE READ
$node->safe_psql('postgres', "SELECT shmcache.truncate('b')");
start_reader($reader, 'b', 'REPEATABLE READ', 200000);
$node->safe_psql(
	'postgres', q{
DO $$
BEGIN
	FOR k IN 1..200 LOOP
		INSERT INTO b SELECT i, 'v' || i FROM generate_series(1, 1000) i;
		COMMIT;
		IF k % 10 = 0 THEN PERFORM pg_sleep(0.01); END IF;
	END LOOP;
END
$$;
});
stop_reader($reader);
($nlog, $bad, $decreasing) = split /\|/, $node->safe_psql(
	'postgres', qq{
SELECT count(*),
       count(*) FILTER (WHERE n % 1000 <> 0 OR s <> n / 1000 * $per_batch_s
                              OR l <> n / 1000 * $per_batch_l),
       count(*) FILTER (WHERE n < prev)
  FROM (SELECT *, lag(n) OVER (ORDER BY i) AS prev FROM reader_log) r});
cmp_ok($nlog, '>=', 100, "REPEATABLE READ reader counted many times ($nlog)");
is($bad, '0', 'REPEATABLE READ: every count is whole batches');
is($decreasing, '0', 'REPEATABLE READ: counts never decrease');

########################################################################
# Truncate and reload in one transaction, seen atomically
########################################################################

$node->safe_psql(
	'postgres', qq{
SELECT shmcache.truncate('b');
SELECT shmcache.copy_from('b', '$csv', 'format csv');
});
my $used_before = used_bytes($node);
my $full_s = $node->safe_psql('postgres',
	'SELECT sum(i), sum(length(\'r\' || i)) FROM generate_series(1, 50000) i');
my ($full_sum, $full_len) = split /\|/, $full_s;

start_reader($reader, 'b', undef);
$node->safe_psql(
	'postgres', qq{
DO \$\$
BEGIN
	FOR k IN 1..40 LOOP
		IF k % 2 = 0 THEN
			PERFORM shmcache.truncate('b');
		ELSE
			TRUNCATE b;
		END IF;
		PERFORM shmcache.copy_from('b', '$csv', 'format csv');
		COMMIT;
	END LOOP;
END
\$\$;
});
stop_reader($reader);
($nlog, $bad) = split /\|/, $node->safe_psql(
	'postgres', qq{
SELECT count(*),
       count(*) FILTER (WHERE n <> 50000 OR s <> $full_sum OR l <> $full_len)
  FROM reader_log});
cmp_ok($nlog, '>=', 10, "reader counted during the reloads ($nlog)");
is($bad, '0', 'truncate + reload is seen atomically: never empty or partial');
is(used_bytes($node), $used_before, 'replaced versions were freed');

########################################################################
# A cursor keeps its version; a query sees one snapshot
########################################################################

$s2->query_safe(
	'BEGIN; DECLARE cur CURSOR FOR SELECT x FROM b; FETCH 10 FROM cur');
$node->safe_psql(
	'postgres', q{
BEGIN;
SELECT shmcache.truncate('b');
INSERT INTO b SELECT i, 'new' FROM generate_series(1, 10) i;
COMMIT;
});
is(quick('SELECT count(*) FROM b'), '10', 'new version committed');
cmp_ok(used_bytes($node), '>=', $used_before,
	'the old version is kept while a cursor reads it');
is($s2->query_safe(
		'SELECT count(*) FROM (SELECT 1) s; MOVE FORWARD ALL IN cur; SELECT 1'),
	"1\n1", 'cursor still works');
$s2->query_safe('CLOSE cur; COMMIT');
cmp_ok(used_bytes($node), '<', $used_before - 200_000,
	'the old version is freed once the cursor is closed');

# A cursor over the old version returns all of its rows.
$node->safe_psql('postgres',
	"SELECT shmcache.truncate('b'); SELECT shmcache.copy_from('b', '$csv', 'format csv')");
$s2->query_safe('BEGIN; DECLARE cur3 CURSOR FOR SELECT x FROM b; FETCH 5 FROM cur3');
$node->safe_psql('postgres',
	"BEGIN; TRUNCATE b; INSERT INTO b VALUES (-1, 'x'); COMMIT");
my @fetched = split /\n/, $s2->query_safe('FETCH ALL FROM cur3');
is(scalar(@fetched), 49995, 'cursor on the replaced version reads all its rows');
is($fetched[-1], '50000', '... to the last one');
$s2->query_safe('CLOSE cur3; COMMIT');

# One query scanning the frame twice, with a commit in between.
foreach my $cs ('on', 'off')
{
	$node->safe_psql('postgres',
		"SELECT shmcache.truncate('b'); INSERT INTO b SELECT i, 'q' FROM generate_series(1, 1000) i"
	);
	$s2->query_safe("SET shmcache.enable_customscan = $cs");
	$s2->query_until(qr/started/,
		"\\echo started\nSELECT (SELECT count(*) FROM b) AS first, pg_sleep(2) IS NOT NULL, (SELECT count(*) FROM b) AS second;\n"
	);
	ok( $node->poll_query_until('postgres',
			"SELECT wait_event = 'PgSleep' FROM pg_stat_activity WHERE pid = $pid2"),
		"the query is between its two scans (customscan $cs)");
	$node->safe_psql('postgres',
		"INSERT INTO b SELECT i, 'q' FROM generate_series(1, 1000) i");
	my $twice = $s2->query_safe('SELECT 1');
	is($twice, "1000|t|1000\n1",
		"a query sees the rows committed when it started, in both of its scans (customscan $cs)");
}

$s1->quit;
$s2->quit;
$reader->quit;

$node->stop;

done_testing();
