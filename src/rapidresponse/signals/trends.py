"""Trends as people read them: the near-duplicate clusters (:mod:`.clustering`) with their counts per
5-minute bucket, growth over the last hour, sparklines and series, and their split by language (in
lists) or by language and script (one trend): one trend can hold a challenge posted in Russian and
Kazakh, in Cyrillic and Latin letters."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import language
from ..auth import Actor, Perm
from ..clock import now
from ..db import get_or_404, paged
from ..errors import NotFound, ValidationFailed
from .buckets import bucket_of
from .models import Signal, Trend, TrendBucket
from .schemas import BUCKET_MINUTES, SeriesPoint, TrendOut, TrendSeriesOut, TrendSeriesQuery, TrendShare

MAX_POINTS = 10_000


def _window_sums(session: Session, ids: list[int], start: datetime, end: datetime,
                 size: timedelta) -> dict[int, list[int]]:
    """Per trend, its counts in consecutive buckets of ``size`` over [start, end) from the series."""
    n = int((end - start) / size)
    out: dict[int, list[int]] = {i: [0] * n for i in ids}
    for i in range(0, len(ids), 5000):
        part = ids[i:i + 5000]
        rows = session.execute(select(TrendBucket.trend_id, TrendBucket.bucket, TrendBucket.count)
                               .where(TrendBucket.trend_id.in_(part), TrendBucket.bucket >= start,
                                      TrendBucket.bucket < end))
        for tid, bucket, count in rows:
            k = int((bucket - start) / size)
            if 0 <= k < n:
                out[tid][k] += count
    return out


def _hour_counts(session: Session, ids: list[int], at: datetime) -> dict[int, tuple[int, int]]:
    """(last hour, the hour before) per trend, from its series; the bucket ``at`` is in counts."""
    end = bucket_of(at) + timedelta(minutes=BUCKET_MINUTES)
    hour = timedelta(hours=1)
    sums = _window_sums(session, ids, end - 2 * hour, end, hour)
    return {tid: (v[1], v[0]) for tid, v in sums.items()}


def _out(trend: Trend, counts: tuple[int, int], shares: list[TrendShare] | None = None) -> TrendOut:
    last, prev = counts
    return TrendOut(id=trend.id, label=trend.label, harm=trend.harm, count=trend.count,
                    first_seen=trend.first_seen, last_seen=trend.last_seen, last_hour=last, previous_hour=prev,
                    growth=round(last / prev, 3) if prev else None, samples=list(trend.samples),
                    languages=shares or [])


def _sorted(counts: Counter[tuple[str, str | None]]) -> list[TrendShare]:
    return [TrendShare(language=lang, script=script, count=n)
            for (lang, script), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))]


def language_split(session: Session, ids: list[int]) -> dict[int, list[TrendShare]]:
    """Per trend, its signals per language (the reporter's, else the detected one), most first."""
    out: dict[int, Counter[tuple[str, str | None]]] = {i: Counter() for i in ids}
    for i in range(0, len(ids), 5000):
        rows = session.execute(select(Signal.trend_id, Signal.language, func.count())
                               .where(Signal.trend_id.in_(ids[i:i + 5000]))
                               .group_by(Signal.trend_id, Signal.language))
        for tid, lang, n in rows:
            if tid is not None:
                out[tid][(lang or "", None)] += int(n)
    return {tid: _sorted(c) for tid, c in out.items()}


def script_split(session: Session, trend_id: int) -> list[TrendShare]:
    """One trend's signals per language and script (the script most letters of the text are in)."""
    counts: Counter[tuple[str, str | None]] = Counter()
    rows = session.execute(select(Signal.language, Signal.text_folded).where(Signal.trend_id == trend_id))
    for lang, text in rows.yield_per(2000):
        counts[(lang or "", language.script(text or ""))] += 1
    return _sorted(counts)


def growth_key(t: TrendOut) -> tuple[float, int, datetime]:
    """Fastest growing first: a trend new this hour (nothing the hour before) ranks by its count."""
    rate = t.growth if t.growth is not None else (float(t.last_hour) if t.last_hour else 0.0)
    return (rate, t.last_hour, t.last_seen)


def list_trends(session: Session, actor: Actor, *, min_count: int = 2, harm: str | None = None,
                since: datetime | None = None, limit: int = 50,
                order: Literal["recent", "growth"] = "recent") -> list[TrendOut]:
    """Trends with at least ``min_count`` signals, most recently active first (or fastest growing
    first among the ``4 × limit`` most recently active)."""
    actor.require(Perm.SIGNALS_READ)
    conds: list[Any] = [Trend.count >= min_count]
    if harm:
        conds.append(Trend.harm == harm)
    if since:
        conds.append(Trend.last_seen >= since)
    query = paged(select(Trend).where(*conds).order_by(Trend.last_seen.desc(), Trend.id.desc()), limit)
    found = list(session.execute(query.limit(limit * 4) if order == "growth" else query).scalars())
    counts = _hour_counts(session, [t.id for t in found], now())
    shares = language_split(session, [t.id for t in found])
    out = [_out(t, counts[t.id], shares[t.id]) for t in found]
    if order == "growth":
        out.sort(key=growth_key, reverse=True)
    return out[:limit]


def get_trend(session: Session, actor: Actor, trend_id: int) -> TrendOut:
    actor.require(Perm.SIGNALS_READ)
    trend = get_or_404(session, Trend, trend_id, "trend")
    return _out(trend, _hour_counts(session, [trend.id], now())[trend.id], script_split(session, trend.id))


def sparklines(session: Session, actor: Actor, ids: list[int], *, hours: int = 24,
               bucket_minutes: int = 60) -> dict[int, list[int]]:
    """Per trend, its counts over the last ``hours`` hours (up to now) in buckets of ``bucket_minutes``."""
    actor.require(Perm.SIGNALS_READ)
    size = timedelta(minutes=bucket_minutes)
    end = bucket_of(now(), bucket_minutes) + size
    return _window_sums(session, ids, end - hours * timedelta(hours=1), end, size)


def trend_series(session: Session, actor: Actor, trend_id: int, query: TrendSeriesQuery) -> TrendSeriesOut:
    """A trend's counts in buckets of ``bucket_minutes`` (a multiple of 5) over [since, until)."""
    actor.require(Perm.SIGNALS_READ)
    if session.get(Trend, trend_id) is None:
        raise NotFound(f"no trend {trend_id}")
    size = query.bucket_minutes
    if size % BUCKET_MINUTES:
        raise ValidationFailed(f"bucket_minutes must be a multiple of {BUCKET_MINUTES}, not {size}")
    if query.until <= query.since:
        raise ValidationFailed("until must be after since")
    start = bucket_of(query.since, size)
    step = timedelta(minutes=size)
    n = int((query.until - start) / step) + (1 if (query.until - start) % step else 0)
    if n > MAX_POINTS:
        raise ValidationFailed(f"{n} buckets asked for, at most {MAX_POINTS}: use a larger bucket_minutes")
    counts = _window_sums(session, [trend_id], start, start + n * step, step)[trend_id]
    points = [SeriesPoint(bucket=start + i * step, count=c) for i, c in enumerate(counts)]
    return TrendSeriesOut(trend_id=trend_id, bucket_minutes=size, points=points, total=sum(counts))
