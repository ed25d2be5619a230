"""Post-incident reviews through the service and the CLI: drafting from a known timeline, the
workflow, the closing gate, blame, feedback, action items, reminders and recurrence."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from rapidresponse import incidents, reviews
from rapidresponse.auth import Actor
from rapidresponse.cli import app
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from rapidresponse.reviews import export
from rapidresponse.web.templating import Translator

runner = CliRunner()
SEV1 = {"harm": 4, "reach": 4, "velocity": 4, "vulnerable": True, "regulatory": 3}


def _status(actor: Actor, ref: str, *statuses: str) -> None:
    with unit_of_work() as s:
        for status in statuses:
            incidents.change_status(s, actor, ref, incidents.StatusChange.model_validate({"status": status}))


def _signal(i: int, at: datetime, *, source: str = "user_report", harm: str = "dangerous_challenge",
            country: str = "KZ", language: str = "kk") -> dict[str, Any]:
    return {"external_id": f"s{i}", "source": source, "occurred_at": at.isoformat(), "harm": harm,
            "country": country, "language": language, "text": f"сигнал {i}"}


def test_a_draft_from_a_known_timeline_has_its_moments_and_figures(
        fake_clock: Any, make_user: Callable[..., Actor], make_incident: Callable[..., str],
        make_signals: Callable[..., Any]) -> None:
    t0 = fake_clock.now
    cmd = make_user("commander")
    rows = [_signal(i, t0 + timedelta(minutes=10 * i)) for i in range(1, 5)]  # 4 reports in KZ/kk
    rows += [_signal(5, t0 + timedelta(minutes=55), source="classifier", country="RU", language="ru")]
    rows += [_signal(6, t0 + timedelta(minutes=30), harm="hate_speech")]  # another harm: not exposure
    rows += [_signal(7, t0 - timedelta(minutes=30))]  # before the first signal
    rows += [_signal(8, t0 + timedelta(hours=4))]  # after mitigation
    assert make_signals(rows).inserted == 8
    fake_clock.advance(hours=2)
    ref = make_incident(cmd, harm_categories=["dangerous_challenge"], detected_at=(t0 + timedelta(minutes=10))
                        .isoformat(), severity=SEV1)
    fake_clock.advance(minutes=30)
    _status(cmd, ref, "active")
    fake_clock.advance(minutes=30)
    _status(cmd, ref, "mitigated")  # t0 + 3h
    fake_clock.advance(hours=2)
    _status(cmd, ref, "resolved")  # t0 + 5h
    with unit_of_work() as s:
        review = reviews.draft(s, cmd, ref)
    f = review.figures
    assert f["time_to_detect_minutes"] is None  # no alert behind it: declared from a report
    assert f["time_to_declare_minutes"] == 110.0  # detected at t0+10m, declared at t0+2h
    assert f["time_to_mitigate_minutes"] == 60.0 and f["time_to_resolve_minutes"] == 180.0
    # first signal (detected at t0+10m) → mitigation (t0+3h), the incident's harm, countries and languages
    assert f["exposure"]["signals"] == 5 and f["exposure"]["reports"] == 4
    assert f["exposure"]["by_country"] == {"KZ": 4, "RU": 1} and f["exposure"]["mitigated"] is True
    kinds = [m.kind for m in review.moments]
    assert kinds[0] == "declared" and "mitigated" in kinds and "resolved" in kinds
    assert kinds.index("mitigated") < kinds.index("resolved")
    assert all(m.event_id for m in review.moments)  # each drafted moment links its event
    assert review.criteria and all(c.state == "open" for c in review.criteria)  # the playbook's exit criteria
    assert "SEV1" in review.sections["impact"] and "Minors" in review.sections["impact"]


def test_exposure_counts_every_country_and_language_of_the_incident(
        fake_clock: Any, make_user: Callable[..., Actor], make_incident: Callable[..., str],
        make_signals: Callable[..., Any]) -> None:
    t0 = fake_clock.now
    cmd = make_user("commander")
    make_signals([_signal(1, t0), _signal(2, t0 + timedelta(minutes=5), country="RU", language="ru"),
                  _signal(3, t0 + timedelta(minutes=6), country="RU", language="ru", source="classifier"),
                  _signal(4, t0 + timedelta(minutes=7), country="UZ", language="uz")])  # UZ: not the incident's
    fake_clock.advance(hours=1)
    ref = make_incident(cmd, harm_categories=["dangerous_challenge"], detected_at=t0.isoformat())
    _status(cmd, ref, "active", "mitigated")
    with unit_of_work() as s:
        f = reviews.draft(s, cmd, ref).figures
    assert f["exposure"]["signals"] == 3 and f["exposure"]["reports"] == 2
    assert f["exposure"]["by_country"] == {"RU": 2, "KZ": 1}
    assert f["exposure"]["by_language"] == {"ru": 2, "kk": 1}


def test_the_workflow_and_the_closing_gate(make_user: Callable[..., Actor],
                                           make_incident: Callable[..., str]) -> None:
    cmd, legal, other = make_user("commander"), make_user("legal"), make_user("responder")
    ref = make_incident(cmd, severity=SEV1)
    with unit_of_work() as s:
        incidents.assign_role(s, cmd, ref, incidents.RoleAssign(username=legal.username, role="legal"))
    _status(cmd, ref, "active", "resolved")
    with pytest.raises(InvalidTransition) as refused, unit_of_work() as s:
        incidents.change_status(s, cmd, ref, incidents.StatusChange.model_validate({"status": "closed"}))
    assert "needs a published post-incident review" in refused.value.detail
    with unit_of_work() as s:
        review = reviews.draft(s, cmd, ref)
        assert review.required_signoffs == ["commander", "legal"]
        with pytest.raises(Conflict):
            reviews.draft(s, cmd, ref)
        with pytest.raises(InvalidTransition) as early:
            reviews.publish(s, cmd, ref)
        assert "meeting" in early.value.detail and "summary" in early.value.detail
        reviews.edit(s, cmd, ref, reviews.ReviewEdit(summary="A challenge wave, contained in a day.",
                                                     whys=["Reports were not routed", "No kk lexicon"]))
        with pytest.raises(InvalidTransition):
            reviews.sign_off(s, cmd, ref, reviews.SignoffIn(role="commander"))  # still a draft
        reviews.submit(s, cmd, ref)
        with pytest.raises(PermissionDenied):
            reviews.sign_off(s, other, ref, reviews.SignoffIn(role="legal"))
        reviews.sign_off(s, cmd, ref, reviews.SignoffIn(role="commander"))
        with pytest.raises(Conflict):
            reviews.sign_off(s, cmd, ref, reviews.SignoffIn(role="commander"))
        reviews.record_meeting(s, cmd, ref, reviews.MeetingIn(held_at=datetime.now().astimezone(),
                                                              attendees=[cmd.username, legal.username]))
        with pytest.raises(InvalidTransition) as unsigned:
            reviews.publish(s, cmd, ref)
        assert unsigned.value.detail.endswith("no sign-off from the legal")
        reviews.sign_off(s, legal, ref, reviews.SignoffIn(role="legal", comment="Letters were on time."))
        published = reviews.publish(s, cmd, ref)
    assert published.state == "published" and published.missing == []
    with pytest.raises(InvalidTransition) as criteria, unit_of_work() as s:
        incidents.change_status(s, cmd, ref, incidents.StatusChange.model_validate({"status": "closed"}))
    positions = [c.position for c in published.criteria]
    assert len(positions) >= 3  # the dangerous-challenge playbook's exit criteria
    assert f"exit criteria neither met nor waived: {', '.join(map(str, positions))}" in criteria.value.detail
    with unit_of_work() as s:
        with pytest.raises(ValidationFailed):
            reviews.decide_criterion(s, cmd, ref, 1, reviews.CriterionIn(state="waived"))
        reviews.decide_criterion(s, cmd, ref, 1, reviews.CriterionIn(state="waived", reason="Baseline unknown"))
        for position in positions[1:]:
            reviews.decide_criterion(s, cmd, ref, position, reviews.CriterionIn(state="met"))
        with pytest.raises(InvalidTransition):
            reviews.edit(s, cmd, ref, reviews.ReviewEdit(summary="rewritten after publishing"))
    _status(cmd, ref, "closed")
    with unit_of_work(read_only=True) as s:
        assert incidents.get(s, cmd, ref).status == "closed"
        types = [e.type for e in incidents.timeline(s, cmd, ref)]
    assert types.count("incident.review_signed_off") == 2 and "incident.exit_criterion" in types


def test_a_less_severe_incident_closes_without_a_review(make_user: Callable[..., Actor],
                                                         make_incident: Callable[..., str]) -> None:
    cmd = make_user("commander")
    ref = make_incident(cmd, severity={"harm": 1})
    _status(cmd, ref, "active", "resolved", "closed")
    with unit_of_work(read_only=True) as s:
        assert incidents.get(s, cmd, ref).status == "closed" and reviews.find(s, cmd, ref) is None


def test_blame_is_flagged_in_russian_and_english(make_user: Callable[..., Actor],
                                                 make_incident: Callable[..., str]) -> None:
    cmd = make_user("commander")
    ref = make_incident(cmd)
    _status(cmd, ref, "active")
    with unit_of_work() as s:
        reviews.draft(s, cmd, ref, language="ru")
        out = reviews.edit(s, cmd, ref, reviews.ReviewEdit(
            contributing_factors="Дежурный забыл передать смену. It was his fault.",
            went_poorly="Очередь жалоб на казахском не разбиралась ночью."))
    assert set(out.blame) == {"contributing_factors"}
    assert "забыл" in out.blame["contributing_factors"] and "his fault" in out.blame["contributing_factors"]


def test_moments_are_edited_added_reordered_and_removed(make_user: Callable[..., Actor],
                                                        make_incident: Callable[..., str]) -> None:
    cmd = make_user("commander")
    ref = make_incident(cmd)
    _status(cmd, ref, "active", "mitigated")
    with unit_of_work() as s:
        review = reviews.draft(s, cmd, ref)
        ids = [m.id for m in review.moments]
        at = review.moments[0].at - timedelta(hours=1)
        added = reviews.add_moment(s, cmd, ref, reviews.MomentIn(at=at, kind="signal", text="First posts on TikTok"))
        assert added.moments[0].text == "First posts on TikTok" and added.moments[0].event_id is None
        new_id = added.moments[0].id
        order = list(reversed([m.id for m in added.moments]))
        assert [m.id for m in reviews.reorder_moments(s, cmd, ref, reviews.MomentOrder(ids=order)).moments] == order
        with pytest.raises(ValidationFailed):
            reviews.reorder_moments(s, cmd, ref, reviews.MomentOrder(ids=order[:-1]))
        moved = reviews.move_moment(s, cmd, ref, new_id, -1)
        assert [m.id for m in moved.moments][-2] == new_id
        left = reviews.remove_moment(s, cmd, ref, ids[0])
        assert ids[0] not in [m.id for m in left.moments] and [m.position for m in left.moments] == list(
            range(len(left.moments)))
        with pytest.raises(NotFound):
            reviews.remove_moment(s, cmd, ref, ids[0])


def test_feedback_can_be_anonymous(make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    cmd, responder = make_user("commander"), make_user("responder")
    ref = make_incident(cmd)
    _status(cmd, ref, "active")
    with unit_of_work() as s:
        reviews.draft(s, cmd, ref)
        reviews.give_feedback(s, responder, ref, reviews.FeedbackIn(went_poorly="Night shifts were long",
                                                                    anonymous=True))
        out = reviews.give_feedback(s, responder, ref, reviews.FeedbackIn(went_well="Clear roles"))
        with pytest.raises(ValidationFailed):
            reviews.give_feedback(s, responder, ref, reviews.FeedbackIn())
        timeline = incidents.timeline(s, cmd, ref)
    assert [f.author for f in out.feedback] == [None, responder.username]
    anonymous = next(e for e in timeline if e.type == "incident.review_feedback" and e.payload["anonymous"])
    assert anonymous.actor != responder.username  # the log does not name who gave it either


def test_restricted_reviews_and_items_are_as_invisible_as_the_incident(
        make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    cmd, outsider = make_user("commander"), make_user("responder")
    ref = make_incident(cmd, restricted=True)
    _status(cmd, ref, "active")
    with unit_of_work() as s:
        reviews.draft(s, cmd, ref)
        item = reviews.add_action_item(s, cmd, ref, reviews.ActionItemIn(title="Hash the new variants",
                                                                         kind="detection"))
    with unit_of_work(read_only=True) as s:
        with pytest.raises(NotFound):
            reviews.get(s, outsider, ref)
        with pytest.raises(NotFound):
            reviews.get_action_item(s, outsider, item.id)
        assert reviews.list_reviews(s, outsider) == ([], 0)
        assert reviews.list_items(s, outsider, reviews.ActionItemFilter()) == ([], 0)
        assert reviews.learning(s, outsider).open_items == 0
        assert reviews.list_reviews(s, cmd)[1] == 1


def test_action_items_need_evidence_and_remind_owner_then_commander(
        fake_clock: Any, make_user: Callable[..., Actor], make_incident: Callable[..., str], env: Any,
        channels: Any, smtp: Any) -> None:
    from rapidresponse.notify import delivery

    env(action_item_grace_days="2")
    cmd, owner = make_user("commander", email="cmd@example.org"), make_user("policy", email="owner@example.org")
    ref = make_incident(cmd)
    _status(cmd, ref, "active")
    with unit_of_work() as s:
        reviews.draft(s, cmd, ref)
        item = reviews.add_action_item(s, cmd, ref, reviews.ActionItemIn(
            title="Add kk coded terms to the lexicon", kind="lexicon", owner=owner.username,
            due_at=fake_clock.now + timedelta(days=1)))
        with pytest.raises(ValidationFailed):
            reviews.update_action_item(s, owner, item.id, reviews.ActionItemUpdate(status="done"))
        with pytest.raises(ValidationFailed):
            reviews.add_action_item(s, cmd, ref, reviews.ActionItemIn(title="x", kind="policy",
                                                                      proposed_playbook="id: x"))
    fake_clock.advance(days=1, hours=1)
    with unit_of_work() as s:
        assert reviews.jobs.tick(s) >= 1  # the owner, once
        assert reviews.jobs.tick(s) == 0
    fake_clock.advance(days=2)
    with unit_of_work() as s:
        assert reviews.jobs.tick(s) >= 1  # past the grace period: the commander
        assert reviews.jobs.tick(s) == 0
        overdue, _n = reviews.list_items(s, cmd, reviews.ActionItemFilter(overdue=True))
        assert [i.id for i in overdue] == [item.id]
    delivery.drain(using=channels)
    reminders = [m for m in smtp.inbox.messages if "Add kk coded terms" in m.message["Subject"]]
    assert sorted(r for m in reminders for r in m.rcpt_tos) == ["cmd@example.org", "owner@example.org"]
    with unit_of_work() as s:
        done = reviews.update_action_item(s, owner, item.id, reviews.ActionItemUpdate(
            status="done", evidence="lexicon kk v4"))
        assert done.status == "done" and not done.overdue and done.done_at is not None
        assert reviews.list_items(s, cmd, reviews.ActionItemFilter(overdue=True))[1] == 0


def test_a_new_incident_of_a_reviewed_harm_and_country_recurs(
        fake_clock: Any, make_user: Callable[..., Actor], make_reviewed: Callable[..., str],
        make_incident: Callable[..., str], env: Any) -> None:
    cmd = make_user("commander")
    earlier = make_reviewed(cmd, harm_categories=["dangerous_challenge"], countries=["KZ"])
    with unit_of_work() as s:
        reviews.add_action_item(s, cmd, earlier, reviews.ActionItemIn(title="Train the kk queue", kind="training"))
    fake_clock.advance(days=30)
    again = make_incident(cmd, harm_categories=["dangerous_challenge"], countries=["KZ", "RU"])
    elsewhere = make_incident(cmd, harm_categories=["dangerous_challenge"], countries=["UZ"])
    env(recurrence_days="60")
    fake_clock.advance(days=61)
    too_late = make_incident(cmd, harm_categories=["dangerous_challenge"], countries=["KZ"])
    with unit_of_work(read_only=True) as s:
        links = reviews.recurrences(s, cmd, again)
        assert [(r.earlier, r.harm, r.country) for r in links] == [(earlier, "dangerous_challenge", "KZ")]
        assert [i.title for i in links[0].open_items] == ["Train the kk queue"]
        assert reviews.recurrences(s, cmd, elsewhere) == [] and reviews.recurrences(s, cmd, too_late) == []
        assert reviews.learning(s, cmd).recurrences == [{"harm": "dangerous_challenge", "country": "KZ", "count": 1}]


def test_a_playbook_action_item_saves_a_new_version(make_user: Callable[..., Actor],
                                                     make_incident: Callable[..., str]) -> None:
    from importlib.resources import files

    cmd = make_user("commander")
    ref = make_incident(cmd)
    _status(cmd, ref, "active")
    text = (files("rapidresponse.playbooks") / "library" / "dangerous_challenge.yaml").read_text(encoding="utf-8")
    version = next(line for line in text.splitlines() if line.startswith("version:"))
    proposed = text.replace(version, "version: 99.0.0", 1)
    with unit_of_work() as s:
        reviews.draft(s, cmd, ref)
        item = reviews.add_action_item(s, cmd, ref, reviews.ActionItemIn(
            title="Escalate to legal within 1h", kind="playbook", proposed_playbook=proposed))
        done = reviews.accept_playbook(s, cmd, item.id)
    assert done.status == "done" and done.playbook_version == "dangerous_challenge 99.0.0"
    assert "99.0.0" in done.evidence


def test_exports_in_russian_and_english_and_a_pdf_that_holds_the_cyrillic(
        make_user: Callable[..., Actor], make_reviewed: Callable[..., str], pdf_export: None) -> None:
    cmd = make_user("commander")
    ref = make_reviewed(cmd)
    with unit_of_work() as s:
        review = reviews.get(s, cmd, ref)
    ru = export.markdown(review, "ru", Translator("ru"))
    en = export.markdown(review, "en", Translator("en"))
    assert "## Key moments" in en and "Post-incident review" in en
    assert "Post-incident review" not in ru and "Загрузки и просмотры" in ru  # labels and criteria in Russian
    pdf = export.pdf(review, "ru", Translator("ru"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert pdf.startswith(b"%PDF") and "Загрузки" in text and ref in text
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False  # exporting leaves image hashing strict about truncated files


def test_the_cli_drafts_signs_publishes_and_exports(make_user: Callable[..., Actor],
                                                    make_incident: Callable[..., str], tmp_path: Any) -> None:
    cmd = make_user("commander")
    ref = make_incident(cmd, severity=SEV1)
    _status(cmd, ref, "active", "resolved")
    as_cmd = ["--as", cmd.username]
    result = runner.invoke(app, ["incidents", "update", ref, "--status", "closed", *as_cmd])
    assert result.exit_code == 2 and "needs a published post-incident review" in " ".join(result.output.split())
    assert runner.invoke(app, ["reviews", "draft", ref, *as_cmd]).exit_code == 0
    result = runner.invoke(app, ["reviews", "publish", ref, *as_cmd])
    assert result.exit_code == 2 and "cannot be published yet" in " ".join(result.output.split())
    with unit_of_work() as s:
        reviews.edit(s, cmd, ref, reviews.ReviewEdit(summary="Contained."))
    for args in (["reviews", "submit", ref], ["reviews", "meeting", ref, "--attendee", cmd.username],
                 ["reviews", "signoff", ref], ["reviews", "criterion", ref, "1", "met"],
                 ["reviews", "criterion", ref, "2", "waived", "--reason", "n/a"],
                 ["reviews", "criterion", ref, "3", "met"], ["reviews", "criterion", ref, "4", "met"],
                 ["reviews", "publish", ref],
                 ["actions", "add", ref, "Retrain the classifier", "--kind", "detection"],
                 ["incidents", "update", ref, "--status", "closed"]):
        result = runner.invoke(app, [*args, *as_cmd])
        assert result.exit_code == 0, (args, result.output)
    listed = runner.invoke(app, ["actions", "list", *as_cmd])
    assert "Retrain" in listed.output and ref in listed.output
    out = tmp_path / "review.md"
    assert runner.invoke(app, ["reviews", "export", ref, "--language", "ru", "-o", str(out), *as_cmd]).exit_code == 0
    assert "Ключевые моменты" in out.read_text(encoding="utf-8") or "Key moments" not in out.read_text()
    bad = runner.invoke(app, ["reviews", "export", ref, "--format", "docx", *as_cmd])
    assert bad.exit_code == 2


def test_submitting_asks_the_people_on_the_incident_for_feedback(
        make_user: Callable[..., Actor], make_incident: Callable[..., str], channels: Any, smtp: Any) -> None:
    from rapidresponse.notify import delivery

    cmd = make_user("commander", email="cmd@example.org")
    legal = make_user("legal", email="legal@example.org", locale="ru")
    ref = make_incident(cmd)
    with unit_of_work() as s:
        incidents.assign_role(s, cmd, ref, incidents.RoleAssign(username=legal.username, role="legal"))
    _status(cmd, ref, "active")
    with unit_of_work() as s:
        reviews.draft(s, cmd, ref)
        reviews.submit(s, cmd, ref)
    delivery.drain(using=channels)
    asked = [m for m in smtp.inbox.messages if "/review" in m.message.get_body().get_content()]
    assert [r for m in asked for r in m.rcpt_tos] == ["legal@example.org"]  # not the commander who submitted
    assert "Ваш отзыв для разбора" in asked[0].message["Subject"]
