"""What a test needs from outside the repository, said once.

On a developer's machine a missing piece skips the test with what is missing and how to get
it; with REQUIRE_SERVICES=1 (CI) it is an error, so nothing quietly does not run there.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CIVICWORKS_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def missing(what: str, how: str) -> None:
    """Skip (or, under REQUIRE_SERVICES=1, fail) because `what` is not here; `how` gets it."""
    message = f"{what} not found — {how}"
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {message}", pytrace=False)
    pytest.skip(message)


def browser_missing(*, axe: bool = True) -> list[str]:
    """What the browser tests lack here: Chromium, axe-core, a Chinese font (else CJK draws as boxes)."""
    lacking = []
    if not shutil.which(CHROMIUM):
        lacking.append(f"{CHROMIUM} (apt install chromium)")
    if axe and not AXE.exists():
        lacking.append("axe-core (npm ci)")
    fonts = (
        subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
        if shutil.which("fc-list")
        else None
    )
    if fonts is None or not fonts.stdout.strip():
        lacking.append("a Chinese font (apt install fonts-noto-cjk)")
    return lacking
