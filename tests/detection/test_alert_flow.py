"""The detection tick, alert dedup, snooze and suppression with expiry, restarts and two workers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from alertkit import BUCKET, QUIET_KEY, SPIKE_KEY, Store, all_alerts
from sqlalchemy import select

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.detection import alerts, thresholds
from rapidresponse.detection import tick as tick_module
from rapidresponse.detection.models import Alert, DetectionCursor
from rapidresponse.detection.tick import Ticker
from rapidresponse.errors import InvalidTransition, ValidationFailed
from rapidresponse.signals.models import SeriesBucket, Signal


def run(ticker: Ticker, at: Any, **kw: Any) -> Any:
    with unit_of_work() as s:
        return ticker.tick(s, now=at, **kw)


def test_a_spike_raises_one_alert_with_context_and_quiet_series_none(fake_clock: Any, background: Store,
                                                                     spike: Store) -> None:
    end = background(4)
    after = spike(end - timedelta(hours=1))
    fake_clock.now = after + BUCKET
    report = run(Ticker(), after + BUCKET)
    assert report.buckets == int((after - (end - timedelta(days=4))) / BUCKET) + 1
    found = [a for a in all_alerts() if a[4] >= end - timedelta(days=1)]  # after the detector's learning days
    assert [a[:4] for a in found] == [(*SPIKE_KEY, "open")], found
    with unit_of_work(read_only=True) as s:
        alert = s.execute(select(Alert).where(Alert.harm == SPIKE_KEY[0])).scalar_one()
        assert alert.observed >= 30 and alert.expected < 5 and alert.growth > 1
        assert alert.first_bucket >= end - timedelta(hours=1)
        assert alert.context["samples"] and "челлендж" in alert.context["samples"][0]["text"]
        assert alert.first_signal_at is not None and alert.first_signal_at <= alert.raised_at
        assert alert.open_series == "dangerous_challenge/KZ/kk"
    # the same buckets again: nothing more (one run per closed bucket)
    before = all_alerts()
    assert run(Ticker(), after + BUCKET).buckets == 0
    assert all_alerts() == before


def test_one_live_alert_per_series_a_new_crossing_updates_it(fake_clock: Any) -> None:
    at = fake_clock.now
    with unit_of_work() as s:
        assert alerts.on_crossing(s, SPIKE_KEY, bucket=at, score=0.8, threshold=0.7, observed=12) == "raised"
        assert alerts.on_crossing(s, SPIKE_KEY, bucket=at + timedelta(hours=5), score=0.9, threshold=0.7,
                                  observed=20) == "updated"
        assert alerts.on_crossing(s, QUIET_KEY, bucket=at, score=0.95, threshold=0.7, observed=9) == "raised"
    rows = all_alerts()
    assert len(rows) == 2 and rows[0][5] == 2
    with unit_of_work(read_only=True) as s:
        first = s.execute(select(Alert).where(Alert.harm == SPIKE_KEY[0])).scalar_one()
        assert first.peak_score == 0.9 and first.observed == 20


def test_after_dismissal_a_crossing_within_cooldown_is_quiet_then_a_new_alert(admin: Actor, fake_clock: Any,
                                                                              make_alert: Callable[..., int]) -> None:
    at = fake_clock.now
    alert_id = make_alert(SPIKE_KEY, bucket=at)
    with unit_of_work() as s:
        alerts.dismiss(s, admin, alert_id, reason="school trip video, not a challenge")
        assert alerts.on_crossing(s, SPIKE_KEY, bucket=at + timedelta(hours=1), score=0.8, threshold=0.7,
                                  observed=12) == "quiet"
        assert alerts.on_crossing(s, SPIKE_KEY, bucket=at + timedelta(hours=4), score=0.8, threshold=0.7,
                                  observed=12) == "raised"
    assert [a[3] for a in all_alerts()] == ["dismissed", "open"]


def test_snooze_expires_with_the_clock(admin: Actor, fake_clock: Any, make_alert: Callable[..., int]) -> None:
    at = fake_clock.now
    alert_id = make_alert(SPIKE_KEY, bucket=at)
    with unit_of_work() as s:
        alerts.snooze(s, admin, alert_id, until=at + timedelta(hours=1), reason="waiting for the KZ team")
        # a crossing while snoozed updates it but it stays snoozed
        assert alerts.on_crossing(s, SPIKE_KEY, bucket=at + BUCKET, score=0.9, threshold=0.7,
                                  observed=15) == "updated"
    assert all_alerts()[0][3] == "snoozed"
    fake_clock.advance(minutes=59)
    run(Ticker(), fake_clock.now)
    assert all_alerts()[0][3] == "snoozed"
    fake_clock.advance(minutes=2)
    run(Ticker(), fake_clock.now)
    assert all_alerts()[0][3] == "open"
    with unit_of_work(read_only=True) as s:
        kinds = [e.type for e in alerts.timeline(s, admin, s.get(Alert, alert_id))]  # type: ignore[arg-type]
    assert kinds == ["alert.raised", "alert.snoozed", "alert.updated", "alert.snooze_expired"]


def test_suppression_rule_stops_alerts_until_it_expires(admin: Actor, fake_clock: Any) -> None:
    at = fake_clock.now
    with unit_of_work() as s:
        alerts.add_rule(s, admin, harm=SPIKE_KEY[0], country="KZ", reason="known school campaign",
                        expires_at=at + timedelta(hours=2))
        assert alerts.on_crossing(s, SPIKE_KEY, bucket=at, score=0.99, threshold=0.7, observed=50) == "suppressed"
        assert alerts.on_crossing(s, QUIET_KEY, bucket=at, score=0.99, threshold=0.7, observed=50) == "raised"
        assert alerts.on_crossing(s, SPIKE_KEY, bucket=at + timedelta(hours=2), score=0.99, threshold=0.7,
                                  observed=50) == "raised"
    assert [a[0] for a in all_alerts()] == [QUIET_KEY[0], SPIKE_KEY[0]]


def test_invalid_transitions_and_bad_input_change_nothing(admin: Actor, fake_clock: Any,
                                                          make_alert: Callable[..., int]) -> None:
    at = fake_clock.now
    alert_id = make_alert(SPIKE_KEY, bucket=at)
    with unit_of_work() as s:
        alerts.dismiss(s, admin, alert_id, reason="noise")
    before = all_alerts()
    for call in (lambda s: alerts.acknowledge(s, admin, alert_id),
                 lambda s: alerts.snooze(s, admin, alert_id, until=at + timedelta(hours=1), reason="x"),
                 lambda s: alerts.dismiss(s, admin, alert_id, reason="again")):
        with pytest.raises(InvalidTransition), unit_of_work() as s:
            call(s)
    with pytest.raises(ValidationFailed), unit_of_work() as s:
        alerts.add_rule(s, admin, harm="bad\x00harm", reason="x", expires_at=at + timedelta(hours=1))
    with pytest.raises(ValidationFailed), unit_of_work() as s:
        alerts.add_rule(s, admin, reason="everything", expires_at=at + timedelta(hours=1))
    assert all_alerts() == before


@pytest.mark.parametrize("reanchor", [False, True], ids=["anchor", "moving-anchor"])
def test_a_restarted_worker_raises_the_same_alerts(fake_clock: Any, monkeypatch: pytest.MonkeyPatch,
                                                   reanchor: bool, background: Store, spike: Store) -> None:
    if reanchor:  # the history since the anchor passes the limit during the run: the anchor moves
        monkeypatch.setattr(tick_module, "MAX_REPLAY", timedelta(days=2, hours=20))
        monkeypatch.setattr(tick_module, "REANCHOR", timedelta(days=2))
    end = background(3, seed=11)
    spike(end - timedelta(hours=3), tag="a", buckets=4)
    after = spike(end - timedelta(hours=1), key=QUIET_KEY, tag="b", buckets=4)
    ticks = [end - timedelta(hours=6) + i * timedelta(minutes=25) for i in range(int(7 * 60 / 25))] + [after]
    continuous = Ticker()
    for at in ticks:
        run(continuous, at)
    first = all_alerts()
    assert {a[0] for a in first if a[4] >= end - timedelta(hours=3)} == {SPIKE_KEY[0], QUIET_KEY[0]}, first
    with unit_of_work() as s:  # start again, with a worker that restarts halfway
        for row in s.execute(select(Alert)).scalars():
            s.delete(row)
        s.execute(DetectionCursor.__table__.delete())
    restarted = Ticker()
    for i, at in enumerate(ticks):
        if i == len(ticks) // 2:
            restarted = Ticker()  # a new process: nothing in memory
        report = run(restarted, at)
        assert report.rebuilt == (i in (0, len(ticks) // 2)) or report.buckets == 0 or reanchor
    assert all_alerts() == first
    with unit_of_work(read_only=True) as s:
        anchor = s.execute(select(DetectionCursor.anchor)).scalar_one()
    assert (anchor > end - timedelta(days=2, hours=12)) == reanchor


def test_two_workers_tick_each_bucket_once(fake_clock: Any, engine: Any, background: Store, spike: Store) -> None:
    end = background(3, seed=13)
    after = spike(end - timedelta(hours=1))
    barrier = threading.Barrier(2)
    reports: list[Any] = []

    def worker() -> None:
        ticker = Ticker()
        barrier.wait()
        reports.append(run(ticker, after + BUCKET))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ticked = [r for r in reports if r.buckets]
    assert len(ticked) == 1 and sum(r.raised for r in reports) == len(all_alerts())
    single = all_alerts()
    assert (*SPIKE_KEY, "open") in [a[:4] for a in single]
    assert len({a[:3] for a in single}) == len(single)  # never two alerts for one series


def test_backtest_counts_what_a_threshold_would_have_raised(admin: Actor, fake_clock: Any, background: Store,
                                                            spike: Store) -> None:
    end = background(4, seed=17)
    after = spike(end - timedelta(hours=3), buckets=4, per_bucket=40)
    at = after + BUCKET
    with unit_of_work(read_only=True) as s:
        low = thresholds.backtest(s, admin, SPIKE_KEY[0], 0.5, at=at)
        loose = thresholds.backtest(s, admin, SPIKE_KEY[0], 0.2, at=at)
        everything = thresholds.backtest(s, admin, "*", 0.5, at=at)
    assert low.series == 1 and low.buckets == int((at - (end - timedelta(days=4))) / BUCKET)
    spike_start = end - timedelta(hours=3)
    assert any(spike_start <= h.at < spike_start + 4 * BUCKET for h in low.alerts), low.alerts
    assert len(low.alerts) < len(loose.alerts)  # a lower threshold also fires on the background's noise
    assert low.alerts_at_current == len(low.alerts)  # 0.5 is the family's threshold here
    assert everything.series == 2
    # the live tick over the same history raises the alerts the backtest counted, at the same buckets
    run(Ticker(), at)
    live = sorted((a[4], a[0]) for a in all_alerts())
    replayed = sorted((h.at, h.series.split("/")[0]) for h in everything.alerts)
    assert live and set(live) <= set(replayed)  # later hits on a series update its live alert instead
    with pytest.raises(ValidationFailed), unit_of_work(read_only=True) as s:
        thresholds.backtest(s, admin, "Bad Family", 0.7)


def test_a_new_series_gets_its_own_bank_and_the_same_alerts_as_after_a_restart(fake_clock: Any, background: Store,
                                                                                 spike: Store) -> None:
    end = background(3, seed=19, keys=(QUIET_KEY,))
    t1 = end - timedelta(hours=5)
    late = ("self_harm", "UZ", "uz")

    def run_twice(ticker: Ticker) -> list[Any]:
        first = run(ticker, t1)
        assert first.series == 1 or first.buckets == 0
        spike(end - timedelta(hours=1), key=late, tag=f"late-{id(ticker)}", buckets=4)  # its first reports
        second = run(ticker, end)
        return [second.rebuilt, *all_alerts()]

    grown = run_twice(Ticker())
    with unit_of_work() as s:
        for row in s.execute(select(Alert)).scalars():
            s.delete(row)
        s.execute(DetectionCursor.__table__.delete())
        s.execute(SeriesBucket.__table__.delete().where(SeriesBucket.harm == late[0]))
        s.execute(Signal.__table__.delete())
    restarted = Ticker()
    first = run_twice(restarted)
    assert grown[0] is False  # the running worker added a bank for the new series, no replay of the others
    assert (late[0], late[1], late[2], "open") in [a[:4] for a in grown[1:]]
    assert grown[1:] == first[1:]
