"""Texts read from the objects they belong to.

A request that names its source (a note, a stakeholder update, a reply letter, a signal, a review)
stores the text as that object holds it now, with the object's incident and harm, rather than what
the requester typed. The domains below translation are read here; those above it (signals, reviews)
register their reader with :func:`source_reader` from their own subscribers, so nothing imports
upwards. ``evidence`` and ``text`` have no object: their text is the one given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .. import incidents, playbooks, requests
from ..auth import Actor
from ..errors import NotFound


@dataclass(frozen=True)
class Source:
    """What an object holds now: its text, its incident's ref, the harm of the material if any, and the
    id by which its domain names it (a reply letter is named by its request's id, whatever was given)."""

    text: str
    incident: str | None = None
    harm: str | None = None
    source_id: str | None = None


SourceReader = Callable[[Session, Actor, str], Source]
_readers: dict[str, SourceReader] = {}


def source_reader(kind: str) -> Callable[[SourceReader], SourceReader]:
    """Register how a kind of source is read (``source_id`` → :class:`Source`), with the reader's permissions."""

    def register(reader: SourceReader) -> SourceReader:
        _readers[kind] = reader
        return reader

    return register


def readable(kind: str) -> bool:
    return kind in _readers


def read(session: Session, actor: Actor, kind: str, source_id: str) -> Source:
    return _readers[kind](session, actor, source_id)


def _number(kind: str, source_id: str) -> int:
    if not source_id.isdigit() or not 0 < int(source_id) < 2**31:
        raise NotFound(f"no {kind.replace('_', ' ')} {source_id[:40]!r}")
    return int(source_id)


@source_reader("note")
def _note(session: Session, actor: Actor, source_id: str) -> Source:
    ref, note = incidents.get_note(session, actor, _number("note", source_id))
    return Source(text=note.body, incident=ref)


@source_reader("stakeholder_update")
def _update(session: Session, actor: Actor, source_id: str) -> Source:
    ref, text = playbooks.update_text(session, actor, _number("stakeholder_update", source_id))
    return Source(text=text, incident=ref)


@source_reader("reply_letter")
def _letter(session: Session, actor: Actor, source_id: str) -> Source:
    request_id, ref, text = requests.reply_text(session, actor, source_id)
    return Source(text=text, incident=ref, source_id=str(request_id))
