"""One form for each phone number and email address, so an opt-out recorded for one way of
writing a number stops messages to every other way of writing it.

Opt-outs are stored in this form (`OptOut.address`), and the reminders compare a citation's
phone and email in this form: `(555) 010-2400`, `555-010-2400`, `+1 555 010 2400` and
`15550102400` are one number. New phones are written in E.164 already; older rows were kept
as the person typed them (digits, with a leading `+` if any).
"""

from __future__ import annotations

import re

_NOT_DIGITS = re.compile(r"[^0-9]")

DEFAULT_COUNTRY = "1"
"""The calling code of a number written without one: the North American plan (the US and
Canada) has ten-digit national numbers."""


def phone_key(phone: str) -> str:
    """The E.164 form of a phone number (`+` and 7 to 15 digits); a ten-digit number without
    a country code is taken as North American, an eleven-digit one starting with 1 too.

    >>> phone_key("(555) 010-2400"), phone_key("1 555 010 2400"), phone_key("+1 555 010 2400")
    ('+15550102400', '+15550102400', '+15550102400')
    >>> phone_key("+52 55 1234 5678")
    '+525512345678'
    """
    digits = _NOT_DIGITS.sub("", phone)
    if phone.strip().startswith("+"):
        return f"+{digits}"
    if len(digits) == 10:
        return f"+{DEFAULT_COUNTRY}{digits}"
    return f"+{digits}"  # with its country code (11 digits starting with 1: North American)


def email_key(email: str) -> str:
    """An email address as opt-outs store it: trimmed, in lower case.

    >>> email_key(" Maria.Lopez@Example.org ")
    'maria.lopez@example.org'
    """
    return email.strip().lower()
