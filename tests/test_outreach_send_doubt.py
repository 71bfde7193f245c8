"""Messages in doubt and senders side by side, on both backends.

A sender that dies between claiming a message and recording its outcome leaves it in
`sending`; here a "dead sender" is made by claiming a message (the claim's own transaction,
as a real sender commits it) and, for some tests, handing it to the stand-in, and then never
recording anything. The next run, once the lease has passed, settles it: a text is looked up
at the provider and sent only if the provider does not have it; an email is sent again with
the same Message-ID. Several senders at once never send a message twice.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx2
import pytest
from sqlalchemy import Engine, select

from citations.database import make_engine, transaction
from citations.outreach import send as send_module
from citations.outreach.channels import texts as texts_module
from citations.outreach.channels.base import Gateway
from citations.outreach.channels.email import SmtpChannel
from citations.outreach.channels.texts import TwilioChannel
from citations.outreach.claims import Claimed, claim_next
from citations.outreach.send import FOUND, NOT_FOUND, SENT_AGAIN, SendReport, send_due
from citations.outreach.standins import MailSink, TextStandIn
from citations.record.messages import Channel, OptOut, OutboxMessage
from citations.settings import Settings
from tests.conftest import NOW
from tests.outbox_steps import channel_settings, queue, reachable_citation, row

LATER = NOW + timedelta(minutes=11)
"""After the ten minutes' lease of a claim made at NOW."""


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@pytest.fixture
def texts() -> Iterator[TextStandIn]:
    with TextStandIn() as standin:
        yield standin


def dead_sender_claims(engine: Engine, settings: Settings, channel: Channel) -> Claimed:
    """Claim the next due message as a sender would, at NOW, and then die."""
    with transaction(engine) as session:
        from citations.catalog.store import PublishedCatalog

        claimed, _ = claim_next(
            session,
            channel,
            worker="dead-sender",
            profile=PublishedCatalog(session).jurisdiction(),
            settings=settings,
            now=NOW,
        )
    assert claimed is not None
    return claimed


def run(engine: Engine, settings: Settings, at: datetime = LATER, **options: Any) -> SendReport:
    return send_due(engine, settings, clock=lambda: at, worker="next-sender", **options)


def hand_over(gateway: Gateway, claimed: Claimed) -> str:
    try:
        return gateway.send(claimed.outgoing, now=NOW)
    finally:
        gateway.close()


