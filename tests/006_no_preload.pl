
# Copyright (c) 2026, shmcache authors

# shmcache without shared_preload_libraries.
#
# CREATE EXTENSION works, and every function, view and frame view raises one
# clear ERROR (SQLSTATE 55000) that names shared_preload_libraries; nothing
# crashes.  Frames defined while shmcache was preloaded survive a restart
# without it and work again once it is preloaded again, with the rows saved
# when the server last stopped with it.  A postmaster that
# preloads shmcache reserves shmcache.size more shared memory.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('no_preload');
$node->init;
$node->start;

my $csv = $node->basedir . '/data.csv';
PostgreSQL::Test::Utils::append_to_file($csv, "1\n2\n");

# Without shmcache in shared_preload_libraries, the extension can be created
# (its functions then refuse to run).  Loading the library must not kill the
# session.
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
my ($ret, $out, $err) = $node->psql('fresh', "LOAD 'shmcache'; SELECT 1");
is($ret, 0, 'LOAD works without shared_preload_libraries') or diag $err;
unlike($err, qr/FATAL|PANIC/, 'LOAD does not end the session');
($ret, $out, $err) = $node->psql('fresh', 'CREATE EXTENSION shmcache');
is($ret, 0, 'CREATE EXTENSION works without shared_preload_libraries')
  or diag $err;
unlike($err, qr/FATAL|PANIC/, 'CREATE EXTENSION does not end the session');

# Run $sql in $db; it must fail with SQLSTATE 55000 and name
# shared_preload_libraries.
sub expect_not_loaded
{
	my ($sql, $what, $db) = @_;
	$db //= 'postgres';
	my ($r, $o, $e) = $node->psql($db, "\\set VERBOSITY verbose\n$sql");
	isnt($r, 0, "$what: fails");
	like($e, qr/ERROR:  55000: .*shared_preload_libraries/,
		"$what: ERROR 55000 naming shared_preload_libraries");
	unlike($e, qr/PANIC|FATAL|server closed the connection/,
		"$what: an ERROR, not a FATAL or a crash");
}

# Frames defined while shmcache is preloaded.
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'shmcache'\nshmcache.size = '16MB'\n");
$node->restart;
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION shmcache;
SELECT shmcache.create_frame('f', 'x int4');
SELECT shmcache.create_frame('g', 'x int4');
INSERT INTO f VALUES (1), (2), (3);
CREATE TABLE t (x int4);
});
is($node->safe_psql('postgres', 'SELECT count(*) FROM f'),
	'3', 'frame works with shmcache preloaded');
my $preloaded_size = $node->safe_psql('postgres', 'SHOW shared_memory_size');

# Restart without it.
$node->append_conf('postgresql.conf', "shared_preload_libraries = ''\n");
$node->restart;
my $plain_size = $node->safe_psql('postgres', 'SHOW shared_memory_size');

expect_not_loaded("SELECT shmcache.create_frame('h', 'x int4')", 'create_frame');
expect_not_loaded('SELECT * FROM shmcache.memory', 'shmcache.memory');
expect_not_loaded('SELECT * FROM shmcache.frames', 'shmcache.frames');
expect_not_loaded('SELECT * FROM shmcache.memory_stats()', 'memory_stats');
expect_not_loaded('SELECT * FROM shmcache.frame_stats()', 'frame_stats');
expect_not_loaded('SELECT * FROM shmcache.scan(1) AS f(x int4)', 'scan');
expect_not_loaded("SELECT shmcache.cache_table('t')", 'cache_table');
is($node->safe_psql('postgres', "SELECT to_regclass('t_cache') IS NULL"),
	't', 'cache_table left nothing behind');
is($node->safe_psql('postgres', "SELECT to_regclass('h') IS NULL"),
	't', 'create_frame left nothing behind');

expect_not_loaded('SELECT * FROM f', 'reading a frame view');
expect_not_loaded('SET shmcache.enable_customscan = off; SELECT * FROM f',
	'reading a frame view (function scan)');
