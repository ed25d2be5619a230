"""Translation requests and their states: requested → in translation → in review → approved, or
returned with comments (→ in translation again); void when the source text changed.

The original is stored as it was sent and never edited; every step is an event on the request's
stream (who did what and when), and the request and its approved translation go on the incident's
timeline. A reviewer is never the translator, must write the target language (native or
professional) and confirms the SHA-256 of the translation they read; a translation with errors in
its checks is not approved. Harmful material is routed and claimed with the exposure budgets in mind.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import auth, events, incidents, wellness
from ..auth import SYSTEM, Actor, Perm
from ..clock import now
from ..errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from . import checks, glossary, memory, skills, sources
from .events import (
    Approved,
    Assigned,
    IncidentTranslationApproved,
    IncidentTranslationRequested,
    Requested,
    Returned,
    Started,
    Submitted,
    TranslationEvent,
    Voided,
)
from .models import ReviewMark, TranslationRequest
from .providers import ProviderError, configured
from .schemas import GlossaryHit, MatchOut, ProblemOut, QualityOut, TranslationOut, Workbench
from .vocab import CHANNEL_LIMITS, LANGUAGES, MARK_CATEGORIES, OPEN_STATES, PRIORITY, PRIORITY_ORDER, SOURCE_KINDS

MAX_TEXT = 50_000
DEFAULT_PRIORITY = PRIORITY[3]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _out(session: Session, r: TranslationRequest) -> TranslationOut:
    ref = incidents.get_by_id(session, SYSTEM, r.incident_id).ref if r.incident_id is not None else None
    return TranslationOut.model_validate(r).model_copy(update={"incident_ref": ref})


def _record(session: Session, actor: Actor, r: TranslationRequest, event: type[TranslationEvent],
            **details: Any) -> None:
    events.record(session, actor, event(subject_id=r.id, request_id=r.id, source_kind=r.source_kind,
                                        source_id=r.source_id, source_lang=r.source_lang,
                                        target_lang=r.target_lang, **details))


def _check_langs(source: str, target: str) -> None:
    for field, lang in (("source_lang", source), ("target_lang", target)):
        if lang not in LANGUAGES:
            raise ValidationFailed(f"unknown language {lang[:20]!r}; one of {', '.join(LANGUAGES)}", field=field)
    if source == target:
        raise ValidationFailed("the source and target languages are the same", field="target_lang")


def request(session: Session, actor: Actor, *, source_kind: str, source_id: str = "", source_lang: str,
            target_lang: str, text: str = "", incident: str | None = None, harm: str | None = None,
            channel: str | None = None) -> TranslationOut:
    """Ask for a text (a signal's text, a note, evidence, an update, a reply letter, a review) to be
    translated; an incident's severity sets the priority and the due time. A source named by its id is
    read as it is now (with its incident and harm); ``text`` is for evidence and texts with no object."""
    actor.require(Perm.INCIDENTS_NOTE)
    if source_kind not in SOURCE_KINDS:
        raise ValidationFailed(f"source_kind is one of {', '.join(SOURCE_KINDS)}", field="source_kind")
    _check_langs(source_lang, target_lang)
    source_id = source_id.strip()
    if source_id and sources.readable(source_kind):
        src = sources.read(session, actor, source_kind, source_id)
        if text.strip() and text.strip() != src.text.strip():
            raise ValidationFailed(f"the text is read from the {source_kind.replace('_', ' ')} itself and differs "
                                   "from what you sent: leave the text empty", field="text")
        if incident and src.incident and incident.strip().upper() != src.incident:
            raise ValidationFailed(f"this {source_kind.replace('_', ' ')} belongs to {src.incident}", field="incident")
        text, incident, harm = src.text, src.incident or incident, harm or src.harm
        source_id = src.source_id or source_id
    if not text.strip():
        raise ValidationFailed("there is no text to translate", field="text")
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"the text is longer than {MAX_TEXT} characters", field="text")
    if channel and channel not in CHANNEL_LIMITS:
        raise ValidationFailed(f"channel is one of {', '.join(CHANNEL_LIMITS)}", field="channel")
    inc = incidents.get(session, actor, incident) if incident else None
    priority, within = PRIORITY.get(inc.severity, DEFAULT_PRIORITY) if inc else DEFAULT_PRIORITY
    at = now()
    r = TranslationRequest(incident_id=inc.id if inc else None, source_kind=source_kind, source_id=source_id,
                           source_lang=source_lang, target_lang=target_lang, source_text=text,
                           source_sha256=sha256(text), harm=harm, channel=channel or None, priority=priority,
                           due_at=at + within, state="requested", requested_by_id=actor.user_id,
                           requested_at=at, updated_at=at)
    _suggest(r)
    session.add(r)
    session.flush()
    _record(session, actor, r, Requested, priority=priority, due_at=r.due_at.isoformat(),
            source_sha256=r.source_sha256)
    if inc is not None:
        events.record(session, actor, IncidentTranslationRequested(
            subject_id=inc.id, ref=inc.ref, request_id=r.id, source_kind=source_kind, source_lang=source_lang,
            target_lang=target_lang))
    routed = skills.route(session, source_lang, target_lang, harm)
    if routed is not None:
        r.translator_id = routed
        person = auth.person(session, routed)
        _record(session, SYSTEM, r, Assigned, translator=person.username if person else str(routed))
    return _out(session, r)


def _suggest(r: TranslationRequest) -> None:
    """A machine suggestion from the configured provider, when there is one (never required)."""
    provider = configured()
    if provider is None:
        return
    try:
        r.suggestion = provider.translate([r.source_text], r.source_lang, r.target_lang)[0]
        r.suggestion_provider = provider.name
    except ProviderError:
        r.suggestion, r.suggestion_provider = "", ""


def _visible(session: Session, actor: Actor, r: TranslationRequest) -> bool:
    if not actor.can(Perm.INCIDENTS_READ):
        return False
    return r.incident_id is None or r.incident_id in incidents.visible_ids(session, actor, {r.incident_id})


def _load(session: Session, actor: Actor, request_id: int, *, lock: bool = False) -> TranslationRequest:
    query = select(TranslationRequest).where(TranslationRequest.id == request_id)
    r = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if r is None or not _visible(session, actor, r):
        raise NotFound(f"no translation request {request_id}")
    return r


def get(session: Session, actor: Actor, request_id: int) -> TranslationOut:
    return _out(session, _load(session, actor, request_id))


def reveal(session: Session, actor: Actor, request_id: int) -> TranslationOut:
    """The person opens the text of a request that their safe-viewing settings hide: an evidence view,
    logged as exposure when the material is harmful."""
    actor.require(Perm.INCIDENTS_READ)
    r = _load(session, actor, request_id)
    _exposed(session, actor, r, "evidence")
    return _out(session, r)


def _state(r: TranslationRequest, *allowed: str) -> None:
    if r.state not in allowed:
        raise Conflict(f"translation {r.id} is {r.state.replace('_', ' ')}", current=r.state)


def start(session: Session, actor: Actor, request_id: int, *, confirm: bool = False) -> TranslationOut:
    """Take the request (or take it back after it was returned) and start translating."""
    actor.require(Perm.INCIDENTS_NOTE)
    r = _load(session, actor, request_id, lock=True)
    _state(r, "requested", "returned")
    if r.state == "returned" and r.translator_id not in (None, actor.user_id):
        raise PermissionDenied("the translator it was returned to takes it back")
    if actor.user_id is None or not skills.may_translate(skills.skills_of(session, actor.user_id), r.source_lang,
                                                         r.target_lang):
        raise PermissionDenied(f"translating {r.source_lang} → {r.target_lang} needs {r.source_lang} at any level "
                               f"and {r.target_lang} native or professional in your language skills")
    wellness.check_assignment(session, actor, actor.user_id, r.harm, confirm=confirm)
    r.state, r.translator_id, r.updated_at = "in_translation", actor.user_id, now()
    _record(session, actor, r, Started)
    return _out(session, r)


def save(session: Session, actor: Actor, request_id: int, *, translation: str) -> TranslationOut:
    """Keep the translation so far (the translator's draft)."""
    r = _mine(session, actor, request_id)
    r.translation, r.updated_at = _text(translation), now()
    return _out(session, r)


def _mine(session: Session, actor: Actor, request_id: int) -> TranslationRequest:
    actor.require(Perm.INCIDENTS_NOTE)
    r = _load(session, actor, request_id, lock=True)
    _state(r, "in_translation")
    if r.translator_id != actor.user_id:
        raise PermissionDenied("only its translator works on this translation")
    return r


def _text(translation: str) -> str:
    if len(translation) > MAX_TEXT:
        raise ValidationFailed(f"the translation is longer than {MAX_TEXT} characters", field="translation")
    if "\x00" in translation:
        raise ValidationFailed("the translation holds a NUL character", field="translation")
    return translation


def submit(session: Session, actor: Actor, request_id: int, *, translation: str) -> TranslationOut:
    """Send the translation for review (its checks run; the reviewer sees what they find)."""
    r = _mine(session, actor, request_id)
    if not _text(translation).strip():
        raise ValidationFailed("there is no translation to review", field="translation")
    r.translation, r.state, r.submitted_at, r.updated_at = translation, "in_review", now(), now()
    _exposed(session, actor, r, "translation")
    problems = problems_of(session, r)
    _record(session, actor, r, Submitted, translation_sha256=sha256(translation), problems=len(problems))
    return _out(session, r)


def _exposed(session: Session, actor: Actor, r: TranslationRequest, kind: str) -> None:
    """Translating or reviewing harmful material is exposure: logged for the person (never the text),
    against the incident, so that budgets, breaks and the recovery prompt count it."""
    if r.harm:
        ref = incidents.get_by_id(session, SYSTEM, r.incident_id).ref if r.incident_id is not None else None
        wellness.record(session, actor, r.harm, kind, incident_ref=ref)


def problems_of(session: Session, r: TranslationRequest | TranslationOut, translation: str | None = None,
                ) -> list[checks.Problem]:
    g = glossary.prepared(session, r.source_lang, r.target_lang)
    return checks.run(r.source_text, r.translation if translation is None else translation,
                      source_lang=r.source_lang, target_lang=r.target_lang, glossary=g, channel=r.channel)


def review(session: Session, actor: Actor, request_id: int, *, decision: str, translation_sha256: str,
           comment: str = "", marks: dict[str, int] | None = None) -> TranslationOut:
    """Approve the exact translation the reviewer read, or return it with comments."""
    actor.require(Perm.INCIDENTS_NOTE)
    r = _load(session, actor, request_id, lock=True)
    _state(r, "in_review")
    if actor.user_id is None or actor.user_id == r.translator_id:
        raise PermissionDenied("a translation is reviewed by another person than its translator")
    if not skills.may_review(skills.skills_of(session, actor.user_id), r.source_lang, r.target_lang):
        raise PermissionDenied(f"reviewing {r.source_lang} → {r.target_lang} needs {r.target_lang} native or "
                               "professional in your language skills")
    if translation_sha256.strip().lower() != sha256(r.translation):
        raise Conflict("the translation changed since you read it: read it again", current=sha256(r.translation))
    _exposed(session, actor, r, "review")
    marks = marks or {}
    unknown = set(marks) - set(MARK_CATEGORIES)
    if unknown or any(not 1 <= v <= 5 for v in marks.values()):
        raise ValidationFailed(f"marks are 1-5 in {', '.join(MARK_CATEGORIES)}", field="marks")
    at = now()
    if decision == "return":
        if not comment.strip():
            raise ValidationFailed("say what to change, so the translator can fix it", field="comment")
        r.state, r.comment, r.reviewer_id = "returned", comment.strip(), actor.user_id
        r.decided_at = r.updated_at = at
        _record(session, actor, r, Returned, comment=r.comment)
        _mark(session, r, actor, marks)
        return _out(session, r)
    if decision != "approve":
        raise ValidationFailed("decision is approve or return", field="decision")
    found = [p for p in problems_of(session, r) if p.severity == "error"]
    if found:
        raise Conflict("the checks found problems to fix first: " + "; ".join(
            f"{p.code} {p.detail}".strip() for p in found)[:1000])
    r.state, r.comment, r.reviewer_id, r.decided_at, r.updated_at = "approved", comment.strip(), actor.user_id, at, at
    _mark(session, r, actor, marks)
    if not r.harm:  # harmful material stays out of the shared memory (its page and TMX export show text)
        memory.add_approved(session, r.source_lang, r.target_lang, r.source_text, r.translation,
                            origin=f"request {r.id}", request_id=r.id, approved_by_id=actor.user_id)
    _record(session, actor, r, Approved, translation_sha256=sha256(r.translation),
            marks={k: float(v) for k, v in marks.items()})
    if r.incident_id is not None:
        inc = incidents.get_by_id(session, SYSTEM, r.incident_id)
        events.record(session, actor, IncidentTranslationApproved(
            subject_id=inc.id, ref=inc.ref, request_id=r.id, source_kind=r.source_kind, source_lang=r.source_lang,
            target_lang=r.target_lang, original="" if r.harm else r.source_text,
            translation="" if r.harm else r.translation, harm=r.harm))
    return _out(session, r)


def _mark(session: Session, r: TranslationRequest, actor: Actor, marks: dict[str, int]) -> None:
    """One review's marks, as a round after the request's earlier ones (which stay as they were)."""
    if not marks:
        return
    last = session.execute(select(func.max(ReviewMark.round)).where(ReviewMark.request_id == r.id)).scalar()
    session.add_all(ReviewMark(request_id=r.id, round=(last or 0) + 1, category=category, score=float(score),
                               translator_id=r.translator_id, reviewer_id=actor.user_id)
                    for category, score in marks.items())


def void_source(session: Session, actor: Actor, *, source_kind: str, source_id: str, reason: str) -> int:
    """Void every translation of a source whose text changed; returns how many."""
    rows = session.execute(select(TranslationRequest).where(
        TranslationRequest.source_kind == source_kind, TranslationRequest.source_id == str(source_id),
        TranslationRequest.state != "void")).scalars().all()
    for r in rows:
        r.state, r.updated_at = "void", now()
        _record(session, actor, r, Voided, reason=reason)
    return len(rows)


def approved_for(session: Session, *, source_kind: str, source_id: str, text: str) -> TranslationOut | None:
    """The approved translation of exactly ``text`` for this source, or None."""
    r = session.execute(select(TranslationRequest).where(
        TranslationRequest.source_kind == source_kind, TranslationRequest.source_id == str(source_id),
        TranslationRequest.state == "approved", TranslationRequest.source_sha256 == sha256(text))
        .order_by(TranslationRequest.id.desc()).limit(1)).scalar_one_or_none()
    return _out(session, r) if r is not None else None


QUEUES = ("translate", "review", "mine", "open", "done")


def queue(session: Session, actor: Actor, *, tab: str = "translate", limit: int = 200) -> list[TranslationOut]:
    """The requests for ``actor``: to translate (qualified, or routed to them), to review (qualified,
    not theirs), asked for by them, all open ones, or done; most urgent first."""
    actor.require(Perm.INCIDENTS_READ)
    if tab not in QUEUES:
        raise ValidationFailed(f"queue is one of {', '.join(QUEUES)}", field="tab")
    query = select(TranslationRequest).order_by(TranslationRequest.due_at, TranslationRequest.id)
    if tab == "done":
        query = query.where(TranslationRequest.state.in_(("approved", "void"))).order_by(None).order_by(
            TranslationRequest.id.desc())
    elif tab == "mine":
        query = query.where(TranslationRequest.requested_by_id == actor.user_id)
    else:
        query = query.where(TranslationRequest.state.in_(OPEN_STATES))
    rows = list(session.execute(query.limit(limit * 5)).scalars())
    ids = incidents.visible_ids(session, actor, {r.incident_id for r in rows if r.incident_id is not None})
    rows = [r for r in rows if r.incident_id is None or r.incident_id in ids]
    mine = skills.skills_of(session, actor.user_id) if actor.user_id is not None else {}
    if tab == "translate":
        rows = [r for r in rows if (r.state in ("requested", "returned") and (
            r.translator_id == actor.user_id or (r.state == "requested" and skills.may_translate(
                mine, r.source_lang, r.target_lang)))) or (r.state == "in_translation" and
                                                            r.translator_id == actor.user_id)]
    elif tab == "review":
        rows = [r for r in rows if r.state == "in_review" and r.translator_id != actor.user_id
                and skills.may_review(mine, r.source_lang, r.target_lang)]
    if tab != "done":
        rows.sort(key=lambda r: (PRIORITY_ORDER.get(r.priority, 9), r.due_at, r.id))
    return [_out(session, r) for r in rows[:limit]]


def for_incident(session: Session, actor: Actor, ref: str) -> list[TranslationOut]:
    inc = incidents.get(session, actor, ref)
    rows = session.execute(select(TranslationRequest).where(TranslationRequest.incident_id == inc.id)
                           .order_by(TranslationRequest.id)).scalars()
    return [_out(session, r) for r in rows]


def workbench(session: Session, actor: Actor, request_id: int, *, translation: str | None = None) -> Workbench:
    """The request with the memory's matches for its segments, its glossary hits and the checks of
    ``translation`` (or of the translation so far)."""
    r = _load(session, actor, request_id)
    matches = [MatchOut(segment=seg, source=m.source_text, target=m.target_text, score=score, origin=m.origin)
               for seg, found in memory.lookup(session, r.source_lang, r.target_lang, r.source_text)
               for m, score in found]
    g = glossary.prepared(session, r.source_lang, r.target_lang)
    hits = [GlossaryHit(form=form, concept=e.concept, preferred=e.preferred(r.target_lang),
                        forbidden=e.forbidden(r.target_lang), do_not_translate=e.do_not_translate,
                        definition=glossary.definition(session, e.concept)) for form, e in g.hits(r.source_text)]
    text = r.translation if translation is None else translation
    problems = [ProblemOut(code=p.code, severity=p.severity, detail=p.detail)
                for p in (problems_of(session, r, text) if text.strip() else [])]
    return Workbench(request=_out(session, r), matches=matches, glossary=hits, problems=problems)


def people_of(session: Session, rows: list[TranslationOut]) -> dict[int, str]:
    ids = {i for r in rows for i in (r.requested_by_id, r.translator_id, r.reviewer_id) if i is not None}
    return {i: (p.display_name or p.username) for i, p in auth.people(session, ids).items()}


def quality(session: Session, actor: Actor) -> list[QualityOut]:
    """Reviewers' mean marks per translator and language pair."""
    actor.require(Perm.INCIDENTS_READ)
    rows = session.execute(select(ReviewMark, TranslationRequest.source_lang, TranslationRequest.target_lang)
                           .join(TranslationRequest, TranslationRequest.id == ReviewMark.request_id)).all()
    groups: dict[tuple[int | None, str, str], dict[str, list[float]]] = {}
    reviewed: dict[tuple[int | None, str, str], set[int]] = {}
    for mark, src, tgt in rows:
        k = (mark.translator_id, src, tgt)
        groups.setdefault(k, {}).setdefault(mark.category, []).append(mark.score)
        reviewed.setdefault(k, set()).add(mark.request_id)
    names = auth.people(session, {k[0] for k in groups if k[0] is not None})
    return [QualityOut(translator=names[k[0]].username if k[0] in names else "—", source_lang=k[1],
                       target_lang=k[2], reviewed=len(reviewed[k]),
                       marks={c: round(sum(v) / len(v), 2) for c, v in sorted(m.items())})
            for k, m in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), kv[0][1], kv[0][2]))]
