"""Several machines' worth of processes on one database: two ``rapidresponse serve`` and two
``rapidresponse worker`` processes (real subprocesses, free ports). Work enters through both servers
at once — declarations (a webhook and an email each), notes on one incident, test messages — and the
two workers deliver the outbox to a local HTTP receiver and SMTP server. Nothing is done twice (each
message arrives once, each note and incident is stored once) and nothing is lost; the audit chain
verifies."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from processes import environment, serving, working
from rapidresponse import auth, events
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.incidents.models import Incident, Note
from rapidresponse.notify.models import OutboxMessage
from receivers import HttpReceiver, SmtpServer

pytestmark = pytest.mark.slow
DECLARATIONS, NOTES, TESTS = 8, 24, 8


def _token(actor: Actor) -> dict[str, str]:
    with unit_of_work() as s:
        _, secret = auth.create_token(s, actor, name="two machines")
    return {"Authorization": f"Bearer {secret}"}


def _outbox() -> list[OutboxMessage]:
    with unit_of_work(read_only=True) as s:
        return list(s.execute(select(OutboxMessage)).scalars())


def _until(cond: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_servers_and_two_workers_do_everything_once(engine: Engine, make_user: Callable[..., Actor],
                                                        make_endpoint: Callable[..., Any], receiver: HttpReceiver,
                                                        smtp: SmtpServer, tmp_path: Path) -> None:
    commander = _token(make_user("commander", email="commander@example.org"))
    admin = _token(make_user("admin"))
    hook = make_endpoint(receiver.url + "/declared", kinds=["incident.declared"])
    env = environment(engine, tmp_path / "var", smtp_host="127.0.0.1", smtp_port=str(smtp.port),
                      worker_interval_seconds="0.2", notify_batch_size="4", notify_lease_seconds="60")
    with serving(env, count=2) as servers:
        first = httpx.post(servers[0].url + "/api/v1/incidents", headers=commander, json={
            "title": "Hot incident", "type": "dangerous_challenge", "countries": ["KZ"], "languages": ["ru"]})
        assert first.status_code == 201, first.text
        hot = first.json()["ref"]

        def call(i: int) -> int:
            url = servers[i % 2].url
            if i < DECLARATIONS:
                return httpx.post(url + "/api/v1/incidents", headers=commander, timeout=60, json={
                    "title": f"Wave {i}", "type": "hate_speech_wave", "countries": ["UZ"], "languages": ["uz"]}
                ).status_code
            if i < DECLARATIONS + NOTES:
                return httpx.post(f"{url}/api/v1/incidents/{hot}/notes", headers=commander, timeout=60,
                                  json={"body": f"Обновление {i}"}).status_code
            return httpx.post(url + "/api/v1/notifications/test", headers=admin, timeout=60,
                              json={"webhook_id": hook.id}).status_code

        with working(env | {"RAPIDRESPONSE_VAR_DIR": str(tmp_path / "w1")}), \
                working(env | {"RAPIDRESPONSE_VAR_DIR": str(tmp_path / "w2")}):
            with ThreadPoolExecutor(8) as pool:
                answers = Counter(pool.map(call, range(DECLARATIONS + NOTES + TESTS)))
            assert answers == {201: DECLARATIONS + NOTES, 202: TESTS}, answers
            _until(lambda: {m.status for m in _outbox()} == {"delivered"}, 120, "every message delivered")
            _until(lambda: len(smtp.inbox.messages) >= sum(m.channel == "email" for m in _outbox()), 30,
                   "every email received")
    outbox = _outbox()
    webhooks = {m.idempotency_key for m in outbox if m.channel == "webhook"}
    emails = {m.idempotency_key for m in outbox if m.channel == "email"}
    assert len(webhooks) == DECLARATIONS + 1 + TESTS  # each declaration, the hot one too, and each test
    assert len(emails) == DECLARATIONS + 1  # the declarer hears of each incident
    received = [r.headers.get("idempotency-key", "") for r in receiver.requests]
    assert sorted(received) == sorted(webhooks)  # each webhook arrived exactly once
    mailed = [m.message["X-Idempotency-Key"] for m in smtp.inbox.messages]
    assert sorted(mailed) == sorted(emails)  # each email arrived exactly once
    with unit_of_work(read_only=True) as s:
        bodies = list(s.execute(select(Note.body).join(Incident, Incident.id == Note.incident_id)
                                .where(Incident.ref == hot)).scalars())
        refs = s.execute(select(func.count(Incident.id), func.count(Incident.ref.distinct()))).one()
        verified = events.verify(s)
    assert sorted(bodies) == sorted(f"Обновление {i}" for i in range(DECLARATIONS, DECLARATIONS + NOTES))
    assert tuple(refs) == (DECLARATIONS + 1, DECLARATIONS + 1)
    assert verified.ok, verified
