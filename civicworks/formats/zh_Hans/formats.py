"""Django's Chinese formats, with the digits grouped in threes as Chinese finance and government
pages write amounts (¥2,400,000.00); Django's own leave them ungrouped (¥2400000.00)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403 — every other format as Django has it

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
