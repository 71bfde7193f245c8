"""The hearing packet with twenty phone photos, run by hand: `python bench/packet.py [--photos 20]`.

Makes N photos as a phone takes them (4032 x 3024 JPEG, with the time and place in their
EXIF), re-encodes each to its shown copy as the files store keeps it
(`citations.attachments.kinds.reencode`), and renders the packet of a citation holding them
(`citations.hearings.packet_pdf.render_packet`). Prints the photos' size, the median seconds
of three renders and the packet's size. The target: under 2 s, and a few MB.
Only the render is timed: gathering the context from the database reads N rows and N files.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

from PIL import ExifTags, Image, ImageChops, ImageFilter

from citations.attachments.kinds import reencode
from citations.documents.contact import OfficeContact
from citations.hearings.packet import HistoryLine, PacketContext, PacketFile, ReviewDecision
from citations.hearings.packet_pdf import render_packet
from citations.notice.context import NoticeViolation

ZONE = ZoneInfo("America/Los_Angeles")
SIZE = (4032, 3024)


def phone_photo(seed: int) -> bytes:
    """A 12-megapixel JPEG with texture (a flat colour would be unrealistically small) and
    the EXIF a phone writes: time with its offset, GPS, make and model."""
    base = Image.linear_gradient("L").resize(SIZE)
    noise = Image.effect_noise(SIZE, 30 + seed).filter(ImageFilter.GaussianBlur(1))
    red = ImageChops.add(base, noise, scale=2)
    green = ImageChops.offset(red, seed * 97, seed * 31)
    blue = ImageChops.invert(red)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Model] = "iPhone 15"
    inner = exif.get_ifd(ExifTags.IFD.Exif)
    inner[ExifTags.Base.DateTimeOriginal] = f"2026:11:20 09:{seed:02d}:00"
    inner[ExifTags.Base.OffsetTimeOriginal] = "-08:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: (34.0, 3.0, 7.2), 3: "W", 4: (118.0, 14.0, 4.0 + seed)})
    out = BytesIO()
    Image.merge("RGB", (red, green, blue)).save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def context(photos: list[bytes]) -> PacketContext:
    at = datetime(2026, 11, 20, 10, 0, tzinfo=ZONE)
    files = []
    for index, original in enumerate(photos):
        _, shown = reencode(original, "jpeg")
        files.append(
            PacketFile(
                key=f"att_{index:026d}",
                source="officer",
                filename=f"IMG_{4000 + index}.jpg",
                description=None,
                kind="picture",
                content=shown,
                sha256=hashlib.sha256(original).hexdigest(),
                shown_sha256=hashlib.sha256(shown).hexdigest(),
                taken_at=at - timedelta(minutes=index),
                taken_at_assumed=False,
                latitude="34.052000",
                longitude="-118.234444",
                camera="Apple iPhone 15",
                added_by="officer Alvarez",
                added_at=at,
            )
        )
    violation = NoticeViolation(
        code="TC 41.27(c)",
        title="Drinking in public",
        description="Drinking an alcoholic beverage on a street, sidewalk or park.",
        legal_reference="Test City Code 41.27(c)",
        narrative="Open can of beer on the bench in front of 100 Main St.",
        offense_count=1,
        prior_count=0,
        lookback="12 months",
        fine=Decimal("200.00"),
        correction_due=None,
        community_service_rate=None,
        community_service_max_hours=None,
        programs=[],
        ability_to_pay_rule=None,
        ability_to_pay_percent=None,
    )
    return PacketContext(
        language="en",
        locale="en_US",
        jurisdiction_name="Demo City",
        currency="USD",
        time_zone="America/Los_Angeles",
        citation_number="DCPD-2026-000001-5",
        subject_name="Maria Lopez",
        subject_address="12 Main St, Demo City CA 90012",
        hearing_at=datetime(2026, 12, 21, 9, 0, tzinfo=ZONE),
        place="City Hall East, Room 101",
        remote_link=None,
        hearing_officer_name="Hon. Ada Ruiz (ret.)",
        issued_on=date(2026, 11, 20),
        violation_at=at,
        location="100 Main St",
        officer_name="Officer R. Alvarez",
        officer_badge="4471",
        violations=[violation],
        total_fine=Decimal("200.00"),
        amount_at_issue=Decimal("200.00"),
        review_requested_on=date(2026, 11, 25),
        statement="I was not drinking; it was a soda can.",
        review=ReviewDecision(
            outcome="upheld",
            findings="The officer's report and photos show an open beer can.",
            decided_on=date(2026, 12, 1),
            decided_by="Pat Kim, Review Officer",
            original_amount=Decimal("200.00"),
            new_amount=Decimal("200.00"),
        ),
        files=files,
        withdrawn=[],
        awaited=[],
        history=[
            HistoryLine(at=at, actor="officer Alvarez", action="attachment.added", reason=None)
            for _ in photos
        ],
        printed_at=datetime(2026, 12, 5, 10, 0, tzinfo=ZONE),
        contact=OfficeContact(
            office_name="Administrative Citation Office",
            phone="(555) 010-0100",
            website="https://citations.example.gov",
            payment_url="https://citations.example.gov/pay",
            mailing_address="PO Box 1, Demo City CA 90012",
            office_address="200 N Spring St, Demo City",
            office_hours="Mon-Fri 8-5",
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--output", help="also write the packet to this file")
    args = parser.parse_args()
    photos = [phone_photo(i) for i in range(args.photos)]
    print(
        f"{args.photos} photos {SIZE[0]}x{SIZE[1]}: {sum(map(len, photos)) / 1e6:.1f} MB as taken"
    )
    packet = context(photos)
    print(f"shown copies: {sum(len(f.content) for f in packet.files) / 1e6:.1f} MB")
    render_packet(packet)  # warm: fonts registered, templates read
    seconds = []
    pdf = b""
    for _ in range(3):
        start = time.perf_counter()
        pdf = render_packet(packet)
        seconds.append(time.perf_counter() - start)
    print(
        f"render: median {statistics.median(seconds):.2f} s "
        f"(runs {', '.join(f'{s:.2f}' for s in seconds)}); packet {len(pdf) / 1e6:.2f} MB"
    )
    if args.output:
        with open(args.output, "wb") as out:
            out.write(pdf)


if __name__ == "__main__":
    main()
