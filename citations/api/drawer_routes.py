"""Endpoints for the counter and the cashier's drawer: each calls one library function
(`citations.payments.drawers`), which checks the roles and every rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import Field

from citations.api.bodies import ExactJsonRoute
from citations.api.limits import FromQuery, RowId, ToQuery
from citations.api.routes import PROBLEMS, Body
from citations.errors import NotFound
from citations.http.deps import ActorDep, SessionDep, clock
from citations.inputs import Amount
from citations.payments.drawers import (
    DrawerPublic,
    close_drawer,
    get_drawer,
    list_drawers,
    my_drawer,
    open_drawer,
    take_counter_payment,
)
from citations.payments.posting import PaymentRequest, PaymentResult

router = APIRouter(prefix="/v1", responses=PROBLEMS, route_class=ExactJsonRoute)


class DrawerOpen(Body):
    opening_float: Amount
    """The cash in the drawer before any payment."""


class DrawerClose(Body):
    counted_cash: Amount
    """All the cash counted, float included."""
    counted_checks: Amount
    note: Annotated[str, Field(max_length=2000)] | None = None


@router.post("/drawer", response_model=DrawerPublic, status_code=201, summary="Open my drawer")
def post_drawer(body: DrawerOpen, actor: ActorDep, session: SessionDep) -> DrawerPublic:
    """The token's holder opens their drawer (one open at a time)."""
    open_drawer(session, body.opening_float, actor=actor, now=clock())
    shown = my_drawer(session, actor=actor)
    assert shown is not None
    return shown


@router.get("/drawer", response_model=DrawerPublic, summary="My open drawer")
def read_my_drawer(actor: ActorDep, session: SessionDep) -> DrawerPublic:
    shown = my_drawer(session, actor=actor)
    if shown is None:
        raise NotFound("open drawer", actor.name)
    return shown


@router.post("/drawer/close", response_model=DrawerPublic, summary="Close my drawer")
def post_drawer_close(body: DrawerClose, actor: ActorDep, session: SessionDep) -> DrawerPublic:
    """Close with the counted cash and checks; the difference is recorded on the drawer."""
    return close_drawer(
        session,
        body.counted_cash,
        body.counted_checks,
        actor=actor,
        now=clock(),
        note=body.note,
    )


@router.post(
    "/citations/{number}/counter-payments",
    response_model=PaymentResult,
    status_code=201,
    summary="Record a payment taken at the counter, in my drawer",
)
def post_counter_payment(
    number: str, body: PaymentRequest, actor: ActorDep, session: SessionDep
) -> PaymentResult:
    """Cash and checks need the caller's open drawer; the methods are the profile's counter."""
    result, _ = take_counter_payment(session, number, body, actor=actor, now=clock())
    return result


@router.get("/drawers", response_model=list[DrawerPublic], summary="Drawer sessions by day")
def read_drawers(
    actor: ActorDep, session: SessionDep, start: FromQuery, end: ToQuery
) -> list[DrawerPublic]:
    return list_drawers(session, start, end, actor=actor)


@router.get("/drawers/{drawer_id}", response_model=DrawerPublic, summary="A drawer session")
def read_drawer(drawer_id: RowId, actor: ActorDep, session: SessionDep) -> DrawerPublic:
    return get_drawer(session, drawer_id, actor=actor)
