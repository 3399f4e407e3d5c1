"""Assembling a column from its record batches' pieces.

A stream does not say how many rows it holds, and the result must cost
little more memory than itself.  So:

- Fixed-width values (integers, floats, bools, dates, times, timestamps,
  intervals, dictionary codes) are copied, batch by batch, into a
  ``GrowingBuffer``: an anonymous private memory mapping that doubles by
  ``mremap`` (its pages move, they are not copied) and is trimmed at the
  end.  Capacity that was never written costs no memory, and each value is
  copied once, from the stream into the column that pandas then uses.  The
  mapping asks for transparent huge pages (``MADV_HUGEPAGE``): a first touch
  then maps 2 MB rather than 4 kB, and where page faults are slow (virtual
  machines) that makes filling a column several times faster.
- Object values (str, bytes, Decimal, UUID, lists) are kept as one array
  per batch and concatenated at the end: the objects themselves dominate.
- Dictionary text: each batch's codes refer to the dictionary current for
  it.  At the end, the union of all dictionaries of the column is sorted
  (``numpy.unique`` over byte strings) and each batch's codes are mapped to
  it with one vectorized take, in place.
"""

import mmap

import numpy as np

from ._decode import empty_piece, fill_nulls

__all__ = ["Column", "GrowingBuffer", "column_builder"]

_MIN_CAPACITY = 1 << 20


