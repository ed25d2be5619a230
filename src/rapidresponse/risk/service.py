"""The risk register: risks per harm × country, their versioned assessments (draft → reviewed by
policy and legal → approved), mitigations, indicators read from the analytics warehouse, and the flag
that asks for a re-assessment when the indicators move past a threshold since the last approval."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import analytics, auth, events, playbooks, policy, reviews
from ..auth import Actor, Perm
from ..clock import now
from ..config import get_settings
from ..errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from . import vocab
from .events import (
    AssessmentApproved,
    AssessmentDrafted,
    AssessmentReturned,
    AssessmentReviewed,
    AssessmentSubmitted,
    MitigationAdded,
    MitigationRemoved,
    RiskCreated,
    RiskEdited,
    RiskEvent,
    RiskFlagged,
)
from .models import Assessment, Mitigation, Risk
from .schemas import (
    AssessmentIn,
    AssessmentOut,
    HeatCell,
    Indicator,
    MatrixCell,
    MitigationIn,
    MitigationOut,
    Register,
    ReturnIn,
    RiskCreate,
    RiskDetail,
    RiskEdit,
    RiskFilter,
    RiskOut,
)

Values = dict[str, float | None]

# The DSA statement category of a harm, read as the systemic-risk area a new risk defaults to.
_AREA_OF_CATEGORY = {
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS": "minors",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY": "public_security",
    "STATEMENT_CATEGORY_VIOLENCE": "public_security",
    "STATEMENT_CATEGORY_SELF_HARM": "wellbeing",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE": "wellbeing",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN": "gender_based_violence",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS": "civic_discourse",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS": "fundamental_rights",
}


def default_area(harm: str) -> str:
    """The systemic-risk area of a harm, from its DSA category (illegal content when none fits)."""
    node = policy.load_taxonomy().get(harm)
    if harm == "health_misinformation":
        return "public_health"
    return _AREA_OF_CATEGORY.get(str(node.dsa.category), "illegal_content")


# --- reading --------------------------------------------------------------------------------------

def _load(session: Session, risk_id: int, *, lock: bool = False) -> Risk:
    query = select(Risk).where(Risk.id == risk_id)
    risk = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if risk is None:
        raise NotFound(f"no risk {risk_id}")
    return risk


def _out(risk: Risk, owners: dict[int, str]) -> RiskOut:
    return RiskOut(
        id=risk.id, harm=risk.harm, country=risk.country, title=risk.title, description=risk.description,
        area=risk.area, owner=owners.get(risk.owner_id) if risk.owner_id else None, likelihood=risk.likelihood,
        impact=risk.impact, band=vocab.band(risk.likelihood, risk.impact),
        residual_likelihood=risk.residual_likelihood, residual_impact=risk.residual_impact,
        residual_band=vocab.band(risk.residual_likelihood, risk.residual_impact), version=risk.version,
        assessed_at=risk.assessed_at, flagged_reason=risk.flagged_reason, flagged_at=risk.flagged_at,
        created_at=risk.created_at, updated_at=risk.updated_at)


def _assessment_out(a: Assessment, names: dict[int, str]) -> AssessmentOut:
    return AssessmentOut(
        number=a.number, state=a.state, likelihood=a.likelihood, impact=a.impact,
        band=vocab.band(a.likelihood, a.impact), residual_likelihood=a.residual_likelihood,
        residual_impact=a.residual_impact, residual_band=vocab.band(a.residual_likelihood, a.residual_impact),
        likelihood_reason=a.likelihood_reason, impact_reason=a.impact_reason, why=a.why,
        indicators=dict(a.indicators or {}), reviews=dict(a.reviews or {}), comment=a.comment,
        author=names.get(a.author_id) if a.author_id else None,
        approved_by=names.get(a.approved_by_id) if a.approved_by_id else None, created_at=a.created_at,
        approved_at=a.approved_at)


def register(session: Session, actor: Actor, flt: RiskFilter) -> Register:
    """The risks that match, with the heatmap and the harm × country matrix of the whole register."""
    actor.require(Perm.RISK_READ)
    every = list(session.execute(select(Risk).order_by(Risk.harm, Risk.country)).scalars())
    cells: dict[tuple[int, int], int] = {}
    for r in every:
        cells[(r.likelihood, r.impact)] = cells.get((r.likelihood, r.impact), 0) + 1
    heatmap = [HeatCell(likelihood=li, impact=im, band=vocab.band(li, im), risks=cells.get((li, im), 0))
               for li in vocab.SCALE for im in vocab.SCALE]
    matrix = [MatrixCell(harm=r.harm, country=r.country, risk_id=r.id, band=vocab.band(r.likelihood, r.impact),
                         flagged=r.flagged_reason is not None) for r in every]
    chosen = [r for r in every if _matches(r, flt)]
    chosen.sort(key=lambda r: (-r.likelihood * r.impact, r.harm, r.country))
    owners = auth.usernames(session, [r.owner_id for r in chosen])
    page = chosen[flt.offset:flt.offset + flt.limit]
    return Register(items=[_out(r, owners) for r in page], total=len(chosen), limit=flt.limit, offset=flt.offset,
                    heatmap=heatmap, matrix=matrix)


def _matches(r: Risk, flt: RiskFilter) -> bool:
    return ((flt.harm is None or r.harm == flt.harm) and (flt.country is None or r.country == flt.country)
            and (flt.area is None or r.area == flt.area)
            and (flt.band is None or vocab.band(r.likelihood, r.impact) == flt.band)
            and (flt.likelihood is None or r.likelihood == flt.likelihood)
            and (flt.impact is None or r.impact == flt.impact)
            and (flt.flagged is None or (r.flagged_reason is not None) == flt.flagged))


def get(session: Session, actor: Actor, risk_id: int) -> RiskDetail:
    """A risk with its indicators, every assessment (newest first) and its mitigations."""
    actor.require(Perm.RISK_READ)
    risk = _load(session, risk_id)
    return _detail(session, risk, indicators_of(session, actor, risk))


def _detail(session: Session, risk: Risk, values: tuple[Values, Values]) -> RiskDetail:
    """The risk as ``get`` returns it, with its indicators as already read (a change that read them
    for its own sake answers without reading them again)."""
    assessments = list(session.execute(select(Assessment).where(Assessment.risk_id == risk.id)
                                       .order_by(Assessment.number.desc())).scalars())
    mitigations = list(session.execute(select(Mitigation).where(Mitigation.risk_id == risk.id)
                                       .order_by(Mitigation.id)).scalars())
    names = auth.usernames(session, [risk.owner_id, *(a.author_id for a in assessments),
                                     *(a.approved_by_id for a in assessments),
                                     *(m.added_by_id for m in mitigations)])
    current, previous = values
    shown = [Indicator(name=name, value=current.get(name), previous=previous.get(name),
                       at_assessment=(risk.baseline or {}).get(name)) for name in analytics.INDICATORS]
    return RiskDetail(
        **_out(risk, names).model_dump(), indicators=shown,
        assessments=[_assessment_out(a, names) for a in assessments],
        mitigations=[MitigationOut(id=m.id, kind=m.kind, ref=m.ref, description=m.description,
                                   added_by=names.get(m.added_by_id) if m.added_by_id else None,
                                   added_at=m.added_at) for m in mitigations])


# Whose view of the warehouse the register reads: an analyst's who is a member of no incident, so
# restricted incidents are never counted. Every reader sees the same figures, and neither a flag's
# reason nor a baseline nor a report can reveal that a restricted incident exists.
REGISTER_VIEW = Actor(user_id=None, username="risk register", role="analyst", scopes=frozenset({"analytics:read"}))


def indicators(session: Session, actor: Actor) -> dict[tuple[str, str], tuple[Values, Values]]:
    """Per harm × country: the indicators over the last ``risk_window_days`` and the period before
    (restricted incidents left out: see ``REGISTER_VIEW``)."""
    actor.require(Perm.RISK_READ)
    days = get_settings().risk_window_days
    today = now().date()
    flt = analytics.MetricFilter(start=today - timedelta(days=days - 1), end=today)
    out = analytics.metric(session, REGISTER_VIEW, "indicators", flt)
    pairs: dict[tuple[str, str], tuple[Values, Values]] = {}
    for which, rows in ((0, out.rows), (1, out.previous)):
        for harm, country, name, value in rows:
            pairs.setdefault((harm, country), (_zeros(), _zeros()))[which][name] = value
    return pairs


def _zeros() -> Values:
    """The indicators where nothing happened: no count, no median."""
    return {name: (None if name == "mitigate_median" else 0.0) for name in analytics.INDICATORS}


def indicators_of(session: Session, actor: Actor, risk: Risk) -> tuple[Values, Values]:
    """One risk's indicators now and in the window before (zeros where nothing happened)."""
    return indicators(session, actor).get((risk.harm, risk.country), (_zeros(), _zeros()))


