"""Shift swaps: a person on call asks someone to take part of their shift; accepting it adds an
override for the one who takes it. Only the two people involved act on a swap (or ``oncall:manage``)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import auth, events
from ..auth import Actor, Perm
from ..clock import now
from ..db import get_or_404
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from .events import SWAP_DECIDED, SwapRequested
from .models import Swap
from .schemas import OverrideIn, SwapIn, SwapOut
from .service import add_override, compute, get_schedule, users_by_id


def request_swap(session: Session, actor: Actor, schedule_id: int, data: SwapIn) -> SwapOut:
    actor.require(Perm.ONCALL_READ)
    sched = get_schedule(session, actor, schedule_id)
    if actor.user_id is None:
        raise ValidationFailed("only a person can ask for a swap")
    target = auth.find_person(session, data.username)
    if target.id == actor.user_id:
        raise ValidationFailed("ask someone else to take the shift", field="username")
    if not target.is_active:
        raise ValidationFailed(f"user {target.username!r} is disabled", field="username")
    final = compute(session, actor, sched.id, data.starts_at, data.ends_at)
    if not any(s.user == actor.user_id for s in final.shifts):
        raise ValidationFailed("you are not on call in this schedule at that time", field="starts_at")
    swap = Swap(schedule_id=sched.id, requester_id=actor.user_id, target_id=target.id, starts_at=data.starts_at,
                ends_at=data.ends_at, note=data.note, status="requested", created_at=now())
    session.add(swap)
    session.flush()
    events.record(session, actor, SwapRequested(subject_id=sched.id, swap_id=swap.id, target=target.username,
                                                starts_at=swap.starts_at, ends_at=swap.ends_at))
    return swaps_out(session, [swap])[0]


def get_swap(session: Session, actor: Actor, swap_id: int) -> Swap:
    actor.require(Perm.ONCALL_READ)
    swap = get_or_404(session, Swap, swap_id, "swap request")
    return swap


def _decide(session: Session, actor: Actor, swap_id: int, outcome: str) -> SwapOut:
    swap = get_swap(session, actor, swap_id)
    allowed = swap.requester_id if outcome == "cancelled" else swap.target_id
    if actor.user_id != allowed and not actor.can(Perm.ONCALL_MANAGE):
        who = "who asked" if outcome == "cancelled" else "who was asked"
        raise PermissionDenied(f"only the person {who} can do this")
    if swap.status != "requested":
        raise InvalidTransition(f"swap {swap.id} is {swap.status}", current=swap.status)
    swap.status, swap.decided_at = outcome, now()
    if outcome == "accepted":
        target = auth.person(session, swap.target_id)
        assert target is not None
        ov = add_override(session, actor, swap.schedule_id, OverrideIn(
            username=target.username, starts_at=swap.starts_at, ends_at=swap.ends_at,
            reason=f"swap #{swap.id}"), swap_id=swap.id)
        swap.override_id = ov.id
    events.record(session, actor, SWAP_DECIDED[outcome](subject_id=swap.schedule_id, swap_id=swap.id))
    return swaps_out(session, [swap])[0]


def accept(session: Session, actor: Actor, swap_id: int) -> SwapOut:
    return _decide(session, actor, swap_id, "accepted")


def decline(session: Session, actor: Actor, swap_id: int) -> SwapOut:
    return _decide(session, actor, swap_id, "declined")


def cancel(session: Session, actor: Actor, swap_id: int) -> SwapOut:
    return _decide(session, actor, swap_id, "cancelled")


def list_swaps(session: Session, actor: Actor, *, mine: bool = False, schedule_id: int | None = None,
               open_only: bool = False) -> list[Swap]:
    actor.require(Perm.ONCALL_READ)
    query = select(Swap).order_by(Swap.created_at.desc(), Swap.id.desc()).limit(200)
    if mine:
        query = query.where(or_(Swap.requester_id == actor.user_id, Swap.target_id == actor.user_id))
    if schedule_id is not None:
        query = query.where(Swap.schedule_id == schedule_id)
    if open_only:
        query = query.where(Swap.status == "requested")
    return list(session.execute(query).scalars())


def swaps_out(session: Session, swaps: list[Swap]) -> list[SwapOut]:
    users = users_by_id(session, [s.requester_id for s in swaps] + [s.target_id for s in swaps])

    def name(user_id: int) -> str:
        return users[user_id].username if user_id in users else f"#{user_id}"

    return [SwapOut(id=s.id, schedule_id=s.schedule_id, requester=name(s.requester_id), target=name(s.target_id),
                    starts_at=s.starts_at, ends_at=s.ends_at, note=s.note, status=s.status,
                    override_id=s.override_id) for s in swaps]
