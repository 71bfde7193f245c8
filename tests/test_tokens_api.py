"""Tokens over the API (admin only): create with the secret shown once, list without
secrets, revoke with effect on the very next request; each change an audit event."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from citations.app import create_app
from citations.audit import AuditEvent
from citations.database import transaction
from citations.record.tables import ApiToken
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.conftest import NOW
from tests.factories import prepare


@dataclass(frozen=True)
class Admin:
    client: TestClient
    engine: Engine
    headers: dict[str, str]
    token_id: int


@pytest.fixture
def admin(engine: Engine, database_url: str) -> Iterator[Admin]:
    prepare(engine)
    with transaction(engine) as session:
        token, secret = create_token(
            session, role="admin", agency=None, name="root", actor=OPERATOR, now=NOW
        )
        token_id = token.id
    with TestClient(create_app(database_url), raise_server_exceptions=False) as client:
        yield Admin(client, engine, {"Authorization": f"Bearer {secret}"}, token_id)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def events(engine: Engine, token_id: int) -> list[tuple[str, str]]:
    with transaction(engine) as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "token", AuditEvent.entity_key == str(token_id))
            .order_by(AuditEvent.id)
        )
        return [(e.action, e.actor) for e in rows]


def test_create_list_revoke(admin: Admin) -> None:
    created = admin.client.post(
        "/v1/tokens",
        json={"role": "officer", "agency": "DCPD", "name": "unit 12"},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    token = created.json()
    secret = token["secret"]
    assert secret.startswith("cit_") and len(secret) > 40
    assert (token["role"], token["agency"], token["name"], token["active"]) == (
        "officer",
        "DCPD",
        "unit 12",
        True,
    )
    # The new token works at once, as the officer it names.
    assert admin.client.get("/v1/ordinances", headers=bearer(secret)).status_code == 200
    assert admin.client.get("/v1/tokens", headers=bearer(secret)).status_code == 403

    listed = admin.client.get("/v1/tokens", headers=admin.headers)
    assert listed.status_code == 200
    assert secret not in listed.text
    rows = {row["id"]: row for row in listed.json()}
    assert set(rows) == {admin.token_id, token["id"]}
    assert all("secret" not in row and "token_hash" not in row for row in rows.values())
    with transaction(admin.engine) as session:
        stored = session.get(ApiToken, token["id"])
        assert stored is not None and stored.token_hash not in listed.text

    revoked = admin.client.post(f"/v1/tokens/{token['id']}/revoke", headers=admin.headers)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["active"] is False and revoked.json()["revoked_at"] is not None
    # The very next request with it is refused.
    refused = admin.client.get("/v1/ordinances", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.json()["type"] == "/problems/unauthorized"

    again = admin.client.post(f"/v1/tokens/{token['id']}/revoke", headers=admin.headers)
    assert again.status_code == 200
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]
    by = f"token {admin.token_id} (root)"
    assert events(admin.engine, token["id"]) == [("token.create", by), ("token.revoke", by)]


def test_an_admin_can_revoke_their_own_token(admin: Admin) -> None:
    response = admin.client.post(f"/v1/tokens/{admin.token_id}/revoke", headers=admin.headers)
    assert response.status_code == 200
    assert admin.client.get("/v1/tokens", headers=admin.headers).status_code == 401


def test_expiry_is_listed_and_kept(admin: Admin) -> None:
    until = NOW + timedelta(days=30)  # from the API's pinned clock (tests/clock.py)
    created = admin.client.post(
        "/v1/tokens",
        json={"role": "auditor", "name": "annual audit", "expires_at": until.isoformat()},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    assert datetime.fromisoformat(created.json()["expires_at"]) == until
    with transaction(admin.engine) as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "token.create")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None and event.after is not None
        assert event.after["expires_at"] == until.isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "officer", "name": "unit 12"}, "agency"),
        ({"role": "officer", "name": "unit 12", "agency": "NOPE"}, "agency"),
        ({"role": "clerk", "name": "front desk", "agency": "DCPD"}, "agency"),
        ({"role": "admin", "name": "root 2", "agency": "DCPD"}, "agency"),
        ({"role": "janitor", "name": "x"}, "role"),
        ({"role": "clerk", "name": "x", "expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
        ({"role": "clerk", "name": "x", "secret": "cit_mine"}, "secret"),
    ],
)
def test_bad_requests_name_the_field(admin: Admin, body: dict[str, str], field: str) -> None:
    response = admin.client.post("/v1/tokens", json=body, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "/problems/input-rejected"
    assert [e["field"] for e in response.json()["errors"]] == [field]
    with transaction(admin.engine) as session:
        assert len(session.scalars(select(ApiToken)).all()) == 1


def test_revoking_an_unknown_token_is_404(admin: Admin) -> None:
    response = admin.client.post("/v1/tokens/424242/revoke", headers=admin.headers)
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/not-found"
