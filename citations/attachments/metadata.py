"""What a photo says about itself: when and where it was taken, and by what camera.

Read from the original's EXIF before anything else happens to it, and kept with the file as
evidence (the hearing packet prints it under the photo). The time a camera records has no
zone unless the camera wrote one (`OffsetTimeOriginal`): such a time is read in the
jurisdiction's zone, and says so, since a camera's clock may be set to anything.

>>> degrees(((34, 1), (3, 1), (72, 10)), "N")
Decimal('34.052000')
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
MAKE, MODEL, DATETIME = 0x010F, 0x0110, 0x0132
DATETIME_ORIGINAL, OFFSET_ORIGINAL = 0x9003, 0x9011
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4
SIX_PLACES = Decimal("0.000001")


def _number(value: Any) -> Decimal:
    if isinstance(value, tuple) and len(value) == 2:
        return Decimal(value[0]) / Decimal(value[1])
    numerator = getattr(value, "numerator", None)
    denominator = getattr(value, "denominator", None)
    if numerator is not None and denominator:
        return Decimal(numerator) / Decimal(denominator)
    return Decimal(str(value))


def degrees(parts: Any, hemisphere: str) -> Decimal:
    """Degrees, minutes and seconds as signed decimal degrees (six places: about 10 cm)."""
    d, m, s = (_number(p) for p in parts)
    value = (d + m / 60 + s / 3600).quantize(SIX_PLACES, ROUND_HALF_EVEN)
    return -value if hemisphere.upper() in ("S", "W") else value


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    cleaned = "".join(ch for ch in value if ch.isprintable()).strip(" \x00")
    return cleaned[:100] or None


def taken_time(written: str | None, offset: str | None, zone: ZoneInfo) -> datetime | None:
    """The camera's `YYYY:MM:DD HH:MM:SS` as an aware time: in its own offset when it wrote
    one, else in the jurisdiction's zone.

    >>> taken_time("2026:11:20 22:15:03", "-08:00", ZoneInfo("UTC")).isoformat()
    '2026-11-20T22:15:03-08:00'
    """
    if not written:
        return None
    try:
        naive = datetime.strptime(written.strip()[:19], "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 -- the zone is set below
    except ValueError:
        return None
    if offset:
        try:
            sign = -1 if offset.strip().startswith("-") else 1
            hours, minutes = offset.strip().lstrip("+-").split(":")
            shift = timedelta(hours=int(hours), minutes=int(minutes)) * sign
            return naive.replace(tzinfo=timezone(shift))
        except ValueError:
            pass
    return naive.replace(tzinfo=zone)


def photo_details(data: bytes, zone: ZoneInfo) -> dict[str, Any]:
    """When and where the photo was taken and the camera, as far as its EXIF says, as JSON:
    `taken_at` (ISO, with its offset), `taken_at_zone` (`camera` when the camera wrote its
    offset, `assumed` when read in the city's zone), `latitude` and `longitude` (decimal
    degrees as text), `camera`. Keys the photo does not give are left out."""
    try:
        with Image.open(BytesIO(data)) as image:
            exif = image.getexif()
    except Exception:
        return {}
    details: dict[str, Any] = {}
    inner = exif.get_ifd(EXIF_IFD)
    written = _text(inner.get(DATETIME_ORIGINAL)) or _text(exif.get(DATETIME))
    offset = _text(inner.get(OFFSET_ORIGINAL))
    taken = taken_time(written, offset, zone)
    if taken is not None:
        details["taken_at"] = taken.isoformat()
        details["taken_at_zone"] = "camera" if offset and taken.tzinfo is not zone else "assumed"
    gps = exif.get_ifd(GPS_IFD)
    try:
        if GPS_LAT in gps and GPS_LON in gps:
            details["latitude"] = str(degrees(gps[GPS_LAT], _text(gps.get(GPS_LAT_REF)) or "N"))
            details["longitude"] = str(degrees(gps[GPS_LON], _text(gps.get(GPS_LON_REF)) or "E"))
    except (InvalidOperation, ValueError, TypeError, ZeroDivisionError):
        details.pop("latitude", None)
    camera = " ".join(filter(None, (_text(exif.get(MAKE)), _text(exif.get(MODEL)))))
    if camera:
        details["camera"] = camera
    return details