def test_a_text_twilio_took_before_the_sender_died_is_recorded_not_sent_again(
    engine: Engine, db: str, texts: TextStandIn
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    message_id = queue(engine, citation, "text")
    settings = channel_settings(db, texts=texts)
    claimed = dead_sender_claims(engine, settings, Channel.TEXT)
    sid = hand_over(TwilioChannel(settings), claimed)

    report = run(engine, settings)

    assert report.lines() == ["Texts: 1 sent (1 settled after an interruption)."]
    assert len(texts.received) == 1
    settled = row(engine, message_id)
    assert (settled.status, settled.provider_id, settled.error) == ("sent", sid, FOUND)
    assert settled.body == claimed.kept  # the words that went, not the ones drawn again
    assert (settled.claimed_by, settled.sent_at) == ("next-sender", LATER)


def test_a_text_twilio_never_got_is_sent_once(engine: Engine, db: str, texts: TextStandIn) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    message_id = queue(engine, citation, "text")
    settings = channel_settings(db, texts=texts)
    dead_sender_claims(engine, settings, Channel.TEXT)

    run(engine, settings)

    [text] = texts.received
    settled = row(engine, message_id)
    assert (settled.status, settled.provider_id, settled.error) == ("sent", text["sid"], NOT_FOUND)
    assert settled.attempts == 2


def test_an_email_in_doubt_goes_again_with_the_same_message_id_and_says_so(
    engine: Engine, db: str, mail: MailSink
) -> None:
    citation = reachable_citation(engine, 1, email="maria@example.org")
    message_id = queue(engine, citation, "email")
    settings = channel_settings(db, mail=mail)
    claimed = dead_sender_claims(engine, settings, Channel.EMAIL)
    hand_over(SmtpChannel(settings), claimed)

    report = run(engine, settings)

    assert report.lines() == ["Emails: 1 sent (1 settled after an interruption)."]
    first, second = (m.message for m in mail.received)
    assert first["Message-ID"] == second["Message-ID"] == claimed.outgoing.message_id
    settled = row(engine, message_id)
    assert (settled.status, settled.provider_id, settled.error) == (
        "sent",
        claimed.outgoing.message_id,
        SENT_AGAIN,
    )


def test_a_claim_younger_than_the_lease_is_its_senders_unless_none_other_runs(
    engine: Engine, db: str, texts: TextStandIn
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    message_id = queue(engine, citation, "text")
    settings = channel_settings(db, texts=texts)
    dead_sender_claims(engine, settings, Channel.TEXT)
    soon = NOW + timedelta(minutes=9)

    assert run(engine, settings, soon).lines() == ["Nothing was due."]
    assert (row(engine, message_id).status, row(engine, message_id).claimed_by) == (
        "sending",
        "dead-sender",
    )
    assert run(engine, settings, soon, alone=True).lines() == [
        "Texts: 1 sent (1 settled after an interruption)."
    ]
    assert len(texts.received) == 1


def test_a_text_in_doubt_that_must_not_go_any_more_is_cancelled_if_twilio_lacks_it(
    engine: Engine, db: str, texts: TextStandIn
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    message_id = queue(engine, citation, "text")
    settings = channel_settings(db, texts=texts)
    dead_sender_claims(engine, settings, Channel.TEXT)
    with transaction(engine) as session:
        session.add(OptOut(channel="text", address="+15105550101", at=NOW, how="stop_reply"))

    run(engine, settings)

    cancelled = row(engine, message_id)
    assert cancelled.status == "cancelled"
    assert cancelled.cancel_reason == (
        "interrupted, not sent again: +15105550101 asked for no more texts"
    )
    assert texts.received == []


def test_a_lost_answer_is_looked_up_at_twilio_before_anything_is_sent_again(
    engine: Engine, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    message_id = queue(engine, citation, "text")
    monkeypatch.setattr(texts_module, "TIMEOUT", httpx2.Timeout(0.5))
    # Twilio keeps the text, then answers too late: the sender gives up waiting.
    with TextStandIn(delay=2.0) as slow:
        report = run(engine, channel_settings(db, texts=slow), NOW)
        [text] = slow.received
    assert report.lines() == ["Texts: 1 sent."]
    found = row(engine, message_id)
    assert (found.status, found.provider_id, found.attempts) == ("sent", text["sid"], 1)


def test_a_text_stays_in_doubt_while_twilio_cannot_be_asked(
    engine: Engine, db: str, texts: TextStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    citation = reachable_citation(engine, 1, phone="+15105550101")
    message_id = queue(engine, citation, "text")
    settings = channel_settings(db, texts=texts)

    def lost(request: httpx2.Request) -> httpx2.Response:
        if request.method == "POST":
            raise httpx2.ReadTimeout("timed out", request=request)
        return httpx2.Response(500, json={"code": 20500, "message": "Internal Server Error"})

    def gateway(channel: Channel, settings: Settings) -> Gateway:
        return TwilioChannel(settings, transport=httpx2.MockTransport(lost))

    monkeypatch.setattr(send_module, "gateway_for", gateway)
    report = run(engine, settings, NOW)

    assert report.lines() == ["Texts: 0 sent, 1 in doubt (the provider could not be asked)."]
    doubt = row(engine, message_id)
    assert (doubt.status, doubt.claimed_at) == ("sending", NOW)
    assert doubt.error == (
        "in doubt: no answer from Twilio (ReadTimeout); then Twilio 20500: Internal Server Error"
    )
    # Left alone by a run inside the lease; asked again by one after it, and sent only once
    # Twilio answers that it does not have it.
    assert run(engine, settings, NOW + timedelta(minutes=5)).lines() == ["Nothing was due."]
    assert run(engine, settings, LATER).lines() == [
        "Texts: 0 sent, 1 in doubt (the provider could not be asked)."
    ]
    assert row(engine, message_id).claimed_at == LATER
    monkeypatch.undo()
    assert run(engine, settings, LATER + timedelta(minutes=11)).lines() == [
        "Texts: 1 sent (1 settled after an interruption)."
    ]
    assert len(texts.received) == 1


MESSAGES = 30
SENDERS = 4


def test_senders_side_by_side_never_send_a_message_twice(
    engine: Engine, db: str, mail: MailSink, texts: TextStandIn
) -> None:
    for index in range(MESSAGES // 2):
        citation = reachable_citation(
            engine, index, phone=f"+1510555{index:04d}", email=f"p{index}@example.org"
        )
        queue(engine, citation, "text")
        queue(engine, citation, "email")
    settings = channel_settings(db, mail=mail, texts=texts)
    start = threading.Barrier(SENDERS)
    reports: list[SendReport] = []
    failures: list[BaseException] = []

    def sender(number: int) -> None:
        own = make_engine(db)  # each its own connections, as separate processes would have
        try:
            start.wait()
            reports.append(send_due(own, settings, worker=f"sender-{number}", clock=lambda: NOW))
        except BaseException as exc:
            failures.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sum(r.total("sent") for r in reports) == MESSAGES
    assert Counter(t["to"] for t in texts.received).most_common(1)[0][1] == 1
    assert len(texts.received) == MESSAGES // 2
    assert Counter(m.message["Message-ID"] for m in mail.received).most_common(1)[0][1] == 1
    assert len(mail.received) == MESSAGES // 2
    with transaction(engine) as session:
        rows = session.execute(select(OutboxMessage.status, OutboxMessage.attempts)).all()
        by = Counter(session.scalars(select(OutboxMessage.claimed_by)))
    assert set(rows) == {("sent", 1)}
    print(f"\nmessages sent by each sender: {dict(by)}")
