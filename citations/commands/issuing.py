"""Commands for issuing: agencies, number blocks, tokens, intake batches and citations."""

from __future__ import annotations

import sys
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from citations.commands.common import (
    database_option,
    database_url,
    emit_json,
    json_option,
    now,
    open_database,
    open_engine,
    refuse_missing_file,
    translate_errors,
)
from citations.commands.params import output_option
from citations.roles import OPERATOR, STAFF_ROLES

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from citations.issuing.batch import RecordResult


@click.group()
def agencies() -> None:
    """Register issuing agencies (their code prefixes their citation numbers).

    \b
    Example:
        citations agencies add DCPD --name "Demo City Police Department"
    """


_DIGITS_HELP = "Digits in a number's sequence: 6 allows 999,999 citations a year, 7 ten times that."


@agencies.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The agency's full name, as printed on notices.")
@click.option("--digits", type=int, default=6, show_default=True, help=_DIGITS_HELP)
@database_option
@translate_errors
def agencies_add(code: str, name: str, digits: int, database: str | None) -> None:
    """Register an agency.

    \b
    Example:
        citations agencies add DCPD --name "Demo City Police Department"
    """
    from citations.record.agencies import register_agency

    with open_database(database) as session:
        agency = register_agency(session, code, name, actor=OPERATOR, now=now(), digits=digits)
        click.echo(f"Agency {agency.code} ({agency.name}) registered.")


@agencies.command("widen")
@click.argument("code")
@click.option("--digits", type=int, required=True, help=_DIGITS_HELP)
@database_option
@translate_errors
def agencies_widen(code: str, digits: int, database: str | None) -> None:
    """Make the numbers an agency draws from now on wider, for more than 999,999 a year.

    Numbers already drawn, and blocks already given to devices, keep their width. Numbers
    can be widened up to 9 digits, never narrowed.

    \b
    Example:
        citations agencies widen DCPD --digits 7
    """
    from citations.record.agencies import widen_numbers

    with open_database(database) as session:
        agency = widen_numbers(session, code, digits, actor=OPERATOR, now=now())
        click.echo(
            f"Agency {agency.code}'s numbers are {agency.sequence_digits} digits from now on."
        )


@agencies.command("list")
@database_option
@translate_errors
def agencies_list(database: str | None) -> None:
    """List the registered agencies.

    \b
    Example:
        citations agencies list
    """
    from citations.record.agencies import list_agencies

    with open_database(database) as session:
        for agency in list_agencies(session):
            click.echo(f"{agency.code}  {agency.name}  ({agency.sequence_digits}-digit numbers)")


@click.group()
def numbers() -> None:
    """Allocate blocks of citation numbers to devices that issue offline.

    \b
    Example:
        citations numbers allocate --agency DCPD --device unit-12 --size 500
    """


@numbers.command("allocate")
@click.option("--agency", required=True, help="The agency code.")
@click.option("--device", "device_id", required=True, help="The device's id.")
@click.option("--size", type=int, default=500, show_default=True, help="How many numbers.")
@json_option
@database_option
@translate_errors
def numbers_allocate(
    agency: str, device_id: str, size: int, as_json: bool, database: str | None
) -> None:
    """Reserve a block of this year's numbers for one device.

    \b
    Example:
        citations numbers allocate --agency DCPD --device unit-12 --size 500
    """
    from citations.calendar import local_date
    from citations.catalog.store import PublishedCatalog
    from citations.record.agencies import allocate_block, describe_block, get_agency

    with open_database(database) as session:
        moment = now()
        year = local_date(moment, PublishedCatalog(session).jurisdiction()).year
        block = allocate_block(
            session, agency, device_id, size, year=year, actor=OPERATOR, now=moment
        )
        described = describe_block(get_agency(session, agency), block)
    if as_json:
        emit_json(described)
    else:
        click.echo(
            f"Device {described['device_id']} may use {described['first']} "
            f"to {described['last']} ({described['size']} numbers)."
        )


@click.group()
def tokens() -> None:
    """Create, list and revoke API tokens.

    \b
    Example:
        citations tokens create --role officer --agency DCPD --name "unit 12"
    """


