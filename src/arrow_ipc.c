/*-------------------------------------------------------------------------
 *
 * arrow_ipc.c
 *	  The messages of an Arrow IPC stream: the schema, the dictionary and
 *	  record batches built from the columns of arrow.c, and the end of the
 *	  stream, framed (continuation marker, metadata length, flatbuffer
 *	  metadata, body padded to 8 bytes) and written through the writer's
 *	  output buffer to its sink.
 *
 * Layer: format, beside arrow.c, over the flatbuffer builder (flatbuf.c).
 * Locking: none; all state is backend-local.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/arrow_ipc.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/memutils.h"
#include "utils/uuid.h"

#include "arrow.h"
#include "flatbuf.h"

/* Arrow's enums (format/Schema.fbs, format/Message.fbs) */
#define ARROW_TYPE_INT			2
#define ARROW_TYPE_FLOAT		3
#define ARROW_TYPE_BINARY		4
#define ARROW_TYPE_UTF8			5
#define ARROW_TYPE_BOOL			6
#define ARROW_TYPE_DECIMAL		7
#define ARROW_TYPE_DATE			8
#define ARROW_TYPE_TIME			9
#define ARROW_TYPE_TIMESTAMP	10
#define ARROW_TYPE_INTERVAL		11
#define ARROW_TYPE_LIST			12
#define ARROW_TYPE_FIXED_BINARY 15
#define ARROW_PRECISION_SINGLE	1
#define ARROW_PRECISION_DOUBLE	2
#define ARROW_DATE_DAY			0
#define ARROW_TIME_MICROSECOND	2
#define ARROW_INTERVAL_MONTH_DAY_NANO 2
#define ARROW_METADATA_V5		4
#define ARROW_HEADER_SCHEMA		1
#define ARROW_HEADER_DICTIONARY 2
#define ARROW_HEADER_BATCH		3
#define ARROW_FEATURE_DICTIONARY_REPLACEMENT 1

/* ------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------
 */

static void
out_flush(ShmcacheArrowWriter *w)
{
	if (w->out_len > 0)
	{
		w->sink(w->sink_arg, w->out, w->out_len);
		w->out_len = 0;
	}
}

/* Write "len" bytes: through the output buffer, or, if large, directly. */
static void
out_write(ShmcacheArrowWriter *w, const char *data, Size len)
{
	if (w->out_len + len > SHMCACHE_ARROW_OUT_SIZE)
	{
		out_flush(w);
		while (len >= SHMCACHE_ARROW_OUT_SIZE)
		{
			w->bytes_written += SHMCACHE_ARROW_OUT_SIZE;
			w->sink(w->sink_arg, data, SHMCACHE_ARROW_OUT_SIZE);
			data += SHMCACHE_ARROW_OUT_SIZE;
			len -= SHMCACHE_ARROW_OUT_SIZE;
		}
	}
	w->bytes_written += len;
	memcpy(w->out + w->out_len, data, len);
	w->out_len += len;
}

static void
out_zero(ShmcacheArrowWriter *w, Size len)
{
	static const char zeros[8] = {0};

	Assert(len <= 8);
	out_write(w, zeros, len);
}

/* Write an encapsulated message's framing and metadata "fb". */
static void
out_message(ShmcacheArrowWriter *w, FlatBuilder *b, uint32 message)
{
	Size		len = shmcache_fb_finish(b, message);
	Size		padded = TYPEALIGN(8, len);
	uint32		prefix[2];

	prefix[0] = 0xFFFFFFFF;
	prefix[1] = (uint32) padded;
	out_write(w, (const char *) prefix, 8);
	out_write(w, b->buf + b->head, len);
	out_zero(w, padded - len);
}

/* ------------------------------------------------------------------------
 * Messages
 * ------------------------------------------------------------------------
 */

/* A FieldNode or a Buffer of a record batch: two int64. */
typedef struct ArrowPair
{
	int64		a;
	int64		b;
} ArrowPair;

/* The arrays of a record batch: its nodes and buffers, in pre-order. */
typedef struct BatchLayout
{
	ArrowPair  *nodes;
	int			nnodes;
	ArrowPair  *buffers;
	const char **buffer_data;
	int			nbuffers;
	int			maxbuffers;
	int64		body;			/* bytes of the body so far */
} BatchLayout;

static void
layout_buffer(BatchLayout *l, const char *data, Size len)
{
	if (l->nbuffers == l->maxbuffers)
	{
		l->maxbuffers *= 2;
		l->buffers = repalloc(l->buffers, sizeof(ArrowPair) * l->maxbuffers);
		l->buffer_data = repalloc(l->buffer_data, sizeof(char *) * l->maxbuffers);
		l->nodes = repalloc(l->nodes, sizeof(ArrowPair) * l->maxbuffers);
	}
	l->buffers[l->nbuffers].a = l->body;
	l->buffers[l->nbuffers].b = len;
	l->buffer_data[l->nbuffers] = data;
	l->nbuffers++;
	l->body += TYPEALIGN(8, len);
}

