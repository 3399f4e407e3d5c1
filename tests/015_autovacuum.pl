
# Copyright (c) 2026, shmcache authors

# Frames with many deleted rows are vacuumed in the background: the leader
# starts a vacuum worker in each database that has frames past
# shmcache.autovacuum_threshold + shmcache.autovacuum_scale_factor of their
# rows, which rewrites them without their deleted rows as their owners.
# Frames below the threshold are left alone; the rows stay the same.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;
use Time::HiRes qw(usleep);

my $node = shmcache_node('autovacuum',
	conf => [
		'shmcache.autovacuum_naptime = 1',
		'shmcache.autovacuum_threshold = 1000',
		'shmcache.autovacuum_scale_factor = 0.1'
	]);

$node->safe_psql('postgres', q{
CREATE EXTENSION shmcache;
CREATE ROLE frame_owner;
SELECT shmcache.create_frame('big', 'id int8 PRIMARY KEY, v text');
ALTER VIEW big OWNER TO frame_owner;
INSERT INTO big SELECT g, 'v' || g FROM generate_series(1, 50000) g;
SELECT shmcache.create_frame('small', 'id int8, v text');
INSERT INTO small SELECT g, 'v' || g FROM generate_series(1, 50000) g;
CREATE DATABASE other;
});
$node->safe_psql('other', q{
CREATE EXTENSION shmcache;
SELECT shmcache.create_frame('third', 'id int8');
INSERT INTO third SELECT g FROM generate_series(1, 20000) g;
});

my $sums = q{SELECT count(*), sum(id), md5(string_agg(v, ',' ORDER BY id)) FROM big};
# Measured before the deletes: the worker may vacuum as soon as they commit.
my $bytes = $node->safe_psql('postgres',
	q{SELECT bytes FROM shmcache.frames WHERE frame = 'big'::regclass});
my $log_offset = -s $node->logfile;

# big: 20,000 of 50,000 deleted (past 1,000 + 10%); small: 2,000 (not past
# 1,000 + 5,000); third, in another database: 10,000 of 20,000.
$node->safe_psql('postgres', q{DELETE FROM big WHERE id % 5 IN (1, 2)});
$node->safe_psql('postgres', q{DELETE FROM small WHERE id <= 2000});
$node->safe_psql('other', q{DELETE FROM third WHERE id % 2 = 0});
my $before = $node->safe_psql('postgres', $sums);

sub dead_rows
{
	my ($db, $frame) = @_;
	return $node->safe_psql($db,
		"SELECT dead_rows FROM shmcache.frames WHERE frame = '$frame'::regclass");
}

my $waited = 0;
while ((dead_rows('postgres', 'big') ne '0' || dead_rows('other', 'third') ne '0')
	&& $waited < 60_000)
{
	usleep(200_000);
	$waited += 200;
}
is(dead_rows('postgres', 'big'), '0', 'the frame past the threshold is vacuumed');
is(dead_rows('other', 'third'), '0', 'so is the one in the other database');
is(dead_rows('postgres', 'small'), '2000', 'the frame below it is left alone');
is($node->safe_psql('postgres', $sums), $before, 'the vacuumed frame has the same rows');
cmp_ok($node->safe_psql('postgres',
		q{SELECT bytes FROM shmcache.frames WHERE frame = 'big'::regclass}),
	'<', $bytes, 'and takes less memory');
is($node->safe_psql('postgres', q{SELECT v FROM big WHERE id = 49999}), 'v49999',
	'its primary key finds the rows');
ok($node->log_contains(qr/shmcache: vacuumed frame public\.big: 20000 deleted rows removed/,
		$log_offset), 'the worker logs what it did');

# A writer holding the frame's claim for a while: the worker, if it comes,
# waits for it; the deletes of its transaction are vacuumed after.
my $writer = $node->background_psql('postgres');
$writer->query_safe(q{BEGIN; DELETE FROM big WHERE id % 5 = 3});
usleep(2_500_000);
$writer->query_safe(q{COMMIT});
$waited = 0;
while (dead_rows('postgres', 'big') ne '0' && $waited < 60_000)
{
	usleep(200_000);
	$waited += 200;
}
is(dead_rows('postgres', 'big'), '0', 'later deletes are vacuumed too');
is($node->safe_psql('postgres', q{SELECT count(*) FROM big}), '20000',
	'and the rows are right');
$writer->quit;

$node->stop;
done_testing();
