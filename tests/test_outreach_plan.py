"""The reminders' plan, as pure functions: which messages a schedule wants, when (on the
city's clock, across the daylight-saving changes of 2026 in Los Angeles: March 8 and November
1), out of the quiet hours, on which channel and in which wording."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from citations.outreach.plan import Person, Wanted, out_of_quiet, unwanted_because, wanted
from citations.outreach.reach import Reach, reach_of
from citations.schedule import Dated, Schedule
from ordinances.models import Arm, Experiment, Jurisdiction, QuietHours, Reminders
from tests.factories import good_catalog

LA = ZoneInfo("America/Los_Angeles")
TEXT = Reach(channels=("text",), post=False)


def profile(**reminders: Any) -> Jurisdiction:
    base = good_catalog().jurisdiction
    return base.model_copy(update={"reminders": Reminders(**reminders)})


PROFILE = profile()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LA)


def person(reach: Reach = TEXT, **overrides: Any) -> Person:
    fields: dict[str, Any] = {
        "status": "issued",
        "language": "en",
        "experiment": None,
        "arm": None,
        "reach": reach,
    }
    return Person(**(fields | overrides))


def schedule(*dates: Dated) -> Schedule:
    return Schedule("DCPD-2026-000001-5", "personal", date(2026, 1, 1), list(dates))


def pay_by(day: date, *, open: bool = True, late: bool = True) -> list[Dated]:
    """The notice's two deadlines on `day`, and the late penalty and collections after it."""
    dates = [
        Dated("pay_by", day, "Pay by", open),
        Dated("review_by", day, "Contest by", open),
    ]
    if late:
        dates += [
            Dated(
                "late_penalty",
                day + timedelta(days=16),
                "Late penalty added if unpaid",
                True,
                facts={"penalty": True},
            ),
            Dated("collections", day + timedelta(days=104), "Collections", True),
        ]
    return dates


def hearing(
    at: datetime,
    hearing_id: int = 7,
    *,
    open: bool = True,
    set_at: datetime | None = None,
    replaces: datetime | None = None,
    mode: str = "in_person",
) -> Dated:
    return Dated(
        "hearing",
        at.date(),
        "Hearing",
        open,
        at=at,
        detail="City Hall East, Room 101",
        ref=f"hearing:{hearing_id}",
        facts={
            "hearing": hearing_id,
            "status": "scheduled" if open else "postponed",
            "mode": mode,
            "place": "City Hall East, Room 101",
            "remote_link": None,
            "set_at": (set_at or at - timedelta(days=30)).isoformat(),
            "replaces": None if replaces is None else replaces.isoformat(),
        },
    )


def by_kind(messages: list[Wanted], kind: str) -> list[Wanted]:
    return sorted((m for m in messages if m.kind == kind), key=lambda m: m.send_at)


def local_times(messages: list[Wanted]) -> list[datetime]:
    """When each message goes, on the city's clock (compared as instants)."""
    return [m.send_at.astimezone(LA) for m in messages]


# When: the offsets on the city's clock


@pytest.mark.parametrize(
    ("due", "sends"),
    [
        # Spring forward on Sunday March 8: a week before is standard time (UTC-8), the day
        # before is daylight time (UTC-7); both at 10:00 on the city's clock.
        (date(2026, 3, 10), [(2026, 3, 3, 18), (2026, 3, 9, 17)]),
        # Fall back on Sunday November 1: the other way round.
        (date(2026, 11, 3), [(2026, 10, 27, 17), (2026, 11, 2, 18)]),
    ],
)
def test_offsets_go_out_at_ten_on_the_citys_clock_across_daylight_saving(
    due: date, sends: list[tuple[int, int, int, int]]
) -> None:
    now = local(due - timedelta(days=30), 12)
    messages = by_kind(wanted(schedule(*pay_by(due)), person(), PROFILE, now=now), "before_pay_by")
    assert [m.send_at for m in messages] == [
        datetime(y, mo, d, h, tzinfo=UTC) for y, mo, d, h in sends
    ]
    assert local_times(messages) == [local(due - timedelta(days=d), 10) for d in (7, 1)]
    assert [m.facts["days_before"] for m in messages] == [7, 1]
    assert all(m.facts["pay_by"] == m.facts["contest_by"] == due.isoformat() for m in messages)
    assert all(not m.stale and m.channel == "text" for m in messages)
    assert messages[0].due_on == local(due, 23, 59).replace(second=59).astimezone(UTC)


