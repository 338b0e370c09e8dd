"""POST /internal/introspect: the contract with the gateway (docs/contracts/auth.md)."""

import base64
import json
import time
import uuid

import jwt
import pytest
from accounts.models import UserSession
from accounts.services import user_deactivate
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens(user, login):
    return login(user.email).json()


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _sign(claims: dict, secret: str | None = None) -> str:
    return jwt.encode(claims, secret or settings.AUTH_JWT_SECRET, algorithm="HS256")


def test_valid_token_is_active_with_role_and_session(user, tokens, introspect):
    body = introspect(tokens["access"])

    claims = _claims(tokens["access"])
    assert body == {
        "active": True,
        "user_id": str(user.pk),
        "role": "tenant",
        "exp": claims["exp"],
        "sid": claims["sid"],
    }
    assert str(UserSession.objects.get().pk) == claims["sid"]


def test_access_token_claims_follow_the_contract(user, tokens):
    claims = _claims(tokens["access"])
    header = jwt.get_unverified_header(tokens["access"])

    assert header["alg"] == "HS256"
    assert claims["iss"] == "rentezy-auth"
    assert claims["aud"] == "rentezy"
    assert claims["sub"] == str(user.pk)
    assert claims["role"] == "tenant"
    assert claims["typ"] == "access"
    assert claims["jti"]
    assert claims["exp"] - claims["iat"] == 900


def test_landlord_role(landlord, login, introspect):
    access = login(landlord.email).json()["access"]
    assert introspect(access)["role"] == "landlord"


def test_expired_token_is_inactive(tokens, introspect):
    claims = _claims(tokens["access"])
    now = int(time.time())
    expired = _sign({**claims, "iat": now - 1000, "exp": now - 10})
    assert introspect(expired) == {"active": False}


def test_tampered_payload_is_inactive(tokens, introspect, admin_user):
    header, _payload, signature = tokens["access"].split(".")
    # Promote ourselves to admin, keep the original signature.
    forged_payload = _b64({**_claims(tokens["access"]), "role": "admin", "sub": str(admin_user.pk)})
    assert introspect(f"{header}.{forged_payload}.{signature}") == {"active": False}


def test_wrong_secret_is_inactive(tokens, introspect):
    forged = _sign(_claims(tokens["access"]), secret="some-other-secret-that-is-long-enough-x")
    assert introspect(forged) == {"active": False}


def test_alg_none_is_inactive(tokens, introspect):
    header = _b64({"alg": "none", "typ": "JWT"})
    payload = _b64(_claims(tokens["access"]))
    for token in (f"{header}.{payload}.", f"{header}.{payload}"):
        assert introspect(token) == {"active": False}


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_other_algorithms_are_inactive(tokens, introspect):
    # HS512 with the right secret is still not HS256.
    token = jwt.encode(_claims(tokens["access"]), settings.AUTH_JWT_SECRET, algorithm="HS512")
    assert introspect(token) == {"active": False}


def test_refresh_token_used_as_access_token_is_inactive(tokens, introspect):
    assert introspect(tokens["refresh"]) == {"active": False}


def test_a_jwt_of_another_type_is_inactive(tokens, introspect):
    claims = _claims(tokens["access"])
    assert introspect(_sign({**claims, "typ": "refresh"})) == {"active": False}


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "sid", "iss", "aud", "typ"])
def test_a_missing_claim_makes_it_inactive(tokens, introspect, claim):
    claims = _claims(tokens["access"])
    del claims[claim]
    assert introspect(_sign(claims)) == {"active": False}


@pytest.mark.parametrize(("claim", "value"), [("iss", "someone-else"), ("aud", "other-app")])
def test_wrong_issuer_or_audience_is_inactive(tokens, introspect, claim, value):
    claims = _claims(tokens["access"])
    assert introspect(_sign({**claims, claim: value})) == {"active": False}


def test_unknown_session_or_user_is_inactive(tokens, introspect):
    claims = _claims(tokens["access"])
    assert introspect(_sign({**claims, "sid": str(uuid.uuid4())})) == {"active": False}
    assert introspect(_sign({**claims, "sid": "not-a-uuid"})) == {"active": False}
    assert introspect(_sign({**claims, "sub": "999999999"})) == {"active": False}
    assert introspect(_sign({**claims, "sub": "abc"})) == {"active": False}


def test_a_session_of_another_user_is_inactive(user, landlord, login, introspect):
    tenant_claims = _claims(login(user.email).json()["access"])
    landlord_claims = _claims(login(landlord.email).json()["access"])
    # Signed by us, but the sid does not belong to the sub.
    mixed = _sign({**tenant_claims, "sid": landlord_claims["sid"]})
    assert introspect(mixed) == {"active": False}


def test_deactivated_user_is_inactive(user, tokens, introspect, admin_user):
    user_deactivate(user_id=user.pk, actor_id=admin_user.pk)
    assert introspect(tokens["access"]) == {"active": False}


def test_garbage_is_inactive(introspect):
    for token in ("garbage", "a.b.c", "x" * 100_000, "123"):
        assert introspect(token) == {"active": False}


def test_introspect_without_a_token_is_400(anon):
    for body in ({}, {"token": ""}, {"token": None}):
        response = anon.post("/internal/introspect", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "invalid"


def test_introspect_refuses_unsigned_calls(tokens):
    response = Client().post(
        "/internal/introspect", {"token": tokens["access"]}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unsigned_request"


def test_introspection_is_one_query(tokens, anon, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = anon.post("/internal/introspect", {"token": tokens["access"]}, format="json")
    assert response.json()["active"] is True
