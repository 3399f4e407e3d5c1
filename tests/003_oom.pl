
# Copyright (c) 2026, shmcache authors

# Running out of shmcache.size.
#
# A load that does not fit fails with an error naming the frame, the bytes
# needed and the bytes free; afterwards the frame's rows and shmcache.memory
# are exactly as before, and smaller loads still work.  Covered: COPY
# (copy_from_program), INSERT of large text values, one value larger than the
# whole area, cache_table, a failure in a transaction that changed other
# frames, an UPDATE after a DELETE, and a filled-up area from which truncate
# and drop_frame still free memory.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;

my $size = 32 * 1024 * 1024;

# Frames are not reloaded from snapshots: the restart at the end checks that
# the area starts empty.
my $node = shmcache_node('oom', size => '32MB',
	conf => ['shmcache.autoload = off']);

# State of every frame: name, rows, bytes, and the scan's count.
sub state
{
	return $node->safe_psql(
		'postgres', q{
SELECT string_agg(format('%s:%s:%s', frame, rows, bytes), ' ' ORDER BY frame::text)
  FROM shmcache.frames}) . ' / ' . used_bytes($node);
}

# Run $sql, expect an out-of-memory error for frame $frame, and expect
# everything to be as before.
sub expect_oom
{
	my ($sql, $frame, $what) = @_;
	my $before = state();
	my ($ret, $out, $err) = $node->psql('postgres', $sql);
	isnt($ret, 0, "$what: fails");
	like($err, qr/ERROR:  out of shmcache memory while loading frame "$frame"/,
		"$what: error names the frame");
	like($err,
		qr/DETAIL:  Needed \d+ more bytes in one piece; \d+ of \d+ bytes are free\./,
		"$what: detail names the bytes needed and free");
	# A load fails when it needs more than the largest free piece: usually
	# more than is free in all, but free space can be split into pieces.
	my ($needed, $free, $total) =
	  $err =~ /Needed (\d+) more bytes in one piece; (\d+) of (\d+)/;
	cmp_ok($needed // 0, '>', 0, "$what: it names the bytes it needed");
	cmp_ok($free // 0, '<', $total // 0, "$what: less than the whole area was free");
	unlike($err, qr/PANIC|FATAL|server closed/, "$what: no crash");
	is(state(), $before, "$what: frames and memory exactly as before");
	return $err;
}

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION shmcache;
SELECT shmcache.create_frame('f', 'x int8');
SELECT shmcache.create_frame('t', 'id int4, s text');
SELECT shmcache.copy_from_program('f', 'seq 1 100000', 'format text');
INSERT INTO t SELECT i, i || repeat('a', 100) FROM generate_series(1, 10000) i;
});
is(frame_rows($node, 'f'), '100000', 'f loaded');
is(frame_rows($node, 't'), '10000', 't loaded');
my $sum_f = $node->safe_psql('postgres', 'SELECT sum(x) FROM f');

# COPY of 10 million int8 values (80 MB) into a 32 MB area.
my $err = expect_oom(
	"SELECT shmcache.copy_from_program('f', 'seq 1 10000000', 'format text')",
	'f', 'copy_from_program too large');
like($err, qr/COPY f, line \d+/, 'the error says where the COPY was');
is($node->safe_psql('postgres', 'SELECT count(*), sum(x) FROM f'),
	"100000|$sum_f", 'f has its old rows');

# INSERT of many large text values.
expect_oom(
	"INSERT INTO t SELECT i, repeat(md5(i::text), 3000) FROM generate_series(1, 1000) i",
	't', 'INSERT of large text values');

# One value larger than the whole area.
expect_oom("INSERT INTO t VALUES (1, repeat('x', 40 * 1024 * 1024))",
	't', 'a single 40 MB value');

# COPY FROM STDIN too large.
{
	my $before = state();
	my $data = join('', map { "$_\t$_" . ('y' x 1000) . "\n" } 1 .. 40000);
	my ($ret, $out, $e) =
	  $node->psql('postgres', "COPY t FROM STDIN;\n$data\\.\n");
	like($e, qr/out of shmcache memory while loading frame "t"/,
		'COPY FROM STDIN too large: fails naming the frame');
	is(state(), $before, 'COPY FROM STDIN too large: everything as before');
}

# cache_table of a table too large: no frame is left behind.
$node->safe_psql('postgres',
	"CREATE TABLE big AS SELECT i AS id, i || repeat('z', 500) AS s FROM generate_series(1, 100000) i"
);
{
	my $before = state();
	my ($ret, $out, $e) =
	  $node->psql('postgres', "SELECT shmcache.cache_table('big')");
	isnt($ret, 0, 'cache_table too large: fails');
	like($e, qr/out of shmcache memory while loading frame "big_cache"/,
		'cache_table too large: error names the frame');
	is(state(), $before, 'cache_table too large: no frame, memory as before');
	is($node->safe_psql('postgres', "SELECT to_regclass('big_cache') IS NULL"),
		't', 'cache_table too large: no view left behind');
}

# A transaction that changed other frames, then ran out: all of it undone.
expect_oom(
	q{
BEGIN;
INSERT INTO f SELECT i FROM generate_series(1, 50000) i;
SELECT shmcache.truncate('t');
INSERT INTO t VALUES (1, 'one');
SELECT shmcache.copy_from_program('f', 'seq 1 10000000', 'format text');
COMMIT;
}, 'f', 'transaction with earlier changes');
is($node->safe_psql('postgres', 'SELECT count(*) FROM t'),
	'10000', 't was not truncated');

