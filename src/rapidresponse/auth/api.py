"""REST API for the current user, users and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Response

from .. import events
from ..db import unit_of_work
from ..http import ActorDep
from . import service
from .permissions import Perm
from .schemas import Person, ProfileUpdate, TokenCreate, TokenCreated, TokenOut, UserCreate, UserCreated, UserOut

router = APIRouter(prefix="/api/v1", tags=["auth"])


def _user(u: Person) -> UserOut:
    return UserOut(username=u.username, display_name=u.display_name, email=u.email, role=u.role,
                   locale=u.locale, timezone=u.timezone, is_active=u.is_active)


@router.get("/me", response_model=UserOut)
def me(actor: ActorDep) -> UserOut:
    with unit_of_work(read_only=True) as s:
        return _user(service.find_person(s, actor.username))


@router.patch("/me", response_model=UserOut)
def update_me(actor: ActorDep, body: ProfileUpdate) -> UserOut:
    """Change your display name, UI language (en, ru) or time zone (IANA name)."""
    with unit_of_work() as s:
        return _user(service.update_user(s, actor, actor.username, **body.model_dump()))


@router.get("/users", response_model=list[UserOut])
def users(actor: ActorDep) -> list[UserOut]:
    with unit_of_work(read_only=True) as s:
        return [_user(u) for u in service.list_users(s, actor)]


@router.post("/users", status_code=201, response_model=UserCreated)
def create_user(actor: ActorDep, body: UserCreate) -> UserCreated:
    """Create a user (admins); the one-time password is returned once."""
    with unit_of_work() as s:
        user, password = service.create_user(s, actor, **body.model_dump())
        return UserCreated(**_user(user).model_dump(), one_time_password=password)


@router.get("/tokens", response_model=list[TokenOut])
def tokens(actor: ActorDep) -> list[TokenOut]:
    with unit_of_work(read_only=True) as s:
        return service.list_tokens(s, actor)


@router.post("/tokens", status_code=201, response_model=TokenCreated)
def create_token(actor: ActorDep, body: TokenCreate) -> TokenCreated:
    """Create an API token scoped to some of your permissions; the secret is shown once."""
    with unit_of_work() as s:
        token, secret = service.create_token(s, actor, name=body.name, scopes=body.scopes, days=body.days)
        return TokenCreated(**token.model_dump(), token=secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(actor: ActorDep, token_id: int) -> Response:
    with unit_of_work() as s:
        service.revoke_token(s, actor, token_id)
    return Response(status_code=204)


@router.get("/audit/verify", tags=["audit"])
def verify_audit(actor: ActorDep) -> dict[str, object]:
    """Walk the hash-chained event log and report the first broken link, if any."""
    actor.require(Perm.AUDIT_VERIFY)
    with unit_of_work(read_only=True) as s:
        return events.verify(s).__dict__
