"""The outbox follows every change of a citation, in the transaction of the change: a person
who can be reached gets their reminders written; paying cancels them; a continuance cancels
the old hearing's and writes the new one's; a second run changes nothing. On both backends."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from citations.audit import record
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.hearings.scheduling import continue_hearing, schedule_hearing
from citations.outreach.render import render
from citations.outreach.sync import Synced, sync_citations
from citations.record.ledger import balances
from citations.record.lookup import find_citation
from citations.record.messages import OptOut, OutboxMessage
from citations.roles import OPERATOR
from tests.factories import prepare
from tests.hearing_steps import CLERK, at, issue_one, officer_with_session, to_ready
from tests.money_steps import pay

# Served 2026-11-20: pay or contest by 2026-12-10 (the test profile's 20 days), late
# penalty from 2026-12-26; the profile's reminders are the defaults (7 and 1 days before, the
# day after a missed deadline, 10:00 on the city's clock, quiet from 20:00 to 08:00).


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def reach(
    engine: Engine,
    number: str,
    *,
    phone: str | None = "(555) 010-2400",
    texts: bool = True,
    email: str | None = None,
    emails: bool = False,
    when: datetime | None = None,
) -> None:
    """Record the person's contact as a clerk would, with its audit event (which brings the
    reminders up to date at the commit)."""
    moment = when or at("2026-11-21")
    with transaction(engine) as session:
        citation = find_citation(session, number, OPERATOR)
        citation.phone, citation.texts_consent = phone, texts
        citation.email, citation.emails_consent = email, emails
        record(
            session,
            at=moment,
            actor=CLERK.name,
            action="contact.recorded",
            entity_type="citation",
            entity_key=number,
            after={"phone": phone, "email": email},
        )


def outbox(engine: Engine, number: str) -> list[OutboxMessage]:
    with transaction(engine) as session:
        citation = find_citation(session, number, OPERATOR)
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.citation_id == citation.id)
            .order_by(OutboxMessage.send_at, OutboxMessage.key)
        ).all()
        session.expunge_all()
        return list(rows)


def pending(engine: Engine, number: str) -> list[tuple[str, str, datetime]]:
    return [(m.kind, m.channel, m.send_at) for m in outbox(engine, number) if m.status == "pending"]


def test_a_person_who_can_be_reached_gets_the_reminders_ahead(ready: Engine) -> None:
    number = issue_one(ready)
    assert outbox(ready, number) == []  # no phone, no email: nothing to write
    reach(ready, number, email="Maria@Example.org", emails=True)
    assert pending(ready, number) == [
        ("before_pay_by", "email", at("2026-12-03")),
        ("before_pay_by", "text", at("2026-12-03")),
        ("before_pay_by", "email", at("2026-12-09")),
        ("before_pay_by", "text", at("2026-12-09")),
        ("missed_pay_by", "email", at("2026-12-11")),
        ("missed_pay_by", "text", at("2026-12-11")),
    ]
    first = outbox(ready, number)[0]
    assert first.key == "pay_by|-|2026-12-10|7|email"
    assert (first.language, first.wording, first.attempts) == ("es", "standard", 0)
    assert first.next_try_at == first.send_at
    assert first.facts == {
        "pay_by": "2026-12-10",
        "contest_by": "2026-12-10",
        "late_penalty": True,
        "date": "2026-12-10",
        "days_before": 7,
    }
    assert first.due_on == datetime.fromisoformat("2026-12-10T23:59:59-08:00")


def test_a_second_run_changes_nothing(ready: Engine) -> None:
    number = issue_one(ready)
    reach(ready, number)
    before = [(m.id, m.key, m.status, m.send_at) for m in outbox(ready, number)]
    with transaction(ready) as session:
        citation = find_citation(session, number, OPERATOR)
        again = sync_citations(session, [citation.id], now=at("2026-11-21"))
        assert again == Synced(citations=1, written=0, cancelled=0)
    assert [(m.id, m.key, m.status, m.send_at) for m in outbox(ready, number)] == before
    assert len(before) == 3


def test_paying_in_full_cancels_what_is_pending(ready: Engine) -> None:
    number = issue_one(ready)
    reach(ready, number)
    with transaction(ready) as session:
        citation = find_citation(session, number, OPERATOR)
        owed = balances(session, [citation.id])[citation.id]
    pay(ready, number, str(owed), when="2026-11-25")
    rows = outbox(ready, number)
    assert {(m.status, m.cancel_reason) for m in rows} == {("cancelled", "the citation is closed")}
    assert {m.cancelled_at for m in rows} == {at("2026-11-25")}


def test_texts_stop_at_an_opt_out_of_the_same_number_written_another_way(ready: Engine) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        session.add(
            OptOut(channel="text", address="+15550102400", at=at("2026-11-01"), how="stop_reply")
        )
    reach(ready, number, phone="555-010-2400", email="maria@example.org", emails=True)
    assert {channel for _, channel, _ in pending(ready, number)} == {"email"}
    # The person withdraws consent to emails too: what was pending is cancelled, and why.
    reach(ready, number, phone="555-010-2400", email="maria@example.org", emails=False)
    rows = outbox(ready, number)
    assert {(m.status, m.cancel_reason) for m in rows} == {("cancelled", "no consent to emails")}
    # And gives it again: the same messages are pending again (one row per message).
    reach(ready, number, phone="555-010-2400", email="maria@example.org", emails=True)
    assert [m.status for m in outbox(ready, number)] == ["pending"] * 3
    assert len(outbox(ready, number)) == 3


def test_a_hearing_set_then_continued_moves_its_reminders_in_the_same_transaction(
    ready: Engine,
) -> None:
    number = issue_one(ready)
    reach(ready, number)
    to_ready(ready, number)
    _, first = officer_with_session(ready, "Judge One", date(2026, 12, 16))
    _, second = officer_with_session(ready, "Judge Two", date(2027, 1, 13))
    with transaction(ready) as session:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"), session_id=first)
    hearing_at = datetime.fromisoformat("2026-12-16T09:00-08:00")
    assert [(kind, sent) for kind, _, sent in pending(ready, number)] == [
        ("hearing_set", at("2026-12-04")),
        ("before_hearing", at("2026-12-09")),
        ("before_hearing", at("2026-12-15")),
        ("hearing_today", at("2026-12-16", 8)),  # 07:00 is quiet: at 08:00, before 09:00
    ]
    old = {m.key for m in outbox(ready, number) if m.status == "pending"}
    assert all(hearing_at.isoformat(timespec="minutes") in key for key in old)

    with transaction(ready) as session:
        continue_hearing(
            session, number, "Officer ill.", actor=CLERK, now=at("2026-12-07"), session_id=second
        )
    rows = outbox(ready, number)
    cancelled = {m.key: m.cancel_reason for m in rows if m.key in old}
    assert cancelled == dict.fromkeys(old, "the date moved: the hearing was postponed")
    # Earlier steps' reminders were cancelled as each step was taken (asking for a review).
    earlier = {m.cancel_reason for m in rows if m.about == "pay_by"}
    assert earlier == {"no longer due: the step was taken or the date no longer binds"}
    assert [(kind, sent) for kind, _, sent in pending(ready, number)] == [
        ("hearing_moved", at("2026-12-07")),
        ("before_hearing", at("2027-01-06")),
        ("before_hearing", at("2027-01-12")),
        ("hearing_today", at("2027-01-13", 8)),
    ]
    moved = next(m for m in rows if m.kind == "hearing_moved")
    assert moved.facts["replaces"] == hearing_at.isoformat()
    assert moved.facts["place"] == "City Hall East, Room 101"


def test_the_words_are_in_the_citations_language(ready: Engine) -> None:
    spanish = issue_one(ready)  # the test subject prefers Spanish
    english = issue_one(ready, first_name="Ann", preferred_language=None, identifiers=[])
    for number in (spanish, english):
        reach(ready, number)
    link = "https://citations.example.gov/c/7K3M-Q9R0-PB2X-1AQ4"
    with transaction(ready) as session:
        profile = PublishedCatalog(session).jurisdiction()
        words = {}
        for number in (spanish, english):
            citation = find_citation(session, number, OPERATOR)
            message = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.citation_id == citation.id)
                .order_by(OutboxMessage.send_at)
            ).first()
            assert message is not None
            words[number] = render(message, citation, profile, owed=Decimal("250.00"), link=link)
    assert words[spanish].text == (
        f"Maria: pague o impugne su citación hasta el jue, 10 de dic. {link} "
        "STOP para no recibir más."
    )
    assert words[english].text == (
        f"Ann, reminder: pay or contest your citation by Thu, Dec 10. {link} Reply STOP to opt out."
    )
    assert "$250.00" in words[english].email


def test_a_message_another_writer_put_in_the_outbox_is_left_to_it(ready: Engine) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        citation = find_citation(session, number, OPERATOR)
        session.add(
            OutboxMessage(
                citation_id=citation.id,
                key="copy_of_notice|1|email",
                kind="copy_of_notice",
                about="notice",
                channel="email",
                language="es",
                wording="standard",
                send_at=at("2026-11-21"),
                next_try_at=at("2026-11-21"),
                status="pending",
                attempts=0,
                facts={},
                created_at=at("2026-11-21"),
            )
        )
    reach(ready, number)
    pay(ready, number, "200.00", when="2026-11-25")  # the fine, paid in full
    rows = {m.key: (m.status, m.cancel_reason) for m in outbox(ready, number)}
    assert rows.pop("copy_of_notice|1|email") == ("pending", None)
    assert set(rows.values()) == {("cancelled", "the citation is closed")}
