"""Detection: streaming detectors, the detection tick, alerts, triage cases, thresholds and backtests.

The public surface: other domains use what is exported here: the services (which take an actor and
return schemas), the vocabulary and the event types. Loading the domains (``domains.load``) registers the worker job
(``detection.tick``); nothing here loads numpy: the detector engine loads with the first tick or backtest.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
