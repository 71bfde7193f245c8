"""The reminders experiment's figures, computed in SQL, against a small program worked out by
hand (both backends).

Two arms, "none" (no reminders, the comparison arm) and "texts". Most citations are for 6
November 2026: their notice's pay-by date is 30 November (20 days is Thanksgiving, the next
day is a California holiday too, then a weekend). The report is read on 20 March 2027.

Arm none (7 citations)
- n1 pays in full on Saturday 28 November: by the deadline.
- n2 pays in full on 1 December: a day late.
- n3 never pays: referred to collections by the run of 15 March.
- n4 asks for a review on 25 November (contested in time), then a hearing, and does not come
  to it on 17 December: a default.
- n5 pays on 20 November, and the payment comes back on 22 November: not paid; referred to
  collections.
- n6 is served by mail: mailed on Monday 9 November, served on the 14th, so its pay-by date
  is 4 December; it pays on 3 December, in time (days after the others' deadline).
- n7 waits to be mailed (issued after the mail run): no deadline yet.
Arm texts (7 citations)
- t1 pays in full on 20 November.
- t2 starts a payment plan on 25 November (help in time) and pays it off on 10 January.
- t3 asks to be judged unable to pay on 25 November and pays the 20% on 27 November: help
  and a payment in full, both in time; one response.
- t4 asks for a review on 25 November, then a hearing, comes on 16 December: dismissed.
- t5 asks to be judged unable to pay on 2 December and pays the 20% on the 3rd: both after
  the deadline.
- t6 is cited on 10 March 2027: its pay-by date (30 March) has not passed.
- t7 asks online for a payment plan on Sunday 29 November, which waits for a clerk; it never
  pays: referred to collections.
Outside the experiment: x1 (another experiment's arm "a") and x2 (no experiment).

Reminders sent: t1 two texts, t2 one email; t3's text was cancelled, x1's text is another
experiment's.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from citations.catalog.publishing import publish
from citations.catalog.store import PublishedCatalog
from citations.database import make_engine, transaction
from citations.hearings.contests import decide_waiver
from citations.hearings.decisions import Outcome
from citations.hearings.scheduling import decide_hearing, record_no_show, schedule_hearing
from citations.notice.mailing import mail_waiting
from citations.online.help import ask_clerk_for_plan
from citations.payments.ability import Declaration, request_ability_to_pay
from citations.payments.plans import Installment, create_plan
from citations.payments.posting import payments_of, reverse_payment
from citations.payments.processing import process
from citations.record.agencies import register_agency
from citations.record.messages import OutboxMessage
from citations.record.tables import Citation
from citations.reports.compute import compute_report
from citations.reports.evidence import experiment_results
from citations.reports.export import report_csv
from citations.reports.intervals import compare
from citations.reports.model import ExperimentResult, ProgramReport
from citations.roles import OPERATOR
from ordinances import load_catalog
from tests.conftest import GOOD_CATALOG, NOW
from tests.databases import Databases
from tests.factories import message, send, subject
from tests.hearing_steps import CLERK, officer_with_session, to_ready
from tests.money_steps import ADMIN, CASHIER, at, pay
from tests.permission_world import BACKENDS
from tests.report_program import DECIDER, issued

START, END = date(2026, 11, 1), date(2027, 3, 31)
READ_AT = datetime(2027, 3, 20, 17, 0, tzinfo=UTC)
"""When the report is read: 10:00 on 20 March 2027 in Los Angeles."""
EXPERIMENT = """
reminders:
  experiment:
    id: trial-2026
    starts: 2026-11-01
    seed: test-trial
    arms:
      - {id: none, share: 50, reminders: false}
      - {id: texts, share: 50, wording: standard}
