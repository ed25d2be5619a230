"""Editing a playbook in the UI: a refused text points at its line, a preview shows the tasks it would
create (and saves nothing), saving stores a new version."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.playbooks import service as playbooks
from rapidresponse.playbooks.models import PlaybookVersion

Login = Callable[..., tuple[Actor, str]]


def _text() -> str:
    with unit_of_work(read_only=True) as s:
        return playbooks.get_playbook(s, playbooks.PLAYBOOK_ACTOR, "dangerous_challenge").text


def _stored() -> int:
    with unit_of_work(read_only=True) as s:
        return int(s.execute(select(func.count()).select_from(PlaybookVersion)).scalar_one())


def test_preview_lists_the_tasks_for_a_severity_and_saves_nothing(client: TestClient, logged_in: Login) -> None:
    _, csrf = logged_in("commander")
    text, before = _text(), _stored()
    pb = playbooks.preview(playbooks.PLAYBOOK_ACTOR, text, severity=4, conditions=[])[0]
    expected = {sev: [t.title.en for t in playbooks.preview(playbooks.PLAYBOOK_ACTOR, text, severity=sev,
                                                              conditions=[])[1]] for sev in (1, 4)}
    assert len(expected[1]) >= len(expected[4]) and expected[1]
    shown = client.post("/playbooks/dangerous_challenge", data={"csrf_token": csrf, "text": text, "action": "preview",
                                                                "severity": "1"})
    assert shown.status_code == 200
    heading = re.search(r"At SEV1 this version would create (\d+) tasks", shown.text)
    assert heading and int(heading.group(1)) == len(expected[1])
    listed = shown.text[shown.text.index('class="list preview-tasks"'):]
    assert all(title in listed for title in expected[1])
    assert f"{pb.id} v{pb.version}" in shown.text and "Nothing was saved yet." in shown.text
    assert _stored() == before


def test_preview_with_a_condition_adds_its_tasks(client: TestClient, logged_in: Login) -> None:
    _, csrf = logged_in("commander")
    text = _text()
    plain = playbooks.preview(playbooks.PLAYBOOK_ACTOR, text, severity=2, conditions=[])[1]
    pb = playbooks.preview(playbooks.PLAYBOOK_ACTOR, text, severity=2, conditions=[])[0]
    conditional = next(t for t in pb.tasks if t.conditions and (not t.severities or 2 in t.severities))
    shown = client.post("/playbooks/dangerous_challenge", data={
        "csrf_token": csrf, "text": text, "action": "preview", "severity": "2",
        "conditions": list(conditional.conditions)}).text
    found = re.search(r"At SEV2 this version would create (\d+) tasks", shown)
    assert found and int(found.group(1)) > len(plain) and conditional.title.en in shown


def test_a_broken_text_shows_the_line_it_names(client: TestClient, logged_in: Login) -> None:
    _, csrf = logged_in("commander")
    text = _text()
    line = next(i for i, row in enumerate(text.split("\n"), start=1) if "owner_role:" in row)
    broken = re.sub(r"owner_role: \w+", "owner_role: emperor", text, count=1)
    for action in ("preview", "save"):
        refused = client.post("/playbooks/dangerous_challenge", data={"csrf_token": csrf, "text": broken,
                                                                      "action": action})
        assert refused.status_code == 422
        assert f"playbook:{line}: " in refused.text
        assert re.search(rf"line {line} │</span>\s+owner_role: emperor", refused.text)
        assert "owner_role: emperor" in refused.text[refused.text.index('name="text"'):]  # the text is kept


def test_viewer_cannot_preview(client: TestClient, logged_in: Login) -> None:
    _, csrf = logged_in("viewer")
    denied = client.post("/playbooks/dangerous_challenge", data={"csrf_token": csrf, "text": _text(),
                                                                 "action": "preview"})
    assert denied.status_code == 403
