"""The hearing clerks' endpoints, from a contest to an order (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.app import create_app
from citations.calendar import BusinessCalendar
from citations.database import transaction
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from ordinances.models import HolidayCalendar
from tests.conftest import NOW
from tests.factories import prepare
from tests.hearing_steps import issue_one

Client = tuple[TestClient, dict[str, dict[str, str]]]


@pytest.fixture
def api(engine: Engine, database_url: str) -> Iterator[Client]:
    prepare(engine)
    headers = {}
    with transaction(engine) as session:
        for role, agency in [("clerk", None), ("officer", "DCPD"), ("hearing_officer", None)]:
            _, secret = create_token(
                session, role=role, agency=agency, name=role, actor=OPERATOR, now=NOW
            )
            headers[role] = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(database_url), raise_server_exceptions=False) as client:
        yield client, headers


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def test_from_contest_to_order(
    api: Client, engine: Engine, pinned_clock: time_machine.Traveller
) -> None:
    client, h = api
    number = issue_one(engine)
    base = f"/v1/citations/{number}"
    ok(
        client.post(
            f"{base}/review-requests",
            headers=h["clerk"],
            json={"statement": "It was soda.", "received_at": "2026-11-25T10:00:00-08:00"},
        ),
        201,
    )
    review = ok(
        client.post(
            f"{base}/review-decision",
            headers=h["hearing_officer"],
            json={
                "outcome": "upheld",
                "findings": "Photo shows an open beer.",
                "decided_by": {"name": "Pat Morgan", "title": "Senior Review Officer"},
            },
        )
    )
    assert review["citation_status"] == "review_upheld"
    contest = ok(
        client.post(
            f"{base}/hearing-requests",
            headers=h["clerk"],
            json={"deposit": "200.00", "deposit_method": "card"},
        ),
        201,
    )
    assert contest["deposit_status"] == "paid"
    officer = ok(
        client.post(
            "/v1/hearing-officers",
            headers=h["clerk"],
            json={
                "name": "Ada Ruiz",
                "qualification": "pro_tem_judge",
                "independence": "Retired judge under contract; not a city employee.",
            },
        ),
        201,
    )
    # A business day well after the notice lead time from today (the API's pinned clock, NOW).
    calendar = BusinessCalendar(HolidayCalendar(country="US", subdivision="CA"))
    today = NOW.astimezone(ZoneInfo("America/Los_Angeles")).date()
    day = calendar.on_or_after(today + timedelta(days=21)).isoformat()
    ok(
        client.post(
            f"/v1/hearing-officers/{officer['id']}/availability",
            headers=h["clerk"],
            json={"day": day, "start": "08:00", "end": "17:00"},
        ),
        201,
    )
    docket = ok(
        client.post(
            "/v1/docket-sessions",
            headers=h["clerk"],
            json={
                "day": day,
                "start": "09:00",
                "officer_id": officer["id"],
                "capacity": 4,
                "place": "City Hall East, Room 101",
                "slot_minutes": 20,
            },
        ),
        201,
    )
    # an officer token can neither schedule nor decide
    assert client.post(f"{base}/hearing", headers=h["officer"], json={}).status_code == 403
    scheduled = ok(client.post(f"{base}/hearing", headers=h["clerk"], json={}), 201)
    assert scheduled["hearings"][0]["session_id"] == docket["id"]
    notice = client.get(f"{base}/hearing-notice.pdf", headers=h["clerk"])
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")
    sheet = client.get(f"/v1/docket-sessions/{docket['id']}/docket.pdf", headers=h["clerk"])
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    assert (
        client.post(
            f"{base}/hearing/decision",
            headers=h["officer"],
            json={"outcome": "dismissed", "findings": "x" * 20},
        ).status_code
        == 403
    )
    early = client.post(
        f"{base}/hearing/decision",
        headers=h["hearing_officer"],
        json={"outcome": "dismissed", "findings": "The city did not prove the can held alcohol."},
    )
    assert early.status_code == 422 and early.json()["type"] == "/problems/too-early"
    pinned_clock.move_to(datetime.fromisoformat(f"{day}T09:00:00-08:00"))  # the hearing's time
    decided = ok(
        client.post(
            f"{base}/hearing/decision",
            headers=h["hearing_officer"],
            json={
                "outcome": "dismissed",
                "findings": "The city did not prove the can held alcohol.",
            },
        )
    )
    assert decided["citation_status"] == "dismissed"
    assert decided["balance"] == "0.00" and decided["paid"] == "0.00"
    assert decided["orders"][-1]["refund"] == "200.00"
    order = client.get(f"{base}/order.pdf", headers=h["clerk"])
    assert order.status_code == 200 and order.content.startswith(b"%PDF")


@pytest.mark.clock(datetime(2026, 12, 11, 17, 0, tzinfo=UTC))  # 09:00 on the day it arrives
def test_a_late_contest_is_a_deadline_problem(api: Client, engine: Engine) -> None:
    client, h = api
    number = issue_one(engine)
    response = client.post(
        f"/v1/citations/{number}/review-requests",
        headers=h["clerk"],
        json={"statement": "Late.", "received_at": "2026-12-11T09:00:00-08:00"},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/deadline-missed"
    assert "after the deadline of 2026-12-10" in problem["detail"]
    accepted = client.post(
        f"/v1/citations/{number}/review-requests",
        headers=h["clerk"],
        json={
            "statement": "Late.",
            "received_at": "2026-12-11T09:00:00-08:00",
            "late_reason": "Notice mailed to an old address.",
        },
    )
    assert accepted.status_code == 201
    assert accepted.json()["review_late_reason"] == "Notice mailed to an old address."
