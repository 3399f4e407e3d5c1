
# Copyright (c) 2026, shmcache authors

# Frames across a clean restart, and isolation between databases.
#
# - frames of several types (int8, text, numeric, timestamptz, jsonb, int4[]
#   with NULLs) in two databases, loaded by INSERT, copy_from, COPY FROM
#   STDIN and cache_table, equal their source tables;
# - after a clean restart with shmcache.autoload = off the views still work,
#   every frame is empty and shmcache.memory shows almost nothing in use
#   (frames coming back from their snapshots are tested in 008_snapshots.pl);
# - appends to frames whose snapshots were not loaded are refused; reloading
#   after truncate gives back exactly the source rows (EXCEPT ALL both ways);
# - a frame of one database is invisible from another one, even through
#   shmcache.scan() with its frame id.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;

my $node = shmcache_node('restart', conf => ['shmcache.autoload = off']);

my $csv = $node->basedir . '/src.csv';

# Column list of the typed frames, and the matching source table.
my $cols = 'id int8, name text, amount numeric(12,3), ts timestamptz, '
  . 'doc jsonb, tags int4[]';

# Rows of the source table; $salt makes the two databases' rows differ.
sub source_sql
{
	my ($salt, $n) = @_;
	return qq{
CREATE TABLE src ($cols);
INSERT INTO src
SELECT i + $salt,
       CASE WHEN i % 7 = 0 THEN NULL ELSE 'name-' || i || repeat('x', i % 50) END,
       CASE WHEN i % 11 = 0 THEN NULL ELSE round((i * 1.237 + $salt)::numeric, 3) END,
       CASE WHEN i % 13 = 0 THEN NULL
            ELSE timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute' END,
       CASE WHEN i % 17 = 0 THEN NULL
            ELSE jsonb_build_object('i', i, 's', $salt, 'a', jsonb_build_array(i, 'v' || i)) END,
       CASE WHEN i % 19 = 0 THEN NULL
            WHEN i % 5 = 0 THEN ARRAY[i, NULL, i + 1]
            ELSE ARRAY[i, i * 2] END
  FROM generate_series(1, $n) i;
};
}

# Does frame $frame of database $db hold exactly the rows of table $table?
sub frame_equals
{
	my ($db, $frame, $table, $name) = @_;
	my $diff = $node->safe_psql(
		$db, qq{
SELECT (SELECT count(*) FROM (TABLE $frame EXCEPT ALL TABLE $table) a)
     + (SELECT count(*) FROM (TABLE $table EXCEPT ALL TABLE $frame) b),
       (SELECT count(*) FROM $frame) = (SELECT count(*) FROM $table)});
	is($diff, "0|t", $name);
	# same with the plain function scan instead of the custom scan
	$diff = $node->safe_psql(
		$db, qq{
SET shmcache.enable_customscan = off;
SELECT (SELECT count(*) FROM (TABLE $frame EXCEPT ALL TABLE $table) a)
     + (SELECT count(*) FROM (TABLE $table EXCEPT ALL TABLE $frame) b)});
	is($diff, "0", "$name (function scan)");
	# expressions computed by the scan's projection
	my $exprs = q{id + 1, name || '.', amount * 2, ts + interval '1 day',
		doc->'a', doc->>'i', tags[1], tags IS NULL, name IS NULL};
	$diff = $node->safe_psql(
		$db, qq{
SELECT (SELECT count(*) FROM (SELECT $exprs FROM $frame EXCEPT ALL SELECT $exprs FROM $table) a)
     + (SELECT count(*) FROM (SELECT $exprs FROM $table EXCEPT ALL SELECT $exprs FROM $frame) b)});
	is($diff, "0", "$name (expressions of columns)");
}

$node->safe_psql('postgres', 'CREATE DATABASE dba');
$node->safe_psql('postgres', 'CREATE DATABASE dbb');
$node->safe_psql($_, 'CREATE EXTENSION shmcache')
  for ('postgres', 'dba', 'dbb');

# Database A: three extra frames first, so that A's "typed" frame gets a frame
# id that does not exist in B.
$node->safe_psql(
	'dba', source_sql(0, 5000) . qq{
SELECT shmcache.create_frame('pad1', 'x int4');
SELECT shmcache.create_frame('pad2', 'x int4');
SELECT shmcache.create_frame('pad3', 'x int4');
SELECT shmcache.create_frame('typed', '$cols');
INSERT INTO typed SELECT * FROM src;
SELECT shmcache.create_frame('bycopy', '$cols');
COPY src TO '$csv' (FORMAT csv);
SELECT shmcache.copy_from('bycopy', '$csv', 'format csv');
SELECT shmcache.cache_table('src');
SELECT shmcache.create_frame('samename', 'id int8, v text');
INSERT INTO samename SELECT i, 'A' || i FROM generate_series(1, 100) i;
});

