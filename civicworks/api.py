"""The API's one conversion of refusals (settings: REST_FRAMEWORK["EXCEPTION_HANDLER"])."""

from django.core.exceptions import ValidationError
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    # A service's refusal (civicworks.errors.DomainError, or any ValidationError) is the client's 400.
    if isinstance(exc, ValidationError):
        exc = ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    return drf_exception_handler(exc, context)
