"""Pictures for the demo city, drawn with Pillow (no file is copied from anywhere).

Each returns an in-memory JPEG named like an upload, ready for a service or a `PhotoField`:
the services check and re-encode it like any resident's photo.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

SIZE = (800, 600)
ASPHALT, PAVING, LINE = (88, 90, 94), (176, 170, 160), (235, 235, 225)


def _jpeg(image: Image.Image, name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _street() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", SIZE, ASPHALT)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, SIZE[0], 150], fill=PAVING)  # the pavement along the top
    for x in range(0, SIZE[0], 80):
        draw.line([x, 0, x, 150], fill=(150, 145, 135), width=2)
    for x in range(40, SIZE[0], 160):
        draw.rectangle([x, 520, x + 90, 535], fill=LINE)  # the lane marking
    return image, draw


def manhole(kind: str) -> SimpleUploadedFile:
    """A street with an open manhole behind traffic cones ("before"), or with its new cover ("after")."""
    image, draw = _street()
    box = [300, 230, 500, 390]
    if kind == "before":
        draw.ellipse(box, fill=(20, 20, 22), outline=(60, 55, 50), width=8)
        for x in (230, 540):
            draw.polygon([(x, 400), (x + 30, 300), (x + 60, 400)], fill=(240, 110, 20))
            draw.rectangle([x + 14, 340, x + 46, 352], fill=(250, 250, 250))
    else:
        draw.ellipse(box, fill=(70, 72, 76), outline=(40, 40, 42), width=10)
        for offset in range(-60, 61, 20):
            draw.line([400 + offset, 250, 400 + offset, 370], fill=(45, 46, 48), width=4)
        draw.ellipse([380, 295, 420, 325], outline=(40, 40, 42), width=4)
    return _jpeg(image, f"manhole-{kind}.jpg")


def railing(kind: str) -> SimpleUploadedFile:
    """A footpath's safety railing, broken and leaning ("before"), or straight and whole ("after")."""
    image, draw = _street()
    posts = range(80, SIZE[0], 120)
    for i, x in enumerate(posts):
        lean = 40 if kind == "before" and i in (2, 3) else 0
        draw.line([x, 420, x + lean, 250], fill=(30, 100, 60), width=12)
    rail = (30, 130, 70)
    if kind == "before":
        draw.line([80, 270, 320, 270], fill=rail, width=10)
        draw.line([360, 330, 460, 410], fill=rail, width=10)  # the broken span, hanging
        draw.line([560, 270, SIZE[0], 270], fill=rail, width=10)
    else:
        for y in (270, 340):
            draw.line([80, y, SIZE[0], y], fill=rail, width=10)
    return _jpeg(image, f"railing-{kind}.jpg")
