/*-------------------------------------------------------------------------
 *
 * arrow.c
 *	  The Arrow IPC stream encoder behind COPY ... (FORMAT arrow): the type
 *	  mapping and the columns of the batch being built.  The messages they
 *	  are written as are arrow_ipc.c's.
 *
 * A stream is a sequence of encapsulated messages: the schema, then for
 * each record batch the dictionary batches of its dictionary-encoded
 * columns (each replacing the field's previous dictionary, isDelta =
 * false) and the batch itself, then the end-of-stream marker.  A message is
 * the continuation marker 0xFFFFFFFF, the int32 length of its metadata,
 * the metadata (a flatbuffer "Message" table of format/Message.fbs and
 * format/Schema.fbs in the Arrow repository) padded to 8 bytes, then its
 * body: every buffer of the batch's arrays in the pre-order of the fields,
 * each padded to 8 bytes.  Everything is little endian.
 *
 * The flatbuffers are built by the small builder of flatbuf.c, back to front as
 * the flatbuffers library does: the children of a table (strings, vectors,
 * other tables) are written before it, so that every offset points forward
 * in the finished buffer; a table is preceded by its vtable.
 *
 * Values: a column (ShmcacheArrowColumn) is filled either a PostgreSQL
 * Datum at a time (shmcache_arrow_append_datum, the type mapping of
 * ShmcacheArrowConv), or, for fixed-width values whose PostgreSQL
 * representation is an array of raw values, a block at a time
 * (shmcache_arrow_put_values, shmcache_arrow_put_nulls: copies, gathers
 * through a selection vector, and converts the epoch of dates and
 * timestamps in vector loops).  Validity bitmaps are written only once a
 * column of the batch has a null.
 *
 * Infinite dates and timestamps become the smallest and largest int32
 * (dates) and int64 (timestamps) values; a finite timestamp too late for a
 * 1970-based int64 (after about 294246 AD) becomes the largest one too.  An
 * interval's microseconds are converted to nanoseconds, saturating at the
 * int64 limits.  A NaN in a numeric column mapped to decimal128 is an
 * error.
 *
 * Layer: format, above base only: no knowledge of frames, nodes or COPY.
 * Locking: none; all state is backend-local.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/arrow.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "mb/pg_wchar.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "arrow.h"

#ifdef WORDS_BIGENDIAN
#error "the Arrow encoder writes the host's byte order and assumes little endian"
#endif

/* Days and microseconds from 1970-01-01 to PostgreSQL's 2000-01-01. */
#define EPOCH_DAYS			((int32) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE))
#define EPOCH_USECS			((int64) EPOCH_DAYS * USECS_PER_DAY)


/* ------------------------------------------------------------------------
 * Buffers and columns
 * ------------------------------------------------------------------------
 */

/* Make room for "extra" more bytes; new bytes are not initialised. */
static inline void
buf_reserve(ShmcacheArrowBuf *b, Size extra)
{
	if (b->len + extra > b->cap)
	{
		Size		newcap = Max(b->cap * 2, b->len + extra);

		b->data = repalloc_huge(b->data, newcap);
		b->cap = newcap;
	}
}

static inline void
buf_append(ShmcacheArrowBuf *b, const void *data, Size n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, data, n);
	b->len += n;
}

static void
buf_init(ShmcacheArrowBuf *b, Size cap)
{
	b->data = palloc(cap);
	b->cap = cap;
	b->len = 0;
}

/* Set bit "bit" of a bitmap buffer to "value", growing it as needed. */
static inline void
bitmap_set(ShmcacheArrowBuf *b, int64 bit, bool value)
{
	Size		byte = bit >> 3;

	if (byte >= b->len)
	{
		buf_reserve(b, byte + 1 - b->len);
		memset(b->data + b->len, 0, byte + 1 - b->len);
		b->len = byte + 1;
	}
	if (value)
		((uint8 *) b->data)[byte] |= (uint8) (1 << (bit & 7));
	else
		((uint8 *) b->data)[byte] &= (uint8) ~(1 << (bit & 7));
}

