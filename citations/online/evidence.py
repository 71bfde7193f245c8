"""Photos and papers for the hearing, sent online by the cited person after they asked for
a hearing and before its day.

A review request carries its own files (`ask_for_review`); once a hearing is asked for or
set, this is how the person adds more: the files are checked and cleaned as every file the
person sends online is (citations.online.files), kept on the citation with the purpose
`hearing` and the person's note as their description, so the hearing packet and the clerks'
list show them with what the person said they are.

It is open while the citation waits for its hearing (asked for, or set on a day that has not
come in the city's zone): until the day before the hearing, which is the last day shown. On
the hearing day it is closed (the person brings the papers, or the office takes them), and
after the hearing, or before one is asked for, there is nothing to send them to:

>>> opening_for_day(date(2026, 12, 13), date(2026, 12, 14))
Opening(open=True, deadline=datetime.date(2026, 12, 13), reason=None, details={'day': '2026-12-14'})
>>> opening_for_day(date(2026, 12, 14), date(2026, 12, 14)).reason
'hearing_day'
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.attachments.tables import Attachment
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.errors import FieldError, IllegalTransition, InputRejected
from citations.hearings.scheduling import current_hearing
from citations.hearings.tables import Contest, Hearing
from citations.inputs import printable
from citations.online.contest import Opening, audit_files
from citations.online.files import Upload, check_with, keep_files
from citations.record.lookup import find_citation, lock_citation
from citations.record.status import CitationStatus
from citations.record.tables import Citation
from citations.roles import Action, Actor

S = CitationStatus

PURPOSE = "hearing"
NOTE_LIMIT = 5000
"""The most a note keeps: as much as the public pages read of any text (their TEXT_LIMIT)."""


class EvidenceClosed(IllegalTransition):
    """Files for the hearing cannot be sent online now; `opening` says why."""

    def __init__(self, citation: Citation, opening: Opening, phone: str) -> None:
        self.opening = opening
        why = {
            "no_hearing": "no hearing is asked for or set",
            "hearing_day": "the hearing is today: bring them to it",
            "held": "the hearing's day has passed",
        }.get(opening.reason or "", "it is not open now")
        super().__init__(
            citation.number,
            citation.status,
            "send files for the hearing online",
            f"{why}; call the office at {phone}",
        )


def opening_for_day(today: date, day: date) -> Opening:
    """For a hearing set on `day`: open until the day before it (the deadline), closed on
    the day itself (`hearing_day`) and after it (`held`)."""
    details = {"day": day.isoformat()}
    last = day - timedelta(days=1)
    if today == day:
        return Opening(False, last, "hearing_day", details)
    if today > day:
        return Opening(False, last, "held", details)
    return Opening(True, last, None, details)


def opening_of(session: Session, citation: Citation, today: date) -> Opening:
    """Whether the person may send files for the hearing on `today` (the city's date)."""
    contest = session.scalar(select(Contest).where(Contest.citation_id == citation.id))
    if contest is None:
        return Opening(False, None, "no_hearing")
    if citation.status == S.HEARING_SCHEDULED:
        hearing = current_hearing(session, contest)
        if hearing is not None:
            return opening_for_day(today, hearing.session.day)
    if citation.status in (S.HEARING_REQUESTED, S.HEARING_SCHEDULED):
        # Asked for and waiting for a day (the deposit, a waiver, a place on a docket).
        return Opening(True)
    heard = session.scalar(
        select(Hearing.id)
        .where(Hearing.contest_id == contest.id, Hearing.status.in_(("held", "no_show")))
        .limit(1)
    )
    return Opening(False, None, "held" if heard is not None else "no_hearing")


def evidence_opening(session: Session, number: str, actor: Actor, now: datetime) -> Opening:
    """Whether the person may send photos or papers for their hearing now, and until when
    (the day before the hearing, once one is set).

    >>> # evidence_opening(session, "DCPD-2026-000001-5", cited_person(number), now).open
    """
    citation = find_citation(session, number, actor)
    today = local_date(now, PublishedCatalog(session).jurisdiction())
    return opening_of(session, citation, today)


def _note(note: str) -> tuple[str | None, list[FieldError]]:
    text = note.strip()
    if len(text) > NOTE_LIMIT:
        return None, [FieldError("note", f"at most {NOTE_LIMIT:,} characters")]
    try:
        printable(text)
    except ValueError as exc:
        return None, [FieldError("note", str(exc))]
    return text or None, []


def send_evidence(
    session: Session,
    number: str,
    note: str,
    files: Sequence[Upload],
    *,
    actor: Actor,
    now: datetime,
) -> list[Attachment]:
    """Keep the person's photos or papers for their hearing, with their note as each file's
    description, in the caller's one transaction: at least one file, each checked against the
    profile's limits and the settings' limit for a citation; a refused file, or a hearing
    whose day has come, keeps nothing.

    >>> # send_evidence(session, number, "The sign, from the corner.", [Upload("sign.jpg",
    >>> #     data)], actor=cited_person(number), now=now)
    """
    actor.require(Action.ATTACH_FILES)
    profile = PublishedCatalog(session).jurisdiction()
    text, problems = _note(note)
    if not files:
        problems.append(FieldError("files", "choose at least one photo or paper to send"))
    if problems:
        raise InputRejected(problems, "the files for the hearing were not sent")
    # Pictures are re-encoded before the citation is locked: the slow part holds no lock.
    cleaned = check_with(files, profile.online)
    citation = lock_citation(session, number, actor)
    opening = opening_of(session, citation, local_date(now, profile))
    if not opening.open:
        raise EvidenceClosed(citation, opening, profile.contact.phone)
    rows = keep_files(
        session, citation, cleaned, purpose=PURPOSE, actor=actor, now=now, description=text
    )
    audit_files(session, citation, rows, PURPOSE, actor, now, note=text)
    return rows


def sent_for_hearing(session: Session, citation: Citation) -> list[Attachment]:
    """The files the person sent for the hearing (online or by a clerk), oldest first."""
    return list(
        session.scalars(
            select(Attachment)
            .where(
                Attachment.citation_id == citation.id,
                Attachment.source == "person",
                Attachment.purpose == PURPOSE,
            )
            .order_by(Attachment.id)
        )
    )
