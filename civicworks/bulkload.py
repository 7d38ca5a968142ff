"""Loading many generated rows fast, for the demo city at benchmark sizes.

PostgreSQL gets the rows through COPY (one statement per chunk, no per-row SQL compiled);
other databases (the SQLite default) through `bulk_create`. Rows are plain tuples in the
order of `fields` (attribute names: `category_id`, not `category`), so the generators never
build model instances, which cost more than the load itself at a million rows.
"""

import io
import json
from collections.abc import Iterable
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


def _copy(model: type[models.Model], fields: list[str], rows: list[tuple]) -> None:
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    buffer = io.StringIO()
    buffer.writelines("\t".join([_text(v) for v in row]) + "\n" for row in rows)
    buffer.seek(0)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


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
