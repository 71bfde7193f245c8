"""Commands for money: pay, payments (reversals, receipts, the lockbox, reconciliation),
plans, daily processing and collections. The alternatives to paying are in `alternatives.py`."""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import click

from citations.commands.common import (
    database_option,
    emit_json,
    json_option,
    now,
    open_database,
    open_engine,
    translate_errors,
)
from citations.commands.params import (
    AMOUNT,
    DAY,
    installment,
    output_option,
    received_option,
    write_pdf,
)
from citations.roles import OPERATOR

INSTALLMENT_HELP = "An installment DATE:AMOUNT, e.g. 2027-01-15:50.00 (repeat for each)."


@click.command("pay")
@click.argument("number")
@click.option("--amount", type=AMOUNT, required=True, help="The amount received.")
@click.option("--method", required=True, help="card, cash, check, money_order, online...")
@click.option("--reference", default=None, help="Check number, transaction id...")
@click.option("--key", default=None, help="An idempotency key: the same key posts once.")
@click.option(
    "--receipt",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the receipt PDF here.",
)
@received_option
@database_option
@translate_errors
def pay_command(
    number: str,
    amount: Decimal,
    method: str,
    reference: str | None,
    key: str | None,
    receipt: Path | None,
    received_at: datetime | None,
    database: str | None,
) -> None:
    """Record a payment (partial or in full) and give a receipt.

    \b
    Example:
        citations pay DCPD-2026-000001-5 --amount 50.00 --method cash --receipt r.pdf
    """
    from citations.payments.kept import receipt_document
    from citations.payments.posting import PaymentRequest, record_payment

    request = PaymentRequest(
        amount=amount, method=method, reference=reference, received_at=received_at
    )
    with open_database(database) as session:
        result, replayed = record_payment(
            session, number, request, actor=OPERATOR, now=now(), idempotency_key=key
        )
        if receipt is not None:
            kept = receipt_document(session, result.receipt_number, OPERATOR, now=now())
            receipt.write_bytes(kept.content)
    again = " (already recorded)" if replayed else ""
    click.echo(
        f"Receipt {result.receipt_number}{again}: {result.amount} by {result.method}; "
        f"balance {result.balance_after}; {result.status_after}."
    )


@click.group()
def payments() -> None:
    """Reversals, receipts, lockbox files and the daily reconciliation.

    \b
    Example:
        citations payments reconcile --from 2026-12-01 --to 2026-12-01
    """


@payments.command("reverse")
@click.argument("receipt")
@click.option("--reason", required=True, help="Why it came back (returned check...).")
@database_option
@translate_errors
def payments_reverse(receipt: str, reason: str, database: str | None) -> None:
    """Reverse a returned payment: the balance reopens.

    \b
    Example:
        citations payments reverse R-0000012 --reason "Check returned NSF"
    """
    from citations.payments.posting import reverse_payment

    with open_database(database) as session:
        result = reverse_payment(session, receipt, reason, actor=OPERATOR, now=now())
    click.echo(
        f"Reversed as {result.receipt_number}: balance {result.balance_after}; "
        f"{result.status_after}."
    )


@payments.command("receipt")
@click.argument("receipt")
@output_option("RECEIPT.pdf")
@database_option
@translate_errors
def payments_receipt(receipt: str, output: Path | None, database: str | None) -> None:
    """Write a receipt as PDF, as it was given.

    \b
    Example:
        citations payments receipt R-0000012 --output receipt.pdf
    """
    from citations.payments.kept import receipt_document

    with open_database(database) as session:
        pdf = receipt_document(session, receipt, OPERATOR, now=now()).content
    write_pdf(pdf, output or Path(f"{receipt}.pdf"))


