"""The playbook, update, approval and audience API: the happy path and the problems bad input gets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apikit import Caller, assert_problem, snapshot
from fastapi.testclient import TestClient

from rapidresponse.playbooks import sources


def test_library_and_validation(client: TestClient, login: Callable[..., Caller]) -> None:
    viewer, commander = login("viewer"), login("commander")
    lib = client.get("/api/v1/playbooks", headers=viewer.headers).json()
    assert len(lib["playbooks"]) >= 10 and lib["broken"] == []
    one = client.get("/api/v1/playbooks/child_safety", headers=viewer.headers).json()
    assert one["playbook"]["restricted"] is True and "id: child_safety" in one["text"]
    assert_problem(client.get("/api/v1/playbooks/nope", headers=viewer.headers), 404)
    text = (sources.BUILTIN_DIR / "dangerous_challenge.yaml").read_text(encoding="utf-8")
    ok = client.post("/api/v1/playbooks/validate", headers=viewer.headers, json={"text": text})
    assert ok.status_code == 200 and ok.json()["tasks"] == 9
    bad = assert_problem(client.post("/api/v1/playbooks/validate", headers=viewer.headers,
                                     json={"text": text.replace("within: 1h}", "within: soon}", 1)}), 422)
    assert bad["detail"].startswith("playbook:") and "not a duration" in bad["detail"]
    state = snapshot()
    assert_problem(client.post("/api/v1/playbooks", headers=viewer.headers,
                               json={"text": text.replace('"1.1"', '"1.2"', 1)}), 403)
    assert_problem(client.post("/api/v1/playbooks", headers=commander.headers, json={"text": text}), 409)
    assert_problem(client.post("/api/v1/playbooks", headers=commander.headers, json={"text": 5}), 422)
    assert snapshot() == state
    newer = text.replace('"1.1"', '"1.2"', 1)
    saved = client.post("/api/v1/playbooks", headers=commander.headers, json={"text": newer})
    assert saved.status_code == 201 and saved.json()["source"] == "ui"
    versions = client.get("/api/v1/playbooks/dangerous_challenge/versions", headers=viewer.headers).json()
    assert [v["version"] for v in versions] == ["1.2"]


def test_checklist_conditions_updates_and_approvals(client: TestClient, login: Callable[..., Caller],
                                                    declare: Callable[..., dict[str, Any]],
                                                    approve_translation: Callable[..., Any]) -> None:
    commander, legal, admin = login("commander"), login("legal"), login("admin")
    ref = declare(commander)["ref"]
    checklist = client.get(f"/api/v1/incidents/{ref}/playbook", headers=commander.headers).json()
    assert checklist["playbook_id"] == "dangerous_challenge" and checklist["done"] == 0
    assert {s["step"] for s in checklist["steps"]} >= {"scope", "stop_amplification"}
    put = client.put(f"/api/v1/incidents/{ref}/playbook/conditions", headers=commander.headers,
                     json={"conditions": ["minors_involved"]})
    assert put.status_code == 200 and put.json()["conditions"] == ["minors_involved"]
    assert_problem(client.put(f"/api/v1/incidents/{ref}/playbook/conditions", headers=commander.headers,
                              json={"conditions": ["ufo"]}), 422)
    assert client.put("/api/v1/audiences/pr", headers=admin.headers,
                      json={"emails": ["press@rr.example"]}).status_code == 200
    assert_problem(client.put("/api/v1/audiences/pr", headers=commander.headers, json={"emails": []}), 403)
    assert_problem(client.put("/api/v1/audiences/pr", headers=admin.headers, json={"emails": ["not-an-address"]}), 422)
    preview = client.post(f"/api/v1/incidents/{ref}/updates/preview", headers=commander.headers,
                          json={"template_id": "press_statement", "language": "ru"}).json()
    assert preview["gate"] == "external_statement" and preview["audience"] == "pr"
    upd = client.post(f"/api/v1/incidents/{ref}/updates", headers=commander.headers,
                      json={k: preview[k] for k in ("audience", "language", "subject", "body", "template_id")})
    assert upd.status_code == 201
    uid = upd.json()["id"]
    assert_problem(client.post(f"/api/v1/incidents/{ref}/updates/{uid}/send", headers=commander.headers), 409)
    ask = f"/api/v1/incidents/{ref}/updates/{uid}/request-approval"
    assert "translation" in assert_problem(client.post(ask, headers=commander.headers), 409)["detail"]  # Russian
    english = client.post(f"/api/v1/incidents/{ref}/updates/preview", headers=commander.headers,
                          json={"template_id": "press_statement", "language": "en"}).json()
    approve_translation(source_kind="stakeholder_update", source_id=str(uid), text="",  # read from the update
                        translation=f"{english['subject']}\n\n{english['body']}")
    pending = client.post(ask, headers=commander.headers).json()
    inbox = client.get("/api/v1/approvals", headers=legal.headers).json()
    assert [a["id"] for a in inbox] == [pending["approval_id"]]
    approval = inbox[0]
    assert_problem(client.post(f"/api/v1/approvals/{approval['id']}/decision", headers=legal.headers,
                               json={"decision": "approved", "text_sha256": "0" * 64}), 409)
    assert_problem(client.post(f"/api/v1/approvals/{approval['id']}/decision", headers=legal.headers,
                               json={"decision": "maybe", "text_sha256": approval["text_sha256"]}), 422)
    assert_problem(client.post("/api/v1/approvals/999999/decision", headers=legal.headers,
                               json={"decision": "approved", "text_sha256": approval["text_sha256"]}), 404)
    decided = client.post(f"/api/v1/approvals/{approval['id']}/decision", headers=legal.headers,
                          json={"decision": "approved", "text_sha256": approval["text_sha256"]})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    sent = client.post(f"/api/v1/incidents/{ref}/updates/{uid}/send", headers=commander.headers)
    assert sent.status_code == 200 and sent.json()["status"] == "sent" and sent.json()["recipients"] == 1
    timeline = [e["type"] for e in client.get(f"/api/v1/incidents/{ref}/timeline",
                                              headers=commander.headers).json()]
    for kind in ("incident.playbook_applied", "incident.playbook_escalated", "incident.update_drafted",
                 "incident.approval_requested", "incident.approval_decided", "incident.update_sent"):
        assert kind in timeline, kind
    outbox = client.get("/api/v1/notifications", headers=admin.headers,
                        params={"kind": "stakeholder.update"}).json()
    assert outbox["total"] == 1 and outbox["items"][0]["recipient"] == "press@rr.example"
