"""Decoding one Arrow array of a record batch into numpy.

An array is given as in an IPC record batch body: its field node (length,
null count) and its buffers (validity first), then its children's, in
pre-order.  ``decode_piece`` pulls what one field needs from the two
iterators and returns a ``Piece``: the values as numpy and the validity.

Fixed-width values stay views of the buffers they came from where the
layout is already numpy's (integers, floats, timestamps, intervals, date64):
the caller copies them once, into the column (``_columns``), and fills in
NULLs there.  Everything else is a new array, and object arrays have their
NULLs set to None here.

Types and their numpy form (``Field.kind``):

=====================  ===================================================
int, float             intN/uintN, float16/32/64
bool (bit-packed)      bool
decimal (128-bit)      object: decimal.Decimal, exact, ``scale`` digits
                       after the point
utf8 / binary          object: str / bytes
date                   datetime64[D] (DAY) or datetime64[ms] (MILLISECOND)
time                   timedelta64 since midnight, in the field's unit
timestamp              datetime64 in the field's unit (the time zone is
                       the field's, see ``Column.timezone``)
interval               structured: months int32, days int32, nanoseconds
                       int64 (MONTH_DAY_NANO only)
fixed_size_binary      object: uuid.UUID with the arrow.uuid extension
                       name, else bytes
list                   object: per row, the elements as a numpy array, or
                       None; where an element in the batch is NULL, the
                       batch's arrays are object arrays holding None there
dictionary-encoded     the index integers (codes); ``_columns`` maps them
=====================  ===================================================
"""

import decimal
import itertools
import uuid

import numpy as np

from ._schema import ArrowError

__all__ = ["Piece", "decode_piece", "dictionary_keys", "empty_piece", "fill_nulls"]

_TIME_UNITS = ("s", "ms", "us", "ns")
_INTERVAL_MONTH_DAY_NANO = 2
_INTERVAL_DTYPE = np.dtype([("months", "<i4"), ("days", "<i4"), ("nanoseconds", "<i8")])
_DECIMAL_CONTEXT = decimal.Context(prec=80)


class Piece:
    """One record batch's part of a column: values, and validity (a bool
    array, False for NULL) or None when no value is NULL."""

    __slots__ = ("values", "valid")

    def __init__(self, values, valid):
        self.values = values
        self.valid = valid


def _validity(length, null_count, buf):
    if null_count == 0 or len(buf) == 0:
        return None
    return _bits(buf, length)


def _bits(buf, length):
    """``length`` bits of ``buf``, least significant first, as bools."""
    return np.unpackbits(np.frombuffer(buf, np.uint8), count=length,
                         bitorder="little").view(np.bool_)


def _view(buf, dtype, length):
    return np.frombuffer(buf, dtype, count=length)


def _objects(values, length):
    return np.fromiter(values, dtype=object, count=length)


def _offsets(buf, length):
    """The ``length`` + 1 int32 offsets of a variable-size array, as a list."""
    if length == 0:
        return [0]
    return _view(buf, "<i4", length + 1).tolist()


def _decode_int(field, length, buffers):
    p = field.params
    return _view(next(buffers), f"<{'i' if p['signed'] else 'u'}{p['bit_width'] // 8}", length)


def _decode_float(field, length, buffers):
    return _view(next(buffers), ("<f2", "<f4", "<f8")[field.params["precision"]], length)


def _decode_bool(field, length, buffers):
    return _bits(next(buffers), length)


def _decode_decimal(field, length, buffers):
    if field.params["bit_width"] != 128:
        raise ArrowError(f"column {field.name!r}: only 128-bit decimals are supported")
    words = _view(next(buffers), "<u8", 2 * length).reshape(length, 2)
    low = words[:, 0].tolist()
    high = words[:, 1].view("<i8").tolist()
    exponent = -field.params["scale"]
    return _objects((decimal.Decimal(h << 64 | lo).scaleb(exponent, _DECIMAL_CONTEXT)
                     for lo, h in zip(low, high)), length)


def _decode_binary(field, length, buffers):
    offsets = _offsets(next(buffers), length)
    data = bytes(next(buffers))
    if field.kind == "utf8":
        return _objects((str(data[a:b], "utf-8") for a, b in zip(offsets, offsets[1:])), length)
    return _objects((data[a:b] for a, b in zip(offsets, offsets[1:])), length)