@payments.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--acks",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the per-line acknowledgements (CSV) here.",
)
@database_option
@translate_errors
def payments_import(file: Path, acks: Path | None, database: str | None) -> None:
    """Import a bank lockbox CSV: each line posted once, acknowledged or refused.

    \b
    Example:
        citations payments import lockbox-2026-12-01.csv --acks acks.csv
    """
    from citations.payments.lockbox import import_lockbox

    with open_engine(database) as engine:
        results = list(import_lockbox(engine, file, actor=OPERATOR, clock=now))
    if acks is not None:
        with acks.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(
                handle,
                fieldnames=list(results[0].as_row()) if results else ["line"],
                lineterminator="\n",
            )
            writer.writeheader()
            for result in results:
                writer.writerow(result.as_row())
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
        click.echo(
            f"line {result.line}: {result.status} {result.citation_number} "
            f"{result.receipt_number or ''} {result.message}".replace("  ", " ")
        )
    click.echo(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no lines")
    if counts.get("error"):
        raise click.ClickException(f"{counts['error']} line(s) refused")


@payments.command("reconcile")
@click.option("--from", "start", type=DAY, required=True, help="YYYY-MM-DD")
@click.option("--to", "end", type=DAY, required=True, help="YYYY-MM-DD")
@json_option
@database_option
@translate_errors
def payments_reconcile(start: datetime, end: datetime, as_json: bool, database: str | None) -> None:
    """Totals by day and method, checked against the ledger to the cent.

    \b
    Example:
        citations payments reconcile --from 2026-12-01 --to 2026-12-31
    """
    from citations.payments.reconciliation import reconcile

    with open_database(database) as session:
        report = reconcile(session, start.date(), end.date(), actor=OPERATOR)
    if as_json:
        emit_json(report.model_dump(mode="json") | {"matches": report.matches})
        return
    click.echo(
        f"{'day':<12}{'method':<14}{'count':>6}{'received':>12}{'returned':>12}"
        f"{'net':>12}{'ledger':>12}  ok"
    )
    for r in report.rows:
        click.echo(
            f"{r.day!s:<12}{r.method:<14}{r.payments:>6}{r.received:>12}{r.returned:>12}"
            f"{r.net:>12}{r.ledger_net:>12}  {'yes' if r.matches else 'NO'}"
        )
    click.echo(
        f"total net {report.total_net}; ledger {report.total_ledger_net}; "
        f"{'matches' if report.matches else 'DOES NOT MATCH'}"
    )
    for d in report.drawer_differences:
        click.echo(
            f"drawer {d.drawer} of {d.cashier} on {d.day}: cash {d.cash:+}, checks {d.checks:+}"
        )
    if not report.matches:
        raise click.ClickException("the payments and the ledger do not match")


@click.command("plan")
@click.argument("number")
@click.option("--installment", "installments", multiple=True, required=True, help=INSTALLMENT_HELP)
@database_option
@translate_errors
def plan_command(number: str, installments: tuple[str, ...], database: str | None) -> None:
    """Put a citation on a payment plan.

    \b
    Example:
        citations plan DCPD-2026-000001-5 --installment 2027-01-15:125.00 \\
            --installment 2027-02-15:125.00
    """
    from citations.payments.plans import create_plan

    with open_database(database) as session:
        plan = create_plan(
            session, number, [installment(i) for i in installments], actor=OPERATOR, now=now()
        )
        click.echo(f"Plan {plan.id} for {number}: {len(installments)} installments.")


@click.command("process")
@click.option("--as-of", "as_of", type=DAY, required=True, help="The date to process, YYYY-MM-DD.")
@click.option(
    "--notices",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the late notice PDF sent to each citation that became delinquent.",
)
@click.option(
    "--audit-checkpoint",
    "checkpoints",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="CITATIONS_AUDIT_CHECKPOINTS",
    default=None,
    help="Then write an audit checkpoint into this folder (citations audit verify "
    "--checkpoint FOLDER checks them). Default: $CITATIONS_AUDIT_CHECKPOINTS.",
)
@click.option(
    "--no-send",
    "no_send",
    is_flag=True,
    help="Do not deliver the reminders due now (`citations outreach send` does).",
)
@database_option
@translate_errors
def process_command(
    as_of: datetime,
    notices: Path | None,
    checkpoints: Path | None,
    no_send: bool,
    database: str | None,
) -> None:
    """Daily processing: plan defaults, expired service and programs, late penalties,
    delinquency and referral to collections. Running it twice for a date changes nothing.
    Then the reminders due now are delivered, as `citations outreach send` does
    (`--no-send`: not now).

    \b
    Example:
        citations process --as-of 2026-12-26 --notices late-notices/
    """
    from citations.commands.outreach import deliver, sending_settings
    from citations.daily import run_daily
    from citations.database import transaction
    from citations.payments.kept import late_notice_document

    settings = None if no_send else sending_settings(database)
    with open_engine(database) as engine:
        run = run_daily(engine, as_of=as_of.date(), actor=OPERATOR, now=now())
        report, upkept = run.report, run.upkeep
        if notices is not None:
            notices.mkdir(parents=True, exist_ok=True)
            for number in report.delinquent:
                with transaction(engine) as session:
                    pdf = late_notice_document(session, number, OPERATOR).content
                (notices / f"{number}-late-notice.pdf").write_bytes(pdf)
        click.echo(
            f"Processed {as_of:%Y-%m-%d}: {len(report.mailed)} notices mailed, "
            f"{len(report.plans_defaulted)} plans defaulted, "
            f"{len(report.service_failed)} service and {len(report.diversion_failed)} "
            f"programs not completed, {len(report.delinquent)} now delinquent, "
            f"{len(report.referred)} referred to collections."
        )
        if (upkeep_line := upkept.line()) is not None:
            click.echo(upkeep_line)
        if settings is not None:  # processing has committed: its changes' reminders too
            click.echo("Reminders: " + " ".join(deliver(engine, settings)))
    if checkpoints is not None:
        from citations.commands.audit import checkpoint_into

        click.echo(checkpoint_into(checkpoints, database))


@click.group()
def collections() -> None:
    """The collection agency's export.

    \b
    Example:
        citations collections export --output collections.csv
    """


@collections.command("export")
@click.option("--since", type=DAY, default=None, help="Include recalls made since this date.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The CSV file to write.",
)
@database_option
@translate_errors
def collections_export(since: datetime | None, output: Path, database: str | None) -> None:
    """Write open referrals (and recent recalls) as the documented CSV.

    \b
    Example:
        citations collections export --since 2026-12-01 --output collections.csv
    """
    from citations.payments.collections import export_collections

    with open_database(database) as session:
        text = export_collections(session, since=since.date() if since else None, actor=OPERATOR)
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {len(text.splitlines()) - 1} rows to {output}")
