
# Copyright (c) 2026, shmcache authors

# Frames survive restarts: snapshots, autoload, saves at shutdown and at
# shmcache.save_interval, damaged files, drops.
#
# - a clean restart brings back frames of every supported type in two
#   databases, identical (COPY TO output) to what they were;
# - SIGKILL of the postmaster: frames come back as of their last save, with
#   save_interval = 0 (saved only at shutdown) and with a short interval;
# - damaged snapshots (bytes flipped, truncated, another frame's file, a
#   file whose columns do not match, a wrong format version) are reported
#   with the file name and reason, renamed aside and skipped; the frame
#   next to them loads;
# - a frame dropped while the saver writes it leaves no snapshot behind;
#   drop_frame and DROP DATABASE remove snapshots;
# - queries arriving during the autoload wait for it (or, with
#   shmcache.autoload_wait = off, see the frame empty); writers wait;
# - a full disk (file size limit) during a save leaves the previous
#   snapshot intact and reports the error.

use strict;
use warnings;

use File::Copy;
use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;
use Time::HiRes qw(usleep);

my $node = shmcache_node('snapshots', size => '128MB',
	conf => [ 'shmcache.save_interval = 0', 'restart_after_crash = on' ]);

my $snapdir = $node->data_dir . '/pg_shmcache';

# The snapshot file of frame $frame of database $db.
sub snapfile
{
	my ($db, $frame) = @_;
	my ($dboid, $id) = split /\|/, $node->safe_psql($db,
		"SELECT (SELECT oid FROM pg_database WHERE datname = current_database()), "
		  . "frame_id FROM shmcache.frame_catalog WHERE view = '$frame'::regclass");
	return "$snapdir/$dboid.$id.snap";
}

# A frame's contents as COPY TO prints them, in stored order.
sub copy_out
{
	my ($db, $frame) = @_;
	return $node->safe_psql($db, "COPY $frame TO STDOUT");
}

sub count_rows
{
	my ($db, $frame) = @_;
	return $node->safe_psql($db, "SELECT count(*) FROM $frame");
}

# Start the node after a SIGKILL of the postmaster: its children may take a
# moment to notice and leave the old shared memory.
sub start_after_kill
{
	for (my $i = 0; $i < 100; $i++)
	{
		# A failed attempt may leave the pid of a postmaster on its way out.
		$node->{_pid} = undef;
		return if $node->start(fail_ok => 1);
		usleep(200_000);
	}
	BAIL_OUT('could not start the node after kill9');
}

# Wait until the autoload of this start has finished (offset into the log).
sub wait_autoload
{
	my ($offset) = @_;
	$node->wait_for_log(qr/shmcache: autoload (finished|interrupted)/, $offset);
}

# ----------------------------------------------------------------------
# 1. Clean restart: every supported type, two databases.
# ----------------------------------------------------------------------

my $types_cols = q{id int4 NOT NULL, c_i2 int2, c_i4 int4, c_i8 int8, c_f4 float4, c_f8 float8,
   c_num numeric(12,3), c_bool bool, c_text text, c_vc varchar(10), c_ch char(5),
   c_bytea bytea, c_date date, c_time time, c_ts timestamp, c_tstz timestamptz,
   c_iv interval, c_uuid uuid, c_jsonb jsonb, c_mood t_mood, c_ia int4[], c_ta text[],
   c_comp t_pair, c_dom t_posint, c_name name, c_oid oid, c_char "char", c_point point,
   c_inet inet};

