
# Copyright (c) 2026, shmcache authors

# The Python client (python/shmcache) against a live server.
#
# - python/tests/test_reader.py: the numpy-only Arrow reader decodes streams
#   the reference JavaScript implementation (apache-arrow) wrote, every type
#   of the mapping, NULLs, NaN, infinities, replaced dictionaries, broken
#   streams;
# - python/tests/test_server.py: read_frame, read_query and their numpy
#   variants over psycopg2 (and psycopg 3 where installed) give, for a frame
#   and for a heap table with the same rows of every mapped type, exactly
#   what psycopg2's fetchall gives.
#
# The tests are Python's unittest; this file runs them with SHMCACHE_TEST_DSN
# pointing at a throw-away server and checks that all ran and passed.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;

my $node = shmcache_node('python');
$node->safe_psql('postgres', 'CREATE EXTENSION shmcache');

local $ENV{SHMCACHE_TEST_DSN} =
  'host=' . $node->host . ' port=' . $node->port . ' dbname=postgres';
my ($stdout, $stderr);
my $ok = IPC::Run::run(
	[ '/usr/bin/python3', '-m', 'unittest', 'discover', '-v', '-s', 'python/tests' ],
	'>', \$stdout, '2>', \$stderr);
note($stderr);
ok($ok, 'the Python client tests pass');
like($stderr, qr/^OK$/m, 'unittest reports OK');
unlike($stderr, qr/skipped/i, 'no test was skipped (the server tests ran)');

done_testing();
