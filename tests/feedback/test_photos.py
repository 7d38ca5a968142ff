"""Photos: bombs, fakes and oversized files are refused clearly; stored photos carry no EXIF GPS or comments."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from civicworks.photos import MAX_BYTES
from feedback.models import Report, ReportPhoto
from tests import factories

from .conftest import SECRET, jpeg_bytes, jpeg_with_comment, png_with_text


def submit_with(road, *files):
    return factories.report(category=road, text="坑", photos=list(files))


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG whose header claims 400 megapixels in a few hundred kilobytes."""
    raw_row = b"\x00" + b"\x00" * width
    data = zlib.compress(raw_row * 64, 9)  # far too little data: the header is what counts

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def test_stored_photo_has_no_exif_and_a_thumbnail(road):
    original = jpeg_bytes((800, 600), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the test photo does carry GPS
    report = submit_with(road, SimpleUploadedFile("gps.jpg", original, content_type="image/jpeg"))
    photo = report.photos.get()
    with photo.image.open("rb") as stored:
        image = Image.open(stored)
        assert image.format == "JPEG" and not image.getexif() and "exif" not in image.info
    with photo.thumbnail.open("rb") as thumb:
        assert max(Image.open(thumb).size) <= 320


@pytest.mark.parametrize(
    "upload", [("c.jpg", jpeg_with_comment), ("t.png", png_with_text)], ids=["jpeg-com", "png-text"]
)
def test_stored_photo_keeps_no_comment(road, upload):
    """Pillow writes `info["comment"]` back as a JPEG COM segment; a PNG tEXt "comment" lands there too."""
    name, make = upload
    photo = submit_with(road, SimpleUploadedFile(name, make(SECRET))).photos.get()
    for field_file in (photo.image, photo.thumbnail):
        with field_file.open("rb") as stored:
            data = stored.read()
        assert SECRET.encode() not in data and b"\xff\xfe" not in data.split(b"\xff\xda")[0]
        assert "comment" not in Image.open(io.BytesIO(data)).info


def test_png_is_reencoded_as_jpeg(road):
    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 0, 255, 128)).save(out, format="PNG")
    report = submit_with(road, SimpleUploadedFile("a.png", out.getvalue(), content_type="image/png"))
    assert report.photos.get().image.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bomb.png", png_bomb(), "too many pixels"),
        ("notes.jpg", b"%PDF-1.4 this is not a picture", "is not a photo"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "is not a photo"),
        ("big.jpg", b"\xff\xd8" + b"\x00" * (MAX_BYTES + 1), "larger than 10 MB"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error_and_nothing_stored(road, name, content, message):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        submit_with(road, SimpleUploadedFile("ok.jpg", jpeg_bytes()), SimpleUploadedFile(name, content))
    assert message in " ".join(caught.value.messages) and name in " ".join(caught.value.messages)
    assert not Report.objects.exists() and not ReportPhoto.objects.exists()


def test_a_huge_jpeg_header_is_refused_before_decoding(road):
    """A JPEG that claims 10000 × 10000 pixels (100 MP) is refused from its header alone."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, format="JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 10_000, 10_000)
    with pytest.raises(ValidationError, match="pixels|像素"):
        submit_with(road, SimpleUploadedFile("huge.jpg", bytes(data)))


def test_more_than_five_photos_are_refused(road):
    files = [SimpleUploadedFile(f"{i}.jpg", jpeg_bytes()) for i in range(6)]
    with pytest.raises(ValidationError):
        submit_with(road, *files)
    assert not Report.objects.exists()
