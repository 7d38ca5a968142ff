"""Residents' accounts: a fresh cache per test (allauth counts its rate limits there) and the SMS outbox."""

import pytest
from django.core.cache import cache

from civicworks import sms


@pytest.fixture(autouse=True)
def _clean_limits_and_outbox(settings):
    settings.CIVICWORKS_SMS_BACKEND = "civicworks.sms.MemoryBackend"
    cache.clear()
    sms.outbox.clear()
    yield
    cache.clear()
    sms.outbox.clear()
