"""A person's calendar-feed link, which they can revoke and re-issue.

The link is signed (:mod:`.tokens`) with the person's feed key folded into its purpose, so that a new
key makes every earlier link fail without storing links. Schedule feeds are unaffected.
"""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from .. import events
from ..auth import Actor
from ..clock import now
from ..errors import NotFound
from . import tokens
from .events import FeedReissued, FeedRevoked
from .models import FeedKey

PURPOSE = "ical"
FEED_USER = 2


def _purpose(session: Session, user_id: int) -> str | None:
    """What a person's link is signed for; None while their feed is revoked."""
    row = session.get(FeedKey, user_id)
    if row is None:
        return PURPOSE
    return f"{PURPOSE}:{row.key}" if row.key else None


def link(session: Session, user_id: int) -> str | None:
    """The path of the person's feed (``/oncall/feed/<token>``), or None while it is revoked."""
    purpose = _purpose(session, user_id)
    return f"/oncall/feed/{tokens.sign(purpose, FEED_USER, user_id)}" if purpose else None


def verify(session: Session, token: str) -> int | None:
    """The user id a person's feed token names, if it is their current one."""
    head = token.split("-", 2)
    if len(head) != 3 or head[0] != str(FEED_USER) or not head[1].isdigit() or len(head[1]) > 9:
        return None
    purpose = _purpose(session, int(head[1]))
    ids = tokens.verify(purpose, token, 2) if purpose else None
    return ids[1] if ids else None


def _own(session: Session, actor: Actor) -> FeedKey:
    if actor.user_id is None:
        raise NotFound("only a signed-in person has a calendar feed")
    row = session.get(FeedKey, actor.user_id)
    if row is None:
        row = FeedKey(user_id=actor.user_id, key=None, updated_at=now())
        session.add(row)
    return row


def reissue(session: Session, actor: Actor) -> str:
    """A new link for the acting person's feed; the old link stops working. Returns its path."""
    row = _own(session, actor)
    row.key, row.updated_at = secrets.token_urlsafe(16)[:22], now()
    session.flush()
    events.record(session, actor, FeedReissued(subject_id=row.user_id))
    path = link(session, row.user_id)
    assert path is not None
    return path


def revoke(session: Session, actor: Actor) -> None:
    """End the acting person's feed link until they issue a new one."""
    row = _own(session, actor)
    row.key, row.updated_at = None, now()
    session.flush()
    events.record(session, actor, FeedRevoked(subject_id=row.user_id))
