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
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    null,
    select,
)
from sqlalchemy.orm import Session

from citations.calendar import local_at, zone_of
from citations.catalog.store import PublishedCatalog
from citations.hearings.tables import DocketSession, Hearing, HearingOfficer, Order
from citations.payments.tables import (
    ServiceAssignment,
    ServiceHours,
)
from citations.record.daily import ReportRepeatDay, ReportResolutionDay
from citations.record.ledger import LedgerEntry
from citations.record.repeats import months_later
from citations.record.status import CitationStatus
from citations.record.tables import Citation, CitationViolation, IntakeRecord
from citations.reports.evidence import experiment_results
from citations.reports.experiment_summed import experiment_figures
from citations.reports.facts import chose_alternative as alternative_expression
from citations.reports.facts import outcome as outcome_expression
from citations.reports.facts import reason_kind
from citations.reports.model import (
    Count,
    EquityRow,
    ExperimentResult,
    HearingOutcome,
    Money,
    Outcome,
    ProgramReport,
    ReasonCount,
    RepeatRate,
)
from citations.reports.repeated import repeat_facts, repeat_rates
from citations.reports.resolution import (
    resolution_facts,
    resolution_from_histogram,
    resolution_from_rows,
)
from citations.reports.shapes import (
    equity_row,
    hours_of,
    money_of,
    rate,
    reasons_with_examples,
    repeat_rate,
)
from citations.reports.summed import Period, summed_figures
from citations.roles import Action, Actor

S = CitationStatus
FOUR = Decimal("0.0001")


_rate = rate

Source = Literal["aggregates", "rows"]


def compute_report(
    session: Session,
    start: date,
    end: date,
    *,
    areas: Sequence[str] = (),
    actor: Actor,
    now: datetime | None = None,
    source: Source = "aggregates",
) -> ProgramReport:
    """The program report for violations dated `start` to `end` (inclusive, local dates).

    Its counts and sums come from the daily aggregates (`source="aggregates"`, their stale
    days read from the rows) or all from the rows (`"rows"`): the figures are the same; the
    aggregates only make them faster. The resolution percentiles come from a histogram and
    the rows of the bucket each falls in (`citations.reports.resolution`), the repeat rates
    from keyed daily counts (`citations.reports.repeated`; within areas, from the rows), the
    reminders experiment from counts keyed by dates (`citations.reports.experiment_summed`)."""
    actor.require(Action.READ_PROGRAM_REPORT)
    profile = PublishedCatalog(session).jurisdiction()
    zone = zone_of(profile)
    in_period: list[ColumnElement[bool]] = [
        Citation.violation_date >= start,
        Citation.violation_date <= end,
    ]
    if areas:
        in_period.append(Citation.area.in_(list(areas)))
    since = local_at(start, time.min, zone)
    until = local_at(end + timedelta(days=1), time.min, zone)
    intake_period: list[ColumnElement[bool]] = [
        IntakeRecord.violation_at >= since,
        IntakeRecord.violation_at < until,
    ]
    if areas:
        intake_period.append(IntakeRecord.area.in_(list(areas)))
    titles = _titles(PublishedCatalog(session), end, profile.notice_languages[0])
    generated = now or datetime.now(UTC)
    resolved: dict[str, Decimal | None]
    repeats: list[RepeatRate] | None = None
    experiments: list[ExperimentResult]
    if source == "aggregates":
        period = Period(session, start, end, areas, zone)
        figures = summed_figures(period, titles, intake_period)
        histogram = period.union(ReportResolutionDay, resolution_facts)
        resolved = resolution_from_histogram(
            session, histogram, in_period, figures["resolved_count"]
        )
        if not areas:  # within areas, a person's first citation is read from the rows
            repeat_days = period.union(ReportRepeatDay, repeat_facts)
            repeats = repeat_rates(session, repeat_days, start, end, titles)
        experiments = experiment_figures(period, profile, generated)
    else:
        figures = _row_figures(session, in_period, intake_period, titles)
        resolved = resolution_from_rows(session, in_period, figures["resolved_count"])
        experiments = experiment_results(session, in_period, profile, generated)
    if repeats is None:
        repeats = _repeats(session, in_period, titles, end)
    return ProgramReport(
        jurisdiction_name=profile.name,
        currency=profile.currency,
        locale=profile.locale,
        start=start,
        end=end,
        areas=list(areas),
        generated_at=generated,
        **figures,
        **resolved,
        repeat_rates=repeats,
        experiments=experiments,
    )


