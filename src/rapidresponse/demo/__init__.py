"""The demo scenario: a believable REECA rapid-response world, seeded through the real services.

``rapidresponse demo [--serve]`` seeds it once (idempotent) and prints the demo logins. Every post,
person and incident here is synthetic.
"""

from .seed import DEFAULT_HISTORY, SeedReport, is_seeded, seed

__all__ = ["DEFAULT_HISTORY", "SeedReport", "is_seeded", "seed"]