@tokens.command("create")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in STAFF_ROLES]),
    help="What it may do.",
)
@click.option(
    "--agency",
    default=None,
    help="The agency: required for officers, refused for other roles (they act city-wide).",
)
@click.option("--name", default="", help="Whose or what the token is, for the audit trail.")
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day of validity, YYYY-MM-DD, in the jurisdiction's time zone.",
)
@database_option
@translate_errors
def tokens_create(
    role: str, agency: str | None, name: str, expires: datetime | None, database: str | None
) -> None:
    """Create a token and print its secret once; only its hash is kept.

    \b
    Example:
        citations tokens create --role officer --agency DCPD --name "unit 12"
    """
    from citations.calendar import local_at, zone_of
    from citations.catalog.store import PublishedCatalog
    from citations.record.tokens import create_token

    with open_database(database) as session:
        expires_at = None
        if expires is not None:
            zone = zone_of(PublishedCatalog(session).jurisdiction())
            expires_at = local_at(expires.date(), time.max, zone)
        token, secret = create_token(
            session,
            role=role,
            agency=agency,
            name=name,
            actor=OPERATOR,
            now=now(),
            expires_at=expires_at,
        )
        click.echo(f"Token {token.id} ({token.role}{', ' + agency if agency else ''}):")
        click.echo(secret)
        click.echo("Keep it now: it is not stored and cannot be shown again.", err=True)


