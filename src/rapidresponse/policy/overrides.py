"""Corrections to country profiles made in the UI, saved as override data (no release needed).

A correction of one statutory deadline (its hours, calendar or business time, confidence, notes) is
written to ``countries/<ISO>.yaml`` in the override directory (``$RAPIDRESPONSE_POLICY_DIR``, else
``<var dir>/policy``), merged over the packaged profile like any override file, validated before it
is kept, and recorded as an event with the values before and after. Running clocks keep the deadline
they started with.

The file is part of the transaction: if the unit of work that made the correction rolls back (its
event is not stored), the previous file comes back, so the profiles never carry a correction that the
event log does not show.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import event
from sqlalchemy.orm import Session

from .. import events
from ..auth import Actor, Perm
from ..errors import NotFound, ValidationFailed
from . import countries
from .countries import Confidence, Deadline, TimeKind, get_country
from .loading import PolicyDataError, read_yaml, writable_override_dir

EDITABLE = ("hours", "time", "confidence", "notes")


def _write(path: Path, doc: dict[str, Any] | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if doc is None:
        path.unlink(missing_ok=True)
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        yaml.safe_dump(doc, fh, allow_unicode=True, sort_keys=False)
    os.replace(tmp, path)


def _restore_on_rollback(session: Session, path: Path, previous: dict[str, Any] | None) -> None:
    """Put ``previous`` back in ``path`` if the session's transaction rolls back instead of committing."""

    def restore(_session: Session) -> None:
        event.remove(session, "after_commit", forget)
        _write(path, previous)
        countries.clear_cache()

    def forget(_session: Session) -> None:
        event.remove(session, "after_rollback", restore)

    event.listen(session, "after_rollback", restore, once=True)
    event.listen(session, "after_commit", forget, once=True)


def correct_deadline(session: Session, actor: Actor, code: str, name: str, *, hours: float | None, time: str,
                     confidence: str, notes: str = "") -> Deadline:
    """Correct one deadline of a country profile; returns the deadline as the profile now has it."""
    actor.require(Perm.POLICY_MANAGE)
    profile = get_country(code)
    try:
        current = profile.deadline(name)
    except NotFound:
        raise NotFound(f"{profile.code} has no deadline {name!r}") from None
    change: dict[str, Any] = {"hours": hours, "time": time, "confidence": confidence, "notes": notes.strip()}
    if time not in {t.value for t in TimeKind} or confidence not in {c.value for c in Confidence}:
        raise ValidationFailed("time is calendar or business; confidence is verified or uncertain")
    try:
        Deadline.model_validate({**current.model_dump(mode="json"), **change})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ValidationFailed(f"{'.'.join(map(str, err['loc']))}: {err['msg']}", field=str(err["loc"][0])) from None
    path = writable_override_dir() / "countries" / f"{profile.code}.yaml"
    previous = read_yaml(path) if path.exists() else None
    doc = dict(previous or {})
    entries = [e for e in doc.get("deadlines") or [] if isinstance(e, dict) and e.get("name") != name]
    doc["deadlines"] = [*entries, {"name": name, **change}]
    _write(path, doc)
    countries.clear_cache()
    try:
        updated = get_country(profile.code).deadline(name)
    except PolicyDataError:
        _write(path, previous)  # keep the profiles loadable: the old override comes back
        countries.clear_cache()
        raise
    before = {k: getattr(current, k).value if k in ("time", "confidence") else getattr(current, k) for k in EDITABLE}
    _restore_on_rollback(session, path, previous)
    events.record_legacy(session, type="policy.profile_corrected", subject_type="country_profile",
        subject_id=profile.code,
                  actor_id=actor.user_id, actor=actor.label,
                  payload={"deadline": name, "before": before, "after": change, "file": str(path)})
    return updated
