from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils.translation import gettext as _


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
