"""Deliver what is due in the outbox: emails through SMTP, texts through the provider's API,
each message once, at each channel's pace, never in the quiet hours.

`send_due` is one run: first it settles the messages a sender that died left in `sending`
(`claims.take_over`), then it claims, sends and records due messages one at a time, always
serving the channel whose pace lets it go first, until nothing is due, the limit is reached,
the quiet hours begin, or it is told to stop (it finishes the message in hand). Letters are
left alone: they go out in batches to a mail house.

What "exactly once" means here, per channel:
- Every message is claimed (`sending`, committed) before the provider sees it, and recorded
  right after; so a sender that dies leaves at most the one message it had in hand in doubt.
- A text in doubt is looked up in the provider's log (by number and words) before anything is
  sent again: it is recorded as sent if Twilio has it, sent if not. A text is therefore handed
  to Twilio once. The same lookup settles a request whose answer was lost (a timeout).
- An email in doubt cannot be looked up (SMTP keeps no log we can ask): it is sent again with
  the same Message-ID, and its row says so. The person may get a second copy of that one
  message only (mail systems that drop duplicates by Message-ID, as the large ones do, show
  one); no other message is ever sent twice.
- A run settles a message in doubt once its claim is older than the lease (a living sender
  never holds one that long: it records each message seconds after claiming it), or at once
  when the caller says no other sender runs (`alone`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from citations.calendar import local_at, local_time, zone_of
from citations.catalog.store import PublishedCatalog
from citations.database import transaction
from citations.outreach.channels.base import Gateway, NotSent, Outcome
from citations.outreach.channels.email import SmtpChannel
from citations.outreach.channels.texts import TwilioChannel
from citations.outreach.claims import (
    Claimed,
    claim_next,
    record_cancelled,
    record_failure,
    record_in_doubt,
    record_sent,
    take_over,
)
from citations.outreach.compose import sent_as
from citations.outreach.pacing import Pacer, event_wait
from citations.record.messages import Channel, MessageStatus, OutboxMessage
from citations.settings import Settings
from ordinances.models import Jurisdiction

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
"""How long a claim protects a message: one left in `sending` longer is in doubt."""
SENT_AGAIN = "interrupted: the sender stopped while sending it; sent again with the same Message-ID"
"""The note on an email sent again after an interruption (a copy may have gone before)."""
FOUND = "interrupted: the sender stopped while sending it; the provider had it"
NOT_FOUND = "interrupted: the sender stopped while sending it; the provider did not have it"
NEEDS = {
    Channel.EMAIL: "CITATIONS_SMTP_HOST (with CITATIONS_MAIL_FROM and CITATIONS_OUTREACH_SECRET)",
    Channel.TEXT: "CITATIONS_TEXT_PROVIDER=twilio (with CITATIONS_TWILIO_ACCOUNT_SID, "
    "CITATIONS_TWILIO_AUTH_TOKEN and CITATIONS_TWILIO_FROM)",
}
"""The settings that turn a channel on."""
NAMES = {Channel.EMAIL: ("email", "emails"), Channel.TEXT: ("text", "texts")}


def configured(settings: Settings) -> list[Channel]:
    """The channels the settings turn on (the settings' own check makes sure each has what
    it needs)."""
    channels = []
    if settings.smtp_host is not None:
        channels.append(Channel.EMAIL)
    if settings.text_provider == "twilio":
        channels.append(Channel.TEXT)
    return channels


def gateway_for(channel: Channel, settings: Settings) -> Gateway:
    return SmtpChannel(settings) if channel == Channel.EMAIL else TwilioChannel(settings)


def per_minute(channel: Channel, settings: Settings) -> int:
    return settings.emails_per_minute if channel == Channel.EMAIL else settings.texts_per_minute


def quiet_until(now: datetime, profile: Jurisdiction) -> datetime | None:
    """When the quiet hours that `now` falls in end, or None outside them (local time).

    >>> from ordinances.catalog import DEMO_CATALOG, load_catalog
    >>> profile = load_catalog(DEMO_CATALOG).jurisdiction  # 20:00 to 08:00 in Los Angeles
    >>> quiet_until(datetime(2026, 12, 1, 6, 0, tzinfo=UTC), profile)  # 22:00 the day before
    datetime.datetime(2026, 12, 1, 8, 0, tzinfo=zoneinfo.ZoneInfo(key='America/Los_Angeles'))
    >>> quiet_until(datetime(2026, 12, 1, 18, 0, tzinfo=UTC), profile) is None  # 10:00
    True
    """
    hours = profile.reminders.quiet_hours
    start, end = time.fromisoformat(hours.start), time.fromisoformat(hours.end)
    local = local_time(now, profile)
    clock, day = local.time().replace(tzinfo=None), local.date()
    if start == end:
        return None
    if start < end:
        quiet = start <= clock < end
    else:  # across midnight
        quiet = clock >= start or clock < end
        if clock >= start:
            day += timedelta(days=1)
    return local_at(day, end, zone_of(profile)) if quiet else None


def default_worker() -> str:
    """This sender's name on the rows it claims: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


