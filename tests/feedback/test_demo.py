"""The demo seed: consistent, idempotent, sized by options, and built from the declared rules.

The loader writes historic rows for COPY, so it cannot call the services per report; it asks
the same declarations they do (`routing.route_choice`, `REPORT_PATHS`), and these tests check
that every demo report is one the services could have produced.
"""

import io

import pytest
from django.utils import timezone

from feedback import demo, demo_texts, services
from feedback.models import (
    REPORT_PATHS,
    REPORT_STEPS,
    ROUTED_EVENTS,
    STEP_EVENTS,
    STEP_STATUS,
    EventKind,
    GridArea,
    Report,
    ReportEvent,
    ReportStatus,
    ReportStep,
    RoutingRule,
)

from .conftest import INSIDE_WANGJIANG


def test_seed_is_idempotent_and_consistent(city):
    demo.seed(options={"reports": 40}, stdout=io.StringIO())
    demo.seed(options={"reports": 40}, stdout=io.StringIO())
    assert Report.objects.count() == 40 and RoutingRule.objects.count() == 4
    assert GridArea.objects.count() == 12
    assert not ReportEvent.objects.filter(created_at__gt=timezone.now()).exists()
    assert not Report.objects.filter(department__isnull=True).exists()
    assert all(len(code) == 13 for code in Report.objects.values_list("tracking_code", flat=True))


def test_seed_answers_one_manhole_report_with_before_and_after(city, official):
    """The category that requires an "after" photo gets one report, answered through the services."""
    for _run in range(2):
        demo.seed(options={"reports": 40}, stdout=io.StringIO())
    assert Report.objects.count() == 41  # the 40 generated rows and the one answered with photos
    (report,) = Report.objects.filter(category__requires_after_photo=True)
    assert (report.category.code, report.status, report.department) == (
        "manhole",
        ReportStatus.RESOLVED,
        official.department,
    )
    before, after = report.before_after()
    assert before.width and after.width and before.image.name != after.image.name
    assert [e.kind for e in report.events.all()] == [*ROUTED_EVENTS, EventKind.ACCEPTED, EventKind.RESOLVED]


def path_events(status: str) -> list[str]:
    return [*ROUTED_EVENTS, *(STEP_EVENTS[step] for step in REPORT_PATHS[status])]


def test_every_declared_path_takes_only_allowed_steps():
    assert set(REPORT_PATHS) == set(ReportStatus.values) - {ReportStatus.SUBMITTED}
    for status, steps in REPORT_PATHS.items():
        current = ReportStatus.DISPATCHED
        for step in steps:
            assert current in REPORT_STEPS[step], (status, step)
            current = STEP_STATUS[step]
        assert current == status


@pytest.mark.parametrize("status", list(REPORT_PATHS))
def test_the_services_walk_each_declared_path(
    status, road, official, resident, other_department, django_capture_on_commit_callbacks
):
    lat, lng = INSIDE_WANGJIANG
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(category=road, text="路面坑洼", latitude=lat, longitude=lng, reporter=resident)
    code = report.tracking_code
    act = {
        ReportStep.ACCEPT: lambda r: services.report_accept(report=r, by=official),
        ReportStep.TRANSFER: lambda r: services.report_transfer(
            report=r, by=official, department=other_department, reason="不属于本部门职责"
        ),
        ReportStep.RESOLVE: lambda r: services.report_resolve(report=r, by=official, answer="已修复"),
        ReportStep.CONFIRM: lambda r: services.report_confirm(report=r, user=resident, tracking_code=code),
        ReportStep.REOPEN: lambda r: services.report_reopen(
            report=r, user=resident, tracking_code=code, reason="没修好"
        ),
        ReportStep.CLOSE: lambda r: services.report_close(report=r, by=official),
    }
    for step in REPORT_PATHS[status]:
        report = act[step](report)
    report.refresh_from_db()
    assert report.status == status
    assert list(report.events.values_list("kind", flat=True)) == path_events(status)


