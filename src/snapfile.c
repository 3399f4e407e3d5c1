/*-------------------------------------------------------------------------
 *
 * snapfile.c
 *	  The file format of frame snapshots: a version's published rows written
 *	  to a file, and a file read back and checked, row by row.
 *
 * It knows versions (read through the version/chunk API of storage.c:
 * shmcache_version_chunk + shmcache_fetch_value) and open files, and
 * nothing of the shared snapshot table, of transactions or of the catalog.
 * snapsave.c decides which file is written and where, and what becomes of
 * the rows read.
 *
 * A file is written column-wise, in blocks of SNAP_BLOCK_ROWS rows, in a
 * format of its own that does not depend on how storage.c lays out chunks
 * in shared memory:
 *
 *	 header		SnapFileHeader: magic, format version, PostgreSQL major
 *				version, database, frame id, view, number of columns, rows,
 *				time of the save; then one SnapFileColumn per column (type,
 *				typmod, typlen, typbyval, typalign, NOT NULL)
 *	 blocks		SnapBlockHeader (rows, bytes of the block), then per column:
 *				a flag byte (1 = a null bitmap follows), the bitmap, and the
 *				non-null values: fixed-width values raw (typlen bytes each),
 *				variable-width values as a uint32 length and the varlena's
 *				bytes as stored (short header when it fits and the
 *				type's storage is not plain; see storage.c)
 *	 trailer	SnapFileTrailer: end magic, the row count again, and the
 *				CRC-32C of every byte before the CRC
 *
 * Type OIDs are stable within a cluster and a snapshot is part of the data
 * directory (like pg_prewarm's autoprewarm.blocks), so binary values are
 * safe to keep.
 *
 * Every byte read is checked before it is used: a damaged or truncated file
 * raises ERRCODE_DATA_CORRUPTED, a file whose columns are not the frame's
 * ERRCODE_DATATYPE_MISMATCH.  The trailer and the checksum can only be
 * checked at the end, so rows handed out by shmcache_snapfile_read_rows()
 * must not be published before it has returned.
 *
 * Locking: none.  The writer reads the published rows of a version its
 * caller has pinned; neither readers nor the frame's writer wait for it.
 * Files are the caller's.
 *
 * Layer: persistence, beside the stack; its bottom, the file format, over
 * storage (storage.c).
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/snapfile.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/htup_details.h"
#include "access/tupmacs.h"
#include "miscadmin.h"
#include "port/pg_crc32c.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "shmcache.h"
#include "snapfile.h"

#define SNAP_MAGIC				"SHMCSNAP"
#define SNAP_END_MAGIC			"SHMC_END"
#define SNAP_FORMAT_VERSION		1
#define SNAP_BLOCK_ROWS			16384
#define SNAP_IO_BUFFER			(1024 * 1024)

/* Start of a snapshot file. */
typedef struct SnapFileHeader
{
	char		magic[8];		/* SNAP_MAGIC */
	uint32		format_version; /* SNAP_FORMAT_VERSION */
	uint32		pg_major;		/* PG_VERSION_NUM / 100 of the writer */
	Oid			dbid;			/* database of the frame */
	uint32		natts;			/* columns; SnapFileColumns follow */
	int64		frame_id;		/* frame_catalog.frame_id */
	Oid			viewoid;		/* the frame's view when saved */
	uint32		block_rows;		/* rows per block (the last may be short) */
	uint64		nrows;			/* rows in the file */
	TimestampTz saved_at;		/* when the frame was read */
} SnapFileHeader;

/* One column of a frame, as saved. */
typedef struct SnapFileColumn
{
	Oid			typid;
	int32		typmod;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	bool		notnull;
	char		pad[3];
} SnapFileColumn;

/* Start of a block of rows. */
typedef struct SnapBlockHeader
{
	uint32		nrows;			/* rows in the block */
	uint32		pad;
	uint64		bytes;			/* bytes of column data that follow */
} SnapBlockHeader;

/* End of a snapshot file; the CRC covers everything before "crc". */
typedef struct SnapFileTrailer
{
	char		magic[8];		/* SNAP_END_MAGIC */
	uint64		nrows;			/* rows in the file, again */
	pg_crc32c	crc;			/* CRC-32C of the file up to here */
	uint32		pad;
} SnapFileTrailer;

