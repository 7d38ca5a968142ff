"""What the every-page language test reads: the catalogues, the text a person sees on a page, and
the pages themselves, discovered from the URL resolver and the console's registry."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import django
import polib
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[2]
OUR_CATALOGUES = sorted(
    p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if not {".venv", "node_modules"} & set(p.parts)
)
DJANGO_CATALOGUES = [
    Path(django.__file__).parent / f"contrib/{app}/locale/zh_Hans/LC_MESSAGES/django.po"
    for app in ("admin", "auth", "contenttypes")
]
HAN = re.compile(r"[\u4e00-\u9fff]")
LETTERS = re.compile(r"[A-Za-z]{2}")


def normal(text: str) -> str:
    return " ".join(text.split())


def _entries(paths: list[Path]) -> Iterator[polib.POEntry]:
    for path in paths:
        for entry in polib.pofile(str(path)):
            if entry.translated() and not entry.obsolete:
                yield entry


def english_msgids() -> set[str]:
    """English messages that have a Chinese translation: shown as they are on a Chinese page, they leaked."""
    found = set()
    for entry in _entries([*OUR_CATALOGUES, *DJANGO_CATALOGUES]):
        chinese = entry.msgstr or entry.msgstr_plural[0]
        for english in filter(None, (entry.msgid, entry.msgid_plural)):
            if normal(english) != normal(chinese) and LETTERS.search(english) and "%" not in english:
                found.add(normal(english))
    return found


def chinese_msgstrs() -> set[str]:
    """Our Chinese translations: shown on an English page, they leaked (the message was stored or cached in Chinese)."""
    found = set()
    for entry in _entries(OUR_CATALOGUES):
        for chinese in [entry.msgstr, *entry.msgstr_plural.values()]:
            if chinese and HAN.search(chinese) and "%" not in chinese and "{" not in chinese:
                found.add(normal(chinese))
    return found


class VisibleText(HTMLParser):
    """Text nodes outside scripts and styles, and the attributes a person reads or hears."""

    HIDDEN_CONTENT = {"script", "style", "template"}
    READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside_hidden = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.HIDDEN_CONTENT:
            self.inside_hidden += 1
        values = dict(attrs)
        self.texts.extend(values[name] for name in self.READ_ATTRIBUTES if values.get(name))
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.texts.append(values["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN_CONTENT:
            self.inside_hidden = max(0, self.inside_hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self.inside_hidden and data.strip():
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return [normal(t) for t in parser.texts if t.strip()]


# --- Public pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    route: str  # the pattern, for messages
    parameters: frozenset[str]


def _parameters(pattern: URLPattern) -> frozenset[str]:
    regex = pattern.pattern.regex
    return frozenset(regex.groupindex) | ({"<positional>"} if regex.groups > len(regex.groupindex) else set())


def routes(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every named URL pattern of the site, with the parameters it takes."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, (namespace, pattern.namespace)))
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield Route(name, prefix + str(pattern.pattern), _parameters(pattern))


# --- Console pages -----------------------------------------------------------------------------


def registered_admins() -> list[admin.ModelAdmin]:
    return list(admin.site._registry.values())


def custom_admin_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """The URLs a ModelAdmin adds in get_urls beyond Django's own (changelist, add, change, history, delete)."""
    standard = {str(u.pattern) for u in admin.ModelAdmin(model_admin.model, admin.site).get_urls()}
    return [u for u in model_admin.get_urls() if str(u.pattern) not in standard]
