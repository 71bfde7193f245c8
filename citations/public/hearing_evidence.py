"""Sending photos and papers for the hearing, the person's page (`/evidence`): open after a
hearing is asked for and until the day before it (citations.online.evidence).

The page says whether it is open and until when (or why not, with the office's phone), takes
files and an optional note with the contest pages' form reader and refusals, and lists what
the person sent for the hearing, each sending with its note, as the hearing officer sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request, Response
from sqlalchemy.orm import Session

from citations.attachments.tables import Attachment
from citations.http.deps import EngineDep, Reads, ReplicaDep
from citations.online.evidence import evidence_opening, send_evidence, sent_for_hearing
from citations.online.files import Upload
from citations.public.contest import send_with_files
from citations.public.guard import ClockDep, Person, PersonDep, page, public_router
from citations.record.lookup import find_citation

router = public_router()


@dataclass(frozen=True)
class Sending:
    """The files sent together, with the note sent with them."""

    at: datetime
    note: str | None
    files: list[Attachment]


def sendings(rows: list[Attachment]) -> list[Sending]:
    """The files grouped as they were sent (the same moment and note), oldest first."""
    groups: list[Sending] = []
    for row in rows:
        at = row.attached_at or row.received_at
        assert at is not None  # a person's file is on its citation from the start
        last = groups[-1] if groups else None
        if last is not None and (last.at, last.note) == (at, row.description):
            last.files.append(row)
        else:
            groups.append(Sending(at, row.description, [row]))
    return groups


def _evidence_page(
    request: Request,
    person: Person,
    reads: Reads,
    now: datetime,
    *,
    status_code: int = 200,
    note: str = "",
    problems: list[str] | None = None,
    sent: bool = False,
) -> Response:
    # The replica, unless the person's sending (`?sent=1`) is not there yet.
    with reads.reading() as session:
        opening = evidence_opening(session, person.number, person.actor, now)
        citation = find_citation(session, person.number, person.actor)
        return page(
            request,
            person,
            "contest_evidence.html",
            status_code=status_code,
            opening=opening,
            sendings=sendings(sent_for_hearing(session, citation)),
            note=note,
            problems=problems or [],
            sent=sent,
            rules=person.profile.online,
        )


@router.get("/evidence")
def evidence_form(
    request: Request, person: PersonDep, reads: ReplicaDep, now: ClockDep, sent: str = ""
) -> Response:
    return _evidence_page(request, person, reads, now, sent=bool(sent))


@router.post("/evidence")
async def evidence_submit(
    request: Request, person: PersonDep, engine: EngineDep, reads: ReplicaDep, now: ClockDep
) -> Response:
    def show(status_code: int, typed: str, problems: list[str]) -> Response:
        return _evidence_page(
            request, person, reads, now, status_code=status_code, note=typed, problems=problems
        )

    def step(session: Session, note: str, uploads: list[Upload]) -> object:
        return send_evidence(session, person.number, note, uploads, actor=person.actor, now=now)

    return await send_with_files(
        request,
        person,
        engine,
        field="note",
        required=None,
        step=step,
        show=show,
        done="/evidence?sent=1",
    )
