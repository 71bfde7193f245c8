"""Gathering a notice's content from an issued citation, its snapshots and the profile.

Deadlines count from the day the notice was served (`Citation.served_on`): the violation's
local date when the officer's device handed it over at the scene; the mailing date plus the
profile's days for mail service when the city mailed it. Every date printed here is the day
the rule acts (`citations.calendar`), the day daily processing acts on it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from citations.calendar import collections_on, deadline_dates, late_penalty_on, local_time
from citations.catalog.store import PublishedCatalog
from citations.documents.access import OnlineAccess, mint_online_access, qr_payload
from citations.documents.contact import OfficeContact
from citations.documents.language_lines import lines_for
from citations.errors import IllegalTransition
from citations.issuing.intake import Subject
from citations.money import from_cents, percent_of
from citations.notice.context import NoticeContext, NoticeViolation
from citations.record.lookup import find_citation
from citations.record.tables import Citation
from citations.roles import Actor
from ordinances.models import Jurisdiction
from ordinances.resolve import ResolvedVersion

LOCALES = {"en": "en_US", "es": "es_US"}
"""Babel locales for the notice languages; another language falls back to `<lang>`."""

LOOKBACK_WORDS = {
    "en": ("month", "months", "day", "days"),
    "es": ("mes", "meses", "día", "días"),
}


def locale_for(language: str, profile: Jurisdiction) -> str:
    if language == profile.notice_languages[0]:
        return profile.locale
    return LOCALES.get(language, language)


def _lookback(resolved: ResolvedVersion, language: str) -> str:
    rules = resolved.version.priors
    if rules is None:
        return ""
    month, months, day, days = LOOKBACK_WORDS.get(language, LOOKBACK_WORDS["en"])
    if rules.lookback.months is not None:
        n = rules.lookback.months
        return f"{n} {month if n == 1 else months}"
    n = rules.lookback.days or 0
    return f"{n} {day if n == 1 else days}"


def notice_for(session: Session, number: str, actor: Actor) -> NoticeContext:
    """The notice of a citation the actor may read."""
    citation = find_citation(session, number, actor)
    return build_notice(citation, PublishedCatalog(session).jurisdiction())


def printed_notice(
    session: Session, citation: Citation, profile: Jurisdiction, *, kind: str, now: datetime
) -> NoticeContext:
    """The notice of `citation` as it is made now to be kept (`kind`: `notice` or
    `amended_notice`), with a fresh access code minted for it."""
    access = mint_online_access(
        session, citation, printed_on=kind, website=profile.contact.website, now=now
    )
    return build_notice(citation, profile, access)


def build_notice(
    citation: Citation, profile: Jurisdiction, access: OnlineAccess | None = None
) -> NoticeContext:
    """The notice of `citation`, printing `access` (the code minted for this notice where it
    is kept: `citations.notice.kept`, `citations.notice.mailing`)."""
    language = citation.notice_language
    default = profile.notice_languages[0]
    deadlines = profile.deadlines
    served = citation.served_on
    if served is None:
        raise IllegalTransition(
            citation.number,
            "waiting to be mailed",
            "print its notice",
            "its notice is made, with its deadlines, when daily processing mails it",
        )
    mailed_on = None
    if citation.service_method == "mail":
        mailed_on = served - timedelta(days=profile.service.days_added_for_mail)
    pay_by, contest_by = deadline_dates(served, profile)
    programs = {p.id: p.name for p in profile.programs}
    violations = []
    fees_allowed = True
    for row in citation.violations:
        resolved = ResolvedVersion.model_validate(row.snapshot)
        version = resolved.version
        fees_allowed &= profile.added_fees_allowed(resolved.category)
        alternatives = version.alternatives
        service = alternatives.community_service if alternatives else None
        ability = alternatives.ability_to_pay if alternatives else None
        correction_due = None
        if version.correction is not None and version.correction.within_days is not None:
            correction_due = served + timedelta(days=version.correction.within_days)
        violations.append(
            NoticeViolation(
                code=resolved.code,
                title=resolved.title.get(language, resolved.title[default]),
                description=resolved.description.get(language, resolved.description[default]),
                legal_reference=resolved.legal_reference,
                narrative=row.narrative,
                offense_count=row.offense_count,
                prior_count=row.prior_count,
                lookback=_lookback(resolved, language),
                fine=from_cents(row.fine_cents),
                correction_due=correction_due,
                community_service_rate=service.dollars_per_hour if service else None,
                community_service_max_hours=service.max_hours if service else None,
                programs=[
                    programs[p].get(language, programs[p][default])
                    for p in (alternatives.programs if alternatives else [])
                    if p in programs
                ],
                ability_to_pay_rule=ability.rule if ability else None,
                ability_to_pay_percent=ability.percent if ability else None,
            )
        )
    total = from_cents(citation.total_fine_cents)
    late_penalty = late_on = collection_fee = collection_on = None
    if fees_allowed:
        penalty = profile.late_penalty
        late_penalty = (
            penalty.amount
            if penalty.kind == "flat"
            else percent_of(total, penalty.percent or Decimal(0))
        )
        late_on = late_penalty_on(pay_by, profile)
        collection_fee = profile.collection_fee.amount
        collection_on = collections_on(pay_by, profile)
    subject = citation.subject
    address = subject.get("address")
    contact = profile.contact
    preferred = citation.preferred_language
    # The language block: the person's own language first (the notice's, if none given).
    lines = lines_for(profile, preferred or language)
    revisions = citation.revisions
    location = citation.location
    return NoticeContext(
        language=language,
        locale=locale_for(language, profile),
        add_language_line=next(
            (lang for lang in profile.notice_languages if lang != language), None
        )
        if preferred not in profile.notice_languages and not any(line.own for line in lines)
        else None,
        requested_language=preferred
        if preferred and preferred not in profile.notice_languages
        else None,
        jurisdiction_name=profile.name,
        currency=profile.currency,
        agency_name=citation.agency.name,
        citation_number=citation.number,
        qr_payload=qr_payload(access, contact.website),
        revision=citation.revision,
        amendment_reason=revisions[-1].reason if citation.revision > 1 and revisions else None,
        issued_on=mailed_on or served,
        mailed_on=mailed_on,
        served_on=served,
        mail_days=profile.service.days_added_for_mail,
        violation_at=local_time(citation.violation_at, profile),
        location=location["address"],
        area=location.get("area"),
        officer_name=citation.officer_name,
        officer_badge=citation.officer_badge,
        subject_name=Subject.model_validate(subject).full_name(),
        subject_address=_address(address) if address else None,
        accommodation=subject.get("accommodation"),
        violations=violations,
        total_fine=total,
        pay_by=pay_by,
        contest_by=contest_by,
        days_to_pay=deadlines.days_to_pay,
        days_to_contest=deadlines.days_to_request_review,
        late_penalty=late_penalty,
        late_penalty_on=late_on,
        collection_fee=collection_fee,
        collection_on=collection_on,
        contact=OfficeContact(
            office_name=contact.office_name.get(language, contact.office_name[default]),
            phone=contact.phone,
            website=contact.website,
            payment_url=contact.payment_url,
            mailing_address=contact.mailing_address,
            office_address=contact.office_address,
            office_hours=contact.office_hours.get(language, contact.office_hours[default]),
            language_lines=lines,
            written_in=default,
        ),
        access=access,
    )


def _address(address: dict[str, str | None]) -> str:
    city_line = " ".join(
        p for p in (address.get("city"), address.get("state"), address.get("postal_code")) if p
    )
    return ", ".join(p for p in (address.get("line1"), address.get("line2"), city_line) if p)