/* Aligned room for a by-value datum of any typlen (1, 2, 4 or 8 bytes). */
typedef union ByvalBytes
{
	char		c;
	int16		i16;
	int32		i32;
	Datum		datum;
} ByvalBytes;

#define SNAP_TRAILER_CRC_OFFSET offsetof(SnapFileTrailer, crc)

/* ----------------------------------------------------------------------
 * Writing
 * ----------------------------------------------------------------------
 */

/* A snapshot file being written, with its running checksum. */
typedef struct SnapWriter
{
	int			fd;				/* the open file */
	const char *path;			/* its name, for errors */
	const char *replaces;		/* the snapshot it is to replace, for errors */
	char	   *buf;			/* output buffer */
	Size		used;			/* bytes of buf in use */
	pg_crc32c	crc;			/* CRC of everything flushed so far */
	uint64		written;		/* bytes written to the file */
} SnapWriter;

/* Write "len" bytes at the end of the file. */
static void
sw_write_raw(SnapWriter *w, const char *p, Size len)
{
	while (len > 0)
	{
		ssize_t		n;

		errno = 0;
		n = write(w->fd, p, len);
		if (n <= 0)
		{
			/* A short write without an error means the disk is full. */
			if (errno == 0)
				errno = ENOSPC;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not write file \"%s\": %m", w->path),
					 errdetail("The previous snapshot \"%s\", if any, is left as it was.",
							   w->replaces)));
		}
		p += n;
		len -= n;
		w->written += n;
	}
}

/* Write out the buffer, adding it to the checksum. */
static void
sw_flush(SnapWriter *w)
{
	COMP_CRC32C(w->crc, w->buf, w->used);
	sw_write_raw(w, w->buf, w->used);
	w->used = 0;
}

/* Append "len" bytes to the file. */
static void
sw_write(SnapWriter *w, const void *data, Size len)
{
	const char *p = data;

	while (len > 0)
	{
		Size		n = Min(len, SNAP_IO_BUFFER - w->used);

		memcpy(w->buf + w->used, p, n);
		w->used += n;
		p += n;
		len -= n;
		if (w->used == SNAP_IO_BUFFER)
			sw_flush(w);
	}
}

/* A growable buffer for one block, in the given context. */
typedef struct BlockBuf
{
	char	   *data;
	Size		len;
	Size		cap;
} BlockBuf;