@pytest.mark.parametrize(
    ("moment", "quiet", "expected"),
    [
        ((2026, 3, 7, 21, 0), ("20:00", "08:00"), (2026, 3, 8, 8, 0)),  # across spring forward
        ((2026, 10, 31, 23, 30), ("20:00", "08:00"), (2026, 11, 1, 8, 0)),  # across fall back
        ((2026, 3, 8, 6, 59), ("20:00", "08:00"), (2026, 3, 8, 8, 0)),  # early morning
        ((2026, 3, 8, 8, 0), ("20:00", "08:00"), (2026, 3, 8, 8, 0)),  # the end is not quiet
        ((2026, 3, 8, 19, 59), ("20:00", "08:00"), (2026, 3, 8, 19, 59)),
        ((2026, 3, 8, 12, 30), ("12:00", "13:00"), (2026, 3, 8, 13, 0)),  # within one day
        ((2026, 3, 8, 23, 0), ("12:00", "13:00"), (2026, 3, 8, 23, 0)),
        ((2026, 3, 8, 3, 0), ("00:00", "00:00"), (2026, 3, 8, 3, 0)),  # none
    ],
)
def test_quiet_hours_move_a_time_to_their_end(
    moment: tuple[int, int, int, int, int],
    quiet: tuple[str, str],
    expected: tuple[int, int, int, int, int],
) -> None:
    start, end = quiet
    y, mo, d, h, mi = moment
    moved = out_of_quiet(datetime(y, mo, d, h, mi, tzinfo=LA), QuietHours(start=start, end=end), LA)
    assert moved.tzinfo is UTC
    y, mo, d, h, mi = expected
    assert moved == datetime(y, mo, d, h, mi, tzinfo=LA).astimezone(UTC)


def test_a_send_time_in_the_quiet_hours_waits_for_their_end() -> None:
    late = profile(send_at="21:30", pay_by=[1])
    due = date(2026, 3, 9)  # the day before is Sunday March 8, the change to daylight time
    messages = wanted(schedule(*pay_by(due)), person(), late, now=local(date(2026, 2, 1), 12))
    (before,) = by_kind(messages, "before_pay_by")
    # The day before is Sunday the 8th (the change to daylight time): 21:30 is quiet until
    # 08:00 on the 9th, the deadline's own day, still before its end.
    assert before.send_at == local(due, 8).astimezone(UTC)


@pytest.mark.parametrize(
    "day", [date(2026, 3, 8), date(2026, 3, 9), date(2026, 11, 1), date(2026, 11, 2)]
)
def test_the_morning_of_a_hearing(day: date) -> None:
    rules = profile(hearing=[], hearing_changes=False)
    now = local(day - timedelta(days=20), 12)
    at_830 = wanted(schedule(hearing(local(day, 8, 30))), person(), rules, now=now)
    (morning,) = by_kind(at_830, "hearing_today")
    # Two hours before is 06:30, in the quiet hours: the reminder waits for 08:00.
    assert morning.send_at == local(day, 8).astimezone(UTC)
    assert morning.facts["at"] == local(day, 8, 30).isoformat()
    assert morning.facts["place"] == "City Hall East, Room 101"
    at_800 = wanted(schedule(hearing(local(day, 8, 0))), person(), rules, now=now)
    assert by_kind(at_800, "hearing_today") == []  # the quiet hours end as it starts
    at_1030 = wanted(schedule(hearing(local(day, 10, 30))), person(), rules, now=now)
    assert local_times(by_kind(at_1030, "hearing_today")) == [local(day, 8, 30)]


