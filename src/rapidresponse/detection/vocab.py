"""The detection domain's words: alert states, case sources and statuses, and the detectors by name.

Light on purpose (no numpy): the public surface, the CLI's option help and the pages use these
without loading the detector engine."""

from __future__ import annotations

STATES = ("open", "acknowledged", "snoozed", "suppressed", "dismissed", "escalated")
LIVE = ("open", "acknowledged", "snoozed")
"""The states of an alert that still wants a decision (one live alert per series)."""
SOURCES = ("alert", "press", "regulator", "trusted_flagger", "partner", "internal", "other")
CASE_STATUSES = ("open", "dismissed", "escalated")
DEFAULT_DETECTOR = "novelty"
DETECTOR_NAMES = ("novelty", "novelty-contexts", "novelty-likelihood", "gaussian", "cad", "art", "novelty-art",
                  "novelty-shift", "novelty-persist")
"""The detectors users can choose (:data:`.detectors.DETECTORS` holds their factories)."""
DEFAULT_FAMILY = "*"
DEFAULT_THRESHOLD = 0.6
