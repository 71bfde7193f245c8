"""The `citations` command line: parse, call the library, format. Nothing else lives here.

Domain errors become click exceptions only here, so the library stays usable from Python and
the HTTP API.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
from sqlalchemy.orm import Session

from citations.database import describe_url, ensure_current, make_engine, transaction, upgrade
from citations.demo import run_demo
from citations.errors import CitationsError
from citations.settings import Settings
from ordinances.catalog import check_catalog, load_catalog
from ordinances.describe import one_line
from ordinances.errors import CatalogInvalid, OrdinanceError, PublicationRefused
from ordinances.publishing import plan_publication, publish
from ordinances.store import PublishedCatalog
from ordinances.text import render_history, render_in_effect, render_plan, render_resolved

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
        except (OrdinanceError, CitationsError) as exc:
            raise click.ClickException(str(exc)) from None

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


@contextmanager
def open_database(database: str | None) -> Iterator[Session]:
    settings = Settings() if database is None else Settings(database_url=database)
    engine = make_engine(settings.database_url)
    try:
        ensure_current(engine)
        with transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


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


@click.group()
@click.version_option(package_name="citations")
def cli() -> None:
    """Civil administrative citations instead of arrests.

    \b
    Example:
        citations demo
    """


@cli.group()
def db() -> None:
    """Manage the database schema.

    \b
    Example:
        citations db upgrade --database sqlite:///citations.db
    """


@db.command("upgrade")
@database_option
@translate_errors
def db_upgrade(database: str | None) -> None:
    """Create or migrate the database schema to the newest revision.

    \b
    Example:
        citations db upgrade --database postgresql://postgres@127.0.0.1/test
    """
    settings = Settings() if database is None else Settings(database_url=database)
    engine = make_engine(settings.database_url)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    where = describe_url(settings.database_url)
    if before == after:
        click.echo(f"{where} is already at schema {after}.")
    else:
        click.echo(f"{where}: schema {before or 'empty'} -> {after}.")


@cli.group()
def ordinances() -> None:
    """Check, publish and query the ordinance catalog.

    \b
    Example:
        citations ordinances check ordinances/catalogs/demo-city
    """


catalog_dir = click.argument("directory", type=click.Path(file_okay=False, path_type=Path))


@ordinances.command("check")
@catalog_dir
@translate_errors
def ordinances_check(directory: Path) -> None:
    """Report every problem in a catalog folder as file:line: message.

    \b
    Example:
        citations ordinances check ordinances/catalogs/demo-city
    """
    problems = check_catalog(directory)
    if problems:
        raise CatalogInvalid(problems)
    catalog = load_catalog(directory)
    count, city = len(catalog.ordinances), catalog.jurisdiction.name
    click.echo(f"{directory}: {count} ordinances for {city}, no problems.")


@ordinances.command("diff")
@catalog_dir
@database_option
@translate_errors
def ordinances_diff(directory: Path, database: str | None) -> None:
    """Show what publishing the folder would change against what is published.

    \b
    Example:
        citations ordinances diff ordinances/catalogs/demo-city
    """
    catalog = load_catalog(directory)
    with open_database(database) as session:
        click.echo(render_plan(plan_publication(session, catalog, now())))


@ordinances.command("publish")
@catalog_dir
@click.option("--author", required=True, help="Who wrote the change.")
@click.option(
    "--approved-by", "approved_by", required=True, help="Who approved it (not the author)."
)
@click.option(
    "--reason", required=True, help="Why the change is made (e.g. the amending ordinance)."
)
@database_option
@translate_errors
def ordinances_publish(
    directory: Path, author: str, approved_by: str, reason: str, database: str | None
) -> None:
    """Publish the catalog folder; refused changes are listed and nothing is written.

    \b
    Example:
        citations ordinances publish ordinances/catalogs/demo-city \\
            --author "Dana Reyes" --approved-by "Sam Okafor" --reason "Ord. 182,610"
    """
    catalog = load_catalog(directory)
    with open_database(database) as session:
        result = publish(
            session, catalog, author=author, approved_by=approved_by, reason=reason, now=now()
        )
    if result.publication_id is None:
        click.echo("Nothing to publish: the catalog matches what is published.")
        return
    click.echo(render_plan(result.plan).replace("would:", "changed:", 1))
    click.echo(f"Published as publication {result.publication_id}.")


@ordinances.command("show")
@click.argument("code")
@on_option
@json_option
@lang_option
@database_option
@translate_errors
def ordinances_show(
    code: str, on: datetime | None, as_json: bool, lang: str | None, database: str | None
) -> None:
    """Show the published version of one ordinance in force on a date.

    \b
    Example:
        citations ordinances show "LAMC 41.27(c)" --on 2027-07-01
    """
    with open_database(database) as session:
        published = PublishedCatalog(session)
        profile = published.jurisdiction()
        resolved = published.resolve(code, as_date(on) or published.today(now()))
    if as_json:
        emit_json(resolved.model_dump(mode="json"))
    else:
        click.echo(render_resolved(resolved, profile, lang or profile.notice_languages[0]))


@ordinances.command("list")
@on_option
@json_option
@lang_option
@database_option
@translate_errors
def ordinances_list(
    on: datetime | None, as_json: bool, lang: str | None, database: str | None
) -> None:
    """List every published ordinance and what is in effect on a date.

    \b
    Example:
        citations ordinances list --on 2026-01-15 --json
    """
    with open_database(database) as session:
        published = PublishedCatalog(session)
        profile = published.jurisdiction()
        result = published.in_effect(as_date(on) or published.today(now()))
    if as_json:
        emit_json(
            {
                "on": result.on.isoformat(),
                "in_effect": [r.model_dump(mode="json") for r in result.in_force],
                "not_in_effect": [
                    {"code": n.code, "reason": n.reason} for n in result.not_in_force
                ],
            }
        )
    else:
        click.echo(render_in_effect(result, profile, lang or profile.notice_languages[0]))


@ordinances.command("history")
@click.argument("code")
@json_option
@lang_option
@database_option
@translate_errors
def ordinances_history(code: str, as_json: bool, lang: str | None, database: str | None) -> None:
    """Every published version of an ordinance, with who approved it, when and why.

    \b
    Example:
        citations ordinances history "LAMC 53.06.2"
    """
    with open_database(database) as session:
        published = PublishedCatalog(session)
        profile = published.jurisdiction()
        ordinance, entries = published.history(code)
    if as_json:
        emit_json(
            {
                "code": ordinance.code,
                "versions": [
                    {
                        "effective_from": e.effective_from.isoformat(),
                        "effective_to": e.effective_to.isoformat() if e.effective_to else None,
                        "version": e.version.model_dump(mode="json"),
                        "published": e.published.model_dump(mode="json"),
                        "withdrawn": e.withdrawn.model_dump(mode="json") if e.withdrawn else None,
                    }
                    for e in entries
                ],
            }
        )
    else:
        click.echo(render_history(ordinance, entries, profile, lang or profile.notice_languages[0]))


@cli.command("demo")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-out"),
    show_default=True,
    help="Folder for the demo database and documents (made anew).",
)
@translate_errors
def demo(output: Path) -> None:
    """Run the whole product on a fresh embedded SQLite database and report.

    \b
    Example:
        citations demo --output demo-out
    """
    result = run_demo(output, now())
    profile = result.profile
    lang = profile.notice_languages[0]
    click.echo(f"Demo database: {result.database_url}")
    click.echo("")
    click.echo(render_plan(result.first.plan).replace("would:", "published:", 1))
    click.echo(
        f"Published as publication {result.first.publication_id}, "
        "approved by someone other than its author."
    )
    again = "changed nothing" if result.again.publication_id is None else "CHANGED SOMETHING"
    click.echo(f"Publishing the same catalog again {again}.")
    click.echo("")
    click.echo(render_in_effect(result.today, profile, lang))
    if result.upcoming:
        click.echo("")
        click.echo("Scheduled changes already published:")
        for when, code, version in result.upcoming:
            click.echo(f"  {when.isoformat()}  {code}: {one_line(version, profile)}")
    click.echo("")
    click.echo(f"Explore it: citations ordinances list --database {result.database_url}")


def main() -> None:
    cli(prog_name="citations")


if __name__ == "__main__":
    main()
