"""The evidence part of `citations demo`: the officer's photo of a contested citation, and the
person's letter, as the hearing packet shows them.

The photo is drawn at run time (Pillow, a runtime dependency) with what a phone writes into
it: when it was taken (the violation's time, with its offset) and where (GPS); the letter is a
one-page PDF (reportlab). Both go in through the attachments service, as the API and the
clerks' pages put them in.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from PIL import ExifTags, Image, ImageDraw
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session

from citations.attachments import service
from citations.calendar import local_time
from citations.catalog.store import PublishedCatalog
from citations.record.lookup import lock_citation
from citations.roles import Actor, Role

OFFICER = Actor("Officer R. Alvarez (DCPD)", Role.OFFICER, agency="DCPD")
PLACE = (34.0, 3.0, 8.72), (118.0, 14.0, 37.32)
"""Where the demo's photo was taken: 34°03'08.72" N, 118°14'37.32" W (downtown)."""


def scene_photo(taken: datetime) -> bytes:
    """A 1600 x 1200 JPEG of a bench with a can on it, with the EXIF a phone writes."""
    image = Image.new("RGB", (1600, 1200), (150, 190, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 700, 1600, 1200), fill=(160, 160, 150))  # the sidewalk
    draw.rectangle((300, 520, 1300, 580), fill=(120, 80, 40))  # the bench's seat
    draw.rectangle((340, 580, 380, 760), fill=(60, 60, 60))
    draw.rectangle((1220, 580, 1260, 760), fill=(60, 60, 60))
    draw.rectangle((760, 420, 820, 520), fill=(200, 30, 30))  # the can
    draw.ellipse((760, 410, 820, 430), fill=(210, 210, 210))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Samsung"
    exif[ExifTags.Base.Model] = "Galaxy XCover7"
    inner = exif.get_ifd(ExifTags.IFD.Exif)
    inner[ExifTags.Base.DateTimeOriginal] = taken.strftime("%Y:%m:%d %H:%M:%S")
    offset = taken.strftime("%z")
    inner[ExifTags.Base.OffsetTimeOriginal] = f"{offset[:3]}:{offset[3:]}"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: PLACE[0], 3: "W", 4: PLACE[1]})
    out = BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def person_letter(name: str, number: str) -> bytes:
    """The person's one-page letter, as a clerk scans one that came by mail."""
    out = BytesIO()
    canvas = Canvas(out, pagesize=LETTER, invariant=True)
    lines = [
        "To the hearing officer,",
        "",
        f"About citation {number}: the can on the bench was not mine. I was waiting",
        "for the bus and sat down next to it. I ask that the citation be dismissed.",
        "",
        name,
    ]
    y = 700
    for line in lines:
        canvas.drawString(72, y, line)
        y -= 18
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def attach_evidence(session: Session, number: str, now: datetime) -> list[str]:
    """The officer's photo (taken at the violation) and the person's letter on `number`;
    the demo's lines about them."""
    citation = lock_citation(session, number, OFFICER)
    profile = PublishedCatalog(session).jurisdiction()
    taken = local_time(citation.violation_at, profile)
    photo = service.upload(
        session,
        scene_photo(taken),
        filename="IMG_0412.jpg",
        declared_type="image/jpeg",
        actor=OFFICER,
        now=now,
        added_from="demo device unit-7",
        citation_number=number,
        description="Open can on the bench beside the person",
    )
    name = " ".join(p for p in (citation.subject["first_name"], citation.subject["last_name"]))
    clerk = Actor("Jordan Lee, hearing clerk", Role.CLERK)
    letter = service.add_file(
        session,
        citation,
        person_letter(name, number),
        filename="letter.pdf",
        source="person",
        purpose="hearing",
        actor=clerk,
        now=now,
        added_from="demo clerks' pages",
        description="Letter received by mail",
    )
    where = photo.details.get("latitude"), photo.details.get("longitude")
    return [
        f"{number}: officer's photo {photo.filename} attached (taken "
        f"{taken:%Y-%m-%d %H:%M} at {where[0]}, {where[1]}; SHA-256 {photo.sha256[:12]}…); "
        f"the person's letter {letter.filename} added by a clerk"
    ]
