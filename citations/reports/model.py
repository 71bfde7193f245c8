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
