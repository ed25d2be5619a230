"""``make_hash_list``: a PDQ hash list created through the hashes service (committed), optionally with
hashes, by its id."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse import hashes
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work


@pytest.fixture
def hash_list_defaults() -> dict[str, Any]:
    return {"harm": "violent_extremism", "source": "GIFCT", "description": "perpetrator content",
            "max_distance": hashes.DEFAULT_DISTANCE}


@pytest.fixture
def make_hash_list(engine: Engine, make_user: Callable[..., Actor],
                   hash_list_defaults: dict[str, Any]) -> Callable[..., int]:
    """Create a list as ``actor`` (a new policy lead by default) holding ``entries`` (hashes, labelled
    ``label``); returns its id."""
    counter = iter(range(1, 10_000))

    def make(actor: Actor | None = None, *, entries: Sequence[str] = (), label: str = "", **fields: Any) -> int:
        actor = actor or make_user("policy")
        data = {"name": f"Partner list {next(counter)}", **hash_list_defaults, **fields}
        with unit_of_work() as s:
            list_id = hashes.create_list(s, actor, **data).id
            if entries:
                hashes.add_entries(s, actor, list_id, [hashes.CsvEntry(line=i + 1, hash=hashes.parse_hash(h),
                                                                        label=label)
                                                       for i, h in enumerate(entries)])
        return list_id

    return make
