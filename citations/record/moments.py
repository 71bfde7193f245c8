"""Whether a time we are told is possible: one rule for every "received at" a person or a
clerk gives us, and for the day daily steps are run for.

A received time decides whether a request is on time and which day money counts on, so it is
checked before any deadline: not later than now (beyond `CLOCK_SKEW`), and not before the
citation it answers existed. A late request that passes stays late and still needs a clerk's
reason; this only refuses what cannot have happened.
"""

from __future__ import annotations

from datetime import date, datetime

from citations.calendar import CLOCK_SKEW, local_date, zone_of
from citations.errors import FieldError, ImplausibleTime, InputRejected, TooEarly
from citations.record.tables import Citation
from ordinances.models import Jurisdiction


def citation_existed_from(citation: Citation) -> datetime:
    """When the citation came to exist: the officer hands the notice over at the violation, and
    an offline device's record may reach the server later, so the earlier of the two."""
    return min(citation.violation_at, citation.issued_at)


def _shown(moment: datetime, profile: Jurisdiction) -> str:
    """`moment` on the jurisdiction's clocks, for a message; as sent if it cannot be shown so
    (a year 1 or 9999 time that the zone's offset would push out of the calendar)."""
    try:
        return moment.astimezone(zone_of(profile)).isoformat(timespec="minutes")
    except (OverflowError, ValueError):
        return moment.isoformat(timespec="minutes")


def check_received(
    received_at: datetime,
    citation: Citation,
    *,
    now: datetime,
    profile: Jurisdiction,
    field: str = "received_at",
    after: tuple[datetime, str] | None = None,
) -> datetime:
    """`received_at`, if it can be true; else `ImplausibleTime` naming `field`.

    It may not be more than `CLOCK_SKEW` ahead of `now`, nor before the citation existed, nor
    before `after` (a later event the request answers, with its description) when given.

    >>> from datetime import UTC, timedelta
    >>> from ordinances.catalog import DEMO_CATALOG, load_catalog
    >>> profile = load_catalog(DEMO_CATALOG).jurisdiction
    >>> issued = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
    >>> citation = Citation(number="DCPD-2026-000001-5", violation_at=issued, issued_at=issued)
    >>> now = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    >>> check_received(now + CLOCK_SKEW, citation, now=now, profile=profile) == now + CLOCK_SKEW
    True
    >>> check_received(datetime(2000, 1, 1, tzinfo=UTC), citation, now=now, profile=profile)
    Traceback (most recent call last):
    ...
    citations.errors.ImplausibleTime: the time given is not possible: received_at: \
1999-12-31T16:00-08:00 is before citation DCPD-2026-000001-5 existed \
(2026-11-20T10:00-08:00)
    """
    if received_at.tzinfo is None:
        raise ImplausibleTime(field, "must carry its time zone (an offset such as -08:00)")
    latest = now + CLOCK_SKEW
    if received_at > latest:
        raise ImplausibleTime(
            field,
            f"{_shown(received_at, profile)} is in the future: it is now "
            f"{_shown(now, profile)} (a clock may run at most "
            f"{int(CLOCK_SKEW.total_seconds() // 60)} minutes ahead)",
        )
    existed = citation_existed_from(citation)
    if received_at < existed:
        raise ImplausibleTime(
            field,
            f"{_shown(received_at, profile)} is before citation {citation.number} existed "
            f"({_shown(existed, profile)})",
        )
    if after is not None and received_at < after[0]:
        raise ImplausibleTime(
            field,
            f"{_shown(received_at, profile)} is before {after[1]} ({_shown(after[0], profile)})",
        )
    return received_at


def check_not_after_today(day: date, *, now: datetime, profile: Jurisdiction, what: str) -> date:
    """`day`, if it has come in the jurisdiction; else `TooEarly`: a date rule applied to a
    day not yet come would charge penalties and fees before they are due.

    >>> from datetime import UTC
    >>> from ordinances.catalog import DEMO_CATALOG, load_catalog
    >>> profile = load_catalog(DEMO_CATALOG).jurisdiction
    >>> now = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)  # still 2026-11-30 in Los Angeles
    >>> check_not_after_today(date(2026, 12, 1), now=now, profile=profile, what="processing")
    Traceback (most recent call last):
    ...
    citations.errors.TooEarly: processing cannot be run for a day that has not come: as_of: \
2026-12-01 is after today, 2026-11-30 in America/Los_Angeles
    """
    today = local_date(now, profile)
    if day > today:
        raise TooEarly(
            "as_of",
            f"{day.isoformat()} is after today, {today.isoformat()} in {profile.time_zone}",
            f"{what} cannot be run for a day that has not come",
        )
    return day


def check_done_between(
    day: date, since: tuple[datetime, str], *, now: datetime, profile: Jurisdiction, field: str
) -> date:
    """`day`, the day something was done, if it falls between the day of `since` (a moment and
    what it was: the election, the referral) and today; both days the city's, not UTC's (in
    the evening in Los Angeles it is already tomorrow in UTC). Else `InputRejected` naming
    `field`.

    >>> from datetime import UTC
    >>> from ordinances.catalog import DEMO_CATALOG, load_catalog
    >>> profile = load_catalog(DEMO_CATALOG).jurisdiction
    >>> elected = (datetime(2026, 11, 25, 18, 0, tzinfo=UTC), "the election")
    >>> now = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)  # still 2026-11-30 in Los Angeles
    >>> check_done_between(date(2026, 11, 30), elected, now=now, profile=profile, field="on")
    datetime.date(2026, 11, 30)
    >>> check_done_between(date(2026, 12, 1), elected, now=now, profile=profile, field="on")
    Traceback (most recent call last):
    ...
    citations.errors.InputRejected: the input was rejected: on: must be between the election \
(2026-11-25) and today
    """
    started_on, today = local_date(since[0], profile), local_date(now, profile)
    if not started_on <= day <= today:
        raise InputRejected(
            [FieldError(field, f"must be between {since[1]} ({started_on}) and today")]
        )
    return day
