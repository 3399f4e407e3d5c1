"""A numpy-only reader of Arrow IPC streams, for the subset shmcache writes.

``COPY ... TO STDOUT (FORMAT arrow)`` writes an Arrow IPC stream: a Schema
message, then DictionaryBatch and RecordBatch messages, then the
end-of-stream marker (0xFFFFFFFF 0x00000000).  Each message is 0xFFFFFFFF,
an int32 metadata size, a FlatBuffers ``Message`` (``Message.fbs``) padded
to 8 bytes, and a body of ``bodyLength`` bytes holding the buffers that the
metadata locates.

``StreamReader`` is fed the stream in pieces of any size, as COPY delivers
it, and decodes each message as soon as it is complete (``_decode``) into
the columns being built (``_columns``), so it never holds more than one
message of the raw stream.  ``finish()`` returns the columns.

Dictionaries may be replaced (``isDelta`` false: the server sends a new one
before each batch of a frame's text column) or extended (``isDelta`` true).
Compressed bodies and big-endian streams are refused, and so is any type
``_decode`` does not list.
"""

import struct

import numpy as np

from ._columns import column_builder
from ._decode import decode_piece, dictionary_keys
from ._flatbuf import Table
from ._schema import ArrowError, parse_schema

__all__ = ["ArrowError", "StreamReader"]

# Message.fbs: the members of the MessageHeader union.
_SCHEMA, _DICTIONARY_BATCH, _RECORD_BATCH = 1, 2, 3
_BUFFER = struct.Struct("<qq")          # Buffer {offset, length}
_FIELD_NODE = struct.Struct("<qq")      # FieldNode {length, null_count}
_CONTINUATION = 0xFFFFFFFF              # before each message's metadata size
_INITIAL_BUFFER = 1 << 20


class StreamReader:
    """Decodes an Arrow IPC stream fed to it in pieces (``feed``), into one
    ``Column`` per field (``finish``)."""

    def __init__(self):
        self._buffer = bytearray(_INITIAL_BUFFER)  # the stream's bytes not yet decoded,
        self._held = 0            # from its start: this many
        self._header = None       # (metadata end, Message table) of the next message
        self._ended = False
        self.fields = None
        self._builders = None     # per field, its column builder
        self._dictionaries = {}   # dictionary id -> the current dictionary

    def feed(self, data):
        """Take the next bytes of the stream; decode the messages completed."""
        self._hold(data)
        start = 0
        while not self._ended:
            size = self._next_message_size(start)
            if size is None or self._held - start < size:
                break
            if not self._ended:
                view = memoryview(self._buffer)
                try:
                    self._message(view[start:start + size])
                finally:
                    view.release()
            start += size
            self._header = None
        self._drop(start)

    def _hold(self, data):
        """Append ``data`` to the bytes held, in the one buffer that is reused
        from message to message (grown, by doubling, only for a message
        larger than any before): fresh memory is slow to touch."""
        end = self._held + len(data)
        if end > len(self._buffer):
            bigger = bytearray(max(end, 2 * len(self._buffer)))
            bigger[:self._held] = memoryview(self._buffer)[:self._held]
            self._buffer = bigger
        self._buffer[self._held:end] = data
        self._held = end

    def _drop(self, size):
        """Forget the first ``size`` bytes held (decoded messages)."""
        if size > 0:
            rest = self._held - size
            view = memoryview(self._buffer)
            view[:rest] = view[size:self._held]
            view.release()
            self._held = rest

    def _next_message_size(self, start):
        """The size of the message held from ``start`` on (framing, metadata
        and body) once its metadata is here, else None.  At end-of-stream,
        sets ``_ended`` and returns the marker's size."""
        held = self._held - start
        if self._header is None:
            if held < 8:
                return None
            marker, meta_size = struct.unpack_from("<Ii", self._buffer, start)
            if marker != _CONTINUATION:
                raise ArrowError("not an Arrow IPC stream (no continuation marker)")
            if meta_size == 0:
                self._ended = True
                return 8
            if held < 8 + meta_size:
                return None
            meta = bytes(self._buffer[start + 8:start + 8 + meta_size])
            self._header = (8 + meta_size, Table.root(meta))
        meta_end, message = self._header
        return meta_end + message.scalar(3, "<q")

    def _message(self, raw):
        """Handle one complete message (``raw``: framing, metadata, body)."""
        meta_end, message = self._header
        kind = message.scalar(1, "<B")
        header = message.table(2)
        if kind == _SCHEMA:
            self._on_schema(header, raw)
        elif self.fields is None:
            raise ArrowError("the stream does not start with a schema")
        elif kind == _DICTIONARY_BATCH:
            self._on_dictionary(header, raw, raw[meta_end:])
        elif kind == _RECORD_BATCH:
            self._on_record_batch(header, raw, raw[meta_end:])
        else:
            raise ArrowError(f"unexpected Arrow message type {kind}")

    def _on_schema(self, schema, raw):
        self.fields = parse_schema(schema)
        self._builders = [column_builder(f) for f in self.fields]

    def _on_dictionary(self, batch, raw, body):
        self.add_dictionary(batch.scalar(0, "<q"), *_batch_layout(batch.table(1), body),
                            is_delta=batch.scalar(2, "<?", False))

    def _on_record_batch(self, batch, raw, body):
        self.add_batch(*_batch_layout(batch, body))

    def add_dictionary(self, dictionary_id, nodes, buffers, is_delta=False):
        """Make a dictionary current for ``dictionary_id``: the array given by
        the first of ``nodes`` and its ``buffers``, replacing the current one
        or, with ``is_delta``, appended to it."""
        keys = dictionary_keys(iter(nodes), iter(buffers))
        if is_delta and dictionary_id in self._dictionaries:
            keys = np.concatenate([self._dictionaries[dictionary_id], keys])
        self._dictionaries[dictionary_id] = keys

    def add_batch(self, nodes, buffers):
        """Decode a record batch given by its field nodes and buffers."""
        nodes, buffers = iter(nodes), iter(buffers)
        for field, builder in zip(self.fields, self._builders):
            piece = decode_piece(field, nodes, buffers)
            if field.dictionary_id is None:
                builder.add(piece)
            elif field.dictionary_id in self._dictionaries:
                builder.add(piece, self._dictionaries[field.dictionary_id])
            else:
                raise ArrowError(f"column {field.name!r}: no dictionary "
                                 f"{field.dictionary_id} before its record batch")

    def finish(self):
        """The columns (``_columns.Column``), once the whole stream was fed."""
        if self._held:
            raise ArrowError("the Arrow stream ends in the middle of a message"
                             if not self._ended else "data after the end of the Arrow stream")
        if self.fields is None:
            raise ArrowError("the Arrow stream is empty (no schema)")
        self._dictionaries = {}
        builders, self._builders = self._builders, None
        return [builders.pop(0).finish() for _ in self.fields]


def _batch_layout(batch, body):
    """The field nodes and buffers (memoryviews into ``body``) of a
    RecordBatch table."""
    if batch.table(3) is not None:
        raise ArrowError("compressed Arrow record batches are not supported")
    nodes = batch.structs(1, _FIELD_NODE)
    buffers = [body[offset:offset + size] for offset, size in batch.structs(2, _BUFFER)]
    return nodes, buffers
