"""The Russian catalog is complete, current with the sources, and used by the UI."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from rapidresponse.incidents import severity, vocab
from rapidresponse.web.templating import LOCALE_DIR, gettext

ROOT = Path(__file__).resolve().parents[2]
PO = LOCALE_DIR / "ru" / "LC_MESSAGES" / "messages.po"
POT = LOCALE_DIR / "messages.pot"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as fh:
        return read_po(fh)


def test_every_msgid_has_a_russian_translation() -> None:
    catalog = _catalog(PO)
    assert len(catalog) > 200
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert strings and all(s.strip() for s in strings), f"no translation for {message.id!r}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == wanted, f"placeholders differ in {message.id!r}"
    assert catalog.plural_forms.startswith("nplurals=3")


def test_catalog_matches_the_template_and_the_sources(tmp_path: Path) -> None:
    pot_ids = {m.id for m in _catalog(POT) if m.id}
    po_ids = {m.id for m in _catalog(PO) if m.id}
    assert pot_ids == po_ids
    fresh = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-c", "from babel.messages.frontend import main; main()", "-q", "extract",
                    "-F", "babel.cfg", "-k", "_", "-k", "N_", "-k", "gettext", "-k", "ngettext:1,2",
                    "-o", str(fresh), "."], cwd=ROOT, check=True, capture_output=True)
    extracted = {m.id for m in _catalog(fresh) if m.id}
    missing = extracted - pot_ids
    assert not missing, f"run the extraction in babel.cfg and translate: {sorted(map(str, missing))[:10]}"


@pytest.mark.parametrize("labels", [vocab.TYPE_LABELS, vocab.STATUS_LABELS, vocab.ROLE_LABELS,
                                    vocab.TASK_STATUS_LABELS, severity.HARM_LEVELS, severity.REACH_LEVELS,
                                    severity.VELOCITY_LEVELS, severity.REGULATORY_LEVELS])
def test_domain_labels_are_translated(labels: dict[object, str]) -> None:
    for label in labels.values():
        translated = gettext("ru", label)
        assert translated != label and re.search("[а-яё]", translated, re.I), label


def test_plural_forms() -> None:
    from rapidresponse.web.templating import ngettext

    forms = [ngettext("ru", "%(count)s incident", "%(count)s incidents", n, count=n) for n in (1, 3, 5, 21)]
    assert forms == ["1 инцидент", "3 инцидента", "5 инцидентов", "21 инцидент"]


def test_the_catalog_speaks_the_glossarys_terminology() -> None:
    """The product's Russian uses the terms the team's glossary settles (e.g. критичность for severity, хеш,
    первичный разбор for triage): no forbidden variant appears in any inflection."""
    import yaml

    from rapidresponse.translation.terms import PhraseSet

    rows = yaml.safe_load((ROOT / "src/rapidresponse/demo/glossary.yaml").read_text("utf-8"))["terms"]
    forbidden = PhraseSet([v for row in rows if row[1] == "product" for v in row[6]], "ru")
    found = {}
    for message in _catalog(PO):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if hits := forbidden.find(text):
                found[text] = [h.phrase for h in hits]
    assert forbidden.find("Укажите причину переопределения расчётной серьёзности."), "finds inflected forms"
    assert not found, found
