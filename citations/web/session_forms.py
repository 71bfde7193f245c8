"""Opening a docket session: a day, a start, an officer, a place or link, a capacity.

Reached from a day's docket ("Open a session on this day", the day filled in) and from the
officers page (the officer chosen). `create_session` decides everything: a business day,
inside the officer's availability, an active officer, a place or a link, the capacity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from citations.errors import FieldError
from citations.hearings.officers import create_session
from citations.hearings.tables import DocketSession
from citations.roles import Action
from citations.web.forms import Values
from citations.web.guard import PREFIX
from citations.web.office import Office, OfficeForm, OfficeParser
from citations.web.officers import officer_views


class OpenSession(OfficeForm):
    path = "/sessions/new"
    template = "officer_forms/session.html"
    fields = frozenset(
        {"day", "start", "officer_id", "place", "remote_link", "capacity", "slot_minutes"}
    )
    action = Action.MANAGE_DOCKET

    def defaults(self, office: Office, query: Mapping[str, str]) -> Values:
        return {
            "day": query.get("day", ""),
            "officer_id": query.get("officer", ""),
            "start": "09:00",
            "capacity": "20",
        }

    def extra(self, office: Office) -> dict[str, Any]:
        """The active officers, each with the days they are available, to choose from."""
        return {"officers": [v for v in officer_views(office) if v.officer.active]}

    def act(self, office: Office, read: OfficeParser) -> str:
        day, start = read.day("day"), read.clock("start")
        officer = read.integer("officer_id")
        if officer is None and not read.text("officer_id"):
            read.errors.append(FieldError("officer_id", "choose the hearing officer"))
        capacity = read.count("capacity")
        slot = read.count("slot_minutes", required=False)
        chosen = (read.need(day), read.need(start), read.need(officer), read.need(capacity))
        opened: list[DocketSession] = []
        read.submit(
            lambda: opened.append(
                create_session(
                    office.session,
                    day=chosen[0],
                    start=chosen[1],
                    officer_id=chosen[2],
                    capacity=chosen[3],
                    place=read.optional("place"),
                    remote_link=read.optional("remote_link"),
                    slot_minutes=slot,
                    actor=office.actor,
                    now=office.now,
                )
            )
        )
        return f"{PREFIX}/docket/{opened[0].day.isoformat()}#session-{opened[0].id}"


PAGES: list[tuple[str, OfficeForm]] = [("open_session", OpenSession())]