static void
bb_append(BlockBuf *b, const void *data, Size len)
{
	if (b->len + len > b->cap)
	{
		Size		newcap = Max(b->cap * 2, b->len + len);

		b->data = repalloc_huge(b->data, newcap);
		b->cap = newcap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

/*
 * Append rows rows[0 .. n-1] of column "col" of "version" to a block: flag
 * byte, null bitmap if any value is null, then the non-null values.
 */
static void
encode_column(BlockBuf *b, ShmcacheVersion *version, int col, const uint64 *rows,
			  uint32 n)
{
	const ShmcacheColumn *c = &version->cols[col];
	uint8		bitmap[SNAP_BLOCK_ROWS / 8];
	uint8		flag = 0;
	Size		flag_pos = b->len;
	const char *chunk = NULL;
	uint64		chunkno = PG_UINT64_MAX;
	uint32		i;

	memset(bitmap, 0, (n + 7) / 8);
	bb_append(b, &flag, 1);
	for (i = 0; i < n; i++)
	{
		uint64		row = rows[i];
		bool		isnull;
		Datum		value;

		if ((row >> SHMCACHE_CHUNK_SHIFT) != chunkno)
		{
			chunkno = row >> SHMCACHE_CHUNK_SHIFT;
			chunk = shmcache_version_chunk(version, chunkno);
		}
		value = shmcache_fetch_value(c, chunk, (uint32) (row & SHMCACHE_CHUNK_MASK),
									 &isnull);
		if (isnull)
		{
			bitmap[i >> 3] |= (1 << (i & 7));
			flag = 1;
			continue;
		}
		if (c->typlen < 0)
		{
			uint32		len = VARSIZE_ANY(DatumGetPointer(value));

			bb_append(b, &len, sizeof(len));
			bb_append(b, DatumGetPointer(value), len);
		}
		else if (!c->typbyval)
			bb_append(b, DatumGetPointer(value), c->typlen);
		else
		{
			/* A by-value datum, stored in its typlen bytes. */
			ByvalBytes	bytes;

			store_att_byval(&bytes, value, c->typlen);
			bb_append(b, &bytes, c->typlen);
		}
	}
	if (flag)
	{
		/* Put the flag and the bitmap in front of the values. */
		Size		bitmap_len = (n + 7) / 8;
		Size		values_len = b->len - flag_pos - 1;

		bb_append(b, bitmap, bitmap_len);	/* make room */
		memmove(b->data + flag_pos + 1 + bitmap_len, b->data + flag_pos + 1,
				values_len);
		memcpy(b->data + flag_pos + 1, bitmap, bitmap_len);
		b->data[flag_pos] = 1;
	}
}

/* Sleep shmcache.debug_io_delay ms (tests use it to make saves slow). */
static void
debug_delay(void)
{
	if (shmcache_debug_io_delay > 0)
	{
		pg_usleep(shmcache_debug_io_delay * 1000L);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * shmcache_snapfile_write
 *		Write the first info->nrows rows of "version" to "fd", an empty file
 *		open for writing named "path": header, blocks, trailer and checksum.
 *		The rows must be published and the version pinned by the caller.
 *		"replaces" is the snapshot this file is to replace, named in errors.
 *		Raises an error on any write failure; neither syncs nor closes the
 *		file.  Returns the number of bytes written.
 */
uint64
shmcache_snapfile_write(int fd, const char *path, const char *replaces,
						ShmcacheVersion *version, const ShmcacheSnapFileInfo *info)
{
	SnapWriter	writer;
	SnapWriter *w = &writer;
	uint64		nrows = info->nrows;
	SnapFileHeader header;
	SnapFileTrailer trailer;
	MemoryContext blockcxt;
	MemoryContext oldcxt;
	uint64	   *rows = palloc(sizeof(uint64) * SNAP_BLOCK_ROWS);
	uint64		next = 0;
	uint64		done;
	int			i;

	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->path = path;
	w->replaces = replaces;
	w->buf = palloc(SNAP_IO_BUFFER);
	INIT_CRC32C(w->crc);

	memset(&header, 0, sizeof(header));
	memcpy(header.magic, SNAP_MAGIC, 8);
	header.format_version = SNAP_FORMAT_VERSION;
	header.pg_major = PG_VERSION_NUM / 100;
	header.dbid = info->dbid;
	header.frame_id = info->frame_id;
	header.viewoid = info->viewoid;
	header.natts = version->natts;
	header.block_rows = SNAP_BLOCK_ROWS;
	header.nrows = nrows;
	header.saved_at = info->saved_at;
	sw_write(w, &header, sizeof(header));
	for (i = 0; i < version->natts; i++)
	{
		SnapFileColumn col;

		memset(&col, 0, sizeof(col));
		col.typid = version->cols[i].typid;
		col.typmod = version->cols[i].typmod;
		col.typlen = version->cols[i].typlen;
		col.typbyval = version->cols[i].typbyval;
		col.typalign = version->cols[i].typalign;
		col.notnull = version->cols[i].notnull;
		sw_write(w, &col, sizeof(col));
	}

	blockcxt = AllocSetContextCreate(CurrentMemoryContext, "shmcache save",
									 ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(blockcxt);
	done = 0;
	while (done < nrows)
	{
		uint32		n = 0;
		SnapBlockHeader bh;
		BlockBuf	b;

		CHECK_FOR_INTERRUPTS();
		/* the next live rows */
		while (n < SNAP_BLOCK_ROWS && next < info->stored_rows)
		{
			if (!shmcache_row_dead(shmcache_version_chunk(version, next >> SHMCACHE_CHUNK_SHIFT),
								   (uint32) (next & SHMCACHE_CHUNK_MASK), info->dseq, 0))
				rows[n++] = next;
			next++;
		}
		if (n != Min((uint64) SNAP_BLOCK_ROWS, nrows - done))
			elog(ERROR, "frame changed while it was saved");
		b.cap = 64 * 1024;
		b.len = 0;
		b.data = palloc(b.cap);
		for (i = 0; i < version->natts; i++)
			encode_column(&b, version, i, rows, n);
		memset(&bh, 0, sizeof(bh));
		bh.nrows = n;
		bh.bytes = b.len;
		sw_write(w, &bh, sizeof(bh));
		sw_write(w, b.data, b.len);
		MemoryContextReset(blockcxt);
		debug_delay();
		done += n;
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(blockcxt);
	pfree(rows);

	memset(&trailer, 0, sizeof(trailer));
	memcpy(trailer.magic, SNAP_END_MAGIC, 8);
	trailer.nrows = nrows;
	sw_write(w, &trailer, SNAP_TRAILER_CRC_OFFSET);
	sw_flush(w);
	FIN_CRC32C(w->crc);
	trailer.crc = w->crc;
	/* The CRC is not part of what it covers: written past the checksum. */
	sw_write_raw(w, (const char *) &trailer + SNAP_TRAILER_CRC_OFFSET,
				 sizeof(trailer) - SNAP_TRAILER_CRC_OFFSET);
	pfree(w->buf);
	return w->written;
}

/* ----------------------------------------------------------------------
 * Reading
 * ----------------------------------------------------------------------
 */

/* A snapshot file being read, with its running checksum. */
struct ShmcacheSnapFileReader
{
	int			fd;
	char	   *path;
	off_t		size;			/* size of the file */
	off_t		pos;			/* bytes consumed */
	char	   *buf;
	Size		buf_len;		/* bytes in buf */
	Size		buf_pos;		/* next byte of buf */
	pg_crc32c	crc;			/* CRC of every byte consumed */
	SnapFileHeader header;		/* the file's header */
	SnapFileColumn *cols;		/* its columns, once read */
};

static void corrupt(const ShmcacheSnapFileReader *r, const char *detail) pg_attribute_noreturn();

/* Raise the error of a damaged file. */
static void
corrupt(const ShmcacheSnapFileReader *r, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("shmcache snapshot file \"%s\" is damaged", r->path),
			 errdetail_internal("%s", detail)));
}

/* Read exactly "len" bytes, adding them to the checksum. */
static void
sr_read(ShmcacheSnapFileReader *r, void *dest, Size len)
{
	char	   *d = dest;

	if ((uint64) len > (uint64) (r->size - r->pos))
		corrupt(r, "The file is truncated.");
	while (len > 0)
	{
		Size		n;

		if (r->buf_pos == r->buf_len)
		{
			ssize_t		got = read(r->fd, r->buf, SNAP_IO_BUFFER);

			if (got < 0)
				ereport(ERROR,
						(errcode_for_file_access(),
						 errmsg("could not read file \"%s\": %m", r->path)));
			if (got == 0)
				corrupt(r, "The file is truncated.");
			r->buf_len = got;
			r->buf_pos = 0;
		}
		n = Min(len, r->buf_len - r->buf_pos);
		memcpy(d, r->buf + r->buf_pos, n);
		COMP_CRC32C(r->crc, d, n);
		r->buf_pos += n;
		r->pos += n;
		d += n;
		len -= n;
	}
}

/*
 * shmcache_snapfile_check_columns
 *		Check that the columns of the file, read by
 *		shmcache_snapfile_read_columns(), are those of the frame: the view's
 *		current definition "tupdesc", as laid out in the frame's "version".
 */
void
shmcache_snapfile_check_columns(ShmcacheSnapFileReader *r,
								ShmcacheVersion *version, TupleDesc tupdesc)
{
	const SnapFileColumn *cols = r->cols;
	int			natts = (int) r->header.natts;
	int			i;

	if (natts != version->natts || natts != tupdesc->natts)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("shmcache snapshot file \"%s\" does not match its frame", r->path),
				 errdetail("The snapshot has %d columns, the frame has %d.",
						   natts, tupdesc->natts)));
	for (i = 0; i < natts; i++)
	{
		const SnapFileColumn *a = &cols[i];
		const ShmcacheColumn *b = &version->cols[i];

		if (a->typid != b->typid || a->typmod != b->typmod ||
			a->typlen != b->typlen || a->typbyval != b->typbyval ||
			a->typalign != b->typalign || a->notnull != b->notnull ||
			TupleDescAttr(tupdesc, i)->atttypid != a->typid)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("shmcache snapshot file \"%s\" does not match its frame", r->path),
					 errdetail("Column %d is %s%s in the snapshot and %s%s in the frame.",
							   i + 1,
							   format_type_extended(a->typid, a->typmod,
													FORMAT_TYPE_TYPEMOD_GIVEN |
													FORMAT_TYPE_ALLOW_INVALID),
							   a->notnull ? " NOT NULL" : "",
							   format_type_extended(b->typid, b->typmod,
													FORMAT_TYPE_TYPEMOD_GIVEN |
													FORMAT_TYPE_ALLOW_INVALID),
							   b->notnull ? " NOT NULL" : "")));
	}
}

