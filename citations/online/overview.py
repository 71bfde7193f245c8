"""What the cited person sees of their citation: its status, what they owe and by when,
every date of its schedule, what was sent to them, their payments, their hearing, and what
they can do now, each with its deadline.

One read, in one session, of the same records the clerks' pages read; the wording is the
public pages' (templates/public/words), keyed by the codes given here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.calendar import deadline_dates, local_date
from citations.catalog.store import PublishedCatalog
from citations.hearings.scheduling import current_hearing
from citations.hearings.tables import Contest, Order
from citations.notice.kept import waits_for_mail
from citations.online.evidence import opening_of as evidence_opening_of
from citations.online.requests import requests_of
from citations.payments.diversion import REFERABLE, offered_programs
from citations.payments.plans import PLANNABLE
from citations.payments.posting import PaymentResult, active_plan, payments_of
from citations.payments.service import ELECTABLE, offer_of
from citations.record.ledger import balance
from citations.record.lookup import find_citation
from citations.record.person import PersonRequest
from citations.record.sent import DocumentPublic, sent_documents
from citations.record.status import OWED, CitationStatus
from citations.record.tables import Citation
from citations.roles import Actor
from citations.schedule import Dated, schedule_of
from ordinances.models import Jurisdiction
from ordinances.resolve import ResolvedVersion

S = CitationStatus


@dataclass(frozen=True)
class Option:
    """One thing the person can do: `key` names its wording (`option.<key>.*`)."""

    key: str
    href: str
    deadline: date | None = None
    """The last day it can be done, when it has one."""


@dataclass(frozen=True)
class HearingView:
    day: date
    start: time
    place: str | None
    remote_link: str | None
    mode: str | None
    interpreter: str | None
    accommodation: str | None


@dataclass(frozen=True)
class InstallmentView:
    number: int
    due_on: date
    amount: Decimal
    paid: Decimal


@dataclass
class Overview:
    number: str
    status: str
    first_name: str
    issued_on: date
    violation_date: date
    ordinances: list[tuple[str, dict[str, str]]]
    """Each violation's ordinance: its code and its title in each notice language."""
    total_fine: Decimal
    balance: Decimal
    due_on: date | None
    pay_by: date | None
    """The last day to pay before something more happens: the due date while it is ahead;
    past it, the day before the referral to collections (as the late notice says)."""
    waits_for_mail: bool
    dates: list[Dated]
    documents: list[DocumentPublic]
    payments: list[PaymentResult]
    hearing: HearingView | None
    options: list[Option]
    requests: list[PersonRequest]
    installments: list[InstallmentView] = field(default_factory=list)
    decision: str | None = None
    """The latest order's outcome (`upheld`, `dismissed`, `reduced`, `default`), if any."""


def overview(session: Session, number: str, actor: Actor, *, now: datetime) -> Overview:
    """Everything the person's page shows (the actor is the person, or staff looking)."""
    citation = find_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    today = local_date(now, profile)
    contest = session.scalar(select(Contest).where(Contest.citation_id == citation.id))
    order = (
        session.scalars(
            select(Order).where(Order.contest_id == contest.id).order_by(Order.id.desc()).limit(1)
        ).first()
        if contest is not None
        else None
    )
    plan = active_plan(session, citation)
    owed = balance(session, citation)
    schedule = schedule_of(session, citation, profile)
    pay_by = pay_by_of(citation, schedule.dates, today)
    return Overview(
        number=citation.number,
        status=citation.status,
        first_name=str(citation.subject.get("first_name", "")),
        issued_on=local_date(citation.issued_at, profile),
        violation_date=citation.violation_date,
        ordinances=[
            (v.ordinance_code, dict(ResolvedVersion.model_validate(v.snapshot).title))
            for v in citation.violations
        ],
        total_fine=Decimal(citation.total_fine_cents) / 100,
        balance=owed,
        due_on=citation.due_on,
        pay_by=pay_by,
        waits_for_mail=waits_for_mail(citation),
        dates=schedule.dates,
        documents=sent_documents(session, citation, actor),
        payments=payments_of(session, citation),
        hearing=_hearing(session, contest),
        options=options_of(
            session, citation, contest, order, profile, today=today, owed=owed, pay_by=pay_by
        ),
        requests=requests_of(session, citation),
        installments=[
            InstallmentView(
                i.number, i.due_on, Decimal(i.amount_cents) / 100, Decimal(i.paid_cents) / 100
            )
            for i in plan.installments
        ]
        if plan is not None
        else [],
        decision=order.outcome if order is not None and order.set_aside_at is None else None,
    )


