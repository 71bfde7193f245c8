"""Reminders by text message, through Twilio's Programmable Messaging API (plain HTTP, no
Twilio library).

Sending: `POST {api}/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth
(the account SID and auth token), form fields `To` (E.164), `From` (a number) or
`MessagingServiceSid` (when `twilio_from` starts with MG), `Body`. Twilio answers 201 with
the message resource as JSON (`sid` SM..., `status` queued or accepted), or an error
`{"code": 21211, "message": ..., "more_info": ..., "status": 400}`.

Asking: `GET .../Messages.json?To=...` lists the messages sent to a number, newest first.
The sender asks it before sending again a message whose first try may have reached Twilio
(a sender that died, an answer lost): `find` recognizes it by the access code in its link,
whose last characters the outbox keeps (`citations.outreach.compose.sent_as`).

Twilio takes no idempotency key for messages, so this is how a text goes once: a request
that surely did not arrive (no connection; a 429 or 503) is simply tried again later; one
that may have arrived (a timeout while waiting for the answer, a 500) is looked up first.

The auth token is given to the HTTP client only: never logged, never in an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx2

from citations.outreach.channels.base import NotSent, Outcome, Outgoing
from citations.settings import Settings

TIMEOUT = httpx2.Timeout(15.0, connect=5.0)

ADDRESS = {21211, 21217, 21401, 21407, 21421, 21612, 21614, 30003, 30005, 30006}
"""Twilio's codes for a number that cannot get texts: not a valid number (21211, 21217,
21401, 21421), not a mobile number (21614, 30006), unreachable or unknown (21612, 30003,
30005), not supported (21407)."""
UNSUBSCRIBED = 21610
"""The person replied STOP to our number: Twilio refuses to text them until START."""
OURS = {20003, 20404, 21212, 21606, 21608, 21659}
"""Our own account or number is the trouble (credentials, a From that is not ours): the
channel is misconfigured, so the run stops using it."""

E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")


def e164(phone: str | None, *, country_code: str = "1") -> str | None:
    """A phone number as Twilio takes it, or None when it cannot be one. A number without
    a country code is taken as a North American one (10 digits).

    >>> e164("(510) 555-0123"), e164("+44 20 7946 0958"), e164("1-510-555-0123"), e164("555")
    ('+15105550123', '+442079460958', '+15105550123', None)
    """
    if not phone:
        return None
    digits = "".join(c for c in phone if c.isdigit())
    if phone.strip().startswith("+"):
        candidate = f"+{digits}"
    elif len(digits) == 10:
        candidate = f"+{country_code}{digits}"
    elif len(digits) == 11 and digits.startswith(country_code):
        candidate = f"+{digits}"
    else:
        return None
    return candidate if E164.match(candidate) else None


def refusal(status: int, body: dict[str, Any]) -> NotSent:
    """What an error answer of Twilio's means for the message.

    >>> refusal(400, {"code": 21211, "message": "The 'To' number 5 is not a valid phone number."})
    NotSent(permanent, "Twilio 21211: The 'To' number 5 is not a valid phone number.")
    >>> refusal(503, {}).outcome.value, refusal(500, {}).outcome.value
    ('passing', 'unknown')
    """
    code = body.get("code")
    words = str(body.get("message") or "no message")
    detail = f"Twilio {code}: {words}" if code else f"Twilio answered {status}: {words}"
    if status in (429, 503) or code == 20429:
        return NotSent(Outcome.PASSING, detail)  # refused before taking it: try again later
    if status >= 500:
        return NotSent(Outcome.UNKNOWN, detail)  # it may have taken it: ask before resending
    if status == 401 or code in OURS:
        return NotSent(Outcome.PASSING, detail, outage=True)
    if code in ADDRESS or code == UNSUBSCRIBED:
        return NotSent(Outcome.PERMANENT, detail, contact=True)
    return NotSent(Outcome.PERMANENT, detail)  # a request of ours it will never take


def _json(content: bytes) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class TwilioChannel:
    """Texts through the city's Twilio account; one HTTP client for a run."""

    can_ask = True

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        sid, token, sender = (
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from,
        )
        assert sid is not None and token is not None and sender is not None
        self.sender = sender
        self.url = f"{settings.twilio_api_base}/2010-04-01/Accounts/{sid}/Messages.json"
        # Twilio reports a text it could not deliver (a landline, an unknown number) to the
        # public app's status route, which flags the phone for a clerk
        # (citations.outreach.inbound); without the site's address, Twilio's own setting on
        # the Messaging Service must name it.
        base = settings.public_base_url
        self.status_callback = f"{base}/outreach/texts/status" if base else None
        self._client = httpx2.Client(
            auth=httpx2.BasicAuth(sid, token.get_secret_value()),
            timeout=TIMEOUT,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"TwilioChannel({self.url!r}, token=...)"

    def _call(self, request: Callable[[], httpx2.Response]) -> httpx2.Response:
        try:
            return request()
        except (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout) as exc:
            # The request never left: trying again later cannot make a second text.
            detail = f"no connection to Twilio ({type(exc).__name__})"
            raise NotSent(Outcome.PASSING, detail, outage=True) from None
        except httpx2.HTTPError as exc:
            detail = f"no answer from Twilio ({type(exc).__name__})"
            raise NotSent(Outcome.UNKNOWN, detail) from None

    def send(self, outgoing: Outgoing, *, now: datetime) -> str:
        """Hand the text over; Twilio's SID for it, or NotSent."""
        if not E164.match(outgoing.address):
            detail = f"not a phone number texts can go to: {outgoing.address!r}"
            raise NotSent(Outcome.PERMANENT, detail, contact=True)
        form = {"To": outgoing.address, "Body": outgoing.body}
        form["MessagingServiceSid" if self.sender.startswith("MG") else "From"] = self.sender
        if self.status_callback is not None:
            form["StatusCallback"] = self.status_callback
        answer = self._call(lambda: self._client.post(self.url, data=form))
        body = _json(answer.content)
        if answer.status_code not in (200, 201):
            raise refusal(answer.status_code, body)
        sid = body.get("sid")
        if not isinstance(sid, str) or not sid:
            raise NotSent(Outcome.UNKNOWN, "Twilio's answer has no message sid")
        return sid

    def find(self, address: str, sent_as: Callable[[str], bool]) -> str | None:
        """The SID of a text Twilio has to `address` whose body `sent_as` recognizes (by its
        access code); None when it has none. NotSent when Twilio cannot be asked now (the
        message then stays in doubt)."""
        params = {"To": address, "PageSize": "50"}
        answer = self._call(lambda: self._client.get(self.url, params=params))
        if answer.status_code != 200:
            failure = refusal(answer.status_code, _json(answer.content))
            raise NotSent(Outcome.UNKNOWN, failure.detail, outage=failure.outage)
        messages = _json(answer.content).get("messages")
        for message in messages if isinstance(messages, list) else []:
            if not isinstance(message, dict):
                continue
            body, sid = message.get("body"), message.get("sid")
            if isinstance(body, str) and isinstance(sid, str) and sent_as(body):
                return sid
        return None

    def close(self) -> None:
        self._client.close()
