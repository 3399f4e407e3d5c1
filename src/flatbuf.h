/*-------------------------------------------------------------------------
 *
 * flatbuf.h
 *	  A small flatbuffer builder, back to front, for the metadata of Arrow
 *	  IPC messages (arrow.c).  See flatbuf.c.
 *
 * Layer: format, below arrow.c.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/flatbuf.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_FLATBUF_H
#define SHMCACHE_FLATBUF_H

#define FB_MAX_FIELDS		8

/* A flatbuffer being built: bytes are written from the end towards the front. */
typedef struct FlatBuilder
{
	char	   *buf;			/* bytes live in buf[head .. cap) */
	Size		cap;
	Size		head;
	Size		minalign;		/* largest alignment used */
	uint32		field_pos[FB_MAX_FIELDS];	/* of the open table, or 0 */
	int			nfields;
	uint32		table_start;
} FlatBuilder;

extern void shmcache_fb_init(FlatBuilder *b);
extern uint32 shmcache_fb_string(FlatBuilder *b, const char *s);
extern uint32 shmcache_fb_struct_vector(FlatBuilder *b, const void *elems, uint32 n, Size size, Size align);
extern uint32 shmcache_fb_offset_vector(FlatBuilder *b, const uint32 *targets, uint32 n);
extern void shmcache_fb_table_begin(FlatBuilder *b);
extern void shmcache_fb_field_int(FlatBuilder *b, int id, int64 v, int width);
extern void shmcache_fb_field_offset(FlatBuilder *b, int id, uint32 target);
extern uint32 shmcache_fb_table_end(FlatBuilder *b);
extern Size shmcache_fb_finish(FlatBuilder *b, uint32 root);

#endif							/* SHMCACHE_FLATBUF_H */
