
# Copyright (c) 2026, shmcache authors

# pg_dump and restore of a database with frames.
#
# The frames' definitions come back (views, column types, NOT NULL,
# INSERT triggers, catalog rows, privileges); their data does not (frames
# are empty after a restore), and the restored frames load and enforce
# NOT NULL as before.  A dump in custom format restored with pg_restore
# works the same.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;

my $node = shmcache_node('dump');

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $csv = "$tempdir/data.csv";

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql(
	'src', qq{
CREATE EXTENSION shmcache;
CREATE ROLE reader_role;
CREATE SCHEMA other;
SELECT shmcache.create_frame('ticks',
       'id int8 NOT NULL, symbol text NOT NULL, ts timestamptz, price float8, qty int4');
SELECT shmcache.create_frame('other.quotes', 'sym varchar(8), bid numeric(10,2), ask numeric(10,2)');
SELECT shmcache.create_frame('"Mixed Case"', '"Col A" int4, "col b" text');
CREATE TABLE orders (id int4 NOT NULL, item text);
INSERT INTO orders SELECT i, 'item' || i FROM generate_series(1, 100) i;
SELECT shmcache.cache_table('orders');
GRANT SELECT ON ticks TO reader_role;
INSERT INTO ticks SELECT i, 'S' || (i % 10), '2024-01-01'::timestamptz + i * interval '1 s', i * 0.5, i
  FROM generate_series(1, 1000) i;
INSERT INTO other.quotes VALUES ('AAPL', 1.5, 1.6), ('MSFT', 2.5, NULL);
INSERT INTO "Mixed Case" VALUES (1, 'one');
COPY (SELECT i, 'R' || i, NULL, i, i FROM generate_series(1, 500) i) TO '$csv' (FORMAT csv);
-- a dropped frame leaves no trace in the dump
SELECT shmcache.create_frame('gone', 'x int4');
SELECT shmcache.drop_frame('gone');
});

# What defines the frames of a database, for comparison.
my $definition_sql = q{
SELECT frame::text, columns, owner FROM shmcache.frames ORDER BY frame::text;
SELECT count(*) FROM shmcache.frame_catalog;
SELECT c.relname, t.tgname, t.tgtype
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE NOT t.tgisinternal ORDER BY 1, 2;
SELECT has_table_privilege('reader_role', 'ticks', 'SELECT');
};
my $src_def = $node->safe_psql('src', $definition_sql);
like($src_def, qr/^ticks\|id bigint NOT NULL, symbol text NOT NULL, ts timestamp with time zone, price double precision, qty integer\|/m,
	'source: NOT NULL columns listed');

# Check a restored database.
sub check_restored
{
	my ($db, $how) = @_;

	is($node->safe_psql($db, $definition_sql),
		$src_def, "$how: frames, columns, NOT NULL, triggers, privileges come back");
	is( $node->safe_psql($db,
			q{SELECT string_agg(frame::text || '=' || rows, ',' ORDER BY frame::text) FROM shmcache.frames}
		),
		'"Mixed Case"=0,orders_cache=0,other.quotes=0,ticks=0',
		"$how: every frame is there, empty");
	is($node->safe_psql($db, 'SELECT count(*) FROM ticks'),
		'0', "$how: view ticks works");
	is($node->safe_psql($db, 'SELECT count(*) FROM other.quotes'),
		'0', "$how: view other.quotes works");
	is($node->safe_psql($db, "SELECT to_regclass('gone') IS NULL"),
		't', "$how: dropped frame not restored");

	# loading works
	$node->safe_psql(
		$db, qq{
INSERT INTO ticks SELECT i, 'S' || (i % 10), '2024-01-01'::timestamptz + i * interval '1 s', i * 0.5, i
  FROM generate_series(1, 1000) i;
SELECT shmcache.copy_from('ticks', '$csv', 'format csv');
INSERT INTO other.quotes VALUES ('AAPL', 1.5, 1.6), ('MSFT', 2.5, NULL);
INSERT INTO "Mixed Case" VALUES (1, 'one');
INSERT INTO orders_cache SELECT * FROM orders;
});
	is($node->safe_psql($db, 'SELECT count(*), sum(id), count(ts) FROM ticks'),
		'1500|625750|1000', "$how: INSERT and copy_from load the restored frame");
	is( $node->safe_psql($db,
			'SELECT count(*) FROM (TABLE orders EXCEPT ALL TABLE orders_cache) a'),
		'0', "$how: cached table reloads");
	is($node->safe_psql($db, 'SELECT sym, ask FROM other.quotes ORDER BY sym'),
		"AAPL|1.60\nMSFT|", "$how: frame in another schema loads");
	is($node->safe_psql($db, 'SELECT "Col A", "col b" FROM "Mixed Case"'),
		'1|one', "$how: quoted names survive");

	# NOT NULL is still enforced
	my ($ret, $out, $err) =
	  $node->psql($db, "INSERT INTO ticks VALUES (1, NULL, now(), 1, 1)");
	isnt($ret, 0, "$how: NULL into a NOT NULL column fails");
	like($err, qr/null value in column "symbol" of relation "ticks" violates not-null constraint/,
		"$how: ... with the not-null error");
	($ret, $out, $err) = $node->psql($db,
		"SELECT shmcache.copy_from_program('ticks', 'echo 7,,,,', 'format csv')");
	like($err, qr/null value in column "symbol"/,
		"$how: copy_from of a NULL into a NOT NULL column fails");
	($ret, $out, $err) =
	  $node->psql($db, "INSERT INTO orders_cache VALUES (NULL, 'x')");
	like($err, qr/null value in column "id"/,
		"$how: NOT NULL of a cached table is kept");
	is($node->safe_psql($db, 'SELECT count(*) FROM ticks'),
		'1500', "$how: failed loads left no rows");

	# new frames get fresh ids, not clashing with restored ones
	$node->safe_psql($db, "SELECT shmcache.create_frame('newer', 'x int4')");
	$node->safe_psql($db, 'INSERT INTO newer VALUES (1)');
	is( $node->safe_psql($db,
			'SELECT count(*) = count(DISTINCT frame_id) FROM shmcache.frame_catalog'),
		't', "$how: frame ids stay unique after restore");
	is($node->safe_psql($db, 'SELECT count(*) FROM ticks'),
		'1500', "$how: a new frame does not disturb a restored one");
	is($node->safe_psql($db, 'SELECT count(*) FROM newer'),
		'1', "$how: the new frame works");
}