"""
CALFRESH = Declaration(
    benefits=["calfresh"], household_size=1, monthly_income=Decimal("900.00"), sworn=True
)
MAILED_TO = {"line1": "1 Trial Way", "city": "Test City", "state": "CA", "postal_code": "90012"}


@dataclass(frozen=True)
class Program:
    engine: Engine
    numbers: dict[str, str]


def experiment_catalog(folder: Path) -> Path:
    """The test catalog, its profile running the experiment "trial-2026"."""
    target = folder / "catalog"
    shutil.copytree(GOOD_CATALOG, target)
    profile = target / "jurisdiction.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + EXPERIMENT, encoding="utf-8")
    return target


def mailed(engine: Engine, name: str, day: str) -> str:
    """A citation whose notice the officer asks the city to mail."""
    body = message(
        violation_at=at(day).isoformat(),
        subject=subject(first_name=name, last_name="Doe", identifiers=[], address=MAILED_TO),
        service="mail",
        screening={"no-violence": False},
    )
    number = send(engine, body, now=at(day)).result.citation_number
    assert number is not None
    return number


def build(engine: Engine, catalog: Path) -> Program:
    with transaction(engine) as session:
        publish(
            session,
            load_catalog(catalog),
            author="A. Author",
            approved_by="B. Approver",
            reason="reminders report tests",
            now=NOW,
        )
        register_agency(session, "DCPD", "Demo City Police", actor=OPERATOR, now=NOW)
    n: dict[str, str] = {}
    day = "2026-11-06"
    for story in ("n1", "n2", "n3", "n4", "n5", "t1", "t2", "t3", "t4", "t5", "t7", "x1", "x2"):
        n[story] = issued(engine, story.upper(), day, language="en")
    n["n6"] = mailed(engine, "N6", day)
    with transaction(engine) as session:
        assert mail_waiting(session, actor=OPERATOR, now=at("2026-11-09")) == [n["n6"]]
    n["n7"] = mailed(engine, "N7", "2026-11-20")
    n["t6"] = issued(engine, "T6", "2027-03-10", language="en")
    with transaction(engine) as session:
        for story, number in n.items():
            arm = {"n": "none", "t": "texts", "x": "a"}[story[0]]
            experiment = {"x1": "old-trial", "x2": None}.get(story, "trial-2026")
            session.execute(
                update(Citation)
                .where(Citation.number == number)
                .values(experiment=experiment, arm=None if experiment is None else arm)
            )
    _money(engine, n)
    _hearings(engine, n)
    _reminders_sent(engine, n)
    with transaction(engine) as session:
        process(session, as_of=date(2027, 3, 15), actor=ADMIN, now=at("2027-03-15"))
    return Program(engine, n)


def _money(engine: Engine, n: dict[str, str]) -> None:
    pay(engine, n["n1"], "200.00", when="2026-11-28")
    pay(engine, n["n2"], "200.00", when="2026-12-01")
    pay(engine, n["n5"], "200.00", when="2026-11-20")
    pay(engine, n["n6"], "200.00", when="2026-12-03")
    pay(engine, n["t1"], "200.00", when="2026-11-20")
    with transaction(engine) as session:
        citation = session.scalars(select(Citation).where(Citation.number == n["n5"])).one()
        receipt = payments_of(session, citation)[0].receipt_number
        reverse_payment(session, receipt, "Card chargeback", actor=CASHIER, now=at("2026-11-22"))
        create_plan(
            session,
            n["t2"],
            [
                Installment(due_on=date(2026, 12, 15), amount=Decimal("100.00")),
                Installment(due_on=date(2027, 1, 15), amount=Decimal("100.00")),
            ],
            actor=CASHIER,
            now=at("2026-11-25"),
        )
        request_ability_to_pay(
            session,
            n["t3"],
            CALFRESH,
            actor=CASHIER,
            now=at("2026-11-25"),
        )
        ask_clerk_for_plan(
            session, n["t7"], 10, "I can pay 20 a month.", actor=CASHIER, now=at("2026-11-29")
        )
        request_ability_to_pay(session, n["t5"], CALFRESH, actor=CASHIER, now=at("2026-12-02"))
    pay(engine, n["t3"], "40.00", when="2026-11-27")
    pay(engine, n["t5"], "40.00", when="2026-12-03")
    pay(engine, n["t2"], "100.00", when="2026-12-10")
    pay(engine, n["t2"], "100.00", when="2027-01-10")


def _hearings(engine: Engine, n: dict[str, str]) -> None:
    _, first = officer_with_session(engine, "Judge One", date(2026, 12, 16))
    _, second = officer_with_session(engine, "Judge Two", date(2026, 12, 17))
    to_ready(engine, n["t4"])  # review asked on 25 November; a deposit
    to_ready(engine, n["n4"], deposit=False)
    with transaction(engine) as session:
        decide_waiver(
            session, n["n4"], True, "Receives CalFresh.", actor=CLERK, now=at("2026-12-04")
        )
        schedule_hearing(session, n["t4"], actor=CLERK, now=at("2026-12-04"), session_id=first)
        schedule_hearing(session, n["n4"], actor=CLERK, now=at("2026-12-04"), session_id=second)
    with transaction(engine) as session:
        decide_hearing(
            session, n["t4"], Outcome.DISMISSED, "The can was sealed.", actor=DECIDER,
            now=at("2026-12-16"),
        )  # fmt: skip
        record_no_show(session, n["n4"], actor=DECIDER, now=at("2026-12-17"))


def _reminders_sent(engine: Engine, n: dict[str, str]) -> None:
    """Messages written as the outbox keeps them: t1 two texts and t2 an email sent, t3's
    text cancelled, and x1's text (another experiment)."""
    with transaction(engine) as session:
        ids = dict(session.execute(select(Citation.number, Citation.id)).all())
        for story, channel, offset, status in (
            ("t1", "text", 7, "sent"),
            ("t1", "text", 1, "sent"),
            ("t2", "email", 7, "sent"),
            ("t3", "text", 7, "cancelled"),
            ("x1", "text", 7, "sent"),
        ):
            moment = at("2026-11-23")
            session.add(
                OutboxMessage(
                    citation_id=ids[n[story]],
                    key=f"pay_by|2026-11-30|-{offset}|{channel}",
                    kind="before_pay_by",
                    about="pay_by",
                    due_on=at("2026-11-30"),
                    channel=channel,
                    language="en",
                    wording="standard",
                    send_at=moment,
                    next_try_at=moment,
                    status=status,
                    attempts=1 if status == "sent" else 0,
                    facts={"date": "2026-11-30"},
                    created_at=moment,
                    sent_at=moment if status == "sent" else None,
                    cancelled_at=None if status == "sent" else moment,
                    address="+12135550100" if channel == "text" else "t@example.com",
                )
            )


