"""CSV and XLSX writers that stream: rows come from a database cursor in chunks and leave
as they are written, so a 100,000-row export costs one chunk of memory, not the whole table.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from civicworks.inputs import plain_text

from .datasets import Dataset

CHUNK_SIZE = 2000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: str) -> str:
    """A text cell a spreadsheet would run as a formula is prefixed with ' (OWASP CSV injection)."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def cell(value, choices: dict | None):
    if choices is not None and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        # Spreadsheets have no time zones: local time, as the city reads it.
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    if isinstance(value, str):
        # A spreadsheet cell cannot hold control characters (openpyxl refuses the whole file).
        return neutralise(plain_text(value))
    return value


def table(dataset: Dataset, rows: QuerySet) -> Iterator[list]:
    """The header row (translated, in the active language) then the data rows, chunk by chunk."""
    yield dataset.headers()
    choices = [column.choices for column in dataset.columns]
    for row in dataset.values(rows).iterator(chunk_size=CHUNK_SIZE):
        yield [cell(value, kinds) for value, kinds in zip(row, choices, strict=True)]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # the BOM makes Excel read the file as UTF-8 (Chinese text)
    for row in rows:
        yield writer.writerow(["" if value is None else _csv_text(value) for value in row])


def _csv_text(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def filename(dataset: Dataset, fmt: str) -> str:
    return f"{dataset.slug}-{timezone.localdate():%Y%m%d}.{fmt}"


def csv_response(dataset: Dataset, rows: QuerySet) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(table(dataset, rows)), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(dataset, "csv")}"'
    return response


def write_xlsx(dataset: Dataset, rows: QuerySet, target) -> None:
    """A write-only workbook keeps no cells in memory; rows go to its temporary sheet file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(dataset.title)[:31])
    for row in table(dataset, rows):
        sheet.append(row)
    workbook.save(target)


def xlsx_response(dataset: Dataset, rows: QuerySet) -> FileResponse:
    # Spooled to disk first: a ZIP needs its central directory at the end, so it cannot stream.
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write_xlsx(dataset, rows, target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=filename(dataset, "xlsx"), content_type=XLSX_TYPE)


def export_response(dataset: Dataset, rows: QuerySet, fmt: str):
    return csv_response(dataset, rows) if fmt == "csv" else xlsx_response(dataset, rows)
