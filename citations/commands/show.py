"""`citations show`: a citation as a clerk reads it at the counter.

Times are on the jurisdiction's clocks with their offset (a 10:15 PM violation is the evening
it happened, not the next day in UTC); the status, the balance and the contest's stage come
first, since they are what the person at the counter asks about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from citations.commands.common import (
    database_option,
    emit_json,
    json_option,
    open_database,
    translate_errors,
)
from citations.commands.mail import echo_documents
from citations.roles import OPERATOR

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from citations.outreach.listing import ContactView, MessageLine
    from citations.record.lookup import CitationPublic


@dataclass(frozen=True)
class Overview:
    """What `show` prints: the citation's public record, and where it stands now."""

    public: CitationPublic
    balance: Decimal
    contest_stage: str | None
    zone: ZoneInfo
    currency: str


def overview(session: Session, number: str) -> Overview:
    from sqlalchemy import select

    from citations.calendar import zone_of
    from citations.catalog.store import PublishedCatalog
    from citations.hearings.tables import Contest
    from citations.record.ledger import balance
    from citations.record.lookup import find_citation, to_public

    record = find_citation(session, number, OPERATOR)
    profile = PublishedCatalog(session).jurisdiction()
    stage = session.scalar(select(Contest.stage).where(Contest.citation_id == record.id))
    return Overview(
        public=to_public(record),
        balance=balance(session, record),
        contest_stage=stage,
        zone=zone_of(profile),
        currency=profile.currency,
    )


def next_deadline_lines(session: Session, number: str) -> list[str]:
    """How the notice was served, the next date that binds and why a clerk must look, from
    the citation's one schedule (`citations.schedule`): this command works out no date."""
    from citations.calendar import local_date
    from citations.catalog.store import PublishedCatalog
    from citations.commands.common import now
    from citations.record.lookup import find_citation
    from citations.schedule import schedule_of

    record = find_citation(session, number, OPERATOR)
    profile = PublishedCatalog(session).jurisdiction()
    schedule = schedule_of(session, record, profile)
    lines = []
    if schedule.served_on is None:
        lines.append("served:     not yet: the notice waits to be mailed (no deadline has started)")
    elif schedule.service_method == "mail":
        lines.append(f"served:     by mail; deadlines count from {schedule.served_on:%a %Y-%m-%d}")
    upcoming = schedule.next_open(local_date(now(), profile))
    if upcoming is None:
        lines.append("next:       no open deadline")
    else:
        lines.append(f"next:       {upcoming.label} {upcoming.on:%a %Y-%m-%d}")
    if record.attention:
        lines.append(f"attention:  {record.attention}")
    return lines


@dataclass(frozen=True)
class Outreach:
    """What `show` prints of the reminders: the contact on file and every message."""

    contact: ContactView
    messages: list[MessageLine]


def outreach(session: Session, number: str) -> Outreach:
    from citations.outreach.listing import contact_of, messages_of
    from citations.record.lookup import find_citation

    record = find_citation(session, number, OPERATOR)
    return Outreach(contact_of(record), messages_of(session, record))


def contact_lines(contact: ContactView) -> list[str]:
    """The contact on file, whether the person agreed to texts and emails, what stopped."""

    def agreed(allowed: bool) -> str:
        return "agreed" if allowed else "not agreed"

    lines = [
        f"phone:      {contact.phone or 'none on file'} (texts {agreed(contact.texts)})",
        f"email:      {contact.email or 'none on file'} (emails {agreed(contact.emails)})",
    ]
    if contact.phone_problem:
        lines.append(f"texts stopped:  {contact.phone_problem} (fix the contact)")
    if contact.email_problem:
        lines.append(f"emails stopped: {contact.email_problem} (fix the contact)")
    if contact.arm:
        lines.append(f"experiment: {contact.experiment or '-'}, arm {contact.arm}")
    return lines


