"""Keyset (cursor) pages: a page deep in a list costs what the first page costs.

OFFSET makes the database read and throw away every row before the page (page 2,000 of the
project list read 100,000 rows). A cursor instead names the last row shown, by the values of
the list's sort key, and the next page is "the rows after these values" — an index range.
The API (`?cursor=`, civicworks/api.py) and the HTML lists (`?cursor=` beyond the numbered
first pages, `list_page` below) share this module. See docs/performance.md.

A cursor is signed (django.core.signing) with the list's ordering in its salt: a changed or
foreign cursor is refused (`BadCursor`, a 400), never turned into SQL.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F, Model, Q, QuerySet
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

# Pages by number (OFFSET) stay for the first pages only: old links and clients keep working
# and OFFSET is cheap that shallow. Beyond, the `next` link carries a cursor.
MAX_PAGE_NUMBER = 50


class BadCursor(ValueError):
    """A cursor or page number this list does not serve: the client's 400, never a 500."""


@dataclass(frozen=True)
class Key:
    """One column of a sort key: `path` as in order_by ("-year", "project__code")."""

    path: str
    descending: bool
    nullable: bool
    to_python: Any

    def ordered(self, *, backwards: bool) -> F:
        descending = self.descending != backwards
        expression = F(self.path)
        # NULLs sort last going forward on every database (SQLite and PostgreSQL disagree by
        # default); a NOT NULL column keeps the plain order so that its index serves it.
        if not self.nullable:
            return expression.desc() if descending else expression.asc()
        nulls = {"nulls_first": True} if backwards else {"nulls_last": True}
        return expression.desc(**nulls) if descending else expression.asc(**nulls)

    def beyond(self, value, *, backwards: bool) -> Q:
        """Rows strictly past `value` in the walking direction."""
        if value is None:  # NULLs are last: nothing lies beyond, everything not NULL lies before
            return Q(pk__in=[]) if not backwards else Q(**{f"{self.path}__isnull": False})
        lookup = "lt" if self.descending != backwards else "gt"
        past = Q(**{f"{self.path}__{lookup}": value})
        return past | Q(**{f"{self.path}__isnull": True}) if self.nullable and not backwards else past

    def equal(self, value) -> Q:
        return Q(**{f"{self.path}__isnull": True}) if value is None else Q(**{self.path: value})

    def value_of(self, row: Model):
        for name in self.path.split("__"):
            row = getattr(row, name) if row is not None else None
        return row


def _field(model: type[Model], path: str, queryset: QuerySet):
    if path in queryset.query.annotations:
        return queryset.query.annotations[path].output_field
    for name in path.split("__")[:-1]:
        model = model._meta.get_field(name).related_model
    found = model._meta.get_field(path.split("__")[-1])
    return found.target_field if found.is_relation else found


def keys_of(queryset: QuerySet) -> list[Key]:
    """The queryset's ordering as keys, ended by the primary key unless a unique column ends it."""
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering)
    keys = []
    for item in ordering:
        if not isinstance(item, str) or item == "?":
            raise TypeError(f"keyset pages need plain field names in order_by, not {item!r}")
        path = item.lstrip("-")
        path = queryset.model._meta.pk.name if path == "pk" else path
        column = _field(queryset.model, path, queryset)
        keys.append(Key(path, item.startswith("-"), bool(getattr(column, "null", False)), column.to_python))
    last = _field(queryset.model, keys[-1].path, queryset) if keys else None
    if last is None or "__" in keys[-1].path or not (last.primary_key or last.unique) or keys[-1].nullable:
        descending = keys[-1].descending if keys else False
        keys.append(Key(queryset.model._meta.pk.name, descending, False, queryset.model._meta.pk.to_python))
    return keys


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


def _salt(keys: Sequence[Key]) -> str:
    return "keyset:" + ",".join(("-" if k.descending else "") + k.path for k in keys)


def encode(keys: Sequence[Key], row: Model, *, backwards: bool = False) -> str:
    values = [_plain(key.value_of(row)) for key in keys]
    return signing.dumps({"k": values, "b": int(backwards)}, salt=_salt(keys), compress=True)


def decode(keys: Sequence[Key], token: str) -> tuple[list, bool]:
    try:
        payload = signing.loads(token, salt=_salt(keys))
        values = [None if raw is None else key.to_python(raw) for key, raw in zip(keys, payload["k"], strict=True)]
        return values, bool(payload["b"])
    except (signing.BadSignature, ValidationError, KeyError, TypeError, ValueError) as exc:
        raise BadCursor(str(exc)) from None


def beyond(keys: Sequence[Key], values: Sequence, *, backwards: bool) -> Q:
    """(k1 past v1) or (k1 = v1 and k2 past v2) or …: the rows after (or before) a cursor."""
    condition, equal_so_far = Q(pk__in=[]), Q()
    for key, value in zip(keys, values, strict=True):
        condition |= equal_so_far & key.beyond(value, backwards=backwards)
        equal_so_far &= key.equal(value)
    first, value = keys[0], values[0]
    if value is not None and not first.nullable:
        # Redundant, for the planner: a range on the index's first column where the scan starts.
        lookup = "lte" if first.descending != backwards else "gte"
        condition &= Q(**{f"{first.path}__{lookup}": value})
    return condition


