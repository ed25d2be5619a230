"""The detectors users can choose by name, and the streaming ``Detector`` for one series.

``novelty`` (the default), ``novelty-contexts`` (the default without its residual events: contexts only),
``novelty-likelihood`` (an earlier default: the same contexts scored by Numenta's anomaly likelihood),
``novelty-shift`` (the default with a persistence rule and a re-baseline after a persistent change of level:
``shift``), ``novelty-persist`` (the persistence rule alone),
``gaussian`` (the baseline) and ``cad`` (CAD OSE, a published detector re-implemented for comparison)
implement ``DetectorBank``; ``make_detector`` gives the one-series ``Detector``
(``update(timestamp, value) -> score in [0, 1]``).
"""

from __future__ import annotations

from .art import ArtBank, ArtConfig, ArtEvents
from .base import BankFactory, Detector, DetectorBank, Streaming, run_batch
from .cad import CadBank, CadConfig
from .gaussian import GaussianBank, GaussianConfig
from .novelty import NoveltyBank, NoveltyConfig
from .shift import ShiftBank, ShiftConfig
from .vocab import DEFAULT_DETECTOR

LIKELIHOOD_CONFIG = NoveltyConfig(surprise="likelihood", geometric=False, sure=2.0, memory=5000.0, deviations=())


CONTEXTS_CONFIG = NoveltyConfig(deviations=())


def novelty_contexts(n: int) -> NoveltyBank:
    """The default without the residual events (recent and hour-of-day z-scores): novel contexts only."""
    return NoveltyBank(n, CONTEXTS_CONFIG)


def novelty_likelihood(n: int) -> NoveltyBank:
    """An earlier default: fraction of novel contexts -> anomaly likelihood, linear levels, no silence."""
    return NoveltyBank(n, LIKELIHOOD_CONFIG)


def novelty_art(n: int) -> NoveltyBank:
    """The default with the ART events of ``art`` added to its surprise sum (one rate per kind, one gate)."""
    return NoveltyBank(n, extra=ArtEvents(n))


PERSIST_CONFIG = ShiftConfig(rebaseline=False)


def novelty_persist(n: int) -> ShiftBank:
    """The default with the persistence rule of ``shift`` alone (a held score is reported once confirmed)."""
    return ShiftBank(n, shift=PERSIST_CONFIG)


DETECTORS: dict[str, BankFactory] = {  # in the order of vocab.DETECTOR_NAMES
    "novelty": NoveltyBank,
    "novelty-contexts": novelty_contexts,
    "novelty-likelihood": novelty_likelihood,
    "gaussian": GaussianBank,
    "cad": CadBank,
    "art": ArtBank,
    "novelty-art": novelty_art,
    "novelty-shift": ShiftBank,
    "novelty-persist": novelty_persist,
}


def bank_factory(name: str) -> BankFactory:
    try:
        return DETECTORS[name]
    except KeyError:
        raise ValueError(f"unknown detector {name!r} (choose from {', '.join(sorted(DETECTORS))})") from None


def make_detector(name: str = DEFAULT_DETECTOR) -> Detector:
    return Streaming(bank_factory(name))


__all__ = [
    "CONTEXTS_CONFIG",
    "DEFAULT_DETECTOR",
    "DETECTORS",
    "LIKELIHOOD_CONFIG",
    "ArtBank",
    "ArtConfig",
    "CadBank",
    "CadConfig",
    "Detector",
    "DetectorBank",
    "GaussianBank",
    "GaussianConfig",
    "NoveltyBank",
    "NoveltyConfig",
    "ShiftBank",
    "ShiftConfig",
    "bank_factory",
    "make_detector",
    "run_batch",
]