/* A column's cursor in a block being decoded. */
typedef struct ColCursor
{
	const uint8 *nulls;			/* null bitmap, or NULL */
	const char *p;				/* next value */
	const char *end;			/* end of the block */
} ColCursor;

/*
 * Find where each column's data starts in a block of "n" rows (the values
 * of variable-width columns have to be walked to find their end).
 */
static void
block_columns(const ShmcacheSnapFileReader *r, const SnapFileColumn *cols,
			  int natts, const char *data, Size bytes, uint32 n, ColCursor *cur)
{
	const char *p = data;
	const char *end = data + bytes;
	int			i;

	for (i = 0; i < natts; i++)
	{
		uint32		nonnull = n;
		uint32		k;

		if (p >= end)
			corrupt(r, "A block is shorter than its columns.");
		cur[i].nulls = NULL;
		if (*p == 1)
		{
			Size		bitmap_len = (n + 7) / 8;

			if (cols[i].notnull || (Size) (end - p) < 1 + bitmap_len)
				corrupt(r, "A null bitmap is invalid.");
			cur[i].nulls = (const uint8 *) p + 1;
			for (k = 0; k < n; k++)
				if (cur[i].nulls[k >> 3] & (1 << (k & 7)))
					nonnull--;
			p += 1 + bitmap_len;
		}
		else if (*p != 0)
			corrupt(r, "A column flag is invalid.");
		else
			p++;
		cur[i].p = p;
		cur[i].end = end;
		if (cols[i].typlen > 0)
		{
			Size		len = (Size) nonnull * (cols[i].typbyval && cols[i].typlen > 4 ?
											   sizeof(Datum) : (Size) cols[i].typlen);

			if ((Size) (end - p) < len)
				corrupt(r, "A column is shorter than its values.");
			p += len;
		}
		else
		{
			for (k = 0; k < nonnull; k++)
			{
				uint32		len;

				if (end - p < (ssize_t) sizeof(uint32))
					corrupt(r, "A column is shorter than its values.");
				memcpy(&len, p, sizeof(uint32));
				if (len < 1 || (Size) (end - p) - sizeof(uint32) < len)
					corrupt(r, "A value is longer than its column.");
				p += sizeof(uint32) + len;
			}
		}
	}
	if (p != end)
		corrupt(r, "A block is longer than its columns.");
}