# --- changing -------------------------------------------------------------------------------------

def _record(session: Session, actor: Actor | None, risk: Risk, event: type[RiskEvent], **fields: Any) -> None:
    events.record(session, actor, event(subject_id=risk.id, harm=risk.harm, country=risk.country, **fields))


def _owner_id(session: Session, username: str | None) -> int | None:
    if username is None:
        return None
    person = auth.person_named(session, username)
    if person is None or not person.is_active:
        raise ValidationFailed(f"no active user {username!r} to own the risk")
    return person.id


def create(session: Session, actor: Actor, data: RiskCreate) -> RiskDetail:
    """Add a risk to the register, with its first assessment as a draft (its ratings are in force
    until an approved assessment replaces them)."""
    actor.require(Perm.RISK_MANAGE)
    taxonomy = policy.load_taxonomy()
    if data.harm not in taxonomy:
        raise ValidationFailed(f"{data.harm!r} is not a harm of the taxonomy")
    if session.execute(select(Risk.id).where(Risk.harm == data.harm, Risk.country == data.country)).first():
        raise Conflict(f"the register already has a risk for {data.harm} in {data.country}")
    at = now()
    node = taxonomy.get(data.harm)
    residual = (data.residual_likelihood or data.likelihood, data.residual_impact or data.impact)
    risk = Risk(harm=data.harm, country=data.country, area=data.area or default_area(data.harm),
                title=data.title or f"{node.name.en} in {data.country}", description=data.description,
                owner_id=_owner_id(session, data.owner) or actor.user_id, likelihood=data.likelihood,
                impact=data.impact, residual_likelihood=residual[0], residual_impact=residual[1], version=0,
                baseline={}, created_at=at, updated_at=at)
    session.add(risk)
    session.flush()
    _record(session, actor, risk, RiskCreated, title=risk.title)
    values = indicators_of(session, actor, risk)
    _draft(session, actor, risk, AssessmentIn(
        likelihood=data.likelihood, impact=data.impact, residual_likelihood=residual[0],
        residual_impact=residual[1], likelihood_reason=data.likelihood_reason, impact_reason=data.impact_reason,
        why="first assessment"), values[0])
    return _detail(session, risk, values)


