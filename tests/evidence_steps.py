"""Files on a citation for the pages' tests, put there with the library's own calls (as the
officer's device, a clerk, and the person online would): a photo that says when, where and
with what it was taken, a scanned letter (a real PDF), and an evidence set on one citation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO

from PIL import ExifTags, Image
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import Engine

from citations.attachments.service import add_file, keep_cleaned, name_files, upload, withdraw
from citations.attachments.tables import Source
from citations.database import transaction
from citations.record.lookup import lock_citation
from citations.roles import Actor, Role
from tests.hearing_steps import CLERK
from tests.test_online_files import picture

OFFICER = Actor("officer Alvarez", Role.OFFICER, agency="DCPD")
"""The officer who issued the desk's citations (agency DCPD)."""
ADDED = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)
"""10:30 in Los Angeles on the day the desk's citations were issued: the device syncs."""


def evidence_photo(
    colour: tuple[int, int, int] = (30, 90, 160), size: tuple[int, int] = (640, 480)
) -> bytes:
    """A photo as an officer's phone takes it: when (with its offset), where, the camera."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Model] = "iPhone 15"
    inner = exif.get_ifd(ExifTags.IFD.Exif)
    inner[ExifTags.Base.DateTimeOriginal] = "2026:11:20 09:58:12"
    inner[ExifTags.Base.OffsetTimeOriginal] = "-08:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: (34.0, 3.0, 7.2), 3: "W", 4: (118.0, 14.0, 4.0)})
    out = BytesIO()
    image = Image.new("RGB", size, colour)
    # Something to see: a white band, as a sign would be.
    image.paste(
        (250, 250, 250),
        (size[0] * 5 // 16, size[1] * 5 // 12, size[0] * 11 // 16, size[1] * 13 // 24),
    )
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def scanned_letter(text: str = "I was not parked there. - Ana Reyes") -> bytes:
    """A one-page PDF, as a scanner makes of a letter that came by mail."""
    out = BytesIO()
    canvas = Canvas(out, pagesize=letter, invariant=True)  # the same bytes every time
    canvas.setFont("Helvetica", 14)
    canvas.drawString(72, 700, "To the hearing office,")
    canvas.drawString(72, 670, text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


@dataclass(frozen=True)
class Evidence:
    """The keys of the files put on one citation."""

    photo: str
    """The officer's photo, with its metadata (the person gets the shown copy)."""
    withdrawn: str
    """An officer's photo of the wrong car, withdrawn with a reason."""
    awaited_sha: str
    """A file the intake message named by its hash; the device has not sent it."""
    city: str
    """The city's own paper (a provider's hours sheet): the person does not see it."""
    own: str
    """The person's own file, sent online."""


def put_evidence(engine: Engine, number: str) -> Evidence:
    """The officer's two photos (one withdrawn), an awaited file, a city paper and the
    person's own picture, on citation `number`."""
    awaited = hashlib.sha256(b"a photo still on the officer's phone").hexdigest()
    with transaction(engine) as session:
        photo = upload(
            session,
            evidence_photo(),
            filename="IMG_0412.jpg",
            declared_type="image/jpeg",
            actor=OFFICER,
            now=ADDED,
            added_from="API 10.0.0.7",
            citation_number=number,
        )
        wrong = upload(
            session,
            evidence_photo((160, 40, 40)),
            filename="IMG_0413.jpg",
            declared_type="image/jpeg",
            actor=OFFICER,
            now=ADDED,
            added_from="API 10.0.0.7",
            citation_number=number,
        )
        withdraw(session, wrong.key, "A photo of another car", actor=CLERK, now=ADDED)
        citation = lock_citation(session, number, OFFICER)
        name_files(session, citation, [awaited], actor=OFFICER, now=ADDED, named_from="API")
        city = add_file(
            session,
            citation,
            scanned_letter("Hours worked: 8 (Parks Dept.)"),
            filename="hours.pdf",
            source=Source.CITY,
            purpose="service_hours",
            actor=CLERK,
            now=ADDED,
            added_from="command line",
        )
        own_picture = picture("JPEG", (80, 60))  # as cleaned online: no metadata
        (own,) = keep_cleaned(
            session,
            citation,
            [("my-photo.jpg", "image/jpeg", own_picture, hashlib.sha256(own_picture).hexdigest())],
            purpose="review",
            actor=CLERK,
            now=ADDED,
            added_from="the public pages",
        )
        return Evidence(photo.key, wrong.key, awaited, city.key, own.key)
