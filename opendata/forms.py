from django import forms
from django.utils.translation import gettext_lazy as _

from civicworks.inputs import FIRST_YEAR, LAST_YEAR

from .departments import Quarter

QUARTERS = [(1, _("Q1")), (2, _("Q2")), (3, _("Q3")), (4, _("Q4"))]


class QuarterForm(forms.Form):
    """`?year=2026&quarter=3`, of the pages and of the API; nothing given is the last complete quarter."""

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTERS, coerce=int)

    def __init__(self, data=None):
        default = Quarter.default()
        given = data if data and ("year" in data or "quarter" in data) else None
        super().__init__(given, initial={"year": default.year, "quarter": default.quarter})

    def chosen(self) -> Quarter:
        if self.is_bound and self.is_valid():
            return Quarter(self.cleaned_data["year"], self.cleaned_data["quarter"])
        return Quarter.default()
