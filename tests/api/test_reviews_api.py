"""The reviews API: the whole flow to a closed incident, the closing gate's 409 saying what is
missing, exports, action items, and bad input that changes nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apikit import Caller, assert_problem
from fastapi.testclient import TestClient
from pypdf import PdfReader

SEV1 = {"harm": 4, "reach": 4, "velocity": 4, "vulnerable": True}


def _status(client: TestClient, caller: Caller, ref: str, *statuses: str) -> None:
    for status in statuses:
        resp = client.post(f"/api/v1/incidents/{ref}/status", headers=caller.headers, json={"status": status})
        assert resp.status_code == 200, resp.text


def test_the_flow_from_draft_to_closed(client: TestClient, login: Callable[..., Caller],
                                      declare: Callable[..., dict[str, Any]], pdf_export: None) -> None:
    cmd = login("commander")
    ref = declare(cmd, severity=SEV1)["ref"]
    _status(client, cmd, ref, "active", "resolved")
    refused = assert_problem(client.post(f"/api/v1/incidents/{ref}/status", headers=cmd.headers,
                                         json={"status": "closed"}), 409)
    assert "needs a published post-incident review" in refused["detail"]
    assert_problem(client.get(f"/api/v1/incidents/{ref}/review", headers=cmd.headers), 404)
    created = client.post(f"/api/v1/incidents/{ref}/review?language=ru", headers=cmd.headers)
    assert created.status_code == 201 and created.headers["Location"] == f"/api/v1/incidents/{ref}/review"
    review = created.json()
    assert review["state"] == "draft" and review["language"] == "ru" and review["moments"]
    assert any(m["kind"] == "declared" for m in review["moments"])
    assert_problem(client.post(f"/api/v1/incidents/{ref}/review", headers=cmd.headers), 409)
    edited = client.patch(f"/api/v1/incidents/{ref}/review", headers=cmd.headers,
                          json={"summary": "Сдержали за сутки.", "whys": ["Поздно сработал алерт"]})
    assert edited.status_code == 200 and edited.json()["sections"]["summary"] == "Сдержали за сутки."
    early = assert_problem(client.post(f"/api/v1/incidents/{ref}/review/publish", headers=cmd.headers), 409)
    assert "meeting" in early["detail"]
    for path, body in (("submit", None), ("meeting", {"held_at": datetime.now(UTC).isoformat()}),
                       ("signoffs", {"role": "commander"})):
        resp = client.post(f"/api/v1/incidents/{ref}/review/{path}", headers=cmd.headers, json=body)
        assert resp.status_code == 200, (path, resp.text)
    published = client.post(f"/api/v1/incidents/{ref}/review/publish", headers=cmd.headers)
    assert published.status_code == 200 and published.json()["state"] == "published"
    criteria = published.json()["criteria"]
    refused = assert_problem(client.post(f"/api/v1/incidents/{ref}/status", headers=cmd.headers,
                                         json={"status": "closed"}), 409)
    assert "exit criteria neither met nor waived" in refused["detail"]
    for c in criteria:
        resp = client.put(f"/api/v1/incidents/{ref}/review/criteria/{c['position']}", headers=cmd.headers,
                          json={"state": "met"})
        assert resp.status_code == 200
    _status(client, cmd, ref, "closed")
    md = client.get(f"/api/v1/incidents/{ref}/review/export?format=md&language=en", headers=cmd.headers)
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "Сдержали за сутки." in md.text and "## Key moments" in md.text
    pdf = client.get(f"/api/v1/incidents/{ref}/review/export?format=pdf", headers=cmd.headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Сдержали за сутки." in text and "Ключевые моменты" in text


def test_bad_input_is_refused_and_changes_nothing(client: TestClient, login: Callable[..., Caller],
                                                 declare: Callable[..., dict[str, Any]]) -> None:
    cmd, viewer = login("commander"), login("viewer")
    ref = declare(cmd)["ref"]
    _status(client, cmd, ref, "active")
    assert client.post(f"/api/v1/incidents/{ref}/review", headers=cmd.headers).status_code == 201
    before = client.get(f"/api/v1/incidents/{ref}/review", headers=cmd.headers).json()
    base = f"/api/v1/incidents/{ref}/review"
    for method, path, body, status in (
            ("patch", base, {"summary": "x", "unknown": 1}, 422),
            ("patch", base, {"summary": "\u0000"}, 422),
            ("patch", base, {"whys": ["a"] * 8}, 422),
            ("post", base + "/moments", {"at": 0.5, "text": "numbers are not times"}, 422),
            ("post", base + "/moments", {"at": datetime.now(UTC).isoformat(), "text": ""}, 422),
            ("put", base + "/moments", {"ids": [1, 1]}, 422),
            ("delete", base + "/moments/2147483648", None, 422),
            ("put", base + "/criteria/1", {"state": "waived"}, 422),
            ("put", base + "/criteria/0", {"state": "met"}, 422),
            ("put", base + "/criteria/99", {"state": "met"}, 404),
            ("post", base + "/signoffs", {"role": "janitor"}, 422),
            ("post", base + "/meeting", {"held_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}, 409),
            ("post", base + "/publish", None, 409),
            ("get", base + "/export?format=docx", None, 422),
            ("post", "/api/v1/incidents/INC-1999-9999/review", None, 404)):
        resp = client.request(method.upper(), path, headers=cmd.headers, json=body)
        assert_problem(resp, status)
    assert_problem(client.patch(base, headers=viewer.headers, json={"summary": "viewer edit"}), 403)
    after = client.get(f"/api/v1/incidents/{ref}/review", headers=cmd.headers).json()
    assert after == before


def test_action_items_through_the_api(client: TestClient, login: Callable[..., Caller],
                                      declare: Callable[..., dict[str, Any]]) -> None:
    cmd, policy = login("commander"), login("policy")
    ref = declare(cmd)["ref"]
    _status(client, cmd, ref, "active")
    assert_problem(client.post(f"/api/v1/incidents/{ref}/review/action-items", headers=cmd.headers,
                               json={"title": "x", "kind": "policy"}), 404)  # no review yet
    client.post(f"/api/v1/incidents/{ref}/review", headers=cmd.headers)
    due = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    created = client.post(f"/api/v1/incidents/{ref}/review/action-items", headers=cmd.headers,
                          json={"title": "Clarify the minors policy", "kind": "policy", "owner": policy.username,
                                "due_at": due})
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["overdue"] and created.headers["Location"] == f"/api/v1/action-items/{item['id']}"
    board = client.get("/api/v1/action-items?overdue=true", headers=cmd.headers).json()
    assert [i["id"] for i in board["items"]] == [item["id"]] and board["total"] == 1
    assert_problem(client.patch(f"/api/v1/action-items/{item['id']}", headers=policy.headers,
                                json={"status": "done"}), 422)
    assert_problem(client.patch(f"/api/v1/action-items/{item['id']}", headers=policy.headers,
                                json={"status": "cancelled"}), 422)
    assert_problem(client.get("/api/v1/action-items/2147483648", headers=cmd.headers), 422)
    assert_problem(client.get("/api/v1/action-items?offset=-1", headers=cmd.headers), 422)
    done = client.patch(f"/api/v1/action-items/{item['id']}", headers=policy.headers,
                        json={"status": "done", "evidence": "Policy v7 section 3"})
    assert done.status_code == 200 and done.json()["status"] == "done" and not done.json()["overdue"]
    review = client.get(f"/api/v1/incidents/{ref}/review", headers=cmd.headers).json()
    assert [i["title"] for i in review["action_items"]] == ["Clarify the minors policy"]
    learning = client.get("/api/v1/learning", headers=cmd.headers).json()
    assert learning["open_items"] == 0 and learning["reviews_by_state"] == {"draft": 1}


def test_a_restricted_incident_s_review_is_404_to_outsiders(client: TestClient, login: Callable[..., Caller],
                                                          declare: Callable[..., dict[str, Any]]) -> None:
    cmd, outsider = login("commander"), login("commander")
    ref = declare(cmd, restricted=True)["ref"]
    _status(client, cmd, ref, "active")
    client.post(f"/api/v1/incidents/{ref}/review", headers=cmd.headers)
    for path in (f"/api/v1/incidents/{ref}/review", f"/api/v1/incidents/{ref}/review/export",
                 f"/api/v1/incidents/{ref}/recurrences"):
        assert_problem(client.get(path, headers=outsider.headers), 404)
    assert client.get("/api/v1/reviews", headers=outsider.headers).json()["total"] == 0
    assert client.get("/api/v1/reviews", headers=cmd.headers).json()["total"] == 1
