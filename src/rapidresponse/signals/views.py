"""Signals explorer and trends: filter and search signals, a chart of the filter, sample rows with
lexicon matches marked and media blurred; trends by growth with sparklines, and one trend's page."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from .. import policy, wellness
from ..auth import Perm
from ..clock import now
from ..db import unit_of_work
from ..http import Id
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.errors import html_error
from ..web.security import PostedDep, WebUser, require_user, safe_next
from ..web.templating import format_time, render, zone
from . import service, trends
from .charts import bar_chart, bucket_for, sparkline
from .schemas import SignalFilter, SignalOut, Source, TrendOut
from .viewing import safe_text

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
UserDep = Annotated[WebUser, Depends(require_user)]
PAGE = 25
SOURCE_LABELS = {"user_report": N_("User report"), "classifier": N_("Classifier"),
                 "trusted_flagger": N_("Trusted flagger"), "hash_match": N_("Hash match"),
                 "partner": N_("Partner"), "press": N_("Press"), "regulator": N_("Regulator")}
pages.globals_(SIGNAL_SOURCE_LABELS=SOURCE_LABELS)  # other pages name a signal's source too
PERIODS = {"1h": (N_("Last hour"), timedelta(hours=1)), "24h": (N_("Last 24 hours"), timedelta(hours=24)),
           "7d": (N_("Last 7 days"), timedelta(days=7)), "30d": (N_("Last 30 days"), timedelta(days=30))}
FIELDS = ("q", "harm", "country", "language", "source", "period", "since", "until", "matched", "trend")
IMAGE_TYPES = frozenset({"image", "photo", "picture", "meme", "screenshot"})
PLAYED_TYPES = {"video": "video", "clip": "video", "stream": "video", "audio": "audio", "voice": "audio"}


def _harm_names(locale: str) -> dict[str, str]:
    return {h.slug: (h.name.ru if locale == "ru" else h.name.en) for h in policy.load_taxonomy().harms()
            if not h.is_area}


def pieces(sig: SignalOut) -> list[tuple[str, bool]]:
    """The text in pieces, each marked whether a lexicon match covers it (for <mark> without |safe)."""
    text, out, pos = sig.text or "", [], 0
    spans = sorted((int(m.get("start", 0)), int(m.get("end", 0))) for m in (sig.lexicon_matches or []))
    for start, end in spans:
        if start < pos or not 0 <= start < end <= len(text):
            continue
        out += [(text[pos:start], False), (text[start:end], True)]
        pos = end
    out.append((text[pos:], False))
    return [p for p in out if p[0]]


def media(sig: SignalOut) -> dict[str, str] | None:
    """What the row shows of the signal's media: an image, a video or a recording we may load (a data:
    URL of its kind or one of our own paths, CSP allows nothing else), or only a link; None without media."""
    url = sig.url or ""
    kind = (sig.content_type or "").lower()
    ours = url.startswith("/") and not url.startswith("//")
    if kind in IMAGE_TYPES and (url.startswith("data:image/") or ours):
        return {"kind": "image", "src": url}
    played = PLAYED_TYPES.get(kind)
    if played and (url.startswith(f"data:{played}/") or ours):
        return {"kind": played, "src": url}
    if url.startswith(("https://", "http://")):
        return {"kind": "link", "href": url, "type": kind}
    if sig.media_hash:
        return {"kind": "hash", "hash": sig.media_hash}
    return None


Row = tuple[SignalOut, list[tuple[str, bool]], dict[str, str] | None, wellness.ItemView]


def row(sig: SignalOut, view: wellness.SafeView) -> Row:
    """A signal as one person sees it: their safe-viewing settings applied (the worst terms masked,
    hidden until revealed, media blurred, child-safety media never shown, only its hash)."""
    shown = view.item(sig.harm, f"signal-{sig.id}")
    parts = pieces(sig)
    if shown.mask:
        parts = [(wellness.MASK, True) if hit else (piece, hit) for piece, hit in parts]
    med = media(sig)
    if med is not None and not shown.media:
        med = {"kind": "withheld", "hash": sig.media_hash or ""}
    return sig, parts, med, shown


def _standing(s: Any, user: WebUser) -> wellness.Standing | None:
    """The viewer's own budget standing, for the break prompt (None for an actor who is not a person)."""
    return wellness.standing(s, user.actor) if user.actor.user_id is not None else None


def with_revealed(target: str, key: str) -> str:
    """``target`` (a local path) showing the item ``key`` revealed, scrolled to it."""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "revealed"] + [("revealed", key)]
    return urlunsplit(("", "", parts.path, urlencode(query), key))


def _local(value: str, tz: str) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone(tz))


