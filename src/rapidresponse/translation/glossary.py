"""The glossary (termbase): one concept per entry, with its term per language, the preferred and the
forbidden variants (one spelling of «хеш» across the product: «хэш» is forbidden), a definition, the
part of speech, the domain (harm, legal, product) and "do not translate" entries (product names,
hashtags). Imported and exported as TBX (ISO 30042, TBX-Basic's data categories).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events
from ..auth import Actor, Perm
from ..clock import now
from ..errors import NotFound, ValidationFailed
from .checks import Entry, Glossary
from .events import GlossaryChanged
from .memory import XML_LANG, parse_xml
from .models import GlossaryTerm
from .schemas import TermIn, TermOut
from .vocab import LANGUAGES, PARTS_OF_SPEECH, TERM_DOMAINS

MAX_TERMS = 20_000


def _clean(variants: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for lang, v in sorted(variants.items()):
        if lang not in LANGUAGES:
            raise ValidationFailed(f"unknown language {lang[:20]!r}; one of {', '.join(LANGUAGES)}", field="variants")
        preferred = str(v.get("preferred") or "").strip()
        forbidden = sorted({str(f).strip() for f in v.get("forbidden", []) if str(f).strip()})
        if preferred or forbidden:
            out[lang] = {"preferred": preferred, "forbidden": forbidden}
    return out


def _apply(row: GlossaryTerm, term: TermIn) -> None:
    row.definition, row.part_of_speech, row.domain = term.definition.strip(), term.part_of_speech, term.domain
    row.do_not_translate = term.do_not_translate
    row.variants = _clean({k: v.model_dump() for k, v in term.variants.items()})
    row.updated_at = now()


def _put(session: Session, term: TermIn) -> bool:
    """Add or replace the entry for ``term.concept``; True when it is new."""
    concept = term.concept.strip()
    row = session.execute(select(GlossaryTerm).where(GlossaryTerm.concept == concept)).scalar_one_or_none()
    new = row is None
    if row is None:
        row = GlossaryTerm(concept=concept)
        session.add(row)
    _apply(row, term)
    return new


def save_term(session: Session, actor: Actor, term: TermIn) -> TermOut:
    actor.require(Perm.LEXICONS_MANAGE)
    new = _put(session, term)
    session.flush()
    events.record(session, actor, GlossaryChanged(subject_id="glossary", added=int(new), updated=int(not new),
                                                  source=term.concept[:200]))
    return get_term(session, actor, term.concept.strip())


def get_term(session: Session, actor: Actor, concept: str) -> TermOut:
    actor.require(Perm.INCIDENTS_READ)
    row = session.execute(select(GlossaryTerm).where(GlossaryTerm.concept == concept)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no glossary entry {concept[:60]!r}")
    return TermOut.model_validate(row)


def remove_term(session: Session, actor: Actor, term_id: int) -> None:
    actor.require(Perm.LEXICONS_MANAGE)
    row = session.get(GlossaryTerm, term_id)
    if row is None:
        raise NotFound(f"no glossary entry {term_id}")
    session.delete(row)
    session.flush()
    events.record(session, actor, GlossaryChanged(subject_id="glossary", removed=1, source=row.concept))


def list_terms(session: Session, actor: Actor, *, query: str = "", domain: str | None = None) -> list[TermOut]:
    actor.require(Perm.INCIDENTS_READ)
    stmt = select(GlossaryTerm).order_by(GlossaryTerm.concept)
    if domain:
        stmt = stmt.where(GlossaryTerm.domain == domain)
    rows = [TermOut.model_validate(r) for r in session.execute(stmt).scalars()]
    q = query.strip().lower()
    if q:
        rows = [t for t in rows if q in t.concept.lower() or any(
            q in str(v.get("preferred", "")).lower() for v in t.variants.values())]
    return rows


def entries(session: Session) -> list[Entry]:
    return [Entry(r.concept, r.variants or {}, r.do_not_translate)
            for r in session.execute(select(GlossaryTerm).order_by(GlossaryTerm.id)).scalars()]


def prepared(session: Session, source_lang: str, target_lang: str) -> Glossary:
    return Glossary(entries(session), source_lang, target_lang)


def definition(session: Session, concept: str) -> str:
    return session.execute(select(GlossaryTerm.definition).where(GlossaryTerm.concept == concept)).scalar() or ""


# TBX-Basic: a concept entry (conceptEntry) with its subject field and definition, a language section
# (langSec) per language, a term section (termSec) per variant with its part of speech and status
# (preferredTerm-admn-sts, deprecatedTerm-admn-sts; "do not translate" entries are marked as such).
PREFERRED, FORBIDDEN = "preferredTerm-admn-sts", "deprecatedTerm-admn-sts"


def export_tbx(session: Session, actor: Actor) -> bytes:
    actor.require(Perm.INCIDENTS_READ)
    tbx = ET.Element("tbx", {"type": "TBX-Basic", "style": "dca", XML_LANG: "en",
                             "xmlns": "urn:iso:std:iso:30042:ed-2"})
    body = ET.SubElement(ET.SubElement(tbx, "text"), "body")
    for row in session.execute(select(GlossaryTerm).order_by(GlossaryTerm.concept)).scalars():
        entry = ET.SubElement(body, "conceptEntry", id=f"c{row.id}")
        ET.SubElement(entry, "descrip", type="subjectField").text = row.domain
        ET.SubElement(entry, "admin", type="conceptName").text = row.concept
        ET.SubElement(entry, "descrip", type="x-partOfSpeech").text = row.part_of_speech
        if row.definition:
            ET.SubElement(entry, "descrip", type="definition").text = row.definition
        if row.do_not_translate:
            ET.SubElement(entry, "note").text = "do-not-translate"
        for lang, v in sorted((row.variants or {}).items()):
            sec = ET.SubElement(entry, "langSec", {XML_LANG: lang})
            forms = ([(v["preferred"], PREFERRED)] if v.get("preferred") else []) + [
                (f, FORBIDDEN) for f in v.get("forbidden", [])]
            for text, status in forms:
                term_sec = ET.SubElement(sec, "termSec")
                ET.SubElement(term_sec, "term").text = text
                ET.SubElement(term_sec, "termNote", type="partOfSpeech").text = row.part_of_speech
                ET.SubElement(term_sec, "termNote", type="administrativeStatus").text = status
    ET.indent(tbx)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(tbx, encoding="utf-8")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == name]


def _term_in(entry: ET.Element, n: int) -> TermIn:
    def typed(name: str, kind: str) -> str:
        return next(("".join(c.itertext()).strip() for c in _children(entry, name) if c.get("type") == kind), "")

    concept = typed("admin", "conceptName")
    variants: dict[str, dict[str, Any]] = {}
    pos = typed("descrip", "x-partOfSpeech") or "noun"
    for sec in _children(entry, "langSec"):
        lang = (sec.get(XML_LANG) or "").split("-")[0].lower()
        if lang not in LANGUAGES:
            continue
        v = variants.setdefault(lang, {"preferred": "", "forbidden": []})
        for term_sec in _children(sec, "termSec"):
            text = "".join(next(iter(_children(term_sec, "term")), ET.Element("t")).itertext()).strip()
            notes = {c.get("type"): "".join(c.itertext()).strip() for c in _children(term_sec, "termNote")}
            pos = notes.get("partOfSpeech") or pos
            if not text:
                continue
            if notes.get("administrativeStatus") in (FORBIDDEN, "supersededTerm-admn-sts"):
                v["forbidden"].append(text)
            elif not v["preferred"]:
                v["preferred"] = text
        concept = concept or v["preferred"]
    domain = typed("descrip", "subjectField")
    try:
        return TermIn(concept=concept or f"entry {n}", definition=typed("descrip", "definition"),
                      part_of_speech=pos if pos in PARTS_OF_SPEECH else "noun",
                      domain=domain if domain in TERM_DOMAINS else "general",
                      do_not_translate=any("".join(c.itertext()).strip() == "do-not-translate"
                                           for c in _children(entry, "note")),
                      variants=variants)
    except ValueError as exc:
        raise ValidationFailed(f"entry {n} of the TBX file: {str(exc).splitlines()[0]}", field="file") from exc


def import_tbx(session: Session, actor: Actor, data: bytes, *, name: str = "TBX") -> tuple[int, int]:
    """Add or replace the TBX file's concept entries; returns (added, updated)."""
    actor.require(Perm.LEXICONS_MANAGE)
    root = parse_xml(data, "TBX")
    found = [e for e in root.iter() if _local(e.tag) in ("conceptEntry", "termEntry")]
    if _local(root.tag) not in ("tbx", "martif") or not found:
        raise ValidationFailed("this is not a TBX file with concept entries", field="file")
    if len(found) > MAX_TERMS:
        raise ValidationFailed(f"a TBX file holds at most {MAX_TERMS} entries", field="file")
    terms = [_term_in(e, n) for n, e in enumerate(found, 1)]
    added = sum(_put(session, t) for t in terms)
    session.flush()
    events.record(session, actor, GlossaryChanged(subject_id="glossary", added=added, updated=len(terms) - added,
                                                  source=name[:200]))
    return added, len(terms) - added
