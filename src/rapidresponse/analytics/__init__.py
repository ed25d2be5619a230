"""Analytics: the warehouse (DuckDB, fed from the event log and the signal store by the worker), the
team's metrics written once in Ibis (DuckDB, PostgreSQL, Spark), and a read-only SQL console with
saved queries and history.

The public surface: the composition (app, CLI, demo) and tests reach the domain through what is
exported here. Loading the domains (``domains.load``) registers the ``analytics.sync`` worker job.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