def test_a_written_hearing_has_no_morning_reminder() -> None:
    at = local(date(2026, 12, 14), 10)
    messages = wanted(
        schedule(hearing(at, mode="written")), person(), PROFILE, now=at - timedelta(days=20)
    )
    assert by_kind(messages, "hearing_today") == []
    assert len(by_kind(messages, "before_hearing")) == 2


def test_hearing_reminders_before_the_day() -> None:
    at = local(date(2026, 12, 14), 9)
    messages = wanted(schedule(hearing(at)), person(), PROFILE, now=at - timedelta(days=20))
    before = by_kind(messages, "before_hearing")
    assert local_times(before) == [local(date(2026, 12, 7), 10), local(date(2026, 12, 13), 10)]
    assert all(m.due_on == at.astimezone(UTC) for m in before)
    assert before[0].key == f"hearing|hearing.7|{at.isoformat(timespec='minutes')}|7|text"


# What is stale


def test_a_late_citation_gets_only_the_reminders_still_ahead() -> None:
    due = date(2026, 12, 10)
    now = local(due - timedelta(days=3), 12)
    messages = by_kind(wanted(schedule(*pay_by(due)), person(), PROFILE, now=now), "before_pay_by")
    assert [(m.facts["days_before"], m.stale) for m in messages] == [(7, True), (1, False)]


def test_a_missed_deadline_says_what_can_still_be_done_and_until_when() -> None:
    due = date(2026, 12, 10)
    messages = wanted(schedule(*pay_by(due)), person(), PROFILE, now=local(date(2026, 11, 20), 12))
    (missed,) = by_kind(messages, "missed_pay_by")
    assert missed.send_at == local(date(2026, 12, 11), 10).astimezone(UTC)
    assert missed.about == "pay_by" and missed.key == "pay_by|-|2026-12-10|+1|text"
    assert missed.facts == {
        "missed": "2026-12-10",
        "late_on": "2026-12-26",
        "late_penalty": True,
        "collections_on": "2027-03-24",
        "contest_by": None,  # the review deadline passed the same day
        "date": "2026-12-10",
    }


def test_no_missed_message_once_the_late_penalty_is_due() -> None:
    rules = profile(after_missed=20)
    messages = wanted(
        schedule(*pay_by(date(2026, 12, 10))), person(), rules, now=local(date(2026, 11, 20), 12)
    )
    assert by_kind(messages, "missed_pay_by") == []


@pytest.mark.parametrize(
    ("hour", "sent"),
    [(15, (date(2026, 12, 11), 15)), (21, (date(2026, 12, 12), 8))],
)
def test_a_missed_message_planned_on_its_day_goes_at_once_out_of_the_quiet_hours(
    hour: int, sent: tuple[date, int]
) -> None:
    now = local(date(2026, 12, 11), hour)
    messages = wanted(schedule(*pay_by(date(2026, 12, 10))), person(), PROFILE, now=now)
    (missed,) = by_kind(messages, "missed_pay_by")
    assert not missed.stale
    assert local_times([missed]) == [local(*sent)]
    # The day after, it would be stale: nobody is told about an old miss.
    later = wanted(
        schedule(*pay_by(date(2026, 12, 10))), person(), PROFILE, now=now + timedelta(days=1)
    )
    assert [m.stale for m in by_kind(later, "missed_pay_by")] == [True]


def installment(due: date, number: int = 2, open: bool = True) -> Dated:
    return Dated(
        "installment",
        due,
        f"Installment {number} of plan 3 due",
        open,
        ref=f"plan:3:{number}",
        facts={
            "plan": 3,
            "installment": number,
            "installments": 4,
            "amount_cents": 6250,
            "paid_cents": 0,
        },
    )


