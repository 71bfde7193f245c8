"""What the report counts, as SQL over the rows, grouped the way the daily aggregates keep it.

Each `*_facts` query gives the rows of one aggregate table (`citations.record.daily`) for the
citations (or intake records) that `where` selects: refreshing a day inserts them, and the
report reads a stale day straight from them. The report computed from the rows
(`citations.reports.compute`) uses the same expressions (`outcome`, `chose_alternative`,
`reason_kind`), so both ways classify a citation alike.

>>> from datetime import date
>>> query = citation_facts([Citation.violation_date == date(2026, 1, 5)])
>>> [c.name for c in query.selected_columns]
['day', 'area', 'language', 'outcome', 'alternative', 'closed', 'citations']
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)

from citations.hearings.tables import DocketSession, Hearing, Order
from citations.payments.tables import (
    AbilityRequest,
    PaymentPlan,
    ServiceAssignment,
    ServiceHours,
)
from citations.record.ledger import LedgerEntry
from citations.record.status import CitationStatus
from citations.record.tables import Citation, CitationViolation, IntakeRecord

S = CitationStatus

REASON_KINDS: list[tuple[str, str]] = [
    ("criminal_only", "%is criminal only%"),
    ("under_age", "%under the minimum age%"),
    ("too_many_priors", "%prior citations within%"),
    ("screening", "%The officer answered%"),
]

ALTERNATIVES = [
    S.SERVED.value,
    S.DIVERTED.value,
    S.WAIVED.value,
    S.ON_PLAN.value,
    S.IN_SERVICE.value,
    S.IN_DIVERSION.value,
]
"""Statuses of a citation on (or through) an alternative to paying the fine at once."""


def planned() -> ColumnElement[bool]:
    return exists().where(PaymentPlan.citation_id == Citation.id, PaymentPlan.status == "completed")


def relieved() -> ColumnElement[bool]:
    return exists().where(
        AbilityRequest.citation_id == Citation.id, AbilityRequest.qualifies.is_(True)
    )


def outcome() -> Any:
    """What became of a citation, as one SQL expression (the outcomes' names)."""
    was_planned, was_relieved = planned(), relieved()
    reduced = exists().where(Order.citation_id == Citation.id, Order.outcome == "reduced")
    return case(
        (and_(Citation.status == S.PAID.value, was_planned), "paid_by_plan"),
        (and_(Citation.status == S.PAID.value, was_relieved), "paid_reduced_for_inability"),
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


def chose_alternative() -> ColumnElement[bool]:
    """On an alternative, under way or completed: a plan paid off or relief for inability to
    pay stays one (the outcomes paid_by_plan and paid_reduced_for_inability, without the
    whole CASE, which more than doubled the equity query's time on PostgreSQL)."""
    return or_(
        Citation.status.in_(ALTERNATIVES),
        and_(Citation.status == S.PAID.value, or_(planned(), relieved())),
    )


def reason_kind(outcome_name: str) -> Any:
    """The kind of an intake record's reasons: `declined` for a declined case, else the first
    of `REASON_KINDS` its reasons mention, else `other`."""
    if outcome_name == "declined":
        return literal("declined")
    text = cast(IntakeRecord.reasons, Text())
    return case(*[(text.like(p), literal(k)) for k, p in REASON_KINDS], else_=literal("other"))


def citation_facts(where: list[ColumnElement[bool]]) -> Any:
    """Citations by day, area, language, outcome, alternative (0/1) and closed (0/1)."""
    each = select(
        Citation.violation_date.label("day"),
        Citation.area.label("area"),
        Citation.preferred_language.label("language"),
        outcome().label("outcome"),
        case((chose_alternative(), 1), else_=0).label("alternative"),
        case((Citation.closed_at.is_not(None), 1), else_=0).label("closed"),
    ).where(*where)
    c = each.subquery("each_citation").c
    keys = (c.day, c.area, c.language, c.outcome, c.alternative, c.closed)
    return select(*keys, func.count().label("citations")).group_by(*keys)


def ordinance_facts(where: list[ColumnElement[bool]]) -> Any:
    """Citations by day, area and ordinance (a citation names an ordinance at most once)."""
    keys = (
        Citation.violation_date.label("day"),
        Citation.area.label("area"),
        CitationViolation.ordinance_code.label("ordinance_code"),
    )
    return (
        select(*keys, func.count().label("citations"))
        .join(Citation, Citation.id == CitationViolation.citation_id)
        .where(*where)
        .group_by(Citation.violation_date, Citation.area, CitationViolation.ordinance_code)
    )


def money_facts(where: list[ColumnElement[bool]]) -> Any:
    """Ledger sums in cents by day, area and entry kind."""
    return (
        select(
            Citation.violation_date.label("day"),
            Citation.area.label("area"),
            LedgerEntry.kind.label("kind"),
            func.sum(LedgerEntry.amount_cents).label("cents"),
        )
        .join(Citation, Citation.id == LedgerEntry.citation_id)
        .where(*where)
        .group_by(Citation.violation_date, Citation.area, LedgerEntry.kind)
    )


def service_facts(where: list[ColumnElement[bool]]) -> Any:
    """Service minutes signed off, by day and area."""
    return (
        select(
            Citation.violation_date.label("day"),
            Citation.area.label("area"),
            func.sum(ServiceHours.minutes).label("minutes"),
        )
        .join(ServiceAssignment, ServiceAssignment.id == ServiceHours.assignment_id)
        .join(Citation, Citation.id == ServiceAssignment.citation_id)
        .where(*where, ServiceHours.signed_off_by.is_not(None))
        .group_by(Citation.violation_date, Citation.area)
    )


def order_facts(where: list[ColumnElement[bool]]) -> Any:
    """Standing orders by day, area, tier, outcome and the officer of their hearing's
    session (None when the order has no hearing)."""
    keys = (Citation.violation_date, Citation.area, Order.tier, Order.outcome)
    return (
        select(
            keys[0].label("day"),
            keys[1].label("area"),
            keys[2].label("tier"),
            keys[3].label("outcome"),
            DocketSession.officer_id.label("officer_id"),
            func.count().label("orders"),
        )
        .join(Citation, Citation.id == Order.citation_id)
        .outerjoin(Hearing, Hearing.id == Order.hearing_id)
        .outerjoin(DocketSession, DocketSession.id == Hearing.session_id)
        .where(*where, Order.set_aside_at.is_(None))
        .group_by(*keys, DocketSession.officer_id)
    )


def intake_facts(day: Any, where: list[ColumnElement[bool]]) -> Any:
    """Intake records by area, outcome and reason kind, with `day` as their day (the caller
    selects one local day's records, or gives a NULL day for a period's)."""
    kind = case(
        (IntakeRecord.outcome == "declined", literal("declined")),
        else_=reason_kind("referred"),
    )
    each = select(
        IntakeRecord.area.label("area"),
        IntakeRecord.outcome.label("outcome"),
        kind.label("kind"),
    ).where(*where)
    c = each.subquery("each_record").c
    keys = (c.area, c.outcome, c.kind)
    return select(day.label("day"), *keys, func.count().label("records")).group_by(*keys)
