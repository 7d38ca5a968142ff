"""Settings of the several-node shape, each read in a fresh process with its own environment."""

import json

from tests.foundation.test_settings import run_django

SHOW = (
    "from django.conf import settings; import json; "
    "print(json.dumps({'db': settings.DATABASES, 'storages': settings.STORAGES, "
    "'routers': settings.DATABASE_ROUTERS}, default=str))"
)


def read(**env: str) -> dict:
    result = run_django(SHOW, DJANGO_SETTINGS_MODULE="civicworks.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_by_default_one_database_with_server_side_cursors_and_files_in_media_root():
    shown = read()
    assert set(shown["db"]) == {"default"}
    assert shown["db"]["default"]["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert shown["storages"]["default"]["BACKEND"] == "civicworks.files.CheckedStorage"
    assert shown["routers"] == ["civicworks.db.ReplicaRouter"]


def test_pooled_turns_off_server_side_cursors_and_the_replica_comes_from_its_url():
    shown = read(
        DATABASE_URL="postgres://app@127.0.0.1:6432/civicworks",
        DATABASE_POOLED="1",
        DATABASE_REPLICA_URL="postgres://app@127.0.0.1:5433/civicworks",
    )
    default, replica = shown["db"]["default"], shown["db"]["replica"]
    assert default["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert (replica["HOST"], replica["PORT"], replica["NAME"]) == ("127.0.0.1", 5433, "civicworks")
    assert replica["OPTIONS"]["connect_timeout"] == 1
    assert replica["TEST"]["MIRROR"] == "default"


def test_s3_media_storage_is_wired_from_the_environment():
    shown = read(
        CIVICWORKS_MEDIA_STORAGE="s3",
        CIVICWORKS_S3_BUCKET="city-media",
        CIVICWORKS_S3_ENDPOINT_URL="https://oss.example.cn",
        CIVICWORKS_S3_ACCESS_KEY="key",
        CIVICWORKS_S3_SECRET_KEY="secret",
        CIVICWORKS_S3_PREFIX="media",
    )
    storage = shown["storages"]["default"]
    assert storage["BACKEND"] == "civicworks.s3.CheckedS3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "city-media"
    assert options["endpoint_url"] == "https://oss.example.cn"
    assert options["location"] == "media"
    assert options["default_acl"] == "private"
    assert options["file_overwrite"] is False
    assert options["region_name"] is None


def test_an_unknown_media_storage_is_refused():
    result = run_django("pass", DJANGO_SETTINGS_MODULE="civicworks.settings", CIVICWORKS_MEDIA_STORAGE="ftp")
    assert result.returncode != 0
    assert "CIVICWORKS_MEDIA_STORAGE" in result.stderr
