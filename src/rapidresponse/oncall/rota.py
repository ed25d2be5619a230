"""The rota drawing: one SVG row per layer, the overrides and the final schedule, gaps in red and
public holidays shaded, laid out on the server (no JavaScript, no inline styles)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from ..auth import Actor
from . import engine, reports, service

LABEL_W, WIDTH, ROW_H, HEAD_H = 150.0, 1100.0, 34.0, 30.0


@dataclass
class Bar:
    x: float
    w: float
    cls: str
    label: str
    title: str


@dataclass
class Row:
    label: str
    y: float
    bars: list[Bar] = field(default_factory=list)
    kind: str = "layer"


@dataclass
class Tick:
    x: float
    label: str
    weekend: bool
    holiday: str


@dataclass
class Rota:
    start: datetime
    end: datetime
    rows: list[Row]
    ticks: list[Tick]
    holidays: list[Bar]
    height: float
    width: float = WIDTH
    label_w: float = LABEL_W
    head_h: float = HEAD_H
    gaps: int = 0
    conflicts: int = 0
    final: engine.Final | None = None


def _x(at: datetime, start: datetime, end: datetime) -> float:
    span = (end - start).total_seconds()
    return round(LABEL_W + (WIDTH - LABEL_W) * (at - start).total_seconds() / span, 2)


def build(session: Session, actor: Actor, schedule_id: int, *, start: datetime, days: int, tz: str,
          fmt: Callable[[datetime], str]) -> Rota:
    """Lay out ``days`` days from ``start`` (midnight in the viewer's zone ``tz``)."""
    end = start + timedelta(days=days)
    sched = service.get_schedule(session, actor, schedule_id)
    layer_rows = service.layers_of(session, sched.id)
    final = service.compute(session, actor, sched.id, start, end)
    overrides = service.overrides_of(session, sched.id, start, end)
    users = service.users_by_id(session, [u for la in layer_rows for u in la.user_ids]
                                + [s.user for s in final.shifts] + [o.user_id for o in overrides])

    def name(user_id: int) -> str:
        user = users.get(user_id)
        return (user.display_name or user.username) if user else f"#{user_id}"

    def bar(a: datetime, b: datetime, user: int | None, cls: str, extra: str = "") -> Bar:
        x1, x2 = _x(max(a, start), start, end), _x(min(b, end), start, end)
        who = name(user) if user is not None else ""
        colour = f" p{user % 8}" if user is not None else ""
        label = who if x2 - x1 > 8 * max(len(who), 1) else ""
        return Bar(x1, round(x2 - x1, 2), f"{cls}{colour}", label, f"{who} {fmt(a)} – {fmt(b)}{extra}".strip())

    rows: list[Row] = []
    y = HEAD_H
    for la in sorted(layer_rows, key=lambda x: -x.level):
        row = Row(f"{la.level} · {la.name}", y)
        row.bars = [bar(s.start, s.end, s.user, "shift") for s in
                    engine.layer_shifts(service.to_engine_layer(la), start, end)]
        rows.append(row)
        y += ROW_H
    ov_row = Row("overrides", y, [bar(o.starts_at, o.ends_at, o.user_id, "shift override",
                                      f" · {o.reason}" if o.reason else "") for o in overrides], kind="overrides")
    rows.append(ov_row)
    y += ROW_H
    final_row = Row("final", y, kind="final")
    final_row.bars = [bar(s.start, s.end, s.user, "shift final" + (" from-override" if s.source == "override" else ""))
                      for s in final.shifts]
    final_row.bars += [bar(a, b, None, "gap") for a, b in final.gaps]
    rows.append(final_row)
    y += ROW_H

    zone = engine.zone(tz)
    local_start = start.astimezone(zone).date()
    marked = reports.rota_holidays(layer_rows, sched.country, local_start, local_start + timedelta(days=days))
    ticks, holidays = [], []
    for i in range(days):
        day = local_start + timedelta(days=i)
        a = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        b = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        names = "; ".join(marked.get(day, []))
        ticks.append(Tick(_x(a, start, end), _day_label(day), day.weekday() >= 5, names))
        if names:
            holidays.append(Bar(_x(a, start, end), round(_x(b, start, end) - _x(a, start, end), 2), "holiday", "",
                                f"{day.isoformat()}: {names}"))
    return Rota(start, end, rows, ticks, holidays, y + 8, gaps=len(final.gaps), conflicts=len(final.conflicts),
                final=final)


def _day_label(day: date) -> str:
    return f"{day:%d.%m}"