sub load_types
{
	my ($db, $salt) = @_;
	$node->safe_psql(
		$db, qq{
CREATE TYPE t_mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE t_pair AS (a int4, b text);
CREATE DOMAIN t_posint AS int4 CHECK (VALUE > 0);
SELECT shmcache.create_frame('t_all', '$types_cols');
INSERT INTO t_all VALUES
  (1, 1, 2, 3, 1.5, 2.25, 123456789.123, true, 'hello', 'varchar', 'ab',
   '\\xdeadbeef', '2024-02-29', '23:59:59.999999', '2024-01-01 12:34:56.789',
   '2024-06-30 23:00:00+02', '1 year 2 mons 3 days 04:05:06.7',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2, {"b": null}], "c": "d"}',
   'happy', '{1,2,3}', '{"x","y z",NULL}', '(1,one)', 7, 'nm', 42, 'c', '(1.5,2)',
   '192.168.0.1/24'),
  (2, -32768, -2147483648, -9223372036854775808, '-Infinity', 'NaN',
   -999999999.999, false, '', '', '', '\\x', '4713-01-01 BC', '00:00',
   '294276-12-31 23:59:59.999999', '-infinity', '-178000000 years',
   '00000000-0000-0000-0000-000000000000', 'null', 'sad', '{}', '{}',
   '(,)', 1, '', 0, '', '(0,0)', '::1'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL),
  (4, 0, 0, 0, -0.0, 1.0e-300, 0.001, false,
   (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 3200) g),
   'x', 'y    ', decode(repeat('0123456789abcdef', 8192), 'hex'),
   '2000-01-01', '12:00', '2000-01-01', '2000-01-01 00:00:00+00', '0',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a15', (SELECT jsonb_agg(g) FROM generate_series(1, 20000) g), 'ok',
   (SELECT array_agg(g) FROM generate_series(1, 50000) g),
   (SELECT array_agg(g::text) FROM generate_series(1, 10000) g),
   ROW(4, repeat('p', 500))::t_pair, 4, 'long', 4, 'x', '(4,4)', '10.0.0.0/8');
INSERT INTO t_all
SELECT g, (g % 1000)::int2, g * 7 + $salt, g::int8 * 1000000007, g / 8.0, g / 1024.0,
       (g * 1.001)::numeric(12,3), g % 3 = 0,
       CASE WHEN g % 10 = 0 THEN NULL ELSE 'row ' || g || repeat('z', g % 200) END,
       left('v' || g, 10), left('c' || g, 5), int4send(g),
       date '2020-01-01' + g, time '00:00' + g * interval '1 second',
       timestamp '2020-01-01' + g * interval '1 minute',
       timestamptz '2020-01-01 00:00+00' + g * interval '1 hour',
       g * interval '1 day 1 ms', md5(g::text)::uuid,
       jsonb_build_object('g', g, 'even', g % 2 = 0),
       (enum_range(NULL::t_mood))[g % 3 + 1],
       ARRAY[g, g + 1], ARRAY['t' || g], ROW(g, 'p' || g)::t_pair, g, 'n' || g, g,
       chr(65 + g % 26)::"char", point(g, -g), ('10.0.' || (g % 256) || '.1')::inet
  FROM generate_series(5, 40000) g;
});
}

$node->safe_psql('postgres', 'CREATE DATABASE dba');
$node->safe_psql('postgres', 'CREATE DATABASE dbb');
$node->safe_psql($_, 'CREATE EXTENSION shmcache') for ('dba', 'dbb');
load_types('dba', 0);
load_types('dbb', 1000);
$node->safe_psql(
	'dba', q{
SELECT shmcache.create_frame('small', 'k int8 NOT NULL, v text');
INSERT INTO small SELECT i, 'v' || i FROM generate_series(1, 1000) i;
SELECT shmcache.create_frame('empty', 'k int8');
SELECT shmcache.create_frame('emptied', 'k int8');
INSERT INTO emptied VALUES (1);
TRUNCATE emptied;
SELECT shmcache.create_frame('never', 'k int8');
});
$node->safe_psql(
	'dbb', q{
SELECT shmcache.create_frame('small', 'k int8 NOT NULL, v text');
COPY small FROM PROGRAM 'seq 1 77 | sed s/$/,b/' (FORMAT csv);
});

my %before;
foreach my $f ('t_all', 'small', 'empty', 'emptied')
{
	$before{"dba.$f"} = copy_out('dba', $f);
}
$before{"dbb.$_"} = copy_out('dbb', $_) foreach ('t_all', 'small');
is(count_rows('dba', 't_all'), '40000', 'A: typed frame loaded');
is(count_rows('dbb', 'small'), '77', 'B: small frame loaded');

