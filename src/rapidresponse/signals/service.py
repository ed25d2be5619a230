"""Signal intake and queries: validation, de-duplication, one bulk idempotent insert, one event per batch.

Queries return schemas (:class:`.schemas.SignalOut`, series points). Intake only accepts: a stored signal
is pending until the pipeline stage (:mod:`.stage`) enriches it through the language domain
(:mod:`.pipeline`), counts it in the series, matches its media through the hashes domain and clusters it
into a trend (:mod:`.clustering`); :func:`process_pending` runs that stage in the caller's transaction.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from .. import events, policy
from ..auth import Actor, Perm
from ..clock import now
from ..errors import ValidationFailed
from . import pipeline, stage
from .buckets import bucket_of
from .events import INTAKE_STREAM, BatchIngested
from .models import SeriesBucket, Signal
from .schemas import (
    BUCKET_MINUTES,
    MAX_BATCH,
    BatchResult,
    ExposureRow,
    RowError,
    SeriesOut,
    SeriesPoint,
    SeriesQuery,
    SignalFilter,
    SignalIn,
    SignalOut,
)
from .stage import process_pending as process_pending  # the stage's entry point, beside intake

Mode = Literal["partial", "all_or_nothing"]
MAX_POINTS = 10_000


def _reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"])
        parts.append(f"{where}: {err['msg']}" if where else err["msg"])
    return "; ".join(parts)


def validate_rows(rows: list[dict[str, Any]], *, first_row: int = 0
                  ) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Validated insert-ready rows and the reasons for the others (``row`` counts from ``first_row``)."""
    taxonomy = policy.load_taxonomy()
    good: list[dict[str, Any]] = []
    bad: list[RowError] = []
    for i, raw in enumerate(rows, start=first_row):
        ext = raw.get("external_id") if isinstance(raw, dict) else None
        ext_str = str(ext)[:200] if ext is not None else None
        if not isinstance(raw, dict):
            bad.append(RowError(row=i, reason="a signal must be a JSON object"))
            continue
        try:
            sig = SignalIn.model_validate(raw)
        except ValidationError as exc:
            bad.append(RowError(row=i, external_id=ext_str, reason=_reason(exc)))
            continue
        if sig.harm is not None and sig.harm not in taxonomy:
            bad.append(RowError(row=i, external_id=ext_str,
                                reason=f"harm: unknown harm {sig.harm!r} (see `rapidresponse policy taxonomy`)"))
            continue
        row = sig.model_dump(exclude={"metadata"})
        row["source"] = sig.source.value
        row["meta"] = sig.metadata
        good.append(row)
    return good, bad


def ingest(session: Session, actor: Actor, rows: list[dict[str, Any]], *, mode: Mode = "partial",
           channel: str = "api", first_row: int = 0) -> BatchResult:
    """Insert a batch idempotently on (source, external_id); one event for the batch."""
    actor.require(Perm.SIGNALS_WRITE)
    if len(rows) > MAX_BATCH:
        raise ValidationFailed(f"a batch holds at most {MAX_BATCH} signals, this one has {len(rows)}")
    good, bad = validate_rows(rows, first_row=first_row)
    if bad and mode == "all_or_nothing":
        raise ValidationFailed(f"{len(bad)} of {len(rows)} signals are invalid, so none was stored "
                               "(mode=all_or_nothing); see rejected", rejected=[e.model_dump() for e in bad])
    inserted = insert_rows(session, good)
    if inserted:
        batch = uuid.uuid4().hex[:16]
        harms = Counter(r.get("harm") or "" for r in inserted)
        events.record(session, actor, BatchIngested(
            subject_id=batch, channel=channel, received=len(rows), inserted=len(inserted),
            duplicates=len(good) - len(inserted), rejected=len(bad), first_id=min(r["id"] for r in inserted),
            last_id=max(r["id"] for r in inserted), harms=dict(harms)), stream=INTAKE_STREAM)
    return BatchResult(received=len(rows), inserted=len(inserted), duplicates=len(good) - len(inserted),
                       rejected=bad, mode=mode)