@dataclass
class Tally:
    """What one run did on one channel."""

    sent: int = 0
    retrying: int = 0
    """Not taken for a passing reason: pending again, with a later try."""
    failed: int = 0
    flagged: int = 0
    """Of the failed: the address refused for good, flagged on the citation for a clerk."""
    settled: int = 0
    """Messages a sender that died had left in doubt, settled by this run."""
    in_doubt: int = 0
    """Left in doubt: the provider may have them and could not be asked."""
    cancelled: int = 0
    """Due but no longer to send (consent withdrawn, an opt-out, no address)."""

    def busy(self) -> bool:
        return any(vars(self).values())


@dataclass
class SendReport:
    """What a run did, per channel, and why it stopped."""

    channels: dict[str, Tally] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    """Due messages on channels that are not configured: they wait in the outbox."""
    outages: dict[str, str] = field(default_factory=dict)
    """Channels the run stopped using, with the provider's words."""
    quiet_until: datetime | None = None
    stopped: bool = False

    def tally(self, channel: str) -> Tally:
        return self.channels.setdefault(channel, Tally())

    def total(self, what: str) -> int:
        return sum(getattr(tally, what) for tally in self.channels.values())

    def lines(self) -> list[str]:
        """The run in plain sentences, one per channel, for the command line and the log."""
        lines = []
        for channel, tally in self.channels.items():
            if not tally.busy():
                continue
            one, many = NAMES[Channel(channel)]
            lines.append(f"{many.capitalize()}: {_counts(tally, one, many)}.")
        for channel, words in self.outages.items():
            lines.append(f"Stopped sending {NAMES[Channel(channel)][1]}: {words}.")
        for channel, count in self.waiting.items():
            one, many = NAMES[Channel(channel)]
            noun = one if count == 1 else many
            lines.append(
                f"{count} {noun} wait: {many} are not configured (set {NEEDS[Channel(channel)]})."
            )
        if self.quiet_until is not None:
            lines.append(
                f"Quiet hours: nothing more is sent until {self.quiet_until:%H:%M} local time."
            )
        if self.stopped:
            lines.append("Stopped when asked.")
        return lines or ["Nothing was due."]


def _counts(tally: Tally, one: str, many: str) -> str:
    parts = [f"{tally.sent} sent"]
    if tally.settled:
        parts[0] += f" ({tally.settled} settled after an interruption)"
    if tally.retrying:
        parts.append(f"{tally.retrying} to try again later")
    if tally.failed:
        flagged = f" ({tally.flagged} {'phone' if one == 'text' else 'email'} flagged for a clerk)"
        parts.append(f"{tally.failed} failed" + (flagged if tally.flagged else ""))
    if tally.in_doubt:
        parts.append(f"{tally.in_doubt} in doubt (the provider could not be asked)")
    if tally.cancelled:
        parts.append(f"{tally.cancelled} no longer to send")
    return ", ".join(parts)


