"""The photos and papers on the person's citation, as the person sees them: the officer's
evidence and their own files, each as its shown copy (a picture written again without when,
where and with what it was taken); a withdrawn file is listed as withdrawn, with the reason,
and not served. The city's own papers are not theirs to see (citations.attachments.access).

The files themselves are served by `/files/{key}` (citations.public.contest); this adds the
small pictures the list shows, so a page of twenty photos stays light on a phone.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Response
from sqlalchemy.orm import Session

from citations.attachments import kinds
from citations.attachments.access import (
    FileContent,
    attachments_on,
    download_headers,
    find_attachment,
    read_content,
)
from citations.attachments.tables import Attachment, Source
from citations.attachments.thumbnails import thumbnail
from citations.database import reading
from citations.errors import NotFound
from citations.http.deps import EngineDep
from citations.public.guard import PersonDep, public_router
from citations.record.lookup import find_citation
from citations.roles import Actor

router = public_router()


@dataclass(frozen=True)
class PersonFiles:
    """The files on the person's page, oldest first (withdrawn ones too, marked)."""

    officer: list[Attachment]
    own: list[Attachment]

    @property
    def any(self) -> bool:
        return bool(self.officer or self.own)


def files_of_person(session: Session, number: str, actor: Actor) -> PersonFiles:
    """What the person sees: the officer's evidence and their own files on their citation."""
    rows = attachments_on(session, find_citation(session, number, actor), actor)
    return PersonFiles(
        officer=[r for r in rows if r.source == Source.OFFICER],
        own=[r for r in rows if r.source == Source.PERSON],
    )


@router.get("/files/{key}/thumbnail")
def person_file_thumbnail(key: str, person: PersonDep, engine: EngineDep) -> Response:
    """A small picture of a file on the person's citation (of its shown copy), to them
    alone; NotFound for a withdrawn file, a PDF, or another citation's file."""
    with reading(engine) as session:
        row = find_attachment(session, key, person.actor)
        if not row.is_picture:
            raise NotFound("thumbnail", key)
        content, kept = read_content(row, person.actor, "shown"), row.key
    try:
        small = thumbnail(content.content, content.content_type)
    except kinds.Unreadable:
        raise NotFound("thumbnail", key) from None
    made = FileContent(small, "image/jpeg", "thumbnail.jpg")
    return Response(small, headers=download_headers(kept, made))