def _decode_date(field, length, buffers):
    if field.params["unit"] == 0:  # DAY: int32 days
        return _view(next(buffers), "<i4", length).astype("M8[D]")
    return _view(next(buffers), "<M8[ms]", length)


def _decode_time(field, length, buffers):
    p = field.params
    raw = _view(next(buffers), f"<i{p['bit_width'] // 8}", length)
    return raw.astype(f"m8[{_TIME_UNITS[p['unit']]}]")


def _decode_timestamp(field, length, buffers):
    return _view(next(buffers), f"<M8[{_TIME_UNITS[field.params['unit']]}]", length)


def _decode_interval(field, length, buffers):
    if field.params["unit"] != _INTERVAL_MONTH_DAY_NANO:
        raise ArrowError(f"column {field.name!r}: only MONTH_DAY_NANO intervals are supported")
    return _view(next(buffers), _INTERVAL_DTYPE, length)


def _decode_fixed_size_binary(field, length, buffers):
    width = field.params["byte_width"]
    data = bytes(next(buffers)[:width * length])
    starts = range(0, width * length, width)
    if field.metadata.get("ARROW:extension:name") == "arrow.uuid":
        return _objects((uuid.UUID(bytes=data[i:i + 16]) for i in starts), length)
    return _objects((data[i:i + width] for i in starts), length)


def _decode_list(field, length, buffers, nodes):
    offsets = _offsets(next(buffers), length)
    child = decode_piece(field.children[0], nodes, buffers)
    first, last = offsets[0], offsets[-1]
    elements = child.values[first:last]
    if child.valid is not None and not child.valid[first:last].all():
        elements = elements.astype(object)
        elements[~child.valid[first:last]] = None
    else:
        elements = elements.copy()
    return _objects((elements[a - first:b - first] for a, b in zip(offsets, offsets[1:])),
                    length)


_DECODERS = {
    "int": _decode_int, "float": _decode_float, "bool": _decode_bool,
    "decimal": _decode_decimal, "utf8": _decode_binary, "binary": _decode_binary,
    "date": _decode_date, "time": _decode_time, "timestamp": _decode_timestamp,
    "interval": _decode_interval, "fixed_size_binary": _decode_fixed_size_binary,
}


def fill_nulls(values, valid):
    """Put NaN, NaT or None where ``valid`` is False, by the values' dtype;
    other dtypes (integers, bools, intervals) keep what the stream held."""
    kind = values.dtype.kind
    if kind == "f":
        values[~valid] = np.nan
    elif kind in "mM":
        values[~valid] = values.dtype.type("NaT")
    elif kind == "O":
        values[~valid] = None


def decode_piece(field, nodes, buffers):
    """Decode the next array of a record batch for ``field`` (for a
    dictionary-encoded field: its codes)."""
    length, null_count = next(nodes)
    valid = _validity(length, null_count, next(buffers))
    value_field = field.index if field.dictionary_id is not None else field
    if value_field.kind == "list":
        values = _decode_list(value_field, length, buffers, nodes)
    else:
        values = _DECODERS[value_field.kind](value_field, length, buffers)
    if valid is not None and values.dtype.kind == "O":
        fill_nulls(values, valid)
    return Piece(values, valid)


def empty_piece(field):
    """The piece of ``field`` in a batch of no rows: its values have the
    dtype of the field's column."""
    return decode_piece(field, itertools.repeat((0, 0)), itertools.repeat(b""))


def dictionary_keys(nodes, buffers):
    """The values of a Utf8 dictionary (the first array of ``nodes`` and
    ``buffers``) as a numpy array of bytes: fixed-width ``S``, built without
    a Python loop, unless one value is much longer than the rest, then
    objects.  PostgreSQL text holds no NUL byte, which ``S`` would strip.
    Dictionary values are never NULL here."""
    length, _ = next(nodes)
    next(buffers)  # validity: unused
    if length == 0:
        return np.empty(0, "S1")
    offsets = _view(next(buffers), "<i4", length + 1)
    data = np.frombuffer(next(buffers), np.uint8)[offsets[0]:offsets[-1]]
    sizes = np.diff(offsets)
    width = max(int(sizes.max()), 1)
    if width * length > 4 * len(data) + 65536:
        raw = data.tobytes()
        bounds = (offsets - offsets[0]).tolist()
        return _objects((raw[a:b] for a, b in zip(bounds, bounds[1:])), length)
    table = np.zeros((length, width), np.uint8)
    table[np.arange(width) < sizes[:, None]] = data
    return table.view(f"S{width}").ravel()
