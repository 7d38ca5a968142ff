"""The residents' account forms: allauth's, with a display name, and the phone number."""

from allauth.account import forms as allauth_forms
from allauth.core import context
from allauth.core.ratelimit import consume
from django import forms
from django.utils.translation import gettext_lazy as _

from civicworks.inputs import plain_text

from .services import normalise_phone


class ResidentSignupForm(allauth_forms.SignupForm):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=60,
        help_text=_("Shown with what you propose and support. Write it as you like, e.g. 张小梅."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    field_order = ["display_name", "email", "password1", "password2"]

    def clean_display_name(self) -> str:
        name = plain_text(self.cleaned_data["display_name"]).strip()
        if not name:
            raise forms.ValidationError(_("Write the name to show."))
        return name

    def clean_email(self) -> str:
        # Every try at an address counts, refused ones too: sign-up answers whether an address
        # is taken, and this keeps anyone from probing one address (or mailing it) in a loop.
        email = self.cleaned_data["email"].lower()
        if not consume(context.request, action="signup_email", key=email):
            # allauth's wording, so the refusal reads the same as its other limits.
            raise forms.ValidationError(_("Be patient, you are sending too many requests."), code="rate_limited")
        return super().clean_email()


class LoginForm(allauth_forms.LoginForm):
    def user_credentials(self) -> dict:
        # django-axes counts failures per typed name, whichever way (username or e-mail) it was typed.
        return super().user_credentials() | {"login": self.cleaned_data["login"]}


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        help_text=_("A Chinese mobile number (11 digits) or an international number starting with +."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