@dataclass
class Slice:
    """One page of rows by cursor, with the cursors of its neighbours (None: no such page)."""

    rows: list
    next_cursor: str | None = None
    previous_cursor: str | None = None


def in_key_order(queryset: QuerySet, *, backwards: bool = False) -> QuerySet:
    """The queryset in the order its cursors walk (unique, NULLs last); numbered pages use it too."""
    return queryset.order_by(*(key.ordered(backwards=backwards) for key in keys_of(queryset)))


def page_after(queryset: QuerySet, token: str | None, size: int) -> Slice:
    """The page after (or, for a backwards cursor, before) `token`; the first page without one."""
    keys = keys_of(queryset)
    values, backwards = decode(keys, token) if token else (None, False)
    rows = queryset.order_by(*(key.ordered(backwards=backwards) for key in keys))
    if values is not None:
        rows = rows.filter(beyond(keys, values, backwards=backwards))
    rows = list(rows[: size + 1])  # one more than shown: whether a page lies beyond
    more = len(rows) > size
    rows = rows[:size][::-1] if backwards else rows[:size]
    if not rows:
        return Slice(rows)
    after = encode(keys, rows[-1]) if (more or backwards) else None
    before = encode(keys, rows[0], backwards=True) if ((more and backwards) or (token and not backwards)) else None
    return Slice(rows, after, before)


def cursor_after(queryset: QuerySet, row: Model) -> str:
    return encode(keys_of(queryset), row)


def cursor_before(queryset: QuerySet, row: Model) -> str:
    return encode(keys_of(queryset), row, backwards=True)


def count_within(queryset: QuerySet, size: int) -> int | None:
    """The list's length if it fits the numbered pages (MAX_PAGE_NUMBER pages of `size`), else None.

    Counted through a LIMIT, so the count reads at most those rows: a list of ten million
    reports costs its first page what a list of two thousand does (no page grows with the list).
    """
    limit = MAX_PAGE_NUMBER * size
    counted = queryset.order_by()[: limit + 1].count()
    return counted if counted <= limit else None


def page_number(raw: str | None) -> int:
    """`?page=`: 1 to MAX_PAGE_NUMBER, else BadCursor (a deeper page is reached by cursor)."""
    try:
        number = int(raw or 1)
    except ValueError:
        raise BadCursor("page") from None
    if not 1 <= number <= MAX_PAGE_NUMBER:
        raise BadCursor("page")
    return number


# --- HTML lists ---------------------------------------------------------------------------------------


@dataclass
class ListPage:
    """A page of an HTML list: numbered (1 … MAX_PAGE_NUMBER, with the total when the list fits
    them: `num_pages` and `count` are None for a longer one) or by cursor.

    Iterates over its rows like Django's Page; templates/_pages.html renders its links.
    """

    rows: list
    query: str  # the list's other parameters (filters), kept by every link
    number: int | None = None
    num_pages: int | None = None
    count: int | None = None
    next_query: str | None = None
    previous_query: str | None = None
    keyset: bool = field(default=True, init=False)

    def __iter__(self) -> Iterator:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def object_list(self) -> list:  # Django's Page calls its rows so
        return self.rows

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_query or self.previous_query or self.number is None)

    @property
    def first_query(self) -> str:
        return self.query


def _with(query: str, **params) -> str:
    return "&".join(part for part in (query, urlencode(params)) if part)


def list_page(request, queryset: QuerySet, size: int) -> ListPage:
    """The page `?page=` (numbered, counted as far as `count_within`) or `?cursor=` of `queryset`, keeping the other
    parameters in its links. Raises BadCursor for a changed cursor or a page number too deep."""
    params = request.GET.copy()
    token, raw_page = params.pop("cursor", [None])[-1], params.pop("page", [None])[-1]
    query = params.urlencode()
    if token:
        part = page_after(queryset, token, size)
        page = ListPage(part.rows, query)
        page.next_query = _with(query, cursor=part.next_cursor) if part.next_cursor else None
        page.previous_query = _with(query, cursor=part.previous_cursor) if part.previous_cursor else None
        return page
    number, count = page_number(raw_page), count_within(queryset, size)
    pages = None if count is None else max(1, -(-count // size))
    if pages is not None:
        number = min(number, pages)  # past the end: the last page, as Paginator.get_page
    start = (number - 1) * size
    rows = list(in_key_order(queryset)[start : start + size + 1])
    page = ListPage(rows[:size], query, number, pages, count)
    if number > 1:
        page.previous_query = _with(query, page=number - 1)
    if len(rows) > size:
        # Past the numbered pages the list goes on by cursor, from this page's last row.
        deeper = number >= MAX_PAGE_NUMBER
        page.next_query = (
            _with(query, cursor=cursor_after(queryset, page.rows[-1])) if deeper else _with(query, page=number + 1)
        )
    return page


def bad_page(request):
    """A changed cursor or a page number too deep: the 400 page, in the site's layout, pointing to page 1."""
    context = {
        "status": 400,
        "heading": _("This page of the list cannot be shown"),
        "explanation": _(
            "The link to this page was changed or has expired, or its page number is beyond %(max)s. "
            "Start again from the first page and use the Next link."
        )
        % {"max": MAX_PAGE_NUMBER},
        "first_page": request.path,
        "return_path": request.path,
    }
    return render(request, "error.html", context, status=400)