/* Add the node and buffers of "col" (and of its element column). */
static void
layout_column(BatchLayout *l, ShmcacheArrowColumn *col)
{
	l->nodes[l->nnodes].a = col->length;
	l->nodes[l->nnodes].b = col->null_count;
	l->nnodes++;
	if (col->null_count > 0)
	{
		shmcache_arrow_validity_fill(col, col->length);
		layout_buffer(l, col->validity.data, (col->length + 7) / 8);
	}
	else
		layout_buffer(l, NULL, 0);
	if (col->conv == ARROW_CONV_BOOL)
		layout_buffer(l, col->data.data, (col->length + 7) / 8);
	else if (col->width > 0)
	{
		/* indices under nulls may be anything: make them valid ones */
		if (col->dictionary && col->null_count > 0)
		{
			int64		i;

			for (i = 0; i < col->length; i++)
				if (!((col->validity.data[i >> 3] >> (i & 7)) & 1))
					((int16 *) col->data.data)[i] = 0;
		}
		layout_buffer(l, col->data.data, col->data.len);
	}
	else
	{
		layout_buffer(l, col->offsets.data, (col->length + 1) * 4);
		if (col->conv == ARROW_CONV_ARRAY)
			layout_column(l, col->child);
		else
			layout_buffer(l, col->data.data, col->data.len);
	}
}

static void
layout_init(BatchLayout *l)
{
	memset(l, 0, sizeof(*l));
	l->maxbuffers = 16;
	l->buffers = palloc(sizeof(ArrowPair) * l->maxbuffers);
	l->buffer_data = palloc(sizeof(char *) * l->maxbuffers);
	l->nodes = palloc(sizeof(ArrowPair) * l->maxbuffers);
}

/* The RecordBatch table of "l". */
static uint32
build_record_batch(FlatBuilder *b, int64 length, const BatchLayout *l)
{
	uint32		nodes = shmcache_fb_struct_vector(b, l->nodes, l->nnodes, sizeof(ArrowPair), 8);
	uint32		buffers = shmcache_fb_struct_vector(b, l->buffers, l->nbuffers, sizeof(ArrowPair), 8);

	shmcache_fb_table_begin(b);
	shmcache_fb_field_int(b, 0, length, 8);
	shmcache_fb_field_offset(b, 1, nodes);
	shmcache_fb_field_offset(b, 2, buffers);
	return shmcache_fb_table_end(b);
}

/* The Message table around header "header" of type "header_type". */
static uint32
build_message(FlatBuilder *b, uint8 header_type, uint32 header, int64 body)
{
	shmcache_fb_table_begin(b);
	shmcache_fb_field_int(b, 3, body, 8);
	shmcache_fb_field_offset(b, 2, header);
	shmcache_fb_field_int(b, 0, ARROW_METADATA_V5, 2);
	shmcache_fb_field_int(b, 1, header_type, 1);
	return shmcache_fb_table_end(b);
}

/* Write a message with the body of "l". */
static void
write_with_body(ShmcacheArrowWriter *w, FlatBuilder *b, uint32 message,
				const BatchLayout *l)
{
	int			i;

	out_message(w, b, message);
	for (i = 0; i < l->nbuffers; i++)
	{
		Size		len = l->buffers[i].b;

		if (len > 0)
			out_write(w, l->buffer_data[i], len);
		out_zero(w, TYPEALIGN(8, len) - len);
	}
}

/* A DictionaryBatch message with the dictionary of "col". */
static void
write_dictionary(ShmcacheArrowWriter *w, ShmcacheArrowColumn *col)
{
	FlatBuilder b;
	BatchLayout l;
	uint32		batch;
	uint32		dict;

	layout_init(&l);
	layout_column(&l, col->dict);
	shmcache_fb_init(&b);
	batch = build_record_batch(&b, col->dict->length, &l);
	shmcache_fb_table_begin(&b);
	shmcache_fb_field_int(&b, 0, col->dict_id, 8);
	shmcache_fb_field_offset(&b, 1, batch);
	shmcache_fb_field_int(&b, 2, false, 1);
	dict = shmcache_fb_table_end(&b);
	write_with_body(w, &b, build_message(&b, ARROW_HEADER_DICTIONARY, dict, l.body), &l);
}

/*
 * shmcache_arrow_batch_full
 *		Has the batch being built reached the rows or bytes after which the
 *		generic path writes it?
 */
