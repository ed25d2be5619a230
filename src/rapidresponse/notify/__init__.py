"""Notifications: channels (SMTP email, signed JSON webhooks, chat webhooks), per-user preferences and
the durable outbox the worker delivers. Loading the domains (``domains.load``) registers the worker job
(``notify.deliver``) and the incident event subscribers.

The public surface: other domains queue messages through what is exported here (``enqueue`` answers
with a :class:`NotificationDetail`, never the outbox's row) and may subscribe to its events.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
