"""Steps shared by the delivery tests: citations with a phone or an email, the planner's
messages put in the outbox directly, due now, and settings that point the
channels at the local stand-ins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, select

from citations.database import transaction
from citations.outreach.standins import MailSink, TextStandIn
from citations.record.messages import OutboxMessage
from citations.record.tables import Citation
from citations.settings import Settings
from tests.conftest import NOW
from tests.factories import message, send, subject
from tests.planned_steps import HEARING, put

SECRET = "outreach-secret-for-tests-0123456789abcdef"
MAIL_FROM = "Test City Citations <citations@test-city.example>"


def reachable_citation(
    engine: Engine,
    index: int,
    *,
    phone: str | None = None,
    email: str | None = None,
    language: str = "en",
) -> Citation:
    """A citation issued now whose person agreed to texts at `phone` and emails at `email`."""
    person = subject(
        first_name=f"Person{index}",
        identifiers=[{"type": "CA-DL", "number": f"R{index:07d}"}],
        preferred_language=language,
    )
    number = send(engine, message(subject=person)).result.citation_number
    assert number is not None
    with transaction(engine) as session:
        citation = session.scalars(select(Citation).where(Citation.number == number)).one()
        citation.phone, citation.email = phone, email
        citation.texts_consent, citation.emails_consent = phone is not None, email is not None
    return citation


def queue(
    engine: Engine,
    citation: Citation,
    channel: str,
    *,
    kind: str = "before_pay_by",
    nth: int | None = None,
    key: str | None = None,
    due_ago: timedelta = timedelta(minutes=1),
    hearing: int = HEARING,
) -> int:
    """The planner's message of `kind` for the citation on `channel` (`tests.planned_steps.
    put`: its key, facts and date; the plan's `nth` of that kind, or a `key` of the test's
    own), pending and due `due_ago` before NOW; its id."""
    with transaction(engine) as session:
        row = put(
            session,
            session.get_one(Citation, citation.id),
            kind,
            channel,
            nth=nth,
            key=key,
            hearing=hearing,
            language="en",
            send_at=NOW - due_ago,
            status="pending",
            attempts=0,
            created_at=NOW - timedelta(days=1),
        )
        return row.id


def channel_settings(
    database_url: str,
    *,
    mail: MailSink | None = None,
    texts: TextStandIn | None = None,
    **overrides: Any,
) -> Settings:
    """Settings whose email goes to `mail` and texts to `texts`, fast enough for tests."""
    values: dict[str, Any] = {"database_url": database_url, "outreach_secret": SECRET}
    if mail is not None:
        values |= {
            "smtp_host": "127.0.0.1",
            "smtp_port": mail.port,
            "smtp_security": "none",
            "mail_from": MAIL_FROM,
            "emails_per_minute": 60_000,
        }
    if texts is not None:
        values |= {
            "text_provider": "twilio",
            "twilio_account_sid": texts.account_sid,
            "twilio_auth_token": texts.auth_token,
            "twilio_from": "+15105550100",
            "twilio_api_base": texts.url,
            "texts_per_minute": 60_000,
        }
    return Settings(**(values | overrides))


def row(engine: Engine, message_id: int) -> OutboxMessage:
    with transaction(engine) as session:
        return session.get_one(OutboxMessage, message_id)
