"""Money endpoints: idempotent payments, receipts, roles, plans and alternatives (both backends)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.app import create_app
from citations.database import transaction
from citations.partitions import TABLES
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.conftest import NOW
from tests.factories import prepare
from tests.money_steps import issue_one
from tests.pdfs import pdf_text

Client = tuple[TestClient, dict[str, dict[str, str]]]
ADDRESS = {"line1": "1200 W 7th St", "city": "Los Angeles", "state": "CA", "postal_code": "90017"}
PART = {"amount": "20.00", "method": "cash"}


@pytest.fixture
def api(engine: Engine, database_url: str) -> Iterator[Client]:
    prepare(engine)
    headers = {}
    with transaction(engine) as session:
        for role, agency in [("clerk", None), ("attorney", None), ("admin", None)]:
            _, secret = create_token(
                session, role=role, agency=agency, name=role, actor=OPERATOR, now=NOW
            )
            headers[role] = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(database_url), raise_server_exceptions=False) as client:
        yield client, headers


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_idempotent_payments_and_receipts(api: Client, engine: Engine) -> None:
    client, h = api
    number = issue_one(engine)
    url = f"/v1/citations/{number}/payments"
    body = {"amount": "50.00", "method": "card", "reference": "txn-1"}
    keyed = h["clerk"] | {"Idempotency-Key": "pay-1"}
    first = client.post(url, json=body, headers=keyed)
    assert first.status_code == 201
    again = client.post(url, json=body, headers=keyed)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    conflict = client.post(url, json=body | {"amount": "60.00"}, headers=keyed)
    assert conflict.status_code == 409
    assert conflict.json()["type"] == "/problems/idempotency-conflict"
    over = client.post(url, json={"amount": "150.01", "method": "card"}, headers=h["clerk"])
    assert over.status_code == 422
    assert over.json()["errors"][0]["message"].startswith(f"the balance of {number} is 150.00")
    assert client.post(url, json=body, headers=h["attorney"]).status_code == 403
    receipt = first.json()["receipt_number"]
    pdf = client.get(f"/v1/payments/{receipt}/receipt.pdf", headers=h["clerk"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    ledger = ok(client.get(f"/v1/citations/{number}/ledger", headers=h["attorney"]))
    assert [(line["kind"], line["signed_amount"]) for line in ledger] == [
        ("fine_assessed", "200.00"),
        ("payment", "-50.00"),
    ]


def test_plan_service_diversion_and_processing(
    api: Client, engine: Engine, pinned_clock: time_machine.Traveller
) -> None:
    client, h = api
    planned, served, diverted = issue_one(engine), issue_one(engine), issue_one(engine)
    ok(
        client.post(
            f"/v1/citations/{planned}/plan",
            headers=h["clerk"],
            json={
                "installments": [
                    {"due_on": "2030-01-15", "amount": "100.00"},
                    {"due_on": "2030-02-15", "amount": "100.00"},
                ]
            },
        ),
        201,
    )
    state = ok(
        client.post(
            f"/v1/citations/{served}/service", headers=h["clerk"], json={"provider": "food-bank"}
        ),
        201,
    )
    assert state["hours_required"] == "10"
    referral = ok(
        client.post(
            f"/v1/citations/{diverted}/diversion",
            headers=h["clerk"],
            json={
                "program": "neighborhood-justice",
                "obligations": [{"kind": "apology_letter", "description": "Letter to neighbors"}],
            },
        ),
        201,
    )
    assert referral["status"] == "active"
    done = ok(
        client.post(
            f"/v1/citations/{diverted}/diversion/obligations/0",
            headers=h["clerk"],
            json={"done_on": "2026-11-29"},
        )
    )
    assert done["status"] == "completed"
    assert client.post("/v1/processing?as_of=2026-12-26", headers=h["clerk"]).status_code == 403
    pinned_clock.move_to(datetime(2026, 12, 26, 18, 0, tzinfo=UTC))  # processing runs for today
    processed = ok(client.post("/v1/processing?as_of=2026-12-26", headers=h["admin"]))
    assert processed["delinquent"] == []
    # Its upkeep, as `citations process` prints it: a new database's parents were never
    # analyzed; SQLite has neither partitions nor their statistics.
    postgres = engine.dialect.name == "postgresql"
    upkept = {"partitions": [], "analyzed": sorted(TABLES) if postgres else [], "left": []}
    assert processed["upkeep"] == upkept
    export = client.get("/v1/collections/export.csv", headers=h["clerk"])
    assert export.text.startswith("record,citation_number")
    report = ok(
        client.get("/v1/reconciliation?from=2026-01-01&to=2030-12-31", headers=h["attorney"])
    )
    assert report["rows"] == []


def test_the_late_notice_is_the_one_processing_sent_mailed_on_the_citys_day(
    api: Client, engine: Engine, pinned_clock: time_machine.Traveller
) -> None:
    """Daily processing sends the late notice; the route returns it as sent. At 23:30 on
    26 December in Los Angeles it is already 27 December in UTC: mailed on the 26th."""
    client, h = api
    number = issue_one(engine, address=ADDRESS)
    url = f"/v1/citations/{number}/late-notice.pdf"
    none_yet = client.get(url, headers=h["clerk"])
    assert none_yet.status_code == 422 and "has no late notice" in none_yet.text
    pinned_clock.move_to(datetime(2026, 12, 27, 7, 30, tzinfo=UTC))
    ok(client.post("/v1/processing?as_of=2026-12-26", headers=h["admin"]))
    notice = client.get(url, headers=h["clerk"])
    assert notice.status_code == 200
    assert "Enviado el 26 de diciembre de 2026" in pdf_text(notice.content)  # Spanish reader
    [late] = [
        d
        for d in ok(client.get(f"/v1/citations/{number}/documents", headers=h["clerk"]))
        if d["kind"] == "late_notice"
    ]
    assert late["about"] == "late:2026-12-26" and late["delivery"] == "mailed"
    assert late["mailing"]["mailed_on"] == "2026-12-26"
    assert late["mailing"]["address"]["line1"] == ADDRESS["line1"]
    assert late["sha256"] == hashlib.sha256(notice.content).hexdigest()
    pinned_clock.move_to(datetime(2027, 1, 20, 18, 0, tzinfo=UTC))  # weeks later, paid in part
    ok(client.post(f"/v1/citations/{number}/payments", json=PART, headers=h["clerk"]), 201)
    assert client.get(url, headers=h["clerk"]).content == notice.content
