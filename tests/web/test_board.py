"""The "now" board: what each role sees first, the activity without stale or repeated reminders, and the
live streams' door (a viewer cannot open the stream of an incident they may not see)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from factories.oncall import Rota
from rapidresponse import auth, events, oncall
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work
from rapidresponse.incidents import service as incidents
from rapidresponse.incidents.schemas import MergeRequest
from rapidresponse.oncall import paging
from rapidresponse.playbooks.events import UpdateOverdue


def _almaty_clock() -> str:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Almaty")).strftime("%H:%M")


def test_the_board_shows_a_commander_what_is_happening_now(
        client: TestClient, logged_in: Callable[..., tuple[Actor, str]], make_rota: Callable[..., Rota],
        make_alert: Callable[..., int], make_incident: Callable[..., str]) -> None:
    rota = make_rota()
    me, _ = logged_in("commander", display_name="Dana Commander")
    ref = make_incident(me, title="Choking challenge wave",
                        severity={"harm": 3, "reach": 3, "velocity": 3, "vulnerable": True})
    alert_id = make_alert()
    with unit_of_work() as s:
        oncall.trigger(s, team_id=rota.team_id, policy_id=rota.policy_id, summary="Kazakh-language spike at night")
    before = _almaty_clock()
    home = client.get("/").text
    after = _almaty_clock()
    assert f'href="/incidents/{ref}"' in home and "Choking challenge wave" in home
    assert "Commander: <span data-user-text>Dana Commander</span>" in home and "Next update" in home
    assert "Pages waiting for acknowledgement" in home and "Kazakh-language spike at night" in home
    assert "Alerts awaiting triage" in home and f'href="/alerts/{alert_id}"' in home
    assert "On call now" in home and ("Айгерим" in home or "Yerzhan" in home)
    assert any(f"{t} their time (Asia/Almaty)" in home for t in (before, after))


def test_a_viewer_sees_only_what_their_role_may_read(
        client: TestClient, logged_in: Callable[..., tuple[Actor, str]], make_user: Callable[..., Actor],
        make_alert: Callable[..., int], make_incident: Callable[..., str]) -> None:
    commander = make_user("commander")
    shown = make_incident(commander, title="Open hate-speech wave")
    hidden = make_incident(commander, type="child_safety", title="Grooming ring SECRET-42", countries=["KZ"])
    make_alert()
    logged_in("viewer")
    home = client.get("/").text
    assert shown in home and hidden not in home and "SECRET-42" not in home
    assert "Alerts awaiting triage" not in home and "Pages waiting for acknowledgement" not in home
    assert "On call now" not in home
    assert client.get(f"/incidents/{hidden}/live").status_code == 404


def test_a_page_that_reached_nobody_stands_out_on_the_board(
        client: TestClient, logged_in: Callable[..., tuple[Actor, str]], make_rota: Callable[..., Rota]) -> None:
    silent, heard = make_rota(name="Silent team"), make_rota(name="Heard team")
    with unit_of_work() as s:  # nobody on the silent team's policy has an address any more
        for person in (*silent.people, silent.lead):
            auth.update_user(s, silent.admin, person.username, email="")
        lost = oncall.trigger(s, team_id=silent.team_id, policy_id=silent.policy_id, summary="Spike nobody hears")
        oncall.trigger(s, team_id=heard.team_id, policy_id=heard.policy_id, summary="Spike someone hears")
    assert lost is not None and lost.unreachable and lost.next_escalation_at == lost.triggered_at
    with unit_of_work() as s:  # it went on at once, to the lead, who cannot be reached either
        assert paging.escalate_due(s) == 1
    logged_in("commander")
    home = client.get("/").text
    assert "1 page reached nobody" in home and home.count('class="list-row page-unreached"') == 1
    row = home.split('class="list-row page-unreached"')[1].split("</li>")[0]
    assert "Spike nobody hears" in row and "Reached nobody: no working contact method for " in row
    assert silent.lead.username in row.split("Reached nobody")[1]
    assert home.index("Spike nobody hears") < home.index("Spike someone hears")
    heard_row = home[home.index("Spike someone hears"):].split("</li>")[0]
    assert "Reached nobody" not in heard_row and "Could not reach" not in heard_row


def test_an_empty_board_says_what_to_do(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    logged_in("commander")
    home = client.get("/").text
    assert "No active incidents." in home and "declare an incident" in home
    assert "Every page has been acknowledged." in home
    assert "No on-call schedule yet. Create a team and a schedule" in home
    assert "No alert is waiting." in home


def test_activity_collapses_repeated_reminders_and_drops_those_of_merged_incidents(
        client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
        make_incident: Callable[..., str]) -> None:
    me, _ = logged_in("commander")
    live, dup, kept = (make_incident(me, title=t) for t in ("Live one", "Duplicate", "Kept"))
    with unit_of_work() as s:
        incidents.merge(s, me, dup, MergeRequest(into=kept, reason="Same trend"))
    due = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with unit_of_work() as s:
        for ref in (live, live, live, dup, dup):
            inc = incidents.get(s, SYSTEM, ref)
            events.record(s, SYSTEM, UpdateOverdue(subject_id=inc.id, ref=ref, due_at=due))
    home = client.get("/").text
    activity = home.split('id="h-activity"')[1]
    assert activity.count("the stakeholder update is overdue") == 1, activity
    assert "×3" in activity
    lines = activity.split("<li>")[1:]
    assert not [line for line in lines if f">{dup}<" in line and "is overdue" in line]
    assert [line for line in lines if f">{dup}<" in line and "merged this incident" in line]
