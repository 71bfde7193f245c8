"""`citations ordinances ...` and `citations db ...`: the catalog and the schema."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from citations.commands.common import (
    as_date,
    database_option,
    database_url,
    emit_json,
    json_option,
    lang_option,
    now,
    on_option,
    open_database,
    open_engine,
    translate_errors,
)
from citations.roles import OPERATOR


@click.group()
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
    from citations.database import describe_url, make_engine, upgrade

    url = database_url(database)
    engine = make_engine(url)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    where = describe_url(url)
    if before == after:
        click.echo(f"{where} is already at schema {after}.")
    else:
        click.echo(f"{where}: schema {before or 'empty'} -> {after}.")


@db.command("retire-year")
@click.argument("year", type=click.IntRange(1, 9999))
@click.option(
    "--export",
    "export_file",
    required=True,
    type=click.File("rb"),
    metavar="FILE",
    help="The year's export (`citations export --year YEAR`), checked against the database.",
)
@click.option(
    "--keep-tables",
    is_flag=True,
    help="Keep the detached partitions as plain tables (for pg_dump), instead of dropping them.",
)
@database_option
@translate_errors
def db_retire_year(year: int, export_file: Any, keep_tables: bool, database: str | None) -> None:
    """Retire a closed year (PostgreSQL): detach its partitions after checking its export.

    The year must be over and all its citations closed; the export must be the year's,
    complete, and hold as many rows of each table as the database. The smaller tables' rows
    of the year are removed, and the five large tables' partitions detached and dropped.

    \b
    Example:
        citations export --year 2024 --output records-2024.jsonl
        citations db retire-year 2024 --export records-2024.jsonl
    """
    from citations.export.retire import retire_year

    with open_engine(database) as engine:
        retired = retire_year(
            engine, year, export_file, actor=OPERATOR, now=now(), keep_tables=keep_tables
        )
    removed = sum(retired.removed.values())
    detached = sum(retired.detached.values())
    what = "kept as plain tables" if retired.kept else "dropped"
    click.echo(
        f"Retired {year}: {detached:,} rows in {len(retired.detached)} partitions detached "
        f"and {what}; "
        f"{removed:,} attachment rows removed (their files stay in the files store)."
    )


@click.group()
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
    from ordinances.catalog import check_catalog, load_catalog
    from ordinances.errors import CatalogInvalid

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
    from citations.catalog.publishing import plan_publication
    from citations.catalog.text import render_plan
    from ordinances.catalog import load_catalog

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
    from citations.catalog.publishing import publish
    from citations.catalog.text import render_plan
    from ordinances.catalog import load_catalog

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
    from citations.catalog.store import PublishedCatalog
    from citations.catalog.text import render_resolved

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
    from citations.catalog.store import PublishedCatalog
    from citations.catalog.text import render_in_effect

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
    from citations.catalog.store import PublishedCatalog
    from citations.catalog.text import render_history

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
