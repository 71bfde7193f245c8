"""Daily processing as `citations process` and `POST /v1/processing` run it: the database's
upkeep, then the day's rules a chunk at a time, then the report's aggregates of the days they
changed. In that order, each in transactions of its own: next year's partitions are there
before the rules write, and the aggregates see what the rules committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from citations.database import transaction
from citations.payments.processing import ProcessReport, process_in_chunks
from citations.reports.aggregates import refresh
from citations.roles import Action, Actor
from citations.upkeep import Upkeep, upkeep


@dataclass
class DailyRun:
    report: ProcessReport
    upkeep: Upkeep


def run_daily(engine: Engine, *, as_of: date, actor: Actor, now: datetime) -> DailyRun:
    """The whole daily run for `as_of` (see `citations.payments.processing.process`)."""
    actor.require(Action.RUN_DAILY_PROCESSING)
    upkept = upkeep(engine, now)  # partitions and statistics, in short transactions
    # A chunk of citations per transaction: no payment or citation waits for the run.
    report = process_in_chunks(engine, as_of=as_of, actor=actor, now=now)
    with transaction(engine) as session:
        refresh(session, actor=actor)
    return DailyRun(report, upkept)
