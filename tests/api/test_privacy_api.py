"""A person's data end to end through the API and the web UI: find, export (JSON), erase, each
recorded without the identifier; legal holds from the incident page; who may do what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apikit import Caller, WebCaller, assert_problem, snapshot
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from rapidresponse import detection, events, wellness
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work

REPORTER = "reporter-4471"


def _signals(client: TestClient, caller: Caller, *rows: tuple[str, str]) -> None:
    batch = [{"source": "user_report", "external_id": ext, "occurred_at": "2026-03-01T08:00:00Z", "text": body,
              "url": f"https://video.example/v/{ext}", "harm": "dangerous_challenge", "country": "KZ",
              "metadata": {"reporter_id": REPORTER if ext.startswith("mine") else "someone-else"}}
             for ext, body in rows]
    resp = client.post("/api/v1/signals:batch", json={"signals": batch}, headers=caller.headers)
    assert resp.status_code == 200 and resp.json()["inserted"] == len(rows), resp.text


def _logged(kind: str) -> list[events.Event]:
    with unit_of_work(read_only=True) as s:
        return list(s.execute(select(events.Event).where(events.Event.type == kind)).scalars())


def test_a_reporters_data_is_found_exported_and_erased(client: TestClient, login: Callable[..., Caller],
                                                       declare: Callable[..., dict[str, Any]],
                                                       fake_clock: Any) -> None:
    admin, legal, analyst = login("admin"), login("legal"), login("analyst")
    _signals(client, analyst, ("mine-1", "мой телефон +7 701 000 00 00"), ("mine-2", "видео в школе №5"),
             ("other-1", "не моё"))
    inc = declare(admin, title="School challenge")
    with unit_of_work() as s:  # the second report is evidence in an incident under legal hold
        case = detection.open_manual_case(s, admin.actor, source="press", title="School challenge")
        linked = s.execute(text("SELECT id FROM signals WHERE external_id = 'mine-2'")).scalar_one()
        s.execute(text("UPDATE cases SET signal_ids = :ids WHERE id = :c"), {"ids": f"[{linked}]", "c": case.id})
        detection.escalate_case(s, admin.actor, case.id, into=inc["ref"])
    held = client.post(f"/api/v1/incidents/{inc['ref']}/legal-hold", json={"reason": "Police request 17/2026"},
                       headers=legal.headers)
    assert held.status_code == 201 and held.json()["placed_by"] == legal.username

    body = {"kind": "reporter", "identifier": REPORTER}
    found = client.post("/api/v1/privacy/subjects:find", json=body, headers=legal.headers)
    assert found.status_code == 200 and found.json()["counts"] == {"signals": 2}
    assert not _logged("privacy.subject_exported")  # looking is not handing out
    export = client.post("/api/v1/privacy/subjects:export", json=body, headers=legal.headers).json()
    assert {s["external_id"] for s in export["data"]["signals"]} == {"mine-1", "mine-2"}
    assert "+7 701 000 00 00" in str(export)

    erased = client.post("/api/v1/privacy/subjects:erase", json=body, headers=legal.headers)
    assert erased.status_code == 200 and erased.json() == {"kind": "reporter", "counts": {"signals": 1},
                                                           "kept_on_hold": 1}
    after = client.post("/api/v1/privacy/subjects:find", json=body, headers=legal.headers).json()["data"]
    texts = {s["external_id"]: s["text"] for s in after["signals"]}
    assert texts == {"mine-2": "видео в школе №5"}  # the erased one no longer names its reporter
    with unit_of_work(read_only=True) as s:
        left = s.execute(text("SELECT text, url FROM signals WHERE external_id = 'mine-1'")).one()
        other = s.execute(text("SELECT text FROM signals WHERE external_id = 'other-1'")).scalar_one()
    assert tuple(left) == ("", None) and other == "не моё"

    for kind in ("privacy.subject_exported", "privacy.subject_erased"):
        (ev,) = _logged(kind)
        assert REPORTER not in str(ev.payload) and REPORTER not in ev.subject_id and ev.actor == legal.username
    assert _logged("privacy.subject_erased")[0].payload["kept_on_hold"] == 1
    with unit_of_work(read_only=True) as s:
        assert events.verify(s).ok


def test_a_users_data_is_exported_and_the_account_erased(client: TestClient, login: Callable[..., Caller],
                                                         make_user: Callable[..., Actor]) -> None:
    admin = login("admin")
    marta = login("responder", email="marta@example.org", display_name="Марта Иванова")
    with unit_of_work() as s:
        wellness.record(s, marta.actor, "self_harm", "review")
    assert client.put("/api/v1/wellness/viewing", json={"general": {"small": True}, "sensitive": {}},
                      headers=marta.headers).status_code == 200

    body = {"kind": "user", "identifier": "MARTA@example.org"}
    export = client.post("/api/v1/privacy/subjects:export", json=body, headers=admin.headers)
    assert export.status_code == 200, export.text
    data = export.json()
    assert data["data"]["account"]["display_name"] == "Марта Иванова"
    # the exposure log stays the person's own: that wellness data is held, never what or how much
    assert data["counts"]["wellness"] == 1 and data["data"]["wellness"]["held"] is True
    assert "self_harm" not in str(data) and "exposures" not in str(data)

    erased = client.post("/api/v1/privacy/subjects:erase", json=body, headers=admin.headers)
    assert erased.status_code == 200, erased.text
    assert erased.json()["counts"]["wellness"] == 1 and erased.json()["counts"]["account_events"] >= 1
    with unit_of_work(read_only=True) as s:
        assert not wellness.held_about(s, marta.actor.user_id)
    assert client.get("/api/v1/me", headers=marta.headers).status_code == 401  # tokens ended at once
    with unit_of_work(read_only=True) as s:
        row = s.execute(text("SELECT username, email, display_name, is_active FROM users WHERE id = :i"),
                        {"i": marta.actor.user_id}).one()
        about = list(s.execute(select(events.Event).where(events.Event.subject_type == "user",
                                                          events.Event.subject_id == str(marta.actor.user_id))
                               .order_by(events.Event.id)).scalars())
        assert events.verify(s).ok
    assert tuple(row) == (f"erased-{marta.actor.user_id}", None, "", False)
    created = next(ev for ev in about if ev.type == "user.created")
    assert events.is_redacted(created.payload) and marta.username not in str(created.payload)
    gone = client.post("/api/v1/privacy/subjects:find", json=body, headers=admin.headers)
    assert_problem(gone, 404)


def test_privacy_routes_need_their_permission_and_refuse_bad_input(client: TestClient,
                                                                    login: Callable[..., Caller],
                                                                    declare: Callable[..., dict[str, Any]]) -> None:
    admin, commander, legal = login("admin"), login("commander"), login("legal")
    ref = declare(admin)["ref"]
    body = {"kind": "user", "identifier": commander.username}
    for method, path, payload in (("POST", "/api/v1/privacy/subjects:find", body),
                                  ("POST", "/api/v1/privacy/subjects:export", body),
                                  ("POST", "/api/v1/privacy/subjects:erase", body),
                                  ("POST", "/api/v1/privacy/retention:run", None),
                                  ("GET", "/api/v1/privacy/retention", None),
                                  ("GET", "/api/v1/privacy/legal-holds", None),
                                  ("POST", f"/api/v1/incidents/{ref}/legal-hold", {"reason": "mine"})):
        before = snapshot()
        assert_problem(client.request(method, path, json=payload, headers=commander.headers), 403)
        assert snapshot() == before, path
    for bad in ({"kind": "robot", "identifier": "x"}, {"kind": "user", "identifier": ""},
                {"kind": "user", "identifier": "x", "extra": 1}, {"kind": "user", "identifier": "a\x00b"}):
        before = snapshot()
        assert_problem(client.post("/api/v1/privacy/subjects:erase", json=bad, headers=legal.headers), 422)
        assert snapshot() == before
    assert_problem(client.post(f"/api/v1/incidents/{ref}/legal-hold", json={"reason": " "},
                               headers=legal.headers), 422)
    assert_problem(client.post(f"/api/v1/incidents/{ref}/legal-hold/release", json={}, headers=legal.headers), 409)
    rules = client.get("/api/v1/privacy/retention", headers=legal.headers).json()
    assert {r["data_class"]: (r["days"], r["action"]) for r in rules}["exposure"] == (90, "delete")
    assert all(r["setting"].startswith("RAPIDRESPONSE_RETENTION_") for r in rules)
    run = client.post("/api/v1/privacy/retention:run", headers=legal.headers)
    assert run.status_code == 200 and set(run.json()["counts"]) >= {"signals", "audit_events"}
    assert len(_logged("retention.applied")) == 1


def _web(client: TestClient, who: WebCaller, method: str, path: str, **form: str) -> Any:
    client.cookies.set("rr_session", who.cookie)
    try:
        if method == "GET":
            return client.get(path, follow_redirects=False)
        return client.post(path, data={**form, "csrf_token": who.csrf}, follow_redirects=False)
    finally:
        client.cookies.clear()


def test_the_incident_page_places_and_releases_a_hold(client: TestClient, login: Callable[..., Caller],
                                                      web_login: Callable[..., WebCaller],
                                                      declare: Callable[..., dict[str, Any]]) -> None:
    legal, responder = web_login("legal"), web_login("responder")
    ref = declare(login("commander"))["ref"]
    page = _web(client, legal, "GET", f"/incidents/{ref}").text
    assert "Place a legal hold" in page
    assert "Place a legal hold" not in _web(client, responder, "GET", f"/incidents/{ref}").text
    refused = _web(client, legal, "POST", f"/incidents/{ref}/legal-hold", reason="")
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    done = _web(client, legal, "POST", f"/incidents/{ref}/legal-hold", reason="Суд, дело 2-114/2026")
    assert done.status_code == 303 and done.headers["location"].startswith(f"/incidents/{ref}?done=hold_placed")
    page = _web(client, responder, "GET", f"/incidents/{ref}").text
    assert "Under legal hold" in page and "Суд, дело 2-114/2026" in page and "Release the hold" not in page
    assert _web(client, responder, "POST", f"/incidents/{ref}/legal-hold/release").status_code == 403
    assert _web(client, legal, "POST", f"/incidents/{ref}/legal-hold/release").status_code == 303
    assert "Place a legal hold" in _web(client, legal, "GET", f"/incidents/{ref}").text


def test_the_privacy_page_finds_exports_and_erases(client: TestClient, web_login: Callable[..., WebCaller],
                                                   make_user: Callable[..., Actor]) -> None:
    admin, responder = web_login("admin"), web_login("responder")
    target = make_user("viewer", email="olzhas@example.org")
    assert _web(client, responder, "GET", "/privacy").status_code == 403
    page = _web(client, admin, "GET", "/privacy")
    assert page.status_code == 200 and "Exposure log" in page.text and "No pass yet" in page.text
    found = _web(client, admin, "POST", "/privacy/find", kind="user", identifier="olzhas@example.org")
    assert found.status_code == 200 and "Erase on request" in found.text
    missing = _web(client, admin, "POST", "/privacy/find", kind="user", identifier="nobody@example.org")
    assert missing.status_code == 404 and 'role="alert"' in missing.text
    export = _web(client, admin, "POST", "/privacy/export", kind="user", identifier=target.username)
    assert export.headers["content-type"].startswith("application/json")
    assert "attachment" in export.headers["content-disposition"] and export.json()["data"]["account"]["id"]
    before = snapshot()
    unconfirmed = _web(client, admin, "POST", "/privacy/erase", kind="user", identifier=target.username)
    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.text and snapshot() == before
    erased = _web(client, admin, "POST", "/privacy/erase", kind="user", identifier=target.username, confirm="1")
    assert erased.status_code == 303 and erased.headers["location"] == "/privacy?done=subject_erased"
    assert _web(client, admin, "POST", "/privacy/retention").status_code == 303
    after = _web(client, admin, "GET", "/privacy").text
    assert "No pass yet" not in after and "nothing was due" in after  # the defaults keep a fresh install
