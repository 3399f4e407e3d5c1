
# Copyright (c) 2026, shmcache authors

# Hardening: what an adversarial review broke, and the general guards.
#
# - a hostile database: its non-superuser owner shadows pg_catalog's
#   operators with functions that make him superuser when a superuser runs
#   them, and puts his schema first in the database's search_path; the
#   autoload worker (clean and crash restarts), save, restore, create_frame,
#   cache_table, frames and scans run there, and he stays a plain user;
# - look-alike objects in a database without the extension (schema
#   "shmcache", a fake frame_catalog and scan()) are never taken for the
#   extension's: no crash, no frame attached;
# - a snapshot that could not be loaded (shmcache.size too small, or
#   autoload = off) is reported as not loaded; appends and saves are refused
#   until a restore or a truncate settles it, so its rows are never replaced;
# - shmcache.max_frames is enforced, and a clean restart brings every frame
#   back;
# - a commit that completes while a fast shutdown is under way (held up by
#   synchronous replication) keeps its frame rows, as it keeps its heap rows.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;

# Streaming allowed: synchronous replication needs max_wal_senders > 0.
my $node = shmcache_node(
	'hardening',
	init => [ allows_streaming => 1 ],
	size => '128MB',
	conf => [
		'shmcache.max_frames = 8', 'shmcache.save_interval = 0',
		'restart_after_crash = on'
	]);

# Wait until no autoload is pending (after a start).
sub wait_loaded
{
	my ($db) = @_;
	# OPERATOR(pg_catalog.=): evildb's search_path holds traps.
	$node->poll_query_until($db,
		"SELECT count(*) OPERATOR(pg_catalog.=) 0 FROM shmcache.frames "
		  . "WHERE state OPERATOR(pg_catalog.=) 'loading'")
	  or die "autoload did not finish";
}

sub is_superuser
{
	return $node->safe_psql('postgres',
		"SELECT rolsuper FROM pg_roles WHERE rolname = 'evil'");
}

# ---------------------------------------------------------------------------
# A hostile database
# ---------------------------------------------------------------------------

$node->safe_psql('postgres', q{
	CREATE ROLE evil LOGIN;
	CREATE DATABASE evildb OWNER evil;
});
$node->safe_psql('evildb', 'CREATE EXTENSION shmcache');
$node->safe_psql('evildb', q{
	SET ROLE evil;
	SELECT shmcache.create_frame('ev', 'id int8, v text');
	INSERT INTO ev SELECT g, 'v' || g FROM generate_series(1, 1000) g;
	CREATE TABLE src (id int8 PRIMARY KEY, v text);
	INSERT INTO src SELECT g, 'v' || g FROM generate_series(1, 100) g;
	CREATE SCHEMA evil;
	-- Run by a superuser, each makes evil a superuser; run by evil, it
	-- just compares.
	CREATE FUNCTION evil.escalate() RETURNS void LANGUAGE plpgsql AS $$
	BEGIN
		ALTER ROLE evil SUPERUSER;
	EXCEPTION WHEN OTHERS THEN
		NULL;
	END $$;
	CREATE FUNCTION evil.eq8(int8, int8) RETURNS bool LANGUAGE plpgsql AS $$
	BEGIN PERFORM evil.escalate(); RETURN pg_catalog.int8eq($1, $2); END $$;
	CREATE FUNCTION evil.lt8(int8, int8) RETURNS bool LANGUAGE plpgsql AS $$
	BEGIN PERFORM evil.escalate(); RETURN pg_catalog.int8lt($1, $2); END $$;
	CREATE FUNCTION evil.eqoid(oid, oid) RETURNS bool LANGUAGE plpgsql AS $$
	BEGIN PERFORM evil.escalate(); RETURN pg_catalog.oideq($1, $2); END $$;
	CREATE FUNCTION evil.eqtext(text, text) RETURNS bool LANGUAGE plpgsql AS $$
	BEGIN PERFORM evil.escalate(); RETURN pg_catalog.texteq($1, $2); END $$;
	CREATE FUNCTION evil.quote_ident(text) RETURNS text LANGUAGE plpgsql AS $$
	BEGIN PERFORM evil.escalate(); RETURN pg_catalog.quote_ident($1); END $$;
	CREATE OPERATOR evil.= (LEFTARG = int8, RIGHTARG = int8, FUNCTION = evil.eq8);
	CREATE OPERATOR evil.< (LEFTARG = int8, RIGHTARG = int8, FUNCTION = evil.lt8);
	CREATE OPERATOR evil.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = evil.eqoid);
	CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.eqtext);
	ALTER DATABASE evildb SET search_path = evil, pg_catalog, public;
});
is(is_superuser(), 'f', 'evil starts as a plain user');

# The traps work: a superuser who runs evil's operator makes him superuser.
# (Checked in a transaction that is rolled back.)
is( $node->safe_psql('evildb', q{
		BEGIN;
		SELECT 1::int8 = 1::int8;
		SELECT rolsuper FROM pg_roles WHERE rolname = 'evil';
		ROLLBACK;}),
	"t\nt", 'a superuser running evil.= makes evil superuser (the trap is real)');
