"""Snapshots of the detection state: a worker restarted from one has exactly the state and alerts of a worker
that never restarted; an unreadable or foreign snapshot is passed over (a full replay); a worker killed
between the tick's commit and the snapshot loses nothing; only the latest few are kept. And a state behind the
cursor (a snapshot's, or a worker's while another ticked) takes the series that started reporting since it."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from alertkit import BUCKET, QUIET_KEY, SPIKE_KEY, Store, all_alerts, background_rows
from sqlalchemy import Engine, delete, select
from structlog.testing import capture_logs

from rapidresponse.db import unit_of_work
from rapidresponse.detection.models import Alert, DetectionCursor, DetectionSnapshot
from rapidresponse.detection.tick import Ticker, TickReport
from rapidresponse.signals import bucket_of
from rapidresponse.signals.models import SeriesBucket

LATE_KEY = ("self_harm", "UZ", "uz")
Result = tuple[list[Any], list[Any], dict[str, np.ndarray], list[TickReport]]


def run(ticker: Ticker, at: datetime) -> TickReport:
    with unit_of_work() as s:
        return ticker.tick(s, now=at)


class History:
    """Three days of two series with a spike on each near the end; :meth:`run` ticks every 25 minutes over the
    last six hours (every tick 5 buckets) and gives the alerts, the ticker's series and state arrays, and the
    reports. A third series starts reporting just before tick ``late_at``."""

    def __init__(self, background: Store, spike: Store, make_series_counts: Callable[[list[dict[str, Any]]], None]
                 ) -> None:
        end = background(3, seed=11)
        spike(end - timedelta(hours=3), tag="a", buckets=4)
        spike(end - timedelta(hours=1), key=QUIET_KEY, tag="b", buckets=4)
        self.ticks = [end - timedelta(hours=6) + i * timedelta(minutes=25) for i in range(15)]
        self._store = make_series_counts

    def last_bucket(self, i: int) -> datetime:
        """The last bucket tick ``i`` processes."""
        return bucket_of(self.ticks[i]) - BUCKET

    def store_late(self, before: datetime) -> None:
        rows, _ = background_rows(0.5, seed=23, start=before - timedelta(hours=12), keys=(LATE_KEY,), rate=3.0)
        self._store([r for r in rows if r["bucket"] >= before - timedelta(minutes=40)])

    def run(self, *, late_at: int, restart_at: tuple[int, ...] = (), stop: int | None = None) -> Result:
        with unit_of_work() as s:  # a fresh history on the same stored series
            s.execute(delete(Alert))
            s.execute(delete(DetectionCursor))
            s.execute(delete(SeriesBucket).where(SeriesBucket.harm == LATE_KEY[0]))
        ticker = Ticker()
        reports = []
        for i, at in enumerate(self.ticks[:stop]):
            if i == late_at:
                self.store_late(at)
            if i in restart_at:
                ticker = Ticker()  # a new process: nothing in memory
            reports.append(run(ticker, at))
        keys, arrays = ticker.state_arrays()
        return all_alerts(), keys, arrays, reports

    def resume(self, ticker: Ticker, start: int, *, late_at: int) -> Result:
        """Tick from tick ``start`` on with ``ticker``."""
        reports = []
        for i in range(start, len(self.ticks)):
            if i == late_at:
                self.store_late(self.ticks[i])
            reports.append(run(ticker, self.ticks[i]))
        keys, arrays = ticker.state_arrays()
        return all_alerts(), keys, arrays, reports


@pytest.fixture
def history(background: Store, spike: Store, make_series_counts: Callable[[list[dict[str, Any]]], None]) -> History:
    return History(background, spike, make_series_counts)


def assert_same(got: Result, want: Result) -> None:
    assert got[0] == want[0]
    assert got[1] == want[1]
    assert sorted(got[2]) == sorted(want[2])
    for name, a in want[2].items():
        np.testing.assert_array_equal(got[2][name], a, err_msg=name)


def snapshots() -> list[tuple[int, datetime]]:
    with unit_of_work(read_only=True) as s:
        rows = s.execute(select(DetectionSnapshot.id, DetectionSnapshot.processed_until)
                         .order_by(DetectionSnapshot.processed_until))
        return [(r.id, r.processed_until) for r in rows]


def cursor() -> datetime:
    with unit_of_work(read_only=True) as s:
        done: datetime = s.execute(select(DetectionCursor.processed_until)).scalar_one()
        return done


@pytest.mark.parametrize("late_at", [4, 7], ids=["series-in-snapshot", "series-after-snapshot"])
def test_a_restart_from_a_snapshot_has_the_state_and_alerts_of_a_worker_that_never_restarted(
        fake_clock: Any, env: Callable[..., None], history: History, late_at: int) -> None:
    env(detection_snapshot_minutes="60", detection_snapshot_keep="2")
    continuous = history.run(late_at=late_at)
    assert {a[0] for a in continuous[0]} >= {SPIKE_KEY[0], QUIET_KEY[0]}, continuous[0]
    assert LATE_KEY in continuous[1] and len(continuous[2]) > 10
    restarted = history.run(late_at=late_at, restart_at=(8,))
    report = restarted[3][8]
    # ticks 0, 3 and 6 saved snapshots (each 60 minutes of buckets or more after the one before): tick 8 loads
    # tick 6's, replays tick 7's buckets (and the series that started reporting since, with its own history)
    assert report.rebuilt and report.snapshot == history.last_bucket(6) and report.buckets == 5
    assert not any(r.rebuilt for r in restarted[3][9:])
    assert_same(restarted, continuous)
    # retention: the latest two, the last one within 60 minutes of the cursor
    kept = snapshots()
    assert len(kept) == 2 and cursor() - kept[-1][1] < timedelta(minutes=60)


def _damage(kind: str) -> None:
    """Spoil every stored snapshot in one way."""
    with unit_of_work() as s:
        for row in s.execute(select(DetectionSnapshot)).scalars():
            data = bytearray(row.data)
            if kind in ("bytes", "archive"):  # a flipped byte in the compressed arrays
                data[len(data) // 2] ^= 0xFF
            elif kind == "shape":  # a well-formed archive with one array a row short
                with np.load(io.BytesIO(bytes(data))) as archive:
                    arrays = {name: archive[name] for name in archive.files}
                arrays["g0.count"] = arrays["g0.count"][:-1]
                out = io.BytesIO()
                np.savez_compressed(out, **arrays)
                data = bytearray(out.getvalue())
            row.data = bytes(data)
            if kind != "bytes":
                row.digest = hashlib.sha256(row.data).hexdigest()
            if kind == "format":
                row.format = 0
            if kind == "config":
                row.config = hashlib.sha256(b"another configuration").hexdigest()


@pytest.mark.parametrize("kind", ["bytes", "archive", "shape", "format", "config", "off"])
def test_an_unusable_snapshot_is_passed_over_for_a_full_replay(fake_clock: Any, env: Callable[..., None],
                                                               history: History, kind: str) -> None:
    # no series appears later: a full replay puts every series in one bank, as the continuous worker has them
    env(detection_snapshot_minutes="30")
    continuous = history.run(late_at=-1)
    history.run(late_at=-1, stop=9)
    stored = snapshots()
    assert len(stored) == 3  # the default keeps three
    if kind == "off":
        env(detection_snapshot_minutes="0")  # turned off: not loaded, none saved
    else:
        _damage(kind)
    with capture_logs() as logs:
        resumed = history.resume(Ticker(), 9, late_at=-1)
    first = resumed[3][0]
    assert first.rebuilt and first.snapshot is None and first.buckets == 5
    assert_same(resumed, continuous)
    ignored = [e for e in logs if e["event"].startswith("detection snapshot ignored")]
    assert len(ignored) == (0 if kind == "off" else len(stored)), logs
    assert all(e["log_level"] == "warning" for e in ignored)
    if kind == "off":
        assert snapshots() == stored
    else:  # the replayed state was saved in turn (the others stay until retention drops them)
        assert snapshots()[-1][1] >= history.last_bucket(9)


CHILD = """
import os, signal, sys
from datetime import datetime
from sqlalchemy import event
from rapidresponse import db
from rapidresponse.detection.tick import Ticker

