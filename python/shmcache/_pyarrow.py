"""The stream reader that lets pyarrow decode the record batches.

``PyarrowStreamReader`` is ``StreamReader`` (same framing, same schema,
same columns and conversions, so the same DataFrame) except that each
record batch goes to ``pyarrow.ipc.open_stream``, which resolves
dictionaries and decompresses compressed bodies, and the columns are taken
from pyarrow's buffers.  pyarrow gets, for each record batch, a stream of
its own: the schema message, the dictionary messages currently in force
(the last replacement and any deltas after it) and the batch.  Like the
numpy reader, it never holds more than one record batch of the raw stream.
"""

import pyarrow as pa

from ._arrow import StreamReader
from ._schema import ArrowError

__all__ = ["PyarrowStreamReader"]

_END_OF_STREAM = b"\xff\xff\xff\xff\x00\x00\x00\x00"


def _flatten(array, nodes, buffers):
    """Append ``array``'s field nodes and buffers, in IPC (pre-)order."""
    if isinstance(array, pa.ExtensionArray):
        array = array.storage
    if isinstance(array, pa.DictionaryArray):
        array = array.indices
    if array.offset:
        raise ArrowError("pyarrow returned a sliced array")
    nodes.append((len(array), array.null_count))
    own = array.buffers()[:array.type.num_buffers]
    buffers.extend(b"" if b is None else memoryview(b) for b in own)
    if isinstance(array, pa.ListArray):
        _flatten(array.values, nodes, buffers)


class PyarrowStreamReader(StreamReader):
    """``StreamReader`` with record batches decoded by pyarrow."""

    def __init__(self):
        super().__init__()
        self._schema_message = b""
        self._dictionary_messages = {}  # id -> raw messages in force

    def _on_schema(self, schema, raw):
        super()._on_schema(schema, raw)
        self._schema_message = bytes(raw)

    def _on_dictionary(self, batch, raw, body):
        messages = self._dictionary_messages.setdefault(batch.scalar(0, "<q"), [])
        if not batch.scalar(2, "<?", False):
            messages.clear()
        messages.append(bytes(raw))

    def _on_record_batch(self, batch, raw, body):
        stream = b"".join([self._schema_message,
                           *(m for ms in self._dictionary_messages.values() for m in ms),
                           bytes(raw), _END_OF_STREAM])
        record_batch = pa.ipc.open_stream(stream).read_next_batch()
        nodes, buffers = [], []
        for field, array in zip(self.fields, record_batch.columns):
            if field.dictionary_id is not None:
                dictionary_nodes, dictionary_buffers = [], []
                _flatten(array.dictionary, dictionary_nodes, dictionary_buffers)
                self.add_dictionary(field.dictionary_id, dictionary_nodes, dictionary_buffers)
            _flatten(array, nodes, buffers)
        self.add_batch(nodes, buffers)
