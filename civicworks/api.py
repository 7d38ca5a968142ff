"""The API's one conversion of refusals (settings: REST_FRAMEWORK["EXCEPTION_HANDLER"]) and its pages."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from civicworks import keyset

BAD_PAGE = _(
    "This cursor is not valid for this list, or the page number is beyond %(max)s. "
    "Start from the first page and follow the `next` link: deeper pages are reached by `cursor`."
)


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


class KeysetPagination(BasePagination):
    """Every API list: `?cursor=` (keyset, civicworks/keyset.py) and, for the first pages only,
    `?page=` with the total `count` (null past what the numbered pages hold). Both answer `next` / `previous` as cursor links, so a client
    that follows `next` walks the whole list at the cost of its first page."""

    page_size = api_settings.PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.count = request, None
        token = request.query_params.get("cursor")
        self.numbered = not token
        try:
            if token:
                part = keyset.page_after(queryset, token, self.page_size)
            else:
                part = self._numbered(queryset, keyset.page_number(request.query_params.get("page")))
        except keyset.BadCursor:
            raise ApiValidationError({"cursor": [BAD_PAGE % {"max": keyset.MAX_PAGE_NUMBER}]}) from None
        self.next_cursor, self.previous_cursor = part.next_cursor, part.previous_cursor
        return part.rows

    def _numbered(self, queryset, number: int) -> keyset.Slice:
        self.count = keyset.count_within(queryset, self.page_size)
        start = (number - 1) * self.page_size
        rows = list(keyset.in_key_order(queryset)[start : start + self.page_size + 1])
        part = keyset.Slice(rows[: self.page_size])
        if len(rows) > self.page_size:
            part.next_cursor = keyset.cursor_after(queryset, part.rows[-1])
        if number > 1 and part.rows:
            part.previous_cursor = keyset.cursor_before(queryset, part.rows[0])
        return part

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), "page")
        return replace_query_param(url, "cursor", cursor)

    def get_paginated_response(self, data):
        body = {"next": self._link(self.next_cursor), "previous": self._link(self.previous_cursor), "results": data}
        return Response({"count": self.count, **body} if self.numbered else body)

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        count = (
            f"Numbered pages only: the list's length, or null when it is longer than {keyset.MAX_PAGE_NUMBER} pages."
        )
        properties = {"count": {"type": "integer", "nullable": True, "description": count}}
        properties |= {"next": link, "previous": link, "results": schema}
        return {"type": "object", "required": ["results"], "properties": properties}

    def get_schema_operation_parameters(self, view):
        cursor = "The `next` / `previous` link's cursor: any depth, same cost as the first page."
        page = f"Page number, 1 to {keyset.MAX_PAGE_NUMBER} (deeper: follow `next`, which uses `cursor`)."
        return [
            {"name": "cursor", "required": False, "in": "query", "description": cursor, "schema": {"type": "string"}},
            {"name": "page", "required": False, "in": "query", "description": page, "schema": {"type": "integer"}},
        ]