my $offset = -s $node->logfile;
$node->restart;
like(slurp_file($node->logfile, $offset),
	qr/shmcache: saved frame \d+ of database \d+ \(40000 rows, \d+ bytes\) to "pg_shmcache\/\d+\.\d+\.snap"/,
	'the saver saved the frames at shutdown and logged it');
wait_autoload($offset);
my $log = slurp_file($node->logfile, $offset);
like($log, qr/shmcache: found \d+ frame snapshots/, 'startup lists the snapshots');
like($log, qr/shmcache: loaded frame public\.t_all \(40000 rows\)/,
	'the autoload logs each frame loaded');
# "empty" was never changed: it has no snapshot and comes back empty anyway.
like($log, qr/shmcache: autoload of database "dba": 3 frames loaded \(41000 rows\), 0 not loaded/,
	'the autoload logs a summary per database');

foreach my $k (sort keys %before)
{
	my ($db, $f) = split /\./, $k;
	is(copy_out($db, $f), $before{$k}, "$db.$f: COPY TO output identical after a clean restart");
}
is( $node->safe_psql(
		'dba',
		q{SELECT frame, state, rows, snapshot_rows, snapshot_bytes > 0,
		         last_saved IS NOT NULL
		    FROM shmcache.frames ORDER BY frame::text COLLATE "C"}),
	"emptied|loaded|0|0|t|t
empty|loaded|0|||f
never|not loaded|0|||f
small|loaded|1000|1000|t|t
t_all|loaded|40000|40000|t|t",
	'shmcache.frames shows state, snapshot rows, bytes and time');
my $file = snapfile('dba', 't_all');
is( $node->safe_psql('dba',
		"SELECT snapshot_bytes FROM shmcache.frames WHERE frame = 't_all'::regclass"),
	-s $file, 'snapshot_bytes is the size of the file');

# Custom scan and function scan agree on the loaded frame, and expressions
# over by-reference columns work (values point into the restored frame).
is( $node->safe_psql(
		'dba', q{
SET shmcache.enable_customscan = off;
SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM t_all t}),
	$node->safe_psql(
		'dba', q{SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM t_all t}),
	'function scan and custom scan read the same restored rows');

# Appends after the autoload go after the restored rows; saved again.
$node->safe_psql('dba', "INSERT INTO small VALUES (1001, 'after')");
$node->restart;
is($node->safe_psql('dba', 'SELECT count(*), max(k) FROM small'),
	'1001|1001', 'rows appended after an autoload survive the next restart');

# ----------------------------------------------------------------------
# 2. SIGKILL of the postmaster.
# ----------------------------------------------------------------------

# save_interval = 0: only the explicit save counts.
$node->safe_psql('dba', q{
SELECT shmcache.create_frame('k', 'x int4');
INSERT INTO k SELECT generate_series(1, 100);
});
is($node->safe_psql('dba', "SELECT rows, bytes > 0 FROM shmcache.save('k')"),
	'100|t', 'shmcache.save() returns rows and bytes');
$node->safe_psql('dba', 'INSERT INTO k SELECT generate_series(101, 150)');
$node->kill9;
start_after_kill();
is(count_rows('dba', 'k'), '100',
	'after SIGKILL of the postmaster the frame is back as of its last save');
is(count_rows('dba', 'small'), '1001', 'and so are the frames saved at the last clean stop');

# Immediate shutdown: the same.
$node->safe_psql('dba', 'INSERT INTO k SELECT generate_series(101, 110)');
$node->stop('immediate');
$node->start;
is(count_rows('dba', 'k'), '100', 'after an immediate shutdown: as of the last save');

# save_interval elapsed: the saver saved the appended rows before the kill.
$node->append_conf('postgresql.conf', "shmcache.save_interval = 1\n");
$node->reload;
$node->safe_psql('dba', 'INSERT INTO k SELECT generate_series(101, 120)');
$node->poll_query_until('dba',
	"SELECT snapshot_rows = 120 FROM shmcache.frames WHERE frame = 'k'::regclass")
  or die 'the periodic save did not happen';
