"""The translation memory: approved segment pairs with their provenance, looked up exactly and fuzzily,
imported and exported as TMX 1.4.

Texts are cut into sentences by razdel (made for Russian: it knows abbreviations such as «т. е.» and
initials, and serves the other Cyrillic and Latin texts well). An approved translation with as many
sentences as its source is stored sentence by sentence, otherwise as one pair. Look-ups go through a
:class:`~.memory_index.MemoryIndex` per language pair, rebuilt when the pair's segments change.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from threading import Lock

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import events
from ..auth import Actor, Perm
from ..clock import now
from ..errors import ValidationFailed
from .events import MemoryImported
from .memory_index import MemoryIndex
from .models import MemorySegment
from .schemas import SegmentOut
from .vocab import LANGUAGES

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_SEGMENT = 4000
MAX_IMPORT = 200_000


def segment(text: str) -> list[str]:
    """The sentences of ``text`` (paragraphs first, then razdel's sentences)."""
    from razdel import sentenize

    out = []
    for paragraph in text.split("\n"):
        out += [s.text.strip() for s in sentenize(paragraph) if s.text.strip()]
    return out


def add_approved(session: Session, source_lang: str, target_lang: str, source: str, target: str, *, origin: str,
                 request_id: int | None = None, approved_by_id: int | None = None) -> int:
    """Store an approved translation's segment pairs; returns how many."""
    src, tgt = segment(source), segment(target)
    pairs = list(zip(src, tgt, strict=True)) if len(src) == len(tgt) else [(source.strip(), target.strip())]
    at = now()
    session.add_all(MemorySegment(source_lang=source_lang, target_lang=target_lang, source_text=s[:MAX_SEGMENT],
                                  target_text=t[:MAX_SEGMENT], origin=origin[:200], request_id=request_id,
                                  approved_by_id=approved_by_id, created_at=at) for s, t in pairs)
    session.flush()
    return len(pairs)


@dataclass(frozen=True)
class _Pair:
    source_text: str
    target_text: str
    origin: str


class _Cache:
    """One index per language pair, kept while the pair's newest segment id and count stay the same."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._by_pair: dict[tuple[str, str], tuple[tuple[int, int], MemoryIndex, list[_Pair]]] = {}

    def get(self, session: Session, source_lang: str, target_lang: str) -> tuple[MemoryIndex, list[_Pair]]:
        where = (MemorySegment.source_lang == source_lang, MemorySegment.target_lang == target_lang)
        stamp = tuple(session.execute(select(func.coalesce(func.max(MemorySegment.id), 0), func.count())
                                      .where(*where)).one())
        with self._lock:
            known = self._by_pair.get((source_lang, target_lang))
            if known is not None and known[0] == stamp:
                return known[1], known[2]
        rows = session.execute(select(MemorySegment.source_text, MemorySegment.target_text, MemorySegment.origin)
                               .where(*where).order_by(MemorySegment.id)).all()
        pairs = [_Pair(*row) for row in rows]
        index = MemoryIndex([p.source_text for p in pairs])
        with self._lock:
            self._by_pair[(source_lang, target_lang)] = ((int(stamp[0]), int(stamp[1])), index, pairs)
        return index, pairs


_CACHE = _Cache()


def lookup(session: Session, source_lang: str, target_lang: str, text: str, *, limit: int = 3,
           ) -> list[tuple[str, list[tuple[_Pair, float]]]]:
    """For each sentence of ``text``: the memory's best matches with their score (100: exact)."""
    index, pairs = _CACHE.get(session, source_lang, target_lang)
    if not len(index):
        return []
    out = []
    for seg in segment(text):
        hits = index.search(seg, limit=limit)
        if hits:
            out.append((seg, [(pairs[h.position], h.score) for h in hits]))
    return out


def search(session: Session, actor: Actor, *, source_lang: str, target_lang: str, text: str,
           ) -> list[tuple[str, list[tuple[_Pair, float]]]]:
    actor.require(Perm.INCIDENTS_READ)
    return lookup(session, source_lang, target_lang, text)


def list_segments(session: Session, actor: Actor, *, source_lang: str | None = None, target_lang: str | None = None,
                  query: str = "", limit: int = 100, offset: int = 0) -> tuple[list[SegmentOut], int]:
    actor.require(Perm.INCIDENTS_READ)
    stmt = select(MemorySegment)
    if source_lang:
        stmt = stmt.where(MemorySegment.source_lang == source_lang)
    if target_lang:
        stmt = stmt.where(MemorySegment.target_lang == target_lang)
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(MemorySegment.source_text.ilike(like) | MemorySegment.target_text.ilike(like))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(MemorySegment.id.desc()).limit(limit).offset(offset)).scalars()
    return [SegmentOut.model_validate(r) for r in rows], total


