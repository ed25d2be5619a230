"""The demo's hash list: a partner's PDQ list that reported challenge videos match at intake."""

from __future__ import annotations

from sqlalchemy import Engine, select

from rapidresponse import hashes
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from rapidresponse.demo import seed
from rapidresponse.signals.models import Signal


def test_demo_partner_list_matches_reported_videos(engine: Engine) -> None:
    seed(history_size=5)
    with unit_of_work(read_only=True) as s:
        reader = auth.to_actor(auth.find_person(s, "nurlan.akhmetov"))
        (hl,) = hashes.list_lists(s, reader)
        assert hl.harm == "dangerous_challenge" and hl.entry_count == 240 and hl.last_import_at is not None
        matches = hashes.recent_matches(s, reader, hl.id, limit=500)
        assert matches and all(m.distance <= hl.max_distance for m in matches)
        hashed = s.execute(select(Signal.id).where(Signal.media_hash.is_not(None))).scalars().all()
        assert {m.signal_id for m in matches} == set(hashed)  # every near copy matched, nothing else
        assert {s.get(Signal, i).harm for i in hashed} == {"dangerous_challenge"}