def message_line(message: MessageLine, zone: ZoneInfo) -> str:
    """One message: when, channel and language, what, where it stands, where it went.

    >>> from datetime import UTC
    >>> from citations.outreach.listing import MessageLine
    >>> line = MessageLine(id=7, at=datetime(2026, 12, 4, 18, tzinfo=UTC), channel="text",
    ...     kind="hearing_set", what="Hearing set", language="es", status="failed",
    ...     detail="21614", address="+15105550123", attempts=1, batch=None)
    >>> message_line(line, ZoneInfo("America/Los_Angeles"))
    '#7 2026-12-04 10:00 PST text (es) Hearing set: failed (21614), to +15105550123'
    """
    local = message.at.astimezone(zone)
    state = message.status
    if message.batch is not None:
        state += f" in letter batch {message.batch}"
    if message.detail:
        state += f" ({message.detail})"
    line = (
        f"#{message.id} {local:%Y-%m-%d %H:%M} {local.tzname()} {message.channel} "
        f"({message.language}) {message.what}: {state}"
    )
    if message.address:
        line += ", to " + message.address.replace("\n", ", ")
    return line


def local_moment(moment: datetime, zone: ZoneInfo) -> str:
    """`moment` on the jurisdiction's clocks, with its zone and offset.

    >>> from datetime import UTC
    >>> la = ZoneInfo("America/Los_Angeles")
    >>> local_moment(datetime(2026, 11, 21, 6, 15, tzinfo=UTC), la)
    '2026-11-20 22:15 PST (UTC-08:00)'
    >>> local_moment(datetime(2026, 7, 5, 5, 30, tzinfo=UTC), la)
    '2026-07-04 22:30 PDT (UTC-07:00)'
    """
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"


@click.command("show")
@click.argument("number")
@json_option
@database_option
@translate_errors
def show_command(number: str, as_json: bool, database: str | None) -> None:
    """Show a citation: its violations, fines, status and revisions.

    Times are shown on the jurisdiction's clocks, with their offset; the status, the balance
    and the contest's stage (if contested) come first.

    \b
    Example:
        citations show DCPD-2026-000001-8
    """
    from ordinances.money import format_money

    with open_database(database) as session:
        seen = overview(session, number)
        deadlines = next_deadline_lines(session, seen.public.number)
        reminders = outreach(session, seen.public.number)
    public = seen.public
    if as_json:
        document = public.model_dump(mode="json")
        document["balance"] = str(seen.balance)
        document["contest_stage"] = seen.contest_stage
        document["contact"] = reminders.contact.model_dump(mode="json")
        document["messages"] = [m.model_dump(mode="json") for m in reminders.messages]
        emit_json(document)
        return

    def money(amount: Decimal) -> str:
        return format_money(amount, seen.currency)

    def when(moment: datetime) -> str:
        return local_moment(moment, seen.zone)

    subject = public.subject
    click.echo(
        f"Citation {public.number} ({public.agency}), {public.status}, revision {public.revision}"
    )
    reason = f" ({public.status_reason})" if public.status_reason else ""
    click.echo(f"  status:     {public.status.replace('_', ' ')}{reason}")
    click.echo(f"  balance:    {money(seen.balance)}")
    if seen.contest_stage is not None:
        click.echo(f"  contest:    {seen.contest_stage.replace('_', ' ')}")
    for line in deadlines:
        click.echo(f"  {line}")
    click.echo(f"  violation:  {when(public.violation_at)} at {public.location.get('address')}")
    click.echo(f"  issued:     {when(public.issued_at)}")
    click.echo(f"  officer:    {public.officer['name']} (badge {public.officer['badge']})")
    click.echo(f"  subject:    {subject.get('first_name')} {subject.get('last_name')}")
    for v in public.violations:
        click.echo(
            f"  {v.ordinance} {v.title}: offense {v.offense_count} ({v.prior_count} priors), "
            f"fine {money(v.fine)} (version of {v.version_effective})"
        )
    click.echo(f"  total fine: {money(public.total_fine)}")
    for r in public.revisions:
        click.echo(
            f"  revision {r.revision}: {when(r.created_at)} by {r.created_by}"
            + (f": {r.reason}" if r.reason else "")
        )
    echo_documents(public.number, database)
    for line in contact_lines(reminders.contact):
        click.echo(f"  {line}")
    click.echo(f"  messages:   {len(reminders.messages) or 'none yet'}")
    for message in reminders.messages:
        click.echo(f"  {message_line(message, seen.zone)}")
