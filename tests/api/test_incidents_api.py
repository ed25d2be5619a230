"""The incident REST API end to end: real app, real database, real tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from apikit import Caller, assert_problem, snapshot
from fastapi.testclient import TestClient

Declare = Callable[..., dict[str, Any]]
Login = Callable[..., Caller]

KAZAKH = "Қауіпті челлендж: ә ғ қ ң ө ұ ү һ і"
GEORGIAN = "საშიში გამოწვევა თბილისში"
ARMENIAN = "Վտանգավոր մարտահրավեր Երևանում"
RUSSIAN = "Собачий челлендж в Telegram"


# --- declare and read ---------------------------------------------------------------------------

def test_declare_returns_201_location_and_incrementing_refs(client: TestClient, login: Login) -> None:
    cmd = login("commander")
    year = datetime.now(UTC).year
    refs = []
    for i in range(3):
        resp = client.post("/api/v1/incidents", headers=cmd.headers,
                           json={"title": f"Wave {i}", "type": "hate_speech_wave", "countries": ["ge"],
                                 "languages": ["ka"]})
        assert resp.status_code == 201, resp.text
        body = resp.json()
        assert resp.headers["location"] == f"/api/v1/incidents/{body['ref']}"
        assert re.fullmatch(r"INC-\d{4}-\d{4}", body["ref"])
        refs.append(body["ref"])
        assert body["status"] == "triage"
        assert body["countries"] == ["GE"] and body["languages"] == ["ka"]
        # the declaring commander takes command
        assert [(m["username"], m["role"]) for m in body["members"]] == [(cmd.username, "commander")]
        assert body["acknowledged_at"] is not None
    assert refs == [f"INC-{year}-0001", f"INC-{year}-0002", f"INC-{year}-0003"]
    got = client.get(resp.headers["location"], headers=cmd.headers)
    assert got.status_code == 200 and got.json()["ref"] == refs[-1]


def test_responder_declares_as_participant(client: TestClient, login: Login, declare: Declare) -> None:
    resp = login("responder")
    inc = declare(resp)
    assert [(m["username"], m["role"]) for m in inc["members"]] == [(resp.username, "participant")]
    assert inc["acknowledged_at"] is None


def test_get_unknown_ref_is_404_problem(client: TestClient, login: Login) -> None:
    viewer = login("viewer")
    body = assert_problem(client.get("/api/v1/incidents/INC-1999-0001", headers=viewer.headers), 404)
    assert "INC-1999-0001" in body["detail"]


def test_ref_lookup_is_case_insensitive(client: TestClient, login: Login, declare: Declare) -> None:
    cmd = login("commander")
    ref = declare(cmd)["ref"]
    assert client.get(f"/api/v1/incidents/{ref.lower()}", headers=cmd.headers).json()["ref"] == ref


@pytest.mark.parametrize("text", [RUSSIAN, KAZAKH, GEORGIAN, ARMENIAN])
def test_scripts_round_trip_unchanged(client: TestClient, login: Login, declare: Declare, text: str) -> None:
    cmd = login("commander")
    inc = declare(cmd, title=text, summary=f"{text}\n\n{text}", source_description=text)
    ref = inc["ref"]
    got = client.get(f"/api/v1/incidents/{ref}", headers=cmd.headers).json()
    assert (got["title"], got["summary"], got["source_description"]) == (text, f"{text}\n\n{text}", text)
    note = client.post(f"/api/v1/incidents/{ref}/notes", headers=cmd.headers, json={"body": text}).json()
    assert note["body"] == text and text in note["body_html"]
    task = client.post(f"/api/v1/incidents/{ref}/tasks", headers=cmd.headers,
                       json={"title": text, "description": text}).json()
    assert task["title"] == text and task["description"] == text
    listed = client.get("/api/v1/incidents", headers=cmd.headers, params={"q": text.split()[0]}).json()
    assert [i["title"] for i in listed["items"]] == [text]
    timeline = client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers).json()
    assert timeline[0]["payload"]["title"] == text
    # and the bytes on the wire are UTF-8, not \u-escapes that a client would have to undo
    raw = client.get(f"/api/v1/incidents/{ref}", headers=cmd.headers)
    assert "charset" not in raw.headers["content-type"] or "utf-8" in raw.headers["content-type"].lower()
    assert text in raw.content.decode("utf-8") or text in raw.json()["title"]


# --- list, pagination, filters -----------------------------------------------------------------

@pytest.fixture
def corpus(client: TestClient, login: Login, declare: Declare) -> tuple[Caller, dict[str, str]]:
    cmd = login("commander")
    refs = {
        "dog": declare(cmd, title="Собачий челлендж", type="animal_cruelty", countries=["RU"], languages=["ru"])["ref"],
        "kz": declare(cmd, title="Қауіпті ойын балалар арасында", type="dangerous_challenge", countries=["KZ"],
                      languages=["kk"], severity={"harm": 4, "vulnerable": True})["ref"],
        "ge": declare(cmd, title="Hate wave in Tbilisi", type="hate_speech_wave", countries=["GE"],
                      languages=["ka"], summary="Coordinated slurs")["ref"],
        "ua": declare(cmd, title="Crisis misinformation", type="crisis_misinformation", countries=["UA"],
                      languages=["uk", "ru"])["ref"],
    }
    client.post(f"/api/v1/incidents/{refs['ua']}/status", headers=cmd.headers, json={"status": "active"})
    client.post(f"/api/v1/incidents/{refs['ge']}/status", headers=cmd.headers,
                json={"status": "cancelled", "reason": "duplicate report"})
    return cmd, refs


def _refs(client: TestClient, caller: Caller, **params: Any) -> list[str]:
    resp = client.get("/api/v1/incidents", headers=caller.headers, params=params)
    assert resp.status_code == 200, resp.text
    return [i["ref"] for i in resp.json()["items"]]


def test_list_pagination(client: TestClient, corpus: tuple[Caller, dict[str, str]]) -> None:
    cmd, refs = corpus
    page = client.get("/api/v1/incidents", headers=cmd.headers, params={"limit": 3}).json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert page["total"] == 4 and page["limit"] == 3 and page["offset"] == 0 and len(page["items"]) == 3
    rest = client.get("/api/v1/incidents", headers=cmd.headers, params={"limit": 3, "offset": 3}).json()
    assert rest["total"] == 4 and rest["offset"] == 3 and len(rest["items"]) == 1
    seen = [i["ref"] for i in page["items"] + rest["items"]]
    assert sorted(seen) == sorted(refs.values()) and len(set(seen)) == 4
    beyond = client.get("/api/v1/incidents", headers=cmd.headers, params={"offset": 100}).json()
    assert beyond["items"] == [] and beyond["total"] == 4


def test_list_filters(client: TestClient, corpus: tuple[Caller, dict[str, str]]) -> None:
    cmd, r = corpus
    assert _refs(client, cmd, status="active") == [r["ua"]]
    assert sorted(_refs(client, cmd, status=["active", "cancelled"])) == sorted([r["ua"], r["ge"]])
    assert _refs(client, cmd, type="animal_cruelty") == [r["dog"]]
    assert _refs(client, cmd, country="kz") == [r["kz"]]
    assert _refs(client, cmd, country="RU") == [r["dog"]]
    assert _refs(client, cmd, language="uk") == [r["ua"]]
    assert sorted(_refs(client, cmd, language="ru")) == sorted([r["dog"], r["ua"]])
    assert _refs(client, cmd, severity=1) == [r["kz"]]
    assert r["kz"] not in _refs(client, cmd, severity=[3, 4])
    assert r["ge"] not in _refs(client, cmd, open="true")
    assert _refs(client, cmd, open="false") == [r["ge"]]
    assert _refs(client, cmd, q="slurs") == [r["ge"]]
    assert _refs(client, cmd, q=r["ua"].lower()) == [r["ua"]]
    assert _refs(client, cmd, q="nothing-matches-this") == []


@pytest.mark.parametrize("query", ["собачий", "СОБАЧИЙ", "Собачий челлендж", "собач"])
def test_cyrillic_search_folds_case(client: TestClient, corpus: tuple[Caller, dict[str, str]], query: str) -> None:
    cmd, r = corpus
    assert _refs(client, cmd, q=query) == [r["dog"]]


@pytest.mark.parametrize("query", ["қауіпті", "ҚАУІПТІ", "балалар"])
def test_kazakh_search_folds_case(client: TestClient, corpus: tuple[Caller, dict[str, str]], query: str) -> None:
    cmd, r = corpus
    assert _refs(client, cmd, q=query) == [r["kz"]]


def test_search_treats_like_wildcards_literally(client: TestClient, corpus: tuple[Caller, dict[str, str]]) -> None:
    cmd, _ = corpus
    assert _refs(client, cmd, q="%") == []
    assert _refs(client, cmd, q="c%z") == []
    assert _refs(client, cmd, q="h_te") == []


def test_list_sort(client: TestClient, corpus: tuple[Caller, dict[str, str]]) -> None:
    cmd, r = corpus
    newest_first = _refs(client, cmd)
    assert newest_first == [r["ua"], r["ge"], r["kz"], r["dog"]]
    assert _refs(client, cmd, sort="declared_at") == list(reversed(newest_first))
    by_sev = client.get("/api/v1/incidents", headers=cmd.headers, params={"sort": "severity"}).json()["items"]
    assert [i["severity"] for i in by_sev] == sorted(i["severity"] for i in by_sev)
    assert by_sev[0]["ref"] == r["kz"]
    assert _refs(client, cmd, sort="-updated_at")[0] in (r["ua"], r["ge"])


# --- update and lifecycle -------------------------------------------------------------------

def test_update_changes_fields_and_records_event(client: TestClient, login: Login, declare: Declare) -> None:
    cmd = login("commander")
    ref = declare(cmd)["ref"]
    resp = client.patch(f"/api/v1/incidents/{ref}", headers=cmd.headers,
                        json={"title": KAZAKH, "countries": ["uz", "KZ", "uz"], "languages": ["uz-latn"]})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["title"] == KAZAKH and body["countries"] == ["UZ", "KZ"] and body["languages"] == ["uz-Latn"]
    events = client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers,
                        params={"kind": "severity"}).json()
    assert events[-1]["type"] == "incident.updated"
    assert events[-1]["payload"]["changes"]["title"] == KAZAKH
    # filters follow the update
    assert [i["ref"] for i in client.get("/api/v1/incidents", headers=cmd.headers,
                                         params={"country": "UZ"}).json()["items"]] == [ref]


def test_valid_transitions_and_milestones(client: TestClient, login: Login, declare: Declare) -> None:
    cmd = login("commander")
    ref = declare(cmd)["ref"]
    for status in ("active", "mitigated", "monitoring", "resolved", "closed"):
        resp = client.post(f"/api/v1/incidents/{ref}/status", headers=cmd.headers, json={"status": status})
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == status
    final = resp.json()
    assert final["mitigated_at"] and final["resolved_at"] and final["closed_at"]
    kinds = [e["payload"]["to"] for e in client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers,
                                                     params={"kind": "status"}).json()
             if e["type"] == "incident.status_changed"]
    assert kinds == ["active", "mitigated", "monitoring", "resolved", "closed"]


def test_invalid_transition_is_409_with_allowed_and_changes_nothing(client: TestClient, login: Login,
                                                                     declare: Declare) -> None:
    cmd = login("commander")
    ref = declare(cmd)["ref"]
    before = snapshot()
    resp = client.post(f"/api/v1/incidents/{ref}/status", headers=cmd.headers, json={"status": "closed"})
    body = assert_problem(resp, 409)
    assert body["allowed"] == ["active", "cancelled"] and body["current"] == "triage"
    assert "allowed" in body["detail"]
    assert snapshot() == before
    assert client.get(f"/api/v1/incidents/{ref}", headers=cmd.headers).json()["status"] == "triage"
    assert_problem(client.post(f"/api/v1/incidents/{ref}/status", headers=cmd.headers,
                               json={"status": "triage"}), 409)
    assert_problem(client.post(f"/api/v1/incidents/{ref}/status", headers=cmd.headers,
                               json={"status": "merged"}), 409)
    assert snapshot() == before


def test_cancel_needs_reason_and_command(client: TestClient, login: Login, declare: Declare) -> None:
    cmd, resp_ = login("commander"), login("responder")
    ref = declare(cmd)["ref"]
    before = snapshot()
    assert_problem(client.post(f"/api/v1/incidents/{ref}/status", headers=cmd.headers,
                               json={"status": "cancelled"}), 422)
    assert_problem(client.post(f"/api/v1/incidents/{ref}/status", headers=resp_.headers,
                               json={"status": "cancelled", "reason": "dup"}), 403)
    assert snapshot() == before
    ok = client.post(f"/api/v1/incidents/{ref}/status", headers=cmd.headers,
                     json={"status": "cancelled", "reason": "false alarm"})
    assert ok.status_code == 200 and ok.json()["status"] == "cancelled"
    # a final incident can no longer be edited
    assert_problem(client.patch(f"/api/v1/incidents/{ref}", headers=cmd.headers, json={"title": "x"}), 409)


# --- severity -------------------------------------------------------------------------------

def test_severity_computed_override_and_clear(client: TestClient, login: Login, declare: Declare) -> None:
    cmd = login("commander")
    inc = declare(cmd, type="other", severity={"harm": 1})
    ref = inc["ref"]
    assert inc["severity"] == inc["severity_computed"] == 4
    assert inc["severity_assessment"]["level"] == 4
    raised = client.patch(f"/api/v1/incidents/{ref}", headers=cmd.headers,
                          json={"severity": {"harm": 4, "reach": 4, "velocity": 4, "vulnerable": True}}).json()
    assert raised["severity"] == raised["severity_computed"] == 1
    assert_problem(client.post(f"/api/v1/incidents/{ref}/severity", headers=cmd.headers, json={"level": 3}), 422)
    over = client.post(f"/api/v1/incidents/{ref}/severity", headers=cmd.headers,
                       json={"level": 3, "reason": "contained to one region"})
    assert over.status_code == 200, over.text
    assert over.json()["severity"] == 3 and over.json()["severity_computed"] == 1
    assert over.json()["severity_override_reason"] == "contained to one region"
    # new inputs do not undo an override
    kept = client.patch(f"/api/v1/incidents/{ref}", headers=cmd.headers, json={"severity": {"harm": 2}}).json()
    assert kept["severity"] == 3 and kept["severity_computed"] == 4
    cleared = client.post(f"/api/v1/incidents/{ref}/severity", headers=cmd.headers, json={"level": None})
    assert cleared.status_code == 200
    assert cleared.json()["severity"] == 4 and cleared.json()["severity_override_reason"] is None
    assert_problem(client.post(f"/api/v1/incidents/{ref}/severity", headers=cmd.headers, json={"level": None}), 409)
    types = [e["type"] for e in client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers,
                                            params={"kind": "severity"}).json()]
    assert "incident.severity_overridden" in types and "incident.severity_override_cleared" in types


def test_responder_cannot_override_severity(client: TestClient, login: Login, declare: Declare) -> None:
    cmd, responder = login("commander"), login("responder")
    ref = declare(cmd)["ref"]
    before = snapshot()
    body = assert_problem(client.post(f"/api/v1/incidents/{ref}/severity", headers=responder.headers,
                                      json={"level": 1, "reason": "I think so"}), 403)
    assert "incidents:command" in body["detail"]
    assert snapshot() == before


# --- roles and handover ---------------------------------------------------------------------

def test_roles_and_command_handover(client: TestClient, login: Login, declare: Declare) -> None:
    cmd, cmd2, scribe = login("commander"), login("commander"), login("responder")
    ref = declare(cmd)["ref"]
    r = client.post(f"/api/v1/incidents/{ref}/roles", headers=cmd.headers,
                    json={"role": "scribe", "username": scribe.username})
    assert r.status_code == 200
    assert (scribe.username, "scribe") in [(m["username"], m["role"]) for m in r.json()["members"]]
    assert_problem(client.post(f"/api/v1/incidents/{ref}/roles", headers=cmd.headers,
                               json={"role": "scribe", "username": scribe.username}), 409)
    # a responder cannot take command
    assert_problem(client.post(f"/api/v1/incidents/{ref}/roles", headers=scribe.headers,
                               json={"role": "commander", "username": scribe.username}), 403)
    r = client.post(f"/api/v1/incidents/{ref}/roles", headers=cmd.headers,
                    json={"role": "commander", "username": cmd2.username})
    assert r.status_code == 200
    commanders = [m["username"] for m in r.json()["members"] if m["role"] == "commander"]
    assert commanders == [cmd2.username]
    people = client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers, params={"kind": "people"}).json()
    handover = [e for e in people if e["type"] == "incident.command_handed_over"]
    assert len(handover) == 1
    assert handover[0]["payload"]["from"] == cmd.username and handover[0]["payload"]["to"] == cmd2.username
    # command is handed over, never removed
    assert_problem(client.delete(f"/api/v1/incidents/{ref}/roles/commander/{cmd2.username}",
                                 headers=cmd2.headers), 409)
    gone = client.delete(f"/api/v1/incidents/{ref}/roles/scribe/{scribe.username}", headers=cmd.headers)
    assert gone.status_code == 200
    assert scribe.username not in [m["username"] for m in gone.json()["members"]]
    assert_problem(client.delete(f"/api/v1/incidents/{ref}/roles/scribe/{scribe.username}",
                                 headers=cmd.headers), 404)
    assert_problem(client.post(f"/api/v1/incidents/{ref}/roles", headers=cmd.headers,
                               json={"role": "scribe", "username": "nobody-here"}), 404)
    # ...and the commander leaves by handing over: the named successor takes command
    assert_problem(client.delete(f"/api/v1/incidents/{ref}/roles/scribe/{cmd2.username}",
                                 headers=cmd.headers, params={"handover_to": cmd.username}), 404)
    left = client.delete(f"/api/v1/incidents/{ref}/roles/commander/{cmd2.username}", headers=cmd2.headers,
                         params={"handover_to": cmd.username})
    assert left.status_code == 200
    assert [m["username"] for m in left.json()["members"] if m["role"] == "commander"] == [cmd.username]


# --- notes and timeline ---------------------------------------------------------------------

class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _assert_safe_html(html: str) -> None:
    """No active element, no event handler, no link or source other than http(s)/mailto."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in {"script", "iframe", "style", "img", "svg", "object", "embed", "form"}, html
        for name, value in attrs:
            assert not name.startswith("on") and name != "style", html
            if name in ("href", "src"):
                assert (value or "").split(":")[0].lower() in ("http", "https", "mailto"), html


