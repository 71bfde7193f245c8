"""The report's summable figures from the daily aggregates: each is a SUM over the period's
aggregate rows, with the stale days (`citations.reports.aggregates.stale_days`) read from
the rows by the same queries that refresh them, so the figures equal the rows' at any time.

Sorting and grouping happen in SQL as in `citations.reports.compute`, so ties and the
database's collation order the lists alike both ways.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Date,
    Subquery,
    and_,
    case,
    cast,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from citations.calendar import local_at
from citations.hearings.tables import HearingOfficer
from citations.record.daily import (
    CITATIONS,
    INTAKE,
    ReportCitationDay,
    ReportIntakeDay,
    ReportMoneyDay,
    ReportOrderDay,
    ReportOrdinanceDay,
    ReportServiceDay,
)
from citations.record.tables import Citation, IntakeRecord
from citations.reports.aggregates import stale_days
from citations.reports.facts import (
    citation_facts,
    intake_facts,
    money_facts,
    order_facts,
    ordinance_facts,
    service_facts,
)
from citations.reports.model import Count, HearingOutcome, Outcome
from citations.reports.shapes import equity_row, hours_of, money_of, rate, reasons_with_examples

HEARING_OUTCOMES = ("upheld", "dismissed", "reduced", "default")


class Period:
    """The report's period and areas, and which of its days must be read from the rows."""

    def __init__(
        self, session: Session, start: date, end: date, areas: Sequence[str], zone: ZoneInfo
    ) -> None:
        self.session = session
        self.start, self.end, self.areas, self.zone = start, end, list(areas), zone
        self.stale = stale_days(session, CITATIONS, start, end)
        self.stale_intake = stale_days(session, INTAKE, start, end)

    def union(self, table: Any, facts: Any) -> Subquery:
        """The period's rows of `table` (its fresh days) and of `facts` (its stale days)."""
        names = [c.name for c in facts([]).selected_columns]
        kept = [table.day >= self.start, table.day <= self.end]
        if self.areas:
            kept.append(table.area.in_(self.areas))
        if self.stale:
            kept.append(table.day.not_in(self.stale))
        parts: list[Any] = [select(*(getattr(table, n) for n in names)).where(*kept)]
        if self.stale:
            live: list[ColumnElement[bool]] = [Citation.violation_date.in_(self.stale)]
            if self.areas:
                live.append(Citation.area.in_(self.areas))
            parts.append(facts(live))
        return union_all(*parts).subquery()

    def intake(self) -> Subquery:
        """The period's intake aggregates, with the stale local days read from the rows."""
        kept = [ReportIntakeDay.day >= self.start, ReportIntakeDay.day <= self.end]
        if self.areas:
            kept.append(ReportIntakeDay.area.in_(self.areas))
        if self.stale_intake:
            kept.append(ReportIntakeDay.day.not_in(self.stale_intake))
        names = ("day", "area", "outcome", "kind", "records")
        parts: list[Any] = [select(*(getattr(ReportIntakeDay, n) for n in names)).where(*kept)]
        if self.stale_intake:
            live = [self._instants(self.stale_intake)]
            if self.areas:
                live.append(IntakeRecord.area.in_(self.areas))
            parts.append(intake_facts(cast(null(), Date()), live))
        return union_all(*parts).subquery()

    def _instants(self, days: list[date]) -> ColumnElement[bool]:
        """Intake records whose violation falls on one of `days` (local), a range per run of
        consecutive days."""
        runs: list[list[date]] = []
        for day in days:
            if runs and runs[-1][-1] + timedelta(days=1) == day:
                runs[-1].append(day)
            else:
                runs.append([day])
        at = IntakeRecord.violation_at
        return or_(
            *(
                and_(
                    at >= local_at(run[0], time.min, self.zone),
                    at < local_at(run[-1] + timedelta(days=1), time.min, self.zone),
                )
                for run in runs
            )
        )


