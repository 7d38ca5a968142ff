"""Loading many generated rows fast, for the demo city at benchmark sizes.

PostgreSQL gets the rows through COPY (one statement per chunk, no per-row SQL compiled);
other databases (the SQLite default) through `bulk_create`. Rows are plain tuples in the
order of `fields` (attribute names: `category_id`, not `category`), so the generators never
build model instances, which cost more than the load itself at a million rows.
"""

import io
import json
from collections.abc import Iterable
from itertools import islice

from django.core.management.color import no_style
from django.db import connection, models

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