bool
shmcache_arrow_batch_full(const ShmcacheArrowWriter *w)
{
	Size		bytes = 0;
	int			i;

	if (w->batch_rows >= SHMCACHE_ARROW_BATCH_ROWS)
		return true;
	/* (checking every 256 rows is enough) */
	if ((w->batch_rows & 255) != 0)
		return false;
	for (i = 0; i < w->ncolumns; i++)
	{
		const ShmcacheArrowColumn *col = w->columns[i];

		bytes += col->data.len + col->offsets.len;
		if (col->child)
			bytes += col->child->data.len + col->child->offsets.len;
	}
	return bytes >= SHMCACHE_ARROW_BATCH_BYTES;
}

/*
 * shmcache_arrow_write_batch
 *		Write the batch being built (if it has rows): the dictionaries of
 *		its dictionary-encoded columns, then the record batch; then start a
 *		new one.  Every column must have batch_rows values.
 */
void
shmcache_arrow_write_batch(ShmcacheArrowWriter *w)
{
	MemoryContext old;
	FlatBuilder b;
	BatchLayout l;
	uint32		batch;
	int			i;

	if (w->batch_rows == 0)
		return;
	old = MemoryContextSwitchTo(w->batch_context);
	for (i = 0; i < w->ncolumns; i++)
	{
		Assert(w->columns[i]->length == w->batch_rows);
		if (w->columns[i]->dictionary)
			write_dictionary(w, w->columns[i]);
	}
	layout_init(&l);
	for (i = 0; i < w->ncolumns; i++)
		layout_column(&l, w->columns[i]);
	shmcache_fb_init(&b);
	batch = build_record_batch(&b, w->batch_rows, &l);
	w->total_rows += w->batch_rows;
	write_with_body(w, &b, build_message(&b, ARROW_HEADER_BATCH, batch, l.body), &l);

	for (i = 0; i < w->ncolumns; i++)
		shmcache_arrow_column_reset(w->columns[i]);
	w->batch_rows = 0;
	MemoryContextSwitchTo(old);
	MemoryContextReset(w->batch_context);
}

/* The Arrow type of "col" as a table of the Type union; sets *type_type. */
static uint32
build_type(FlatBuilder *b, const ShmcacheArrowColumn *col, uint8 *type_type)
{
	uint32		tz = 0;

	if (col->dictionary)
		col = col->dict;
	if (col->conv == ARROW_CONV_TIMESTAMPTZ)
		tz = shmcache_fb_string(b, "UTC");
	shmcache_fb_table_begin(b);
	switch (col->conv)
	{
		case ARROW_CONV_INT16:
		case ARROW_CONV_INT32:
		case ARROW_CONV_INT64:
			*type_type = ARROW_TYPE_INT;
			shmcache_fb_field_int(b, 0, col->width * 8, 4);
			shmcache_fb_field_int(b, 1, true, 1);
			break;
		case ARROW_CONV_FLOAT4:
		case ARROW_CONV_FLOAT8:
			*type_type = ARROW_TYPE_FLOAT;
			shmcache_fb_field_int(b, 0, col->conv == ARROW_CONV_FLOAT4 ?
								  ARROW_PRECISION_SINGLE : ARROW_PRECISION_DOUBLE, 2);
			break;
		case ARROW_CONV_BOOL:
			*type_type = ARROW_TYPE_BOOL;
			break;
		case ARROW_CONV_DECIMAL:
			*type_type = ARROW_TYPE_DECIMAL;
			shmcache_fb_field_int(b, 0, col->precision, 4);
			shmcache_fb_field_int(b, 1, col->scale, 4);
			shmcache_fb_field_int(b, 2, 128, 4);
			break;
		case ARROW_CONV_TEXT:
		case ARROW_CONV_NAME:
		case ARROW_CONV_OUTPUT:
			*type_type = ARROW_TYPE_UTF8;
			break;
		case ARROW_CONV_BYTEA:
			*type_type = ARROW_TYPE_BINARY;
			break;
		case ARROW_CONV_DATE:
			*type_type = ARROW_TYPE_DATE;
			shmcache_fb_field_int(b, 0, ARROW_DATE_DAY, 2);
			break;
		case ARROW_CONV_TIME:
			*type_type = ARROW_TYPE_TIME;
			shmcache_fb_field_int(b, 1, 64, 4);
			shmcache_fb_field_int(b, 0, ARROW_TIME_MICROSECOND, 2);
			break;
		case ARROW_CONV_TIMESTAMP:
		case ARROW_CONV_TIMESTAMPTZ:
			*type_type = ARROW_TYPE_TIMESTAMP;
			if (tz != 0)
				shmcache_fb_field_offset(b, 1, tz);
			shmcache_fb_field_int(b, 0, ARROW_TIME_MICROSECOND, 2);
			break;
		case ARROW_CONV_INTERVAL:
			*type_type = ARROW_TYPE_INTERVAL;
			shmcache_fb_field_int(b, 0, ARROW_INTERVAL_MONTH_DAY_NANO, 2);
			break;
		case ARROW_CONV_UUID:
			*type_type = ARROW_TYPE_FIXED_BINARY;
			shmcache_fb_field_int(b, 0, UUID_LEN, 4);
			break;
		case ARROW_CONV_ARRAY:
			*type_type = ARROW_TYPE_LIST;
			break;
	}
	return shmcache_fb_table_end(b);
}