def test_an_installment_before_and_after_its_day() -> None:
    due = date(2027, 1, 15)
    messages = wanted(
        schedule(installment(due)), person(), PROFILE, now=local(date(2026, 12, 1), 12)
    )
    (before,) = by_kind(messages, "before_installment")
    (missed,) = by_kind(messages, "missed_installment")
    assert local_times([before, missed]) == [
        local(date(2027, 1, 12), 10),
        local(date(2027, 1, 16), 10),
    ]
    assert before.facts == {
        "plan": 3,
        "installment": 2,
        "installments": 4,
        "amount_cents": 6250,
        "date": "2027-01-15",
        "days_before": 3,
    }
    # The test profile's plans default after 10 days' grace.
    assert missed.facts["keep_plan_until"] == "2027-01-25"
    assert before.key == "installment|plan.3.2|2027-01-15|3|text"


def test_no_missed_installment_message_after_the_grace() -> None:
    base = profile(after_missed=11)
    messages = wanted(
        schedule(installment(date(2027, 1, 15))), person(), base, now=local(date(2026, 12, 1), 12)
    )
    assert by_kind(messages, "missed_installment") == []


# When a hearing is set or moved


def test_a_hearing_set_then_moved() -> None:
    now = local(date(2026, 12, 1), 11)
    first = hearing(local(date(2026, 12, 14), 9), 7, set_at=now)
    (set_,) = by_kind(wanted(schedule(first), person(), PROFILE, now=now), "hearing_set")
    assert set_.send_at == now.astimezone(UTC) and not set_.stale
    assert set_.facts["at"] == local(date(2026, 12, 14), 9).isoformat()
    later = now + timedelta(days=3)
    postponed = hearing(local(date(2026, 12, 14), 9), 7, open=False, set_at=now)
    second = hearing(
        local(date(2027, 1, 11), 9), 8, set_at=later, replaces=local(date(2026, 12, 14), 9)
    )
    messages = wanted(schedule(postponed, second), person(), PROFILE, now=later)
    assert by_kind(messages, "hearing_set") == []
    (moved,) = by_kind(messages, "hearing_moved")
    assert moved.facts["replaces"] == local(date(2026, 12, 14), 9).isoformat()
    assert "hearing.8" in moved.key
    assert {m.facts["hearing"] for m in messages} == {8}


def test_an_announcement_in_the_quiet_hours_waits_and_an_old_one_is_not_made() -> None:
    evening = local(date(2026, 12, 1), 22)
    set_late = hearing(local(date(2026, 12, 14), 9), set_at=evening)
    (set_,) = by_kind(wanted(schedule(set_late), person(), PROFILE, now=evening), "hearing_set")
    assert set_.send_at == local(date(2026, 12, 2), 8).astimezone(UTC)
    # A hearing set days ago (the person gave a phone later): the reminders before it are
    # enough, its announcement is not written.
    days_later = evening + timedelta(days=2)
    (old,) = by_kind(wanted(schedule(set_late), person(), PROFILE, now=days_later), "hearing_set")
    assert old.stale


# On which channel


def test_channels_follow_consent_problems_and_opt_outs() -> None:
    def reach(**overrides: Any) -> Reach:
        fields: dict[str, Any] = {
            "phone": "(555) 010-2400",
            "texts_consent": True,
            "phone_problem": None,
            "email": "Maria@Example.org",
            "emails_consent": True,
            "email_problem": None,
            "postal_address": True,
            "opted_out": set(),
        }
        return reach_of(**(fields | overrides))

    assert reach().channels == ("text", "email")
    assert reach(texts_consent=False).channels == ("email",)
    assert reach(texts_consent=False).why_not["text"] == "no consent to texts"
    assert reach(phone_problem="the provider says it is not a mobile number").channels == ("email",)
    # An opt-out is stored in E.164; the phone was typed another way: still the same number.
    stopped = reach(opted_out={("text", "+15550102400")})
    assert stopped.channels == ("email",)
    assert stopped.why_not["text"] == "+15550102400 asked for no more texts"
    assert reach(opted_out={("email", "maria@example.org")}).channels == ("text",)
    assert reach(phone=None, email=None).channels == ()
    assert reach(phone=None, email=None).post
    assert (
        reach(phone=None, email=None, postal_address=False).why_not["letter"] == "no postal address"
    )


