from django import forms
from django.utils.translation import gettext_lazy as _


class SiteCheckForm(forms.Form):
    """A check from a phone: what was found, a photo from the camera, and (by the page's script) the position."""

    note = forms.CharField(
        label=_("What did you find on site?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
