"""Shared pieces of the command line: options every command takes, error translation, output.

Domain errors become click exceptions only here, at the edge; the library never prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from citations.database import ensure_current, make_engine, transaction, unavailable
from citations.errors import CitationsError, InputRejected
from citations.settings import Settings
from ordinances.errors import CatalogInvalid, OrdinanceError, PublicationRefused

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
        try:
            return function(*args, **kwargs)
        except CatalogInvalid as exc:
            lines = [str(p) for p in exc.problems] + [str(exc)]
            raise CatalogProblems("\n".join(lines)) from None
        except PublicationRefused as exc:
            raise CatalogProblems(str(exc)) from None
        except InputRejected as exc:
            lines = [exc.summary] + [f"  {e.field}: {e.message}" for e in exc.errors]
            raise CatalogProblems("Error: " + "\n".join(lines)) from None
        except (OrdinanceError, CitationsError) as exc:
            raise click.ClickException(str(exc)) from None
        except DBAPIError as exc:
            database = kwargs.get("database")
            where = database_url(database if isinstance(database, str) else None)
            lost = unavailable(exc, where)
            if lost is None:
                raise
            tail = "what was not committed was rolled back: run the command again"
            raise click.ClickException(f"{lost}; {tail}") from None

    return wrapper


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
    settings = Settings() if database is None else Settings(database_url=database)
    return settings.database_url


@contextmanager
def open_engine(database: str | None) -> Iterator[Engine]:
    """An engine on a database whose schema is current, disposed of afterwards."""
    engine = make_engine(database_url(database))
    try:
        ensure_current(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def open_database(database: str | None) -> Iterator[Session]:
    """One transaction on the database: committed when the command succeeds."""
    with open_engine(database) as engine, transaction(engine) as session:
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