/*
 * The next value of a column, as a Datum for shmcache_append_row.  Varlenas
 * are checked to be plain (not external or compressed) and of their stated
 * length; those with a 4-byte header are copied to aligned memory.  A short
 * header is passed on as it is: shmcache_append_row widens it to a 4-byte one
 * if the column's type has plain storage (files written before storage.c
 * followed typstorage hold such values).
 */
static Datum
next_value(const ShmcacheSnapFileReader *r, const SnapFileColumn *col,
		   ColCursor *cur)
{
	Datum		d;

	if (col->typlen < 0)
	{
		uint32		len;
		const char *v;

		memcpy(&len, cur->p, sizeof(uint32));
		v = cur->p + sizeof(uint32);
		cur->p = v + len;
		if (VARATT_IS_1B(v))
		{
			if (VARATT_IS_1B_E(v) || VARSIZE_1B(v) != len)
				corrupt(r, "A variable-width value has an invalid header.");
			return PointerGetDatum(v);
		}
		else
		{
			char	   *copy;

			if (len < VARHDRSZ)
				corrupt(r, "A variable-width value has an invalid header.");
			copy = palloc(len);
			memcpy(copy, v, len);
			if (!VARATT_IS_4B_U(copy) || VARSIZE_4B(copy) != len)
				corrupt(r, "A variable-width value has an invalid header.");
			return PointerGetDatum(copy);
		}
	}
	if (!col->typbyval)
	{
		d = PointerGetDatum(cur->p);
		cur->p += col->typlen;
		return d;
	}
	/* A by-value datum: its typlen bytes, copied out of the file buffer. */
	{
		ByvalBytes	bytes;

		memcpy(&bytes, cur->p, col->typlen);
		cur->p += col->typlen;
		d = fetch_att(&bytes, true, col->typlen);
		return d;
	}
}

