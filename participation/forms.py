"""Residents' forms: they validate, services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicworks.inputs import validate_calendar_date
from projects.models import Community, District, ProjectCategory

from .models import NeedStatus


class NeedFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ProjectCategory.objects.all(), required=False, empty_label=_("All categories")
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False, empty_label=_("All districts")
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *NeedStatus.choices], required=False)


class NeedForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=ProjectCategory.objects.all())
    title = forms.CharField(label=_("Title"), max_length=120)
    text = forms.CharField(
        label=_("What is needed, and why?"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all())
    community = forms.ModelChoiceField(label=_("Community"), queryset=Community.objects.all(), required=False)
    latitude = forms.FloatField(min_value=-90, max_value=90, required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(min_value=-180, max_value=180, required=False, widget=forms.HiddenInput)
    photo = forms.FileField(label=_("Photo (optional)"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        community, district = data.get("community"), data.get("district")
        if community and district and community.district_id != district.pk:
            self.add_error("community", _("This community is not in the chosen district."))
        elif data.get("latitude") is None or data.get("longitude") is None:
            # Without JavaScript there is no map pin: the need sits at the centre of its area.
            area = community or district
            if area is not None:
                data["latitude"], data["longitude"] = boundary_centre(area.boundary)
        return data


def boundary_centre(boundary: dict) -> tuple[float, float]:
    """The centre of a GeoJSON polygon's bounding box, as (lat, lng)."""
    ring = (boundary or {}).get("coordinates", [[]])[0] or [[0.0, 0.0]]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    return (min(lats) + max(lats)) / 2, (min(lngs) + max(lngs)) / 2


class ObserverApplyForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Your community"), queryset=Community.objects.all())
    motivation = forms.CharField(
        label=_("Why do you want to be a citizen observer?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m"], required=False, validators=[validate_calendar_date]
    )
