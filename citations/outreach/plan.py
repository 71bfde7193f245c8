"""Which messages a citation's schedule wants, when, on which channel and in which wording:
pure functions of the schedule, the profile's `reminders`, how the person can be reached and
the moment of planning (no database).

What is wanted, for a citation that is not closed and not in an experiment's arm without
reminders:

- Before each open date of the schedule that has offsets in the profile (pay by, merged with
  contest by; a hearing request, a deposit, a hearing, an installment, a service or program
  deadline, a set-aside), one message per offset, on the day `offset` days before, at the
  profile's `send_at` on the jurisdiction's clock (10:00 stays 10:00 across a daylight-saving
  change).
- The morning of a hearing (not a written one), `hearing_hours_before` hours before it; in
  the quiet hours it moves to their end if that is still before the hearing, else it is not
  sent.
- After a missed step, `after_missed` days after an open pay-by date or an unpaid installment
  (sent only if the step is still not taken then: the commit that takes it cancels it), saying
  what can still be done and until when, from the schedule's other dates.
- When a hearing is set, or set again after a continuance, a message at once.

Any time inside the quiet hours moves to their end. A message whose time has already passed
when it is planned is *stale*: it is never written (a citation issued or reached late gets
the reminders still ahead of it, not a burst of old ones), but a pending row already written
for it is kept. Two exceptions: a missed-step message planned on its own day goes out at once
(out of the quiet hours), and a hearing's announcement goes out at once if the hearing was
set less than a day before and is still ahead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from citations.outreach.reach import Reach
from citations.record.messages import Channel
from citations.record.status import CLOSED
from citations.schedule import Dated, Schedule
from ordinances.models import Jurisdiction, QuietHours

DATE_KEYS = (
    "pay_by",
    "hearing_request_by",
    "deposit_due",
    "hearing",
    "installment",
    "service_deadline",
    "program_deadline",
    "set_aside_by",
)
"""The schedule's dates a reminder can come before: the profile's offsets lists."""

KINDS = (
    *(f"before_{key}" for key in DATE_KEYS),
    "hearing_today",
    "missed_pay_by",
    "missed_installment",
    "hearing_set",
    "hearing_moved",
)
"""Every kind of message the plan writes; each needs its words in every wording file."""

EVENT_WINDOW = timedelta(days=1)
"""How long after a hearing is set its announcement may still be written."""

_CLOSED = frozenset(s.value for s in CLOSED)
_END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class Person:
    """What the plan needs of the citation besides its schedule."""

    status: str
    language: str
    """The citation's notice language (the words fall back to the profile's first)."""
    experiment: str | None
    arm: str | None
    reach: Reach


@dataclass(frozen=True, slots=True)
class Wanted:
    """One message the schedule wants: a row of the outbox, once written."""

    key: str
    """`{about}|{record or -}|{the date or moment}|{offset}|{channel}`: a moved date, a new
    hearing or another channel is another message."""
    kind: str
    about: str
    due_on: datetime
    channel: str
    language: str
    wording: str
    send_at: datetime
    """In UTC, already out of the quiet hours."""
    facts: dict[str, Any]
    stale: bool
    """Its time passed before it was planned: not written, but a row already written for
    it is kept."""


@dataclass(frozen=True, slots=True)
class _Moment:
    """A message before its channel is chosen."""

    kind: str
    about: str
    thing: str
    when: str
    step: str
    due_on: datetime
    send_at: datetime
    facts: dict[str, Any]
    stale: bool

    def key(self, channel: str) -> str:
        return f"{self.about}|{self.thing}|{self.when}|{self.step}|{channel}"


_CHANNELS = frozenset(c.value for c in Channel)


def is_planned(key: str) -> bool:
    """Whether an outbox key is one this plan writes (`{about}|{record}|{when}|{step}|
    {channel}`, about a date of the schedule): the sync brings only those up to date, and
    leaves a message written by anything else to its writer.

    >>> is_planned("pay_by|-|2026-12-10|7|text"), is_planned("notice_copy|12|email")
    (True, False)
    """
    parts = key.split("|")
    return len(parts) == 5 and parts[0] in DATE_KEYS and parts[4] in _CHANNELS


def wording_of(person: Person, profile: Jurisdiction) -> str | None:
    """The wording the person's arm gets (`standard` outside an experiment); None for an arm
    that gets no reminders."""
    experiment = profile.reminders.experiment
    if experiment is None or person.arm is None or person.experiment != experiment.id:
        return "standard"
    for arm in experiment.arms:
        if arm.id == person.arm:
            return arm.wording if arm.reminders else None
    return "standard"


def wanted(
    schedule: Schedule, person: Person, profile: Jurisdiction, *, now: datetime
) -> list[Wanted]:
    """The messages `schedule` wants for `person` as of `now` (an aware moment), stale ones
    included (see the module's docstring)."""
    if person.status in _CLOSED:
        return []
    wording = wording_of(person, profile)
    if wording is None:
        return []
    letters = set(profile.reminders.letters)
    reach = person.reach
    messages = []
    for moment in _Planner(schedule, profile, now).moments():
        family = "missed" if moment.kind.startswith("missed_") else moment.kind
        channels = reach.channels or (
            (Channel.LETTER.value,) if reach.post and family in letters else ()
        )
        for channel in channels:
            messages.append(
                Wanted(
                    key=moment.key(channel),
                    kind=moment.kind,
                    about=moment.about,
                    due_on=moment.due_on,
                    channel=channel,
                    language=person.language,
                    wording=wording,
                    send_at=moment.send_at,
                    facts=moment.facts,
                    stale=moment.stale,
                )
            )
    return messages


class _Planner:
    """The moments of one schedule, on the jurisdiction's clock."""

    def __init__(self, schedule: Schedule, profile: Jurisdiction, now: datetime) -> None:
        self.schedule = schedule
        self.profile = profile
        self.rules = profile.reminders
        self.clock = _clock_of(profile)
        self.zone = self.clock.zone
        self.now = now.astimezone(UTC)
        self.today = now.astimezone(self.zone).date()
        self.open = [d for d in schedule.dates if d.open]

    def moments(self) -> Iterator[_Moment]:
        yield from self._before_dates()
        yield from self._mornings()
        yield from self._missed()
        yield from self._hearing_changes()

    # When

    def local(self, day: date, clock: time) -> datetime:
        """The UTC moment of a local day and time (zoneinfo keeps 10:00 at 10:00 across a
        daylight-saving change; a time skipped by the change counts as the hour before)."""
        return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)

    def unquiet(self, moment: datetime) -> datetime:
        clock = self.clock
        return _out_of_quiet(moment, clock.quiet_start, clock.quiet_end, clock.zone)

    def end_of(self, day: date) -> datetime:
        return self.local(day, _END_OF_DAY)

    # Before each date

    def _anchors(self) -> Iterator[tuple[str, Dated, dict[str, Any]]]:
        """Each open date with offsets, with what its reminders say about it; pay-by and
        contest-by are one date ("pay or contest by"), the earlier of the two."""
        by_key: dict[str, list[Dated]] = {}
        for dated in self.open:
            by_key.setdefault(dated.key, []).append(dated)
        pay = by_key.get("pay_by", []) + by_key.get("review_by", [])
        if pay:
            first = min(pay, key=lambda d: d.on)
            late = by_key.get("late_penalty", [])
            facts: dict[str, Any] = {
                "pay_by": None,
                "contest_by": None,
                "late_penalty": bool(late and late[0].facts.get("penalty")),
            }
            for dated in pay:
                facts["pay_by" if dated.key == "pay_by" else "contest_by"] = dated.on.isoformat()
            yield "pay_by", first, facts
        for key in DATE_KEYS[1:]:
            for dated in by_key.get(key, []):
                yield key, dated, _date_facts(dated)

    def _before_dates(self) -> Iterator[_Moment]:
        clock = self.clock.send_at
        for key, dated, facts in self._anchors():
            due = dated.at.astimezone(UTC) if dated.at is not None else self.end_of(dated.on)
            when = _when(dated)
            for offset in getattr(self.rules, key):
                send_at = self.unquiet(self.local(dated.on - timedelta(days=offset), clock))
                if send_at >= due:
                    continue  # the quiet hours pushed it past the date itself
                yield _Moment(
                    kind=f"before_{key}",
                    about=key,
                    thing=_thing(dated),
                    when=when,
                    step=str(offset),
                    due_on=due,
                    send_at=send_at,
                    facts={**facts, "date": dated.on.isoformat(), "days_before": offset},
                    stale=send_at < self.now,
                )

    def _mornings(self) -> Iterator[_Moment]:
        hours = self.rules.hearing_hours_before
        if hours is None:
            return
        for dated in self.open:
            if dated.key != "hearing" or dated.at is None or dated.facts.get("mode") == "written":
                continue
            start = dated.at.astimezone(UTC)
            send_at = self.unquiet(start - timedelta(hours=hours))
            if send_at >= start:
                continue  # the quiet hours end too late: no morning reminder
            yield _Moment(
                kind="hearing_today",
                about="hearing",
                thing=_thing(dated),
                when=_when(dated),
                step=f"{hours}h",
                due_on=start,
                send_at=send_at,
                facts={**_date_facts(dated), "date": dated.on.isoformat()},
                stale=send_at < self.now,
            )

    # After a missed step

    def _missed(self) -> Iterator[_Moment]:
        after = self.rules.after_missed
        if after is None:
            return
        pay_by = next((d for d in self.open if d.key == "pay_by"), None)
        if pay_by is not None:
            yield from self._missed_pay_by(pay_by, after)
        grace = self.profile.payments.plans.grace_days
        for dated in self.open:
            if dated.key != "installment":
                continue
            day = dated.on + timedelta(days=after)
            until = dated.on + timedelta(days=grace)
            if day > until:
                continue  # the plan has ended by then: the default's own notices say so
            facts = {
                **_date_facts(dated),
                "missed": dated.on.isoformat(),
                "keep_plan_until": until.isoformat(),
            }
            yield self._after(dated, "missed_installment", "installment", day, facts)

    def _missed_pay_by(self, pay_by: Dated, after: int) -> Iterator[_Moment]:
        """What a person who let the notice's deadline pass can still do, from the
        schedule: pay before the late penalty (or being marked late) and before referral to
        collections; contest while the contest-by date (if later) is open."""
        day = pay_by.on + timedelta(days=after)
        late = next((d for d in self.open if d.key == "late_penalty"), None)
        if late is not None and late.on <= day:
            return  # late already: the late notice says what is owed and until when
        collections = next((d for d in self.open if d.key == "collections"), None)
        review = next((d for d in self.open if d.key == "review_by"), None)
        facts = {
            "missed": pay_by.on.isoformat(),
            "late_on": None if late is None else late.on.isoformat(),
            "late_penalty": late is not None and bool(late.facts.get("penalty")),
            "collections_on": None if collections is None else collections.on.isoformat(),
            "contest_by": review.on.isoformat()
            if review is not None and review.on >= day
            else None,
        }
        yield self._after(pay_by, "missed_pay_by", "pay_by", day, facts)

    def _after(
        self, dated: Dated, kind: str, about: str, day: date, facts: dict[str, Any]
    ) -> _Moment:
        send_at = self.unquiet(self.local(day, self.clock.send_at))
        stale = send_at < self.now
        if stale and day == self.today:
            send_at, stale = self.unquiet(self.now), False  # planned on its day: at once
        return _Moment(
            kind=kind,
            about=about,
            thing=_thing(dated),
            when=_when(dated),
            step=f"+{(day - dated.on).days}",
            due_on=self.end_of(dated.on),
            send_at=send_at,
            facts={**facts, "date": dated.on.isoformat()},
            stale=stale,
        )

    # When a hearing is set or moved

    def _hearing_changes(self) -> Iterator[_Moment]:
        if not self.rules.hearing_changes:
            return
        for dated in self.open:
            if dated.key != "hearing" or dated.at is None:
                continue
            start = dated.at.astimezone(UTC)
            set_at = dated.facts.get("set_at")
            recent = set_at is None or datetime.fromisoformat(set_at) >= self.now - EVENT_WINDOW
            moved = dated.facts.get("replaces") is not None
            yield _Moment(
                kind="hearing_moved" if moved else "hearing_set",
                about="hearing",
                thing=_thing(dated),
                when=_when(dated),
                step="moved" if moved else "set",
                due_on=start,
                send_at=self.unquiet(self.now),
                facts={**_date_facts(dated), "date": dated.on.isoformat()},
                stale=not recent or start <= self.now,
            )