/* What the header of a file says of its rows. */
static void
header_info(const SnapFileHeader *header, ShmcacheSnapFileInfo *info)
{
	info->dbid = header->dbid;
	info->frame_id = header->frame_id;
	info->viewoid = header->viewoid;
	info->nrows = header->nrows;
	info->saved_at = header->saved_at;
}

/*
 * shmcache_snapfile_peek
 *		Read the header of snapshot file "path" into *info; false if it
 *		cannot be read or is not a snapshot.  Nothing else is checked.
 *		Raises no error (runs in the postmaster).
 */
bool
shmcache_snapfile_peek(const char *path, ShmcacheSnapFileInfo *info)
{
	SnapFileHeader header;
	int			fd = open(path, O_RDONLY | PG_BINARY, 0);
	bool		ok;

	if (fd < 0)
		return false;
	ok = read(fd, &header, sizeof(SnapFileHeader)) == sizeof(SnapFileHeader) &&
		memcmp(header.magic, SNAP_MAGIC, 8) == 0;
	close(fd);
	if (ok)
		header_info(&header, info);
	return ok;
}

/*
 * shmcache_snapfile_read_begin
 *		Open snapshot file "path" and read its header into *info, checking
 *		that it is a snapshot in the format of this server.  Whether the
 *		file belongs to the frame it is read for is the caller's to check;
 *		then come shmcache_snapfile_read_columns(),
 *		shmcache_snapfile_check_columns() and shmcache_snapfile_read_rows().
 *		The file is a transient file of the current transaction: an error
 *		closes it.
 */
ShmcacheSnapFileReader *
shmcache_snapfile_read_begin(const char *path, ShmcacheSnapFileInfo *info)
{
	ShmcacheSnapFileReader *r = palloc0(sizeof(ShmcacheSnapFileReader));
	SnapFileHeader *header = &r->header;
	struct stat st;

	r->path = pstrdup(path);
	r->fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	if (r->fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open file \"%s\": %m", path)));
	if (fstat(r->fd, &st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat file \"%s\": %m", path)));
	r->size = st.st_size;
	r->buf = palloc(SNAP_IO_BUFFER);
	INIT_CRC32C(r->crc);

	if (r->size < (off_t) sizeof(SnapFileHeader))
		corrupt(r, "The file is truncated.");
	sr_read(r, header, sizeof(SnapFileHeader));
	if (memcmp(header->magic, SNAP_MAGIC, 8) != 0)
		corrupt(r, "The file is not a shmcache snapshot.");
	if (header->format_version != SNAP_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("shmcache snapshot file \"%s\" has an unsupported format", path),
				 errdetail("The file has format version %u; this server reads version %u.",
						   header->format_version, SNAP_FORMAT_VERSION)));
	if (header->pg_major != PG_VERSION_NUM / 100)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("shmcache snapshot file \"%s\" has an unsupported format", path),
				 errdetail("The file was written by PostgreSQL major version %u; this is %d.",
						   header->pg_major / 100, PG_VERSION_NUM / 10000)));
	header_info(header, info);
	return r;
}

