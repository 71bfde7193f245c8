"""The work queues' thin faces (both backends): `citations contests assign|queue` and the API's
`PUT /v1/contests/{number}/assignee` and `GET /v1/contests/queue`, each calling the one
library (citations.hearings.assign), with its refusals as exit code 1 or problem+json."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from citations.app import create_app
from citations.audit import AuditEvent
from citations.database import transaction
from tests.browser.desk import CLOCK, Desk, set_desk
from tests.cli_steps import run
from tests.queue_steps import add_staff

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]


def test_the_command_line_assigns_and_lists(
    runner: CliRunner, filled: Desk, engine: Engine, database_url: str
) -> None:
    add_staff(engine)
    d = ["--database", database_url]
    review, waiver = filled.numbers["review"], filled.numbers["waiver"]
    done = run(runner, "contests", "assign", review, "--to", "PKim", *d)
    assert done.output == f"{review} is assigned to Pat Kim.\n"
    refused = run(runner, "contests", "assign", waiver, "--to", "pkim", *d, code=1)
    assert "Pat Kim is a hearing officer, who may not decide waiver" in refused.output
    both = run(runner, "contests", "assign", waiver, "--to", "jlee", "--unassign", *d, code=2)
    assert "either --to USERNAME or --unassign" in both.output
    listed = run(runner, "contests", "queue", "--assignee", "pkim", *d)
    assert listed.output.splitlines() == [
        f'{review}  review     due 2026-12-10 (6 days left)  pkim  <script>alert("x")</script> Doe'
    ]
    shared = json.loads(
        run(runner, "contests", "queue", "--assignee", "unassigned", "--json", *d).output
    )
    assert [(r["citation_number"], r["tier"], r["deadline"]) for r in shared] == [
        (filled.numbers["to_schedule"], "schedule", "2026-12-16"),
        (waiver, "waiver", "2026-12-16"),
    ]
    soon = run(runner, "contests", "queue", "--due-within", "3", *d)
    assert soon.output == "Nothing waiting.\n"
    back = run(runner, "contests", "assign", review, "--unassign", *d)
    assert back.output == f"{review} is in the shared queue.\n"
    with transaction(engine) as session:
        actors = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.action == "contest.assigned")
        ).all()
    assert actors == ["operator (command line)"] * 2


Api = tuple[TestClient, Desk]


@pytest.fixture
def api(filled: Desk, database_url: str, engine: Engine) -> Iterator[Api]:
    add_staff(engine)
    with TestClient(create_app(database_url), raise_server_exceptions=False) as client:
        yield client, filled


def bearer(desk: Desk, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {desk.tokens[role]}"}


def test_the_api_assigns_with_problems_for_refusals(api: Api) -> None:
    client, desk = api
    review, waiver = desk.numbers["review"], desk.numbers["waiver"]
    path = f"/v1/contests/{review}/assignee"
    answer = client.put(path, json={"assignee": "jlee"}, headers=bearer(desk, "clerk"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["assigned_at"].startswith("2026-12-04T18:00")  # now, on the ticking pinned clock
    assert {k: body[k] for k in ("citation_number", "assignee", "assignee_name")} == {
        "citation_number": review,
        "assignee": "jlee",
        "assignee_name": "Jordan Lee",
    }
    refused = client.put(
        f"/v1/contests/{waiver}/assignee", json={"assignee": "gone"}, headers=bearer(desk, "clerk")
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"].endswith("/problems/input-rejected")
    assert problem["errors"] == [{"field": "assignee", "message": "the account 'gone' is disabled"}]
    officer = client.put(path, json={"assignee": None}, headers=bearer(desk, "hearing_officer"))
    assert officer.status_code == 403 and officer.json()["type"].endswith("forbidden")
    unknown_field = client.put(path, json={"to": "jlee"}, headers=bearer(desk, "clerk"))
    assert unknown_field.status_code == 422
    queue = client.get("/v1/contests/queue?assignee=jlee", headers=bearer(desk, "auditor"))
    assert [(r["citation_number"], r["days_left"]) for r in queue.json()] == [(review, 6)]
    cleared = client.put(path, json={"assignee": None}, headers=bearer(desk, "admin"))
    assert cleared.json()["assignee"] is None and cleared.json()["assigned_at"] is None
    waiting = client.get("/v1/contests/queue?tier=review", headers=bearer(desk, "clerk"))
    assert [r["assignee"] for r in waiting.json()] == [None]
    bad = client.get("/v1/contests/queue?due_within=-1", headers=bearer(desk, "clerk"))
    assert bad.status_code == 422
