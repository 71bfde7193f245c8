"""The hearings part of `citations demo`: sample citations contested through both tiers.

The demo plays the clock forward: hearings are decided at their scheduled time, so the
orders, deadlines and docket sheets read as they would on the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from citations.calendar import BusinessCalendar, local_at, zone_of
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.demo.evidence import attach_evidence
from citations.hearings.build import docket_sheet_for
from citations.hearings.contests import (
    decide_review,
    decide_waiver,
    request_hearing,
    request_review,
)
from citations.hearings.decisions import Outcome, Signer
from citations.hearings.kept import hearing_notice_document, order_document
from citations.hearings.officers import (
    add_availability,
    add_officer,
    create_session,
    get_session,
)
from citations.hearings.render import render_docket_sheet
from citations.hearings.scheduling import (
    decide_hearing,
    earliest_day,
    record_no_show,
    schedule_hearing,
)
from citations.issuing.batch import RecordResult
from citations.money import from_cents
from citations.payments.plans import Installment
from citations.record.lookup import find_citation
from citations.record.sent import Kind, latest_document
from citations.roles import Actor, Role
from ordinances.money import format_money

CLERK = Actor("Jordan Lee, hearing clerk", Role.CLERK)
REVIEWER = Actor("Pat Kim, review officer", Role.HEARING_OFFICER)
REVIEW_SIGNATURE = Signer("Pat Kim", "Review Officer")
"""How the reviewer signs the demo's review orders (the hearings are signed by their officer)."""
WAIVER = (
    "I declare under penalty of perjury that my only income is CalFresh and I cannot pay the "
    "deposit."
)
INDEPENDENCE = (
    "Under contract with the hearing office; not employed by the city or any issuing agency; "
    "no cases for the police department in the last five years."
)


@dataclass(frozen=True)
class Plan:
    """What happens to one sample citation."""

    line: int
    """The line of the sample batch that issued it."""
    review: Outcome | None
    findings: str
    hearing: str | None = None
    """None (no hearing), or how it ends: reduced, dismissed or no_show."""
    waiver: bool = False
    evidence: bool = False
    """The officer attaches a photo and the person a letter (the hearing packet shows both)."""


PLANS = [
    Plan(7, Outcome.DISMISSED, "The complaint named another address; the officer confirms it."),
    Plan(
        3,
        Outcome.UPHELD,
        "The photo shows an open container in her hand.",
        "reduced",
        waiver=True,
        evidence=True,
    ),
    Plan(12, Outcome.UPHELD, "The officer reports a gas-powered blower.", "dismissed"),
    Plan(11, Outcome.UPHELD, "Vending without a permit was observed.", "no_show"),
    Plan(14, None, ""),
]


@dataclass(frozen=True)
class DemoHearings:
    lines: list[str]
    """What happened, one line per step, for the demo's report."""
    documents: list[Path]


def run_hearings_demo(
    engine: Engine, batch: list[RecordResult], output_dir: Path, now: datetime
) -> DemoHearings:
    """Contest sample citations through review and hearing; write every hearing document."""
    numbers = {r.line: r.result.citation_number for r in batch if r.result is not None}
    folder = output_dir / "hearings"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.pdf"):
        old.unlink()
    lines: list[str] = []
    documents: list[Path] = []
    sessions = _open_sessions(engine, now, lines)
    for plan in PLANS:
        number = numbers.get(plan.line)
        if number is None:
            continue
        if plan.evidence:
            with transaction(engine) as session:
                lines += attach_evidence(session, number, now)
        with transaction(engine) as session:
            _contest(session, number, plan, now, lines)
        if plan.hearing is None:
            continue
        with transaction(engine) as session:
            hearing_at = _request_and_schedule(session, number, plan, now, lines)
            notice = hearing_notice_document(session, number, CLERK, now=now).content
            documents.append(_write(folder / f"{number}-hearing-notice.pdf", notice))
            # The packet sent with the notice: every piece of evidence for the hearing.
            citation = find_citation(session, number, CLERK)
            packet = latest_document(session, citation, [Kind.HEARING_PACKET])
            assert packet is not None
            documents.append(_write(folder / f"{number}-hearing-packet.pdf", packet.content))
        with transaction(engine) as session:
            _decide(session, number, plan, hearing_at, lines)
    with transaction(engine) as session:
        for plan in PLANS:
            number = numbers.get(plan.line)
            if number is not None and plan.review is not None:
                order = order_document(session, number, CLERK, now=now).content
                documents.append(_write(folder / f"{number}-order.pdf", order))
        profile = PublishedCatalog(session).jurisdiction()
        for session_id in sessions:
            # Printed at the end of its day, once its hearings were held: printed "today",
            # before the day the demo played forward to, it would say "Held" ahead of time.
            day = get_session(session, session_id).day
            day_ended = local_at(day, time(17, 0), zone_of(profile))
            sheet = docket_sheet_for(session, session_id, CLERK, now=max(now, day_ended))
            documents.append(
                _write(folder / f"docket-{session_id}.pdf", render_docket_sheet(sheet))
            )
    return DemoHearings(lines, documents)


