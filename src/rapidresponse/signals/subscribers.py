"""How signals take part in other domains: a signal's text can be sent for translation by its id,
read as stored with its harm (so that routing and safe viewing treat it as harmful material)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import translation
from ..auth import Actor
from ..errors import NotFound
from .service import signals_by_ids


@translation.source_reader("signal")
def signal_text(session: Session, actor: Actor, source_id: str) -> translation.Source:
    found = signals_by_ids(session, actor, [int(source_id)]) if source_id.isdigit() and len(source_id) < 19 else []
    if not found:
        raise NotFound(f"no signal {source_id[:40]!r}")
    return translation.Source(text=found[0].text, harm=found[0].harm or found[0].lexicon_harm)