/* A KeyValue table. */
static uint32
build_key_value(FlatBuilder *b, const char *key, const char *value)
{
	uint32		k = shmcache_fb_string(b, key);
	uint32		v = shmcache_fb_string(b, value);

	shmcache_fb_table_begin(b);
	shmcache_fb_field_offset(b, 0, k);
	shmcache_fb_field_offset(b, 1, v);
	return shmcache_fb_table_end(b);
}

/* The Field table of "col". */
static uint32
build_field(FlatBuilder *b, const ShmcacheArrowColumn *col)
{
	uint32		children[1];
	uint32		nchildren = 0;
	uint32		children_vec;
	uint32		name;
	uint32		type;
	uint8		type_type = 0;
	uint32		dictionary = 0;
	uint32		metadata = 0;

	if (col->child)
		children[nchildren++] = build_field(b, col->child);
	children_vec = shmcache_fb_offset_vector(b, children, nchildren);
	if (col->conv == ARROW_CONV_UUID)
	{
		uint32		kv[2];

		kv[0] = build_key_value(b, "ARROW:extension:name", "arrow.uuid");
		kv[1] = build_key_value(b, "ARROW:extension:metadata", "");
		metadata = shmcache_fb_offset_vector(b, kv, 2);
	}
	if (col->dictionary)
	{
		uint32		index_type;

		shmcache_fb_table_begin(b);
		shmcache_fb_field_int(b, 0, 16, 4);
		shmcache_fb_field_int(b, 1, true, 1);
		index_type = shmcache_fb_table_end(b);
		shmcache_fb_table_begin(b);
		shmcache_fb_field_int(b, 0, col->dict_id, 8);
		shmcache_fb_field_offset(b, 1, index_type);
		shmcache_fb_field_int(b, 2, false, 1);
		dictionary = shmcache_fb_table_end(b);
	}
	type = build_type(b, col, &type_type);
	name = shmcache_fb_string(b, col->name);

	shmcache_fb_table_begin(b);
	shmcache_fb_field_offset(b, 0, name);
	shmcache_fb_field_offset(b, 3, type);
	if (dictionary)
		shmcache_fb_field_offset(b, 4, dictionary);
	shmcache_fb_field_offset(b, 5, children_vec);
	if (metadata)
		shmcache_fb_field_offset(b, 6, metadata);
	shmcache_fb_field_int(b, 1, true, 1);
	shmcache_fb_field_int(b, 2, type_type, 1);
	return shmcache_fb_table_end(b);
}

/*
 * shmcache_arrow_write_schema
 *		Write the stream's first message, its schema.
 */
void
shmcache_arrow_write_schema(ShmcacheArrowWriter *w)
{
	MemoryContext old = MemoryContextSwitchTo(w->batch_context);
	FlatBuilder b;
	uint32	   *fields = palloc(sizeof(uint32) * Max(w->ncolumns, 1));
	uint32		fields_vec;
	uint32		features = 0;
	uint32		schema;
	bool		any_dictionary = false;
	int			i;

	shmcache_fb_init(&b);
	for (i = 0; i < w->ncolumns; i++)
	{
		fields[i] = build_field(&b, w->columns[i]);
		any_dictionary |= w->columns[i]->dictionary;
	}
	fields_vec = shmcache_fb_offset_vector(&b, fields, w->ncolumns);
	if (any_dictionary)
	{
		int64		feature = ARROW_FEATURE_DICTIONARY_REPLACEMENT;

		features = shmcache_fb_struct_vector(&b, &feature, 1, 8, 8);
	}
	shmcache_fb_table_begin(&b);
	shmcache_fb_field_offset(&b, 1, fields_vec);
	if (features)
		shmcache_fb_field_offset(&b, 3, features);
	shmcache_fb_field_int(&b, 0, 0, 2);	/* little endian */
	schema = shmcache_fb_table_end(&b);
	out_message(w, &b, build_message(&b, ARROW_HEADER_SCHEMA, schema, 0));
	MemoryContextSwitchTo(old);
	MemoryContextReset(w->batch_context);
}

/*
 * shmcache_arrow_write_end
 *		Write the batch being built, the end-of-stream marker, and flush.
 */
void
shmcache_arrow_write_end(ShmcacheArrowWriter *w)
{
	uint32		eos[2] = {0xFFFFFFFF, 0};

	shmcache_arrow_write_batch(w);
	out_write(w, (const char *) eos, 8);
	out_flush(w);
}
