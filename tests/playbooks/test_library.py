"""The playbook file format and the library: every built-in validates, broken files are refused
with file:line, teams override and save versions, and a past incident keeps the plan it ran."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from rapidresponse.auth import Actor
from rapidresponse.cli import app
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, PermissionDenied, ValidationFailed
from rapidresponse.incidents.vocab import IncidentType
from rapidresponse.playbooks import files, rendering, service, sources
from rapidresponse.playbooks.spec import CONDITIONS
from rapidresponse.policy.taxonomy import Exposure, load_taxonomy

BUILTIN = sorted(sources.BUILTIN_DIR.glob("*.yaml"))
EXAMPLE = sources.BUILTIN_DIR / "dangerous_challenge.yaml"
FACTS = {"ref": "INC-2026-0042", "title": "Собачий кайф", "summary": "Видео с удушением", "type": "Dangerous challenge",
         "severity": "SEV2", "status": "Active", "countries_text": "KZ, RU", "languages_text": "ru, kk",
         "commander": "Aigerim", "comms_lead": "Oksana", "tasks_done": 2, "tasks_total": 8,
         "next_update_at": "29.11.2026 21:00 UTC", "declared_at": "29.11.2026 17:00 UTC", "url": "http://x/i",
         "helplines_text": "KZ: 150 (child helpline); RU: 8-800-2000-122 (children's helpline)"}


def test_the_library_has_a_playbook_for_every_incident_type() -> None:
    assert len(BUILTIN) >= 10
    covered = {t.value for path in BUILTIN for t in files.read(path)[0].incident_types}
    assert covered == {t.value for t in IncidentType} - {"other"}


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_every_builtin_playbook_validates_and_its_templates_render(path: Path) -> None:
    pb, _ = files.read(path)
    assert pb.id == path.stem
    assert {"en", "ru"} <= set(pb.languages)
    assert any(r.role.value == "commander" for r in pb.roles)
    for tpl in pb.templates:
        for lang in pb.languages:
            for part in (tpl.subject, tpl.body):
                text, missing = rendering.render(part.get(lang), FACTS)
                assert text and not missing, (tpl.id, lang, missing)
                if pb.restricted:  # a restricted incident's title and summary never leave the platform
                    assert FACTS["title"] not in text and FACTS["summary"] not in text, (tpl.id, lang)
    for esc in pb.escalations:
        assert esc.when in CONDITIONS


def _exposes_responders(incident_types: set[str]) -> bool:
    """Whether the harms of these incident types are hard on the people who review them."""
    return any(n.exposure in (Exposure.HIGH, Exposure.EXTREME) for n in load_taxonomy().harms()
               if n.incident_type in incident_types)


WELLBEING_WORDS = {"en": ("break", "rotation", "debrief", "support line"),
                   "ru": ("перерыв", "ротаци", "дебрифинг", "линии психологической поддержки")}


def test_every_playbook_that_exposes_responders_looks_after_them() -> None:
    exposing = []
    for path in BUILTIN:
        pb, _ = files.read(path)
        if not _exposes_responders({t.value for t in pb.incident_types}):
            continue
        exposing.append(pb.id)
        tasks = [t for t in pb.tasks if t.wellbeing]
        assert tasks, f"{pb.id} exposes responders to harmful content but has no wellbeing task"
        assert any(t.severities is None and not t.conditions for t in tasks), pb.id  # applies at every severity
        for lang, words in WELLBEING_WORDS.items():
            text = " ".join(t.done_when.get(lang) for t in tasks).lower()
            assert all(w in text for w in words), (pb.id, lang, [w for w in words if w not in text])
    assert {"child_safety", "self_harm_contagion", "dangerous_challenge", "harassment_doxxing", "animal_cruelty",
            "violent_extremism_livestream", "school_attack_glorification"} <= set(exposing)


def test_school_attack_glorification_is_bilingual_and_triages_threats_first() -> None:
    pb, _ = files.read(sources.BUILTIN_DIR / "school_attack_glorification.yaml")
    assert [t.value for t in pb.incident_types] == ["violent_extremism"]
    assert "колумбайн" in pb.title.ru.lower() and "скулшутинг" in pb.title.ru.lower()
    from_declaration = [t for t in pb.tasks if t.due and t.due.after == "declared"]
    assert min(from_declaration, key=lambda t: t.due.within if t.due else None).id == "threat_triage"
    gate = pb.gate("law_enforcement_referral")
    assert gate is not None and gate.required_role == "legal"
    for task in pb.tasks:
        assert task.title.en and task.title.ru and task.done_when.en and task.done_when.ru, task.id


def test_violent_extremism_runs_the_livestream_plan_unless_the_school_attack_one_is_chosen(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    commander = make_user("commander")
    ref = make_incident(commander, type="violent_extremism", title="«Колумбайн»: фан-сообщество растёт")
    with unit_of_work() as s:
        chosen = service.for_type(s, "violent_extremism")
        assert chosen is not None and chosen.playbook.id == "violent_extremism_livestream"
        service.apply(s, commander, ref, "school_attack_glorification")
    with unit_of_work(read_only=True) as s:
        checklist = service.checklist(s, commander, ref)
        assert checklist is not None and checklist.playbook.id == "school_attack_glorification"
        assert {"threat_triage", "responder_wellbeing"} <= {step.spec.id for step in checklist.steps if step.spec}


def test_helplines_come_from_the_registry_that_exists() -> None:
    pb, _ = files.read(sources.BUILTIN_DIR / "self_harm_contagion.yaml")
    task = next(t for t in pb.tasks if t.id == "helplines")
    assert "rapidresponse policy helplines" in task.done_when.en and "реестр" in task.done_when.get("ru")
    page = pb.template("support_page")
    assert page is not None and all("{{ helplines_text }}" in page.body.get(lang) for lang in pb.languages)
    for path in BUILTIN:  # wherever a playbook speaks of the registry, it names the command that reads it
        text = path.read_text(encoding="utf-8")
        if "helpline registry" in text:
            assert "rapidresponse policy helplines" in text, path.stem


def test_child_safety_is_restricted_and_refers_through_legal() -> None:
    pb, _ = files.read(sources.BUILTIN_DIR / "child_safety.yaml")
    assert pb.restricted
    gate = pb.gate("law_enforcement_referral")
    assert gate is not None and gate.required_role == "legal"


def _line_of(text: str, needle: str) -> int:
    """The last line holding ``needle`` (a duplicate is reported where it repeats)."""
    return [i for i, line in enumerate(text.splitlines(), 1) if needle in line][-1]


BROKEN = [
    # (change, what the error says, the text on the offending line)
    (("within: 1h}", "within: 1x}"), "not a duration", "within: 1x}"),
    (("owner_role: policy_lead", "owner_role: chef"), "owner_role", "owner_role: chef"),
    (("after: scope", "after: scoop"), "names no task", "after: scoop"),
    (("{{ ref }} update", "{{ ref update"), "template (en) line 1", "{{ ref update"),
    (("  - id: lexicon", "  - id: lexicon\n    colour: red"), "unknown field", "colour: red"),
    (("  - id: lexicon", "  - id: scope"), "appears twice", "  - id: scope"),
    (("    gate: external_statement", "    gate: regulator_reply"), "not among approval_gates",
     "gate: regulator_reply"),
    (("when: minors_involved", "when: minors_maybe"), "when", "when: minors_maybe"),
    (("  2: 4h", "  2: soon"), "not a duration", "2: soon"),
]


@pytest.mark.parametrize("change,message,line_text", BROKEN, ids=[b[1] for b in BROKEN])
def test_a_broken_playbook_is_refused_with_file_line_and_reason(tmp_path: Path, change: tuple[str, str],
                                                                message: str, line_text: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(*change, 1)
    assert text != EXAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(files.PlaybookInvalid) as err:
        files.read(path)
    detail = err.value.detail
    assert detail.startswith(f"{path}:{_line_of(text, line_text)}: "), detail
    assert message in detail, detail


@pytest.mark.parametrize("text,message", [
    ("id: [unclosed", "not valid YAML"),
    ("- just\n- a list\n", "a playbook is a YAML mapping"),
    ("", "a playbook is a YAML mapping"),
    ("id: x1\nversion: '1.0'\n", "this field is required"),
    ("\xff\xfe", "not UTF-8"),
])
def test_malformed_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(files.PlaybookInvalid, match=message):
        files.read(path)


def test_a_cycle_of_waiting_tasks_is_refused() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("    due: {within: 1h}\n", "    due: {after: measure, within: 1h}\n", 1)
    with pytest.raises(files.PlaybookInvalid, match="cycle"):
        files.parse(text, source="x.yaml")


def test_cli_validate_reports_each_file_and_exits_2_on_a_broken_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("within: 1h}", "within: 1x}", 1), encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(app, ["playbooks", "validate", *map(str, BUILTIN)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.count("✓") == len(BUILTIN)
    result = runner.invoke(app, ["playbooks", "validate", str(EXAMPLE), str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:" in result.output and "not a duration" in result.output and "1 of 2" in result.output


def test_sandboxed_templates_cannot_reach_the_server() -> None:
    for hostile in ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ cycler.__init__.__globals__ }}",
                    "{% for x in range(10**9) %}{% endfor %}{{ ref }}"):
        with pytest.raises(ValidationFailed):
            out, _ = rendering.render(hostile, FACTS)
            assert "subclasses" not in out and "globals" not in out
            raise ValidationFailed("rendered harmlessly")
    text, missing = rendering.render("{{ ref }} {{ nonexistent }}", FACTS)
    assert text == "INC-2026-0042" and missing == ["nonexistent"]


def test_team_directory_overrides_and_broken_team_files_are_listed_not_fatal(
        engine: Engine, tmp_path: Path, env: Callable[..., None], make_user: Callable[..., Actor]) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace('version: "1.1"', 'version: "2.0"', 1).replace(
        "  en: Dangerous viral challenge", "  en: Dangerous viral challenge (our team)", 1)
    (tmp_path / "dangerous_challenge.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("id: [", encoding="utf-8")
    env(playbook_dir=str(tmp_path))
    viewer = make_user("viewer")
    with unit_of_work(read_only=True) as s:
        found, broken = service.list_playbooks(s, viewer)
        chosen = service.for_type(s, "dangerous_challenge")
    assert chosen is not None and chosen.source == "directory" and chosen.playbook.version == "2.0"
    assert len(found) == len(BUILTIN)
    assert [b.path for b in broken] == [str(tmp_path / "broken.yaml")] and "not valid YAML" in broken[0].error


def test_saving_a_version_needs_the_permission_and_a_new_version_number(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    commander, responder = make_user("commander"), make_user("responder")
    before = make_incident(commander)
    text = EXAMPLE.read_text(encoding="utf-8")
    with unit_of_work() as s, pytest.raises(PermissionDenied):
        service.save(s, responder, text.replace('version: "1.1"', 'version: "1.2"', 1))
    with unit_of_work() as s, pytest.raises(Conflict):
        service.save(s, commander, text)
    with unit_of_work() as s, pytest.raises(ValidationFailed, match="raise the version"):
        service.save(s, commander, text.replace("Map the challenge", "Map the trend", 1))
    with unit_of_work() as s:
        row = service.save(s, commander, text.replace('version: "1.1"', 'version: "1.2"', 1)
                           .replace("Map the challenge and its variants", "Map the trend and its variants", 1))
        assert row.source == "ui" and row.version == "1.2"
    after = make_incident(commander)
    with unit_of_work() as s:
        old, new = service.checklist(s, commander, before), service.checklist(s, commander, after)
        assert old is not None and new is not None
        assert old.playbook.version == "1.1" and new.playbook.version == "1.2"
        assert old.steps[0].spec and old.steps[0].spec.title.en.startswith("Map the challenge")
        assert new.steps[0].spec and new.steps[0].spec.title.en.startswith("Map the trend")
        versions = [v.version for v in service.versions(s, commander, "dangerous_challenge")]
        assert versions == ["1.2", "1.1"]
