
# Copyright (c) 2026, shmcache authors

# Loads that end abnormally.
#
# - A backend killed with SIGKILL in the middle of a load: the postmaster
#   restarts after a crash, the frames come back empty, and shmcache.memory
#   shows exactly what a freshly started server shows (no leaked memory).
# - A load ended by pg_terminate_backend, by pg_cancel_backend or by
#   statement_timeout: the frame stays as it was before that load (rows and
#   used_bytes), and the next appender goes on at once (no lingering claim).

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;

my $node = shmcache_node('crash', conf => ['restart_after_crash = on']);

# A program that writes $n rows at once, then one row every 0.1 s for at
# most 60 s: the load is in progress, with $n unpublished rows appended, for
# as long as we need.  It stops at its next write once the reader is gone.
sub slow_program
{
	my ($n) = @_;
	return "seq 1 $n; i=0; while [ \$i -lt 600 ]; do echo 0; sleep 0.1; i=\$((i+1)); done";
}

# The same for INSERT: $n rows, then a long sleep in the same statement.
sub slow_insert
{
	my ($frame, $n) = @_;
	return "INSERT INTO $frame SELECT i FROM generate_series(1, $n) i "
	  . "UNION ALL SELECT 0 FROM pg_sleep(60)";
}

# pid of the backend running a query that matches $pattern (LIKE)
sub loader_pid
{
	my ($pattern) = @_;
	my $pid;
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE '$pattern' AND pid <> pg_backend_pid()"
	) or die "no backend runs $pattern";
	$pid = $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE query LIKE '$pattern' AND pid <> pg_backend_pid()"
	);
	return $pid;
}

# Wait until the unpublished rows of a load take at least $bytes more than
# $before.
sub wait_for_growth
{
	my ($before, $bytes, $what) = @_;
	ok( $node->poll_query_until('postgres',
			"SELECT used_bytes >= $before + $bytes FROM shmcache.memory"),
		"$what: the load is under way");
}

# Frames of a fresh server, materialised (first use), and after a load.
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION shmcache;
SELECT shmcache.create_frame('f', 'x int8');
SELECT shmcache.create_frame('g', 'x int8, t text');
});
$node->safe_psql('postgres', 'SELECT count(*) FROM f; SELECT count(*) FROM g');
my $used_fresh = used_bytes($node);
$node->safe_psql('postgres',
	"SELECT shmcache.copy_from_program('f', 'seq 1 100000', 'format text')");
my $used_fresh_loaded = used_bytes($node);
cmp_ok($used_fresh_loaded, '>', $used_fresh + 800_000,
	'a load of 100000 int8 takes memory');
$node->safe_psql('postgres',
	"INSERT INTO g SELECT i, i || repeat('t', i % 100) FROM generate_series(1, 20000) i");
is(frame_rows($node, 'f'), '100000', 'f loaded');
is(frame_rows($node, 'g'), '20000', 'g loaded');

########################################################################
# SIGKILL during a load
########################################################################

my $used_before = used_bytes($node);
my $loader = $node->background_psql('postgres', on_error_stop => 0);
$loader->query_until(qr/started/,
	"\\echo started\nSELECT shmcache.copy_from_program('f', '"
	  . slow_program(200000)
	  . "', 'format text');\n");
my $pid = loader_pid('%copy_from_program%');
wait_for_growth($used_before, 1_000_000, 'SIGKILL');
is(frame_rows($node, 'f'), '100000', 'rows of an unfinished load are not visible');

my $log_offset = -s $node->logfile;
ok(kill('KILL', $pid), "SIGKILL sent to loading backend $pid");
eval { $loader->quit; };

ok(wait_for_server($node),
	'server accepts connections again after the crash');
ok( $node->log_contains(
		qr/server process \(PID $pid\) was terminated by signal 9/,
		$log_offset),
	'log shows the killed backend');
ok( $node->log_contains(
		qr/all server processes terminated; reinitializing/, $log_offset),
	'log shows the crash restart');

is($node->safe_psql('postgres', 'SELECT count(*) FROM f'),
	'0', 'frame f is empty after the crash restart');
