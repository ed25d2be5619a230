"""People's language skills and who may translate or review what.

A translator of a pair reads the source (any level) and writes the target (native or professional);
a reviewer of a pair must be native or professional in the target and read the source, and is never
the request's translator. Harmful material goes first to those with room left in their exposure
budget (``wellness.choose``).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import auth, events, wellness
from ..auth import Actor
from ..clock import now
from ..errors import ValidationFailed
from .events import SkillsChanged
from .models import LanguageSkill
from .vocab import LANGUAGES, LEVELS, WRITES


def skills_of(session: Session, user_id: int) -> dict[str, str]:
    rows = session.execute(select(LanguageSkill).where(LanguageSkill.user_id == user_id)
                           .order_by(LanguageSkill.language)).scalars()
    return {r.language: r.level for r in rows}


def set_skills(session: Session, actor: Actor, skills: dict[str, str]) -> dict[str, str]:
    """Replace the actor's own language skills (language → native, professional or reading)."""
    if actor.user_id is None:
        raise ValidationFailed("language skills belong to a person")
    for lang, level in skills.items():
        if lang not in LANGUAGES:
            raise ValidationFailed(f"unknown language {lang[:20]!r}; one of {', '.join(LANGUAGES)}", field="language")
        if level not in LEVELS:
            raise ValidationFailed(f"level is one of {', '.join(LEVELS)}", field="level")
    if skills == skills_of(session, actor.user_id):
        return skills
    session.execute(delete(LanguageSkill).where(LanguageSkill.user_id == actor.user_id))
    session.add_all(LanguageSkill(user_id=actor.user_id, language=lang, level=level) for lang, level in skills.items())
    session.flush()
    events.record(session, actor, SkillsChanged(subject_id=actor.user_id, skills=dict(sorted(skills.items()))))
    return skills_of(session, actor.user_id)


def _levels(session: Session, languages: Iterable[str]) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {}
    for r in session.execute(select(LanguageSkill).where(LanguageSkill.language.in_(set(languages)))).scalars():
        out.setdefault(r.user_id, {})[r.language] = r.level
    return out


def may_translate(levels: dict[str, str], source: str, target: str) -> bool:
    return source in levels and levels.get(target) in WRITES


def may_review(levels: dict[str, str], source: str, target: str) -> bool:
    return source in levels and levels.get(target) in WRITES


def qualified(session: Session, source: str, target: str, *, reviewing: bool = False) -> list[int]:
    """Active people who may translate (or review) ``source`` → ``target``, natives of the target first."""
    active = {p.id for p in auth.active_people(session)}
    rule = may_review if reviewing else may_translate
    found = [(u, lv) for u, lv in _levels(session, (source, target)).items()
             if u in active and rule(lv, source, target)]
    found.sort(key=lambda x: (x[1].get(target) != "native", x[0]))
    return [u for u, _ in found]


def route(session: Session, source: str, target: str, harm: str | None) -> int | None:
    """Whom a new request goes to: a qualified person with room in their exposure budget for ``harm``,
    someone at work now (by their working hours) before someone off, then the most room; None when
    nobody is qualified or nobody has room for harmful material."""
    people = qualified(session, source, target)
    if not people:
        return None
    ordered = wellness.choose(session, people, harm)
    room = wellness.room(session, ordered, harm)
    at = now()
    best = min(ordered, key=lambda u: (room.get(u, 1.0) <= 0,
                                       not auth.at_work(auth.working_hours(session, u), at)))
    return best if room.get(best, 1.0) > 0 else None


def level_of(session: Session, user_id: int | None, lang: str) -> str | None:
    return skills_of(session, user_id).get(lang) if user_id is not None else None