class GrowingBuffer:
    """Bytes appended at the end of an anonymous private mapping that grows
    by doubling (``mremap``, or a copy where the platform has none)."""

    def __init__(self):
        self._map = None
        self.size = 0

    def append(self, array):
        """Append the bytes of a contiguous numpy array."""
        data = np.ascontiguousarray(array).view(np.uint8)
        end = self.size + len(data)
        if self._map is None or end > len(self._map):
            self._grow(end)
        self._map[self.size:end] = data
        self.size = end

    def _grow(self, needed):
        old = len(self._map) if self._map is not None else 0
        capacity = max(needed, 2 * old, _MIN_CAPACITY)
        if self._map is None:
            self._map = _anonymous_map(capacity)
            return
        try:
            self._map.resize(capacity)
        except (SystemError, OSError):  # no mremap (macOS): copy
            bigger = _anonymous_map(capacity)
            bigger[:self.size] = self._map[:self.size]
            self._map.close()
            self._map = bigger

    def array(self, dtype):
        """The bytes as a numpy array of ``dtype``, backed by the mapping
        (trimmed first).  Nothing may be appended afterwards."""
        if self.size == 0:
            return np.empty(0, dtype)
        if self.size < len(self._map):
            try:
                self._map.resize(self.size)
            except (SystemError, OSError):
                pass  # keeps its spare capacity, never touched
        return np.frombuffer(self._map, dtype, count=self.size // np.dtype(dtype).itemsize)


def _anonymous_map(size):
    buffer = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    if hasattr(mmap, "MADV_HUGEPAGE"):
        buffer.madvise(mmap.MADV_HUGEPAGE)
    return buffer


class Column:
    """A decoded column: ``values`` (a numpy array, NULLs filled with NaN,
    NaT or None where the dtype has them), ``valid`` (a bool array, False
    for NULL, or None when there is no NULL) and, for dictionary text,
    ``categories`` (an object array of str; ``values`` are then codes into
    it, -1 for NULL)."""

    def __init__(self, field, values, valid, categories=None):
        self.field = field
        self.name = field.name
        self.values = values
        self.valid = valid
        self.categories = categories

    @property
    def timezone(self):
        """A timestamp column's time zone, or None."""
        return self.field.params.get("timezone") or None

    def array(self):
        """The column as one numpy array: dictionary text as objects (str),
        and a ``numpy.ma.MaskedArray`` (masked where NULL) if it has NULLs."""
        values = self.values
        if self.categories is not None:
            values = np.append(self.categories, None)[values]
        if self.valid is None:
            return values
        return np.ma.MaskedArray(values, mask=~self.valid)


class _Validity:
    """The validity of a column's rows, kept only once a NULL was seen."""

    def __init__(self):
        self.buffer = None

    def add(self, rows_before, length, valid):
        if valid is None and self.buffer is None:
            return
        if self.buffer is None:
            self.buffer = GrowingBuffer()
            self.buffer.append(np.ones(rows_before, np.bool_))
        self.buffer.append(np.ones(length, np.bool_) if valid is None else valid)

    def array(self):
        return None if self.buffer is None else self.buffer.array(np.bool_)


class _FixedBuilder:
    """A column of fixed-width values, copied into a ``GrowingBuffer``."""

    def __init__(self, field, dtype):
        self.field = field
        self.dtype = dtype
        self.rows = 0
        self._values = GrowingBuffer()
        self._validity = _Validity()

    def add(self, piece):
        self._values.append(piece.values)
        self._validity.add(self.rows, len(piece.values), piece.valid)
        self.rows += len(piece.values)

    def _arrays(self):
        values = self._values.array(self.dtype)
        valid = self._validity.array()
        if valid is not None:
            fill_nulls(values, valid)
        return values, valid

    def finish(self):
        return Column(self.field, *self._arrays())


class _DictionaryBuilder(_FixedBuilder):
    """Dictionary text: the codes, and for each batch the dictionary (an
    array of bytes) its codes refer to."""

    def __init__(self, field, dtype):
        super().__init__(field, dtype)
        self._batches = []  # (first row, rows, dictionary)

    def add(self, piece, dictionary):
        self._batches.append((self.rows, len(piece.values), dictionary))
        super().add(piece)

    def finish(self):
        codes, valid = self._arrays()
        dictionaries = {id(d): d for _, _, d in self._batches}
        categories, maps = _union(list(dictionaries.values()))
        maps = {key: m for key, m in zip(dictionaries, maps)}
        if categories.size and _code_dtype(len(categories)).itemsize > codes.itemsize:
            codes = codes.astype(_code_dtype(len(categories)))
        for first, rows, dictionary in self._batches:
            segment = codes[first:first + rows]
            mapping = maps[id(dictionary)]
            if valid is not None:
                segment[~valid[first:first + rows]] = len(mapping) - 1
            np.take(mapping, segment, out=segment)
        return Column(self.field, codes, valid, categories)


class _ObjectBuilder:
    """A column of Python objects, one array per batch until ``finish``."""

    def __init__(self, field):
        self.field = field
        self._pieces = []

    def add(self, piece):
        self._pieces.append(piece)

    def finish(self):
        pieces = self._pieces or [empty_piece(self.field)]
        values = np.concatenate([p.values for p in pieces])
        valid = None
        if any(p.valid is not None for p in pieces):
            valid = np.concatenate([np.ones(len(p.values), np.bool_) if p.valid is None
                                    else p.valid for p in pieces])
        self._pieces = []
        return Column(self.field, values, valid)


def column_builder(field):
    """The builder of ``field``'s column: ``add(piece)`` per record batch
    (``add(piece, dictionary)`` for dictionary text), then ``finish()``."""
    dtype = empty_piece(field).values.dtype
    if field.dictionary_id is not None:
        return _DictionaryBuilder(field, dtype)
    if dtype.kind == "O":
        return _ObjectBuilder(field)
    return _FixedBuilder(field, dtype)


def _code_dtype(categories):
    """The smallest signed code dtype for this many categories (pandas'
    choice too, so its Categorical takes the codes as they are)."""
    for dtype in (np.int8, np.int16, np.int32):
        if categories < np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


def _union(dictionaries):
    """The sorted union of the dictionaries (arrays of bytes) as str, and for
    each dictionary the array mapping its codes to the union's, with one more
    entry, -1, for NULL."""
    if not dictionaries:
        return np.empty(0, object), []
    keys, inverse = np.unique(np.concatenate(dictionaries), return_inverse=True)
    ends = np.cumsum([len(d) for d in dictionaries]).tolist()
    maps = [np.append(inverse[end - len(d):end], -1) for d, end in zip(dictionaries, ends)]
    categories = np.fromiter((k.decode("utf-8") for k in keys.tolist()), dtype=object,
                             count=len(keys))
    return categories, maps
