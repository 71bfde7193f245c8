"""`citations files ...`: the files on a citation's record, from the command line (a clerk's
scan of a letter, the list with who added each, a withdrawal, a file's bytes)."""

from __future__ import annotations

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
from citations.roles import OPERATOR

if TYPE_CHECKING:
    from citations.attachments.described import AttachmentPublic

FROM_COMMAND_LINE = "command line"


def one_line(file: AttachmentPublic) -> str:
    """A file as the list shows it: id, state, whose, what for, name, size, who added it."""
    size = "not received yet" if file.size is None else f"{file.size:,} bytes"
    line = (
        f"  {file.id}  {file.state}, {file.source}'s {file.purpose.replace('_', ' ')}: "
        f"{file.filename} ({file.content_type or 'type unknown'}, {size})"
    )
    if file.added_by is not None:
        line += f", added by {file.added_by} from {file.added_from}"
    line += f"; sha256 {file.sha256[:12]}…"
    if file.withdrawn is not None:
        line += f"\n    withdrawn by {file.withdrawn.by}: {file.withdrawn.reason}"
    return line


@click.group()
def files() -> None:
    """Files on a citation's record: add a scan, list, withdraw, write one out.

    \b
    Example:
        citations files add DCPD-2026-000001-5 letter.pdf --from person --purpose mail
    """


@files.command("add")
@click.argument("number")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--from",
    "source",
    type=click.Choice(["person", "city"]),
    default="person",
    show_default=True,
    help="Whose paper it is: the person's (a letter by mail) or the city's (hours sheet).",
)
@click.option(
    "--purpose",
    default="mail",
    show_default=True,
    help="What it came with: mail, service_hours, review, hearing, ability_to_pay, "
    "set_aside, evidence or other.",
)
@click.option("--description", default=None, help="What it is, in a few words.")
@json_option
@database_option
@translate_errors
def files_add(
    number: str,
    path: Path,
    source: str,
    purpose: str,
    description: str | None,
    as_json: bool,
    database: str | None,
) -> None:
    """Add a JPEG, PNG, HEIC or PDF file to a citation (checked from its bytes).

    \b
    Example:
        citations files add DCPD-2026-000001-5 hours.pdf --from city --purpose service_hours
    """
    from citations.attachments.described import add_to

    with open_database(database) as session:
        added = add_to(
            session,
            number,
            path.read_bytes(),
            filename=path.name,
            source=source,
            purpose=purpose,
            actor=OPERATOR,
            now=now(),
            added_from=FROM_COMMAND_LINE,
            description=description,
        )
    if as_json:
        emit_json(added.model_dump(mode="json"))
        return
    click.echo(f"Added {added.id} to {added.citation}: {added.filename} ({added.content_type}).")
    click.echo(f"SHA-256 {added.sha256}")


@files.command("list")
@click.argument("number")
@json_option
@database_option
@translate_errors
def files_list(number: str, as_json: bool, database: str | None) -> None:
    """List a citation's files, oldest first, withdrawn ones too.

    \b
    Example:
        citations files list DCPD-2026-000001-5
    """
    from citations.attachments.described import files_of

    with open_database(database) as session:
        found = files_of(session, number, OPERATOR)
    if as_json:
        emit_json([file.model_dump(mode="json") for file in found])
        return
    click.echo(f"Files on {number}: {len(found) or 'none'}")
    for file in found:
        click.echo(one_line(file))


@files.command("withdraw")
@click.argument("key")
@click.option("--reason", required=True, help="Why it was added in error (kept on the record).")
@database_option
@translate_errors
def files_withdraw(key: str, reason: str, database: str | None) -> None:
    """Withdraw a file added in error: it stays on the record, marked withdrawn.

    \b
    Example:
        citations files withdraw att_3kq... --reason "A letter about another citation"
    """
    from citations.attachments.service import withdraw

    with open_database(database) as session:
        row = withdraw(session, key, reason, actor=OPERATOR, now=now())
        click.echo(f"Withdrew {row.key} ({row.filename}): {row.withdrawn_reason}")


@files.command("get")
@click.argument("key")
@click.option("--shown", is_flag=True, help="The copy shown to the public (no metadata).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the file.",
)
@database_option
@translate_errors
def files_get(key: str, shown: bool, output: Path, database: str | None) -> None:
    """Write a file's bytes: the original as received, or with --shown the shown copy.

    \b
    Example:
        citations files get att_3kq... -o scene.jpg
    """
    from citations.attachments.access import find_attachment, read_content

    with open_database(database) as session:
        row = find_attachment(session, key, OPERATOR)
        content = read_content(row, OPERATOR, "shown" if shown else "original")
    output.write_bytes(content.content)
    click.echo(f"Wrote {output} ({content.content_type}, {len(content.content):,} bytes)")