def pay_by_of(citation: Citation, dates: list[Dated], today: date) -> date | None:
    """The due date while it is ahead; past it, the day before the referral to collections
    while that is ahead; else None (nothing more happens on a date)."""
    if citation.due_on is not None and citation.due_on >= today:
        return citation.due_on
    referral = next((d.on for d in dates if d.key == "collections" and d.open), None)
    if referral is not None and referral > today:
        return referral - timedelta(days=1)
    return None


def _hearing(session: Session, contest: Contest | None) -> HearingView | None:
    if contest is None:
        return None
    hearing = current_hearing(session, contest)
    if hearing is None:
        return None
    docket = hearing.session
    return HearingView(
        day=docket.day,
        start=hearing.slot_time or docket.start_time,
        place=docket.place,
        remote_link=docket.remote_link,
        mode=contest.hearing_mode,
        interpreter=contest.interpreter_language,
        accommodation=contest.accommodation,
    )


def options_of(
    session: Session,
    citation: Citation,
    contest: Contest | None,
    order: Order | None,
    profile: Jurisdiction,
    *,
    today: date,
    owed: Decimal,
    pay_by: date | None,
) -> list[Option]:
    """What the person can do today, by the same rules the library's steps enforce (each
    step checks again when taken; this only decides what to offer)."""
    status = S(citation.status)
    options: list[Option] = []
    if status in OWED and owed > 0:
        options.append(Option("pay", "/pay", pay_by))
    if status is S.ISSUED:
        served = citation.served_on or today
        review_by = deadline_dates(served, profile)[1]
        if today <= review_by:
            options.append(Option("review", "/review", review_by))
    if (
        status is S.REVIEW_UPHELD
        and order is not None
        and order.next_deadline is not None
        and today <= order.next_deadline
    ):
        options.append(Option("hearing", "/hearing", order.next_deadline))
    if (
        status is S.HEARING_REQUESTED
        and contest is not None
        and contest.deposit_status == "waiver_denied"
    ):
        options.append(Option("deposit", "/pay?purpose=deposit", contest.deposit_due_on))
    if status is S.HEARING_SCHEDULED:
        options.append(Option("move_hearing", "/hearing/move"))
    hearing_files = evidence_opening_of(session, citation, today)
    if hearing_files.open:
        options.append(Option("evidence", "/evidence", hearing_files.deadline))
    if (
        order is not None
        and order.outcome == "default"
        and order.set_aside_at is None
        and order.next_deadline is not None
        and today <= order.next_deadline
    ):
        options.append(Option("set_aside", "/set-aside", order.next_deadline))
    if status in OWED - {S.ON_PLAN} and owed > 0:
        options.append(Option("ability", "/help/ability"))
    if status in PLANNABLE and owed > 0:
        options.append(Option("plan", "/help/plan"))
    if status in ELECTABLE and offer_of(citation) is not None and owed > 0:
        options.append(Option("service", "/help/service"))
    if status is S.IN_SERVICE:
        options.append(Option("service_hours", "/help/service"))
    if status in REFERABLE and offered_programs(citation) & set(profile.program_ids()):
        options.append(Option("program", "/help/program"))
    options.append(Option("contact", "/contact"))
    return options
