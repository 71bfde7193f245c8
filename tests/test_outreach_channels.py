"""The channels without a database: emails handed to a real local SMTP server (the
MailSink) and read back as it received them; texts posted to the local stand-in of
Twilio's API, which checks Basic auth as Twilio does; and every kind of failure sorted into
what the sender does next (try again, give up and flag the address, or ask first)."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from citations.outreach.channels.base import Attachment, NotSent, Outcome, Outgoing
from citations.outreach.channels.email import SmtpChannel, classify, message_id_for
from citations.outreach.channels.texts import TwilioChannel
from citations.outreach.compose import redact, sent_as
from citations.outreach.standins import MailSink, TextStandIn
from citations.settings import Settings
from tests.conftest import NOW
from tests.live_server import free_port
from tests.outbox_steps import MAIL_FROM, channel_settings

PDF = b"%PDF-1.4\n% the hearing notice as it was sent\n"
LINK = "https://citations.example.gov/c/7K3MQ9R0PB2X1AQ4"


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@pytest.fixture
def texts() -> Iterator[TextStandIn]:
    with TextStandIn() as standin:
        yield standin


def an_email(**overrides: Any) -> Outgoing:
    values: dict[str, Any] = {
        "outbox_id": 7,
        "address": "maria@example.org",
        "body": f"Your hearing is on Dec 14 at 9:00. Details: {LINK}",
        "language": "es",
        "subject": "Your hearing is set",
        "message_id": message_id_for(7, "DCPD-2026-000001-5", "hearing_set|1", MAIL_FROM),
        "unsubscribe": "https://citations.example.gov/unsubscribe/abc",
        "attachment": Attachment("DCPD-2026-000001-5-hearing-notice.pdf", PDF),
    }
    return Outgoing(**(values | overrides))


def a_text(address: str = "+15105550123") -> Outgoing:
    return Outgoing(7, address, f"Maria, you owe $250.00 by Dec 20: {LINK}", "en")


def refused(send: Any) -> NotSent:
    with pytest.raises(NotSent) as caught:
        send()
    return caught.value


# --- Email --------------------------------------------------------------------------------


def test_an_email_arrives_with_its_headers_body_and_attachment(mail: MailSink) -> None:
    channel = SmtpChannel(channel_settings("sqlite://", mail=mail))
    outgoing = an_email()
    try:
        provider_id = channel.send(outgoing, now=NOW)
    finally:
        channel.close()

    [received] = mail.received
    assert received.mail_from == "citations@test-city.example"
    assert received.rcpt_tos == ["maria@example.org"]
    message = received.message
    assert provider_id == message["Message-ID"] == outgoing.message_id
    assert message["From"] == MAIL_FROM
    assert message["To"] == "maria@example.org"
    assert message["Subject"] == "Your hearing is set"
    assert message["Date"] == "Sun, 29 Nov 2026 18:00:00 +0000"
    assert message["List-Unsubscribe"] == "<https://citations.example.gov/unsubscribe/abc>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "es"
    body = message.get_body(("plain",))
    assert body is not None and LINK in body.get_content()
    [attached] = list(message.iter_attachments())
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_filename() == "DCPD-2026-000001-5-hearing-notice.pdf"
    assert attached.get_content() == PDF


def test_one_connection_serves_many_emails_and_logs_in_when_told() -> None:
    with MailSink(login=("citations", "pa55word")) as mail:
        settings = channel_settings(
            "sqlite://", mail=mail, smtp_username="citations", smtp_password="pa55word"
        )
        channel = SmtpChannel(settings)
        for number in range(3):
            channel.send(an_email(address=f"person{number}@example.org"), now=NOW)
        channel.close()
        assert [m.login for m in mail.received] == ["citations"] * 3

        wrong = SmtpChannel(
            channel_settings(
                "sqlite://", mail=mail, smtp_username="citations", smtp_password="guessed"
            )
        )
        failure = refused(lambda: wrong.send(an_email(), now=NOW))
        wrong.close()
    assert (failure.outcome, failure.contact, failure.outage) == (Outcome.PASSING, False, True)
    assert "guessed" not in failure.detail
    assert len(mail.received) == 3


def test_a_refused_recipient_is_permanent_and_about_the_address(mail: MailSink) -> None:
    mail.refuse("gone@example.org")
    channel = SmtpChannel(channel_settings("sqlite://", mail=mail))
    failure = refused(lambda: channel.send(an_email(address="gone@example.org"), now=NOW))
    # The connection survives a refusal: the next email goes on it.
    channel.send(an_email(), now=NOW)
    channel.close()
    assert failure.outcome is Outcome.PERMANENT and failure.contact and not failure.outage
    assert failure.detail.startswith("refused by the mail server: 550 5.1.1")
    assert [m.rcpt_tos for m in mail.received] == [["maria@example.org"]]


def test_try_again_later_passes_and_says_nothing_about_the_address(mail: MailSink) -> None:
    mail.defer(1)
    channel = SmtpChannel(channel_settings("sqlite://", mail=mail))
    failure = refused(lambda: channel.send(an_email(), now=NOW))
    channel.send(an_email(), now=NOW)
    channel.close()
    assert (failure.outcome, failure.contact, failure.outage) == (Outcome.PASSING, False, False)
    assert "451" in failure.detail
    assert len(mail.received) == 1


def test_no_mail_server_is_an_outage_of_the_channel() -> None:
    settings = Settings(
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_security="none",
        mail_from=MAIL_FROM,
        outreach_secret="x" * 32,
    )
    failure = refused(lambda: SmtpChannel(settings, timeout=5).send(an_email(), now=NOW))
    assert (failure.outcome, failure.outage) == (Outcome.PASSING, True)
    assert "ConnectionRefusedError" in failure.detail


def test_an_address_that_could_add_headers_is_refused_before_any_server() -> None:
    settings = channel_settings("sqlite://", mail=None, smtp_host="127.0.0.1", mail_from=MAIL_FROM)
    channel = SmtpChannel(settings)
    failure = refused(
        lambda: channel.send(an_email(address="a@example.org\r\nBcc: b@example.org"), now=NOW)
    )
    assert failure.outcome is Outcome.PERMANENT and failure.contact


@pytest.mark.parametrize(
    ("exception", "outcome", "contact"),
    [
        (smtplib.SMTPDataError(550, b"5.1.1 user unknown"), Outcome.PERMANENT, True),
        (smtplib.SMTPDataError(554, b"5.7.1 message rejected as spam"), Outcome.PERMANENT, False),
        (smtplib.SMTPDataError(452, b"4.2.2 mailbox full"), Outcome.PASSING, False),
        (
            smtplib.SMTPRecipientsRefused({"a@b.example": (450, b"4.2.0 busy")}),
            Outcome.PASSING,
            False,
        ),
        (smtplib.SMTPSenderRefused(553, b"5.7.1 not our domain", "c@x"), Outcome.PASSING, False),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), Outcome.PASSING, False),
        (TimeoutError("timed out"), Outcome.PASSING, False),
    ],
)
def test_smtp_failures_are_sorted(exception: Exception, outcome: Outcome, contact: bool) -> None:
    failure = classify(exception)
    assert (failure.outcome, failure.contact) == (outcome, contact)


# --- Texts --------------------------------------------------------------------------------


def test_a_text_is_posted_with_basic_auth_to_from_and_body(texts: TextStandIn) -> None:
    channel = TwilioChannel(channel_settings("sqlite://", texts=texts))
    sid = channel.send(a_text(), now=NOW)
    channel.close()
    [text] = texts.received
    assert sid == text["sid"] and sid.startswith("SM")
    assert (text["to"], text["from"], text["messaging_service_sid"]) == (
        "+15105550123",
        "+15105550100",
        None,
    )
    assert text["body"] == f"Maria, you owe $250.00 by Dec 20: {LINK}"


def test_a_messaging_service_sends_instead_of_a_number(texts: TextStandIn) -> None:
    settings = channel_settings("sqlite://", texts=texts, twilio_from="MG" + "1" * 32)
    channel = TwilioChannel(settings)
    channel.send(a_text(), now=NOW)
    channel.close()
    assert texts.received[0]["messaging_service_sid"] == "MG" + "1" * 32
    assert texts.received[0]["from"] is None


def test_a_wrong_token_is_refused_and_never_shown(texts: TextStandIn) -> None:
    settings = channel_settings("sqlite://", texts=texts, twilio_auth_token="not-the-token")
    channel = TwilioChannel(settings)
    failure = refused(lambda: channel.send(a_text(), now=NOW))
    assert (failure.outcome, failure.outage) == (Outcome.PASSING, True)
    assert failure.detail == "Twilio 20003: Authenticate"
    assert "not-the-token" not in repr(channel) + failure.detail
    assert texts.received == []


@pytest.mark.parametrize("code", [21211, 21614, 21610])
def test_a_number_twilio_refuses_is_permanent_and_flags_the_phone(
    texts: TextStandIn, code: int
) -> None:
    texts.refuse("+15105550199", code)
    channel = TwilioChannel(channel_settings("sqlite://", texts=texts))
    failure = refused(lambda: channel.send(a_text("+15105550199"), now=NOW))
    assert (failure.outcome, failure.contact) == (Outcome.PERMANENT, True)
    assert failure.detail.startswith(f"Twilio {code}: ")
    assert texts.received == []


def test_a_number_that_is_no_number_is_refused_without_asking_twilio(texts: TextStandIn) -> None:
    channel = TwilioChannel(channel_settings("sqlite://", texts=texts))
    failure = refused(lambda: channel.send(a_text("555-CALL-ME"), now=NOW))
    assert (failure.outcome, failure.contact) == (Outcome.PERMANENT, True)
    assert texts.received == []


def test_unavailable_passes_and_the_next_text_goes(texts: TextStandIn) -> None:
    texts.unavailable(1)
    channel = TwilioChannel(channel_settings("sqlite://", texts=texts))
    failure = refused(lambda: channel.send(a_text(), now=NOW))
    channel.send(a_text(), now=NOW)
    assert (failure.outcome, failure.contact, failure.outage) == (Outcome.PASSING, False, False)
    assert len(texts.received) == 1


def answering(handler: Any) -> TwilioChannel:
    settings = Settings(
        text_provider="twilio",
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token="token",
        twilio_from="+15105550100",
    )
    return TwilioChannel(settings, transport=httpx2.MockTransport(handler))


def test_a_lost_answer_is_in_doubt_and_no_connection_is_not() -> None:
    def read_timeout(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    def no_connection(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    def server_error(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(500, json={"code": 20500, "message": "Internal Server Error"})

    assert refused(lambda: answering(read_timeout).send(a_text(), now=NOW)).outcome is (
        Outcome.UNKNOWN
    )
    assert refused(lambda: answering(server_error).send(a_text(), now=NOW)).outcome is (
        Outcome.UNKNOWN
    )
    lost = refused(lambda: answering(no_connection).send(a_text(), now=NOW))
    assert (lost.outcome, lost.outage) == (Outcome.PASSING, True)


def test_twilio_is_asked_for_a_text_by_its_access_code(texts: TextStandIn) -> None:
    channel = TwilioChannel(channel_settings("sqlite://", texts=texts))
    sid = channel.send(a_text(), now=NOW)
    other_code = Outgoing(8, "+15105550123", "Your hearing: " + LINK[:-4] + "ZZZZ", "en")
    other_sid = channel.send(other_code, now=NOW)
    kept = redact(a_text().body)
    assert kept == "Maria, you owe $250.00 by Dec 20: https://citations.example.gov/c/…1AQ4"
    assert channel.find("+15105550123", sent_as(kept)) == sid
    # Recognized by its code, even if the provider changed a quote or an accent.
    assert channel.find("+15105550123", sent_as(kept.replace("Maria,", "María,"))) == sid
    assert channel.find("+15105550123", sent_as(redact(other_code.body))) == other_sid
    assert channel.find("+15105550124", sent_as(kept)) is None  # nothing to that number
    channel.close()
