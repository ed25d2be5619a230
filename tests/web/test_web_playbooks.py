"""Playbook pages, the checklist on the incident page, the comms composer, approvals, audiences and
the outbox, driven through their forms without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from webkit import declare, login

from rapidresponse import events
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.incidents.models import Task
from rapidresponse.notify import audiences
from rapidresponse.notify.models import OutboxMessage
from rapidresponse.playbooks import service as playbooks
from rapidresponse.playbooks.models import PlaybookRun, PlaybookVersion, StakeholderUpdate

Login = Callable[..., tuple[Actor, str]]


def _events() -> int:
    with unit_of_work(read_only=True) as s:
        return int(s.execute(select(func.count()).select_from(events.Event)).scalar_one())


def _set_pr_audience(admin: Actor) -> None:
    with unit_of_work() as s:
        audiences.set_audience(s, admin, "pr", emails=["press@example.org"])


def test_library_and_playbook_pages(client: TestClient, logged_in: Login) -> None:
    logged_in("viewer")
    page = client.get("/playbooks")
    assert page.status_code == 200
    assert "Dangerous viral challenge" in page.text or "dangerous_challenge" in page.text
    assert 'href="/playbooks/dangerous_challenge"' in page.text
    detail = client.get("/playbooks/dangerous_challenge")
    assert detail.status_code == 200
    assert "after declaration" in detail.text and "Exit criteria" in detail.text
    assert "press_statement" not in detail.text or "Message templates" in detail.text
    assert 'name="text"' not in detail.text  # viewers cannot save versions
    assert client.get("/playbooks/no_such_playbook").status_code == 404


def test_save_a_version_and_errors_with_lines(client: TestClient, logged_in: Login) -> None:
    _, csrf = logged_in("commander")
    page = client.get("/playbooks/dangerous_challenge").text
    assert 'name="text"' in page
    with unit_of_work(read_only=True) as s:
        entry = playbooks.get_playbook(s, playbooks.PLAYBOOK_ACTOR, "dangerous_challenge")
    text = entry.text
    before = _events()
    bad = client.post("/playbooks/dangerous_challenge", data={"csrf_token": csrf,
                                                              "text": text.replace("when_to_use:", "when_to_us:", 1)})
    assert bad.status_code == 422
    assert re.search(r"playbook:\d+: ", bad.text) and "when_to_us" in bad.text
    same = client.post("/playbooks/dangerous_challenge", data={"csrf_token": csrf, "text": text})
    assert same.status_code in (409, 422)
    assert _events() == before
    newer = re.sub(r"^version: .*$", "version: 99.0", text, count=1, flags=re.M)
    ok = client.post("/playbooks/dangerous_challenge", data={"csrf_token": csrf, "text": newer},
                     follow_redirects=False)
    assert ok.status_code == 303
    shown = client.get(ok.headers["location"]).text
    assert "The new version of the playbook was saved." in shown and "v99.0" in shown
    with unit_of_work(read_only=True) as s:
        assert s.execute(select(PlaybookVersion.version).where(PlaybookVersion.source == "ui")).scalar_one() == "99.0"


def test_checklist_tick_conditions_and_apply(client: TestClient, logged_in: Login) -> None:
    _, csrf = logged_in("commander")
    ref = declare(client, csrf)
    page = client.get(f"/incidents/{ref}").text
    assert 'id="checklist"' in page and "0 of " in page and "Mark done" in page
    assert page.index('id="checklist"') < page.index('id="tasks"')
    task_id = int(re.search(rf'action="/incidents/{ref}/tasks/(\d+)" class="inline-form">\s*'
                            r'<input type="hidden" name="csrf_token" value="[^"]+">\s*'
                            r'<input type="hidden" name="status" value="done">', page).group(1))
    tick = client.post(f"/incidents/{ref}/tasks/{task_id}", data={"csrf_token": csrf, "status": "done"},
                       follow_redirects=False)
    assert tick.status_code == 303
    page = client.get(f"/incidents/{ref}").text
    assert "1 of " in page and "chip-done" in page
    with unit_of_work(read_only=True) as s:
        assert s.get(Task, task_id).status == "done"  # type: ignore[union-attr]

    # conditions: a bad one changes nothing; a good one fires its escalation
    before = _events()
    bad = client.post(f"/incidents/{ref}/playbook/conditions", data={"csrf_token": csrf, "conditions": "nope"})
    assert bad.status_code == 422 and "Choose a value from the list." in bad.text and _events() == before
    ok = client.post(f"/incidents/{ref}/playbook/conditions",
                     data={"csrf_token": csrf, "conditions": ["minors_involved", "media_attention"]},
                     follow_redirects=False)
    assert ok.status_code == 303
    page = client.get(ok.headers["location"]).text
    assert "The conditions were updated." in page
    assert re.search(r'value="minors_involved" checked', page)
    with unit_of_work(read_only=True) as s:
        run = s.execute(select(PlaybookRun).where(PlaybookRun.status == "active")).scalar_one()
        assert run.conditions == ["media_attention", "minors_involved"]

    # apply another playbook: the first run is listed as replaced
    bad = client.post(f"/incidents/{ref}/playbook", data={"csrf_token": csrf, "playbook_id": "no_such"})
    assert bad.status_code == 404 or bad.status_code == 422
    ok = client.post(f"/incidents/{ref}/playbook", data={"csrf_token": csrf, "playbook_id": "hate_speech_wave"},
                     follow_redirects=False)
    assert ok.status_code == 303
    page = client.get(ok.headers["location"]).text
    assert "The playbook was applied." in page and "Earlier playbook runs" in page and "replaced" in page


def test_no_playbook_gives_an_empty_state_with_the_apply_form(client: TestClient, logged_in: Login) -> None:
    _, csrf = logged_in("commander")
    ref = declare(client, csrf, type="other", title="Something else")
    with unit_of_work() as s:
        for run in s.execute(select(PlaybookRun)).scalars():
            run.status = "replaced"
    page = client.get(f"/incidents/{ref}").text
    assert 'action="/incidents/' + ref + '/playbook"' in page


def test_compose_approve_and_send(client: TestClient, logged_in: Login, make_user: Callable[..., Actor],
                                  approve_translation: Callable[..., Any]) -> None:
    admin = make_user("admin")
    _set_pr_audience(admin)
    legal = make_user("legal")
    _, csrf = logged_in("commander")
    ref = declare(client, csrf)
    page = client.get(f"/incidents/{ref}/updates?template=press_statement&language=ru")
    assert page.status_code == 200
    assert "needs the approval of Legal (External statement)" in page.text  # the role and the gate by their labels
    subject = re.search(r'name="subject" maxlength="300" required value="([^"]*)"', page.text).group(1)
    assert subject
    # bad input: an empty body is refused and nothing is stored
    bad = client.post(f"/incidents/{ref}/updates", data={"csrf_token": csrf, "audience": "pr", "language": "ru",
                                                         "subject": subject, "body": " ",
                                                         "template_id": "press_statement"})
    assert bad.status_code == 422 and "body" in bad.text
    resp = client.post(f"/incidents/{ref}/updates", data={"csrf_token": csrf, "audience": "pr", "language": "ru",
                                                          "subject": subject, "body": "Заявление для прессы.",
                                                          "template_id": "press_statement"},
                       follow_redirects=False)
    assert resp.status_code == 303
    with unit_of_work(read_only=True) as s:
        upd = s.execute(select(StakeholderUpdate)).scalar_one()
        upd_id = upd.id
    page = client.get(f"/incidents/{ref}/updates").text
    assert "Draft" in page and re.search(r'type="submit" disabled', page)
    assert "Approved by: Legal." in page, "the composer says who must approve before approval is requested"
    # sending before approval is refused with the reason
    refused = client.post(f"/incidents/{ref}/updates/{upd_id}/send", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "approval of legal" in refused.text
    ask = f"/incidents/{ref}/updates/{upd_id}/request-approval"
    untranslated = client.post(ask, data={"csrf_token": csrf}, follow_redirects=False)
    assert untranslated.status_code == 409 and "translation" in untranslated.text  # Russian: English first
    with unit_of_work(read_only=True) as s:
        text = s.get(StakeholderUpdate, upd_id)
        source = f"{text.subject}\n\n{text.body}"  # type: ignore[union-attr]
    approve_translation(source_kind="stakeholder_update", source_id=str(upd_id), text=source,
                        translation="Press statement.\n\nStatement for the press.")
    asked = client.post(ask, data={"csrf_token": csrf}, follow_redirects=False)
    assert asked.status_code == 303
    with unit_of_work(read_only=True) as s:
        approval_id = s.get(StakeholderUpdate, upd_id).approval_id  # type: ignore[union-attr]
    assert client.get("/approvals?tab=mine").text.count(f"/approvals/{approval_id}") == 1

    # the legal user decides in the inbox (the nav shows one waiting)
    other = TestClient(client.app)
    legal_csrf = login(other, legal.username)
    inbox = other.get("/approvals").text
    assert 'class="badge"' in inbox and f"/approvals/{approval_id}" in inbox
    detail = other.get(f"/approvals/{approval_id}").text
    sha = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', detail).group(1)
    no_comment = other.post(f"/approvals/{approval_id}/decision",
                            data={"csrf_token": legal_csrf, "decision": "rejected", "text_sha256": sha})
    assert no_comment.status_code == 422 and "say why" in no_comment.text
    stale = other.post(f"/approvals/{approval_id}/decision",
                       data={"csrf_token": legal_csrf, "decision": "approved", "text_sha256": "0" * 64})
    assert stale.status_code == 409
    ok = other.post(f"/approvals/{approval_id}/decision",
                    data={"csrf_token": legal_csrf, "decision": "approved", "text_sha256": sha},
                    follow_redirects=False)
    assert ok.status_code == 303
    assert "You approved the text." in other.get(ok.headers["location"]).text
    assert 'class="badge"' not in other.get("/approvals").text

    sent = client.post(f"/incidents/{ref}/updates/{upd_id}/send", data={"csrf_token": csrf},
                       follow_redirects=False)
    assert sent.status_code == 303
    page = client.get(sent.headers["location"]).text
    assert "The update was queued for sending." in page and "ustatus-sent" in page
    with unit_of_work(read_only=True) as s:
        assert s.execute(select(OutboxMessage.recipient)).scalars().all() == ["press@example.org"]
    outbox = client.get("/outbox").text
    assert "press@example.org" in outbox and subject in outbox


def test_editing_voids_the_approval(client: TestClient, logged_in: Login, make_user: Callable[..., Actor]) -> None:
    _set_pr_audience(make_user("admin"))
    _, csrf = logged_in("commander")
    ref = declare(client, csrf)
    client.post(f"/incidents/{ref}/updates", data={"csrf_token": csrf, "audience": "pr", "language": "en",
                                                   "subject": "Statement", "body": "First text."})
    with unit_of_work(read_only=True) as s:
        upd_id = s.execute(select(StakeholderUpdate.id)).scalar_one()
    client.post(f"/incidents/{ref}/updates/{upd_id}/request-approval", data={"csrf_token": csrf})
    page = client.get(f"/incidents/{ref}/updates").text
    assert "Saving changes voids the approval" in page
    resp = client.post(f"/incidents/{ref}/updates/{upd_id}", data={"csrf_token": csrf, "subject": "Statement",
                                                                    "body": "Second text."}, follow_redirects=False)
    assert resp.status_code == 303
    with unit_of_work(read_only=True) as s:
        upd = s.get(StakeholderUpdate, upd_id)
        assert upd is not None and upd.status == "draft" and upd.body == "Second text."


def test_audiences_and_outbox_permissions(client: TestClient, logged_in: Login,
                                          make_user: Callable[..., Actor]) -> None:
    _, csrf = logged_in("commander")
    page = client.get("/settings/audiences").text
    assert "PR and press office" in page and 'action="/settings/audiences/pr"' not in page
    refused = client.post("/settings/audiences/pr", data={"csrf_token": csrf, "emails": "a@example.org"})
    assert refused.status_code == 403
    assert client.get("/outbox").status_code == 200

    admin_client = TestClient(client.app)
    admin_csrf = login(admin_client, make_user("admin").username)
    before = _events()
    bad = admin_client.post("/settings/audiences/pr", data={"csrf_token": admin_csrf, "emails": "not an address",
                                                            "locale": "en"})
    assert bad.status_code == 422 and _events() == before
    ok = admin_client.post("/settings/audiences/pr", data={"csrf_token": admin_csrf, "locale": "ru", "external": "1",
                                                           "emails": "press@example.org\nnews@example.org"},
                           follow_redirects=False)
    assert ok.status_code == 303
    with unit_of_work(read_only=True) as s:
        pr = audiences.get_audience(s, playbooks.PLAYBOOK_ACTOR, "pr")
        assert pr.emails == ["news@example.org", "press@example.org"] and pr.locale == "ru"

    viewer = TestClient(client.app)
    login(viewer, make_user("viewer").username)
    assert viewer.get("/outbox").status_code == 403
    assert 'href="/outbox"' not in viewer.get("/").text


def test_dead_letters_can_be_retried(client: TestClient, logged_in: Login) -> None:
    from rapidresponse.notify import service as notify

    _, csrf = logged_in("admin")
    with unit_of_work() as s:
        msg_id = notify.enqueue(s, kind="test", channel="email", recipient="x@example.org", subject="Dead one",
                                body="b")[0].id
        row = s.get(OutboxMessage, msg_id)
        assert row is not None
        row.status, row.last_error = "dead", "550 mailbox unavailable"
    page = client.get("/outbox?status=dead").text
    assert "550 mailbox unavailable" in page and 'class="dead"' in page and "Retry" in page
    resp = client.post(f"/outbox/{msg_id}/retry", data={"csrf_token": csrf}, follow_redirects=False)
    assert resp.status_code == 303
    again = client.post(f"/outbox/{msg_id}/retry", data={"csrf_token": csrf})
    assert again.status_code == 409
    with unit_of_work(read_only=True) as s:
        assert s.get(OutboxMessage, msg_id).status == "pending"  # type: ignore[union-attr]


def test_restricted_incident_routes_are_404_for_outsiders(client: TestClient, logged_in: Login,
                                                          make_user: Callable[..., Actor]) -> None:
    _, csrf = logged_in("commander")
    ref = declare(client, csrf, type="child_safety", title="Grooming ring")
    outsider = TestClient(client.app)
    o_csrf = login(outsider, make_user("commander").username)
    before = _events()
    assert outsider.get(f"/incidents/{ref}/updates").status_code == 404
    for path, data in ((f"/incidents/{ref}/playbook", {"playbook_id": "child_safety"}),
                       (f"/incidents/{ref}/playbook/conditions", {"conditions": "minors_involved"}),
                       (f"/incidents/{ref}/updates", {"audience": "leadership", "language": "en", "subject": "s",
                                                      "body": "b"})):
        assert outsider.post(path, data={"csrf_token": o_csrf, **data}).status_code == 404, path
    assert _events() == before


def test_the_composer_names_the_approvers_and_routes_a_leadership_update(
        client: TestClient, logged_in: Login, make_user: Callable[..., Actor]) -> None:
    admin = make_user("admin", display_name="Site Admin")
    with unit_of_work() as s:
        audiences.set_audience(s, admin, "leadership", emails=["board@rr.example"])
    other = make_user("commander", display_name="Dmitry Volkov")
    me, csrf = logged_in("commander", display_name="Aigerim Seitkali")
    ref = declare(client, csrf)
    made = client.post(f"/incidents/{ref}/updates", data={"csrf_token": csrf, "audience": "leadership",
                                                          "language": "en", "subject": "Where we stand",
                                                          "body": "Two platforms removed the videos."},
                       follow_redirects=False)
    assert made.status_code == 303
    with unit_of_work(read_only=True) as s:
        upd_id = s.execute(select(StakeholderUpdate.id)).scalar_one()
    page = client.get(f"/incidents/{ref}/updates").text
    assert "Approved by: Incident commander." in page
    names = re.search(r"Who may approve it: ([^.]*)\.", page)
    assert names and set(names.group(1).split(", ")) == {"Dmitry Volkov", "Site Admin"}  # never the drafter
    assert f'<option value="{other.username}">Dmitry Volkov (Commander)</option>' in page

    ask = f"/incidents/{ref}/updates/{upd_id}/request-approval"
    wrong = client.post(ask, data={"csrf_token": csrf, "approver": me.username})
    assert wrong.status_code == 422 and "may not approve this" in wrong.text
    done = client.post(ask, data={"csrf_token": csrf, "approver": other.username}, follow_redirects=False)
    assert done.status_code == 303
    timeline = client.get(f"/incidents/{ref}").text
    assert "asked <span data-user-text>Dmitry Volkov</span> (Incident commander) to approve" in timeline
    assert "Aigerim Seitkali</span></strong>" in timeline, "the timeline shows who did it by their display name"
