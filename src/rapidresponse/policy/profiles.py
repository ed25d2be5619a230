"""The country profiles as every process sees them: the data files, with the stored corrections over them.

The files are the packaged data with a team's ``$RAPIDRESPONSE_POLICY_DIR`` laid over it (see
:mod:`.countries`); the corrections a policy team saves in the UI are rows of
``country_profile_corrections`` (the latest of each deadline wins), so a correction saved by one
process is seen by every other one.

Reading the profiles with a session (what services do) looks at the corrections' version stamp
(their highest id) once per transaction, and rebuilds the profiles only when it moved; a transaction
that saved a correction sees it at once, and nobody else sees it until it commits. Reading without a
session (reference commands) opens a short read of its own, and falls back to the files alone when
there is no database to read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import event as orm_event
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..db import unit_of_work
from ..errors import NotFound
from . import countries, helplines, taxonomy
from .countries import CountryProfile, Deadline
from .loading import PolicyDataError
from .models import CountryProfileCorrection as Correction

MEMO = "rapidresponse.policy.corrections"
CORRECTED = ("hours", "time", "confidence", "notes")
_cache: dict[tuple[Any, ...], dict[str, CountryProfile]] = {}


def load_countries(session: Session | None = None) -> dict[str, CountryProfile]:
    """Every profile by ISO code: the data files with the stored corrections laid over them."""
    if session is None:
        try:
            with unit_of_work(read_only=True) as s:
                return load_countries(s)
        except SQLAlchemyError:  # no database (yet), e.g. a reference command: the data files alone
            return countries.load_files()[1]
    file_key, files = countries.load_files()
    memo = _memo(session)
    if "stamp" not in memo:
        memo["stamp"] = session.execute(select(func.max(Correction.id))).scalar()
    stamp = memo["stamp"]
    if stamp is None:
        return files
    if memo.get("own"):  # this transaction saved a correction: only it may see it yet
        if memo.get("key") != (file_key, stamp):
            memo["key"], memo["profiles"] = (file_key, stamp), overlay(files, _stored(session))
        profiles: dict[str, CountryProfile] = memo["profiles"]
        return profiles
    key = (str(session.get_bind().engine.url), file_key, stamp)
    if key not in _cache:
        if len(_cache) >= 8:
            _cache.pop(next(iter(_cache)))
        _cache[key] = overlay(files, _stored(session))
    return _cache[key]


def get_country(code: str, session: Session | None = None) -> CountryProfile:
    profiles = load_countries(session)
    try:
        return profiles[code.upper()]
    except KeyError:
        raise NotFound(f"no country profile {code!r} (known: {', '.join(profiles)})") from None


def regulator_label(country: str, regulator_id: str, locale: str) -> str | None:
    """A regulator named by its key (``RU``, ``rkn``) as a page in ``locale`` names it (``Федеральная служба …
    (Роскомнадзор (РКН))``); None when the country's profile does not list it. Read from the data files alone:
    the stored corrections change deadlines, never names."""
    profile = countries.load_files()[1].get(country.upper())
    regulator = profile.regulator(regulator_id) if profile else None
    return regulator.label(locale) if regulator else None


def overlay(files: dict[str, CountryProfile], stored: Iterable[Any]) -> dict[str, CountryProfile]:
    """The profiles with each deadline's latest correction (rows in id order) applied."""
    latest: dict[str, dict[str, Any]] = {}
    for row in stored:
        latest.setdefault(row.country, {})[row.deadline] = row
    out = dict(files)
    for code, by_name in latest.items():
        profile = files.get(code)
        if profile is None:
            continue  # a profile the files no longer have: its corrections wait, unused
        deadlines = tuple(_corrected(code, d, by_name[d.name]) if d.name in by_name else d
                          for d in profile.deadlines)
        out[code] = profile.model_copy(update={"deadlines": deadlines})
    return out


def _corrected(code: str, deadline: Deadline, row: Any) -> Deadline:
    try:
        change = {k: getattr(row, k) for k in CORRECTED}
        if deadline.notes is not None and change["notes"] in (deadline.notes.en, deadline.notes.ru):
            change["notes"] = deadline.notes.model_dump()  # the note left as it was, in either language
        return Deadline.model_validate({**deadline.model_dump(), **change})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise PolicyDataError(f"stored correction {row.id} of {code} {deadline.name}: "
                              f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from None


def _stored(session: Session) -> list[Any]:
    return list(session.execute(select(Correction.id, Correction.country, Correction.deadline, Correction.hours,
                                       Correction.time, Correction.confidence, Correction.notes)
                                .order_by(Correction.id)).all())


def _memo(session: Session) -> dict[str, Any]:
    """What this transaction knows of the corrections (forgotten when it ends)."""
    memo: dict[str, Any] | None = session.info.get(MEMO)
    if memo is None:
        memo = session.info[MEMO] = {}
        if not orm_event.contains(session, "after_commit", _forget):
            orm_event.listen(session, "after_commit", _forget)
            orm_event.listen(session, "after_rollback", _forget)
    return memo


def _forget(session: Session) -> None:
    session.info.pop(MEMO, None)


def saved(session: Session, correction_id: int) -> None:
    """A correction was saved in ``session``: it sees it from now on; others once it commits."""
    memo = _memo(session)
    memo.update(stamp=correction_id, own=True)
    memo.pop("key", None)
    orm_event.listen(session, "after_commit", lambda _s: _cache.clear(), once=True)


def clear_cache() -> None:
    """Read the data files (profiles, helplines and taxonomy) and the stored corrections again on the next look."""
    countries.clear_cache()
    helplines.clear_cache()
    taxonomy.clear_cache()
    _cache.clear()
