"""Commands for the cashier's drawer: open with a float, close with the counted cash and
checks, show one, list them by day. The pages do the same at /clerk/drawer."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
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
from citations.commands.params import AMOUNT, DAY
from citations.roles import OPERATOR, Actor

if TYPE_CHECKING:
    from citations.payments.drawers import DrawerPublic

cashier_option = click.option(
    "--cashier",
    default=None,
    help="The cashier's name, as the pages show it (default: the operator).",
)


def _actor(cashier: str | None) -> Actor:
    """The cashier at the command line: the operator, or the name given (keyed by name, as a
    token's holder is in the pages)."""
    return OPERATOR if cashier is None else Actor(cashier, OPERATOR.role)


def _difference(amount: Decimal | None) -> str:
    if amount is None:
        return "-"
    if amount == 0:
        return "balanced"
    return f"{abs(amount)} {'over' if amount > 0 else 'short'}"


def _echo(drawer: DrawerPublic) -> None:
    opened = f"{drawer.opened_at:%Y-%m-%d %H:%M} UTC"
    click.echo(
        f"Drawer {drawer.id} ({drawer.status}) of {drawer.cashier}, opened {opened} "
        f"with a float of {drawer.opening_float}."
    )
    for r in drawer.receipts:
        click.echo(f"  {r.receipt_number}  {r.citation_number}  {r.method:<12}{r.amount:>10}")
    click.echo(
        f"Cash expected {drawer.cash_expected}, checks expected {drawer.checks_expected}, "
        f"card terminal {drawer.terminal_total} (not counted)."
    )
    if drawer.status == "closed":
        click.echo(
            f"Counted cash {drawer.counted_cash} ({_difference(drawer.cash_difference)}), "
            f"checks {drawer.counted_checks} ({_difference(drawer.checks_difference)})."
        )


@click.group()
def drawer() -> None:
    """The cashier's drawer: opening float, counter payments, counted cash and checks.

    \b
    Example:
        citations drawer open --float 100.00
    """


@drawer.command("open")
@click.option("--float", "opening", type=AMOUNT, required=True, help="The opening cash float.")
@cashier_option
@database_option
@translate_errors
def drawer_open(opening: Decimal, cashier: str | None, database: str | None) -> None:
    """Open the cashier's drawer with the cash float it starts with.

    \b
    Example:
        citations drawer open --float 100.00 --cashier "Robin Diaz"
    """
    from citations.payments.drawers import open_drawer

    with open_database(database) as session:
        opened = open_drawer(session, opening, actor=_actor(cashier), now=now())
        click.echo(f"Drawer {opened.id} is open with a float of {opening}.")


@drawer.command("close")
@click.option("--cash", type=AMOUNT, required=True, help="All the cash counted, float included.")
@click.option("--checks", type=AMOUNT, required=True, help="The checks and money orders counted.")
@click.option("--note", default=None, help="Anything to say about a difference.")
@cashier_option
@database_option
@translate_errors
def drawer_close(
    cash: Decimal, checks: Decimal, note: str | None, cashier: str | None, database: str | None
) -> None:
    """Close the cashier's drawer with the counted cash and checks; the difference is kept.

    \b
    Example:
        citations drawer close --cash 160.00 --checks 40.00 --cashier "Robin Diaz"
    """
    from citations.payments.drawers import close_drawer

    with open_database(database) as session:
        closed = close_drawer(session, cash, checks, actor=_actor(cashier), now=now(), note=note)
        _echo(closed)


@drawer.command("show")
@click.argument("drawer_id", type=int, required=False)
@cashier_option
@json_option
@database_option
@translate_errors
def drawer_show(
    drawer_id: int | None, cashier: str | None, as_json: bool, database: str | None
) -> None:
    """Show a drawer session (by default the cashier's open one) with its receipts.

    \b
    Example:
        citations drawer show 12
    """
    from citations.payments.drawers import get_drawer, my_drawer

    actor = _actor(cashier)
    with open_database(database) as session:
        shown = (
            my_drawer(session, actor=actor)
            if drawer_id is None
            else get_drawer(session, drawer_id, actor=actor)
        )
    if shown is None:
        raise click.ClickException(f"{actor.name} has no open drawer")
    if as_json:
        emit_json(shown.model_dump(mode="json") | {"balanced": shown.balanced})
        return
    _echo(shown)


@drawer.command("list")
@click.option("--from", "start", type=DAY, required=True, help="YYYY-MM-DD")
@click.option("--to", "end", type=DAY, required=True, help="YYYY-MM-DD")
@json_option
@database_option
@translate_errors
def drawer_list(start: datetime, end: datetime, as_json: bool, database: str | None) -> None:
    """The drawer sessions opened on these days, with float, takings and differences.

    \b
    Example:
        citations drawer list --from 2026-12-01 --to 2026-12-04
    """
    from citations.payments.drawers import list_drawers

    with open_database(database) as session:
        drawers = list_drawers(session, start.date(), end.date(), actor=OPERATOR)
    if as_json:
        emit_json([d.model_dump(mode="json", exclude={"receipts"}) for d in drawers])
        return
    click.echo(
        f"{'id':>4}  {'day':<11}{'cashier':<24}{'status':<8}{'float':>9}{'cash':>10}"
        f"{'checks':>10}{'card':>10}  difference"
    )
    for d in drawers:
        card = d.terminal_total
        cash = d.cash_expected - d.opening_float
        difference = (
            "open"
            if d.status == "open"
            else (
                f"cash {_difference(d.cash_difference)}, checks {_difference(d.checks_difference)}"
            )
        )
        click.echo(
            f"{d.id:>4}  {d.opened_on!s:<11}{d.cashier[:23]:<24}{d.status:<8}"
            f"{d.opening_float:>9}{cash:>10}{d.checks_expected:>10}{card:>10}  {difference}"
        )
