"""The API's one conversion of refusals (settings: REST_FRAMEWORK["EXCEPTION_HANDLER"])."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    # A service's refusal (civicworks.errors.DomainError, or any ValidationError) is the client's 400.
    if isinstance(exc, ValidationError):
        unverified = getattr(exc, "code", None) == "unverified"
        messages = exc.messages
        exc = ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else messages)
        if unverified:
            # A client can tell this refusal from the others and send its user where the mail is resent.
            response = drf_exception_handler(exc, context)
            response.data = {"detail": " ".join(messages), "code": "unverified", "verify_url": reverse("account_email")}
            return response
    return drf_exception_handler(exc, context)
