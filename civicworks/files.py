"""Stored files: random names, one checking view, and content checks on the way in.

Every FileField stores under ``<folder>/<random token>.<ext>`` (`TokenPath`): the name says
nothing about who uploaded it, for which department or when. Names are not the protection,
though: the storage's URLs all point at `/files/<name>` (`CheckedStorage`), and that view
(`civicworks.views.stored_file`) finds the row owning the name and asks the folder's
`FileKind` whether the request may see it. Each app declares its kinds in its own
``files.py`` (found like admin modules); there is no ``/media/`` route, in development either.

In production the view only decides: with ``CIVICWORKS_MEDIA_ACCEL_REDIRECT`` set (e.g.
``/protected-media/``) it answers with an ``X-Accel-Redirect`` header and nginx sends the
bytes from an ``internal`` location; unset, Django streams the file itself.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .photos import check_photo, prepare_photo

TOKEN_BYTES = 16  # 22 URL-safe characters, 128 random bits
GRANT_SALT = "civicworks.files.grant"
GRANT_MAX_AGE = 24 * 3600
# Public photos may sit in caches this long after their report or project is hidden.
PUBLIC_MAX_AGE = 600

# --- Names ----------------------------------------------------------------------------------------


@deconstructible
class TokenPath:
    """`upload_to`: ``<folder>/<token>.<ext>``, whatever name the writer gave (only its extension stays)."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        suffix = PurePosixPath(filename or "").suffix.lower()
        ext = suffix if suffix[1:].isalnum() and len(suffix) <= 5 else ""
        return f"{self.folder}/{secrets.token_urlsafe(TOKEN_BYTES)}{ext}"

    def __eq__(self, other) -> bool:
        return isinstance(other, TokenPath) and other.folder == self.folder


class CheckedStorage(FileSystemStorage):
    """The file system under MEDIA_ROOT, whose every URL goes through the checking view."""

    def url(self, name: str | None) -> str:
        return reverse("stored-file", args=[name])


# --- Who may see what -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FileKind:
    """The files under one folder: which model fields hold them and who may see them.

    `is_public(obj)`: anybody may (photos of public reports and projects).
    `may_view(request, obj)`: otherwise, may this signed-in request see it (usually the console's answer).
    """

    folder: str
    model: type[models.Model]
    fields: tuple[str, ...]
    may_view: Callable
    is_public: Callable = lambda obj: False
    related: tuple[str, ...] = ()

    def owner(self, name: str):
        lookup = Q()
        for field in self.fields:
            lookup |= Q(**{field: name})
        return self.model._default_manager.select_related(*self.related).filter(lookup).first()


_KINDS: dict[str, FileKind] = {}
_discovered = False


def register(kind: FileKind) -> None:
    _KINDS[kind.folder] = kind


def kind_of(name: str) -> FileKind | None:
    global _discovered
    if not _discovered:
        autodiscover_modules("files")
        _discovered = True
    return _KINDS.get(name.split("/", 1)[0])


def console_may_view(request, obj) -> bool:
    """The console's own answer: the model's scoped admin page may show this row to this user."""
    from django.contrib import admin  # not at import: models import this module

    model_admin = admin.site._registry.get(type(obj))
    return bool(model_admin and request.user.is_authenticated and model_admin.has_view_permission(request, obj))


# --- Grants: a page that already decided (the tracking page) lends its answer to its images ----------


def grant(name: str) -> str:
    return signing.TimestampSigner(salt=GRANT_SALT).sign(name)[len(name) + 1 :]


def grant_is_valid(name: str, token: str) -> bool:
    try:
        signing.TimestampSigner(salt=GRANT_SALT).unsign(f"{name}:{token}", max_age=GRANT_MAX_AGE)
    except signing.BadSignature:
        return False
    return True


def granted_url(field_file) -> str:
    return f"{field_file.url}?grant={grant(field_file.name)}"


def visible_owner(request, name: str):
    """The row owning the stored file `name` if this request may see it, else None."""
    if ".." in name.split("/") or name.startswith("/"):
        return None
    kind = kind_of(name)
    owner = kind.owner(name) if kind else None
    if owner is None:
        return None
    if kind.is_public(owner):
        return owner
    if grant_is_valid(name, request.GET.get("grant", "")) or kind.may_view(request, owner):
        return owner
    return None


def file_response(name: str, *, public: bool) -> HttpResponse:
    """The bytes (or, behind nginx, the X-Accel-Redirect to them), typed by their content."""
    try:
        kind = content_type(default_storage, name)
    except FileNotFoundError:
        raise Http404 from None
    if accel := settings.CIVICWORKS_MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=kind)
        response["X-Accel-Redirect"] = f"{accel.rstrip('/')}/{quote(name)}"
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=kind)
    inline = kind.startswith("image/") or kind == "application/pdf"
    response["Content-Disposition"] = content_disposition_header(not inline, PurePosixPath(name).name)
    if public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        # Answered per user: never kept by a shared cache, nor by the browser after log-out.
        patch_cache_control(response, private=True, no_store=True)
        patch_vary_headers(response, ["Cookie"])
    return response


# --- Content -------------------------------------------------------------------------------------

SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
]


def sniff(head: bytes) -> str | None:
    """The type the first bytes say, among the few we store; None for anything else."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def content_type(storage, name: str) -> str:
    """Typed by the bytes, never by the name: anything unknown (an old upload) is a download."""
    with storage.open(name, "rb") as handle:
        return sniff(handle.read(16)) or "application/octet-stream"


def _head(upload, size: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def validate_pdf_or_image(value) -> None:
    """Vouchers: a PDF or a photo/scan, decided by the content (a renamed HTML page or program is refused)."""
    if not value or getattr(value, "_committed", True):
        return  # nothing new: a stored file was checked when it came in
    refused = ValidationError(
        _("The attachment must be a PDF or an image (JPEG, PNG, WebP or GIF)."), code="attachment_type"
    )
    kind = sniff(_head(value.file))
    if kind == "application/pdf":
        return
    if kind is None or not kind.startswith("image/"):
        raise refused
    from PIL import Image

    try:
        Image.open(value.file).verify()  # not in `with`: closing the image would close the upload
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken or fake picture
        raise refused from None
    finally:
        value.file.seek(0)


# --- Photos uploaded in the console: checked and re-encoded like residents' photos -------------------


def validate_photo(value) -> None:
    """A photo the console or a service brings in: the same limits as residents' photos."""
    if not value or getattr(value, "_committed", True):
        return
    check_photo(value.file)


class PhotoFieldFile(models.fields.files.ImageFieldFile):
    def save(self, name, content, save=True):
        # Whatever the writer (console inline, service, demo): a fresh JPEG from pixels only, so no
        # EXIF (GPS), comment or text chunk of the original is ever stored.
        prepared = prepare_photo(content)
        super().save("photo.jpg", ContentFile(prepared.image), save)


class PhotoField(models.ImageField):
    """An ImageField whose new files are checked and re-encoded as JPEG (`civicworks.photos`)."""

    attr_class = PhotoFieldFile
    default_validators = [validate_photo]
