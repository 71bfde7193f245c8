"""The cashier's drawer: an opening float, every payment taken at the counter while it is
open, and at close the counted cash and checks set against what should be there.

Why a drawer session: money taken in cash or by check at a counter passes through a
person's hands, so each cashier's takings are accounted for separately: what was counted at
close against the float plus what the receipts say came in, less what went back out. The
difference (over or short) is recorded on the session and reported; it is never adjusted
away. Card-terminal payments are settled by the processor, so they are listed with their
total but not counted.

The counter's payment path (`take_counter_payment`) is the only one that puts a payment in a
drawer: payments over the API, the lockbox and the public pages belong to none. A cash or
check payment at the counter without an open drawer is refused. Which methods the counter
offers, and how the drawer counts each, is data: the profile's `payments.counter`.

A cashier has one open drawer at a time, keyed on their staff account (`actor.user_id`)
when they signed in with one, else on their name (a token's holder); the database keeps the
rule too (a unique `open_key`), so two opens at the same moment leave one drawer.

    >>> from citations.roles import Actor, Role
    >>> cashier_key(Actor("Robin Diaz", Role.CLERK, user_id=7)), cashier_key(
    ...     Actor("counter token", Role.CLERK))
    ('user:7', 'name:counter token')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citations.audit import record
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected, NotFound
from citations.money import from_cents, to_cents
from citations.payments.posting import PaymentRequest, PaymentResult, record_payment
from citations.payments.tables import DrawerSession, Payment
from citations.roles import Action, Actor
from ordinances.models import Jurisdiction

COUNTED = ("cash", "check")
"""How the drawer counts a method: these are counted at close; `terminal` is only listed."""
OUT = frozenset({"reversal", "refund"})
OPEN_FIRST = "open your drawer first: cash and checks at the counter go into a drawer"


def cashier_key(actor: Actor) -> str:
    """Who a drawer belongs to: the staff account when there is one, else the name."""
    return f"user:{actor.user_id}" if actor.user_id is not None else f"name:{actor.name}"


def counter_methods(profile: Jurisdiction) -> dict[str, str]:
    """The methods the counter offers (the profile's `payments.counter` that it also accepts),
    each with how the drawer counts it: cash, check or terminal, in the order of `methods`
    (a stored profile's mapping may come back in any order)."""
    counter = profile.payments.counter
    return {m: counter[m] for m in profile.payments.methods if m in counter}


class DrawerReceipt(BaseModel):
    """One payment (or its reversal) in a drawer."""

    receipt_number: str
    citation_number: str
    kind: str
    method: str
    counted_as: str
    """cash, check or terminal."""
    reference: str | None
    amount: Decimal
    """Signed: money in is positive, money handed back is negative."""
    received_at: datetime


class DrawerPublic(BaseModel):
    """A drawer session as the pages, the CLI and the API show it."""

    id: int
    cashier: str
    opened_at: datetime
    opened_on: date
    opening_float: Decimal
    status: str
    """open or closed."""
    closed_at: datetime | None
    closed_by: str | None
    received: dict[str, Decimal]
    """Net money by method (in less out)."""
    cash_expected: Decimal
    """The float plus the cash taken, less the cash handed back."""
    checks_expected: Decimal
    terminal_total: Decimal
    counted_cash: Decimal | None
    counted_checks: Decimal | None
    cash_difference: Decimal | None
    """Counted less expected: above zero the drawer is over, below it short."""
    checks_difference: Decimal | None
    note: str | None
    receipts: list[DrawerReceipt]

    @property
    def balanced(self) -> bool:
        return self.cash_difference == 0 and self.checks_difference == 0


@dataclass(frozen=True)
class _Tally:
    receipts: list[DrawerReceipt]

    def total(self, counted_as: str) -> int:
        return sum(to_cents(r.amount) for r in self.receipts if r.counted_as == counted_as)

    def by_method(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for r in self.receipts:
            totals[r.method] = totals.get(r.method, Decimal("0.00")) + r.amount
        return dict(sorted(totals.items()))


def _tally(session: Session, drawer: DrawerSession, profile: Jurisdiction) -> _Tally:
    """The drawer's payments, and the reversals of them recorded while it was open (money
    handed back from the drawer). A reversal after close is the office's, not the drawer's:
    a closed drawer never changes."""
    ways = profile.payments.counter
    own = select(Payment.id).where(Payment.drawer_session_id == drawer.id)
    query = select(Payment).where(
        or_(
            Payment.drawer_session_id == drawer.id,
            Payment.reverses_id.in_(own) & (Payment.recorded_at >= drawer.opened_at),
        )
    )
    if drawer.closed_at is not None:
        query = query.where(Payment.recorded_at <= drawer.closed_at)
    receipts = [
        DrawerReceipt(
            receipt_number=p.receipt_number,
            citation_number=p.citation.number,
            kind=p.kind,
            method=p.method,
            counted_as=ways.get(p.method, "terminal"),
            reference=p.reference,
            amount=from_cents(-p.amount_cents if p.kind in OUT else p.amount_cents),
            received_at=p.received_at,
        )
        for p in session.scalars(query.order_by(Payment.id))
    ]
    return _Tally(receipts)


def _money(cents: int | None) -> Decimal | None:
    return None if cents is None else from_cents(cents)


def to_public(session: Session, drawer: DrawerSession, profile: Jurisdiction) -> DrawerPublic:
    tally = _tally(session, drawer, profile)
    return DrawerPublic(
        id=drawer.id,
        cashier=drawer.cashier,
        opened_at=drawer.opened_at,
        opened_on=drawer.opened_on,
        opening_float=from_cents(drawer.float_cents),
        status="open" if drawer.closed_at is None else "closed",
        closed_at=drawer.closed_at,
        closed_by=drawer.closed_by,
        received=tally.by_method(),
        cash_expected=from_cents(drawer.float_cents + tally.total("cash")),
        checks_expected=from_cents(tally.total("check")),
        terminal_total=from_cents(tally.total("terminal")),
        counted_cash=_money(drawer.counted_cash_cents),
        counted_checks=_money(drawer.counted_checks_cents),
        cash_difference=_money(drawer.cash_difference_cents),
        checks_difference=_money(drawer.checks_difference_cents),
        note=drawer.note,
        receipts=tally.receipts,
    )


def current_drawer(session: Session, actor: Actor, *, lock: bool = False) -> DrawerSession | None:
    """The actor's open drawer, if any (locked for the transaction with `lock`)."""
    query = select(DrawerSession).where(DrawerSession.open_key == cashier_key(actor))
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def _amount(name: str, value: Decimal, what: str) -> int:
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise InputRejected([FieldError(name, f"enter the {what} in dollars and cents, 0 or more")])
    return to_cents(value)


def open_drawer(
    session: Session, opening_float: Decimal, *, actor: Actor, now: datetime
) -> DrawerSession:
    """Open the actor's drawer with the cash float it starts with.

    Refused while the actor already has one open (close it first)."""
    actor.require(Action.KEEP_DRAWER)
    cents = _amount("float", opening_float, "opening float")
    key = cashier_key(actor)
    if current_drawer(session, actor) is not None:
        raise InputRejected(
            [FieldError("float", "your drawer is already open: close it before opening another")]
        )
    profile = PublishedCatalog(session).jurisdiction()
    drawer = DrawerSession(
        cashier=actor.name,
        cashier_user_id=actor.user_id,
        cashier_key=key,
        open_key=key,
        opened_at=now,
        opened_on=local_date(now, profile),
        float_cents=cents,
    )
    session.add(drawer)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Another open by the same cashier committed first: theirs is the open drawer.
        raise InputRejected(
            [FieldError("float", "your drawer is already open: close it before opening another")]
        ) from None
    record(
        session,
        at=now,
        actor=actor.name,
        action="drawer.open",
        entity_type="drawer",
        entity_key=str(drawer.id),
        after={"cashier": actor.name, "float": str(from_cents(cents))},
    )
    return drawer


def take_counter_payment(
    session: Session,
    number: str,
    request: PaymentRequest,
    *,
    actor: Actor,
    now: datetime,
    idempotency_key: str | None = None,
) -> tuple[PaymentResult, bool]:
    """Record a payment taken at the counter, in the cashier's open drawer.

    Refused: a method the counter does not offer, a check without its number, and cash or a
    check with no open drawer ("open your drawer first"). A card-terminal payment needs no
    drawer, but goes in the open one if there is one, to be listed at close. Everything else
    is `record_payment`'s to decide (the balance, the status, the received time).
    """
    actor.require(Action.RECORD_PAYMENT)
    profile = PublishedCatalog(session).jurisdiction()
    offered = counter_methods(profile)
    how = offered.get(request.method)
    if how is None:
        raise InputRejected(
            [FieldError("method", f"the counter takes {', '.join(offered)}")],
            "the counter does not take that method",
        )
    if how == "check" and not (request.reference or "").strip():
        raise InputRejected([FieldError("reference", "enter the check number")])
    drawer = current_drawer(session, actor, lock=True)
    if drawer is None and how in COUNTED:
        raise InputRejected([FieldError("drawer", OPEN_FIRST)], "no drawer is open")
    result, replayed = record_payment(
        session, number, request, actor=actor, now=now, idempotency_key=idempotency_key
    )
    if not replayed and drawer is not None:
        payment = session.scalar(
            select(Payment).where(Payment.receipt_number == result.receipt_number)
        )
        assert payment is not None
        payment.drawer_session_id = drawer.id
        session.flush()
    return result, replayed


def close_drawer(
    session: Session,
    counted_cash: Decimal,
    counted_checks: Decimal,
    *,
    actor: Actor,
    now: datetime,
    note: str | None = None,
) -> DrawerPublic:
    """Close the actor's open drawer with the cash and checks counted in it: the expected
    amounts and the differences are recorded on it, and it never changes again."""
    actor.require(Action.KEEP_DRAWER)
    errors = []
    for name, value, what in (
        ("counted_cash", counted_cash, "cash counted"),
        ("counted_checks", counted_checks, "checks counted"),
    ):
        try:
            _amount(name, value, what)
        except InputRejected as exc:
            errors.extend(exc.errors)
    if errors:
        raise InputRejected(errors, "the counts are not amounts")
    drawer = current_drawer(session, actor, lock=True)
    if drawer is None:
        raise InputRejected([FieldError("drawer", "you have no open drawer to close")])
    profile = PublishedCatalog(session).jurisdiction()
    drawer.closed_at = now  # the tally is as of the close
    tally = _tally(session, drawer, profile)
    expected_cash = drawer.float_cents + tally.total("cash")
    expected_checks = tally.total("check")
    drawer.open_key = None
    drawer.closed_by = actor.name
    drawer.counted_cash_cents = to_cents(counted_cash)
    drawer.counted_checks_cents = to_cents(counted_checks)
    drawer.expected_cash_cents = expected_cash
    drawer.expected_checks_cents = expected_checks
    drawer.cash_difference_cents = to_cents(counted_cash) - expected_cash
    drawer.checks_difference_cents = to_cents(counted_checks) - expected_checks
    drawer.terminal_cents = tally.total("terminal")
    drawer.note = (note or "").strip() or None
    session.flush()
    shown = to_public(session, drawer, profile)
    record(
        session,
        at=now,
        actor=actor.name,
        action="drawer.close",
        entity_type="drawer",
        entity_key=str(drawer.id),
        reason=drawer.note,
        after={
            "counted_cash": str(counted_cash),
            "counted_checks": str(counted_checks),
            "expected_cash": str(shown.cash_expected),
            "expected_checks": str(shown.checks_expected),
            "cash_difference": str(shown.cash_difference),
            "checks_difference": str(shown.checks_difference),
            "terminal": str(shown.terminal_total),
        },
    )
    return shown


def my_drawer(session: Session, *, actor: Actor) -> DrawerPublic | None:
    """The actor's open drawer as shown, or None."""
    actor.require(Action.KEEP_DRAWER)
    drawer = current_drawer(session, actor)
    if drawer is None:
        return None
    return to_public(session, drawer, PublishedCatalog(session).jurisdiction())


def get_drawer(session: Session, drawer_id: int, *, actor: Actor) -> DrawerPublic:
    """One drawer session, for whoever reads the money reports (every cashier does)."""
    actor.require(Action.READ_MONEY_REPORTS)
    drawer = session.get(DrawerSession, drawer_id)
    if drawer is None:
        raise NotFound("drawer session", str(drawer_id))
    return to_public(session, drawer, PublishedCatalog(session).jurisdiction())


def list_drawers(session: Session, start: date, end: date, *, actor: Actor) -> list[DrawerPublic]:
    """The drawer sessions opened from `start` to `end` (local days), oldest first."""
    actor.require(Action.READ_MONEY_REPORTS)
    profile = PublishedCatalog(session).jurisdiction()
    rows = session.scalars(
        select(DrawerSession)
        .where(DrawerSession.opened_on >= start, DrawerSession.opened_on <= end)
        .order_by(DrawerSession.opened_on, DrawerSession.id)
    )
    return [to_public(session, d, profile) for d in rows]