def send_due(
    engine: Engine,
    settings: Settings,
    *,
    worker: str | None = None,
    limit: int | None = None,
    alone: bool = False,
    lease: timedelta = LEASE,
    profile: Jurisdiction | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    stop: threading.Event | None = None,
) -> SendReport:
    """Deliver what is due now on every configured channel; see the module's docstring.

    `limit` caps the messages handed over in this run; `alone` says no other sender runs,
    so every message left in `sending` is in doubt now rather than after the `lease`;
    `stop`, when set, ends the run after the message in hand.

    >>> # report = send_due(engine, get_settings(), limit=500)
    >>> # report.lines()
    >>> # ['Texts: 120 sent, 2 to try again later.', 'Emails: 80 sent.']
    """
    stop = stop or threading.Event()
    run = _Run(engine, settings, worker or default_worker(), clock, stop, limit)
    with transaction(engine) as session:
        run.profile = profile or PublishedCatalog(session).jurisdiction()
        run.count_waiting(session)
    channels = configured(settings)
    if not channels:
        return run.report
    gateways = {channel: gateway_for(channel, settings) for channel in channels}
    try:
        run.gateways = gateways
        older_than = clock() - (timedelta(0) if alone else lease)
        for channel in channels:
            if not run.settle(channel, older_than):
                return run.report
        run.deliver_due()
    finally:
        for gateway in gateways.values():
            gateway.close()
    return run.report


