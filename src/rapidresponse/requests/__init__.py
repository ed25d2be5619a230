"""Regulator and law-enforcement requests: their legal clocks (and the job that warns and escalates),
the items they name and what was done about them, the reply letter and its legal approval, and the
links to incidents (the request's events show on the incident's timeline).

The public surface: other domains use what is exported here, services that take and return schemas.
Loading the domains (``domains.load``) registers the clock job and the reply's approval subscriber.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
