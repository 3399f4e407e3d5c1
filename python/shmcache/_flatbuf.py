"""Read-only access to FlatBuffers tables, as Arrow's IPC metadata uses them.

Just enough of the FlatBuffers binary format for the Arrow messages that
``_arrow`` reads: tables (found through their vtable), scalars with their
schema defaults, strings, vectors of tables and of structs, and unions.  A
``Table`` is a position in a ``bytes`` object; nothing is decoded until asked
for.  Field numbers are the declaration order in the ``.fbs`` schema (a
union takes two: its type, then its value).

Layout (little endian): a table starts with an int32 offset back to its
vtable; the vtable is uint16 [vtable size, table size, field offsets...],
where an offset of 0 (or a field past the vtable's end) means "absent, use
the default".  Strings, vectors and sub-tables are uint32 offsets relative to
where the offset itself is stored; a vector or string starts with a uint32
length.
"""

import struct

_UINT32 = struct.Struct("<I")
_INT32 = struct.Struct("<i")
_UINT16 = struct.Struct("<H")


class Table:
    """A FlatBuffers table at position ``pos`` of ``buf`` (a ``bytes``)."""

    __slots__ = ("buf", "pos", "_vtable", "_vtable_size")

    def __init__(self, buf, pos):
        self.buf = buf
        self.pos = pos
        self._vtable = pos - _INT32.unpack_from(buf, pos)[0]
        self._vtable_size = _UINT16.unpack_from(buf, self._vtable)[0]

    @classmethod
    def root(cls, buf):
        """The root table of a FlatBuffers buffer."""
        return cls(buf, _UINT32.unpack_from(buf, 0)[0])

    def _offset(self, field):
        """Where field number ``field`` is stored, or 0 if it is absent."""
        entry = 4 + 2 * field
        if entry >= self._vtable_size:
            return 0
        rel = _UINT16.unpack_from(self.buf, self._vtable + entry)[0]
        return self.pos + rel if rel else 0

    def _target(self, field):
        """Where the object referenced by offset field ``field`` starts, or 0."""
        at = self._offset(field)
        return at + _UINT32.unpack_from(self.buf, at)[0] if at else 0

    def scalar(self, field, fmt, default=0):
        """A scalar field in ``struct`` format ``fmt`` ("<q", "<h", "<?", ...)."""
        at = self._offset(field)
        return struct.unpack_from(fmt, self.buf, at)[0] if at else default

    def string(self, field):
        """A string field as ``str``, or None if absent."""
        at = self._target(field)
        if not at:
            return None
        length = _UINT32.unpack_from(self.buf, at)[0]
        return self.buf[at + 4:at + 4 + length].decode("utf-8")

    def table(self, field):
        """A sub-table (or a union's value), or None if absent."""
        at = self._target(field)
        return Table(self.buf, at) if at else None

    def tables(self, field):
        """A vector of tables as a list (empty if absent)."""
        at = self._target(field)
        if not at:
            return []
        count = _UINT32.unpack_from(self.buf, at)[0]
        slots = (at + 4 + 4 * i for i in range(count))
        return [Table(self.buf, s + _UINT32.unpack_from(self.buf, s)[0]) for s in slots]

    def structs(self, field, layout):
        """A vector of structs of ``layout`` (a ``struct.Struct``) as tuples."""
        at = self._target(field)
        if not at:
            return []
        count = _UINT32.unpack_from(self.buf, at)[0]
        end = at + 4 + count * layout.size
        return list(layout.iter_unpack(self.buf[at + 4:end]))
