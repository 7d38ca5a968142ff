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


def _phone_page(request, *, phone_form=None, code_form=None, status: int = 200):
    context = {
        "phone_form": phone_form or PhoneForm(initial={"phone": request.user.phone}),
        "code_form": code_form or PhoneCodeForm(),
        "pending": request.user.phone_codes.filter(used_at=None).order_by("-created_at").first(),
    }
    return render(request, "accounts/phone.html", context, status=status)


@login_required
@require_GET
def phone(request):
    return _phone_page(request)


def _phone_step(form_class, form_name: str, service, success_message):
    """Both phone forms (send a code, confirm it): the service gets the form's one field and a
    refusal is shown on it (the page again, 400); done, the page says so (formatted with the
    data, as Django's SuccessMessageMixin does) and is shown afresh."""

    @login_required
    @require_POST
    def step(request):
        form = form_class(request.POST)
        if form.is_valid():
            try:
                service(user=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(next(iter(form.fields)), exc)
            else:
                messages.success(request, success_message % form.cleaned_data)
                return redirect("accounts:phone")
        return _phone_page(request, **{form_name: form}, status=400)

    return step


phone_send = _phone_step(
    PhoneForm, "phone_form", services.phone_code_send, gettext_lazy("We sent a 6-digit code to %(phone)s.")
)
phone_confirm = _phone_step(
    PhoneCodeForm, "code_form", services.phone_code_confirm, gettext_lazy("Your mobile number is confirmed.")
)


class EmailView(allauth_views.EmailView):
    """allauth's e-mail page, saying so when a resent confirmation was held back by the rate limit
    (allauth skips it silently: the link sent before still works)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if "action_send" in request.POST and request.POST.get("email") and not self._did_send_verification_email:
            messages.error(request, _("Be patient, you are sending too many requests."))
        return response
