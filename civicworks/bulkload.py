"""Loading many generated rows fast, for the demo city at benchmark sizes.

PostgreSQL gets the rows through COPY (one statement per chunk, no per-row SQL compiled);
other databases (the SQLite default) through `bulk_create`. Rows are plain tuples in the
order of `fields` (attribute names: `category_id`, not `category`), so the generators never
build model instances, which cost more than the load itself at a million rows.
"""

import io
import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import islice

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, models

CHUNK = 20_000


ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    # str() of int, float, Decimal, bool ("True"), date and aware datetime is valid COPY input.
    if value is None:
        return r"\N"
    if value.__class__ is str:
        return value if "\\" not in value and value.isprintable() else value.translate(ESCAPES)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(ESCAPES)
    return str(value)


def copy_text(rows: Iterable[tuple]) -> str:
    """The rows as COPY's text format, one line each (a generator process can make it)."""
    return "".join(["\t".join([_text(v) for v in row]) + "\n" for row in rows])


def load_text(model: type[models.Model], fields: list[str], text: str) -> None:
    """COPY lines made by `copy_text` into `model`'s table (PostgreSQL)."""
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(text))


def _copy(model: type[models.Model], fields: list[str], rows: list[tuple]) -> None:
    load_text(model, fields, copy_text(rows))


def load(model: type[models.Model], fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert `rows` (tuples in `fields` order); returns how many."""
    count, rows = 0, iter(rows)
    while chunk := list(islice(rows, CHUNK)):
        if connection.vendor == "postgresql":
            _copy(model, fields, chunk)
        else:
            model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in chunk], batch_size=500)
        count += len(chunk)
    return count


def in_processes(make: Callable, items: Iterable, *, processes: int) -> Iterator:
    """`make(item)` for each item in `processes` forked processes, the results in the items' order.

    For generators whose work is the CPU's (the demo city's rows); the caller loads each result
    while the next are made, at most `processes` of them ahead (memory stays bounded). What `make`
    reads besides its item is inherited through the fork, not pickled. The forked processes never
    touch the database, and end with os._exit: the parent's connection is left alone.
    """
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pending = deque()
        for item in items:
            pending.append(pool.apply_async(make, (item,)))
            if len(pending) > processes:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


@contextmanager
def indexes_deferred(*tables: type[models.Model]):
    """Load into these models' tables without keeping up their indexes, unique constraints and
    foreign keys row by row, as pg_restore does: each is dropped first and made again, whole, at
    the end (a key or constraint made again checks every row at once, so nothing invalid gets in).

    The primary key stays, and so does a unique constraint another table's key refers to.
    PostgreSQL only, inside the caller's transaction; the tables are locked against readers too
    until it ends, so use it where nobody reads them yet (a first load). Elsewhere it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_deferred() needs a transaction: a failed load must not leave them dropped")
    names = [model._meta.db_table for model in tables]
    with connection.cursor() as cursor:
        # Foreign keys first, so that a unique constraint they refer to is dropped after them.
        cursor.execute(
            """SELECT 'ALTER TABLE ' || conrelid::regclass || ' DROP CONSTRAINT ' || quote_ident(conname),
                      'ALTER TABLE ' || conrelid::regclass || ' ADD CONSTRAINT ' || quote_ident(conname)
                      || ' ' || pg_get_constraintdef(oid)
                 FROM pg_constraint c WHERE conrelid = ANY(%s::regclass[])
                  AND (contype = 'f' OR contype = 'u' AND NOT EXISTS (
                       SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.conrelid
                          AND f.conrelid <> ALL(%s::regclass[]) AND f.confkey = c.conkey))
                ORDER BY contype = 'u'""",
            [names, names],
        )
        keys = cursor.fetchall()
        cursor.execute(
            """SELECT 'DROP INDEX ' || x.indexrelid::regclass, pg_get_indexdef(x.indexrelid)
                 FROM pg_index x WHERE x.indrelid = ANY(%s::regclass[]) AND NOT x.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
            [names],
        )
        indexes = cursor.fetchall()
        # A table with deferred foreign-key checks pending cannot be altered: check them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for drop, _make in keys + indexes:
            cursor.execute(drop)
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _drop, make in indexes + keys[::-1]:  # unique constraints before the keys
            cursor.execute(make)
        # The planner's statistics of the loaded rows, for what reads them next in this transaction
        # (the rollups' first build joins the reports it tallies with their events).
        for name in names:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")


def next_id(model: type[models.Model]) -> int:
    """The first free primary key, for generators that give their rows explicit ids."""
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def reset_sequence(model: type[models.Model]) -> None:
    """After rows were loaded with explicit ids, the next ordinary insert must not collide."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


# Values of these fields go to the driver as they are (what get_db_prep_save would give them).
AS_IS = frozenset(
    {"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "ForeignKey", "IntegerField"}
    | {"PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "TextField"}
)


def _identity(value):
    return value


def upsert(model: type[models.Model], keys: list[str], fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert or update `rows` (tuples in `keys + fields` order) in as few statements as the chunks,
    without model instances; a row whose `fields` already hold the same values is not rewritten
    (no new row version, no trigger of the database's own). Returns how many rows were given.

    INSERT … ON CONFLICT (keys) DO UPDATE … WHERE changed: PostgreSQL, and SQLite ≥ 3.24."""
    opts, quote = model._meta, connection.ops.quote_name
    columns = [opts.get_field(f) for f in [*keys, *fields]]
    table = quote(opts.db_table)
    names = ", ".join(quote(c.column) for c in columns)
    updated = [quote(opts.get_field(f).column) for f in fields]
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in updated)
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    changed = " OR ".join(f"{table}.{c} {differs} EXCLUDED.{c}" for c in updated)
    conflict = ", ".join(quote(opts.get_field(k).column) for k in keys)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy's lookup for each value
    adapt = [
        _identity if c.get_internal_type() in AS_IS else partial(c.get_db_prep_save, connection=db) for c in columns
    ]
    count, rows = 0, iter(rows)
    # SQLite allows 32,766 parameters in a statement.
    size = max(1, min(CHUNK, 30_000 // len(columns)))
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, size)):
            params = [a(v) for row in chunk for a, v in zip(adapt, row, strict=True)]
            values = ", ".join([one] * len(chunk))
            # Table and column names from the model, values as parameters.
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {values} "  # noqa: S608
                f"ON CONFLICT ({conflict}) DO UPDATE SET {sets} WHERE {changed}",
                params,
            )
            count += len(chunk)
    return count
