"""The on-call API and CLI: building a rota, the final schedule, overrides and swaps, pages, fairness,
and the iCalendar export read back by an independent reader."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
import recurring_ical_events
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from factories.oncall import Rota
from rapidresponse.app import create_app
from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth
from rapidresponse.cli import app as cli_app
from rapidresponse.db import unit_of_work
from rapidresponse.oncall import ical, paging, service
from rapidresponse.oncall.models import Layer, Override, Page
from rapidresponse.oncall.schemas import PageIn

PROBLEM = "application/problem+json"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(embedded_worker=False)) as c:
        yield c


def bearer(actor: Actor) -> dict[str, str]:
    with unit_of_work() as s:
        _, secret = auth.create_token(s, actor, name="tests", scopes=None, days=1)
    return {"Authorization": f"Bearer {secret}"}


def count(model: Any) -> int:
    with unit_of_work(read_only=True) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def problem(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM)
    return dict(resp.json())


def test_build_a_follow_the_sun_rota_through_the_api(client: TestClient, make_user: Callable[..., Actor],
                                                      fake_clock: Any) -> None:
    admin = bearer(make_user("admin"))
    warsaw, moscow, almaty = (make_user("responder", username=n) for n in ("marta", "dmitry", "aigerim"))
    team = client.post("/api/v1/oncall/teams", headers=admin,
                       json={"name": "REECA rapid response", "timezone": "Europe/Moscow"}).json()
    sched = client.post(f"/api/v1/oncall/teams/{team['id']}/schedules", headers=admin,
                        json={"name": "Follow the sun", "timezone": "Europe/Moscow", "country": "PL"})
    assert sched.status_code == 201, sched.text
    sid = sched.json()["id"]
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    for level, (who, tz, start, end) in enumerate(((almaty, "Asia/Almaty", "08:00", "14:00"),
                                                   (moscow, "Europe/Moscow", "11:00", "19:00"),
                                                   (warsaw, "Europe/Warsaw", "15:00", "02:00")), start=1):
        resp = client.post(f"/api/v1/oncall/schedules/{sid}/layers", headers=admin, json={
            "name": tz.split("/")[1], "level": level, "users": [who.username], "timezone": tz,
            "start_date": "2026-01-05", "shift_unit": "weeks",
            "restrictions": [{"days": every_day, "start": start, "end": end}]})
        assert resp.status_code == 201, resp.text
    final = client.get(f"/api/v1/oncall/schedules/{sid}/final", headers=admin,
                       params={"start": "2026-03-02T00:00:00Z", "end": "2026-03-03T00:00:00Z"}).json()
    # 00:00-02:00 Warsaw (23:00-01:00 UTC) ... the day is covered except 01:00-03:00 UTC.
    assert [(g["start"][11:16], g["end"][11:16]) for g in final["gaps"]] == [("01:00", "03:00")]
    assert {s["username"] for s in final["shifts"]} == {"marta", "dmitry", "aigerim"}
    now = client.get("/api/v1/oncall/now", headers=admin).json()  # 09:00 UTC: 12:00 in Moscow
    assert now[0]["now"]["username"] == "dmitry" and now[0]["next"]["username"] == "marta"

    # An override wins over every layer; overlapping ones are reported as conflicts.
    for who in ("marta", "aigerim"):
        resp = client.post(f"/api/v1/oncall/schedules/{sid}/overrides", headers=admin, json={
            "username": who, "starts_at": "2026-03-01T10:00:00Z", "ends_at": "2026-03-01T12:00:00Z"})
        assert resp.status_code == 201, resp.text
    final = client.get(f"/api/v1/oncall/schedules/{sid}/final", headers=admin).json()
    ten = next(sh for sh in final["shifts"] if sh["start"].startswith("2026-03-01T10:00"))
    assert ten["username"] == "aigerim" and ten["source"] == "override" and ten["end"].startswith("2026-03-01T12:00")
    assert final["conflicts"][0]["usernames"] == ["marta", "aigerim"]


def test_bad_input_is_refused_and_changes_nothing(client: TestClient, make_rota: Callable[..., Rota]) -> None:
    rota = make_rota()
    admin, responder = bearer(rota.admin), bearer(rota.people[0])
    base = f"/api/v1/oncall/schedules/{rota.schedule_id}"
    layer = {"name": "x", "level": 2, "users": [rota.people[0].username], "timezone": "Europe/Warsaw",
             "start_date": "2026-03-01"}
    before = count(Layer)
    problem(client.post(f"{base}/layers", headers=admin, json={**layer, "timezone": "Mars/Olympus"}), 422)
    problem(client.post(f"{base}/layers", headers=admin, json={**layer, "handoff_time": "25:00"}), 422)
    problem(client.post(f"{base}/layers", headers=admin, json={**layer, "level": 1}), 409)
    problem(client.post(f"{base}/layers", headers=admin, json={**layer, "users": ["nobody"]}), 404)
    problem(client.post(f"{base}/layers", headers=responder, json=layer), 403)
    assert count(Layer) == before
    problem(client.post(f"{base}/overrides", headers=admin, json={
        "username": rota.lead.username, "starts_at": "2026-03-02T10:00:00Z", "ends_at": "2026-03-02T09:00:00Z"}), 422)
    assert count(Override) == 0
    problem(client.get("/api/v1/oncall/schedules/999999/final", headers=admin), 404)
    problem(client.get(f"{base}/final", headers=admin, params={"start": "2026-01-01T00:00:00Z",
                                                               "end": "2027-06-01T00:00:00Z"}), 422)
    problem(client.post(f"/api/v1/oncall/teams/{rota.team_id}/policies", headers=admin, json={
        "name": "bad", "steps": [{"kind": "role", "target": "janitor"}]}), 422)
    problem(client.get("/api/v1/oncall/teams", headers=bearer(_viewer(rota))), 403)


def _viewer(rota: Rota) -> Actor:
    with unit_of_work() as s:
        user, _ = auth.create_user(s, auth.to_actor(auth.find_person(s, rota.admin.username)), username="onlooker",
                                   role="viewer", password="correct horse battery")
        return auth.to_actor(user)


def test_pages_through_the_api_and_the_cli(client: TestClient, make_rota: Callable[..., Rota],
                                           fake_clock: Any) -> None:
    rota = make_rota()
    on_call = bearer(rota.people[0])
    resp = client.post("/api/v1/oncall/pages", headers=on_call, json={"team_id": rota.team_id,
                                                                      "summary": "Спам-волна в KZ"})
    assert resp.status_code == 201, resp.text
    page = resp.json()
    assert page["status"] == "triggered" and page["notified"] == [rota.people[0].username]
    runner = CliRunner()
    listed = runner.invoke(cli_app, ["pages", "list", "--json", "--as", rota.people[0].username])
    assert listed.exit_code == 0 and "Спам-волна в KZ" in listed.output
    table = runner.invoke(cli_app, ["pages", "list", "--status", "triggered", "--as", rota.people[0].username])
    assert table.exit_code == 0 and "1 of 1" in table.output
    fake_clock.advance(seconds=95)
    acked = runner.invoke(cli_app, ["pages", "ack", str(page["id"]), "--as", rota.people[0].username])
    assert acked.exit_code == 0, acked.output
    assert "after 95s" in acked.output
    again = runner.invoke(cli_app, ["pages", "ack", str(page["id"]), "--as", rota.people[0].username])
    assert again.exit_code == 2 and "acknowledged" in again.output
    got = client.get(f"/api/v1/oncall/pages/{page['id']}", headers=on_call).json()
    assert got["acknowledged_by"] == rota.people[0].username and got["seconds_to_ack"] == 95
    problem(client.post(f"/api/v1/oncall/pages/{page['id']}/ack", headers=on_call), 409)
    assert client.post(f"/api/v1/oncall/pages/{page['id']}/resolve", headers=on_call).json()["status"] == "resolved"


def test_cli_now_shifts_teams_and_errors(make_rota: Callable[..., Rota], fake_clock: Any, tmp_path: Any) -> None:
    rota = make_rota()
    runner = CliRunner()
    who = rota.people[0].username
    out = runner.invoke(cli_app, ["oncall", "now", "--json", "--as", who])
    assert out.exit_code == 0 and "Айгерим" in out.output and "Yerzhan" in out.output
    assert runner.invoke(cli_app, ["oncall", "now", "--as", who]).exit_code == 0
    out = runner.invoke(cli_app, ["oncall", "shifts", "--as", who, "--days", "7", "--json"])
    assert out.exit_code == 0 and out.output.count('"Primary"') == 4  # every other day
    out = runner.invoke(cli_app, ["oncall", "teams", "--json", "--as", who])
    assert "Central Asia child safety" in out.output
    out = runner.invoke(cli_app, ["oncall", "schedules", "--team", "central asia child safety", "--as", who])
    assert out.exit_code == 0 and "Daily" in out.output
    target = tmp_path / "rota.ics"
    out = runner.invoke(cli_app, ["oncall", "export-ical", "--schedule", str(rota.schedule_id), "-o", str(target),
                                  "--as", who])
    assert out.exit_code == 0 and target.read_bytes().startswith(b"BEGIN:VCALENDAR")
    bad = runner.invoke(cli_app, ["oncall", "now", "--team", "Atlantis", "--as", who])
    assert bad.exit_code == 2 and "no on-call team" in bad.output
    bad = runner.invoke(cli_app, ["oncall", "export-ical", "--as", who])
    assert bad.exit_code == 2 and "--schedule or --user" in bad.output


def test_ical_export_reads_back_as_the_same_shifts(make_rota: Callable[..., Rota], fake_clock: Any) -> None:
    rota = make_rota()
    start, end = fake_clock.now - ical.PAST, fake_clock.now + ical.AHEAD
    with unit_of_work(read_only=True) as s:
        data = ical.schedule_feed(s, rota.admin, rota.schedule_id)
        final = service.compute(s, rota.admin, rota.schedule_id, ical.computed_from(start), end)
    shifts = [s_ for s_ in final.shifts if s_.end > start]  # the first one whole, not cut at the window's start
    cal = icalendar.Calendar.from_ical(data)
    events = recurring_ical_events.of(cal).between(start, end)
    read = sorted((e.decoded("dtstart"), e.decoded("dtend"), str(e.get("summary"))) for e in events)
    assert [(a, b) for a, b, _ in read] == [(s_.start, s_.end) for s_ in shifts] and read[0][0] < start
    names = {rota.people[0].user_id: "Айгерим", rota.people[1].user_id: "Yerzhan"}
    assert all(summary.endswith(names[s_.user]) for (_, _, summary), s_ in zip(read, shifts, strict=True))
    assert all(str(v.get("uid")).endswith("@rapidresponse") for v in cal.walk("VEVENT"))
    assert len({str(v.get("uid")) for v in cal.walk("VEVENT")}) == len(read)


def test_signed_feed_links(client: TestClient, make_rota: Callable[..., Rota], fake_clock: Any) -> None:
    rota = make_rota()
    token = ical.feed_token(ical.FEED_USER, rota.people[1].user_id or 0)
    resp = client.get(f"/oncall/feed/{token}")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(resp.content).walk("VEVENT")
    assert events and all("Yerzhan" in str(e.get("summary")) for e in events)
    assert client.get(f"/oncall/feed/{token[:-3]}xyz").status_code == 404


def test_swap_request_accept_becomes_an_override(make_rota: Callable[..., Rota], fake_clock: Any) -> None:
    from rapidresponse.oncall import swaps
    from rapidresponse.oncall.schemas import SwapIn

    rota = make_rota()
    aigerim, yerzhan = rota.people
    start = datetime(2026, 3, 1, 10, tzinfo=UTC)  # Aigerim's shift (see the fixture)
    window = SwapIn(username=yerzhan.username, starts_at=start, ends_at=start + timedelta(hours=6), note="врач")
    with unit_of_work() as s:
        swap = swaps.request_swap(s, aigerim, rota.schedule_id, window)
    with unit_of_work() as s, pytest.raises(Exception, match="only the person"):
        swaps.accept(s, aigerim, swap.id)
    with unit_of_work() as s:
        swaps.accept(s, yerzhan, swap.id)
    with unit_of_work(read_only=True) as s:
        final = service.compute(s, rota.admin, rota.schedule_id, start, start + timedelta(hours=6))
    assert [(sh.user, sh.source) for sh in final.shifts] == [(yerzhan.user_id, "override")]
    with unit_of_work() as s, pytest.raises(Exception, match="not on call"):
        swaps.request_swap(s, aigerim, rota.schedule_id, window)


def test_fairness_counts_hours_nights_weekends_holidays_and_pages(make_rota: Callable[..., Rota],
                                                                  fake_clock: Any) -> None:
    rota = make_rota()
    with unit_of_work() as s:
        paging.page_team(s, rota.people[0], PageIn(team_id=rota.team_id, summary="test"))
    from rapidresponse.oncall import reports

    # Nauryz: 21-23 March 2026 are public holidays in Kazakhstan, 24-25 March too (moved from the
    # weekend); 21-22 March are a Saturday and a Sunday.
    start, end = datetime(2026, 3, 20, 19, tzinfo=UTC), datetime(2026, 3, 24, 4, tzinfo=UTC)
    with unit_of_work(read_only=True) as s:
        rows = {r.username: r for r in reports.fairness(s, rota.admin, start, end)}
        pages = s.execute(select(func.count()).select_from(Page)).scalar_one()
    assert pages == 1
    total = sum(r.hours for r in rows.values())
    assert total == pytest.approx((end - start).total_seconds() / 3600)
    both = rows.values()
    assert sum(r.weekend_hours for r in both) == pytest.approx(48)  # Sat+Sun in Almaty, all covered
    assert sum(r.holiday_hours for r in both) == pytest.approx(72 + 9)  # 21-23 March, 24 March to 09:00
    assert sum(r.nights for r in both) == 4  # nights starting 20, 21, 22 and 23 March
    assert rows[rota.people[0].username].pages == 0  # the page was on 1 March, outside the period


def _uids(data: bytes) -> dict[str, tuple[datetime, datetime]]:
    return {str(e.get("uid")): (e.decoded("dtstart"), e.decoded("dtend"))
            for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_ical_uids_are_the_same_on_every_fetch(make_rota: Callable[..., Rota], fake_clock: Any) -> None:
    rota = make_rota()
    person = rota.people[1]
    with unit_of_work(read_only=True) as s:
        first = _uids(ical.schedule_feed(s, rota.admin, rota.schedule_id))
        mine = _uids(ical.person_feed(s, rota.admin, auth.find_person(s, person.username)))
    fake_clock.advance(hours=5)
    with unit_of_work(read_only=True) as s:
        second = _uids(ical.schedule_feed(s, rota.admin, rota.schedule_id))
        mine_again = _uids(ical.person_feed(s, rota.admin, auth.find_person(s, person.username)))
    horizon = fake_clock.now - timedelta(hours=5) + ical.AHEAD  # what the first fetch could show
    assert first and {u for u, (start, _) in second.items() if start < horizon} == set(first)
    assert all(second[u][0] == first[u][0] for u in first)
    assert {u for u, (start, _) in mine_again.items() if start < horizon} == set(mine)
