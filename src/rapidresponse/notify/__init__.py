"""Notifications: channels (SMTP email, signed JSON webhooks, chat webhooks), per-user preferences and
the durable outbox the worker delivers. Importing the package registers the worker job
(``notify.deliver``) and the incident event subscribers.

The public surface: other domains queue messages through what is exported here.
"""

from . import jobs
from .audiences import AudienceView, get_audience, list_audiences
from .messages import RESTRICTED_TITLE, SEV
from .service import enqueue
from .subscribers import broadcast, notify_user

__all__ = ["RESTRICTED_TITLE", "SEV", "AudienceView", "broadcast", "enqueue", "get_audience", "jobs",
           "list_audiences", "notify_user"]
