"""Figures per department and district, computed in SQL, against hand-counted numbers."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from feedback import rollups, selectors, services
from feedback.models import Report


def _report(road, official, submitted: datetime, hours: float | None, rating: int | None, kind="problem"):
    report = services.report_submit(category=road, text="坑", latitude=30.69, longitude=103.99, kind=kind)
    fields = {
        "submitted_at": submitted, "department": official.department, "status": "dispatched",
        "dispatched_at": submitted, "due_at": submitted + timedelta(hours=48),
    }  # fmt: skip
    if hours is not None:
        fields.update(status="closed", resolved_at=submitted + timedelta(hours=hours), rating=rating)
    Report.objects.filter(pk=report.pk).update(**fields)
    rollups.sync([report.pk])  # update() bypasses save(): the rollups are told


def test_figures_of_a_month(road, official):
    tz = timezone.get_current_timezone()
    november = datetime(2026, 11, 10, 9, tzinfo=tz)
    _report(road, official, november, 10, 5)
    _report(road, official, november, 30, 3)
    _report(road, official, november, 60, None)  # late
    _report(road, official, november, None, None)  # still open
    _report(road, official, datetime(2026, 10, 5, tzinfo=tz), 5, 4)  # previous period
    figures = selectors.figures(period=selectors.period_from("2026-11"))
    (row,) = figures["by_department"]
    assert row["name"] == official.department.name and row["reports"] == 4
    assert row["closure_rate"] == 0.75 and row["on_time_rate"] == 2 / 3
    assert row["median_hours"] == 30.0 and row["satisfaction"] == 4.0
    assert row["complaints"] == 4 and row["complaints_before"] == 1
    assert figures["by_district"][0]["name"] == "临江区"
    assert selectors.period_from("2026-Q4").previous().label == "2026-Q3"
    assert selectors.period_from("2026-01").previous().label == "2025-12"


def test_public_figures_page_opens_on_the_last_complete_month(client, road, official):
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    _report(road, official, timezone.now() - timedelta(days=timezone.localdate().day + 1), 10, 5)
    response = client.get(reverse("feedback:figures"))
    assert response.status_code == 200 and official.department.name in response.content.decode()
    assert response.context["figures"]["period"].label == last_month.strftime("%Y-%m")
    assert response.context["figures"]["by_department"][0]["reports"] == 1
    assert client.get(reverse("feedback:figures"), {"period": "garbage"}).status_code == 200


def test_satisfaction_is_rounded_half_up(road, official):
    """40 ratings summing to 127: 3.175 → 3.18, as the scorecards round. round() of the float
    average (3.17499…) gave 3.17 on both databases."""
    november = datetime(2026, 11, 10, 9, tzinfo=timezone.get_current_timezone())
    for rating in [4] * 7 + [3] * 33:
        _report(road, official, november, 10, rating)

    (row,) = selectors.figures(period=selectors.period_from("2026-11"))["by_department"]

    assert str(row["satisfaction"]) == "3.18"
