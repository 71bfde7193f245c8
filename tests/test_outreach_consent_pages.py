"""Consent to reminders on the person's own contact page, through the public door: what is
sent is said before the boxes, consent given and withdrawn per channel is recorded and
audited, a consent without its phone is refused in the person's words, and a phone that
replied STOP is told to reply START (both backends)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from citations.audit import AuditEvent
from citations.database import make_engine, transaction
from citations.outreach.optout import TEXT_REPLY, opt_out
from citations.record.lookup import find_citation
from citations.roles import OPERATOR
from tests.browser.desk import CLOCK, Desk, set_desk
from tests.browser.html import Page
from tests.public_steps import birth_of, door_client, find_citation_as_person

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

Door = tuple[TestClient, str, str, Engine]


@pytest.fixture
def door(filled: Desk, database_url: str) -> Iterator[Door]:
    """Ana Reyes, signed in to her issued citation (no phone or email on file)."""
    engine = make_engine(database_url)
    number = filled.numbers["issued"]
    try:
        with door_client(database_url) as client:
            csrf = find_citation_as_person(client, number, birth_of(5))
            yield client, csrf, number, engine
    finally:
        engine.dispose()


def save(door: Door, expect: int, **fields: str) -> Page:
    client, csrf, _, _ = door
    answer = client.post("/contact", data={"csrf_token": csrf, **fields})
    assert answer.status_code == expect, answer.text
    if expect == 303:
        return Page(client.get(answer.headers["location"]).text)
    return Page(answer.text)


def test_the_page_says_what_is_sent_before_asking(door: Door) -> None:
    client, _, _, _ = door
    page = Page(client.get("/contact").text)
    assert page.words("f-texts-hint") == (
        "A text carries only your first name, what is due, the date and a link to this site."
        " Reply STOP to any of them to end them. Message and data rates may apply."
    )
    assert "checked" not in page.attrs["f-texts"] and "checked" not in page.attrs["f-emails"]
    assert "f-texts-hint" in page.attrs["f-texts"]["aria-describedby"]
    client.get("/language/es?next=/contact")
    spanish = Page(client.get("/contact").text)
    assert spanish.words("f-reminders").startswith("Recordatorios Podemos recordarle")


def test_consent_is_given_and_withdrawn_per_channel_and_audited(door: Door) -> None:
    _, _, number, engine = door
    refused = save(door, 422, texts="yes", email="ana@example.org", emails="yes")
    assert refused.words("f-texts-error-1") == (
        "To get reminders by text, write your phone number above."
    )
    assert "checked" in refused.attrs["f-texts"]  # what was chosen stays chosen
    page = save(
        door, 303, phone="(510) 555-0123", texts="yes", email="Ana@Example.org", emails="yes"
    )
    assert "Saved." in page.words("done")
    assert "checked" in page.attrs["f-texts"] and "checked" in page.attrs["f-emails"]
    assert page.attrs["f-email"]["value"] == "ana@example.org"
    # Texts withdrawn, emails kept: one more record, for texts only.
    save(door, 303, phone="(510) 555-0123", email="ana@example.org", emails="yes")
    with transaction(engine) as session:
        citation = find_citation(session, number, OPERATOR)
        assert (citation.texts_consent, citation.emails_consent) == (False, True)
        records = citation.consent
        assert isinstance(records, list)
        assert [(r["channel"], r["given"], r["how"]) for r in records] == [
            ("text", True, "online"),
            ("email", True, "online"),
            ("text", False, "online"),
        ]
        audited = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_key == number, AuditEvent.action == "citation.consent_changed"
            )
        ).all()
        changes = []
        for event in audited:
            assert isinstance(event.after, dict)
            changes.append((event.actor, event.before, event.after["text"], event.after["email"]))
        online = "the cited person, online"
        assert changes == [
            (online, {"text": False, "email": False}, True, True),
            (online, {"text": True, "email": True}, False, True),
        ]


def test_a_phone_that_replied_stop_is_told_to_reply_start(door: Door) -> None:
    _, _, _, engine = door
    with transaction(engine) as session:
        opt_out(
            session,
            channel="text",
            address="+15105550123",
            how="stop_reply",
            actor=TEXT_REPLY,
            now=CLOCK,
        )
    page = save(door, 303, phone="510 555 0123", texts="yes")
    assert "reply START to that text" in page.words("done")
    assert "reply START to that text" in page.words("texts-stopped")