is($node->safe_psql('postgres', 'SELECT count(*) FROM g'),
	'0', 'frame g is empty after the crash restart');
is($node->safe_psql('postgres', 'SELECT count(*), sum(rows) FROM shmcache.frames'),
	'2|0', 'shmcache.frames lists both frames, with no rows');
is(used_bytes($node), $used_fresh,
	'empty frames use what they use on a fresh server (nothing leaked)');
$node->safe_psql('postgres',
	"SELECT shmcache.copy_from_program('f', 'seq 1 100000', 'format text')");
is(frame_rows($node, 'f'), '100000', 'reload after the crash restart');
is(used_bytes($node), $used_fresh_loaded,
	'reload uses what it used on a fresh server');
is($node->safe_psql('postgres', 'SELECT count(*), sum(x) FROM f'),
	'100000|5000050000', 'reloaded rows are right');
$node->safe_psql('postgres',
	"INSERT INTO g SELECT i, i || repeat('t', i % 100) FROM generate_series(1, 20000) i");

########################################################################
# pg_terminate_backend, pg_cancel_backend and statement_timeout during loads
########################################################################

# After a load of frame $frame ended abnormally: same rows and memory as
# before it, and another transaction can append at once.
sub check_undone
{
	my ($frame, $rows_before, $used_before, $what) = @_;

	is(frame_rows($node, $frame), $rows_before, "$what: rows as before the load");
	is($node->safe_psql('postgres', "SELECT count(*) FROM $frame"),
		$rows_before, "$what: scan sees the rows as before the load");
	is(used_bytes($node), $used_before, "$what: used_bytes as before the load");

	my ($ret, $out, $err) = $node->psql(
		'postgres', qq{
SET lock_timeout = '5s';
BEGIN;
INSERT INTO $frame (x) SELECT i FROM generate_series(1, 1000) i;
SELECT count(*) FROM $frame;
ROLLBACK;
});
	is($ret, 0, "$what: the next appender goes on at once") or diag $err;
	is($out, $rows_before + 1000, "$what: and sees its own rows");
	is(used_bytes($node), $used_before, "$what: its rollback gives memory back");
	($ret, $out, $err) = $node->psql(
		'postgres', qq{
SET lock_timeout = '5s';
INSERT INTO $frame (x) VALUES (42);
});
	is($ret, 0, "$what: a committed append works") or diag $err;
	is(frame_rows($node, $frame), $rows_before + 1, "$what: and is visible");
}

# Run a slow load in a background session, stop it with $stop (a coderef
# given the backend's pid), and check the frame afterwards.
sub abnormal_end
{
	my (%p) = @_;
	my $what = $p{what};
	my $frame = $p{frame};
	my $rows_before = frame_rows($node, $frame);
	my $used_before = used_bytes($node);

	my $s = $node->background_psql('postgres', on_error_stop => 0);
	$s->query_safe($p{setup}) if $p{setup};
	$s->query_until(qr/started/, "\\echo started\n$p{load};\n");
	my $pid = loader_pid($p{pattern});
	wait_for_growth($used_before, $p{growth}, $what);
	is(frame_rows($node, $frame), $rows_before,
		"$what: unpublished rows are not visible to others");

	$p{stop}->($pid);

	if ($p{terminated})
	{
		ok( $node->poll_query_until('postgres',
				"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid"),
			"$what: backend $pid has exited");
		eval { $s->quit; };
	}
	else
	{
		# the session lives on and reports the error of its statement
		my ($out, $failed) =
		  $s->query($p{in_xact} ? 'ROLLBACK; SELECT 1' : 'SELECT 1');
		like($s->{stderr}, $p{error}, "$what: the load failed with the expected error");
		is($out, '1', "$what: the session goes on");
		$s->{stderr} = '';
		$s->quit;
	}
	check_undone($frame, $rows_before, $used_before, $what);
}

