"""Commands for reminders: deliver what is due now, or keep delivering as it falls due.

The channels are turned on by settings (CITATIONS_SMTP_HOST for email,
CITATIONS_TEXT_PROVIDER=twilio for texts); without them messages wait in the outbox and the
commands say which settings are missing. Daily processing (`citations process`) delivers too.
"""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING

import click

from citations.commands.common import database_option, now, open_engine, queue_job, translate_errors
from citations.commands.outreach_letters import letters_command

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from citations.settings import Settings


def sending_settings(database: str | None) -> Settings:
    """The settings, with a clean message when the channels' settings are incomplete."""
    from pydantic import ValidationError

    from citations.settings import Settings

    try:
        return Settings() if database is None else Settings(database_url=database)
    except ValidationError as exc:
        words = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise click.ClickException(f"the settings are incomplete: {words}") from None


def deliver(engine: Engine, settings: Settings, *, limit: int | None = None) -> list[str]:
    """Deliver what is due (one run of the sender); the lines that say what was done."""
    from citations.outreach.send import send_due

    return send_due(engine, settings, limit=limit).lines()


@click.group("outreach")
def outreach() -> None:
    """Send reminders by text, email and letter.

    \b
    Example:
        citations outreach send
    """


@outreach.command("send")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Hand over at most this many messages (default: everything due).",
)
@click.option(
    "--alone",
    is_flag=True,
    help="No other sender is running: settle at once a message a stopped sender left in "
    "the middle of sending (otherwise after 10 minutes).",
)
@click.option(
    "--queue",
    "queued",
    is_flag=True,
    help="Leave it to `citations worker` (PostgreSQL); on SQLite it runs now all the same.",
)
@database_option
@translate_errors
def send_command(limit: int | None, alone: bool, queued: bool, database: str | None) -> None:
    """Deliver the reminders due now, by email and text.

    Each message goes once, at each channel's pace, never in the quiet hours; one line per
    channel says what went. A message that fails for a passing reason is tried again later;
    an address refused for good is flagged on the citation for a clerk.

    \b
    Example:
        citations outreach send --limit 500
    """
    from citations.outreach.send import send_due

    if queued:
        queue_job(database, "send-reminders", limit=limit)
        return
    settings = sending_settings(database)
    with open_engine(database) as engine:
        report = send_due(engine, settings, limit=limit, alone=alone)
    for line in report.lines():
        click.echo(line)


@outreach.command("worker")
@click.option(
    "--every",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds between runs.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Hand over at most this many messages a run (default: everything due).",
)
@database_option
@translate_errors
def worker_command(every: float, limit: int | None, database: str | None) -> None:
    """Keep delivering reminders as they fall due, until stopped.

    Each run settles, claims and sends what is due, then logs one line. SIGTERM or Ctrl-C
    lets the message in hand finish, then the worker exits. Several workers may run at
    once on PostgreSQL: no message goes twice.

    \b
    Example:
        citations outreach worker --every 30
    """
    from sqlalchemy.exc import OperationalError

    from citations.errors import DatabaseUnavailable
    from citations.outreach.send import send_due

    settings = sending_settings(database)
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    click.echo(f"Sending reminders every {every:g} s; SIGTERM or Ctrl-C stops.")
    with open_engine(database) as engine:
        while not stop.is_set():
            started = now()
            try:
                lines = send_due(engine, settings, limit=limit, stop=stop).lines()
            except (OperationalError, DatabaseUnavailable) as exc:
                # The database went away (a restart, a failover): the next run tries again;
                # a message claimed meanwhile is settled once its lease has passed.
                lines = [f"The database could not be used ({type(exc).__name__}); trying again."]
            click.echo(f"{started:%Y-%m-%dT%H:%M:%SZ} {' '.join(lines)}")
            stop.wait(every)
    click.echo("Stopped.")


@outreach.command("plan")
@database_option
@translate_errors
def plan_command(database: str | None) -> None:
    """Bring every open citation's reminders up to date with its schedule and the profile.

    Each change to a citation does this for that citation as it commits; run it after
    changing the profile's reminders section, or after moving a docket session's day.

    \b
    Example:
        citations outreach plan
    """
    from citations.outreach.sync import sync_open

    with open_engine(database) as engine:
        done = sync_open(engine, now=now())
    click.echo(
        f"Brought {done.citations} citation{'' if done.citations == 1 else 's'} up to date: "
        f"{done.written} reminders written, "
        f"{done.cancelled} cancelled."
    )


outreach.add_command(letters_command)
