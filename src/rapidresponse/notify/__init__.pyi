"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .audiences import DEFAULTS as AUDIENCE_DEFAULTS
from .audiences import AudienceView, get_audience, list_audiences, set_audience
from .events import (
    AudienceUpdated,
    Dead,
    Delivered,
    PreferencesChanged,
    Queued,
    Retried,
    WebhookCreated,
    WebhookDeleted,
    WebhookUpdated,
)
from .messages import RESTRICTED_TITLE, SEV
from .schemas import NotificationDetail
from .service import enqueue
from .subscribers import broadcast, notify_user

__all__ = [
    "AUDIENCE_DEFAULTS", "RESTRICTED_TITLE", "SEV", "AudienceUpdated", "AudienceView", "Dead", "Delivered",
    "NotificationDetail",
    "PreferencesChanged", "Queued", "Retried", "WebhookCreated", "WebhookDeleted", "WebhookUpdated", "broadcast",
    "enqueue", "get_audience", "list_audiences", "notify_user",
    "set_audience",
]
