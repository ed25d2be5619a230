"""Incidents: the model, lifecycle, severity matrix, roles, timeline and tasks.

The public surface: other domains use what is exported here (services that take and return
schemas, the vocabulary, and the events to subscribe to), never the tables behind it.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
