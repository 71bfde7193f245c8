"""`citations documents ...` (the documents sent on a citation, as sent) and `citations mail
...` (returned letters and new addresses)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from citations.commands.common import (
    database_option,
    emit_json,
    json_option,
    now,
    open_database,
    open_engine,
    queue_job,
    translate_errors,
)
from citations.commands.params import DAY, output_option, write_pdf
from citations.roles import OPERATOR

if TYPE_CHECKING:
    from citations.record.sent import DocumentPublic


def describe_document(document: DocumentPublic) -> str:
    """One line of the documents list: id, what, date, language, how it went, and the mail."""
    from citations.record.sent import one_line

    line = (
        f"  #{document.id} {document.kind.replace('_', ' ')} ({document.about}), "
        f"dated {document.issued_on.isoformat()}, {document.language}, "
        f"{document.delivery.replace('_', ' ')}"
    )
    mailing = document.mailing
    if mailing is not None:
        line += f" on {mailing.mailed_on.isoformat()} to {one_line(mailing.address)}"
        if mailing.returned_on is not None:
            line += f"; returned {mailing.returned_on.isoformat()}: {mailing.return_reason}"
    return line + f"; sha256 {document.sha256[:12]}…, {document.size:,} bytes"


def echo_documents(number: str, database: str | None) -> None:
    """`citations show`'s Documents section: every document sent, with its dates."""
    from citations.record.sent import documents_of

    with open_database(database) as session:
        documents = documents_of(session, number, OPERATOR)
    click.echo(f"  documents sent: {len(documents) or 'none yet'}")
    for document in documents:
        click.echo(describe_document(document))


@click.group()
def documents() -> None:
    """The documents sent on a citation, as they were sent.

    \b
    Example:
        citations documents list DCPD-2026-000001-5
    """


@documents.command("list")
@click.argument("number")
@json_option
@database_option
@translate_errors
def documents_list(number: str, as_json: bool, database: str | None) -> None:
    """List every document sent: kind, date, delivery, address, the mailing log.

    \b
    Example:
        citations documents list DCPD-2026-000001-5 --json
    """
    from citations.record.sent import documents_of

    with open_database(database) as session:
        listed = documents_of(session, number, OPERATOR)
    if as_json:
        emit_json([d.model_dump(mode="json") for d in listed])
        return
    click.echo(f"Documents sent on {number}: {len(listed) or 'none yet'}")
    for document in listed:
        click.echo(describe_document(document))


@documents.command("print")
@click.argument("number")
@click.argument("document_id", type=click.IntRange(1, 2**63 - 1))
@output_option("NUMBER-KIND-ID.pdf")
@database_option
@translate_errors
def documents_print(
    number: str, document_id: int, output: Path | None, database: str | None
) -> None:
    """Write one document as PDF: the very bytes that were sent.

    \b
    Example:
        citations documents print DCPD-2026-000001-5 7 --output hearing-notice.pdf
    """
    from citations.record.sent import stored_document

    with open_database(database) as session:
        document = stored_document(session, number, document_id, OPERATOR)
        pdf, name = document.content, f"{document.citation.number}-{document.kind}-{document.id}"
    write_pdf(pdf, output or Path(f"{name}.pdf"))


@click.group()
def mail() -> None:
    """Returned letters and new addresses.

    \b
    Example:
        citations mail return DCPD-2026-000001-5 --document 7 --on 2026-12-09 --reason "Moved"
    """


@mail.command("return")
@click.argument("number")
@click.option(
    "--document",
    "document_id",
    type=click.IntRange(1, 2**63 - 1),
    required=True,
    help="The mailed document that came back (its number in `citations documents list`).",
)
@click.option("--on", "on", type=DAY, required=True, help="The day it came back, YYYY-MM-DD.")
@click.option("--reason", required=True, help="Why, as the post marked it.")
@database_option
@translate_errors
def mail_return(
    number: str, document_id: int, on: datetime, reason: str, database: str | None
) -> None:
    """Record a mailed document that came back; flags the citation for attention.

    \b
    Example:
        citations mail return DCPD-2026-000001-5 --document 7 --on 2026-12-09 --reason "Moved"
    """
    from citations.record.returns import record_return

    with open_database(database) as session:
        document = record_return(
            session,
            number,
            document_id,
            returned_on=on.date(),
            reason=reason,
            actor=OPERATOR,
            now=now(),
        )
    click.echo(f"Recorded: {describe_document(document).strip()}")
    click.echo(f"{number} is flagged for attention until a new address is recorded.")


@mail.command("address")
@click.argument("number")
@click.option("--line1", required=True, help="Street and number.")
@click.option("--line2", default=None, help="Apartment, unit, care of.")
@click.option("--city", required=True)
@click.option("--state", default=None)
@click.option("--postal-code", "postal_code", default=None)
@database_option
@translate_errors
def mail_address(
    number: str,
    line1: str,
    line2: str | None,
    city: str,
    state: str | None,
    postal_code: str | None,
    database: str | None,
) -> None:
    """Record the person's new address and mail the notice to it.

    \b
    Example:
        citations mail address DCPD-2026-000001-5 --line1 "48 Alvarado St" --city "Demo City"
    """
    from pydantic import ValidationError

    from citations.errors import InputRejected
    from citations.issuing.intake import Address, validation_errors
    from citations.notice.address import change_address
    from citations.record.sent import describe

    fields = {"line1": line1, "line2": line2, "city": city, "state": state}
    try:
        address = Address.model_validate(fields | {"postal_code": postal_code})
    except ValidationError as exc:
        raise InputRejected(validation_errors(exc), "the address was rejected") from None
    with open_database(database) as session:
        document = describe(
            session, change_address(session, number, address, actor=OPERATOR, now=now())
        )
    click.echo(f"Address recorded; mailed to it: {describe_document(document).strip()}")


queue_option = click.option(
    "--queue",
    "queued",
    is_flag=True,
    help="Leave it to `citations worker` (PostgreSQL); on SQLite it runs now all the same.",
)


@mail.command("notices")
@queue_option
@database_option
@translate_errors
def mail_notices_command(queued: bool, database: str | None) -> None:
    """Mail every notice that waits to be mailed today (daily processing's mail run).

    \b
    Example:
        citations mail notices --queue
    """
    from citations.jobs.queue import run_now

    if queued:
        queue_job(database, "mail-notices")
        return
    with open_engine(database) as engine:
        result = run_now(engine, "mail-notices", asked_by=OPERATOR.name)
    mailed = result["mailed"]
    click.echo(f"Mailed {len(mailed)} notice{'' if len(mailed) == 1 else 's'}.")
    for number in mailed:
        click.echo(f"  {number}")
