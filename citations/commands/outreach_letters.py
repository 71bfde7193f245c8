"""`citations outreach letters`: the reminder letters due, as a batch for a mail house (a PDF
to print and a CSV of the letters), or a batch made earlier written again."""

from __future__ import annotations

from pathlib import Path

import click

from citations.commands.common import database_option, now, open_database, translate_errors
from citations.roles import OPERATOR


@click.command("letters")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the batch's PDF and CSV (made if missing).",
)
@click.option(
    "--batch",
    "batch",
    type=click.IntRange(1, 2**31 - 1),
    default=None,
    help="Write batch N's files again, the same bytes, instead of making a new batch.",
)
@database_option
@translate_errors
def letters_command(out: Path, batch: int | None, database: str | None) -> None:
    """Make a batch of the reminder letters due and write its files for the mail house.

    Every letter due is laid out for a #10 window envelope, kept with its citation's
    documents and marked sent with the batch's number, in one transaction; then the batch's
    PDF (the letters, one after another) and CSV (one row per letter: name, address,
    language, where it starts in the PDF and how many pages) are written to the folder. A
    batch is made once; if its files are lost, `--batch N` writes them again, the same bytes.
    Quiet hours do not apply to letters.

    \b
    Example:
        citations outreach letters --out /srv/mail/outgoing
        citations outreach letters --out /srv/mail/outgoing --batch 12
    """
    from citations.outreach.channels.letters import batch_letters, write_batch

    if batch is None:
        with open_database(database) as session:
            made = batch_letters(session, now=now(), actor=OPERATOR)
            if made is not None:
                batch, count = made.id, made.letters
        if batch is None:
            click.echo("No letters are due: no batch made.")
            return
        click.echo(f"Made batch {batch}: {letters(count)}, marked sent.")
    try:
        with open_database(database) as session:
            files = write_batch(session, batch, out)
    except OSError as exc:
        raise click.ClickException(
            f"batch {batch} is kept, but its files could not be written ({exc}); write them "
            f"again with --batch {batch} --out DIR"
        ) from None
    pages = "page" if files.pages == 1 else "pages"
    click.echo(f"Wrote batch {files.batch}: {letters(files.letters)}, {files.pages} {pages}.")
    click.echo(f"  {files.pdf}")
    click.echo(f"  {files.csv}")


def letters(count: int) -> str:
    """`1 letter`, `2 letters`."""
    return f"{count} letter" if count == 1 else f"{count} letters"
