"""The demo seed: consistent, idempotent, sized by options."""

import io

from django.utils import timezone

from feedback import demo
from feedback.models import GridArea, Report, ReportEvent, RoutingRule


def test_seed_is_idempotent_and_consistent(city):
    demo.seed(options={"reports": 40}, stdout=io.StringIO())
    demo.seed(options={"reports": 40}, stdout=io.StringIO())
    assert Report.objects.count() == 40 and RoutingRule.objects.count() == 4
    assert GridArea.objects.count() == 12
    assert not ReportEvent.objects.filter(created_at__gt=timezone.now()).exists()
    assert not Report.objects.filter(department__isnull=True).exists()
    assert all(len(code) == 13 for code in Report.objects.values_list("tracking_code", flat=True))