/*
 * shmcache_snapfile_read_columns
 *		Read the column definitions that follow the header, checking the
 *		header's layout fields first.
 */
void
shmcache_snapfile_read_columns(ShmcacheSnapFileReader *r)
{
	if (r->header.natts == 0 || r->header.natts > MaxTupleAttributeNumber ||
		r->header.block_rows != SNAP_BLOCK_ROWS)
		corrupt(r, "The header is invalid.");
	r->cols = palloc(sizeof(SnapFileColumn) * r->header.natts);
	sr_read(r, r->cols, sizeof(SnapFileColumn) * r->header.natts);
}

/*
 * shmcache_snapfile_read_rows
 *		Read every block of the file, decoding each row and handing it to
 *		"row_func" (in a memory context reset after each block), then check
 *		the trailer, the checksum and that nothing follows, and close the
 *		file.  The columns must have been checked against the frame.  Only
 *		when this returns is the file known to be complete and intact.
 *		Returns the number of rows read; "r" is freed.
 */
uint64
shmcache_snapfile_read_rows(ShmcacheSnapFileReader *r,
							ShmcacheSnapFileRowFunc row_func, void *arg)
{
	const SnapFileHeader *header = &r->header;
	SnapFileTrailer trailer;
	MemoryContext blockcxt;
	MemoryContext oldcxt;
	Datum	   *values;
	bool	   *nulls;
	ColCursor  *cur;
	uint64		rows = 0;
	pg_crc32c	crc;

	values = palloc(sizeof(Datum) * header->natts);
	nulls = palloc(sizeof(bool) * header->natts);
	cur = palloc(sizeof(ColCursor) * header->natts);
	blockcxt = AllocSetContextCreate(CurrentMemoryContext, "shmcache restore",
									 ALLOCSET_DEFAULT_SIZES);
	while (rows < header->nrows)
	{
		SnapBlockHeader bh;
		char	   *data;
		uint32		i;

		CHECK_FOR_INTERRUPTS();
		oldcxt = MemoryContextSwitchTo(blockcxt);
		sr_read(r, &bh, sizeof(bh));
		if (bh.nrows == 0 || bh.nrows > SNAP_BLOCK_ROWS ||
			bh.nrows > header->nrows - rows)
			corrupt(r, "A block header is invalid.");
		if (bh.bytes > (uint64) (r->size - r->pos))
			corrupt(r, "The file is truncated.");
		data = palloc_extended(bh.bytes, MCXT_ALLOC_HUGE);
		sr_read(r, data, bh.bytes);
		block_columns(r, r->cols, header->natts, data, bh.bytes, bh.nrows, cur);
		for (i = 0; i < bh.nrows; i++)
		{
			uint32		c;

			for (c = 0; c < header->natts; c++)
			{
				nulls[c] = cur[c].nulls != NULL &&
					(cur[c].nulls[i >> 3] & (1 << (i & 7))) != 0;
				values[c] = nulls[c] ? (Datum) 0 : next_value(r, &r->cols[c], &cur[c]);
			}
			row_func(values, nulls, arg);
		}
		rows += bh.nrows;
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(blockcxt);
		debug_delay();
	}
	MemoryContextDelete(blockcxt);

	/* Trailer and checksum: only a complete, intact file is published. */
	sr_read(r, &trailer, SNAP_TRAILER_CRC_OFFSET);
	crc = r->crc;
	FIN_CRC32C(crc);
	if (memcmp(trailer.magic, SNAP_END_MAGIC, 8) != 0 ||
		trailer.nrows != header->nrows)
		corrupt(r, "The end of the file is invalid.");
	sr_read(r, &trailer.crc, sizeof(trailer) - SNAP_TRAILER_CRC_OFFSET);
	if (!EQ_CRC32C(trailer.crc, crc))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("shmcache snapshot file \"%s\" is damaged", r->path),
				 errdetail("Checksum mismatch: the file says %08X, its contents give %08X.",
						   trailer.crc, crc)));
	if (r->pos != r->size)
		corrupt(r, "The file has bytes past its end.");

	CloseTransientFile(r->fd);
	pfree(r->buf);
	pfree(r->cols);
	pfree(r->path);
	pfree(r);
	return rows;
}
