"""Global search: one query over incidents, cases, alerts, requests, decisions, playbooks, people and signals.

Each kind is asked through its domain's own listing, which applies the viewer's permissions and the
restricted-incident rule, so a search never finds what the viewer could not open; a kind the viewer may not
read is left out, not refused. Incidents and signals are searched by their domains' text search; the other
kinds are few enough that the most recent ``SCAN`` of each are matched here, word by word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .. import auth, decisions, detection, incidents, playbooks, requests, signals
from ..auth import Actor, Perm
from ..errors import PermissionDenied
from ..incidents import IncidentFilter

SCAN = 500
SHOWN = 10
KINDS = ("incidents", "cases", "alerts", "requests", "decisions", "playbooks", "people", "signals")


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    href: str
    detail: str = ""


def _matches(words: list[str], *fields: object) -> bool:
    text = " ".join(str(f) for f in fields if f).casefold()
    return all(w in text for w in words)


def _incidents(s: Session, actor: Actor, q: str, words: list[str]) -> Iterable[Hit]:
    found, _ = incidents.list_incidents(s, actor, IncidentFilter(q=q, sort="-updated_at", limit=SHOWN))
    return [Hit("incidents", f"{i.ref} · {i.title}", f"/incidents/{i.ref}", i.status) for i in found]


def _cases(s: Session, actor: Actor, q: str, words: list[str]) -> Iterable[Hit]:
    found, _ = detection.list_cases(s, actor, limit=SCAN)
    return [Hit("cases", c.title, f"/cases/{c.id}", c.status) for c in found
            if _matches(words, c.title, c.description, c.harm, *c.countries, *c.languages, f"case-{c.id}")]


def _alerts(s: Session, actor: Actor, q: str, words: list[str]) -> Iterable[Hit]:
    found, _ = detection.list_alerts(s, actor, limit=SCAN)
    return [Hit("alerts", f"{a.harm} · {a.country} · {a.language}", f"/alerts/{a.id}", a.state) for a in found
            if _matches(words, a.series, a.harm, a.country, a.language, a.reason, f"alert-{a.id}")]


def _requests(s: Session, actor: Actor, q: str, words: list[str]) -> Iterable[Hit]:
    if not actor.can(Perm.POLICY_READ):
        return []
    page = requests.list_requests(s, actor, requests.RequestFilter(limit=SCAN))
    return [Hit("requests", f"REQ-{r.id} · {r.regulator_name}", f"/requests/{r.id}", r.reference) for r in page.items
            if _matches(words, f"REQ-{r.id}", r.regulator_name, r.regulator, r.reference, r.summary, r.sender,
                        r.country, r.incident_ref)]


def _decisions(s: Session, actor: Actor, q: str, words: list[str]) -> Iterable[Hit]:
    if not actor.can(Perm.POLICY_READ):
        return []
    page = decisions.list_decisions(s, actor, decisions.DecisionFilter(limit=SCAN))
    return [Hit("decisions", f"{d.puid} · {d.action}", "/decisions", d.harm) for d in page.items
            if _matches(words, d.puid, d.content_url, d.action, d.ground, d.explanation, d.harm, d.incident_ref)]


def _playbooks(s: Session, actor: Actor, q: str, words: list[str]) -> Iterable[Hit]:
    found, _ = playbooks.list_playbooks(s, actor)
    return [Hit("playbooks", e.playbook.title.en, f"/playbooks/{e.playbook.id}", e.playbook.title.ru) for e in found
            if _matches(words, e.playbook.id, e.playbook.title.en, e.playbook.title.ru, e.playbook.when_to_use.en,
                        e.playbook.when_to_use.ru)]


def _people(s: Session, actor: Actor, q: str, words: list[str]) -> Iterable[Hit]:
    return [Hit("people", p.display_name, "", p.username) for p in auth.active_people(s)
            if _matches(words, p.username, p.display_name)]


def _signals(s: Session, actor: Actor, q: str, words: list[str]) -> Iterable[Hit]:
    if not actor.can(Perm.SIGNALS_READ):
        return []
    found, _ = signals.list_signals(s, actor, signals.SignalFilter(q=q, limit=SHOWN))
    return [Hit("signals", (x.text[:120] or x.external_id), f"/signals?q={x.external_id}", x.source) for x in found]


SEARCHES: dict[str, Callable[[Session, Actor, str, list[str]], Iterable[Hit]]] = {
    "incidents": _incidents, "cases": _cases, "alerts": _alerts, "requests": _requests, "decisions": _decisions,
    "playbooks": _playbooks, "people": _people, "signals": _signals,
}


def search(s: Session, actor: Actor, q: str) -> dict[str, list[Hit]]:
    """What matches every word of ``q``, by kind (kinds the viewer may not read are left out)."""
    words = q.casefold().split()[:8]
    if not words:
        return {}
    out: dict[str, list[Hit]] = {}
    for kind, find in SEARCHES.items():
        try:
            hits = list(find(s, actor, q, words))[:SHOWN]
        except PermissionDenied:
            continue
        if hits:
            out[kind] = hits
    return out
