"""Attachments for the store's tests: photos and a PDF on a citation, one withdrawn, an
upload no message named yet, and a file named by its hash that has not come."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from citations.attachments.service import add_file, name_files, upload, withdraw
from citations.attachments.store import FileStore, digest
from citations.attachments.tables import Source
from citations.database import transaction
from citations.record.lookup import find_citation
from citations.roles import Actor, Role
from tests.conftest import NOW
from tests.evidence_steps import scanned_letter
from tests.hearing_steps import CLERK, issue_one
from tests.test_online_files import gps_jpeg, picture

OFFICER = Actor("officer Reyes", Role.OFFICER, agency="DCPD")
AWAITED = digest(b"a photo the device has not sent yet")


@dataclass(frozen=True)
class Attached:
    number: str
    photo: str
    """The key of the officer's photo (original with EXIF, and a shown copy)."""
    png: str
    letter: str
    """A PDF (its shown copy is itself)."""
    withdrawn: str
    unnamed: str
    """An upload that no message has named."""
    awaited: str
    """Named by its SHA-256 (AWAITED); the bytes never came."""


def attach_some(engine: Engine, store: FileStore) -> Attached:
    """Files of every kind on one citation of a prepared database (`db` fixture), their
    bytes in `store`."""
    number = issue_one(engine)
    with transaction(engine) as session:
        citation = find_citation(session, number, CLERK)
        photo = upload(
            session,
            gps_jpeg(),
            filename="scene.jpg",
            declared_type="image/jpeg",
            actor=OFFICER,
            now=NOW,
            added_from="api 192.0.2.1",
            citation_number=number,
            store=store,
        )
        png = upload(
            session,
            picture("PNG", (40, 30)),
            filename="sign.png",
            declared_type=None,
            actor=OFFICER,
            now=NOW,
            added_from="api 192.0.2.1",
            citation_number=number,
            store=store,
        )
        letter = add_file(
            session,
            citation,
            scanned_letter(),
            filename="letter.pdf",
            source=Source.PERSON,
            purpose="mail",
            actor=CLERK,
            now=NOW,
            added_from="clerks' pages",
            description="Letter received by mail",
            store=store,
        )
        wrong = add_file(
            session,
            citation,
            picture("JPEG", (30, 30)),
            filename="other-case.jpg",
            source=Source.CITY,
            purpose="other",
            actor=CLERK,
            now=NOW,
            added_from="clerks' pages",
            store=store,
        )
        unnamed = upload(
            session,
            picture("JPEG", (20, 24)),
            filename="later.jpg",
            declared_type="image/jpeg",
            actor=OFFICER,
            now=NOW,
            added_from="api 192.0.2.1",
            store=store,
        )
        (awaited,) = name_files(
            session, citation, [AWAITED], actor=OFFICER, now=NOW, named_from="intake"
        )
        keys = Attached(number, photo.key, png.key, letter.key, wrong.key, unnamed.key, awaited.key)
    with transaction(engine) as session:
        withdraw(session, keys.withdrawn, "Added to the wrong case", actor=CLERK, now=NOW)
    return keys
