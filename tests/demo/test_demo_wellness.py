"""The demo's responder wellness: the people on the active incident have reviewed its content, one is
near the day's budget (the break prompt), one past it (triage refuses them a challenge case unless they
confirm), the team view has figures, support resources are listed; seeding again changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from rapidresponse import auth, incidents, wellness
from rapidresponse.auth import SYSTEM
from rapidresponse.db import unit_of_work
from rapidresponse.demo import seed, seed_wellness
from rapidresponse.errors import Conflict


def test_the_demo_shows_exposure_a_near_budget_and_a_spent_one(engine: Engine) -> None:
    report = seed(history_size=10)
    with unit_of_work() as s:
        assert seed_wellness(s, report.active_ref) > 0
        assert seed_wellness(s, report.active_ref) == 0  # once
    with unit_of_work(read_only=True) as s:
        states = {}
        for person in auth.active_people(s):
            actor = auth.to_actor(person)
            standing = wellness.standing(s, actor)
            high = next(u for u in standing.uses if u.intensity == "high")
            if high.day_minutes:
                states[person.username] = high.state
        team = wellness.team_view(s, SYSTEM)
        support = wellness.resources(s)
        spent = next(auth.find_person(s, name) for name, state in states.items() if state == "over")
        inc = incidents.get(s, SYSTEM, report.active_ref)
    assert sorted(states.values()).count("near") == 1 and sorted(states.values()).count("over") == 1
    assert team.people_exposed is not None and team.people_exposed >= 5
    assert len(support) == 2 and "EAP" in support[0].title
    with unit_of_work() as s:
        lead = auth.to_actor(next(p for p in auth.active_people(s) if p.role == "commander"))
        with pytest.raises(Conflict):
            wellness.check_assignment(s, lead, spent.id, inc.type)
