"""Contesting online: the review request with evidence, the hearing request with the hardship
waiver, moving a hearing, and asking to set a default aside.

Each step is the clerks' own library step (`request_review`, `request_hearing`,
`continue_hearing`; `set_aside_default` once staff grant the request) called with the cited
person as the actor, so every rule and deadline holds the same and every event reads "the
cited person, online". What only the online door adds is here: the files sent with a
request, the profile's limits on moving a hearing without a clerk, and the `Opening` each
page shows before the person writes anything (open until a day, or closed and why).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from babel import Locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citations.attachments.tables import Attachment
from citations.audit import AuditEvent, record
from citations.calendar import BusinessCalendar, deadline_dates, local_date
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, InputRejected
from citations.hearings.contests import DeadlineMissed, contest_of, request_hearing, request_review
from citations.hearings.scheduling import (
    NoSessionAvailable,
    continue_hearing,
    current_hearing,
    earliest_day,
    set_aside_default,
)
from citations.hearings.tables import Contest, DocketSession, Hearing, Order, Recusal
from citations.online.files import Cleaned, Upload, check_with, keep_files
from citations.online.requests import RequestKind, answer_request, create_request
from citations.record.lookup import find_citation, lock_citation
from citations.record.person import PersonRequest
from citations.record.status import CitationStatus
from citations.record.tables import Citation
from citations.roles import Actor, cited_person
from ordinances.models import Jurisdiction

S = CitationStatus

INTERPRETER_LANGUAGES = (
    "ar", "ase", "de", "en", "es", "fa", "fr", "hi", "hmn", "hy", "it", "ja", "km", "ko",
    "pa", "pt", "ru", "so", "th", "tl", "uk", "ur", "vi", "yue", "zh",
)  # fmt: skip
"""Languages a person may ask an interpreter for, besides the catalog's own (American Sign
Language is `ase`)."""


@dataclass(frozen=True)
class Opening:
    """Whether a step is open now: open until `deadline`, or closed for `reason` (a key the
    pages word in the person's language: `late`, `not_now`, `too_close`, `used`, ...)."""

    open: bool
    deadline: date | None = None
    reason: str | None = None
    details: dict[str, str] = field(default_factory=dict)


def _profile(session: Session) -> Jurisdiction:
    return PublishedCatalog(session).jurisdiction()


def audit_files(
    session: Session,
    citation: Citation,
    rows: list[Attachment],
    purpose: str,
    actor: Actor,
    now: datetime,
    *,
    note: str | None = None,
) -> None:
    """One `online.files_received` event for the files the person sent with a step (with
    their note, when the step takes one), in the caller's transaction."""
    if not rows:
        return
    record(
        session,
        at=now,
        actor=actor.name,
        action="online.files_received",
        entity_type="citation",
        entity_key=citation.number,
        after={
            "purpose": purpose,
            **({"note": note} if note is not None else {}),
            "files": [
                {"file": r.key, "name": r.filename, "type": r.content_type, "sha256": r.sha256}
                for r in rows
            ],
        },
    )


def review_opening(session: Session, number: str, actor: Actor, now: datetime) -> Opening:
    """Whether the person may ask for the initial review now, and until when."""
    citation = find_citation(session, number, actor)
    profile = _profile(session)
    today = local_date(now, profile)
    served = citation.served_on or today
    deadline = deadline_dates(served, profile)[1]
    if citation.status != S.ISSUED:
        asked = session.scalar(select(Contest.id).where(Contest.citation_id == citation.id))
        return Opening(False, deadline, "already_asked" if asked else "not_now")
    if today > deadline:
        return Opening(False, deadline, "late")
    return Opening(True, deadline)


def ask_for_review(
    session: Session,
    number: str,
    statement: str,
    files: Sequence[Upload],
    *,
    actor: Actor,
    now: datetime,
) -> Contest:
    """Ask for the initial written review with a statement and evidence files: the clerks'
    `request_review`, received now, and the files checked and kept with it, in the caller's
    one transaction (a refused file or a missed deadline keeps nothing)."""
    cleaned = check_with(files, _profile(session).online)
    contest = request_review(session, number, statement, received_at=now, actor=actor, now=now)
    citation = contest.citation
    rows = keep_files(session, citation, cleaned, purpose="review", actor=actor, now=now)
    audit_files(session, citation, rows, "review", actor, now)
    return contest


def _review_order(session: Session, contest: Contest) -> Order | None:
    return session.scalars(
        select(Order)
        .where(Order.contest_id == contest.id, Order.tier == "review")
        .order_by(Order.id.desc())
        .limit(1)
    ).first()


def hearing_opening(session: Session, number: str, actor: Actor, now: datetime) -> Opening:
    """Whether the person may ask for a hearing now (after a review that upheld the citation),
    and until when."""
    citation = find_citation(session, number, actor)
    profile = _profile(session)
    if citation.status != S.REVIEW_UPHELD:
        asked = citation.status in (S.HEARING_REQUESTED, S.HEARING_SCHEDULED)
        return Opening(False, None, "already_asked" if asked else "not_now")
    order = _review_order(session, contest_of(session, citation))
    deadline = order.next_deadline if order else None
    if deadline is not None and local_date(now, profile) > deadline:
        return Opening(False, deadline, "late")
    return Opening(True, deadline)


def interpreter_choices(profile: Jurisdiction, language: str) -> list[tuple[str, str]]:
    """(code, name) of the languages an interpreter may be asked for, named in `language`
    (the page's) and sorted by that name; the catalog's languages come first in the list's
    pool, so a city's threshold languages are always there."""
    codes = {c.split("-")[0] for c in profile.notice_languages}
    codes |= {line.language.split("-")[0] for line in profile.language_lines}
    codes |= set(INTERPRETER_LANGUAGES)
    named = [(code, language_name(code, language)) for code in codes]
    return sorted(named, key=lambda pair: pair[1].casefold())


def language_name(code: str, language: str) -> str:
    """A language's name in `language`, capitalised as a list shows it; English's name where
    the page's language has none, and the code at the very last.

    >>> language_name("vi", "es"), language_name("ase", "en")
    ('Vietnamita', 'American Sign Language')
    """
    for where in (language, "en"):
        name = str(Locale.parse(where).languages.get(code) or "")
        if name:
            return name[:1].upper() + name[1:]
    return code


def ask_for_hearing(
    session: Session,
    number: str,
    *,
    declaration: str,
    sworn: bool,
    hearing_mode: str | None,
    interpreter_language: str | None,
    accommodation: str | None,
    actor: Actor,
    now: datetime,
) -> Contest:
    """Ask for the hearing with the hardship waiver of the deposit: the clerks'
    `request_hearing` with the person's sworn declaration (a clerk decides the waiver).

    The deposit path is a payment through the provider instead (the payments' online step,
    with purpose `hearing`), which requests the hearing once the payment posts.
    """
    problems = []
    if not sworn:
        problems.append(
            FieldError("sworn", "tick the box to declare under penalty of perjury that it is true")
        )
    if len(declaration.strip()) < 20:
        problems.append(
            FieldError("declaration", "say in a few sentences why you cannot pay the deposit")
        )
    language = (interpreter_language or "").strip() or None
    profile = _profile(session)
    if language is not None and language not in dict(interpreter_choices(profile, "en")):
        problems.append(FieldError("interpreter_language", "choose a language from the list"))
    if problems:
        raise InputRejected(problems, "the hearing request is incomplete")
    sworn_text = f"Declared under penalty of perjury, online: {declaration.strip()}"
    return request_hearing(
        session,
        number,
        received_at=now,
        actor=actor,
        now=now,
        waiver_declaration=sworn_text,
        interpreter_language=language,
        hearing_mode=hearing_mode,
        accommodation=(accommodation or "").strip() or None,
    )


def moves_used(session: Session, number: str) -> int:
    """How many times the person moved this hearing online (from the audit trail: the
    continuances whose actor was the cited person)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.entity_type == "citation",
                AuditEvent.entity_key == number,
                AuditEvent.action == "hearing.continued",
                AuditEvent.actor == cited_person(number).name,
            )
        )
        or 0
    )


def move_opening(session: Session, number: str, actor: Actor, now: datetime) -> Opening:
    """Whether the person may move their hearing online now: a hearing is scheduled, they
    have moves left (`online.hearing_moves`) and the hearing is at least
    `online.move_days_before` days away. The deadline is the last day to move it."""
    citation = find_citation(session, number, actor)
    profile = _profile(session)
    if citation.status != S.HEARING_SCHEDULED:
        return Opening(False, None, "no_hearing")
    hearing = current_hearing(session, contest_of(session, citation))
    assert hearing is not None
    day = hearing.session.day
    last = day - timedelta(days=profile.online.move_days_before)
    details = {"day": day.isoformat()}
    if moves_used(session, citation.number) >= profile.online.hearing_moves:
        return Opening(False, last, "used", details)
    if local_date(now, profile) > last:
        return Opening(False, last, "too_close", details)
    return Opening(True, last, None, details)


def _later_session(
    session: Session, citation: Citation, old: Hearing, profile: Jurisdiction, now: datetime
) -> int:
    """The earliest session after the hearing's own day with room and an officer free of
    conflict: moving a hearing puts it on another day."""
    calendar = BusinessCalendar(profile.holiday_calendar)
    after = max(old.session.day + timedelta(days=1), earliest_day(profile, now))
    recused = set(
        session.scalars(select(Recusal.officer_id).where(Recusal.citation_id == citation.id))
    )
    for docket in session.scalars(
        select(DocketSession)
        .where(DocketSession.day >= after, DocketSession.booked < DocketSession.capacity)
        .order_by(DocketSession.day, DocketSession.start_time, DocketSession.id)
    ):
        if docket.officer_id not in recused and calendar.is_business_day(docket.day):
            return docket.id
    raise NoSessionAvailable(after)


class MoveRefused(InputRejected):
    """The hearing cannot be moved online; the office can move it."""

    def __init__(self, opening: Opening, phone: str) -> None:
        self.opening = opening
        self.phone = phone
        why = {
            "used": "the hearing was already moved online",
            "too_close": f"the last day to move it online was {opening.deadline}",
            "no_hearing": "no hearing is scheduled",
        }.get(opening.reason or "", "it cannot be moved now")
        super().__init__(
            [FieldError("hearing", f"{why}; call the office at {phone}")],
            "the hearing cannot be moved online",
        )


def move_hearing(
    session: Session, number: str, reason: str, *, actor: Actor, now: datetime
) -> Hearing:
    """Move the person's scheduled hearing to the next day with room: the clerks'
    `continue_hearing`, as the person, within the profile's online limits (else refused,
    with the office's phone)."""
    citation = lock_citation(session, number, actor)
    profile = _profile(session)
    opening = move_opening(session, citation.number, actor, now)
    if not opening.open:
        raise MoveRefused(opening, profile.contact.phone)
    old = current_hearing(session, contest_of(session, citation))
    assert old is not None
    if len(reason.strip()) < 5:
        raise InputRejected([FieldError("reason", "say why you need another day")])
    target = _later_session(session, citation, old, profile, now)
    return continue_hearing(
        session,
        citation.number,
        f"moved online by the person: {reason.strip()}",
        actor=actor,
        now=now,
        session_id=target,
    )


def _default_order(session: Session, citation: Citation) -> Order | None:
    """The default order still standing (not set aside), if the citation's last is one."""
    contested = session.scalar(select(Contest.id).where(Contest.citation_id == citation.id))
    if contested is None:
        return None
    order = session.scalars(
        select(Order).where(Order.contest_id == contested).order_by(Order.id.desc()).limit(1)
    ).first()
    if order is None or order.outcome != "default" or order.set_aside_at is not None:
        return None
    return order


def set_aside_opening(session: Session, number: str, actor: Actor, now: datetime) -> Opening:
    """Whether the person may ask to set aside a default, and until when (the default order's
    next deadline)."""
    citation = find_citation(session, number, actor)
    order = _default_order(session, citation)
    if order is None:
        return Opening(False, None, "no_default")
    waiting = session.scalar(
        select(PersonRequest.id).where(
            PersonRequest.citation_id == citation.id,
            PersonRequest.kind == RequestKind.SET_ASIDE.value,
            PersonRequest.status == "waiting",
        )
    )
    if waiting is not None:
        return Opening(False, order.next_deadline, "already_asked")
    if order.next_deadline and local_date(now, _profile(session)) > order.next_deadline:
        return Opening(False, order.next_deadline, "late")
    return Opening(True, order.next_deadline)


def ask_to_set_aside(
    session: Session,
    number: str,
    reason: str,
    files: Sequence[Upload],
    *,
    actor: Actor,
    now: datetime,
) -> PersonRequest:
    """Ask staff to set aside a default for good cause, within the set-aside deadline: a
    request waiting for staff (granting it calls `set_aside_default`), with any files."""
    profile = _profile(session)
    cleaned: list[Cleaned] = check_with(files, profile.online)
    citation = lock_citation(session, number, actor)
    order = _default_order(session, citation)
    if order is None:
        raise InputRejected([FieldError("number", "there is no default to set aside")])
    today = local_date(now, profile)
    if order.next_deadline is not None and today > order.next_deadline:
        raise DeadlineMissed(
            "request to set aside the default",
            today,
            order.next_deadline,
            f"{profile.deadlines.days_to_set_aside_default} days from the hearing missed",
        )
    if len(reason.strip()) < 10:
        raise InputRejected(
            [FieldError("reason", "say why you missed the hearing (10 characters or more)")]
        )
    request = create_request(
        session,
        citation,
        RequestKind.SET_ASIDE,
        reason,
        details={"order": order.id, "deadline": str(order.next_deadline or "")},
        actor=actor,
        now=now,
    )
    rows = keep_files(
        session, citation, cleaned, purpose="set_aside", actor=actor, now=now, request_id=request.id
    )
    audit_files(session, citation, rows, "set_aside", actor, now)
    return request


def answer_set_aside(
    session: Session,
    request_id: int,
    *,
    granted: bool,
    answer: str,
    actor: Actor,
    now: datetime,
) -> PersonRequest:
    """Staff answer a person's request to set a default aside; a grant sets it aside with the
    clerks' `set_aside_default`, judged on the day the person asked."""
    kind = session.scalar(select(PersonRequest.kind).where(PersonRequest.id == request_id))
    if kind is not None and kind != RequestKind.SET_ASIDE.value:
        raise InputRejected([FieldError("request", f"request {request_id} is not a set-aside")])
    request = answer_request(
        session, request_id, granted=granted, answer=answer, actor=actor, now=now
    )
    if granted:
        set_aside_default(
            session,
            request.citation.number,
            f"asked online: {request.statement}",
            received_at=request.received_at,
            actor=actor,
            now=now,
        )
    return request
