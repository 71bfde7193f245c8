"""The drawer over the API: open, a counter payment in it, the refusal without one
(problem+json), close with the difference, and the day's list (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.app import create_app
from citations.database import transaction
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.conftest import NOW
from tests.factories import prepare
from tests.money_steps import issue_one

Client = tuple[TestClient, dict[str, dict[str, str]]]


@pytest.fixture
def api(engine: Engine, database_url: str) -> Iterator[Client]:
    prepare(engine)
    headers = {}
    with transaction(engine) as session:
        for role in ("clerk", "auditor"):
            _, secret = create_token(
                session, role=role, agency=None, name=role, actor=OPERATOR, now=NOW
            )
            headers[role] = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(database_url), raise_server_exceptions=False) as client:
        yield client, headers


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_a_drawer_over_the_api(api: Client, engine: Engine) -> None:
    client, h = api
    number = issue_one(engine)
    pay = f"/v1/citations/{number}/counter-payments"
    refused = client.post(pay, json={"amount": "20.00", "method": "cash"}, headers=h["clerk"])
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert "open your drawer first" in refused.text
    opened = ok(client.post("/v1/drawer", json={"opening_float": "50.00"}, headers=h["clerk"]), 201)
    assert (opened["status"], opened["opening_float"]) == ("open", "50.00")
    receipt = ok(
        client.post(pay, json={"amount": "20.00", "method": "cash"}, headers=h["clerk"]), 201
    )
    mine = ok(client.get("/v1/drawer", headers=h["clerk"]))
    assert [r["receipt_number"] for r in mine["receipts"]] == [receipt["receipt_number"]]
    assert mine["cash_expected"] == "70.00"
    closed = ok(
        client.post(
            "/v1/drawer/close",
            json={"counted_cash": "71.00", "counted_checks": "0.00"},
            headers=h["clerk"],
        )
    )
    assert (closed["status"], closed["cash_difference"]) == ("closed", "1.00")
    assert client.get("/v1/drawer", headers=h["clerk"]).status_code == 404
    day = {"from": "2026-11-01", "to": "2035-12-31"}
    listed = ok(client.get("/v1/drawers", params=day, headers=h["auditor"]))
    assert [d["id"] for d in listed] == [closed["id"]]
    one = ok(client.get(f"/v1/drawers/{closed['id']}", headers=h["auditor"]))
    assert one["counted_cash"] == "71.00"
    denied = client.post("/v1/drawer", json={"opening_float": "1.00"}, headers=h["auditor"])
    assert denied.status_code == 403
