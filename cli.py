"""The `citations` command line: parse, call the library, format. Nothing else lives here.

The commands are grouped by capability in `citations/commands/`; this module lists them. A
command's module is imported only when that command is used (`citations.commands.lazy`), so
`citations --help` and `--version` start at once; the listing's short help comes from the table
below, which `tests/test_cli_lazy.py` holds to the commands' own.
"""

from __future__ import annotations

import click

from citations.commands.lazy import Lazy, LazyGroup

COMMANDS = {
    "demo": Lazy(
        "citations.commands.demo:demo",
        "Run the whole product on a fresh embedded SQLite database and report.",
    ),
    "db": Lazy("citations.commands.catalog:db", "Manage the database schema."),
    "ordinances": Lazy(
        "citations.commands.catalog:ordinances", "Check, publish and query the ordinance catalog."
    ),
    "agencies": Lazy(
        "citations.commands.issuing:agencies",
        "Register issuing agencies (their code prefixes their citation numbers).",
    ),
    "numbers": Lazy(
        "citations.commands.issuing:numbers",
        "Allocate blocks of citation numbers to devices that issue offline.",
    ),
    "tokens": Lazy("citations.commands.issuing:tokens", "Create, list and revoke API tokens."),
    "users": Lazy(
        "citations.commands.users:users",
        "Staff accounts: add, list, disable, reset passwords, and link to the identity provider.",
    ),
    "issue": Lazy(
        "citations.commands.issuing:issue_command",
        "Decide intake messages: one JSON message, a JSON array, or a JSON Lines batch.",
    ),
    "find": Lazy(
        "citations.commands.find:find_command",
        "Find citations by a name, date of birth, ID, part of a number or of an address.",
    ),
    "show": Lazy(
        "citations.commands.show:show_command",
        "Show a citation: its violations, fines, status and revisions.",
    ),
    "notice": Lazy(
        "citations.commands.issuing:notice_command",
        "Write a citation's notice as PDF, in the person's language.",
    ),
    "amend": Lazy(
        "citations.commands.issuing:amend_command",
        "Amend a citation from a JSON file of changes with a `reason`; history is kept.",
    ),
    "void": Lazy(
        "citations.commands.issuing:void_command",
        "Void a citation issued in error (only before any payment or hearing).",
    ),
    "documents": Lazy(
        "citations.commands.mail:documents",
        "The documents sent on a citation, as they were sent.",
    ),
    "mail": Lazy("citations.commands.mail:mail", "Returned letters and new addresses."),
    "files": Lazy(
        "citations.commands.files:files",
        "Files on a citation's record: add a scan, list, withdraw, write one out.",
    ),
    "hearings": Lazy(
        "citations.commands.hearings:hearings",
        "Contests, reviews, waivers, hearings and decisions.",
    ),
    "contests": Lazy(
        "citations.commands.contests:contests",
        "Work queues: assign contests waiting on the clerks and list them.",
    ),
    "docket": Lazy(
        "citations.commands.docket:docket",
        "Hearing officers, their availability and recusals, and docket sessions.",
    ),
    "pay": Lazy(
        "citations.commands.money:pay_command",
        "Record a payment (partial or in full) and give a receipt.",
    ),
    "drawer": Lazy(
        "citations.commands.drawer:drawer",
        "The cashier's drawer: opening float, counter payments, counted cash and checks.",
    ),
    "payments": Lazy(
        "citations.commands.money:payments",
        "Reversals, receipts, lockbox files and the daily reconciliation.",
    ),
    "plan": Lazy("citations.commands.money:plan_command", "Put a citation on a payment plan."),
    "ability": Lazy(
        "citations.commands.alternatives:ability_command",
        "Decide an ability-to-pay request by the profile's rule.",
    ),
    "service": Lazy(
        "citations.commands.alternatives:service", "Community service in place of the fine."
    ),
    "diversion": Lazy(
        "citations.commands.alternatives:diversion", "Diversion and restorative programs."
    ),
    "process": Lazy(
        "citations.commands.money:process_command",
        "Daily processing: plan defaults, expired service and programs, late penalties, "
        "delinquency and referral to collections.",
    ),
    "outreach": Lazy(
        "citations.commands.outreach:outreach", "Send reminders by text, email and letter."
    ),
    "collections": Lazy("citations.commands.money:collections", "The collection agency's export."),
    "report": Lazy(
        "citations.commands.reports:report_command",
        "The program report: issued, referred, outcomes, money, hearings, repeats and equity.",
    ),
    "reports": Lazy(
        "citations.commands.reports:reports",
        "Keep the program report's daily aggregates: refresh stale days, or rebuild a range.",
    ),
    "seed": Lazy(
        "citations.commands.reports:seed_command",
        "Build a realistic synthetic program (a year and more of citations and their outcomes).",
    ),
    "audit": Lazy("citations.commands.audit:audit", "The hash-chained audit trail."),
    "export": Lazy(
        "citations.commands.export:export_command",
        "Write every record of the system as JSON lines, for records retention and migration.",
    ),
    "import-export": Lazy(
        "citations.commands.export:import_export_command",
        "Restore a `citations export` file into an empty database at the same schema.",
    ),
    "worker": Lazy(
        "citations.commands.jobs:worker_command",
        "Run jobs from the queue (mailings, reminders, reports, exports) until stopped.",
    ),
    "jobs": Lazy(
        "citations.commands.jobs:jobs",
        "The job queue: what waits, runs, succeeded or failed, and running a failed job again.",
    ),
    "serve": Lazy(
        "citations.commands.issuing:serve_command",
        "Serve the HTTP API and the clerks' pages.",
    ),
}
"""Every command by name: where it lives and its short help for the listing, by capability."""


@click.group(cls=LazyGroup, lazy_subcommands=COMMANDS)
@click.version_option(package_name="citations")
def cli() -> None:
    """Civil administrative citations instead of arrests.

    \b
    Example:
        citations demo
    """


def main() -> None:
    cli(prog_name="citations")


if __name__ == "__main__":
    main()
