"""Snapshots of the detection tick's state, so that a restarted worker replays only what came after one.

A snapshot (a ``detection_snapshots`` row) is a worker's whole in-memory state (every bank's arrays, the
series index, the arming arrays) as it was right after a tick moved the cursor to ``processed_until``. It is
written after that tick's transaction committed, in a transaction of its own that first checks that the
cursor is still where the state is (so a snapshot never holds a state the database does not), by one worker,
when the state has advanced ``RAPIDRESPONSE_DETECTION_SNAPSHOT_MINUTES`` of buckets past the latest
snapshot; only the latest ``RAPIDRESPONSE_DETECTION_SNAPSHOT_KEEP`` are kept.

A worker without state in memory loads the latest snapshot of its detector that is no later than the cursor
and has the cursor's anchor, then replays the buckets after it (as a worker that had been running would have
stepped them). A snapshot of another format, another detector configuration (the bank's class, its
``state_version`` and its config) or another anchor is passed over, and one whose bytes do not check
(SHA-256, the archive, every array's name, shape and type) is passed over with a warning: the next older one
is tried, and without any the worker replays from the anchor, as it did before snapshots. A process killed
between the tick's commit and the snapshot's loses nothing: the next worker replays a little more.

The data is a compressed ``numpy`` archive (as ``np.savez_compressed`` writes, no pickles): ``meta`` (JSON: the format,
detector, configuration, anchor, last bucket, series keys and groups), ``armed_until``, ``armed_score`` and,
for bank ``i``, ``g<i>.<name>`` for every array of its state.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import orjson
import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..signals import SeriesKey
from .base import BankFactory, DetectorBank, Persistent
from .models import DetectionCursor, DetectionSnapshot

FORMAT = 1
log = structlog.get_logger("rapidresponse.detection.snapshot")


@dataclass
class State:
    """A worker's detection state (see :mod:`.tick`)."""

    detector: str
    anchor: datetime
    keys: list[SeriesKey]
    index: dict[SeriesKey, int]
    groups: list[tuple[DetectorBank, int, int]]  # banks over keys[lo:hi]: series that appeared later get their own
    until: datetime | None  # the last bucket stepped (None: none yet)
    armed_until: np.ndarray  # epoch until which a series' crossing waits for a spike in its counts
    armed_score: np.ndarray


def config_of(bank: DetectorBank) -> str | None:
    """What a snapshot's banks must have been made with to be loaded by this one (SHA-256 of the bank's
    class, state version and configuration); None for a bank whose state cannot be saved (one with another
    detector's events added, such as ``novelty-art``, whose added state its arrays do not hold)."""
    if not isinstance(bank, Persistent) or getattr(bank, "extra", None) is not None:
        return None
    text = f"{type(bank).__module__}.{type(bank).__qualname__}/{bank.state_version}/{getattr(bank, 'cfg', None)!r}"
    if getattr(bank, "shift", None) is not None:  # ``shift.ShiftBank``: its own configuration too
        text += f"/{bank.shift!r}"  # type: ignore[attr-defined]
    return hashlib.sha256(text.encode()).hexdigest()


def arrays_of(state: State) -> dict[str, np.ndarray]:
    """Every array of ``state`` under its name in a snapshot (the banks' own arrays, not copies)."""
    out = {"armed_until": state.armed_until, "armed_score": state.armed_score}
    for i, (bank, _lo, _hi) in enumerate(state.groups):
        if not isinstance(bank, Persistent):
            raise TypeError(f"{type(bank).__name__} keeps no snapshot")
        out.update({f"g{i}.{name}": a for name, a in bank.state().items()})
    return out


def encode(state: State, config: str) -> bytes:
    assert state.until is not None
    meta = {"format": FORMAT, "detector": state.detector, "config": config, "anchor": state.anchor.isoformat(),
            "until": state.until.isoformat(), "keys": [list(k) for k in state.keys],
            "groups": [[bank.n, lo, hi] for bank, lo, hi in state.groups]}
    arrays = {"meta": np.frombuffer(orjson.dumps(meta), dtype=np.uint8), **arrays_of(state)}
    buf = io.BytesIO()
    # what np.savez_compressed writes, at deflate level 1: the context table's bits hardly compress further at
    # the default level 6, which takes seven times as long
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, a in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(a), allow_pickle=False)
    return buf.getvalue()


