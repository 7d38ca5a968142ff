"""Importing a third party's results: all or nothing, every bad row reported."""

from io import BytesIO

import pytest
from openpyxl import Workbook

from evaluation import services
from evaluation.imports import ImportRejected
from evaluation.models import SurveyResponse

GOOD_CSV = (
    "project_code,respondent_ref,satisfaction,happiness,comment\nMX-2026-001,A001,5,9,很好\nMX-2026-002,A002,3,6,\n"
)


def test_good_csv_is_imported(cycle, evaluator):
    count = services.survey_import(cycle=cycle, name="third-party.csv", data=GOOD_CSV.encode(), by=evaluator)
    assert count == 2
    assert SurveyResponse.objects.filter(source="import").count() == 2


def test_bad_csv_changes_nothing_and_reports_every_bad_row(cycle, evaluator):
    bad = (
        "project_code,respondent_ref,satisfaction,happiness\n"
        "MX-2026-001,A001,5,9\n"  # fine
        "MX-9999-999,A002,4,8\n"  # unknown project
        "MX-2026-001,A003,6,8\n"  # satisfaction out of range
        "MX-2026-001,A001,4,x\n"  # duplicate ref and bad happiness
    )
    with pytest.raises(ImportRejected) as rejected:
        services.survey_import(cycle=cycle, name="bad.csv", data=bad.encode(), by=evaluator)
    errors = rejected.value.errors
    assert [e.split(":")[0] for e in errors] == ["Row 3", "Row 4", "Row 5"]
    assert "happiness" in errors[2] and "twice" in errors[2]
    assert not SurveyResponse.objects.exists()


def test_xlsx_import_and_a_bad_xlsx(cycle, evaluator):
    book = Workbook()
    book.active.append(["project_code", "respondent_ref", "satisfaction", "happiness"])
    book.active.append(["MX-2026-001", "X1", 4, 7])
    book.active.append(["MX-2026-001", "X2", 0, 7])
    buffer = BytesIO()
    book.save(buffer)
    with pytest.raises(ImportRejected) as rejected:
        services.survey_import(cycle=cycle, name="r.xlsx", data=buffer.getvalue(), by=evaluator)
    assert len(rejected.value.errors) == 1 and rejected.value.errors[0].startswith("Row 3")
    assert not SurveyResponse.objects.exists()
    with pytest.raises(ImportRejected):
        services.survey_import(cycle=cycle, name="r.xlsx", data=b"not a zip", by=evaluator)


def test_missing_columns_and_wrong_type(cycle, evaluator):
    with pytest.raises(ImportRejected) as rejected:
        services.survey_import(cycle=cycle, name="r.csv", data=b"project_code,satisfaction\n", by=evaluator)
    assert "respondent_ref" in rejected.value.errors[0]
    with pytest.raises(ImportRejected):
        services.survey_import(cycle=cycle, name="r.pdf", data=b"%PDF", by=evaluator)


def test_odd_numbers_are_bad_rows_not_errors(cycle, evaluator):
    data = "project_code,respondent_ref,satisfaction,happiness\nMX-2026-001,A,nan,5\nMX-2026-001,B,4,inf\nMX-2026-001,C,4.0,7\n"
    with pytest.raises(ImportRejected) as rejected:
        services.survey_import(cycle=cycle, name="r.csv", data=data.encode(), by=evaluator)
    assert [e.split(":")[0] for e in rejected.value.errors] == ["Row 2", "Row 3"]
