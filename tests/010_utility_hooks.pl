
# Copyright (c) 2026, shmcache authors

# shmcache's ProcessUtility hook and the hooks of other libraries, with
# pg_stat_statements (whose hook records every utility statement it sees)
# standing in for any library that hooks ProcessUtility, such as an audit
# extension.
#
# - loaded before shmcache, pg_stat_statements sees what shmcache passes on
#   down the chain: COPY ... TO from a frame (as the statement the user
#   wrote, with its row count, and the SELECT it runs as a statement nested
#   in it), the tables of a TRUNCATE that also names a frame, ALTER DOMAIN,
#   and every other statement; the postmaster logs that shmcache is loaded
#   after another ProcessUtility hook;
# - loaded after shmcache, it sees every statement on a frame, COPY FROM
#   and TRUNCATE included, and nothing is logged.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;

my $node = shmcache_node(
	'hooks',
	preload => 'pg_stat_statements, shmcache',
	size => '16MB',
	conf => ['pg_stat_statements.track = all']);

my $notice = qr/shmcache is loaded after another library that uses the ProcessUtility hook/;
ok($node->log_contains($notice),
	'shmcache loaded after pg_stat_statements: the postmaster says so');

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION shmcache;
CREATE DOMAIN d AS int4;
SELECT shmcache.create_frame('f', 'id int4, v d');
CREATE TABLE t (a int4);
INSERT INTO t VALUES (1);
});

# Run each statement on its own, then return what pg_stat_statements
# recorded, by query text: "calls|rows" of the top-level statement, then
# " nested calls|rows" if it also ran as a nested statement.  (A statement
# is nested when pg_stat_statements' ProcessUtility hook runs the utility
# statement that runs it, as COPY (SELECT ...) TO runs a SELECT.)
sub run_and_record
{
	my @statements = @_;
	my %seen;

	$node->safe_psql('postgres', 'SELECT pg_stat_statements_reset()');
	$node->safe_psql('postgres', $_) foreach @statements;
	foreach my $line (
		split /\n/,
		$node->safe_psql(
			'postgres',
			'SELECT query, calls, rows, toplevel FROM pg_stat_statements ORDER BY NOT toplevel'))
	{
		my ($query, $calls, $rows, $toplevel) = split /\|/, $line;
		$seen{$query} .= $toplevel eq 't' ? "$calls|$rows" : " nested $calls|$rows";
	}
	return \%seen;
}

my $seen = run_and_record(
	'INSERT INTO f SELECT g, g FROM generate_series(1, 5) g',
	'COPY f TO STDOUT',
	'COPY f (v) TO STDOUT (FORMAT csv)',
	'TRUNCATE f, t',
	'ALTER DOMAIN d ADD CHECK (VALUE > 0)');
is($seen->{'COPY f TO STDOUT'}, '1|5 nested 1|5',
	'COPY TO from a frame reaches the hook loaded before shmcache');
is($seen->{'COPY f (v) TO STDOUT (FORMAT csv)'},
	'1|5 nested 1|5', 'with a column list and options');
is($seen->{'TRUNCATE f, t'}, '1|0',
	'TRUNCATE of a frame and a table reaches it, for the table');
is($seen->{'ALTER DOMAIN d ADD CHECK (VALUE > 0)'},
	'1|0', 'ALTER DOMAIN on a domain frames use reaches it');
is($node->safe_psql('postgres', 'SELECT count(*) FROM f'),
	'0', 'and the frame was emptied');

# shmcache first: pg_stat_statements' hook runs first and sees everything.
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'shmcache, pg_stat_statements'\n");
my $offset = -s $node->logfile;
$node->restart;
unlike(slurp_file($node->logfile, $offset),
	$notice, 'shmcache loaded first: nothing logged');

$seen = run_and_record(
	'INSERT INTO f SELECT g, g FROM generate_series(1, 5) g',
	'COPY f FROM STDIN',
	'COPY f TO STDOUT',
	'TRUNCATE f');
is($seen->{'COPY f FROM STDIN'}, '1|0', 'COPY FROM into a frame is seen');
is($seen->{'COPY f TO STDOUT'}, '1|5 nested 1|5', 'COPY TO from a frame is seen');
is($seen->{'TRUNCATE f'}, '1|0', 'TRUNCATE of a frame is seen');

$node->stop;
done_testing();
