"""Detection: streaming detectors, the detection tick, alerts, triage cases, thresholds and backtests.
Importing the package registers the worker job (``detection.tick``)."""

from . import jobs

__all__ = ["jobs"]