def _row_figures(
    session: Session,
    in_period: list[ColumnElement[bool]],
    intake_period: list[ColumnElement[bool]],
    titles: dict[str, str],
) -> dict[str, Any]:
    """The figures `summed_figures` gives from the aggregates, each an aggregate query over
    the period's rows."""
    issued = session.scalar(select(func.count()).select_from(Citation).where(*in_period)) or 0
    intake_counts = dict(
        session.execute(
            select(IntakeRecord.outcome, func.count())
            .where(*intake_period)
            .group_by(IntakeRecord.outcome)
        ).all()
    )
    resolved = session.scalar(
        select(func.count())
        .select_from(Citation)
        .where(*in_period, Citation.closed_at.is_not(None))
    )
    return {
        "issued_total": issued,
        "referred_total": int(intake_counts.get("referred", 0)),
        "declined_total": int(intake_counts.get("declined", 0)),
        "warnings_total": int(intake_counts.get("warning", 0)),
        "issued_by_ordinance": _by_ordinance(session, in_period, titles),
        "issued_by_month": _by_month(session, in_period),
        "issued_by_area": _by(session, in_period, func.coalesce(Citation.area, "(none)")),
        "referral_reasons": _reasons(session, intake_period, "referred"),
        "declined_reasons": _reasons(session, intake_period, "declined"),
        "outcomes": _outcomes(session, in_period, issued),
        "resolved_count": int(resolved or 0),
        "money": _money(session, in_period),
        "service_hours_completed": _service_hours(session, in_period),
        "hearing_outcomes": _hearings(session, in_period),
        "equity": _equity(session, in_period),
    }


def _titles(catalog: PublishedCatalog, end: date, language: str) -> dict[str, str]:
    """Each ordinance's title, for every ordinance published: one repealed before `end` was
    still cited in the period, and its rows need their title too."""
    effect = catalog.in_effect(end)
    titles = {n.code: n.title.get(language, n.code) for n in effect.not_in_force}
    titles.update({o.code: o.title.get(language, o.code) for o in effect.in_force})
    return titles


