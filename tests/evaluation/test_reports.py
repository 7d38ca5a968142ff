"""Closing a cycle sends each department its PDF and XLSX once; the numbers equal the scorecards."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.mail.backends.base import BaseEmailBackend
from openpyxl import load_workbook
from pypdf import PdfReader

from civicworks.accounts.models import SentNotice
from evaluation import services
from evaluation.models import DepartmentReport, Scorecard
from evaluation.tasks import cycle_reports_send
from tests import factories

from .conftest import EARLY, answer, inspect


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


def test_pdf_contains_each_projects_score(
    cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks
):
    closed_cycle(cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks)
    report = DepartmentReport.objects.get(cycle=cycle, department=lead_department)

    text = "".join(page.extract_text() for page in PdfReader(report.pdf.open("rb")).pages)

    cards = Scorecard.objects.filter(cycle=cycle, project__lead_unit=lead_department).select_related("project")
    assert cards.count() == 4
    for card in cards:
        assert f"{card.project.code} {card.total}" in text
    assert project.code in text  # its rectification order is listed


def test_xlsx_numbers_equal_the_scorecards(
    cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks
):
    closed_cycle(cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks)
    report = DepartmentReport.objects.get(cycle=cycle, department=lead_department)

    sheet = load_workbook(BytesIO(report.xlsx.read()))["Scorecards"]
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