db.configure(sys.argv[1])
with db.unit_of_work() as s:
    event.listen(s, "after_commit", lambda _s: os.kill(os.getpid(), signal.SIGKILL))  # before the tick's own
    report = Ticker().tick(s, now=datetime.fromisoformat(sys.argv[2]))
    assert report.buckets == 5 and report.snapshot is not None, report
"""


def test_a_worker_killed_between_its_commit_and_the_snapshot_loses_nothing(
        fake_clock: Any, env: Callable[..., None], engine: Engine, history: History) -> None:
    env(detection_snapshot_minutes="30")
    continuous = history.run(late_at=4)
    history.run(late_at=4, stop=8)  # snapshots after ticks 0, 2, 4, 6
    before = snapshots()
    assert before[-1][1] == history.last_bucket(6)
    # tick 8 by another process (its snapshot due: 50 minutes after tick 6's), killed when its tick committed
    child = subprocess.run([sys.executable, "-c", CHILD, engine.url.render_as_string(hide_password=False),
                            history.ticks[8].isoformat()], capture_output=True, text=True, timeout=300,
                           env=os.environ.copy())
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert cursor() == history.last_bucket(8) and snapshots() == before
    resumed = history.resume(Ticker(), 9, late_at=4)
    assert resumed[3][0].snapshot == history.last_bucket(6) and resumed[3][0].buckets == 5
    assert_same(resumed, continuous)


def test_a_worker_behind_the_cursor_takes_the_series_that_started_while_another_ticked(
        fake_clock: Any, env: Callable[..., None], history: History) -> None:
    env(detection_snapshot_minutes="0")  # the state in memory only
    continuous = history.run(late_at=4)
    history.run(late_at=4, stop=0)  # a fresh history
    first, second = Ticker(), Ticker()
    for i, at in enumerate(history.ticks):
        if i == 4:
            history.store_late(at)  # its only reports, all in tick 4's buckets or earlier
        run(second if i == 4 else first, at)  # the second worker ticks once; the first is behind after it
    keys, arrays = first.state_arrays()
    assert_same((all_alerts(), keys, arrays, []), (*continuous[:3], []))


def test_only_banks_whose_arrays_hold_their_whole_state_are_snapshotted() -> None:
    from rapidresponse.detection import detectors, snapshot

    def config(name: str, n: int = 3) -> str | None:
        return snapshot.config_of(detectors.bank_factory(name)(n))

    assert config("novelty") is not None and config("novelty") == config("novelty", 5)
    assert config("novelty-art") is None, "the added ART state is not in its arrays"
    assert config("cad") is None
