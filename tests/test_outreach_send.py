"""Delivering the outbox through the local stand-ins, on both backends: what arrives, what
the outbox row keeps, retries with their waits, permanent refusals flagged for a clerk, the
quiet hours, and channels that are not configured. The clock is pinned: each run is given
its moment."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from citations.audit import history
from citations.database import transaction
from citations.outreach import compose as compose_module
from citations.outreach.render import Words
from citations.outreach.render import render as real_render
from citations.outreach.send import SendReport, send_due
from citations.outreach.standins import MailSink, TextStandIn
from citations.record.access import citation_id_for_code
from citations.record.messages import OptOut, OutboxMessage
from citations.record.sent import Delivery, keep_document
from citations.record.tables import Citation
from citations.settings import Settings
from tests.conftest import NOW
from tests.outbox_steps import channel_settings, queue, reachable_citation, row

PDF = b"%PDF-1.4\n% hearing notice 42 as mailed\n"


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@pytest.fixture
def texts() -> Iterator[TextStandIn]:
    with TextStandIn() as standin:
        yield standin


def run(engine: Engine, settings: Settings, at: datetime = NOW, **options: Any) -> SendReport:
    return send_due(engine, settings, clock=lambda: at, worker="test-sender", **options)


def code_in(text: str) -> str:
    return text.split("/c/")[1][:16]


def test_an_email_about_a_set_hearing_goes_with_the_hearing_notice(
    engine: Engine, db: str, mail: MailSink
) -> None:
    citation = reachable_citation(engine, 1, email="maria@example.org")
    with transaction(engine) as session:
        keep_document(
            session,
            session.get_one(Citation, citation.id),
            kind="hearing_notice",
            about="hearing:42",
            language="en",
            issued_on=date(2026, 11, 29),
            delivery=Delivery.MAILED,
            address=None,
            content=PDF,
            actor="clerk",
            now=NOW,
        )
    sent_id = queue(engine, citation, "email", kind="hearing_set", hearing=42)

    report = run(engine, channel_settings(db, mail=mail))

    assert report.lines() == ["Emails: 1 sent."]
    [received] = mail.received
    message = received.message
    [attached] = list(message.iter_attachments())
    assert attached.get_content() == PDF
    assert attached.get_filename() == f"{citation.number}-hearing-notice.pdf"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<https://citations.example.gov/")
    body = message.get_body(("plain",))
    assert body is not None
    code = code_in(body.get_content())

    sent = row(engine, sent_id)
    assert (sent.status, sent.sent_at, sent.attempts, sent.claimed_by) == (
        "sent",
        NOW,
        1,
        "test-sender",
    )
    assert sent.address == "maria@example.org"
    assert sent.provider_id == message["Message-ID"]
    assert sent.provider_id is not None and sent.provider_id.startswith(f"<outbox-{sent_id}.")
    assert sent.body is not None
    assert sent.body.startswith("Subject: ")
    assert f"/c/…{code[-4:]}" in sent.body and code not in sent.body  # never a working code
    with transaction(engine) as session:
        assert citation_id_for_code(session, code) == citation.id  # the person's link opens it


def test_a_busy_mail_server_is_tried_again_later_with_the_same_message_id(
    engine: Engine, db: str, mail: MailSink
) -> None:
    citation = reachable_citation(engine, 1, email="maria@example.org")
    message_id = queue(engine, citation, "email")
    settings = channel_settings(db, mail=mail)
    mail.defer(2)

    first = run(engine, settings)
    assert first.lines() == ["Emails: 0 sent, 1 to try again later."]
    waiting = row(engine, message_id)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert waiting.next_try_at == NOW + timedelta(minutes=5)  # the profile's retry_minutes
    assert waiting.error is not None and "451 4.3.0" in waiting.error
    header = waiting.provider_id

    assert run(engine, settings, NOW + timedelta(minutes=4)).lines() == ["Nothing was due."]
    run(engine, settings, NOW + timedelta(minutes=5))
    again = row(engine, message_id)
    assert (again.status, again.attempts) == ("pending", 2)
    assert again.next_try_at == NOW + timedelta(minutes=5 + 10)  # the wait doubles

    run(engine, settings, NOW + timedelta(minutes=15))
    done = row(engine, message_id)
    assert (done.status, done.attempts, done.sent_at) == ("sent", 3, NOW + timedelta(minutes=15))
    [received] = mail.received
    assert received.message["Message-ID"] == header == done.provider_id


def test_a_refused_address_fails_and_is_flagged_for_a_clerk(
    engine: Engine, db: str, mail: MailSink, texts: TextStandIn
) -> None:
    citation = reachable_citation(engine, 1, phone="510-555-0101", email="gone@example.org")
    refused = queue(engine, citation, "email")
    later = queue(engine, citation, "email", nth=1)  # the day before
    text = queue(engine, citation, "text")
    mail.refuse("gone@example.org")

    report = run(engine, channel_settings(db, mail=mail, texts=texts))

    # The commit that flags the address cancels the citation's other emails (the plan no
    # longer wants them), so the sender never comes to them: none is "no longer to send".
    assert report.lines() == [
        "Emails: 0 sent, 1 failed (1 email flagged for a clerk).",
        "Texts: 1 sent.",
    ]
    failed = row(engine, refused)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.error == (
        "refused by the mail server: 550 5.1.1 <gone@example.org>: mailbox unavailable"
    )
    cancelled = row(engine, later)
    assert (cancelled.status, cancelled.cancelled_at, cancelled.attempts) == ("cancelled", NOW, 0)
    assert cancelled.cancel_reason == (
        f"the email was refused before: gone@example.org: {failed.error}"
    )
    assert row(engine, text).status == "sent"  # the phone is not the trouble
    with transaction(engine) as session:
        flagged = session.get_one(Citation, citation.id)
        assert flagged.email_problem == f"gone@example.org: {failed.error}"
        assert flagged.phone_problem is None
        [event] = [
            e
            for e in history(session, "citation", citation.number)
            if e.action == "citation.contact_problem"
        ]
    assert event.actor == "reminders sender"
    assert event.before == {"email_problem": None}
    assert event.after == {
        "email_problem": flagged.email_problem,
        "channel": "email",
        "message": refused,
    }
    assert mail.received == []


def test_a_long_refusal_still_flags_the_address_and_cancels_its_emails(
    engine: Engine, db: str, mail: MailSink
) -> None:
    # The refusal quotes the address twice: the reason the flag's commit gives the emails it
    # cancels is longer than the outbox keeps (a real server's reply is often longer still).
    address = f"{'a' * 64}@{'mail-' * 8}example.org"
    citation = reachable_citation(engine, 1, email=address)
    refused = queue(engine, citation, "email")
    later = queue(engine, citation, "email", nth=1)
    mail.refuse(address)

    report = run(engine, channel_settings(db, mail=mail))

    assert report.lines() == ["Emails: 0 sent, 1 failed (1 email flagged for a clerk)."]
    assert row(engine, refused).status == "failed"
    cancelled = row(engine, later)
    assert cancelled.status == "cancelled" and cancelled.cancel_reason is not None
    reason = f"the email was refused before: {address}: {row(engine, refused).error}"
    assert len(reason) > 200
    assert cancelled.cancel_reason == reason[:200]
    with transaction(engine) as session:
        assert session.get_one(Citation, citation.id).email_problem == reason.split(": ", 1)[1]


def test_a_number_twilio_refuses_fails_and_is_flagged(
    engine: Engine, db: str, texts: TextStandIn
) -> None:
    citation = reachable_citation(engine, 1, phone="+1 510 555 0199")
    message_id = queue(engine, citation, "text")
    texts.refuse("+15105550199", 21211)

    report = run(engine, channel_settings(db, texts=texts))

    assert report.lines() == ["Texts: 0 sent, 1 failed (1 phone flagged for a clerk)."]
    failed = row(engine, message_id)
    assert failed.status == "failed"
    assert failed.error == "Twilio 21211: The 'To' number +15105550199 is not a valid phone number."
    with transaction(engine) as session:
        flagged = session.get_one(Citation, citation.id)
        assert flagged.phone_problem == f"+15105550199: {failed.error}"
        actions = [e.action for e in history(session, "citation", citation.number)]
    assert "citation.contact_problem" in actions


def test_an_unavailable_provider_is_retried_until_the_tries_run_out(
    engine: Engine, db: str, texts: TextStandIn
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    retried = queue(engine, citation, "text")
    last_try = queue(engine, citation, "text", nth=1)
    with transaction(engine) as session:
        session.get_one(type(row(engine, last_try)), last_try).attempts = 5  # max_attempts: 6
    texts.unavailable(2)

    report = run(engine, channel_settings(db, texts=texts))

    assert report.lines() == ["Texts: 0 sent, 1 to try again later, 1 failed."]
    waiting = row(engine, retried)
    assert (waiting.status, waiting.next_try_at) == ("pending", NOW + timedelta(minutes=5))
    given_up = row(engine, last_try)
    assert (given_up.status, given_up.attempts) == ("failed", 6)
    assert given_up.error == "Twilio 20503: Service unavailable"
    with transaction(engine) as session:
        assert (
            session.get_one(Citation, citation.id).phone_problem is None
        )  # not the number's fault
    assert texts.received == []

    assert run(engine, channel_settings(db, texts=texts), NOW + timedelta(minutes=5)).lines() == [
        "Texts: 1 sent."
    ]


def test_nothing_goes_in_the_quiet_hours(
    engine: Engine, db: str, mail: MailSink, texts: TextStandIn
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101", email="maria@example.org")
    ids = [queue(engine, citation, "text"), queue(engine, citation, "email")]
    night = datetime(2026, 11, 30, 5, 30, tzinfo=UTC)  # 21:30 in Los Angeles

    report = run(engine, channel_settings(db, mail=mail, texts=texts), night)

    morning = datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert report.quiet_until == morning
    assert report.lines() == ["Quiet hours: nothing more is sent until 08:00 local time."]
    assert [(row(engine, i).status, row(engine, i).attempts) for i in ids] == [("pending", 0)] * 2
    assert mail.received == [] and texts.received == []
    assert run(engine, channel_settings(db, mail=mail, texts=texts), morning).total("sent") == 2


def test_without_channels_messages_wait_and_the_settings_are_named(engine: Engine, db: str) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101", email="maria@example.org")
    ids = [
        queue(engine, citation, "text"),
        queue(engine, citation, "email"),
        queue(engine, citation, "email", nth=1),
        queue(engine, citation, "letter"),
    ]

    report = run(engine, Settings(database_url=db))

    assert report.waiting == {"email": 2, "text": 1}
    assert report.lines() == [
        "2 emails wait: emails are not configured (set CITATIONS_SMTP_HOST (with "
        "CITATIONS_MAIL_FROM and CITATIONS_OUTREACH_SECRET)).",
        "1 text wait: texts are not configured (set CITATIONS_TEXT_PROVIDER=twilio (with "
        "CITATIONS_TWILIO_ACCOUNT_SID, CITATIONS_TWILIO_AUTH_TOKEN and CITATIONS_TWILIO_FROM)).",
    ]
    assert {row(engine, i).status for i in ids} == {"pending"}


def test_letters_are_left_to_the_mail_house(engine: Engine, db: str, mail: MailSink) -> None:
    citation = reachable_citation(engine, 1, email="maria@example.org")
    letter = queue(engine, citation, "letter")
    assert run(engine, channel_settings(db, mail=mail)).lines() == ["Nothing was due."]
    assert (row(engine, letter).status, row(engine, letter).attempts) == ("pending", 0)


def test_what_must_not_go_any_more_is_cancelled_at_the_last_moment(
    engine: Engine, db: str, mail: MailSink, texts: TextStandIn
) -> None:
    withdrawn = reachable_citation(engine, 1, phone="+15105550101")
    opted_out = reachable_citation(engine, 2, email="Stop@Example.org")
    no_phone = reachable_citation(engine, 3, email="p3@example.org")
    ids = [
        queue(engine, withdrawn, "text"),
        queue(engine, opted_out, "email"),
        queue(engine, no_phone, "text"),
    ]
    with transaction(engine) as session:
        session.get_one(Citation, withdrawn.id).texts_consent = False
        session.add(OptOut(channel="email", address="stop@example.org", at=NOW, how="stop_reply"))

    report = run(engine, channel_settings(db, mail=mail, texts=texts))

    assert [(row(engine, i).status, row(engine, i).cancel_reason) for i in ids] == [
        ("cancelled", "no consent to texts"),
        ("cancelled", "Stop@Example.org asked for no more emails"),
        ("cancelled", "no phone on file"),
    ]
    assert report.total("cancelled") == 3 and report.total("sent") == 0
    assert mail.received == [] and texts.received == []


def test_a_limit_and_a_stop_end_the_run(engine: Engine, db: str, texts: TextStandIn) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    ids = [queue(engine, citation, "text", key=f"k{n}") for n in range(3)]
    settings = channel_settings(db, texts=texts)

    assert run(engine, settings, limit=2).lines() == ["Texts: 2 sent."]
    assert [row(engine, i).status for i in ids] == ["sent", "sent", "pending"]

    stop = threading.Event()
    stop.set()
    stopped = run(engine, settings, stop=stop)
    assert stopped.stopped and stopped.lines() == ["Stopped when asked."]
    assert row(engine, ids[2]).status == "pending"


def test_every_message_to_a_person_has_its_own_code(
    engine: Engine, db: str, texts: TextStandIn
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    for n in range(2):
        queue(engine, citation, "text", key=f"k{n}")
    run(engine, channel_settings(db, texts=texts))
    codes = {code_in(t["body"]) for t in texts.received}
    assert len(codes) == 2
    with transaction(engine) as session:
        assert {citation_id_for_code(session, c) for c in codes} == {citation.id}
        assert session.scalars(select(Citation.phone_problem)).all() == [None]


def test_a_message_whose_words_cannot_be_written_fails_alone(
    engine: Engine, db: str, texts: TextStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    broken = queue(engine, citation, "text", kind="no_such_kind", key="broken")
    fine = queue(engine, citation, "text")

    def render(message: OutboxMessage, *args: Any, **kwargs: Any) -> Words:
        if message.kind == "no_such_kind":
            raise KeyError("no wording for no_such_kind in en")
        return real_render(message, *args, **kwargs)

    monkeypatch.setattr(compose_module, "render", render)
    report = run(engine, channel_settings(db, texts=texts))

    assert report.lines() == ["Texts: 1 sent, 1 failed."]
    failed = row(engine, broken)
    assert (failed.status, failed.attempts, failed.body) == ("failed", 0, None)
    assert failed.error == (
        "its words could not be written: KeyError: 'no wording for no_such_kind in en'"
    )
    assert row(engine, fine).status == "sent"
    assert len(texts.received) == 1