$node->kill9;
start_after_kill();
is(count_rows('dba', 'k'), '120',
	'with save_interval elapsed, SIGKILL keeps the rows of the periodic save');
# A backend crash: the postmaster reinitializes shared memory, restarts the
# leader, and the frames are loaded again from their snapshots.
$node->safe_psql('dba', 'INSERT INTO k SELECT generate_series(121, 130)');
$node->append_conf('postgresql.conf', "shmcache.save_interval = 0\n");
$node->reload;
$offset = crash_backend($node, 'dba');
$node->poll_query_until('dba', 'SELECT count(*) = 130 OR count(*) = 120 FROM k')
  or die 'no connection after the crash restart';
is(count_rows('dba', 'k'), '120',
	'after a backend crash the frame is loaded again as of its last save');
wait_autoload($offset);

$node->append_conf('postgresql.conf', "shmcache.save_interval = 0\n");
$node->reload;

# ----------------------------------------------------------------------
# 3. Damaged snapshots next to a good one.
# ----------------------------------------------------------------------

$node->safe_psql(
	'dba', q{
SELECT shmcache.create_frame('c_good', 'id int8, t text');
SELECT shmcache.create_frame('c_flip', 'id int8, t text');
SELECT shmcache.create_frame('c_trunc', 'id int8, t text');
SELECT shmcache.create_frame('c_foreign', 'id int8, t text');
SELECT shmcache.create_frame('c_cols', 'a text, b text');
SELECT shmcache.create_frame('c_version', 'id int8, t text');
INSERT INTO c_good SELECT i, 'g' || i FROM generate_series(1, 50000) i;
INSERT INTO c_flip SELECT i, 'f' || i FROM generate_series(1, 50000) i;
INSERT INTO c_trunc SELECT i, 't' || i FROM generate_series(1, 50000) i;
INSERT INTO c_foreign SELECT i, 'o' || i FROM generate_series(1, 10) i;
INSERT INTO c_cols VALUES ('a', 'b');
INSERT INTO c_version SELECT i, 'v' || i FROM generate_series(1, 10) i;
SELECT count(*) FROM shmcache.save();
});
my %f = map { $_ => snapfile('dba', $_) }
  ('c_good', 'c_flip', 'c_trunc', 'c_foreign', 'c_cols', 'c_version');
$node->stop;

# Damage the files while the server is down.
sub patch_file
{
	my ($path, $pos, $bytes) = @_;
	open(my $fh, '+<', $path) or die "open $path: $!";
	binmode $fh;
	seek($fh, $pos, 0);
	print $fh $bytes;
	close $fh;
}
my $size = -s $f{c_flip};
patch_file($f{c_flip}, int($size / 2), "\xde\xad\xbe\xef");
truncate($f{c_trunc}, int((-s $f{c_trunc}) / 2)) or die "truncate: $!";
copy($f{c_good}, $f{c_foreign}) or die "copy: $!";
{
	# c_good's file with c_cols' database, frame id and view in its header:
	# a snapshot whose columns do not match the frame.
	my ($hdr_cols) = slurp_file($f{c_cols}) =~ /^(.{56})/s;
	my $good = slurp_file($f{c_good});
	substr($good, 16, 4) = substr($hdr_cols, 16, 4);    # dbid
	substr($good, 24, 12) = substr($hdr_cols, 24, 12);  # frame_id, viewoid
	open(my $fh, '>', $f{c_cols}) or die;
	binmode $fh;
	print $fh $good;
	close $fh;
}
patch_file($f{c_version}, 8, pack('L', 99));

$offset = -s $node->logfile;
$node->start;
wait_autoload($offset);
$log = slurp_file($node->logfile, $offset);

