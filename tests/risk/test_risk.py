"""The risk register through its service and CLI: indicators against a fixed history read from the
analytics warehouse, the assessment workflow and its permissions, the re-assessment flag, bad input,
the annual report, and restricted incidents never named or counted for readers who may not see them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from rapidresponse import analytics, events, incidents, risk
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.cli import app
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

runner = CliRunner()


@pytest.fixture(autouse=True)
def own_warehouse(tmp_path: Path, env: Callable[..., None]) -> Path:
    path = tmp_path / "warehouse.duckdb"
    env(analytics_path=str(path))
    return path


def _sync() -> None:
    with unit_of_work(read_only=True) as s:
        analytics.sync_now(s, SYSTEM)


def _reports(n: int, at: datetime, *, country: str = "KZ", tag: str = "a") -> list[dict[str, Any]]:
    return [{"external_id": f"{tag}-{at:%m%d%H%M}-{i}", "source": "user_report",
             "occurred_at": (at + timedelta(seconds=i)).isoformat(), "harm": "dangerous_challenge",
             "country": country, "language": "kk", "text": f"сигнал {i}"} for i in range(n)]


def _status(actor: Actor, ref: str, *statuses: str) -> None:
    with unit_of_work() as s:
        for status in statuses:
            incidents.change_status(s, actor, ref, incidents.StatusChange.model_validate({"status": status}))


def _indicators(detail: risk.RiskDetail) -> dict[str, tuple[Any, Any, Any]]:
    return {i.name: (i.value, i.previous, i.at_assessment) for i in detail.indicators}


@pytest.fixture
def history(fake_clock: Any, make_user: Callable[..., Actor], make_incident: Callable[..., str],
            make_signals: Callable[..., Any], make_request: Callable[..., Any]) -> dict[str, Any]:
    """Within the last 28 days (the clock ends at 2026-03-29 09:00): 30 KZ reports, one SEV2 KZ
    incident mitigated 90 minutes after declaration with a regulator request about it, and a
    restricted KZ incident mitigated after 30 minutes; in the 28 days before: 10 KZ reports."""
    cmd = make_user("commander")
    start = fake_clock.now  # 2026-03-01 09:00
    make_signals(_reports(10, start - timedelta(days=10), tag="before"))
    fake_clock.advance(days=20)
    make_signals(_reports(30, fake_clock.now - timedelta(hours=2), tag="now"))
    open_ref = make_incident(cmd, countries=["KZ"])
    hidden_ref = make_incident(cmd, countries=["KZ"], restricted=True, title="Закрытый инцидент о детях")
    fake_clock.advance(minutes=30)
    _status(cmd, hidden_ref, "active", "mitigated")
    fake_clock.advance(minutes=60)
    _status(cmd, open_ref, "active", "mitigated")
    make_request(received_at=fake_clock.now.isoformat(), incident=open_ref)
    fake_clock.advance(days=8)
    return {"commander": cmd, "open": open_ref, "hidden": hidden_ref}


def test_indicators_match_a_fixed_history(history: dict[str, Any], make_risk: Callable[..., risk.RiskDetail],
                                          make_user: Callable[..., Actor]) -> None:
    created = make_risk()
    _sync()
    with unit_of_work(read_only=True) as s:
        seen = _indicators(risk.get(s, history["commander"], created.id))
        ru = risk.indicators(s, history["commander"]).get(("dangerous_challenge", "RU"))
    assert seen["signals"][:2] == (30, 10)
    # The restricted incident is left out even for a commander who may see it: every reader of the
    # register sees the same figures, and none reveals that it exists.
    assert seen["incidents"][0] == 1
    assert seen["mitigate_median"][0] == pytest.approx(90.0)
    assert seen["requests"][0] == 1
    assert seen["signals"][2] is None  # never approved: nothing to compare with
    assert ru is None  # nothing happened in RU

    analyst = make_user("analyst")
    with unit_of_work(read_only=True) as s:
        assert _indicators(risk.get(s, analyst, created.id)) == seen


def test_the_review_workflow_and_its_permissions(make_risk: Callable[..., risk.RiskDetail],
                                                 make_user: Callable[..., Actor]) -> None:
    author = make_user("policy")
    created = make_risk(author, likelihood_reason="the challenge spreads in schools")
    assert created.band == "critical" and created.version == 0 and created.assessments[0].state == "draft"
    policy_reviewer, legal, commander = make_user("policy"), make_user("legal"), make_user("commander")
    second_policy, viewer, responder = make_user("policy"), make_user("viewer"), make_user("responder")
    with unit_of_work() as s:
        with pytest.raises(Conflict, match="not in review"):
            risk.approve(s, commander, created.id, 1)
        risk.submit(s, author, created.id, 1)
        with pytest.raises(Conflict, match="needs the review of: policy, legal"):
            risk.approve(s, commander, created.id, 1)
        with pytest.raises(Conflict, match="author"):
            risk.review(s, author, created.id, 1)
        with pytest.raises(PermissionDenied):
            risk.review(s, commander, created.id, 1)  # reviews come from policy and legal
        risk.review(s, policy_reviewer, created.id, 1)
        with pytest.raises(Conflict, match="already has the policy review"):
            risk.review(s, second_policy, created.id, 1)
        with pytest.raises(PermissionDenied):
            risk.approve(s, legal, created.id, 1)  # legal reviews; a commander approves
        risk.review(s, legal, created.id, 1)
        approved = risk.approve(s, commander, created.id, 1)
    assert approved.version == 1 and approved.assessed_at is not None
    assert approved.assessments[0].state == "approved" and set(approved.assessments[0].reviews) == {"policy", "legal"}
    assert approved.assessments[0].approved_by == commander.username

    with unit_of_work() as s:  # the next version: returned once, then redrafted
        risk.assess(s, author, created.id, risk.AssessmentIn(likelihood=2, impact=5, residual_likelihood=1,
                                                             residual_impact=4, why="takedowns slowed it"))
        risk.submit(s, author, created.id, 2)
        with pytest.raises(Conflict, match="in review"):
            risk.assess(s, author, created.id, risk.AssessmentIn(likelihood=1, impact=1, residual_likelihood=1,
                                                                 residual_impact=1, why="again"))
        back = risk.return_assessment(s, legal, created.id, 2, risk.ReturnIn(comment="cite the takedown figures"))
    assert back.assessments[0].state == "returned" and back.assessments[0].comment == "cite the takedown figures"
    assert back.band == "critical"  # the rating in force is still the approved one
    with unit_of_work(read_only=True) as s:
        log = [e.type for e in s.execute(select(events.Event).where(events.Event.stream == f"risk:{created.id}")
                                         .order_by(events.Event.seq)).scalars()]
    assert log == ["risk.created", "risk.assessment_drafted", "risk.assessment_submitted", "risk.assessment_reviewed",
                   "risk.assessment_reviewed", "risk.assessment_approved", "risk.assessment_drafted",
                   "risk.assessment_submitted", "risk.assessment_returned"]

    with unit_of_work(read_only=True) as s, pytest.raises(PermissionDenied):
        risk.get(s, viewer, created.id)
    with unit_of_work() as s, pytest.raises(PermissionDenied):
        risk.create(s, responder, risk.RiskCreate(harm="grooming", country="RU", likelihood=2, impact=5))


def test_moved_indicators_flag_a_risk_for_reassessment(
        fake_clock: Any, make_risk: Callable[..., risk.RiskDetail], approve_risk: Callable[..., risk.RiskDetail],
        make_signals: Callable[..., Any]) -> None:
    make_signals(_reports(20, fake_clock.now - timedelta(days=2), tag="base"))
    created = make_risk()
    _sync()
    approved = approve_risk(created.id)
    assert _indicators(approved)["signals"][2] == 20  # the baseline the flag compares with
    with unit_of_work() as s:
        assert risk.flag_tick(s) == 0  # nothing moved

    fake_clock.advance(days=1)
    make_signals(_reports(60, fake_clock.now - timedelta(hours=1), tag="wave"))  # 80 in the window: 4×, +60
    _sync()
    with unit_of_work() as s:
        assert risk.flag_tick(s) == 1
        assert risk.flag_tick(s) == 0  # the same reasons: no second event
    with unit_of_work(read_only=True) as s:
        flagged = risk.get(s, SYSTEM, created.id)
        listed = risk.register(s, SYSTEM, risk.RiskFilter(flagged=True))
    assert flagged.flagged_reason == "signals: 80 in the window, 20 when assessed"
    assert [r.id for r in listed.items] == [created.id]

    with unit_of_work() as s:
        risk.assess(s, SYSTEM, created.id, risk.AssessmentIn(likelihood=5, impact=5, residual_likelihood=4,
                                                             residual_impact=5, why="the wave is back"))
    again = approve_risk(created.id)
    assert again.flagged_reason is None and again.band == "critical" and again.version == 2
    assert _indicators(again)["signals"][2] == 80


def test_flag_reasons_follow_the_thresholds(env: Callable[..., None]) -> None:
    assert risk.flag_reasons({"signals": 30}, {"signals": 10}) == []  # tripled, but by fewer than 50
    assert risk.flag_reasons({"signals": 100}, {"signals": 70}) == []  # +30, under half as much again
    assert risk.flag_reasons({"signals": 120}, {"signals": 70}) == ["signals: 120 in the window, 70 when assessed"]
    assert risk.flag_reasons({"severe": 1, "requests": 2}, {"severe": 0, "requests": 2}) == [
        "SEV1–2 incidents: 1 in the window, 0 when assessed"]
    assert risk.flag_reasons({"alerts": 1}, {}) == ["alerts: 1 in the window, 0 when assessed"]
    assert risk.flag_reasons({"mitigate_median": 100}, {"mitigate_median": 60}) == [
        "median time to mitigate: 100 min, 60 min when assessed"]
    env(risk_flag_growth="2", risk_flag_min_signals="0")
    assert risk.flag_reasons({"signals": 25}, {"signals": 10}) == []
    assert risk.flag_reasons({"signals": 30}, {"signals": 10}) == ["signals: 30 in the window, 10 when assessed"]


def test_bad_input_changes_nothing(make_risk: Callable[..., risk.RiskDetail], make_user: Callable[..., Actor]) -> None:
    created = make_risk()
    author = make_user("policy")
    with unit_of_work() as s:
        with pytest.raises(ValidationFailed, match="not a harm"):
            risk.create(s, author, risk.RiskCreate(harm="no_such_harm", country="KZ", likelihood=1, impact=1))
        with pytest.raises(Conflict, match="already has a risk"):
            risk.create(s, author, risk.RiskCreate(harm="dangerous_challenge", country="KZ", likelihood=1, impact=1))
        with pytest.raises(NotFound):
            risk.get(s, author, 999_999)
        with pytest.raises(NotFound):
            risk.submit(s, author, created.id, 7)
        with pytest.raises(ValidationFailed, match="names what it is"):
            risk.add_mitigation(s, author, created.id, risk.MitigationIn(kind="playbook"))
        with pytest.raises(ValidationFailed, match="no active user"):
            risk.edit(s, author, created.id, risk.RiskEdit(owner="nobody"))
    with pytest.raises(ValueError):
        risk.RiskCreate.model_validate({"harm": "grooming", "country": "KZ", "likelihood": 6, "impact": 1})
    with pytest.raises(ValueError):
        risk.RiskCreate.model_validate({"harm": "grooming", "country": "XX", "likelihood": 1, "impact": 1})
    with unit_of_work(read_only=True) as s:
        register = risk.register(s, author, risk.RiskFilter())
    assert register.total == 1 and register.items[0].version == 0


def test_the_register_heatmap_and_matrix(make_risk: Callable[..., risk.RiskDetail]) -> None:
    make_risk()
    make_risk(harm="grooming", country="RU", likelihood=2, impact=5, area="minors")
    make_risk(harm="ethnic_hatred", country="KZ", likelihood=3, impact=3)
    with unit_of_work(read_only=True) as s:
        out = risk.register(s, SYSTEM, risk.RiskFilter())
        high = risk.register(s, SYSTEM, risk.RiskFilter(band="high"))
    assert [(r.harm, r.band) for r in out.items] == [("dangerous_challenge", "critical"), ("grooming", "high"),
                                                      ("ethnic_hatred", "medium")]
    assert [r.harm for r in high.items] == ["grooming"]
    cells = {(c.likelihood, c.impact): c.risks for c in out.heatmap}
    assert len(cells) == 25 and cells[(4, 5)] == 1 and cells[(2, 5)] == 1 and sum(cells.values()) == 3
    assert {(c.harm, c.country) for c in out.matrix} == {("dangerous_challenge", "KZ"), ("grooming", "RU"),
                                                          ("ethnic_hatred", "KZ")}
    assert out.items[2].area == "illegal_content" and out.items[0].area == "minors"  # from the DSA category


def test_the_annual_report_names_no_incident(history: dict[str, Any], make_risk: Callable[..., risk.RiskDetail],
                                             approve_risk: Callable[..., risk.RiskDetail]) -> None:
    created = make_risk(likelihood_reason="the challenge spreads among teenagers")
    _sync()
    approve_risk(created.id)
    result = runner.invoke(app, ["risks", "report", "--language", "ru", "--as", history["commander"].username])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("# Оценка системных рисков") or text.startswith("# Systemic risk assessment")
    assert "34(1)(d)" in text and "the challenge spreads among teenagers" in text
    assert history["hidden"] not in text and history["open"] not in text and "Закрытый" not in text


def test_the_cli(make_user: Callable[..., Actor]) -> None:
    author, legal, policy_reviewer = make_user("policy"), make_user("legal"), make_user("policy")
    boss = make_user("commander").username
    added = runner.invoke(app, ["risks", "add", "grooming", "RU", "-l", "3", "-i", "5", "--json", "--as",
                                author.username])
    assert added.exit_code == 0, added.output
    rid = json.loads(added.output)["id"]
    for argv in (["submit", str(rid), "1", "--as", author.username],
                 ["review", str(rid), "1", "--as", policy_reviewer.username],
                 ["review", str(rid), "1", "--as", legal.username],
                 ["approve", str(rid), "1", "--as", boss],
                 ["mitigate", str(rid), "lexicon", "ru-grooming", "--description", "coded terms", "--as", boss]):
        result = runner.invoke(app, ["risks", *argv])
        assert result.exit_code == 0, (argv, result.output)
    shown = json.loads(runner.invoke(app, ["risks", "show", str(rid), "--json", "--as", boss]).output)
    assert shown["version"] == 1 and shown["mitigations"][0]["ref"] == "ru-grooming"
    listed = runner.invoke(app, ["risks", "list", "--as", boss])
    assert "grooming" in listed.output and "high" in listed.output
    refused = runner.invoke(app, ["risks", "approve", str(rid), "1", "--as", boss])
    assert refused.exit_code != 0 and "approved, not in review" in refused.output
    assert runner.invoke(app, ["risks", "add", "grooming", "RU", "-l", "9", "-i", "1", "--as", boss]).exit_code != 0


def test_links_are_checked_and_an_old_approval_comes_due(
        fake_clock: Any, make_risk: Callable[..., risk.RiskDetail], approve_risk: Callable[..., risk.RiskDetail],
        make_user: Callable[..., Actor]) -> None:
    created = make_risk()
    author = make_user("policy")
    with unit_of_work() as s:
        with pytest.raises(ValidationFailed, match="no playbook 'no_such_playbook'"):
            risk.add_mitigation(s, author, created.id, risk.MitigationIn(kind="playbook", ref="no_such_playbook"))
        with pytest.raises(ValidationFailed, match="no action item '999999'"):
            risk.add_mitigation(s, author, created.id, risk.MitigationIn(kind="action_item", ref="999999"))
        with pytest.raises(ValidationFailed, match="no action item"):
            risk.add_mitigation(s, author, created.id, risk.MitigationIn(kind="action_item", ref="x; DROP"))
        linked = risk.add_mitigation(s, author, created.id, risk.MitigationIn(kind="playbook",
                                                                             ref="dangerous_challenge"))
    assert [m.ref for m in linked.mitigations] == ["dangerous_challenge"]
    approve_risk(created.id)
    fake_clock.advance(days=90)
    with unit_of_work() as s:
        assert risk.flag_tick(s) == 0
    fake_clock.advance(days=2)
    with unit_of_work() as s:
        assert risk.flag_tick(s) == 1
        assert risk.get(s, SYSTEM, created.id).flagged_reason == "periodic review due: last approved 2026-03-01"
