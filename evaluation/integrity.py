"""Bursts of anonymous survey answers: who looks like one client answering many times.

An anonymous answer is *suspicious* when, on its survey,
- the same client fingerprint answered at least `FINGERPRINT_LIMIT` times within `FINGERPRINT_WINDOW`
  (a fresh cookie each time: one device clearing it; households share an address behind the
  carrier's NAT, hence not 2), or
- at least `BURST_SIZE` anonymous answers arrived within `BURST_WINDOW` (a script, or a group told
  what to answer).
Every answer of such a group is flagged, the earlier ones too. Flags are never cleared
automatically; the evaluator decides (exclude, or include again) in the console.

The fingerprint is an HMAC of the survey, the address and the browser's User-Agent with the
site's secret key: stable within one survey, useless across surveys, and the address cannot be
read back from it. Raw addresses are never stored.
"""

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings

FINGERPRINT_LIMIT = 3
FINGERPRINT_WINDOW = timedelta(hours=24)
BURST_SIZE = 10
BURST_WINDOW = timedelta(minutes=10)


def fingerprint(survey_id: int, address: str, user_agent: str) -> str:
    message = f"survey-fingerprint|{survey_id}|{address}|{user_agent}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def dense_windows(rows: list[tuple[int, datetime]], size: int, window: timedelta) -> set[int]:
    """Ids of the rows (id, time) lying in some span shorter than `window` that holds `size` rows or more."""
    rows = sorted(rows, key=lambda row: row[1])
    flagged: set[int] = set()
    start = 0
    for end in range(len(rows)):
        while rows[end][1] - rows[start][1] >= window:
            start += 1
        if end - start + 1 >= size:
            flagged.update(pk for pk, _at in rows[start : end + 1])
    return flagged


def bursts(rows: Iterable[tuple[int, str, datetime]]) -> set[int]:
    """The suspicious ids among one survey's anonymous answers (id, fingerprint, submitted_at)."""
    rows = list(rows)
    by_client: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for pk, print_, at in rows:
        if print_:
            by_client[print_].append((pk, at))
    flagged = dense_windows([(pk, at) for pk, _print, at in rows], BURST_SIZE, BURST_WINDOW)
    for answers in by_client.values():
        flagged |= dense_windows(answers, FINGERPRINT_LIMIT, FINGERPRINT_WINDOW)
    return flagged