def _filter(raw: dict[str, str], tz: str, page: int) -> tuple[SignalFilter | None, dict[str, str]]:
    """The explorer form as a ``SignalFilter``, or the reasons it is not one (per field)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {k: (raw.get(k) or "").strip() or None for k in ("q", "harm", "language", "source")}
    values["country"] = (raw.get("country") or "").strip().upper() or None
    try:
        values["since"], values["until"] = _local(raw.get("since", ""), tz), _local(raw.get("until", ""), tz)
    except ValueError:
        errors["since"] = N_("Times must look like 2026-03-01T08:00.")
    period = raw.get("period") or ""
    if period in PERIODS and not values.get("since"):
        values["since"] = now() - PERIODS[period][1]
    elif period and period not in PERIODS:
        errors["period"] = N_("Unknown period.")
    matched = raw.get("matched") or ""
    values["matched"] = {"1": True, "0": False}.get(matched)
    trend = raw.get("trend") or ""
    if trend:
        values["trend_id"] = trend
    values.update(limit=PAGE, offset=(page - 1) * PAGE)
    if errors:
        return None, errors
    try:
        return SignalFilter.model_validate(values), {}
    except ValidationError as exc:
        for err in exc.errors():
            errors[str(err["loc"][0]) if err["loc"] else "q"] = N_("This value is not valid here.")
        return None, errors


def _chart(s: Any, user: WebUser, flt: SignalFilter, tz: str) -> Any:
    until = flt.until
    if until is None:
        latest = service.latest_time(s, user.actor, flt)
        until = latest + timedelta(minutes=5) if latest else now()  # the last day with signals
    since = flt.since or until - timedelta(hours=24)
    if since >= until:
        return None
    minutes = bucket_for(until - since)
    points = service.filtered_series(s, user.actor, flt, since=since, until=until, bucket_minutes=minutes)
    fmt = "%H:%M" if until - since <= timedelta(days=1) else "%m-%d %H:%M"
    return bar_chart([(p.bucket, p.count) for p in points], minutes,
                     lambda at: at.astimezone(zone(tz)).strftime(fmt))


@router.get("/signals")
def explorer(request: Request, user: UserDep,
             page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    """Signals filtered by harm, country, language, source, time, lexicon matches, trend and text."""
    user.actor.require(Perm.SIGNALS_READ)
    locale, tz = request_locale(request), user.actor.timezone or "UTC"
    raw = {k: str(request.query_params.get(k, ""))[:400] for k in FIELDS}
    flt, errors = _filter(raw, tz, page)
    items: list[SignalOut] = []
    total, chart = 0, None
    if flt is not None:
        with unit_of_work(read_only=True) as s:
            items, total = service.list_signals(s, user.actor, flt)
            chart = _chart(s, user, flt, tz)
            view = wellness.safe_view(s, user.actor, request.query_params.get("revealed"))
            rows = [row(sig, view) for sig in items]
            standing = _standing(s, user)
    else:
        rows, standing = [], None
    keep = {k: v for k, v in raw.items() if v}
    pages = max(1, -(-total // PAGE))
    return render(request, "signals/explorer.html", {
        "raw": raw, "errors": errors, "rows": rows, "total": total, "page": page, "pages": pages,
        "prev_url": f"/signals?{urlencode({**keep, 'page': page - 1})}" if page > 1 else "",
        "next_url": f"/signals?{urlencode({**keep, 'page': page + 1})}" if page < pages else "",
        "filtered": bool(keep), "chart": chart, "export_url": "/signals/export.csv?" + urlencode(keep),
        "harms": _harm_names(locale), "sources": [s.value for s in Source],
        "source_labels": SOURCE_LABELS, "periods": PERIODS, "standing": standing}, status=422 if errors else 200)


def _trend_rows(s: Any, user: WebUser, found: list[TrendOut]) -> list[tuple[TrendOut, str, str | None]]:
    """Each trend with its sparkline and its label as the viewer sees it (None: hidden by their settings)."""
    lines = trends.sparklines(s, user.actor, [t.id for t in found])
    view = wellness.safe_view(s, user.actor)
    return [(t, sparkline(lines.get(t.id, [])), safe_text(s, view, t.harm, t.label, f"trend-{t.id}"))
            for t in found]


EXPORT_PAGES = 20  # an export holds at most this many pages of 500 signals


def export_row(sig: SignalOut, view: wellness.SafeView) -> list[str]:
    """A signal as an export line for one person: the worst terms masked when their settings mask
    them, and child-safety media as its hash only."""
    shown = view.item(sig.harm, "")
    text = sig.text or ""
    if shown.mask:
        text = wellness.mask_text(text, [(int(m.get("start", 0)), int(m.get("end", 0)))
                                         for m in (sig.lexicon_matches or [])])
    media = (sig.url or "") if shown.media else (f"hash:{sig.media_hash}" if sig.media_hash else "")
    return [str(sig.id), sig.occurred_at.isoformat(), sig.source, sig.harm or "", sig.country or "",
            sig.language or "", text, media]


@router.get("/signals/export.csv")
def export_csv(request: Request, user: UserDep) -> Response:
    """The explorer's filter as CSV (up to 10,000 signals, newest first), safe viewing applied."""
    user.actor.require(Perm.SIGNALS_READ)
    tz = user.actor.timezone or "UTC"
    raw = {k: str(request.query_params.get(k, ""))[:400] for k in FIELDS}
    flt, errors = _filter(raw, tz, 1)
    if flt is None:
        return html_error(request, 422, "Invalid filter", "; ".join(f"{k}: {v}" for k, v in errors.items()))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "occurred_at", "source", "harm", "country", "language", "text", "media"])
    with unit_of_work(read_only=True) as s:
        view = wellness.safe_view(s, user.actor)
        for number in range(EXPORT_PAGES):
            items, _ = service.list_signals(s, user.actor, flt.model_copy(update={"limit": 500,
                                                                                 "offset": number * 500}))
            writer.writerows(export_row(sig, view) for sig in items)
            if len(items) < 500:
                break
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="signals.csv"'})


