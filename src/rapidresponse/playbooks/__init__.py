"""Playbooks: crisis plans as versioned YAML, applied to incidents, run by the worker's timers, and
the stakeholder updates composed from their templates.

The public surface: other domains (and the demo) apply playbooks, read an incident's checklist and
compose its updates through what is exported here, and may react to the events. Loading the domains
(``domains.load``) registers the incident-event subscribers and the ``playbooks.timers`` job.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
