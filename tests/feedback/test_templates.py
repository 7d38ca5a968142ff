"""Templates keep to the strict CSP: no inline scripts, styles or event handlers; codes are unguessable."""

import re
from pathlib import Path

import feedback
from feedback.models import TRACKING_ALPHABET, TRACKING_LENGTH, new_tracking_code

TEMPLATES = sorted(Path(feedback.__file__).parent.joinpath("templates").rglob("*.html"))


def test_no_inline_script_style_or_handlers():
    assert TEMPLATES
    for path in TEMPLATES:
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\sstyle\s*=", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path


def test_tracking_codes_carry_at_least_64_random_bits():
    assert len(TRACKING_ALPHABET) == 32 and TRACKING_LENGTH * 5 >= 64
    codes = {new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == 13 and set(c) <= set(TRACKING_ALPHABET) for c in codes)
