"""The schema of an Arrow IPC stream: its fields and their types.

``parse_schema`` reads the ``Schema`` table of a Schema message
(``Schema.fbs``) into ``Field`` objects.  Only the types shmcache writes are
accepted (see ``_decode``); any other is an ``ArrowError`` naming the column.
"""

__all__ = ["ArrowError", "Field", "parse_schema"]


class ArrowError(ValueError):
    """The stream is malformed or uses what this reader does not support."""


# Schema.fbs: the members of the Type union that we read.
_TYPE_NAMES = {
    2: "int", 3: "float", 4: "binary", 5: "utf8", 6: "bool", 7: "decimal",
    8: "date", 9: "time", 10: "timestamp", 11: "interval", 12: "list",
    15: "fixed_size_binary",
}

class Field:
    """A column (or a list's element) as the Schema message describes it.

    ``kind`` is one of the names in ``_TYPE_NAMES``; ``params`` holds that
    type's parameters (bit_width, signed, precision, scale, unit, timezone,
    byte_width); ``dictionary_id`` and ``index`` (an int Field) are set for
    a dictionary-encoded field.
    """

    def __init__(self, name, kind, params, children, metadata, dictionary_id=None, index=None):
        self.name = name
        self.kind = kind
        self.params = params
        self.children = children
        self.metadata = metadata
        self.dictionary_id = dictionary_id
        self.index = index

    def __repr__(self):
        return f"Field({self.name!r}, {self.kind}, {self.params})"


def _type_params(kind, table):
    """The parameters of a Type union member ``table`` of ``kind``."""
    if kind == "int":
        return {"bit_width": table.scalar(0, "<i"), "signed": table.scalar(1, "<?", False)}
    if kind == "float":
        return {"precision": table.scalar(0, "<h")}
    if kind == "decimal":
        return {"precision": table.scalar(0, "<i"), "scale": table.scalar(1, "<i"),
                "bit_width": table.scalar(2, "<i", 128)}
    if kind == "date":
        return {"unit": table.scalar(0, "<h", 1)}
    if kind == "time":
        return {"unit": table.scalar(0, "<h", 1), "bit_width": table.scalar(1, "<i", 32)}
    if kind == "timestamp":
        return {"unit": table.scalar(0, "<h"), "timezone": table.string(1)}
    if kind == "interval":
        return {"unit": table.scalar(0, "<h")}
    if kind == "fixed_size_binary":
        return {"byte_width": table.scalar(0, "<i")}
    return {}


def _parse_field(table):
    """A ``Field`` from a Schema.fbs ``Field`` table."""
    name = table.string(0) or ""
    type_code = table.scalar(2, "<B")
    kind = _TYPE_NAMES.get(type_code)
    if kind is None:
        raise ArrowError(f"column {name!r}: Arrow type {type_code} is not supported")
    params = _type_params(kind, table.table(3))
    metadata = {kv.string(0): kv.string(1) for kv in table.tables(6)}
    children = [_parse_field(child) for child in table.tables(5)]
    field = Field(name, kind, params, children, metadata)
    encoding = table.table(4)
    if encoding is not None:
        index_type = encoding.table(1)
        index_params = (_type_params("int", index_type) if index_type is not None
                        else {"bit_width": 32, "signed": True})
        field.dictionary_id = encoding.scalar(0, "<q")
        field.index = Field(name, "int", index_params, [], {})
    return field


def parse_schema(schema):
    """The list of top-level ``Field``s of a ``Schema`` table."""
    if schema.scalar(0, "<h") != 0:
        raise ArrowError("big-endian Arrow streams are not supported")
    return [_parse_field(f) for f in schema.tables(1)]
