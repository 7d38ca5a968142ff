"""Residents' forms: they validate input, the services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicworks.inputs import EMAIL_MAX_LENGTH

from .models import ReportKind, ServiceCategory


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it?"), choices=ReportKind.choices, initial=ReportKind.PROBLEM)
    category = forms.ModelChoiceField(label=_("Category"), queryset=ServiceCategory.objects.filter(is_active=True))
    text = forms.CharField(label=_("Description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    text_is_public = forms.BooleanField(label=_("Show my description on the public map"), required=False, initial=True)
    address = forms.CharField(
        label=_("Address or landmark"), max_length=200, required=False,
        help_text=_("Needed when you do not place the pin on the map."),
    )  # fmt: skip
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    photos = MultiplePhotoField(
        label=_("Photos (up to 5, 10 MB each)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=60, required=False)
    reporter_phone = forms.CharField(label=_("Phone (optional)"), max_length=32, required=False)
    reporter_email = forms.EmailField(label=_("E-mail (optional)"), max_length=EMAIL_MAX_LENGTH, required=False)
    project = forms.CharField(required=False, widget=forms.HiddenInput)
    via = forms.CharField(required=False, widget=forms.HiddenInput)
    not_a_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Honeypot: hidden from people by CSS and from screen readers by aria-hidden; bots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Please leave this field empty."))
        return ""

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("What is still wrong?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class FixedForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Is the problem fixed?"),
        choices=[("fixed", _("Yes, it is fixed")), ("not_fixed", _("No, it is not fixed"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("If it is not fixed: what is still wrong?"),
        help_text=_("The report goes back to the department with your words."),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How well was it handled?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False)


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=40)