def month_of(column: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def citation_figures(period: Period, titles: dict[str, str]) -> dict[str, Any]:
    """Issued (in all, by month, area and ordinance), outcomes' counts, the closed count and
    the equity table's counts."""
    session = period.session
    u = period.union(ReportCitationDay, citation_facts).c
    total = func.sum(u.citations)
    issued = int(session.scalar(select(func.coalesce(total, 0))) or 0)
    month = month_of(u.day, session.get_bind().dialect.name)
    by_month = [
        Count(key=m, label=f"{calendar.month_abbr[int(m[5:7])]} {m[:4]}", count=int(n))
        for m, n in session.execute(select(month, total).group_by(month).order_by(month))
    ]
    area = func.coalesce(u.area, "(none)")
    by_area = [
        Count(key=str(k), label=str(k), count=int(n))
        for k, n in session.execute(select(area, total).group_by(area).order_by(total.desc(), area))
    ]
    outcomes = [
        (str(o), int(n))
        for o, n in session.execute(
            select(u.outcome, total).group_by(u.outcome).order_by(total.desc(), u.outcome)
        )
    ]
    closed = session.scalar(select(func.coalesce(func.sum(case((u.closed == 1, u.citations))), 0)))
    o = period.union(ReportOrdinanceDay, ordinance_facts).c
    by_ordinance = [
        Count(key=code, label=titles.get(code, code), count=int(n))
        for code, n in session.execute(
            select(o.ordinance_code, func.sum(o.citations))
            .group_by(o.ordinance_code)
            .order_by(func.sum(o.citations).desc(), o.ordinance_code)
        )
    ]
    equity = []
    for dimension, column in (("area", u.area), ("language", u.language)):
        key = func.coalesce(column, "(none)")

        def share(condition: ColumnElement[bool]) -> Any:
            return func.sum(case((condition, u.citations), else_=0))

        query = (
            select(
                key,
                total,
                share(u.outcome == "delinquent"),
                share(u.outcome == "in_collections"),
                share(u.alternative == 1),
            )
            .group_by(key)
            .order_by(key)
        )
        equity += [
            (dimension, str(v), int(n), int(d or 0), int(c or 0), int(a or 0))
            for v, n, d, c, a in session.execute(query)
        ]
    return {
        "issued": issued,
        "by_month": by_month,
        "by_area": by_area,
        "by_ordinance": by_ordinance,
        "outcomes": outcomes,
        "closed": int(closed or 0),
        "equity": equity,
    }


def money_cents(period: Period) -> dict[str, int]:
    """Ledger sums in cents by entry kind."""
    m = period.union(ReportMoneyDay, money_facts).c
    rows = period.session.execute(select(m.kind, func.sum(m.cents)).group_by(m.kind))
    return {kind: int(cents or 0) for kind, cents in rows}


def service_minutes(period: Period) -> int:
    s = period.union(ReportServiceDay, service_facts).c
    return int(period.session.scalar(select(func.coalesce(func.sum(s.minutes), 0))) or 0)


def hearing_outcomes(period: Period) -> list[HearingOutcome]:
    """Orders by tier, then by tier and hearing officer (by name, as the rows' report)."""
    h = period.union(ReportOrderDay, order_facts).c
    counts = [func.sum(case((h.outcome == o, h.orders), else_=0)) for o in HEARING_OUTCOMES]
    tiers = select(h.tier, *counts).group_by(h.tier).order_by(h.tier)
    officers = (
        select(h.tier, HearingOfficer.name, *counts)
        .join(HearingOfficer, HearingOfficer.id == h.officer_id)
        .group_by(h.tier, HearingOfficer.name)
        .order_by(h.tier, HearingOfficer.name)
    )
    result = []
    for tier, *figures in period.session.execute(tiers):
        result.append(_outcome_row(tier, None, figures))
    for tier, name, *figures in period.session.execute(officers):
        result.append(_outcome_row(tier, name, figures))
    return result


def _outcome_row(tier: str, officer: str | None, counts: list[Any]) -> HearingOutcome:
    figures = {name: int(n or 0) for name, n in zip(HEARING_OUTCOMES, counts, strict=True)}
    return HearingOutcome(tier=tier, hearing_officer=officer, **figures)


def intake_counts(period: Period) -> tuple[dict[str, int], dict[str, list[tuple[str, int]]]]:
    """Intake records by outcome, and by reason kind for each outcome (most first)."""
    i = period.intake().c
    total = func.sum(i.records)
    session = period.session
    by_outcome = {
        o: int(n) for o, n in session.execute(select(i.outcome, total).group_by(i.outcome))
    }
    kinds: dict[str, list[tuple[str, int]]] = {}
    by_kind = select(i.outcome, i.kind, total).group_by(i.outcome, i.kind)
    for outcome, kind, n in session.execute(by_kind.order_by(i.outcome, total.desc(), i.kind)):
        kinds.setdefault(outcome, []).append((kind, int(n)))
    return by_outcome, kinds


def summed_figures(
    period: Period, titles: dict[str, str], intake_period: list[ColumnElement[bool]]
) -> dict[str, Any]:
    """The report's counts and sums (the fields `ProgramReport` takes) from the aggregates.
    The reasons' examples are read from the period's newest intake records (`intake_period`
    selects them), as the rows' report does."""
    c = citation_figures(period, titles)
    intake, kinds = intake_counts(period)
    session = period.session
    return {
        "issued_total": c["issued"],
        "referred_total": intake.get("referred", 0),
        "declined_total": intake.get("declined", 0),
        "warnings_total": intake.get("warning", 0),
        "issued_by_ordinance": c["by_ordinance"],
        "issued_by_month": c["by_month"],
        "issued_by_area": c["by_area"],
        "referral_reasons": reasons_with_examples(
            session, intake_period, "referred", kinds.get("referred", [])
        ),
        "declined_reasons": reasons_with_examples(
            session, intake_period, "declined", kinds.get("declined", [])
        ),
        "outcomes": [
            Outcome(outcome=o, count=n, share=rate(n, c["issued"])) for o, n in c["outcomes"]
        ],
        "resolved_count": c["closed"],
        "money": money_of(money_cents(period)),
        "service_hours_completed": hours_of(service_minutes(period)),
        "hearing_outcomes": hearing_outcomes(period),
        "equity": [equity_row(*row) for row in c["equity"]],
    }
