"""`citations export` and `citations import-export`: every record out as JSON lines, and back.

The file holds personal data, so it is written only where the operator names it: a new file
(readable by its owner only, complete or absent: it is written under a temporary name and
renamed at the end) or standard output.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from citations.commands.common import (
    database_option,
    open_engine,
    open_routing,
    queue_job,
    translate_errors,
)


@click.command("export")
@click.option(
    "--output",
    "-o",
    required=True,
    metavar="FILE",
    help="A new file to write (refused if it exists), or - for standard output.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show the rows written on standard error (default: when it is a terminal).",
)
@click.option(
    "--without-files",
    is_flag=True,
    help="Leave the attachments' files out (their hashes stay in the rows): copy the files "
    "store separately; the restore then checks that it holds every file.",
)
@click.option(
    "--year",
    type=click.IntRange(1, 9999),
    default=None,
    help="Only that year's cases and audit events, with the reference data (PostgreSQL, "
    "partitioned by year): the file `citations db retire-year` checks before detaching it.",
)
@click.option(
    "--queue",
    "queued",
    is_flag=True,
    help="Leave it to `citations worker` (PostgreSQL), which writes --output on its "
    "machine; on SQLite it runs now all the same.",
)
@database_option
@translate_errors
def export_command(
    output: str,
    progress: bool | None,
    without_files: bool,
    year: int | None,
    queued: bool,
    database: str | None,
) -> None:
    """Write every record of the system as JSON lines, for records retention and migration.

    The attachments' files (photos, PDFs) follow the rows, read from the files store, so
    the export is one self-contained file; --without-files leaves them out.

    The file holds personal data (names, dates of birth, addresses, identity numbers,
    payments): keep it as securely as the database itself. API tokens appear only as the
    SHA-256 hashes the database stores. Restore it with `citations import-export`; the format
    is documented in README.md, "Records export and restore".

    \b
    Example:
        citations export --output records-2026-11-29.jsonl
        citations export --year 2024 --output records-2024.jsonl
    """
    from citations.database import describe_url
    from citations.export import export_records

    if queued:
        if output == "-":
            raise click.BadParameter(
                "name the file a queued export goes to", param_hint="'--output'"
            )
        queue_job(
            database,
            "records-export",
            output=str(Path(output).absolute()),
            files=not without_files,
            year=year,
        )
        return
    shown = sys.stderr.isatty() if progress is None else progress
    with open_routing(database) as routing:
        # The replica when it answers: the export reads in one snapshot, which a replica
        # gives as well as the primary, and the primary is spared the long read.
        engine = routing.engine_for()
        with _progress_line(shown) as advance:
            if output == "-":
                with _stdout() as out:
                    summary = export_records(
                        engine, out, progress=advance, files=not without_files, year=year
                    )
            else:
                from citations.export.target import new_file

                target = Path(output)
                with new_file(target) as out:
                    summary = export_records(
                        engine, out, progress=advance, files=not without_files, year=year
                    )
        where = "standard output" if output == "-" else output
        tables = sum(1 for count in summary.row_counts.values() if count)
        click.echo(
            f"Exported {summary.rows:,} rows of {tables} tables from "
            f"{describe_url(str(engine.url))} (schema {summary.schema_revision}) to {where}.\n"
            f"Records digest (rows_sha256): {summary.rows_sha256}\n"
            f"{_files_line(summary.files, summary.file_bytes, summary.files_included)}\n"
            "The file holds personal data: store it as securely as the database.",
            err=output == "-",
        )


def _files_line(count: int, size: int, included: bool) -> str:
    """What became of the attachments' files.

    >>> _files_line(3, 2_500_000, True)
    'With it, 3 files the attachments name (2.5 MB).'
    >>> _files_line(1, 0, False)
    'Without the 1 file the attachments name: copy the files store with it.'
    """
    files = f"{count:,} file{'' if count == 1 else 's'}"
    if included:
        return f"With it, {files} the attachments name ({size / 1_000_000:,.1f} MB)."
    return f"Without the {files} the attachments name: copy the files store with it."


@click.command("import-export")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@database_option
@translate_errors
def import_export_command(file: str, database: str | None) -> None:
    """Restore a `citations export` file into an empty database at the same schema.

    Make the database with `citations db upgrade` first; a database that holds any record is
    refused. The file's checksum is verified and everything is restored in one transaction,
    so a damaged, edited or truncated file leaves the database empty. Exporting the restored
    database gives the same rows byte for byte (the same records digest). FILE may be - for
    standard input. The format: README.md, "Records export and restore".

    The files in the export are checked against their hashes and put in the configured
    files store (CITATIONS_FILES_STORE); for an export made --without-files, that store must
    already hold every file the records name (copied from the old one).

    \b
    Example:
        citations db upgrade --database postgresql://citations@db.example.org/citations
        citations import-export records-2026-11-29.jsonl \\
            --database postgresql://citations@db.example.org/citations
    """
    from citations.attachments.store import open_store
    from citations.audit import verify
    from citations.commands.audit import broken_at
    from citations.database import describe_url, transaction
    from citations.export import import_records

    with open_engine(database) as engine:
        source = "standard input" if file == "-" else file
        with _lines(file) as lines:
            summary = import_records(engine, lines, source=source)
        with transaction(engine) as session:
            chain = verify(session)
        tables = sum(1 for count in summary.row_counts.values() if count)
        click.echo(
            f"Restored {summary.rows:,} rows of {tables} tables into "
            f"{describe_url(str(engine.url))} (schema {summary.schema_revision}, exported "
            f"{summary.exported_at.isoformat()}).\n"
            f"Records digest (rows_sha256): {summary.rows_sha256}"
        )
        files = f"{summary.files:,} file{'' if summary.files == 1 else 's'}"
        where = f"the files store ({open_store().where})"
        if summary.files_included:
            click.echo(f"Restored {files} into {where}.")
        else:
            click.echo(f"{where[0].upper()}{where[1:]} holds all {files} the records name.")
        if chain.intact:
            click.echo(f"The audit trail is intact: {chain.events:,} events.")
        else:
            where = broken_at(chain)
            click.echo(f"Warning: the restored audit trail is broken at {where}: {chain.problem}")


@contextmanager
def _progress_line(shown: bool) -> Iterator[Callable[[int, int], None] | None]:
    """`Exporting: 12,000 of 48,210 rows (24%)` on standard error, rewritten in place as rows
    are written and ended with a line break (or nothing at all when not `shown`)."""
    if not shown:
        yield None
        return
    started = False

    def advance(done: int, total: int) -> None:
        nonlocal started
        started = True
        percent = 100 * done // total if total else 100
        click.echo(f"\rExporting: {done:,} of {total:,} rows ({percent}%)", err=True, nl=False)

    try:
        yield advance
    finally:
        if started:
            click.echo("", err=True)


@contextmanager
def _stdout() -> Iterator[TextIO]:
    """Standard output as UTF-8 with plain newlines, whatever the terminal's encoding."""
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
    try:
        yield out
    finally:
        out.flush()
        out.detach()  # leave standard output open for the summary


@contextmanager
def _lines(file: str) -> Iterator[TextIO]:
    if file == "-":
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8")
        try:
            yield stream
        finally:
            stream.detach()
        return
    with open(file, encoding="utf-8") as handle:
        yield handle
