/*-------------------------------------------------------------------------
 *
 * input.h
 *	  Fast text-to-Datum conversion for the common column types of a load
 *	  (see input.c).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/input.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SHMCACHE_INPUT_H
#define SHMCACHE_INPUT_H

/*
 * How a column's text is converted: by one of the fast paths, or always by
 * the type's input function (SHMCACHE_INPUT_GENERIC).
 */
typedef enum ShmcacheInputKind
{
	SHMCACHE_INPUT_GENERIC = 0,
	SHMCACHE_INPUT_INT2,
	SHMCACHE_INPUT_INT4,
	SHMCACHE_INPUT_INT8,
	SHMCACHE_INPUT_FLOAT4,
	SHMCACHE_INPUT_FLOAT8,
	SHMCACHE_INPUT_TEXT,
	SHMCACHE_INPUT_DATE,
	SHMCACHE_INPUT_TIMESTAMP,
	SHMCACHE_INPUT_TIMESTAMPTZ
} ShmcacheInputKind;

extern ShmcacheInputKind shmcache_input_kind(Oid typid, int32 typmod);
extern bool shmcache_input_fast(ShmcacheInputKind kind, const char *str,
								Datum *result);

#endif							/* SHMCACHE_INPUT_H */
