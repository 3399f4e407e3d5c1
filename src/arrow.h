/*-------------------------------------------------------------------------
 *
 * arrow.h
 *	  The Arrow IPC stream encoder: a writer that turns columns of
 *	  PostgreSQL values into Arrow record batches (schema message,
 *	  dictionary batches, record batches, end-of-stream marker) and hands
 *	  the bytes to a sink.  See arrow.c.
 *
 * Layer: format, just above base: it knows PostgreSQL's types and Arrow's
 * layout, nothing of frames, executor nodes or COPY.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/arrow.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_ARROW_H
#define SHMCACHE_ARROW_H

#include "access/tupdesc.h"
#include "fmgr.h"
#include "shmcache.h"

/*
 * How a PostgreSQL value becomes an Arrow value (the type mapping; see the
 * README's table).  Domains are mapped as their base type.
 */
typedef enum ShmcacheArrowConv
{
	ARROW_CONV_INT16,			/* int2 -> int16 */
	ARROW_CONV_INT32,			/* int4 -> int32 */
	ARROW_CONV_INT64,			/* int8 -> int64 */
	ARROW_CONV_FLOAT4,			/* float4 -> float32 */
	ARROW_CONV_FLOAT8,			/* float8 -> float64 */
	ARROW_CONV_BOOL,			/* bool -> bool (bit-packed) */
	ARROW_CONV_DECIMAL,			/* numeric(p<=38, s) -> decimal128(p, s) */
	ARROW_CONV_TEXT,			/* text-like varlena -> utf8 */
	ARROW_CONV_NAME,			/* name -> utf8 */
	ARROW_CONV_BYTEA,			/* bytea -> binary */
	ARROW_CONV_DATE,			/* date -> date32 (days since 1970) */
	ARROW_CONV_TIME,			/* time -> time64[us] */
	ARROW_CONV_TIMESTAMP,		/* timestamp -> timestamp[us] */
	ARROW_CONV_TIMESTAMPTZ,		/* timestamptz -> timestamp[us, UTC] */
	ARROW_CONV_INTERVAL,		/* interval -> interval[month_day_nano] */
	ARROW_CONV_UUID,			/* uuid -> fixed_size_binary(16), arrow.uuid */
	ARROW_CONV_ARRAY,			/* array -> list<element> */
	ARROW_CONV_OUTPUT			/* anything else: output function -> utf8 */
} ShmcacheArrowConv;

/* A growable byte buffer of a column being built. */
typedef struct ShmcacheArrowBuf
{
	char	   *data;
	Size		len;			/* bytes in use */
	Size		cap;			/* bytes allocated */
} ShmcacheArrowBuf;

/*
 * One Arrow column (a field of the schema) and the array of the record
 * batch being built for it.  Fixed-width columns have "width" bytes per
 * value in "data"; utf8/binary columns int32 offsets and bytes; list
 * columns offsets and the element column "child".  A dictionary-encoded
 * column has int16 indices in "data" and its dictionary, a utf8 column, in
 * "dict" (filled by the caller for each batch).
 */
typedef struct ShmcacheArrowColumn
{
	char	   *name;			/* field name (UTF-8) */
	ShmcacheArrowConv conv;
	int			width;			/* bytes per fixed-width value, or 0 */
	int			precision;		/* decimal */
	int			scale;
	bool		dictionary;		/* values are int16 dictionary indices */
	int64		dict_id;
	struct ShmcacheArrowColumn *dict;	/* the dictionary's values */
	struct ShmcacheArrowColumn *child;	/* list element */
	FmgrInfo	outfunc;		/* ARROW_CONV_OUTPUT */
	Oid			elemtype;		/* ARROW_CONV_ARRAY: element type */
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;

	/* the array being built */
	int64		length;			/* values */
	int64		null_count;
	ShmcacheArrowBuf validity;	/* 1 = valid; written while null_count > 0
								 * or by the caller */
	ShmcacheArrowBuf offsets;	/* int32, length + 1 of them */
	ShmcacheArrowBuf data;
} ShmcacheArrowColumn;

/* Where the stream's bytes go: called with pieces of up to about 1 MB. */
typedef void (*ShmcacheArrowSink) (void *arg, const char *data, Size len);

typedef struct ShmcacheArrowWriter
{
	MemoryContext context;		/* the writer's own memory */
	MemoryContext batch_context;	/* reset after each record batch */
	int			ncolumns;
	ShmcacheArrowColumn **columns;
	int64		batch_rows;		/* rows in the batch being built */
	int64		total_rows;		/* rows in the batches written (or being
								 * written) */
	uint64		bytes_written;	/* bytes of the stream so far (handed to
								 * the sink or buffered) */
	ShmcacheArrowSink sink;
	void	   *sink_arg;
	char	   *out;			/* output buffer */
	Size		out_len;
} ShmcacheArrowWriter;

/*
 * Size of the output buffer: the sink gets pieces of about this size, so a
 * client gets CopyData messages of it.  Clients allocate a buffer per
 * message (libpq's PQgetCopyData, then the driver's bytes object); below
 * malloc's mmap threshold (128 kB) those come from memory the process
 * reuses, while megabyte messages are mapped and unmapped each time, every
 * page faulted in again (3-4 times slower reads into pandas, measured).
 */
#define SHMCACHE_ARROW_OUT_SIZE		(64 * 1024)

/* Rows and bytes after which the generic path ends a record batch. */
#define SHMCACHE_ARROW_BATCH_ROWS	65536
#define SHMCACHE_ARROW_BATCH_BYTES	(16 * 1024 * 1024)

extern ShmcacheArrowWriter *shmcache_arrow_writer_create(TupleDesc tupdesc,
														 const bool *dictionary,
														 ShmcacheArrowSink sink,
														 void *sink_arg);
extern void shmcache_arrow_write_schema(ShmcacheArrowWriter *writer);
extern void shmcache_arrow_append_row(ShmcacheArrowWriter *writer,
									  const Datum *values, const bool *isnull);
extern bool shmcache_arrow_batch_full(const ShmcacheArrowWriter *writer);
extern void shmcache_arrow_write_batch(ShmcacheArrowWriter *writer);
extern void shmcache_arrow_write_end(ShmcacheArrowWriter *writer);

/* Filling a column by hand (a batch that starts at row 0 of the column) */
extern void shmcache_arrow_append_datum(ShmcacheArrowColumn *col, Datum value,
										bool isnull);
extern bool shmcache_arrow_conv_is_block(ShmcacheArrowConv conv);
extern void shmcache_arrow_put_values(ShmcacheArrowColumn *col, const char *src,
									  const uint16 *sel, uint32 n);
extern void shmcache_arrow_put_nulls(ShmcacheArrowColumn *col, const uint8 *nullbits,
									 const uint16 *sel, uint32 n);

/* arrow.c for arrow_ipc.c: finishing and emptying a batch's columns */
extern void shmcache_arrow_validity_fill(ShmcacheArrowColumn *col, int64 upto);
extern void shmcache_arrow_column_reset(ShmcacheArrowColumn *col);

#endif							/* SHMCACHE_ARROW_H */
