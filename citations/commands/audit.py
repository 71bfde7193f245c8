"""`citations audit ...`: prove the audit trail intact, and read a citation's history."""

from __future__ import annotations

import json

import click

from citations.commands.common import database_option, open_database, translate_errors


@click.group("audit")
def audit() -> None:
    """The hash-chained audit trail.

    \b
    Example:
        citations audit verify
    """


@audit.command("verify")
@database_option
@translate_errors
def audit_verify(database: str | None) -> None:
    """Recompute the hash chain; name the first broken event if it is not intact.

    \b
    Example:
        citations audit verify --database sqlite:///citations.db
    """
    from citations.audit import verify

    with open_database(database) as session:
        result = verify(session)
    if result.intact:
        click.echo(f"The audit trail is intact: {result.events} events.")
        return
    where = f"event {result.first_broken}" if result.first_broken else "the chain's head"
    raise click.ClickException(f"the audit trail is broken at {where}: {result.problem}")


@audit.command("show")
@click.argument("number")
@database_option
@translate_errors
def audit_show(number: str, database: str | None) -> None:
    """Print a citation's whole history, in order.

    \b
    Example:
        citations audit show DCPD-2026-000001-5
    """
    from citations.audit import history
    from citations.record.numbering import CitationNumber

    canonical = str(CitationNumber.parse(number))
    with open_database(database) as session:
        events = history(session, "citation", canonical)
        if not events:
            raise click.ClickException(f"no audit events for {canonical}")
        for event in events:
            line = f"{event.occurred_at:%Y-%m-%d %H:%M:%S} UTC  {event.action:<28} {event.actor}"
            click.echo(line)
            if event.reason:
                click.echo(f"    reason: {event.reason}")
            if event.after is not None:
                click.echo(f"    {json.dumps(event.after, ensure_ascii=False, default=str)[:300]}")
