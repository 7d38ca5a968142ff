from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .models import Role


def field_landing(user) -> str | None:
    """A grid worker's day starts in the field (/field/): the phone pages, not the console (issue 17)."""
    if user.is_authenticated and user.role == Role.GRID_WORKER:
        return reverse("feedback:field")  # the app's URL by name: the core imports no app
    return None


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", "")
        # Notifications are written in the language the account was opened in.
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request):
        # Only where no `next` was asked for: allauth gives a safe `next` precedence over this.
        return field_landing(request.user) or super().get_login_redirect_url(request)
