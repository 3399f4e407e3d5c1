
# Copyright (c) 2026, shmcache authors

# COPY ... TO ... (FORMAT arrow), checked by an Arrow implementation other
# than ours: the reference JavaScript one (apache-arrow from npm, installed
# into tests/arrow/node_modules by ./quickstart.sh test), run by node in
# tests/arrow/check.mjs, which prints each row of a stream in canonical
# text forms that the queries below compute from a heap table holding the
# same rows.
#
# - a frame (the fast path, straight from its chunks) and a heap table (the
#   generic path) with the same rows of every type of the mapping: NULLs,
#   NaN, infinities, many chunks whose text dictionaries differ, to a
#   server file and through psql's \copy; column lists; pushed filters that
#   skip chunks; a frame query with a per-row qual (generic path); an empty
#   frame, a frame of one row;
# - a stream of a frame truncated, then dropped, by another session while
#   it is being written finishes on its snapshot, and shows in
#   pg_stat_progress_copy meanwhile.
#
# Nothing is skipped: without node or the package the test fails.

use strict;
use warnings;

use Cwd qw(abs_path);
use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;

my $checker = abs_path('tests/arrow/check.mjs');
is(system('node --version >/dev/null 2>&1'), 0, 'node is installed (./quickstart.sh test installs it)')
  or BAIL_OUT('node is missing: run ./quickstart.sh test, which installs it');
ok(-d 'tests/arrow/node_modules/apache-arrow',
	'apache-arrow is installed in tests/arrow/node_modules')
  or BAIL_OUT('apache-arrow is missing: run "npm ci" in tests/arrow '
	  . '(./quickstart.sh test does)');

my $node = shmcache_node('arrow', size => '256MB');
my $dir = $node->basedir;

# The columns: name, type, and how the canonical text of value "x" is
# computed in SQL (see tests/arrow/check.mjs).
my $float = "CASE WHEN x = 'NaN' THEN 'NaN' ELSE encode(floatNsend(x), 'hex') END";
my $str = "to_json(format('%s', x))::text";
my %canon = (
	int => 'x::text',
	float4 => $float =~ s/floatN/float4/r,
	float8 => $float =~ s/floatN/float8/r,
	text => 'x::text',
	str => $str,
	hex => "encode(x, 'hex')",
	date => "CASE WHEN x = 'infinity' THEN '2147483647' WHEN x = '-infinity' "
	  . "THEN '-2147483648' ELSE (x - date '1970-01-01')::text END",
	time => '(extract(epoch FROM x) * 1000000)::int8::text',
	ts => "CASE WHEN x = 'infinity' THEN '9223372036854775807' WHEN x = '-infinity' "
	  . "THEN '-9223372036854775808' ELSE least(extract(epoch FROM x) * 1000000, 9223372036854775807)::int8::text END",
	interval => "format('%s %s %s', (extract(year FROM x) * 12 + extract(month FROM x))::int, "
	  . "extract(day FROM x)::int, ((extract(hour FROM x) * 3600000000 + "
	  . "extract(minute FROM x) * 60000000 + extract(microseconds FROM x)) * 1000)::int8)",
	uuid => "replace(x::text, '-', '')",
	intlist => "coalesce((SELECT '[' || string_agg(coalesce(e::text, 'null'), ',' ORDER BY o) || ']' FROM unnest(x) WITH ORDINALITY AS u(e, o)), '[]')",
	strlist => "coalesce((SELECT '[' || string_agg(coalesce(to_json(e)::text, 'null'), ',' ORDER BY o) || ']' FROM unnest(x) WITH ORDINALITY AS u(e, o)), '[]')",
);