HOSTILE_NOTES = [
    "<script>alert(1)</script>hello",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<img src=x onerror="alert(1)">',
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)" onclick="x()">a</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<svg onload=alert(1)><iframe src="https://evil"></iframe><style>body{}</style>',
    "[x](  javascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "<javascript:alert(1)>",
    "[x]: javascript:alert(1)\n\n[link][x]",
    '[x](https://ok.example "title\" onmouseover=\"alert(1)")',
]


@pytest.mark.parametrize("source", HOSTILE_NOTES)
def test_hostile_markdown_is_sanitised(client: TestClient, login: Login, declare: Declare, source: str) -> None:
    cmd = login("commander")
    ref = declare(cmd)["ref"]
    note = client.post(f"/api/v1/incidents/{ref}/notes", headers=cmd.headers, json={"body": source})
    assert note.status_code == 201, note.text
    assert note.json()["body"] == source
    _assert_safe_html(note.json()["body_html"])
    stored = client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers, params={"kind": "notes"}).json()
    assert stored[0]["note"]["body"] == source
    _assert_safe_html(stored[0]["note"]["body_html"])


def test_notes_render_markdown_pin_and_filter(client: TestClient, login: Login, declare: Declare) -> None:
    cmd = login("commander")
    ref = declare(cmd)["ref"]
    first = client.post(f"/api/v1/incidents/{ref}/notes", headers=cmd.headers,
                        json={"body": "**Важно**: see [report](https://example.org/r)"})
    assert first.status_code == 201
    n1 = first.json()
    assert "<strong>Важно</strong>" in n1["body_html"]
    assert 'href="https://example.org/r"' in n1["body_html"] and "noopener" in n1["body_html"]
    assert n1["author"] == cmd.username and n1["pinned"] is False
    n2 = client.post(f"/api/v1/incidents/{ref}/notes", headers=cmd.headers,
                     json={"body": "pinned from the start", "pinned": True}).json()
    assert n2["pinned"] is True
    pinned = client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers, params={"pinned": "true"}).json()
    assert [e["note"]["id"] for e in pinned] == [n2["id"]]
    r = client.patch(f"/api/v1/incidents/{ref}/notes/{n1['id']}", headers=cmd.headers, json={"pinned": True})
    assert r.status_code == 200 and r.json()["pinned"] is True
    pinned = client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers, params={"pinned": "true"}).json()
    assert sorted(e["note"]["id"] for e in pinned) == sorted([n1["id"], n2["id"]])
    client.patch(f"/api/v1/incidents/{ref}/notes/{n2['id']}", headers=cmd.headers, json={"pinned": False})
    pinned = client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers, params={"pinned": "true"}).json()
    assert [e["note"]["id"] for e in pinned] == [n1["id"]]
    notes = client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers, params={"kind": "notes"}).json()
    assert {e["type"] for e in notes} == {"incident.note_added", "incident.note_pinned", "incident.note_unpinned"}
    both = client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers,
                      params={"kind": ["notes", "status"]}).json()
    assert {e["type"] for e in both} >= {"incident.note_added", "incident.declared"}
    assert "incident.member_added" not in {e["type"] for e in both}
    everything = client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers).json()
    assert [e["id"] for e in everything] == sorted(e["id"] for e in everything)
    assert_problem(client.patch(f"/api/v1/incidents/{ref}/notes/999999", headers=cmd.headers,
                                json={"pinned": True}), 404)


