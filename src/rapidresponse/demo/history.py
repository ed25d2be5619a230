"""A year of closed incidents: plausible types, places, severities and response times.

Each incident is planned as a :class:`~.script.Script` (declare → acknowledge → mitigate → resolve
→ close, with notes and tasks along the way); a few are cancelled and a few are merged into the
incident they duplicate. Gaps between milestones are drawn log-uniformly from ranges that depend
on the severity: a SEV1 is acknowledged in minutes, a SEV4 may wait half a day.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..incidents import RESTRICTED_BY_DEFAULT, IncidentCreate, Role, SeverityInput, Status, TaskStatus, assess
from . import data
from .script import Script

SEVERITY_MIX = {1: 3, 2: 14, 3: 45, 4: 38}
# Minutes, (low, high) per severity, drawn log-uniformly.
DETECT_TO_DECLARE = {1: (5, 45), 2: (15, 180), 3: (45, 720), 4: (120, 4320)}
DECLARE_TO_ACK = {1: (1, 10), 2: (3, 30), 3: (10, 180), 4: (30, 720)}
ACK_TO_MITIGATE = {1: (30, 360), 2: (60, 720), 3: (180, 2880), 4: (360, 7200)}
MITIGATE_TO_RESOLVE = {1: (180, 4320), 2: (360, 5760), 3: (720, 10080), 4: (1440, 14400)}
RESOLVE_TO_CLOSE = (1440, 14400)
SPAN_DAYS = 385  # the first incident is this old, so the history covers more than a year
LATEST_DAYS = 15
P_CANCELLED, P_DUPLICATE = 0.04, 0.05

COMMANDERS = data.people_with("commander")
DECLARERS = data.people_with("responder", "policy", "legal", "commander")
RESPONDERS = data.people_with("responder")
ADMIN = data.people_with("admin")[0]


def minutes(rng: random.Random, span: tuple[int, int]) -> timedelta:
    lo, hi = span
    return timedelta(minutes=math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Scope:
    countries: list[str]
    languages: list[str]

    @property
    def where(self) -> str:
        return ", ".join(data.COUNTRY[c].en for c in self.countries)

    @property
    def where_ru(self) -> str:
        return ", ".join(data.COUNTRY[c].ru for c in self.countries)


def pick_scope(rng: random.Random, kind: str) -> Scope:
    first = rng.choices(data.COUNTRIES, weights=[c.weight for c in data.COUNTRIES])[0]
    countries = [first]
    if kind != "regulator_order" and rng.random() < 0.3:
        neighbours = [c for c in data.COUNTRIES if c.cluster == first.cluster and c != first]
        countries += rng.sample(neighbours, k=min(len(neighbours), rng.choice((1, 1, 2))))
    languages = [c.languages[0] for c in countries]
    if any("ru" in c.languages for c in countries) and rng.random() < 0.5:
        languages.append("ru")
    return Scope([c.code for c in countries], list(dict.fromkeys(languages)))


def pick_title(rng: random.Random, kind: str, scope: Scope) -> str:
    fits = [t for t, only in data.TITLES[kind] if only is None or only & set(scope.countries)]
    return rng.choice(fits).format(where=scope.where, where_ru=scope.where_ru)


def pick_severity(rng: random.Random, kind: str) -> SeverityInput:
    """Matrix inputs that land on a level drawn from the usual mix (few SEV1, many SEV3/4)."""
    target = int(_weighted(rng, {str(k): v for k, v in SEVERITY_MIX.items()}))
    low, high = data.HARM_RANGE[kind]
    inputs = SeverityInput(harm=low)
    for _ in range(200):
        inputs = SeverityInput(harm=rng.randint(low, high), reach=rng.choices((1, 2, 3, 4), (4, 4, 2, 1))[0],
                               velocity=rng.choices((1, 2, 3, 4), (4, 4, 2, 1))[0],
                               vulnerable=kind in ("dangerous_challenge", "child_safety") or rng.random() < 0.2,
                               regulatory=rng.choices((0, 1, 2, 3), (6, 3, 2, 1))[0])
        if assess(inputs).level == target:
            break
    return inputs


def _fill(rng: random.Random, template: str) -> str:
    return template.format(n=rng.randint(40, 2400), k=rng.randint(2, 9))


@dataclass
class Plan:
    script: Script
    data: IncidentCreate
    level: int
    declared: datetime
    acknowledged: datetime
    open_until: datetime  # resolved or cancelled then; a duplicate must be merged before
    restricted: bool
    reviewed: bool = False
    review_items: list[dict[str, Any]] = field(default_factory=list)


def _create(rng: random.Random, kind: str, scope: Scope, sev: SeverityInput, detected: datetime) -> IncidentCreate:
    source = rng.choice(data.SOURCES)
    return IncidentCreate(
        title=pick_title(rng, kind, scope), type=kind, countries=scope.countries, languages=scope.languages,
        harm_categories=data.HARM_CATEGORIES[kind], severity=sev, detected_at=detected,
        source_description=source,
        summary=f"{source}. Scope: {scope.where} ({', '.join(scope.languages)}).",
    )


def plan_incident(rng: random.Random, number: int, declared_by: datetime, base: datetime) -> Plan:
    """One closed (or cancelled) incident declared around ``declared_by``, ending before ``base``."""
    kind = _weighted(rng, data.TYPE_WEIGHTS)
    scope, sev = pick_scope(rng, kind), pick_severity(rng, kind)
    level = assess(sev).level
    declarer, commander = rng.choice(DECLARERS), rng.choice(COMMANDERS)
    restricted = kind in RESTRICTED_BY_DEFAULT
    t_declare = declared_by
    t_detect = t_declare - minutes(rng, DETECT_TO_DECLARE[level])
    t_ack = t_declare if declarer in COMMANDERS else t_declare + minutes(rng, DECLARE_TO_ACK[level])
    commander = declarer if declarer in COMMANDERS else commander
    t_mit = t_ack + minutes(rng, ACK_TO_MITIGATE[level])
    t_res = t_mit + minutes(rng, MITIGATE_TO_RESOLVE[level])
    t_close = t_res + minutes(rng, RESOLVE_TO_CLOSE)
    shift = max(timedelta(0), t_close - (base - timedelta(hours=6)))  # everything ends in the past
    t_detect, t_declare, t_ack, t_mit, t_res, t_close = (t - shift for t in
                                                         (t_detect, t_declare, t_ack, t_mit, t_res, t_close))
    script = Script(number)
    create = _create(rng, kind, scope, sev, t_detect)
    script.declare(t_declare, declarer, create)
    if declarer != commander:
        # Only members see a restricted incident: the admin on duty routes it to a commander.
        script.role(t_ack, ADMIN if restricted else commander, Role.COMMANDER, commander)
    script.status(t_ack + timedelta(minutes=rng.randint(1, 5)), commander, Status.ACTIVE)
    plan = Plan(script, create, level, t_declare, t_ack, t_res, restricted)
    if rng.random() < P_CANCELLED:
        plan.open_until = t_ack + timedelta(minutes=rng.randint(10, 240))
        script.status(plan.open_until, commander, Status.CANCELLED, rng.choice(data.CANCEL_REASONS))
        return plan
    _work(rng, script, plan, commander, t_mit)
    script.status(t_mit, commander, Status.MITIGATED)
    if rng.random() < 0.4:
        script.status(t_mit + (t_res - t_mit) / 3, commander, Status.MONITORING)
    script.status(t_res, commander, Status.RESOLVED)
    if level <= 2:  # a serious incident closes only after its review is published
        plan.reviewed = True
        texts = dict(data.REVIEWS[number % len(data.REVIEWS)])
        texts["summary"] = str(texts["summary"]).format(title=create.title, where=scope.where)
        script.review(t_res + (t_close - t_res) / 2, commander, texts, plan.review_items)
    script.status(t_close, commander, Status.CLOSED)
    if rng.random() < 0.45:
        script.note(t_res - timedelta(minutes=2), commander, _fill(rng, rng.choice(data.NOTES["resolution"])))
    if rng.random() < 0.3:
        script.note(t_close - timedelta(minutes=5), commander, _fill(rng, rng.choice(data.NOTES["closing"])))
    return plan


def _work(rng: random.Random, script: Script, plan: Plan, commander: str, t_mit: datetime) -> None:
    """Roles, notes and tasks between acknowledgement and mitigation."""
    t0 = plan.acknowledged
    window = t_mit - t0
    lead = rng.choice(RESPONDERS)
    script.role(t0 + window * 0.05, commander, Role.REGIONAL_LEAD, lead)
    if plan.level <= 2:
        script.role(t0 + window * 0.07, commander, Role.COMMS_LEAD, rng.choice(data.people_with("comms")))
        script.role(t0 + window * 0.08, commander, Role.LEGAL, rng.choice(data.people_with("legal")))
    if rng.random() < 0.55:
        script.note(t0 + window * 0.1, lead, _fill(rng, rng.choice(data.NOTES["triage"])))
    if rng.random() < 0.5:
        script.note(t_mit - window * 0.05, lead, _fill(rng, rng.choice(data.NOTES["mitigation"])))
    if plan.level <= 3 and rng.random() < 0.6:
        for i, title in enumerate(rng.sample(data.TASKS, k=rng.randint(1, 3))):
            key = f"t{i}"
            owner = rng.choice((lead, commander))
            script.task(t0 + window * (0.12 + i * 0.02), commander, key, title, owner=owner,
                        due_at=t0 + window * 0.8)
            done = TaskStatus.DONE if rng.random() < 0.9 else TaskStatus.CANCELLED
            script.task_status(t0 + window * rng.uniform(0.3, 0.95), owner, key, done)


def plan_duplicate(rng: random.Random, number: int, host: Plan) -> Script | None:
    """A second declaration of the host's trend, merged into it while the host is still open."""
    t_declare = host.declared + timedelta(minutes=rng.randint(10, 90))
    t_merge = max(t_declare, host.acknowledged) + timedelta(minutes=rng.randint(5, 60))
    if host.restricted or t_merge >= host.open_until - timedelta(minutes=5):
        return None
    kind = host.data.type.value
    scope = Scope(host.data.countries, host.data.languages)
    dup = Script(number)
    detected = t_declare - minutes(rng, (5, 60))
    dup.declare(t_declare, rng.choice(RESPONDERS),
                _create(rng, kind, scope, host.data.severity or SeverityInput(harm=2), detected))
    commander = rng.choice(COMMANDERS)
    dup.merge_into(t_merge, commander, host.script, "Duplicate: same trend is handled in the main incident")
    return dup


def plan_history(rng: random.Random, base: datetime, count: int, first_number: int = 0) -> list[Script]:
    """``count`` historical incidents (duplicates included) over the ~13 months before ``base``."""
    start, end = base - timedelta(days=SPAN_DAYS), base - timedelta(days=LATEST_DAYS)
    offsets = sorted(rng.random() for _ in range(count))
    if count >= 2:
        offsets[0], offsets[-1] = 0.0, 1.0
    scripts: list[Script] = []
    reviewed: list[Plan] = []
    last: Plan | None = None
    number = first_number
    for off in offsets:
        number += 1
        if last is not None and rng.random() < P_DUPLICATE:
            dup = plan_duplicate(rng, number, last)
            if dup is not None:
                scripts.append(dup)
                continue
        last = plan_incident(rng, number, start + (end - start) * off, base)
        scripts.append(last.script)
        if last.reviewed and not last.restricted:
            reviewed.append(last)
    for item, plan in zip(data.REVIEW_ITEMS, reversed(reviewed[-len(data.REVIEW_ITEMS):]), strict=False):
        plan.review_items.append(item)  # the latest reviews carry the demo's action items
    return scripts
