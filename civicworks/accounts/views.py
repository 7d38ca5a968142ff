"""A signed-in resident's own data: see it, download it (JSON), delete the account."""

from allauth.account import views as allauth_views
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from civicworks.errors import DomainError

from . import mydata, services
from .forms import PhoneCodeForm, PhoneForm


class EraseForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct. Nothing was deleted."))
        return password


def _page(request, form: EraseForm, status: int = 200):
    data = mydata.account_export(request.user)
    context = {"data": data, "form": form, "may_erase": mydata.may_erase(request.user)}
    return render(request, "accounts/my_data.html", context, status=status)


@login_required
@require_GET
def my_data(request):
    return _page(request, EraseForm(user=request.user))


@login_required
@require_GET
def my_data_download(request):
    body = DjangoJSONEncoder(ensure_ascii=False, indent=2).encode(mydata.account_export(request.user))
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="civicworks-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def my_data_erase(request):
    if not mydata.may_erase(request.user):
        messages.error(request, _("Staff accounts are closed by a city administrator."))
        return redirect("accounts:my-data")
    form = EraseForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, form, status=400)
    mydata.account_erase(user=request.user)
    logout(request)
    messages.success(request, _("Your account and your personal data have been deleted."))
    return redirect("/")


def _phone_page(request, phone_form: PhoneForm, code_form: PhoneCodeForm, status: int = 200):
    pending = request.user.phone_codes.filter(used_at=None).order_by("-created_at").first()
    context = {"phone_form": phone_form, "code_form": code_form, "pending": pending}
    return render(request, "accounts/phone.html", context, status=status)


@login_required
@require_GET
def phone(request):
    return _phone_page(request, PhoneForm(initial={"phone": request.user.phone}), PhoneCodeForm())


@login_required
@require_POST
def phone_send(request):
    form = PhoneForm(request.POST)
    if form.is_valid():
        try:
            services.phone_code_send(user=request.user, phone=form.cleaned_data["phone"])
        except DomainError as exc:
            form.add_error("phone", exc)
        else:
            messages.success(request, _("We sent a 6-digit code to %(phone)s.") % {"phone": form.cleaned_data["phone"]})
            return redirect("accounts:phone")
    return _phone_page(request, form, PhoneCodeForm(), status=400)


@login_required
@require_POST
def phone_confirm(request):
    form = PhoneCodeForm(request.POST)
    if form.is_valid():
        try:
            services.phone_code_confirm(user=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc)
        else:
            messages.success(request, _("Your mobile number is confirmed."))
            return redirect("accounts:phone")
    return _phone_page(request, PhoneForm(initial={"phone": request.user.phone}), form, status=400)


class EmailView(allauth_views.EmailView):
    """allauth's e-mail page, saying so when a resent confirmation was held back by the rate limit
    (allauth skips it silently: the link sent before still works)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if "action_send" in request.POST and request.POST.get("email") and not self._did_send_verification_email:
            messages.error(request, _("Be patient, you are sending too many requests."))
        return response
