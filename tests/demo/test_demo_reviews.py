"""The demo's learning loop: serious closed incidents carry published reviews, the latest two carry
action items (one overdue, one that changed a playbook), and the active incident can be reviewed."""

from __future__ import annotations

import yaml
from sqlalchemy import Engine

from rapidresponse import incidents, playbooks, reviews
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from rapidresponse.demo import seed


def test_closed_serious_incidents_have_published_reviews_and_the_demo_items(engine: Engine) -> None:
    report = seed(history_size=60)
    with unit_of_work() as s:
        admin = auth.to_actor(auth.find_person(s, "marta.zielinska"))
        closed, _n = incidents.list_incidents(s, admin, incidents.IncidentFilter(
            status=[incidents.Status.CLOSED], limit=200))
        serious = [i for i in closed if i.severity <= 2]
        assert serious and all(reviews.get(s, admin, i.ref).state == "published" for i in serious)
        items, _n = reviews.list_items(s, admin, reviews.ActionItemFilter(status="any"))
        assert len(items) == 2
        overdue = [i for i in items if i.overdue]
        changed = [i for i in items if i.playbook_version]
        assert len(overdue) == 1 and len(changed) == 1 and changed[0].status == "done"
        playbook_id, version = changed[0].playbook_version.split()
        current = yaml.safe_load(playbooks.playbook_text(s, admin, playbook_id))
        assert str(current["version"]) == version and len(current["exit_criteria"]) >= 2
        learning = reviews.learning(s, admin)
        assert learning.overdue_items == 1 and learning.reviews_by_state["published"] == len(serious)
        draft = reviews.draft(s, admin, report.active_ref)  # the active incident is ready for its review
    assert draft.moments and draft.figures["exposure"]["signals"] > 0