def edit(session: Session, actor: Actor, risk_id: int, data: RiskEdit) -> RiskDetail:
    actor.require(Perm.RISK_MANAGE)
    risk = _load(session, risk_id, lock=True)
    changed = []
    for field in ("title", "description", "area"):
        value = getattr(data, field)
        if value is not None and value != getattr(risk, field):
            setattr(risk, field, value)
            changed.append(field)
    if data.owner is not None:
        owner = _owner_id(session, data.owner)
        if owner != risk.owner_id:
            risk.owner_id = owner
            changed.append("owner")
    if changed:
        risk.updated_at = now()
        _record(session, actor, risk, RiskEdited, fields=changed)
    return get(session, actor, risk.id)


def _open_assessment(session: Session, risk: Risk) -> Assessment | None:
    return session.execute(select(Assessment).where(
        Assessment.risk_id == risk.id, Assessment.state.in_(("draft", "in_review", "returned")))).scalar_one_or_none()


def _draft(session: Session, actor: Actor, risk: Risk, data: AssessmentIn, current: Values) -> Assessment:
    number = (session.execute(select(func.max(Assessment.number)).where(Assessment.risk_id == risk.id))
              .scalar_one() or 0) + 1
    at = now()
    a = Assessment(risk_id=risk.id, number=number, state="draft", likelihood=data.likelihood, impact=data.impact,
                   residual_likelihood=data.residual_likelihood, residual_impact=data.residual_impact,
                   likelihood_reason=data.likelihood_reason, impact_reason=data.impact_reason, why=data.why,
                   indicators={name: current.get(name) for name in analytics.INDICATORS}, reviews={}, comment="",
                   author_id=actor.user_id, created_at=at, updated_at=at)
    session.add(a)
    session.flush()
    _record(session, actor, risk, AssessmentDrafted, number=number, likelihood=a.likelihood, impact=a.impact)
    return a


def assess(session: Session, actor: Actor, risk_id: int, data: AssessmentIn) -> RiskDetail:
    """Draft the next version of the assessment (one may be open at a time: a returned one is redrafted)."""
    actor.require(Perm.RISK_MANAGE)
    risk = _load(session, risk_id, lock=True)
    current = _open_assessment(session, risk)
    if current is not None and current.state == "in_review":
        raise Conflict(f"assessment {current.number} is in review: approve or return it first")
    if current is not None:  # a draft or a returned one: this replaces its ratings
        current.state = "superseded"
        current.updated_at = now()
    values = indicators_of(session, actor, risk)
    _draft(session, actor, risk, data, values[0])
    return _detail(session, risk, values)