# Database B: its own frames, one with the same name as one of A's.
$node->safe_psql(
	'dbb', source_sql(1000000, 3000) . qq{
SELECT shmcache.create_frame('typed', '$cols');
SELECT shmcache.create_frame('samename', 'id int8, v text');
INSERT INTO samename SELECT i, 'B' || i FROM generate_series(1, 7) i;
});
# COPY FROM STDIN into B's frame
my $stdin_data = $node->safe_psql('dbb', 'COPY src TO STDOUT');
my ($ret, $out, $err) =
  $node->psql('dbb', "COPY typed FROM STDIN;\n$stdin_data\n\\.\n");
is($ret, 0, 'COPY FROM STDIN into a frame works') or diag $err;

frame_equals('dba', 'typed', 'src', 'A: INSERT ... SELECT loads every value');
frame_equals('dba', 'bycopy', 'src', 'A: copy_from loads every value');
frame_equals('dba', 'src_cache', 'src', 'A: cache_table loads every value');
frame_equals('dbb', 'typed', 'src', 'B: COPY FROM STDIN loads every value');

is(frame_rows($node, 'typed', 'dba'), '5000', 'A: shmcache.frames counts rows');
is(frame_rows($node, 'typed', 'dbb'), '3000', 'B: shmcache.frames counts rows');

# Isolation between databases.
my $a_id = $node->safe_psql('dba',
	"SELECT frame_id FROM shmcache.frame_catalog WHERE view = 'typed'::regclass");
is( $node->safe_psql('dbb',
		"SELECT count(*) FROM shmcache.frame_catalog WHERE frame_id = $a_id"),
	'0', "A's frame id is not a frame id of B");

sub check_isolation
{
	my ($when) = @_;

	is( $node->safe_psql('dbb',
			'SELECT string_agg(frame::text, \',\' ORDER BY frame::text) FROM shmcache.frames'
		),
		'samename,typed',
		"$when: shmcache.frames of B lists only B's frames");
	is($node->safe_psql('dbb', 'SELECT count(*), min(v), max(v) FROM samename'),
		$node->safe_psql('dbb',
			"SELECT count(*), min('B' || i), max('B' || i) FROM generate_series(1, 7) i"
		),
		"$when: B's frame \"samename\" shows B's rows");
	is($node->safe_psql('dba', "SELECT count(*) FROM samename WHERE v LIKE 'A%'"),
		'100', "$when: A's frame \"samename\" shows A's rows");

	foreach my $cs ('on', 'off')
	{
		my ($r, $o, $e) = $node->psql('dbb',
			"SET shmcache.enable_customscan = $cs; "
			  . "SELECT count(*) FROM shmcache.scan($a_id) AS f($cols)");
		isnt($r, 0,
			"$when: shmcache.scan(A's frame id) in B fails (customscan $cs)");
		like($e, qr/ERROR:.*does not exist/, "$when: ... with an error (customscan $cs)");
		is($o, '', "$when: ... and shows no rows (customscan $cs)");
	}
	# B's own frame ids are B's frames.
	my $b_typed = $node->safe_psql('dbb',
		"SELECT frame_id FROM shmcache.frame_catalog WHERE view = 'typed'::regclass");
	is( $node->safe_psql('dbb',
			"SELECT count(*) FROM shmcache.scan($b_typed) AS f($cols)"),
		$node->safe_psql('dbb', 'SELECT count(*) FROM typed'),
		"$when: shmcache.scan() with B's frame id reads B's frame");
}

check_isolation('before restart');

my $used_loaded = used_bytes($node);
cmp_ok($used_loaded, '>', 1_000_000, 'loaded frames use memory');

# Clean restart.
$node->restart;

cmp_ok(used_bytes($node), '<', 65536,
	'after restart almost nothing is in use before frames are touched');

foreach my $f ('typed', 'bycopy', 'src_cache', 'samename', 'pad1')
{
	is($node->safe_psql('dba', "SELECT count(*) FROM $f"),
		'0', "A: view $f works after restart and is empty");
}
foreach my $f ('typed', 'samename')
{
	is($node->safe_psql('dbb', "SELECT count(*) FROM $f"),
		'0', "B: view $f works after restart and is empty");
}
is( $node->safe_psql('dba',
		'SELECT count(*), sum(rows), sum(bytes) > 0 FROM shmcache.frames'),
	'7|0|t',
	'A: shmcache.frames lists every frame, all with 0 rows');
is( $node->safe_psql('dba',
		"SELECT columns FROM shmcache.frames WHERE frame = 'typed'::regclass"),
	'id bigint, name text, amount numeric(12,3), ts timestamp with time zone, doc jsonb, tags integer[]',
	'A: frame columns survive the restart');

