"""The clerks' citation page, section "Messages and contact": the phone and email with the
person's consent, a contact problem highlighted with the way to fix it, the experiment's arm,
and every message with when, channel, what, status and where it went (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from citations.database import transaction
from citations.record.tables import Citation
from tests.browser.desk import CLOCK, Desk, desk_app, set_desk, sign_in
from tests.browser.html import Page
from tests.letters_steps import queue

pytestmark = [pytest.mark.filled_by(fill=set_desk), pytest.mark.clock(CLOCK)]

SENT_AT = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
"""10:00 on 2026-11-27 in Los Angeles."""
CONSENT = [
    {"channel": "text", "given": True, "address": "+15105550123",
     "at": "2026-11-20T10:00:00-08:00", "how": "device", "by": "officer token unit-12",
     "record": "signature 8841"},
    {"channel": "email", "given": True, "at": "2026-11-20T18:00:00+00:00", "how": "device",
     "by": "Officer R. Alvarez"},
    {"channel": "email", "given": False, "at": "2026-11-30T18:00:00+00:00", "how": "online",
     "by": "the person"},
]  # fmt: skip


@pytest.fixture
def desk(filled: Desk) -> Desk:
    return filled


@pytest.fixture
def client(desk: Desk, database_url: str) -> Iterator[TestClient]:
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as client:
        sign_in(client, desk.tokens["clerk"])
        yield client


def contact(engine: Engine, number: str, **values: object) -> None:
    with transaction(engine) as session:
        session.execute(update(Citation).where(Citation.number == number).values(**values))


def page_of(client: TestClient, number: str) -> Page:
    answer = client.get(f"/clerk/citations/{number}")
    assert answer.status_code == 200, answer.text
    return Page(answer.text)


def test_each_message_says_when_what_where_and_how_it_stands(
    desk: Desk, client: TestClient, engine: Engine
) -> None:
    number = desk.numbers["issued"]
    contact(engine, number, phone="+15105550123", email="ana@example.org", texts_consent=True)
    sent = queue(
        engine,
        number,
        kind="before_pay_by",
        channel="text",
        status="sent",
        sent_at=SENT_AT,
        address="+15105550123",
        body="Ana: pay by Dec 10",
    )
    failed = queue(
        engine,
        number,
        kind="before_pay_by",
        channel="email",
        status="failed",
        attempts=6,
        error="550 mailbox unavailable",
        address="ana@example.org",
    )
    cancelled = queue(
        engine,
        number,
        kind="before_hearing",
        about="hearing",
        channel="text",
        status="cancelled",
        cancelled_at=SENT_AT,
        cancel_reason="the hearing was moved",
    )
    pending = queue(engine, number, kind="hearing_set", about="hearing", language="es",
                    due=datetime(2026, 12, 7, 18, 0, tzinfo=UTC))  # fmt: skip

    page = page_of(client, number)
    assert page.words("messages") == "Messages and contact"
    assert page.words(f"message-{sent}") == (
        "Nov 27, 2026, 10:00 AM Text (English) Reminder before the deadline to pay or contest "
        "sent +15105550123"
    )
    assert page.words(f"message-{failed}") == (
        "Nov 29, 2026, 9:00 AM Email (English) Reminder before the deadline to pay or contest "
        "failed: 550 mailbox unavailable ana@example.org"
    )
    assert page.words(f"message-{cancelled}") == (
        "Nov 27, 2026, 10:00 AM Text (English) Reminder before the hearing "
        "cancelled: the hearing was moved –"
    )
    assert page.words(f"message-{pending}") == (
        "Dec 7, 2026, 10:00 AM Letter (Spanish) Hearing set pending –"
    )
    # In time order, the one still to go last.
    table = page.words("messages-table")
    assert table.index("Nov 27") < table.index("Nov 29") < table.index("Dec 7")


def test_consent_says_yes_or_no_when_and_how(
    desk: Desk, client: TestClient, engine: Engine
) -> None:
    number = desk.numbers["issued"]
    contact(
        engine,
        number,
        phone="+15105550123",
        email="ana@example.org",
        texts_consent=True,
        emails_consent=False,
        consent=CONSENT,
        experiment="reminders-2026",
        arm="plain",
    )
    words = page_of(client, number).words("contact")
    assert words == (
        "Phone +15105550123 "
        "Texts Yes: agreed Nov 20, 2026, 10:00 AM for +15105550123, on the citation device "
        "(officer token unit-12; signature 8841) "
        "Email ana@example.org "
        "Emails No: withdrawn Nov 30, 2026, 10:00 AM, online (the person) "
        "Reminders experiment reminders-2026: arm plain"
    )


def test_nothing_on_file_says_so(desk: Desk, client: TestClient) -> None:
    page = page_of(client, desk.numbers["issued"])
    assert page.words("contact") == "Phone None on file Texts No Email None on file Emails No"
    assert "contact-problems" not in page.attrs
    assert "No message has been written for this citation." in page.words("messages-section")


def test_a_contact_problem_is_highlighted_with_the_way_to_fix_it(
    desk: Desk, client: TestClient, engine: Engine
) -> None:
    number = desk.numbers["issued"]
    contact(
        engine,
        number,
        phone="+15105550123",
        phone_problem="The provider refused the number: not a mobile phone (21614).",
        email="ana@example",
        email_problem="The mail server refused the address: no such domain.",
    )
    page = page_of(client, number)
    assert page.attrs["contact-problems"]["role"] == "alert"
    assert page.words("contact-problems") == (
        "Texts stopped: The provider refused the number: not a mobile phone (21614). "
        "Emails stopped: The mail server refused the address: no such domain. "
        "Fix the contact"
    )
    assert f"/clerk/citations/{number}/contact" in page.links
    assert "Phone +15105550123 problem" in page.words("contact")


def test_only_those_who_may_change_the_contact_get_the_link(
    desk: Desk, database_url: str, engine: Engine
) -> None:
    number = desk.numbers["issued"]
    contact(engine, number, phone="+15105550123", phone_problem="Not a mobile phone.")
    with TestClient(
        desk_app(database_url), base_url="https://testserver", follow_redirects=False
    ) as officer:
        sign_in(officer, desk.tokens["hearing_officer"])
        page = page_of(officer, number)
    assert page.words("contact-problems") == "Texts stopped: Not a mobile phone."
    assert f"/clerk/citations/{number}/contact" not in page.links
