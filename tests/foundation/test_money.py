"""Money and numbers as each language writes them, by one filter."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from civicworks.money import money


@pytest.mark.parametrize(
    ("language", "amount", "written"),
    [
        ("zh-hans", Decimal("2400000"), "240.00 万元"),
        ("zh-hans", Decimal("280000.00"), "28.00 万元"),
        ("zh-hans", Decimal("12345.675"), "1.23 万元"),
        ("zh-hans", Decimal("9999.995"), "¥10,000.00"),
        ("zh-hans", Decimal("2400.5"), "¥2,400.50"),
        ("en", Decimal("2400000"), "¥2,400,000.00"),
        ("en", Decimal("280000.00"), "¥280,000.00"),
        ("en", Decimal("-1234.5"), "¥-1,234.50"),
    ],
)
def test_amounts_in_each_language_for_a_city_that_prefers_wan(settings, language, amount, written):
    settings.CIVICWORKS_MONEY_IN_WAN = True
    with translation.override(language):
        assert money(amount) == written


def test_by_default_chinese_amounts_are_exact_grouped_yuan():
    with translation.override("zh-hans"):
        assert money(Decimal("2400000")) == "¥2,400,000.00"
        assert money(Decimal("86031.5")) == "¥86,031.50"


def test_no_amount_is_a_dash():
    assert money(None) == "—"


def test_chinese_numbers_are_grouped_in_threes_like_english():
    template = Template('{{ n|floatformat:"2g" }}')
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert template.render(Context({"n": Decimal("2400000")})) == "2,400,000.00"
