"""A regulator request's item outcome drafts the content decision that belongs to it, so the statement
of reasons follows without typing the request again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rapidresponse import decisions, requests
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.decisions import drafts
from rapidresponse.errors import Conflict, NotFound
from rapidresponse.incidents import service as incidents
from rapidresponse.incidents.schemas import IncidentCreate

MakeRequest = Callable[..., requests.RequestOut]


def _outcome(actor: Actor, req: requests.RequestOut, position: int, outcome: str, reason: str = "") -> None:
    item = req.items[position - 1]
    with unit_of_work() as s:
        requests.set_outcome(s, actor, req.ref, item.id, requests.OutcomeIn(outcome=outcome, reason=reason))


def _drafts(actor: Actor) -> list[decisions.DraftOut]:
    with unit_of_work(read_only=True) as s:
        return drafts.open_drafts(s, actor)


def test_outcomes_draft_decisions_that_record_as_valid_statements(
        fake_clock: Any, make_user: Callable[..., Actor], make_request: MakeRequest) -> None:
    legal = make_user("admin")
    req = make_request(legal)
    _outcome(legal, req, 1, "restricted_in_country")
    _outcome(legal, req, 2, "removed_globally")
    first, second = _drafts(legal)
    assert first.request_ref == req.ref and first.outcome == "restricted_in_country"
    assert first.fields["puid"] == "https://example.org/v/1" == first.fields["content_url"]
    assert (first.fields["action"], first.fields["territorial_scope"]) == ("geo_restrict", ["KZ"])
    assert first.fields["ground"] == "law" and first.fields["legal_ground"] == "Закон № 18-VIII, ст. 9(4)(2)"
    assert first.fields["source_type"] == "authority" and "01-12/345" in first.fields["source_identity"]
    assert req.ref in first.fields["explanation"] and req.ref in first.fields["facts"]
    assert (second.fields["puid"], second.fields["content_url"], second.fields["action"]) == ("vid:42", "", "remove")
    # Completing the draft takes only what the request cannot know: the harm and the content's date.
    with unit_of_work() as s:
        out = decisions.record_decision(s, legal, decisions.DecisionCreate.model_validate({
            **first.fields, "harm": "grooming", "content_date": "2026-02-27", "draft": first.id}))
    assert (out.action, out.territorial_scope, out.source_type) == ("geo_restrict", ["KZ"], "authority")
    assert [d.id for d in _drafts(legal)] == [second.id]
    with unit_of_work() as s, pytest.raises(Conflict):
        drafts.load(s, legal, first.id)  # recorded once


def test_a_changed_outcome_redrafts_and_no_action_withdraws(make_user: Callable[..., Actor],
                                                            make_request: MakeRequest) -> None:
    legal = make_user("admin")
    req = make_request(legal)
    _outcome(legal, req, 1, "removed_globally")
    (draft,) = _drafts(legal)
    _outcome(legal, req, 1, "restricted_in_country")
    (redrafted,) = _drafts(legal)
    assert redrafted.id == draft.id and redrafted.fields["action"] == "geo_restrict"
    _outcome(legal, req, 1, "no_action", reason="Не нарушает закон")
    assert _drafts(legal) == []


def test_drafts_of_a_restricted_incident_stay_hidden(make_user: Callable[..., Actor],
                                                     make_request: MakeRequest) -> None:
    member, outsider = make_user("commander"), make_user("legal")
    with unit_of_work() as s:
        ref = incidents.declare(s, member, IncidentCreate(title="t", type="child_safety", countries=["KZ"])).ref
    req = make_request(member, incident=ref)
    _outcome(member, req, 1, "removed_globally")
    (draft,) = _drafts(member)
    assert draft.fields["incident"] == ref
    assert _drafts(outsider) == []
    with unit_of_work(read_only=True) as s, pytest.raises(NotFound):
        drafts.get(s, outsider, draft.id)