/*
 * Write validity bits (all valid) for the rows up to "upto" that have none
 * yet: once a batch has a null, every row has a bit.  Rows before the first
 * null have none: up to then null_count is 0 and no bitmap is written.
 */
void
shmcache_arrow_validity_fill(ShmcacheArrowColumn *col, int64 upto)
{
	int64		have = (int64) col->validity.len * 8;
	int64		bit;

	/* bytes already there may have bits past the last row: set them too */
	if (col->null_count == 0)
		have = 0, col->validity.len = 0;
	for (bit = have; bit < upto && (bit & 7) != 0; bit++)
		bitmap_set(&col->validity, bit, true);
	if (bit < upto)
	{
		Size		bytes = (upto - bit + 7) / 8;

		buf_reserve(&col->validity, bytes);
		memset(col->validity.data + col->validity.len, 0xFF, bytes);
		col->validity.len += bytes;
	}
}

/* shmcache_arrow_column_reset: empty a column's array for the next batch. */
void
shmcache_arrow_column_reset(ShmcacheArrowColumn *col)
{
	int32		zero = 0;

	col->length = 0;
	col->null_count = 0;
	col->validity.len = 0;
	col->data.len = 0;
	col->offsets.len = 0;
	if (col->width == 0 && col->conv != ARROW_CONV_BOOL)
		buf_append(&col->offsets, &zero, 4);
	if (col->child)
		shmcache_arrow_column_reset(col->child);
	if (col->dict)
		shmcache_arrow_column_reset(col->dict);
}

/* The types that map to one Arrow type whatever their modifier. */
static const struct
{
	Oid			type;
	ShmcacheArrowConv conv;
	int			width;			/* bytes of a value, 0 if variable */
}			simple_types[] =
{
	{INT2OID, ARROW_CONV_INT16, 2},
	{INT4OID, ARROW_CONV_INT32, 4},
	{INT8OID, ARROW_CONV_INT64, 8},
	{FLOAT4OID, ARROW_CONV_FLOAT4, 4},
	{FLOAT8OID, ARROW_CONV_FLOAT8, 8},
	{BOOLOID, ARROW_CONV_BOOL, 0},
	{TEXTOID, ARROW_CONV_TEXT, 0},
	{VARCHAROID, ARROW_CONV_TEXT, 0},
	{BPCHAROID, ARROW_CONV_TEXT, 0},
	{JSONOID, ARROW_CONV_TEXT, 0},
	{NAMEOID, ARROW_CONV_NAME, 0},
	{BYTEAOID, ARROW_CONV_BYTEA, 0},
	{DATEOID, ARROW_CONV_DATE, 4},
	{TIMEOID, ARROW_CONV_TIME, 8},
	{TIMESTAMPOID, ARROW_CONV_TIMESTAMP, 8},
	{TIMESTAMPTZOID, ARROW_CONV_TIMESTAMPTZ, 8},
	{INTERVALOID, ARROW_CONV_INTERVAL, 16},
	{UUIDOID, ARROW_CONV_UUID, UUID_LEN},
};

/*
 * Map PostgreSQL type "typid" with modifier "typmod" to an Arrow type (see
 * ShmcacheArrowConv) for column "col".
 */
