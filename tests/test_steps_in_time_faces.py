"""Steps before their time through the API and the command line (both backends): each refusal
is a 422 problem or a clean error naming the field, and a clerk's held-early reason passes.

The wall clock is pinned at 10:00 on 2026-11-29 in Los Angeles (tests/clock.py); the hearing
is at 09:00 on 2026-12-16, and the citations were served at 10:00 on 2026-11-20.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citations.app import create_app
from citations.database import transaction
from citations.hearings.scheduling import schedule_hearing
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.cli_steps import run
from tests.conftest import NOW
from tests.factories import prepare
from tests.hearing_steps import CLERK, at, issue_one, officer_with_session, to_ready

STARTS = datetime(2026, 12, 16, 17, 0, tzinfo=UTC)
"""09:00 on 2026-12-16 in Los Angeles: the hearing's set time."""
FINDINGS = "The city did not prove the can held alcohol."
EARLY = (
    "the hearing is set for 2026-12-16 09:00 (America/Los_Angeles) and it is now "
    "2026-11-29 10:00: record the decision once it has begun, or, if it was held early by "
    "agreement, a clerk gives the reason"
)

Client = tuple[TestClient, dict[str, dict[str, str]]]


def scheduled(engine: Engine) -> str:
    """A citation whose hearing is set for STARTS (scheduled on 2026-12-04)."""
    _, docket = officer_with_session(engine, "Judge Fair", date(2026, 12, 16))
    number = issue_one(engine)
    to_ready(engine, number)
    with transaction(engine) as session:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"), session_id=docket)
    return number


@pytest.fixture
def api(engine: Engine, database_url: str) -> Iterator[Client]:
    prepare(engine)
    headers = {}
    with transaction(engine) as session:
        for role in ("clerk", "hearing_officer", "admin"):
            _, secret = create_token(
                session, role=role, agency=None, name=role, actor=OPERATOR, now=NOW
            )
            headers[role] = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(database_url), raise_server_exceptions=False) as client:
        yield client, headers