def _open_sessions(engine: Engine, now: datetime, lines: list[str]) -> list[int]:
    with transaction(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
        first = earliest_day(profile, now)
        days = [first, BusinessCalendar(profile.holiday_calendar).after(first)]
        judge = add_officer(
            session,
            "Hon. Ada Ruiz (ret.)",
            "pro_tem_judge",
            "Retired Superior Court judge, sitting pro tem",
            INDEPENDENCE,
            actor=CLERK,
            now=now,
        )
        ids = []
        for day in days:
            add_availability(
                session, judge.id, day, time(8, 30), time(12, 30), actor=CLERK, now=now
            )
            ids.append(
                create_session(
                    session,
                    day=day,
                    start=time(9, 0),
                    officer_id=judge.id,
                    capacity=6,
                    place="City Hall East, 200 N. Main Street, Room 101",
                    remote_link=None,
                    slot_minutes=30,
                    actor=CLERK,
                    now=now,
                ).id
            )
        lines.append(f"Hearing officer {judge.name} sits on {days[0]} and {days[1]}.")
        return ids


def _contest(session: Session, number: str, plan: Plan, now: datetime, lines: list[str]) -> None:
    citation = find_citation(session, number, CLERK)
    # The request arrived three days after the citation was served (on time).
    served = datetime.combine(citation.violation_date, time(12), tzinfo=UTC)
    received = min(served + timedelta(days=3), now)
    request_review(
        session,
        number,
        "I ask for a review of this citation.",
        received_at=received,
        actor=CLERK,
        now=now,
    )
    if plan.review is None:
        lines.append(f"{number}: review requested, waiting for a decision")
        return
    decide_review(
        session,
        number,
        plan.review,
        plan.findings,
        decided_by=REVIEW_SIGNATURE,
        actor=REVIEWER,
        now=now,
    )
    lines.append(f"{number}: review requested; initial review {plan.review.value}")


def _request_and_schedule(
    session: Session, number: str, plan: Plan, now: datetime, lines: list[str]
) -> datetime:
    citation = find_citation(session, number, CLERK)
    profile = PublishedCatalog(session).jurisdiction()
    fine = from_cents(citation.total_fine_cents)
    if plan.waiver:
        request_hearing(
            session, number, received_at=now, actor=CLERK, now=now, waiver_declaration=WAIVER
        )
        decide_waiver(
            session, number, True, "Receives CalFresh; benefit letter seen.", actor=CLERK, now=now
        )
        how = "hardship waiver of the deposit granted"
    else:
        request_hearing(
            session,
            number,
            received_at=now,
            actor=CLERK,
            now=now,
            deposit=fine,
            deposit_method="card",
        )
        how = f"deposit of {format_money(fine, profile.currency)} paid"
    hearing = schedule_hearing(session, number, actor=CLERK, now=now)
    docket = hearing.session
    start = hearing.slot_time or docket.start_time
    lines.append(f"{number}: hearing requested ({how}); set for {docket.day} at {start:%H:%M}")
    return local_at(docket.day, start, zone_of(profile))


def _decide(
    session: Session, number: str, plan: Plan, hearing_at: datetime, lines: list[str]
) -> None:
    """The hearing, at its scheduled time."""
    if plan.hearing == "no_show":
        order = record_no_show(session, number, actor=CLERK, now=hearing_at)
        lines.append(f"{number}: no-show, default; may be set aside until {order.next_deadline}")
        return
    if plan.hearing == "dismissed":
        order = decide_hearing(
            session,
            number,
            Outcome.DISMISSED,
            "The photo does not show the blower's engine; the city did not carry its burden.",
            actor=CLERK,
            now=hearing_at,
        )
        refund = from_cents(order.refund_cents)
        lines.append(f"{number}: hearing dismissed it; deposit of {refund} refunded")
        return
    offices = BusinessCalendar(PublishedCatalog(session).jurisdiction().holiday_calendar)
    first = offices.on_or_after(hearing_at.date() + timedelta(days=30))
    second = offices.on_or_after(first + timedelta(days=30))
    plan_ = [
        Installment(due_on=first, amount=Decimal("125.00")),
        Installment(due_on=second, amount=Decimal("125.00")),
    ]
    decide_hearing(
        session,
        number,
        Outcome.REDUCED,
        "The violation is proven. She showed that she lives on public benefits.",
        new_amount=Decimal("250.00"),
        reduction_reason="Inability to pay shown",
        payment_schedule=plan_,
        actor=CLERK,
        now=hearing_at,
    )
    lines.append(f"{number}: hearing reduced it to 250.00, in two installments")


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path