static void
map_type(ShmcacheArrowColumn *col, Oid typid, int32 typmod)
{
	Oid			base = getBaseTypeAndTypmod(typid, &typmod);
	Oid			elemtype;
	Size		i;

	col->width = 0;
	for (i = 0; i < lengthof(simple_types); i++)
	{
		if (simple_types[i].type == base)
		{
			col->conv = simple_types[i].conv;
			col->width = simple_types[i].width;
			return;
		}
	}
	switch (base)
	{
#ifdef HAVE_INT128
		case NUMERICOID:
			if (typmod >= (int32) VARHDRSZ)
			{
				int32		precision = ((typmod - VARHDRSZ) >> 16) & 0xffff;
				int32		scale = ((((typmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024);

				if (precision >= 1 && precision <= 38 && scale >= 0 &&
					scale <= precision)
				{
					col->conv = ARROW_CONV_DECIMAL;
					col->width = 16;
					col->precision = precision;
					col->scale = scale;
					return;
				}
			}
			break;
#endif
		default:
			break;
	}

	elemtype = get_element_type(base);
	if (OidIsValid(elemtype))
	{
		col->conv = ARROW_CONV_ARRAY;
		col->elemtype = elemtype;
		get_typlenbyvalalign(elemtype, &col->elmlen, &col->elmbyval, &col->elmalign);
		col->child = palloc0(sizeof(ShmcacheArrowColumn));
		col->child->name = "item";
		map_type(col->child, elemtype, typmod);
	}
	else
	{
		Oid			outfunc;
		bool		isvarlena;

		col->conv = ARROW_CONV_OUTPUT;
		getTypeOutputInfo(base, &outfunc, &isvarlena);
		fmgr_info(outfunc, &col->outfunc);
	}
}

/* Allocate the buffers of "col" (and of its element column). */
static void
column_init_buffers(ShmcacheArrowColumn *col)
{
	buf_init(&col->validity, 1024);
	buf_init(&col->offsets, 1024);
	buf_init(&col->data, 8192);
	if (col->child)
		column_init_buffers(col->child);
	if (col->dict)
		column_init_buffers(col->dict);
	shmcache_arrow_column_reset(col);
}

/*
 * shmcache_arrow_writer_create
 *		A writer of a stream whose columns are those of "tupdesc": column i
 *		is dictionary-encoded (int16 indices into a utf8 dictionary sent
 *		with each batch) if dictionary[i] (dictionary may be NULL).  The
 *		stream's bytes go to "sink".  Allocated in the current memory
 *		context.
 */
ShmcacheArrowWriter *
shmcache_arrow_writer_create(TupleDesc tupdesc, const bool *dictionary,
							 ShmcacheArrowSink sink, void *sink_arg)
{
	ShmcacheArrowWriter *w = palloc0(sizeof(ShmcacheArrowWriter));
	int			i;

	w->context = CurrentMemoryContext;
	w->batch_context = AllocSetContextCreate(CurrentMemoryContext,
											 "shmcache arrow batch",
											 ALLOCSET_DEFAULT_SIZES);
	w->sink = sink;
	w->sink_arg = sink_arg;
	w->out = palloc(SHMCACHE_ARROW_OUT_SIZE);
	w->ncolumns = tupdesc->natts;
	w->columns = palloc0(sizeof(ShmcacheArrowColumn *) * Max(w->ncolumns, 1));
	for (i = 0; i < w->ncolumns; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(tupdesc, i);
		ShmcacheArrowColumn *col = palloc0(sizeof(ShmcacheArrowColumn));

		col->name = pg_server_to_any(NameStr(attr->attname),
									 strlen(NameStr(attr->attname)), PG_UTF8);
		if (dictionary && dictionary[i])
		{
			/* int16 indices into a utf8 dictionary */
			col->conv = ARROW_CONV_INT16;
			col->width = 2;
			col->dictionary = true;
			col->dict_id = i;
			col->dict = palloc0(sizeof(ShmcacheArrowColumn));
			col->dict->conv = ARROW_CONV_TEXT;
		}
		else
			map_type(col, attr->atttypid, attr->atttypmod);
		column_init_buffers(col);
		w->columns[i] = col;
	}
	return w;
}

/* ------------------------------------------------------------------------
 * Appending values
 * ------------------------------------------------------------------------
 */

/* Append a variable-width value (utf8/binary). */
static void
append_var(ShmcacheArrowColumn *col, const char *data, Size len)
{
	int32		end;

	if (col->data.len + len > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("value of column \"%s\" is too large for an Arrow record batch",
						col->name)));
	buf_append(&col->data, data, len);
	end = (int32) col->data.len;
	buf_append(&col->offsets, &end, 4);
}

/* Append text in the server encoding, converted to UTF-8. */
static void
append_text(ShmcacheArrowColumn *col, const char *data, int len)
{
	const char *utf8 = pg_server_to_any(data, len, PG_UTF8);

	append_var(col, utf8, utf8 == data ? (Size) len : strlen(utf8));
}

/* numeric(p, s) with p <= 38 as a little-endian int128 of unit 10^-s. */
#ifdef HAVE_INT128
static void
append_decimal(ShmcacheArrowColumn *col, Datum value)
{
	char	   *str = DatumGetCString(DirectFunctionCall1(numeric_out, value));
	const char *p = str;
	bool		negative = false;
	int			fraction = -1;	/* digits after the point, -1: no point */
	int128		v = 0;

	if (*p == '-')
	{
		negative = true;
		p++;
	}
	for (; *p; p++)
	{
		if (*p == '.' && fraction < 0)
			fraction = 0;
		else if (*p >= '0' && *p <= '9')
		{
			v = v * 10 + (*p - '0');
			if (fraction >= 0)
				fraction++;
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("cannot write numeric value \"%s\" of column \"%s\" as an Arrow decimal",
							str, col->name),
					 errhint("Cast the column to text or float8 in COPY (SELECT ...) TO.")));
	}
	if (fraction < 0)
		fraction = 0;
	if (fraction > col->scale)
		elog(ERROR, "numeric value \"%s\" has more digits than its scale %d",
			 str, col->scale);
	for (; fraction < col->scale; fraction++)
		v *= 10;
	if (negative)
		v = -v;
	buf_append(&col->data, &v, 16);
	pfree(str);
}
#endif

static inline int32
date_to_arrow(int32 d)
{
	if (d == PG_INT32_MIN || d == PG_INT32_MAX)
		return d;
	return d + EPOCH_DAYS;
}

static inline int64
timestamp_to_arrow(int64 t)
{
	if (t > PG_INT64_MAX - EPOCH_USECS)
		return PG_INT64_MAX;
	if (t == PG_INT64_MIN)
		return t;
	return t + EPOCH_USECS;
}

/* An interval as Arrow's month_day_nano: months, days, nanoseconds. */
static inline void
interval_to_arrow(const Interval *iv, char *dst)
{
	int64		nanos;

	if (pg_mul_s64_overflow(iv->time, 1000, &nanos))
		nanos = iv->time < 0 ? PG_INT64_MIN : PG_INT64_MAX;
	memcpy(dst, &iv->month, 4);
	memcpy(dst + 4, &iv->day, 4);
	memcpy(dst + 8, &nanos, 8);
}

/* Append the elements of an array value to the list column "col". */
static void
append_array(ShmcacheArrowColumn *col, Datum value)
{
	ArrayType  *array = DatumGetArrayTypeP(value);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	int32		end;

	deconstruct_array(array, col->elemtype, col->elmlen, col->elmbyval,
					  col->elmalign, &elems, &nulls, &n);
	for (i = 0; i < n; i++)
		shmcache_arrow_append_datum(col->child, elems[i], nulls[i]);
	if (col->child->length > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("arrays of column \"%s\" have too many elements for an Arrow record batch",
						col->name)));
	end = (int32) col->child->length;
	buf_append(&col->offsets, &end, 4);
}

