"""Statements the playbooks send outside the company (press statements, public posts, partner notices)
follow safe-messaging practice in both languages: they never name a challenge, a "game" or a method
from the lexicons (not even through the incident's title), they point to help where the harm is
self-harm or a dangerous challenge, and each language version is written in that language only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from jinja2 import meta

from rapidresponse.playbooks import files, rendering, sources
from rapidresponse.playbooks.spec import Playbook, TemplateSpec

LEXICONS = Path(rendering.__file__).parents[1] / "language" / "data" / "lexicons"
BUILTIN = sorted(sources.BUILTIN_DIR.glob("*.yaml"))
PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
LATIN_WORD = re.compile(r"\b[A-Za-z]{2,}\b")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
ALLOWED_LATIN = {"SEV"}  # names a Russian statement may keep as written
HELP_FIRST = {"self_harm", "dangerous_challenge"}  # incident types whose statements must point to help
# The incident's own wording (title, summary) can name the challenge; public statements never echo it.
FACTS = {"ref": "INC-2026-0042", "title": "Собачий кайф челлендж", "summary": "Игра в обморок, #собачийкайф",
         "type": "Dangerous challenge", "severity": "SEV1", "status": "Active", "countries_text": "KZ, RU",
         "languages_text": "ru, kk", "commander": "Aigerim", "comms_lead": "Oksana", "tasks_done": 2,
         "tasks_total": 8, "next_update_at": "29.11.2026 21:00 UTC", "declared_at": "29.11.2026 17:00 UTC",
         "url": "http://x/i", "helplines_text": "KZ: 150; RU: 8-800-2000-122"}


def _lexicon_terms() -> set[str]:
    terms: set[str] = set()
    for path in LEXICONS.glob("*.yaml"):
        for lexicon in yaml.safe_load(path.read_text(encoding="utf-8"))["lexicons"]:
            terms |= {str(t["term"]).lower().lstrip("#") for t in lexicon["terms"]}
    return {t for t in terms if len(t) >= 3}


TERMS = _lexicon_terms()


def _public(pb: Playbook) -> list[TemplateSpec]:
    return [t for t in pb.templates if t.gate == "external_statement"]


def _named_terms(text: str) -> list[str]:
    low = text.lower()
    return [t for t in TERMS if re.search(rf"(?<!\w)#?{re.escape(t)}(?!\w)", low)]


def test_the_lexicons_and_the_library_have_public_statements_to_check() -> None:
    assert len(TERMS) > 300 and {"собачий кайф", "синий кит"} <= TERMS
    assert sum(len(_public(files.read(p)[0])) for p in BUILTIN) >= 11


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_public_statements_follow_safe_messaging_in_both_languages(path: Path) -> None:
    pb, _ = files.read(path)
    for tpl in _public(pb):
        for lang in ("en", "ru"):
            sources_ = [tpl.subject.get(lang), tpl.body.get(lang)]
            used = set().union(*(meta.find_undeclared_variables(rendering.sandbox().parse(s)) for s in sources_))
            assert not used & {"title", "summary"}, (tpl.id, lang, "echoes the incident's own wording")
            rendered = [rendering.render(s, FACTS)[0] for s in sources_]
            for text in (*sources_, *rendered):
                assert not _named_terms(text), (tpl.id, lang, _named_terms(text))
            written = PLACEHOLDER.sub(" ", " ".join(sources_))
            if lang == "ru":
                latin = set(LATIN_WORD.findall(written)) - ALLOWED_LATIN
                assert not latin, (tpl.id, "Latin words in the Russian statement", latin)
            else:
                assert not CYRILLIC.search(written), (tpl.id, "Cyrillic in the English statement")
            if {t.value for t in pb.incident_types} & HELP_FIRST and tpl.audience == "pr":
                assert "helplines_text" in used and "8-800-2000-122" in rendered[1], (tpl.id, lang, "no helplines")


def test_the_check_catches_a_statement_that_names_the_challenge() -> None:
    assert _named_terms("Заявление о тренде «Собачий кайф»") == ["собачий кайф"]
    assert _named_terms("Statement on the #blackoutchallenge") or _named_terms("the blackout challenge")
    assert not _named_terms("Нам известно об опасном челлендже, который распространяется в сети.")
