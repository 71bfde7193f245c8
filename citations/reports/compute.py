"""Computing the program report in the database.

Every figure is an aggregate query (GROUP BY, COUNT, SUM, EXISTS); no query loads citations
into Python, so memory stays flat however large the program grows. Percentiles are read with
ORDER BY ... LIMIT 1 OFFSET k, which both SQLite and PostgreSQL run from an index.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from citations.hearings.tables import DocketSession, Hearing, HearingOfficer, Order
from citations.ledger import EntryKind, LedgerEntry
from citations.money import from_cents
from citations.payments.tables import (
    AbilityRequest,
    PaymentPlan,
    ServiceAssignment,
    ServiceHours,
)
from citations.reports.model import (
    Count,
    EquityRow,
    HearingOutcome,
    Money,
    Outcome,
    ProgramReport,
    ReasonCount,
    RepeatRate,
)
from citations.roles import Action, Actor
from citations.status import CitationStatus
from citations.tables import Citation, CitationViolation, IntakeRecord
from ordinances.store import PublishedCatalog

S = CitationStatus
FOUR = Decimal("0.0001")

REASON_KINDS: list[tuple[str, str]] = [
    ("criminal_only", "%is criminal only%"),
    ("under_age", "%under the minimum age%"),
    ("too_many_priors", "%prior citations within%"),
    ("screening", "%The officer answered%"),
]


def _rate(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(FOUR) if whole else Decimal(0)


def compute_report(
    session: Session,
    start: date,
    end: date,
    *,
    areas: Sequence[str] = (),
    actor: Actor,
    now: datetime | None = None,
) -> ProgramReport:
    """The program report for violations dated `start` to `end` (inclusive, local dates)."""
    actor.require(Action.READ_PROGRAM_REPORT)
    profile = PublishedCatalog(session).jurisdiction()
    zone = ZoneInfo(profile.time_zone)
    in_period: list[ColumnElement[bool]] = [
        Citation.violation_date >= start,
        Citation.violation_date <= end,
    ]
    if areas:
        in_period.append(Citation.area.in_(list(areas)))
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    intake_period: list[ColumnElement[bool]] = [
        IntakeRecord.violation_at >= since,
        IntakeRecord.violation_at < until,
    ]
    if areas:
        intake_period.append(IntakeRecord.area.in_(list(areas)))
    titles = {
        o.code: o.title.get(profile.notice_languages[0], o.code)
        for o in PublishedCatalog(session).in_effect(end).in_force
    }
    issued = session.scalar(select(func.count()).select_from(Citation).where(*in_period)) or 0
    intake_counts = dict(
        session.execute(
            select(IntakeRecord.outcome, func.count())
            .where(*intake_period)
            .group_by(IntakeRecord.outcome)
        ).all()
    )
    return ProgramReport(
        jurisdiction_name=profile.name,
        currency=profile.currency,
        locale=profile.locale,
        start=start,
        end=end,
        areas=list(areas),
        generated_at=now or datetime.now(UTC),
        issued_total=issued,
        referred_total=int(intake_counts.get("referred", 0)),
        declined_total=int(intake_counts.get("declined", 0)),
        warnings_total=int(intake_counts.get("warning", 0)),
        issued_by_ordinance=_by_ordinance(session, in_period, titles),
        issued_by_month=_by_month(session, in_period),
        issued_by_area=_by(session, in_period, func.coalesce(Citation.area, "(none)")),
        referral_reasons=_reasons(session, intake_period, "referred"),
        declined_reasons=_reasons(session, intake_period, "declined"),
        outcomes=_outcomes(session, in_period, issued),
        **_resolution(session, in_period),
        money=_money(session, in_period),
        service_hours_completed=_service_hours(session, in_period),
        hearing_outcomes=_hearings(session, in_period),
        repeat_rates=_repeats(session, in_period, titles, end),
        equity=_equity(session, in_period),
    )


def _by(session: Session, where: list[ColumnElement[bool]], key: Any) -> list[Count]:
    rows = session.execute(
        select(key.label("k"), func.count())
        .where(*where)
        .group_by(key)
        .order_by(func.count().desc())
    ).all()
    return [Count(key=str(k), label=str(k), count=n) for k, n in rows]


def _by_ordinance(
    session: Session, where: list[ColumnElement[bool]], titles: dict[str, str]
) -> list[Count]:
    rows = session.execute(
        # A citation names an ordinance at most once, so counting violations counts citations.
        select(CitationViolation.ordinance_code, func.count())
        .join(Citation, Citation.id == CitationViolation.citation_id)
        .where(*where)
        .group_by(CitationViolation.ordinance_code)
        .order_by(func.count().desc(), CitationViolation.ordinance_code)
    ).all()
    return [Count(key=code, label=titles.get(code, code), count=n) for code, n in rows]


def _month(column: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _by_month(session: Session, where: list[ColumnElement[bool]]) -> list[Count]:
    month = _month(Citation.violation_date, session.get_bind().dialect.name)
    rows = session.execute(
        select(month.label("m"), func.count()).where(*where).group_by(month).order_by(month)
    ).all()
    return [
        Count(key=m, label=f"{calendar.month_abbr[int(m[5:7])]} {m[:4]}", count=n) for m, n in rows
    ]


def _reasons(session: Session, where: list[ColumnElement[bool]], outcome: str) -> list[ReasonCount]:
    if outcome == "declined":
        kind: Any = literal("declined")
    else:
        text = cast(IntakeRecord.reasons, Text())
        kind = case(*[(text.like(p), literal(k)) for k, p in REASON_KINDS], else_=literal("other"))
    rows = session.execute(
        select(kind.label("kind"), func.count())
        .where(*where, IntakeRecord.outcome == outcome)
        .group_by(kind)
        .order_by(func.count().desc())
    ).all()
    result = []
    for name, count in rows:
        examples_query = (
            select(IntakeRecord.reasons)
            .where(*where, IntakeRecord.outcome == outcome)
            .order_by(IntakeRecord.id.desc())
            .limit(50)
        )
        examples: list[str] = []
        for reasons in session.scalars(examples_query):
            for reason in reasons or []:
                if _kind_of(reason, outcome) == name and reason not in examples:
                    examples.append(reason)
            if len(examples) >= 3:
                break
        result.append(ReasonCount(kind=name, count=count, examples=examples[:3]))
    return result


def _kind_of(reason: str, outcome: str) -> str:
    if outcome == "declined":
        return "declined"
    for kind, pattern in REASON_KINDS:
        if pattern.strip("%") in reason:
            return kind
    return "other"


def _outcomes(session: Session, where: list[ColumnElement[bool]], issued: int) -> list[Outcome]:
    planned = exists().where(
        PaymentPlan.citation_id == Citation.id, PaymentPlan.status == "completed"
    )
    reduced = exists().where(Order.citation_id == Citation.id, Order.outcome == "reduced")
    relieved = exists().where(
        AbilityRequest.citation_id == Citation.id, AbilityRequest.qualifies.is_(True)
    )
    outcome = case(
        (and_(Citation.status == S.PAID.value, planned), "paid_by_plan"),
        (and_(Citation.status == S.PAID.value, relieved), "paid_reduced_for_inability"),
        (
            and_(Citation.status.in_([S.PAID.value, S.UPHELD.value, S.ON_PLAN.value]), reduced),
            "reduced",
        ),
        (Citation.status == S.PAID.value, "paid"),
        (Citation.status == S.SERVED.value, "served"),
        (Citation.status == S.DIVERTED.value, "diverted"),
        (Citation.status == S.DISMISSED.value, "dismissed"),
        (Citation.status == S.WAIVED.value, "waived"),
        (Citation.status == S.VOIDED.value, "voided"),
        (Citation.status == S.DELINQUENT.value, "delinquent"),
        (Citation.status == S.IN_COLLECTIONS.value, "in_collections"),
        else_="open",
    )
    rows = session.execute(
        select(outcome.label("o"), func.count())
        .where(*where)
        .group_by(outcome)
        .order_by(func.count().desc())
    ).all()
    return [Outcome(outcome=o, count=n, share=_rate(n, issued)) for o, n in rows]


def _resolution(session: Session, where: list[ColumnElement[bool]]) -> dict[str, Any]:
    closed = [*where, Citation.closed_at.is_not(None)]
    count = session.scalar(select(func.count()).select_from(Citation).where(*closed)) or 0
    if not count:
        return {
            "days_to_resolution_median": None,
            "days_to_resolution_p90": None,
            "resolved_count": 0,
        }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        days: Any = func.extract("epoch", Citation.closed_at - Citation.issued_at) / 86400.0
    else:
        days = func.julianday(Citation.closed_at) - func.julianday(Citation.issued_at)

    def at(fraction: float) -> Decimal:
        offset = min(int(fraction * count), count - 1)
        value = session.scalar(select(days).where(*closed).order_by(days).limit(1).offset(offset))
        return Decimal(str(round(float(value or 0), 1)))

    return {
        "days_to_resolution_median": at(0.5),
        "days_to_resolution_p90": at(0.9),
        "resolved_count": count,
    }


def _money(session: Session, where: list[ColumnElement[bool]]) -> Money:
    rows = dict(
        session.execute(
            select(LedgerEntry.kind, func.sum(LedgerEntry.amount_cents))
            .join(Citation, Citation.id == LedgerEntry.citation_id)
            .where(*where)
            .group_by(LedgerEntry.kind)
        ).all()
    )

    def total(*kinds: EntryKind) -> int:
        return sum(int(rows.get(k.value, 0) or 0) for k in kinds)

    k = EntryKind
    assessed = total(k.FINE_ASSESSED, k.FINE_ADJUSTED_UP, k.LATE_PENALTY, k.COLLECTION_FEE) - total(
        k.FINE_ADJUSTED_DOWN
    )
    collected = total(k.PAYMENT, k.DEPOSIT) - total(k.REVERSAL, k.REFUND)
    waived = total(k.WAIVER, k.ABILITY_ADJUSTMENT)
    reduced = total(k.REDUCTION, k.DISMISSAL, k.VOID)
    service = total(k.SERVICE_CREDIT)
    return Money(
        assessed=from_cents(assessed),
        collected=from_cents(collected),
        waived=from_cents(waived),
        reduced=from_cents(reduced),
        converted_to_service=from_cents(service),
        outstanding=from_cents(assessed - collected - waived - reduced - service),
    )


def _service_hours(session: Session, where: list[ColumnElement[bool]]) -> Decimal:
    minutes = session.scalar(
        select(func.coalesce(func.sum(ServiceHours.minutes), 0))
        .join(ServiceAssignment, ServiceAssignment.id == ServiceHours.assignment_id)
        .join(Citation, Citation.id == ServiceAssignment.citation_id)
        .where(*where, ServiceHours.signed_off_by.is_not(None))
    )
    return (Decimal(int(minutes or 0)) / 60).quantize(Decimal("0.01"))


def _hearings(session: Session, where: list[ColumnElement[bool]]) -> list[HearingOutcome]:
    counts = [
        func.sum(case((Order.outcome == o, 1), else_=0))
        for o in ("upheld", "dismissed", "reduced", "default")
    ]
    base = (
        select(Order.tier, *counts).join(Citation, Citation.id == Order.citation_id).where(*where)
    )
    tiers = session.execute(base.group_by(Order.tier).order_by(Order.tier)).all()
    officer_query = (
        select(Order.tier, HearingOfficer.name, *counts)
        .join(Citation, Citation.id == Order.citation_id)
        .join(Hearing, Hearing.id == Order.hearing_id)
        .join(DocketSession, DocketSession.id == Hearing.session_id)
        .join(HearingOfficer, HearingOfficer.id == DocketSession.officer_id)
        .where(*where)
        .group_by(Order.tier, HearingOfficer.name)
        .order_by(HearingOfficer.name)
    )
    result = [
        HearingOutcome(
            tier=t,
            hearing_officer=None,
            upheld=int(u or 0),
            dismissed=int(d or 0),
            reduced=int(r or 0),
            default=int(f or 0),
        )
        for t, u, d, r, f in tiers
    ]
    result += [
        HearingOutcome(
            tier=t,
            hearing_officer=name,
            upheld=int(u or 0),
            dismissed=int(d or 0),
            reduced=int(r or 0),
            default=int(f or 0),
        )
        for t, name, u, d, r, f in session.execute(officer_query).all()
    ]
    return result


def _plus_months(column: Any, months: int, dialect: str) -> Any:
    if dialect == "postgresql":
        return column + func.make_interval(0, months)
    return func.date(column, f"+{months} months")


def _repeats(
    session: Session, where: list[ColumnElement[bool]], titles: dict[str, str], end: date
) -> list[RepeatRate]:
    """Of the people cited for each ordinance, how many were cited again (for anything, on a
    later day) within 6 and 12 months. Only citations whose follow-up window has fully passed
    by the report's end date are counted, so recent citations do not lower the rate.

    One pass over the period's violations: each citation carries the person's next citation
    day (citations.repeats keeps it).
    """
    dialect = session.get_bind().dialect.name
    next_day = Citation.next_citation_date
    # Flags per (ordinance, person) first, then sums: cheaper than COUNT(DISTINCT ...).
    flags: list[Any] = []
    for months in (6, 12):
        matured = _plus_months(Citation.violation_date, months, dialect) <= end
        again = and_(
            matured,
            next_day.is_not(None),
            next_day <= _plus_months(Citation.violation_date, months, dialect),
        )
        flags += [
            func.max(case((matured, 1), else_=0)).label(f"m{months}"),
            func.max(case((again, 1), else_=0)).label(f"a{months}"),
        ]
    per_person = (
        select(CitationViolation.ordinance_code.label("code"), *flags)
        .join(Citation, Citation.id == CitationViolation.citation_id)
        .where(*where, Citation.subject_dob.is_not(None))
        .group_by(CitationViolation.ordinance_code, Citation.subject_name_key, Citation.subject_dob)
        .subquery("per_person")
    )
    rows = session.execute(
        select(
            per_person.c.code,
            func.sum(per_person.c.m6),
            func.sum(per_person.c.a6),
            func.sum(per_person.c.m12),
            func.sum(per_person.c.a12),
        )
        .group_by(per_person.c.code)
        .order_by(per_person.c.code)
    ).all()
    return [
        RepeatRate(
            ordinance=code,
            title=titles.get(code, code),
            people=people6,
            people_12_months=people12,
            again_6_months=again6,
            again_12_months=again12,
            rate_6_months=_rate(again6, people6),
            rate_12_months=_rate(again12, people12),
        )
        for code, people6, again6, people12, again12 in (
            (code, int(m6 or 0), int(a6 or 0), int(m12 or 0), int(a12 or 0))
            for code, m6, a6, m12, a12 in rows
        )
        if people6 or people12
    ]


def _equity(session: Session, where: list[ColumnElement[bool]]) -> list[EquityRow]:
    alternatives = [
        S.SERVED.value,
        S.DIVERTED.value,
        S.ON_PLAN.value,
        S.WAIVED.value,
        S.IN_SERVICE.value,
        S.IN_DIVERSION.value,
    ]
    rows = []
    for dimension, column in (("area", Citation.area), ("language", Citation.preferred_language)):
        key = func.coalesce(column, "(none)")
        query = (
            select(
                key.label("v"),
                func.count(),
                func.sum(case((Citation.status == S.DELINQUENT.value, 1), else_=0)),
                func.sum(case((Citation.status == S.IN_COLLECTIONS.value, 1), else_=0)),
                func.sum(case((Citation.status.in_(alternatives), 1), else_=0)),
            )
            .where(*where)
            .group_by(key)
            .order_by(key)
        )
        for value, issued, delinquent, collections, alternative in session.execute(query).all():
            delinquent, collections, alternative = (
                int(x or 0) for x in (delinquent, collections, alternative)
            )
            rows.append(
                EquityRow(
                    dimension=dimension,
                    value=str(value),
                    issued=issued,
                    delinquent=delinquent,
                    in_collections=collections,
                    alternatives=alternative,
                    delinquency_rate=_rate(delinquent + collections, issued),
                    collections_rate=_rate(collections, issued),
                    alternatives_rate=_rate(alternative, issued),
                )
            )
    return rows
