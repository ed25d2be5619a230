"""Cases: from an alert to an incident pre-filled from it, which pages on-call by email (real SMTP), and the
API's answers to bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from alertkit import SPIKE_KEY, Store, all_alerts
from fastapi.testclient import TestClient
from sqlalchemy import select

from rapidresponse import clock
from rapidresponse.app import create_app
from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from rapidresponse.detection import alerts, cases
from rapidresponse.detection.models import Alert
from rapidresponse.detection.tick import Ticker
from rapidresponse.incidents import work
from rapidresponse.notify import delivery
from rapidresponse.notify.channels import Channel
from receivers import SmtpServer


def oncall_for_challenges(admin: Actor, person: Actor) -> None:
    """A team whose daily rota is ``person`` and whose rule pages it for dangerous-challenge incidents."""
    from rapidresponse.oncall import policies
    from rapidresponse.oncall import service as oncall
    from rapidresponse.oncall.schemas import LayerIn, PolicyIn, RouteIn, ScheduleIn, TeamIn

    with unit_of_work() as s:
        team = oncall.create_team(s, admin, TeamIn(name="Central Asia challenges", timezone="Asia/Almaty",
                                                   webhook_endpoint_ids=[]))
        sched = oncall.create_schedule(s, admin, team.id, ScheduleIn(name="Primary", timezone="Asia/Almaty"))
        oncall.add_layer(s, admin, sched.id, LayerIn.model_validate({
            "name": "Daily", "level": 1, "users": [person.username], "timezone": "Asia/Almaty",
            "start_date": "2026-01-01", "shift_unit": "days"}))
        policy = policies.create_policy(s, admin, team.id, PolicyIn.model_validate({
            "name": "Default", "steps": [{"kind": "schedule", "target": str(sched.id)}]}))
        policies.add_route(s, admin, team.id, RouteIn.model_validate({
            "policy_id": policy.id, "incident_types": ["dangerous_challenge"], "min_severity": 4}))


def raise_spike_alert(fake_clock: Any, background: Store, spike: Store) -> int:
    end = background(4)
    after = spike(end - timedelta(hours=1))
    fake_clock.now = after + timedelta(minutes=7)
    with unit_of_work() as s:
        Ticker().tick(s, now=fake_clock.now)
        return s.execute(select(Alert.id).where(Alert.harm == SPIKE_KEY[0])).scalar_one()


def test_escalating_a_case_declares_a_prefilled_incident_and_pages_on_call(
        admin: Actor, make_user: Callable[..., Actor], fake_clock: Any, smtp: SmtpServer,
        channels: dict[str, Channel], background: Store, spike: Store) -> None:
    person = make_user("responder", email="oncall@example.org")
    oncall_for_challenges(admin, person)
    alert_id = raise_spike_alert(fake_clock, background, spike)
    fake_clock.advance(minutes=10)
    with unit_of_work() as s:
        case = cases.open_from_alert(s, admin, alert_id)
        case_id = case.id
        assert case.signal_ids and case.series == ["dangerous_challenge/KZ/kk"]
        cases.assign(s, admin, case_id, person.username)
        cases.note(s, admin, case_id, "Видео из школ Алматы, Қазақстан")
    assert all_alerts()[-1][3] == "escalated"
    fake_clock.advance(minutes=20)
    with unit_of_work() as s:
        incident = cases.escalate(s, admin, case_id)
        ref = incident.ref
        assert incident.type == "dangerous_challenge" and incident.countries == ["KZ"]
        assert incident.languages == ["kk"] and incident.harm_categories == ["dangerous_challenge"]
        assert "dangerous_challenge/KZ/kk" in incident.summary
        kinds = [e.type for e in work.timeline(s, admin, ref)]
        assert "incident.declared" in kinds and "incident.case_linked" in kinds
        case = cases.get(s, admin, case_id)
        m = cases.metrics(case)
        assert case.status == "escalated" and cases.incident_ref(s, admin, case) == ref
        assert m["time_to_detect_minutes"] is not None and m["time_to_detect_minutes"] >= 0
        assert m["time_to_declare_minutes"] is not None and m["time_to_declare_minutes"] >= 30
    assert delivery.drain(using=channels).delivered >= 1
    assert "oncall@example.org" in [m.rcpt_tos[0] for m in smtp.inbox.messages]
    # escalating again is an invalid transition and changes nothing
    with unit_of_work() as s:
        try:
            cases.escalate(s, admin, case_id)
            raise AssertionError("a second escalation went through")
        except Exception as exc:
            assert type(exc).__name__ == "InvalidTransition"


def test_a_child_safety_case_escalates_into_a_restricted_incident(admin: Actor, make_user: Callable[..., Actor],
                                                                  make_case: Callable[..., int],
                                                                  fake_clock: Any) -> None:
    outsider = make_user("responder")
    case_id = make_case(admin, source="regulator", title="Regulator notice: grooming in kk groups",
                        harm="grooming", countries=["KZ"], languages=["kk"])
    with unit_of_work() as s:
        incident = cases.escalate(s, admin, case_id)
        assert incident.restricted and incident.type == "child_safety"
        assert cases.incident_ref(s, outsider, cases.get(s, outsider, case_id)) is None
        assert cases.incident_ref(s, admin, cases.get(s, admin, case_id)) == incident.ref


def test_api_alerts_and_cases_answer_bad_input_with_4xx_and_change_nothing(
        admin: Actor, make_user: Callable[..., Actor], fake_clock: Any, background: Store, spike: Store) -> None:
    alert_id = raise_spike_alert(fake_clock, background, spike)
    with unit_of_work() as s:
        _, secret = auth.create_token(s, admin, name="t")
    headers = {"Authorization": f"Bearer {secret}"}
    viewer = make_user("viewer")
    with unit_of_work() as s:
        _, viewer_secret = auth.create_token(s, viewer, name="t")
    with TestClient(create_app(embedded_worker=False)) as c:
        before = all_alerts()
        assert c.get("/api/v1/alerts/999999", headers=headers).status_code == 404
        assert c.post("/api/v1/alerts/999999/ack", headers=headers).status_code == 404
        assert c.post(f"/api/v1/alerts/{alert_id}/dismiss", headers=headers,
                      json={"reason": "bad\x00reason"}).status_code == 422
        assert c.post(f"/api/v1/alerts/{alert_id}/dismiss", headers=headers,
                      json={"reason": "x" * 5000}).status_code == 422
        assert c.post(f"/api/v1/alerts/{alert_id}/snooze", headers=headers,
                      json={"until": (clock.now() - timedelta(hours=1)).isoformat(), "reason": "past"}
                      ).status_code == 422
        assert c.get("/api/v1/alerts?state=bogus", headers=headers).status_code == 422
        assert c.post(f"/api/v1/alerts/{alert_id}/ack",
                      headers={"Authorization": f"Bearer {viewer_secret}"}).status_code == 403
        assert all_alerts() == before
        listing = c.get("/api/v1/alerts?state=live", headers=headers).json()
        assert listing["total"] >= 1 and any(a["id"] == alert_id for a in listing["items"])
        assert c.post(f"/api/v1/alerts/{alert_id}/ack", headers=headers).json()["state"] == "acknowledged"
        assert c.post(f"/api/v1/alerts/{alert_id}/ack", headers=headers).status_code == 409
        created = c.post(f"/api/v1/alerts/{alert_id}/case", headers=headers, json={})
        assert created.status_code == 201
        case_id = created.json()["id"]
        assert c.post(f"/api/v1/cases/{case_id}/assign", headers=headers,
                      json={"username": "nobody-here"}).status_code == 404
        assert c.post("/api/v1/cases", headers=headers, json={"source": "alert", "title": "x"}).status_code == 422
        assert c.post("/api/v1/cases", headers=headers, json={"source": "press", "title": "x",
                                                              "countries": ["K1"]}).status_code == 422
        other = c.post("/api/v1/cases", headers=headers, json={"source": "press", "title": "other"}).json()["id"]
        assert c.post(f"/api/v1/cases/{other}/escalate", headers=headers, json={"type": "bogus"}).status_code == 422
        assert c.get(f"/api/v1/cases/{other}", headers=headers).json()["status"] == "open"
        assert c.post("/api/v1/cases", headers=headers, json={"source": "press", "title": "x\x00"}).status_code == 422
        assert c.post(f"/api/v1/cases/{case_id}/dismiss", headers=headers, json={"reason": "noise"}).status_code == 200
        assert c.post(f"/api/v1/cases/{case_id}/escalate", headers=headers, json={}).status_code == 409
        got = c.get(f"/api/v1/cases/{case_id}", headers=headers).json()
        assert got["status"] == "dismissed" and got["metrics"]["time_to_detect_minutes"] is not None
        assert c.put("/api/v1/detection/thresholds/phishing", headers=headers, json={"threshold": 2}).status_code == 422
        assert c.put("/api/v1/detection/thresholds/Bad%00", headers=headers, json={"threshold": 0.5}).status_code == 422
        assert c.put("/api/v1/detection/thresholds/phishing", headers=headers,
                     json={"threshold": 0.8}).json()["threshold"] == 0.8
        bt = c.post(f"/api/v1/detection/thresholds/{SPIKE_KEY[0]}/backtest", headers=headers,
                    json={"threshold": 0.5})
        assert bt.status_code == 200 and bt.json()["series"] == 1 and bt.json()["alerts"] >= 1
    with unit_of_work(read_only=True) as s:
        assert alerts.get(s, admin, alert_id).state == "escalated"


def test_api_series_has_counts_expected_band_and_crossings(admin: Actor, fake_clock: Any, background: Store,
                                                          spike: Store) -> None:
    alert_id = raise_spike_alert(fake_clock, background, spike)
    with unit_of_work() as s:
        _, secret = auth.create_token(s, admin, name="t")
    headers = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(embedded_worker=False)) as c:
        got = c.get("/api/v1/detection/series", headers=headers,
                    params={"harm": SPIKE_KEY[0], "country": "kz", "language": "kk", "hours": 6})
        assert got.status_code == 200, got.text
        body = got.json()
        assert len(body["points"]) == 72 and body["country"] == "KZ"
        assert max(p["count"] for p in body["points"]) >= 30
        assert all(p["low"] <= p["expected"] <= p["high"] for p in body["points"])
        assert body["crossings"] and body["crossings"][0]["alert_id"] == alert_id
        assert c.get("/api/v1/detection/series", headers=headers, params={"harm": "x\x00"}).status_code == 422
        assert c.get("/api/v1/detection/series", headers=headers,
                     params={"harm": "x", "hours": 10_000}).status_code == 422


def test_an_incident_escalated_by_a_triager_has_a_commander(make_user: Callable[..., Actor]) -> None:
    """A responder (no command permission) who escalates a case leads the incident until someone takes over."""
    from rapidresponse.incidents import service as incidents

    triager = make_user("responder")
    with unit_of_work() as s:
        case_id = cases.open_manual(s, triager, source="press", title="Journalist asks about a choking challenge",
                                    harm="dangerous_challenge", countries=["KZ"], languages=["kk"]).id
    with unit_of_work() as s:
        ref = cases.escalate(s, triager, case_id).ref
        inc = incidents.get(s, triager, ref)
        assert [m.username for m in incidents.holders(s, inc.id, "commander")] == [triager.username]
