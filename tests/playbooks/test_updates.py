"""Stakeholder updates and approval gates: composed from templates with live facts, bound to the
exact approved text, and delivered intact (Cyrillic and Kazakh) to a real SMTP server and webhook."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse import incidents
from rapidresponse.approvals import service as approvals
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rapidresponse.notify import audiences, delivery, endpoints
from rapidresponse.notify.channels import Channel
from rapidresponse.playbooks import updates
from receivers import HttpReceiver, SmtpServer


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_preview_fills_live_facts_in_each_language(engine: Engine, make_user: Callable[..., Actor],
                                                   make_incident: Callable[..., str]) -> None:
    commander = make_user("commander", display_name="Айгерим Сейткали")
    ref = make_incident(commander)
    with unit_of_work(read_only=True) as s:
        ru = updates.preview(s, commander, ref, template_id="leadership_update", language="ru")
        kk = updates.preview(s, commander, ref, template_id="press_statement", language="kk")
        with pytest.raises(NotFound):
            updates.preview(s, commander, ref, template_id="nope", language="ru")
        with pytest.raises(ValidationFailed):
            updates.preview(s, commander, ref, template_id="leadership_update", language="xx")
    assert ru.subject == f"[SEV2] {ref}, обновление: Собачий кайф: волна видео"
    assert "Руководитель: Айгерим Сейткали" in ru.body and "KZ, RU" in ru.body and ru.missing == []
    assert ru.gate is None and ru.audience == "leadership"
    assert kk.gate == "external_statement" and kk.required_role == "legal" and "челлендж" in kk.body


def test_the_facts_quote_type_and_status_in_the_statements_own_language(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    commander = make_user("commander")
    ref = make_incident(commander)
    with unit_of_work(read_only=True) as s:
        inc = incidents.get(s, commander, ref)
        by_language = {lang: updates.facts(s, commander, inc, lang) for lang in updates.LANGUAGES}
    assert by_language["en"]["type"] == "Dangerous challenge"
    assert by_language["ru"]["type"] == "опасный челлендж"
    assert by_language["kk"]["type"] == "қауіпті челлендж"
    assert by_language["uk"]["type"] == "небезпечний челендж"
    statuses = {lang: by_language[lang]["status"] for lang in updates.LANGUAGES}
    assert len(set(statuses.values())) == 4, statuses  # no language borrows another's word
    for lang in ("ru", "kk", "uk"):  # nothing in Latin letters but the references
        assert not any("a" <= c.lower() <= "z" for c in by_language[lang]["type"] + statuses[lang])


def test_the_self_harm_support_page_lists_the_registrys_helplines(engine: Engine, make_user: Callable[..., Actor],
                                                                  make_incident: Callable[..., str]) -> None:
    commander = make_user("commander")
    ref = make_incident(commander, type="self_harm", countries=["KZ", "RU", "UA"])
    with unit_of_work(read_only=True) as s:
        ru = updates.preview(s, commander, ref, template_id="support_page", language="ru")
        en = updates.preview(s, commander, ref, template_id="support_page", language="en")
    assert ru.missing == [] and "KZ: 150 (" in ru.body and "RU: 8-800-2000-122 (Детский телефон доверия)" in ru.body
    assert "UA: " in en.body and "7333 (Lifeline Ukraine" in en.body and "Children's Helpline" in en.body


def test_an_external_statement_goes_out_only_with_legal_approval_of_its_exact_text(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str],
        approve_translation: Callable[..., Any]) -> None:
    commander, legal, other_commander = make_user("commander"), make_user("legal"), make_user("commander")
    ref = make_incident(commander)
    with unit_of_work() as s:
        audiences.set_audience(s, SYSTEM, "pr", emails=["press@rr.example"])
        p = updates.preview(s, commander, ref, template_id="press_statement", language="ru")
        en = updates.preview(s, commander, ref, template_id="press_statement", language="en")
        upd = updates.create(s, commander, ref, audience="pr", language="ru", subject=p.subject, body=p.body,
                             template_id="press_statement")
        uid = upd.id
    with unit_of_work() as s, pytest.raises(Conflict, match="needs the approval of legal"):
        updates.send(s, commander, ref, uid)
    # In Russian: legal is asked once a translation of the exact text into English is approved.
    approve_translation(source_kind="stakeholder_update", source_id=str(uid), text=f"{p.subject}\n\n{p.body}",
                        translation=f"{en.subject}\n\n{en.body}")
    with unit_of_work() as s:
        aid = updates.request_approval(s, commander, ref, uid).approval_id
        assert aid is not None
    with unit_of_work(read_only=True) as s:
        assert [a.id for a in approvals.inbox(s, legal)] == [aid]
        assert approvals.inbox(s, other_commander) == [] and approvals.inbox(s, commander) == []
        text = approvals.get(s, legal, aid).text
    for who, sha, error in ((commander, _sha(text), PermissionDenied), (other_commander, _sha(text), PermissionDenied),
                            (legal, _sha(text + " "), Conflict)):
        with unit_of_work() as s, pytest.raises(error):
            approvals.decide(s, who, aid, decision="approved", text_sha256=sha)
    with unit_of_work() as s, pytest.raises(ValidationFailed, match="say why"):
        approvals.decide(s, legal, aid, decision="rejected", text_sha256=_sha(text))
    with unit_of_work() as s:
        approvals.decide(s, legal, aid, decision="approved", text_sha256=_sha(text), comment="ок")
        assert updates.get(s, commander, ref, uid).status == "approved"
    with unit_of_work() as s:  # an edit after approval voids it
        updates.edit(s, commander, ref, uid, subject=p.subject, body=p.body + "\n\nP.S.")
    with unit_of_work() as s, pytest.raises(Conflict):
        updates.send(s, commander, ref, uid)
    approve_translation(source_kind="stakeholder_update", source_id=str(uid),
                        text=f"{p.subject}\n\n{p.body}\n\nP.S.", translation=f"{en.subject}\n\n{en.body}\n\nP.S.")
    with unit_of_work() as s:
        aid2 = updates.request_approval(s, commander, ref, uid).approval_id
        assert aid2 is not None and aid2 != aid
        a2 = approvals.get(s, legal, aid2)
        approvals.decide(s, legal, aid2, decision="approved", text_sha256=a2.text_sha256)
    with unit_of_work() as s:
        sent = updates.send(s, commander, ref, uid)
        assert sent.status == "sent" and sent.recipients == 1
        assert approvals.get(s, legal, aid).status == "superseded"
    with unit_of_work() as s, pytest.raises(Conflict, match="sent already"):
        updates.send(s, commander, ref, uid)


def test_approval_decisions_need_the_role_on_the_account_or_the_incident(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str],
        assign: Callable[..., None]) -> None:
    commander, responder = make_user("commander"), make_user("responder")
    ref = make_incident(commander)
    with unit_of_work() as s:
        audiences.set_audience(s, SYSTEM, "partners", emails=["ngo@rr.example"])
        upd = updates.create(s, commander, ref, audience="partners", language="en", subject="Heads-up",
                             body="We are removing the challenge videos.")
        aid = updates.request_approval(s, commander, ref, upd.id).approval_id
        assert aid is not None
        text_sha = approvals.get(s, commander, aid).text_sha256
    with unit_of_work() as s, pytest.raises(PermissionDenied):
        approvals.decide(s, responder, aid, decision="approved", text_sha256=text_sha)
    assign(commander, ref, "legal", responder)  # legal on this incident may decide
    with unit_of_work() as s:
        approvals.decide(s, responder, aid, decision="rejected", text_sha256=text_sha, comment="Name no partner")
        assert updates.get(s, commander, ref, upd.id).status == "rejected"
    with unit_of_work() as s, pytest.raises(Conflict, match="only a pending"):
        approvals.decide(s, responder, aid, decision="approved", text_sha256=text_sha)


def test_a_sent_update_arrives_intact_by_email_and_webhook(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str], smtp: SmtpServer,
        receiver: HttpReceiver, channels: dict[str, Channel]) -> None:
    commander = make_user("commander")
    ref = make_incident(commander, title="Қауіпті челлендж: «собачий кайф»")
    with unit_of_work() as s:
        ep = endpoints.create_endpoint(s, SYSTEM, name="leadership chat", url=receiver.url, format="json")
        audiences.set_audience(s, SYSTEM, "leadership", emails=["board@rr.example", "cto@rr.example"],
                               endpoint_ids=[ep.id])
        p = updates.preview(s, commander, ref, template_id="leadership_update", language="kk")
        upd = updates.create(s, commander, ref, audience="leadership", language="kk", subject=p.subject,
                             body=p.body, template_id="leadership_update")
        updates.send(s, commander, ref, upd.id)
        subject = upd.subject
    result = delivery.drain(using=channels)
    assert result.delivered == 3 and not result.dead
    got = sorted(m.rcpt_tos[0] for m in smtp.inbox.messages)
    assert got == ["board@rr.example", "cto@rr.example"]
    msg = smtp.inbox.messages[0].message
    assert msg["Subject"] == subject and "Қауіпті челлендж" in subject
    assert "=?utf-8?" in smtp.inbox.messages[0].raw.decode("ascii").lower()  # RFC 2047 on the wire
    plain = msg.get_body(preferencelist=("plain",))
    assert plain is not None and "Басшы:" in plain.get_content()
    body = json.loads(receiver.requests[0].body)
    assert body["subject"] == subject and receiver.requests[0].headers.get("x-rapidresponse-signature")


def test_bad_update_input_changes_nothing(engine: Engine, make_user: Callable[..., Actor],
                                         make_incident: Callable[..., str]) -> None:
    commander, viewer, legal = make_user("commander"), make_user("viewer"), make_user("legal")
    ref = make_incident(commander)
    cases: list[tuple[Actor, dict[str, Any], type[Exception]]] = [
        (commander, {"audience": "nobody", "language": "en", "subject": "s", "body": "b"}, NotFound),
        (commander, {"audience": "pr", "language": "en", "subject": " ", "body": "b"}, ValidationFailed),
        (commander, {"audience": "pr", "language": "en", "subject": "s", "body": "b" * 20_001}, ValidationFailed),
        (commander, {"audience": "pr", "language": "en", "subject": "s", "body": "b", "template_id": "nope"},
         NotFound),
        (viewer, {"audience": "pr", "language": "en", "subject": "s", "body": "b"}, PermissionDenied),
    ]
    for who, fields, error in cases:
        with unit_of_work() as s, pytest.raises(error):
            updates.create(s, who, ref, **fields)
    with unit_of_work() as s:
        assert updates.list_updates(s, commander, ref) == []
        upd = updates.create(s, commander, ref, audience="pr", language="en", subject="s", body="b")
    with unit_of_work() as s:
        updates.request_approval(s, commander, ref, upd.id)
        a = approvals.latest(s, "stakeholder_update", upd.id)
        assert a is not None
        approvals.decide(s, legal, a.id, decision="approved", text_sha256=a.text_sha256)
    with unit_of_work() as s, pytest.raises(Conflict, match="no recipients"):
        updates.send(s, commander, ref, upd.id)
    with unit_of_work(read_only=True) as s:
        assert [u.status for u in updates.list_updates(s, commander, ref)] == ["approved"]


def test_a_commander_routes_a_leadership_update_to_another_commander(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    from sqlalchemy import select

    from rapidresponse.incidents import work
    from rapidresponse.notify.models import OutboxMessage

    drafter = make_user("commander", display_name="Aigerim Seitkali", email="aigerim@rr.example")
    chosen = make_user("commander", display_name="Dmitry Volkov", email="dmitry@rr.example")
    bystander = make_user("commander", display_name="Tomasz Kowalski", email="tomasz@rr.example")
    responder = make_user("responder", email="resp@rr.example")
    ref = make_incident(drafter)
    with unit_of_work() as s:
        audiences.set_audience(s, SYSTEM, "leadership", emails=["board@rr.example"])
        upd = updates.create(s, drafter, ref, audience="leadership", language="en", subject="Where we stand",
                             body="Two platforms removed the videos.")
        board = updates.overview(s, drafter, ref)
    # The composer says who may approve it before it is asked: the other commanders, never its drafter.
    able = [p.username for p in board.approvers[upd.id]]
    assert board.gates[upd.id] is None and sorted(able) == sorted([chosen.username, bystander.username])
    for wrong in (responder.username, drafter.username, "nobody-here"):
        with unit_of_work() as s, pytest.raises(ValidationFailed, match="may not approve this"):
            updates.request_approval(s, drafter, ref, upd.id, approver=wrong)
    with unit_of_work(read_only=True) as s:
        assert updates.get(s, drafter, ref, upd.id).status == "draft"  # a refused routing changed nothing

    with unit_of_work() as s:
        aid = updates.request_approval(s, drafter, ref, upd.id, approver=chosen.username).approval_id
        assert aid is not None
        told = s.execute(select(OutboxMessage.user_id).where(OutboxMessage.kind == "approval.requested")).scalars()
        assert set(told) == {chosen.user_id}, "only the person it was routed to is told"
        line = next(e for e in work.timeline(s, drafter, ref) if e.type == "incident.approval_requested")
        assert line.payload["asked"] == chosen.username and line.actor_name == "Aigerim Seitkali"
        text_sha = approvals.get(s, drafter, aid).text_sha256
    with unit_of_work() as s, pytest.raises(PermissionDenied):
        approvals.decide(s, drafter, aid, decision="approved", text_sha256=text_sha)
    with unit_of_work() as s:
        approvals.decide(s, chosen, aid, decision="approved", text_sha256=text_sha)
        assert updates.send(s, drafter, ref, upd.id).status == "sent"