def out_of_quiet(moment: datetime, quiet: QuietHours, zone: ZoneInfo) -> datetime:
    """`moment` (aware), or the end of the quiet hours it falls in, in UTC. The quiet hours
    run from `start` to `end` on the local clock, across midnight when start is later than
    end; equal start and end mean none.

    >>> from ordinances.models import QuietHours
    >>> zone = ZoneInfo("America/Los_Angeles")
    >>> late = datetime(2026, 12, 1, 21, 30, tzinfo=zone)
    >>> out_of_quiet(late, QuietHours(start="20:00", end="08:00"), zone).astimezone(zone)
    datetime.datetime(2026, 12, 2, 8, 0, tzinfo=zoneinfo.ZoneInfo(key='America/Los_Angeles'))
    """
    return _out_of_quiet(
        moment, time.fromisoformat(quiet.start), time.fromisoformat(quiet.end), zone
    )


def _out_of_quiet(moment: datetime, start: time, end: time, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start == end:
        return moment.astimezone(UTC)
    if start < end:
        inside, day = start <= clock < end, local.date()
    else:
        inside = clock >= start or clock < end
        day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return moment.astimezone(UTC)
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class _Clock:
    """A profile's clock for reminders, read once (every citation of a batch plans on it)."""

    zone: ZoneInfo
    send_at: time
    quiet_start: time
    quiet_end: time


_CLOCKS: dict[int, tuple[Jurisdiction, _Clock]] = {}


def _clock_of(profile: Jurisdiction) -> _Clock:
    held = _CLOCKS.get(id(profile))
    if held is not None and held[0] is profile:
        return held[1]
    rules = profile.reminders
    clock = _Clock(
        zone=ZoneInfo(profile.time_zone),
        send_at=rules.send_time(),
        quiet_start=time.fromisoformat(rules.quiet_hours.start),
        quiet_end=time.fromisoformat(rules.quiet_hours.end),
    )
    if len(_CLOCKS) > 16:
        _CLOCKS.clear()
    _CLOCKS[id(profile)] = (profile, clock)
    return clock


def _thing(dated: Dated) -> str:
    return dated.ref.replace(":", ".") if dated.ref else "-"


def _when(dated: Dated) -> str:
    if dated.at is not None:
        return dated.at.isoformat(timespec="minutes")
    return dated.on.isoformat()


def _date_facts(dated: Dated) -> dict[str, Any]:
    """What the words say about a date besides the day: a hearing's hour and where; an
    installment's number and amount; the program."""
    facts = dict(dated.facts)
    if dated.at is not None:
        facts["at"] = dated.at.isoformat()
    facts.pop("set_at", None)
    if dated.key == "installment":
        facts.pop("paid_cents", None)
    return facts


def unwanted_because(
    key: str,
    channel: str,
    person: Person,
    schedule: Schedule,
    messages: list[Wanted],
    profile: Jurisdiction,
) -> str:
    """Why a message written earlier (`key`, on `channel`) is no longer wanted, in plain
    words for the record: the cancelled row's `cancel_reason`."""
    if person.status in _CLOSED:
        return "the citation is closed"
    if wording_of(person, profile) is None:
        return "the citation's experiment group gets no reminders"
    reach = person.reach
    if channel != Channel.LETTER.value and channel not in reach.channels:
        return reach.why_not.get(channel, f"no {channel}")
    if channel == Channel.LETTER.value and (reach.channels or not reach.post):
        return reach.why_not.get(channel, "no letter")
    parts = key.split("|")
    if len(parts) == 5:
        about, thing, when = parts[:3]
        for message in messages:
            other = message.key.split("|")
            if other[:2] == [about, thing] and other[2] != when:
                return "the date moved"
        if thing != "-":
            dated = next((d for d in schedule.dates if _thing(d) == thing), None)
            if dated is not None and dated.key == "hearing":
                status = dated.facts.get("status")
                if status == "postponed":
                    return "the date moved: the hearing was postponed"
                return f"the hearing is no longer scheduled ({str(status).replace('_', ' ')})"
    return "no longer due: the step was taken or the date no longer binds"
