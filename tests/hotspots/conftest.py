"""The hotspot world: an empty cache (reports at a given place and age come from tests/factories.py)."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
