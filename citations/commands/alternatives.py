"""Commands for the alternatives to paying: ability to pay, community service, and diversion
or restorative programs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import click

from citations.commands.common import database_option, now, open_database, translate_errors
from citations.commands.params import AMOUNT, DAY, HOURS
from citations.roles import OPERATOR

if TYPE_CHECKING:
    from citations.payments.service import ServiceState


@click.command("ability")
@click.argument("number")
@click.option("--household", type=int, required=True, help="People in the household.")
@click.option("--monthly-income", type=AMOUNT, required=True, help="Household income a month.")
@click.option("--benefit", "benefits", multiple=True, help="A public benefit received (repeat).")
@click.option("--sworn/--not-sworn", default=False, help="Signed under penalty of perjury.")
@click.option("--statement", default="", help="Anything else the person declares.")
@database_option
@translate_errors
def ability_command(
    number: str,
    household: int,
    monthly_income: Decimal,
    benefits: tuple[str, ...],
    sworn: bool,
    statement: str,
    database: str | None,
) -> None:
    """Decide an ability-to-pay request by the profile's rule.

    \b
    Example:
        citations ability DCPD-2026-000001-5 --household 3 --monthly-income 1800 \\
            --benefit calfresh --sworn
    """
    from citations.payments.ability import Declaration, request_ability_to_pay

    declaration = Declaration(
        benefits=list(benefits),
        household_size=household,
        monthly_income=monthly_income,
        sworn=sworn,
        statement=statement,
    )
    with open_database(database) as session:
        decision = request_ability_to_pay(session, number, declaration, actor=OPERATOR, now=now())
    verdict = "qualifies" if decision.qualifies else "does not qualify"
    click.echo(f"{number} {verdict}: " + "; ".join(decision.reasons))
    click.echo(f"Amount due now: {decision.amount_due} ({decision.status}).")


@click.group()
def service() -> None:
    """Community service in place of the fine.

    \b
    Example:
        citations service elect DCPD-2026-000001-5 --provider food-bank
    """


def _echo_service(s: ServiceState) -> None:
    click.echo(
        f"{s.citation_number}: {s.hours_signed_off} of {s.hours_required} hours signed "
        f"off ({s.hours_pending} pending) with {s.provider}; due {s.deadline}; {s.status}."
    )


@service.command("elect")
@click.argument("number")
@click.option("--provider", required=True, help="A provider id from the profile.")
@database_option
@translate_errors
def service_elect(number: str, provider: str, database: str | None) -> None:
    """Convert what is owed into community service hours with a provider.

    \b
    Example:
        citations service elect DCPD-2026-000001-5 --provider food-bank
    """
    from citations.payments.service import elect_service

    with open_database(database) as session:
        _echo_service(elect_service(session, number, provider, actor=OPERATOR, now=now()))


@service.command("log")
@click.argument("number")
@click.option("--date", "day", type=DAY, required=True, help="The day worked.")
@click.option(
    "--hours", type=HOURS, required=True, help="Hours worked, in quarter hours (e.g. 2.75)."
)
@database_option
@translate_errors
def service_log(number: str, day: datetime, hours: Decimal, database: str | None) -> None:
    """Log hours worked (they count once the provider signs off).

    \b
    Example:
        citations service log DCPD-2026-000001-5 --date 2026-12-05 --hours 4
    """
    from citations.payments.service import log_hours

    with open_database(database) as session:
        _echo_service(log_hours(session, number, day.date(), hours, actor=OPERATOR, now=now()))


@service.command("sign-off")
@click.argument("number")
@click.option("--signer", required=True, help="The provider's representative.")
@database_option
@translate_errors
def service_sign_off(number: str, signer: str, database: str | None) -> None:
    """The provider confirms the logged hours; enough hours close the citation.

    \b
    Example:
        citations service sign-off DCPD-2026-000001-5 --signer "Lee, volunteer lead"
    """
    from citations.payments.service import sign_off

    with open_database(database) as session:
        _echo_service(sign_off(session, number, signer, actor=OPERATOR, now=now()))


@service.command("extend")
@click.argument("number")
@click.option("--reason", required=True, help="Why more time is given.")
@database_option
@translate_errors
def service_extend(number: str, reason: str, database: str | None) -> None:
    """Extend the deadline (as many times as the profile allows).

    \b
    Example:
        citations service extend DCPD-2026-000001-5 --reason "Hospitalized two weeks"
    """
    from citations.payments.service import extend

    with open_database(database) as session:
        _echo_service(extend(session, number, reason, actor=OPERATOR, now=now()))


@click.group()
def diversion() -> None:
    """Diversion and restorative programs.

    \b
    Example:
        citations diversion refer DCPD-2026-000001-5 --program neighborhood-justice \\
            --obligation "apology_letter:Letter to the neighbors"
    """


@diversion.command("refer")
@click.argument("number")
@click.option("--program", required=True, help="A program the citation's version offers.")
@click.option(
    "--obligation",
    "obligations",
    multiple=True,
    required=True,
    help="KIND:DESCRIPTION (class, apology_letter, restitution, service_hours, other).",
)
@database_option
@translate_errors
def diversion_refer(
    number: str, program: str, obligations: tuple[str, ...], database: str | None
) -> None:
    """Refer a citation to a program with the obligations agreed.

    \b
    Example:
        citations diversion refer DCPD-2026-000001-5 --program neighborhood-justice \\
            --obligation "service_hours:8 hours of park cleanup"
    """
    from citations.payments.diversion import Obligation, refer

    agreed = []
    for text in obligations:
        kind, _, description = text.partition(":")
        agreed.append(Obligation.model_validate({"kind": kind, "description": description}))
    with open_database(database) as session:
        referral = refer(session, number, program, agreed, actor=OPERATOR, now=now())
        click.echo(f"{number} referred to {program}; complete by {referral.deadline}.")


@diversion.command("done")
@click.argument("number")
@click.argument("index", type=int)
@click.option("--date", "day", type=DAY, required=True, help="When it was done.")
@database_option
@translate_errors
def diversion_done(number: str, index: int, day: datetime, database: str | None) -> None:
    """Record an obligation done (numbered from 0); all done dismisses the citation.

    \b
    Example:
        citations diversion done DCPD-2026-000001-5 0 --date 2026-12-10
    """
    from citations.payments.diversion import fulfil

    with open_database(database) as session:
        referral = fulfil(session, number, index, day.date(), actor=OPERATOR, now=now())
        click.echo(f"{number}: obligation {index} done; program {referral.status}.")
