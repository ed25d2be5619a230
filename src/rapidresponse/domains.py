"""The domain packages, from the bottom of the dependency order up.

:func:`load` imports what each domain contributes to the shared machinery: its event types (the
catalogue), its tables (the metadata Alembic compares), the subscribers through which it reacts to
other domains' events, and its worker jobs. Every process that records events, runs jobs or migrates
loads them all first; a command that only reads imports just what it calls.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache

DOMAINS = ("auth", "policy", "incidents", "notify", "wellness", "approvals", "requests", "decisions", "oncall",
           "playbooks", "language", "hashes", "translation", "signals", "detection", "reviews",
           "analytics", "risk", "privacy")

# The rooms through which a domain registers with the shared machinery. A package's public surface is
# lazy (see ``surface``): importing the package alone registers nothing.
REGISTERING = ("events", "models", "subscribers", "jobs")


@cache
def load() -> tuple[str, ...]:
    """Import every domain (once per process); returns their names."""
    for name in DOMAINS:
        importlib.import_module(f"{__package__}.{name}")
        for room in REGISTERING:
            if importlib.util.find_spec(f"{__package__}.{name}.{room}") is not None:
                importlib.import_module(f"{__package__}.{name}.{room}")
    return DOMAINS
