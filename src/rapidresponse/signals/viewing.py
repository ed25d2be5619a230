"""Content as one person sees it: their safe-viewing settings (wellness) applied to a text of a harm,
with the worst terms found by the lexicons (language). Used wherever a page shows report words: the
explorer and trends here, alerts' samples and trend labels and case reports in detection."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import language, wellness


def safe_text(session: Session, view: wellness.SafeView, harm: str | None, text: str, key: str) -> str | None:
    """``text`` for the viewer: None while it waits behind a reveal, the worst terms masked when their
    settings mask them, else as it is."""
    shown = view.item(harm, key)
    if shown.hidden:
        return None
    if shown.mask and text:
        return wellness.mask_text(text, [(m.start, m.end) for m in language.match(session, text)])
    return text
