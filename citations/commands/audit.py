"""`citations audit ...`: prove the audit trail intact (and still as long as a checkpoint
kept outside the database says), and read a citation's history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from citations.commands.common import database_option, now, open_database, translate_errors

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from citations.attachments.verify import FilesCheck
    from citations.audit import Checkpoint, Verification


@click.group("audit")
def audit() -> None:
    """The hash-chained audit trail.

    \b
    Example:
        citations audit verify
    """


CHECKPOINT_HELP = (
    "A checkpoint file written by `citations audit checkpoint` or `citations process "
    "--audit-checkpoint`, or a folder of them; may be repeated."
)


@audit.command("verify")
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    metavar="FILE",
    type=click.Path(exists=True, path_type=Path),
    help=CHECKPOINT_HELP,
)
@click.option(
    "--files/--no-files",
    default=True,
    show_default=True,
    help="Also read back every attachment's file from the files store and check its hash.",
)
@database_option
@translate_errors
def audit_verify(checkpoints: tuple[Path, ...], files: bool, database: str | None) -> None:
    """Recompute every lane's hash chain; name the first broken event (and its lane) if
    it is not intact. Then read every attachment's file back from the files store and check
    it against its hash.

    Prints the number of events and the newest event's hash: keep a checkpoint file
    outside the database. A lane's chain alone cannot show that its newest events were
    deleted together with its head; a checkpoint taken before can, since each lane must
    still hold the event the checkpoint names for it, at the same count.

    Every attachment whose bytes have come must have its original and its shown copy in
    the store (CITATIONS_FILES_STORE), and their bytes must still hash to their names; each
    file missing or damaged is named (the attachment, its citation, which copy). Files in
    the store that no attachment names are counted as a note. Fails if anything is wrong.

    \b
    Example:
        citations audit verify --database sqlite:///citations.db
        citations audit verify --checkpoint /var/lib/citations/audit-checkpoints/
    """
    from citations.audit import verify

    marks = [mark for path in checkpoints for mark in read_checkpoints(path)]
    with open_database(database) as session:
        result = verify(session, checkpoints=marks)
        checked = _check_files(session) if files and result.intact else None
    if not result.intact:
        raise click.ClickException(
            f"the audit trail is broken at {broken_at(result)}: {result.problem} "
            f"({result.events:,} events checked)"
        )
    click.echo(f"The audit trail is intact: {result.events:,} events, head {result.head}.")
    if marks:
        click.echo(f"It holds all {len(marks)} checkpoints given.")
    if checked is not None:
        _report_files(checked)


def broken_at(result: Verification) -> str:
    """Where a broken trail breaks: an event and its lane, or a lane's head."""
    if result.first_broken is not None:
        return f"event {result.first_broken} in lane {result.lane}"
    return f"lane {result.lane}'s head"


def _check_files(session: Session) -> FilesCheck:
    from citations.attachments.store import open_store
    from citations.attachments.verify import check_files

    return check_files(session, open_store())


def _report_files(checked: FilesCheck) -> None:
    files = f"{checked.files:,} file{'' if checked.files == 1 else 's'}"
    rows = f"{checked.attachments:,} attachment{'' if checked.attachments == 1 else 's'}"
    if checked.unnamed:
        click.echo(
            f"Note: {checked.unnamed:,} file{'' if checked.unnamed == 1 else 's'} in the store "
            "named by no attachment (an upload stopped between the store and the database "
            "leaves them; they harm nothing)."
        )
    if checked.intact:
        where = f"the files store ({checked.where})"
        click.echo(f"The files are intact: {files} of {rows} read back from {where}.")
        return
    for problem in checked.problems:
        click.echo(f"File problem: {problem}", err=True)
    bad = len({problem.sha256 for problem in checked.problems})
    raise click.ClickException(
        f"{bad:,} of {files} {'is' if bad == 1 else 'are'} missing or damaged in the files store "
        f"({checked.where}); each attachment that names one is listed above"
    )


@audit.command("checkpoint")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the checkpoint as a new file in this folder (else print it).",
)
@database_option
@translate_errors
def audit_checkpoint(folder: Path | None, database: str | None) -> None:
    """Note every lane's event count and newest hash, to keep outside the database.

    Printed as one JSON line (for a log), or written to a new file in --folder. Give the
    line's file, or the folder, to `citations audit verify --checkpoint` later.

    \b
    Example:
        citations audit checkpoint --folder /var/lib/citations/audit-checkpoints
    """
    if folder is not None:
        click.echo(checkpoint_into(folder, database))
        return
    from citations.audit import checkpoint

    with open_database(database) as session:
        click.echo(checkpoint(session, now()).model_dump_json())


def checkpoint_into(folder: Path, database: str | None) -> str:
    """Take a checkpoint and write it to a new file in `folder` (daily processing does too);
    returns the line to print."""
    from citations.audit import checkpoint

    with open_database(database) as session:
        mark = checkpoint(session, now())
    written = write_checkpoint(folder, mark)
    return f"Audit checkpoint: {mark.events:,} events, head {mark.head}, in {written}."


def write_checkpoint(folder: Path, mark: Checkpoint) -> Path:
    """A new file in `folder`, named by the checkpoint's time; never overwrites one."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"audit-checkpoint-{mark.taken_at:%Y%m%dT%H%M%S%fZ}.json"
    try:
        with target.open("x", encoding="utf-8") as out:
            out.write(mark.model_dump_json() + "\n")
    except FileExistsError:
        raise click.ClickException(f"{target} exists already; try again") from None
    return target


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """The checkpoint in a file, or those in a folder's *.json files, oldest name first."""
    from pydantic import ValidationError

    from citations.audit import Checkpoint

    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    marks = []
    for file in files:
        try:
            marks.append(Checkpoint.model_validate_json(file.read_bytes().strip()))
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(part) for part in problem["loc"]) or "the file"
            raise click.ClickException(
                f"{file} is not an audit checkpoint: {where}: {problem['msg']}"
            ) from None
    if path.is_dir() and not marks:
        raise click.ClickException(f"{path} holds no audit checkpoint (*.json)")
    return marks


@audit.command("show")
@click.argument("number")
@database_option
@translate_errors
def audit_show(number: str, database: str | None) -> None:
    """Print a citation's whole history, in order.

    \b
    Example:
        citations audit show DCPD-2026-000001-5
    """
    from citations.audit import history
    from citations.record.numbering import CitationNumber

    canonical = str(CitationNumber.parse(number))
    with open_database(database) as session:
        events = history(session, "citation", canonical)
        if not events:
            raise click.ClickException(f"no audit events for {canonical}")
        for event in events:
            line = f"{event.occurred_at:%Y-%m-%d %H:%M:%S} UTC  {event.action:<28} {event.actor}"
            click.echo(line)
            if event.reason:
                click.echo(f"    reason: {event.reason}")
            if event.after is not None:
                click.echo(f"    {json.dumps(event.after, ensure_ascii=False, default=str)[:300]}")
