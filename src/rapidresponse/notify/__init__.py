"""Notifications: channels (SMTP email, signed JSON webhooks, chat webhooks), per-user preferences and
the durable outbox the worker delivers. Importing the package registers the worker job
(``notify.deliver``) and the incident event subscribers."""

from . import jobs, subscribers

__all__ = ["jobs", "subscribers"]