is(is_superuser(), 'f', '... rolled back');

# Every shmcache path a superuser runs in that database.
$node->safe_psql('evildb', q{
	SELECT shmcache.save();
	SELECT count(*) FROM shmcache.frames;
	SELECT count(*) FROM shmcache.memory;
	SELECT shmcache.restore('ev');
	SELECT shmcache.cache_table('src', 'src_cache');
	SELECT shmcache.create_frame('su_f', 'a int8');
	INSERT INTO su_f VALUES (1);
	INSERT INTO su_f SELECT g FROM generate_series(2, 10) g;
	SELECT shmcache.truncate('su_f');
	SELECT shmcache.drop_frame('su_f');
	SELECT count(*) FROM public.ev WHERE id OPERATOR(pg_catalog.=) 5;
	SELECT shmcache.save('ev');
});
is(is_superuser(), 'f', 'save, restore, cache_table, create/truncate/drop_frame, frames: evil stays a plain user');

$node->restart;
wait_loaded('evildb');
is($node->safe_psql('evildb', 'SELECT count(*) FROM public.ev'),
	'1000', 'clean restart: the autoload worker loaded the hostile database\'s frame');
is(is_superuser(), 'f', 'clean restart: the autoload worker did not make evil superuser');

# A crash restart: the frames come back from their snapshots.
$node->safe_psql('evildb', 'SELECT shmcache.save()');
crash_backend($node);
wait_loaded('evildb');
is($node->safe_psql('evildb', 'SELECT count(*) FROM public.ev'),
	'1000', 'crash restart: the frame is back');
is(is_superuser(), 'f', 'crash restart: evil stays a plain user');

# ---------------------------------------------------------------------------
# Look-alike objects in a database without the extension
# ---------------------------------------------------------------------------

my $frames_before = $node->safe_psql('evildb', 'SELECT frames FROM shmcache.memory');
$node->safe_psql('postgres', 'CREATE DATABASE fakedb OWNER evil');
$node->safe_psql('fakedb', q{
	SET ROLE evil;
	CREATE SCHEMA shmcache;
	CREATE TABLE shmcache.frame_catalog (frame_id int8, view oid, not_null int8,
										 created timestamptz);
	INSERT INTO shmcache.frame_catalog VALUES (1, 'pg_class'::regclass, 5, now());
	CREATE FUNCTION shmcache.scan(int8) RETURNS SETOF record LANGUAGE sql
		AS 'SELECT 1';
});
my ($ret, $out, $err) = $node->psql('fakedb',
	'SELECT * FROM shmcache.scan(1) AS f(a int4)');
is($ret, 0, 'fake shmcache.scan() in a database without the extension: no error');
is($out, '1', '... it is the user\'s own SQL function');

# Well-formed look-alikes, with a view as a frame's.
my $ev_id = $node->safe_psql('evildb',
	"SELECT frame_id FROM shmcache.frame_catalog WHERE view OPERATOR(pg_catalog.=) 'public.ev'::regclass");
$node->safe_psql('fakedb', qq{
	SET ROLE evil;
	DROP TABLE shmcache.frame_catalog;
	CREATE TABLE shmcache.frame_catalog (frame_id int8 PRIMARY KEY,
		view regclass NOT NULL UNIQUE, not_null int2[] NOT NULL DEFAULT '{}',
		created timestamptz NOT NULL DEFAULT now());
	CREATE VIEW fv AS SELECT * FROM shmcache.scan($ev_id) AS f(a int4);
	INSERT INTO shmcache.frame_catalog (frame_id, view) VALUES ($ev_id, 'fv');
});
($ret, $out, $err) = $node->psql('fakedb', 'SELECT * FROM fv');
is($ret, 0, 'a well-formed fake frame: the query runs');
is($out, '1', '... on the user\'s function, not on a frame');
is($node->safe_psql('evildb', 'SELECT frames FROM shmcache.memory'),
	$frames_before, '... and no frame was attached');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server is still up');

# ---------------------------------------------------------------------------
# Snapshots that could not be loaded are never replaced
# ---------------------------------------------------------------------------

$node->safe_psql('postgres', q{
	CREATE EXTENSION shmcache;
	SELECT shmcache.create_frame('big', 'id int8, v text');
	INSERT INTO big SELECT g, md5(g::text) || md5(g::text) FROM generate_series(1, 400000) g;
	SELECT shmcache.save('big');
});
my $big_bytes = $node->safe_psql('postgres',
	"SELECT bytes FROM shmcache.frames WHERE frame = 'big'::regclass");
cmp_ok($big_bytes, '>', 16 * 1024 * 1024, 'the frame takes more than 16MB');

# Restart with too small a shmcache.size: the autoload fails.
$node->append_conf('postgresql.conf', "shmcache.size = '16MB'\n");
$node->restart;
wait_loaded('postgres');
is( $node->safe_psql('postgres',
		"SELECT state, rows, snapshot_rows FROM shmcache.frames WHERE frame = 'big'::regclass"),
	'not loaded|0|400000', 'failed autoload: shmcache.frames says not loaded');
