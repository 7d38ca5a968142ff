"""The feedback world: categories of the demo city, a grid with its worker, and helpers."""

import io
import struct
import zlib

import pytest
from PIL import Image

from civicworks.accounts.models import Role
from feedback.models import GridArea
from projects.models import Community
from tests import factories
from tests.factories import WANGJIANG

# Canary contact details: they must never appear in a public page or API response.
CANARY_NAME = "金丝雀张三"
CANARY_PHONE = "13912345678"
CANARY_EMAIL = "canary-reporter@example.cn"

# 望江社区 (临江区): west strip of the district.
INSIDE_WANGJIANG = WANGJIANG


@pytest.fixture
def grid_worker(lead_department):
    return factories.user(
        username="grid_worker", role=Role.GRID_WORKER, department=lead_department, last_name="李", first_name="四海"
    )


@pytest.fixture
def grid(city, grid_worker) -> GridArea:
    community = Community.objects.get(name="望江社区")
    return GridArea.objects.create(
        name="望江一网格", district=community.district, community=community,
        boundary=community.boundary, grid_worker=grid_worker,
    )  # fmt: skip


def jpeg_bytes(size=(64, 48), *, gps: bool = False, color=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "CanaryCam"  # Make
        exif[0x8825] = {1: "N", 2: (30.0, 41.0, 24.0), 3: "E", 4: (103.0, 59.0, 24.0)}  # GPSInfo
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


# Text a phone app may leave in a photo's comment: it must not survive re-encoding.
SECRET = "CanaryComment-13800138123"


def jpeg_with_comment(text: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 10)).save(out, format="JPEG", comment=text.encode())
    assert b"\xff\xfe" in out.getvalue() and text.encode() in out.getvalue()  # a COM segment
    return out.getvalue()


def png_with_text(text: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 10, 120)).save(out, format="PNG")
    data = out.getvalue()
    payload = b"comment\x00" + text.encode()
    chunk = struct.pack(">I", len(payload)) + b"tEXt" + payload + struct.pack(">I", zlib.crc32(b"tEXt" + payload))
    iend = data.rindex(b"IEND") - 4
    return data[:iend] + chunk + data[iend:]


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    """Every test starts with an empty submission counter (all test clients share 127.0.0.1)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
