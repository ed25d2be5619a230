"""Audiences: who hears a stakeholder update (leadership, policy, PR, regional teams, partners…).

The seven audiences the playbooks address always exist; a team fills in their addresses and
webhook endpoints. Messages to an external audience need an approved text (legal by default).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events
from ..auth import Actor, Perm
from ..clock import now
from ..errors import NotFound, ValidationFailed
from . import validation as check
from .events import AudienceUpdated
from .models import Audience, WebhookEndpoint

# slug → (English name, external?)
DEFAULTS: dict[str, tuple[str, bool]] = {
    "leadership": ("Leadership", False),
    "policy": ("Policy", False),
    "pr": ("PR and press office", True),
    "regional": ("Regional teams", False),
    "partners": ("Partners (NGOs, trusted flaggers, industry)", True),
    "law_enforcement": ("Law enforcement", True),
    "regulator": ("Regulators", True),
}
MAX_RECIPIENTS = 200


@dataclass(frozen=True)
class AudienceView:
    """An audience: its addresses and webhook endpoints (``external``: messages need an approved text)."""

    slug: str
    name: str
    emails: list[str]
    endpoint_ids: list[int]
    external: bool
    locale: str

    @property
    def empty(self) -> bool:
        return not self.emails and not self.endpoint_ids


def _view(row: Audience) -> AudienceView:
    return AudienceView(row.slug, row.name, list(row.emails), list(row.endpoint_ids), row.external, row.locale)


def list_audiences(session: Session, actor: Actor) -> list[AudienceView]:
    actor.require(Perm.INCIDENTS_READ)
    stored = {a.slug: _view(a) for a in session.execute(select(Audience).order_by(Audience.slug)).scalars()}
    for slug, (name, external) in DEFAULTS.items():
        stored.setdefault(slug, AudienceView(slug, name, [], [], external, "en"))
    order = list(DEFAULTS)
    return sorted(stored.values(), key=lambda a: (order.index(a.slug) if a.slug in order else len(order), a.slug))


def get_audience(session: Session, actor: Actor, slug: str) -> AudienceView:
    found = next((a for a in list_audiences(session, actor) if a.slug == slug), None)
    if found is None:
        raise NotFound(f"no audience {slug[:40]!r}")
    return found


def set_audience(session: Session, actor: Actor, slug: str, *, name: str | None = None,
                 emails: list[str] | None = None, endpoint_ids: list[int] | None = None,
                 external: bool | None = None, locale: str | None = None) -> AudienceView:
    """Create or change an audience."""
    actor.require(Perm.NOTIFY_MANAGE)
    if not slug or len(slug) > 40 or not slug.replace("_", "").isalnum() or not slug.isascii():
        raise ValidationFailed("an audience id is 1–40 letters, digits or _", field="slug")
    row = session.execute(select(Audience).where(Audience.slug == slug)).scalar_one_or_none()
    if row is None:
        default_name, default_external = DEFAULTS.get(slug, (slug.replace("_", " ").title(), True))
        row = Audience(slug=slug, name=default_name, emails=[], endpoint_ids=[], external=default_external,
                       locale="en", updated_at=now())
        session.add(row)
    if name is not None:
        if not name.strip() or len(name) > 120:
            raise ValidationFailed("a name is 1–120 characters", field="name")
        row.name = name.strip()
    if emails is not None:
        if len(emails) > MAX_RECIPIENTS:
            raise ValidationFailed(f"at most {MAX_RECIPIENTS} addresses", field="emails")
        row.emails = sorted({check.email(e) for e in emails if e.strip()})
    if endpoint_ids is not None:
        for ep_id in endpoint_ids:
            if session.get(WebhookEndpoint, ep_id) is None:
                raise NotFound(f"no webhook endpoint {ep_id}")
        row.endpoint_ids = sorted(set(endpoint_ids))
    if external is not None:
        row.external = external
    if locale is not None:
        if locale not in ("en", "ru", "kk", "uk"):
            raise ValidationFailed("locale is one of en, ru, kk, uk", field="locale")
        row.locale = locale
    row.updated_at = now()
    session.flush()
    events.record(session, actor, AudienceUpdated(subject_id=slug, emails=len(row.emails),
                                                  endpoints=list(row.endpoint_ids), external=row.external))
    return _view(row)
