"""REST API: /api/v1/notifications (the outbox), /api/v1/webhooks, /api/v1/me/notification-preferences,
/api/v1/me/contacts and /api/v1/me/contact-rules (how pages reach you)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from ..auth import Actor
from ..db import unit_of_work
from ..errors import ValidationFailed
from ..http import ActorDep, Id
from . import audiences, contacts, endpoints, service
from .schemas import (
    AudienceIn,
    AudienceOut,
    ContactCode,
    ContactIn,
    ContactOut,
    NotificationDetail,
    NotificationPage,
    Preferences,
    PreferencesOut,
    RuleIn,
    RuleOut,
    Status,
    TestMessage,
    WebhookCreate,
    WebhookOut,
    WebhookUpdate,
    WebhookWithSecret,
)

router = APIRouter(prefix="/api/v1", tags=["notifications"])
MessageId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/notifications", response_model=NotificationPage)
def list_notifications(
    actor: ActorDep,
    status: Annotated[list[Status] | None, Query()] = None,
    channel: Annotated[str | None, Query(max_length=10)] = None,
    kind: Annotated[str | None, Query(max_length=80)] = None,
    incident_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> NotificationPage:
    """The outbox, newest first, with counts per status (`notify:read`)."""
    with unit_of_work(read_only=True) as s:
        items, total = service.list_outbox(s, actor, status=list(status or []), channel=channel, kind=kind,
                                           incident_id=incident_id, limit=limit, offset=offset)
        return NotificationPage(items=items, total=total, limit=limit, offset=offset,
                                counts=service.counts(s, actor))


@router.get("/notifications/{message_id}", response_model=NotificationDetail)
def get_notification(actor: ActorDep, message_id: MessageId) -> NotificationDetail:
    with unit_of_work(read_only=True) as s:
        return service.get(s, actor, message_id)


@router.post("/notifications/{message_id}/retry", response_model=NotificationDetail)
def retry_notification(actor: ActorDep, message_id: MessageId) -> NotificationDetail:
    """Give a dead message a fresh set of attempts (`notify:manage`); 409 unless it is dead."""
    with unit_of_work() as s:
        return service.retry(s, actor, message_id)


@router.post("/notifications/test", status_code=202, response_model=NotificationDetail)
def send_test(actor: ActorDep, body: TestMessage) -> NotificationDetail:
    """Queue a bilingual test message to an email address or a webhook endpoint (`notify:manage`)."""
    with unit_of_work() as s:
        return service.send_test(s, actor, email=body.email, endpoint_id=body.webhook_id)


@router.get("/webhooks", response_model=list[WebhookOut])
def list_webhooks(actor: ActorDep) -> list[WebhookOut]:
    with unit_of_work(read_only=True) as s:
        return endpoints.list_endpoints(s, actor)


@router.post("/webhooks", status_code=201, response_model=WebhookWithSecret)
def create_webhook(actor: ActorDep, body: WebhookCreate, response: Response) -> WebhookOut:
    """Add an endpoint; the answer carries its signing secret, shown this once."""
    with unit_of_work() as s:
        out = endpoints.create_endpoint(s, actor, name=body.name, url=body.url, format=body.format,
                                        kinds=body.kinds, enabled=body.enabled)
    response.headers["Location"] = f"/api/v1/webhooks/{out.id}"
    return out


@router.get("/webhooks/{endpoint_id}", response_model=WebhookOut)
def get_webhook(actor: ActorDep, endpoint_id: Id) -> WebhookOut:
    with unit_of_work(read_only=True) as s:
        return endpoints.get_endpoint(s, actor, endpoint_id)


@router.patch("/webhooks/{endpoint_id}", response_model=WebhookOut | WebhookWithSecret)
def update_webhook(actor: ActorDep, endpoint_id: Id, body: WebhookUpdate) -> WebhookOut:
    """Change an endpoint; with `rotate_secret` the answer carries the new secret."""
    with unit_of_work() as s:
        return endpoints.update_endpoint(s, actor, endpoint_id, **body.model_dump(exclude_unset=True))


@router.delete("/webhooks/{endpoint_id}", status_code=204)
def delete_webhook(actor: ActorDep, endpoint_id: Id) -> Response:
    """Delete an endpoint; its undelivered messages become dead."""
    with unit_of_work() as s:
        endpoints.delete_endpoint(s, actor, endpoint_id)
    return Response(status_code=204)


def _prefs(s: Session, actor: Actor, prefs: dict[str, list[str]]) -> PreferencesOut:
    return PreferencesOut(preferences=prefs, kinds=endpoints.KINDS, channels=endpoints.channel_options(s))


@router.get("/me/notification-preferences", response_model=PreferencesOut)
def get_preferences(actor: ActorDep) -> PreferencesOut:
    """Your channels per kind of message, what kinds exist and which channels you can pick."""
    with unit_of_work(read_only=True) as s:
        return _prefs(s, actor, endpoints.get_preferences(s, actor))


@router.put("/me/notification-preferences", response_model=PreferencesOut)
def put_preferences(actor: ActorDep, body: Preferences) -> PreferencesOut:
    with unit_of_work() as s:
        return _prefs(s, actor, endpoints.set_preferences(s, actor, body.preferences))


@router.get("/audiences", response_model=list[AudienceOut], tags=["audiences"])
def list_audiences(actor: ActorDep) -> list[AudienceOut]:
    """Who hears stakeholder updates: leadership, policy, PR, regional teams, partners, law enforcement,
    regulators (external audiences need an approved text)."""
    with unit_of_work(read_only=True) as s:
        return [AudienceOut(**vars(a)) for a in audiences.list_audiences(s, actor)]


@router.put("/audiences/{slug}", response_model=AudienceOut, tags=["audiences"])
def set_audience(actor: ActorDep, slug: Annotated[str, Path(max_length=40)], body: AudienceIn) -> AudienceOut:
    """Create or change an audience's recipients (`notify:manage`)."""
    with unit_of_work() as s:
        return AudienceOut(**vars(audiences.set_audience(s, actor, slug, **body.model_dump(exclude_unset=True))))