($ret, $out, $err) = $node->psql('postgres', 'INSERT INTO big VALUES (0, \'x\')');
isnt($ret, 0, 'INSERT into a frame whose snapshot was not loaded fails');
like($err, qr/frame "big" has a snapshot that was not loaded/, '... with a clear error');
($ret, $out, $err) = $node->psql('postgres', "COPY big FROM STDIN", stdin => "1\tx\n");
like($err, qr/has a snapshot that was not loaded/, 'COPY FROM is refused too');
($ret, $out, $err) = $node->psql('postgres', "SELECT shmcache.save('big')");
like($err, qr/frame "big" is not loaded; its snapshot is left as it is/,
	'an explicit save leaves the snapshot alone');
$node->append_conf('postgresql.conf', "shmcache.size = '128MB'\n");
$node->restart;
wait_loaded('postgres');
is($node->safe_psql('postgres', 'SELECT count(*) FROM big'),
	'400000', 'restart with enough memory: every row is back');

# autoload = off: the same, until restore() or truncate() settles it.
$node->append_conf('postgresql.conf', "shmcache.autoload = off\n");
$node->restart;
is( $node->safe_psql('postgres',
		"SELECT state FROM shmcache.frames WHERE frame = 'big'::regclass"),
	'not loaded', 'autoload = off: not loaded');
($ret, $out, $err) = $node->psql('postgres', 'INSERT INTO big VALUES (0, \'x\')');
like($err, qr/has a snapshot that was not loaded/, 'autoload = off: INSERT is refused');
$node->restart;
is($node->safe_psql('postgres', "SELECT shmcache.restore('big')"),
	'400000', 'restore() loads the snapshot kept through the shutdown');
$node->safe_psql('postgres', "INSERT INTO big VALUES (0, 'x')");
is( $node->safe_psql('postgres',
		"SELECT state, rows FROM shmcache.frames WHERE frame = 'big'::regclass"),
	'loaded|400001', 'after restore(), appends work');
$node->restart;
is($node->safe_psql('postgres', "SELECT shmcache.truncate('big')"), '',
	'truncate() discards a snapshot that was not loaded');
$node->safe_psql('postgres', "INSERT INTO big VALUES (1, 'y')");
$node->append_conf('postgresql.conf', "shmcache.autoload = on\n");
$node->restart;
wait_loaded('postgres');
is($node->safe_psql('postgres', 'SELECT count(*), min(v) FROM big'),
	'1|y', 'after truncate() and an INSERT, the next save holds that row');

# ---------------------------------------------------------------------------
# shmcache.max_frames
# ---------------------------------------------------------------------------

# shmcache.memory counts the frames of its database.
sub frames_in_memory
{
	return $node->safe_psql('postgres', 'SELECT frames FROM shmcache.memory') +
	  $node->safe_psql('evildb', 'SELECT frames FROM shmcache.memory');
}
my $n_frames = frames_in_memory();
my $created = 0;
my $last_err = '';
for my $i (1 .. 10)
{
	($ret, $out, $err) = $node->psql('postgres',
		"SELECT shmcache.create_frame('m$i', 'a int4'); INSERT INTO m$i VALUES ($i)");
	if ($ret == 0) { $created++ } else { $last_err = $err; last }
}
is($n_frames + $created, 8, 'frames can be created up to shmcache.max_frames');
like($last_err, qr/too many shmcache frames/, '... then a clear error');
is(frames_in_memory(), 8, 'shared memory holds max_frames frames');
$node->restart;
wait_loaded('postgres');
wait_loaded('evildb');
is( $node->safe_psql('postgres',
		"SELECT string_agg(a::text, ',' ORDER BY a) FROM ("
		  . join(' UNION ALL ', map { "SELECT a FROM m$_" } 1 .. $created) . ') s'),
	join(',', 1 .. $created), 'clean restart: every frame is back');
is($node->safe_psql('evildb', 'SELECT count(*) FROM public.ev'),
	'1000', '... in the other database too');

# ---------------------------------------------------------------------------
# A commit completing during a fast shutdown
# ---------------------------------------------------------------------------

$node->safe_psql('postgres', q{
	SELECT shmcache.drop_frame('m1');
	SELECT shmcache.create_frame('race', 'a int4');
	CREATE TABLE race_heap (a int4);
});
$node->append_conf('postgresql.conf', "synchronous_standby_names = 'nosuch'\n");
$node->reload;
my $bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/started/, q{
	\echo started
	SET shmcache.debug_commit_delay = '1s';
	BEGIN;
	INSERT INTO race VALUES (1);
	INSERT INTO race_heap VALUES (1);
	COMMIT;
});
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE wait_event = 'SyncRep'")
  or die 'the commit did not wait for synchronous replication';
$node->stop('fast');
eval { $bg->quit };
$node->append_conf('postgresql.conf', "synchronous_standby_names = ''\n");
$node->start;
wait_loaded('postgres');
is($node->safe_psql('postgres', 'SELECT count(*) FROM race_heap'),
	'1', 'fast shutdown during a commit: the heap row is kept');
is($node->safe_psql('postgres', 'SELECT count(*) FROM race'),
	'1', '... and so is the frame row');

$node->stop;
done_testing();
