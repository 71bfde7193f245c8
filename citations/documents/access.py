"""The way online that every document gives the person: a link with a fresh access code.

Each document made to be given (a notice, a hearing notice, an order, a receipt, a late
notice) mints its own code (`citations.record.access.mint_access_code`: 80 random bits, only
the hash kept) in the transaction that keeps it, and prints the link `<site>/c/<code>` with
the code in four groups, beside a QR code of the same link. A reprint returns the kept bytes
and mints nothing. A context built without a code (a preview) prints only the site's address,
where the citation number and date of birth open the citation.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from citations.record.access import grouped, mint_access_code
from citations.record.tables import Citation

CODE_PATH = "/c/"
"""Where the public face opens a citation by its access code: `<site>/c/<code>`."""


class OnlineAccess(BaseModel):
    """What a document prints to open the person's own page online."""

    model_config = ConfigDict(frozen=True)

    site: str
    """The public site's address (the profile's `contact.website`), no trailing slash."""
    code: str
    """The access code printed on this document, in four groups (`7K3M-Q9R0-PB2X-1AQ4`)."""
    link: str
    """What the QR code carries: `<site>/c/<CODE>`, the code without dashes."""
    printed_site: str
    """The site's address as printed, to type: without `https://`."""
    printed_link: str
    """The link as printed, to type: `<printed site>/c/<code in four groups>`."""
    birth_date_on_file: bool
    """Whether the citation number and date of birth open it too (a date of birth is on
    file); without one, the code is the way in online."""


def site_of(website: str) -> str:
    """The site's address without a trailing slash.

    >>> site_of("https://citations.demo-city.example/")
    'https://citations.demo-city.example'
    """
    return website.rstrip("/")


def access_for(code: str, website: str, *, birth_date_on_file: bool) -> OnlineAccess:
    """The printed access of a minted `code` on the site at `website`.

    >>> access = access_for("7K3MQ9R0PB2X1AQ4", "https://c.example", birth_date_on_file=True)
    >>> access.link, access.printed_link
    ('https://c.example/c/7K3MQ9R0PB2X1AQ4', 'c.example/c/7K3M-Q9R0-PB2X-1AQ4')
    """
    site = site_of(website)
    printed = site.removeprefix("https://")
    return OnlineAccess(
        site=site,
        code=grouped(code),
        link=f"{site}{CODE_PATH}{code}",
        printed_site=printed,
        printed_link=f"{printed}{CODE_PATH}{grouped(code)}",
        birth_date_on_file=birth_date_on_file,
    )


def mint_online_access(
    session: Session, citation: Citation, *, printed_on: str, website: str, now: datetime
) -> OnlineAccess:
    """A fresh access code for a document of kind `printed_on` made now to be kept, as the
    document prints it. Call it only where the document is kept (one small insert)."""
    code = mint_access_code(session, citation, printed_on=printed_on, now=now)
    return access_for(code, website, birth_date_on_file=bool(citation.subject.get("date_of_birth")))


def qr_payload(access: OnlineAccess | None, website: str) -> str:
    """What a document's QR code carries: the link with its code, or (a context built
    without a code) the site's address, where the number and date of birth open it."""
    return access.link if access is not None else f"{site_of(website)}/"
