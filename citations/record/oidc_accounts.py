"""Staff accounts of people the city's identity provider vouches for (OpenID Connect).

The provider has already checked who the person is (its password, its second factor); the
clerks' pages (citations.web.oidc) verified its ID token. What is left is ours: which account
that is, and with which role. The account is found by the provider's `sub` (never by a
username or an email, which the provider may let people change or reuse); the first sign-in
creates it ("just in time"), with no password, so it signs in only through the provider.

The role comes from the person's groups through the settings' `oidc_roles`, on every sign-in:
the provider is the source of truth, so moving someone to another group changes their role
the next time they sign in, and leaving every mapped group refuses them. A person in several
mapped groups gets the role of the group written first in the setting (the city orders it).
Every creation, change and refusal is audited by "identity provider", in the transaction of
the sign-in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.errors import FieldError, InputRejected
from citations.record.accounts import actor_of, fold, get_user, signature_holder
from citations.record.staff import StaffUser, signature
from citations.roles import Action, Actor, Role

PROVIDER = "identity provider"
"""How the audit trail names the identity provider acting (creating and updating accounts)."""

DEFAULT_TITLES: Mapping[str, str] = {
    Role.CLERK.value: "Clerk",
    Role.ADMIN.value: "Administrator",
    Role.HEARING_OFFICER.value: "Hearing officer",
    Role.ATTORNEY.value: "City attorney",
    Role.AUDITOR.value: "Auditor",
}
"""The title under the name of an account the provider made, by role (the provider sends
none); the settings' `oidc_titles` override them."""


@dataclass(frozen=True)
class ProviderClaims:
    """What a verified ID token says about the person."""

    subject: str
    name: str | None = None
    preferred_username: str | None = None
    email: str | None = None
    groups: Sequence[str] = ()


@dataclass(frozen=True)
class ProviderSignIn:
    """What a sign-in through the provider came to: the actor, or why it was refused (the
    refusal is audited too, so the caller commits either way)."""

    signed_in: Actor | None
    refused: str | None = None


def role_of_groups(groups: Sequence[str], mapping: Mapping[str, str]) -> Role | None:
    """The role of the first group of `mapping` (in its order) the person is in.

    >>> m = {"citations-admins": "admin", "hearing-clerks": "clerk"}
    >>> role_of_groups(["hearing-clerks", "citations-admins"], m), role_of_groups(["x"], m)
    (<Role.ADMIN: 'admin'>, None)
    """
    member = set(groups)
    for group, role in mapping.items():
        if group in member:
            return Role(role)
    return None


def title_of(role: Role, titles: Mapping[str, str]) -> str:
    return titles.get(role.value) or DEFAULT_TITLES.get(role.value, role.value.replace("_", " "))


def username_for(claims: ProviderClaims) -> str:
    """A username for a new account: the provider's preferred_username, else the email's
    local part, kept to the letters our usernames allow.

    >>> username_for(ProviderClaims("s1", email="Jordan.Lee@demo-city.example"))
    'jordan.lee'
    >>> username_for(ProviderClaims("s1", preferred_username="J Lee"))
    'j-lee'
    """
    raw = claims.preferred_username or (claims.email or "").split("@")[0] or "staff"
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in fold(raw))
    return cleaned.strip("-")[:56] or "staff"


def _free_username(session: Session, wanted: str) -> str:
    """`wanted`, or `wanted-2`, `-3`...: an account made by an administrator keeps its
    name, and is never taken over by a provider's claim that happens to match it."""
    taken = set(
        session.scalars(
            select(StaffUser.username).where(StaffUser.username.like(f"{wanted}%"))
        ).all()
    )
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}-{n}"
    return candidate


def _name_of(claims: ProviderClaims, username: str) -> str:
    return " ".join((claims.name or "").split())[:200] or username


def _refused(session: Session, key: str, why: str, now: datetime, message: str) -> ProviderSignIn:
    record(
        session,
        at=now,
        actor=PROVIDER,
        action="staff.sign_in_failed",
        entity_type="staff_user",
        entity_key=key,
        after={"why": why, "via": "oidc"},
    )
    return ProviderSignIn(None, message)


