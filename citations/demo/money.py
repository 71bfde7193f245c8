"""The money part of `citations demo`: a paid, a planned, a served, a diverted and a delinquent
citation, with receipts and late notices written to the output folder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

from citations.calendar import BusinessCalendar, local_date
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.issuing.batch import RecordResult
from citations.payments.diversion import Obligation, fulfil, refer
from citations.payments.kept import late_notice_document, receipt_document
from citations.payments.plans import Installment, create_plan
from citations.payments.posting import PaymentRequest, record_payment
from citations.payments.processing import process_in_chunks
from citations.payments.service import elect_service, log_hours, sign_off
from citations.record.ledger import balance
from citations.record.lookup import find_citation
from citations.roles import Actor, Role

CASHIER = Actor("Robin Diaz, cashier", Role.CLERK)
NIGHTLY = Actor("nightly processing", Role.ADMIN)


@dataclass(frozen=True)
class DemoMoney:
    lines: list[str]
    documents: list[Path]


def run_money_demo(
    engine: Engine, batch: list[RecordResult], output_dir: Path, now: datetime
) -> DemoMoney:
    numbers = {r.line: r.result.citation_number for r in batch if r.result is not None}
    folder = output_dir / "money"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.pdf"):
        old.unlink()
    lines: list[str] = []
    documents: list[Path] = []
    with transaction(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
    today = local_date(now, profile)  # the city's day, not UTC's

    def receipt(number: str, amount: str, method: str) -> None:
        with transaction(engine) as session:
            result, _ = record_payment(
                session,
                number,
                PaymentRequest(amount=Decimal(amount), method=method),
                actor=CASHIER,
                now=now,
            )
            path = folder / f"{result.receipt_number}.pdf"
            path.write_bytes(
                receipt_document(session, result.receipt_number, CASHIER, now=now).content
            )
        documents.append(path)
        lines.append(
            f"{number}: paid {amount} by {method} (receipt {result.receipt_number}); "
            f"{result.status_after}, balance {result.balance_after}"
        )

    paid, planned, served, diverted = (numbers.get(n) for n in (4, 6, 5, 1))
    if paid:
        receipt(paid, "100.00", "card")
    if planned:
        with transaction(engine) as session:
            calendar = BusinessCalendar(profile.holiday_calendar)
            first = calendar.on_or_after(today + timedelta(days=14))
            second = calendar.on_or_after(first + timedelta(days=30))
            create_plan(
                session,
                planned,
                [
                    Installment(due_on=first, amount=Decimal("125.00")),
                    Installment(due_on=second, amount=Decimal("125.00")),
                ],
                actor=CASHIER,
                now=now,
            )
        lines.append(f"{planned}: payment plan of 2 x 125.00, due {first} and {second}")
        receipt(planned, "125.00", "cash")
    if served:
        with transaction(engine) as session:
            # The person chose service at the counter three days after the citation.
            served_on = find_citation(session, served, CASHIER).violation_date
            elected_at = min(
                datetime.combine(served_on, time(15), tzinfo=UTC) + timedelta(days=3), now
            )
            chosen = elect_service(session, served, "food-bank", actor=CASHIER, now=elected_at)
            log_hours(session, served, today, chosen.hours_required, actor=CASHIER, now=now)
            done = sign_off(
                session, served, "Lee Park, food bank volunteer lead", actor=CASHIER, now=now
            )
        lines.append(
            f"{served}: {chosen.hours_required} hours of community service at "
            f"{chosen.rate} an hour, signed off; citation "
            f"{'served' if done.status == 'completed' else done.status}"
        )
    if diverted:
        with transaction(engine) as session:
            refer(
                session,
                diverted,
                "neighborhood-justice",
                [
                    Obligation(kind="apology_letter", description="Letter to the park's neighbors"),
                    Obligation(kind="service_hours", description="8 hours of park cleanup"),
                ],
                actor=CASHIER,
                now=now,
            )
            for index in (0, 1):
                referral = fulfil(session, diverted, index, today, actor=CASHIER, now=now)
        lines.append(
            f"{diverted}: Neighborhood Justice Program completed; citation "
            f"{'dismissed' if referral.status == 'completed' else referral.status}"
        )
    report = process_in_chunks(engine, as_of=today, actor=NIGHTLY, now=now)
    lines.append(
        f"Daily processing for {today}: {len(report.delinquent)} became delinquent, "
        f"{len(report.referred)} referred to collections"
    )
    for number in report.delinquent:
        with transaction(engine) as session:  # the late notice processing sent, as sent
            pdf = late_notice_document(session, number, CASHIER).content
            owed = balance(session, find_citation(session, number, CASHIER))
        path = folder / f"{number}-late-notice.pdf"
        path.write_bytes(pdf)
        documents.append(path)
        lines.append(f"{number}: delinquent; balance {owed}; late notice written")
    return DemoMoney(lines, documents)