# --- one's own contact methods and rules ------------------------------------------------------------

@router.get("/me/contacts", response_model=list[ContactOut], tags=["contacts"])
def my_contacts(actor: ActorDep) -> list[ContactOut]:
    """Your contact methods, each with its rules (when it reaches a page)."""
    with unit_of_work(read_only=True) as s:
        return contacts.list_contacts(s, actor)


@router.post("/me/contacts", status_code=201, response_model=ContactOut, tags=["contacts"])
def add_contact(actor: ActorDep, body: ContactIn) -> ContactOut:
    """Add a contact method; a code goes to it, and it reaches pages once you confirm that code."""
    with unit_of_work() as s:
        return contacts.add_contact(s, actor, body, locale=actor.locale or "en")


@router.post("/me/contacts/{contact_id}/verify", response_model=ContactOut, tags=["contacts"])
def verify_contact(actor: ActorDep, contact_id: Id, body: ContactCode) -> ContactOut:
    """Confirm a contact method with the code it received (five tries per code)."""
    with unit_of_work() as s:
        out = contacts.verify(s, actor, contact_id, body.code)
    if not out.verified:
        raise ValidationFailed(contacts.WRONG_CODE, field="code")
    return out


@router.post("/me/contacts/{contact_id}/code", status_code=202, response_model=ContactOut, tags=["contacts"])
def resend_code(actor: ActorDep, contact_id: Id) -> ContactOut:
    """Send a new code to a contact method (the earlier one stops working)."""
    with unit_of_work() as s:
        return contacts.resend_code(s, actor, contact_id, locale=actor.locale or "en")


@router.delete("/me/contacts/{contact_id}", status_code=204, tags=["contacts"])
def remove_contact(actor: ActorDep, contact_id: Id) -> Response:
    with unit_of_work() as s:
        contacts.remove_contact(s, actor, contact_id)
    return Response(status_code=204)


@router.post("/me/contact-rules", status_code=201, response_model=RuleOut, tags=["contacts"])
def add_rule(actor: ActorDep, body: RuleIn) -> RuleOut:
    """Use one of your contact methods this many minutes after a page reached you."""
    with unit_of_work() as s:
        return contacts.add_rule(s, actor, body)


@router.delete("/me/contact-rules/{rule_id}", status_code=204, tags=["contacts"])
def remove_rule(actor: ActorDep, rule_id: Id) -> Response:
    with unit_of_work() as s:
        contacts.remove_rule(s, actor, rule_id)
    return Response(status_code=204)