def problem(response: Any, kind: str) -> tuple[str, list[dict[str, str]]]:
    """(detail, errors) of a 422 problem of `kind`."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["type"] == f"/problems/{kind}", body
    return body["detail"], body["errors"]


# -- the API -------------------------------------------------------------------------------------


def test_the_api_refuses_a_decision_and_a_no_show_before_the_hearing(
    api: Client, engine: Engine
) -> None:
    client, h = api
    number = scheduled(engine)
    base = f"/v1/citations/{number}/hearing"
    decision = {"outcome": "dismissed", "findings": FINDINGS}
    early = client.post(f"{base}/decision", headers=h["hearing_officer"], json=decision)
    assert problem(early, "too-early") == (
        "the hearing has not begun",
        [{"field": "held_early_reason", "message": EARLY}],
    )
    _, errors = problem(client.post(f"{base}/no-show", headers=h["clerk"]), "too-early")
    assert errors[0]["field"] == "hearing"
    assert errors[0]["message"].endswith("a no-show can be recorded only once it has begun")
    by_agreement = decision | {"held_early_reason": "The person came in and asked."}
    officer = client.post(f"{base}/decision", headers=h["hearing_officer"], json=by_agreement)
    assert officer.status_code == 403
    decided = client.post(f"{base}/decision", headers=h["clerk"], json=by_agreement)
    assert decided.status_code == 200, decided.text
    assert decided.json()["hearings"][-1]["status"] == "held"


@pytest.mark.clock(STARTS)
def test_the_api_takes_a_decision_at_the_hearings_time(api: Client, engine: Engine) -> None:
    client, h = api
    number = scheduled(engine)
    decided = client.post(
        f"/v1/citations/{number}/hearing/decision",
        headers=h["hearing_officer"],
        json={"outcome": "dismissed", "findings": FINDINGS},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["citation_status"] == "dismissed"


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            "review-requests",
            {"statement": "Soda.", "received_at": "2000-01-01T00:00:00Z"},
            "1999-12-31T16:00-08:00 is before citation {number} existed (2026-11-20T10:00-08:00)",
        ),
        (
            "review-requests",
            {"statement": "Soda.", "received_at": "8999-12-31T23:59:59-14:00"},
            "9000-01-01T05:59-08:00 is in the future: it is now 2026-11-29T10:00-08:00 "
            "(a clock may run at most 5 minutes ahead)",
        ),
        (
            "payments",
            {"amount": "50.00", "method": "card", "received_at": "1990-06-01T12:00:00Z"},
            "1990-06-01T05:00-07:00 is before citation {number} existed (2026-11-20T10:00-08:00)",
        ),
        (
            "payments",
            {"amount": "50.00", "method": "card", "received_at": "2099-06-01T12:00:00Z"},
            "2099-06-01T05:00-07:00 is in the future: it is now 2026-11-29T10:00-08:00 "
            "(a clock may run at most 5 minutes ahead)",
        ),
    ],
    ids=["review-2000", "review-8999", "payment-1990", "payment-2099"],
)
def test_the_api_refuses_an_impossible_received_time(
    api: Client, engine: Engine, path: str, body: dict[str, str], message: str
) -> None:
    client, h = api
    number = issue_one(engine)
    answer = client.post(f"/v1/citations/{number}/{path}", headers=h["clerk"], json=body)
    assert problem(answer, "implausible-time") == (
        "the time given is not possible",
        [{"field": "received_at", "message": message.format(number=number)}],
    )


@pytest.mark.parametrize(
    ("as_of", "refused"),
    [("2026-11-29", False), ("2026-11-30", True), ("9000-12-31", True)],
    ids=["today", "tomorrow", "year-9000"],
)
def test_the_api_processes_only_a_day_that_has_come(
    api: Client, engine: Engine, as_of: str, refused: bool
) -> None:
    client, h = api
    issue_one(engine)
    answer = client.post(f"/v1/processing?as_of={as_of}", headers=h["admin"])
    if not refused:
        assert answer.status_code == 200, answer.text
        return
    assert problem(answer, "too-early") == (
        "daily processing cannot be run for a day that has not come",
        [
            {
                "field": "as_of",
                "message": f"{as_of} is after today, 2026-11-29 in America/Los_Angeles",
            }
        ],
    )
    export = client.get("/v1/collections/export.csv", headers=h["clerk"])
    assert export.text.strip().count("\n") == 0  # the header alone: nobody was referred


# -- the command line ----------------------------------------------------------------------------


def test_the_cli_refuses_steps_before_their_time(
    runner: CliRunner, db: str, engine: Engine
) -> None:
    d = ["--database", db]
    number = scheduled(engine)
    decide = ["hearings", "decide", number, "--outcome", "dismissed", "--findings", FINDINGS]
    early = run(runner, *decide, *d, code=1)
    assert early.output == f"Error: the hearing has not begun\n  held_early_reason: {EARLY}\n"
    no_show = run(runner, "hearings", "no-show", number, *d, code=1)
    assert "a no-show can be recorded only once it has begun" in no_show.output
    paid_late = run(
        runner,
        "pay",
        issue_one(engine),
        "--amount",
        "10.00",
        "--method",
        "cash",
        "--received-at",
        "2099-01-01T10:00:00-08:00",
        *d,
        code=1,
    )
    assert "received_at: 2099-01-01T10:00-08:00 is in the future" in paid_late.output
    contested = run(
        runner,
        "hearings",
        "request-review",
        issue_one(engine),
        "--statement",
        "Soda.",
        "--received-at",
        "2000-01-01T00:00:00+00:00",
        *d,
        code=1,
    )
    assert "received_at: 1999-12-31T16:00-08:00 is before citation" in contested.output
    tomorrow = run(runner, "process", "--as-of", "2026-11-30", *d, code=1)
    assert tomorrow.output == (
        "Error: daily processing cannot be run for a day that has not come\n"
        "  as_of: 2026-11-30 is after today, 2026-11-29 in America/Los_Angeles\n"
    )
    lapse = run(runner, "hearings", "lapse", "--as-of", "2026-11-30", *d, code=1)
    assert "as_of: 2026-11-30 is after today" in lapse.output
    held = run(runner, *decide, "--held-early-reason", "The person came in and asked.", *d)
    assert f"Hearing on {number}: dismissed; refund 200.00" in held.output
