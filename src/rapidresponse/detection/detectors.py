"""The detectors users can choose by name, and the streaming ``Detector`` for one series.

``novelty`` (the default) and ``gaussian`` (the baseline) both implement ``DetectorBank``; ``make_detector``
gives the one-series ``Detector`` (``update(timestamp, value) -> score in [0, 1]``).
"""

from __future__ import annotations

from .base import BankFactory, Detector, DetectorBank, Streaming, run_batch
from .gaussian import GaussianBank, GaussianConfig
from .novelty import NoveltyBank, NoveltyConfig

DEFAULT_DETECTOR = "novelty"

DETECTORS: dict[str, BankFactory] = {
    "novelty": NoveltyBank,
    "gaussian": GaussianBank,
}


def bank_factory(name: str) -> BankFactory:
    try:
        return DETECTORS[name]
    except KeyError:
        raise ValueError(f"unknown detector {name!r} (choose from {', '.join(sorted(DETECTORS))})") from None


def make_detector(name: str = DEFAULT_DETECTOR) -> Detector:
    return Streaming(bank_factory(name))


__all__ = ["DEFAULT_DETECTOR", "DETECTORS", "Detector", "DetectorBank", "GaussianBank", "GaussianConfig",
           "NoveltyBank", "NoveltyConfig", "bank_factory", "make_detector", "run_batch"]
