"""Notifications: channels (SMTP email, signed JSON webhooks, chat webhooks), per-user preferences and
the durable outbox the worker delivers. Importing the package registers the worker job
(``notify.deliver``) and the incident event subscribers.

The public surface: other domains queue messages through what is exported here (``enqueue`` answers
with a :class:`NotificationDetail`, never the outbox's row) and may subscribe to its events.
"""

from . import jobs
from .audiences import AudienceView, get_audience, list_audiences
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

__all__ = ["RESTRICTED_TITLE", "SEV", "AudienceUpdated", "AudienceView", "Dead", "Delivered", "NotificationDetail",
           "PreferencesChanged", "Queued", "Retried", "WebhookCreated", "WebhookDeleted", "WebhookUpdated",
           "broadcast", "enqueue", "get_audience", "jobs", "list_audiences", "notify_user"]