def test_letters_only_for_the_kinds_the_profile_names_and_only_with_no_other_channel() -> None:
    rules = profile(letters=["missed", "hearing_set"])
    now = local(date(2026, 12, 1), 11)
    dates = [*pay_by(date(2026, 12, 10)), hearing(local(date(2026, 12, 14), 9), set_at=now)]
    post_only = person(Reach(channels=(), post=True))
    letters = wanted(schedule(*dates), post_only, rules, now=now)
    assert {(m.kind, m.channel) for m in letters} == {
        ("missed_pay_by", "letter"),
        ("hearing_set", "letter"),
    }
    assert wanted(schedule(*dates), person(Reach(channels=(), post=False)), rules, now=now) == []
    both = wanted(
        schedule(*dates), person(Reach(channels=("text", "email"), post=True)), rules, now=now
    )
    assert {m.channel for m in both} == {"text", "email"}
    assert len({m.key for m in both}) == len(both)


# The experiment, and a closed citation


EXPERIMENT = Experiment(
    id="reminders-2026",
    starts=date(2026, 1, 1),
    seed="s",
    arms=[
        Arm(id="none", share=20, reminders=False),
        Arm(id="standard", share=40),
        Arm(id="plain", share=40, wording="plain"),
    ],
)


@pytest.mark.parametrize(
    ("experiment", "arm", "wording"),
    [
        ("reminders-2026", "none", None),
        ("reminders-2026", "plain", "plain"),
        ("reminders-2026", "standard", "standard"),
        ("reminders-2025", "none", "standard"),  # an arm of an experiment that has ended
        (None, None, "standard"),
    ],
)
def test_the_arm_decides_whether_and_in_which_words(
    experiment: str | None, arm: str | None, wording: str | None
) -> None:
    rules = profile(experiment=EXPERIMENT)
    messages = wanted(
        schedule(*pay_by(date(2026, 12, 10))),
        person(experiment=experiment, arm=arm),
        rules,
        now=local(date(2026, 11, 20), 12),
    )
    assert {m.wording for m in messages} == ({wording} if wording else set())


def test_a_closed_citation_wants_nothing() -> None:
    dates = schedule(*pay_by(date(2026, 12, 10), open=False), hearing(local(date(2026, 12, 14), 9)))
    assert wanted(dates, person(status="paid"), PROFILE, now=local(date(2026, 11, 20), 12)) == []


# Why a message is no longer wanted


def test_why_a_message_is_cancelled() -> None:
    now = local(date(2026, 11, 20), 12)
    old = wanted(schedule(*pay_by(date(2026, 12, 10))), person(), PROFILE, now=now)
    key = by_kind(old, "before_pay_by")[0].key
    moved = schedule(*pay_by(date(2026, 12, 17)))
    new = wanted(moved, person(), PROFILE, now=now)
    assert key not in {m.key for m in new}
    assert unwanted_because(key, "text", person(), moved, new, PROFILE) == "the date moved"
    paid = person(status="paid")
    assert unwanted_because(key, "text", paid, moved, [], PROFILE) == "the citation is closed"
    silent = person(
        Reach(
            channels=("email",),
            post=False,
            why_not={"text": "+15550102400 asked for no more texts"},
        )
    )
    assert (
        unwanted_because(key, "text", silent, moved, new, PROFILE)
        == "+15550102400 asked for no more texts"
    )
    contested = schedule(*pay_by(date(2026, 12, 10), open=False))
    taken = "no longer due: the step was taken or the date no longer binds"
    assert (
        unwanted_because(key, "text", person(status="in_review"), contested, [], PROFILE) == taken
    )
    at = local(date(2026, 12, 14), 9)
    postponed = schedule(hearing(at, open=False))
    hearing_key = f"hearing|hearing.7|{at.isoformat(timespec='minutes')}|7|text"
    assert unwanted_because(hearing_key, "text", person(), postponed, [], PROFILE) == (
        "the date moved: the hearing was postponed"
    )
