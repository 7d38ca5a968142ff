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

    def clean(self) -> dict:
        cleaned = super().clean()
        email = cleaned.get("email")
        # Counted only for sign-ups that would send a mail: a new account's confirmation, or
        # the "you already have an account" notice, so nobody floods one mailbox.
        if email and not self.errors and not consume(context.request, action="signup_email", key=email):
            raise forms.ValidationError(
                _("Too many sign-ups for this e-mail address. Please try again in an hour."), code="rate_limited"
            )
        return cleaned


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
