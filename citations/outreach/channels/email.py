"""Reminders by email, through the city's SMTP server (smtplib, no other library).

Each message is a plain-text email from `mail_from` with:
- a `Message-ID` that is the same for every copy of one outbox message
  (`<outbox-ID.HASH@DOMAIN>`, `message_id_for`), so a copy sent again after an interruption
  is recognized as the same message by mail systems that drop duplicates;
- `List-Unsubscribe: <URL>` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`
  (RFC 8058): mail programs show an unsubscribe button that ends emails at once;
- `Auto-Submitted: auto-generated` (RFC 3834), so vacation responders stay quiet;
- the document the message is about attached as a PDF when there is one.

One connection serves a whole run (checked with NOOP before each reuse). Every failure is
sorted into what the sender does next (`classify`): a 4xx answer or a lost connection passes;
a 5xx refusal of the recipient is permanent and flags the address for a clerk; a refusal of
our own sender or login means the channel is misconfigured, so the run stops using it.
"""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr

from citations.outreach.channels.base import NotSent, Outcome, Outgoing
from citations.settings import Settings

TIMEOUT_SECONDS = 30.0
CONTACT_CODES = ("5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10", "5.2.1")
"""Enhanced status codes (RFC 3463) that say the mailbox or its domain does not exist or
takes no mail: a refusal at DATA with one of these is about the address, like one at RCPT."""


def mail_domain(mail_from: str) -> str:
    """The domain of the From address, for Message-IDs and the greeting.

    >>> mail_domain("Demo City Citations <citations@demo-city.example>")
    'demo-city.example'
    """
    address = parseaddr(mail_from)[1]
    return address.rpartition("@")[2].lower() or "localhost"


def message_id_for(outbox_id: int, number: str, key: str, mail_from: str) -> str:
    """The Message-ID of an outbox message: the same for every copy of it, different for
    every message (the hash covers the citation's number and the message's key, unique
    together, so two databases' message 1 differ too).

    >>> message_id_for(7, "DCPD-2026-000001-5", "pay_by|2026-12-20|-7|email",
    ...                "Citations <c@city.example>")
    '<outbox-7.065483dab3d4d9f2@city.example>'
    """
    digest = hashlib.sha256(f"{number}|{key}".encode()).hexdigest()[:16]
    return f"<outbox-{outbox_id}.{digest}@{mail_domain(mail_from)}>"


def build_email(outgoing: Outgoing, *, mail_from: str, now: datetime) -> EmailMessage:
    """The email of one message (its address already checked by `writable`)."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = mail_from
    message["To"] = outgoing.address
    message["Subject"] = outgoing.subject
    message["Date"] = format_datetime(now)
    assert outgoing.message_id is not None, "an email has its Message-ID (message_id_for)"
    message["Message-ID"] = outgoing.message_id
    message["Auto-Submitted"] = "auto-generated"
    if outgoing.unsubscribe:
        message["List-Unsubscribe"] = f"<{outgoing.unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(outgoing.body)
    if outgoing.attachment is not None:
        maintype, _, subtype = outgoing.attachment.content_type.partition("/")
        message.add_attachment(
            outgoing.attachment.content,
            maintype=maintype,
            subtype=subtype,
            filename=outgoing.attachment.filename,
        )
    message["Content-Language"] = outgoing.language  # after the content: set_content clears it
    return message


def writable(address: str) -> bool:
    """Whether an email can be addressed to this: one @, no space or line break (which would
    let a typed address add headers).

    >>> writable("maria@example.org"), writable("maria@example.org\\nBcc: x@y.example")
    (True, False)
    """
    local, at, domain = address.rpartition("@")
    return bool(at and local and "." in domain) and not any(c.isspace() for c in address)


def _words(text: bytes | str) -> str:
    return (text.decode("utf-8", "replace") if isinstance(text, bytes) else text).strip()


def classify(exc: Exception) -> NotSent:
    """What a failure of smtplib means for the message.

    >>> classify(smtplib.SMTPRecipientsRefused({"a@b.example": (550, b"5.1.1 no such user")}))
    NotSent(permanent, 'refused by the mail server: 550 5.1.1 no such user')
    >>> classify(ConnectionRefusedError(111, "Connection refused")).outage
    True
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        detail = f"refused by the mail server: {code} {_words(text)}"
        if code >= 500:
            return NotSent(Outcome.PERMANENT, detail, contact=True)
        return NotSent(Outcome.PASSING, detail)
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
        detail = f"the mail server refused our sender or login: {exc.smtp_code} "
        return NotSent(Outcome.PASSING, detail + _words(exc.smtp_error), outage=True)
    if isinstance(exc, smtplib.SMTPResponseException):  # DATA refused, HELO refused, ...
        words = _words(exc.smtp_error)
        detail = f"refused by the mail server: {exc.smtp_code} {words}"
        if exc.smtp_code >= 500:
            about_address = words.split(" ", 1)[0] in CONTACT_CODES
            return NotSent(Outcome.PERMANENT, detail, contact=about_address)
        return NotSent(Outcome.PASSING, detail)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return NotSent(Outcome.PASSING, f"the mail server does not offer {exc}", outage=True)
    if isinstance(exc, smtplib.SMTPException | OSError):  # disconnected, refused, timeout, TLS
        detail = f"no answer from the mail server ({type(exc).__name__}: {exc})"
        return NotSent(Outcome.PASSING, detail, outage=True)
    raise exc


class SmtpChannel:
    """Email through the settings' SMTP server; one connection for a run, closed by `close`.
    The password is only ever given to smtplib's login."""

    can_ask = False

    def __init__(self, settings: Settings, *, timeout: float = TIMEOUT_SECONDS) -> None:
        assert settings.smtp_host is not None and settings.mail_from is not None
        self.settings = settings
        self.host = settings.smtp_host
        self.mail_from = settings.mail_from
        self.envelope_from = parseaddr(settings.mail_from)[1]
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def __repr__(self) -> str:
        return f"SmtpChannel({self.host}:{self.settings.smtp_port}, {self.settings.smtp_security})"

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        greeting = mail_domain(self.mail_from)  # not getfqdn(): a slow DNS would stall sending
        smtp: smtplib.SMTP
        if settings.smtp_security == "tls":
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(
                self.host,
                settings.smtp_port,
                local_hostname=greeting,
                timeout=self.timeout,
                context=context,
            )
        else:
            smtp = smtplib.SMTP(
                self.host, settings.smtp_port, local_hostname=greeting, timeout=self.timeout
            )
        try:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                password = settings.smtp_password
                smtp.login(settings.smtp_username, password.get_secret_value() if password else "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            try:
                if self._smtp.noop()[0] == 250:
                    return self._smtp
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        self._smtp = self._open()
        return self._smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    def send(self, outgoing: Outgoing, *, now: datetime) -> str:
        """Hand the email over; its Message-ID, or NotSent."""
        if not writable(outgoing.address):
            detail = "not an address an email can be written to"
            raise NotSent(Outcome.PERMANENT, detail, contact=True)
        message = build_email(outgoing, mail_from=self.mail_from, now=now)
        try:
            self._connection().send_message(
                message, from_addr=self.envelope_from, to_addrs=[outgoing.address]
            )
        except Exception as exc:
            failure = classify(exc)
            if failure.outage:
                self._drop()
            raise failure from None
        return str(message["Message-ID"])

    def find(self, address: str, sent_as: Callable[[str], bool]) -> str | None:
        """A mail server cannot be asked what it took: an email in doubt goes again, with
        the same Message-ID."""
        return None

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._drop()
