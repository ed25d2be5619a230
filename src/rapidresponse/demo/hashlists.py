"""Hash lists in the demo world: a partner's list of PDQ hashes of choking-game videos (keyframes),
shared a week before the outbreak, so that the challenge videos reported during it match at intake.

The hashes are synthetic (random 256-bit values from the demo's seed); the reported videos carry
near copies of a few of them (a few bits flipped, as re-encoding and cropping do), within the list's
distance. Partners share hashes only, never images.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from .. import clock, hashes
from ..auth import Actor

LIST_NAME = "Choking-game videos (partner share)"
ENTRIES = 240
MATCHED = 12  # list entries that the demo's reported videos are near copies of


def _flip(value: str, bits: int, rng: random.Random) -> str:
    number = int(value, 16)
    for bit in rng.sample(range(256), bits):
        number ^= 1 << bit
    return f"{number:064x}"


def seed_hashlists(session: Session, actors: dict[str, Actor], base: datetime, *, seed: int = 2024) -> list[str]:
    """Create the partner list; returns media hashes for reported videos (near copies of list entries)."""
    rng = random.Random(seed)
    policy = actors["nurlan.akhmetov"]
    values = [f"{rng.getrandbits(256):064x}" for _ in range(ENTRIES)]
    with clock.held_at(base - timedelta(days=7)):
        hl = hashes.create_list(
            session, policy, name=LIST_NAME, harm="dangerous_challenge", source="Regional hash-sharing partner",
            description="Keyframe hashes of choking-game («собачий кайф») videos confirmed by partner platforms.")
        entries = [hashes.CsvEntry(line=i + 2, hash=h, label=f"keyframe {i % 8 + 1} of video {i // 8 + 1}",
                                   source="partner", added_on=base - timedelta(days=8))
                   for i, h in enumerate(values)]
        hashes.add_entries(session, policy, hl.id, entries, imported=True, source="partner-share.csv")
    return [_flip(h, rng.randint(2, 20), rng) for h in rng.sample(values, MATCHED)]
