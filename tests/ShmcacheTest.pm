
# Copyright (c) 2026, shmcache authors

# ShmcacheTest
#	What the TAP tests (tests/*.pl) share: a node that preloads shmcache,
#	the figures of shmcache.memory and shmcache.frames they read again and
#	again, and waiting for a server that restarts after a crash.
#
# The Makefile puts tests/ on prove's include path (PROVE_FLAGS), so a test
# needs only "use ShmcacheTest;".  Every function is exported.  Functions
# that take a database default to "postgres"; the ones that read
# shmcache.memory need the extension there.

package ShmcacheTest;

use strict;
use warnings;

use Carp;
use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Time::HiRes qw(usleep);

our @EXPORT = qw(
  shmcache_node
  frame_rows
  used_bytes
  backend_pid
  wait_for_server
  crash_backend
);

# shmcache_node(NAME, OPTION => VALUE, ...): a new PostgreSQL::Test::Cluster,
# initialised, whose postgresql.conf preloads shmcache, and started.
# Options:
#	size	 shmcache.size (default '64MB')
#	conf	 more postgresql.conf lines, after those two (array ref)
#	preload	 shared_preload_libraries (default 'shmcache')
#	init	 arguments for init() (array ref)
#	start	 0 to leave the node stopped (default 1)
sub shmcache_node
{
	my ($name, %opts) = @_;
	my %known = map { $_ => 1 } qw(size conf preload init start);

	foreach my $k (keys %opts)
	{
		croak "shmcache_node: unknown option \"$k\"" unless $known{$k};
	}

	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(@{ $opts{init} // [] });
	$node->append_conf(
		'postgresql.conf',
		join('',
			map { "$_\n" } "shared_preload_libraries = '"
			  . ($opts{preload} // 'shmcache') . "'",
			"shmcache.size = '" . ($opts{size} // '64MB') . "'",
			@{ $opts{conf} // [] }));
	$node->start if $opts{start} // 1;
	return $node;
}

# frame_rows(NODE, FRAME [, DB]): the rows shmcache.frames counts for frame
# FRAME (its view's name) of database DB.
sub frame_rows
{
	my ($node, $frame, $db) = @_;
	return $node->safe_psql($db // 'postgres',
		"SELECT rows FROM shmcache.frames WHERE frame = '$frame'::regclass");
}

# used_bytes(NODE): used_bytes of shmcache.memory, the bytes in use in
# shmcache's shared memory (by every database's frames).
sub used_bytes
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		'SELECT used_bytes FROM shmcache.memory');
}

# backend_pid(SESSION): the pid of the backend of a background_psql session.
sub backend_pid
{
	my ($session) = @_;
	return $session->query_safe('SELECT pg_backend_pid()');
}

# wait_for_server(NODE): wait until the server accepts connections (during a
# crash restart a connection attempt may fail in any way).  True if it does
# within the default timeout.
sub wait_for_server
{
	my ($node) = @_;
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;

	while (time() < $deadline)
	{
		my $ok = eval {
			my ($ret, $out) = $node->psql('postgres', 'SELECT 1');
			$ret == 0 && $out eq '1';
		};
		return 1 if $ok;
		usleep(100_000);
	}
	return 0;
}

# crash_backend(NODE [, DB]): crash the server: kill a new backend of DB with
# SIGKILL, then wait until the postmaster has reinitialized (the node must
# have restart_after_crash = on) and accepts connections again.  Returns the
# offset in the server log from before the crash.
sub crash_backend
{
	my ($node, $db) = @_;
	my $session = $node->background_psql($db // 'postgres', on_error_stop => 0);
	my $pid = backend_pid($session);
	my $offset = -s $node->logfile;

	kill 'KILL', $pid;
	$node->wait_for_log(qr/all server processes terminated; reinitializing/,
		$offset);
	eval { $session->quit };
	wait_for_server($node) or die 'the server did not restart after the crash';
	return $offset;
}

1;
