"""The program report's figures, as typed values: computed in SQL (`citations.reports.compute`),
rendered as PDF with charts (`citations.reports.render`), CSV or JSON."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class ReportModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class Count(ReportModel):
    key: str
    """An ordinance code, a month (YYYY-MM), an area, a language, a reason..."""
    label: str
    """What a reader sees: the ordinance title, the month's name, the area..."""
    count: int


class ReasonCount(ReportModel):
    kind: str
    """criminal_only, under_age, too_many_priors, screening, declined, other."""
    count: int
    examples: list[str]
    """Up to three reasons as recorded, for the reader to see what lies behind the count."""


class Outcome(ReportModel):
    outcome: str
    """paid, paid_by_plan, served, diverted, dismissed, reduced, waived, voided, delinquent,
    in_collections, open."""
    count: int
    share: Decimal
    """Of citations issued in the period, 0 to 1 (4 decimals)."""


class Money(ReportModel):
    assessed: Decimal
    """Fines assessed and corrected, penalties and fees."""
    collected: Decimal
    """Payments and deposits, less reversals and refunds."""
    waived: Decimal
    """Waivers and ability-to-pay adjustments."""
    reduced: Decimal
    """Reductions, dismissals and voids."""
    converted_to_service: Decimal
    outstanding: Decimal


class HearingOutcome(ReportModel):
    tier: str
    """review or hearing."""
    hearing_officer: str | None
    """None for the totals of a tier."""
    upheld: int
    dismissed: int
    reduced: int
    default: int


class RepeatRate(ReportModel):
    ordinance: str
    title: str
    people: int
    """People cited for it in the period whose 6-month follow-up window has fully passed."""
    people_12_months: int = 0
    """The same for the 12-month window (the denominator of `rate_12_months`)."""
    again_6_months: int
    again_12_months: int
    rate_6_months: Decimal
    rate_12_months: Decimal


class EquityRow(ReportModel):
    dimension: str
    """area or language."""
    value: str
    issued: int
    delinquent: int
    in_collections: int
    alternatives: int
    """Served, diverted, on a plan, or relieved for inability to pay."""
    delinquency_rate: Decimal
    collections_rate: Decimal
    alternatives_rate: Decimal


class ArmFigure(ReportModel):
    """One outcome of one arm of the reminders experiment: how many, of how many."""

    outcome: str
    """responded, paid, contested, asked_for_help (each by the notice's pay-by date),
    defaulted, came_to_hearing, in_collections."""
    count: int
    of: int
    """The outcome's denominator: the arm's citations past their deadline (the four "by the
    deadline" outcomes), those that had a hearing (came_to_hearing), or all of the arm's."""
    share: Decimal | None
    """`count` of `of`, 0 to 1 (4 decimals); None when `of` is 0."""


class ExperimentArm(ReportModel):
    arm: str
    share: int | None
    """Percent of the citations drawn into it, as the profile says; None when the profile no
    longer describes the experiment."""
    reminders: bool | None
    """False for an arm that gets no reminders; None when the profile does not say."""
    wording: str | None
    issued: int
    past_deadline: int
    """Citations whose notice's pay-by date has passed (by the report's time)."""
    had_hearing: int
    """Citations with a hearing held or missed."""
    figures: list[ArmFigure]
    sent: list[Count]
    """Reminders sent, by channel (key text, email or letter)."""


class ArmDifference(ReportModel):
    """An arm's share of one outcome against the comparison arm's, with its 95% confidence
    interval (Newcombe's hybrid score interval; `citations.reports.intervals`)."""

    arm: str
    outcome: str
    difference: Decimal | None
    """The arm's share minus the comparison arm's, -1 to 1 (4 decimals)."""
    low: Decimal | None
    high: Decimal | None
    verdict: str
    """clear (the interval leaves zero out), not_clear, or too_few (under 30 in an arm)."""


class ExperimentResult(ReportModel):
    """The reminders experiment's section: each arm's figures, and each arm against the
    comparison arm."""

    experiment: str
    starts: date | None
    ends: date | None
    """The issue days the profile gives it (None when it does not describe it any more)."""
    comparison: str
    """The arm the others are compared with: the one without reminders, or the first."""
    arms: list[ExperimentArm]
    differences: list[ArmDifference]


class ProgramReport(ReportModel):
    jurisdiction_name: str
    currency: str
    locale: str
    start: date
    end: date
    areas: list[str]
    """The areas the report is limited to; empty for all."""
    generated_at: datetime
    issued_total: int
    referred_total: int
    declined_total: int
    warnings_total: int
    issued_by_ordinance: list[Count]
    issued_by_month: list[Count]
    issued_by_area: list[Count]
    referral_reasons: list[ReasonCount]
    declined_reasons: list[ReasonCount]
    outcomes: list[Outcome]
    days_to_resolution_median: Decimal | None
    days_to_resolution_p90: Decimal | None
    resolved_count: int
    money: Money
    service_hours_completed: Decimal
    hearing_outcomes: list[HearingOutcome]
    repeat_rates: list[RepeatRate]
    equity: list[EquityRow]
    experiments: list[ExperimentResult] = []
    """The reminders experiment (the profile's, or each one found in the period when the
    profile runs none now); empty when there is none."""