is(count_rows('dba', 'c_good'), '50000', 'the good snapshot next to damaged ones loads');
my $rel = sub { my $p = shift; $p =~ s/^\Q$snapdir\E/pg_shmcache/; return $p; };
like($log, qr/could not load frame public\.c_flip from snapshot "\Q${\ $rel->($f{c_flip})}\E": shmcache snapshot file "[^"]+" is damaged\n.*DETAIL:  Checksum mismatch/,
	'flipped bytes: reported with file name and checksum mismatch');
like($log, qr/could not load frame public\.c_trunc from snapshot "\Q${\ $rel->($f{c_trunc})}\E": [^\n]*is damaged\n.*DETAIL:  The file is truncated\./,
	'truncated file: reported with file name and reason');
like($log, qr/could not load frame public\.c_foreign from snapshot "\Q${\ $rel->($f{c_foreign})}\E": [^\n]*does not match its frame\n.*DETAIL:  The file holds frame \d+ of database \d+\./,
	"another frame's file: reported as not matching");
like($log, qr/could not load frame public\.c_cols from snapshot "\Q${\ $rel->($f{c_cols})}\E": [^\n]*does not match its frame\n.*DETAIL:  Column 1 is bigint in the snapshot and text in the frame\./,
	'columns that do not match the view: reported with the column');
like($log, qr/could not load frame public\.c_version from snapshot "\Q${\ $rel->($f{c_version})}\E": [^\n]*unsupported format\n.*DETAIL:  The file has format version 99/,
	'wrong format version: reported');
foreach my $k ('c_flip', 'c_trunc', 'c_foreign', 'c_cols', 'c_version')
{
	ok(!-e $f{$k} && -e "$f{$k}.bad", "$k: damaged file renamed aside to .bad");
	is(count_rows('dba', $k), '0', "$k: frame starts empty");
}
like($log, qr/autoload of database "dba": \d+ frames loaded .*, 5 not loaded/,
	'the summary counts the frames not loaded');
is(count_rows('dba', 'small'), '1001', 'other frames of the database loaded normally');
is(count_rows('dbb', 't_all'), '40000', 'and those of the other database too');
is( $node->safe_psql('dba',
		"SELECT state, last_saved IS NULL FROM shmcache.frames WHERE frame = 'c_trunc'::regclass"),
	'loaded|t', 'a frame whose snapshot was set aside has no snapshot');

# The damaged frames work and save again.
$node->safe_psql('dba', "INSERT INTO c_trunc VALUES (1, 'new')");
$node->restart;
is($node->safe_psql('dba', 'SELECT count(*), min(t) FROM c_trunc'),
	'1|new', 'a frame whose snapshot was damaged is saved and loaded again');

# A damaged snapshot given to shmcache.restore(): an error, the frame stays.
$node->safe_psql('dba', "SELECT shmcache.save('c_good')");
my $good_file = snapfile('dba', 'c_good');
patch_file($good_file, int((-s $good_file) / 3), "\x00\x01\x02\x03\x04");
my ($ret, $out, $err) = $node->psql('dba', "SELECT shmcache.restore('c_good')");
like($err, qr/ERROR:  shmcache snapshot file "[^"]+" is damaged/,
	'restore() of a damaged file fails');
is(count_rows('dba', 'c_good'), '50000', '... and leaves the frame as it was');
$node->safe_psql('dba', "SELECT shmcache.save('c_good')");

# ----------------------------------------------------------------------
# 4. Drops remove snapshots, also during a save.
# ----------------------------------------------------------------------

$node->safe_psql('dba', "SELECT shmcache.save('small')");
my $small_file = snapfile('dba', 'small');
ok(-e $small_file, 'small has a snapshot');
$node->safe_psql('dba', "SELECT shmcache.drop_frame('small')");
ok(!-e $small_file, 'drop_frame removes the snapshot');

my $dbb_oid = $node->safe_psql('postgres',
	"SELECT oid FROM pg_database WHERE datname = 'dbb'");
