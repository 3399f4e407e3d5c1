/*-------------------------------------------------------------------------
 *
 * flatbuf.c
 *	  A small flatbuffer builder for the metadata of Arrow IPC messages:
 *	  scalars, strings, vectors and tables written back to front, as the
 *	  flatbuffers format lays them out (vtables before their tables, offsets
 *	  relative to where they are stored).
 *
 * Layer: format, below arrow.c; it knows nothing of Arrow itself.
 *
 * Locking: none; all state is backend-local.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/flatbuf.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "flatbuf.h"

/* Position of the front, counted from the end of the buffer. */
#define fb_pos(b)	((uint32) ((b)->cap - (b)->head))

void
shmcache_fb_init(FlatBuilder *b)
{
	memset(b, 0, sizeof(*b));
	b->cap = 1024;
	b->buf = palloc(b->cap);
	b->head = b->cap;
	b->minalign = 1;
}

/* Make room for "n" more bytes in front. */
static void
fb_grow(FlatBuilder *b, Size n)
{
	Size		newcap;
	char	   *newbuf;

	if (b->head >= n)
		return;
	newcap = Max(b->cap * 2, b->cap + n);
	newbuf = palloc(newcap);
	memcpy(newbuf + newcap - fb_pos(b), b->buf + b->head, fb_pos(b));
	b->head = newcap - fb_pos(b);
	b->cap = newcap;
	pfree(b->buf);
	b->buf = newbuf;
}

static void
fb_put(FlatBuilder *b, const void *data, Size n)
{
	fb_grow(b, n);
	b->head -= n;
	memcpy(b->buf + b->head, data, n);
}

static void
fb_zero(FlatBuilder *b, Size n)
{
	fb_grow(b, n);
	b->head -= n;
	memset(b->buf + b->head, 0, n);
}

/*
 * Pad so that once "additional" more bytes are written the front is
 * aligned to "align" (a power of two).
 */
static void
fb_prep(FlatBuilder *b, Size align, Size additional)
{
	if (align > b->minalign)
		b->minalign = align;
	fb_zero(b, (~((Size) fb_pos(b) + additional) + 1) & (align - 1));
}

static void
fb_scalar(FlatBuilder *b, const void *data, Size n)
{
	fb_prep(b, n, 0);
	fb_put(b, data, n);
}

/* An offset to the object at position "target", relative to itself. */
static void
fb_uoffset(FlatBuilder *b, uint32 target)
{
	uint32		value;

	fb_prep(b, 4, 0);
	value = fb_pos(b) + 4 - target;
	fb_put(b, &value, 4);
}

uint32
shmcache_fb_string(FlatBuilder *b, const char *s)
{
	uint32		len = strlen(s);

	fb_prep(b, 4, len + 1);
	fb_zero(b, 1);
	fb_put(b, s, len);
	fb_put(b, &len, 4);
	return fb_pos(b);
}

/* A vector of "n" structs of "size" bytes, aligned to "align". */
uint32
shmcache_fb_struct_vector(FlatBuilder *b, const void *elems, uint32 n, Size size,
				 Size align)
{
	int64		i;

	fb_prep(b, 4, size * n);
	fb_prep(b, align, size * n);
	for (i = (int64) n - 1; i >= 0; i--)
		fb_put(b, (const char *) elems + i * size, size);
	fb_put(b, &n, 4);
	return fb_pos(b);
}

/* A vector of offsets to the objects at "targets". */
uint32
shmcache_fb_offset_vector(FlatBuilder *b, const uint32 *targets, uint32 n)
{
	int64		i;

	fb_prep(b, 4, 4 * n);
	for (i = (int64) n - 1; i >= 0; i--)
		fb_uoffset(b, targets[i]);
	fb_put(b, &n, 4);
	return fb_pos(b);
}

void
shmcache_fb_table_begin(FlatBuilder *b)
{
	memset(b->field_pos, 0, sizeof(b->field_pos));
	b->nfields = 0;
	b->table_start = fb_pos(b);
}

/* Field "id" of the open table is the scalar at "data" ("n" bytes). */
static void
fb_field_scalar(FlatBuilder *b, int id, const void *data, Size n)
{
	Assert(id < FB_MAX_FIELDS);
	fb_scalar(b, data, n);
	b->field_pos[id] = fb_pos(b);
	b->nfields = Max(b->nfields, id + 1);
}

/*
 * Field "id" of the open table is the integer "v", stored in "width" bytes
 * (1, 2, 4 or 8), little-endian as flatbuffers are.
 */
void
shmcache_fb_field_int(FlatBuilder *b, int id, int64 v, int width)
{
	uint8		bytes[sizeof(int64)];
	int			i;

	Assert(width == 1 || width == 2 || width == 4 || width == 8);
	for (i = 0; i < width; i++)
		bytes[i] = (uint8) ((uint64) v >> (8 * i));
	fb_field_scalar(b, id, bytes, width);
}

/* Field "id" of the open table refers to the object at "target". */
void
shmcache_fb_field_offset(FlatBuilder *b, int id, uint32 target)
{
	Assert(id < FB_MAX_FIELDS);
	fb_uoffset(b, target);
	b->field_pos[id] = fb_pos(b);
	b->nfields = Max(b->nfields, id + 1);
}

/*
 * End the open table: its soffset to the vtable, which is written just
 * before it.  Returns the table's position.
 */
uint32
shmcache_fb_table_end(FlatBuilder *b)
{
	int32		soffset = 0;
	uint32		table;
	uint16		entry;
	int			i;

	fb_scalar(b, &soffset, 4);
	table = fb_pos(b);
	for (i = b->nfields - 1; i >= 0; i--)
	{
		entry = b->field_pos[i] ? (uint16) (table - b->field_pos[i]) : 0;
		fb_put(b, &entry, 2);
	}
	entry = (uint16) (table - b->table_start);
	fb_put(b, &entry, 2);
	entry = (uint16) (2 * (b->nfields + 2));
	fb_put(b, &entry, 2);
	soffset = (int32) (fb_pos(b) - table);
	memcpy(b->buf + b->cap - table, &soffset, 4);
	return table;
}

/* Finish the buffer with its root table; returns its length. */
Size
shmcache_fb_finish(FlatBuilder *b, uint32 root)
{
	fb_prep(b, b->minalign, 4);
	fb_uoffset(b, root);
	return fb_pos(b);
}
