"""Photos: upload checked by the bytes, storage, public media URL, order and cover."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from properties.models import Photo

from tests.conftest import create_property, events, image_bytes, published_property
from tests.contract import assert_envelope_is_property_event

pytestmark = pytest.mark.django_db


def photos_url(prop_id, photo_id=None):
    base = f"/api/properties/{prop_id}/photos/"
    return f"{base}{photo_id}/" if photo_id else base


def upload(client, prop_id, data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return client.post(
        photos_url(prop_id),
        {"file": SimpleUploadedFile(name, data, content_type=content_type)},
        format="multipart",
    )


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def fetch(client, media_url):
    response = client.get(media_url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


@pytest.mark.parametrize(
    ("fmt", "content_type", "ext"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")],
)
def test_upload_is_stored_and_served_byte_identical(
    landlord, anonymous, media_root, fmt, content_type, ext
):
    prop = published_property(landlord)
    data = image_bytes(fmt, size=(64, 48))
    # The client's name and content type are ignored: the bytes decide.
    response = upload(landlord, prop["id"], data, name="x.bin", content_type="text/plain")
    assert response.status_code == 201, response.content
    photo = response.json()
    assert photo["content_type"] == content_type
    assert photo["position"] == 0 and photo["is_cover"] is True
    assert (photo["width"], photo["height"]) == (64, 48)
    assert photo["url"] == f"/api/properties/media/{prop['id']}/{photo['id']}.{ext}"

    served, body = fetch(anonymous, photo["url"])
    assert served.status_code == 200
    assert body == data
    assert served["Content-Type"] == content_type
    assert "max-age" in served["Cache-Control"] and "public" in served["Cache-Control"]
    assert served["ETag"] == f'"{photo["id"]}"'
    assert stored_files(media_root) == [media_root / prop["id"] / f"{photo['id']}.{ext}"]

    # Conditional GET: unchanged files are not sent again.
    again = anonymous.get(photo["url"], HTTP_IF_NONE_MATCH=served["ETag"])
    assert again.status_code == 304

    last = events(prop["id"])[-1]
    assert last.event_type == "property.updated"
    assert_envelope_is_property_event(last)
    assert last.payload["photos"] == [photo]
    assert last.payload["cover_photo_url"] == photo["url"]
    assert anonymous.get(photos_url(prop["id"])).json() == [photo]
    assert anonymous.get(photos_url(prop["id"], photo["id"])).json() == photo


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"Just some text, not an image at all.\n" * 20, "notes.jpg"),
        (image_bytes("GIF"), "anim.gif"),
        (image_bytes("BMP"), "bitmap.jpg"),
        (image_bytes("JPEG", size=(200, 200), noise=True)[:2000], "truncated.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "vector.png"),
        (b"", "empty.jpg"),
    ],
)
def test_non_images_are_refused(landlord, media_root, data, name):
    prop = create_property(landlord)
    response = upload(landlord, prop["id"], data, name=name)
    assert response.status_code in (400, 415), response.content
    if data:
        assert response.status_code == 415
        assert response.json()["error"]["code"] == "unsupported_media_type"
    assert "file" in response.json()["error"]["details"]
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []
    assert len(events(prop["id"])) == 1


def test_oversize_photo_is_413(landlord, settings, media_root):
    prop = create_property(landlord)
    data = image_bytes("PNG", size=(100, 100), noise=True)  # ~30 kB of incompressible pixels
    settings.PROPERTY_PHOTO_MAX_BYTES = len(data) - 1
    response = upload(landlord, prop["id"], data, name="a.png")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "photo_too_large"
    # Far over the limit: refused from the declared length, before parsing the body.
    settings.PROPERTY_PHOTO_MAX_BYTES = 1000
    big = image_bytes("PNG", size=(300, 300), noise=True)  # ~270 kB
    response = upload(landlord, prop["id"], big, name="b.png")
    assert response.status_code == 413
    assert response.json()["error"]["details"]["max_bytes"] == 1000
    assert Photo.objects.count() == 0 and stored_files(media_root) == []
    settings.PROPERTY_PHOTO_MAX_BYTES = len(data)
    assert upload(landlord, prop["id"], data, name="a.png").status_code == 201


def test_too_many_pixels_is_refused(landlord, settings):
    settings.PROPERTY_PHOTO_MAX_PIXELS = 100 * 100
    prop = create_property(landlord)
    response = upload(landlord, prop["id"], image_bytes("PNG", size=(101, 100)))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "image_too_large"


def test_upload_needs_multipart_file_field(landlord):
    prop = create_property(landlord)
    response = landlord.post(photos_url(prop["id"]), {"file": "x"}, format="json")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    response = landlord.post(photos_url(prop["id"]), {"other": "x"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["details"]


def test_cover_order_and_reassignment(
    landlord, anonymous, media_root, django_capture_on_commit_callbacks
):
    prop = create_property(landlord)
    photos = [upload(landlord, prop["id"], image_bytes("JPEG")).json() for _ in range(3)]
    assert [p["position"] for p in photos] == [0, 1, 2]
    assert [p["is_cover"] for p in photos] == [True, False, False]
    a, b, c = (p["id"] for p in photos)

    # Make c the cover, then move it to the front.
    response = landlord.patch(photos_url(prop["id"], c), {"is_cover": True}, format="json")
    assert response.status_code == 200 and response.json()["is_cover"] is True
    response = landlord.patch(photos_url(prop["id"], c), {"position": 0}, format="json")
    assert response.json()["position"] == 0
    snapshot = events(prop["id"])[-1].payload
    assert [(p["id"], p["position"], p["is_cover"]) for p in snapshot["photos"]] == [
        (c, 0, True),
        (a, 1, False),
        (b, 2, False),
    ]
    assert snapshot["cover_photo_url"] == photos[2]["url"]

    # A cover cannot just be unset; a position must exist.
    response = landlord.patch(photos_url(prop["id"], c), {"is_cover": False}, format="json")
    assert response.status_code == 400 and "is_cover" in response.json()["error"]["details"]
    response = landlord.patch(photos_url(prop["id"], a), {"position": 3}, format="json")
    assert response.status_code == 400 and "position" in response.json()["error"]["details"]
    response = landlord.patch(photos_url(prop["id"], a), {"url": "/elsewhere"}, format="json")
    assert response.status_code == 400 and "url" in response.json()["error"]["details"]

    # Deleting the cover: the first remaining photo takes over, positions close up, and
    # the file is removed once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert landlord.delete(photos_url(prop["id"], c)).status_code == 204
    snapshot = events(prop["id"])[-1].payload
    assert [(p["id"], p["position"], p["is_cover"]) for p in snapshot["photos"]] == [
        (a, 0, True),
        (b, 1, False),
    ]
    assert snapshot["cover_photo_url"] == photos[0]["url"]
    assert len(stored_files(media_root)) == 2
    assert anonymous.get(photos[2]["url"]).status_code == 404
    assert landlord.get(photos_url(prop["id"])).json() == snapshot["photos"]

    with django_capture_on_commit_callbacks(execute=True):
        landlord.delete(photos_url(prop["id"], a))
        landlord.delete(photos_url(prop["id"], b))
    snapshot = events(prop["id"])[-1].payload
    assert snapshot["photos"] == [] and snapshot["cover_photo_url"] is None
    assert stored_files(media_root) == []
    versions = [e.version for e in events(prop["id"])]
    assert versions == list(range(1, len(versions) + 1))


def test_photo_permissions_and_media_of_deleted_property(
    landlord, other_landlord, tenant, anonymous
):
    prop = published_property(landlord)
    data = image_bytes("PNG")
    assert upload(tenant, prop["id"], data).status_code == 403
    assert upload(other_landlord, prop["id"], data).status_code == 403
    assert upload(anonymous, prop["id"], data).status_code == 401
    photo = upload(landlord, prop["id"], data).json()
    assert other_landlord.delete(photos_url(prop["id"], photo["id"])).status_code == 403
    assert (
        tenant.patch(
            photos_url(prop["id"], photo["id"]), {"position": 0}, format="json"
        ).status_code
        == 403
    )
    assert fetch(anonymous, photo["url"])[1] == data
    landlord.delete(f"/api/properties/{prop['id']}/")
    assert anonymous.get(photo["url"]).status_code == 404


def test_media_path_is_checked(anonymous, landlord):
    prop = create_property(landlord)
    photo = upload(landlord, prop["id"], image_bytes("JPEG")).json()
    for bad in (
        "/api/properties/media/../config/settings/__init__.py",
        "/api/properties/media/%2e%2e/etc/passwd",
        f"/api/properties/media/{prop['id']}/{photo['id']}.png",  # right id, wrong name
        "/api/properties/media/",
        "/api/properties/media/nothing.jpg",
    ):
        response = anonymous.get(bad)
        assert response.status_code == 404, bad
        assert response.json()["error"]["code"] == "not_found"
    # An <img> may accept only image types: the file is still served.
    response = anonymous.get(photo["url"], HTTP_ACCEPT="image/webp")
    assert response.status_code == 200


def test_photo_limit_keeps_no_orphan_file(landlord, settings, media_root):
    settings.PROPERTY_PHOTO_MAX_COUNT = 1
    prop = create_property(landlord)
    assert upload(landlord, prop["id"], image_bytes("JPEG")).status_code == 201
    response = upload(landlord, prop["id"], image_bytes("JPEG"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "too_many_photos"
    assert len(stored_files(media_root)) == 1
