"""Property tests of the schedule engine against a minute-by-minute reading of the same rules."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapidresponse.oncall import engine
from rapidresponse.oncall.engine import Layer, Override, Window

DST_ZONES = ("Europe/Warsaw", "Europe/Kyiv", "Europe/Chisinau")
FIXED_ZONES = ("Europe/Moscow", "Asia/Almaty", "Asia/Tashkent")
ZONES = DST_ZONES + FIXED_ZONES
# Ranges around the 2026 DST changes (29 March, 25 October) and a quiet week.
ANCHORS = (datetime(2026, 3, 27, tzinfo=UTC), datetime(2026, 10, 23, tzinfo=UTC), datetime(2026, 6, 10, tzinfo=UTC))

windows = st.builds(
    Window,
    days=st.frozensets(st.integers(0, 6), min_size=1, max_size=7),
    start=st.builds(time, st.integers(0, 23), st.sampled_from([0, 30])),
    end=st.builds(time, st.integers(0, 23), st.sampled_from([0, 30])),
)


@st.composite
def layers(draw: st.DrawFn, level: int) -> Layer:
    unit = draw(st.sampled_from(engine.UNITS))
    length = draw(st.integers(1, 30 if unit == "hours" else 3))
    return Layer(
        id=level, level=level, users=tuple(draw(st.lists(st.integers(1, 9), min_size=1, max_size=4))),
        timezone=draw(st.sampled_from(ZONES)),
        start=date(2026, 3, 20) + timedelta(days=draw(st.integers(0, 220))),
        handoff=time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30]))), length=length, unit=unit,
        restrictions=tuple(draw(st.lists(windows, max_size=2))),
    )


@st.composite
def overrides(draw: st.DrawFn, base: datetime) -> list[Override]:
    out = []
    for i in range(draw(st.integers(0, 3))):
        start = base + timedelta(minutes=draw(st.integers(0, 4 * 24 * 60 // 15)) * 15)
        length = timedelta(minutes=15 * draw(st.integers(1, 200)))
        out.append(Override(i + 1, draw(st.integers(1, 9)), start, start + length))
    return out


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Layer], list[Override], datetime, datetime]:
    base = draw(st.sampled_from(ANCHORS)) + timedelta(days=draw(st.integers(-30, 30)) * 0)
    levels = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3, unique=True))
    start = base + timedelta(minutes=15 * draw(st.integers(0, 96)))
    return [draw(layers(lv)) for lv in levels], draw(overrides(base)), start, start + timedelta(days=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_final_schedule_is_exactly_what_the_layers_and_overrides_say(world: tuple) -> None:
    layers_, ovs, start, end = world
    final = engine.compute(layers_, ovs, start, end)
    # Shifts and gaps tile the range: sorted, no overlap, no hole.
    pieces = sorted([(s.start, s.end) for s in final.shifts] + final.gaps)
    assert pieces[0][0] == start and pieces[-1][1] == end
    for (_, a_end), (b_start, _) in itertools.pairwise(pieces):
        assert a_end == b_start
    assert all(s.start < s.end for s in final.shifts)
    # Every quarter hour, the final owner is the one the rules give for that instant.
    at = start
    while at < end:
        shift = final.at(at)
        assert (shift.user if shift else None) == engine.owner_at(layers_, ovs, at), at
        at += timedelta(minutes=15)


@settings(max_examples=40, deadline=None)
@given(worlds())
def test_overrides_always_win(world: tuple) -> None:
    layers_, ovs, start, end = world
    final = engine.compute(layers_, ovs, start, end)
    for ov in ovs:
        at = max(ov.start, start)
        while at < min(ov.end, end):
            shift = final.at(at)
            assert shift is not None and shift.source == "override"
            newest = max((o for o in ovs if o.start <= at < o.end), key=lambda o: o.id)
            assert shift.user == newest.user
            at += timedelta(minutes=15)


@settings(max_examples=40, deadline=None)
@given(zone=st.sampled_from(DST_ZONES), hour=st.integers(0, 23), days=st.integers(1, 3),
       anchor=st.sampled_from(ANCHORS[:2]))
def test_dst_loses_or_doubles_no_hour(zone: str, hour: int, days: int, anchor: datetime) -> None:
    """Across a DST change every instant belongs to exactly one shift, and shifts keep the local handoff."""
    layer = Layer(1, 1, (1, 2, 3), zone, anchor.date() - timedelta(days=7), time(hour), days, "days")
    start, end = anchor, anchor + timedelta(days=6)
    final = engine.compute([layer], [], start, end)
    assert not final.gaps
    covered = sum((s.end - s.start for s in final.shifts), timedelta())
    assert covered == end - start  # no hour lost, none counted twice
    tz = engine.zone(zone)
    for s in final.shifts:
        if s.start != start:
            assert s.start.astimezone(tz).time().hour in (hour, (hour + 1) % 24)  # 02:xx skipped: 03:xx
    for s in final.shifts[1:-1]:  # a whole shift is its local days, give or take the hour the clocks moved
        assert abs(s.end - s.start - timedelta(days=days)) <= timedelta(hours=1)
        if s.start.astimezone(tz).hour == s.end.astimezone(tz).hour == hour:
            moved = s.start.astimezone(tz).utcoffset() - s.end.astimezone(tz).utcoffset()  # type: ignore[operator]
            assert s.end - s.start == timedelta(days=days) + moved


@settings(max_examples=30, deadline=None)
@given(zone=st.sampled_from(FIXED_ZONES), hour=st.integers(0, 23), anchor=st.sampled_from(ANCHORS))
def test_zones_without_dst_stay_fixed(zone: str, hour: int, anchor: datetime) -> None:
    layer = Layer(1, 1, (1, 2), zone, anchor.date() - timedelta(days=3), time(hour), 1, "days")
    final = engine.compute([layer], [], anchor, anchor + timedelta(days=10))
    handoffs = {s.start.astimezone(UTC).time() for s in final.shifts[1:]}
    assert len(handoffs) == 1
    assert {round(s.hours) for s in final.shifts[1:-1]} == {24}


def test_follow_the_sun_from_restricted_layers() -> None:
    """Warsaw, Moscow and Almaty each cover their working hours; the day has no gap, DST or not."""
    every_day = frozenset(range(7))
    hubs = [("Asia/Almaty", time(8), time(14)), ("Europe/Moscow", time(11), time(19)),
            ("Europe/Warsaw", time(15), time(2))]
    layers_ = [Layer(i + 1, i + 1, (10 * (i + 1),), tz, date(2026, 1, 5), time(0), 1, "weeks",
                     (Window(every_day, a, b),)) for i, (tz, a, b) in enumerate(hubs)]
    for anchor in ANCHORS:
        final = engine.compute(layers_, [], anchor, anchor + timedelta(days=5))
        assert {s.user for s in final.shifts} == {10, 20, 30}
        hours = sum(s.hours for s in final.shifts) + sum((b - a).total_seconds() / 3600 for a, b in final.gaps)
        assert round(hours) == 5 * 24


def test_gaps_and_conflicts_are_reported() -> None:
    weekdays = Layer(1, 1, (1,), "Europe/Warsaw", date(2026, 6, 1), time(9), 1, "weeks",
                     (Window(frozenset(range(5)), time(9), time(18)),))
    start = datetime(2026, 6, 1, tzinfo=UTC)
    a = Override(1, 2, start + timedelta(hours=20), start + timedelta(hours=30))
    b = Override(2, 3, start + timedelta(hours=25), start + timedelta(hours=35))
    final = engine.compute([weekdays], [a, b], start, start + timedelta(days=2))
    assert final.gaps[0] == (start, start + timedelta(hours=7))  # before 09:00 Warsaw (07:00 UTC)
    assert [(c.override_ids, c.users) for c in final.conflicts] == [((1, 2), (2, 3))]
    assert final.at(start + timedelta(hours=27)).user == 3  # the newer override wins the overlap


def test_naive_expansion_agrees_with_the_engine() -> None:
    layer = Layer(1, 1, (1, 2, 3), "Europe/Chisinau", date(2026, 3, 1), time(3, 30), 2, "days")
    start = datetime(2026, 3, 25, tzinfo=UTC)
    final = engine.compute([layer], [], start, start + timedelta(days=7))
    for at, user in engine.naive([layer], [], start, start + timedelta(days=7), timedelta(minutes=10)):
        shift = final.at(at)
        assert (shift.user if shift else None) == user
