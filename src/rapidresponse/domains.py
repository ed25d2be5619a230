"""The domain packages, from the bottom of the dependency order up.

Importing a domain's package registers what it contributes to the shared machinery: its tables
(the metadata Alembic compares), its event types (the catalogue), the subscribers through which it
reacts to other domains' events, and its worker jobs. Every process that records events, runs jobs
or migrates loads them all first.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache

DOMAINS = ("auth", "policy", "incidents", "notify", "approvals", "requests", "decisions", "oncall", "playbooks",
           "language", "hashes", "signals", "detection", "reviews",
           "analytics")


@cache
def load() -> tuple[str, ...]:
    """Import every domain (once per process); returns their names."""
    for name in DOMAINS:
        importlib.import_module(f"{__package__}.{name}")
        if importlib.util.find_spec(f"{__package__}.{name}.models") is not None:
            importlib.import_module(f"{__package__}.{name}.models")
    return DOMAINS
