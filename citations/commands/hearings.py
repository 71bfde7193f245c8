"""`citations hearings ...` and `citations docket ...`: what hearing clerks do every day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

import click

from citations.commands.common import (
    database_option,
    emit_json,
    json_option,
    now,
    open_database,
    translate_errors,
)
from citations.hearings.build import (
    contest_summary,
    docket_sheet_for,
    hearing_notice_for,
    order_for,
)
from citations.hearings.contests import (
    decide_review,
    decide_waiver,
    lapse_unpaid_deposits,
    pay_deposit,
    request_hearing,
    request_review,
)
from citations.hearings.decisions import Outcome
from citations.hearings.officers import (
    Qualification,
    add_availability,
    add_officer,
    create_session,
    list_officers,
    list_sessions,
    recuse,
)
from citations.hearings.render import render_docket_sheet, render_hearing_notice, render_order
from citations.hearings.scheduling import (
    continue_hearing,
    decide_hearing,
    record_no_show,
    schedule_hearing,
    set_aside_default,
)
from citations.money import from_cents
from citations.payments.plans import Installment
from citations.roles import OPERATOR

P = ParamSpec("P")
R = TypeVar("R")


class Money(click.ParamType[Decimal]):
    name = "amount"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{value!r} is not an amount (e.g. 250.00)", param, ctx)
        if amount < 0 or amount != amount.quantize(Decimal("0.01")):
            self.fail(f"{value!r} is not an amount in cents (e.g. 250.00)", param, ctx)
        return amount.quantize(Decimal("0.01"))


AMOUNT = Money()
DAY = click.DateTime(formats=["%Y-%m-%d"])
CLOCK = click.DateTime(formats=["%H:%M"])


def received_option(function: Callable[P, R]) -> Callable[P, R]:
    return click.option(
        "--received-at",
        type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]),
        default=None,
        help="When the request arrived, ISO 8601 with offset (default: now).",
    )(function)


def late_option(function: Callable[P, R]) -> Callable[P, R]:
    return click.option(
        "--late-reason", default=None, help="Accept a late request, recording why (clerks)."
    )(function)


def outcome_option(choices: list[str]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    return click.option("--outcome", required=True, type=click.Choice(choices))


@click.group()
def hearings() -> None:
    """Contests, reviews, waivers, hearings and decisions.

    \b
    Example:
        citations hearings request-review DCPD-2026-000001-5 --statement "It was soda."
    """


@hearings.command("request-review")
@click.argument("number")
@click.option("--statement", required=True, help="Why the person contests the citation.")
@received_option
@late_option
@database_option
@translate_errors
def hearings_request_review(
    number: str,
    statement: str,
    received_at: datetime | None,
    late_reason: str | None,
    database: str | None,
) -> None:
    """Record a request to contest: the initial written review.

    \b
    Example:
        citations hearings request-review DCPD-2026-000001-5 --statement "It was soda."
    """
    with open_database(database) as session:
        contest = request_review(
            session,
            number,
            statement,
            received_at=received_at or now(),
            actor=OPERATOR,
            now=now(),
            late_reason=late_reason,
        )
        click.echo(f"Review requested for {number} (deadline was {contest.review_deadline}).")


@hearings.command("review")
@click.argument("number")
@outcome_option(["upheld", "dismissed", "reduced"])
@click.option("--findings", required=True, help="The written findings.")
@click.option("--amount", type=AMOUNT, default=None, help="The new fine, for a reduction.")
@click.option("--reason", default=None, help="Why the fine is reduced.")
@database_option
@translate_errors
def hearings_review(
    number: str,
    outcome: str,
    findings: str,
    amount: Decimal | None,
    reason: str | None,
    database: str | None,
) -> None:
    """Decide the initial review, with written findings.

    \b
    Example:
        citations hearings review DCPD-2026-000001-5 --outcome upheld \\
            --findings "The officer's photo shows an open beer can."
    """
    with open_database(database) as session:
        order = decide_review(
            session,
            number,
            Outcome(outcome),
            findings,
            actor=OPERATOR,
            now=now(),
            new_amount=amount,
            reduction_reason=reason,
        )
        after = (
            f"; a hearing may be requested by {order.next_deadline}" if order.next_deadline else ""
        )
        click.echo(f"Review of {number}: {order.outcome}{after}.")


@hearings.command("request")
@click.argument("number")
@click.option("--deposit", type=AMOUNT, default=None, help="The advance deposit received.")
@click.option("--method", default=None, help="How the deposit was paid (card, cash, check).")
@click.option("--reference", default=None, help="The payment's reference.")
@click.option("--waiver-declaration", default=None, help="A sworn hardship declaration instead.")
@click.option("--interpreter", default=None, help="Language of the interpreter needed (e.g. es).")
@received_option
@late_option
@database_option
@translate_errors
def hearings_request(
    number: str,
    deposit: Decimal | None,
    method: str | None,
    reference: str | None,
    waiver_declaration: str | None,
    interpreter: str | None,
    received_at: datetime | None,
    late_reason: str | None,
    database: str | None,
) -> None:
    """Request the administrative hearing, with the deposit or a hardship waiver request.

    \b
    Example:
        citations hearings request DCPD-2026-000001-5 --deposit 250.00 --method card
    """
    with open_database(database) as session:
        contest = request_hearing(
            session,
            number,
            received_at=received_at or now(),
            actor=OPERATOR,
            now=now(),
            deposit=deposit,
            deposit_method=method,
            deposit_reference=reference,
            waiver_declaration=waiver_declaration,
            interpreter_language=interpreter,
            late_reason=late_reason,
        )
        click.echo(f"Hearing requested for {number}: deposit {contest.deposit_status}.")


@hearings.command("waiver")
@click.argument("number")
@click.option("--grant/--deny", required=True, help="Grant or deny the hardship waiver.")
@click.option("--reason", required=True, help="The clerk's reasons.")
@database_option
@translate_errors
def hearings_waiver(number: str, grant: bool, reason: str, database: str | None) -> None:
    """Decide a hardship waiver of the hearing deposit.

    \b
    Example:
        citations hearings waiver DCPD-2026-000001-5 --grant --reason "Receives CalFresh"
    """
    with open_database(database) as session:
        contest = decide_waiver(session, number, grant, reason, actor=OPERATOR, now=now())
        if grant:
            click.echo(f"Waiver granted for {number}: the hearing can be scheduled.")
        else:
            click.echo(f"Waiver denied for {number}: deposit due by {contest.deposit_due_on}.")


@hearings.command("deposit")
@click.argument("number")
@click.option("--amount", type=AMOUNT, required=True, help="The deposit received.")
@click.option("--method", default=None, help="How it was paid.")
@click.option("--reference", default=None, help="The payment's reference.")
@received_option
@database_option
@translate_errors
def hearings_deposit(
    number: str,
    amount: Decimal,
    method: str | None,
    reference: str | None,
    received_at: datetime | None,
    database: str | None,
) -> None:
    """Record the deposit due after a refused waiver.

    \b
    Example:
        citations hearings deposit DCPD-2026-000001-5 --amount 250.00 --method cash
    """
    with open_database(database) as session:
        pay_deposit(
            session,
            number,
            amount,
            received_at=received_at or now(),
            actor=OPERATOR,
            now=now(),
            method=method,
            reference=reference,
        )
        click.echo(f"Deposit recorded for {number}: the hearing can be scheduled.")


@hearings.command("lapse")
@click.option("--as-of", "as_of", type=DAY, required=True, help="The day to apply, YYYY-MM-DD.")
@database_option
@translate_errors
def hearings_lapse(as_of: datetime, database: str | None) -> None:
    """Let hearing requests lapse whose deposit was due before a date and never paid.

    \b
    Example:
        citations hearings lapse --as-of 2026-12-15
    """
    with open_database(database) as session:
        numbers = lapse_unpaid_deposits(session, today=as_of.date(), actor=OPERATOR, now=now())
    click.echo(
        f"{len(numbers)} hearing request(s) lapsed"
        + (": " + ", ".join(numbers) if numbers else ".")
    )


@hearings.command("schedule")
@click.argument("number")
@click.option("--session", "session_id", type=int, default=None, help="Place it in this session.")
@database_option
@translate_errors
def hearings_schedule(number: str, session_id: int | None, database: str | None) -> None:
    """Schedule a hearing in the earliest fitting session (or a chosen one).

    \b
    Example:
        citations hearings schedule DCPD-2026-000001-5
    """
    with open_database(database) as session:
        hearing = schedule_hearing(
            session, number, actor=OPERATOR, now=now(), session_id=session_id
        )
        _echo_hearing(
            number,
            hearing.session.day,
            hearing.slot_time or hearing.session.start_time,
            hearing.session_id,
            hearing.session.officer.name,
        )


def _echo_hearing(number: str, day: date, at: time, session_id: int, officer: str) -> None:
    click.echo(f"Hearing for {number}: {day} at {at:%H:%M}, session {session_id}, {officer}.")


@hearings.command("continue")
@click.argument("number")
@click.option("--reason", required=True, help="Why the hearing is postponed.")
@click.option("--session", "session_id", type=int, default=None, help="The new session.")
@database_option
@translate_errors
def hearings_continue(
    number: str, reason: str, session_id: int | None, database: str | None
) -> None:
    """Postpone a hearing and schedule the next; the history is kept.

    \b
    Example:
        citations hearings continue DCPD-2026-000001-5 --reason "Interpreter unavailable"
    """
    with open_database(database) as session:
        hearing = continue_hearing(
            session, number, reason, actor=OPERATOR, now=now(), session_id=session_id
        )
        _echo_hearing(
            number,
            hearing.session.day,
            hearing.slot_time or hearing.session.start_time,
            hearing.session_id,
            hearing.session.officer.name,
        )


@hearings.command("no-show")
@click.argument("number")
@database_option
@translate_errors
def hearings_no_show(number: str, database: str | None) -> None:
    """Record that the person did not appear: the citation is upheld by default.

    \b
    Example:
        citations hearings no-show DCPD-2026-000001-5
    """
    with open_database(database) as session:
        order = record_no_show(session, number, actor=OPERATOR, now=now())
        click.echo(f"Default recorded for {number}; it may be set aside by {order.next_deadline}.")


@hearings.command("set-aside")
@click.argument("number")
@click.option("--reason", required=True, help="The good cause.")
@received_option
@database_option
@translate_errors
def hearings_set_aside(
    number: str, reason: str, received_at: datetime | None, database: str | None
) -> None:
    """Set aside a default for good cause; the hearing is scheduled again.

    \b
    Example:
        citations hearings set-aside DCPD-2026-000001-5 --reason "In hospital that day"
    """
    with open_database(database) as session:
        set_aside_default(
            session, number, reason, received_at=received_at or now(), actor=OPERATOR, now=now()
        )
        click.echo(f"Default set aside for {number}: schedule the hearing again.")


def _installment(text: str) -> Installment:
    try:
        due, amount = text.split(":", 1)
        return Installment(due_on=date.fromisoformat(due), amount=Decimal(amount))
    except (ValueError, InvalidOperation) as exc:
        raise click.BadParameter(f"{text!r}: write DATE:AMOUNT, e.g. 2027-01-15:60.00") from exc


@hearings.command("decide")
@click.argument("number")
@outcome_option(["upheld", "dismissed", "reduced"])
@click.option("--findings", required=True, help="The written findings.")
@click.option("--amount", type=AMOUNT, default=None, help="The new fine, for a reduction.")
@click.option("--reason", default=None, help="Why the fine is reduced.")
@click.option(
    "--installment",
    "installments",
    multiple=True,
    help="A payment installment DATE:AMOUNT (repeat for a schedule).",
)
@database_option
@translate_errors
def hearings_decide(
    number: str,
    outcome: str,
    findings: str,
    amount: Decimal | None,
    reason: str | None,
    installments: tuple[str, ...],
    database: str | None,
) -> None:
    """Record the hearing officer's decision, with findings; a dismissal refunds the deposit.

    \b
    Example:
        citations hearings decide DCPD-2026-000001-5 --outcome reduced --amount 100.00 \\
            --reason "Income below the guideline" --findings "Violation shown; hardship shown."
    """
    schedule = [_installment(i) for i in installments]
    with open_database(database) as session:
        order = decide_hearing(
            session,
            number,
            Outcome(outcome),
            findings,
            actor=OPERATOR,
            now=now(),
            new_amount=amount,
            reduction_reason=reason,
            payment_schedule=schedule,
        )
        refund = f"; refund {from_cents(order.refund_cents)}" if order.refund_cents else ""
        click.echo(
            f"Hearing on {number}: {order.outcome}{refund}; appeal by {order.next_deadline}."
        )


@hearings.command("show")
@click.argument("number")
@json_option
@database_option
@translate_errors
def hearings_show(number: str, as_json: bool, database: str | None) -> None:
    """Show a contest: stage, deadlines, deposit, hearings and orders.

    \b
    Example:
        citations hearings show DCPD-2026-000001-5
    """
    with open_database(database) as session:
        summary = contest_summary(session, number, OPERATOR)
    if as_json:
        emit_json(summary.model_dump(mode="json"))
        return
    click.echo(
        f"Contest of {summary.citation_number}: {summary.stage} "
        f"(citation {summary.citation_status}); balance {summary.balance}"
    )
    click.echo(
        f"  review requested {summary.review_requested_at:%Y-%m-%d} "
        f"(deadline {summary.review_deadline})"
    )
    if summary.deposit_status:
        click.echo(f"  deposit: {summary.deposit_status}")
    for h in summary.hearings:
        click.echo(
            f"  hearing {h.day} {h.time:%H:%M} session {h.session_id} ({h.hearing_officer}): "
            f"{h.status}" + (f" — {h.postponed_reason}" if h.postponed_reason else "")
        )
    for o in summary.orders:
        click.echo(f"  {o.tier} {o.outcome} on {o.decided_at:%Y-%m-%d}: {o.findings}")


@hearings.command("print")
@click.argument("number")
@click.option(
    "--document",
    type=click.Choice(["notice", "order"]),
    default="order",
    show_default=True,
    help="The hearing notice or the latest decision order.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PDF file (default NUMBER-DOCUMENT.pdf).",
)
@database_option
@translate_errors
def hearings_print(number: str, document: str, output: Path | None, database: str | None) -> None:
    """Write the hearing notice or the latest decision order as PDF.

    \b
    Example:
        citations hearings print DCPD-2026-000001-5 --document order --output order.pdf
    """
    with open_database(database) as session:
        if document == "notice":
            pdf = render_hearing_notice(hearing_notice_for(session, number, OPERATOR, now=now()))
        else:
            pdf = render_order(order_for(session, number, OPERATOR))
    target = output or Path(f"{number}-{document}.pdf")
    target.write_bytes(pdf)
    click.echo(f"Wrote {target}")


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
    with open_database(database) as session:
        officer = add_officer(
            session,
            name,
            cast(Qualification, qualification),
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
    with open_database(database) as session:
        for s in list_sessions(session, start.date(), end.date()):
            click.echo(
                f"{s.id:>4}  {s.day} {s.start_time:%H:%M}  {s.officer.name:<20} "
                f"{s.booked}/{s.capacity} booked  {s.place or s.remote_link}"
            )


@docket.command("print")
@click.argument("session_id", type=int)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PDF file (default docket-SESSION.pdf).",
)
@database_option
@translate_errors
def docket_print(session_id: int, output: Path | None, database: str | None) -> None:
    """Write a session's docket sheet as PDF, for the hearing room.

    \b
    Example:
        citations docket print 1 --output docket.pdf
    """
    with open_database(database) as session:
        pdf = render_docket_sheet(docket_sheet_for(session, session_id, OPERATOR, now=now()))
    target = output or Path(f"docket-{session_id}.pdf")
    target.write_bytes(pdf)
    click.echo(f"Wrote {target}")
