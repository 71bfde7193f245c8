"""Orders are signed by the person who decided, not by whoever typed the decision in: a
review by the reviewer, by name and title as they chose to be named; a hearing by the
session's hearing officer. Who entered it stays the order's `decided_by` and the audit
trail's actor (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from citations.app import create_app
from citations.audit import AuditEvent
from citations.database import transaction
from citations.errors import InputRejected
from citations.hearings.build import order_for
from citations.hearings.contests import decide_review, request_review
from citations.hearings.decisions import Outcome, Signer
from citations.hearings.render import render_order
from citations.hearings.scheduling import decide_hearing, record_no_show, schedule_hearing
from citations.hearings.tables import Order
from citations.record.tokens import create_token
from citations.roles import OPERATOR
from tests.cli_steps import run
from tests.conftest import NOW
from tests.factories import prepare
from tests.hearing_steps import (
    CLERK,
    REVIEWER,
    SIGNED,
    at,
    issue_one,
    officer_with_session,
    to_ready,
)
from tests.pdfs import pdf_text
from tests.test_hearing_documents import make_order, make_review_order

FINDINGS = "The officer's report and photo show an open beer can."
SIGNATURE = {"name": "Pat Morgan", "title": "Senior Review Officer"}


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def in_review(engine: Engine, language: str = "en") -> str:
    number = issue_one(engine, preferred_language=language)
    with transaction(engine) as session:
        request_review(
            session,
            number,
            "It was a soda can.",
            received_at=at("2026-11-25"),
            actor=CLERK,
            now=at("2026-11-25"),
        )
    return number


def order_text(engine: Engine, number: str) -> str:
    with transaction(engine) as session:
        return pdf_text(render_order(order_for(session, number, OPERATOR)))


def decision_event(engine: Engine, number: str, action: str) -> tuple[str, dict[str, Any]]:
    """The audit event of a decision: its actor (who entered it) and what it recorded."""
    with transaction(engine) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_key == number, AuditEvent.action == action)
        ).one()
        assert isinstance(event.after, dict)
        return event.actor, event.after


# The library


@pytest.mark.parametrize(
    ("signer", "findings", "fields"),
    [
        (None, FINDINGS, ["decided_by.name", "decided_by.title"]),
        (Signer("  ", "Senior Review Officer"), FINDINGS, ["decided_by.name"]),
        (Signer("Pat Morgan"), FINDINGS, ["decided_by.title"]),
        (Signer("Pat Morgan", " \t"), FINDINGS, ["decided_by.title"]),
        (Signer("P" * 201, "Senior Review Officer"), FINDINGS, ["decided_by.name"]),
        # Every problem at once, the signature's after the decision's own (the form's order).
        (None, "short", ["findings", "decided_by.name", "decided_by.title"]),
    ],
)
def test_a_review_is_refused_without_its_reviewer_named(
    ready: Engine, signer: Signer | None, findings: str, fields: list[str]
) -> None:
    number = in_review(ready)
    with transaction(ready) as session, pytest.raises(InputRejected) as refused:
        decide_review(
            session,
            number,
            Outcome.UPHELD,
            findings,
            decided_by=signer,
            actor=REVIEWER,
            now=at("2026-12-01"),
        )
    assert [e.field for e in refused.value.errors] == fields


def test_a_review_order_is_signed_by_the_reviewer_and_entered_by_the_actor(
    ready: Engine,
) -> None:
    number = in_review(ready)
    with transaction(ready) as session:
        order = decide_review(
            session,
            number,
            Outcome.UPHELD,
            FINDINGS,
            decided_by=Signer("  Pat   Morgan ", " Senior Review Officer"),
            actor=REVIEWER,
            now=at("2026-12-01"),
        )
        signed = (order.decision_maker, order.decision_maker_title, order.decided_by)
    assert signed == ("Pat Morgan", "Senior Review Officer", "reviewer Pat")
    actor, after = decision_event(ready, number, "contest.review_decided")
    assert actor == "reviewer Pat"
    assert after["decision_maker"] == "Pat Morgan"
    assert after["decision_maker_title"] == "Senior Review Officer"
    text = order_text(ready, number)
    assert "Decided by Pat Morgan, Senior Review Officer" in text
    assert "Pat Morgan Senior Review Officer · December 1, 2026" in text  # the signature
    assert "reviewer Pat" not in text


def scheduled(engine: Engine, officer: str, language: str = "en") -> str:
    number = issue_one(engine, preferred_language=language)
    to_ready(engine, number)
    officer_with_session(engine, officer, date(2026, 12, 16))
    with transaction(engine) as session:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"))
    return number


def test_a_hearing_order_is_signed_by_the_sessions_officer(ready: Engine) -> None:
    number = scheduled(ready, "Ada Fair", "es")
    with transaction(ready) as session, pytest.raises(InputRejected) as refused:
        decide_hearing(
            session,
            number,
            Outcome.DISMISSED,
            "The city did not prove the can held alcohol.",
            decided_by=Signer("Sam Other"),
            actor=CLERK,
            now=at("2026-12-16", 11),
        )
    assert [e.field for e in refused.value.errors] == ["decided_by.name"]
    assert "the session's hearing officer, Ada Fair, not Sam Other" in str(refused.value)
    with transaction(ready) as session:
        order = decide_hearing(
            session,
            number,
            Outcome.DISMISSED,
            "The city did not prove the can held alcohol.",
            actor=CLERK,
            now=at("2026-12-16", 11),
        )
        signed = (order.decision_maker, order.decision_maker_title, order.decided_by)
    assert signed == ("Ada Fair", None, "clerk Jordan")
    actor, after = decision_event(ready, number, "hearing.dismissed")
    assert (actor, after["decision_maker"]) == ("clerk Jordan", "Ada Fair")
    text = order_text(ready, number)
    # No title is stored for hearing officers: the order's wording names the role, in the
    # person's language.
    assert "Decidida por Ada Fair, oficial de audiencias" in text
    assert "Ada Fair Oficial de audiencias · 16 de diciembre de 2026" in text
    assert "clerk Jordan" not in text


def test_a_hearing_officer_may_give_a_title_under_their_own_name(ready: Engine) -> None:
    number = scheduled(ready, "Ada Fair")
    with transaction(ready) as session:
        order = decide_hearing(
            session,
            number,
            Outcome.UPHELD,
            "The photo shows an open can of beer.",
            decided_by=Signer("ada  fair", "Judge pro tem"),
            actor=CLERK,
            now=at("2026-12-16", 11),
        )
        # The officer's name as registered, not as typed.
        assert (order.decision_maker, order.decision_maker_title) == ("Ada Fair", "Judge pro tem")
    assert "Decided by Ada Fair, Judge pro tem" in order_text(ready, number)


def test_a_default_is_signed_by_the_sessions_officer(ready: Engine) -> None:
    number = scheduled(ready, "Ada Fair")
    with transaction(ready) as session:
        order = record_no_show(session, number, actor=CLERK, now=at("2026-12-16", 11))
        assert (order.decision_maker, order.decided_by) == ("Ada Fair", "clerk Jordan")
    actor, after = decision_event(ready, number, "hearing.default")
    assert (actor, after["decision_maker"]) == ("clerk Jordan", "Ada Fair")


def test_an_order_from_before_signatures_prints_as_it_did(ready: Engine) -> None:
    number = in_review(ready)
    with transaction(ready) as session:
        decide_review(
            session,
            number,
            Outcome.UPHELD,
            FINDINGS,
            decided_by=SIGNED,
            actor=REVIEWER,
            now=at("2026-12-01"),
        )
        # As migration 0010 left the orders decided before it.
        session.execute(update(Order).values(decision_maker=None, decision_maker_title=None))
    text = order_text(ready, number)
    assert "Decided by reviewer Pat, reviewer" in text
    assert "reviewer Pat Reviewer · December 1, 2026" in text


# The printed order


def test_the_title_is_printed_as_written_in_every_language() -> None:
    title = "Revisora <b>&amp;</b> principal"
    english = pdf_text(render_order(make_review_order("en", decided_by_title=title)))
    spanish = pdf_text(render_order(make_review_order("es", decided_by_title=title)))
    assert f"Decided by Sam Rivera, {title}" in english
    assert f"Decidida por Sam Rivera, {title}" in spanish
    assert f"Sam Rivera {title} ·" in spanish
    untitled = pdf_text(render_order(make_order("es")))
    assert "Decidida por Jordan Lee, oficial de audiencias" in untitled


# The command line


@pytest.mark.clock(datetime(2026, 12, 1, 18, 0, tzinfo=UTC))
def test_the_command_line_signs_a_review_with_the_reviewer_named(
    runner: CliRunner,
    db: str,
    engine: Engine,
    tmp_path: Path,
    pinned_clock: time_machine.Traveller,
) -> None:
    number = in_review(engine)
    review = ["hearings", "review", number, "--outcome", "upheld", "--findings", FINDINGS]
    unsigned = run(runner, *review, "--database", db, code=2)
    assert "Missing option '--decided-by'" in unsigned.output
    signed = [*review, "--decided-by", "Pat Morgan", "--title", "Senior Review Officer"]
    run(runner, *signed, "--database", db)
    order = tmp_path / "order.pdf"
    run(runner, "hearings", "print", number, "--output", str(order), "--database", db)
    text = pdf_text(order.read_bytes())
    assert "Decided by Pat Morgan, Senior Review Officer" in text
    assert "operator (command line)" not in text
    actor, after = decision_event(engine, number, "contest.review_decided")
    assert actor == "operator (command line)"  # who entered it
    assert after["decision_maker"] == "Pat Morgan"
    shown = run(runner, "hearings", "show", number, "--json", "--database", db).output
    assert '"decision_maker": "Pat Morgan"' in shown


# The API

Client = tuple[TestClient, dict[str, dict[str, str]]]


@pytest.fixture
def api(engine: Engine, database_url: str) -> Iterator[Client]:
    prepare(engine)
    headers = {}
    with transaction(engine) as session:
        for role in ("clerk", "hearing_officer"):
            _, secret = create_token(
                session, role=role, agency=None, name=role, actor=OPERATOR, now=NOW
            )
            headers[role] = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(database_url), raise_server_exceptions=False) as client:
        yield client, headers


def errors_of(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


@pytest.mark.clock(datetime(2026, 12, 1, 18, 0, tzinfo=UTC))
def test_the_api_signs_a_review_with_the_reviewer_named(
    api: Client, engine: Engine, pinned_clock: time_machine.Traveller
) -> None:
    client, h = api
    number = in_review(engine)
    url = f"/v1/citations/{number}/review-decision"
    body = {"outcome": "upheld", "findings": FINDINGS}
    refused = client.post(url, headers=h["hearing_officer"], json=body)
    assert errors_of(refused) == [("decided_by", "required")]
    blank = client.post(
        url, headers=h["hearing_officer"], json=body | {"decided_by": {"name": " ", "title": "x"}}
    )
    assert errors_of(blank) == [
        ("decided_by.name", "name the reviewer who decided, as they sign the order")
    ]
    untitled = client.post(
        url, headers=h["hearing_officer"], json=body | {"decided_by": {"name": "Pat Morgan"}}
    )
    assert errors_of(untitled) == [("decided_by.title", "required")]
    decided = client.post(url, headers=h["hearing_officer"], json=body | {"decided_by": SIGNATURE})
    assert decided.status_code == 200, decided.text
    order = decided.json()["orders"][-1]
    assert (order["decision_maker"], order["decision_maker_title"]) == tuple(SIGNATURE.values())
    entered_by = order["decided_by"]
    assert entered_by.endswith("(hearing_officer)")  # the token
    assert decision_event(engine, number, "contest.review_decided")[0] == entered_by
    pdf = client.get(f"/v1/citations/{number}/order.pdf", headers=h["clerk"])
    text = pdf_text(pdf.content)
    assert "Decided by Pat Morgan, Senior Review Officer" in text
    assert entered_by not in text


@pytest.mark.clock(datetime(2026, 12, 16, 19, 0, tzinfo=UTC))  # 11:00 on the hearing's day
def test_the_api_signs_a_hearing_with_the_sessions_officer(
    api: Client, engine: Engine, pinned_clock: time_machine.Traveller
) -> None:
    client, h = api
    number = scheduled(engine, "Ada Fair")
    url = f"/v1/citations/{number}/hearing/decision"
    body = {"outcome": "upheld", "findings": "The photo shows an open can of beer."}
    other = client.post(url, headers=h["clerk"], json=body | {"decided_by": {"name": "Sam Other"}})
    assert errors_of(other) == [
        (
            "decided_by.name",
            "a hearing is decided and signed by the session's hearing officer, Ada Fair, "
            "not Sam Other",
        )
    ]
    decided = client.post(url, headers=h["clerk"], json=body)
    assert decided.status_code == 200, decided.text
    order = decided.json()["orders"][-1]
    assert (order["decision_maker"], order["decision_maker_title"]) == ("Ada Fair", None)
    assert order["decided_by"].endswith("(clerk)")
    pdf = client.get(f"/v1/citations/{number}/order.pdf", headers=h["clerk"])
    assert "Decided by Ada Fair, hearing officer" in pdf_text(pdf.content)
