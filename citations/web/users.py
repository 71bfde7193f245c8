"""The administrators' pages for staff accounts: the list, adding one, disabling, enabling
and resetting a password (citations.record.accounts decides every rule).

A temporary password (a new account's, or a reset's) is shown once, on the page that answers
the form, and never again: only its hash is kept. Only Action.MANAGE_USERS sees these pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from citations.catalog.store import PublishedCatalog
from citations.database import reading, transaction
from citations.errors import InputRejected
from citations.http.deps import EngineDep
from citations.record.accounts import (
    create_user,
    disable_user,
    enable_user,
    list_users,
    reset_password,
)
from citations.record.staff import StaffUser
from citations.roles import STAFF_ROLES, Action, Actor
from citations.web.auth import ActorDep, ClockDep, FormDep
from citations.web.guard import PREFIX, web_router
from citations.web.pages import Formats, render

router = web_router()

FIELDS = ("username", "name", "title", "role", "agency")
DONE = {
    "disabled": "The account is disabled; its sessions have ended.",
    "enabled": "The account may sign in again.",
}


@dataclass(frozen=True)
class Row:
    """One account as the list shows it."""

    username: str
    name: str
    title: str
    role: str
    agency: str
    status: str
    disabled: bool
    last_sign_in: str


def status_of(user: StaffUser, now: datetime, fmt: Formats) -> str:
    """Active, locked until when, disabled; and whether a password is still to be chosen."""
    if user.disabled_at is not None:
        return f"Disabled since {fmt.moment(user.disabled_at)}"
    if user.locked_until is not None and user.locked_until > now:
        return f"Locked until {fmt.moment(user.locked_until)}"
    if user.must_change_password:
        return "Active (to choose a password)"
    return "Active"


def _formats(session: Session) -> Formats:
    return Formats.of(PublishedCatalog(session).jurisdiction())


@router.get("/users")
def users_page(
    request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep, done: str = ""
) -> Response:
    with reading(engine) as session:
        users = list_users(session, actor=actor)
        fmt = _formats(session)
        rows = [
            Row(
                username=user.username,
                name=user.name,
                title=user.title,
                role=user.role,
                agency=user.agency.code if user.agency else "",
                status=status_of(user, now, fmt),
                disabled=user.disabled_at is not None,
                last_sign_in=fmt.moment(user.last_sign_in_at) if user.last_sign_in_at else "Never",
            )
            for user in users
        ]
        own = next((user.username for user in users if user.id == actor.user_id), None)
    return render(
        request,
        "users.html",
        rows=rows,
        notice=DONE.get(done, ""),
        actor_username=own,
    )


def _new_form(
    request: Request,
    values: dict[str, str],
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "users_new.html",
        status,
        values=values,
        errors=errors or {},
        roles=[role.value for role in STAFF_ROLES],
    )


@router.get("/users/new")
def new_user_page(request: Request, actor: ActorDep) -> Response:
    actor.require(Action.MANAGE_USERS)
    return _new_form(request, {"role": "clerk"})


@router.post("/users/new")
def new_user(
    request: Request, form: FormDep, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    actor.require(Action.MANAGE_USERS)
    values = {name: form.get(name, "").strip() for name in FIELDS}
    try:
        with transaction(engine) as session:
            user, temporary = create_user(
                session,
                username=values["username"],
                name=values["name"],
                title=values["title"],
                role=values["role"],
                agency=values["agency"] or None,
                password=None,
                actor=actor,
                now=now,
            )
            username, signature = user.username, user.signature
    except InputRejected as rejected:
        errors: dict[str, list[str]] = {}
        for problem in rejected.errors:
            field = problem.field if problem.field in FIELDS else "username"
            errors.setdefault(field, []).append(problem.message)
        return _new_form(request, values, errors, 400)
    assert temporary is not None
    return _temporary(request, "The account is created", username, signature, temporary)


def _temporary(
    request: Request, heading: str, username: str, signature: str, temporary: str
) -> Response:
    return render(
        request,
        "users_password.html",
        heading=heading,
        username=username,
        signature=signature,
        temporary=temporary,
    )


def _act(actor: Actor, engine: EngineDep, now: datetime, username: str, what: str) -> Response:
    with transaction(engine) as session:
        if what == "disabled":
            disable_user(session, username, actor=actor, now=now)
        else:
            enable_user(session, username, actor=actor, now=now)
    return RedirectResponse(f"{PREFIX}/users?done={what}", status_code=303)


@router.post("/users/{username}/disable")
def disable(
    username: str, form: FormDep, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    return _act(actor, engine, now, username, "disabled")


@router.post("/users/{username}/enable")
def enable(
    username: str, form: FormDep, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    return _act(actor, engine, now, username, "enabled")


@router.post("/users/{username}/reset")
def reset(
    request: Request,
    username: str,
    form: FormDep,
    actor: ActorDep,
    engine: EngineDep,
    now: ClockDep,
) -> Response:
    with transaction(engine) as session:
        user, temporary = reset_password(session, username, actor=actor, now=now)
        folded, signature = user.username, user.signature
    return _temporary(request, "The password is reset", folded, signature, temporary)
