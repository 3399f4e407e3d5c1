/*-------------------------------------------------------------------------
 *
 * input.c
 *	  Fast paths for turning the text of a loaded field into a Datum, for the
 *	  column types where PostgreSQL's input functions dominate the cost of a
 *	  load: int2/int4/int8, float4/float8, text/varchar, date, timestamp and
 *	  timestamptz.
 *
 * The rule: a fast path either returns exactly the Datum the type's input
 * function would return for the same string in the current session, or it
 * declines, and the caller runs the input function, which then also raises
 * the error, if any, with its own message.  So a fast path only accepts the
 * plain, unambiguous spellings it can convert with certainty and declines
 * everything else: surrounding white space, unusual signs or lengths,
 * special values (NaN, infinity, epoch, BC), out-of-range fields, values that
 * would need rounding beyond what is proven exact below.
 *
 *	 - Integers: an optional sign and up to 4 / 9 / 18 digits (int2 / int4 /
 *	   int8), which cannot overflow.
 *	 - Floating point: [sign] digits [. digits] [e [sign] digits] with at most
 *	   15 (float8) or 7 (float4) significant digits and a decimal exponent of
 *	   at most 22 (float8) or 10 (float4) in magnitude.  The mantissa and the
 *	   power of ten are then both exact in the binary type, and one IEEE
 *	   multiplication or division rounds correctly (Clinger's fast path), so
 *	   the result is the correctly rounded value strtod()/strtof() return,
 *	   which is what float8in()/float4in() return.  Only compiled where
 *	   floating-point arithmetic has no excess precision (FLT_EVAL_METHOD 0).
 *	 - text, and varchar without a length limit: the string as it is, as
 *	   textin() makes it (COPY has already verified its encoding).
 *	 - date: YYYY-MM-DD with a year from 1 to 9999, a valid month and day;
 *	   unambiguous in every DateStyle.
 *	 - timestamp / timestamptz without a precision: YYYY-MM-DD, optionally
 *	   followed by ' ' or 'T', HH:MM[:SS[.f]] with 1 to 6 fraction digits,
 *	   hours up to 23, seconds up to 59, then optionally a numeric zone
 *	   +HH, +HHMM or +HH:MM (sign + or -, hours up to 15).  The fields are
 *	   converted with PostgreSQL's own date2j() / tm2timestamp(), and a
 *	   missing zone of a timestamptz is resolved with DetermineTimeZoneOffset()
 *	   in the session's TimeZone, as DecodeDateTime() does.  timestamp
 *	   ignores a zone, as timestamp_in() does.
 *
 * Layer: SQL surface helper of load.c: text input of single values.
 *
 * Copyright (c) 2026, shmcache authors
 *
 * src/input.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "input.h"

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define SHMCACHE_FAST_FLOAT 1
#endif

#ifdef SHMCACHE_FAST_FLOAT
/* Powers of ten exactly representable in a double / a float. */
static const double float8_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};
static const float float4_pow10[] = {
	1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f
};
#endif

/* Is c an ASCII digit?  (isdigit() depends on the locale.) */
static inline bool
is_digit(char c)
{
	return (unsigned char) (c - '0') <= 9;
}

/*
 * Read exactly "n" digits at "s" into *value; false if any of them is not a
 * digit (this stops at the string's terminating NUL).
 */
static inline bool
fixed_digits(const char *s, int n, int *value)
{
	int			v = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*value = v;
	return true;
}

/*
 * An integer: optional '+' or '-', then 1 to "maxdigits" digits and nothing
 * else.  maxdigits is small enough for the type that no overflow can occur.
 */
static inline bool
parse_integer(const char *s, int maxdigits, int64 *result)
{
	bool		neg = false;
	int64		val = 0;
	int			ndigits = 0;

	if (*s == '-')
	{
		neg = true;
		s++;
	}
	else if (*s == '+')
		s++;
	for (; is_digit(*s); s++)
	{
		if (++ndigits > maxdigits)
			return false;
		val = val * 10 + (*s - '0');
	}
	if (ndigits == 0 || *s != '\0')
		return false;
	*result = neg ? -val : val;
	return true;
}

#ifdef SHMCACHE_FAST_FLOAT
/*
 * A decimal number [sign] digits [. digits] [e|E [sign] digits] with at most
 * "maxdigits" significant digits (leading zeros do not count), returned as
 * sign, integer mantissa and power of ten.  The exponent must be at most 3
 * digits; the caller checks its range.
 */
