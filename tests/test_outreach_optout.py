"""Ending messages at once: an opt-out ends texts (or emails) to an address for every citation
that has it, audited for each in the same transaction; asking again ends the opt-out; the
unsubscribe link's token seals the address so that nobody can read it or forge another
(both backends)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select

from citations.audit import AuditEvent, verify
from citations.database import transaction
from citations.errors import PermissionDenied
from citations.outreach.optout import (
    TEXT_REPLY,
    OutreachNotConfigured,
    address_of_token,
    opt_in,
    opt_out,
    opted_out,
    unsubscribe_token,
    unsubscribe_url,
)
from citations.record.messages import OptOut
from citations.roles import Actor, Role
from citations.settings import Settings
from tests.conftest import NOW
from tests.factories import message, prepare, send, subject
from tests.money_steps import at

SETTINGS = Settings(outreach_secret=SecretStr("s" * 40))
PHONE = "+15105550123"


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def issue(engine: Engine, first: str, **contact: object) -> str:
    body = message(subject=subject(first_name=first), contact=contact)
    number = send(engine, body).result.citation_number
    assert number is not None
    return number


def actions(engine: Engine, action: str) -> list[tuple[str, str | None]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(AuditEvent.entity_key, AuditEvent.reason)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
        return [(key, reason) for key, reason in rows]


def test_a_stop_ends_texts_for_every_citation_with_the_phone_and_start_resumes(
    ready: Engine,
) -> None:
    first = issue(ready, "Maria", phone="(510) 555-0123", texts=True)
    second = issue(ready, "Ana", phone="510.555.0123", texts=True, email="ana@example.org")
    other = issue(ready, "Sam", phone="(510) 555-0188", texts=True)
    with transaction(ready) as session:
        change = opt_out(
            session, channel="text", address=PHONE, how="stop_reply", actor=TEXT_REPLY, now=NOW
        )
        assert (change.changed, change.citations) == (True, [first, second])
        assert opted_out(session, "text", PHONE)
        assert not opted_out(session, "email", "ana@example.org")  # texts only
    assert actions(ready, "citation.texts_stopped") == [
        (first, "stop_reply"),
        (second, "stop_reply"),
    ]
    assert other not in [key for key, _ in actions(ready, "citation.texts_stopped")]
    # A second STOP changes nothing and records nothing.
    with transaction(ready) as session:
        again = opt_out(
            session, channel="text", address=PHONE, how="stop_reply", actor=TEXT_REPLY, now=NOW
        )
        assert not again.changed
        assert len(session.scalars(select(OptOut)).all()) == 1
    assert len(actions(ready, "citation.texts_stopped")) == 2
    later = at("2026-12-01")
    with transaction(ready) as session:
        resumed = opt_in(
            session, channel="text", address=PHONE, how="start_reply", actor=TEXT_REPLY, now=later
        )
        assert resumed.changed and not opted_out(session, "text", PHONE)
        row = session.scalars(select(OptOut)).one()
        assert (row.how, row.ended_how) == ("stop_reply", "start_reply")
        assert row.ended_at is not None and row.ended_at == later
    assert actions(ready, "citation.texts_resumed") == [
        (first, "start_reply"),
        (second, "start_reply"),
    ]
    with transaction(ready) as session:
        assert verify(session).intact


def test_emails_are_matched_without_regard_to_case(ready: Engine) -> None:
    number = issue(ready, "Ana", email="Ana.Reyes@Example.org", emails=True)
    with transaction(ready) as session:
        change = opt_out(
            session,
            channel="email",
            address="ANA.REYES@example.ORG",
            how="unsubscribe_link",
            actor=TEXT_REPLY,
            now=NOW,
        )
        assert change.address == "ana.reyes@example.org"  # as the planner compares it
        assert change.citations == [number]
        assert opted_out(session, "email", "ana.reyes@EXAMPLE.org")


def test_an_opt_out_before_any_citation_has_the_address_still_counts(ready: Engine) -> None:
    with transaction(ready) as session:
        change = opt_out(
            session, channel="text", address=PHONE, how="stop_reply", actor=TEXT_REPLY, now=NOW
        )
        assert change.changed and change.citations == []
    issue(ready, "Maria", phone="5105550123", texts=True)
    with transaction(ready) as session:
        assert opted_out(session, "text", PHONE)


def test_only_the_person_or_staff_who_may_change_contact_opt_out(ready: Engine) -> None:
    with transaction(ready) as session, pytest.raises(PermissionDenied):
        opt_out(
            session,
            channel="text",
            address=PHONE,
            how="clerk",
            actor=Actor("auditor", Role.AUDITOR),
            now=NOW,
        )


def test_the_unsubscribe_token_seals_the_address() -> None:
    token = unsubscribe_token(SETTINGS, "Maria.Lopez@Example.org")
    assert token == unsubscribe_token(SETTINGS, "maria.lopez@example.org")  # stable per address
    assert "maria" not in token.lower() and "example" not in token.lower()
    assert address_of_token(SETTINGS, token) == "maria.lopez@example.org"
    assert unsubscribe_url(
        SETTINGS, "https://citations.example.gov/", "maria.lopez@example.org"
    ) == (f"https://citations.example.gov/unsubscribe/{token}")
    # A changed letter, a cut-short token, another city's secret, or made-up text: no address.
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    other = Settings(outreach_secret=SecretStr("t" * 40))
    for forged in (flipped, token[:-4], "", "not-a-token", unsubscribe_token(other, "a@b.org")):
        assert address_of_token(SETTINGS, forged) is None, forged
    assert unsubscribe_token(SETTINGS, "a@b.org") != unsubscribe_token(SETTINGS, "c@b.org")


def test_no_link_without_the_secret() -> None:
    with pytest.raises(OutreachNotConfigured, match="CITATIONS_OUTREACH_SECRET"):
        unsubscribe_url(Settings(outreach_secret=None), "https://citations.example.gov", "a@b.org")
