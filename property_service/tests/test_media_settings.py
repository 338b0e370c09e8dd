"""Photo storage configuration (config/settings/media.py).

S3 itself cannot be reached from here: these tests check that PROPERTY_MEDIA_STORAGE=s3
builds a django-storages S3Storage with the intended options and public, non-expiring
URLs, without any network call. Uploading to a real bucket is untested.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from storages.backends.s3 import S3Storage

from config.settings.media import media_settings

REPO = Path("/repo")
S3_ENV = {
    "RENTEZY_ENV": "production",
    "PROPERTY_MEDIA_STORAGE": "s3",
    "PROPERTY_MEDIA_S3_BUCKET": "rentezy-photos",
    "PROPERTY_MEDIA_S3_REGION": "eu-central-1",
}


def test_filesystem_is_the_default_with_our_media_url():
    settings = media_settings(repo=REPO, environ={"RENTEZY_ENV": "dev"})
    storage = settings["STORAGES"]["default"]
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["location"] == "/repo/.rentezy/state/media/property"
    assert storage["OPTIONS"]["base_url"] == "/api/properties/media/"
    assert settings["PROPERTY_PHOTO_MAX_BYTES"] == 10 * 1024 * 1024
    env = {"RENTEZY_ENV": "dev", "RENTEZY_STATE": "/state", "PROPERTY_PHOTO_MAX_BYTES": "5"}
    settings = media_settings(repo=REPO, environ=env)
    assert settings["STORAGES"]["default"]["OPTIONS"]["location"] == "/state/state/media/property"
    assert settings["PROPERTY_PHOTO_MAX_BYTES"] == 5


def test_production_filesystem_needs_an_explicit_root():
    with pytest.raises(ImproperlyConfigured, match="PROPERTY_MEDIA_ROOT"):
        media_settings(repo=REPO, environ={"RENTEZY_ENV": "production"})


def test_s3_storage_is_configured_from_the_environment():
    env = {**S3_ENV, "PROPERTY_MEDIA_S3_CUSTOM_DOMAIN": "photos.rentezy.example"}
    storage = media_settings(repo=REPO, environ=env)["STORAGES"]["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "rentezy-photos"
    assert options["querystring_auth"] is False
    assert options["file_overwrite"] is False
    backend = S3Storage(**options)
    assert backend.url("abc/def.jpg") == "https://photos.rentezy.example/property/abc/def.jpg"


def test_s3_urls_without_cdn_are_plain_object_urls():
    env = {**S3_ENV, "PROPERTY_MEDIA_S3_ENDPOINT_URL": "https://s3.example.net"}
    options = media_settings(repo=REPO, environ=env)["STORAGES"]["default"]["OPTIONS"]
    url = S3Storage(**options).url("abc/def.jpg")
    assert url.startswith("https://s3.example.net/rentezy-photos/property/abc/def.jpg")
    assert "Signature" not in url and "Expires" not in url


def test_bad_storage_configuration_fails_fast():
    with pytest.raises(ImproperlyConfigured, match="PROPERTY_MEDIA_S3_BUCKET"):
        media_settings(repo=REPO, environ={"PROPERTY_MEDIA_STORAGE": "s3"})
    with pytest.raises(ImproperlyConfigured, match="PROPERTY_MEDIA_STORAGE"):
        media_settings(repo=REPO, environ={"PROPERTY_MEDIA_STORAGE": "ftp"})
