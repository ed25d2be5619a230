"""On-call pages through their HTML forms: building a rota, the rota drawing (layers, final row, gaps,
holidays), the page list's acknowledge button, and the acknowledgement link that needs no session."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from webkit import csrf_from

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.oncall import notices, paging
from rapidresponse.oncall.models import Page, Team
from rapidresponse.oncall.schemas import PageIn


def post(client: TestClient, url: str, csrf: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf, **data}, follow_redirects=False)


def build_rota(client: TestClient, csrf: str, people: list[str]) -> tuple[int, int]:
    resp = post(client, "/oncall/teams", csrf, name="Russian-language hate speech", timezone="Europe/Moscow")
    assert resp.status_code == 303, resp.text
    team_id = int(resp.headers["location"].split("/")[3].split("?")[0])
    resp = post(client, f"/oncall/teams/{team_id}/schedules", csrf, name="Primary", timezone="Europe/Moscow",
                country="RU")
    assert resp.status_code == 303, resp.text
    schedule_id = int(resp.headers["location"].split("/")[3].split("?")[0])
    resp = post(client, f"/oncall/schedules/{schedule_id}/layers", csrf, name="Weekdays", level="1",
                users=", ".join(people), timezone="Europe/Moscow", start_date="2026-02-23", handoff_time="10:00",
                shift_length="1", shift_unit="weeks", days=["mon", "tue", "wed", "thu", "fri"],
                window_start="09:00", window_end="21:00")
    assert resp.status_code == 303, resp.text
    resp = post(client, f"/oncall/teams/{team_id}/policies", csrf, name="Default", repeat="1",
                step1_kind="schedule", step1_target=str(schedule_id), step1_delay="10",
                step2_kind="user", step2_target=people[0], step2_delay="10")
    assert resp.status_code == 303, resp.text
    return team_id, schedule_id


def test_build_a_rota_with_forms_and_see_it_drawn(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                                                 make_user: Callable[..., Actor], fake_clock: Any) -> None:
    _, csrf = logged_in("admin")
    people = [make_user("responder").username, make_user("responder").username]
    team_id, schedule_id = build_rota(client, csrf, people)
    resp = post(client, f"/oncall/schedules/{schedule_id}/overrides", csrf, username=people[1],
                starts_at="2026-03-03T12:00", ends_at="2026-03-03T18:00", reason="врач")
    assert resp.status_code == 303
    resp = post(client, f"/oncall/teams/{team_id}/routes", csrf, policy_id="1", incident_types=["hate_speech_wave"],
                languages="ru", min_severity="2")
    assert resp.status_code == 303, resp.text
    page = client.get(f"/oncall/schedules/{schedule_id}?days=14")
    assert page.status_code == 200
    html = page.text
    assert 'class="rota"' in html and "Weekdays" in html
    assert 'class="gap"' in html  # nights and weekends are gaps on a weekday-only layer
    assert 'class="shift override p' in html  # the override row
    assert "★" in html and "RU: " in html  # 8 March, International Women's Day in Russia
    assert 'style="' not in html  # strict CSP: no inline styles
    team = client.get(f"/oncall/teams/{team_id}").text
    assert "SEV1–SEV2" in team and "Default" in team
    bad = post(client, f"/oncall/schedules/{schedule_id}/layers", csrf, name="x", level="1", users=people[0],
               timezone="Europe/Moscow", start_date="2026-02-23")
    assert bad.status_code == 409
    assert client.get("/oncall/schedules/99999").status_code == 404
    assert client.get("/oncall/schedules/99999999999999").status_code == 404


def test_russian_ui_and_the_page_list_acknowledge_button(client: TestClient,
                                                         logged_in: Callable[..., tuple[Actor, str]],
                                                         make_user: Callable[..., Actor], fake_clock: Any) -> None:
    admin, csrf = logged_in("admin", locale="ru")
    responder = make_user("responder")
    build_rota(client, csrf, [admin.username, responder.username])
    overview = client.get("/oncall").text
    assert "Кто дежурит сейчас" in overview and "Мои смены" in overview
    with unit_of_work() as s:
        team = s.execute(select(Team)).scalar_one()
        page = paging.page_team(s, admin, PageIn(team_id=team.id, summary="Волна ненависти"))
        page_id = page.id
    listing = client.get("/oncall/pages").text
    assert "Волна ненависти" in listing and f'action="/oncall/pages/{page_id}/ack"' in listing
    fake_clock.advance(minutes=2)
    resp = post(client, f"/oncall/pages/{page_id}/ack", csrf)
    assert resp.status_code == 303
    with unit_of_work(read_only=True) as s:
        assert s.get(Page, page_id).seconds_to_ack == 120  # type: ignore[union-attr]
    assert post(client, f"/oncall/pages/{page_id}/ack", csrf).status_code == 409
    assert client.post(f"/oncall/pages/{page_id}/ack", data={"csrf_token": "wrong"}).status_code == 403


def test_the_acknowledgement_link_needs_no_session(client: TestClient, make_user: Callable[..., Actor],
                                                   logged_in: Callable[..., tuple[Actor, str]],
                                                   fake_clock: Any) -> None:
    admin, csrf = logged_in("admin")
    person = make_user("responder", display_name="Асель")
    build_rota(client, csrf, [person.username])
    with unit_of_work() as s:
        team = s.execute(select(Team)).scalar_one()
        page_id = paging.page_team(s, admin, PageIn(team_id=team.id, summary="SEV1 in Almaty")).id
    link = notices.ack_url(page_id, person.user_id or 0)
    path = "/" + link.split("/", 3)[3]
    client.cookies.clear()
    confirm = client.get(path)
    assert confirm.status_code == 200 and "Асель" in confirm.text and 'method="post"' in confirm.text
    with unit_of_work(read_only=True) as s:
        assert s.get(Page, page_id).status == "triggered"  # type: ignore[union-attr]  (a GET changes nothing)
    assert client.post(path, data={"csrf_token": "forged"}).status_code == 403  # a cross-site post
    done = client.post(path, data={"csrf_token": csrf_from(confirm.text)}, follow_redirects=True)
    assert done.status_code == 200 and re.search(r"page-acknowledged", done.text)
    with unit_of_work(read_only=True) as s:
        row = s.get(Page, page_id)
        assert row is not None and row.status == "acknowledged" and row.acknowledged_by_id == person.user_id
    token = csrf_from(client.get(path).text)
    assert client.post(path, data={"csrf_token": token}).status_code == 409
    assert client.get(path[:-4] + "AAAA").status_code == 404
    assert client.post(f"/oncall/ack/{page_id}-{admin.user_id}-forged", data={"csrf_token": token}).status_code == 404


def test_the_demo_world_shows_on_call(client: TestClient, engine: Any) -> None:
    from webkit import login

    from rapidresponse.demo import data, seed

    seed(history_size=12)
    login(client, "marta.zielinska", data.demo_password("admin"))
    overview = client.get("/oncall").text
    for team in ("REECA rapid response", "Central Asia child safety", "Russian-language hate speech"):
        assert team in overview
    assert "Nobody" not in overview  # follow the sun covers the whole day
    with unit_of_work(read_only=True) as s:
        sun = s.execute(select(Team).where(Team.name == "REECA rapid response")).scalar_one()
        open_pages = s.execute(select(Page).where(Page.status == "triggered")).scalars().all()
    assert [p.team_id for p in open_pages] == [sun.id]  # the active SEV2 is waiting for an acknowledgement
    pages = client.get("/oncall/pages").text
    assert f'action="/oncall/pages/{open_pages[0].id}/ack"' in pages
    rota = client.get("/oncall/schedules/1?days=21").text
    assert rota.count('class="row-label row-layer"') == 3 and 'class="gap"' not in rota
    assert client.get(f"/oncall/teams/{sun.id}").status_code == 200
    assert client.get("/oncall/fairness?days=90").status_code == 200
