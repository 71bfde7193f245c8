"""`citations demo`: the whole product on the embedded default, in one command."""

from __future__ import annotations

from pathlib import Path

import click

from citations.commands.common import now, translate_errors
from citations.commands.issuing import count_key, describe_result, summary


@click.command("demo")
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
    from citations.catalog.text import render_in_effect
    from citations.demo.door import SERVED_AT
    from citations.demo.run import run_demo
    from ordinances.describe import one_line

    result = run_demo(output, now())
    profile = result.profile
    lang = profile.notice_languages[0]
    plan = result.first.plan
    ordinances = [c for c in plan.changes if c.kind == "new_ordinance"]
    versions = sum(len(c.details) for c in ordinances)
    click.echo(f"Demo database: {result.database_url}")
    click.echo("")
    click.echo(
        f"1. Published the {profile.name} catalog: {len(ordinances)} ordinances, {versions} "
        f"dated versions (publication {result.first.publication_id}, approved by someone "
        "other than its author)."
    )
    again = "changed nothing" if result.again.publication_id is None else "CHANGED SOMETHING"
    click.echo(f"   Publishing the same catalog again {again}.")
    click.echo("")
    listing = render_in_effect(result.today, profile, lang).replace("\n", "\n   ")
    click.echo("2. " + listing)
    if result.upcoming:
        click.echo("   Scheduled changes already published:")
        for when, code, version in result.upcoming:
            click.echo(f"     {when.isoformat()}  {code}: {one_line(version, profile)}")
    click.echo("")
    counts: dict[str, int] = {}
    for record in result.batch:
        key = count_key(record)
        counts[key] = counts.get(key, 0) + 1
    click.echo(
        f"3. Issued the sample batch of {len(result.batch)} intake messages: {summary(counts)}."
    )
    for record in result.batch:
        click.echo("   " + describe_result(record, profile.currency))
    replayed = sum(1 for r in result.batch_again if r.replayed)
    created = sum(1 for r in result.batch_again if r.result is not None and not r.replayed)
    click.echo(
        f"   Issuing the same batch again created {created} new records ({replayed} replayed)."
    )
    reasons = {
        r.result.citation_number: r.result.reasons
        for r in result.batch
        if r.result is not None and r.result.citation_number
    }
    for number in result.mailed:
        why = "; ".join(reasons.get(number, [])) or "the sender asked the city to mail it"
        click.echo(f"   {number}: notice mailed by the nightly mail run ({why})")
    click.echo("")
    if result.notices:
        click.echo(f"4. Wrote {len(result.notices)} notices (PDF) to {result.notices[0].parent}/")
    click.echo("")
    click.echo("5. Contested sample citations through review and hearing:")
    for line in result.hearings.lines:
        click.echo(f"   {line}")
    if result.hearings.documents:
        folder = result.hearings.documents[0].parent
        click.echo(
            f"   Wrote {len(result.hearings.documents)} hearing notices and packets, docket "
            f"sheets and orders to {folder}/"
        )
    click.echo("")
    click.echo("6. Money and alternatives:")
    for line in result.money.lines:
        click.echo(f"   {line}")
    if result.money.documents:
        click.echo(
            f"   Wrote {len(result.money.documents)} receipts and late notices to "
            f"{result.money.documents[0].parent}/"
        )
    if result.mail is not None:
        click.echo("")
        click.echo("7. Mail:")
        for line in result.mail.lines:
            click.echo(f"   {line}")
        click.echo(
            f"   Wrote {len(result.mail.documents)} notices as mailed to "
            f"{result.mail.documents[0].parent}/"
        )
    click.echo("")
    click.echo("8. Reminders:")
    for line in result.reminders.lines:
        click.echo(f"   {line}")
    click.echo("")
    click.echo("Explore it:")
    click.echo(f"  citations ordinances list --database {result.database_url}")
    if result.notices:
        click.echo(f"  citations show {result.notices[0].stem} --database {result.database_url}")
    click.echo(
        f"  citations docket sessions --from 2026-01-01 --to 2030-12-31 "
        f"--database {result.database_url}"
    )
    door = result.door
    if door is None:
        click.echo(f"  citations serve --database {result.database_url}")
    else:
        click.echo("")
        click.echo("Try the cited person's own pages (the public door):")
        # The built-in test provider: its payment page runs on the same server, no money moves.
        click.echo(
            f"  CITATIONS_PAYMENT_PROVIDER=test citations serve --database {result.database_url}"
        )
        click.echo(
            f"  then open {SERVED_AT}/ and find citation {door.number} with the date of birth "
            f"{door.date_of_birth.isoformat()},"
        )
        click.echo(f"  or open the link of an access code minted for it: {door.link}")
        click.echo(
            "  Every document printed for a person carries its own code, in a link to "
            f"{profile.contact.website.rstrip('/')}/c/..."
        )
        click.echo(
            "  (CITATIONS_PAYMENT_PROVIDER=test turns on the built-in test payment page, where "
            "no money moves; a city sets stripe, see the README.)"
        )
    desk = result.desk
    click.echo("")
    click.echo("Try the clerks' pages with a hearing clerk's own account (same server):")
    click.echo(
        f"  open {SERVED_AT}/clerk/ and sign in as {desk.username} ({desk.name}) with the "
        f"temporary password {desk.temporary_password}"
    )
    click.echo(
        "  (you choose your own password at the first sign-in; make more accounts with "
        "`citations users add`)"
    )