@router.get("/trends")
def trend_list(request: Request, user: UserDep,
               order: Annotated[str, Query(pattern="^(growth|recent)$")] = "growth",
               harm: Annotated[str, Query(pattern="^[a-z0-9_-]{0,80}$")] = "") -> Response:
    """Trends (near-duplicate reports) fastest growing first, with 24-hour sparklines."""
    user.actor.require(Perm.SIGNALS_READ)
    locale = request_locale(request)
    with unit_of_work(read_only=True) as s:
        found = trends.list_trends(s, user.actor, harm=harm or None, limit=50,
                                   order="growth" if order == "growth" else "recent")
        rows = _trend_rows(s, user, found)
    return render(request, "signals/trends.html", {"rows": rows, "order": order, "harm": harm,
                                                   "harms": _harm_names(locale)})


@router.get("/trends/{trend_id}")
def trend_page(request: Request, trend_id: Id, user: UserDep) -> Response:
    """One trend: its growth, a chart of its signals over time, samples and its signals."""
    locale, tz = request_locale(request), user.actor.timezone or "UTC"
    with unit_of_work(read_only=True) as s:
        trend = trends.get_trend(s, user.actor, trend_id)
        until = max(trend.last_seen, now()) if trend.last_seen > now() - timedelta(hours=24) else trend.last_seen
        until += timedelta(minutes=5)
        since = min(trend.first_seen, until - timedelta(hours=1))
        minutes = bucket_for(until - since)
        flt = SignalFilter(trend_id=trend.id, limit=PAGE)
        points = service.filtered_series(s, user.actor, flt, since=since, until=until, bucket_minutes=minutes)
        items, total = service.list_signals(s, user.actor, flt)
        samples = service.signals_by_ids(s, user.actor, trend.samples)
        view = wellness.safe_view(s, user.actor, request.query_params.get("revealed"))
        rows = [row(sig, view) for sig in items]
        sample_rows = [row(sig, view) for sig in samples]
        label = safe_text(s, view, trend.harm, trend.label, f"trend-{trend.id}")
        standing = _standing(s, user)
    fmt = "%H:%M" if until - since <= timedelta(days=1) else "%m-%d %H:%M"
    chart = bar_chart([(p.bucket, p.count) for p in points], minutes,
                      lambda at: at.astimezone(zone(tz)).strftime(fmt))
    return render(request, "signals/trend.html", {
        "trend": trend, "chart": chart, "rows": rows, "total": total, "samples": sample_rows,
        "harms": _harm_names(locale), "source_labels": SOURCE_LABELS, "first": format_time(trend.first_seen, tz),
        "last": format_time(trend.last_seen, tz), "standing": standing, "label": label})


@router.post("/signals/{signal_id}/reveal")
def reveal(request: Request, signal_id: Id, posted: PostedDep) -> Response:
    """Reveal one signal (its text unmasked, its image unblurred) and log the exposure: its harm class
    and intensity, never its content. Back to the page it was on, that item revealed."""
    posted.actor.require(Perm.SIGNALS_READ)
    target = safe_next(str(posted.form.get("next") or ""), "/signals")
    with unit_of_work() as s:
        found = service.signals_by_ids(s, posted.actor, [signal_id])
        if not found:
            return html_error(request, 404, "Not found", f"no signal {signal_id}")
        wellness.record(s, posted.actor, found[0].harm, "reveal")
    return RedirectResponse(with_revealed(target, f"signal-{signal_id}"), status_code=303)
