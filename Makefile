# Makefile for shmcache (PGXS)

EXTENSION = shmcache

MODULE_big = shmcache
OBJS = \
	src/shmcache.o \
	src/shmem.o \
	src/storage_dir.o \
	src/storage_delete.o \
	src/storage.o \
	src/storage_index.o \
	src/index.o \
	src/xact.o \
	src/xact_queue.o \
	src/xact_delete.o \
	src/xact_index.o \
	src/pins.o \
	src/catalog.o \
	src/frames.o \
	src/index_sql.o \
	src/load.o \
	src/modify.o \
	src/follow.o \
	src/input.o \
	src/filter.o \
	src/filter_plan.o \
	src/reader.o \
	src/scan.o \
	src/lookup.o \
	src/topn.o \
	src/agg_plan.o \
	src/agg_exec.o \
	src/agg_group.o \
	src/agg_distinct.o \
	src/agg_accum.o \
	src/functions.o \
	src/snapfile.o \
	src/snapshot.o \
	src/snapsave.o \
	src/persist_sql.o \
	src/autoload.o \
	src/utility.o \
	src/flatbuf.o \
	src/arrow.o \
	src/arrow_ipc.o \
	src/copyto.o \
	src/domain.o

DATA = $(EXTENSION)--0.1.sql $(EXTENSION)--0.1--0.2.sql $(EXTENSION)--0.2--0.3.sql
PGFILEDESC = "shmcache - shared in-memory table cache"

# PostgreSQL's headers are included as system headers, so that our own code
# builds warning-free under -Wall -Wextra -Werror.
PG_CONFIG ?= pg_config
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server)
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter

# pg_regress suites, each on a throw-away instance that preloads shmcache
REGRESS := $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --temp-instance=./tmp_check_regress --temp-config=tests/shmcache.conf

# isolation specs (tests/specs/*.spec, expected output in tests/expected/),
# run by pg_isolation_regress on their own throw-away instance, in a database
# where shmcache is created once; results go to output_iso/
ISOLATION := $(patsubst tests/specs/%.spec,%,$(sort $(wildcard tests/specs/*.spec)))
ISOLATION_OPTS = --inputdir=tests --temp-instance=./tmp_check_iso \
	--temp-config=tests/shmcache.conf --load-extension=shmcache

# TAP tests (tests/*.pl), with what they share in tests/ShmcacheTest.pm.
# PGXS sets PROVE_FLAGS (empty) after this point: "override" keeps ours, and
# adds it to a PROVE_FLAGS given on the command line.
TAP_TESTS = 1
PROVE_TESTS := $(sort $(wildcard tests/*.pl))
override PROVE_FLAGS += -I ./tests

EXTRA_CLEAN = tmp_check_regress tmp_check_iso output_iso

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track header dependencies: every object depends on ours.
# (After the include, so that "all" stays the default goal.)
$(OBJS): $(wildcard src/*.h)

# The layers of src/ (src/README): no include or call goes up, no cycle.
# Checked before the tests run.
.PHONY: check-layers
check-layers: $(OBJS)
	perl scripts/check-layers src

installcheck: check-layers