my @dbb_files = glob("$snapdir/$dbb_oid.*.snap");
cmp_ok(scalar(@dbb_files), '>', 0, 'dbb has snapshots');
$node->safe_psql('postgres', 'DROP DATABASE dbb');
@dbb_files = glob("$snapdir/$dbb_oid.*.snap");
is(scalar(@dbb_files), 0, "DROP DATABASE removes the database's snapshots");

# A save does not block the feeder or readers, and saves the rows that were
# committed when it started.
$node->safe_psql(
	'dba', q{
SELECT shmcache.create_frame('feed', 'id int8, t text');
INSERT INTO feed SELECT i, 'r' || i FROM generate_series(1, 16384 * 8) i;
});
my $saver = $node->background_psql('dba', on_error_stop => 0);
$saver->query_until(qr/started/,
	"SET shmcache.debug_io_delay = 500;\n\\echo started\nSELECT rows FROM shmcache.save('feed');\n");
my $feed_file = snapfile('dba', 'feed');
for (my $i = 0; $i < 300 && !glob("$feed_file.*.tmp"); $i++)
{
	usleep(20_000);
}
ok(glob("$feed_file.*.tmp"), 'the save is running');
my $t0 = [ Time::HiRes::gettimeofday() ];
$node->safe_psql('dba', "INSERT INTO feed VALUES (-1, 'during the save')");
is(count_rows('dba', 'feed'), 16384 * 8 + 1, 'a reader sees the append made during the save');
my $elapsed = Time::HiRes::tv_interval($t0);
ok(glob("$feed_file.*.tmp"), 'the save was still running meanwhile');
cmp_ok($elapsed, '<', 2, "the feeder and the reader did not wait for the save (${elapsed}s)");
$saver->quit;
is($node->safe_psql('dba',
		"SELECT snapshot_rows FROM shmcache.frames WHERE frame = 'feed'::regclass"),
	16384 * 8, 'the snapshot holds the rows committed when the save started');
$node->safe_psql('dba', "SELECT shmcache.drop_frame('feed')");

# A frame dropped while the saver writes it: slow saves, then drop.
$node->safe_psql(
	'dba', q{
SELECT shmcache.create_frame('slow', 'id int8');
INSERT INTO slow SELECT generate_series(1, 200000);
});
my $slow_file = snapfile('dba', 'slow');
$node->append_conf('postgresql.conf',
	"shmcache.debug_io_delay = 300\nshmcache.save_interval = 1\n");
$node->reload;
my $tmp;
for (my $i = 0; $i < 300 && !$tmp; $i++)
{
	($tmp) = glob("$slow_file.*.tmp");
	usleep(50_000) unless $tmp;
}
ok($tmp, 'the saver is writing the slow frame');
$offset = -s $node->logfile;
$node->safe_psql('dba', 'DROP VIEW slow');
$node->wait_for_log(qr/was dropped while it was being saved; the snapshot was discarded/,
	$offset);
ok(!-e $slow_file, 'no snapshot of the frame dropped during its save');
ok(!glob("$slow_file.*"), 'and no temporary file');
$node->append_conf('postgresql.conf',
	"shmcache.debug_io_delay = 0\nshmcache.save_interval = 0\n");
$node->reload;

# ----------------------------------------------------------------------
# 5. Queries arriving during the autoload.
# ----------------------------------------------------------------------

$node->safe_psql('dba', q{
SELECT shmcache.create_frame('big', 'id int8');
INSERT INTO big SELECT generate_series(1, 16384 * 20);
});
# 20 blocks of 300 ms: the load takes about 6 s.
$node->append_conf('postgresql.conf', "shmcache.debug_io_delay = 300\n");
$node->restart;
my $nowait = $node->safe_psql('dba',
	"SET shmcache.autoload_wait = off; SELECT count(*) FROM big");
my $state = $node->safe_psql('dba',
	"SELECT state FROM shmcache.frames WHERE frame = 'big'::regclass");
