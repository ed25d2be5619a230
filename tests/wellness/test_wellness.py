"""Wellness through its service and CLI, on a real database with the fake clock: harm classes from the
taxonomy, safe-viewing defaults and settings, the exposure log, budgets over rolling windows with
surge mode, breaks, exposure-aware routing, the aggregate team view with its minimum group, anonymous
check-ins, and the recovery prompt after a heavily exposed SEV1."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from rapidresponse import detection, events, incidents, wellness
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.cli import app
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

runner = CliRunner()


def _expose(actor: Actor, harm: str, minutes: float, kind: str = "review", ref: str | None = None) -> None:
    with unit_of_work() as s:
        wellness.record(s, actor, harm, kind, seconds=int(minutes * 60), incident_ref=ref)


def _standing(actor: Actor) -> dict[str, Any]:
    with unit_of_work(read_only=True) as s:
        out = wellness.standing(s, actor)
    return {"state": out.state, "break": out.break_due, **{u.intensity: u for u in out.uses}}


def test_harm_classes_come_from_the_taxonomy() -> None:
    csam, challenge = wellness.harm_class("csam"), wellness.harm_class("dangerous_challenge")
    assert (csam.area, csam.intensity, csam.sensitive, csam.never_show_media) == ("child_safety", "extreme", True, True)
    assert (challenge.intensity, challenge.sensitive, challenge.never_show_media) == ("high", False, False)
    assert wellness.harm_class("self_injury").sensitive and wellness.harm_class("animal_abuse").sensitive
    # series use shorter names: they resolve to the slug that ends with them
    assert wellness.harm_class("extremism").harm == "violent_extremism"
    assert wellness.harm_class("no-such-harm").intensity == "medium"
    assert wellness.harm_class(None).intensity == "medium"


def test_viewing_defaults_are_stricter_for_sensitive_classes_and_each_person_changes_their_own(
        make_user: Callable[..., Actor]) -> None:
    ana, ben = make_user("responder"), make_user("responder")
    with unit_of_work() as s:
        view = wellness.safe_view(s, ana)
        general, sensitive = view.item("phishing", "signal-1"), view.item("csam", "signal-2")
        assert general.blur and general.greyscale and not general.hidden and not general.mask
        assert sensitive.hidden and sensitive.warn and sensitive.mask and not sensitive.media
        revealed = wellness.safe_view(s, ana, "signal-2").item("csam", "signal-2")
        assert revealed.revealed and not revealed.hidden and not revealed.mask and not revealed.media
        assert "is-blurred" not in revealed.image_class and "is-grey" in revealed.image_class

        mine = wellness.viewing(s, ana).model_dump()
        mine["general"].update(click_to_reveal=True, small=True, blur=False)
        wellness.set_viewing(s, ana, wellness.Viewing.model_validate(mine))
    with unit_of_work(read_only=True) as s:
        item = wellness.safe_view(s, ana).item("phishing", "signal-1")
        assert item.hidden and item.small and not item.blur and "is-small" in item.image_class
        assert not wellness.safe_view(s, ben).item("phishing", "signal-1").hidden  # ben keeps the defaults
        logged = s.execute(select(events.Event).where(events.Event.type == "wellness.viewing_changed")).scalars().all()
        assert len(logged) == 1 and logged[0].payload == {}  # that it changed, not to what
    with pytest.raises(ValueError):
        wellness.Viewing.model_validate({"general": {"blur": True, "x": 1}, "sensitive": {}})


def test_budgets_count_the_last_day_and_week_and_surge_raises_them(make_user: Callable[..., Actor],
                                                                   fake_clock: Any) -> None:
    lead, ana = make_user("commander"), make_user("responder")
    _expose(ana, "dangerous_challenge", 60)  # high: 90 min a day, 360 a week by default
    assert _standing(ana)["high"].state == "ok" and _standing(ana)["state"] == "ok"
    fake_clock.advance(hours=2)
    _expose(ana, "dangerous_challenge", 15)
    high = _standing(ana)["high"]
    assert (high.day_minutes, high.daily_limit, high.state) == (75.0, 90, "near")
    _expose(ana, "suicide_promotion", 40)  # extreme: 30 a day
    assert _standing(ana)["extreme"].state == "over" and _standing(ana)["state"] == "over"

    with unit_of_work() as s:
        wellness.start_surge(s, lead, wellness.SurgeIn(factor=1.5, hours=6, reason="attack livestream"))
    assert _standing(ana)["extreme"].daily_limit == 45 and _standing(ana)["extreme"].state == "near"
    with unit_of_work() as s, pytest.raises(Conflict):
        wellness.start_surge(s, lead, wellness.SurgeIn(factor=2, hours=1, reason="again"))
    fake_clock.advance(hours=7)  # the surge expired by itself
    assert _standing(ana)["extreme"].daily_limit == 30
    fake_clock.advance(hours=18)  # a day after: the day's use is gone, the week's is not
    extreme = _standing(ana)["extreme"]
    assert extreme.day_minutes == 0 and extreme.week_minutes == 40 and extreme.state == "ok"
    fake_clock.advance(days=7)
    assert _standing(ana)["extreme"].week_minutes == 0

    with unit_of_work() as s:
        wellness.set_budget(s, lead, wellness.BudgetIn(intensity="high", daily_minutes=10, weekly_minutes=50))
        person = wellness.set_budget(s, lead, wellness.BudgetIn(intensity="high", daily_minutes=5, weekly_minutes=20),
                                     username=ana.username)
        assert {b.intensity: b.source for b in person}["high"] == "person"
        with pytest.raises(PermissionDenied):
            wellness.set_budget(s, ana, wellness.BudgetIn(intensity="high", daily_minutes=500))
        with pytest.raises(ValidationFailed):
            wellness.set_budget(s, lead, wellness.BudgetIn(intensity="high", daily_minutes=60, weekly_minutes=30))
        with pytest.raises(NotFound):
            wellness.set_budget(s, lead, wellness.BudgetIn(intensity="high", daily_minutes=5), username="nobody")
    _expose(ana, "dangerous_challenge", 6)
    assert _standing(ana)["high"].state == "over"
    with unit_of_work() as s:
        back = wellness.set_budget(s, lead, wellness.BudgetIn(intensity="high"), username=ana.username, clear=True)
        assert {b.intensity: (b.daily_minutes, b.source) for b in back}["high"] == (10, "team")


def test_a_break_is_due_after_long_continuous_exposure(make_user: Callable[..., Actor], fake_clock: Any) -> None:
    ana = make_user("responder")
    for _ in range(12):  # a review every 5 minutes for an hour: no gap of 10 minutes
        _expose(ana, "hate_speech", 2)
        fake_clock.advance(minutes=5)
    assert _standing(ana)["break"]
    fake_clock.advance(minutes=11)  # a pause longer than the gap is a break
    assert not _standing(ana)["break"]
    _expose(ana, "hate_speech", 2)
    assert not _standing(ana)["break"]


def test_routing_prefers_room_and_refuses_spent_budgets_unless_the_person_confirms(
        make_user: Callable[..., Actor], fake_clock: Any) -> None:
    lead, ana, ben, cem = make_user("commander"), make_user("responder"), make_user("responder"), make_user("analyst")
    _expose(ana, "suicide_promotion", 35)  # extreme spent
    _expose(ben, "suicide_promotion", 10)
    ids = [ana.user_id, ben.user_id, cem.user_id]
    with unit_of_work() as s:
        left = wellness.room(s, ids, "suicide_promotion")
        assert left[ana.user_id] == 0 and 0 < left[ben.user_id] < 1 and left[cem.user_id] == 1
        assert wellness.choose(s, ids, "suicide_promotion") == [cem.user_id, ben.user_id, ana.user_id]
        assert wellness.choose(s, ids, "phishing") == ids  # low intensity: no routing, the given order
        with pytest.raises(Conflict, match="choose someone else"):
            wellness.check_assignment(s, lead, ana.user_id, "suicide_promotion", confirm=True)
        with pytest.raises(Conflict, match="confirm"):
            wellness.check_assignment(s, ana, ana.user_id, "suicide_promotion")
        wellness.check_assignment(s, ana, ana.user_id, "suicide_promotion", confirm=True)
        wellness.check_assignment(s, lead, ana.user_id, "phishing")
        wellness.check_assignment(s, lead, ben.user_id, "suicide_promotion")


def test_triage_assignment_goes_through_the_budget(make_user: Callable[..., Actor], make_case: Callable[..., int],
                                                   fake_clock: Any) -> None:
    lead, ana = make_user("commander"), make_user("responder")
    _expose(ana, "dangerous_challenge", 100)
    case_id = make_case(harm="dangerous_challenge")
    with unit_of_work() as s, pytest.raises(Conflict, match="choose someone else"):
        detection.assign_case(s, lead, case_id, ana.username)
    with unit_of_work() as s:
        detection.assign_case(s, ana, case_id, ana.username, confirm=True)
        assert detection.get_case(s, lead, case_id).assignee == ana.username
        detection.dismiss_case(s, ana, case_id, "a prank video, no challenge")
        # deciding the case was a review of its content: on ana's own log, with the nominal two minutes
        latest = wellness.my_exposures(s, ana)[0]
        assert (latest.kind, latest.harm, latest.seconds) == ("review", "dangerous_challenge", 120)


def test_the_team_view_shows_no_group_under_five_and_names_nobody(make_user: Callable[..., Actor],
                                                                  fake_clock: Any) -> None:
    people = [make_user("responder") for _ in range(5)]
    for i, who in enumerate(people[:4]):
        _expose(who, "dangerous_challenge", 10 + i)
    _expose(people[0], "csam", 3)
    with unit_of_work(read_only=True) as s:
        small = wellness.team_view(s, SYSTEM)
    assert small.people_exposed is None and small.over_budget is None
    assert all(g.people is None and g.hours is None for g in small.by_intensity + small.by_harm)
    _expose(people[4], "dangerous_challenge", 14)
    with unit_of_work(read_only=True) as s:
        view = wellness.team_view(s, SYSTEM)
        dumped = json.dumps(view.model_dump(mode="json"))
        with pytest.raises(ValidationFailed):
            wellness.team_view(s, SYSTEM, days=0)
    high = {g.key: g for g in view.by_intensity}["high"]
    assert view.people_exposed == 5 and high.people == 5 and high.median_minutes == 12.0
    assert high.hours == round((10 + 11 + 12 + 13 + 14) / 60, 1)
    assert {g.key: g.people for g in view.by_harm}["child_safety"] is None  # one person: hidden
    assert view.over_budget == 0 and view.near_budget == 0
    assert not any(p.username in dumped for p in people)


def test_check_ins_are_anonymous_once_per_person_and_shown_from_five(make_user: Callable[..., Actor],
                                                                     make_incident: Callable[..., Any]) -> None:
    people = [make_user("responder") for _ in range(5)]
    ref = make_incident()
    with unit_of_work() as s:
        for i, who in enumerate(people[:4]):
            wellness.check_in(s, who, ref, wellness.CheckInIn(wellbeing=i + 1, workload=3, wants_support=i == 0))
        assert not wellness.check_ins(s, SYSTEM, ref).shown
    with unit_of_work() as s, pytest.raises(Conflict):
        wellness.check_in(s, people[0], ref, wellness.CheckInIn(wellbeing=5, workload=1))
    with unit_of_work() as s:
        wellness.check_in(s, people[4], ref, wellness.CheckInIn(wellbeing=5, workload=2))
        summary = wellness.check_ins(s, SYSTEM, ref)
        with pytest.raises(NotFound):
            wellness.check_in(s, people[4], "INC-1999-0001", wellness.CheckInIn(wellbeing=5, workload=2))
    assert summary.shown and summary.count == 5 and summary.wants_support == 1
    assert summary.wellbeing_mean == 3.0 and summary.workload_mean == 2.8
    with unit_of_work(read_only=True) as s:  # no event names who checked in
        logged = s.execute(select(events.Event).where(events.Event.actor.in_([p.username for p in people]))).all()
        assert logged == []


SEV1 = {"harm": 4, "reach": 4, "velocity": 4, "vulnerable": True, "regulatory": 3}


def _resolve(actor: Actor, ref: str) -> list[str]:
    with unit_of_work() as s:
        for status in ("active", "mitigated", "resolved"):
            incidents.change_status(s, actor, ref, incidents.StatusChange.model_validate({"status": status}))
    with unit_of_work(read_only=True) as s:
        return [t.title for t in incidents.tasks(s, actor, ref)]


def test_a_heavily_exposed_sev1_prompts_its_commander_to_plan_recovery(make_user: Callable[..., Actor],
                                                                        make_incident: Callable[..., str],
                                                                        env: Callable[..., None],
                                                                        fake_clock: Any) -> None:
    env(wellness_recovery_hours=1)
    commander = make_user("commander")
    heavy = make_incident(actor=commander, severity=SEV1)
    fake_clock.advance(minutes=5)
    _expose(commander, "suicide_promotion", 70)
    fake_clock.advance(minutes=5)
    later = make_incident(actor=commander, severity=SEV1)  # declared after the exposure
    light = make_incident(actor=commander)  # not a SEV1
    fake_clock.advance(minutes=5)
    assert any("recovery time" in t for t in _resolve(commander, heavy))
    assert not any("recovery time" in t for t in _resolve(commander, later))
    assert not any("recovery time" in t for t in _resolve(commander, light))


def test_the_cli_shows_my_own_standing_and_sets_viewing_budgets_and_surge(make_user: Callable[..., Actor],
                                                                          fake_clock: Any) -> None:
    lead, ana = make_user("commander"), make_user("responder")
    _expose(ana, "dangerous_challenge", 20)
    out = runner.invoke(app, ["wellness", "me", "--json", "--as", ana.username])
    assert out.exit_code == 0, out.output
    mine = json.loads(out.output)
    assert len(mine["exposures"]) == 1 and mine["exposures"][0]["harm"] == "dangerous_challenge"
    out = runner.invoke(app, ["wellness", "viewing", "--set", "general.small=on", "--as", ana.username])
    assert out.exit_code == 0 and "small" in out.output
    bad = runner.invoke(app, ["wellness", "viewing", "--set", "general.zoom=on", "--as", ana.username])
    assert bad.exit_code == 2 and "SETTING" in bad.output
    refused = runner.invoke(app, ["wellness", "budget", "high", "--daily", "10", "--as", ana.username])
    assert refused.exit_code != 0 and "wellness:manage" in refused.output
    out = runner.invoke(app, ["wellness", "budget", "high", "--daily", "10", "--weekly", "40", "--as", lead.username])
    assert out.exit_code == 0 and "high: 10 min a day, 40 a week (team)" in out.output
    out = runner.invoke(app, ["wellness", "surge", "--factor", "1.5", "--reason", "attack", "--as", lead.username])
    assert out.exit_code == 0 and "surge ×1.5" in out.output
    assert "attack" in runner.invoke(app, ["wellness", "surge", "--as", ana.username]).output
    out = runner.invoke(app, ["wellness", "team", "--json", "--as", lead.username])
    assert out.exit_code == 0 and json.loads(out.output)["people_exposed"] is None  # one person: not shown
    assert runner.invoke(app, ["wellness", "surge", "--end", "--as", lead.username]).exit_code == 0


def test_a_queue_is_shared_by_room_and_evenly_and_nobody_with_none_gets_high_intensity_work(
        make_user: Callable[..., Actor], fake_clock: Any) -> None:
    ana, ben, cem = make_user("responder"), make_user("responder"), make_user("responder")
    _expose(ana, "suicide_promotion", 30)  # extreme spent
    _expose(ben, "suicide_promotion", 20)
    ids = [ana.user_id, ben.user_id, cem.user_id]
    with unit_of_work(read_only=True) as s:
        # each extreme case costs a review's nominal 2 minutes: cem (30 left) takes them until ben's 10
        # minutes are as much room, then they alternate; ana never gets one
        extreme = wellness.plan(s, ids, ["suicide_promotion"] * 12)
        assert ana.user_id not in extreme and extreme[:5] == [cem.user_id] * 5
        assert wellness.plan(s, ids, ["phishing"] * 6) == ids * 2  # low intensity: evenly, in order
        mixed = wellness.plan(s, ids, ["suicide_promotion", "phishing", "phishing", "phishing"])
        assert mixed[0] == cem.user_id and sorted(mixed[1:]) == sorted([ana.user_id, ben.user_id, ana.user_id])
        assert wellness.plan(s, [ana.user_id], ["suicide_promotion"]) == [None]
        assert wellness.plan(s, [], ["phishing"]) == [None]


def test_cases_distribute_gives_out_the_waiting_cases(make_user: Callable[..., Actor], make_case: Callable[..., int],
                                                      fake_clock: Any) -> None:
    lead = make_user("commander", username="lead-d")
    ana = make_user("responder", username="ana-d")
    _expose(ana, "dangerous_challenge", 100)
    waiting = [make_case(actor=lead, harm="dangerous_challenge", title=f"case {i}") for i in range(3)]
    out = runner.invoke(app, ["cases", "distribute", "--as", lead.username])
    assert out.exit_code == 0, out.output
    with unit_of_work(read_only=True) as s:
        given = {c: detection.get_case(s, lead, c).assignee for c in waiting}
    assert all(given.values()) and ana.username not in given.values()  # ana has no room for a challenge
    assert "No open case is waiting" in runner.invoke(app, ["cases", "distribute", "--as", lead.username]).output


def test_check_ins_feed_the_reviews_wellbeing_section_as_aggregates(make_user: Callable[..., Actor],
                                                                    make_reviewed: Callable[..., str]) -> None:
    from rapidresponse import reviews
    from rapidresponse.reviews.export import markdown
    from rapidresponse.web.templating import Translator

    commander = make_user("commander")
    ref = make_reviewed(commander)
    people = [make_user("responder") for _ in range(5)]
    with unit_of_work() as s:
        for who in people[:4]:
            wellness.check_in(s, who, ref, wellness.CheckInIn(wellbeing=2, workload=5, wants_support=True))
        assert not reviews.get(s, commander, ref).check_ins.shown
        assert "Anonymous check-ins" not in markdown(reviews.get(s, commander, ref), "en", Translator("en"))
        wellness.check_in(s, people[4], ref, wellness.CheckInIn(wellbeing=4, workload=3))
        review = reviews.get(s, commander, ref)
    assert review.check_ins.shown and review.check_ins.wants_support == 4
    text = markdown(review, "en", Translator("en"))
    assert "Anonymous check-ins: 5; wellbeing 2.4 of 5, workload 4.6 of 5; 4 asked for support." in text
    assert not any(p.username in text for p in people)


def test_only_the_harsh_harms_of_the_sensitive_areas_get_the_strict_defaults() -> None:
    threats, eating = wellness.harm_class("violent_threats"), wellness.harm_class("eating_disorders")
    assert (threats.area, threats.intensity, threats.sensitive) == ("violent_graphic", "medium", False)
    assert (eating.area, eating.sensitive) == ("self_harm", False)
    assert wellness.harm_class("graphic_violence").sensitive
    assert wellness.harm_class("illegal_animal_trade").sensitive is False
    assert wellness.harm_class("csam").never_show_media and wellness.harm_class("grooming").never_show_media