static bool
parse_decimal(const char *s, int maxdigits, bool *neg, uint64 *mantissa,
			  int *exp10)
{
	uint64		m = 0;
	int			ndigits = 0;
	int			nfrac = 0;
	bool		any = false;
	int			e = 0;

	*neg = false;
	if (*s == '-')
	{
		*neg = true;
		s++;
	}
	else if (*s == '+')
		s++;
	for (; is_digit(*s); s++)
	{
		any = true;
		if (m == 0 && *s == '0')
			continue;
		if (++ndigits > maxdigits)
			return false;
		m = m * 10 + (*s - '0');
	}
	if (*s == '.')
	{
		for (s++; is_digit(*s); s++)
		{
			any = true;
			nfrac++;
			if (m == 0 && *s == '0')
				continue;
			if (++ndigits > maxdigits)
				return false;
			m = m * 10 + (*s - '0');
		}
	}
	if (!any)
		return false;
	if (*s == 'e' || *s == 'E')
	{
		bool		eneg = false;
		int			nexp = 0;

		s++;
		if (*s == '-')
		{
			eneg = true;
			s++;
		}
		else if (*s == '+')
			s++;
		for (; is_digit(*s); s++)
		{
			if (++nexp > 3)
				return false;
			e = e * 10 + (*s - '0');
		}
		if (nexp == 0)
			return false;
		if (eneg)
			e = -e;
	}
	if (*s != '\0' || nfrac > 1000)
		return false;
	*mantissa = m;
	*exp10 = e - nfrac;
	return true;
}

/* float8: see the header comment (Clinger's fast path). */
static bool
fast_float8(const char *s, Datum *result)
{
	bool		neg;
	uint64		m;
	int			e;
	double		val;

	if (!parse_decimal(s, 15, &neg, &m, &e) || e < -22 || e > 22)
		return false;
	val = (double) m;
	if (e >= 0)
		val = val * float8_pow10[e];
	else
		val = val / float8_pow10[-e];
	*result = Float8GetDatum(neg ? -val : val);
	return true;
}

/* float4: the same in single precision (7 digits, 10^10). */
static bool
fast_float4(const char *s, Datum *result)
{
	bool		neg;
	uint64		m;
	int			e;
	float		val;

	if (!parse_decimal(s, 7, &neg, &m, &e) || e < -10 || e > 10)
		return false;
	val = (float) m;
	if (e >= 0)
		val = val * float4_pow10[e];
	else
		val = val / float4_pow10[-e];
	*result = Float4GetDatum(neg ? -val : val);
	return true;
}
#endif							/* SHMCACHE_FAST_FLOAT */

/*
 * YYYY-MM-DD at "s" with a year from 1 to 9999 and a valid month and day:
 * fills the date fields of *tm and returns the position after it, or NULL.
 */
static const char *
parse_iso_date(const char *s, struct pg_tm *tm)
{
	int			year,
				mon,
				mday;

	if (!fixed_digits(s, 4, &year) || s[4] != '-' ||
		!fixed_digits(s + 5, 2, &mon) || s[7] != '-' ||
		!fixed_digits(s + 8, 2, &mday))
		return NULL;
	if (year < 1 || mon < 1 || mon > MONTHS_PER_YEAR || mday < 1 ||
		mday > day_tab[isleap(year)][mon - 1])
		return NULL;
	tm->tm_year = year;
	tm->tm_mon = mon;
	tm->tm_mday = mday;
	return s + 10;
}

/*
 * A timestamp in the form described in the header comment.  Fills *tm and
 * *fsec; *has_tz tells whether a zone was given, and *tz is then its offset
 * in PostgreSQL's convention (seconds west of Greenwich).
 */
static bool
parse_iso_timestamp(const char *s, struct pg_tm *tm, fsec_t *fsec,
					bool *has_tz, int *tz)
{
	int			hour = 0,
				min = 0,
				sec = 0;

	memset(tm, 0, sizeof(*tm));
	*fsec = 0;
	*has_tz = false;
	s = parse_iso_date(s, tm);
	if (s == NULL)
		return false;
	if (*s == '\0')
		return true;
	if (*s != ' ' && *s != 'T')
		return false;
	s++;
	if (!fixed_digits(s, 2, &hour) || s[2] != ':' || !fixed_digits(s + 3, 2, &min))
		return false;
	s += 5;
	if (*s == ':')
	{
		if (!fixed_digits(s + 1, 2, &sec))
			return false;
		s += 3;
		if (*s == '.')
		{
			int			n = 0;
			int64		frac = 0;

			for (s++; is_digit(*s); s++)
			{
				if (++n > 6)
					return false;
				frac = frac * 10 + (*s - '0');
			}
			if (n == 0)
				return false;
			for (; n < 6; n++)
				frac *= 10;
			*fsec = frac;
		}
	}
	if (hour > 23 || min >= MINS_PER_HOUR || sec >= SECS_PER_MINUTE)
		return false;
	tm->tm_hour = hour;
	tm->tm_min = min;
	tm->tm_sec = sec;

	if (*s == '+' || *s == '-')
	{
		char		sign = *s++;
		int			zhour,
					zmin = 0;
		int			offset;

		if (!fixed_digits(s, 2, &zhour))
			return false;
		s += 2;
		if (*s == ':')
		{
			if (!fixed_digits(s + 1, 2, &zmin))
				return false;
			s += 3;
		}
		else if (is_digit(*s))
		{
			if (!fixed_digits(s, 2, &zmin))
				return false;
			s += 2;
		}
		if (zhour > MAX_TZDISP_HOUR || zmin >= MINS_PER_HOUR)
			return false;
		offset = (zhour * MINS_PER_HOUR + zmin) * SECS_PER_MINUTE;
		*tz = (sign == '-') ? offset : -offset;
		*has_tz = true;
	}
	return *s == '\0';
}

