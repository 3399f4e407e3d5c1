"""shmcache for Python: frames into pandas and numpy, as Arrow.

A shmcache frame lives once in PostgreSQL's shared memory.  These functions
read it (or any query) with ``COPY ... TO STDOUT (FORMAT arrow)``: the
server writes the columns as Arrow record batches, and the client turns
them into numpy arrays without parsing text, over an ordinary psycopg2 or
psycopg (3) connection::

    import psycopg2, shmcache
    conn = psycopg2.connect("dbname=app")
    ticks = shmcache.read_frame(conn, "ticks")                      # DataFrame
    aapl = shmcache.read_frame(conn, "ticks", ["ts", "price"],
                               where="symbol = %s", params=("AAPL",))
    daily = shmcache.read_query(conn, "SELECT ... GROUP BY ...")
    arrays = shmcache.read_frame_arrays(conn, "ticks")              # numpy
    shmcache.append_frame(conn, "ticks", new_rows); conn.commit()

``read_frame(conn, frame, columns=None, where=None, params=None)``
    ``frame`` is one identifier (found through the search_path) or a
    ``(schema, name)`` pair; it and ``columns`` are quoted by the driver.
    ``where`` is SQL text the caller owns and vouches for (it is put in the
    statement as it is); values belong in ``params``, bound by the driver.
``read_query(conn, sql, params=None)``
    Any query that ``COPY (query) TO`` takes.
``read_frame_arrays`` / ``read_query_arrays``
    ``{column name: numpy array}`` instead of a DataFrame.  A column with
    NULLs is a ``numpy.ma.MaskedArray`` (masked where NULL); one without is
    a plain ndarray.
``append_frame(conn, frame, dataframe)``
    Appends rows with ``COPY ... FROM STDIN``; the caller commits.

Every read takes ``reader="auto"``: pyarrow decodes the record batches when
it is installed, otherwise (Debian 12 ships no pyarrow) the package's own
numpy-only reader does.  Both give the same result.

What each PostgreSQL type becomes (numpy arrays / DataFrame columns):

===================  =====================================================
int2, int4, int8     int16, int32, int64; in pandas with NULLs the
                     nullable Int16/Int32/Int64 (exact)
float4, float8       float32, float64; NULL is NaN (also in pandas)
bool                 bool; in pandas with NULLs the nullable ``boolean``
numeric(p, s)        decimal.Decimal objects, exact (p <= 38; a numeric
                     without precision comes as text, str)
text, varchar, char  frames: ``pandas.Categorical`` (categories sorted; in
                     numpy, str objects); queries: str objects
bytea                bytes objects
date                 datetime64[D]; in pandas datetime64 (``datetime.date``
                     objects if outside pandas' range)
time                 timedelta64[us] since midnight; in pandas timedelta64
timestamp            datetime64[us]; in pandas datetime64
timestamptz          datetime64[us] (UTC); in pandas datetime64 tz-aware
                     (UTC)
interval             structured array (months, days, nanoseconds); in
                     pandas ``pandas.DateOffset(months=, days=,
                     microseconds=)`` objects
uuid                 uuid.UUID objects
json, jsonb, other   str objects (the type's text output)
arrays               per row a numpy array of the elements, or None; an
                     object array, None for NULL, if elements are NULL
===================  =====================================================
"""

from ._client import (append_frame, read_frame, read_frame_arrays, read_query,
                      read_query_arrays)
from ._schema import ArrowError

__all__ = ["ArrowError", "append_frame", "read_frame", "read_frame_arrays", "read_query",
           "read_query_arrays"]
__version__ = "0.1.0"
