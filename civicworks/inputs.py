"""Rules for what comes in from outside, in one place (issue 14, finding 10).

Forms, serializers, services, the request middleware and the JSON parser all ask here, so a
rule is stated once:

- **Text** keeps its letters, tabs and line breaks; control characters (C0 but tab, LF, CR;
  DEL; C1), lone surrogates and the non-characters U+FFFE/U+FFFF are dropped: nobody types
  them on purpose, PostgreSQL refuses NUL, and XML 1.0 (Open311) cannot carry most of them.
  The same function cleans stored text on its way into XML or a spreadsheet, for rows written
  before the rule or by a bulk load.
- **A NUL byte** in a URL, a query or a form field is refused outright (400): it is never meant.
- **Dates** a resident may ask for lie in the years 2000–2100 (as project and review years):
  periods and "the period before" are computed from them without leaving the calendar.
- **E-mail addresses** are at most 254 characters (RFC 5321; the column's length).
- **Ids** in URLs and filters are ASCII digits within a 64-bit signed integer.
"""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

NUL = "\x00"
# C0 controls except tab (09), LF (0A) and CR (0D); DEL and C1 (7F–9F); lone surrogates; FFFE/FFFF.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

FIRST_YEAR = 2000
LAST_YEAR = 2100
EARLIEST_DATE = date(FIRST_YEAR, 1, 1)
LATEST_DATE = date(LAST_YEAR, 12, 31)

EMAIL_MAX_LENGTH = 254
MAX_ID = 2**63 - 1


def plain_text(value: str | None) -> str:
    """The text without control characters (tabs and line breaks stay)."""
    return CONTROL_CHARACTERS.sub("", value or "")


def has_nul(value: str) -> bool:
    return NUL in value


def in_calendar(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def validate_calendar_date(value: date | None) -> None:
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s.") % {"first": EARLIEST_DATE, "last": LATEST_DATE},
            code="calendar",
        )


def clean_email(value: str | None) -> str:
    """An optional contact e-mail, trimmed; a bad or overlong one is a ValidationError."""
    value = plain_text(value).strip()
    if not value:
        return ""
    if len(value) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            _("An e-mail address has at most %(max)s characters.") % {"max": EMAIL_MAX_LENGTH}, code="max_length"
        )
    validate_email(value)
    return value


def parse_id(text: str) -> int | None:
    """A positive id written in ASCII digits that fits the database, else None ("²" and "٣" are digits to Python)."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def code_choice(*, label, queryset, empty_label, **extra) -> forms.ModelChoiceField:
    """An optional choice of a row named by its code in the address (`?district=linjiang`): links stay readable."""
    return forms.ModelChoiceField(
        label=label, queryset=queryset, required=False, to_field_name="code", empty_label=empty_label, **extra
    )


def date_choice(*, label) -> forms.DateField:
    """An optional ISO date within the calendar, picked with the browser's date input.

    The value is written in ISO in every language: a date input shows it in the reader's format but
    accepts only ISO (in Chinese, Django's localised "2026/11/03" left the field empty).
    """
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        validators=[validate_calendar_date],
    )
