"""One way to say no.

A service refuses with a `DomainError`: a code and a translated message (or messages per field).
It is a Django `ValidationError`, so forms show it beside the field and the console as a
message; the API turns it, and every `ValidationError` a service raises, into a 400 once
(`civicworks.api.exception_handler`), so no API view converts errors of its own. A refusal of
*who* (not *what*) stays Django's `PermissionDenied` (403).
"""

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    def __init__(self, message, code: str = "refused", params=None) -> None:
        super().__init__(message, code=code, params=params)

    def __str__(self) -> str:
        return " ".join(self.messages)
