"""The files an intake message names (`attachments`): checked when the message is decided,
joined to its citation when it is written.

A message names each file by the id its upload answered or by its SHA-256. An id must be an
upload of the message's agency: an unknown id, or another agency's, refuses the message
before anything is written, as any other bad field does (`attachments[2]`), so an officer
never learns later that a citation was issued without the photo they meant. A hash never
refuses: a device that was offline sends the message first and the bytes when it syncs, and
the file waits for them (citations.attachments.service.name_files).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.attachments import kinds
from citations.attachments.references import KEY_PREFIX
from citations.attachments.tables import Attachment
from citations.errors import FieldError, InputRejected
from citations.record.tables import Agency, Citation
from citations.roles import Actor


def check_references(session: Session, references: Sequence[str], agency_id: int) -> None:
    """Refuse (InputRejected, one error per bad reference) ids that are not uploads of the
    agency, and files already here that together pass the per-citation limit."""
    from citations.attachments.service import limits

    errors: list[FieldError] = []
    sizes: dict[str, int] = {}
    for position, reference in enumerate(references):
        if reference.startswith(KEY_PREFIX):
            found = session.scalar(select(Attachment).where(Attachment.key == reference))
            if found is None or found.agency_id != agency_id:
                errors.append(
                    FieldError(
                        f"attachments[{position}]",
                        f"no file {reference} was uploaded by this agency",
                    )
                )
                continue
            if found.size is not None:
                sizes[found.sha256] = found.size
        else:
            size = session.scalar(
                select(Attachment.size)
                .where(
                    Attachment.sha256 == reference,
                    Attachment.agency_id == agency_id,
                    Attachment.received_at.is_not(None),
                )
                .limit(1)
            )
            if size is not None:
                sizes[reference] = size
    if errors:
        raise InputRejected(errors, "the message names files that were not uploaded")
    _, per_citation = limits()
    total = sum(sizes.values())
    if total > per_citation:
        raise InputRejected(
            [
                FieldError(
                    "attachments",
                    f"the files named add up to {kinds.megabytes(total)} MB; the limit is "
                    f"{per_citation // kinds.MEGABYTE} MB a citation",
                )
            ],
            "the message names more files than a citation may hold",
        )


def join_to_citation(
    session: Session,
    citation_id: int,
    references: Sequence[str],
    *,
    agency: Agency,
    message_id: str,
    actor: Actor,
    now: datetime,
) -> list[Attachment]:
    """The message's files joined to the citation it issued (just inserted, so no one else
    holds it): uploads already here join at once, the others wait for their bytes."""
    from citations.attachments.service import name_files

    citation = session.get_one(Citation, citation_id)
    return name_files(
        session,
        citation,
        references,
        actor=actor,
        now=now,
        named_from=f"intake message {message_id}",
        agency=agency,
    )
