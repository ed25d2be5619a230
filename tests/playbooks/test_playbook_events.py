"""What playbooks record reads back typed, in English and Russian, from the payloads stored before the
events were typed too; a declaration whose playbook is refused stands, and the timeline says why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, select

from rapidresponse import events, incidents, playbooks
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict
from rapidresponse.i18n import english
from rapidresponse.playbooks import service
from rapidresponse.web.templating import Translator

DUE = "2026-03-01 10:00:00+00:00"  # how untyped payloads stored a time
STORED: list[tuple[str, dict[str, Any], str, str]] = [
    ("incident.playbook_applied",
     {"playbook": "dangerous_challenge", "version": "1.0", "version_id": 3, "replaced": None, "tasks": 7,
      "roles_requested": ["regional_lead"], "next_update_due_at": DUE},
     "applied the playbook dangerous_challenge 1.0 (7 tasks)", "применил(а) план dangerous_challenge 1.0 (задач: 7)"),
    ("incident.playbook_failed", {"error": "no playbook"}, "could not apply a playbook: no playbook",
     "не удалось применить план: no playbook"),
    ("incident.playbook_conditions", {"added": ["livestream"], "removed": [], "conditions": ["livestream"]},
     "set the conditions: Livestream", "отметил(а) условия: Прямая трансляция"),
    ("incident.playbook_escalated",
     {"escalation": "life", "condition": "imminent_threat_to_life", "role": "legal", "team": None,
      "within_minutes": 15, "task_id": 9, "already_present": False},
     "escalated (Imminent threat to life): pull in Legal within 15 min",
     "эскалация (Непосредственная угроза жизни): подключить роль «Юрист» в течение 15 мин"),
    ("incident.task_due_soon", {"task_id": 9, "title": "Scope", "step": "scope", "due_at": DUE},
     "reminded the owner that “Scope” is due soon", "напомнил(а) ответственному о сроке задачи «Scope»"),
    ("incident.task_overdue", {"task_id": 9, "title": "Scope", "step": "scope", "due_at": DUE},
     "told the commander that “Scope” is overdue", "сообщил(а) руководителю, что задача «Scope» просрочена"),
    ("incident.update_due", {"due_at": DUE}, "reminded the comms lead that a stakeholder update is due",
     "напомнил(а) ответственному за коммуникации об обновлении для заинтересованных сторон"),
    ("incident.update_overdue", {"due_at": DUE}, "told the commander that the stakeholder update is overdue",
     "сообщил(а) руководителю, что обновление для заинтересованных сторон просрочено"),
    ("incident.update_drafted", {"update_id": 4, "audience": "pr", "language": "ru", "subject": "Заявление"},
     "drafted an update for pr: “Заявление”", "подготовил(а) обновление для pr: «Заявление»"),
    ("incident.update_edited",
     {"update_id": 4, "audience": "pr", "language": "ru", "subject": "Заявление", "approval_voided": True},
     "edited the update “Заявление”", "изменил(а) обновление «Заявление»"),
    ("incident.update_sent",
     {"update_id": 4, "audience": "pr", "language": "ru", "subject": "Заявление", "body": "Текст", "recipients": 2},
     "sent the update “Заявление” to pr", "отправил(а) обновление «Заявление» для pr"),
]


@pytest.mark.parametrize(("kind", "payload", "line", "russian"), STORED, ids=[s[0] for s in STORED])
def test_stored_playbook_events_read_back_typed_with_their_lines(kind: str, payload: dict[str, Any], line: str,
                                                                 russian: str) -> None:
    event = events.typed(kind, "incident", 42, {"ref": "INC-2026-0042", **payload})
    assert not isinstance(event, events.UnknownEvent) and isinstance(event, incidents.IncidentEvent)
    assert event.describe(english) == line
    assert event.describe(Translator("ru")) == russian
    assert set(event.payload) == {"ref", *payload}


def test_reminders_show_under_the_tasks_filter_and_a_saved_version_reads() -> None:
    assert playbooks.TaskDueSoon.timeline == playbooks.TaskOverdue.timeline == "tasks"
    assert playbooks.PlaybookApplied.timeline is None
    saved = playbooks.PlaybookSaved(subject_id="dangerous_challenge", version="1.1", version_id=5, sha256="ab" * 32)
    assert saved.subject() == ("playbook", "dangerous_challenge")
    assert saved.describe(english) == "saved version 1.1 of the playbook dangerous_challenge"
    assert saved.describe(Translator("ru")) == "сохранил(а) версию 1.1 плана dangerous_challenge"


def test_a_refused_playbook_leaves_the_declaration_and_says_why(engine: Engine, make_user: Callable[..., Actor],
                                                               make_incident: Callable[..., str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise Conflict("the playbook could not run here")

    monkeypatch.setattr(service, "apply", refuse)
    commander = make_user("commander")
    ref = make_incident(commander)
    with unit_of_work(read_only=True) as s:
        assert playbooks.checklist(s, commander, ref) is None
        kinds = [e.type for e in s.execute(select(events.Event).order_by(events.Event.id)).scalars()
                 if e.payload.get("ref") == ref or e.type.startswith("log.")]
        failed = [e for e in s.execute(select(events.Event).where(events.Event.type == "incident.playbook_failed"))
                  .scalars()]
    assert "incident.declared" in kinds and "log.subscriber_failed" not in kinds
    assert len(failed) == 1 and failed[0].actor == "playbook"
    assert events.describe(failed[0]) == "could not apply a playbook: the playbook could not run here"