abnormal_end(
	what => 'pg_terminate_backend of copy_from_program',
	frame => 'f',
	load => "SELECT shmcache.copy_from_program('f', '"
	  . slow_program(300000)
	  . "', 'format text')",
	pattern => '%copy_from_program%',
	growth => 1_500_000,
	stop => sub {
		$node->safe_psql('postgres', "SELECT pg_terminate_backend($_[0])");
	},
	terminated => 1);

abnormal_end(
	what => 'pg_terminate_backend of INSERT',
	frame => 'g',
	load => "INSERT INTO g SELECT i, i || repeat('t', i % 100) FROM generate_series(1, 100000) i "
	  . "UNION ALL SELECT 0, '' FROM pg_sleep(60)",
	pattern => '%pg_sleep(60)%',
	growth => 1_500_000,
	stop => sub {
		$node->safe_psql('postgres', "SELECT pg_terminate_backend($_[0])");
	},
	terminated => 1);

abnormal_end(
	what => 'pg_terminate_backend in a transaction with earlier loads',
	frame => 'f',
	setup => "BEGIN; INSERT INTO f SELECT i FROM generate_series(1, 50000) i; "
	  . "SAVEPOINT s; SELECT shmcache.truncate('f'); "
	  . "INSERT INTO f SELECT i FROM generate_series(1, 50000) i; RELEASE s",
	load => slow_insert('f', 200000),
	pattern => '%pg_sleep(60)%',
	growth => 1_000_000,
	stop => sub {
		$node->safe_psql('postgres', "SELECT pg_terminate_backend($_[0])");
	},
	terminated => 1);

abnormal_end(
	what => 'pg_cancel_backend of copy_from_program',
	frame => 'f',
	load => "SELECT shmcache.copy_from_program('f', '"
	  . slow_program(300000)
	  . "', 'format text')",
	pattern => '%copy_from_program%',
	growth => 1_500_000,
	stop => sub {
		$node->safe_psql('postgres', "SELECT pg_cancel_backend($_[0])");
	},
	error => qr/canceling statement due to user request/);

abnormal_end(
	what => 'pg_cancel_backend of INSERT in a transaction',
	frame => 'f',
	setup => "BEGIN; INSERT INTO f SELECT i FROM generate_series(1, 30000) i",
	load => slow_insert('f', 200000),
	pattern => '%pg_sleep(60)%',
	growth => 1_000_000,
	stop => sub {
		$node->safe_psql('postgres', "SELECT pg_cancel_backend($_[0])");
	},
	in_xact => 1,
	error => qr/canceling statement due to user request/);

abnormal_end(
	what => 'statement_timeout during copy_from_program',
	frame => 'f',
	setup => "SET statement_timeout = '5s'",
	load => "SELECT shmcache.copy_from_program('f', '"
	  . slow_program(300000)
	  . "', 'format text')",
	pattern => '%copy_from_program%',
	growth => 1_500_000,
	stop => sub {
		my $pid = shift;
		ok( $node->poll_query_until('postgres',
				"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid AND state = 'active'"
			),
			'statement_timeout ended the load');
	},
	error => qr/canceling statement due to statement timeout/);

# A waiting appender that is cancelled leaves no trace either.
{
	my $rows_before = frame_rows($node, 'f');
	my $used_before = used_bytes($node);
	my $holder = $node->background_psql('postgres');
	$holder->query_safe('BEGIN; INSERT INTO f VALUES (1)');
	my ($ret, $out, $err) = $node->psql('postgres',
		"SET lock_timeout = '500ms'; INSERT INTO f VALUES (2)");
	isnt($ret, 0, 'a second appender waits for the claim (lock_timeout)');
	like($err, qr/canceling statement due to lock timeout/,
		'... and gives up with lock_timeout');
	$holder->query_safe('ROLLBACK');
	$holder->quit;
	check_undone('f', $rows_before, $used_before, 'cancelled waiter');
}

# And a crash after all this still leaves a consistent server.
$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', 'SELECT count(*) FROM f'),
	'0', 'frame empty after immediate shutdown and start');
$node->safe_psql('postgres', 'SELECT count(*) FROM g');
is(used_bytes($node), $used_fresh, 'memory as on a fresh server');

$node->stop;

done_testing();
