"""The filters of the map and the list (GET forms: they work without JavaScript)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicworks.inputs import code_choice

from .models import Department, District, ProjectCategory, Stage


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    district = code_choice(label=_("District"), queryset=District.objects.all(), empty_label=_("All districts"))
    category = code_choice(label=_("Category"), queryset=ProjectCategory.objects.all(), empty_label=_("All categories"))
    stage = forms.ChoiceField(label=_("Stage"), choices=[("", _("All stages")), *Stage.choices], required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, empty_label=_("All departments")
    )

    def clean(self) -> dict:
        data = super().clean()
        # Selectors take plain codes and ids, the same as the API's query parameters.
        for name in ("district", "category"):
            data[name] = data[name].code if data.get(name) else ""
        data["department"] = data["department"].pk if data.get("department") else None
        return data