@pytest.fixture(scope="module", params=BACKENDS)
def program(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    databases: Databases,
) -> Iterator[Program]:
    folder: Path = tmp_path_factory.mktemp("reminders")
    with databases.migrated(request.param, folder) as url:
        engine = make_engine(url)
        try:
            yield build(engine, experiment_catalog(folder))
        finally:
            engine.dispose()


def report_of(program: Program) -> ProgramReport:
    with transaction(program.engine) as session:
        return compute_report(session, START, END, actor=OPERATOR, now=READ_AT)


def figures(result: ExperimentResult) -> dict[str, dict[str, tuple[int, int]]]:
    return {
        arm.arm: {f.outcome: (f.count, f.of) for f in arm.figures}
        | {
            "issued": (arm.issued, 0),
            "past_deadline": (arm.past_deadline, 0),
            "had_hearing": (arm.had_hearing, 0),
        }
        for arm in result.arms
    }


# Worked out story by story (the module's docstring): (count, denominator).
EXPECTED = {
    "none": {
        "issued": (7, 0),  # n1 to n7
        "past_deadline": (6, 0),  # all but n7, not served yet
        "responded": (3, 6),  # n1, n4 (contested), n6 (mailed: in time on 3 December)
        "paid": (2, 6),  # n1, n6; n2 late, n5 reversed
        "contested": (1, 6),  # n4
        "asked_for_help": (0, 6),
        "defaulted": (1, 7),  # n4
        "had_hearing": (1, 0),  # n4
        "came_to_hearing": (0, 1),
        "in_collections": (2, 7),  # n3, n5
    },
    "texts": {
        "issued": (7, 0),  # t1 to t7
        "past_deadline": (6, 0),  # all but t6, cited in March
        "responded": (5, 6),  # t1, t2, t3, t4, t7; not t5 (help and payment after the deadline)
        "paid": (2, 6),  # t1, t3 (after relief); t2 paid off in January
        "contested": (1, 6),  # t4
        "asked_for_help": (3, 6),  # t2 (plan), t3 (ability to pay), t7 (asked online)
        "defaulted": (0, 7),
        "had_hearing": (1, 0),  # t4
        "came_to_hearing": (1, 1),
        "in_collections": (1, 7),  # t7, whose plan was never granted
    },
}


