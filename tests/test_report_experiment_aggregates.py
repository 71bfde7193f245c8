"""The reminders experiment's figures from the daily aggregates equal the rows', on both
backends, at the deadline's edges: a payment in full and a contest at the last second of
the pay-by day count as responses, those at the first second of the next day do not. The
hand-built program's citations are put in an experiment after the aggregates were built (a
change of a citation's experiment, arm and service day marks its day stale), then the edge
events and a reminder sent come after the next refresh; the figures are compared while
those days are stale (read from the rows) and once refreshed (all from the aggregates)."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import Engine, select, update

from citations.calendar import local_at, zone_of
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.hearings.contests import request_review
from citations.payments.posting import PaymentRequest, record_payment
from citations.record.daily import ReportExperimentDay, ReportReminderDay
from citations.record.messages import MessageStatus, OutboxMessage
from citations.record.tables import Citation
from citations.reports.aggregates import rebuild, refresh
from citations.reports.evidence import deadline_rows, figure
from citations.reports.model import ExperimentResult
from citations.roles import OPERATOR
from tests.hearing_steps import CLERK
from tests.money_steps import CASHIER
from tests.report_program import Program, issued, program
from tests.test_report_aggregates import assert_same_figures, report, stale

__all__ = ["program"]  # a fixture, used by name

SERVED = date(2026, 10, 26)
EDGES = ("paid-on", "paid-after", "contest-on", "contest-after")
"""Citations served on SERVED, in arm "text": what each did, on the pay-by day or after."""


def november(engine: Engine) -> ExperimentResult:
    (result,) = report(engine, "aggregates", date(2026, 10, 1), date(2026, 11, 30), []).experiments
    return result


def test_the_experiment_from_the_aggregates_equals_the_rows_at_the_deadline(
    program: Program,
) -> None:
    engine = program.engine
    numbers = {name: issued(engine, name.title(), "2026-10-24") for name in EDGES}
    with transaction(engine) as session:
        rebuild(session, date(2026, 1, 1), date(2026, 12, 31), actor=OPERATOR)
        profile = PublishedCatalog(session).jurisdiction()
    assert stale(engine) == []
    _, pay_by, _ = deadline_rows([SERVED], profile)[0]
    zone = zone_of(profile)
    last_second = local_at(pay_by, time(23, 59, 59), zone)
    next_day = local_at(pay_by + timedelta(days=1), time.min, zone)

    # Every citation joins the experiment: the edges in "text", the program's in "none".
    with transaction(engine) as session:
        session.execute(
            update(Citation).values(experiment="remind-2026", arm="none", served_on=SERVED)
        )
        session.execute(
            update(Citation).where(Citation.number.in_(list(numbers.values()))).values(arm="text")
        )
    assert ("c", date(2026, 10, 24)) in stale(engine)
    assert_same_figures(engine)  # the experiment's days read from the rows
    with transaction(engine) as session:
        refresh(session, actor=OPERATOR)
        assert session.scalar(select(ReportExperimentDay.id)) is not None
    assert stale(engine) == []
    assert_same_figures(engine)

    # The edges: a payment in full and a contest on the pay-by day's last second, and at
    # the next day's first; a reminder sent to one of them.
    for name, when in (("paid-on", last_second), ("paid-after", next_day)):
        with transaction(engine) as session:
            request = PaymentRequest(amount=Decimal("200.00"), method="card")
            record_payment(session, numbers[name], request, actor=CASHIER, now=when)
    for name, when in (("contest-on", last_second), ("contest-after", next_day)):
        with transaction(engine) as session:
            request_review(
                session,
                numbers[name],
                "Not me.",
                received_at=when,
                actor=CLERK,
                now=when,
                late_reason="Mailed on time" if name == "contest-after" else None,
            )
    with transaction(engine) as session:
        citation = session.scalars(select(Citation).where(Citation.number == numbers["paid-on"]))
        session.add(
            OutboxMessage(
                citation_id=citation.one().id,
                key="pay_by|2026-11-16|-7|text",
                kind="before_pay_by",
                about="pay_by",
                due_on=next_day,
                channel="text",
                language="es",
                wording="plain",
                send_at=last_second - timedelta(days=7),
                next_try_at=last_second - timedelta(days=7),
                status=MessageStatus.SENT.value,
                attempts=1,
                facts={},
                created_at=last_second - timedelta(days=8),
            )
        )
    assert ("c", date(2026, 10, 24)) in stale(engine)
    assert_same_figures(engine)  # the changed day from the rows
    text = next(arm for arm in november(engine).arms if arm.arm == "text")
    assert (text.issued, text.past_deadline) == (4, 4)
    counts = {o: figure(text, o).count for o in ("responded", "paid", "contested")}
    assert counts == {"responded": 2, "paid": 1, "contested": 1}
    assert sum(sent.count for sent in text.sent) == 1
    with transaction(engine) as session:
        refresh(session, actor=OPERATOR)
        assert session.scalar(select(ReportReminderDay.id)) is not None
    assert stale(engine) == []
    assert_same_figures(engine)  # all from the aggregates
    assert (
        november(engine)
        == report(engine, "rows", date(2026, 10, 1), date(2026, 11, 30), []).experiments[0]
    )
