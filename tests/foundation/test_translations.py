"""Catalogues are complete and their compiled .mo files match, so no gettext is needed to run."""

from pathlib import Path

import django
import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/*.po") if ".venv" not in p.parts)


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 4


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_compiled(po_path: Path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po if not e.obsolete and ("fuzzy" in e.flags or not e.translated())]
    assert missing == [], f"untranslated in {po_path.name}: {missing}"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), "run `make messages` and commit the .mo file"
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(mo_path))}
    source = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in po if e.translated()}
    assert compiled == source, "the .mo file is stale: run `make messages`"


def _translations(paths) -> dict:
    found: dict = {}
    for path in paths:
        for entry in polib.pofile(str(path)):
            if entry.translated() and not entry.obsolete:
                # A plural's first form is what Chinese (one form) shows.
                text = entry.msgstr or entry.msgstr_plural[0]
                found.setdefault((entry.msgctxt, entry.msgid), {})[str(path)] = text
    return found


def test_one_message_one_chinese_across_the_catalogues_and_djangos():
    """gettext merges every catalogue into one: a msgid translated two ways is translated one way
    everywhere (whichever catalogue wins), and ours override Django's admin (its "Change" read
    "变化" in the console). One meaning, one Chinese; two meanings, two message contexts."""
    django_root = Path(django.__file__).parent
    django_catalogues = [
        django_root / "conf/locale/zh_Hans/LC_MESSAGES/django.po",
        django_root / "contrib/admin/locale/zh_Hans/LC_MESSAGES/django.po",
        django_root / "contrib/auth/locale/zh_Hans/LC_MESSAGES/django.po",
    ]
    everything = _translations([*CATALOGUES, *(p for p in django_catalogues if p.exists())])
    ours = {str(p) for p in CATALOGUES}
    clashes = {
        key: {Path(p).relative_to(ROOT if p in ours else django_root).as_posix(): text for p, text in where.items()}
        for key, where in everything.items()
        if ours & where.keys() and len(set(where.values())) > 1
    }
    assert clashes == {}
