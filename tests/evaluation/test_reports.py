"""Closing a cycle sends each department its PDF and XLSX once; the numbers equal the scorecards."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import translation
from django.utils.translation import pgettext
from openpyxl import load_workbook
from pypdf import PdfReader

from civicworks.accounts.models import Role, SentNotice
from evaluation import reports, services
from evaluation.models import DepartmentReport, Scorecard
from evaluation.tasks import cycle_reports_send
from tests import factories
from tests.needs import missing

from .conftest import EARLY, answer, inspect


@pytest.fixture(autouse=True)
def _pdf_font():
    """The PDF embeds the CJK font: without its file these tests skip (fail under REQUIRE_SERVICES=1)."""
    if not reports.font_available():
        missing(f"the PDF font {reports.font_path()}", "apt install fonts-wqy-microhei")


def closed_cycle(cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks):
    extra = factories.projects(3, lead_unit=lead_department)
    cycle.projects.add(*extra)
    services.surveys_ensure(cycle=cycle)
    answer(cycle, project, (5, 9), (4, 8))
    inspect(cycle, project, "55", evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    services.orders_issue(cycle=cycle, by=evaluator)
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_close(cycle=cycle, by=evaluator, reason=EARLY)
    return cycle


def test_closing_mails_each_department_once_with_both_files(
    cycle, project, other_project, evaluator, lead_department, other_department, django_capture_on_commit_callbacks
):
    closed_cycle(cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [lead_department.dispatch_email, other_department.dispatch_email]
    )
    message = next(m for m in mail.outbox if m.to == [lead_department.dispatch_email])
    assert [name.rsplit(".", 1)[1] for name, _content, _type in message.attachments] == ["pdf", "xlsx"]

    cycle_reports_send.delay(cycle.pk)  # delivered twice: nothing sent again
    assert len(mail.outbox) == 2
    assert DepartmentReport.objects.filter(cycle=cycle).count() == 2


def pdf_text(report) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(report.pdf.open("rb")).pages)


def test_pdf_has_each_projects_score_in_its_own_cell_and_the_department_name(
    cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks
):
    closed_cycle(cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks)
    report = DepartmentReport.objects.get(cycle=cycle, department=lead_department)

    text = pdf_text(report)

    cards = Scorecard.objects.filter(cycle=cycle, project__lead_unit=lead_department).select_related("project")
    assert cards.count() == 4
    cells = [line.strip() for line in text.splitlines()]  # one table cell per line
    for card in cards:
        assert card.project.code in cells
        assert f"{card.total:.2f}" in cells, card  # the score alone, not glued to the code
        assert f"{card.project.code} {card.total}" not in text
    assert "市住房和城乡建设局" in text
    assert "Review cycle" not in text  # no English subtitle in the department's (Chinese) report
    # The order's findings with their figures: the acceptance's 55.00 against the pass mark.
    assert "55.00" in text and "60.00" in text


def test_pdf_embeds_the_cjk_font(
    cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks
):
    closed_cycle(cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks)
    report = DepartmentReport.objects.get(cycle=cycle, department=lead_department)

    embedded = set()
    for page in PdfReader(report.pdf.open("rb")).pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object().get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                embedded.add(str(font.get_object()["/BaseFont"]))
    assert any(reports.FONT_NAME in name for name in embedded), embedded


def test_a_missing_font_is_a_clear_error(settings, tmp_path, cycle, lead_department, evaluator):
    settings.CIVICWORKS_PDF_FONT = str(tmp_path / "no-such-font.ttc")
    services.cycle_compute(cycle=cycle, by=evaluator)
    with pytest.raises(ImproperlyConfigured, match="fonts-wqy-microhei"):
        reports.build_both(cycle, lead_department)


def test_a_department_reading_english_gets_its_report_in_english(
    cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks
):
    factories.user(username="en_official", role=Role.OFFICIAL, department=lead_department, language="en")
    closed_cycle(cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks)
    report = DepartmentReport.objects.get(cycle=cycle, department=lead_department)

    assert load_workbook(BytesIO(report.xlsx.read())).sheetnames == ["Scorecards", "Rectification orders"]
    text = pdf_text(report)
    assert "Quarterly evaluation 2026Q3" in text and "Rectification orders" in text


def test_sheet_names_are_in_the_departments_language(
    cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks
):
    closed_cycle(cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks)
    report = DepartmentReport.objects.get(cycle=cycle, department=lead_department)

    with translation.override("zh-hans"):  # 评分卡, 整改通知 once the catalogue has them
        expected = [pgettext("sheet", "Scorecards"), pgettext("sheet", "Rectification orders")]
    assert load_workbook(BytesIO(report.xlsx.read())).sheetnames == expected


def test_xlsx_numbers_equal_the_scorecards(
    cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks
):
    closed_cycle(cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks)
    report = DepartmentReport.objects.get(cycle=cycle, department=lead_department)

    sheet = load_workbook(BytesIO(report.xlsx.read())).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))

    cards = {
        c.project.code: c
        for c in Scorecard.objects.filter(cycle=cycle, project__lead_unit=lead_department).select_related("project")
    }
    assert sorted(r[0] for r in rows) == sorted(cards)
    for code, _title, satisfaction, acceptance, indicators, total, _grade, rank_c, rank_d, _change in rows:
        card = cards[code]
        assert as_decimal(total) == card.total
        assert as_decimal(satisfaction) == card.satisfaction_score
        assert as_decimal(acceptance) == card.acceptance_score
        assert as_decimal(indicators) == card.indicators_score
        assert (rank_c, rank_d) == (card.rank_in_category, card.rank_in_district)


def as_decimal(value):
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_refused_mail_is_sent_on_the_next_run(settings, cycle, project, other_project, evaluator, lead_department):
    services.cycle_compute(cycle=cycle, by=evaluator)
    settings.EMAIL_BACKEND = "tests.evaluation.test_reports.BrokenBackend"
    with pytest.raises(OSError):
        services.department_report_send(cycle=cycle, department=lead_department)
    assert not SentNotice.objects.filter(key__startswith="evaluation-report").exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.department_report_send(cycle=cycle, department=lead_department) is True
    assert services.department_report_send(cycle=cycle, department=lead_department) is False
    assert len(mail.outbox) == 1


def test_stored_reports_have_random_names_and_a_rebuild_leaves_no_old_file(
    cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks
):
    closed_cycle(cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks)
    report = DepartmentReport.objects.get(cycle=cycle, department=lead_department)
    first = [report.pdf.name, report.xlsx.name]

    with django_capture_on_commit_callbacks(execute=True):
        cycle_reports_send.delay(cycle.pk)  # delivered again: rebuilt, not mailed
    report.refresh_from_db()

    for name in (report.pdf.name, report.xlsx.name):
        assert re.fullmatch(r"evaluation/[A-Za-z0-9_-]{22}\.(pdf|xlsx)", name), name
        assert name not in first and default_storage.exists(name)
    assert not any(default_storage.exists(name) for name in first)