expect_not_loaded('SELECT count(*) FROM f', 'counting a frame view');
expect_not_loaded('INSERT INTO f VALUES (4)', 'INSERT into a frame view');
expect_not_loaded("COPY f FROM STDIN;\n4\n\\.\n", 'COPY into a frame view');
expect_not_loaded("SELECT shmcache.copy_from('f', '$csv', 'format csv')",
	'copy_from');
expect_not_loaded(
	"SELECT shmcache.copy_from_program('f', 'echo 1', 'format csv')",
	'copy_from_program');
expect_not_loaded("SELECT shmcache.truncate('f')", 'truncate');
{
	# Nothing loads the library for a TRUNCATE statement, so PostgreSQL's own
	# error ("is not a table") is fine too.
	my ($r, $o, $e) = $node->psql('postgres', 'TRUNCATE f');
	isnt($r, 0, 'TRUNCATE of a frame view fails');
	like($e, qr/shared_preload_libraries|"f" is not a table/,
		'TRUNCATE of a frame view: with a clear error');
	unlike($e, qr/PANIC|FATAL|server closed the connection/,
		'TRUNCATE of a frame view: no crash');
}
expect_not_loaded("SELECT shmcache.drop_frame('f')", 'drop_frame');
is($node->safe_psql('postgres', "SELECT to_regclass('f') IS NOT NULL"),
	't', 'the failed drop_frame left the view');
if ($node->safe_psql('fresh',
		"SELECT count(*) FROM pg_extension WHERE extname = 'shmcache'") eq '1')
{
	expect_not_loaded("SELECT shmcache.create_frame('h', 'x int4')",
		'create_frame in the database where the extension was created unloaded', 'fresh');
}

# Plain SQL on the definitions still works: the catalog is a table.
is($node->safe_psql('postgres', 'SELECT count(*) FROM shmcache.frame_catalog'),
	'2', 'frame_catalog is readable without the library');

# Preloaded again: the frames work, with the rows they had when the server
# last stopped with shmcache preloaded (saved then, loaded back now).
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'shmcache'\n");
$node->restart;
is($node->safe_psql('postgres', 'SELECT count(*) FROM f'),
	'3', 'frame view works again once shmcache is preloaded, with its saved rows');
$node->safe_psql('postgres', 'INSERT INTO f VALUES (5)');
is($node->safe_psql('postgres', 'SELECT string_agg(x::text, \',\' ORDER BY x) FROM f'),
	'1,2,3,5', 'and loads');
$node->safe_psql('postgres', "SELECT shmcache.drop_frame('g')");
is($node->safe_psql('postgres', 'SELECT count(*) FROM shmcache.frames'),
	'1', 'drop_frame works again');

# shared_memory_size grows by shmcache.size (16 MB) when preloaded.
note "shared_memory_size: $preloaded_size preloaded, $plain_size without";
my ($pre_mb) = $preloaded_size =~ /^(\d+)(?:MB)?$/;
my ($plain_mb) = $plain_size =~ /^(\d+)(?:MB)?$/;
ok(defined $pre_mb && defined $plain_mb, 'shared_memory_size is in MB');
cmp_ok($pre_mb - $plain_mb, '>=', 16,
	'preloaded shmcache reserves at least shmcache.size more shared memory');
cmp_ok($pre_mb - $plain_mb, '<', 24, '... and not much more');

$node->stop;

# postgres -C on a stopped server gives the same picture.
my $pgdata = $node->data_dir;
my $with = `postgres -D '$pgdata' -C shared_memory_size 2>&1`;
chomp $with;
my $without = `postgres -D '$pgdata' -c shared_preload_libraries= -C shared_memory_size 2>&1`;
chomp $without;
note "postgres -C shared_memory_size: $with with, $without without";
my ($with_mb) = $with =~ /^(\d+)(?:MB)?$/;
my ($without_mb) = $without =~ /^(\d+)(?:MB)?$/;
ok(defined $with_mb && defined $without_mb, 'postgres -C shared_memory_size works')
  or diag "with: $with\nwithout: $without";
cmp_ok(($with_mb // 0) - ($without_mb // 0), '>=', 16,
	'postgres -C shows shmcache.size reserved');

done_testing();