/*
 * shmcache_arrow_append_datum
 *		Append a value (or a null) to "col" (not a dictionary-encoded
 *		column).  Allocations for converting it are made in the current
 *		memory context, which the caller resets.
 */
void
shmcache_arrow_append_datum(ShmcacheArrowColumn *col, Datum value, bool isnull)
{
	if (isnull)
	{
		shmcache_arrow_validity_fill(col, col->length);
		bitmap_set(&col->validity, col->length, false);
		col->null_count++;
		col->length++;
		/* a placeholder value */
		if (col->conv == ARROW_CONV_BOOL)
			bitmap_set(&col->data, col->length - 1, false);
		else if (col->width > 0)
		{
			buf_reserve(&col->data, col->width);
			memset(col->data.data + col->data.len, 0, col->width);
			col->data.len += col->width;
		}
		else
		{
			int32		end = ((int32 *) col->offsets.data)[col->length - 1];

			buf_append(&col->offsets, &end, 4);
		}
		return;
	}
	if (col->null_count > 0)
		bitmap_set(&col->validity, col->length, true);

	switch (col->conv)
	{
		case ARROW_CONV_INT16:
		case ARROW_CONV_INT32:
		case ARROW_CONV_INT64:
		case ARROW_CONV_TIME:
		case ARROW_CONV_FLOAT4:
		case ARROW_CONV_FLOAT8:

			/*
			 * A by-value type: its value is the Datum's low-order bytes,
			 * which come first on a little-endian machine.
			 */
			buf_append(&col->data, &value, col->width);
			break;
		case ARROW_CONV_BOOL:
			bitmap_set(&col->data, col->length, DatumGetBool(value));
			break;
		case ARROW_CONV_DECIMAL:
#ifdef HAVE_INT128
			append_decimal(col, value);
#endif
			break;
		case ARROW_CONV_TEXT:
			{
				text	   *t = DatumGetTextPP(value);

				append_text(col, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
				break;
			}
		case ARROW_CONV_NAME:
			{
				const char *s = NameStr(*DatumGetName(value));

				append_text(col, s, strlen(s));
				break;
			}
		case ARROW_CONV_BYTEA:
			{
				bytea	   *b = DatumGetByteaPP(value);

				append_var(col, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
				break;
			}
		case ARROW_CONV_DATE:
			{
				int32		v = date_to_arrow(DatumGetDateADT(value));

				buf_append(&col->data, &v, 4);
				break;
			}
		case ARROW_CONV_TIMESTAMP:
		case ARROW_CONV_TIMESTAMPTZ:
			{
				int64		v = timestamp_to_arrow(DatumGetInt64(value));

				buf_append(&col->data, &v, 8);
				break;
			}
		case ARROW_CONV_INTERVAL:
			buf_reserve(&col->data, 16);
			interval_to_arrow(DatumGetIntervalP(value), col->data.data + col->data.len);
			col->data.len += 16;
			break;
		case ARROW_CONV_UUID:
			buf_append(&col->data, DatumGetUUIDP(value)->data, UUID_LEN);
			break;
		case ARROW_CONV_ARRAY:
			append_array(col, value);
			break;
		case ARROW_CONV_OUTPUT:
			{
				char	   *s = OutputFunctionCall(&col->outfunc, value);

				append_text(col, s, strlen(s));
				break;
			}
	}
	col->length++;
}

/*
 * shmcache_arrow_append_row
 *		Append a row to the batch being built (no column may be
 *		dictionary-encoded).
 */
void
shmcache_arrow_append_row(ShmcacheArrowWriter *w, const Datum *values,
						  const bool *isnull)
{
	MemoryContext old = MemoryContextSwitchTo(w->batch_context);
	int			i;

	for (i = 0; i < w->ncolumns; i++)
		shmcache_arrow_append_datum(w->columns[i], values[i], isnull[i]);
	w->batch_rows++;
	MemoryContextSwitchTo(old);
}

/*
 * shmcache_arrow_conv_is_block
 *		Can a column of this mapping be filled by shmcache_arrow_put_values
 *		from an array of PostgreSQL values (each of the type's typlen)?
 */
bool
shmcache_arrow_conv_is_block(ShmcacheArrowConv conv)
{
	switch (conv)
	{
		case ARROW_CONV_INT16:
		case ARROW_CONV_INT32:
		case ARROW_CONV_INT64:
		case ARROW_CONV_FLOAT4:
		case ARROW_CONV_FLOAT8:
		case ARROW_CONV_BOOL:
		case ARROW_CONV_DATE:
		case ARROW_CONV_TIME:
		case ARROW_CONV_TIMESTAMP:
		case ARROW_CONV_TIMESTAMPTZ:
		case ARROW_CONV_INTERVAL:
		case ARROW_CONV_UUID:
			return true;
		default:
			return false;
	}
}

/*
 * shmcache_arrow_put_values
 *		Append "n" values to a column whose mapping is a block one (see
 *		shmcache_arrow_conv_is_block; a dictionary-encoded column takes
 *		uint16 indices): src[sel[i]] for i < n, or src[0 .. n-1] if "sel" is
 *		NULL.  "src" is an array of PostgreSQL values of the type's length
 *		(bool: one byte).  Validity is the caller's (shmcache_arrow_put_nulls,
 *		before this call).
 */
void
shmcache_arrow_put_values(ShmcacheArrowColumn *col, const char *src,
						  const uint16 *sel, uint32 n)
{
	uint32		i;

	if (col->conv == ARROW_CONV_BOOL)
	{
		int64		bit = col->length;

		for (i = 0; i < n; i++)
			bitmap_set(&col->data, bit + i, src[sel ? sel[i] : i] != 0);
		col->length += n;
		return;
	}

	buf_reserve(&col->data, (Size) n * col->width);

/* d[i] = conv(s[sel[i]]) (or conv(s[i])) for i < n, over arrays of "type" */
#define GATHER_CONVERTED(type, conv) \
	do { \
		const type *s = (const type *) src; \
		type	   *d = (type *) (col->data.data + col->data.len); \
		if (sel) \
			for (i = 0; i < n; i++) \
				d[i] = conv(s[sel[i]]); \
		else \
			for (i = 0; i < n; i++) \
				d[i] = conv(s[i]); \
	} while (0)

	switch (col->conv)
	{
		case ARROW_CONV_DATE:
			GATHER_CONVERTED(int32, date_to_arrow);
			break;
		case ARROW_CONV_TIMESTAMP:
		case ARROW_CONV_TIMESTAMPTZ:
			GATHER_CONVERTED(int64, timestamp_to_arrow);
			break;
		case ARROW_CONV_INTERVAL:
			{
				char	   *d = col->data.data + col->data.len;

				for (i = 0; i < n; i++)
					interval_to_arrow((const Interval *) (src + (Size) (sel ? sel[i] : i) * 16),
									  d + (Size) i * 16);
				break;
			}
		default:
			if (sel == NULL)
				memcpy(col->data.data + col->data.len, src, (Size) n * col->width);
			else if (col->width == 2)
				GATHER_CONVERTED(int16,);
			else if (col->width == 4)
				GATHER_CONVERTED(int32,);
			else if (col->width == 8)
				GATHER_CONVERTED(int64,);
			else
				for (i = 0; i < n; i++)
					memcpy(col->data.data + col->data.len + (Size) i * col->width,
						   src + (Size) sel[i] * col->width, col->width);
			break;
	}
#undef GATHER_CONVERTED
	col->data.len += (Size) n * col->width;
	col->length += n;
}

/*
 * shmcache_arrow_put_nulls
 *		Validity of the next "n" values of "col" (to be appended by
 *		shmcache_arrow_put_values) from a PostgreSQL-style null bitmap
 *		(1 = null, least significant bit first): bits sel[i], or 0 .. n-1 if
 *		"sel" is NULL.
 */
void
shmcache_arrow_put_nulls(ShmcacheArrowColumn *col, const uint8 *nullbits,
						 const uint16 *sel, uint32 n)
{
	int64		start = col->length;
	uint32		i;

	shmcache_arrow_validity_fill(col, start);
	if (sel == NULL && (start & 7) == 0)
	{
		Size		bytes = (n + 7) / 8;
		uint8	   *d;
		uint64		nulls;

		buf_reserve(&col->validity, bytes);
		d = (uint8 *) col->validity.data + (start >> 3);
		for (i = 0; i < bytes; i++)
			d[i] = (uint8) ~nullbits[i];
		if (n & 7)
			d[bytes - 1] &= (uint8) ((1 << (n & 7)) - 1);
		col->validity.len = (start >> 3) + bytes;
		nulls = n - pg_popcount((const char *) d, bytes);
		col->null_count += nulls;
	}
	else
	{
		for (i = 0; i < n; i++)
		{
			uint32		slot = sel ? sel[i] : i;
			bool		null = (nullbits[slot >> 3] >> (slot & 7)) & 1;

			bitmap_set(&col->validity, start + i, !null);
			col->null_count += null;
		}
	}
	/* no null after all: no bitmap (validity_fill starts over) */
}