def test_every_demo_report_is_one_the_services_could_have_produced(city, project, other_project):
    demo.seed(options={"reports": 150}, stdout=io.StringIO())
    reports = Report.objects.select_related("category__department", "project__lead_unit").prefetch_related("events")
    assert {r.status for r in reports} == set(REPORT_PATHS)
    assert {services.report_route(report=r).reason for r in reports} >= {"project", "rule", "category"}
    for report in reports:
        events = list(report.events.all())
        kinds = [e.kind for e in events]
        # A rating and an on-site check change no status: the rest is the path's events.
        steps = [k for k in kinds if k not in (EventKind.RATED, EventKind.SITE_CHECKED)]
        assert steps == path_events(report.status), report.tracking_code
        assert (EventKind.RATED in kinds) == (report.rating is not None)
        assert report.rating is None or report.status in REPORT_STEPS[ReportStep.RATE]
        # Dispatched where the service routes it; still there unless transferred since.
        routed = services.report_route(report=report).department
        assert events[1].kind == EventKind.DISPATCHED and events[1].department_id == routed.pk
        transfers = [e.department_id for e in events if e.kind == EventKind.TRANSFERRED]
        assert report.department_id == (transfers[-1] if transfers else routed.pk)
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)


def test_report_texts_differ_name_their_own_community_and_repeat_with_the_seed(city):
    """The texts of a 600-report city: (nearly) all different, any place they name lies in the report's
    community, and the same seed writes the same texts."""
    demo.seed(options={"reports": 600}, stdout=io.StringIO())
    reports = list(Report.objects.select_related("community").order_by("tracking_code"))
    texts = [r.text for r in reports]
    assert len(set(texts)) >= 0.95 * len(texts)
    places = demo_texts.place_names()
    for report in reports:
        named = {places[name] for name in places if name in report.text}
        assert named <= {report.community.name}, report.text
        assert report.address.startswith(report.community.district.name)
    answers = [r.answer for r in reports if r.answer]
    assert len(set(answers)) >= 0.9 * len(answers)
    Report.objects.all().delete()
    demo.seed(options={"reports": 600}, stdout=io.StringIO())
    assert [r.text for r in Report.objects.order_by("tracking_code")] == texts


def _rows() -> tuple[list, list]:
    reports = list(
        Report.objects.order_by("pk").values_list("pk", *[f for f in demo.REPORT_FIELDS if f != "updated_at"])
    )
    events = sorted(ReportEvent.objects.values_list("report_id", "kind", "department_id", "note", "created_at"))
    return reports, events


def test_blocks_made_at_once_in_processes_are_the_blocks_made_one_by_one(city, categories, monkeypatch):
    """The province's reports are made in one process per core, block by block: each block draws
    from its own generators, so the city is the same whichever way, and the load with indexes
    and foreign keys made afterwards leaves the tables as they were declared."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("generator processes and the deferred indexes are the PostgreSQL load's")

    def schema() -> list:
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT indexdef FROM pg_indexes WHERE tablename IN ('feedback_report', 'feedback_reportevent')
                   UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint
                    WHERE conrelid IN ('feedback_report'::regclass, 'feedback_reportevent'::regclass) ORDER BY 1"""
            )
            return [row[0] for row in cursor.fetchall()]

    declared = schema()
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # both cities of the same moment
    monkeypatch.setattr(demo, "BLOCK", 7)
    demo.seed_reports(count=40, rebuild=False, processes=1)
    one_by_one = _rows()
    assert len(one_by_one[0]) == 40 and schema() == declared
    Report.objects.all().delete()
    demo.seed_reports(count=40, rebuild=False, processes=2)
    assert _rows() == one_by_one and schema() == declared
    # The first block draws from the demo city's seeds of old; another block from its own.
    first, _words = demo._generators(0)
    assert first.random() == __import__("random").Random(20261128).random() != demo._generators(1)[0].random()


def test_a_failed_load_leaves_the_indexes_and_keys_in_place(city):
    from django.db import connection, transaction

    from civicworks import bulkload

    if connection.vendor != "postgresql":
        pytest.skip("the deferred indexes are the PostgreSQL load's")
    count = "SELECT count(*) FROM pg_indexes WHERE tablename = 'feedback_report'"
    with connection.cursor() as cursor:
        cursor.execute(count)
        (before,) = cursor.fetchone()
    with pytest.raises(ZeroDivisionError), transaction.atomic(), bulkload.indexes_deferred(Report):
        with connection.cursor() as cursor:
            cursor.execute(count)
            assert cursor.fetchone()[0] < before  # dropped while loading
        1 / 0  # noqa: B018 — the load fails
    with connection.cursor() as cursor:
        cursor.execute(count)
        assert cursor.fetchone()[0] == before
