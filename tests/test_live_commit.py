"""What the API confirms is committed: a real `citations serve`, every write route (both
backends).

The server runs as its own process (tests/live_server.py) and every commit it makes waits
`SLOW` seconds first. An answer sent before its commit (as the API did when the request's
session was closed after the response) then reaches the test while the data is not yet there:
the read the test makes at once, on a connection of its own, misses it, and a kill -9 right
after the answer loses it. Every write route is walked: after each 2xx the audit trail (every
state change is audited in the same transaction) must already hold the step's event.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import IntegrityError

from citations.app import create_app
from citations.audit import AuditEvent
from citations.database import transaction
from citations.payments.tables import Payment
from citations.record.tables import ApiToken, Citation
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.factories import message, prepare, send, subject
from tests.hearing_steps import INDEPENDENCE, ISSUED_AT, issue_one
from tests.live_server import LiveServer
from tests.staff_steps import make_user
from tests.test_online_files import picture

SLOW = 0.4
"""Seconds every commit of the server waits: far longer than the test takes to read."""

TODAY = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
"""10:00 on Friday 2026-12-04 in Los Angeles, the server's clock when the walk starts."""
HEARING_DAY = date(2026, 12, 28)
"""A business day past the 10 days' notice (Christmas Day is a holiday in the profile)."""
LATER_DAY = date(2026, 12, 29)

pytestmark = pytest.mark.clock(TODAY)

ROLES = [("admin", None), ("clerk", None), ("officer", "DCPD"), ("hearing_officer", None)]


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    """The catalog published, the agencies registered, and a token for each role."""
    prepare(engine)
    secrets = {}
    with transaction(engine) as session:
        for role, agency in ROLES:
            _, secret = create_token(
                session, role=role, agency=agency, name=role, actor=OPERATOR, now=ISSUED_AT
            )
            secrets[role] = secret
    return secrets


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(database_url, tmp_path / "server.log", slow_commit=SLOW) as live:
        yield live


def audit_count(engine: Engine) -> int:
    """How many audit events are committed, read on a connection of the test's own."""
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(AuditEvent)) or 0


@dataclass
class Walk:
    """Sends each write on a new connection and checks, at once, that it was committed."""

    server: LiveServer
    engine: Engine
    tokens: dict[str, str]
    routes: list[str] = field(default_factory=list)

    def write(
        self,
        role: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        method: str = "POST",
        content: bytes | None = None,
    ) -> Any:
        before = audit_count(self.engine)
        with self.server.client(self.tokens[role]) as client:
            if content is not None:  # a file sent as the raw body, with its content type
                answer = client.request(method, path, content=content, headers=headers)
            else:
                answer = client.request(method, path, json=body, headers=headers)
        assert answer.status_code == status, f"{method} {path}: {answer.text}"
        after = audit_count(self.engine)
        assert after > before, f"{method} {path} answered {status} before its commit"
        self.routes.append(path)
        return answer.json()


