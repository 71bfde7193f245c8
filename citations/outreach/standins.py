"""Local stand-ins for the city's mail server and the text provider, for the demo and tests.

- `MailSink`: an SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it receives,
  with its envelope; it can refuse an address (550 at RCPT) or answer 451 to the next N
  messages, and checks a login when given one.
- `TextStandIn`: an HTTP server on 127.0.0.1 that answers Twilio's two Messages.json
  endpoints (send, and list by number) with Basic auth checked, keeping the texts; it can
  refuse a number with a Twilio error code (21211: not a valid number) or answer 503 to the
  next N.

Both run in a thread of their own (`start`/`stop`, or `with`), on a free port unless told
one, and can write what they receive to a JSON Lines file as it arrives. Run as processes,
what arrived survives a sender that is killed (the test of exactly-once delivery):

    python -m citations.outreach.standins mail --store mail.jsonl
    python -m citations.outreach.standins texts --store texts.jsonl \\
        --account-sid AC0123 --auth-token secret

Each prints `listening on HOST:PORT` once it answers, then serves until SIGTERM or SIGINT.
`--delay SECONDS` keeps each message that long after it is kept and before it is answered:
the window in which a sender that dies leaves a message delivered but not recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import email
import json
import re
import secrets
import signal
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


class _Store:
    """Kept messages in memory and, optionally, appended to a JSON Lines file as they come."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.items: list[dict[str, Any]] = []

    def keep(self, item: dict[str, Any]) -> None:
        with self.lock:
            self.items.append(item)
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as file:
                    file.write(json.dumps(item) + "\n")

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.items)


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    # A line being written as we read is not whole yet: only complete lines count.
    return [json.loads(line) for line in text.split("\n")[:-1] if line]


# --- Mail ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    """One message the sink accepted, as the server saw it."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    login: str | None
    """The user the sender logged in as, if it did."""

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=default_policy)

    @classmethod
    def of(cls, item: dict[str, Any]) -> ReceivedMail:
        return cls(
            item["mail_from"], item["rcpt_tos"], base64.b64decode(item["raw"]), item["login"]
        )


def read_mail(path: Path) -> list[ReceivedMail]:
    """Every message a sink running as a process has kept in its store so far."""
    return [ReceivedMail.of(item) for item in _lines(path)]


class _MailHandler:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.lower() in self.sink.refused:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.sink.take_deferral():
            return "451 4.3.0 try again later"
        raw = envelope.original_content or b""  # the bytes as sent (decode_data off)
        credentials = session.auth_data if session.authenticated else None
        login = credentials.login.decode() if isinstance(credentials, LoginPassword) else None
        self.sink.store.keep(
            {
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "raw": base64.b64encode(raw).decode(),
                "login": login,
            }
        )
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        return "250 2.0.0 OK: queued"


class _Controller(Controller):
    def _trigger_server(self) -> None:
        # Asked for port 0: the system chose a free one, which the readiness check needs.
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]  # aiosmtpd leaves it untyped


