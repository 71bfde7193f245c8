"""Parameter types and options shared by the commands (hearings, docket, money, reports), so
every command takes the same flags and reads amounts, days and installments alike. Imported to
build the commands' help, so it imports no library module until a value is converted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

if TYPE_CHECKING:
    from citations.payments.plans import Installment

P = ParamSpec("P")
R = TypeVar("R")


class Money(click.ParamType[Decimal]):
    """An amount of money exact to the cent, never a float."""

    name = "amount"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        from citations.money import parse_amount

        if isinstance(value, Decimal):
            return value
        try:
            return parse_amount(str(value))
        except ValueError as exc:
            self.fail(f"{value!r}: {exc}", param, ctx)


class Hours(click.ParamType[Decimal]):
    """A number of hours as typed (`4`, `2.75`), exact, never a float. Whether it is whole
    quarter hours the library says (`payments.service.logged_minutes`), in the same words for
    the command line, the API and the pages."""

    name = "hours"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        if isinstance(value, Decimal):
            return value
        text = str(value).strip()
        if not text or len(text) > 12 or not all(c in "0123456789." for c in text):
            self.fail(f"{value!r}: enter hours such as 4 or 2.75", param, ctx)
        try:
            return Decimal(text)
        except ArithmeticError:  # decimal.InvalidOperation: "1.2.3"
            self.fail(f"{value!r}: enter hours such as 4 or 2.75", param, ctx)


AMOUNT = Money()
HOURS = Hours()
DAY = click.DateTime(formats=["%Y-%m-%d"])
CLOCK = click.DateTime(formats=["%H:%M"])


def received_option(function: Callable[P, R]) -> Callable[P, R]:
    """`--received-at`: when a request arrived, which decides whether it is late."""
    return click.option(
        "--received-at",
        type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]),
        default=None,
        help="When the request arrived, ISO 8601 with offset (default: now).",
    )(function)


def late_option(function: Callable[P, R]) -> Callable[P, R]:
    """`--late-reason`: a clerk accepts a late request only by saying why."""
    return click.option(
        "--late-reason", default=None, help="Accept a late request, recording why (clerks)."
    )(function)


def decision_options(function: Callable[P, R]) -> Callable[P, R]:
    """`--outcome`, `--findings`, `--amount` and `--reason`: what a review or a hearing decides.

    Applied bottom-up, as stacked decorators are, so the help lists them in this order.
    """
    options = [
        click.option(
            "--outcome", required=True, type=click.Choice(["upheld", "dismissed", "reduced"])
        ),
        click.option("--findings", required=True, help="The written findings."),
        click.option("--amount", type=AMOUNT, default=None, help="The new fine, for a reduction."),
        click.option("--reason", default=None, help="Why the fine is reduced."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def output_option(default_name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """`--output`: where a printed document goes; `default_name` is told in the help."""
    return click.option(
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"PDF file (default {default_name}).",
    )


def write_pdf(pdf: bytes, target: Path) -> None:
    """Write a rendered document and say where it went."""
    target.write_bytes(pdf)
    click.echo(f"Wrote {target}")


def installment(text: str) -> Installment:
    """One `DATE:AMOUNT` installment of a payment schedule, e.g. `2027-01-15:60.00`."""
    from citations.money import parse_amount
    from citations.payments.plans import Installment

    try:
        due, amount = text.split(":", 1)
        return Installment(due_on=date.fromisoformat(due), amount=parse_amount(amount))
    except ValueError as exc:  # pydantic's ValidationError is one
        raise click.BadParameter(f"{text!r}: write DATE:AMOUNT, e.g. 2027-01-15:60.00") from exc
