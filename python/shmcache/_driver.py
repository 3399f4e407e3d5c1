"""psycopg2 and psycopg (3) behind one small interface.

``driver(conn)`` returns an object with:

- ``quote_ident(name)``: ``name`` quoted as an SQL identifier by the driver
  (``psycopg2.extensions.quote_ident`` / ``psycopg.sql.Identifier``);
- ``copy_out(statement, params, feed)``: run a ``COPY ... TO STDOUT`` and
  call ``feed(data)`` with each block of its output as it arrives;
  ``params`` (or None) are bound into ``statement`` by the driver;
- ``copy_in(statement, text)``: run a ``COPY ... FROM STDIN`` with ``text``.

Statements run in a cursor of their own, in the connection's current
transaction (or autocommit), as any query the caller runs.
"""

import io

__all__ = ["driver"]


class _Writer:
    """The file object psycopg2's ``copy_expert`` writes COPY output to."""

    def __init__(self, feed):
        self.write = feed


class _Psycopg2:
    def __init__(self, conn):
        self.conn = conn

    def quote_ident(self, name):
        from psycopg2.extensions import quote_ident
        return quote_ident(name, self.conn)

    def copy_out(self, statement, params, feed):
        with self.conn.cursor() as cursor:
            if params is not None:
                statement = cursor.mogrify(statement, params)
            cursor.copy_expert(statement, _Writer(feed))

    def copy_in(self, statement, text):
        with self.conn.cursor() as cursor:
            cursor.copy_expert(statement, io.StringIO(text))


class _Psycopg3:
    def __init__(self, conn):
        self.conn = conn

    def quote_ident(self, name):
        from psycopg import sql
        return sql.Identifier(name).as_string(self.conn)

    def copy_out(self, statement, params, feed):
        with self.conn.cursor() as cursor, cursor.copy(statement, params) as copy:
            for block in copy:
                feed(block)

    def copy_in(self, statement, text):
        with self.conn.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(text)


def _connection_class(module):
    """``module``'s connection class if that driver is installed, else None."""
    try:
        if module == "psycopg2":
            import psycopg2.extensions
            return psycopg2.extensions.connection
        import psycopg
        return psycopg.Connection
    except ImportError:
        return None


def driver(conn):
    """The driver interface for a psycopg2 or psycopg connection."""
    for module, cls in (("psycopg2", _Psycopg2), ("psycopg", _Psycopg3)):
        connection_class = _connection_class(module)
        if connection_class is not None and isinstance(conn, connection_class):
            return cls(conn)
    raise TypeError(f"expected a psycopg2 or psycopg connection, not {type(conn).__name__}")
