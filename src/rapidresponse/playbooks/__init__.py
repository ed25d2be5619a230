"""Playbooks: crisis plans as versioned YAML, applied to incidents, run by the worker's timers.
Importing the package registers the incident-event subscribers and the ``playbooks.timers`` job."""

from . import runner, updates

__all__ = ["runner", "updates"]