# name, type, canonical form, generating expression of row i
my @columns = (
	[ 'id', 'int8', 'int', 'i' ],
	[ 'i2', 'int2', 'int', '(i % 30000 - 15000)::int2' ],
	[ 'i4', 'int4', 'int', '(i * 7919 % 100000 - 50000)::int4' ],
	[ 'f4', 'float4', 'float4', '(i / 7.0)::float4' ],
	[ 'f8', 'float8', 'float8', 'i * 1.1::float8 / 3' ],
	[ 'b', 'bool', 'text', 'i % 3 = 0' ],
	[ 'n', 'numeric(12,3)', 'text', '(i * 12.345 - 300000)::numeric(12,3)' ],
	[ 'nn', 'numeric', 'str', 'i / 3.0' ],
	[ 't', 'text', 'str', "'w' || (i / 16384) || '_' || (i % 7)" ],
	[ 'vc', 'varchar(10)', 'str', "'v' || (i % 100)" ],
	[ 'c', 'char(4)', 'str', 'chr(65 + i % 26)' ],
	[ 'by', 'bytea', 'hex', "decode(md5(i::text), 'hex')" ],
	[ 'd', 'date', 'date', "date '2000-01-01' + (i - 25000)" ],
	[ 'tm', 'time', 'time', "time '00:00' + i * interval '1.234567 s'" ],
	[ 'ts', 'timestamp', 'ts', "timestamp '2024-01-01' + i * interval '1.5 s'" ],
	[ 'tz', 'timestamptz', 'ts', "timestamptz '2024-01-01 00:00+00' - i * interval '1 day 0.000001 s'" ],
	[ 'iv', 'interval', 'interval', "make_interval(months => i % 25 - 12, days => i % 40 - 20, secs => i * 0.001)" ],
	[ 'u', 'uuid', 'uuid', 'md5(i::text)::uuid' ],
	[ 'j', 'json', 'str', "json_build_object('i', i)" ],
	[ 'jb', 'jsonb', 'str', "jsonb_build_object('k', i % 10)" ],
	[ 'ai', 'int4[]', 'intlist', 'ARRAY[i::int4, NULL, -i::int4]' ],
	[ 'at', 'text[]', 'strlist', "ARRAY['a' || i % 5]" ],
	[ 'm', 'mood', 'str', "(ARRAY['sad', 'ok', 'happy'])[i % 3 + 1]::mood" ],
	[ 'dp', 'posint', 'int', 'i::int4' ],
);
my $coldefs = join(', ', map { "$_->[0] $_->[1]" } @columns);

# the canonical text of a row, as check.mjs prints it, for columns @names
sub canon_row
{
	my @names = @_;
	my %col = map { $_->[0] => $_ } @columns;
	return "concat_ws('|', " . join(
		', ',
		map {
			my $e = $canon{ $col{$_}->[2] } =~ s/\bx\b/$_/gr;
			"CASE WHEN $_ IS NULL THEN 'null' ELSE $e END"
		} @names) . ')';
}
my @all = map { $_->[0] } @columns;

