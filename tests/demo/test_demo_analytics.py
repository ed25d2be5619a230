"""The demo's year of history fills the analytics warehouse on first start: real-looking figures and
trends, with the restricted incidents kept from those who may not see them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine

from rapidresponse import analytics
from rapidresponse.auth import service as auth
from rapidresponse.clock import now
from rapidresponse.db import unit_of_work
from rapidresponse.demo import seed
from rapidresponse.demo.cli import warehouse_with_progress


def test_the_demo_year_shows_figures_and_trends(engine: Engine, tmp_path: Path, env: Callable[..., None]) -> None:
    env(analytics_path=str(tmp_path / "warehouse.duckdb"))
    seed(history_size=120)
    warehouse_with_progress()
    year = analytics.MetricFilter(start=(now() - timedelta(days=365)).date(), end=now().date())
    with unit_of_work(read_only=True) as s:
        admin = auth.to_actor(auth.find_person(s, "marta.zielinska"))
        overview = analytics.overview(s, admin, year)
        weekly = analytics.metric(s, admin, "weekly", year)
        countries = analytics.metric(s, admin, "by_country", year)
        harms = analytics.metric(s, admin, "by_harm", year)
        viewer = auth.to_actor(auth.find_person(s, "aziz.rakhimov"))
        theirs = analytics.overview(s, viewer, year)
    assert overview.incidents >= 100
    stages = {st.stage: st for st in overview.stages}
    assert all(stages[name].median and stages[name].median > 0 for name in ("declare", "mitigate", "resolve"))
    assert stages["mitigate"].p90 and stages["mitigate"].p90 > stages["mitigate"].median  # type: ignore[operator]
    assert len(weekly.rows) >= 30 and len(countries.rows) >= 8 and len(harms.rows) >= 6
    assert overview.recurring > 0  # reviewed harms come back to the same countries
    assert theirs.incidents < overview.incidents  # restricted incidents are left out for those who may not see them
