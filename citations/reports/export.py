"""The report as CSV or JSON, carrying the same figures as the PDF.

CSV is long-format, one figure per row: `section, key, label, metric, value`, so a
spreadsheet or a statistics package reads it without knowing the report's shape.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from citations.reports.model import ExperimentResult, ProgramReport

FIELDS = ["section", "key", "label", "metric", "value"]


def report_json(report: ProgramReport) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False)


def report_rows(report: ProgramReport) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(section: str, key: str, label: str, metric: str, value: Any) -> None:
        rows.append(
            {
                "section": section,
                "key": key,
                "label": label,
                "metric": metric,
                "value": "" if value is None else str(value),
            }
        )

    for metric in (
        "issued_total",
        "referred_total",
        "declined_total",
        "warnings_total",
        "resolved_count",
        "days_to_resolution_median",
        "days_to_resolution_p90",
        "service_hours_completed",
    ):
        add("summary", metric, metric.replace("_", " "), metric, getattr(report, metric))
    for section in ("issued_by_ordinance", "issued_by_month", "issued_by_area"):
        for count in getattr(report, section):
            add(section, count.key, count.label, "count", count.count)
    for section in ("referral_reasons", "declined_reasons"):
        for reason in getattr(report, section):
            add(section, reason.kind, reason.kind, "count", reason.count)
    for outcome in report.outcomes:
        add("outcomes", outcome.outcome, outcome.outcome, "count", outcome.count)
        add("outcomes", outcome.outcome, outcome.outcome, "share", outcome.share)
    for metric, value in report.money.model_dump().items():
        add("money", metric, metric.replace("_", " "), "amount", value)
    for row in report.hearing_outcomes:
        key = f"{row.tier}:{row.hearing_officer or 'all'}"
        for metric in ("upheld", "dismissed", "reduced", "default"):
            add(
                "hearing_outcomes",
                key,
                row.hearing_officer or f"all {row.tier}s",
                metric,
                getattr(row, metric),
            )
    for rate in report.repeat_rates:
        for metric in (
            "people",
            "people_12_months",
            "again_6_months",
            "again_12_months",
            "rate_6_months",
            "rate_12_months",
        ):
            add("repeat_rates", rate.ordinance, rate.title, metric, getattr(rate, metric))
    for equity in report.equity:
        for metric in (
            "issued",
            "delinquent",
            "in_collections",
            "alternatives",
            "delinquency_rate",
            "collections_rate",
            "alternatives_rate",
        ):
            add(
                f"equity_by_{equity.dimension}",
                equity.value,
                equity.value,
                metric,
                getattr(equity, metric),
            )
    for result in report.experiments:
        _experiment_rows(result, add)
    return rows


def _experiment_rows(
    result: ExperimentResult, add: Callable[[str, str, str, str, Any], None]
) -> None:
    """The reminders experiment: each arm's counts (`experiment:arm`), each outcome's count,
    denominator and share (`experiment:arm:outcome`), reminders sent by channel
    (`experiment:arm:channel`), and each arm's difference from the comparison arm with its
    interval and verdict (`experiment:arm:outcome`, section reminders_differences)."""
    for arm in result.arms:
        key = f"{result.experiment}:{arm.arm}"
        for metric in ("issued", "past_deadline", "had_hearing"):
            add("reminders_arms", key, arm.arm, metric, getattr(arm, metric))
        for f in arm.figures:
            for metric in ("count", "of", "share"):
                add(
                    "reminders_outcomes",
                    f"{key}:{f.outcome}",
                    f.outcome,
                    metric,
                    getattr(f, metric),
                )
        for sent in arm.sent:
            add("reminders_sent", f"{key}:{sent.key}", sent.label, "count", sent.count)
    for d in result.differences:
        key = f"{result.experiment}:{d.arm}:{d.outcome}"
        label = f"{d.arm} against {result.comparison}: {d.outcome}"
        for metric in ("difference", "low", "high", "verdict"):
            add("reminders_differences", key, label, metric, getattr(d, metric))


def report_csv(report: ProgramReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report_rows(report))
    return out.getvalue()
