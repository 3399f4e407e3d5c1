
# Copyright (c) 2026, shmcache authors

# Indexes across restarts, dumps and concurrent use.
#
# - a clean restart with autoload brings frames back with their indexes:
#   every key is found through the index, uniqueness still holds, and the
#   index holds one entry per row;
# - pg_dump and a restore into another database keep the index definitions
#   (PRIMARY KEY, UNIQUE, create_index);
# - a database at extension version 0.1 updates to 0.2, and its frames take
#   indexes;
# - readers probing keys while a feeder appends batches and rolls every
#   other one back: a reader never sees a row of a batch that did not
#   commit, never misses a committed key, and the final frame equals what
#   was committed.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;

my $node = shmcache_node('indexes', size => '128MB',
	conf => [ 'shmcache.save_interval = 0' ]);

$node->safe_psql('postgres', q{
CREATE EXTENSION shmcache;
SELECT shmcache.create_frame('k', 'id int8 PRIMARY KEY, code text, grp int4, UNIQUE (code, grp)');
INSERT INTO k SELECT g, 'c' || (g % 5000), g / 5000 FROM generate_series(1, 50000) g;
SELECT shmcache.create_index('k', 'grp');
});

# All keys of k found through the index (a join probing it per row).
sub keys_found
{
	my ($n) = @_;
	return $node->safe_psql('postgres', qq{
SET enable_hashjoin = off; SET enable_mergejoin = off;
SELECT count(*) FROM generate_series(1, $n) g JOIN k ON k.id = g;
});
}

is(keys_found(50000), '50000', 'every key is found before the restart');
like($node->safe_psql('postgres', q{
EXPLAIN (COSTS OFF) SELECT * FROM k WHERE id = 7}), qr/ShmcacheLookup/,
	'a point query probes the index');

# 1. Clean restart with autoload.
my $offset = -s $node->logfile;
$node->restart;
$node->wait_for_log(qr/shmcache: autoload (finished|interrupted)/, $offset);
is($node->safe_psql('postgres', 'SELECT count(*) FROM k'), '50000',
	'the rows come back after a restart');
is(keys_found(50000), '50000', 'every key is found through the index after the restart');
is($node->safe_psql('postgres', q{
SELECT string_agg(name || ':' || entries, ',' ORDER BY name) FROM shmcache.indexes}),
	'k_code_grp_key:50000,k_grp_idx:50000,k_pkey:50000',
	'the indexes hold one entry per row after the restart');
my ($rc, $out, $err) = $node->psql('postgres', q{INSERT INTO k VALUES (17, 'x', 99)});
like($err, qr/duplicate key value violates unique constraint "k_pkey"/,
	'uniqueness holds after the restart');
($rc, $out, $err) = $node->psql('postgres', q{INSERT INTO k VALUES (50001, 'c1', 0)});
like($err, qr/Key \(code, grp\)=\(c1, 0\) already exists/,
	'the two-column key holds after the restart');

# 2. pg_dump keeps the definitions.
$node->safe_psql('postgres', 'CREATE DATABASE restored');
my $dump = $node->basedir . '/dump.sql';
$node->command_ok([ 'pg_dump', '-d', $node->connstr('postgres'), '-f', $dump ],
	'pg_dump of a database with indexed frames');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
		$node->connstr('restored'), '-f', $dump ], 'the dump restores');
is($node->safe_psql('restored', q{
SELECT string_agg(name || ':' || columns || ':' || "unique", ',' ORDER BY name)
  FROM shmcache.indexes}),
	'k_code_grp_key:code, grp:true,k_grp_idx:grp:false,k_pkey:id:true',
	'the restored database has the same index definitions');
$node->safe_psql('restored', q{INSERT INTO k VALUES (1, 'a', 1)});
($rc, $out, $err) = $node->psql('restored', q{INSERT INTO k VALUES (1, 'b', 2)});
like($err, qr/duplicate key value violates unique constraint "k_pkey"/,
	'the restored frame enforces its primary key');

