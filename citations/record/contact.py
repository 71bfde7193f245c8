"""A person's phone and email as every face takes them: the officer's device, the public
pages and a clerk's form all check them here, so a citation holds them in one form.

- A phone is stored in E.164 (`+15105550123`), read with the jurisdiction's country
  (`holiday_calendar.country`) as the default for a number written without its country
  code. It must be a *possible* number for its country (the right length), not one the
  numbering plan lists as assigned: the plan changes, fictional numbers (555) serve the demo
  and the tests, and a number no carrier serves is caught by the text provider, which flags
  the phone for a clerk (`Citation.phone_problem`).
- An email is stored lower-cased. Every mail system in use treats addresses without regard
  to case, and one form everywhere makes the match against `opt_outs` (also lower case) a
  plain equality for every reader.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from citations.errors import FieldError, InputRejected

EMAIL = re.compile(r"^[^@\s\"<>,;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
MAX_EMAIL = 254
"""RFC 5321's limit on a path, and the column's width."""

PHONE_EXAMPLE = "such as (510) 555-0123 or +1 510 555 0123"
AGAIN = f"write it with its area code, {PHONE_EXAMPLE}"
PHONE_PROBLEMS = {
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: (
        f"write the number with its area code, {PHONE_EXAMPLE}"
    ),
    phonenumbers.ValidationResult.TOO_SHORT: f"the number has too few digits: {AGAIN}",
    phonenumbers.ValidationResult.TOO_LONG: f"the number has too many digits: {AGAIN}",
    phonenumbers.ValidationResult.INVALID_LENGTH: (
        f"the number does not have the right number of digits: {AGAIN}"
    ),
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: (
        "the country code is unknown: write + and the country code first, such as +52 55 1234 5678"
    ),
}


def _refuse(field: str, message: str, summary: str) -> InputRejected:
    return InputRejected([FieldError(field, message)], summary)


def phone_e164(typed: str, country: str, *, field: str = "phone") -> str:
    """A phone number in E.164, read with `country` (ISO 3166 alpha-2) as its default
    country; InputRejected naming `field` with what is wrong otherwise.

    >>> phone_e164("(510) 555-0123", "US")
    '+15105550123'
    >>> phone_e164("+52 55 1234 5678", "US")
    '+525512345678'
    >>> phone_e164("555-0123", "US")
    Traceback (most recent call last):
    ...
    citations.errors.InputRejected: the phone number was not understood: phone: write the \
number with its area code, such as (510) 555-0123 or +1 510 555 0123
    """
    summary = "the phone number was not understood"
    text = unicodedata.normalize("NFKC", typed).strip()
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        message = f"write a phone number with its area code, {PHONE_EXAMPLE}"
        raise _refuse(field, message, summary) from None
    if number.extension:
        message = "write the number without an extension: texts reach a mobile phone"
        raise _refuse(field, message, summary)
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        message = PHONE_PROBLEMS.get(reason, f"write a phone number, {PHONE_EXAMPLE}")
        raise _refuse(field, message, summary)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_for_people(e164: str, country: str) -> str:
    """A stored phone as people write it: without the country code in its own country.

    >>> phone_for_people("+15105550123", "US"), phone_for_people("+525512345678", "US")
    ('(510) 555-0123', '+52 55 1234 5678')
    """
    try:
        number = phonenumbers.parse(e164, country)
    except phonenumbers.NumberParseException:
        return e164  # a number kept from before phones were stored in E.164
    home = phonenumbers.country_code_for_region(country)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def email_address(typed: str, *, field: str = "email") -> str:
    """An email address checked for its form (one @, a domain with a dot, no spaces), in
    lower case; InputRejected naming `field` otherwise.

    >>> email_address(" Maria.Lopez@Example.org ")
    'maria.lopez@example.org'
    """
    text = typed.strip()
    if len(text) > MAX_EMAIL or not EMAIL.match(text):
        message = "write an email address such as name@example.com"
        raise _refuse(field, message, "the email address was not understood")
    return text.lower()


def email_key(address: str) -> str:
    """How an email address is compared (with an opt-out, with another citation's): lower
    case, as it is stored; for addresses kept from before that rule.

    >>> email_key("Maria@Example.org")
    'maria@example.org'
    """
    return address.strip().lower()
