"""The reminders experiment's figures, computed in the database: for each arm, how many
responded by the notice's deadline (paid in full, contested, or asked for help), defaulted,
came to their hearing and ended in collections, and how many reminders were sent; then each
arm against the comparison arm, with a 95% confidence interval (`intervals`).

Every figure is one aggregate query over the arm's citations. The notice's deadline is the
schedule's (`citations.calendar.deadline_dates`): counted in calendar or business days,
moved off weekends, holidays and closures. No SQL on both backends knows the city's holidays,
so the deadline is worked out in Python once per distinct service day (a year holds a few
hundred), and joined to the citations as a small VALUES table: exact, and no citation is
loaded into Python. An event counts as "by the deadline" when it happened before the end of
the pay-by day on the city's clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    case,
    cast,
    column,
    exists,
    func,
    null,
    or_,
    select,
    text,
    union_all,
    values,
)
from sqlalchemy.orm import Session, aliased

from citations.calendar import deadline_dates, local_at, zone_of
from citations.hearings.tables import Contest, Hearing, Order
from citations.orm import UTCDateTime
from citations.payments.tables import (
    AbilityRequest,
    CollectionReferral,
    DiversionReferral,
    Payment,
    PaymentPlan,
    ServiceAssignment,
)
from citations.record.messages import MessageStatus, OutboxMessage
from citations.record.person import PersonRequest
from citations.record.tables import Citation
from citations.reports.intervals import compare
from citations.reports.model import (
    ArmDifference,
    ArmFigure,
    Count,
    ExperimentArm,
    ExperimentResult,
)
from ordinances.models import Experiment, Jurisdiction

FOUR = Decimal("0.0001")

BY_DEADLINE = ("responded", "paid", "contested", "asked_for_help")
"""Outcomes counted over the citations past their deadline."""
OUTCOMES = (*BY_DEADLINE, "defaulted", "came_to_hearing", "in_collections")
"""Every outcome, in the order the report shows them."""
MAIN = ("responded", "came_to_hearing", "in_collections")
"""The outcomes the report sums up in a sentence."""
HELP_REQUESTS = ("ability_to_pay", "payment_plan")
"""Requests a person sends online that ask for help with paying (`PersonRequest.kind`)."""


def experiment_results(
    session: Session,
    in_period: list[ColumnElement[bool]],
    profile: Jurisdiction,
    now: datetime,
) -> list[ExperimentResult]:
    """The profile's experiment over the period's citations; when the profile runs none now,
    each experiment found among them (one result each)."""
    configured = profile.reminders.experiment
    if configured is not None:
        return [_result(session, in_period, profile, now, configured.id, configured)]
    found = session.scalars(
        select(Citation.experiment)
        .distinct()
        .where(*in_period, Citation.experiment.is_not(None))
        .order_by(Citation.experiment)
    ).all()
    return [_result(session, in_period, profile, now, name, None) for name in found if name]


def _result(
    session: Session,
    in_period: list[ColumnElement[bool]],
    profile: Jurisdiction,
    now: datetime,
    name: str,
    described: Experiment | None,
) -> ExperimentResult:
    where = [*in_period, Citation.experiment == name]
    return assemble(name, described, _counts(session, where, profile, now), _sent(session, where))


def assemble(
    name: str,
    described: Experiment | None,
    counted: dict[str, dict[str, int]],
    sent: dict[str, list[Count]],
) -> ExperimentResult:
    """The experiment's result from each arm's counts (`_counts`' keys) and reminders sent,
    however they were counted (from the rows here, or `citations.reports.experiment_summed`)."""
    known = [] if described is None else [arm.id for arm in described.arms]
    names = known + sorted((set(counted) | set(sent)) - set(known))
    arms = [_arm(arm, counted.get(arm), sent.get(arm, []), described) for arm in names]
    comparison = _comparison(arms, described)
    base = next(arm for arm in arms if arm.arm == comparison) if arms else None
    return ExperimentResult(
        experiment=name,
        starts=None if described is None else described.starts,
        ends=None if described is None else described.ends,
        comparison=comparison,
        arms=arms,
        differences=[
            _difference(arm, base, outcome)
            for arm in arms
            if base is not None and arm is not base
            for outcome in OUTCOMES
        ],
    )


def deadline_rows(days: Sequence[date], profile: Jurisdiction) -> list[tuple[date, date, datetime]]:
    """(service day, pay-by date, the moment the pay-by date ends on the city's clock) for
    each day: the notice's deadline as the schedule computes it.

    >>> from ordinances.catalog import DEMO_CATALOG, load_catalog
    >>> profile = load_catalog(DEMO_CATALOG).jurisdiction
    >>> served, pay_by, until = deadline_rows([date(2026, 11, 6)], profile)[0]
    >>> pay_by, until.isoformat()  # 20 days: Thanksgiving, then the day after it, are closed
    (datetime.date(2026, 11, 30), '2026-12-01T00:00:00-08:00')
    """
    zone = zone_of(profile)
    rows = []
    for served in sorted(set(days)):
        pay_by = deadline_dates(served, profile)[0]
        rows.append((served, pay_by, local_at(pay_by + timedelta(days=1), time.min, zone)))
    return rows


def _deadlines(
    session: Session, where: list[ColumnElement[bool]], profile: Jurisdiction
) -> Any | None:
    """`deadline_rows` of the citations' service days, as a VALUES table to join on
    `served_on` (None: no citation has been served yet)."""
    days = session.scalars(
        select(Citation.served_on).distinct().where(*where, Citation.served_on.is_not(None))
    ).all()
    rows = deadline_rows([day for day in days if day is not None], profile)
    if not rows:
        return None
    table = values(
        column("served", Date()),
        column("pay_by", Date()),
        column("until", UTCDateTime()),
        name="deadlines",
    ).data(rows)
    return table.cte("deadlines")


def _first(citation_id: Any, moment: Any, *conditions: Any, among: Any = None) -> Any:
    """Each citation's first `moment` of a kind of event (one row per citation), of the
    citations whose ids `among` selects (all when None)."""
    if among is not None:
        conditions = (*conditions, citation_id.in_(among))
    return (
        select(citation_id.label("citation_id"), func.min(moment).label("at"))
        .where(*conditions)
        .group_by(citation_id)
    )


def event_tables(among: Any = None) -> dict[str, Any]:
    """What happened to citations, one row per citation and kind, each table read once and
    joined by hash (a lookup per citation and kind took twice as long at a million
    citations; at 100,000 the two are alike): the first payment in full that was not
    reversed, the contest's request, the first request for help, whether a hearing was held
    or missed (and whether one was missed), a default order, a referral to collections."""
    # `among`: a refresh of a few days reads those days' citations' events, not whole tables.
    reversal = aliased(Payment)
    helps = union_all(
        _first(AbilityRequest.citation_id, AbilityRequest.decided_at, among=among),
        _first(PaymentPlan.citation_id, PaymentPlan.created_at, among=among),
        _first(ServiceAssignment.citation_id, ServiceAssignment.elected_at, among=among),
        _first(DiversionReferral.citation_id, DiversionReferral.referred_at, among=among),
        _first(
            PersonRequest.citation_id,
            PersonRequest.received_at,
            PersonRequest.kind.in_(HELP_REQUESTS),
            among=among,
        ),
    ).subquery("helps")
    hearings = (
        select(
            Contest.citation_id.label("citation_id"),
            func.max(case((Hearing.status == "no_show", 1), else_=0)).label("missed"),
        )
        .join(Hearing, Hearing.contest_id == Contest.id)
        .where(
            Hearing.status.in_(("held", "no_show")),
            *([] if among is None else [Contest.citation_id.in_(among)]),
        )
        .group_by(Contest.citation_id)
    )
    return {
        "paid": _first(
            Payment.citation_id,
            Payment.received_at,
            Payment.kind == "payment",
            Payment.balance_after_cents <= 0,
            ~exists().where(
                reversal.citation_id == Payment.citation_id,
                reversal.kind == "reversal",
                reversal.reverses_id == Payment.id,
            ),
            among=among,
        ).cte("paid"),
        "contested": _first(Contest.citation_id, Contest.review_requested_at, among=among).cte(
            "contested"
        ),
        "helped": select(helps.c.citation_id, func.min(helps.c.at).label("at"))
        .group_by(helps.c.citation_id)
        .cte("helped"),
        "hearings": hearings.cte("heard"),
        "defaulted": _first(
            Order.citation_id, Order.id, Order.outcome == "default", among=among
        ).cte("defaulted"),
        "collections": _first(
            CollectionReferral.citation_id, CollectionReferral.id, among=among
        ).cte("collections"),
    }


def _per_citation(query: Any, until: Any, now: datetime, events: dict[str, Any]) -> Any:
    """`query` (the arm of each citation) with what happened to it, as 0/1 columns: its
    deadline passed; paid in full, contested, asked for help before the deadline's end
    (`until`); defaulted; had a hearing (held or missed); missed one; referred to
    collections."""
    for event in events.values():
        query = query.outerjoin(event, event.c.citation_id == Citation.id)
    e = {name: event.c for name, event in events.items()}
    flags = {
        "due": and_(until.is_not(None), until <= now),
        "paid": e["paid"].at < until,
        "contested": e["contested"].at < until,
        "helped": e["helped"].at < until,
        "defaulted": e["defaulted"].at.is_not(None),
        "heard": e["hearings"].missed.is_not(None),
        "missed": e["hearings"].missed == 1,
        "collections": e["collections"].at.is_not(None),
    }
    return query.add_columns(*(case((flag, 1), else_=0).label(n) for n, flag in flags.items()))


def _counts(
    session: Session, where: list[ColumnElement[bool]], profile: Jurisdiction, now: datetime
) -> dict[str, dict[str, int]]:
    """Each arm's counts: issued, past_deadline, had_hearing, and each outcome's count."""
    deadlines = _deadlines(session, where, profile)
    arm = func.coalesce(Citation.arm, "(none)").label("arm")
    events = event_tables()
    # Citations not served yet have no deadline. The served ones join their deadline with an
    # inner join, which SQLite runs from the small table through an automatic index (an
    # outer join scanned the deadlines once per citation: four times slower at 100,000).
    per_citation: Any = _per_citation(
        select(arm).where(*where, Citation.served_on.is_(None)),
        cast(null(), UTCDateTime()),
        now,
        events,
    )
    if deadlines is not None:
        served = _per_citation(
            select(arm).join(deadlines, deadlines.c.served == Citation.served_on).where(*where),
            deadlines.c.until,
            now,
            events,
        )
        per_citation = union_all(served, per_citation)
    f = per_citation.subquery("per_citation").c

    def total(condition: ColumnElement[bool]) -> Any:
        return func.sum(case((condition, 1), else_=0))

    due = f.due == 1
    columns = {
        "issued": func.count(),
        "past_deadline": total(due),
        "responded": total(and_(due, or_(f.paid == 1, f.contested == 1, f.helped == 1))),
        "paid": total(and_(due, f.paid == 1)),
        "contested": total(and_(due, f.contested == 1)),
        "asked_for_help": total(and_(due, f.helped == 1)),
        "defaulted": total(f.defaulted == 1),
        "had_hearing": total(f.heard == 1),
        "came_to_hearing": total(and_(f.heard == 1, f.missed == 0)),
        "in_collections": total(f.collections == 1),
    }
    query = select(f.arm, *columns.values()).group_by(f.arm).order_by(f.arm)
    with _without_jit(session):
        rows = session.execute(query).all()
    return {
        row[0]: {name: int(value or 0) for name, value in zip(columns, row[1:], strict=True)}
        for row in rows
    }


@contextmanager
def _without_jit(session: Session) -> Iterator[None]:
    """PostgreSQL's JIT compiler off for one query, then as it was. The plan's cost is far
    above JIT's threshold, and compiling it costs more than it saves: at a million citations
    the query took 7 s with JIT and 4.3 s without (at 100,000, 0.5 s either way)."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    before = session.scalar(text("SELECT current_setting('jit')"))
    session.execute(text("SELECT set_config('jit', 'off', true)"))
    try:
        yield
    finally:
        session.execute(text("SELECT set_config('jit', :before, true)"), {"before": before})


def _sent(session: Session, where: list[ColumnElement[bool]]) -> dict[str, list[Count]]:
    """Reminders sent to each arm's citations, by channel."""
    arm = func.coalesce(Citation.arm, "(none)")
    query = (
        select(arm, OutboxMessage.channel, func.count())
        .join(Citation, Citation.id == OutboxMessage.citation_id)
        .where(*where, OutboxMessage.status == MessageStatus.SENT.value)
        .group_by(arm, OutboxMessage.channel)
        .order_by(arm, OutboxMessage.channel)
    )
    sent: dict[str, list[Count]] = {}
    for name, channel, count in session.execute(query):
        sent.setdefault(name, []).append(Count(key=channel, label=channel, count=count))
    return sent


def _share(count: int, whole: int) -> Decimal | None:
    return (Decimal(count) / Decimal(whole)).quantize(FOUR) if whole else None


def _arm(
    name: str, counts: dict[str, int] | None, sent: list[Count], described: Experiment | None
) -> ExperimentArm:
    counts = counts or {}
    issued = counts.get("issued", 0)
    past = counts.get("past_deadline", 0)
    heard = counts.get("had_hearing", 0)
    whole = {"came_to_hearing": heard, "defaulted": issued, "in_collections": issued}
    figures = []
    for outcome in OUTCOMES:
        of = whole.get(outcome, past)
        count = counts.get(outcome, 0)
        figures.append(ArmFigure(outcome=outcome, count=count, of=of, share=_share(count, of)))
    profile_arm = (
        None if described is None else next((arm for arm in described.arms if arm.id == name), None)
    )
    return ExperimentArm(
        arm=name,
        share=None if profile_arm is None else profile_arm.share,
        reminders=None if profile_arm is None else profile_arm.reminders,
        wording=None if profile_arm is None or not profile_arm.reminders else profile_arm.wording,
        issued=issued,
        past_deadline=past,
        had_hearing=heard,
        figures=figures,
        sent=sent,
    )


def _comparison(arms: Sequence[ExperimentArm], described: Experiment | None) -> str:
    """The arm without reminders (the profile's, or when the profile no longer says, the one
    arm to which none was sent while the others got some); else the first arm."""
    if described is not None:
        silent = [arm.id for arm in described.arms if not arm.reminders]
        return silent[0] if silent else described.arms[0].id
    unreminded = [arm.arm for arm in arms if not arm.sent]
    if len(unreminded) == 1 and len(arms) > 1:
        return unreminded[0]
    return arms[0].arm if arms else ""


def figure(arm: ExperimentArm, outcome: str) -> ArmFigure:
    """The arm's figure for `outcome`."""
    return next(f for f in arm.figures if f.outcome == outcome)


def _difference(arm: ExperimentArm, base: ExperimentArm, outcome: str) -> ArmDifference:
    mine, theirs = figure(arm, outcome), figure(base, outcome)
    result = compare(mine.count, mine.of, theirs.count, theirs.of)
    return ArmDifference(
        arm=arm.arm,
        outcome=outcome,
        difference=result.difference,
        low=result.low,
        high=result.high,
        verdict=result.verdict.value,
    )
