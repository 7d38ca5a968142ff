"""Reuse the feedback world (categories, cache reset, media in a temp folder)."""

from tests.feedback.conftest import _fresh_rate_limit, _media_in_tmp  # noqa: F401
