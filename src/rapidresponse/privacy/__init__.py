"""Privacy: the data lifecycle. Retention per data class (signals' text and reporter details, media
references, signals, notes, the exposure log, closed incidents, event payloads) applied by the worker
on schedule, legal holds that keep an incident's data out of it, and a person's data found, exported
and erased on request, each recorded in the event log as counts.

The public surface: the composition (app, CLI) reaches the domain through what is exported here.
Loading the domains (``domains.load``) registers the ``privacy.retention`` worker job.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
