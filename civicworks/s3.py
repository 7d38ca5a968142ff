"""Uploaded files in an S3-compatible object store (CIVICWORKS_MEDIA_STORAGE=s3; docs/deployment.md).

Imported only when configured (django-storages with boto3, in requirements/run.txt). Objects stay
private; like the file-system storage, every URL is /files/<name>, the view that checks who asks,
which streams the object (tests/foundation/test_s3_media.py, against an S3 server).
"""

from django.urls import reverse
from storages.backends.s3 import S3Storage


class CheckedS3Storage(S3Storage):
    def url(self, name, parameters=None, expire=None, http_method=None) -> str:
        return reverse("stored-file", args=[name])
