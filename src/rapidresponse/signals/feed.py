"""What the detection domain reads from (and the demo writes to) the signal store, without touching its
tables: bucket counts over a time range, the signals and trends behind a slice, and bulk counts.

A series is one harm × country × language (``SeriesKey``; "" stands for unknown). These functions take
no actor: the detection tick runs as the system, and detection checks its readers' permissions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import SeriesBucket, Signal, Trend

SeriesKey = tuple[str, str, str]


def series_keys(session: Session, since: datetime | None = None) -> list[SeriesKey]:
    """Every (harm, country, language) with a bucket at or after ``since``, sorted."""
    q = select(SeriesBucket.harm, SeriesBucket.country, SeriesBucket.language).distinct()
    if since is not None:
        q = q.where(SeriesBucket.bucket >= since)
    return sorted((h, c, lang) for h, c, lang in session.execute(q))


def first_bucket(session: Session) -> datetime | None:
    first: datetime | None = session.execute(select(func.min(SeriesBucket.bucket))).scalar_one()
    return first


def series_counts(session: Session, since: datetime, until: datetime, keys: Iterable[SeriesKey] | None = None
           ) -> list[tuple[str, str, str, datetime, int]]:
    """Bucket counts in [since, until); only the given series when ``keys`` is set (missing buckets are absent)."""
    q = select(SeriesBucket.harm, SeriesBucket.country, SeriesBucket.language, SeriesBucket.bucket,
               SeriesBucket.count).where(SeriesBucket.bucket >= since, SeriesBucket.bucket < until)
    wanted = list(keys) if keys is not None else None
    if wanted is not None and len(wanted) == 1:
        h, c, lang = wanted[0]
        q = q.where(SeriesBucket.harm == h, SeriesBucket.country == c, SeriesBucket.language == lang)
    elif wanted is not None and len(wanted) <= 500:
        q = q.where(tuple_(SeriesBucket.harm, SeriesBucket.country, SeriesBucket.language).in_(wanted))
    rows = [(h, c, lang, b, int(n)) for h, c, lang, b, n in session.execute(q)]
    if wanted is not None and len(wanted) > 500:
        allowed = set(wanted)
        rows = [r for r in rows if (r[0], r[1], r[2]) in allowed]
    return rows


def add_series_counts(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add bucket counts in bulk (``harm, country, language, bucket, count``), e.g. synthetic history."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SeriesBucket)
    stmt = ins.on_conflict_do_update(index_elements=["harm", "country", "language", "bucket"],
                                     set_={"count": SeriesBucket.count + ins.excluded.count})
    for i in range(0, len(rows), 5000):
        session.connection().execute(stmt, rows[i:i + 5000])


def signals_behind(session: Session, key: SeriesKey, since: datetime, until: datetime, *, samples: int = 5,
           top: int = 3) -> dict[str, Any]:
    """The signals and trends behind a slice: the first signal's time, sample signals, top trends."""
    harm, country, language = key
    conds = [Signal.harm == (harm or None), Signal.country == (country or None),
             Signal.language == (language or None), Signal.occurred_at >= since, Signal.occurred_at < until]
    first = session.execute(select(func.min(Signal.occurred_at)).where(*conds)).scalar_one()
    rows = session.execute(select(Signal.id, Signal.occurred_at, Signal.source, Signal.text, Signal.trend_id)
                           .where(*conds).order_by(Signal.occurred_at.desc()).limit(samples)).all()
    sample = [{"id": i, "occurred_at": at.isoformat(), "source": src, "text": (text or "")[:300]}
              for i, at, src, text, _ in rows]
    trend_rows = session.execute(select(Signal.trend_id, func.count()).where(*conds, Signal.trend_id.is_not(None))
                                 .group_by(Signal.trend_id).order_by(func.count().desc()).limit(top)).all()
    labels = {t.id: t.label for t in session.execute(
        select(Trend).where(Trend.id.in_([tid for tid, _ in trend_rows]))).scalars()} if trend_rows else {}
    trends = [{"id": tid, "label": labels.get(tid or 0, "")[:200], "count": int(n)} for tid, n in trend_rows]
    return {"first_signal_at": first.isoformat() if first else None, "samples": sample, "trends": trends}


def slice_signal_ids(session: Session, key: SeriesKey, since: datetime, until: datetime,
                     limit: int = 200) -> list[int]:
    """The ids of the series' signals in [since, until), oldest first."""
    harm, country, language = key
    return list(session.execute(
        select(Signal.id).where(Signal.harm == (harm or None), Signal.country == (country or None),
                                Signal.language == (language or None), Signal.occurred_at >= since,
                                Signal.occurred_at < until).order_by(Signal.occurred_at).limit(limit)).scalars())
