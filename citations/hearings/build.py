"""Gathering the hearing documents' content, and a contest's whole story, from the database."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citations.calendar import BusinessCalendar, local_at, local_date, local_time, zone_of
from citations.catalog.store import PublishedCatalog
from citations.documents.access import OnlineAccess
from citations.documents.contact import OfficeContact
from citations.errors import FieldError, InputRejected
from citations.hearings.documents import (
    DocketEntry,
    DocketSheetContext,
    HearingNoticeContext,
    OrderContext,
    PaymentInstallment,
)
from citations.hearings.lookup import contest_of
from citations.hearings.officers import get_session
from citations.hearings.tables import Contest, Hearing, Order
from citations.issuing.intake import Subject
from citations.money import from_cents
from citations.notice.build import build_notice, locale_for
from citations.payments.plans import Installment
from citations.record.ledger import balance, paid
from citations.record.lookup import find_citation
from citations.record.tables import Citation
from citations.roles import Action, Actor
from ordinances.models import Jurisdiction


def person_of(citation: Citation) -> tuple[str, str | None]:
    """The person's name and mailing address in one line, as the hearing documents print
    them (the address None when there is none)."""
    subject = Subject.model_validate(citation.subject)
    address = subject.address
    where = None
    if address is not None:
        city = " ".join(p for p in (address.city, address.state, address.postal_code) if p)
        where = ", ".join(p for p in (address.line1, address.line2, city) if p)
    return subject.full_name(), where


def _contact(citation: Citation, profile: Jurisdiction) -> OfficeContact:
    return build_notice(citation, profile).contact


def _language(citation: Citation) -> str:
    return citation.notice_language


def hearing_notice_for(
    session: Session, number: str, actor: Actor, *, now: datetime
) -> HearingNoticeContext:
    """The notice of the citation's scheduled hearing, as it would be drawn today (a notice
    given to the person is kept when the hearing is scheduled: `citations.hearings.kept`)."""
    citation = find_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    contest = contest_of(session, citation)
    current = session.scalars(
        select(Hearing)
        .where(Hearing.contest_id == contest.id, Hearing.status == "scheduled")
        .order_by(Hearing.id.desc())
    ).first()
    if current is None:
        raise InputRejected([FieldError("number", f"{citation.number} has no hearing scheduled")])
    return build_hearing_notice(
        session, citation, current, profile, sent_on=local_date(now, profile)
    )


def build_hearing_notice(
    session: Session,
    citation: Citation,
    current: Hearing,
    profile: Jurisdiction,
    *,
    sent_on: date,
    access: OnlineAccess | None = None,
) -> HearingNoticeContext:
    """The notice of one hearing of the citation, sent on `sent_on`, printing `access` (the
    code minted for it where it is kept: `citations.hearings.kept`)."""
    contest = contest_of(session, citation)
    earlier = list(
        session.scalars(
            select(Hearing)
            .where(Hearing.replaced_by_id == current.id)
            .order_by(Hearing.id)
            .options(selectinload(Hearing.session))
        )
    )
    docket = current.session
    name, address = person_of(citation)
    language = _language(citation)
    rescheduled_from = None
    if earlier:
        before = earlier[-1].session
        start = earlier[-1].slot_time or before.start_time
        rescheduled_from = local_at(before.day, start, zone_of(profile))
    return HearingNoticeContext(
        language=language,
        locale=locale_for(language, profile),
        jurisdiction_name=profile.name,
        currency=profile.currency,
        citation_number=citation.number,
        subject_name=name,
        subject_address=address,
        hearing_date=docket.day,
        start_time=current.slot_time or docket.start_time,
        time_zone=profile.time_zone,
        place=docket.place,
        remote_link=docket.remote_link,
        hearing_officer_name=docket.officer.name,
        interpreter_language=contest.interpreter_language,
        rescheduled_from=rescheduled_from,
        sent_on=sent_on,
        amount_at_issue=from_cents(citation.total_fine_cents),
        deposit_paid=paid(session, citation) if contest.deposit_status == "paid" else None,
        deposit_waived=contest.deposit_status == "waived",
        contact=_contact(citation, profile),
        access=access,
    )


def docket_sheet_for(
    session: Session, session_id: int, actor: Actor, *, now: datetime
) -> DocketSheetContext:
    """The printable sheet of one docket session."""
    actor.require(Action.MANAGE_DOCKET)
    docket = get_session(session, session_id)
    profile = PublishedCatalog(session).jurisdiction()
    hearings = list(
        session.scalars(
            select(Hearing)
            .where(Hearing.session_id == docket.id)
            .order_by(Hearing.position)
            .options(selectinload(Hearing.contest).selectinload(Contest.citation))
        )
    )
    language = profile.notice_languages[0]
    # A decided hearing shows the amount that was at issue before its decision.
    decided = dict(
        session.execute(
            select(Order.hearing_id, Order.original_cents).where(
                Order.hearing_id.in_([h.id for h in hearings])
            )
        ).all()
    )
    entries = []
    interpreters: dict[str, int] = {}
    for hearing in hearings:
        contest = hearing.contest
        citation = contest.citation
        interpreter = contest.interpreter_language
        if interpreter and hearing.status != "postponed":
            interpreters[interpreter] = interpreters.get(interpreter, 0) + 1
        rescheduled = session.scalar(select(Hearing.id).where(Hearing.replaced_by_id == hearing.id))
        entries.append(
            DocketEntry(
                position=hearing.position,
                slot_time=hearing.slot_time,
                citation_number=citation.number,
                subject_name=person_of(citation)[0],
                ordinances=[
                    f"{v.ordinance_code} {v.snapshot['title'].get(language, '')}".strip()
                    for v in citation.violations
                ],
                amount_at_issue=from_cents(decided.get(hearing.id, citation.total_fine_cents)),
                interpreter_language=interpreter,
                deposit="waived" if contest.deposit_status == "waived" else "paid",
                rescheduled=rescheduled is not None,
                status=hearing.status,
            )
        )
    return DocketSheetContext(
        language=language,
        locale=profile.locale,
        jurisdiction_name=profile.name,
        currency=profile.currency,
        session_date=docket.day,
        start_time=docket.start_time,
        time_zone=profile.time_zone,
        place=docket.place,
        remote_link=docket.remote_link,
        hearing_officer_name=docket.officer.name,
        capacity=docket.capacity,
        entries=entries,
        interpreters_needed=interpreters,
        printed_at=local_time(now, profile),
    )


def latest_order(session: Session, citation: Citation) -> Order:
    order = session.scalars(
        select(Order).where(Order.citation_id == citation.id).order_by(Order.id.desc()).limit(1)
    ).first()
    if order is None:
        raise InputRejected([FieldError("number", f"{citation.number} has no decision yet")])
    return order


def order_for(session: Session, number: str, actor: Actor) -> OrderContext:
    """The latest written order on a citation, as it would be drawn today (an order given to
    the person is kept when it is decided: `citations.hearings.kept`)."""
    citation = find_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    return build_order(session, citation, latest_order(session, citation), profile)


def build_order(
    session: Session,
    citation: Citation,
    order: Order,
    profile: Jurisdiction,
    access: OnlineAccess | None = None,
) -> OrderContext:
    """The written order, drawn as it stands the moment it is decided: what was paid before
    the decision (a refund it orders is paid back out of that), what is owed after it; it
    prints `access` (the code minted for it where it is kept: `citations.hearings.kept`)."""
    language = _language(citation)
    default = profile.notice_languages[0]
    name, address = person_of(citation)
    decided_on = local_date(order.decided_at, profile)
    due = max(balance(session, citation), Decimal("0.00"))
    schedule = [Installment.model_validate(i) for i in order.payment_schedule]
    is_hearing = order.tier == "hearing" and order.outcome != "default"
    pay_by = None
    if due > 0 and not schedule:
        # What remains due after a decision is payable within the profile's days to pay.
        calendar = BusinessCalendar(profile.holiday_calendar)
        pay_by = calendar.deadline(decided_on, profile.deadlines.days_to_pay, profile.deadlines)
    return OrderContext(
        language=language,
        locale=locale_for(language, profile),
        jurisdiction_name=profile.name,
        currency=profile.currency,
        citation_number=citation.number,
        subject_name=name,
        subject_address=address,
        tier="hearing" if order.tier == "hearing" else "review",
        outcome=order.outcome,
        decided_on=decided_on,
        # Orders from before orders were signed by name print who entered them, as they did.
        decided_by=order.decision_maker or order.decided_by,
        decided_by_title=order.decision_maker_title if order.decision_maker else None,
        findings=order.findings,
        original_amount=from_cents(order.original_cents),
        new_amount=from_cents(order.new_cents),
        reduction_reason=order.reduction_reason,
        amount_paid=paid(session, citation) + from_cents(order.refund_cents),
        amount_due=due,
        pay_by=pay_by,
        payment_schedule=[PaymentInstallment(due_on=i.due_on, amount=i.amount) for i in schedule],
        refund=from_cents(order.refund_cents) if order.refund_cents else None,
        hearing_request_by=order.next_deadline if order.tier == "review" else None,
        appeal_by=order.next_deadline if is_hearing else None,
        court_name=profile.court.name.get(language, profile.court.name[default])
        if is_hearing
        else None,
        court_address=profile.court.address if is_hearing else None,
        court_filing_fee=profile.court.filing_fee if is_hearing else None,
        set_aside_by=order.next_deadline if order.outcome == "default" else None,
        contact=_contact(citation, profile),
        access=access,
    )


class HearingPublic(BaseModel):
    id: int
    session_id: int
    day: date
    time: time
    place: str | None
    remote_link: str | None
    hearing_officer: str
    position: int
    status: str
    postponed_reason: str | None
    replaced_by_id: int | None


class OrderPublic(BaseModel):
    id: int
    tier: str
    outcome: str
    findings: str
    original_amount: Decimal
    new_amount: Decimal
    refund: Decimal
    decided_at: datetime
    decided_by: str
    """Who entered the decision (a clerk, a token, the command line)."""
    decision_maker: str | None
    """Who decided and signed it, by name (None on orders from before orders were signed)."""
    decision_maker_title: str | None
    next_deadline: date | None
    set_aside_at: datetime | None


class ContestPublic(BaseModel):
    """A contest's whole story for clerks: stage, deadlines, deposit, hearings and orders."""

    citation_number: str
    citation_status: str
    stage: str
    review_requested_at: datetime
    review_deadline: date
    review_late_reason: str | None
    hearing_requested_at: datetime | None
    hearing_deadline: date | None
    deposit_status: str | None
    deposit_due_on: date | None
    waiver_reason: str | None
    interpreter_language: str | None
    balance: Decimal
    paid: Decimal
    hearings: list[HearingPublic]
    orders: list[OrderPublic]