class _Run:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        worker: str,
        clock: Callable[[], datetime],
        stop: threading.Event,
        limit: int | None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.worker = worker
        self.clock = clock
        self.stop = stop
        self.limit = limit
        self.handed = 0
        self.report = SendReport()
        self.profile: Jurisdiction
        self.gateways: dict[Channel, Gateway] = {}
        self.pacers = {
            channel: Pacer(per_minute(channel, settings), wait=event_wait(stop))
            for channel in configured(settings)
        }

    def count_waiting(self, session: Session) -> None:
        off = [c.value for c in (Channel.EMAIL, Channel.TEXT) if c not in configured(self.settings)]
        if not off:
            return
        rows = session.execute(
            select(OutboxMessage.channel, func.count())
            .where(
                OutboxMessage.status == MessageStatus.PENDING.value,
                OutboxMessage.channel.in_(off),
                OutboxMessage.next_try_at <= self.clock(),
            )
            .group_by(OutboxMessage.channel)
        ).all()
        self.report.waiting = {channel: count for channel, count in rows if count}

    def turn(self, channel: Channel) -> bool:
        """Wait for the channel's turn; False when the run must end (the limit, a stop,
        the quiet hours)."""
        if self.limit is not None and self.handed >= self.limit:
            return False
        if not self.pacers[channel].wait_turn() or self.stop.is_set():
            self.report.stopped = True
            return False
        until = quiet_until(self.clock(), self.profile)
        if until is not None:
            self.report.quiet_until = until
            return False
        return True

    def settle(self, channel: Channel, older_than: datetime) -> bool:
        """Settle the channel's messages in doubt; False when the run must end."""
        gateway, tally = self.gateways[channel], self.report.tally(channel)
        while self.turn(channel):
            with transaction(self.engine) as session:
                claimed, passed = take_over(
                    session,
                    channel,
                    older_than=older_than,
                    worker=self.worker,
                    profile=self.profile,
                    settings=self.settings,
                    now=self.clock(),
                )
            tally.failed += passed.unwritable
            if claimed is None:
                return True
            assert claimed.before is not None
            if gateway.can_ask:
                try:
                    found = gateway.find(claimed.outgoing.address, sent_as(claimed.before))
                except NotSent as failure:
                    self._in_doubt(claimed, failure.detail)
                    return True  # the provider cannot be asked now: the next run asks
                if found is not None:
                    tally.settled += 1
                    self._sent(claimed, found, kept=claimed.before, note=FOUND)
                    continue
            tally.settled += 1
            if claimed.must_not_go is not None:
                reason = f"interrupted, not sent again: {claimed.must_not_go}"
                with transaction(self.engine) as session:
                    record_cancelled(session, claimed, reason, worker=self.worker, now=self.clock())
                tally.cancelled += 1
                continue
            if not self.deliver(channel, claimed, NOT_FOUND if gateway.can_ask else SENT_AGAIN):
                return True
        return False

    def deliver_due(self) -> None:
        active = list(self.gateways)
        while active:
            channel = min(active, key=lambda c: self.pacers[c].ready_at())
            if not self.turn(channel):
                return
            with transaction(self.engine) as session:
                claimed, passed = claim_next(
                    session,
                    channel,
                    worker=self.worker,
                    profile=self.profile,
                    settings=self.settings,
                    now=self.clock(),
                )
            tally = self.report.tally(channel)
            tally.cancelled += passed.cancelled
            tally.failed += passed.unwritable
            if claimed is None or not self.deliver(channel, claimed):
                active.remove(channel)

    def deliver(self, channel: Channel, claimed: Claimed, note: str | None = None) -> bool:
        """Hand a claimed message over and record what came of it; False when the channel
        is down for the rest of the run."""
        gateway = self.gateways[channel]
        self.handed += 1
        try:
            provider_id = gateway.send(claimed.outgoing, now=self.clock())
        except NotSent as failure:
            self.pacers[channel].handed_over()
            return self._not_sent(channel, claimed, failure)
        self.pacers[channel].handed_over()
        self._sent(claimed, provider_id, note=note)
        return True

    def _sent(
        self, claimed: Claimed, provider_id: str, *, kept: str | None = None, note: str | None
    ) -> None:
        with transaction(self.engine) as session:
            record_sent(
                session,
                claimed,
                provider_id=provider_id,
                worker=self.worker,
                now=self.clock(),
                kept=kept,
                note=note,
            )
        self.report.tally(claimed.channel).sent += 1

    def _in_doubt(self, claimed: Claimed, words: str) -> None:
        with transaction(self.engine) as session:
            record_in_doubt(session, claimed, words, worker=self.worker, now=self.clock())
        self.report.tally(claimed.channel).in_doubt += 1
        log.warning("outbox message %s (%s) left in doubt", claimed.id, claimed.channel)

    def _not_sent(self, channel: Channel, claimed: Claimed, failure: NotSent) -> bool:
        gateway, tally = self.gateways[channel], self.report.tally(channel)
        if failure.outcome is Outcome.UNKNOWN:
            try:
                found = gateway.find(claimed.outgoing.address, sent_as(claimed.kept))
            except NotSent as asking:
                self._in_doubt(claimed, f"{failure.detail}; then {asking.detail}")
                return not asking.outage
            if found is not None:
                self._sent(claimed, found, note=None)
                return True
            failure = NotSent(Outcome.PASSING, failure.detail, outage=failure.outage)
        with transaction(self.engine) as session:
            status = record_failure(
                session,
                claimed,
                failure,
                worker=self.worker,
                profile=self.profile,
                now=self.clock(),
            )
        if status is MessageStatus.FAILED:
            tally.failed += 1
            tally.flagged += failure.contact
        elif status is MessageStatus.PENDING:
            tally.retrying += 1
        log.warning(
            "outbox message %s (%s) not sent (%s): %s",
            claimed.id,
            channel.value,
            failure.outcome.value,
            status.value if status else "taken over by another sender",
        )
        if failure.outage:
            self.report.outages[channel] = failure.detail
            return False
        return True