def test_every_write_route_is_committed_before_its_answer(
    server: LiveServer,
    engine: Engine,
    database_url: str,
    tokens: dict[str, str],
    pinned_clock: time_machine.Traveller,
) -> None:
    walk = Walk(server, engine, tokens)
    contested, no_show, decided = (issue_one(engine, first_name=n) for n in ("Ana", "Bo", "Cy"))
    paid, unable, served, diverted, voided, amended = (
        issue_one(engine, first_name=n) for n in ("Di", "Ed", "Flo", "Gus", "Hal", "Ivy")
    )
    mailed = issue_one(
        engine, first_name="Kay", address={"line1": "1 Main St", "city": "Test City"}
    )
    late = send(
        engine,
        message(violation_at="2026-10-01T10:00:00-07:00", subject=subject(first_name="Jo")),
        now=ISSUED_AT - timedelta(days=50),
    ).result.citation_number

    # Issuing and the citation's record.
    walk.write("officer", "/v1/citations", message(), status=201)
    block = {"agency": "DCPD", "device_id": "unit-99", "size": 10}
    walk.write("admin", "/v1/number-blocks", block, status=201)
    walk.write("clerk", f"/v1/citations/{voided}/void", {"reason": "Wrong person identified"})
    new_place = {"reason": "Address corrected", "location": {"address": "102 Main St"}}
    walk.write("officer", f"/v1/citations/{amended}/amendments", new_place)

    # An officer's photo: uploaded, named on a citation, withdrawn by a clerk.
    photo = walk.write(
        "officer",
        "/v1/attachments?filename=scene.jpg",
        status=201,
        headers={"Content-Type": "image/jpeg"},
        content=picture("JPEG", (48, 32)),
    )
    named = {"attachments": [photo["id"]]}
    walk.write("officer", f"/v1/citations/{amended}/attachments", named)
    wrong = {"reason": "A photo of another scene"}
    walk.write("clerk", f"/v1/attachments/{photo['id']}/withdraw", wrong)

    # Money and the alternatives.
    payment = walk.write(
        "clerk",
        f"/v1/citations/{paid}/payments",
        {"amount": "50.00", "method": "card"},
        status=201,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    reversal = {"reason": "Card charge returned"}
    walk.write("clerk", f"/v1/payments/{payment['receipt_number']}/reversal", reversal, status=201)
    plan = [
        {"due_on": "2027-01-15", "amount": "100.00"},
        {"due_on": "2027-02-15", "amount": "100.00"},
    ]
    walk.write("clerk", f"/v1/citations/{paid}/plan", {"installments": plan}, status=201)
    declaration = {"benefits": ["calfresh"], "household_size": 3, "monthly_income": "900.00"}
    walk.write("clerk", f"/v1/citations/{unable}/ability-to-pay", declaration | {"sworn": True})
    service = f"/v1/citations/{served}/service"
    walk.write("clerk", service, {"provider": "food-bank"}, status=201)
    walk.write("clerk", f"{service}/hours", {"worked_on": "2026-12-04", "hours": "5"}, status=201)
    walk.write("clerk", f"{service}/extension", {"reason": "Provider closed for a week"})
    walk.write("clerk", f"{service}/hours", {"worked_on": "2026-12-04", "hours": "5"}, status=201)
    walk.write("clerk", f"{service}/sign-off", {"signer": "Pat Provider"})
    letter = {"kind": "apology_letter", "description": "Letter to the neighbors"}
    referral = {"program": "neighborhood-justice", "obligations": [letter]}
    walk.write("clerk", f"/v1/citations/{diverted}/diversion", referral, status=201)
    walk.write(
        "clerk", f"/v1/citations/{diverted}/diversion/obligations/0", {"done_on": "2026-12-04"}
    )
    walk.write("admin", "/v1/processing?as_of=2026-12-04")
    # The clerk's drawer at the counter: opened, a cash payment in it, closed.
    walk.write("clerk", "/v1/drawer", {"opening_float": "100.00"}, status=201)
    cash = {"amount": "20.00", "method": "cash"}
    walk.write("clerk", f"/v1/citations/{unable}/counter-payments", cash, status=201)
    counted = {"counted_cash": "120.00", "counted_checks": "0.00"}
    walk.write("clerk", "/v1/drawer/close", counted)

    # A contest, to the hearing.
    base = f"/v1/citations/{contested}"
    walk.write("clerk", f"{base}/review-requests", {"statement": "It was soda."}, status=201)
    make_user(engine)  # a clerk's own account, to give the review to
    walk.write("clerk", f"/v1/contests/{contested}/assignee", {"assignee": "jlee"}, method="PUT")
    upheld = {
        "outcome": "upheld",
        "findings": "The photo shows an open beer can.",
        "decided_by": {"name": "Pat Morgan", "title": "Senior Review Officer"},
    }
    walk.write("hearing_officer", f"{base}/review-decision", upheld)
    waiver = {"waiver_declaration": "I receive CalFresh and cannot pay the deposit."}
    walk.write("clerk", f"{base}/hearing-requests", waiver, status=201)
    denied = {"granted": False, "reason": "No proof of benefits was attached."}
    walk.write("clerk", f"{base}/waiver-decision", denied)
    walk.write("clerk", f"{base}/deposits", {"amount": "200.00", "method": "cash"}, status=201)
    for number in (no_show, decided):
        for step, body in [
            ("review-requests", {"statement": "It was soda."}),
            ("review-decision", upheld),
            ("hearing-requests", {"deposit": "200.00", "deposit_method": "card"}),
        ]:
            role = "hearing_officer" if step == "review-decision" else "clerk"
            with server.client(tokens[role]) as client:
                assert client.post(f"/v1/citations/{number}/{step}", json=body).is_success
    officer = walk.write(
        "clerk",
        "/v1/hearing-officers",
        {"name": "Ada Ruiz", "qualification": "pro_tem_judge", "independence": INDEPENDENCE},
        status=201,
    )
    officers = f"/v1/hearing-officers/{officer['id']}"
    sessions = []
    for day in (HEARING_DAY, LATER_DAY):
        window = {"day": day.isoformat(), "start": "08:00", "end": "17:00"}
        walk.write("clerk", f"{officers}/availability", window, status=201)
        docket = {
            "day": day.isoformat(),
            "start": "09:00",
            "officer_id": officer["id"],
            "capacity": 4,
            "place": "City Hall East, Room 101",
        }
        sessions.append(walk.write("clerk", "/v1/docket-sessions", docket, status=201)["id"])
    recusal = {"citation_number": amended, "reason": "Knows the person"}
    walk.write("clerk", f"{officers}/recusals", recusal, status=201)
    first_session = {"session_id": sessions[0]}
    for number in (contested, no_show, decided):
        walk.write("clerk", f"/v1/citations/{number}/hearing", first_session, status=201)
    moved = {"reason": "The person is in hospital", "session_id": sessions[1]}
    walk.write("clerk", f"{base}/hearing/continuance", moved)

    # Returned mail and a new address: the review's order was mailed, and came back.
    sent = f"/v1/citations/{mailed}"
    with server.client(tokens["clerk"]) as client:
        assert client.post(f"{sent}/review-requests", json={"statement": "Soda."}).is_success
    with server.client(tokens["hearing_officer"]) as client:
        assert client.post(f"{sent}/review-decision", json=upheld).is_success
    with server.client(tokens["clerk"]) as client:
        [order] = [d for d in client.get(f"{sent}/documents").json() if d["kind"] == "order"]
    returned = {"returned_on": "2026-12-04", "reason": "Moved, left no address"}
    walk.write("clerk", f"{sent}/documents/{order['id']}/return", returned)
    walk.write(
        "clerk", f"{sent}/address", {"line1": "48 Alvarado St", "city": "Test City"}, status=201
    )

    # The hearing day: the server starts again on its clock.
    pinned_clock.move_to("2026-12-28T17:30:00+00:00")  # 09:30 in Los Angeles
    server.restart()
    walk.write("clerk", f"/v1/citations/{no_show}/hearing/no-show")
    walk.write("clerk", f"/v1/citations/{no_show}/hearing/set-aside", {"reason": "In hospital"})
    dismissed = {"outcome": "dismissed", "findings": "The city did not prove the can held beer."}
    walk.write("hearing_officer", f"/v1/citations/{decided}/hearing/decision", dismissed)

    # Tokens.
    made = walk.write("admin", "/v1/tokens", {"role": "clerk", "name": "Temp"}, status=201)
    walk.write("admin", f"/v1/tokens/{made['id']}/revoke")

    assert late is not None  # processing had a late citation to act on
    with TestClient(create_app(database_url)) as described:  # its engine closed after
        paths = described.app.openapi()["paths"]  # type: ignore[attr-defined]
    write_routes = {
        path
        for path, operations in paths.items()
        if path.startswith("/v1/") and set(operations) & {"post", "put", "patch", "delete"}
    }
    walked = {template_of(path, write_routes) for path in walk.routes}
    assert walked == write_routes, f"not walked: {sorted(write_routes - walked)}"


def template_of(path: str, routes: set[str]) -> str:
    """The route template a concrete path was sent to (`/v1/citations/{number}/void`)."""
    concrete = path.split("?")[0].strip("/").split("/")
    for template in routes:
        parts = template.strip("/").split("/")
        if len(parts) == len(concrete) and all(
            p.startswith("{") or p == c for p, c in zip(parts, concrete, strict=True)
        ):
            return template
    raise AssertionError(f"no route for {path}")


def test_a_kill_right_after_the_answer_loses_nothing(
    server: LiveServer, engine: Engine, tokens: dict[str, str]
) -> None:
    """kill -9 the moment each answer arrives, then look in the database and through a
    server started again: a void, a payment, a revoked token, an issued citation."""
    voided, paid = issue_one(engine, first_name="Ana"), issue_one(engine, first_name="Bo")
    with transaction(engine) as session:
        doomed, secret = create_token(
            session, role="clerk", agency=None, name="doomed", actor=OPERATOR, now=ISSUED_AT
        )

    def post_then_kill(role: str, path: str, body: dict[str, Any], status: int) -> Any:
        with server.client(tokens[role]) as client:
            answer = client.post(path, json=body)
        server.kill()
        assert answer.status_code == status, answer.text
        return answer.json()

    post_then_kill("clerk", f"/v1/citations/{voided}/void", {"reason": "Wrong person"}, 200)
    with transaction(engine) as session:
        assert session.scalar(select(Citation.status).where(Citation.number == voided)) == "voided"
    server.start()
    receipt = post_then_kill(
        "clerk", f"/v1/citations/{paid}/payments", {"amount": "25.00", "method": "cash"}, 201
    )["receipt_number"]
    with transaction(engine) as session:
        payment = session.scalar(select(Payment).where(Payment.receipt_number == receipt))
        assert payment is not None and payment.amount_cents == 2500
    server.start()
    post_then_kill("admin", f"/v1/tokens/{doomed.id}/revoke", {}, 200)
    with transaction(engine) as session:
        assert session.get(ApiToken, doomed.id).revoked_at is not None  # type: ignore[union-attr]
    server.start()
    issued = post_then_kill("officer", "/v1/citations", message(), 201)["citation_number"]
    server.start()
    with server.client(secret) as client:
        assert client.get(f"/v1/citations/{voided}").status_code == 401  # revoked stays revoked
    with server.client(tokens["clerk"]) as client:
        assert client.get(f"/v1/citations/{voided}").json()["status"] == "voided"
        assert client.get(f"/v1/citations/{issued}").status_code == 200
        ledger = client.get(f"/v1/citations/{paid}/ledger").json()
    assert [line["signed_amount"] for line in ledger] == ["200.00", "-25.00"]


def test_a_failed_commit_is_503_and_saves_nothing(engine: Engine, database_url: str) -> None:
    """A commit that fails (a conflict found only at commit) is answered 503 'not saved',
    never 2xx, and leaves nothing behind (in-process: the failure is made, not raced)."""
    prepare(engine)
    number = issue_one(engine)
    with transaction(engine) as session:
        _, secret = create_token(
            session, role="clerk", agency=None, name="clerk", actor=OPERATOR, now=ISSUED_AT
        )
    app = create_app(database_url)

    def refuse(_connection: object) -> None:
        raise IntegrityError("COMMIT", None, Exception("deferred constraint violated"))

    before = audit_count(engine)
    event.listen(app.state.engine, "commit", refuse)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post(
            f"/v1/citations/{number}/void",
            json={"reason": "Wrong person"},
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert answer.status_code == 503, answer.text
    assert answer.json()["type"] == "/problems/not-saved"
    assert audit_count(engine) == before
    with transaction(engine) as session:
        assert session.scalar(select(Citation.status).where(Citation.number == number)) == "issued"