def contest_summary(session: Session, number: str, actor: Actor) -> ContestPublic:
    citation = find_citation(session, number, actor)
    contest = contest_of(session, citation)
    hearings = session.scalars(
        select(Hearing).where(Hearing.contest_id == contest.id).order_by(Hearing.id)
    ).all()
    orders = session.scalars(
        select(Order).where(Order.contest_id == contest.id).order_by(Order.id)
    ).all()
    return ContestPublic(
        citation_number=citation.number,
        citation_status=citation.status,
        stage=contest.stage,
        review_requested_at=contest.review_requested_at,
        review_deadline=contest.review_deadline,
        review_late_reason=contest.review_late_reason,
        hearing_requested_at=contest.hearing_requested_at,
        hearing_deadline=contest.hearing_deadline,
        deposit_status=contest.deposit_status,
        deposit_due_on=contest.deposit_due_on,
        waiver_reason=contest.waiver_reason,
        interpreter_language=contest.interpreter_language,
        balance=balance(session, citation),
        paid=paid(session, citation),
        hearings=[
            HearingPublic(
                id=h.id,
                session_id=h.session_id,
                day=h.session.day,
                time=h.slot_time or h.session.start_time,
                place=h.session.place,
                remote_link=h.session.remote_link,
                hearing_officer=h.session.officer.name,
                position=h.position,
                status=h.status,
                postponed_reason=h.postponed_reason,
                replaced_by_id=h.replaced_by_id,
            )
            for h in hearings
        ],
        orders=[
            OrderPublic(
                id=o.id,
                tier=o.tier,
                outcome=o.outcome,
                findings=o.findings,
                original_amount=from_cents(o.original_cents),
                new_amount=from_cents(o.new_cents),
                refund=from_cents(o.refund_cents),
                decided_at=o.decided_at,
                decided_by=o.decided_by,
                decision_maker=o.decision_maker,
                decision_maker_title=o.decision_maker_title,
                next_deadline=o.next_deadline,
                set_aside_at=o.set_aside_at,
            )
            for o in orders
        ],
    )