@tokens.command("list")
@database_option
@translate_errors
def tokens_list(database: str | None) -> None:
    """List tokens (never their secrets).

    \b
    Example:
        citations tokens list
    """
    from citations.record.tokens import list_tokens

    with open_database(database) as session:
        for token in list_tokens(session):
            state = "revoked" if token.revoked_at else "active"
            agency = token.agency.code if token.agency else "-"
            expiry = f" until {token.expires_at:%Y-%m-%d}" if token.expires_at else ""
            click.echo(f"{token.id:>4}  {token.role:<15} {agency:<8} {state}{expiry}  {token.name}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@database_option
@translate_errors
def tokens_revoke(token_id: int, database: str | None) -> None:
    """Revoke a token: every request with it is refused from now on.

    \b
    Example:
        citations tokens revoke 3
    """
    from citations.record.tokens import revoke_token

    with open_database(database) as session:
        revoke_token(session, token_id, actor=OPERATOR, now=now())
    click.echo(f"Token {token_id} revoked.")


def describe_result(result: RecordResult, currency: str | None = None) -> str:
    """One line a person reads: what became of a record."""
    from citations.issuing.decision import Outcome
    from ordinances.money import format_money

    where = f"line {result.line}"
    if result.result is None:
        problems = "; ".join(f"{e.field}: {e.message}" for e in result.errors)
        return f"{where}: rejected: {problems}"
    outcome = result.result
    again = " (already received)" if result.replayed else ""
    if outcome.outcome is Outcome.ISSUED:
        fine = format_money(outcome.total_fine, currency) if currency else str(outcome.total_fine)
        return f"{where}: issued {outcome.citation_number}, fine {fine}{again}"
    reasons = "; ".join(outcome.reasons)
    return (
        f"{where}: {outcome.outcome.value}{again}: {reasons}"
        if reasons
        else f"{where}: {outcome.outcome.value}{again}"
    )


REPLAYED = "already recorded"
"""The count of records received before (replayed): they created nothing this time."""


def count_key(result: RecordResult) -> str:
    """What a record counts as in a batch's summary: its outcome if this run recorded it."""
    if result.result is None:
        return "rejected"
    return REPLAYED if result.replayed else result.result.outcome.value


def summary(counts: dict[str, int]) -> str:
    """A batch's count line: what this run created, by outcome (sorted), then what was
    already recorded, so a batch run again reads "0 issued, 2 already recorded".

    >>> summary({"issued": 1, "referred": 1, "rejected": 2})
    '1 issued, 1 referred, 2 rejected'
    >>> summary({REPLAYED: 2, "rejected": 2})
    '0 issued, 2 already recorded, 2 rejected'
    >>> summary({})
    'none'
    """
    created = {k: n for k, n in counts.items() if k != REPLAYED}
    replayed = counts.get(REPLAYED, 0)
    if replayed:
        created.setdefault("issued", 0)
    parts = []
    for kind, count in sorted(created.items()):
        parts.append(f"{count} {kind}")
        if kind == "issued" and replayed:
            parts.append(f"{replayed} {REPLAYED}")
    return ", ".join(parts) or "none"


@click.command("issue")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write each rejected record, with its reasons, to this JSON Lines file.",
)
@click.option(
    "--notices",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the notice PDF of each citation issued to this folder.",
)
@click.option("--schema", is_flag=True, help="Print the intake message's JSON schema and exit.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary, not a line per record.")
@json_option
@database_option
@translate_errors
def issue_command(
    file: Path | None,
    rejects: Path | None,
    notices: Path | None,
    schema: bool,
    quiet: bool,
    as_json: bool,
    database: str | None,
) -> None:
    """Decide intake messages: one JSON message, a JSON array, or a JSON Lines batch.

    Every record ends as a citation, a referral, a declined or warning record, or a reject
    with its reasons. Running the same batch again creates nothing new: the summary counts
    what this run created, and the records received before as "already recorded".

    \b
    Example:
        citations issue shift-2026-11-29.jsonl --rejects rejects.jsonl --notices notices/
        citations issue shift-2026-11-29.jsonl --quiet
    """
    from citations.catalog.store import PublishedCatalog
    from citations.issuing.batch import issue_records, read_records, reject_line
    from citations.issuing.intake import intake_schema

    if schema:
        emit_json(intake_schema())
        return
    if file is None:
        raise click.UsageError("give a FILE of intake messages (or --schema)")
    records = list(read_records(file))
    counts: dict[str, int] = {}
    reject_out = rejects.open("w", encoding="utf-8") if rejects else None
    issued_numbers: list[str] = []
    try:
        with open_engine(database) as engine:
            results = issue_records(engine, iter(records), actor=OPERATOR, clock=now)
            # On a terminal only: elsewhere click would print the label alone, a stray line.
            show_bar = len(records) > 1 and not as_json and sys.stderr.isatty()
            with click.progressbar(
                results,
                length=len(records),
                label="Issuing",
                file=sys.stderr,
                hidden=not show_bar,
            ) as bar:
                outputs = []
                for result in bar:
                    key = count_key(result)
                    counts[key] = counts.get(key, 0) + 1
                    if result.result is None and reject_out is not None:
                        reject_out.write(reject_line(str(file), result) + "\n")
                    if result.result is not None and result.result.citation_number:
                        issued_numbers.append(result.result.citation_number)
                    outputs.append(result)
            if notices is not None:
                written = _write_notices(engine, issued_numbers, notices)
    finally:
        if reject_out is not None:
            reject_out.close()
    if as_json:
        emit_json([_result_document(r) for r in outputs])
    else:
        with open_database(database) as session:
            currency = PublishedCatalog(session).jurisdiction().currency
        if not quiet:
            for result in outputs:
                click.echo(describe_result(result, currency))
        click.echo(f"{len(records)} record{'s' if len(records) != 1 else ''}: {summary(counts)}")
        if notices is not None:
            waiting = len(issued_numbers) - written
            click.echo(
                f"{written} notices written to {notices}"
                + (f"; {waiting} wait for the mail run (`citations process`)" if waiting else "")
            )
    if counts.get("rejected"):
        where = f"; see {rejects}" if rejects else "; use --rejects FILE to keep them"
        raise click.ClickException(f"{counts['rejected']} record(s) rejected{where}")


def _result_document(result: RecordResult) -> dict[str, object]:
    return {
        "line": result.line,
        "message_id": result.message_id,
        "replayed": result.replayed,
        "result": result.result.model_dump(mode="json") if result.result else None,
        "errors": [e.as_dict() for e in result.errors],
    }


def _write_notices(engine: Engine, numbers: list[str], folder: Path) -> int:
    """Write the notices handed over at the scene; one that waits to be mailed has no
    deadlines yet (the mail run makes it). How many were written."""
    from citations.database import transaction
    from citations.notice.kept import notice_document
    from citations.record.lookup import find_citation

    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for number in numbers:
        with transaction(engine) as session:  # the notice handed over, kept as printed
            if find_citation(session, number, OPERATOR).served_on is None:
                continue
            pdf = notice_document(session, number, OPERATOR, now=now()).content
        (folder / f"{number}.pdf").write_bytes(pdf)
        written += 1
    return written


