"""`citations find`: the clerks' search box at the command line (citations.record.search)."""

from __future__ import annotations

import click

from citations.commands.common import (
    database_option,
    emit_json,
    json_option,
    open_reading,
    translate_errors,
)
from citations.roles import OPERATOR


@click.command("find")
@click.argument("query")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@json_option
@database_option
@translate_errors
def find_command(query: str, limit: int, as_json: bool, database: str | None) -> None:
    """Find citations by a name, date of birth, ID, part of a number or of an address.

    Accents and capitals do not matter (`lopez` finds López); `Lopez, Maria` and
    `Maria Lopez` narrow by first name; dates are 1990-04-02 or 04/02/1990. Each citation
    found is listed with the person's other citations (same ID, or same name and birth date).

    \b
    Example:
        citations find "lopez, maria"
    """
    from citations.record.search import search_citations

    with open_reading(database) as session:  # the read replica when there is one
        result = search_citations(session, query, OPERATOR, limit)
    if as_json:
        emit_json(result.model_dump(mode="json"))
        return
    if result.note:
        click.echo(result.note)
    if not result.hits:
        click.echo(f"nothing found for {result.query!r}")
        return
    for hit in result.hits:
        born = f"born {hit.date_of_birth}" if hit.date_of_birth else "birth date unknown"
        click.echo(
            f"{hit.number}  {hit.name} ({born})  {hit.status}  issued {hit.issued_on}  "
            f"balance {hit.balance}  [{', '.join(hit.matched)}]"
        )
        for other in hit.others:
            click.echo(f"    also {other.number}  {other.status}  issued {other.issued_on}")
    if result.more:
        click.echo(f"more than {limit} found: narrow the search (add a first name or a date)")
