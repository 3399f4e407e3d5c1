"""The public functions: COPY statements built, run and decoded.

A frame is read with ``COPY <frame> [(columns)] TO STDOUT (FORMAT arrow)``,
or, with a ``where``, ``COPY (SELECT <columns|*> FROM <frame> WHERE <where>)
TO STDOUT (FORMAT arrow)``; a query with ``COPY (<sql>) TO STDOUT (FORMAT
arrow)``.  Identifiers are quoted by the driver; ``where`` and ``sql`` are
the caller's SQL text, put in as they are, and ``params`` are bound into them
by the driver (``%s`` placeholders; a literal ``%`` is then written ``%%``).
"""

from ._arrow import StreamReader
from ._driver import driver

__all__ = ["append_frame", "read_frame", "read_frame_arrays", "read_query",
           "read_query_arrays"]

_READERS = ("auto", "numpy", "pyarrow")


def _stream_reader(reader):
    """A new stream reader of the kind asked for: "numpy", "pyarrow", or
    "auto" (pyarrow if it can be imported, else numpy)."""
    if reader not in _READERS:
        raise ValueError(f"reader must be one of {', '.join(_READERS)}, not {reader!r}")
    if reader == "numpy":
        return StreamReader()
    try:
        from ._pyarrow import PyarrowStreamReader
    except ImportError:
        if reader == "pyarrow":
            raise
        return StreamReader()
    return PyarrowStreamReader()


def _relation(quote, frame):
    """A frame name, or a (schema, name) pair, as quoted SQL."""
    if isinstance(frame, str):
        return quote(frame)
    return ".".join(quote(part) for part in frame)


def _column_list(quote, columns):
    """The quoted column list, or None for all columns."""
    if columns is None:
        return None
    if isinstance(columns, str):
        columns = [columns]
    if not columns:
        raise ValueError("columns must name at least one column")
    return ", ".join(quote(c) for c in columns)


def query_statement(sql):
    """The COPY statement reading a query (the newline ends a trailing
    ``--`` comment)."""
    return f"COPY ({sql}\n) TO STDOUT (FORMAT arrow)"


def frame_statement(quote, frame, columns=None, where=None):
    """The COPY statement reading a frame's columns, all rows or ``where``."""
    relation = _relation(quote, frame)
    names = _column_list(quote, columns)
    if where is not None:
        return query_statement(f"SELECT {names or '*'} FROM {relation} WHERE {where}")
    target = relation if names is None else f"{relation} ({names})"
    return f"COPY {target} TO STDOUT (FORMAT arrow)"


def _read(conn, statement, params, reader):
    """Run a COPY TO STDOUT (FORMAT arrow) and decode it as it arrives."""
    stream = _stream_reader(reader)
    driver(conn).copy_out(statement, params, stream.feed)
    return stream.finish()


def _frame_columns(conn, frame, columns, where, params, reader):
    statement = frame_statement(driver(conn).quote_ident, frame, columns, where)
    return _read(conn, statement, params, reader)


def _arrays(columns):
    return {c.name: c.array() for c in columns}


def _dataframe(columns):
    from ._pandas import to_dataframe
    return to_dataframe(columns)


def read_frame(conn, frame, columns=None, where=None, params=None, *, reader="auto"):
    """A frame's rows as a pandas DataFrame.

    ``frame``: the frame's name (one identifier, found through the
    search_path) or a ``(schema, name)`` pair.  ``columns``: names of the
    columns to read (default: all).  ``where``: SQL text of a condition,
    which is the caller's SQL, with ``params`` bound into it by the driver.
    ``reader``: "auto" (pyarrow when installed), "numpy" or "pyarrow".
    """
    return _dataframe(_frame_columns(conn, frame, columns, where, params, reader))


def read_frame_arrays(conn, frame, columns=None, where=None, params=None, *, reader="auto"):
    """A frame's rows as ``{column name: numpy array}``, arguments as for
    ``read_frame``.  A column with NULLs is a ``numpy.ma.MaskedArray``."""
    return _arrays(_frame_columns(conn, frame, columns, where, params, reader))


def read_query(conn, sql, params=None, *, reader="auto"):
    """The result of a query (SQL text, ``params`` bound by the driver) as a
    pandas DataFrame."""
    return _dataframe(_read(conn, query_statement(sql), params, reader))


def read_query_arrays(conn, sql, params=None, *, reader="auto"):
    """The result of a query as ``{column name: numpy array}`` (see
    ``read_frame_arrays``)."""
    return _arrays(_read(conn, query_statement(sql), params, reader))


def append_frame(conn, frame, data):
    """Append the rows of a pandas DataFrame to a frame (or any table), its
    columns matched by name, with ``COPY ... FROM STDIN (FORMAT csv)``, in
    the connection's transaction: the caller commits.

    Values go as pandas writes them to CSV, which PostgreSQL reads for
    numbers, booleans, text, dates and timestamps; NaN, None and NaT are
    NULL.  NULL is written as ``\\N``, so a text value of exactly ``\\N``
    cannot be told from it.
    """
    db = driver(conn)
    statement = (f"COPY {_relation(db.quote_ident, frame)} "
                 f"({_column_list(db.quote_ident, list(data.columns))}) "
                 "FROM STDIN (FORMAT csv, NULL '\\N')")
    db.copy_in(statement, data.to_csv(index=False, header=False, na_rep="\\N"))
