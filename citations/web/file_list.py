"""The "Evidence and files" section of a citation's page: every file on the citation, as
staff see it (citations.attachments.access), with what the photo says about itself, and
what the signed-in role may do with the files.

The wording (whose, what for) is in templates/web/_files.html; this hands it the rows and
reads the photo's details into values the page formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from citations.attachments.access import attachments_on
from citations.attachments.service import PURPOSES, limits, stored_on
from citations.attachments.tables import Attachment
from citations.record.tables import Citation
from citations.roles import PERMISSIONS, Action, Actor

DONE = frozenset({"file-added", "file-withdrawn"})
"""The `done` values that the section answers with a message (after adding, withdrawing)."""


@dataclass(frozen=True)
class Taken:
    """When, where and with what a photo was taken, as far as its own metadata says."""

    at: datetime | None
    assumed_zone: bool
    """The camera wrote no offset: the time is read in the jurisdiction's zone."""
    latitude: str | None
    longitude: str | None
    camera: str | None

    @classmethod
    def of(cls, details: Any) -> Taken | None:
        """The details a photo gave (tables.Attachment.details), or None when it gave none.

        >>> Taken.of({"camera": "Apple iPhone 15", "latitude": "34.05"}).camera
        'Apple iPhone 15'
        >>> Taken.of({}) is None
        True
        """
        if not isinstance(details, dict) or not details:
            return None
        at = None
        if isinstance(details.get("taken_at"), str):
            try:
                at = datetime.fromisoformat(details["taken_at"])
            except ValueError:
                at = None

        def text(name: str) -> str | None:
            value = details.get(name)
            return str(value) if value not in (None, "") else None

        return cls(
            at=at,
            assumed_zone=details.get("taken_at_zone") == "assumed",
            latitude=text("latitude"),
            longitude=text("longitude"),
            camera=text("camera"),
        )

    @property
    def place(self) -> str | None:
        """Latitude, longitude in degrees (as the photo gave them)."""
        if self.latitude is None or self.longitude is None:
            return None
        return f"{self.latitude}, {self.longitude}"


@dataclass(frozen=True)
class FileLine:
    row: Attachment
    taken: Taken | None


@dataclass(frozen=True)
class FilesSection:
    """What the section shows: the files, oldest first, and what may be done."""

    lines: list[FileLine]
    may_add: bool
    may_withdraw: bool
    done: str
    """"file-added" or "file-withdrawn" right after the clerk did it; else empty."""
    held: int
    """Bytes the citation's files hold (withdrawn ones count: they stay)."""
    limit: int
    """The settings' limit a citation in bytes."""

    @property
    def received(self) -> list[FileLine]:
        return [line for line in self.lines if not line.row.awaited]

    @property
    def awaited(self) -> list[FileLine]:
        return [line for line in self.lines if line.row.awaited]


PURPOSE_CHOICES = PURPOSES
"""What a clerk may say a file came with (the words are the template's)."""


def files_section(
    session: Session, citation: Citation, actor: Actor, done: str = ""
) -> FilesSection:
    """Every file on the citation the actor may see (withdrawn and awaited ones too)."""
    rows = attachments_on(session, citation, actor)
    return FilesSection(
        lines=[FileLine(row, Taken.of(row.details)) for row in rows],
        may_add=actor.role in PERMISSIONS[Action.ATTACH_FILES],
        may_withdraw=actor.role in PERMISSIONS[Action.WITHDRAW_FILES],
        done=done if done in DONE else "",
        held=stored_on(session, citation.id),
        limit=limits()[1],
    )