def _assessment(session: Session, risk: Risk, number: int) -> Assessment:
    a = session.execute(select(Assessment).where(Assessment.risk_id == risk.id, Assessment.number == number)
                        .with_for_update()).scalar_one_or_none()
    if a is None:
        raise NotFound(f"risk {risk.id} has no assessment {number}")
    return a


def submit(session: Session, actor: Actor, risk_id: int, number: int) -> RiskDetail:
    """Send a draft (or a returned assessment) for review by policy and legal."""
    actor.require(Perm.RISK_MANAGE)
    risk = _load(session, risk_id, lock=True)
    a = _assessment(session, risk, number)
    if a.state not in ("draft", "returned"):
        raise Conflict(f"assessment {number} is {a.state}: only a draft or a returned one goes for review")
    a.state, a.reviews, a.comment, a.updated_at = "in_review", {}, "", now()
    _record(session, actor, risk, AssessmentSubmitted, number=number)
    return get(session, actor, risk.id)


def review(session: Session, actor: Actor, risk_id: int, number: int) -> RiskDetail:
    """Policy's or legal's review of an assessment in review (by the reviewer's role)."""
    actor.require(Perm.RISK_READ)
    if actor.role not in vocab.REVIEW_ROLES:
        raise PermissionDenied("an assessment is reviewed by the policy and the legal roles")
    risk = _load(session, risk_id, lock=True)
    a = _assessment(session, risk, number)
    if a.state != "in_review":
        raise Conflict(f"assessment {number} is {a.state}, not in review")
    if actor.user_id is not None and actor.user_id == a.author_id:
        raise Conflict("the author of an assessment does not review it")
    if actor.role in (a.reviews or {}):
        raise Conflict(f"assessment {number} already has the {actor.role} review")
    a.reviews = {**(a.reviews or {}), actor.role: {"by": actor.username, "at": now().isoformat()}}
    a.updated_at = now()
    _record(session, actor, risk, AssessmentReviewed, number=number, role=actor.role)
    return get(session, actor, risk.id)


def return_assessment(session: Session, actor: Actor, risk_id: int, number: int, data: ReturnIn) -> RiskDetail:
    """A reviewer (or the approver) sends an assessment in review back to its author, with a comment."""
    actor.require(Perm.RISK_READ)
    if actor.role not in vocab.REVIEW_ROLES and not actor.can(Perm.RISK_APPROVE):
        raise PermissionDenied("an assessment is returned by its reviewers (policy, legal) or its approver")
    risk = _load(session, risk_id, lock=True)
    a = _assessment(session, risk, number)
    if a.state != "in_review":
        raise Conflict(f"assessment {number} is {a.state}, not in review")
    a.state, a.comment, a.updated_at = "returned", data.comment, now()
    _record(session, actor, risk, AssessmentReturned, number=number, comment=data.comment)
    return get(session, actor, risk.id)


def approve(session: Session, actor: Actor, risk_id: int, number: int) -> RiskDetail:
    """Approve an assessment both policy and legal reviewed: its ratings become the risk's, the
    indicators as they stand become the baseline the next flag compares with, and any flag clears."""
    actor.require(Perm.RISK_APPROVE)
    risk = _load(session, risk_id, lock=True)
    a = _assessment(session, risk, number)
    if a.state != "in_review":
        raise Conflict(f"assessment {number} is {a.state}, not in review")
    missing = [role for role in vocab.REVIEW_ROLES if role not in (a.reviews or {})]
    if missing:
        raise Conflict(f"assessment {number} still needs the review of: {', '.join(missing)}")
    previous_band = vocab.band(risk.likelihood, risk.impact) if risk.version else None
    at = now()
    values = indicators_of(session, actor, risk)
    current = values[0]
    a.state, a.approved_by_id, a.approved_at, a.updated_at = "approved", actor.user_id, at, at
    risk.likelihood, risk.impact = a.likelihood, a.impact
    risk.residual_likelihood, risk.residual_impact = a.residual_likelihood, a.residual_impact
    risk.version += 1
    risk.assessed_at = risk.updated_at = at
    risk.baseline = {name: current.get(name) for name in analytics.INDICATORS}
    risk.flagged_reason = risk.flagged_at = None
    _record(session, actor, risk, AssessmentApproved, number=number, band=vocab.band(a.likelihood, a.impact),
            previous_band=previous_band)
    return _detail(session, risk, values)


