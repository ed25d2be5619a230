"""Approval gates through the service and the CLI: the exact text, another person in the role, and
what the service hands other domains (a frozen ApprovalOut, never the table's row)."""

from __future__ import annotations

from collections.abc import Callable

import pydantic
import pytest
from typer.testing import CliRunner

from rapidresponse import approvals, incidents
from rapidresponse.approvals import ApprovalOut
from rapidresponse.auth import Actor
from rapidresponse.cli import app
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, PermissionDenied

runner = CliRunner()


def test_a_request_is_decided_by_another_person_in_the_role_on_its_exact_text(
        make_approval: Callable[..., ApprovalOut], make_user: Callable[..., Actor]) -> None:
    author, legal = make_user("commander"), make_user("legal")
    a = make_approval(author)
    assert isinstance(a, ApprovalOut) and a.status == "pending" and a.requested_by_id == author.user_id
    assert a.text_sha256 == approvals.text_sha256(a.text)
    assert "requested_by_id" not in a.model_dump()  # the API's answers never carried who asked
    with pytest.raises(pydantic.ValidationError):
        a.status = "approved"  # type: ignore[misc]
    with unit_of_work() as s:
        assert [x.id for x in approvals.inbox(s, legal)] == [a.id] and approvals.inbox(s, author) == []
        with pytest.raises(PermissionDenied):
            approvals.decide(s, author, a.id, decision="approved", text_sha256=a.text_sha256)
        with pytest.raises(Conflict):
            approvals.decide(s, legal, a.id, decision="approved", text_sha256=approvals.text_sha256("other"))
        decided = approvals.decide(s, legal, a.id, decision="approved", text_sha256=a.text_sha256)
    assert decided.status == "approved" and decided.decided_by_id == legal.user_id
    with unit_of_work(read_only=True) as s:
        assert approvals.approved_text(s, a.subject_type, a.subject_id) == a.text
        assert approvals.latest(s, a.subject_type, a.subject_id) == decided


def test_a_new_text_for_the_same_subject_supersedes_the_pending_one(
        make_approval: Callable[..., ApprovalOut], make_user: Callable[..., Actor]) -> None:
    author = make_user("commander")
    first = make_approval(author, subject_id=7)
    second = make_approval(author, subject_id=7, text="Исправленный текст.")
    with unit_of_work(read_only=True) as s:
        assert approvals.get(s, author, first.id).status == "superseded"
        assert approvals.latest(s, "statement", 7) == second


def test_an_incidents_approval_shows_on_its_timeline(make_approval: Callable[..., ApprovalOut],
                                                     make_incident: Callable[..., str],
                                                     make_user: Callable[..., Actor]) -> None:
    commander = make_user("commander")
    ref = make_incident(commander)
    a = make_approval(commander, ref=ref)
    with unit_of_work(read_only=True) as s:
        inc = incidents.get(s, commander, ref)
        assert a.incident_id == inc.id
        assert "incident.approval_requested" in [e.type for e in incidents.timeline(s, commander, ref)]


def test_the_approvals_commands(make_approval: Callable[..., ApprovalOut], make_user: Callable[..., Actor]) -> None:
    legal = make_user("legal", username="cli-legal")
    a = make_approval()
    result = runner.invoke(app, ["approvals", "inbox", "--as", legal.username])
    assert result.exit_code == 0 and a.title in result.output
    result = runner.invoke(app, ["approvals", "show", str(a.id), "--as", legal.username])
    assert result.exit_code == 0 and a.text in result.output and a.text_sha256 in result.output
    result = runner.invoke(app, ["approvals", "decide", str(a.id), "rejected", "--sha256", a.text_sha256,
                                 "--as", legal.username])
    assert result.exit_code == 2 and "say why" in result.output
    result = runner.invoke(app, ["approvals", "decide", str(a.id), "approved", "--sha256", a.text_sha256,
                                 "--as", legal.username])
    assert result.exit_code == 0 and f"approval {a.id}: approved" in result.output
    result = runner.invoke(app, ["approvals", "inbox", "--as", legal.username])
    assert result.exit_code == 0 and "nothing waits for you" in result.output
