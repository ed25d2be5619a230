"""The review pages through their forms, without JavaScript: the editor from an empty state to a
published review, refusals that change nothing, the list, the action-item board, the learning page
and the review panel on the incident page, in English and Russian."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from rapidresponse import events, incidents, reviews
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work

Login = Callable[..., tuple[Actor, str]]
SEV1 = {"harm": 4, "reach": 4, "velocity": 4, "vulnerable": True, "regulatory": 3}


def _events() -> int:
    with unit_of_work(read_only=True) as s:
        return int(s.execute(select(func.count()).select_from(events.Event)).scalar_one())


def _status(actor: Actor, ref: str, *statuses: str) -> None:
    with unit_of_work() as s:
        for status in statuses:
            incidents.change_status(s, actor, ref, incidents.StatusChange.model_validate({"status": status}))


def _review(actor: Actor, ref: str) -> reviews.ReviewOut:
    with unit_of_work(read_only=True) as s:
        return reviews.get(s, actor, ref)


def _set_locale(client: TestClient, csrf: str, locale: str) -> None:
    resp = client.post("/locale", data={"csrf_token": csrf, "locale": locale, "next": "/"}, follow_redirects=False)
    assert resp.status_code == 303


def _post(client: TestClient, path: str, csrf: str, **data: str) -> str:
    """Post a form that must succeed; returns the page it redirects to."""
    resp = client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
    assert resp.status_code == 303, resp.text
    page = client.get(resp.headers["location"])
    assert page.status_code == 200
    return page.text


@pytest.fixture
def resolved(logged_in: Login, make_incident: Callable[..., str]) -> tuple[Actor, str, str]:
    """A logged-in commander and a resolved SEV1 incident of theirs (dangerous challenge, KZ)."""
    cmd, csrf = logged_in("commander")
    ref = make_incident(cmd, severity=SEV1, harm_categories=["dangerous_challenge"], countries=["KZ"])
    _status(cmd, ref, "active", "mitigated", "resolved")
    return cmd, csrf, ref


def test_the_editor_from_the_empty_state_to_publication(client: TestClient,
                                                        resolved: tuple[Actor, str, str]) -> None:
    cmd, csrf, ref = resolved
    empty = client.get(f"/incidents/{ref}/review")
    assert empty.status_code == 200
    assert "Draft the review" in empty.text and "Drafting reads the incident" in empty.text
    incident = client.get(f"/incidents/{ref}").text
    assert 'id="review-panel"' in incident and "needs a published review" in incident
    page = _post(client, f"/incidents/{ref}/review/draft", csrf, language="en")
    assert "The review was drafted" in page and "Key moments" in page and "Time to mitigate" in page
    assert "Before it can be published:" in page and "the summary is empty" in page
    assert "<svg" not in page or 'class="sigchart hbars"' in page
    review = _review(cmd, ref)
    assert review.state == "draft" and review.moments

    sections = {key: review.sections.get(key, "") for key in ("summary", "impact", "contributing_factors")}
    sections["summary"] = "A challenge wave, contained in a day."
    sections["contributing_factors"] = "The night queue was not staffed. It was his fault."
    page = _post(client, f"/incidents/{ref}/review/sections", csrf, **sections,
                 why="Reports were not routed to the kk queue")
    assert "The review was saved." in page and "his fault" in page and 'class="warn small blame"' in page
    review = _review(cmd, ref)
    assert review.sections["summary"].startswith("A challenge wave") and review.whys == [
        "Reports were not routed to the kk queue"]
    assert "contributing_factors" in review.blame

    # the key moments: add one, move it, edit it, remove it
    first = review.moments[0]
    page = _post(client, f"/incidents/{ref}/review/moments", csrf, at="2020-01-01T10:00", kind="signal",
                 text="First posts on the platform")
    added = _review(cmd, ref).moments[0]
    assert added.text == "First posts on the platform"
    _post(client, f"/incidents/{ref}/review/moments/{added.id}/move", csrf, direction="down")
    assert [m.id for m in _review(cmd, ref).moments][:2] == [first.id, added.id]
    _post(client, f"/incidents/{ref}/review/moments/{added.id}", csrf, at="2020-01-01T11:00", kind="note",
          text="First posts seen")
    assert next(m for m in _review(cmd, ref).moments if m.id == added.id).text == "First posts seen"
    _post(client, f"/incidents/{ref}/review/moments/{added.id}/remove", csrf)
    assert added.id not in [m.id for m in _review(cmd, ref).moments]

    # exit criteria, feedback, the workflow
    positions = [c.position for c in review.criteria]
    assert positions
    _post(client, f"/incidents/{ref}/review/criteria/{positions[0]}", csrf, state="waived",
          reason="No baseline to compare with")
    for position in positions[1:]:
        _post(client, f"/incidents/{ref}/review/criteria/{position}", csrf, state="met")
    page = _post(client, f"/incidents/{ref}/review/feedback", csrf, went_poorly="Night shifts were long",
                 anonymous="1")
    assert "Anonymous" in page and "Night shifts were long" in page
    page = _post(client, f"/incidents/{ref}/review/submit", csrf)
    assert "Record the meeting" in page
    page = _post(client, f"/incidents/{ref}/review/meeting", csrf, held_at="2024-01-01T10:00",
                 attendees=cmd.username, notes="Walked through the timeline.")
    assert "The review meeting was recorded." in page
    page = _post(client, f"/incidents/{ref}/review/signoff", csrf, role="commander", comment="")
    assert "You signed the review off." in page
    page = _post(client, f"/incidents/{ref}/review/publish", csrf)
    assert "The review was published." in page
    assert _review(cmd, ref).state == "published"
    assert 'action="/incidents/' + ref + '/review/sections"' in page and "Save the review" not in page

    md = client.get(f"/incidents/{ref}/review/export?format=md&language=ru")
    assert md.status_code == 200 and "Ключевые моменты" in md.text and md.headers["content-type"].startswith(
        "text/markdown")
    assert client.get(f"/incidents/{ref}/review/export?format=docx").status_code == 404

    closed = _post(client, f"/incidents/{ref}/status", csrf, status="closed")
    assert incidents.Status.CLOSED.value in closed.lower() or "closed" in closed.lower()
    with unit_of_work(read_only=True) as s:
        assert incidents.get(s, cmd, ref).status == "closed"


def test_refusals_show_the_error_and_change_nothing(client: TestClient, resolved: tuple[Actor, str, str]) -> None:
    cmd, csrf, ref = resolved
    _post(client, f"/incidents/{ref}/review/draft", csrf, language="en")
    position = _review(cmd, ref).criteria[0].position
    before = _events()
    waive = client.post(f"/incidents/{ref}/review/criteria/{position}",
                        data={"csrf_token": csrf, "state": "waived", "reason": ""})
    assert waive.status_code == 422 and "waiving an exit criterion needs a reason" in waive.text
    assert f'id="criterion-{position}"' in waive.text and 'class="form-error"' in waive.text
    early = client.post(f"/incidents/{ref}/review/publish", data={"csrf_token": csrf})
    assert early.status_code == 409 and "cannot be published yet" in early.text
    meeting = client.post(f"/incidents/{ref}/review/meeting", data={"csrf_token": csrf,
                                                                      "held_at": "2024-01-01T10:00"})
    assert meeting.status_code == 409 and "submit the review" in meeting.text
    bad_date = client.post(f"/incidents/{ref}/review/moments", data={"csrf_token": csrf, "at": "yesterday",
                                                                     "text": "x"})
    assert bad_date.status_code == 422 and "Enter a valid date and time." in bad_date.text
    nothing = client.post(f"/incidents/{ref}/review/feedback", data={"csrf_token": csrf})
    assert nothing.status_code == 422 and "write at least one answer" in nothing.text
    no_csrf = client.post(f"/incidents/{ref}/review/submit", data={})
    assert no_csrf.status_code == 403
    assert _events() == before
    review = _review(cmd, ref)
    assert review.state == "draft" and all(c.state == "open" for c in review.criteria)


def test_action_items_in_the_editor_and_on_the_board(client: TestClient, resolved: tuple[Actor, str, str]) -> None:
    cmd, csrf, ref = resolved
    _post(client, f"/incidents/{ref}/review/draft", csrf, language="en")
    page = _post(client, f"/incidents/{ref}/review/action-items", csrf, title="Add kk coded terms", kind="lexicon",
                 priority="high", owner=cmd.username, due_at="2020-01-01", description="")
    assert "The action item was added." in page and "Add kk coded terms" in page
    wrong = client.post(f"/incidents/{ref}/review/action-items", data={
        "csrf_token": csrf, "title": "Change the plan", "kind": "policy", "proposed_playbook": "id: x"})
    assert wrong.status_code == 422 and "only an action item of kind playbook" in wrong.text
    item = _review(cmd, ref).action_items[0]
    board = client.get("/action-items?overdue=1")
    assert board.status_code == 200 and "Add kk coded terms" in board.text and cmd.username in board.text
    assert "Add kk coded terms" not in client.get("/action-items?kind=training").text
    before = _events()
    refused = client.post(f"/action-items/{item.id}", data={"csrf_token": csrf, "status": "done",
                                                             "back": "/action-items?overdue=1"})
    assert refused.status_code == 422 and "say what shows the item is done" in refused.text
    assert f'id="item-{item.id}"' in refused.text and _events() == before
    done = client.post(f"/action-items/{item.id}", data={"csrf_token": csrf, "status": "done",
                                                         "evidence": "lexicon kk v4", "back": "/action-items"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/action-items?done=item_updated")
    with unit_of_work(read_only=True) as s:
        assert reviews.get_action_item(s, cmd, item.id).status == "done"
    assert "Add kk coded terms" not in client.get("/action-items").text  # done: off the unfinished board


def test_the_pages_render_in_english_and_russian(client: TestClient, logged_in: Login,
                                                 make_reviewed: Callable[..., str],
                                                 make_incident: Callable[..., str]) -> None:
    cmd, csrf = logged_in("commander")
    earlier = make_reviewed(cmd, harm_categories=["dangerous_challenge"], countries=["KZ"])
    with unit_of_work() as s:
        reviews.add_action_item(s, cmd, earlier, reviews.ActionItemIn(title="Train the kk queue", kind="training"))
    again = make_incident(cmd, harm_categories=["dangerous_challenge"], countries=["KZ"], severity=SEV1)
    _status(cmd, again, "active", "resolved")
    english = {"/reviews": "Post-incident reviews", "/action-items": "Train the kk queue", "/learning": "Recurrences",
               f"/incidents/{earlier}/review": "Key moments", f"/incidents/{again}": "Recurs earlier incidents"}
    for path, text in english.items():
        page = client.get(path)
        assert page.status_code == 200 and text in page.text, path
    learning = client.get("/learning").text
    assert 'class="sigchart hbars"' in learning and "dangerous_challenge · KZ" in learning
    assert f'href="/incidents/{again}/review"' in learning  # resolved SEV1 without a review
    assert 'href="/learning"' in learning and "Learning" in learning
    listed = client.get("/reviews?state=published").text
    assert earlier in listed and again not in listed.split("awaiting")[0]
    assert "No review is in this state." in client.get("/reviews?state=draft").text
    _set_locale(client, csrf, "ru")
    russian = {"/reviews": "Разборы", "/action-items": "Train the kk queue", "/learning": "Разборы и выводы",
               f"/incidents/{earlier}/review": "Ключевые моменты", f"/incidents/{again}/review": "Составить разбор"}
    for path, text in russian.items():
        page = client.get(path)
        assert page.status_code == 200 and text in page.text, path
        assert "Post-incident review" not in page.text and "Key moments" not in page.text, path


def test_a_restricted_review_is_not_found_for_a_non_member(client: TestClient, logged_in: Login,
                                                           make_user: Callable[..., Actor],
                                                           make_incident: Callable[..., str]) -> None:
    cmd = make_user("commander")
    ref = make_incident(cmd, restricted=True)
    _status(cmd, ref, "active")
    with unit_of_work() as s:
        reviews.draft(s, cmd, ref)
        item = reviews.add_action_item(s, cmd, ref, reviews.ActionItemIn(title="Hash the new variants",
                                                                         kind="detection"))
    _, csrf = logged_in("responder")
    page = client.get(f"/incidents/{ref}/review")
    assert page.status_code == 404 and "Hash the new variants" not in page.text
    assert client.get(f"/incidents/{ref}/review/export?format=md").status_code == 404
    assert client.post(f"/incidents/{ref}/review/submit", data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"/action-items/{item.id}", data={"csrf_token": csrf, "status": "in_progress"}
                       ).status_code in (404, 422)
    assert "Hash the new variants" not in client.get("/action-items").text
    assert ref not in client.get("/reviews").text
    with unit_of_work(read_only=True) as s:
        assert reviews.get(s, cmd, ref).state == "draft"
        assert reviews.get_action_item(s, cmd, item.id).status == "open"


def test_playbook_proposal_is_accepted_from_the_editor(client: TestClient,
                                                       resolved: tuple[Actor, str, str]) -> None:
    from importlib.resources import files

    cmd, csrf, ref = resolved
    _post(client, f"/incidents/{ref}/review/draft", csrf, language="ru")
    text = (files("rapidresponse.playbooks") / "library" / "dangerous_challenge.yaml").read_text(encoding="utf-8")
    proposed = re.sub(r"^version: .*$", "version: 77.0.0", text, count=1, flags=re.M)
    _post(client, f"/incidents/{ref}/review/action-items", csrf, title="Escalate to legal within 1h",
          kind="playbook", priority="medium", proposed_playbook=proposed)
    item = _review(cmd, ref).action_items[0]
    page = _post(client, f"/action-items/{item.id}/accept-playbook", csrf, back=f"/incidents/{ref}/review")
    assert "The proposed playbook was saved as a new version." in page and "dangerous_challenge 77.0.0" in page


def test_the_editor_draws_exposure_by_country(client: TestClient, logged_in: Login, fake_clock: Any,
                                              make_incident: Callable[..., str],
                                              make_signals: Callable[..., Any]) -> None:
    cmd, csrf = logged_in("commander")
    t0 = fake_clock.now
    rows = [{"external_id": f"s{i}", "source": "user_report", "occurred_at": (t0 + timedelta(minutes=i)).isoformat(),
             "harm": "dangerous_challenge", "country": country, "language": "ru", "text": f"сигнал {i}"}
            for i, country in enumerate(("KZ", "KZ", "KZ", "RU"), start=1)]
    make_signals(rows)
    fake_clock.advance(hours=1)
    ref = make_incident(cmd, harm_categories=["dangerous_challenge"], countries=["KZ", "RU"], languages=["ru"],
                        detected_at=t0.isoformat())
    _status(cmd, ref, "active", "mitigated")
    page = _post(client, f"/incidents/{ref}/review/draft", csrf, language="en")
    chart = page[page.index('class="sigchart hbars"'):]
    chart = chart[:chart.index("</svg>")]
    assert "Exposure before mitigation by country" in chart and "KZ: 3" in chart and "RU: 1" in chart