# An UPDATE whose new rows do not fit, after a DELETE in the same
# transaction: the deleted rows are back, the old values unchanged.
{
	my $content = q{SELECT count(*), sum(id), md5(string_agg(s, ',' ORDER BY id)) FROM t};
	my $before = $node->safe_psql('postgres', $content);
	expect_oom(
		q{
BEGIN;
DELETE FROM t WHERE id % 3 = 0;
UPDATE t SET s = repeat(md5(id::text), 300);
COMMIT;
}, 't', 'UPDATE too large after a DELETE');
	is($node->safe_psql('postgres', $content), $before,
		'UPDATE too large: every row and value as before');
}

# Out of memory inside a savepoint: the rest of the transaction survives.
{
	my $before_f = frame_rows($node, 'f');
	my ($ret, $out, $e) = $node->psql(
		'postgres', q{
BEGIN;
INSERT INTO f SELECT i FROM generate_series(1, 1000) i;
SAVEPOINT s;
SELECT shmcache.copy_from_program('f', 'seq 1 10000000', 'format text');
ROLLBACK TO s;
INSERT INTO f SELECT i FROM generate_series(1, 1000) i;
COMMIT;
}, on_error_stop => 0);
	like($e, qr/out of shmcache memory/, 'savepoint: the large load fails');
	is(frame_rows($node, 'f'), $before_f + 2000,
		'savepoint: the rows outside the savepoint are committed');
	is($node->safe_psql('postgres', "SELECT count(*) FROM f WHERE x <= 1000"),
		1000 + 2000, 'savepoint: and readable');
}

# Smaller loads still work, and memory is accounted for.
{
	my $used = used_bytes($node);
	$node->safe_psql('postgres',
		"SELECT shmcache.copy_from_program('f', 'seq 1 200000', 'format text')");
	cmp_ok(used_bytes($node), '>', $used, 'a smaller load works and takes memory');
	$node->safe_psql('postgres',
		"INSERT INTO t SELECT i, i || repeat('b', 200) FROM generate_series(1, 5000) i");
	is(frame_rows($node, 't'), '15000', 'a smaller INSERT works');
}

# Fill the area up, batch by batch, until a batch no longer fits.
$node->safe_psql('postgres',
	"SELECT shmcache.create_frame('fill', 'id int4, s text')");
my $batches = 0;
my $last_err = '';
for my $i (1 .. 100)
{
	my ($ret, $out, $e) = $node->psql('postgres',
		"INSERT INTO fill SELECT i, i || repeat('f', 1000) FROM generate_series(1, 2000) i"
	);
	if ($ret != 0)
	{
		$last_err = $e;
		last;
	}
	$batches++;
}
cmp_ok($batches, '>', 0, "the area filled up after $batches batches");
like($last_err, qr/out of shmcache memory while loading frame "fill"/,
	'the batch that does not fit fails cleanly');
is(frame_rows($node, 'fill'), 2000 * $batches, 'every committed batch is there');
my ($used_full, $free_full, $total) = split /\|/,
  $node->safe_psql('postgres', 'SELECT used_bytes, free_bytes, total_bytes FROM shmcache.memory');
is($used_full + $free_full, $total, 'used + free = total when full');
cmp_ok($total, '<=', $size, 'total is what of shmcache.size frames can use');
cmp_ok($total, '>', $size * 0.99, 'the allocator keeps under 1% for itself');
# Free space may be split into pieces smaller than the piece needed, so the
# check is that the area really is (nearly) full.
cmp_ok($free_full, '<', $total * 0.05,
	'when a batch no longer fits, less than 5% of the area is free');

# When the area is full, the server still works.
is($node->safe_psql('postgres', 'SELECT count(*) FROM f'),
	frame_rows($node, 'f'), 'reading works when the area is full');

# ... truncate and drop_frame still free memory.
my ($ret, $out, $e) =
  $node->psql('postgres', "SELECT shmcache.truncate('fill')");
is($ret, 0, 'truncate works when the area is full') or diag $e;
is(frame_rows($node, 'fill'), '0', 'truncated frame is empty');
cmp_ok(used_bytes($node), '<', $used_full - 2000 * 1000,
	'truncate gave the memory back');
$node->safe_psql('postgres',
	"INSERT INTO fill SELECT i, i || repeat('f', 1000) FROM generate_series(1, 2000) i");
is(frame_rows($node, 'fill'), '2000', 'loading after truncate works');

for my $i (1 .. 100)
{
	my ($r) = $node->psql('postgres',
		"INSERT INTO fill SELECT i, i || repeat('f', 1000) FROM generate_series(1, 2000) i"
	);
	last if $r != 0;
}
$used_full = used_bytes($node);
($ret, $out, $e) =
  $node->psql('postgres', "SELECT shmcache.drop_frame('fill')");
is($ret, 0, 'drop_frame works when the area is full') or diag $e;
cmp_ok(used_bytes($node), '<', $used_full - 2000 * 1000,
	'drop_frame gave the memory back');
$node->safe_psql('postgres',
	"SELECT shmcache.copy_from_program('f', 'seq 1 100000', 'format text')");
pass('loading after drop_frame works');

# After all this, a restart: the area is empty again.
$node->restart;
$node->safe_psql('postgres', 'SELECT count(*) FROM f; SELECT count(*) FROM t');
cmp_ok(used_bytes($node), '<', 100_000, 'after restart the area is empty');

$node->stop;

done_testing();