def sign_in_from_provider(
    session: Session,
    claims: ProviderClaims,
    *,
    roles: Mapping[str, str],
    titles: Mapping[str, str],
    now: datetime,
) -> ProviderSignIn:
    """Find or create the account of a person the provider vouches for, bring its role and
    name up to date, and return the actor it signs in as (or the refusal)."""
    user = session.scalar(
        select(StaffUser).where(StaffUser.oidc_subject == claims.subject).with_for_update()
    )
    role = role_of_groups(claims.groups, roles)
    key = user.username if user is not None else f"oidc {claims.subject[:200]}"
    if user is not None and user.disabled_at is not None:
        return _refused(
            session, key, "disabled", now, "This account is disabled: ask an administrator."
        )
    if role is None:
        return _refused(
            session,
            key,
            "no mapped group",
            now,
            "Your account at the identity provider is in none of the groups that may use "
            "the clerks' pages. Ask an administrator to add you to one.",
        )
    title = title_of(role, titles)
    if user is None:
        username = _free_username(session, username_for(claims))
        name = _name_of(claims, username)
        if signature_holder(session, name, title) is not None:
            return _refused(
                session,
                key,
                "name and title taken",
                now,
                f"There is already an account for {signature(name, title)}. Ask an "
                "administrator to link it to your identity provider's account.",
            )
        user = _create(session, claims, username, name, title, role, now)
    else:
        refusal = _update(session, user, claims, title, role, now)
        if refusal is not None:
            return refusal
    user.failed_attempts, user.locked_until = 0, None
    user.last_sign_in_at = now
    return ProviderSignIn(actor_of(user))


def _create(
    session: Session,
    claims: ProviderClaims,
    username: str,
    name: str,
    title: str,
    role: Role,
    now: datetime,
) -> StaffUser:
    user = StaffUser(
        username=username,
        name=name,
        title=title,
        role=role.value,
        agency_id=None,
        password_hash=None,  # signs in only through the provider
        password_changed_at=None,
        must_change_password=False,
        created_at=now,
        created_by=PROVIDER,
        disabled_at=None,
        failed_attempts=0,
        locked_until=None,
        last_sign_in_at=None,
        oidc_subject=claims.subject,
    )
    session.add(user)
    session.flush()
    record(
        session,
        at=now,
        actor=PROVIDER,
        action="staff.create",
        entity_type="staff_user",
        entity_key=username,
        after={
            "name": name,
            "title": title,
            "role": role.value,
            "agency": None,
            "via": "oidc",
            "subject": claims.subject,
        },
    )
    return user


def _update(
    session: Session, user: StaffUser, claims: ProviderClaims, title: str, role: Role, now: datetime
) -> ProviderSignIn | None:
    """Bring the account's role (and the title that goes with it) and name up to the
    provider's; audited as staff.update with before and after. None when it signs in."""
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    name = _name_of(claims, user.username)
    if user.role != role.value:
        before["role"], after["role"] = user.role, role.value
        before["title"], after["title"] = user.title, title
    if user.name != name:
        before["name"], after["name"] = user.name, name
    if not after:
        return None
    new_name, new_title = str(after.get("name", user.name)), str(after.get("title", user.title))
    if signature_holder(session, new_name, new_title, excluding=user.id) is not None:
        return _refused(
            session,
            user.username,
            "name and title taken",
            now,
            f"Another account is named {signature(new_name, new_title)}: ask an administrator.",
        )
    user.role, user.name, user.title = role.value, new_name, new_title
    record(
        session,
        at=now,
        actor=PROVIDER,
        action="staff.update",
        entity_type="staff_user",
        entity_key=user.username,
        before=before,
        after=after,
    )
    return None


def link_subject(
    session: Session, username: str, subject: str, *, actor: Actor, now: datetime
) -> StaffUser:
    """Let an existing account (made with a password) sign in through the provider as the
    person whose `sub` is `subject`: a city moving to its provider keeps its accounts, and
    everything they did, instead of the provider making new ones. The subject is in the
    audit trail of the person's first refused sign-in (entity key `oidc <subject>`)."""
    actor.require(Action.MANAGE_USERS)
    user = get_user(session, username)
    subject = subject.strip()
    if not subject or len(subject) > 255:
        raise InputRejected([FieldError("subject", "Give the provider's subject (1 to 255).")])
    holder = session.scalar(select(StaffUser).where(StaffUser.oidc_subject == subject))
    if holder is not None and holder.id != user.id:
        raise InputRejected(
            [FieldError("subject", f"Account {holder.username!r} signs in as this subject.")]
        )
    if user.oidc_subject != subject:
        before = user.oidc_subject
        user.oidc_subject = subject
        record(
            session,
            at=now,
            actor=actor.name,
            action="staff.link_oidc",
            entity_type="staff_user",
            entity_key=user.username,
            before={"subject": before},
            after={"subject": subject},
        )
    return user
