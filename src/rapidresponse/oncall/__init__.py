"""On-call: teams, schedules (layers, restrictions, overrides, swaps), escalation policies, routing
rules and pages. Importing the package registers the worker job (``oncall.escalate``) and the
incident event subscribers that page teams."""

from . import jobs, subscribers

__all__ = ["jobs", "subscribers"]
