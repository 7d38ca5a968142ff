"""Uploaded files in an S3-compatible object store (CIVICWORKS_MEDIA_STORAGE=s3, django-storages):
a report's photo goes to the bucket, private, under a random name, and not to the disk; every URL
is still /files/<name>, the checking view, which streams the object to whoever may see it and
answers 404 to everyone else — as with files on disk (tests/security/test_files.py).

The store is moto's S3 server (PyPI `moto[s3]` with Flask), on a loopback port of its own.
"""

import re
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from feedback import services as feedback_services
from tests.feedback.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db

ACCESS = {"aws_access_key_id": "city-key", "aws_secret_access_key": "city-secret", "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    """A bucket of its own, and the storage settings `CIVICWORKS_MEDIA_STORAGE=s3` gives."""
    name = f"city-media-{uuid.uuid4().hex[:8]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, **ACCESS)
    client.create_bucket(Bucket=name)
    settings.MEDIA_ROOT = tmp_path / "media"  # must stay empty
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "civicworks.s3.CheckedS3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "region_name": ACCESS["region_name"],
                "access_key": ACCESS["aws_access_key_id"],
                "secret_key": ACCESS["aws_secret_access_key"],
                "location": "media",
                "default_acl": "private",
                "file_overwrite": False,
                "querystring_auth": True,
            },
        },
    }
    return client, name


def test_a_report_photo_lives_in_the_bucket_and_is_served_by_the_checking_view(
    client, bucket, road, official, settings, django_capture_on_commit_callbacks
):
    s3, name = bucket
    photo_bytes = jpeg_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        report = feedback_services.report_submit(
            category=road, text="井盖缺失", latitude=30.69, longitude=103.99,
            photos=[SimpleUploadedFile("a.jpg", photo_bytes, content_type="image/jpeg")],
        )  # fmt: skip
    photo = report.photos.get()
    assert type(default_storage._wrapped).__name__ == "CheckedS3Storage"

    # In the bucket, under the prefix, with random names; nothing on the web node's disk.
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=name)["Contents"]}
    assert keys == {f"media/{photo.image.name}", f"media/{photo.thumbnail.name}"}
    assert re.fullmatch(r"reports/[A-Za-z0-9_-]{22}\.jpg", photo.image.name)
    media_root = Path(settings.MEDIA_ROOT)
    assert not media_root.exists() or not any(media_root.rglob("*"))
    stored = s3.get_object(Bucket=name, Key=f"media/{photo.image.name}")["Body"].read()
    assert stored[:3] == b"\xff\xd8\xff"  # re-encoded JPEG
    # Private objects: the store answers no anonymous request.
    grants = s3.get_object_acl(Bucket=name, Key=f"media/{photo.image.name}")["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI", "").endswith("AllUsers")]

    # The URL is the checking view's, never the store's; it streams the object.
    assert photo.image.url == f"/files/{photo.image.name}"
    response = client.get(photo.image.url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == stored

    # Hidden: refused to the public, served to the handling department.
    feedback_services.report_hide(report=report, by=official, reason="辱骂")
    assert client.get(photo.image.url).status_code == 404
    client.force_login(official)
    assert client.get(photo.image.url).status_code == 200
    assert client.get("/files/reports/not-there.jpg").status_code == 404