def export_tmx(session: Session, actor: Actor) -> bytes:
    """The whole memory as TMX 1.4 (one translation unit per pair, its provenance as properties)."""
    actor.require(Perm.INCIDENTS_READ)
    tmx = ET.Element("tmx", version="1.4")
    ET.SubElement(tmx, "header", {"creationtool": "rapidresponse", "creationtoolversion": "1",
                                  "datatype": "plaintext", "segtype": "sentence", "adminlang": "en",
                                  "srclang": "*all*", "o-tmf": "rapidresponse"})
    body = ET.SubElement(tmx, "body")
    for r in session.execute(select(MemorySegment).order_by(MemorySegment.id)).scalars():
        tu = ET.SubElement(body, "tu", creationdate=r.created_at.strftime("%Y%m%dT%H%M%SZ"))
        ET.SubElement(tu, "prop", type="x-origin").text = r.origin
        for lang, text in ((r.source_lang, r.source_text), (r.target_lang, r.target_text)):
            tuv = ET.SubElement(tu, "tuv", {XML_LANG: lang})
            ET.SubElement(tuv, "seg").text = text
    ET.indent(tmx)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(tmx, encoding="utf-8")


def parse_xml(data: bytes, what: str) -> ET.Element:
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise ValidationFailed(f"the {what} file declares a DTD or entities, which are not accepted", field="file")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValidationFailed(f"the {what} file is not well-formed XML: {exc}", field="file") from exc


def _lang(tag: str | None) -> str:
    return (tag or "").split("-")[0].split("_")[0].lower()


def _text(element: ET.Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def import_tmx(session: Session, actor: Actor, data: bytes, *, name: str = "TMX") -> int:
    """Add a TMX file's pairs to the memory (each unit's first two languages we know); returns how many."""
    actor.require(Perm.LEXICONS_MANAGE)
    root = parse_xml(data, "TMX")
    if root.tag != "tmx" or root.find("body") is None:
        raise ValidationFailed("this is not a TMX file (no <tmx> with a <body>)", field="file")
    header = root.find("header")
    default = _lang(header.get("srclang")) if header is not None else ""
    rows = []
    for n, tu in enumerate(root.iter("tu"), 1):
        if n > MAX_IMPORT:
            raise ValidationFailed(f"a TMX file holds at most {MAX_IMPORT} units", field="file")
        tuvs = [(_lang(tuv.get(XML_LANG) or tuv.get("lang")), _text(tuv.find("seg"))) for tuv in tu.findall("tuv")]
        tuvs = [(lang, text.strip()) for lang, text in tuvs if lang in LANGUAGES and text.strip()]
        if len(tuvs) < 2:
            continue
        tuvs.sort(key=lambda t: t[0] != default)
        origin = next((p.text or "" for p in tu.findall("prop") if p.get("type") == "x-origin"), "") or name
        rows.append(MemorySegment(source_lang=tuvs[0][0], target_lang=tuvs[1][0], source_text=tuvs[0][1][:MAX_SEGMENT],
                                  target_text=tuvs[1][1][:MAX_SEGMENT], origin=origin[:200], created_at=now()))
    if not rows:
        raise ValidationFailed("the TMX file holds no pair of segments in languages we know", field="file")
    session.add_all(rows)
    session.flush()
    events.record(session, actor, MemoryImported(subject_id="memory", segments=len(rows), source=name[:200]))
    return len(rows)
