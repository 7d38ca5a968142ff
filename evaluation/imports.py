"""Import a third party's survey results (CSV or XLSX): every row checked first, then all or nothing.

Columns (header row, in any order): project_code, respondent_ref, satisfaction (1–5),
happiness (0–10), comment (optional).
"""

import csv
from dataclasses import dataclass, field
from io import BytesIO, StringIO

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .models import ResponseKind, ResponseSource, ReviewCycle, Survey, SurveyResponse

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
REQUIRED = ("project_code", "respondent_ref", "satisfaction", "happiness")


class ImportRejected(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class Checked:
    responses: list[SurveyResponse] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seen: set = field(default_factory=set)


def read_table(name: str, data: bytes) -> list[dict]:
    """Rows as dicts keyed by the lower-cased header; raises ImportRejected on an unreadable file."""
    if len(data) > MAX_BYTES:
        raise ImportRejected([_("The file is larger than 5 MB.")])
    lower = name.lower()
    if lower.endswith(".csv"):
        return read_csv(data)
    if lower.endswith(".xlsx"):
        return read_xlsx(data)
    raise ImportRejected([_("Upload a .csv or .xlsx file.")])


def read_csv(data: bytes) -> list[dict]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejected([_("The CSV file is neither UTF-8 nor GB18030 text.")])
    try:
        table = list(csv.reader(StringIO(text)))
    except csv.Error as exc:
        raise ImportRejected([_("The CSV file cannot be read: %(error)s") % {"error": exc}]) from exc
    return rows_from(table)


def read_xlsx(data: bytes) -> list[dict]:
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ImportRejected([_("The spreadsheet cannot be opened.")]) from exc
    sheet = book.worksheets[0]
    table = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)
    ]
    return rows_from(table)


def rows_from(table: list[list[str]]) -> list[dict]:
    if not table:
        raise ImportRejected([_("The file is empty.")])
    header = [h.strip().lower() for h in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportRejected([_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}])
    if len(table) - 1 > MAX_ROWS:
        raise ImportRejected([_("At most %(n)d rows per file.") % {"n": MAX_ROWS}])
    return [
        dict(zip(header, (c.strip() for c in row), strict=False)) for row in table[1:] if any(c.strip() for c in row)
    ]


def whole_number(value: str, low: int, high: int) -> int | None:
    """The cell as an integer within [low, high], or None ("4", "4.0" and 4 are fine; "nan", "x" are not)."""
    try:
        number = float(value)
        whole = int(number)
    except (TypeError, ValueError, OverflowError):
        return None
    if number != whole or not low <= whole <= high:
        return None
    return whole


def check_row(line: int, row: dict, surveys: dict[str, Survey], existing: set, checked: Checked) -> None:
    problems = []
    survey = surveys.get(row.get("project_code", ""))
    if survey is None:
        problems.append(_("project %(code)s is not in this cycle") % {"code": row.get("project_code") or "—"})
    ref = row.get("respondent_ref", "")
    if not ref or len(ref) > 64:
        problems.append(_("respondent_ref is required (at most 64 characters)"))
    elif survey and ((survey.pk, ref) in checked.seen or (survey.pk, ref) in existing):
        problems.append(_("respondent %(ref)s appears twice") % {"ref": ref})
    satisfaction = whole_number(row.get("satisfaction", ""), 1, 5)
    if satisfaction is None:
        problems.append(_("satisfaction must be a whole number from 1 to 5"))
    happiness = whole_number(row.get("happiness", ""), 0, 10)
    if happiness is None:
        problems.append(_("happiness must be a whole number from 0 to 10"))
    if problems or survey is None or satisfaction is None or happiness is None:
        checked.errors.append(_("Row %(line)d: %(problems)s.") % {"line": line, "problems": "; ".join(problems)})
        return
    checked.seen.add((survey.pk, ref))
    checked.responses.append(
        SurveyResponse(
            survey=survey,
            external_ref=ref,
            source=ResponseSource.IMPORT,
            kind=ResponseKind.THIRD_PARTY,  # the third party's own respondents: they count
            satisfaction=satisfaction,
            happiness=happiness,
            comment=row.get("comment", "")[:2000],
        )
    )


def check_rows(cycle: ReviewCycle, rows: list[dict]) -> Checked:
    surveys = {s.project.code: s for s in Survey.objects.filter(cycle=cycle).select_related("project")}
    existing = set(
        SurveyResponse.objects.filter(survey__cycle=cycle)
        .exclude(external_ref="")
        .values_list("survey_id", "external_ref")
    )
    checked = Checked()
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        check_row(line, row, surveys, existing, checked)
    if not rows:
        checked.errors.append(_("The file has no data rows."))
    return checked


@transaction.atomic
def store(checked: Checked) -> int:
    SurveyResponse.objects.bulk_create(checked.responses)
    return len(checked.responses)
