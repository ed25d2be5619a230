"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from . import telegram
from .audiences import DEFAULTS as AUDIENCE_DEFAULTS
from .audiences import AudienceView, get_audience, list_audiences, set_audience
from .contacts import page_person, reachable, telegram_user
from .events import (
    AudienceUpdated,
    ContactAdded,
    ContactRemoved,
    ContactVerified,
    Dead,
    Delivered,
    PreferencesChanged,
    Queued,
    Retried,
    RulesChanged,
    WebhookCreated,
    WebhookDeleted,
    WebhookUpdated,
)
from .messages import RESTRICTED_TITLE, SEV
from .schemas import NotificationDetail
from .service import cancel, enqueue
from .subscribers import broadcast, notify_user
from .telegram import Inbound

__all__ = [
    "AUDIENCE_DEFAULTS",
    "RESTRICTED_TITLE",
    "SEV",
    "AudienceUpdated",
    "AudienceView",
    "ContactAdded",
    "ContactRemoved",
    "ContactVerified",
    "Dead",
    "Delivered",
    "Inbound",
    "NotificationDetail",
    "PreferencesChanged",
    "Queued",
    "Retried",
    "RulesChanged",
    "WebhookCreated",
    "WebhookDeleted",
    "WebhookUpdated",
    "broadcast",
    "cancel",
    "enqueue",
    "get_audience",
    "list_audiences",
    "notify_user",
    "page_person",
    "reachable",
    "set_audience",
    "telegram",
    "telegram_user",
]
