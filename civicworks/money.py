"""Money as each language writes it: `{% load money %}{{ amount|money }}`.

Chinese: grouped yuan with the sign once (¥2,400,000.00), or from 10,000 on in 万元 where the city
prefers it (240.00 万元; `CIVICWORKS_MONEY_IN_WAN`). English: ¥2,400,000.00. One filter, so pages, the
console, e-mails and exports say an amount the same way.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language, gettext

register = template.Library()

WAN = Decimal(10_000)
CENTS = Decimal("0.01")


def _number(value: Decimal) -> str:
    return formats.number_format(value.quantize(CENTS, ROUND_HALF_UP), 2, use_l10n=True, force_grouping=True)


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    chinese = (get_language() or settings.LANGUAGE_CODE).lower().startswith("zh")
    if chinese and settings.CIVICWORKS_MONEY_IN_WAN and abs(amount) >= WAN:
        return gettext("%(amount)s 10k yuan") % {"amount": _number(amount / WAN)}
    return f"¥{_number(amount)}"