my $writer = $node->background_psql('dba', on_error_stop => 0);
$writer->query_until(qr/started/, "\\echo started\nINSERT INTO big VALUES (-1);\n");
is($nowait, '0', 'with autoload_wait = off a query during the load sees the frame empty');
is($state, 'loading', 'shmcache.frames shows the frame loading');
# The writer waiting as well may commit first once the load is done.
my $waited = $node->safe_psql('dba', 'SELECT count(*) FROM big');
ok($waited == 16384 * 20 || $waited == 16384 * 20 + 1,
	"a query during the load waits for it and sees every row ($waited)");
$writer->quit;
is($node->safe_psql('dba', 'SELECT count(*), min(id) FROM big'),
	(16384 * 20 + 1) . '|-1', 'a writer during the load waited and appended after it');
is($node->safe_psql('dba',
		"SELECT state FROM shmcache.frames WHERE frame = 'big'::regclass"),
	'loaded', 'then the frame is loaded');
$node->append_conf('postgresql.conf', "shmcache.debug_io_delay = 0\n");
$node->safe_psql('dba', "SELECT shmcache.drop_frame('big')");
$node->stop;

# ----------------------------------------------------------------------
# 6. A full disk during a save (file size limit on the server).
# ----------------------------------------------------------------------

my $full = shmcache_node(
	'fulldisk',
	init => [ extra => ['--wal-segsize=1'] ],
	conf => [ 'shmcache.save_interval = 0', 'max_wal_size = 32MB' ],
	start => 0);

# Start with "ulimit -f" (KB): files past 6 MB cannot be written.
sub start_limited
{
	my ($n, $kb) = @_;
	local %ENV = $n->_get_env();
	my $cmd = "ulimit -f $kb && exec pg_ctl -w -D " . $n->data_dir
	  . ' -l ' . $n->logfile . ' -o --cluster-name=' . $n->name . ' start';
	system_log('bash', '-c', $cmd) == 0 or BAIL_OUT('start with ulimit failed');
	$n->_update_pid(1);
}
start_limited($full, 6 * 1024);
$full->safe_psql(
	'postgres', q{
CREATE EXTENSION shmcache;
SELECT shmcache.create_frame('f', 'id int8, t text');
INSERT INTO f SELECT i, 'small ' || i FROM generate_series(1, 1000) i;
SELECT shmcache.save('f');
});
my $ffile = $full->data_dir . '/pg_shmcache/' . $full->safe_psql('postgres',
	"SELECT oid FROM pg_database WHERE datname = 'postgres'") . '.'
  . $full->safe_psql('postgres', 'SELECT frame_id FROM shmcache.frame_catalog') . '.snap';
my $saved = slurp_file($ffile);
$full->safe_psql('postgres',
	"INSERT INTO f SELECT i, repeat('big', 10) || i FROM generate_series(1001, 300000) i");
($ret, $out, $err) = $full->psql('postgres', "SELECT shmcache.save('f')");
isnt($ret, 0, 'a save that hits the file size limit fails');
like($err, qr/ERROR:  could not write file "pg_shmcache\/\d+\.\d+\.snap\.\d+\.tmp": File too large/,
	'... with an error naming the file and the reason');
like($err, qr/DETAIL:  The previous snapshot "[^"]+", if any, is left as it was\./,
	'... saying the previous snapshot is kept');
is(slurp_file($ffile), $saved, 'the previous snapshot is intact');
ok(!glob("$ffile.*"), 'no temporary file is left');
is($full->safe_psql('postgres', 'SELECT count(*) FROM f'), '300000',
	'the frame itself is unaffected');
is($full->safe_psql('postgres',
		"SELECT snapshot_rows FROM shmcache.frames WHERE frame = 'f'::regclass"),
	'1000', 'shmcache.frames still shows the previous snapshot');

# The shutdown save fails the same way; the server restarts with the
# previous snapshot.
$offset = -s $full->logfile;
$full->stop;
like(slurp_file($full->logfile, $offset), qr/could not write file .*File too large/,
	'the failed shutdown save is logged');
$full->start;
is($full->safe_psql('postgres', 'SELECT count(*), max(t) FROM f'),
	'1000|small 999', 'after restart the frame is back as of the last good save');
$full->stop;

done_testing();
