"""Files a person sends online: the type from the bytes, the limits, images re-encoded
without their metadata, and who may fetch them back (both backends where stored)."""

from __future__ import annotations

import hashlib
import struct
import zlib
from io import BytesIO

import pytest
from PIL import ExifTags, Image
from sqlalchemy import Engine, select

from citations.attachments.access import read_content
from citations.attachments.kinds import MEGABYTE
from citations.attachments.tables import Attachment
from citations.database import transaction
from citations.errors import NotFound
from citations.online.contest import ask_for_review
from citations.online.files import FilesRefused, Upload, check_uploads, file_for
from citations.roles import cited_person
from tests.factories import prepare
from tests.hearing_steps import CLERK, at, issue_one


def refused(*uploads: Upload, max_files: int = 5) -> list[str]:
    with pytest.raises(FilesRefused) as caught:
        check_uploads(uploads, max_files=max_files, max_megabytes=10)
    return [e.message for e in caught.value.errors]


def picture(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt, **save)
    return out.getvalue()


def gps_jpeg() -> bytes:
    """A photo as a phone takes it: where it was taken, the phone, turned on its side."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Apple"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: (34.0, 3.0, 7.0), 3: "W", 4: (118.0, 14.0, 4.0)})
    return picture(exif=exif, comment=b"taken at home")


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb)."""
    data = bytearray(picture("PNG", (1, 1)))
    ihdr = bytes(data[12:16]) + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr))
    return bytes(data)


def test_a_text_file_named_jpg_is_refused() -> None:
    assert refused(Upload("photo.jpg", b"just some words\n")) == [
        "photo.jpg is not a JPEG, PNG, HEIC or PDF file"
    ]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200)),
        ("notes.txt", "¿Dónde estaba el letrero?".encode()),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("photo.gif", b"GIF89a" + bytes(40)),
    ],
)
def test_what_is_not_an_image_or_pdf_is_refused(name: str, data: bytes) -> None:
    assert refused(Upload(name, data)) == [f"{name} is not a JPEG, PNG, HEIC or PDF file"]


def test_a_png_sent_as_a_jpeg_is_kept_as_the_png_it_is() -> None:
    (kept,) = check_uploads([Upload("photo.jpg", picture("PNG"))], max_files=5, max_megabytes=10)
    assert kept.content_type == "image/png"
    assert kept.filename == "photo.png"
    assert Image.open(BytesIO(kept.content)).format == "PNG"


def test_a_file_too_large_is_refused_with_its_size_and_the_limit() -> None:
    big = b"%PDF-1.7\n" + bytes(13_000_000)
    assert refused(Upload("scan.pdf", big)) == ["scan.pdf is 12.4 MB; the limit is 10 MB"]
    assert check_uploads([Upload("ok.pdf", big[: 10 * MEGABYTE])], max_files=5, max_megabytes=10)


def test_too_many_files_are_refused_before_any_is_read() -> None:
    six = [Upload(f"p{i}.jpg", picture()) for i in range(6)]
    assert refused(*six) == ["send at most 5 files; 6 were chosen"]


def test_every_refused_file_is_named() -> None:
    assert refused(
        Upload("a.jpg", b""), Upload("ok.png", picture("PNG")), Upload("b.doc", b"x")
    ) == [
        "a.jpg is empty",
        "b.doc is not a JPEG, PNG, HEIC or PDF file",
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20,
        picture()[:200],  # cut off in the middle
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
    ],
)
def test_a_file_that_claims_to_be_a_picture_but_does_not_open_is_refused(data: bytes) -> None:
    assert refused(Upload("IMG_1.jpg", data)) == [
        "IMG_1.jpg is damaged: it says it is a picture but cannot be opened"
    ]


@pytest.mark.parametrize("pixels", [(12_000, 10_000), (30_000, 30_000)])
def test_a_decompression_bomb_is_refused(pixels: tuple[int, int]) -> None:
    """Past Pillow's limit (a warning) and past twice it (an error): refused either way."""
    assert refused(Upload("bomb.png", png_claiming(*pixels))) == [
        "bomb.png is too large a picture to open (too many pixels)"
    ]


def test_location_and_every_other_metadata_are_gone_and_the_photo_stands_upright() -> None:
    original = Image.open(BytesIO(gps_jpeg()))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture has a location
    (kept,) = check_uploads([Upload("IMG_2291.JPG", gps_jpeg())], max_files=5, max_megabytes=10)
    image = Image.open(BytesIO(kept.content))
    assert kept.content_type == "image/jpeg"
    assert dict(image.getexif()) == {}
    assert not {"exif", "comment", "xmp", "icc_profile"} & set(image.info)
    assert b"Apple" not in kept.content and b"taken at home" not in kept.content
    assert image.size == (48, 64)  # turned as the phone said, instead of by a flag
    assert kept.received_sha256 == hashlib.sha256(gps_jpeg()).hexdigest()


def test_a_heic_photo_becomes_a_jpeg_without_metadata() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    heic = picture("HEIF", exif=exif)
    assert heic[4:12] == b"ftypheic"
    (kept,) = check_uploads([Upload("IMG_0042.HEIC", heic)], max_files=5, max_megabytes=10)
    assert (kept.filename, kept.content_type) == ("IMG_0042.jpg", "image/jpeg")
    image = Image.open(BytesIO(kept.content))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert dict(image.getexif()) == {} and b"Apple" not in kept.content


def test_a_pdf_is_kept_as_received() -> None:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    (kept,) = check_uploads([Upload("receipt", pdf)], max_files=5, max_megabytes=10)
    assert (kept.filename, kept.content_type, kept.content) == (
        "receipt.pdf",
        "application/pdf",
        pdf,
    )


def test_a_path_in_the_name_is_dropped() -> None:
    (kept,) = check_uploads(
        [Upload("..\\..\\etc/passwd.png", picture("PNG"))], max_files=5, max_megabytes=10
    )
    assert kept.filename == "passwd.png"


@pytest.fixture
def two(engine: Engine) -> tuple[Engine, str, str]:
    prepare(engine)
    return engine, issue_one(engine), issue_one(engine, last_name="Other")


def test_a_person_gets_their_own_file_and_staff_any_but_not_another_citations(
    two: tuple[Engine, str, str],
) -> None:
    engine, mine, theirs = two
    with transaction(engine) as session:
        contest = ask_for_review(
            session,
            mine,
            "The sign was hidden behind a tree; see the photo.",
            [Upload("sign.jpg", gps_jpeg())],
            actor=cited_person(mine),
            now=at("2026-11-25"),
        )
        file_id = session.scalars(
            select(Attachment.key).where(Attachment.citation_id == contest.citation_id)
        ).one()
    with transaction(engine) as session:
        row = file_for(session, file_id, cited_person(mine))
        assert (row.filename, row.purpose, row.added_by) == (
            "sign.jpg",
            "review",
            "the cited person, online",
        )
        shown = read_content(row, cited_person(mine)).content
        assert dict(Image.open(BytesIO(shown)).getexif()) == {}
        assert read_content(row, CLERK).content == shown  # the person's original is not kept
        assert file_for(session, file_id, CLERK).key == file_id
        with pytest.raises(NotFound):
            file_for(session, file_id, cited_person(theirs))
        with pytest.raises(NotFound):
            file_for(session, "att_" + "b" * 26, CLERK)
