"""What the notify domain records: each message's life in the outbox (on the message's own stream;
deliveries once per batch on the ``outbox:deliveries`` stream), webhook endpoints, a person's
notification preferences and the audiences of stakeholder updates."""

from __future__ import annotations

from ..events import DomainEvent
from ..i18n import Translate


class NotificationEvent(DomainEvent):
    """An event of one outbox message; ``subject_id`` is the message's id."""

    subject_type = "notification"


class Queued(NotificationEvent):
    type = "notification.queued"
    kind: str
    channel: str
    endpoint_id: int | None = None
    user_id: int | None = None
    incident_id: int | None = None

    def describe(self, _: Translate) -> str:
        return _("queued a %(kind)s message (%(channel)s)", kind=self.kind, channel=self.channel)


class Retried(NotificationEvent):
    type = "notification.retried"
    previous_error: str = ""

    def describe(self, _: Translate) -> str:
        return _("queued the dead message again")


class Dead(NotificationEvent):
    """A message that will not be tried again: it failed ``attempts`` times, failed for good, or its
    worker stopped on every attempt (then only ``error`` is known)."""

    type = "notification.dead"
    error: str
    attempts: int | None = None
    channel: str | None = None

    def describe(self, _: Translate) -> str:
        return _("gave up delivering the message: %(error)s", error=self.error)


class Delivered(DomainEvent):
    """The messages one delivery round delivered (one event per batch, not one per message)."""

    type = "notification.delivered"
    subject_type = "outbox"
    ids: list[int]
    count: int

    def describe(self, _: Translate) -> str:
        return _("delivered messages: %(n)s", n=self.count)


class PreferencesChanged(DomainEvent):
    type = "notification.preferences_changed"
    subject_type = "user"
    preferences: dict[str, list[str]]

    def describe(self, _: Translate) -> str:
        return _("changed the notification preferences (%(kinds)s)", kinds=", ".join(sorted(self.preferences)))


class WebhookEvent(DomainEvent):
    """An event of one webhook endpoint; ``subject_id`` is the endpoint's id."""

    subject_type = "webhook"
    name: str


class WebhookCreated(WebhookEvent):
    type = "webhook.created"
    url: str
    format: str
    kinds: list[str] = []

    def describe(self, _: Translate) -> str:
        return _("added the webhook endpoint “%(name)s”", name=self.name)


class WebhookUpdated(WebhookEvent):
    type = "webhook.updated"
    changed: list[str] = []
    secret_rotated: bool = False

    def describe(self, _: Translate) -> str:
        if self.secret_rotated:
            return _("changed the webhook endpoint “%(name)s” and rotated its secret", name=self.name)
        return _("changed the webhook endpoint “%(name)s”", name=self.name)


class WebhookDeleted(WebhookEvent):
    type = "webhook.deleted"

    def describe(self, _: Translate) -> str:
        return _("deleted the webhook endpoint “%(name)s”", name=self.name)


class AudienceUpdated(DomainEvent):
    """An audience's recipients changed; ``subject_id`` is its slug."""

    type = "audience.updated"
    subject_type = "audience"
    emails: int
    endpoints: list[int]
    external: bool

    def describe(self, _: Translate) -> str:
        return _("changed the audience %(audience)s (addresses: %(emails)s, endpoints: %(endpoints)s)",
                 audience=self.subject_id, emails=self.emails, endpoints=len(self.endpoints))



class ContactEvent(DomainEvent):
    """A change to one person's contact methods or rules; ``subject_id`` is the person's user id."""

    subject_type = "contacts"
    kind: str


class ContactAdded(ContactEvent):
    type = "contact.added"
    contact_id: int

    def describe(self, _: Translate) -> str:
        return _("added a contact method (%(kind)s) and sent it a code", kind=self.kind)


class ContactVerified(ContactEvent):
    type = "contact.verified"
    contact_id: int

    def describe(self, _: Translate) -> str:
        return _("confirmed a contact method (%(kind)s)", kind=self.kind)


class ContactRemoved(ContactEvent):
    type = "contact.removed"
    contact_id: int

    def describe(self, _: Translate) -> str:
        return _("removed a contact method (%(kind)s)", kind=self.kind)


class RulesChanged(ContactEvent):
    type = "contact.rules_changed"
    rules: list[str] = []

    def describe(self, _: Translate) -> str:
        return _("changed when pages reach them: %(rules)s", rules=", ".join(self.rules) or "—")
