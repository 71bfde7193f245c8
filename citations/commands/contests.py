"""`citations hearings request-review|review|request|waiver|deposit|lapse`: a contest from the
request to the point where a hearing can be scheduled. Registered on the `hearings` group in
`citations.commands.hearings`.

`citations contests assign|queue`: the work queues (citations.hearings.assign), who takes each
contest waiting on the clerks and the lists of them. "Mine" has no meaning at the command
line (the operator has no staff account): name the account with `--assignee`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import click

from citations.commands.common import (
    database_option,
    emit_json,
    json_option,
    now,
    open_database,
    translate_errors,
)
from citations.commands.params import (
    AMOUNT,
    DAY,
    decision_options,
    late_option,
    received_option,
)
from citations.roles import OPERATOR


@click.command("request-review")
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
    from citations.hearings.contests import request_review

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


@click.command("review")
@click.argument("number")
@decision_options
@click.option(
    "--decided-by",
    "decided_by",
    metavar="NAME",
    required=True,
    help="The reviewer who decided, by name, as they sign the order.",
)
@click.option(
    "--title",
    metavar="TITLE",
    required=True,
    help="The reviewer's title, printed under their name (e.g. Senior Review Officer).",
)
@database_option
@translate_errors
def hearings_review(
    number: str,
    outcome: str,
    findings: str,
    amount: Decimal | None,
    reason: str | None,
    decided_by: str,
    title: str,
    database: str | None,
) -> None:
    """Decide the initial review, with written findings, signed by the reviewer by name and
    title (the command line is recorded as who entered it).

    \b
    Example:
        citations hearings review DCPD-2026-000001-5 --outcome upheld \\
            --findings "The officer's photo shows an open beer can." \\
            --decided-by "Pat Kim" --title "Senior Review Officer"
    """
    from citations.hearings.contests import decide_review
    from citations.hearings.decisions import Outcome, Signer

    with open_database(database) as session:
        order = decide_review(
            session,
            number,
            Outcome(outcome),
            findings,
            decided_by=Signer(decided_by, title),
            actor=OPERATOR,
            now=now(),
            new_amount=amount,
            reduction_reason=reason,
        )
        after = (
            f"; a hearing may be requested by {order.next_deadline}" if order.next_deadline else ""
        )
        click.echo(f"Review of {number}: {order.outcome}{after}.")


@click.command("request")
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
    from citations.hearings.contests import request_hearing

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


@click.command("waiver")
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
    from citations.hearings.contests import decide_waiver

    with open_database(database) as session:
        contest = decide_waiver(session, number, grant, reason, actor=OPERATOR, now=now())
        if grant:
            click.echo(f"Waiver granted for {number}: the hearing can be scheduled.")
        else:
            click.echo(f"Waiver denied for {number}: deposit due by {contest.deposit_due_on}.")


@click.command("deposit")
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
    from citations.hearings.contests import pay_deposit

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


@click.command("lapse")
@click.option("--as-of", "as_of", type=DAY, required=True, help="The day to apply, YYYY-MM-DD.")
@database_option
@translate_errors
def hearings_lapse(as_of: datetime, database: str | None) -> None:
    """Let hearing requests lapse whose deposit was due before a date and never paid.

    \b
    Example:
        citations hearings lapse --as-of 2026-12-15
    """
    from citations.hearings.contests import lapse_unpaid_deposits

    with open_database(database) as session:
        numbers = lapse_unpaid_deposits(session, today=as_of.date(), actor=OPERATOR, now=now())
    click.echo(
        f"{len(numbers)} hearing request(s) lapsed"
        + (": " + ", ".join(numbers) if numbers else ".")
    )


CONTEST_COMMANDS = (
    hearings_request_review,
    hearings_review,
    hearings_request,
    hearings_waiver,
    hearings_deposit,
    hearings_lapse,
)
"""The commands for the `hearings` group, in the order they happen."""


@click.group()
def contests() -> None:
    """Work queues: assign contests waiting on the clerks and list them.

    \b
    Example:
        citations contests queue --assignee unassigned --due-within 7
    """


@contests.command("assign")
@click.argument("number")
@click.option("--to", "to", metavar="USERNAME", help="The staff account to give it to.")
@click.option("--unassign", is_flag=True, help="Put it back in the shared queue.")
@database_option
@translate_errors
def contests_assign(number: str, to: str | None, unassign: bool, database: str | None) -> None:
    """Assign a waiting contest to a staff member who may take its next step, or unassign it.

    \b
    Example:
        citations contests assign DCPD-2026-000001-5 --to jlee
    """
    if (to is None) == (not unassign):
        raise click.UsageError("give either --to USERNAME or --unassign")
    from citations.hearings.assign import assign_contest

    with open_database(database) as session:
        contest = assign_contest(session, number, to, actor=OPERATOR, now=now())
        who = contest.assignee.name if contest.assignee is not None else None
    click.echo(f"{number} is assigned to {who}." if who else f"{number} is in the shared queue.")


TIERS = ["review", "waiver", "deposit", "schedule", "set_aside"]


@contests.command("queue")
@click.option(
    "--assignee",
    metavar="USERNAME",
    default=None,
    help="Only this account's work, or `unassigned` for the shared queue.",
)
@click.option("--tier", type=click.Choice(TIERS), default=None, help="Only this step.")
@click.option(
    "--due-within",
    "due_within",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="Only what is due within DAYS days (what is overdue included).",
)
@click.option("--overdue", is_flag=True, help="Only what is past its deadline.")
@json_option
@database_option
@translate_errors
def contests_queue(
    assignee: str | None,
    tier: str | None,
    due_within: int | None,
    overdue: bool,
    as_json: bool,
    database: str | None,
) -> None:
    """List the work waiting on the clerks, the nearest deadline first.

    \b
    Example:
        citations contests queue --tier review --assignee jlee
    """
    from citations.hearings.assign import QueueFilters, Tier, Whose, work_queue

    whose = Whose.ANYONE
    if assignee is not None:
        whose = Whose.UNASSIGNED if assignee.lower() == "unassigned" else Whose.USER
    filters = QueueFilters(
        tier=Tier(tier) if tier else None,
        overdue=overdue,
        due_within=due_within,
        whose=whose,
        username=assignee if whose is Whose.USER else None,
    )
    with open_database(database) as session:
        items = work_queue(session, filters, OPERATOR, now())
    if as_json:
        emit_json(
            [
                {
                    "citation_number": i.number,
                    "person": i.name,
                    "tier": i.tier.value,
                    "deadline": i.deadline,
                    "days_left": i.days_left,
                    "arrived": i.arrived,
                    "assignee": i.assignee,
                }
                for i in items
            ]
        )
        return
    if not items:
        click.echo("Nothing waiting.")
    for i in items:
        left = i.days_left or 0
        late = f"{-left} days overdue" if left < 0 else f"{left} days left"
        due = f"due {i.deadline} ({late})" if i.deadline else "no deadline"
        click.echo(f"{i.number}  {i.tier.value:<9}  {due}  {i.assignee or '-'}  {i.name}")