def _by(session: Session, where: list[ColumnElement[bool]], key: Any) -> list[Count]:
    # Ties are broken by the key, so every backend and every run lists them alike.
    rows = session.execute(
        select(key.label("k"), func.count())
        .where(*where)
        .group_by(key)
        .order_by(func.count().desc(), key)
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
    kind = reason_kind(outcome)
    rows = session.execute(
        select(kind.label("kind"), func.count())
        .where(*where, IntakeRecord.outcome == outcome)
        .group_by(kind)
        .order_by(func.count().desc(), kind)
    ).all()
    return reasons_with_examples(session, where, outcome, [(k, n) for k, n in rows])


def _outcomes(session: Session, where: list[ColumnElement[bool]], issued: int) -> list[Outcome]:
    outcome = outcome_expression()
    rows = session.execute(
        select(outcome.label("o"), func.count())
        .where(*where)
        .group_by(outcome)
        .order_by(func.count().desc(), outcome)
    ).all()
    return [Outcome(outcome=o, count=n, share=_rate(n, issued)) for o, n in rows]


def _money(session: Session, where: list[ColumnElement[bool]]) -> Money:
    rows = session.execute(
        select(LedgerEntry.kind, func.sum(LedgerEntry.amount_cents))
        .join(Citation, Citation.id == LedgerEntry.citation_id)
        .where(*where)
        .group_by(LedgerEntry.kind)
    )
    return money_of(dict(rows.all()))


def _service_hours(session: Session, where: list[ColumnElement[bool]]) -> Decimal:
    minutes = session.scalar(
        select(func.coalesce(func.sum(ServiceHours.minutes), 0))
        .join(ServiceAssignment, ServiceAssignment.id == ServiceHours.assignment_id)
        .join(Citation, Citation.id == ServiceAssignment.citation_id)
        .where(*where, ServiceHours.signed_off_by.is_not(None))
    )
    return hours_of(int(minutes or 0))


HEARING_OUTCOMES = ("upheld", "dismissed", "reduced", "default")


def _hearings(session: Session, where: list[ColumnElement[bool]]) -> list[HearingOutcome]:
    """Orders by tier, then hearing orders by hearing officer. A default that was set aside
    is not an outcome: the hearing held afterwards decided the case."""
    counts = [func.sum(case((Order.outcome == o, 1), else_=0)) for o in HEARING_OUTCOMES]
    standing = [*where, Order.set_aside_at.is_(None)]
    tiers = (
        select(Order.tier, null().label("officer"), *counts)
        .join(Citation, Citation.id == Order.citation_id)
        .where(*standing)
        .group_by(Order.tier)
        .order_by(Order.tier)
    )
    officers = (
        select(Order.tier, HearingOfficer.name, *counts)
        .join(Citation, Citation.id == Order.citation_id)
        .join(Hearing, Hearing.id == Order.hearing_id)
        .join(DocketSession, DocketSession.id == Hearing.session_id)
        .join(HearingOfficer, HearingOfficer.id == DocketSession.officer_id)
        .where(*standing)
        .group_by(Order.tier, HearingOfficer.name)
        .order_by(Order.tier, HearingOfficer.name)
    )
    return [_hearing_outcome(*row) for query in (tiers, officers) for row in session.execute(query)]


def _hearing_outcome(tier: str, officer: str | None, *counts: int | None) -> HearingOutcome:
    """One row of the hearings table: a tier's totals (no officer) or one officer's."""
    figures = {name: int(n or 0) for name, n in zip(HEARING_OUTCOMES, counts, strict=True)}
    return HearingOutcome(tier=tier, hearing_officer=officer, **figures)


def _repeats(
    session: Session, where: list[ColumnElement[bool]], titles: dict[str, str], end: date
) -> list[RepeatRate]:
    """Of the people cited for each ordinance, how many were cited again (for anything, on a
    later day) within 6 and 12 months. Only citations whose follow-up window has fully passed
    by the report's end date are counted, so recent citations do not lower the rate. Voided
    citations (issued in error) count neither as citations nor as someone's next one.

    One pass over the period's violations: each citation carries the person's next citation
    day (citations.record.repeats keeps it).
    """
    dialect = session.get_bind().dialect.name
    next_day = Citation.next_citation_date
    # Flags per (ordinance, person) first, then sums: cheaper than COUNT(DISTINCT ...).
    flags: list[Any] = []
    for months in (6, 12):
        matured = months_later(Citation.violation_date, months, dialect) <= end
        again = and_(
            matured,
            next_day.is_not(None),
            next_day <= months_later(Citation.violation_date, months, dialect),
        )
        flags += [
            func.max(case((matured, 1), else_=0)).label(f"m{months}"),
            func.max(case((again, 1), else_=0)).label(f"a{months}"),
        ]
    per_person = (
        select(CitationViolation.ordinance_code.label("code"), *flags)
        .join(Citation, Citation.id == CitationViolation.citation_id)
        .where(
            *where,
            Citation.subject_dob.is_not(None),
            Citation.status != S.VOIDED.value,
        )
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
    rates = [repeat_rate(code, titles.get(code, code), figures) for code, *figures in rows]
    return [found for found in rates if found.people or found.people_12_months]


def _equity(session: Session, where: list[ColumnElement[bool]]) -> list[EquityRow]:
    """Delinquency, collections and alternatives side by side. An alternative counts whether
    under way or completed: a plan paid off or relief for inability to pay stays one."""
    chose_alternative = alternative_expression()
    rows = []
    for dimension, column in (("area", Citation.area), ("language", Citation.preferred_language)):
        key = func.coalesce(column, "(none)")
        query = (
            select(
                key.label("v"),
                func.count(),
                func.sum(case((Citation.status == S.DELINQUENT.value, 1), else_=0)),
                func.sum(case((Citation.status == S.IN_COLLECTIONS.value, 1), else_=0)),
                func.sum(case((chose_alternative, 1), else_=0)),
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
                equity_row(dimension, str(value), issued, delinquent, collections, alternative)
            )
    return rows