def test_each_arms_figures_are_as_worked_out_by_hand(program: Program) -> None:
    (result,) = report_of(program).experiments
    assert result.experiment == "trial-2026"
    assert (result.starts, result.ends, result.comparison) == (date(2026, 11, 1), None, "none")
    assert [a.arm for a in result.arms] == ["none", "texts"]
    assert figures(result) == EXPECTED
    none, texts = result.arms
    assert (none.share, none.reminders, none.wording) == (50, False, None)
    assert (texts.share, texts.reminders, texts.wording) == (50, True, "standard")
    shares = {f.outcome: f.share for f in texts.figures}
    assert shares["responded"] == Decimal("0.8333") and shares["came_to_hearing"] == 1


def test_reminders_sent_are_counted_by_arm_and_channel(program: Program) -> None:
    (result,) = report_of(program).experiments
    sent = {arm.arm: {c.key: c.count for c in arm.sent} for arm in result.arms}
    assert sent == {"none": {}, "texts": {"email": 1, "text": 2}}


def test_each_arm_is_compared_with_the_arm_without_reminders(program: Program) -> None:
    (result,) = report_of(program).experiments
    differences = {(d.arm, d.outcome): d for d in result.differences}
    assert {arm for arm, _ in differences} == {"texts"}
    for outcome, counts in EXPECTED["texts"].items():
        if (("texts", outcome)) not in differences:
            continue
        x1, n1 = counts
        x2, n2 = EXPECTED["none"][outcome]
        d = differences[("texts", outcome)]
        expected = compare(x1, n1, x2, n2)
        assert (d.difference, d.low, d.high) == (expected.difference, expected.low, expected.high)
        assert d.verdict == "too_few"  # a handful per arm
    responded = differences[("texts", "responded")]
    assert responded.difference == Decimal("0.3333")  # 5/6 - 3/6
    came = differences[("texts", "came_to_hearing")]
    assert came.difference == 1


def test_the_deadline_is_the_schedules_not_a_count_of_days(program: Program) -> None:
    """n1 paid 22 days after the violation, and n6 (served by mail) 27 days after: both in
    time. A citation whose deadline has not passed is in no denominator of a deadline."""
    with transaction(program.engine) as session:
        early = compute_report(session, START, END, actor=OPERATOR, now=at("2026-11-30", 23))
        before = compute_report(session, START, END, actor=OPERATOR, now=at("2026-12-01", 1))
    by_arm = {a.arm: a for a in early.experiments[0].arms}
    assert by_arm["none"].past_deadline == 0  # 30 November has not ended yet
    after = {a.arm: a for a in before.experiments[0].arms}
    # On 1 December n1 to n5 are past their deadline; n6 (4 December) is not yet.
    assert after["none"].past_deadline == 5


def test_the_csv_carries_the_experiment(program: Program) -> None:
    report = report_of(program)
    lines = report_csv(report).splitlines()
    assert "reminders_arms,trial-2026:none,none,issued,7" in lines
    assert "reminders_outcomes,trial-2026:texts:responded,responded,of,6" in lines
    assert "reminders_outcomes,trial-2026:texts:responded,responded,share,0.8333" in lines
    assert "reminders_sent,trial-2026:texts:text,text,count,2" in lines
    assert (
        "reminders_differences,trial-2026:texts:responded,texts against none: responded,"
        "verdict,too_few"
    ) in lines


def test_an_area_limits_the_experiment_too(program: Program) -> None:
    with transaction(program.engine) as session:
        report = compute_report(
            session, START, END, areas=["Westlake"], actor=OPERATOR, now=READ_AT
        )
    (result,) = report.experiments
    assert [(a.arm, a.issued) for a in result.arms] == [("none", 0), ("texts", 0)]


def test_without_an_experiment_in_the_profile_each_one_found_is_shown(program: Program) -> None:
    """A profile that no longer runs one: every experiment the period's citations carry, in
    name order, its arms as recorded, compared with the arm sent no reminders."""
    with transaction(program.engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
        reminders = profile.reminders.model_copy(update={"experiment": None})
        plain = profile.model_copy(update={"reminders": reminders})
        period = [Citation.violation_date >= START, Citation.violation_date <= END]
        results = experiment_results(session, period, plain, READ_AT)
    assert [r.experiment for r in results] == ["old-trial", "trial-2026"]
    old, trial = results
    assert [(a.arm, a.issued, a.share, a.reminders) for a in old.arms] == [("a", 1, None, None)]
    assert old.differences == [] and old.starts is None
    # No profile to say so: "none" is the one arm to which no reminder was sent.
    assert trial.comparison == "none"
    assert figures(trial) == EXPECTED
