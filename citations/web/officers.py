"""The hearing officers page: who may sit, their qualification and independence statement,
the days they are available; and the forms to add an officer, an availability window and
a recusal. Each form calls the one library function the CLI and API call
(citations.hearings.officers), which checks the role and every rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any, cast

from sqlalchemy import select

from citations.calendar import local_date
from citations.hearings.officers import (
    Qualification,
    add_availability,
    add_officer,
    list_officers,
    recuse,
)
from citations.hearings.tables import Availability, DocketSession, HearingOfficer
from citations.roles import Action
from citations.web.forms import Values
from citations.web.office import Office, OfficeForm, OfficeParser, officer_page

QUALIFICATIONS: dict[str, str] = {
    "pro_tem_judge": "Judge pro tem",
    "administrative_law_judge": "Administrative law judge",
    "trained_neutral": "Trained neutral (25 hours or more of dispute-resolution training)",
}
"""The library's `Qualification` values, as the form offers them."""


@dataclass(frozen=True)
class Window:
    day: date
    start: time
    end: time
    session_id: int | None = None
    """The officer's session already open in this window: the page links to it instead of
    offering to open another."""


@dataclass(frozen=True)
class OfficerView:
    officer: HearingOfficer
    qualification: str
    windows: list[Window]
    """Availability from today on, earliest first."""


def officer_views(office: Office) -> list[OfficerView]:
    """Every hearing officer with the windows they can still sit (the past is left out)."""
    today = local_date(office.now, office.profile)
    rows = office.session.scalars(
        select(Availability)
        .where(Availability.day >= today)
        .order_by(Availability.day, Availability.start_time)
    )
    opened: dict[tuple[int, date], list[DocketSession]] = {}
    for docket in office.session.scalars(
        select(DocketSession).where(DocketSession.day >= today).order_by(DocketSession.start_time)
    ):
        opened.setdefault((docket.officer_id, docket.day), []).append(docket)
    windows: dict[int, list[Window]] = {}
    for row in rows:
        inside = next(
            (
                d.id
                for d in opened.get((row.officer_id, row.day), [])
                if row.start_time <= d.start_time < row.end_time
            ),
            None,
        )
        windows.setdefault(row.officer_id, []).append(
            Window(row.day, row.start_time, row.end_time, inside)
        )
    return [
        OfficerView(
            officer=o,
            qualification=QUALIFICATIONS.get(o.qualification, o.qualification),
            windows=windows.get(o.id, []),
        )
        for o in list_officers(office.session)
    ]


def _officer_id(office: Office) -> int:
    assert office.officer is not None, "the path names the officer"
    return office.officer.id


class Officers(OfficeForm):
    """The list of officers, with the form to add one below it."""

    path = "/officers"
    template = "officers.html"
    fields = frozenset(
        {"name", "qualification", "qualification_detail", "training_hours", "independence"}
    )
    action = Action.MANAGE_HEARING_OFFICERS

    def extra(self, office: Office) -> dict[str, Any]:
        return {
            "officers": officer_views(office),
            "qualifications": list(QUALIFICATIONS.items()),
            "today": local_date(office.now, office.profile),
        }

    def act(self, office: Office, read: OfficeParser) -> str:
        chosen = read.choice("qualification", QUALIFICATIONS, "choose the qualification")
        hours = read.count("training_hours", required=False)
        qualification = cast(Qualification, read.need(chosen))
        added: list[HearingOfficer] = []
        read.submit(
            lambda: added.append(
                add_officer(
                    office.session,
                    read.text("name"),
                    qualification,
                    read.text("qualification_detail"),
                    read.text("independence"),
                    actor=office.actor,
                    now=office.now,
                    training_hours=hours,
                )
            )
        )
        return officer_page(added[0].id, "officer")


class AddAvailability(OfficeForm):
    path = "/officers/{officer_id}/availability"
    template = "officer_forms/availability.html"
    fields = frozenset({"day", "start", "end"})
    action = Action.MANAGE_HEARING_OFFICERS

    def defaults(self, office: Office, query: Mapping[str, str]) -> Values:
        return {"start": "08:30", "end": "16:30"}

    def act(self, office: Office, read: OfficeParser) -> str:
        day, start, end = read.day("day"), read.clock("start"), read.clock("end")
        chosen = (read.need(day), read.need(start), read.need(end))
        officer_id = _officer_id(office)
        read.submit(
            lambda: add_availability(
                office.session, officer_id, *chosen, actor=office.actor, now=office.now
            )
        )
        return officer_page(officer_id, "availability")


class Recuse(OfficeForm):
    path = "/officers/{officer_id}/recusal"
    template = "officer_forms/recusal.html"
    fields = frozenset({"number", "reason"})
    action = Action.MANAGE_HEARING_OFFICERS

    def defaults(self, office: Office, query: Mapping[str, str]) -> Values:
        return {"number": query.get("number", "")}

    def act(self, office: Office, read: OfficeParser) -> str:
        officer_id = _officer_id(office)
        read.submit(
            lambda: recuse(
                office.session,
                officer_id,
                read.text("number"),
                read.text("reason"),
                actor=office.actor,
                now=office.now,
            )
        )
        return officer_page(officer_id, "recusal")


PAGES: list[tuple[str, OfficeForm]] = [
    ("officers", Officers()),
    ("availability", AddAvailability()),
    ("recusal", Recuse()),
]