def test_note_of_another_incident_is_404(client: TestClient, login: Login, declare: Declare) -> None:
    cmd = login("commander")
    a, b = declare(cmd)["ref"], declare(cmd)["ref"]
    note = client.post(f"/api/v1/incidents/{a}/notes", headers=cmd.headers, json={"body": "x"}).json()
    assert_problem(client.patch(f"/api/v1/incidents/{b}/notes/{note['id']}", headers=cmd.headers,
                                json={"pinned": True}), 404)


def test_restricted_view_is_logged_in_access_timeline(client: TestClient, login: Login, declare: Declare) -> None:
    cmd = login("commander")
    ref = declare(cmd, type="child_safety")["ref"]
    client.get(f"/api/v1/incidents/{ref}", headers=cmd.headers)
    access = client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers, params={"kind": "access"}).json()
    assert [e["type"] for e in access] == ["incident.viewed"]
    default = client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers).json()
    assert "incident.viewed" not in {e["type"] for e in default}


# --- tasks ----------------------------------------------------------------------------------

def test_tasks_create_update_complete_and_me_tasks(client: TestClient, login: Login, declare: Declare) -> None:
    cmd, owner = login("commander"), login("responder")
    ref = declare(cmd, type="other")["ref"]  # a type with no playbook: only these tasks
    due = (datetime.now(UTC) + timedelta(hours=4)).replace(microsecond=0)
    resp = client.post(f"/api/v1/incidents/{ref}/tasks", headers=cmd.headers,
                       json={"title": "Escalate to Roskomnadzor liaison", "owner": owner.username,
                             "due_at": due.isoformat()})
    assert resp.status_code == 201, resp.text
    task = resp.json()
    assert task["owner"] == owner.username and task["status"] == "open" and task["completed_at"] is None
    assert datetime.fromisoformat(task["due_at"]) == due
    later = client.post(f"/api/v1/incidents/{ref}/tasks", headers=cmd.headers,
                        json={"title": "No due date", "owner": owner.username}).json()
    mine = client.get("/api/v1/me/tasks", headers=owner.headers).json()
    assert [t["id"] for t in mine] == [task["id"], later["id"]]
    assert client.get("/api/v1/me/tasks", headers=cmd.headers).json() == []
    done = client.patch(f"/api/v1/incidents/{ref}/tasks/{task['id']}", headers=owner.headers,
                        json={"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["completed_at"]
    assert [t["id"] for t in client.get("/api/v1/me/tasks", headers=owner.headers).json()] == [later["id"]]
    reopened = client.patch(f"/api/v1/incidents/{ref}/tasks/{task['id']}", headers=owner.headers,
                            json={"status": "in_progress"}).json()
    assert reopened["completed_at"] is None
    listed = client.get(f"/api/v1/incidents/{ref}/tasks", headers=cmd.headers).json()
    assert [t["id"] for t in listed] == [task["id"], later["id"]]
    types = [e["type"] for e in client.get(f"/api/v1/incidents/{ref}/timeline", headers=cmd.headers,
                                            params={"kind": "tasks"}).json()]
    assert types == ["incident.task_added", "incident.task_added", "incident.task_updated",
                     "incident.task_updated"]
    assert_problem(client.patch(f"/api/v1/incidents/{ref}/tasks/999999", headers=cmd.headers,
                                json={"status": "done"}), 404)
    assert_problem(client.post(f"/api/v1/incidents/{ref}/tasks", headers=cmd.headers,
                               json={"title": "x", "owner": "ghost-user"}), 404)


def test_viewer_cannot_add_tasks_or_notes(client: TestClient, login: Login, declare: Declare) -> None:
    cmd, viewer = login("commander"), login("viewer")
    ref = declare(cmd)["ref"]
    before = snapshot()
    assert_problem(client.post(f"/api/v1/incidents/{ref}/tasks", headers=viewer.headers, json={"title": "x"}), 403)
    assert_problem(client.post(f"/api/v1/incidents/{ref}/notes", headers=viewer.headers, json={"body": "x"}), 403)
    assert_problem(client.patch(f"/api/v1/incidents/{ref}", headers=viewer.headers, json={"title": "x"}), 403)
    assert_problem(client.post("/api/v1/incidents", headers=viewer.headers,
                               json={"title": "x", "type": "other"}), 403)
    assert snapshot() == before


# --- links and merge ------------------------------------------------------------------------

def test_links(client: TestClient, login: Login, declare: Declare) -> None:
    cmd = login("commander")
    a, b = declare(cmd)["ref"], declare(cmd, title="Other")["ref"]
    r = client.post(f"/api/v1/incidents/{a}/links", headers=cmd.headers, json={"ref": b, "kind": "caused_by"})
    assert r.status_code == 200
    assert r.json()["links"] == [{"ref": b, "title": "Other", "status": "triage", "kind": "caused_by"}]
    back = client.get(f"/api/v1/incidents/{b}", headers=cmd.headers).json()["links"]
    assert [link["ref"] for link in back] == [a]
    assert_problem(client.post(f"/api/v1/incidents/{b}/links", headers=cmd.headers, json={"ref": a}), 409)
    assert_problem(client.post(f"/api/v1/incidents/{a}/links", headers=cmd.headers, json={"ref": a}), 422)
    assert_problem(client.post(f"/api/v1/incidents/{a}/links", headers=cmd.headers,
                               json={"ref": "INC-1999-0009"}), 404)


def test_merge(client: TestClient, login: Login, declare: Declare) -> None:
    cmd, helper = login("commander"), login("responder")
    target = declare(cmd, title="Original")["ref"]
    dup = declare(helper, title="Duplicate")["ref"]
    r = client.post(f"/api/v1/incidents/{dup}/merge", headers=cmd.headers,
                    json={"into": target, "reason": "same trend"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "merged" and r.json()["merged_into"] == target
    assert {"ref": target, "title": "Original", "status": "triage", "kind": "merged_into"} in r.json()["links"]
    t = client.get(f"/api/v1/incidents/{target}", headers=cmd.headers).json()
    assert helper.username in [m["username"] for m in t["members"]]
    kinds = [e["type"] for e in client.get(f"/api/v1/incidents/{target}/timeline", headers=cmd.headers).json()]
    assert "incident.merged_from" in kinds
    # a merged (final) incident cannot be merged again, and nothing merges into itself or a closed one
    assert_problem(client.post(f"/api/v1/incidents/{dup}/merge", headers=cmd.headers,
                               json={"into": target, "reason": "again"}), 409)
    other = declare(cmd)["ref"]
    assert_problem(client.post(f"/api/v1/incidents/{other}/merge", headers=cmd.headers,
                               json={"into": other, "reason": "self"}), 422)
    assert_problem(client.post(f"/api/v1/incidents/{other}/merge", headers=cmd.headers,
                               json={"into": dup, "reason": "into merged"}), 409)
    closed = declare(cmd)["ref"]
    for status in ("active", "resolved", "closed"):
        client.post(f"/api/v1/incidents/{closed}/status", headers=cmd.headers, json={"status": status})
    before = snapshot()
    assert_problem(client.post(f"/api/v1/incidents/{closed}/merge", headers=cmd.headers,
                               json={"into": other, "reason": "closed"}), 409)
    assert_problem(client.post(f"/api/v1/incidents/{other}/merge", headers=cmd.headers,
                               json={"into": closed, "reason": "closed"}), 409)
    assert_problem(client.post(f"/api/v1/incidents/{other}/merge", headers=helper.headers,
                               json={"into": target, "reason": "no command"}), 403)
    assert snapshot() == before


def test_restricted_incident_merges_only_into_restricted(client: TestClient, login: Login,
                                                         declare: Declare) -> None:
    cmd = login("commander")
    secret = declare(cmd, type="child_safety")["ref"]
    public = declare(cmd)["ref"]
    before = snapshot()
    assert_problem(client.post(f"/api/v1/incidents/{secret}/merge", headers=cmd.headers,
                               json={"into": public, "reason": "x"}), 422)
    assert snapshot() == before


def test_a_task_due_in_the_past_is_refused(client: TestClient, login: Login, declare: Declare) -> None:
    cmd = login("commander")
    ref = declare(cmd, type="other")["ref"]
    before = snapshot()
    past = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    resp = client.post(f"/api/v1/incidents/{ref}/tasks", headers=cmd.headers, json={"title": "x", "due_at": past})
    assert_problem(resp, 422)
    assert "in the past" in resp.text and "due_at" in resp.text
    assert snapshot() == before
    task = client.post(f"/api/v1/incidents/{ref}/tasks", headers=cmd.headers, json={"title": "x"}).json()
    assert_problem(client.patch(f"/api/v1/incidents/{ref}/tasks/{task['id']}", headers=cmd.headers,
                                json={"due_at": past}), 422)
