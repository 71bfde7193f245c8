"""`citations hearings ...`: scheduling, defaults, decisions, a contest's summary and its
documents. The contest commands (request, review, waiver, deposit, lapse) are in
`citations.commands.contests` and the `citations docket ...` group in
`citations.commands.docket`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from citations.commands.common import (
    database_option,
    emit_json,
    json_option,
    now,
    open_database,
    translate_errors,
)
from citations.commands.contests import CONTEST_COMMANDS
from citations.commands.params import (
    decision_options,
    installment,
    output_option,
    received_option,
    write_pdf,
)
from citations.money import from_cents
from citations.roles import OPERATOR

if TYPE_CHECKING:
    from citations.hearings.tables import Hearing


@click.group()
def hearings() -> None:
    """Contests, reviews, waivers, hearings and decisions.

    \b
    Example:
        citations hearings request-review DCPD-2026-000001-5 --statement "It was soda."
    """


for _command in CONTEST_COMMANDS:
    hearings.add_command(_command)


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
    from citations.hearings.scheduling import schedule_hearing

    with open_database(database) as session:
        hearing = schedule_hearing(
            session, number, actor=OPERATOR, now=now(), session_id=session_id
        )
        _echo_hearing(number, hearing)


def _echo_hearing(number: str, hearing: Hearing) -> None:
    """Say when, where in the docket and before whom a (re)scheduled hearing is."""
    sitting = hearing.session
    at = hearing.slot_time or sitting.start_time
    click.echo(
        f"Hearing for {number}: {sitting.day} at {at:%H:%M}, session {hearing.session_id}, "
        f"{sitting.officer.name}."
    )


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
    from citations.hearings.scheduling import continue_hearing

    with open_database(database) as session:
        hearing = continue_hearing(
            session, number, reason, actor=OPERATOR, now=now(), session_id=session_id
        )
        _echo_hearing(number, hearing)


@hearings.command("no-show")
@click.argument("number")
@database_option
@translate_errors
def hearings_no_show(number: str, database: str | None) -> None:
    """Record that the person did not appear: the citation is upheld by default. Refused
    before the hearing's set time; the default may be set aside within the profile's days of
    the hearing's day.

    \b
    Example:
        citations hearings no-show DCPD-2026-000001-5
    """
    from citations.hearings.scheduling import record_no_show

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
    from citations.hearings.scheduling import set_aside_default

    with open_database(database) as session:
        set_aside_default(
            session, number, reason, received_at=received_at or now(), actor=OPERATOR, now=now()
        )
        click.echo(f"Default set aside for {number}: schedule the hearing again.")


@hearings.command("decide")
@click.argument("number")
@decision_options
@click.option(
    "--installment",
    "installments",
    multiple=True,
    help="A payment installment DATE:AMOUNT (repeat for a schedule).",
)
@click.option(
    "--held-early-reason",
    default=None,
    help="The hearing was held before its set time by agreement: why (clerks).",
)
@click.option(
    "--decided-by",
    "decided_by",
    metavar="NAME",
    default=None,
    help="The session's hearing officer, who signs the order (the default; anyone else is "
    "refused).",
)
@click.option(
    "--title",
    metavar="TITLE",
    default=None,
    help="The hearing officer's title under their name (default: Hearing officer).",
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
    held_early_reason: str | None,
    decided_by: str | None,
    title: str | None,
    database: str | None,
) -> None:
    """Record the hearing officer's decision, with findings; a dismissal refunds the deposit.
    The order is signed by the session's hearing officer.

    Refused before the hearing's set time, unless it was held early by agreement and
    --held-early-reason says why.

    \b
    Example:
        citations hearings decide DCPD-2026-000001-5 --outcome reduced --amount 100.00 \\
            --reason "Income below the guideline" --findings "Violation shown; hardship shown."
    """
    from citations.hearings.decisions import Outcome, Signer
    from citations.hearings.scheduling import decide_hearing

    schedule = [installment(i) for i in installments]
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
            held_early_reason=held_early_reason,
            decided_by=Signer(decided_by or "", title) if decided_by or title else None,
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
    from citations.hearings.build import contest_summary

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
    help="The latest hearing notice or the latest decision order.",
)
@output_option("NUMBER-DOCUMENT.pdf")
@database_option
@translate_errors
def hearings_print(number: str, document: str, output: Path | None, database: str | None) -> None:
    """Write the latest hearing notice or decision order as PDF, as it was sent (every earlier
    one: citations documents list NUMBER).

    \b
    Example:
        citations hearings print DCPD-2026-000001-5 --document order --output order.pdf
    """
    from citations.hearings.kept import hearing_notice_document, order_document

    with open_database(database) as session:
        if document == "notice":
            kept = hearing_notice_document(session, number, OPERATOR, now=now())
        else:
            kept = order_document(session, number, OPERATOR, now=now())
        pdf = kept.content
    write_pdf(pdf, output or Path(f"{number}-{document}.pdf"))


@hearings.command("packet")
@click.argument("number")
@output_option("NUMBER-hearing-packet.pdf")
@database_option
@translate_errors
def hearings_packet(number: str, output: Path | None, database: str | None) -> None:
    """Write the hearing packet of the citation's newest hearing as PDF, as the evidence
    stands now: the citation, the narrative, every photo and file, the person's statement,
    the review decision and the history (each packet sent with a hearing notice: citations
    documents list NUMBER).

    \b
    Example:
        citations hearings packet DCPD-2026-000001-5 --output packet.pdf
    """
    from citations.hearings.kept import current_packet

    with open_database(database) as session:
        canonical, pdf = current_packet(session, number, OPERATOR, now=now())
    write_pdf(pdf, output or Path(f"{canonical}-hearing-packet.pdf"))
