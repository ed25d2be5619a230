"""The demo's «собачий кайф» challenge is one trend: reports in Russian and Kazakh, in Cyrillic and in
Latin letters, join it, and the trend shows its split by language and script (API and page)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from rapidresponse.app import create_app
from rapidresponse.auth import SYSTEM
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from rapidresponse.demo.data import PEOPLE
from rapidresponse.demo.seed import seed
from rapidresponse.signals import trends
from rapidresponse.signals.models import Signal
from rapidresponse.web.templating import compile_catalogs


def test_the_demo_challenge_is_one_trend_with_its_language_split(engine: Engine) -> None:
    compile_catalogs()
    seed(history_size=5)
    with unit_of_work(read_only=True) as s:
        challenge = select(Signal).where(Signal.harm == "dangerous_challenge")
        ids = set(s.execute(select(Signal.trend_id).where(Signal.harm == "dangerous_challenge")).scalars())
        total = s.scalar(select(func.count()).select_from(challenge.subquery()))
        assert len(ids) == 1 and None not in ids, ids  # before: four trends, one per template's language
        [tid] = ids
        trend = trends.get_trend(s, SYSTEM, tid)
        assert trend.count == total and trend.harm == "dangerous_challenge"
        split = {(share.language, share.script): share.count for share in trend.languages}
        assert set(split) == {("ru", "cyrillic"), ("ru", "latin"), ("kk", "cyrillic")}
        assert sum(split.values()) == total
        # background reports (phishing and the rest) keep trends of their own
        others = s.execute(select(Signal.trend_id).where(Signal.harm != "dangerous_challenge",
                                                         Signal.trend_id.is_not(None))).scalars().all()
        assert others and tid not in set(others)
    with unit_of_work() as s:
        analyst = auth.to_actor(auth.find_person(s, "nurlan.akhmetov"))
        _, secret = auth.create_token(s, analyst, name="demo test", days=1)
    with TestClient(create_app(embedded_worker=False)) as client:
        bearer = {"Authorization": f"Bearer {secret}"}
        got = client.get(f"/api/v1/trends/{tid}", headers=bearer)
        assert got.status_code == 200
        assert {(x["language"], x["script"]) for x in got.json()["languages"]} == set(split)
        listed = client.get("/api/v1/trends", params={"harm": "dangerous_challenge"}, headers=bearer).json()
        assert [t["id"] for t in listed] == [tid] and {x["language"] for x in listed[0]["languages"]} == {"ru", "kk"}
        login = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert csrf
        person = next(p for p in PEOPLE if p.username == "nurlan.akhmetov")
        done = client.post("/login", data={"username": person.username, "password": person.password,
                                           "csrf_token": csrf.group(1), "next": "/"}, follow_redirects=False)
        assert done.status_code == 303, done.text
        page = client.get(f"/trends/{tid}")  # nurlan.akhmetov reads the product in Russian
        assert page.status_code == 200 and 'id="trend-languages"' in page.text
        assert "Языки и письменности" in page.text and "Латиница" in page.text and "Кириллица" in page.text
