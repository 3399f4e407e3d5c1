
# Copyright (c) 2026, shmcache authors

# Changing rows of frames, against heap tables and under concurrency.
#
# 1. A randomized oracle.  A frame "acct" and a heap table "acct_h" with the
#    same primary key and columns (an int4, a float8 and a text column with
#    repeats and NULLs; 17000 rows at first, two chunks) take the same random
#    transactions, each side in its own session: multi-row INSERTs of new
#    keys (and of keys whose rows were deleted or moved), INSERT ... ON
#    CONFLICT (id) DO NOTHING / DO UPDATE (EXCLUDED, the existing row, a
#    WHERE, an alias, sometimes moving the row to a fresh key) mixing new and
#    existing keys, UPDATE with random predicates and expressions, UPDATE of
#    the key to fresh keys, UPDATE ... FROM, DELETE with random predicates
#    and DELETE ... USING (joins whose rows repeat), COPY FROM STDIN, COPY
#    (UPSERT) on the frame against INSERT ... ON CONFLICT DO UPDATE on the
#    heap, prepared statements past their generic plan, RETURNING, statements
#    that fail (duplicate keys, NOT NULL, division by zero), TRUNCATE,
#    shmcache.vacuum on the frame only (in and out of transactions),
#    savepoints (SAVEPOINT, ROLLBACK TO, RELEASE, also after an error),
#    COMMIT and ROLLBACK.  A statement must fail on both sides or on neither
#    (same SQLSTATE), and give the same RETURNING rows.  Inside some
#    transactions the two sessions compare what they see (their own
#    uncommitted changes: probes and a digest of all rows) while a third
#    session still sees the same committed rows on both sides.  After every
#    transaction the committed rows are compared by EXCEPT ALL both ways,
#    counts, grouped aggregates, top-N, filters and primary key lookups
#    (plain and prepared), and shmcache.frames' row count, with
#    shmcache.enable_customscan and shmcache.enable_pushdown on, and in one
#    of the three other combinations in turn.
#    The seed is printed; SHMCACHE_TEST_SEED overrides it (and
#    SHMCACHE_TEST_TXNS the number of transactions).  On a failure, the
#    transaction's statements are reported, and all that the frame's session
#    ran is written to frame_history.sql in the node's directory (psql -f
#    replays it, with the tables created as below).
#
# 2. A bank.  A frame of 100 accounts of 1000 each; 3 writer sessions run
#    transfers (two UPDATEs, one UPDATE with CASE, an upsert, with
#    savepoints, key moves and a delete-and-reinsert, some rolled back),
#    sent without waiting so that they queue on the frame's write claim,
#    while 2 readers check again and again (custom scan on and off, scans,
#    aggregates and primary key probes) that there are always exactly 100
#    accounts holding 100000 together, and another session vacuums the frame
#    now and then.  At the end every account holds what the committed
#    transfers give it, and after a vacuum shmcache.frames shows 100 rows and
#    no dead row.

use strict;
use warnings;

use Time::HiRes qw(time usleep);

use PostgreSQL::Test::Utils;
use ShmcacheTest;
use Test::More;

