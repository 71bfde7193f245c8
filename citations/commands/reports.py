"""`citations report` and `citations seed`: what city leaders read, and data to read it on."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from citations.commands.common import (
    database_option,
    now,
    open_database,
    open_engine,
    open_reading,
    queue_job,
    translate_errors,
)
from citations.commands.params import DAY
from citations.roles import OPERATOR


@click.command("report")
@click.option("--from", "start", type=DAY, required=True, help="First violation date, YYYY-MM-DD.")
@click.option("--to", "end", type=DAY, required=True, help="Last violation date, YYYY-MM-DD.")
@click.option("--area", "areas", multiple=True, help="Limit to an area (repeat for several).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "csv", "json"]),
    default="pdf",
    show_default=True,
    help="PDF with charts, or the same figures as CSV or JSON.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: report.FORMAT; CSV and JSON may go to stdout with -).",
)
@click.option(
    "--queue",
    "queued",
    is_flag=True,
    help="Leave it to `citations worker` (PostgreSQL), which writes --output, a new file, "
    "on its machine; on SQLite it runs now all the same.",
)
@database_option
@translate_errors
def report_command(
    start: datetime,
    end: datetime,
    areas: tuple[str, ...],
    fmt: str,
    output: Path | None,
    queued: bool,
    database: str | None,
) -> None:
    """The program report: issued, referred, outcomes, money, hearings, repeats and equity.

    \b
    Example:
        citations report --from 2026-01-01 --to 2026-12-31 --format pdf --output report.pdf
    """
    from citations.reports.compute import compute_report
    from citations.reports.export import report_csv, report_json
    from citations.reports.render import render_report

    if end < start:
        raise click.BadParameter("--to is before --from")
    if queued:
        if output is None or str(output) == "-":
            raise click.BadParameter(
                "name the file a queued report goes to", param_hint="'--output'"
            )
        queue_job(
            database,
            "program-report",
            start=start.date().isoformat(),
            end=end.date().isoformat(),
            areas=list(areas),
            fmt=fmt,
            output=str(output.absolute()),
        )
        return
    with open_reading(database) as session:  # the read replica when there is one
        report = compute_report(
            session, start.date(), end.date(), areas=areas, actor=OPERATOR, now=now()
        )
    if fmt == "pdf":
        target = output or Path("report.pdf")
        target.write_bytes(render_report(report))
        click.echo(f"Wrote {target}")
        return
    text = report_csv(report) if fmt == "csv" else report_json(report)
    if output is not None and str(output) != "-":
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}")
    else:
        click.echo(text, nl=False)


@click.command("seed")
@click.option("--citations", "count", type=int, required=True, help="About how many citations.")
@click.option(
    "--seed",
    "seed_value",
    type=int,
    default=1,
    show_default=True,
    help="The same seed makes the same program.",
)
@database_option
@translate_errors
def seed_command(count: int, seed_value: int, database: str | None) -> None:
    """Build a realistic synthetic program (a year and more of citations and their outcomes).

    \b
    Example:
        citations seed --citations 100000 --seed 7 --database sqlite:///big.db
    """
    from citations.seed import seed

    if count < 1:
        raise click.BadParameter("--citations must be at least 1")
    with (
        open_engine(database) as engine,
        click.progressbar(length=count, label="Seeding", file=sys.stderr) as bar,
    ):

        def advance(step: int) -> None:
            bar.update(step)

        result = seed(engine, count, seed=seed_value, now=now(), progress=advance)
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(result.by_status.items()))
    click.echo(
        f"Seeded {result.citations} citations ({statuses}), {result.referred} referrals "
        f"and {result.declined} declined cases in {result.seconds:.1f} s."
    )


@click.group("reports")
def reports() -> None:
    """Keep the program report's daily aggregates: refresh stale days, or rebuild a range.

    \b
    Example:
        citations reports rebuild --from 2025-01-01 --to 2026-12-31
    """


@reports.command("refresh")
@database_option
@translate_errors
def refresh_command(database: str | None) -> None:
    """Recompute the aggregates of the days changed since the last refresh.

    Daily processing runs it too. The report is exact without it (it reads stale days from
    the rows); refreshing makes it fast again.

    \b
    Example:
        citations reports refresh
    """
    from citations.reports.aggregates import refresh

    with open_database(database) as session:
        done = refresh(session, actor=OPERATOR)
    click.echo(
        f"Refreshed {done.citation_days} days of citations and {done.intake_days} of intake."
    )


@reports.command("rebuild")
@click.option("--from", "start", type=DAY, required=True, help="First violation date, YYYY-MM-DD.")
@click.option("--to", "end", type=DAY, required=True, help="Last violation date, YYYY-MM-DD.")
@database_option
@translate_errors
def rebuild_command(start: datetime, end: datetime, database: str | None) -> None:
    """Recompute every day's aggregates in a range from the rows (after an upgrade, or to
    repair them).

    \b
    Example:
        citations reports rebuild --from 2025-01-01 --to 2026-12-31
    """
    from citations.reports.aggregates import rebuild

    if end < start:
        raise click.BadParameter("--to is before --from")
    with open_database(database) as session:
        done = rebuild(session, start.date(), end.date(), actor=OPERATOR)
    click.echo(f"Rebuilt the aggregates of {done.citation_days} days.")
