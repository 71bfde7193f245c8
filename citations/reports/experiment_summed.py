"""The reminders experiment's figures summed from its daily aggregates
(`citations.reports.experiment_days`), the period's stale days read from the rows: each
service day's deadline worked out in Python (`evidence.deadline_rows`), joined as a small
VALUES table, and the counts summed whose event dates fall on or before it."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    and_,
    case,
    column,
    false,
    func,
    or_,
    select,
    values,
)

from citations.record.daily import ReportExperimentDay, ReportReminderDay
from citations.reports.evidence import assemble, deadline_rows
from citations.reports.experiment_days import experiment_facts, reminder_facts
from citations.reports.model import Count, ExperimentResult
from citations.reports.summed import Period
from ordinances.models import Experiment, Jurisdiction


def experiment_figures(
    period: Period, profile: Jurisdiction, now: datetime
) -> list[ExperimentResult]:
    """`evidence.experiment_results` from the aggregates (the period's stale days from the
    rows)."""
    session = period.session
    facts = partial(experiment_facts, zone=period.zone)
    counted = period.union(ReportExperimentDay, facts)
    sent = period.union(ReportReminderDay, reminder_facts)
    configured = profile.reminders.experiment
    described: list[tuple[str, Experiment | None]]
    if configured is not None:
        described = [(configured.id, configured)]
    else:
        found = session.scalars(
            select(counted.c.experiment).distinct().order_by(counted.c.experiment)
        ).all()
        described = [(name, None) for name in found if name]
    return [
        assemble(
            name, about, _counts(period, counted, name, profile, now), _sent(period, sent, name)
        )
        for name, about in described
    ]


def _counts(
    period: Period, counted: Any, name: str, profile: Jurisdiction, now: datetime
) -> dict[str, dict[str, int]]:
    """Each arm's counts, as `evidence._counts` gives them from the rows."""
    session = period.session
    u = counted.c
    served = session.scalars(
        select(u.served_on).distinct().where(u.experiment == name, u.served_on.is_not(None))
    ).all()
    rows = [
        (day, pay_by, 1 if until <= now else 0)
        for day, pay_by, until in deadline_rows([d for d in served if d is not None], profile)
    ]
    arm = func.coalesce(u.arm, "(none)").label("arm")
    query: Any = select(arm)
    if rows:
        deadlines = (
            values(
                column("served", Date()),
                column("pay_by", Date()),
                column("due", Integer()),
                name="deadlines",
            )
            .data(rows)
            .cte("deadlines")  # SQLite names a VALUES table's columns only through a CTE
        )
        d = deadlines.c
        query = query.select_from(counted).outerjoin(deadlines, d.served == u.served_on)
        due: ColumnElement[bool] = d.due == 1
        pay_by: Any = d.pay_by
    else:
        query = query.select_from(counted)
        due, pay_by = false(), u.served_on  # no citation is served: none is due

    def by_deadline(on: Any) -> ColumnElement[bool]:
        return and_(on.is_not(None), on <= pay_by)

    def total(condition: ColumnElement[bool]) -> Any:
        return func.sum(case((condition, u.citations), else_=0))

    responded = or_(*(by_deadline(on) for on in (u.paid_on, u.contested_on, u.helped_on)))
    columns = {
        "issued": func.sum(u.citations),
        "past_deadline": total(due),
        "responded": total(and_(due, responded)),
        "paid": total(and_(due, by_deadline(u.paid_on))),
        "contested": total(and_(due, by_deadline(u.contested_on))),
        "asked_for_help": total(and_(due, by_deadline(u.helped_on))),
        "defaulted": total(u.defaulted == 1),
        "had_hearing": total(u.heard == 1),
        "came_to_hearing": total(and_(u.heard == 1, u.missed == 0)),
        "in_collections": total(u.collections == 1),
    }
    query = query.add_columns(*columns.values()).where(u.experiment == name)
    query = query.group_by(arm).order_by(arm)
    return {
        row[0]: {key: int(value or 0) for key, value in zip(columns, row[1:], strict=True)}
        for row in session.execute(query)
    }


def _sent(period: Period, sent: Any, name: str) -> dict[str, list[Count]]:
    """Reminders sent to each arm's citations, by channel, as `evidence._sent` gives them."""
    s = sent.c
    arm = func.coalesce(s.arm, "(none)")
    query = (
        select(arm, s.channel, func.sum(s.messages))
        .where(s.experiment == name)
        .group_by(arm, s.channel)
        .order_by(arm, s.channel)
    )
    by_arm: dict[str, list[Count]] = {}
    for key, channel, count in period.session.execute(query):
        by_arm.setdefault(key, []).append(Count(key=channel, label=channel, count=int(count)))
    return by_arm