class MailSink:
    """A local SMTP server that keeps what it receives (no TLS: `smtp_security=none`)."""

    def __init__(
        self,
        *,
        port: int = 0,
        store: Path | None = None,
        login: tuple[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        self.store = _Store(store)
        self.refused: set[str] = set()
        self.delay = delay
        self._login = login
        self._deferrals = 0
        self._lock = threading.Lock()
        self._controller = _Controller(
            _MailHandler(self),
            hostname=HOST,
            port=port,
            server_hostname="mail.standin.test",
            authenticator=self._authenticate if login else None,
            auth_require_tls=False,
        )

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        expected = self._login
        ok = (
            isinstance(data, LoginPassword)
            and expected is not None
            and (data.login.decode(), data.password.decode()) == expected
        )
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def refuse(self, address: str) -> None:
        """Answer 550 (mailbox unavailable) to this recipient."""
        self.refused.add(address.lower())

    def defer(self, count: int) -> None:
        """Answer 451 (try again later) to the next `count` messages."""
        with self._lock:
            self._deferrals = count

    def take_deferral(self) -> bool:
        with self._lock:
            if self._deferrals > 0:
                self._deferrals -= 1
                return True
            return False

    @property
    def received(self) -> list[ReceivedMail]:
        return [ReceivedMail.of(item) for item in self.store.snapshot()]

    def start(self) -> Self:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# --- Texts --------------------------------------------------------------------------------

MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")
E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
TWILIO_WORDS = {
    20003: "Authenticate",
    20503: "Service unavailable",
    21211: "The 'To' number {to} is not a valid phone number.",
    21602: "Message body is required.",
    21603: "A 'From' or 'MessagingServiceSid' parameter is required to send a message.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number {to} is not a valid mobile number",
}


def read_texts(path: Path) -> list[dict[str, Any]]:
    """Every text a stand-in running as a process has kept in its store so far."""
    return _lines(path)


class _TextHandler(BaseHTTPRequestHandler):
    server: _TextServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and the demo read the store, not a log

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        content = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def _error(self, status: int, code: int, **words: str) -> None:
        message = TWILIO_WORDS[code].format(**words)
        more = f"https://www.twilio.com/docs/errors/{code}"
        self._answer(
            status, {"code": code, "message": message, "more_info": more, "status": status}
        )

    def _authorized(self) -> str | None:
        """The account of the path, when the request's Basic auth is that account's."""
        standin = self.server.standin
        match = MESSAGES.match(urlsplit(self.path).path)
        if match is None:
            self._answer(404, {"status": 404, "message": "not found"})
            return None
        expected = base64.b64encode(f"{standin.account_sid}:{standin.auth_token}".encode())
        given = self.headers.get("Authorization", "")
        if match["sid"] != standin.account_sid or given != f"Basic {expected.decode()}":
            self._error(401, 20003)
            return None
        return match["sid"]

    def do_POST(self) -> None:
        standin = self.server.standin
        if self._authorized() is None:
            return
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        to = form.get("To", "")
        if standin.take_unavailable():
            self._error(503, 20503)
        elif not to:
            self._error(400, 21604)
        elif not form.get("Body"):
            self._error(400, 21602)
        elif not (form.get("From") or form.get("MessagingServiceSid")):
            self._error(400, 21603)
        elif not E164.match(to):
            self._error(400, 21211, to=to)
        elif to in standin.refused:
            self._error(400, standin.refused[to], to=to)
        else:
            text = standin.keep(to, form)
            if standin.delay:
                threading.Event().wait(standin.delay)
            self._answer(201, text)

    def do_GET(self) -> None:
        if self._authorized() is None:
            return
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        texts = [
            t
            for t in reversed(self.server.standin.store.snapshot())
            if t["to"] == query.get("To", t["to"]) and t["from"] == query.get("From", t["from"])
        ]
        size = int(query.get("PageSize", "50"))
        self._answer(200, {"messages": texts[:size], "page": 0, "page_size": size})


class _TextServer(ThreadingHTTPServer):
    daemon_threads = True
    standin: TextStandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client gave up waiting (a sender's timeout): nothing to report
        super().handle_error(request, client_address)


class TextStandIn:
    """A local stand-in for Twilio's Messages API; `url` is its `twilio_api_base`."""

    def __init__(
        self,
        *,
        account_sid: str = "AC" + "0" * 32,
        auth_token: str = "standin-token",
        port: int = 0,
        store: Path | None = None,
        delay: float = 0.0,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.store = _Store(store)
        self.refused: dict[str, int] = {}
        self.delay = delay
        self._unavailable = 0
        self._lock = threading.Lock()
        self._server = _TextServer((HOST, port), _TextHandler)
        self._server.standin = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def refuse(self, number: str, code: int = 21211) -> None:
        """Answer this Twilio error (21211 not a valid number, 21614 not a mobile, 21610
        unsubscribed) to texts to `number`."""
        if code not in TWILIO_WORDS:
            raise ValueError(f"the stand-in knows no words for Twilio error {code}")
        self.refused[number] = code

    def unavailable(self, count: int) -> None:
        """Answer 503 to the next `count` texts."""
        with self._lock:
            self._unavailable = count

    def take_unavailable(self) -> bool:
        with self._lock:
            if self._unavailable > 0:
                self._unavailable -= 1
                return True
            return False

    def keep(self, to: str, form: dict[str, str]) -> dict[str, Any]:
        text = {
            "sid": "SM" + secrets.token_hex(16),
            "account_sid": self.account_sid,
            "to": to,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form["Body"],
            "status": "queued",
            "direction": "outbound-api",
            "date_created": format_datetime(datetime.now(UTC), usegmt=False),
            "status_callback": form.get("StatusCallback"),
        }
        self.store.keep(text)
        return text

    @property
    def received(self) -> list[dict[str, Any]]:
        return self.store.snapshot()

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# --- As a process -------------------------------------------------------------------------


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m citations.outreach.standins",
        description="Run a local stand-in for the city's mail server or for Twilio.",
    )
    parser.add_argument("kind", choices=["mail", "texts"])
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--store", type=Path, required=True, help="JSON Lines file to append to")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--account-sid", default="AC" + "0" * 32)
    parser.add_argument("--auth-token", default="standin-token")
    arguments = parser.parse_args(None if argv is None else list(argv))
    standin: MailSink | TextStandIn
    if arguments.kind == "mail":
        standin = MailSink(port=arguments.port, store=arguments.store, delay=arguments.delay)
    else:
        standin = TextStandIn(
            account_sid=arguments.account_sid,
            auth_token=arguments.auth_token,
            port=arguments.port,
            store=arguments.store,
            delay=arguments.delay,
        )
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    with standin:
        print(f"listening on {HOST}:{standin.port}", flush=True)
        while not stop.wait(1.0):
            pass
    sys.exit(0)


if __name__ == "__main__":
    main()