def decode(data: bytes, detector: str, config: str, factory: BankFactory) -> State:
    """The state in ``data``; ``ValueError`` (or the archive's own error) unless every part checks."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta: dict[str, Any] = orjson.loads(arrays.pop("meta").tobytes())
    if (meta.get("format"), meta.get("detector"), meta.get("config")) != (FORMAT, detector, config):
        raise ValueError("snapshot of another format, detector or configuration")
    keys = [tuple(k) for k in meta["keys"]]
    if not all(len(k) == 3 and all(isinstance(p, str) for p in k) for k in keys) or len(set(keys)) != len(keys):
        raise ValueError("malformed series keys")
    groups: list[tuple[DetectorBank, int, int]] = []
    at = 0
    for i, (n, lo, hi) in enumerate(meta["groups"]):
        if not (isinstance(n, int) and lo == at and hi >= lo and n == max(hi - lo, 1)):
            raise ValueError(f"malformed group {i}")
        bank = factory(n)
        if not isinstance(bank, Persistent):
            raise ValueError(f"{type(bank).__name__} keeps no snapshot")
        prefix = f"g{i}."
        bank.load_state({name[len(prefix):]: arrays.pop(name) for name in list(arrays) if name.startswith(prefix)})
        groups.append((bank, lo, hi))
        at = hi
    if at != len(keys) or not groups:
        raise ValueError("the groups do not cover the series")
    armed_until, armed_score = arrays.pop("armed_until"), arrays.pop("armed_score")
    for a in (armed_until, armed_score):
        if a.shape != (len(keys),) or a.dtype != np.float64:
            raise ValueError("malformed arming arrays")
    if arrays:
        raise ValueError(f"unexpected arrays {sorted(arrays)}")
    typed: list[SeriesKey] = [(h, c, lang) for h, c, lang in keys]
    return State(detector, datetime.fromisoformat(meta["anchor"]), typed, {k: i for i, k in enumerate(typed)},
                 groups, datetime.fromisoformat(meta["until"]), armed_until, armed_score)


def latest(session: Session, name: str, anchor: datetime) -> datetime | None:
    """The last bucket of the latest snapshot of ``name`` from ``anchor``."""
    found: datetime | None = session.execute(
        select(func.max(DetectionSnapshot.processed_until))
        .where(DetectionSnapshot.name == name, DetectionSnapshot.anchor == anchor)).scalar_one()
    return found


def save(session: Session, state: State, data: bytes, config: str, *, keep: int, at: datetime) -> bool:
    """Store ``data`` (``state`` encoded) if the cursor is still where ``state`` is and no snapshot as recent
    is stored; keep only the latest ``keep``. Whether it was stored."""
    assert state.until is not None
    cursor = session.execute(select(DetectionCursor.anchor, DetectionCursor.processed_until)
                             .where(DetectionCursor.name == state.detector)).one_or_none()
    if cursor is None or (cursor.anchor, cursor.processed_until) != (state.anchor, state.until):
        return False  # another tick (or a reset) moved it since: this state is not the committed one
    last = latest(session, state.detector, state.anchor)
    if last is not None and last >= state.until:
        return False
    session.add(DetectionSnapshot(name=state.detector, format=FORMAT, config=config, anchor=state.anchor,
                                  processed_until=state.until, series=len(state.keys), size=len(data),
                                  digest=hashlib.sha256(data).hexdigest(), data=data, created_at=at))
    session.flush()
    prune(session, state.detector, keep)
    return True


def prune(session: Session, name: str, keep: int) -> None:
    old = list(session.execute(select(DetectionSnapshot.id).where(DetectionSnapshot.name == name)
                               .order_by(DetectionSnapshot.processed_until.desc(), DetectionSnapshot.id.desc())
                               .offset(keep)).scalars())
    if old:
        session.execute(delete(DetectionSnapshot).where(DetectionSnapshot.id.in_(old)))


def forget(session: Session, name: str) -> None:
    """Drop every snapshot of ``name`` (its cursor starts a new history)."""
    session.execute(delete(DetectionSnapshot).where(DetectionSnapshot.name == name))


def load(session: Session, name: str, config: str, anchor: datetime, done: datetime,
         factory: BankFactory) -> State | None:
    """The state of the latest usable snapshot of ``name`` from ``anchor`` up to ``done`` (see the module)."""
    rows = session.execute(
        select(DetectionSnapshot.id, DetectionSnapshot.format, DetectionSnapshot.config, DetectionSnapshot.anchor,
               DetectionSnapshot.processed_until)
        .where(DetectionSnapshot.name == name, DetectionSnapshot.processed_until <= done)
        .order_by(DetectionSnapshot.processed_until.desc(), DetectionSnapshot.id.desc())).all()
    for row in rows:
        if row.anchor != anchor:
            continue  # from before the anchor moved: every worker replays from the new one
        if row.format != FORMAT or row.config != config:
            log.warning("detection snapshot ignored: another format or configuration", detector=name,
                        snapshot=row.id, format=row.format, until=row.processed_until.isoformat())
            continue
        data, digest = session.execute(select(DetectionSnapshot.data, DetectionSnapshot.digest)
                                       .where(DetectionSnapshot.id == row.id)).one()
        try:
            if hashlib.sha256(data).hexdigest() != digest:
                raise ValueError("the data does not match its digest")
            state = decode(data, name, config, factory)
            if (state.anchor, state.until) != (row.anchor, row.processed_until):
                raise ValueError("the data is of another bucket than its row")
        except Exception as exc:  # corrupt bytes must never stop detection: replay instead
            log.warning("detection snapshot ignored: unreadable", detector=name, snapshot=row.id,
                        until=row.processed_until.isoformat(), error=f"{type(exc).__name__}: {exc}")
            continue
        return state
    return None