def add_mitigation(session: Session, actor: Actor, risk_id: int, data: MitigationIn) -> RiskDetail:
    actor.require(Perm.RISK_MANAGE)
    risk = _load(session, risk_id, lock=True)
    if data.kind != "other" and not data.ref:
        raise ValidationFailed(f"a {data.kind} mitigation names what it is (ref: its slug, name or id)")
    _check_link(session, actor, data)
    m = Mitigation(risk_id=risk.id, kind=data.kind, ref=data.ref, description=data.description,
                   added_by_id=actor.user_id, added_at=now())
    session.add(m)
    session.flush()
    risk.updated_at = now()
    _record(session, actor, risk, MitigationAdded, mitigation_id=m.id, kind=m.kind, ref=m.ref)
    return get(session, actor, risk.id)


def _check_link(session: Session, actor: Actor, data: MitigationIn) -> None:
    """A playbook or an action item is linked by its id: it must exist (and the action item be one the
    author may see). Lexicons, hash lists and thresholds are named as the team names them."""
    try:
        if data.kind == "playbook":
            playbooks.playbook_text(session, actor, data.ref)
        elif data.kind == "action_item":
            if not data.ref.isdigit() or len(data.ref) > 18:
                raise NotFound(data.ref)
            reviews.get_action_item(session, actor, int(data.ref))
    except NotFound:
        raise ValidationFailed(f"no {data.kind.replace('_', ' ')} {data.ref!r} to link", field="ref") from None


def remove_mitigation(session: Session, actor: Actor, risk_id: int, mitigation_id: int) -> RiskDetail:
    actor.require(Perm.RISK_MANAGE)
    risk = _load(session, risk_id, lock=True)
    m = session.get(Mitigation, mitigation_id)
    if m is None or m.risk_id != risk.id:
        raise NotFound(f"risk {risk.id} has no mitigation {mitigation_id}")
    session.delete(m)
    risk.updated_at = now()
    _record(session, actor, risk, MitigationRemoved, mitigation_id=mitigation_id, kind=m.kind, ref=m.ref)
    return get(session, actor, risk.id)


# --- the re-assessment flag ---------------------------------------------------------------------------

def flag_reasons(current: Values, baseline: Values) -> list[str]:
    """Why indicators that moved since the last approval call for a re-assessment (none: they did not).

    New SEV1–2 incidents, regulator requests and recurrences count from one; signals, alerts and the
    time to mitigate count when they grew by ``risk_flag_growth`` (signals also by at least
    ``risk_flag_min_signals``, so that a small count's noise flags nothing)."""
    settings = get_settings()
    growth = 1 + settings.risk_flag_growth

    def num(values: Values, name: str) -> float:
        return float(values.get(name) or 0)

    reasons = []
    for name, what in (("severe", "SEV1–2 incidents"), ("requests", "regulator requests"),
                       ("recurring", "recurrences")):
        if num(current, name) > num(baseline, name):
            reasons.append(f"{what}: {num(current, name):g} in the window, {num(baseline, name):g} when assessed")
    signals, before = num(current, "signals"), num(baseline, "signals")
    if signals >= before * growth and signals - before >= settings.risk_flag_min_signals:
        reasons.append(f"signals: {signals:g} in the window, {before:g} when assessed")
    alerts, before = num(current, "alerts"), num(baseline, "alerts")
    if alerts >= max(before * growth, before + 1) and alerts > 0:
        reasons.append(f"alerts: {alerts:g} in the window, {before:g} when assessed")
    mitigate, before = num(current, "mitigate_median"), num(baseline, "mitigate_median")
    if before and mitigate >= before * growth:
        reasons.append(f"median time to mitigate: {mitigate:g} min, {before:g} min when assessed")
    return reasons


def flag_tick(session: Session) -> int:
    """Flag every approved risk whose indicators moved past a threshold since its approval, or whose
    last approval is older than ``risk_review_days`` (the quarterly review), as the worker job
    ``risk.flags`` does; returns how many risks were newly flagged or got new reasons."""
    risks = list(session.execute(select(Risk).where(Risk.version > 0)).scalars())
    if not risks:
        return 0
    values = indicators(session, auth.SYSTEM)
    due = now() - timedelta(days=get_settings().risk_review_days)
    changed = 0
    for risk in risks:
        current, _ = values.get((risk.harm, risk.country), (_zeros(), _zeros()))
        reasons = flag_reasons(current, risk.baseline or {})
        if risk.assessed_at is not None and risk.assessed_at < due:
            reasons.append(f"periodic review due: last approved {risk.assessed_at:%Y-%m-%d}")
        text = "; ".join(reasons) or None
        if text is None or text == risk.flagged_reason:
            continue
        risk.flagged_reason, risk.flagged_at = text, now()
        _record(session, None, risk, RiskFlagged, reasons=reasons)
        changed += 1
    return changed