@click.command("void")
@click.argument("number")
@click.option("--reason", required=True, help="Why the citation is voided.")
@database_option
@translate_errors
def void_command(number: str, reason: str, database: str | None) -> None:
    """Void a citation issued in error (only before any payment or hearing).

    \b
    Example:
        citations void DCPD-2026-000001-8 --reason "Wrong person identified"
    """
    from citations.issuing.void import void_citation

    with open_database(database) as session:
        public = void_citation(session, number, reason, actor=OPERATOR, now=now())
    click.echo(f"Citation {public.number} voided: {reason}")


@click.command("amend")
@click.argument("number")
@click.argument("changes", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@database_option
@translate_errors
def amend_command(number: str, changes: Path, database: str | None) -> None:
    """Amend a citation from a JSON file of changes with a `reason`; history is kept.

    \b
    Example:
        citations amend DCPD-2026-000001-8 correction.json
    """
    from citations.issuing.amend import parse_amendment
    from citations.notice.kept import amend_with_notice

    amendment = parse_amendment(changes.read_text(encoding="utf-8"))
    with open_database(database) as session:
        public = amend_with_notice(session, number, amendment, actor=OPERATOR, now=now())
    click.echo(
        f"Citation {public.number} amended: revision {public.revision}, fine {public.total_fine}"
    )


@click.command("notice")
@click.argument("number")
@output_option("NUMBER.pdf")
@database_option
@translate_errors
def notice_command(number: str, output: Path | None, database: str | None) -> None:
    """Write a citation's notice as PDF, in the person's language.

    The notice as it was given: kept the first time it is produced, the same bytes after.

    \b
    Example:
        citations notice DCPD-2026-000001-8 --output notice.pdf
    """
    from citations.notice.kept import notice_document

    with open_database(database) as session:
        document = notice_document(session, number, OPERATOR, now=now())
        pdf, canonical = document.content, document.citation.number
    target = output or Path(f"{canonical}.pdf")
    target.write_bytes(pdf)
    click.echo(f"Notice written to {target}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Server processes sharing the port (PostgreSQL only for more than one).",
)
@database_option
@translate_errors
def serve_command(host: str, port: int, workers: int, database: str | None) -> None:
    """Serve the HTTP API and the clerks' pages.

    The OpenAPI description (/openapi.json, for any valid token) is served only with
    CITATIONS_API_DOCS=true.

    With --workers N, N processes answer on the same port, each with its own connections and
    its own intake writer; the database keeps numbers, idempotency and the audit trail right
    across them. SQLite has one writer at a time, so more than one worker needs PostgreSQL.

    \b
    Example:
        citations serve --port 8000 --database sqlite:///citations.db
        citations serve --workers 4 --database postgresql://citations@db/citations
    """
    import uvicorn

    url = database_url(database)
    refuse_missing_file(url)
    if workers > 1:
        _serve_workers(host, port, workers, url)
        return
    from citations.app import create_app
    from citations.gc_tuning import settle_server

    app = create_app(url)
    settle_server()
    click.echo(f"Serving the citations API on http://{host}:{port}", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info")


def _serve_workers(host: str, port: int, workers: int, url: str) -> None:
    """Start `workers` processes, each building the application from the environment (the
    database URL is passed there; every other setting is read from it already)."""
    import os

    import uvicorn
    from sqlalchemy.engine import make_url

    from citations.app import DATABASE_ENV

    if make_url(url).get_backend_name() == "sqlite":
        raise click.ClickException(
            f"--workers {workers} needs PostgreSQL: SQLite lets one writer in at a time, so "
            "more processes would only queue for its lock. Serve SQLite with --workers 1, or "
            "move the records to PostgreSQL (--database postgresql://USER@HOST/DB)."
        )
    with open_engine(url):  # a schema to upgrade is said once, not by every worker
        pass
    os.environ[DATABASE_ENV] = url
    click.echo(
        f"Serving the citations API on http://{host}:{port} with {workers} workers", err=True
    )
    uvicorn.run(
        "citations.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
