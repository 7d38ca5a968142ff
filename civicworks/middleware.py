from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils.translation import gettext as _

from civicworks.inputs import has_nul

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class DatabaseUnavailableMiddleware:
    """A database that is down or restarting answers 503 with Retry-After, never a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            response = HttpResponse(
                _("The service is briefly unavailable. Please try again in a few seconds."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "5"
            return response
        return None


class RefuseNulMiddleware:
    """A NUL byte in the path, the query or a form field is refused with 400 (civicworks.inputs).

    Nobody means one, and PostgreSQL refuses it in any text it compares or stores: without this,
    `/track/%00/` or `?category=%00` reached a query and answered 500. JSON bodies are checked by
    `civicworks.parsers.JSONParser`. (Reading `request.POST` here is what CsrfViewMiddleware does
    too; Django keeps it for the view, and DRF takes it from there.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            return HttpResponse(
                _("The request contains a NUL character, which no address or field may contain."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if has_nul(request.path) or has_nul(request.META.get("QUERY_STRING", "")):
            return True
        if any(has_nul(k) or any(has_nul(v) for v in values) for k, values in request.GET.lists()):
            return True
        if request.method == "POST" and request.content_type in FORM_TYPES:
            return any(has_nul(k) or any(has_nul(v) for v in values) for k, values in request.POST.lists())
        return False
