"""The mail forms: record a letter that came back, and the person's new address (which mails
the notice again). Each calls the library function the CLI and API call."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from citations.errors import InputRejected
from citations.issuing.intake import Address, validation_errors
from citations.notice.address import change_address
from citations.record.returns import record_return
from citations.record.sent import DocumentPublic, one_line, sent_documents
from citations.roles import Action
from citations.web.forms import Desk, FormPage, Parser, Values


def _returnable(desk: Desk) -> list[DocumentPublic]:
    """Mailed documents of the citation not yet recorded as returned, newest first."""
    listed = sent_documents(desk.session, desk.citation, desk.actor)
    return [d for d in reversed(listed) if d.mailing and d.mailing.returned_on is None]


class MailReturn(FormPage):
    slug = "mail-return"
    template = "forms/mail_return.html"
    fields = frozenset({"document", "returned_on", "reason"})
    action = Action.RECORD_MAIL

    def defaults(self, desk: Desk) -> Values:
        mailed = _returnable(desk)
        today = desk.formats.local(desk.now).date()
        return {"document": str(mailed[0].id) if mailed else "", "returned_on": today.isoformat()}

    def extra(self, desk: Desk) -> dict[str, Any]:
        return {
            "choices": [
                (
                    str(d.id),
                    f"{d.kind.replace('_', ' ')} dated {desk.formats.day(d.issued_on)}, mailed "
                    f"{desk.formats.day(d.mailing.mailed_on)} to {one_line(d.mailing.address)}",
                )
                for d in _returnable(desk)
                if d.mailing is not None
            ]
        }

    def act(self, desk: Desk, read: Parser) -> None:
        chosen = read.integer("document")
        if chosen is None:
            read.refuse("document", "choose the document that came back")
        returned_on = _day(read, "returned_on")
        read.submit(
            lambda: record_return(
                desk.session,
                desk.citation.number,
                read.need(chosen),
                returned_on=read.need(returned_on),
                reason=read.text("reason"),
                actor=desk.actor,
                now=desk.now,
            )
        )


def _day(read: Parser, name: str) -> date | None:
    raw = read.text(name)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        read.refuse(name, "enter a date such as 2026-12-09")
        return None


class NewAddress(FormPage):
    slug = "address"
    template = "forms/address.html"
    fields = frozenset({"line1", "line2", "city", "state", "postal_code"})
    action = Action.RECORD_MAIL

    def act(self, desk: Desk, read: Parser) -> None:
        typed = {name: read.optional(name) for name in sorted(self.fields)}
        try:
            address = Address.model_validate({k: v for k, v in typed.items() if v is not None})
        except ValidationError as exc:
            problems = validation_errors(exc)
            raise InputRejected(read.errors + problems, "the address was rejected") from None
        read.submit(
            lambda: change_address(
                desk.session, desk.citation.number, address, actor=desk.actor, now=desk.now
            )
        )


PAGES: list[FormPage] = [MailReturn(), NewAddress()]
