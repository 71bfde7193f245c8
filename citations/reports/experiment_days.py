"""The reminders experiment's figures (`citations.reports.evidence`) from daily aggregates,
equal to the rows'.

What an arm's figures count depends on the notice's deadline, which depends on the report's
time (`now`: is the deadline past?) and on the city's calendar as it is then (holidays and
closures move it). Neither is known when a day's aggregates are written, so the aggregate
keeps, for the citations of a violation day, area, experiment and arm, the keys from which
any deadline can be applied later:

- `served_on`: the service day, from which the report works out the deadline in Python
  (`evidence.deadline_rows`, once per distinct service day: a few hundred a year);
- `paid_on`, `contested_on`, `helped_on`: the local date of the citation's first payment in
  full (not reversed), contest request and request for help. The rows' report counts an
  event when it came before the end of the pay-by day on the city's clock, that is exactly
  when its local date is on or before the pay-by date; so the report sums the counts whose
  date is `<= pay_by` (NULL: never happened);
- `defaulted`, `heard`, `missed`, `collections` (0/1), which no deadline touches.

A day keeps one row per combination, not per citation: its citations' first events fall on
few dates. The reminders sent are kept by day, area, experiment, arm and channel
(`report_reminder_days`). The report sums both in `citations.reports.experiment_summed`.
Migration 0023's triggers mark a citation's day stale when any of this changes: its service
day, experiment or arm, or a row of a table an event is read from.

>>> query = experiment_facts([], ZoneInfo("America/Los_Angeles"))
>>> [c.name for c in query.selected_columns][:6]
['day', 'area', 'experiment', 'arm', 'served_on', 'paid_on']
"""

from __future__ import annotations

from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    case,
    func,
    select,
)

from citations.record.daily import ReportExperimentDay, ReportReminderDay
from citations.record.messages import MessageStatus, OutboxMessage
from citations.record.tables import Citation
from citations.reports.evidence import event_tables
from citations.reports.local_dates import LocalDate

FLAGS = ("defaulted", "heard", "missed", "collections")


def experiment_facts(where: list[ColumnElement[bool]], zone: ZoneInfo) -> Any:
    """The experiment's citations that `where` selects, counted by day and the keys above."""
    selected = [*where, Citation.experiment.is_not(None)]
    events = event_tables(select(Citation.id).where(*selected))
    query: Any = select(
        Citation.violation_date.label("day"),
        Citation.area.label("area"),
        Citation.experiment.label("experiment"),
        Citation.arm.label("arm"),
        Citation.served_on.label("served_on"),
    ).where(*selected)
    for event in events.values():
        query = query.outerjoin(event, event.c.citation_id == Citation.id)
    e = {name: event.c for name, event in events.items()}
    query = query.add_columns(
        LocalDate(e["paid"].at, zone.key).label("paid_on"),
        LocalDate(e["contested"].at, zone.key).label("contested_on"),
        LocalDate(e["helped"].at, zone.key).label("helped_on"),
        case((e["defaulted"].at.is_not(None), 1), else_=0).label("defaulted"),
        case((e["hearings"].missed.is_not(None), 1), else_=0).label("heard"),
        case((e["hearings"].missed == 1, 1), else_=0).label("missed"),
        case((e["collections"].at.is_not(None), 1), else_=0).label("collections"),
    )
    each = query.subquery("each_citation").c
    keys: list[Any] = [getattr(each, c.name) for c in query.selected_columns]
    return select(*keys, func.count().label("citations")).group_by(*keys)


def reminder_facts(where: list[ColumnElement[bool]]) -> Any:
    """Reminders sent to the experiment's citations that `where` selects, by day, area,
    experiment, arm and channel."""
    keys: list[Any] = [
        Citation.violation_date.label("day"),
        Citation.area.label("area"),
        Citation.experiment.label("experiment"),
        Citation.arm.label("arm"),
        OutboxMessage.channel.label("channel"),
    ]
    return (
        select(*keys, func.count().label("messages"))
        .join(Citation, Citation.id == OutboxMessage.citation_id)
        .where(
            *where,
            Citation.experiment.is_not(None),
            OutboxMessage.status == MessageStatus.SENT.value,
        )
        .group_by(*keys)
    )


def tables_of(zone: ZoneInfo) -> list[tuple[Any, Any]]:
    """The aggregate tables of this module with the query of their rows (`where` only)."""
    return [
        (ReportExperimentDay, partial(experiment_facts, zone=zone)),
        (ReportReminderDay, reminder_facts),
    ]