# Rows 1 .. 50000, each column NULL on one row of 17; then special values.
my $generated = join(
	', ', map {
		my $c = $_;
		$c == 0
		  ? $columns[$c]->[3]
		  : "CASE WHEN i % 17 = $c % 17 THEN NULL ELSE $columns[$c]->[3] END"
	} 0 .. $#columns);
$node->safe_psql(
	'postgres', qq{
CREATE EXTENSION shmcache;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int4 CHECK (VALUE > 0);
CREATE TABLE h ($coldefs);
INSERT INTO h SELECT $generated FROM generate_series(1, 50000) AS i;
INSERT INTO h VALUES
 (100001, 32767, 2147483647, 'NaN', 'NaN', true, 999999999.999, 'NaN',
  E'h\\u00e9llo \\u2713 "q" \\\\ tab\\t nl\\n', '', '', '', 'infinity', '24:00',
  'infinity', 'infinity', '-178000000 years', '00000000-0000-0000-0000-000000000000',
  '"s"', '[]', '{}', '{NULL}', 'sad', 2147483647),
 (100002, -32768, -2147483648, '-Infinity', '-Infinity', false, -0.001, '-1e-20',
  ' x ', 'ten chars.', 'abcd', '\\x00', '-infinity', '00:00', '-infinity',
  '-infinity', '1 day -00:00:00.000001', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'null', 'null', '{1}', '{"", "a,b"}', 'happy', 1),
 (100003, 0, 0, 'Infinity', 'Infinity', NULL, 0, 0, NULL, NULL, NULL, NULL,
  '4713-01-01 BC', NULL, '294276-12-31 23:59:59.999999', '4713-01-01 00:00:00+00 BC',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (100004, NULL, NULL, '-0', '-0', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT shmcache.create_frame('f', '$coldefs');
INSERT INTO f SELECT * FROM h ORDER BY id;
SELECT shmcache.create_frame('e', '$coldefs');
SELECT shmcache.create_frame('o', '$coldefs');
INSERT INTO o SELECT * FROM h WHERE id = 100001;
});

# check(FILE): what check.mjs prints: (header, rows joined by newlines)
sub check
{
	my ($file) = @_;
	my ($stdout, $stderr);
	my $ok = IPC::Run::run([ 'node', $checker, $file ], '>', \$stdout, '2>', \$stderr);
	ok($ok, "apache-arrow reads $file") or diag($stderr);
	my ($header, @rows) = split /\n/, $stdout // '';
	return ($header // '', join("\n", @rows));
}

# expected(COLUMNS, FROM_WHERE): the canonical rows of a query of h
sub expected
{
	my ($names, $rest) = @_;
	return $node->safe_psql('postgres',
		'SELECT ' . canon_row(@$names) . " FROM h $rest ORDER BY id");
}

my $all_rows = expected(\@all, '');

# The frame, straight from shared memory; the heap table, row by row.
$node->safe_psql('postgres', "COPY f TO '$dir/f.arrow' (FORMAT arrow)");
my ($fh, $frows) = check("$dir/f.arrow");
is($frows, $all_rows, 'frame stream: every value equals the heap table\'s');
like($fh, qr/^# 4 /, 'frame stream: one record batch per chunk');
like($fh, qr/,t:Dictionary<Int16, Utf8>,vc:Dictionary<Int16, Utf8>,c:Dictionary<Int16, Utf8>,/,
	'frame stream: text columns are dictionary-encoded');

$node->safe_psql('postgres',
	"COPY (SELECT * FROM h ORDER BY id) TO '$dir/h.arrow' (FORMAT arrow)");
my ($hh, $hrows) = check("$dir/h.arrow");
is($hrows, $all_rows, 'heap stream: every value equals the table\'s');
my $types = 'id:Int64,i2:Int16,i4:Int32,f4:Float32,f8:Float64,b:Bool,'
  . 'n:Decimal[12e+3],nn:Utf8,t:Utf8,vc:Utf8,c:Utf8,by:Binary,d:Date32<DAY>,'
  . 'tm:Time64<MICROSECOND>,ts:Timestamp<MICROSECOND>,tz:Timestamp<MICROSECOND, UTC>,'
  . 'iv:Interval<MONTH_DAY_NANO>,u:FixedSizeBinary[16][["ARROW:extension:name","arrow.uuid"],'
  . '["ARROW:extension:metadata",""]],j:Utf8,jb:Utf8,ai:List<Int32>,at:List<Utf8>,'
  . 'm:Utf8,dp:Int32';
is($hh, "# 1 $types", 'heap stream: the type mapping');
is($fh =~ s/Dictionary<Int16, Utf8>/Utf8/gr, "# 4 $types",
	'frame stream: the same types but for the dictionaries');

# psql's \copy: the same bytes through the COPY protocol
$node->psql('postgres', "\\copy f TO '$dir/fc.arrow' (FORMAT arrow)",
	on_error_die => 1);
is(slurp_file("$dir/fc.arrow"), slurp_file("$dir/f.arrow"),
	'\copy of the frame writes the same stream as COPY TO a file');
$node->psql('postgres', "\\copy h TO '$dir/hc.arrow' (FORMAT arrow)",
	on_error_die => 1);
# (a table is read in its physical order, which need not be that of id)
is( join("\n", sort split /\n/, (check("$dir/hc.arrow"))[1]),
	join("\n", sort split /\n/, $all_rows),
	'\copy of the heap table');

# column lists, filters (pushed, with chunks skipped, or per row)
$node->safe_psql('postgres', "COPY f (t, id, d) TO '$dir/cols.arrow' (FORMAT arrow)");
my ($ch, $crows) = check("$dir/cols.arrow");
is($crows, expected([qw(t id d)], ''), 'frame with a column list');
like($ch, qr/^# 4 t:Dictionary<Int16, Utf8>,id:Int64,d:Date32<DAY>$/,
	'frame with a column list: its fields');

$node->safe_psql('postgres',
	"COPY (SELECT id, t, f8, ai FROM f WHERE id BETWEEN 20000 AND 30000 AND t IS NOT NULL) TO '$dir/flt.arrow' (FORMAT arrow)"
);
my ($lh, $lrows) = check("$dir/flt.arrow");
is($lrows, expected([qw(id t f8 ai)], 'WHERE id BETWEEN 20000 AND 30000 AND t IS NOT NULL'),
	'frame with pushed filters');
like($lh, qr/^# 1 id:Int64,t:Dictionary/, 'pushed filters: the other chunks are skipped');

$node->safe_psql('postgres',
	"COPY (SELECT t, id, u FROM f WHERE id % 3 = 1) TO '$dir/gen.arrow' (FORMAT arrow)");
my ($gh, $grows) = check("$dir/gen.arrow");
is($grows, expected([qw(t id u)], 'WHERE id % 3 = 1'),
	'frame with a per-row qual (generic path)');
like($gh, qr/^# 1 t:Utf8,/, 'per-row qual: plain utf8');

$node->safe_psql('postgres', "COPY e TO '$dir/e.arrow' (FORMAT arrow)");
my ($eh, $erows) = check("$dir/e.arrow");
is($erows, '', 'empty frame: no rows');
like($eh, qr/^# [01] id:Int64,/, 'empty frame: the schema');
{
	my $stream = slurp_file("$dir/e.arrow");
	my ($marker, $length) = unpack('VV', $stream);
	is(length($stream), 8 + $length + 8,
		'empty frame: a schema message and the end-of-stream marker, no batch');
}
$node->safe_psql('postgres', "COPY o TO '$dir/o.arrow' (FORMAT arrow)");
is((check("$dir/o.arrow"))[1], expected(\@all, 'WHERE id = 100001'), 'frame of one row');

########################################################################
# A frame truncated, then dropped, while a stream of it is written
########################################################################

$node->safe_psql(
	'postgres', q{
SELECT shmcache.create_frame('big', 'id int8, t text');
INSERT INTO big SELECT i, 'v' || i % 1000 FROM generate_series(1, 300000) i;
});
my $expected_big = $node->safe_psql('postgres',
	"SELECT concat_ws('|', i, to_json('v' || i % 1000)) FROM generate_series(1, 300000) i");

# COPY to a program that reads nothing until "$dir/go" exists: the stream
# stalls once the pipe is full, in the middle of the frame.
sub stalled_copy
{
	my ($session, $file) = @_;
	my $pid = backend_pid($session);

	unlink("$dir/go");
	$session->query_until(qr/started/,
		"\\echo started\nCOPY big TO PROGRAM 'while [ ! -e $dir/go ]; do sleep 0.05; done; cat > $file' (FORMAT arrow);\n\\echo copied\n"
	);
	ok( $node->poll_query_until(
			'postgres',
			"SELECT bytes_processed > 0 AND tuples_processed > 0 AND command = 'COPY TO' AND type = 'PROGRAM' FROM pg_stat_progress_copy WHERE pid = $pid"),
		'a stalled stream shows in pg_stat_progress_copy');
}

my $s1 = $node->background_psql('postgres');
stalled_copy($s1, "$dir/big1.arrow");
$node->safe_psql('postgres', "SET statement_timeout = '10s'; TRUNCATE big");
is($node->safe_psql('postgres', 'SELECT count(*) FROM big'),
	'0', 'the truncate committed while the stream is written');
open(my $go, '>', "$dir/go") or die;
close($go);
$s1->query_until(qr/copied/, '');
is((check("$dir/big1.arrow"))[1], $expected_big,
	'the stream of the truncated frame has every row of its snapshot');

$node->safe_psql('postgres',
	"INSERT INTO big SELECT i, 'v' || i % 1000 FROM generate_series(1, 300000) i");
stalled_copy($s1, "$dir/big2.arrow");
my $s2 = $node->background_psql('postgres');
my $pid2 = backend_pid($s2);
$s2->query_until(qr/dropping/, "\\echo dropping\nSELECT shmcache.drop_frame('big');\n\\echo dropped\n");
ok( $node->poll_query_until('postgres',
		"SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $pid2"),
	'the drop waits for the stream, as for a table');
open($go, '>', "$dir/go") or die;
close($go);
$s1->query_until(qr/copied/, '');
$s2->query_until(qr/dropped/, '');
is((check("$dir/big2.arrow"))[1], $expected_big,
	'the stream of the dropped frame has every row of its snapshot');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relname = 'big'"),
	'0', 'the frame is dropped');
$s1->quit;
$s2->quit;

$node->stop;
done_testing();
