"""The operators' Django admin at /admin/: staff only, off the gateway, read-only, and its
actions go through the services (and so through the outbox)."""

import tomllib
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from properties.models import Property

from rentezy_common.events.models import OutboxEvent

from .conftest import create_property, events, published_property
from .contract import assert_envelope_is_property_event

pytestmark = pytest.mark.django_db

STAFF_PASSWORD = "0perator-passphrase-9"
CHANGELIST = "/admin/properties/property/"
ROUTES = Path(__file__).resolve().parents[2] / "api_gateway" / "config" / "routes.toml"


@pytest.fixture
def operator() -> Client:
    """A superuser of this service (`manage.py createsuperuser`), signed in."""
    User.objects.create_superuser("olga", "olga@example.com", STAFF_PASSWORD)
    browser = Client()
    response = browser.post(
        "/admin/login/?next=/admin/", {"username": "olga", "password": STAFF_PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    return browser


def act(browser: Client, action: str, *properties: dict) -> list[str]:
    response = browser.post(
        CHANGELIST,
        {"action": action, "_selected_action": [p["id"] for p in properties]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_the_admin_is_reachable_off_the_gateway_and_the_api_is_not():
    browser = Client()
    assert browser.get("/admin/login/").status_code == 200
    assert browser.get("/admin/static/admin/css/base.css").status_code == 200
    for path in ("/admin", "/api/properties/", "/administrator/"):
        response = browser.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "unsigned_request"


def test_the_gateway_never_routes_the_admin():
    routes = tomllib.loads(ROUTES.read_text())["routes"]
    assert routes
    for route in routes:
        # /api/… and /ws/… only (and "/api/properties", the collection without its slash).
        assert route["prefix"].split("/")[1] in ("api", "ws"), route


def test_operators_list_and_search_listings(operator, landlord):
    listed = published_property(landlord, title="Harbour view loft")
    draft = create_property(landlord, title="Unfinished draft")

    page = operator.get(CHANGELIST)
    assert page.status_code == 200
    assert listed["title"] in page.content.decode()
    assert draft["title"] in page.content.decode()
    found = operator.get(CHANGELIST, {"q": "harbour"}).content.decode()
    assert listed["title"] in found and draft["title"] not in found
    detail = operator.get(f"{CHANGELIST}{listed['id']}/change/")
    assert detail.status_code == 200
    assert "Double room" in detail.content.decode()  # the room type, shown read-only


def test_unpublish_goes_through_the_service_and_the_outbox(operator, landlord):
    prop = published_property(landlord)

    messages = act(operator, "unpublish", prop)

    assert messages == ["1 unpublished."]
    assert Property.objects.get(pk=prop["id"]).status == "archived"
    rows = events(prop["id"])
    assert rows[-1].event_type == "property.unpublished"
    assert rows[-1].payload["status"] == "archived"
    assert [row.version for row in rows] == list(range(1, len(rows) + 1))
    assert_envelope_is_property_event(rows[-1])
    assert landlord.get(f"/api/properties/{prop['id']}/").json()["status"] == "archived"


def test_an_action_refused_by_the_state_machine_changes_nothing(operator, landlord):
    published, draft = published_property(landlord), create_property(landlord)
    before = OutboxEvent.objects.count()

    messages = act(operator, "unpublish", published, draft)

    assert "1 unpublished." in messages
    assert any("draft property cannot be unpublished" in m for m in messages)
    assert Property.objects.get(pk=draft["id"]).status == "draft"
    assert OutboxEvent.objects.count() == before + 1


def test_delete_is_the_soft_delete_of_the_api(operator, landlord, anonymous):
    prop = published_property(landlord)

    assert act(operator, "delete_listing", prop) == ["1 deleted."]

    assert events(prop["id"])[-1].event_type == "property.deleted"
    assert anonymous.get(f"/api/properties/{prop['id']}/").status_code == 404
    assert Property.objects.filter(pk=prop["id"]).exists()  # kept, as the API keeps it


def test_rows_are_not_added_changed_or_deleted_here(operator, landlord):
    prop = published_property(landlord)
    change = f"{CHANGELIST}{prop['id']}/change/"
    assert operator.get(f"{CHANGELIST}add/").status_code == 403
    assert operator.get(f"{CHANGELIST}{prop['id']}/delete/").status_code == 403
    assert operator.post(change, {"title": "Edited behind the API"}).status_code == 403
    assert Property.objects.get(pk=prop["id"]).title == prop["title"]
    assert "delete_selected" not in operator.get(CHANGELIST).content.decode()


def test_people_who_are_not_staff_are_refused():
    User.objects.create_user("nina", "nina@example.com", STAFF_PASSWORD)  # not staff
    browser = Client()
    response = browser.post("/admin/login/", {"username": "nina", "password": STAFF_PASSWORD})
    assert response.status_code == 200  # the login form again, with an error
    assert browser.get(CHANGELIST).status_code == 302  # to the login page
    assert Client().get(CHANGELIST).status_code == 302


def test_staff_who_may_only_look_cannot_act(landlord):
    viewer = User.objects.create_user("vic", "vic@example.com", STAFF_PASSWORD, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_property"))
    prop = published_property(landlord)
    browser = Client()
    browser.force_login(viewer)

    page = browser.get(CHANGELIST)
    assert page.status_code == 200 and prop["title"] in page.content.decode()
    assert "unpublish" not in page.content.decode()
    browser.post(CHANGELIST, {"action": "unpublish", "_selected_action": [prop["id"]]})
    assert Property.objects.get(pk=prop["id"]).status == "published"