/*
 * shmcache_input_kind
 *		The fast path for a column of type "typid" with modifier "typmod", or
 *		SHMCACHE_INPUT_GENERIC.  Domains and types with a modifier that the
 *		input function would enforce always take the input function.
 */
ShmcacheInputKind
shmcache_input_kind(Oid typid, int32 typmod)
{
	switch (typid)
	{
		case INT2OID:
			return SHMCACHE_INPUT_INT2;
		case INT4OID:
			return SHMCACHE_INPUT_INT4;
		case INT8OID:
			return SHMCACHE_INPUT_INT8;
#ifdef SHMCACHE_FAST_FLOAT
		case FLOAT4OID:
			return SHMCACHE_INPUT_FLOAT4;
		case FLOAT8OID:
			return SHMCACHE_INPUT_FLOAT8;
#endif
		case TEXTOID:
			return SHMCACHE_INPUT_TEXT;
		case VARCHAROID:
			return typmod < 0 ? SHMCACHE_INPUT_TEXT : SHMCACHE_INPUT_GENERIC;
		case DATEOID:
			return SHMCACHE_INPUT_DATE;
		case TIMESTAMPOID:
			return typmod < 0 ? SHMCACHE_INPUT_TIMESTAMP : SHMCACHE_INPUT_GENERIC;
		case TIMESTAMPTZOID:
			return typmod < 0 ? SHMCACHE_INPUT_TIMESTAMPTZ : SHMCACHE_INPUT_GENERIC;
		default:
			return SHMCACHE_INPUT_GENERIC;
	}
}

/*
 * shmcache_input_fast
 *		Convert the non-null field "str" for a column of fast-path kind
 *		"kind".  Returns true and sets *result to the value the type's input
 *		function would return; returns false, having done nothing, when the
 *		caller must call the input function instead.  Memory for a
 *		by-reference result is allocated in CurrentMemoryContext.
 */
bool
shmcache_input_fast(ShmcacheInputKind kind, const char *str, Datum *result)
{
	int64		ival;
	struct pg_tm tm;
	fsec_t		fsec;
	bool		has_tz;
	int			tz = 0;
	Timestamp	ts;

	switch (kind)
	{
		case SHMCACHE_INPUT_GENERIC:
			return false;
		case SHMCACHE_INPUT_INT2:
			if (!parse_integer(str, 4, &ival))
				return false;
			*result = Int16GetDatum((int16) ival);
			return true;
		case SHMCACHE_INPUT_INT4:
			if (!parse_integer(str, 9, &ival))
				return false;
			*result = Int32GetDatum((int32) ival);
			return true;
		case SHMCACHE_INPUT_INT8:
			if (!parse_integer(str, 18, &ival))
				return false;
			*result = Int64GetDatum(ival);
			return true;
#ifdef SHMCACHE_FAST_FLOAT
		case SHMCACHE_INPUT_FLOAT4:
			return fast_float4(str, result);
		case SHMCACHE_INPUT_FLOAT8:
			return fast_float8(str, result);
#else
		case SHMCACHE_INPUT_FLOAT4:
		case SHMCACHE_INPUT_FLOAT8:
			return false;
#endif
		case SHMCACHE_INPUT_TEXT:
			*result = PointerGetDatum(cstring_to_text(str));
			return true;
		case SHMCACHE_INPUT_DATE:
			memset(&tm, 0, sizeof(tm));
			if (parse_iso_date(str, &tm) == NULL || str[10] != '\0')
				return false;
			*result = DateADTGetDatum(date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) -
									  POSTGRES_EPOCH_JDATE);
			return true;
		case SHMCACHE_INPUT_TIMESTAMP:
			if (!parse_iso_timestamp(str, &tm, &fsec, &has_tz, &tz) ||
				tm2timestamp(&tm, fsec, NULL, &ts) != 0)
				return false;
			*result = TimestampGetDatum(ts);
			return true;
		case SHMCACHE_INPUT_TIMESTAMPTZ:
			if (!parse_iso_timestamp(str, &tm, &fsec, &has_tz, &tz))
				return false;
			if (!has_tz)
				tz = DetermineTimeZoneOffset(&tm, session_timezone);
			if (tm2timestamp(&tm, fsec, &tz, &ts) != 0)
				return false;
			*result = TimestampTzGetDatum(ts);
			return true;
	}
	return false;
}