my $seed = ($ENV{SHMCACHE_TEST_SEED} // '') =~ /^\d+$/ ? $ENV{SHMCACHE_TEST_SEED} : 1402;
srand($seed);
diag("014_modify: seed $seed (set SHMCACHE_TEST_SEED to change it)");

my $TXNS = ($ENV{SHMCACHE_TEST_TXNS} // '') =~ /^\d+$/ ? $ENV{SHMCACHE_TEST_TXNS} : 250;    # transactions of the oracle
my $INITIAL_ROWS = 17000;    # rows of the oracle's tables at first (two chunks)
my ($LOW, $HIGH) = (12000, 24000);    # and the bounds they are kept within
my $BANK_ROUNDS = 2500;                         # rounds of the bank

my $node = shmcache_node('modify', size => '128MB',
	conf => [ 'shmcache.save_interval = 0' ]);
my $t_start = time;

$node->safe_psql('postgres', q{
CREATE EXTENSION shmcache;
SELECT shmcache.create_frame('acct', 'id int8 PRIMARY KEY, grp int4 NOT NULL, v float8, t text');
CREATE TABLE acct_h (id int8 PRIMARY KEY, grp int4 NOT NULL, v float8, t text);
-- joined by DELETE ... USING and UPDATE ... FROM: helper's ids repeat,
-- helper_u's do not
CREATE TABLE helper (id int8, tag text);
CREATE TABLE helper_u (id int8 PRIMARY KEY, nv float8, nt text);
});

########################################################################
# Sessions
########################################################################

my ($F, $H, $C);    # sessions: the frame's side, the heap's, a checker
my @history;        # all that the frame's session ran, to replay a failure
my $txn_truncated;  # the current transaction truncated the tables

# A statement on a session: (stdout, SQLSTATE of its error or '', stderr).
sub run_sql
{
	my ($h, $sql) = @_;
	push @history, $sql if defined $F && $h == $F;
	$h->{stderr} = '';
	my $out = $h->query($sql);
	my $err = $h->{stderr};
	$h->{stderr} = '';
	my $code = '';
	$code = $1 if $err =~ /(?:ERROR|FATAL|PANIC):\s+([0-9A-Z]{5}):/;
	$code = 'unknown' if $code eq '' && $err =~ /(?:ERROR|FATAL|PANIC):/;
	return ($out, $code, $err);
}

sub new_session
{
	my $h = $node->background_psql('postgres', on_error_stop => 0);
	$h->set_query_timer_restart;
	my ($out, $code, $err) = run_sql($h,
		"\\set VERBOSITY verbose\nSET client_min_messages = warning");
	die "session set-up failed: $err" if $code;
	return $h;
}

$F = new_session();    # the frame's side
$H = new_session();    # the heap's side
$C = new_session();    # reads both, committed

# The same SQL on the frame (acct) and the heap (acct_h): {T} is the table.
sub for_table
{
	my ($sql, $table) = @_;
	$sql =~ s/\{T\}/$table/g;
	return $sql;
}

########################################################################
# Random statements
########################################################################

my $next_key = 1;    # keys from here on were never used
my @keys;            # some committed keys, as of the last check
my $nrows = 0;       # the committed row count, as of the last check

sub pick { return $_[ int(rand(@_)) ]; }

sub shuffled
{
	my @a = @_;
	for (my $i = $#a; $i > 0; $i--)
	{
		my $j = int(rand($i + 1));
		@a[ $i, $j ] = @a[ $j, $i ];
	}
	return @a;
}

# Values: v is a multiple of 0.25 (so that sums do not depend on the order of
# their terms), t comes from a few short strings (with repeats) or is NULL.
my @TEXTS = qw(a b c ab ba abc bca x xy);

sub rgrp { return int(rand(10)); }
sub rv_nonnull { return sprintf('%.2f', (int(rand(400)) - 100) * 0.25); }
sub rv { return rand() < 0.15 ? 'NULL' : rv_nonnull(); }
sub rt_nonnull { return "'" . pick(@TEXTS) . "'"; }
sub rt { return rand() < 0.15 ? 'NULL' : rt_nonnull(); }
sub rquarter { return sprintf('%.2f', (1 + int(rand(20))) * 0.25); }

# a key that exists (as of the last check), or any used one
sub some_key
{
	return @keys ? pick(@keys) : 1 + int(rand($next_key));
}

# key ranges that recent statements deleted or moved rows from
my @recent_ranges;

sub note_range
{
	my ($a, $b) = @_;
	push @recent_ranges, [ $a, $b ];
	shift @recent_ranges if @recent_ranges > 20;
}

# up to n distinct keys of those ranges (rows may be there again, or not)
sub recent_keys
{
	my ($n) = @_;
	return () unless @recent_ranges;
	my %seen;
	my @k;
	for (1 .. $n)
	{
		my ($a, $b) = @{ pick(@recent_ranges) };
		my $k = $a + int(rand($b - $a + 1));
		push @k, $k unless $seen{$k}++;
	}
	return @k;
}

# distinct keys, in their order
sub uniq
{
	my %seen;
	return grep { !$seen{$_}++ } @_;
}

sub fresh_keys
{
	my ($n) = @_;
	my @k = ($next_key .. $next_key + $n - 1);
	$next_key += $n;
	return @k;
}

# n distinct keys of the last check
sub existing_keys
{
	my ($n) = @_;
	my %seen;
	my @k;
	for (1 .. $n * 3)
	{
		last if @k >= $n || !@keys;
		my $k = pick(@keys);
		next if $seen{$k}++;
		push @k, $k;
	}
	return @k;
}

# A predicate on the columns, prefixed by $p ('' or '{T}.').
sub simple_pred
{
	my ($p) = @_;
	my $r = int(rand(11));
	if ($r == 0 || $r == 1)
	{
		my $a = some_key();
		return "${p}id BETWEEN $a AND " . ($a + int(rand(40)));
	}
	return "${p}grp = " . rgrp() if $r == 2;
	return "${p}t LIKE '" . pick('a%', 'b%', '%b', 'ab%', 'x%', '%c%', 'A%') . "'"
	  if $r == 3;
	return "${p}t IS NULL" if $r == 4;
	return "${p}v > " . rv_nonnull() if $r == 5;
	return "${p}v IS NULL" if $r == 6;
	return "${p}id % " . (3 + int(rand(7))) . ' = ' . int(rand(3)) if $r == 7;
	return "${p}t = " . rt_nonnull() if $r == 8;
	if ($r == 9)
	{
		my $a = rv_nonnull();
		return "${p}v BETWEEN $a AND " . ($a + 10);
	}
	return "${p}grp IN (" . rgrp() . ', ' . rgrp() . ')';
}

sub pred
{
	my ($p) = @_;
	my $r = rand();
	return simple_pred($p) if $r < 0.55;
	return simple_pred($p) . ' AND ' . simple_pred($p) if $r < 0.85;
	return '(' . simple_pred($p) . ' OR ' . simple_pred($p) . ')' if $r < 0.95;
	return 'NOT (' . simple_pred($p) . ')';
}

# a predicate that selects few rows (for DELETE)
sub narrow_pred
{
	my ($p) = @_;
	my $a = some_key();
	my $b = $a + int(rand(25));
	note_range($a, $b);
	my $range = "${p}id BETWEEN $a AND $b";
	my $r = rand();
	return $range if $r < 0.3;
	return $range . ' AND ' . simple_pred($p) if $r < 0.6;
	return "${p}grp = " . rgrp() . ' AND ' . simple_pred($p) if $r < 0.8;
	return "${p}t = " . rt_nonnull() . " AND ${p}v > " . rv_nonnull();
}

# SET items of an UPDATE: 1 to 3 columns, expressions of the old row
sub set_items
{
	my @cols = shuffled('v', 't', 'grp');
	my $n = 1 + int(rand(3));
	my @items;
	for my $c (@cols[ 0 .. $n - 1 ])
	{
		if ($c eq 'v')
		{
			push @items, 'v = ' . pick('v + ' . rquarter(), '-v',
				'CASE WHEN abs(v) < 100000 THEN v * 2 ELSE v END', 'NULL',
				'floor(v)', 'coalesce(v, 0) - ' . rquarter(), rv_nonnull(),
				'grp * 0.5', 'v + id % 4');
		}
		elsif ($c eq 't')
		{
			push @items, 't = ' . pick('upper(t)',
				"CASE WHEN length(t) < 6 THEN t || '" . pick(@TEXTS) . "' ELSE left(t, 1) END",
				'NULL', "coalesce(t, 'n')", rt(), 'lower(t)', 'substr(t, 2)',
				'reverse(t)');
		}
		else
		{
			push @items, 'grp = ' . pick('(grp + 1) % 10', rgrp(), 'grp',
				'CASE WHEN v > 0 THEN 1 ELSE 2 END');
		}
	}
	return join(', ', @items);
}

# RETURNING, sometimes; $joined for statements with FROM / USING (whose
# joined rows may repeat: which one a row is returned with is not defined)
sub returning
{
	my ($what, $joined) = @_;
	return '' if rand() < 0.7;
	return ' RETURNING ' . pick('{T}.*', '{T}.id, {T}.v', "{T}.t || '!'")
	  if $joined;
	return ' RETURNING ' . pick('*', 'id, grp, v, t', "id, v * 2, t || '!'", $what // 'id');
}

# row values for VALUES lists and COPY
sub row_values { my ($k) = @_; return "($k, " . rgrp() . ', ' . rv() . ', ' . rt() . ')'; }

# A statement: { f => SQL on the frame, h => SQL on the heap, out => compare
# outputs, kind => name }.  Most are one SQL text with {T}.
sub same
{
	my ($kind, $sql, %o) = @_;
	return {
		kind => $kind,
		f => for_table($sql, 'acct'),
		h => for_table($sql, 'acct_h'),
		out => $o{out} // 1
	};
}

sub gen_insert
{
	my $bulk = $nrows < $LOW && rand() < 0.7;
	if ($bulk || rand() < 0.25)
	{
		my ($a) = fresh_keys(1);
		my $n = $bulk ? 500 + int(rand(2500)) : 1 + int(rand(30));
		fresh_keys($n - 1);
		return same('insert_select',
			"INSERT INTO {T} SELECT g, g % 10, CASE WHEN g % 13 = 0 THEN NULL ELSE (g % 97) * 0.25 END, "
			  . "CASE WHEN g % 11 = 0 THEN NULL ELSE (ARRAY['a','b','ab','ba','abc','c','x'])[g % 7 + 1] END "
			  . "FROM generate_series($a, " . ($a + $n - 1) . ') g'
			  . ($bulk ? '' : returning()));
	}
	if (rand() < 0.1 && @recent_ranges)
	{
		# keys rows were deleted or moved from: there again, or a duplicate
		# key on both sides
		my @k = recent_keys(1 + int(rand(4)));
		return same('insert_reused',
			'INSERT INTO {T} VALUES ' . join(', ', map { row_values($_) } @k) . returning());
	}
	my @k = fresh_keys(1 + int(rand(8)));
	return same('insert',
		'INSERT INTO {T} VALUES ' . join(', ', map { row_values($_) } @k) . returning());
}

sub gen_upsert
{
	my ($update) = @_;
	my @k = shuffled(uniq(existing_keys(int(rand(5))),
			(rand() < 0.4 ? recent_keys(1 + int(rand(3))) : ())),
		fresh_keys(int(rand(4))));
	@k = fresh_keys(1) unless @k;
	my $alias = rand() < 0.3;
	my $r = $alias ? 'x' : '{T}';
	my $sql = 'INSERT INTO {T}' . ($alias ? ' AS x' : '') . ' VALUES '
	  . join(', ', map { row_values($_) } @k) . ' ON CONFLICT (id) DO ';
	if (!$update)
	{
		$sql .= 'NOTHING';
		return same('upsert_nothing', $sql . returning());
	}
	my @items;
	my @cols = shuffled('v', 't', 'grp');
	for my $c (@cols[ 0 .. int(rand(3)) ])
	{
		if ($c eq 'v')
		{
			push @items, 'v = ' . pick("coalesce($r.v, 0) + EXCLUDED.v", 'EXCLUDED.v',
				"$r.v - " . rquarter(), "coalesce(EXCLUDED.v, $r.v)");
		}
		elsif ($c eq 't')
		{
			push @items, 't = ' . pick('EXCLUDED.t',
				"left(coalesce($r.t, '') || coalesce(EXCLUDED.t, '-'), 6)",
				"coalesce($r.t, EXCLUDED.t)");
		}
		else
		{
			push @items, 'grp = ' . pick('EXCLUDED.grp', "($r.grp + EXCLUDED.grp) % 10");
		}
	}
	# rarely, the conflicting rows move to fresh keys
	if (rand() < 0.08)
	{
		my $min = (sort { $a <=> $b } @k)[0];
		my $max = (sort { $a <=> $b } @k)[-1];
		my $off = $next_key - $min;
		push @items, "id = $r.id + $off";
		$next_key = $max + $off + 1;
	}
	$sql .= 'UPDATE SET ' . join(', ', @items);
	my $w = rand();
	$sql .= " WHERE $r.grp <> " . rgrp() if $w < 0.15;
	$sql .= " WHERE EXCLUDED.v > $r.v" if $w >= 0.15 && $w < 0.25;
	$sql .= " WHERE $r.t IS NOT NULL" if $w >= 0.25 && $w < 0.3;
	return same('upsert_update', $sql . returning());
}

sub gen_update
{
	# RETURNING for the narrower ones only
	return same('update',
		'UPDATE {T} SET ' . set_items() . ' WHERE ' . narrow_pred('') . returning('id, v'))
	  if rand() < 0.5;
	return same('update', 'UPDATE {T} SET ' . set_items() . ' WHERE ' . pred(''));
}

# the key changes to fresh keys: ids a..b move to next_key..
sub gen_update_key
{
	my $a = some_key();
	my $w = int(rand(30));
	my $off = $next_key - $a;
	$next_key += $w + 1;
	note_range($a, $a + $w);
	my $extra = rand() < 0.5 ? ' AND ' . simple_pred('') : '';
	my $set = rand() < 0.5 ? '' : ', ' . set_items();
	return same('update_key',
		"UPDATE {T} SET id = id + $off$set WHERE id BETWEEN $a AND "
		  . ($a + $w) . $extra . returning('id'));
}

sub gen_update_from
{
	if (rand() < 0.5)
	{
		return same('update_from',
			'UPDATE {T} SET v = u.nv, t = u.nt FROM helper_u u WHERE {T}.id = u.id'
			  . (rand() < 0.5 ? ' AND ' . pred('{T}.') : '')
			  . returning(undef, 1));
	}
	# rows the join reaches twice change once
	return same('update_from_dup',
		'UPDATE {T} SET grp = ({T}.grp + 1) % 10, v = {T}.v + 1 FROM helper h WHERE {T}.id = h.id AND h.tag LIKE '
		  . pick("'d%'", "'t%'", "'%1%'") . returning(undef, 1));
}

sub gen_delete
{
	return same('delete_wide',
		'DELETE FROM {T} WHERE ' . simple_pred('') . ' AND id % ' . (3 + int(rand(5))) . ' = 0')
	  if $nrows > $HIGH || rand() < 0.05;
	return same('delete', 'DELETE FROM {T} WHERE ' . narrow_pred('') . returning());
}

sub gen_delete_using
{
	return same('delete_using',
		'DELETE FROM {T} USING helper h WHERE {T}.id = h.id AND h.tag LIKE '
		  . pick("'d%'", "'t1%'", "'t2%'", "'%3'")
		  . (rand() < 0.4 ? ' AND ' . pred('{T}.') : '')
		  . returning(undef, 1));
}

sub gen_copy
{
	my @k = fresh_keys(1 + int(rand(10)));
	# rarely a key that may exist, or else a NULL grp: then both sides fail
	# (not both: the frame checks keys at the end of the statement)
	my $dup = rand() < 0.1;
	push @k, some_key() if $dup;
	my $data = '';
	for my $k (@k)
	{
		my $v = rv();
		my $t = rt();
		$v = '' if $v eq 'NULL';
		$t = $t eq 'NULL' ? '' : '"' . substr($t, 1, -1) . '"';
		my $g = (!$dup && rand() < 0.02) ? '' : rgrp();
		$data .= "$k,$g,$v,$t\n";
	}
	# (psql stops reading its input at a lone ";" right after the data, which
	# query() of BackgroundPsql appends: end with a statement of no rows)
	return same('copy',
		"COPY {T} (id, grp, v, t) FROM STDIN (FORMAT csv);\n$data\\.\nSELECT 1 WHERE false",
		out => 0);
}

# COPY (UPSERT) on the frame, and what it does on the heap: an INSERT ...
# ON CONFLICT DO UPDATE of every column (keys appear once)
sub gen_copy_upsert
{
	my @k = shuffled(uniq(existing_keys(int(rand(6))), recent_keys(int(rand(3)))),
		fresh_keys(int(rand(5))));
	@k = fresh_keys(1) unless @k;
	my (@csv, @values);
	for my $k (@k)
	{
		my ($g, $v, $t) = (rgrp(), rv(), rt());
		push @values, "($k, $g, $v, $t)";
		$v = '' if $v eq 'NULL';
		$t = $t eq 'NULL' ? '' : '"' . substr($t, 1, -1) . '"';
		push @csv, "$k,$g,$v,$t\n";
	}
	return {
		kind => 'copy_upsert',
		f => "COPY acct (id, grp, v, t) FROM STDIN (FORMAT csv, UPSERT);\n"
		  . join('', @csv) . "\\.\nSELECT 1 WHERE false",
		h => 'INSERT INTO acct_h VALUES ' . join(', ', @values)
		  . ' ON CONFLICT (id) DO UPDATE SET grp = EXCLUDED.grp, v = EXCLUDED.v, t = EXCLUDED.t',
		out => 0
	};
}

# Prepared statements (the same names on both sides), past their fifth
# execution with generic plans.
my @PREPARED = (
	'PREPARE p_upd(int8, int8, float8) AS UPDATE {T} SET v = coalesce(v, 0) + $3 WHERE id BETWEEN $1 AND $2',
	'PREPARE p_del(int8, int8, int4) AS DELETE FROM {T} WHERE id BETWEEN $1 AND $2 AND grp <> $3',
	'PREPARE p_ups(int8, int4, float8, text) AS INSERT INTO {T} VALUES ($1, $2, $3, $4) '
	  . 'ON CONFLICT (id) DO UPDATE SET v = coalesce({T}.v, 0) + EXCLUDED.v, t = EXCLUDED.t',
	'PREPARE p_key(int8, int8) AS UPDATE {T} SET id = $2 WHERE id = $1');

sub gen_execute
{
	my $r = int(rand(4));
	my $a = some_key();
	my $b = $a + int(rand(20));
	if ($r == 0)
	{
		return same('execute', "EXECUTE p_upd($a, $b, " . rquarter() . ')');
	}
	if ($r == 1)
	{
		note_range($a, $b);
		return same('execute', "EXECUTE p_del($a, $b, " . rgrp() . ')');
	}
	if ($r == 2)
	{
		my $k = rand() < 0.5 ? some_key() : (rand() < 0.5 ? recent_keys(1) : fresh_keys(1));
		$k //= some_key();
		return same('execute', "EXECUTE p_ups($k, " . rgrp() . ', ' . rv() . ', ' . rt() . ')');
	}
	my ($to) = fresh_keys(1);
	note_range($a, $a);
	return same('execute', "EXECUTE p_key($a, $to)");
}

# statements that fail (if the rows they name are there)
sub gen_error
{
	my $r = int(rand(5));
	my $k = some_key();
	return same('error_dup_insert',
		"INSERT INTO {T} VALUES ($k, 1, 1, 'dup')") if $r == 0;
	if ($r == 1)
	{
		my ($k1, $k2) = existing_keys(2);
		($k1, $k2) = (1, 2) unless defined $k2;
		return same('error_dup_update', "UPDATE {T} SET id = $k2 WHERE id = $k1");
	}
	return same('error_not_null',
		'UPDATE {T} SET grp = NULL WHERE ' . narrow_pred('')) if $r == 2;
	return same('error_div_zero',
		'UPDATE {T} SET v = v / 0 WHERE ' . narrow_pred('')) if $r == 3;
	my ($f) = fresh_keys(1);
	return same('error_insert_null', "INSERT INTO {T} VALUES ($f, NULL, 1, 'n')");
}

sub gen_truncate
{
	if (rand() < 0.5)
	{
		return {
			kind => 'truncate',
			f => "SELECT shmcache.truncate('acct')",
			h => 'TRUNCATE acct_h',
			out => 0
		};
	}
	return same('truncate', 'TRUNCATE {T}', out => 0);
}

sub gen_vacuum
{
	return { kind => 'vacuum', f => "SELECT shmcache.vacuum('acct')", h => '', out => 0 };
}

sub gen_statement
{
	my $r = rand(100);
	# keep the tables between $LOW and $HIGH rows
	$r = 5 if $nrows < $LOW && $r >= 50 && rand() < 0.5;
	$r = 60 if $nrows > $HIGH && $r < 25;

	return gen_insert() if $r < 14;
	return gen_upsert(0) if $r < 22;
	return gen_upsert(1) if $r < 33;
	return gen_update() if $r < 48;
	return gen_update_key() if $r < 53;
	return gen_update_from() if $r < 58;
	return gen_delete() if $r < 73;
	return gen_delete_using() if $r < 79;
	return gen_copy() if $r < 82;
	return gen_copy_upsert() if $r < 84;
	return gen_error() if $r < 88;
	return gen_execute() if $r < 90;
	return gen_vacuum() if $r < 93;
	return gen_truncate() if $r < 93.8;
	return gen_insert();
}

########################################################################
# Comparing
########################################################################

# The queries both sides answer alike, {T} for the table; @_ are keys to look
# up.  Each query's result is one piece of the output.
# $digest: a digest of all rows too (where EXCEPT ALL cannot compare them).
sub probes
{
	my ($digest, @k) = @_;
	my $a = some_key();
	my $x = rv_nonnull();
	my @q = (
		'SELECT count(*) FROM {T}',
		'SELECT grp, count(*), count(t), count(v), sum(id), min(v), max(v), sum(v), min(t), max(t) FROM {T} GROUP BY grp ORDER BY grp',
		'SELECT count(*), sum(v), max(id) FROM {T} WHERE v > ' . $x,
		"SELECT count(*), min(id), max(t) FROM {T} WHERE t LIKE 'a%' OR t IS NULL",
		'SELECT id, v FROM {T} ORDER BY v DESC NULLS LAST, id LIMIT 5',
		"SELECT count(*), sum(id) FROM {T} WHERE id BETWEEN $a AND " . ($a + 50),
		'SELECT * FROM {T} WHERE id IN (' . join(', ', @k) . ') ORDER BY id',
		'SELECT t, count(*) FROM {T} GROUP BY t ORDER BY t NULLS FIRST');
	push @q, map { "SELECT * FROM {T} WHERE id = $_" } @k[ 0 .. 2 ];
	push @q, map { "EXECUTE p_sel_{T}($_)" } @k[ 3 .. 5 ];
	push @q, "EXECUTE p_range_{T}($a, " . ($a + 100) . ')';
	push @q, 'SELECT md5(string_agg(r::text, \'|\' ORDER BY id)) FROM {T} r' if $digest;
	return @q;
}

sub probe_keys
{
	my @k = (existing_keys(4), 1 + int(rand($next_key)), $next_key + 5);
	unshift @k, 1 + int(rand($next_key)) while @k < 6;
	return @k;
}

# Run probe queries on a session, for table $table, with GUC settings first:
# the list of their outputs.
sub run_probes
{
	my ($h, $table, $gucs, @q) = @_;
	my $sql = $gucs;
	$sql .= for_table($_, $table) . ";\n\\echo @@@\n" for @q;
	my ($out, $code, $err) = run_sql($h, $sql);
	return (undef, $err) if $code;
	$out .= "\n";
	my @pieces = split /^@@@\n/m, $out, -1;
	pop @pieces;    # after the last separator
	s/\n\z// for @pieces;
	return (\@pieces, '');
}

my @COMBOS = ([ 'on', 'on' ], [ 'on', 'off' ], [ 'off', 'on' ], [ 'off', 'off' ]);

sub gucs
{
	my ($cs, $pd) = @_;
	return "SET shmcache.enable_customscan = $cs;\nSET shmcache.enable_pushdown = $pd;\n";
}

# Compare the frame and the heap probe by probe; '' or what differs.
sub compare_probes
{
	my ($what, $fp, $hp, @q) = @_;
	for my $i (0 .. $#q)
	{
		my $f = $fp->[$i] // '(missing)';
		my $h = $hp->[$i] // '(missing)';
		next if $f eq $h;
		return "$what: " . $q[$i] . "\n  frame: $f\n  heap:  $h";
	}
	return '';
}

# The combinations of settings to check after transaction $n: customscan on
# and pushdown on, and one of the three others in turn (all four for $n 0).
sub combos_after
{
	my ($n) = @_;
	return @COMBOS if $n == 0;
	return ($COMBOS[0], $COMBOS[ 1 + $n % 3 ]);
}

# The committed rows, read by the checker with the given combinations of
# settings: '' or what differs.
sub check_committed
{
	my (@combos) = @_;
	my @k = probe_keys();
	my @q = probes(0, @k);
	my ($hp, $err) = run_probes($C, 'acct_h', '', @q);
	return "heap probes failed: $err" unless $hp;
	for my $combo (@combos)
	{
		my ($cs, $pd) = @$combo;
		my ($d) = run_sql($C, gucs($cs, $pd) . q{
SELECT count(*) FROM ((SELECT * FROM acct EXCEPT ALL SELECT * FROM acct_h)
            UNION ALL (SELECT * FROM acct_h EXCEPT ALL SELECT * FROM acct)) d});
		if ($d ne '0')
		{
			my ($rows) = run_sql($C, q{
(SELECT 'frame only', * FROM (SELECT * FROM acct EXCEPT ALL SELECT * FROM acct_h) a ORDER BY id LIMIT 20)
UNION ALL
(SELECT 'heap only', * FROM (SELECT * FROM acct_h EXCEPT ALL SELECT * FROM acct) b ORDER BY id LIMIT 20)});
			return "EXCEPT ALL finds '$d' rows differing (customscan $cs, pushdown $pd):\n$rows";
		}
		my ($fp, $ferr) = run_probes($C, 'acct', gucs($cs, $pd), @q);
		return "frame probes failed (customscan $cs, pushdown $pd): $ferr" unless $fp;
		my $diff = compare_probes("customscan $cs, pushdown $pd", $fp, $hp, @q);
		return $diff if $diff;
	}
	run_sql($C, gucs('on', 'on'));
	my ($rows) = run_sql($C,
		"SELECT rows FROM shmcache.frames WHERE frame = 'acct'::regclass");
	my $count = $hp->[0];
	return "shmcache.frames shows $rows rows, the heap has $count" if $rows ne $count;
	my $salt = int(rand(1000000));
	my ($list) = run_sql($C, "SELECT string_agg(id::text, ',') FROM "
		  . "(SELECT id FROM acct_h ORDER BY hashint8(id + $salt), id LIMIT 300) s");
	@keys = $list eq '' ? () : split /,/, $list;
	$nrows = $count;
	return '';
}

# What the two sessions see inside their transactions: '' or what differs.
sub check_in_transaction
{
	my @k = probe_keys();
	my @q = probes(1, @k);
	my ($cs, $pd) = @{ pick(@COMBOS) };
	my ($fp, $ferr) = run_probes($F, 'acct',
		gucs($cs, $pd), @q, 'RESET shmcache.enable_customscan; RESET shmcache.enable_pushdown');
	return "frame probes failed in the transaction: $ferr" unless $fp;
	my ($hp, $herr) = run_probes($H, 'acct_h', '', @q);
	return "heap probes failed in the transaction: $herr" unless $hp;
	my $diff = compare_probes("in the transaction, customscan $cs, pushdown $pd",
		$fp, $hp, @q);
	return $diff if $diff;

	# Another session sees neither side's changes yet: the committed rows of
	# both are still the same (unless the heap's TRUNCATE locks it).
	return '' if $txn_truncated;
	($cs, $pd) = @{ pick(@COMBOS) };
	my ($d) = run_sql($C, gucs($cs, $pd) . q{
SELECT count(*) FROM ((SELECT * FROM acct EXCEPT ALL SELECT * FROM acct_h)
            UNION ALL (SELECT * FROM acct_h EXCEPT ALL SELECT * FROM acct)) d});
	return "while the transactions run, another session (customscan $cs, pushdown $pd) "
	  . "finds '$d' committed rows differing"
	  if $d ne '0';
	return '';
}

# the helper tables, with keys of the last check (helper's repeat) and keys
# that are not there
sub refresh_helpers
{
	my @hk = (existing_keys(30), map { 1 + int(rand($next_key)) } 1 .. 10);
	my @dup = existing_keys(10);
	my $i = 0;
	push @history, 'DELETE FROM helper', 'DELETE FROM helper_u';
	my $helper = join(', ',
		map { "($_, '" . pick('d', 't1', 't2', 'x') . ($i++) . "')" } (@hk, @dup));
	my %seen;
	my @uk = grep { !$seen{$_}++ } (existing_keys(25), map { 1 + int(rand($next_key)) } 1 .. 5);
	my $helper_u = join(', ', map { "($_, " . rv() . ', ' . rt() . ')' } @uk);
	push @history, "INSERT INTO helper VALUES $helper",
	  "INSERT INTO helper_u VALUES $helper_u";
	my (undef, $code, $err) = run_sql($C,
		"DELETE FROM helper; INSERT INTO helper VALUES $helper;\n"
		  . "DELETE FROM helper_u; INSERT INTO helper_u VALUES $helper_u");
	die "refreshing the helpers failed: $err" if $code;
}

########################################################################
# 1. The oracle
########################################################################

my %stats;
my $failure = '';
my @log;    # the statements of the current transaction

# apply a statement to both sides: '' if they agree, or what differs;
# returns also the SQLSTATE (the same on both sides) in list context
sub apply_both
{
	my ($st) = @_;
	my ($fo, $fc, $fe) = run_sql($F, $st->{f});
	my ($ho, $hc, $he) = ('', '', '');
	($ho, $hc, $he) = run_sql($H, $st->{h}) if $st->{h} ne '';
	push @log, $st->{f} . ($fc ? "   -- fails: $fc" : '');
	if ($st->{kind} eq 'vacuum')
	{
		return ("shmcache.vacuum failed: $fe", $fc) if $fc;
		return ('', '');
	}
	if ($fc ne $hc)
	{
		return ("the frame's statement gave SQLSTATE '$fc', the heap's '$hc'\n"
			  . "  frame: $fe\n  heap:  $he", $fc);
	}
	$stats{errors}++ if $fc;
	if ($st->{out} && !$fc)
	{
		# (-1: rows may be empty lines, at the end too)
		my $fs = join("\n", sort split(/\n/, $fo, -1));
		my $hs = join("\n", sort split(/\n/, $ho, -1));
		return ("the outputs differ\n  frame: $fs\n  heap:  $hs", $fc)
		  if $fs ne $hs;
	}
	return ('', $fc);
}

# After a statement the two sides disagree on: its plans, and the rows each
# side sees (in its transaction) that the other does not.
sub explain_failure
{
	my ($st) = @_;
	my $text = '';
	if ($st->{f} =~ /^(INSERT|UPDATE|DELETE)\b/)
	{
		my ($fx, undef, $fxe) = run_sql($F, "EXPLAIN (COSTS OFF) $st->{f}");
		my ($hx, undef, $hxe) = run_sql($H, "EXPLAIN (COSTS OFF) $st->{h}");
		$text .= "\nplan on the frame:\n$fx$fxe\nplan on the heap:\n$hx$hxe";
	}
	my ($fr, $fc) = run_sql($F, 'SELECT r::text FROM acct r ORDER BY id');
	my ($hr, $hc) = run_sql($H, 'SELECT r::text FROM acct_h r ORDER BY id');
	return $text if $fc || $hc;    # a transaction failed
	my %fc;
	$fc{$_}++ for split /\n/, $fr, -1;
	my %hc;
	$hc{$_}++ for split /\n/, $hr, -1;
	my @fonly = grep { ($fc{$_} // 0) > ($hc{$_} // 0) } sort keys %fc;
	my @honly = grep { ($hc{$_} // 0) > ($fc{$_} // 0) } sort keys %hc;
	splice(@fonly, 20, @fonly, '...') if @fonly > 20;
	splice(@honly, 20, @honly, '...') if @honly > 20;
	$text .= "\nrows the frame's session sees, not the heap's: @fonly"
	  . "\nrows the heap's session sees, not the frame's: @honly";
	return $text;
}

# both sides run the same transaction control statement
sub control_both
{
	my ($sql) = @_;
	push @log, $sql;
	my (undef, $fc, $fe) = run_sql($F, $sql);
	my (undef, $hc, $he) = run_sql($H, $sql);
	return "$sql: frame '$fc' $fe heap '$hc' $he" if $fc || $hc;
	return '';
}

# the initial rows
{
	my ($diff) = apply_both(same('load',
		"INSERT INTO {T} SELECT g, g % 10, CASE WHEN g % 13 = 0 THEN NULL ELSE (g % 97) * 0.25 END, "
		  . "CASE WHEN g % 11 = 0 THEN NULL ELSE (ARRAY['a','b','ab','ba','abc','c','x'])[g % 7 + 1] END "
		  . "FROM generate_series(1, $INITIAL_ROWS) g", out => 0));
	$next_key = $INITIAL_ROWS + 1;
	$failure = $diff;
	for my $p (@PREPARED)
	{
		($diff) = apply_both(same('prepare', $p, out => 0));
		$failure ||= $diff;
	}
	# prepared reads of both tables, for the probes
	for my $h ($F, $H, $C)
	{
		for my $t ('acct', 'acct_h')
		{
			my (undef, $code, $err) = run_sql($h,
				"PREPARE p_sel_$t(int8) AS SELECT * FROM $t WHERE id = \$1;\n"
				  . "PREPARE p_range_$t(int8, int8) AS SELECT count(*), sum(v), min(t), max(id) "
				  . "FROM $t WHERE id BETWEEN \$1 AND \$2");
			$failure ||= "PREPARE failed: $err" if $code;
		}
	}
	$failure ||= check_committed(combos_after(0));
	refresh_helpers();
}

my $t_oracle = time;
my $txn = 0;
TXN:
while (!$failure && $txn < $TXNS)
{
	$txn++;
	@log = ();
	$txn_truncated = 0;
	refresh_helpers() if $txn % 15 == 0;

	# a vacuum of the frame between transactions: nothing visible changes,
	# no dead row is left
	if (rand() < 0.05)
	{
		my ($out, $code, $err) = run_sql($F, "SELECT shmcache.vacuum('acct')");
		if ($code)
		{
			$failure = "shmcache.vacuum between transactions failed: $err";
			last;
		}
		my ($dead) = run_sql($C,
			"SELECT dead_rows FROM shmcache.frames WHERE frame = 'acct'::regclass");
		if ($dead ne '0')
		{
			$failure = "after shmcache.vacuum, shmcache.frames shows $dead dead rows";
			last;
		}
		$stats{vacuums_outside}++;
		push @log, "SELECT shmcache.vacuum('acct')   -- before the transaction";
	}

	# a single statement in autocommit mode
	if (rand() < 0.1)
	{
		my $st = gen_statement();
		$stats{ $st->{kind} }++;
		my ($diff) = apply_both($st);
		$stats{autocommit}++;
		if ($diff)
		{
			$failure = $diff . explain_failure($st);
			last;
		}
		$failure = check_committed(combos_after($txn));
		next;
	}

	if (my $e = control_both('BEGIN'))
	{
		$failure = $e;
		last;
	}
	my @savepoints;
	my $spn = 0;
	my $n = 1 + int(rand(5));
	my $end = rand() < 0.2 ? 'ROLLBACK' : 'COMMIT';
	for my $i (1 .. $n)
	{
		# a savepoint, or going back to one, or releasing one
		if (rand() < 0.3)
		{
			my $sql;
			if (!@savepoints || rand() < 0.5)
			{
				$spn++;
				push @savepoints, "s$spn";
				$sql = "SAVEPOINT s$spn";
			}
			else
			{
				my $j = int(rand(@savepoints));
				if (rand() < 0.6)
				{
					$sql = "ROLLBACK TO SAVEPOINT $savepoints[$j]";
					splice(@savepoints, $j + 1);
				}
				else
				{
					$sql = "RELEASE SAVEPOINT $savepoints[$j]";
					splice(@savepoints, $j);
				}
			}
			$stats{savepoint_ops}++;
			if (my $e = control_both($sql))
			{
				$failure = $e;
				last TXN;
			}
		}

		my $st = gen_statement();
		$stats{ $st->{kind} }++;
		$txn_truncated = 1 if $st->{kind} eq 'truncate';
		my ($diff, $code) = apply_both($st);
		if ($diff)
		{
			$failure = $diff . explain_failure($st);
			last TXN;
		}
		if ($code)
		{
			# failed on both sides: back to a savepoint, or roll back
			if (@savepoints && rand() < 0.6)
			{
				my $j = int(rand(@savepoints));
				splice(@savepoints, $j + 1);
				if (my $e = control_both("ROLLBACK TO SAVEPOINT $savepoints[$j]"))
				{
					$failure = $e;
					last TXN;
				}
				$stats{back_to_savepoint_after_error}++;
				next;
			}
			$end = 'ROLLBACK';
			last;
		}
		if (rand() < 0.2)
		{
			$stats{checks_in_transaction}++;
			if (my $d = check_in_transaction())
			{
				$failure = $d;
				last TXN;
			}
		}
	}
	$stats{$end}++;
	if (my $e = control_both($end))
	{
		$failure = $e;
		last;
	}
	$failure = check_committed(combos_after($txn));
}
my $oracle_secs = time - $t_oracle;

if ($failure)
{
	fail("oracle: frame and heap agree after $TXNS transactions (seed $seed)");
	diag("seed $seed, transaction $txn differs: $failure\n"
		  . "statements of the transaction:\n  " . join(";\n  ", @log) . ';');
	# the frame's statements from the start (helper tables as they were when
	# they ran), and the committed rows before the transaction, to
	# reproduce it
	my $hfile = $node->basedir . '/frame_history.sql';
	open my $fh, '>', $hfile or die "could not write $hfile: $!";
	print $fh "$_;\n-- end of entry\n" for @history;
	close $fh;
	diag("the frame's statements are in $hfile");
	for my $t ('acct', 'acct_h', 'helper', 'helper_u')
	{
		my ($rows) = run_sql($C,
			"SELECT format('INSERT INTO %s SELECT * FROM json_populate_recordset(NULL::%s, %L);', "
			  . "'$t', '$t', coalesce(json_agg(x ORDER BY id), '[]')) FROM $t x");
		note("committed rows of $t before the transaction:\n$rows");
	}
}
else
{
	pass("oracle: frame and heap agree after $TXNS transactions (seed $seed)");
}
note(sprintf("oracle: %d transactions in %.1f s, %d rows at the end, next key %d",
		$txn, $oracle_secs, $nrows, $next_key));
note('oracle statistics: '
	  . join(', ', map { "$_ $stats{$_}" } sort keys %stats));
cmp_ok($stats{errors} // 0, '>', 0, 'oracle: some statements failed on both sides');
cmp_ok(($stats{ROLLBACK} // 0), '>', 0, 'oracle: some transactions were rolled back');

# a last vacuum: the frame still equals the heap, with no dead row left
unless ($failure)
{
	run_sql($F, "SELECT shmcache.vacuum('acct')");
	is(check_committed(combos_after(0)), '', 'oracle: frame and heap agree after a last vacuum');
	is($node->safe_psql('postgres',
		"SELECT dead_rows FROM shmcache.frames WHERE frame = 'acct'::regclass"),
		'0', 'oracle: no dead row after the last vacuum');
}
$_->quit for ($F, $H, $C);

########################################################################
# 2. The bank
########################################################################

my $ACCOUNTS = 100;
$node->safe_psql('postgres', qq{
SELECT shmcache.create_frame('bank', 'id int8 PRIMARY KEY, balance int8');
INSERT INTO bank SELECT g, 1000 FROM generate_series(1, $ACCOUNTS) g;
});
my %balance = map { $_ => 1000 } 1 .. $ACCOUNTS;

# Queries sent without waiting for them: each gets a tag echoed after it.
my %pending;    # session => tag
my %output;     # session => output of its last queries sent
my $tagn = 0;

sub send_async
{
	my ($h, $sql) = @_;
	my $tag = 'async_done_' . (++$tagn);
	$h->{timeout}->start;
	$h->{stdin} .= "$sql\n;\n\\echo $tag\n";
	$h->{run}->pump_nb;
	$pending{$h} = $tag;
}

sub is_idle
{
	my ($h) = @_;
	return 1 unless $pending{$h};
	$h->{run}->pump_nb;
	return 0 unless $h->{stdout} =~ /^$pending{$h}$/m;
	($output{$h} = $h->{stdout}) =~ s/^$pending{$h}\n//m;
	$h->{stdout} = '';
	delete $pending{$h};
	return 1;
}

sub wait_idle
{
	my ($h) = @_;
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	until (is_idle($h))
	{
		die 'a session did not finish its queries' if time > $deadline;
		usleep(2000);
	}
}

my @writers = map { $node->background_psql('postgres', on_error_stop => 0) } 1 .. 3;
my @readers = map { $node->background_psql('postgres', on_error_stop => 0) } 1 .. 2;
my $vacuumer = $node->background_psql('postgres', on_error_stop => 0);
$_->set_query_timer_restart for (@writers, @readers, $vacuumer);
$_->query_safe("SET application_name = 'bank_writer'") for @writers;
$readers[1]->query_safe('SET shmcache.enable_customscan = off');
$_->query_safe('SET enable_hashjoin = off; SET enable_mergejoin = off') for @readers;

my %tx_kinds;

# A transfer (or a change that moves no money), as one script; the balances
# it gives when it commits go into %balance.
sub transfer_sql
{
	my $x = 1 + int(rand($ACCOUNTS));
	my $y = 1 + int(rand($ACCOUNTS - 1));
	$y++ if $y >= $x;
	my $a = 1 + int(rand(200));
	my $commit = rand() < 0.8;
	my $end = $commit ? 'COMMIT' : 'ROLLBACK';
	my $pause = rand() < 0.4 ? 'SELECT pg_sleep(0.003);' : '';
	my $r = int(rand(7));
	my $sql;
	my $kind;
	if ($r <= 1)
	{
		$kind = 'two_updates';
		$sql = "BEGIN; UPDATE bank SET balance = balance - $a WHERE id = $x; $pause"
		  . "UPDATE bank SET balance = balance + $a WHERE id = $y; $end;";
	}
	elsif ($r == 2)
	{
		$kind = 'case_update';
		$sql = "BEGIN; UPDATE bank SET balance = balance + CASE id WHEN $x THEN -$a ELSE $a END "
		  . "WHERE id IN ($x, $y); $pause$end;";
	}
	elsif ($r == 3)
	{
		$kind = 'upsert';
		$sql = "BEGIN; INSERT INTO bank VALUES ($x, -$a), ($y, $a) ON CONFLICT (id) "
		  . "DO UPDATE SET balance = bank.balance + EXCLUDED.balance; $pause$end;";
	}
	elsif ($r == 4)
	{
		# a savepoint undoes a third update
		my $z = 1 + int(rand($ACCOUNTS));
		$kind = 'savepoint';
		$sql = "BEGIN; UPDATE bank SET balance = balance - $a WHERE id = $x; SAVEPOINT s; "
		  . "UPDATE bank SET balance = balance - 999 WHERE id = $z; $pause"
		  . "ROLLBACK TO SAVEPOINT s; UPDATE bank SET balance = balance + $a WHERE id = $y; $end;";
	}
	elsif ($r == 5)
	{
		# an account moves to another key and back, with a transfer between
		$kind = 'key_move';
		$sql = "BEGIN; UPDATE bank SET id = id + 100000, balance = balance - $a WHERE id = $x; $pause"
		  . "UPDATE bank SET balance = balance + $a WHERE id = $y; "
		  . "UPDATE bank SET id = id - 100000 WHERE id = " . ($x + 100000) . "; $end;";
	}
	else
	{
		# an account deleted and inserted again from its old row
		$kind = 'reinsert';
		$sql = "BEGIN; UPDATE bank SET id = -id WHERE id = $x; "
		  . "INSERT INTO bank SELECT $x, balance - $a FROM bank WHERE id = -$x; $pause"
		  . "DELETE FROM bank WHERE id = -$x; "
		  . "INSERT INTO bank VALUES ($y, $a) ON CONFLICT (id) DO UPDATE SET balance = bank.balance + EXCLUDED.balance; $end;";
	}
	$tx_kinds{"$kind $end"}++;
	if ($commit)
	{
		$balance{$x} -= $a;
		$balance{$y} += $a;
	}
	return $sql;
}

my @READER_QUERIES = (
	'SELECT count(*), sum(balance) FROM bank',
	'SELECT count(*), sum(balance) FROM bank WHERE id BETWEEN 1 AND 100',
	'SELECT count(*), sum(b.balance) FROM generate_series(1, 100) g JOIN bank b ON b.id = g',
	"SELECT count(*), sum(balance) FROM bank WHERE balance > -1000000",
	'SELECT count(DISTINCT id), sum(balance) FROM (SELECT * FROM bank ORDER BY balance DESC LIMIT 1000) s',
);
my $expected_total = $ACCOUNTS . '|' . ($ACCOUNTS * 1000);
my ($reads, $bad_reads, $first_bad) = (0, 0, '');
my ($vacuums, $vacuumed) = (0, 0);
my ($samples, $writer_waits) = (0, 0);
my $t_bank = time;

for my $round (1 .. $BANK_ROUNDS)
{
	for my $w (@writers)
	{
		send_async($w, transfer_sql()) if is_idle($w);
	}
	if ($round % 40 == 0 && is_idle($vacuumer))
	{
		$vacuumed += $output{$vacuumer} // 0;
		send_async($vacuumer, "SELECT shmcache.vacuum('bank')");
		$vacuums++;
	}
	# do writers queue on the frame's write claim?
	if ($round % 5 == 0)
	{
		$samples++;
		$writer_waits++
		  if $readers[0]->query_safe(q{SELECT count(*) FROM pg_stat_activity
 WHERE application_name = 'bank_writer' AND wait_event_type = 'Lock'}) > 0;
	}
	for my $i (0 .. $#readers)
	{
		my $q = $READER_QUERIES[ ($round + $i) % @READER_QUERIES ];
		my $out = $readers[$i]->query($q);
		$reads++;
		next if $out eq $expected_total && $readers[$i]->{stderr} eq '';
		$bad_reads++;
		$first_bad ||= "reader $i, round $round: $q gave '$out' $readers[$i]->{stderr}";
		$readers[$i]->{stderr} = '';
	}
}
wait_idle($_) for (@writers, $vacuumer);
$vacuumed += $output{$vacuumer} // 0;
my $bank_secs = time - $t_bank;
note(sprintf('bank: %d rounds, %d reads, %d vacuums (%d rows removed), '
	  . 'writers waiting in %d of %d samples, in %.1f s; transactions: %s',
		$BANK_ROUNDS, $reads, $vacuums, $vacuumed, $writer_waits, $samples,
		$bank_secs, join(', ', map { "$_ $tx_kinds{$_}" } sort keys %tx_kinds)));
cmp_ok($writer_waits, '>', 0, 'bank: writers queued on the frame (seen waiting for a lock)');
cmp_ok($vacuumed, '>', 0, 'bank: the vacuums removed deleted rows');

is($bad_reads, 0, "bank: $reads reads saw 100 accounts holding 100000 every time")
  or diag($first_bad);
my $werr = join('', map { $_->{stderr} } (@writers, $vacuumer));
is($werr, '', 'bank: no writer nor the vacuum failed');

is($node->safe_psql('postgres', 'SELECT count(*), sum(balance) FROM bank'),
	$expected_total, 'bank: 100 accounts holding 100000 at the end');
is($node->safe_psql('postgres', q{SET shmcache.enable_customscan = off;
SELECT count(*), sum(balance) FROM bank}),
	$expected_total, 'bank: the same without the custom scan');
is($node->safe_psql('postgres',
	"SELECT string_agg(id || ':' || balance, ',' ORDER BY id) FROM bank"),
	join(',', map { "$_:$balance{$_}" } 1 .. $ACCOUNTS),
	'bank: every account holds what the committed transfers give it');
$node->safe_psql('postgres', "SELECT shmcache.vacuum('bank')");
is($node->safe_psql('postgres',
	"SELECT rows, dead_rows FROM shmcache.frames WHERE frame = 'bank'::regclass"),
	"$ACCOUNTS|0", 'bank: after a last vacuum, 100 rows and no dead row');
is($node->safe_psql('postgres', q{SET enable_hashjoin = off; SET enable_mergejoin = off;
SELECT count(*), sum(b.balance) FROM generate_series(1, 100) g JOIN bank b ON b.id = g}),
	$expected_total, 'bank: every account is found through the index after the vacuum');

$_->quit for (@writers, @readers, $vacuumer);
note(sprintf('014_modify: %.1f s in all', time - $t_start));

$node->stop;

done_testing();
