"""The product's own content files speak both languages: every text they give a page is written in
English and in Russian.

The check is driven by the schemas, not by a list of files or fields: it walks every model the
loaders return (country profiles with the shared EU instruments, the harm taxonomy, the helplines
and the playbook library) and finds (1) every bilingual text, which must have its Russian, and
(2) every plain string, which must not be English prose unless its field is a short name, an
identifier, a source's name or an address, i.e. something a page shows as written in every language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from rapidresponse.playbooks import files, sources
from rapidresponse.policy.countries import load_files
from rapidresponse.policy.helplines import load_helplines
from rapidresponse.policy.taxonomy import load_taxonomy

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
ENGLISH_PROSE = re.compile(r"\b[A-Za-z]{2,}(?:[ ,;:'-]+[A-Za-z]{2,}){3,}")  # four English words in a row
# Fields whose values are shown as written in every language: the names of sources (organisations
# and their sites), short names (a regulator's abbreviation may have a Russian form of its own, or not),
# identifiers and addresses. Everything else that holds prose,
# legal citations included, must be bilingual.
AS_WRITTEN = {"source", "abbreviation", "aliases", "pull_in_team", "url", "source_url"}
NOT_SHOWN = {"policy_clause"}  # a harm's clause in English for statements of reasons; pages show policy_clause_text

Found = tuple[str, Any]


def _walk(value: Any, where: str, field: str = "") -> Iterator[tuple[str, str, Any]]:
    """(path, field name, value) of every bilingual text and every plain string under ``value``."""
    if isinstance(value, BaseModel):
        names = type(value).model_fields
        if "en" in names and "ru" in names:
            yield where, field, value
            return
        for name in names:
            yield from _walk(getattr(value, name), f"{where}.{name}", name)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _walk(item, f"{where}[{i}]", field)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{where}.{key}", field)
    elif isinstance(value, str):
        yield where, field, value


def _content() -> Iterator[tuple[str, Any]]:
    for code, profile in load_files()[1].items():
        yield f"countries/{code}", profile
    for slug, node in load_taxonomy().nodes.items():
        yield f"taxonomy/{slug}", node
    yield "taxonomy/teams", load_taxonomy().teams
    yield "helplines", load_helplines()
    for path in sorted(sources.BUILTIN_DIR.glob("*.yaml")):
        yield f"playbooks/{path.stem}", files.read(path)[0]


CONTENT = list(_content())


@pytest.mark.parametrize(("name", "model"), CONTENT, ids=[name for name, _ in CONTENT])
def test_every_text_of_the_content_has_english_and_russian(name: str, model: Any) -> None:
    missing, english_only = [], []
    for where, field, value in _walk(model, name):
        if isinstance(value, BaseModel):
            en, ru = getattr(value, "en", None), getattr(value, "ru", None)
            if field in AS_WRITTEN:  # a short name Russian writes as it is (ANCOM) or has none of its own (RpMS)
                continue
            if not en or not ru or not CYRILLIC.search(ru):
                missing.append(f"{where}: {en!r}")
        elif field not in AS_WRITTEN | NOT_SHOWN and ENGLISH_PROSE.search(value):
            english_only.append(f"{where}: {value[:60]!r}")
    assert not missing, "texts without their Russian:\n" + "\n".join(missing)
    assert not english_only, "English-only prose (make the field bilingual):\n" + "\n".join(english_only)


def test_the_walk_finds_the_texts_of_every_kind_of_file() -> None:
    kinds = {name.split("/")[0]: 0 for name, _ in CONTENT}
    for name, model in CONTENT:
        kinds[name.split("/")[0]] += sum(isinstance(v, BaseModel) for _, _, v in _walk(model, name))
    assert set(kinds) == {"countries", "taxonomy", "helplines", "playbooks"}
    assert all(n > 10 for n in kinds.values()), kinds


def test_a_plain_string_in_a_team_file_still_loads_as_the_english_text() -> None:
    from rapidresponse.policy.countries import Regulator

    reg = Regulator.model_validate({"id": "x", "name": {"en": "X", "native": "X"}, "role": "Sends orders."})
    assert reg.role is not None and (reg.role.en, reg.role.ru, reg.role.in_("ru")) == ("Sends orders.", None,
                                                                                        "Sends orders.")
    kz = load_files()[1]["KZ"]
    mci = kz.regulator("mci")
    assert mci is not None and mci.role is not None
    assert mci.role.in_("ru").startswith("Уполномоченный орган") and mci.role.in_("en").startswith("The authorised")
    assert mci.name.in_("ru") == "Министерство культуры и информации Республики Казахстан"
