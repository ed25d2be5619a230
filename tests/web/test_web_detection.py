"""The alert queue, alert page, cases and threshold editor over HTTP: English and Russian, bad input."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from rapidresponse import events
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.detection import alerts
from rapidresponse.detection.models import Alert, Case, Threshold

KEY = ("dangerous_challenge", "KZ", "kk")


AlertMaker = Callable[..., int]


def _alert(make_alert: AlertMaker, fake_clock: Any, key: tuple[str, str, str] = KEY) -> int:
    """An open alert on ``key`` from a crossing twenty minutes ago."""
    return make_alert(key, bucket=fake_clock.now - timedelta(minutes=20), score=0.9, threshold=0.6, observed=40)


def _events() -> int:
    with unit_of_work(read_only=True) as s:
        return int(s.execute(select(func.count()).select_from(events.Event)).scalar_one())


def test_queue_and_alert_page_in_russian_with_chart(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                                                    fake_clock: Any, make_alert: AlertMaker) -> None:
    alert_id = _alert(make_alert, fake_clock)
    _, csrf = logged_in("responder")
    page = client.get("/alerts")
    assert page.status_code == 200 and f'href="/alerts/{alert_id}"' in page.text
    assert '<span class="badge" title="Open alerts">1</span>' in page.text
    client.post("/locale", data={"csrf_token": csrf, "locale": "ru", "next": f"/alerts/{alert_id}"})
    detail = client.get(f"/alerts/{alert_id}")
    assert detail.status_code == 200 and "Алерт" in detail.text and "Ожидаемый диапазон" in detail.text
    assert detail.text.count('class="anomaly"') == 1 and '<polygon class="band"' in detail.text
    assert client.get("/alerts/999999").status_code == 404
    assert client.get("/alerts?state=bogus").status_code == 422


def test_alert_actions_refuse_bad_input_and_invalid_transitions(client: TestClient, fake_clock: Any,
                                                                logged_in: Callable[..., tuple[Actor, str]],
                                                                make_alert: AlertMaker) -> None:
    alert_id = _alert(make_alert, fake_clock)
    _, csrf = logged_in("commander")
    before = _events()
    bad = client.post(f"/alerts/{alert_id}", data={"csrf_token": csrf, "action": "dismiss", "reason": "bad\x00"})
    assert bad.status_code == 422 and "form-error" in bad.text
    huge = client.post(f"/alerts/{alert_id}", data={"csrf_token": csrf, "action": "snooze", "hours": "1e9",
                                                     "reason": "x"})
    assert huge.status_code == 422
    assert client.post(f"/alerts/{alert_id}", data={"csrf_token": csrf, "action": "explode"}).status_code == 422
    assert client.post("/alerts/999999", data={"csrf_token": csrf, "action": "ack"}).status_code == 404
    assert _events() == before
    ok = client.post(f"/alerts/{alert_id}", data={"csrf_token": csrf, "action": "dismiss", "reason": "a meme"},
                     follow_redirects=False)
    assert ok.status_code == 303
    again = client.post(f"/alerts/{alert_id}", data={"csrf_token": csrf, "action": "ack"})
    assert again.status_code == 409 and "form-error" in again.text


def test_manual_case_then_escalation_form_is_prefilled(client: TestClient, fake_clock: Any,
                                                       logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    bad = client.post("/cases", data={"csrf_token": csrf, "source": "press", "title": "", "countries": "KZ"})
    assert bad.status_code == 422
    wrong = client.post("/cases", data={"csrf_token": csrf, "source": "press", "title": "x", "countries": "ZZZ"})
    assert wrong.status_code == 422
    with unit_of_work(read_only=True) as s:
        assert s.execute(select(func.count()).select_from(Case)).scalar_one() == 0
    made = client.post("/cases", data={"csrf_token": csrf, "source": "regulator", "title": "MCI letter: «собачий кайф»",
                                       "harm": "dangerous_challenge", "countries": "KZ, RU", "languages": "kk, ru"},
                       follow_redirects=False)
    assert made.status_code == 303
    case_page = client.get(made.headers["location"])
    assert 'option value="dangerous_challenge" selected' in case_page.text
    assert "MCI letter: «собачий кайф»" in case_page.text
    linked = client.post(made.headers["location"], data={"csrf_token": csrf, "action": "escalate",
                                                         "into": "INC-2099-0999"})
    assert linked.status_code == 404 and "form-error" in linked.text
    done = client.post(made.headers["location"], data={"csrf_token": csrf, "action": "escalate"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/incidents/INC-")


def test_threshold_editor_backtests_and_saves(client: TestClient, fake_clock: Any,
                                              logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    page = client.get("/detection/thresholds?family=dangerous_challenge&threshold=0.5")
    assert page.status_code == 200 and "backtest-result" in page.text
    assert client.get("/detection/thresholds?family=Bad%20One&threshold=0.5").status_code == 422
    assert client.post("/detection/thresholds", data={"csrf_token": csrf, "family": "phishing",
                                                      "threshold": "7"}).status_code == 422
    saved = client.post("/detection/thresholds", data={"csrf_token": csrf, "family": "phishing", "threshold": "0.8"},
                        follow_redirects=False)
    assert saved.status_code == 303
    with unit_of_work(read_only=True) as s:
        assert s.get(Threshold, "phishing").threshold == 0.8  # type: ignore[union-attr]


def test_viewer_sees_no_alerts(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                               fake_clock: Any, make_alert: AlertMaker) -> None:
    _alert(make_alert, fake_clock)
    logged_in("viewer")
    assert client.get("/alerts").status_code == 403
    assert 'href="/alerts"' not in client.get("/").text


def test_child_safety_report_texts_only_for_those_who_see_restricted_incidents(
        client: TestClient, make_user: Callable[..., Actor], fake_clock: Any, make_alert: AlertMaker) -> None:
    from webkit import login

    alert_id = _alert(make_alert, fake_clock, ("grooming", "KZ", "kk"))
    with unit_of_work() as s:
        alert = s.get_one(Alert, alert_id)
        alert.context = {**alert.context, "samples": [{"id": 1, "occurred_at": "", "source": "user_report",
                                                        "text": "sample-marker-5K2Q"}]}
    login(client, make_user("responder").username)
    assert "sample-marker-5K2Q" not in client.get(f"/alerts/{alert_id}").text
    client.cookies.clear()
    login(client, make_user("admin").username)
    hidden = client.get(f"/alerts/{alert_id}").text  # a child-safety text waits behind its warning
    assert "sample-marker-5K2Q" not in hidden and 'action="/signals/1/reveal"' in hidden and "Warning" in hidden
    assert "sample-marker-5K2Q" in client.get(f"/alerts/{alert_id}?revealed=signal-1").text


def test_suppression_rules_are_added_and_lifted_on_the_threshold_page(
        client: TestClient, logged_in: Callable[..., tuple[Actor, str]], fake_clock: Any) -> None:
    _, csrf = logged_in("commander")
    bad = client.post("/detection/suppressions", data={"csrf_token": csrf, "harm": "*", "country": "*",
                                                       "language": "*", "reason": "all", "days": "1"})
    assert bad.status_code == 422
    ok = client.post("/detection/suppressions", data={"csrf_token": csrf, "harm": "phishing", "country": "kz",
                                                      "language": "*", "reason": "Kaspi campaign", "days": "2"},
                     follow_redirects=False)
    assert ok.status_code == 303
    page = client.get("/detection/thresholds").text
    assert page.count("Kaspi campaign") == 1 and "<code>KZ</code>" in page  # once: not in the <title> too
    assert re.search(r"<title>[^<]*</title>", page)
    with unit_of_work(read_only=True) as s:
        assert alerts.suppressing(s, ("phishing", "KZ", "kk"), fake_clock.now) is not None
        rule_id = alerts.list_rules(s, _admin(s))[0].id
    lifted = client.post(f"/detection/suppressions/{rule_id}/lift", data={"csrf_token": csrf}, follow_redirects=False)
    assert lifted.status_code == 303
    assert client.post(f"/detection/suppressions/{rule_id}/lift", data={"csrf_token": csrf}).status_code == 409
    assert client.post("/detection/suppressions/999999/lift", data={"csrf_token": csrf}).status_code == 404
    assert "Kaspi campaign" not in client.get("/detection/thresholds").text


def _admin(s: Any) -> Actor:
    from rapidresponse.auth import SYSTEM

    return SYSTEM
