"""The demo's reminders: what the outbox holds after the demo's citations changed, and the
sender run ahead day by day, delivering to a local mail server and a stand-in for the text
provider (`citations.outreach.standins`), as a city's worker would on each message's day.

The outbox is written by the demo's own steps (each commit brings a changed citation's
reminders up to date); nothing here writes a message. Running the sender ahead of the demo's
clock shows dated reminders leave on their days: on the demo's database, their `sent_at` is
that later day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import Engine, func, select

from citations.calendar import zone_of
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.outreach.channels.letters import batch_letters, write_batch
from citations.outreach.send import send_due
from citations.outreach.standins import MailSink, TextStandIn
from citations.record.messages import Channel, MessageStatus, OutboxMessage
from citations.record.tables import Citation
from citations.roles import OPERATOR
from citations.settings import Settings

AHEAD = timedelta(days=45)
"""How far ahead of the demo's clock the sender runs."""
MAIL_FROM = "Demo City Citations <citations@demo-city.example>"
DEMO_SECRET = "demo-outreach-secret-not-for-a-city-0123456789"
"""Signs the demo's unsubscribe links; a city sets its own CITATIONS_OUTREACH_SECRET."""


@dataclass(frozen=True)
class DemoReminders:
    lines: list[str]
    letters: Path | None
    """The letter batch's PDF, if a letter fell due."""


def run_reminders_demo(engine: Engine, output_dir: Path, now: datetime) -> DemoReminders:
    """Report the outbox and the experiment's arms, then deliver what falls due in the next
    weeks to the local stand-ins, and batch the letters due for a mail house."""
    lines = _outbox_lines(engine)
    with MailSink() as mail, TextStandIn() as texts:
        settings = Settings(
            smtp_host="127.0.0.1",
            smtp_port=mail.port,
            smtp_security="none",
            mail_from=MAIL_FROM,
            outreach_secret=SecretStr(DEMO_SECRET),
            emails_per_minute=6000,
            text_provider="twilio",
            twilio_account_sid=texts.account_sid,
            twilio_auth_token=SecretStr(texts.auth_token),
            twilio_from="+12135550100",
            twilio_api_base=texts.url,
            texts_per_minute=6000,
        )
        with transaction(engine) as session:
            zone = zone_of(PublishedCatalog(session).jurisdiction())
            days = session.scalars(
                select(OutboxMessage.next_try_at)
                .where(
                    OutboxMessage.status == MessageStatus.PENDING.value,
                    OutboxMessage.channel != Channel.LETTER.value,
                    OutboxMessage.next_try_at <= now + AHEAD,
                )
                .distinct()
                .order_by(OutboxMessage.next_try_at)
            ).all()
        for moment in [now, *days]:
            send_due(engine, settings, alone=True, clock=_fixed(max(moment, now)))
        lines.append(
            f"The sender, run ahead to {(now + AHEAD).astimezone(zone):%Y-%m-%d} as the worker "
            f"would on each message's day, delivered {len(mail.received)} emails to a local "
            f"mail server (127.0.0.1:{mail.port}) and {len(texts.received)} texts to the "
            "text provider's stand-in:"
        )
        lines += _delivered(engine, zone)
    letters = _letters(engine, output_dir, now, lines)
    return DemoReminders(lines, letters)


def _fixed(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def _outbox_lines(engine: Engine) -> list[str]:
    with transaction(engine) as session:
        statuses = Counter(
            dict(
                session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                ).all()
            )
        )
        arms = Counter(
            dict(
                session.execute(
                    select(Citation.arm, func.count())
                    .where(Citation.arm.is_not(None))
                    .group_by(Citation.arm)
                ).all()
            )
        )
        profile = PublishedCatalog(session).jurisdiction()
    total = sum(statuses.values())
    lines = [
        f"{total} reminders written to the outbox as the citations changed: "
        f"{statuses['pending']} waiting for their day, {statuses['cancelled']} cancelled "
        "(a date moved, a step was taken, a citation closed)"
    ]
    experiment = profile.reminders.experiment
    if experiment is not None:
        shares = ", ".join(
            f"{arm.id} {arms[arm.id]}" + ("" if arm.reminders else " (no reminders)")
            for arm in experiment.arms
        )
        lines.append(f"Experiment {experiment.id}, citations per arm: {shares}")
    return lines


def _delivered(engine: Engine, zone: tzinfo) -> list[str]:
    with transaction(engine) as session:
        rows = session.execute(
            select(OutboxMessage, Citation.number)
            .join(Citation, Citation.id == OutboxMessage.citation_id)
            .where(OutboxMessage.status == MessageStatus.SENT.value)
            .order_by(OutboxMessage.sent_at, OutboxMessage.id)
        ).all()
    lines = []
    for message, number in rows:
        assert message.sent_at is not None
        sent = message.sent_at.astimezone(zone)
        words = (message.body or "").splitlines()[0] if message.body else ""
        lines.append(
            f"  {sent:%Y-%m-%d %H:%M} {message.channel} to {message.address} "
            f"({number}, {message.kind}): {words[:200]}"
        )
    return lines


def _letters(engine: Engine, output_dir: Path, now: datetime, lines: list[str]) -> Path | None:
    with transaction(engine) as session:
        due = session.scalar(
            select(func.min(OutboxMessage.next_try_at)).where(
                OutboxMessage.status == MessageStatus.PENDING.value,
                OutboxMessage.channel == Channel.LETTER.value,
            )
        )
    if due is None:
        return None
    when = max(due, now)
    with transaction(engine) as session:
        batch = batch_letters(session, now=when, actor=OPERATOR)
    if batch is None:
        return None
    with transaction(engine) as session:
        files = write_batch(session, batch.id, output_dir / "letters")
    lines.append(
        f"Letters for a mail house (people with no phone or email): batch {files.batch} of "
        f"{files.letters} letter(s), {files.pdf} and {files.csv.name}"
    )
    return files.pdf
