"""The notification API and CLI: outbox listing, retry, webhooks CRUD, preferences, problem+json,
permissions checked in the service."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from rapidresponse.app import create_app
from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth
from rapidresponse.cli import app as cli_app
from rapidresponse.db import unit_of_work
from rapidresponse.notify import delivery, service
from rapidresponse.notify.channels import Channel
from rapidresponse.notify.models import OutboxMessage, WebhookEndpoint
from receivers import HttpReceiver, SmtpServer

PROBLEM = "application/problem+json"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(embedded_worker=False)) as c:
        yield c


@pytest.fixture
def caller(make_user: Callable[..., Actor]) -> Callable[..., dict[str, str]]:
    def make(role: str = "admin", **kw: Any) -> dict[str, str]:
        actor = make_user(role, **kw)
        with unit_of_work() as s:
            _, secret = auth.create_token(s, actor, name="tests", scopes=None, days=1)
        return {"Authorization": f"Bearer {secret}"}

    return make


def _problem(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = resp.json()
    assert body["detail"]
    return body


def _count(model: Any) -> int:
    with unit_of_work(read_only=True) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_webhooks_crud_and_secret_shown_once(client: TestClient, caller: Callable[..., dict[str, str]],
                                             receiver: HttpReceiver) -> None:
    admin = caller()
    resp = client.post("/api/v1/webhooks", headers=admin, json={
        "name": "Дежурный канал KZ", "url": receiver.url + "/hook", "format": "chat", "kinds": ["incident.declared"]})
    assert resp.status_code == 201, resp.text
    ep = resp.json()
    assert ep["secret"] and resp.headers["location"] == f"/api/v1/webhooks/{ep['id']}"
    listed = client.get("/api/v1/webhooks", headers=admin).json()
    assert [w["name"] for w in listed] == ["Дежурный канал KZ"] and "secret" not in listed[0]
    patched = client.patch(f"/api/v1/webhooks/{ep['id']}", headers=admin, json={"rotate_secret": True,
                                                                               "enabled": False}).json()
    assert patched["secret"] != ep["secret"] and patched["enabled"] is False
    _problem(client.post("/api/v1/webhooks", headers=admin, json={"name": "Дежурный канал KZ",
                                                                   "url": receiver.url}), 409)
    assert client.delete(f"/api/v1/webhooks/{ep['id']}", headers=admin).status_code == 204
    _problem(client.get(f"/api/v1/webhooks/{ep['id']}", headers=admin), 404)


@pytest.mark.parametrize("body", [
    {"name": "x", "url": "ftp://example.org/hook"},
    {"name": "x", "url": "http://user:pass@example.org/hook"},
    {"name": "x", "url": "not a url"},
    {"name": "x", "url": "http://example.org/\r\nX-Injected: 1"},
    {"name": "x", "url": "http://example.org/", "format": "xml"},
    {"name": "x", "url": "http://example.org/", "kinds": ["everything"]},
    {"name": "", "url": "http://example.org/"},
    {"name": "x\u0000", "url": "http://example.org/"},
    {"name": "x", "url": "http://example.org/", "secret": "mine"},
])
def test_bad_webhooks_are_refused_and_change_nothing(client: TestClient, caller: Callable[..., dict[str, str]],
                                                     body: dict[str, Any]) -> None:
    admin = caller()
    _problem(client.post("/api/v1/webhooks", headers=admin, json=body), 422)
    assert _count(WebhookEndpoint) == 0


def test_outbox_list_filters_pages_gets_and_retries(client: TestClient, caller: Callable[..., dict[str, str]],
                                                    smtp: SmtpServer, channels: dict[str, Channel]) -> None:
    admin = caller()
    smtp.inbox.fail_code = 550
    with unit_of_work() as s:
        for i in range(5):
            service.enqueue(s, kind="test", channel="email", recipient=f"u{i}@example.kz", subject=f"Хабар {i}",
                            body="мәтін", max_attempts=1)
    assert delivery.drain(using=channels).dead == 5
    page = client.get("/api/v1/notifications", headers=admin, params={"status": "dead", "limit": 2, "offset": 1})
    assert page.status_code == 200, page.text
    data = page.json()
    assert data["total"] == 5 and len(data["items"]) == 2 and data["counts"]["dead"] == 5
    assert [m["subject"] for m in data["items"]] == ["Хабар 3", "Хабар 2"]
    assert all("SMTP 550" in m["last_error"] for m in data["items"])
    mid = data["items"][0]["id"]
    one = client.get(f"/api/v1/notifications/{mid}", headers=admin).json()
    assert one["body"] == "мәтін" and one["status"] == "dead"
    _problem(client.get("/api/v1/notifications", headers=admin, params={"status": "lost"}), 422)
    _problem(client.get("/api/v1/notifications/999999", headers=admin), 404)
    smtp.inbox.fail_code = None
    assert client.post(f"/api/v1/notifications/{mid}/retry", headers=admin).json()["status"] == "pending"
    _problem(client.post(f"/api/v1/notifications/{mid}/retry", headers=admin), 409)
    assert delivery.drain(using=channels).delivered == 1
    assert smtp.inbox.messages[0].message["Subject"] == "Хабар 3"


def test_permissions_are_checked(client: TestClient, caller: Callable[..., dict[str, str]]) -> None:
    responder, comms = caller("responder"), caller("comms")
    _problem(client.get("/api/v1/notifications", headers=responder), 403)
    assert client.get("/api/v1/notifications", headers=comms).status_code == 200
    _problem(client.post("/api/v1/webhooks", headers=comms, json={"name": "x", "url": "http://example.org"}), 403)
    _problem(client.post("/api/v1/notifications/test", headers=comms, json={"email": "a@b.kz"}), 403)
    _problem(client.get("/api/v1/notifications"), 401)
    assert _count(WebhookEndpoint) == 0 and _count(OutboxMessage) == 0


def test_preferences(client: TestClient, caller: Callable[..., dict[str, str]], make_endpoint: Callable[..., Any],
                     receiver: HttpReceiver) -> None:
    me = caller("responder", email="dana@rapidresponse.example")
    no_mail = caller("responder")
    ep = make_endpoint(receiver.url)
    got = client.get("/api/v1/me/notification-preferences", headers=me).json()
    assert got["preferences"]["incident.declared"] == ["email"]
    assert f"webhook:{ep.id}" in got["channels"]
    put = client.put("/api/v1/me/notification-preferences", headers=me,
                     json={"preferences": {"incident.declared": ["email", f"webhook:{ep.id}"],
                                           "incident.member_added": []}})
    assert put.status_code == 200, put.text
    prefs = put.json()["preferences"]
    assert prefs["incident.declared"] == ["email", f"webhook:{ep.id}"] and prefs["incident.member_added"] == []
    assert prefs["task.overdue"] == ["email"], "kinds not mentioned keep their default"
    _problem(client.put("/api/v1/me/notification-preferences", headers=me,
                        json={"preferences": {"incident.declared": ["sms"]}}), 422)
    _problem(client.put("/api/v1/me/notification-preferences", headers=me,
                        json={"preferences": {"everything": ["email"]}}), 422)
    body = _problem(client.put("/api/v1/me/notification-preferences", headers=no_mail,
                               json={"preferences": {"incident.declared": ["email"]}}), 422)
    assert "no email" in body["detail"]


def test_declaring_an_incident_notifies_per_preferences(client: TestClient, caller: Callable[..., dict[str, str]],
                                                        make_endpoint: Callable[..., Any], smtp: SmtpServer,
                                                        receiver: HttpReceiver, channels: dict[str, Channel]) -> None:
    lead = caller("commander", email="aigerim@rapidresponse.example", locale="ru")
    team = make_endpoint(receiver.url + "/team", format="chat", kinds=["incident.declared"])
    decl = client.post("/api/v1/incidents", headers=lead, json={
        "title": "Собачий кайф: қауіпті челлендж", "type": "dangerous_challenge", "countries": ["KZ"]})
    assert decl.status_code == 201, decl.text
    ref = decl.json()["ref"]
    # a restricted one: the title does not leave the platform, and team channels do not hear of it
    secret = client.post("/api/v1/incidents", headers=lead, json={
        "title": "Груминг в чатах: имена жертв", "type": "dangerous_challenge", "restricted": True})
    assert secret.status_code == 201, secret.text
    assert delivery.drain(using=channels).delivered == 3
    subjects = sorted(m.message["Subject"] for m in smtp.inbox.messages)
    assert any(ref in s and "Собачий кайф: қауіпті челлендж" in s and "объявлен" in s for s in subjects)
    assert not any("Груминг" in s for s in subjects)
    assert any("ограниченным доступом" in s for s in subjects)
    [team_msg] = receiver.requests
    assert team_msg.path == "/team" and ref in team_msg.json["text"] and team.id
    # adding someone else tells them; the same event never queues twice
    make_user_headers = caller("responder", username="bolat", email="bolat@rapidresponse.example")
    assert make_user_headers
    added = client.post(f"/api/v1/incidents/{ref}/roles", headers=lead, json={"username": "bolat",
                                                                              "role": "comms_lead"})
    assert added.status_code == 200, added.text
    assert delivery.drain(using=channels).delivered == 1
    assert "bolat@rapidresponse.example" in smtp.inbox.messages[-1].rcpt_tos


runner = CliRunner()


def test_cli_outbox_retry_send_test(engine: Engine, make_user: Callable[..., Actor], smtp: SmtpServer,
                                    channels: dict[str, Channel]) -> None:
    make_user("admin", username="admin")
    result = runner.invoke(cli_app, ["notify", "send-test", "--email", "ops@rapidresponse.example", "--now"])
    assert result.exit_code == 0, result.output
    assert "delivered" in result.output and smtp.inbox.messages
    smtp.inbox.fail_code = 554
    result = runner.invoke(cli_app, ["notify", "send-test", "--email", "ops@rapidresponse.example"])
    assert result.exit_code == 0, result.output
    with unit_of_work() as s:
        s.execute(OutboxMessage.__table__.update().values(max_attempts=1))
    delivery.drain(using=channels)
    result = runner.invoke(cli_app, ["notify", "outbox", "--status", "dead", "--json"])
    assert result.exit_code == 0 and "SMTP 554" in result.output
    with unit_of_work(read_only=True) as s:
        dead_id = s.execute(select(OutboxMessage.id).where(OutboxMessage.status == "dead")).scalar_one()
    smtp.inbox.fail_code = None
    result = runner.invoke(cli_app, ["notify", "retry", str(dead_id)])
    assert result.exit_code == 0 and "queued again" in result.output
    result = runner.invoke(cli_app, ["notify", "deliver"])
    assert result.exit_code == 0 and "delivered 1" in result.output
    for bad in (["notify", "retry", str(dead_id)], ["notify", "send-test", "--email", "nobody"],
                ["notify", "send-test"], ["notify", "outbox", "--status", "lost"],
                ["notify", "send-test", "--webhook", "4242"]):
        result = runner.invoke(cli_app, bad)
        assert result.exit_code == 2, (bad, result.output)
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_outbox_hides_restricted_incidents_from_non_members(client: TestClient,
                                                            caller: Callable[..., dict[str, str]]) -> None:
    lead = caller("commander", username="lead", email="lead@rapidresponse.example")
    comms, admin = caller("comms"), caller("admin")
    resp = client.post("/api/v1/incidents", headers=lead, json={
        "title": "Сексторшн: жертвы — подростки", "type": "dangerous_challenge", "restricted": True})
    assert resp.status_code == 201, resp.text
    ref = resp.json()["ref"]
    seen_by_comms = client.get("/api/v1/notifications", headers=comms)
    assert seen_by_comms.json()["total"] == 0 and ref not in seen_by_comms.text
    mine = client.get("/api/v1/notifications", headers=lead).json()  # the recipient sees their own
    assert mine["total"] == 1 and mine["items"][0]["restricted"] is True
    _problem(client.get(f"/api/v1/notifications/{mine['items'][0]['id']}", headers=comms), 404)
    assert client.get("/api/v1/notifications", headers=admin).json()["total"] == 1