def insert_rows(session: Session, good: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bulk-insert validated rows as pending signals, skipping known (source, external_id); returns the
    inserted rows with ids. Enrichment, series counts, media matches and trends come later, from the
    pipeline stage (:mod:`.stage`)."""
    received = now()
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    for row in good:
        unique.setdefault((row["source"], row["external_id"]), row)
    rows = list(unique.values())
    for row in rows:
        row["received_at"] = received
    if session.get_bind().dialect.name == "postgresql":
        return _insert_unnest(session, rows, unique)
    return _insert_json_each(session, rows, unique)


# (column, PostgreSQL array type) of what intake stores; the rest is derived by the stage.
_ACCEPTED = (("source", "text"), ("external_id", "text"), ("occurred_at", "timestamptz"),
             ("received_at", "timestamptz"), ("content_id", "text"), ("content_type", "text"), ("text", "text"),
             ("media_hash", "text"), ("url", "text"), ("harm", "text"), ("country", "text"),
             ("language", "text"), ("reporter_type", "text"), ("meta", "jsonb"))
_UNNEST_INSERT = (
    f"INSERT INTO signals ({', '.join(c for c, _ in _ACCEPTED)}, text_folded, lexicon_matches) "
    f"SELECT *, '', '[]'::jsonb FROM unnest({', '.join(f'%({c})s::{t}[]' for c, t in _ACCEPTED)}) "
    "ON CONFLICT (source, external_id) DO NOTHING RETURNING id, source, external_id")


def _insert_unnest(session: Session, rows: list[dict[str, Any]],
                   unique: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """PostgreSQL: the whole batch in one statement of one array per column (a multi-row VALUES of
    thousands of placeholders costs more to build and parse than to run)."""
    params: dict[str, list[Any]] = {c: [r.get(c) for r in rows] for c, _ in _ACCEPTED if c != "meta"}
    params["meta"] = [json.dumps(r.get("meta") or {}, ensure_ascii=False) for r in rows]
    inserted: list[dict[str, Any]] = []
    for sid, source, ext in session.connection().exec_driver_sql(_UNNEST_INSERT, params):
        row = unique[(source, ext)]
        row["id"] = sid
        inserted.append(row)
    return inserted


# The row's values by position; ``meta`` (last) is a nested object, stored as its JSON text.
_JSON_EACH_INSERT = (
    f"INSERT INTO signals ({', '.join(c for c, _ in _ACCEPTED)}, text_folded, lexicon_matches) "
    f"SELECT {', '.join(f'j.value ->> {i}' for i in range(len(_ACCEPTED) - 1))}, j.value -> {len(_ACCEPTED) - 1}, "
    "'', '[]' FROM json_each(?) AS j WHERE true "
    "ON CONFLICT (source, external_id) DO NOTHING RETURNING id, source, external_id")


def _insert_json_each(session: Session, rows: list[dict[str, Any]],
                      unique: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """SQLite: the whole batch in one statement with one parameter, a JSON array of rows that SQLite's
    ``json_each`` unpacks (the counterpart of PostgreSQL's ``unnest``; binding thousands of parameters
    row by row costs more than the insert). Values are converted column by column by the columns' own
    bind processors, so they are stored as an ORM insert stores them."""
    dialect = session.get_bind().dialect
    columns: list[list[Any]] = []
    for name, _ in _ACCEPTED[:-1]:
        values = [r.get(name) for r in rows]
        convert = Signal.__table__.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        columns.append(values if convert is None else [None if v is None else convert(v) for v in values])
    columns.append([r.get("meta") or {} for r in rows])
    payload = json.dumps(list(zip(*columns, strict=True)), ensure_ascii=False)
    inserted: list[dict[str, Any]] = []
    for sid, source, ext in session.connection().exec_driver_sql(_JSON_EACH_INSERT, (payload,)):
        row = unique[(source, ext)]
        row["id"] = sid
        inserted.append(row)
    return inserted


def _like(q: str) -> str:
    folded = pipeline.fold(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{folded}%"


def _conditions(flt: SignalFilter) -> list[Any]:
    conds: list[Any] = []
    if flt.harm:
        conds.append(Signal.harm == flt.harm)
    if flt.country:
        conds.append(Signal.country == flt.country.upper())
    if flt.language:
        conds.append(Signal.language == flt.language)
    if flt.source:
        conds.append(Signal.source == flt.source.value)
    if flt.since:
        conds.append(Signal.occurred_at >= flt.since)
    if flt.until:
        conds.append(Signal.occurred_at < flt.until)
    if flt.trend_id is not None:
        conds.append(Signal.trend_id == flt.trend_id)
    if flt.matched is not None:
        conds.append(Signal.lexicon_harm.is_not(None) if flt.matched else Signal.lexicon_harm.is_(None))
    if flt.lexicon_harm:
        conds.append(Signal.lexicon_harm == flt.lexicon_harm)
    if flt.q:
        conds.append(Signal.text_folded.like(_like(flt.q), escape="\\"))
    return conds


def signal_out(sig: Signal) -> SignalOut:
    return SignalOut(id=sig.id, source=sig.source, external_id=sig.external_id, occurred_at=sig.occurred_at,
                     received_at=sig.received_at, content_id=sig.content_id, content_type=sig.content_type,
                     text=sig.text, media_hash=sig.media_hash, url=sig.url, harm=sig.harm, country=sig.country,
                     language=sig.language, reporter_type=sig.reporter_type, metadata=sig.meta or {},
                     trend_id=sig.trend_id, language_detected=sig.language_detected,
                     language_confidence=sig.language_confidence, lexicon_matches=sig.lexicon_matches or [],
                     lexicon_harm=sig.lexicon_harm)


def list_signals(session: Session, actor: Actor, flt: SignalFilter) -> tuple[list[SignalOut], int]:
    """A page of the signals ``flt`` selects, newest first, and how many it selects in all."""
    actor.require(Perm.SIGNALS_READ)
    conds = _conditions(flt)
    total = session.execute(select(func.count()).select_from(Signal).where(*conds)).scalar_one()
    items = session.execute(select(Signal).where(*conds).order_by(Signal.occurred_at.desc(), Signal.id.desc())
                            .limit(flt.limit).offset(flt.offset)).scalars()
    return [signal_out(sig) for sig in items], total


def latest_time(session: Session, actor: Actor, flt: SignalFilter) -> datetime | None:
    """The time of the newest signal ``flt`` selects, whatever its time range."""
    actor.require(Perm.SIGNALS_READ)
    latest: datetime | None = session.execute(select(func.max(Signal.occurred_at)).where(
        *_conditions(flt.model_copy(update={"since": None, "until": None})))).scalar_one_or_none()
    return latest


def signals_by_ids(session: Session, actor: Actor, ids: list[int]) -> list[SignalOut]:
    actor.require(Perm.SIGNALS_READ)
    if not ids:
        return []
    found = {s.id: s for s in session.execute(select(Signal).where(Signal.id.in_(ids[:500]))).scalars()}
    return [signal_out(found[i]) for i in ids if i in found]


def _bucket_number(session: Session, seconds: int) -> Any:
    """SQL for the number of the ``seconds``-long bucket (since the epoch) a signal's time falls in."""
    if session.get_bind().dialect.name == "postgresql":
        return func.floor(func.extract("epoch", Signal.occurred_at) / seconds)
    return func.cast(func.strftime("%s", Signal.occurred_at), Integer) / seconds


def filtered_series(session: Session, actor: Actor, flt: SignalFilter, *, since: datetime, until: datetime,
                    bucket_minutes: int) -> list[SeriesPoint]:
    """Counts of the signals ``flt`` selects (every filter, text search included) per bucket over
    [since, until), counted from the signals themselves: the explorer's chart."""
    actor.require(Perm.SIGNALS_READ)
    if bucket_minutes < 1 or until <= since:
        raise ValidationFailed("the chart needs a positive bucket and until after since")
    step = timedelta(minutes=bucket_minutes)
    start = bucket_of(since, bucket_minutes)
    n = min(MAX_POINTS, int((until - start) / step) + (1 if (until - start) % step else 0))
    conds = [*_conditions(flt.model_copy(update={"since": None, "until": None})),
             Signal.occurred_at >= start, Signal.occurred_at < start + n * step]
    number = _bucket_number(session, int(step.total_seconds())).label("n")
    rows = session.execute(select(number, func.count()).where(*conds).group_by(number)).all()
    counts = [0] * n
    first = int((start - bucket_of(datetime(1970, 1, 1, tzinfo=start.tzinfo), bucket_minutes)).total_seconds()
                // step.total_seconds())
    for k, c in rows:
        i = int(k) - first
        if 0 <= i < n:
            counts[i] += int(c)
    return [SeriesPoint(bucket=start + i * step, count=c) for i, c in enumerate(counts)]


def series(session: Session, actor: Actor, query: SeriesQuery) -> SeriesOut:
    """Counts in buckets of ``bucket_minutes`` (a multiple of 5) over [since, until); zeros included."""
    actor.require(Perm.SIGNALS_READ)
    size = query.bucket_minutes
    if size % BUCKET_MINUTES:
        raise ValidationFailed(f"bucket_minutes must be a multiple of {BUCKET_MINUTES}, not {size}")
    if query.until <= query.since:
        raise ValidationFailed("until must be after since")
    start, end = bucket_of(query.since, size), query.until
    points = int((end - start) / timedelta(minutes=size)) + 1
    if points > MAX_POINTS:
        raise ValidationFailed(f"{points} buckets asked for, at most {MAX_POINTS}: use a larger bucket_minutes")
    conds: list[Any] = [SeriesBucket.bucket >= bucket_of(query.since), SeriesBucket.bucket < end]
    if query.harm:
        conds.append(SeriesBucket.harm == query.harm)
    if query.country:
        conds.append(SeriesBucket.country == query.country.upper())
    if query.language:
        conds.append(SeriesBucket.language == query.language)
    rows = session.execute(select(SeriesBucket.bucket, func.sum(SeriesBucket.count)).where(*conds)
                           .group_by(SeriesBucket.bucket)).all()
    sums: Counter[datetime] = Counter()
    for bucket, count in rows:
        sums[bucket_of(bucket, size)] += int(count)
    out, at = [], start
    while at < end:
        out.append(SeriesPoint(bucket=at, count=sums.get(at, 0)))
        at += timedelta(minutes=size)
    return SeriesOut(harm=query.harm, country=query.country.upper() if query.country else None,
                     language=query.language, bucket_minutes=size, points=out, total=sum(p.count for p in out))


def exposure(session: Session, actor: Actor, *, harms: list[str], countries: list[str], languages: list[str],
             since: datetime, until: datetime) -> list[ExposureRow]:
    """How many signals of ``harms`` (in ``countries`` and ``languages`` when given) arrived in
    [since, until), by country, language and source: what users saw or reported before the team acted."""
    actor.require(Perm.SIGNALS_READ)
    if until <= since:
        return []
    conds: list[Any] = [Signal.occurred_at >= since, Signal.occurred_at < until]
    if harms:
        conds.append(Signal.harm.in_(harms))
    if countries:
        conds.append(Signal.country.in_(countries))
    if languages:
        conds.append(Signal.language.in_(languages))
    rows = session.execute(select(Signal.country, Signal.language, Signal.source, func.count())
                           .where(*conds).group_by(Signal.country, Signal.language, Signal.source))
    return sorted((ExposureRow(country=c or "", language=lang or "", source=src, count=int(n))
                   for c, lang, src, n in rows), key=lambda r: (-r.count, r.country, r.language, r.source))


EXPORT_COLUMNS = ("id", "occurred_at", "received_at", "source", "harm", "country", "language", "language_detected",
                  "reporter_type", "content_type", "trend_id", "lexicon_harm")
"""What a signal is to the analytics warehouse: when, what harm, where and in which language, who sent
it; not its text, url or media (the content stays in the operational database)."""


def export_after(session: Session, actor: Actor, after_id: int, limit: int) -> list[tuple[Any, ...]]:
    """Up to ``limit`` signals with an id above ``after_id``, lowest id first, as rows of
    :data:`EXPORT_COLUMNS` (times timezone-aware UTC): how the warehouse follows the signal store. Only
    signals below the first pending one: the warehouse gets each signal once, processed (with its trend)."""
    actor.require(Perm.SIGNALS_READ)
    columns = [getattr(Signal, name) for name in EXPORT_COLUMNS]
    conds = [Signal.id > after_id]
    if (first := stage.first_pending_id(session)) is not None:  # the stage has not yet processed the rest
        conds.append(Signal.id < first)
    rows = session.execute(select(*columns).where(*conds).order_by(Signal.id).limit(limit))
    return [tuple(row) for row in rows]


def last_id(session: Session, actor: Actor) -> int:
    """The highest signal id (0 when there is none): how far the warehouse has to go."""
    actor.require(Perm.SIGNALS_READ)
    return int(session.execute(select(func.max(Signal.id))).scalar() or 0)
