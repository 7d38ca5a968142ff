"""A signed-in resident's own data: see it, download it (JSON), delete the account."""

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

from . import mydata


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
