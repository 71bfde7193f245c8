"""Headers on every answer (no caching of personal data, HSTS over https) and the API
description switched off unless configured (in-process; tests/test_live_sessions.py checks
the same against a real `citations serve`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.app import create_app
from citations.database import transaction
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from citations.settings import Settings
from tests.conftest import NOW
from tests.factories import prepare
from tests.money_steps import issue_one, pay

YEAR = 365 * 24 * 60 * 60


@dataclass(frozen=True)
class World:
    database_url: str
    headers: dict[str, str]
    number: str
    receipt: str

    def client(self, base_url: str = "https://testserver", **settings: object) -> TestClient:
        app = create_app(self.database_url, Settings(**settings))  # type: ignore[arg-type]
        return TestClient(app, base_url=base_url, raise_server_exceptions=False)


@pytest.fixture
def world(engine: Engine, database_url: str) -> World:
    prepare(engine)
    number = issue_one(engine)
    paid, _ = pay(engine, number, "50.00")
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="clerk", agency=None, name="desk", actor=OPERATOR, now=NOW
        )
    return World(database_url, {"Authorization": f"Bearer {secret}"}, number, paid.receipt_number)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with world.client() as client:
        yield client


def personal_paths(world: World) -> list[str]:
    n = world.number
    return [
        f"/v1/citations/{n}",
        f"/v1/citations/{n}/ledger",
        f"/v1/citations/{n}/payments",
        f"/v1/citations/{n}/notice.pdf",
        f"/v1/payments/{world.receipt}/receipt.pdf",
    ]


def test_answers_with_personal_data_are_never_stored_by_a_cache(
    world: World, client: TestClient
) -> None:
    for path in personal_paths(world):
        answer = client.get(path, headers=world.headers)
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers["cache-control"] == "no-store", path
        assert answer.headers["x-content-type-options"] == "nosniff", path
    refused = client.get(personal_paths(world)[0])  # a problem document too
    assert (refused.status_code, refused.headers["cache-control"]) == (401, "no-store")


def test_https_answers_carry_hsts_and_plain_http_ones_do_not(world: World) -> None:
    path = personal_paths(world)[0]
    with world.client() as secure:
        hsts = secure.get(path, headers=world.headers).headers["strict-transport-security"]
        assert hsts == f"max-age={YEAR}"
        assert secure.get("/v1/schemas/intake").headers["strict-transport-security"] == hsts
    with world.client(base_url="http://testserver") as plain:
        assert "strict-transport-security" not in plain.get(path, headers=world.headers).headers
    with world.client(hsts_seconds=0) as switched_off:
        assert "strict-transport-security" not in switched_off.get(path).headers
    with world.client(hsts_seconds=600) as shorter:
        assert shorter.get(path).headers["strict-transport-security"] == "max-age=600"


def test_no_description_or_docs_unless_configured(world: World, client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        assert client.get(path).status_code == 404, path
        assert client.get(path, headers=world.headers).status_code == 404, path


def test_a_configured_description_is_for_token_holders_and_docs_stay_off(world: World) -> None:
    with world.client(api_docs=True) as client:
        refused = client.get("/openapi.json")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        served = client.get("/openapi.json", headers=world.headers)
        assert served.status_code == 200
        assert "/v1/citations/{number}/notice.pdf" in served.json()["paths"]
        assert "/openapi.json" not in served.json()["paths"]
        # The interactive pages would load scripts from a public CDN: never served.
        assert client.get("/docs", headers=world.headers).status_code == 404
        assert client.get("/redoc", headers=world.headers).status_code == 404


def test_the_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITATIONS_API_DOCS", "true")
    monkeypatch.setenv("CITATIONS_HSTS_SECONDS", "0")
    assert (Settings().api_docs, Settings().hsts_seconds) == (True, 0)
    monkeypatch.setenv("CITATIONS_HSTS_SECONDS", "-1")
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        Settings()


def test_an_unexpected_error_is_not_cached_either(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 500 is answered outside the middleware (by Starlette's outermost error handler), so
    its problem document carries the headers itself."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a fault")

    monkeypatch.setattr("citations.api.routes.get_citation", broken)
    answer = client.get(personal_paths(world)[0], headers=world.headers)
    assert answer.status_code == 500
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"
