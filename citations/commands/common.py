"""Shared pieces of the command line: options every command takes, error translation, output.

Domain errors become click exceptions only here, at the edge; the library never prints. Every
command imports this module, so it stays cheap: the database, the settings and the error
classes of the libraries below are imported when a command opens a database or fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from citations.errors import CitationsError, InputRejected

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from citations.database import ReadRouting

P = ParamSpec("P")
R = TypeVar("R")


class CatalogProblems(click.ClickException):
    """Every problem of a catalog, one `file:line: message` per line."""

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


def translate_errors(function: Callable[P, R]) -> Callable[P, R]:
    """Turn the library's domain errors into clean messages and exit code 1."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        refuse_control_characters(kwargs)
        try:
            return function(*args, **kwargs)
        except Exception as exc:
            translated = _translated(exc, kwargs.get("database"))
            if translated is None:
                raise
            raise translated from None

    return wrapper


def refuse_control_characters(values: dict[str, object]) -> None:
    """Every text a command is given passes the rule every input shares (`printable`): a
    control character in `--reason` is refused, naming the option, as the API and the forms
    refuse it, before anything is opened or stored."""
    from citations.inputs import printable

    context = click.get_current_context(silent=True)
    for name, value in values.items():
        texts = value if isinstance(value, tuple | list) else (value,)
        for text in texts:
            if not isinstance(text, str):
                continue
            try:
                printable(text)
            except ValueError as exc:
                hint = f"'--{name.replace('_', '-')}'"
                if context is not None:
                    param = next((p for p in context.command.params if p.name == name), None)
                    hint = param.get_error_hint(context) if param is not None else hint
                raise click.BadParameter(str(exc), param_hint=hint) from None


def _translated(exc: Exception, database: object) -> click.ClickException | None:
    """The clean message for a domain error, or None to let the exception through as it is."""
    if isinstance(exc, click.ClickException):
        return None  # click's own (a usage error a command raised): click shows it
    from sqlalchemy.exc import DBAPIError

    from citations.database import unavailable
    from ordinances.errors import CatalogInvalid, OrdinanceError, PublicationRefused

    if isinstance(exc, CatalogInvalid):
        lines = [str(p) for p in exc.problems] + [str(exc)]
        return CatalogProblems("\n".join(lines))
    if isinstance(exc, PublicationRefused):
        return CatalogProblems(str(exc))
    if isinstance(exc, InputRejected):
        lines = [exc.summary] + [f"  {e.field}: {e.message}" for e in exc.errors]
        return CatalogProblems("Error: " + "\n".join(lines))
    if isinstance(exc, OrdinanceError | CitationsError):
        return click.ClickException(str(exc))
    if isinstance(exc, DBAPIError):
        where = database_url(database if isinstance(database, str) else None)
        lost = unavailable(exc, where)
        if lost is None:
            return None
        tail = "what was not committed was rolled back: run the command again"
        return click.ClickException(f"{lost}; {tail}")
    return None


def database_option(function: Callable[P, R]) -> Callable[P, R]:
    """The shared `--database` option (also read from CITATIONS_DATABASE_URL)."""
    return click.option(
        "--database",
        "database",
        metavar="URL",
        envvar="CITATIONS_DATABASE_URL",
        help="sqlite:///FILE or postgresql://USER@HOST/DB (default: sqlite:///citations.db).",
    )(function)


def database_url(database: str | None) -> str:
    from citations.settings import Settings

    settings = Settings() if database is None else Settings(database_url=database)
    return settings.database_url


def make_engine(url: str) -> Engine:
    """`citations.database.make_engine`, imported when a command first opens a database (the
    tests of a lost database replace this name to watch the engines the commands make)."""
    from citations import database

    return database.make_engine(url)


def refuse_missing_file(url: str) -> None:
    """A SQLite database file that is not there is an error, before anything opens it:
    SQLite would create an empty file on first connection, and leave it behind. Only
    `citations db upgrade` (and `demo`) make a database.

    >>> refuse_missing_file("sqlite:////nowhere/citations.db")
    Traceback (most recent call last):
    click.exceptions.ClickException: the database file /nowhere/citations.db does not exist: \
run `citations db upgrade` first, which creates it
    """
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return  # the engine says what is wrong with the URL
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return
    if name.startswith("file:") or parsed.query.get("mode") == "memory":
        return  # a URI filename: SQLite's own rules decide what it opens
    if not Path(name).exists():
        raise click.ClickException(
            f"the database file {name} does not exist: run `citations db upgrade` first, "
            "which creates it"
        )


@contextmanager
def open_engine(database: str | None) -> Iterator[Engine]:
    """An engine on a database whose schema is current, disposed of afterwards."""
    from citations.database import ensure_current

    url = database_url(database)
    refuse_missing_file(url)
    engine = make_engine(url)
    try:
        ensure_current(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def open_database(database: str | None) -> Iterator[Session]:
    """One transaction on the database: committed when the command succeeds."""
    from citations.database import transaction

    with open_engine(database) as engine, transaction(engine) as session:
        yield session


def queue_job(database: str | None, name: str, **args: Any) -> None:
    """A command's `--queue`: the job deferred for `citations worker` on PostgreSQL, or run
    now on SQLite (citations.jobs.queue.enqueue); one line says which, and what it did."""
    from citations.jobs.queue import enqueue
    from citations.roles import OPERATOR

    with open_engine(database) as engine:
        outcome = enqueue(engine, name, asked_by=OPERATOR.name, **args)
    click.echo(outcome.line())


@contextmanager
def open_routing(database: str | None) -> Iterator[ReadRouting]:
    """For commands that only read (report, find, export): the database, and its read
    replica when CITATIONS_READ_DATABASE_URL is set (`CITATIONS_READ_DATABASE_URL=` before
    the command reads the database itself, e.g. in a script right after it wrote)."""
    from citations.database import read_routing
    from citations.settings import Settings

    with open_engine(database) as engine:
        routing = read_routing(engine, Settings().read_database_url)
        try:
            yield routing
        finally:
            routing.dispose()


@contextmanager
def open_reading(database: str | None) -> Iterator[Session]:
    """One read-only transaction, on the read replica when there is one (`open_routing`)."""
    with open_routing(database) as routing, routing.reading() as session:
        yield session


def now() -> datetime:
    return datetime.now(UTC)


def as_date(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def emit_json(document: Any) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, default=str))


on_option = click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The date to ask about, YYYY-MM-DD (default: today in the jurisdiction's time zone).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
lang_option = click.option(
    "--lang",
    default=None,
    help="Language of titles and descriptions (default: the first notice language).",
)
