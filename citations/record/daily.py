"""Daily aggregates of the program report, and the days whose aggregates are stale.

The report sums these tables over its period instead of scanning every citation
(`citations.reports.summed`). Each row is one violation day (the citation's local
`violation_date`; for intake records, the local day of `violation_at`) and one combination
of what the report groups by; money is in integer cents. `citations.reports.aggregates`
writes them: a day at a time, always from the rows, so a day's aggregates are exactly what
the rows give (there are no increments to drift).

Database triggers (migration 0019) append a row to `report_stale_days` in the same
transaction as any change to what a figure counts: a citation issued, amended, moved to a
new status, closed or voided; a ledger entry; an order given or set aside; a hearing moved; a
plan completed; an ability-to-pay decision; service hours signed off; an intake record. The
report reads a stale day from the rows (so it is exact before any refresh), and daily
processing or `citations reports refresh` recomputes the stale days' aggregates and clears
their marks. Migration 0022's triggers add the marks the repeat counts need: a change to
one citation of a person marks every day of that person's citations; migration 0023's, those
the reminders experiment needs (a payment, a contest, a request for help, a hearing, a
referral, a reminder sent, a citation's service day or arm). Triggers see every
writer, bulk ones (the batch issuing path, the seed, daily processing's set-based updates)
included, which hooks in Python would each have to repeat.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citations.orm import Base

CITATIONS = "c"
"""`ReportStaleDay.source` of a change to a citation or what hangs off it: `day` is its
violation date."""
INTAKE = "i"
"""`ReportStaleDay.source` of a new intake record: `day` is the UTC date of its violation, so
the local days either side of it are stale too (no zone is more than a day from UTC)."""


class ReportStaleDay(Base):
    """A day whose aggregates may no longer match the rows. Appended, never updated: writers
    in parallel never wait on one another's mark (a unique day would make them queue)."""

    __tablename__ = "report_stale_days"
    __table_args__ = (
        Index("ix_report_stale_days_day", "source", "day"),
        # PostgreSQL's triggers ask for this transaction's marks (migration 0025).
        Index("ix_report_stale_days_transaction", "transaction_id", "source", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(1))
    day: Mapped[date] = mapped_column(Date)
    transaction_id: Mapped[int | None] = mapped_column(BigInteger)
    """PostgreSQL's id of the marking transaction, so that it marks each day once."""


class ReportCitationDay(Base):
    """Citations by violation day, area, language, outcome (`citations.reports.facts`), and
    whether each chose an alternative and is closed."""

    __tablename__ = "report_citation_days"
    __table_args__ = (Index("ix_report_citation_days_day", "day", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    outcome: Mapped[str] = mapped_column(String(32))
    alternative: Mapped[int] = mapped_column(Integer)
    closed: Mapped[int] = mapped_column(Integer)
    citations: Mapped[int] = mapped_column(Integer)


class ReportOrdinanceDay(Base):
    """Citations by violation day, area and ordinance cited."""

    __tablename__ = "report_ordinance_days"
    __table_args__ = (Index("ix_report_ordinance_days_day", "day", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(200))
    ordinance_code: Mapped[str] = mapped_column(String(100))
    citations: Mapped[int] = mapped_column(Integer)


class ReportMoneyDay(Base):
    """Ledger entries' sums in cents by the citation's violation day, area and entry kind."""

    __tablename__ = "report_money_days"
    __table_args__ = (Index("ix_report_money_days_day", "day", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    cents: Mapped[int] = mapped_column(BigInteger)


class ReportServiceDay(Base):
    """Community service minutes signed off, by the citation's violation day and area."""

    __tablename__ = "report_service_days"
    __table_args__ = (Index("ix_report_service_days_day", "day", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(BigInteger)


class ReportOrderDay(Base):
    """Standing orders (not set aside) by the citation's violation day, area, tier, outcome
    and the hearing officer who gave them (None for an order without a hearing). The
    officer's name is read at report time, so renaming an officer needs no refresh."""

    __tablename__ = "report_order_days"
    __table_args__ = (Index("ix_report_order_days_day", "day", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(12))
    officer_id: Mapped[int | None] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(Integer)


class ReportResolutionDay(Base):
    """Closed citations by violation day, area and whole days from issue to close (the
    floor of the days, `citations.reports.resolution`): the histogram the report's median
    and 90th percentile are read from. Added by migration 0022."""

    __tablename__ = "report_resolution_days"
    __table_args__ = (Index("ix_report_resolution_days_day", "day", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(200))
    bucket: Mapped[int] = mapped_column(Integer)
    citations: Mapped[int] = mapped_column(Integer)


class ReportRepeatDay(Base):
    """Citations of people with a date of birth, not voided, by violation day, area and
    ordinance, and by the keys that make the repeat rates' distinct people countable
    (`citations.reports.repeated`): the day of the person's previous citation for the
    ordinance, whether the next citation came within 6 and 12 months, and the day of the
    previous citation that had each. Added by migration 0022."""

    __tablename__ = "report_repeat_days"
    __table_args__ = (Index("ix_report_repeat_days_day", "day", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(200))
    ordinance_code: Mapped[str] = mapped_column(String(100))
    prev_day: Mapped[date | None] = mapped_column(Date)
    again6: Mapped[int] = mapped_column(Integer)
    prev6_day: Mapped[date | None] = mapped_column(Date)
    again12: Mapped[int] = mapped_column(Integer)
    prev12_day: Mapped[date | None] = mapped_column(Date)
    citations: Mapped[int] = mapped_column(Integer)


class ReportExperimentDay(Base):
    """Citations in a reminders experiment by violation day, area, experiment, arm, service
    day, the local dates of their first payment in full, contest and request for help, and
    whether they defaulted, had a hearing, missed one and went to collections
    (`citations.reports.experiment_days`). Added by migration 0023."""

    __tablename__ = "report_experiment_days"
    __table_args__ = (Index("ix_report_experiment_days_day", "day", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(200))
    experiment: Mapped[str] = mapped_column(String(40))
    arm: Mapped[str | None] = mapped_column(String(40))
    served_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    contested_on: Mapped[date | None] = mapped_column(Date)
    helped_on: Mapped[date | None] = mapped_column(Date)
    defaulted: Mapped[int] = mapped_column(Integer)
    heard: Mapped[int] = mapped_column(Integer)
    missed: Mapped[int] = mapped_column(Integer)
    collections: Mapped[int] = mapped_column(Integer)
    citations: Mapped[int] = mapped_column(Integer)


class ReportReminderDay(Base):
    """Reminders sent to citations in a reminders experiment, by the citation's violation
    day, area, experiment and arm, and the channel. Added by migration 0023."""

    __tablename__ = "report_reminder_days"
    __table_args__ = (Index("ix_report_reminder_days_day", "day", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(200))
    experiment: Mapped[str] = mapped_column(String(40))
    arm: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(8))
    messages: Mapped[int] = mapped_column(Integer)


class ReportIntakeDay(Base):
    """Intake records by the local day of the violation, area, outcome and reason kind."""

    __tablename__ = "report_intake_days"
    __table_args__ = (Index("ix_report_intake_days_day", "day", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(20))
    records: Mapped[int] = mapped_column(Integer)


DERIVED_TABLES = frozenset(
    {
        ReportStaleDay.__tablename__,
        ReportCitationDay.__tablename__,
        ReportOrdinanceDay.__tablename__,
        ReportMoneyDay.__tablename__,
        ReportServiceDay.__tablename__,
        ReportOrderDay.__tablename__,
        ReportIntakeDay.__tablename__,
        ReportResolutionDay.__tablename__,
        ReportRepeatDay.__tablename__,
        ReportExperimentDay.__tablename__,
        ReportReminderDay.__tablename__,
    }
)
"""Tables computed from the records, not records themselves: the export leaves them out. A
restore's rows mark their days stale as they go in (the triggers), so the report on the
restored database is exact at once and as fast as before once `citations reports rebuild`
(or daily processing) has run."""
