"""`citations docket ...`: hearing officers, their availability and recusals, docket sessions
and the docket sheet printed for the hearing room."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from citations.commands.common import database_option, now, open_database, translate_errors
from citations.commands.params import CLOCK, DAY, output_option, write_pdf
from citations.roles import OPERATOR

if TYPE_CHECKING:
    from citations.hearings.officers import Qualification


@click.group()
def docket() -> None:
    """Hearing officers, their availability and recusals, and docket sessions.

    \b
    Example:
        citations docket sessions --from 2026-12-01 --to 2026-12-31
    """


@docket.command("add-officer")
@click.argument("name")
@click.option(
    "--qualification",
    required=True,
    type=click.Choice(["pro_tem_judge", "administrative_law_judge", "trained_neutral"]),
)
@click.option("--detail", default="", help="E.g. the court or the training course.")
@click.option("--training-hours", type=int, default=None, help="For a trained neutral (25+).")
@click.option(
    "--independence",
    required=True,
    help="How the officer is independent of the city and every issuing agency.",
)
@database_option
@translate_errors
def docket_add_officer(
    name: str,
    qualification: str,
    detail: str,
    training_hours: int | None,
    independence: str,
    database: str | None,
) -> None:
    """Register a neutral hearing officer.

    \b
    Example:
        citations docket add-officer "Ada Ruiz" --qualification pro_tem_judge \\
            --independence "Retired judge under contract; not a city employee"
    """
    from citations.hearings.officers import add_officer

    with open_database(database) as session:
        officer = add_officer(
            session,
            name,
            cast("Qualification", qualification),
            detail,
            independence,
            actor=OPERATOR,
            now=now(),
            training_hours=training_hours,
        )
        click.echo(f"Hearing officer {officer.id}: {officer.name}.")


@docket.command("officers")
@database_option
@translate_errors
def docket_officers(database: str | None) -> None:
    """List hearing officers.

    \b
    Example:
        citations docket officers
    """
    from citations.hearings.officers import list_officers

    with open_database(database) as session:
        for officer in list_officers(session):
            click.echo(f"{officer.id:>4}  {officer.name}  ({officer.qualification})")


@docket.command("available")
@click.argument("officer_id", type=int)
@click.option("--date", "day", type=DAY, required=True, help="YYYY-MM-DD")
@click.option("--from", "start", type=CLOCK, required=True, help="HH:MM local")
@click.option("--to", "end", type=CLOCK, required=True, help="HH:MM local")
@database_option
@translate_errors
def docket_available(
    officer_id: int, day: datetime, start: datetime, end: datetime, database: str | None
) -> None:
    """Record when a hearing officer can sit.

    \b
    Example:
        citations docket available 1 --date 2026-12-16 --from 09:00 --to 12:00
    """
    from citations.hearings.officers import add_availability

    with open_database(database) as session:
        add_availability(
            session, officer_id, day.date(), start.time(), end.time(), actor=OPERATOR, now=now()
        )
    click.echo(f"Officer {officer_id} available {day:%Y-%m-%d} {start:%H:%M}-{end:%H:%M}.")


@docket.command("recuse")
@click.argument("officer_id", type=int)
@click.argument("number")
@click.option("--reason", required=True, help="The conflict.")
@database_option
@translate_errors
def docket_recuse(officer_id: int, number: str, reason: str, database: str | None) -> None:
    """Recuse a hearing officer from a citation (never scheduled for it).

    \b
    Example:
        citations docket recuse 1 DCPD-2026-000001-5 --reason "Knows the person"
    """
    from citations.hearings.officers import recuse

    with open_database(database) as session:
        recuse(session, officer_id, number, reason, actor=OPERATOR, now=now())
    click.echo(f"Officer {officer_id} recused from {number}.")


@docket.command("add-session")
@click.option("--date", "day", type=DAY, required=True, help="YYYY-MM-DD (a business day)")
@click.option("--start", type=CLOCK, required=True, help="HH:MM local")
@click.option("--officer", "officer_id", type=int, required=True, help="Hearing officer id.")
@click.option("--capacity", type=int, required=True, help="How many hearings.")
@click.option("--place", default=None, help="Room and address.")
@click.option("--link", "remote_link", default=None, help="Video link for remote hearings.")
@click.option("--slot-minutes", type=int, default=None, help="Minutes per hearing.")
@database_option
@translate_errors
def docket_add_session(
    day: datetime,
    start: datetime,
    officer_id: int,
    capacity: int,
    place: str | None,
    remote_link: str | None,
    slot_minutes: int | None,
    database: str | None,
) -> None:
    """Open a docket session.

    \b
    Example:
        citations docket add-session --date 2026-12-16 --start 09:00 --officer 1 \\
            --capacity 8 --slot-minutes 20 --place "City Hall East, Room 101"
    """
    from citations.hearings.officers import create_session

    with open_database(database) as session:
        created = create_session(
            session,
            day=day.date(),
            start=start.time(),
            officer_id=officer_id,
            capacity=capacity,
            place=place,
            remote_link=remote_link,
            slot_minutes=slot_minutes,
            actor=OPERATOR,
            now=now(),
        )
        click.echo(
            f"Session {created.id}: {created.day} {created.start_time:%H:%M}, "
            f"capacity {created.capacity}."
        )


@docket.command("sessions")
@click.option("--from", "start", type=DAY, required=True, help="YYYY-MM-DD")
@click.option("--to", "end", type=DAY, required=True, help="YYYY-MM-DD")
@database_option
@translate_errors
def docket_sessions(start: datetime, end: datetime, database: str | None) -> None:
    """List docket sessions between two dates, with places left.

    \b
    Example:
        citations docket sessions --from 2026-12-01 --to 2026-12-31
    """
    from citations.hearings.officers import list_sessions

    with open_database(database) as session:
        for s in list_sessions(session, start.date(), end.date()):
            click.echo(
                f"{s.id:>4}  {s.day} {s.start_time:%H:%M}  {s.officer.name:<20} "
                f"{s.booked}/{s.capacity} booked  {s.place or s.remote_link}"
            )


@docket.command("print")
@click.argument("session_id", type=int)
@output_option("docket-SESSION.pdf")
@database_option
@translate_errors
def docket_print(session_id: int, output: Path | None, database: str | None) -> None:
    """Write a session's docket sheet as PDF, for the hearing room.

    \b
    Example:
        citations docket print 1 --output docket.pdf
    """
    from citations.hearings.build import docket_sheet_for
    from citations.hearings.render import render_docket_sheet

    with open_database(database) as session:
        pdf = render_docket_sheet(docket_sheet_for(session, session_id, OPERATOR, now=now()))
    write_pdf(pdf, output or Path(f"docket-{session_id}.pdf"))