my $used_empty = used_bytes($node);
cmp_ok($used_empty, '<', 1_000_000,
	"empty frames after restart use little memory ($used_empty bytes)");
cmp_ok($used_empty, '<', $used_loaded / 10,
	'much less than the loaded frames did');
my ($total, $free) = split /\|/,
  $node->safe_psql('postgres', 'SELECT total_bytes, free_bytes FROM shmcache.memory');
cmp_ok($total, '<=', 64 * 1024 * 1024, 'total_bytes is at most shmcache.size');
cmp_ok($total, '>', 0.99 * 64 * 1024 * 1024,
	'the allocator keeps under 1% of shmcache.size for itself');
is($free + $used_empty, $total, 'free_bytes + used_bytes = total_bytes');

# Reload.  The frames' snapshots were not loaded (autoload = off): appends
# are refused until a restore or a truncate settles them.
($ret, $out, $err) = $node->psql('dba', 'INSERT INTO typed SELECT * FROM src');
like($err, qr/frame "typed" has a snapshot that was not loaded/,
	'appending to a frame whose snapshot was not loaded is refused');
$node->safe_psql(
	'dba', qq{
SELECT shmcache.truncate(f) FROM unnest('{typed,bycopy,src_cache,samename}'::regclass[]) f;
INSERT INTO typed SELECT * FROM src;
SELECT shmcache.copy_from('bycopy', '$csv', 'format csv');
INSERT INTO src_cache SELECT * FROM src;
INSERT INTO samename SELECT i, 'A' || i FROM generate_series(1, 100) i;
});
$node->safe_psql(
	'dbb', qq{
SELECT shmcache.truncate('samename');
SELECT shmcache.truncate('typed');
SELECT shmcache.copy_from('typed', '$csv', 'format csv');
SELECT shmcache.truncate('typed');
INSERT INTO typed SELECT * FROM src;
INSERT INTO samename SELECT i, 'B' || i FROM generate_series(1, 7) i;
});

frame_equals('dba', 'typed', 'src', 'A: reload by INSERT equals the source');
frame_equals('dba', 'bycopy', 'src', 'A: reload by copy_from equals the source');
frame_equals('dba', 'src_cache', 'src', 'A: reload of cached table equals the source');
frame_equals('dbb', 'typed', 'src', 'B: reload equals the source');

check_isolation('after restart');

# A second restart with frames loaded.
$node->restart;
is($node->safe_psql('dba', 'SELECT count(*) FROM typed'),
	'0', 'A: empty again after a second restart');
is($node->safe_psql('dbb', 'SELECT count(*) FROM samename'),
	'0', 'B: empty again after a second restart');

# Dropping a database or the extension frees the frames' memory.
$node->safe_psql('dba', "SELECT shmcache.truncate('typed'); INSERT INTO typed SELECT * FROM src");
$node->safe_psql('dbb', "SELECT shmcache.truncate('typed'); INSERT INTO typed SELECT * FROM src");
my $a_bytes = $node->safe_psql('dba', 'SELECT sum(bytes) FROM shmcache.frames');
my $b_bytes = $node->safe_psql('dbb', 'SELECT sum(bytes) FROM shmcache.frames');
my $used_both = used_bytes($node);
is($used_both, $a_bytes + $b_bytes,
	'used_bytes is the sum of the frames of both databases');
is($node->safe_psql('dbb', 'SELECT frames FROM shmcache.memory'),
	'2', "shmcache.memory in B counts B's frames");

$node->safe_psql('postgres', 'DROP DATABASE dbb');
is(used_bytes($node), $a_bytes, "DROP DATABASE frees that database's frames");

$node->safe_psql('dba', 'DROP EXTENSION shmcache CASCADE');
is(used_bytes($node), '0', 'DROP EXTENSION ... CASCADE frees the frames');
is($node->safe_psql('dba', "SELECT to_regclass('typed') IS NULL"),
	't', 'and drops their views');

# Recreated, the extension's new frames must not pick up anything of the
# old ones.
$node->safe_psql(
	'dba', q{
CREATE EXTENSION shmcache;
SELECT shmcache.create_frame('n1', 'a text, b int4');
SELECT shmcache.create_frame('n2', 'a int8');
SELECT shmcache.create_frame('n3', 'a int8');
SELECT shmcache.create_frame('n4', 'a jsonb');
INSERT INTO n4 VALUES ('{"k": 1}');
});
is( $node->safe_psql('dba',
		'SELECT (SELECT count(*) FROM n1), (SELECT count(*) FROM n2), (SELECT count(*) FROM n3), (SELECT count(*) FROM n4)'
	),
	'0|0|0|1',
	'frames created after the extension was recreated are new');
is($node->safe_psql('dba', "SELECT a->>'k' FROM n4"), '1',
	'and hold their own rows');

$node->stop;

done_testing();
