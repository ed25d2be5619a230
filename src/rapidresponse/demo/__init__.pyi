"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .register import seed_register
from .seed import DEFAULT_HISTORY, SeedReport, is_seeded, seed
from .wellness import seed_wellness

__all__ = [
    "DEFAULT_HISTORY", "SeedReport", "is_seeded", "seed", "seed_register", "seed_wellness",
]
