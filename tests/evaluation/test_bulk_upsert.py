"""civicworks.bulkload.upsert, as the scorecards' computation writes its rows: inserts the new,
updates the changed, leaves the rows whose values are the same untouched (no new row version)."""

from decimal import Decimal

from django.db import connection

from civicworks import bulkload
from evaluation.models import IndicatorValue

FIELDS = ["raw_value", "score", "basis"]


def _versions() -> dict:
    """PostgreSQL: each row version's place (ctid: an UPDATE writes a new version elsewhere); SQLite: none."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind, ctid::text FROM evaluation_indicatorvalue")
        return dict(cursor.fetchall())


def test_upsert_inserts_updates_and_leaves_the_same_rows_alone(cycle, project):
    keys = ["cycle", "project", "kind"]
    first = [
        (cycle.pk, project.pk, "complaint_change", Decimal("10.98"), Decimal("44.50"), "12 → 10"),
        (cycle.pk, project.pk, "on_time_rate", None, None, ""),
        (cycle.pk, project.pk, "budget_execution", 0.5, 73.456, "半数"),  # a float, more places than stored
    ]
    assert bulkload.upsert(IndicatorValue, keys, FIELDS, iter(first)) == 3
    stored = {v.kind: (v.raw_value, v.score, v.basis) for v in IndicatorValue.objects.all()}
    assert stored["complaint_change"] == (Decimal("10.98"), Decimal("44.50"), "12 → 10")
    assert stored["on_time_rate"] == (None, None, "")
    assert stored["budget_execution"][2] == "半数" and round(stored["budget_execution"][1], 2) == Decimal("73.46")
    before = _versions()

    again = [first[0], (cycle.pk, project.pk, "on_time_rate", Decimal("80"), Decimal("80"), "8/10")]
    bulkload.upsert(IndicatorValue, keys, FIELDS, again)
    after = _versions()
    assert IndicatorValue.objects.count() == 3
    assert IndicatorValue.objects.get(kind="on_time_rate").score == Decimal("80")
    assert IndicatorValue.objects.get(kind="complaint_change").basis == "12 → 10"
    if connection.vendor == "postgresql":
        assert after["complaint_change"] == before["complaint_change"], "the same values: not rewritten"
        assert after["on_time_rate"] != before["on_time_rate"]
