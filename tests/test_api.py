"""The HTTP API through FastAPI's TestClient, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.app import create_app
from citations.database import transaction
from citations.record.numbering import CitationNumber
from citations.record.tokens import create_token, revoke_token
from citations.roles import OPERATOR
from tests.conftest import NOW
from tests.factories import message, prepare, subject


@pytest.fixture
def api(engine: Engine, database_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    prepare(engine)
    secrets: dict[str, str] = {}
    with transaction(engine) as session:
        for name, role, agency in [
            ("officer", "officer", "DCPD"),
            ("other", "officer", "OTHR"),
            ("clerk", "clerk", None),
            ("revoked", "officer", "DCPD"),
        ]:
            token, secret = create_token(
                session, role=role, agency=agency, name=name, actor=OPERATOR, now=NOW
            )
            secrets[name] = secret
            if name == "revoked":
                revoke_token(session, token.id, actor=OPERATOR, now=NOW)
    with TestClient(create_app(database_url), raise_server_exceptions=False) as client:
        yield client, secrets


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def assert_problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{kind}"
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["instance"]
    return body


def test_issue_read_and_replay(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    body = message()
    first = client.post("/v1/citations", json=body, headers=auth(tokens["officer"]))
    assert first.status_code == 201, first.text
    result = first.json()
    assert result["outcome"] == "issued"
    assert first.headers["location"] == f"/v1/citations/{result['citation_number']}"
    assert "idempotent-replayed" not in first.headers
    again = client.post("/v1/citations", json=body, headers=auth(tokens["officer"]))
    assert again.status_code == 201
    assert again.json() == result
    assert again.headers["idempotent-replayed"] == "true"
    read = client.get(f"/v1/citations/{result['citation_number']}", headers=auth(tokens["officer"]))
    assert read.status_code == 200
    assert read.json()["total_fine"] == "200.00"
    clerk = client.get(f"/v1/citations/{result['citation_number']}", headers=auth(tokens["clerk"]))
    assert clerk.status_code == 200


def test_same_message_id_other_body_is_409(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    body = message()
    client.post("/v1/citations", json=body, headers=auth(tokens["officer"]))
    changed = {**body, "officer_notes": "edited"}
    problem = assert_problem(
        client.post("/v1/citations", json=changed, headers=auth(tokens["officer"])),
        409,
        "idempotency-conflict",
    )
    assert body["message_id"] in problem["detail"]


def test_referrals_are_200_with_reasons(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    body = message(
        violation_at="2021-06-01T12:00:00-07:00", subject=subject(date_of_birth="2005-01-01")
    )
    response = client.post("/v1/citations", json=body, headers=auth(tokens["officer"]))
    assert response.status_code == 200
    assert response.json()["outcome"] == "referred"
    assert response.json()["citation_number"] is None


@pytest.mark.parametrize(
    "header", [None, "Bearer nope", "Bearer cit_unknown", "Basic abc", "revoked"]
)
def test_bad_tokens_are_401(api: tuple[TestClient, dict[str, str]], header: str | None) -> None:
    client, tokens = api
    headers = {}
    if header == "revoked":
        headers = auth(tokens["revoked"])
    elif header is not None:
        headers = {"Authorization": header}
    response = client.post("/v1/citations", json=message(), headers=headers)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_roles_and_agencies(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    assert_problem(
        client.post("/v1/citations", json=message(), headers=auth(tokens["clerk"])),
        403,
        "forbidden",
    )
    assert_problem(
        client.post("/v1/citations", json=message(), headers=auth(tokens["other"])),
        403,
        "forbidden",
    )
    number = client.post("/v1/citations", json=message(), headers=auth(tokens["officer"])).json()[
        "citation_number"
    ]
    assert_problem(
        client.get(f"/v1/citations/{number}", headers=auth(tokens["other"])), 404, "not-found"
    )
    assert_problem(
        client.post(
            "/v1/number-blocks",
            headers=auth(tokens["clerk"]),
            json={"agency": "DCPD", "device_id": "u1", "size": 5},
        ),
        403,
        "forbidden",
    )


def test_field_errors_are_listed(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    body = message(violations=[], subject={"first_name": "A"}, extra="x")
    problem = assert_problem(
        client.post("/v1/citations", json=body, headers=auth(tokens["officer"])),
        422,
        "input-rejected",
    )
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert fields["subject.last_name"] == "required"
    assert fields["extra"] == "unknown field"
    assert "violations" in fields


def test_domain_rejections_are_422_with_fields(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    body = message(violations=[{"ordinance": "TC 404", "narrative": "x"}])
    problem = assert_problem(
        client.post("/v1/citations", json=body, headers=auth(tokens["officer"])),
        422,
        "input-rejected",
    )
    assert problem["errors"] == [
        {"field": "violations[0].ordinance", "message": "no ordinance 'TC 404' is published"}
    ]


def test_malformed_json_is_400(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    response = client.post(
        "/v1/citations",
        content=b'{"message_id": ',
        headers={**auth(tokens["officer"]), "Content-Type": "application/json"},
    )
    assert_problem(response, 400, "malformed-json")


def test_number_blocks_and_offline_numbers(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    response = client.post(
        "/v1/number-blocks",
        headers=auth(tokens["officer"]),
        json={"agency": "DCPD", "device_id": "unit-12", "size": 3},
    )
    assert response.status_code == 201, response.text
    block = response.json()
    assert block["first"] == str(CitationNumber("DCPD", 2026, 1))
    assert block["size"] == 3
    body = message(citation_number=block["last"])
    issued = client.post("/v1/citations", json=body, headers=auth(tokens["officer"]))
    assert issued.json()["citation_number"] == block["last"]
    reused = message(citation_number=block["last"])
    problem = assert_problem(
        client.post("/v1/citations", json=reused, headers=auth(tokens["officer"])),
        422,
        "input-rejected",
    )
    assert problem["errors"][0]["message"].endswith("has already been used")


def test_bad_citation_number_in_the_path(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    problem = assert_problem(
        client.get("/v1/citations/DCPD-2026-000001-0", headers=auth(tokens["clerk"])),
        422,
        "input-rejected",
    )
    assert problem["errors"] == [
        {"field": "number", "message": "the check digit does not match (mistyped?)"}
    ]
    assert_problem(client.get("/v1/nowhere", headers=auth(tokens["clerk"])), 404, "not-found")


def test_code_table_and_schema(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    table = client.get("/v1/ordinances?on=2025-02-01", headers=auth(tokens["officer"])).json()
    assert table["on"] == "2025-02-01"
    assert [o["code"] for o in table["in_effect"]] == ["TC 41.18(d)", "TC 41.27(c)"]
    assert table["not_in_effect"][0]["code"] == "TC 63.44"
    schema = client.get("/v1/schemas/intake").json()
    assert schema["title"] == "Citation intake message"
    assert "message_id" in schema["required"]
    openapi = client.app.openapi()  # type: ignore[attr-defined]
    assert "/v1/citations/{number}/notice.pdf" in openapi["paths"]


def test_void_and_amend(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    number = client.post("/v1/citations", json=message(), headers=auth(tokens["officer"])).json()[
        "citation_number"
    ]
    amended = client.post(
        f"/v1/citations/{number}/amendments",
        headers=auth(tokens["officer"]),
        json={
            "reason": "Address corrected",
            "location": {"address": "102 Main St", "area": "Central"},
        },
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["revision"] == 2
    assert [r["reason"] for r in amended.json()["revisions"]] == [None, "Address corrected"]
    voided = client.post(
        f"/v1/citations/{number}/void",
        headers=auth(tokens["clerk"]),
        json={"reason": "Issued to the wrong person"},
    )
    assert voided.json()["status"] == "voided"
    assert_problem(
        client.post(
            f"/v1/citations/{number}/void", headers=auth(tokens["clerk"]), json={"reason": "again"}
        ),
        409,
        "illegal-transition",
    )
