"""Ending messages from the person's side: the unsubscribe link in every email, and the
text provider's calls (a reply to a text, what became of a text).

- `GET /unsubscribe/{token}`: a page with one button, in the person's language. Nothing
  ends on opening it: mail scanners open every link in a message.
- `POST /unsubscribe/{token}`: ends emails to the address at once, from the page's button
  or from a mail program's one-click (RFC 8058: the body `List-Unsubscribe=One-Click`, no
  form token). The page's button carries a form token made from the link itself, since no
  session exists; the link's token is the secret that counts (`citations.outreach.optout`).
  A token the city did not make gets 404.
- `POST /outreach/texts/inbound`: Twilio's call for a reply to one of our texts (STOP,
  START, anything else), answered in TwiML.
- `POST /outreach/texts/status`: Twilio's status callback for a text we sent.

Twilio's calls are checked against `X-Twilio-Signature` with the account's auth token over
the URL Twilio was given (`CITATIONS_PUBLIC_BASE_URL` plus the path, behind a proxy; else
the request's own); a missing or wrong signature gets 403 and nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
from xml.sax.saxutils import escape

from fastapi import Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citations.catalog.store import PublishedCatalog
from citations.database import reading, transaction
from citations.http.deps import EngineDep
from citations.outreach.inbound import signed_by_twilio, take_reply, take_status
from citations.outreach.optout import (
    UNSUBSCRIBE_LINK,
    address_of_token,
    opt_out,
    opted_out,
)
from citations.public.guard import ClockDep, chosen_language, error_page, public_router
from citations.public.pages import render_public, speaker_for
from citations.record.messages import Channel
from citations.record.tables import Citation
from citations.settings import Settings

router = public_router()

ONE_CLICK = ("List-Unsubscribe", "One-Click")
EMAIL = Channel.EMAIL.value


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# The unsubscribe link -----------------------------------------------------------------


def _form_token(settings: Settings, token: str) -> str:
    """The page's form token, made from the link (no session exists to hold one)."""
    secret = settings.outreach_secret
    key = secret.get_secret_value().encode() if secret is not None else b""
    return hmac.new(key, b"unsubscribe page|" + token.encode(), hashlib.sha256).hexdigest()


def _masked(address: str) -> str:
    """The address as the page shows it: enough to recognize, not to read in full.

    >>> _masked("maria.lopez@example.org"), _masked("al@example.org")
    ('m•••@example.org', 'a•••@example.org')
    """
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


def _language(session: Session, address: str) -> str | None:
    return session.scalars(
        select(Citation.notice_language)
        .where(func.lower(Citation.email) == address)
        .order_by(Citation.issued_at.desc(), Citation.id.desc())
        .limit(1)
    ).first()


def _unsubscribe_page(
    request: Request, engine: EngineDep, token: str, address: str, state: str
) -> Response:
    with reading(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
        preferred = _language(session, address)
        if state == "ask" and opted_out(session, EMAIL, address):
            state = "already"
    speaker = speaker_for(chosen_language(request, profile, preferred), profile)
    return render_public(
        request,
        "unsubscribe.html",
        speaker=speaker,
        csrf=_form_token(_settings(request), token),
        state=state,
        masked=_masked(address),
        action=f"/unsubscribe/{token}",
    )


@router.get("/unsubscribe/{token}")
def unsubscribe_page(token: str, request: Request, engine: EngineDep) -> Response:
    address = address_of_token(_settings(request), token)
    if address is None:
        return error_page(request, 404, "error.not_found", "")
    return _unsubscribe_page(request, engine, token, address, "ask")


@router.post("/unsubscribe/{token}")
async def unsubscribe(token: str, request: Request, engine: EngineDep, now: ClockDep) -> Response:
    settings = _settings(request)
    address = address_of_token(settings, token)
    if address is None:
        return error_page(request, 404, "error.not_found", "")
    form = await request.form()
    one_click = form.get(ONE_CLICK[0]) == ONE_CLICK[1]
    sent = form.get("csrf_token")
    from_page = isinstance(sent, str) and hmac.compare_digest(
        sent.encode(), _form_token(settings, token).encode()
    )
    if not (one_click or from_page):
        return error_page(request, 403, "error.form", "")
    with transaction(engine) as session:
        opt_out(
            session,
            channel=EMAIL,
            address=address,
            how="unsubscribe_link",
            actor=UNSUBSCRIBE_LINK,
            now=now,
        )
    return _unsubscribe_page(request, engine, token, address, "done")


# Twilio's calls ------------------------------------------------------------------------

TWIML = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>{}</Response>\n'


def _twiml(message: str | None = None) -> Response:
    body = f"<Message>{escape(message)}</Message>" if message else ""
    return Response(TWIML.format(body), media_type="application/xml")


def _url_twilio_called(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: the public address behind a proxy, else the request's own."""
    if settings.public_base_url is None:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{settings.public_base_url}{request.url.path}{query}"


async def _signed_form(request: Request) -> dict[str, str] | None:
    """The POST parameters of a call Twilio signed; None for any other request."""
    settings = _settings(request)
    token = settings.twilio_auth_token
    signature = request.headers.get("x-twilio-signature")
    if token is None or not signature:
        return None
    form = await request.form()
    params = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
    url = _url_twilio_called(request, settings)
    if not signed_by_twilio(token.get_secret_value(), url, params, signature):
        return None
    return dict(params)


def _reply_words(session: Session, language: str) -> str:
    profile = PublishedCatalog(session).jurisdiction()
    known = language if language in profile.notice_languages else profile.notice_languages[0]
    speaker = speaker_for(known, profile)
    office = profile.contact.office_name.get(speaker.language) or next(
        iter(profile.contact.office_name.values())
    )
    return speaker.t(
        "outreach.reply",
        office=office,
        phone=profile.contact.phone,
        website=profile.contact.website,
    )


@router.post("/outreach/texts/inbound")
async def text_reply(request: Request, engine: EngineDep, now: ClockDep) -> Response:
    """A reply to one of our texts. STOP and START are answered with nothing: Twilio sends
    its own confirmation of both (and blocks any text to a number that said STOP)."""
    form = await _signed_form(request)
    if form is None:
        return Response(status_code=403)
    with transaction(engine) as session:
        reply = take_reply(session, sender=form.get("From", ""), body=form.get("Body", ""), now=now)
        if reply.keyword is not None or reply.language is None:
            return _twiml()
        return _twiml(_reply_words(session, reply.language))


@router.post("/outreach/texts/status")
async def text_status(request: Request, engine: EngineDep, now: ClockDep) -> Response:
    form = await _signed_form(request)
    if form is None:
        return Response(status_code=403)
    with transaction(engine) as session:
        take_status(
            session,
            sid=form.get("MessageSid", ""),
            status=form.get("MessageStatus", ""),
            error_code=form.get("ErrorCode"),
            now=now,
        )
    return Response(status_code=204)
