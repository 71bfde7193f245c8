"""The `citations` command line: parse, call the library, format. Nothing else lives here.

The commands are grouped by capability in `citations/commands/`; this module assembles them.
"""

from __future__ import annotations

import click

from citations.commands.audit import audit
from citations.commands.catalog import db, ordinances
from citations.commands.demo import demo
from citations.commands.export import export_command, import_export_command
from citations.commands.hearings import docket, hearings
from citations.commands.issuing import (
    agencies,
    amend_command,
    issue_command,
    notice_command,
    numbers,
    serve_command,
    show_command,
    tokens,
    void_command,
)
from citations.commands.money import (
    ability_command,
    collections,
    diversion,
    pay_command,
    payments,
    plan_command,
    process_command,
    service,
)
from citations.commands.reports import report_command, seed_command


@click.group()
@click.version_option(package_name="citations")
def cli() -> None:
    """Civil administrative citations instead of arrests.

    \b
    Example:
        citations demo
    """


COMMANDS = (
    demo,
    db,
    ordinances,
    agencies,
    numbers,
    tokens,
    issue_command,
    show_command,
    notice_command,
    amend_command,
    void_command,
    hearings,
    docket,
    pay_command,
    payments,
    plan_command,
    ability_command,
    service,
    diversion,
    process_command,
    collections,
    report_command,
    seed_command,
    audit,
    export_command,
    import_export_command,
    serve_command,
)
for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    cli(prog_name="citations")


if __name__ == "__main__":
    main()