# Plain format, restored with psql.
my $plain = "$tempdir/src.sql";
$node->run_log(
	[ 'pg_dump', '--no-sync', '-f', $plain, '-d', $node->connstr('src') ])
  or BAIL_OUT('pg_dump failed');
my $dump = slurp_file($plain);
like($dump, qr/CREATE EXTENSION IF NOT EXISTS shmcache/, 'dump creates the extension');
like($dump, qr/shmcache\.insert_trigger/, 'dump has the INSERT triggers');
like($dump, qr/COPY shmcache\.frame_catalog/, 'dump has the catalog rows');
unlike($dump, qr/CREATE TABLE shmcache\.frame_catalog/, '... but not the catalog table itself');

$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->run_log(
	[ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-q', '-f', $plain, '-d', $node->connstr('dst') ])
  or BAIL_OUT('restore failed');
check_restored('dst', 'plain dump');

# The source database is unaffected by all of this.
is($node->safe_psql('src', 'SELECT count(*) FROM ticks'),
	'1000', 'source frame still has its rows');

# Custom format, restored with pg_restore.
my $custom = "$tempdir/src.dump";
$node->run_log(
	[ 'pg_dump', '--no-sync', '-Fc', '-f', $custom, '-d', $node->connstr('src') ])
  or BAIL_OUT('pg_dump -Fc failed');
$node->safe_psql('postgres', 'CREATE DATABASE dst2');
$node->run_log(
	[ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst2'), $custom ])
  or BAIL_OUT('pg_restore failed');
check_restored('dst2', 'custom dump');

# A restore into a database that already holds a frame with a dumped frame
# id (here a copy of the source whose frame was renamed): the restored view
# would read that frame, so it is refused, and the frame keeps its rows to
# itself.
$node->safe_psql('postgres', 'CREATE DATABASE clone TEMPLATE src');
$node->safe_psql('clone',
	"ALTER VIEW ticks RENAME TO ticks_old; INSERT INTO ticks_old VALUES (7, 'OLD', now(), 1, 1)");
my ($stdout, $stderr);
IPC::Run::run([ 'pg_restore', '-d', $node->connstr('clone'), $custom ],
	'>', \$stdout, '2>', \$stderr);
like($stderr, qr/view "ticks" would read the frame of view "ticks_old"/,
	'restore over a frame with the same id: the aliasing view is refused');
is($node->safe_psql('clone', "SELECT to_regclass('public.ticks') IS NULL"),
	't', '... and not created');
is($node->safe_psql('clone', 'SELECT count(*), min(symbol) FROM ticks_old'),
	'1|OLD', '... and the frame keeps its own rows');

# The restored databases survive a restart, rows included (saved at the
# clean shutdown, loaded back at start).
$node->restart;
is($node->safe_psql('dst', 'SELECT count(*) FROM ticks'),
	'1500', 'restored frame comes back with its rows after a clean restart');
$node->safe_psql('dst', 'INSERT INTO ticks VALUES (1, \'A\', now(), 1, 1)');
is($node->safe_psql('dst', 'SELECT count(*) FROM ticks'),
	'1501', 'and loads');

$node->stop;

done_testing();
