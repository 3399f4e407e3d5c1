"""Decoded columns as a pandas DataFrame.

One rule per kind of column, the same whichever reader decoded the stream:

- dictionary text: ``pandas.Categorical`` (categories sorted, NULL = NaN),
  built on the codes as they are;
- integers and booleans with NULLs: pandas' nullable ``Int64``/``boolean``
  arrays (exact, no detour through float); without NULLs, plain numpy;
- floats: float64/float32, NULL as NaN (as pandas has it);
- dates and timestamps: ``datetime64`` (pandas 1.x: in ns; pandas 2: the
  stream's unit, dates in s), tz-aware for a timestamp with a time zone.
  Values outside what the dtype can hold (pandas 1.x: before 1677 or after
  2262) make the column one of ``datetime.date``/``datetime.datetime``
  objects instead;
- times: ``timedelta64`` since midnight (pandas has no time-of-day dtype);
- intervals: ``pandas.DateOffset(months=, days=, microseconds=)`` objects:
  adding one to a Timestamp moves by calendar months, then days, then time,
  as PostgreSQL does;
- everything else (text, bytea, numeric, uuid, arrays): the object column
  the reader made (str, bytes, decimal.Decimal, uuid.UUID, numpy arrays).
"""

import datetime

import numpy as np
import pandas as pd

__all__ = ["to_dataframe"]

_PANDAS_1 = int(pd.__version__.split(".")[0]) < 2


def _categorical(column):
    return pd.Categorical.from_codes(column.values, categories=column.categories)


def _datetime_objects(column):
    """A datetime64 column as objects (date or datetime, with the time zone)."""
    values = column.values.astype(object)
    if column.timezone:
        zone = _zone(column.timezone)
        values = np.fromiter((None if v is None else v.replace(tzinfo=datetime.timezone.utc)
                              .astimezone(zone) for v in values), dtype=object,
                             count=len(values))
    return values


def _zone(name):
    if name.upper() == "UTC":
        return datetime.timezone.utc
    import zoneinfo
    return zoneinfo.ZoneInfo(name)


def _to_ns(values):
    """datetime64/timedelta64 values in ns (pandas 1.x holds no other unit),
    converted in place (the decoded column is ours to change), or None if
    some value is out of the ns range."""
    kind = values.dtype.kind
    unit, _ = np.datetime_data(values.dtype)
    factor = int(np.timedelta64(1, unit) // np.timedelta64(1, "ns"))
    ints = values.view("i8")
    nat = np.isnat(values)
    limit = np.iinfo(np.int64).max // factor
    if (np.min(ints, where=~nat, initial=0) < -limit
            or np.max(ints, where=~nat, initial=0) > limit):
        return None
    np.multiply(ints, factor, out=ints)
    ints[nat] = np.iinfo(np.int64).min
    return ints.view(f"{kind}8[ns]")


def _datetimes(column):
    values = column.values
    if _PANDAS_1:
        values = _to_ns(values)
        if values is None:
            return _datetime_objects(column)
        if column.timezone:  # ns since the epoch in UTC, shown in the zone
            return pd.arrays.DatetimeArray(values, dtype=pd.DatetimeTZDtype(tz=column.timezone))
        return values
    series = pd.Series(values, copy=False)
    if column.timezone:
        series = series.dt.tz_localize("UTC").dt.tz_convert(column.timezone)
    return series.array


def _intervals(column):
    values = column.values
    offsets = (pd.DateOffset(months=m, days=d, microseconds=ns // 1000)
               for m, d, ns in zip(values["months"].tolist(), values["days"].tolist(),
                                   values["nanoseconds"].tolist()))
    result = np.fromiter(offsets, dtype=object, count=len(values))
    if column.valid is not None:
        result[~column.valid] = None
    return result


def _pandas_values(column):
    """What the DataFrame holds for one column."""
    if column.categories is not None:
        return _categorical(column)
    kind = column.values.dtype.kind
    if kind == "M":
        return _datetimes(column)
    if kind == "m" and _PANDAS_1:
        return _to_ns(column.values)  # times of day: always in range
    if kind == "V":
        return _intervals(column)
    if column.valid is not None and kind in "iu":
        return pd.arrays.IntegerArray(column.values, ~column.valid)
    if column.valid is not None and kind == "b":
        return pd.arrays.BooleanArray(column.values, ~column.valid)
    return column.values


def to_dataframe(columns):
    """A DataFrame of the decoded columns (a list it empties, so that each
    column's arrays can go once pandas has what it needs of them).  Each
    column is its own block, on the decoded arrays where pandas allows."""
    names = [c.name for c in columns]
    data = {}
    for i in range(len(names)):
        data[i] = _pandas_values(columns.pop(0))
    frame = pd.DataFrame(data, copy=False)
    frame.columns = names
    return frame
