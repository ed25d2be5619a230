"""On-call: teams, schedules (layers, restrictions, overrides, swaps), escalation policies, routing
rules and pages. Loading the domains (``domains.load``) registers the worker job (``oncall.escalate``) and the
incident event subscribers that page teams.

The public surface: what is exported here (services that take and return schemas, and the events);
never the tables behind it.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