# 3. A database at extension version 0.1 with a frame, updated to the
# current version: the frame keeps its rows, takes indexes and changes;
# pg_dump still works.
$node->safe_psql('postgres', 'CREATE DATABASE up01');
$node->safe_psql('up01', q{
CREATE EXTENSION shmcache VERSION '0.1';
SELECT shmcache.create_frame('old', 'id int8, v text');
INSERT INTO old VALUES (1, 'a'), (2, 'b');
ALTER EXTENSION shmcache UPDATE;
SELECT shmcache.create_index('old', 'id', true);
});
is($node->safe_psql('up01', q{
SELECT extversion FROM pg_extension WHERE extname = 'shmcache'}), '0.3',
	'the extension updates from 0.1 to 0.3');
is($node->safe_psql('up01', q{SELECT entries FROM shmcache.indexes}), '2',
	'a frame made at 0.1 takes an index after the update');
($rc, $out, $err) = $node->psql('up01', q{INSERT INTO old VALUES (1, 'c')});
like($err, qr/duplicate key value violates unique constraint "old_id_key"/,
	'and enforces it');
$node->safe_psql('up01', q{UPDATE old SET v = 'z' WHERE id = 2; DELETE FROM old WHERE id = 1});
is($node->safe_psql('up01', q{SELECT string_agg(id || v, ',' ORDER BY id) FROM old}), '2z',
	'a frame made at 0.1 takes UPDATE and DELETE after the update');
$node->command_ok([ 'pg_dump', '-d', $node->connstr('up01'), '-f',
		$node->basedir . '/up01.sql' ], 'pg_dump of the updated database');

# 4. Readers probing while a feeder appends and rolls back.
$node->safe_psql('postgres', q{
SELECT shmcache.create_frame('feed', 'id int8 PRIMARY KEY, batch int4');
});
my $batches = 60;
my $feeder = $node->background_psql('postgres');
my @readers = map { $node->background_psql('postgres') } 1 .. 3;
$_->query_safe('SET enable_hashjoin = off; SET enable_mergejoin = off') for @readers;
my $bad = 0;
for my $b (1 .. $batches)
{
	my $first = $b * 1000;
	my $last = $first + 999;
	my $end = ($b % 2 == 0) ? 'ROLLBACK' : 'COMMIT';
	$feeder->query_safe(qq{BEGIN; INSERT INTO feed SELECT g, $b FROM generate_series($first, $last) g;});
	for my $r (@readers)
	{
		# The batch in flight is not visible; the committed ones all are.
		my $seen = $r->query_safe(qq{
SELECT count(*) FILTER (WHERE batch = $b),
       count(*) FILTER (WHERE batch % 2 = 0),
       count(*)
  FROM generate_series(1000, $last) g JOIN feed ON feed.id = g});
		my $committed = int(($b - 1 + 1) / 2) * 1000;
		$bad++ unless $seen eq "0|0|$committed";
	}
	$feeder->query_safe($end);
}
$feeder->quit;
$_->quit for @readers;
is($bad, 0, 'readers never saw an uncommitted batch nor missed a committed key');
is($node->safe_psql('postgres', q{
SELECT count(*), count(DISTINCT id), min(batch % 2) FROM feed}),
	(int($batches / 2) * 1000) . '|' . (int($batches / 2) * 1000) . '|1',
	'the frame holds exactly the committed batches');
is($node->safe_psql('postgres', q{
SET enable_hashjoin = off; SET enable_mergejoin = off;
SELECT count(*) FROM generate_series(1, 100000) g JOIN feed ON feed.id = g}),
	int($batches / 2) * 1000, 'every committed key is found through the index');
is($node->safe_psql('postgres', q{
SELECT entries FROM shmcache.indexes WHERE name = 'feed_pkey'}),
	int($batches / 2) * 1000, 'rolled-back batches left no entries');

done_testing();
