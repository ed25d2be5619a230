"""The checklist section of the incident page: the running playbook, its steps and conditions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..auth import Actor
from ..clock import now
from ..i18n import N_
from ..incidents import IncidentSummary
from ..playbooks import service as playbooks
from ..playbooks.schema import CONDITIONS, Playbook, format_duration
from .templating import Translator

CONDITION_LABELS = {
    "minors_involved": N_("Minors involved"), "regulator_involved": N_("A regulator is involved"),
    "imminent_threat_to_life": N_("Imminent threat to life"),
    "law_enforcement_involved": N_("Law enforcement is involved"), "livestream": N_("Livestream"),
    "cross_border": N_("Crosses borders"), "media_attention": N_("Media attention"),
    "election_period": N_("Election period"), "staff_safety": N_("Staff safety"),
}
SOURCE_LABELS = {"builtin": N_("built-in"), "directory": N_("team directory"), "ui": N_("saved in the UI")}


def deadline(playbook: Playbook, spec: Any, locale: str) -> str:
    """``1h after declaration`` or ``2h after <task>``; empty when the task has no deadline."""
    _ = Translator(locale)
    if spec is None or spec.due is None:
        return ""
    within = format_duration(spec.due.within)
    if spec.due.after == "declared":
        return _("%(within)s after declaration", within=within)
    other = next((t for t in playbook.tasks if t.id == spec.due.after), None)
    name = other.title.get(locale) if other else spec.due.after
    return _("%(within)s after “%(task)s”", within=within, task=name)


def checklist_context(s: Session, actor: Actor, inc: IncidentSummary, locale: str) -> dict[str, Any]:
    """What the checklist section of the incident page shows."""
    cl = playbooks.checklist(s, actor, inc.ref)
    library = [(e.playbook.id, e.playbook.title.get(locale)) for e in playbooks.list_playbooks(s, actor)[0]]
    active = cl is not None and cl.run.status in ("active", "paused")
    due = cl.run.next_update_due_at if cl is not None and active else None
    titles = {sp.id: sp.title.get(locale) for sp in cl.playbook.tasks} if cl else {}
    history = []
    if cl is not None:
        for run in cl.history:
            row = playbooks.run_playbook(s, run)
            history.append({"title": row.title.get(locale), "version": row.version, "status": run.status,
                            "applied_at": run.applied_at})
    return {
        "cl": cl, "cl_active": active, "cl_library": library, "cl_next_update": due,
        "cl_update_overdue": bool(due and due < now()), "cl_step_titles": titles,
        "cl_deadline": (lambda spec: deadline(cl.playbook, spec, locale)) if cl else (lambda spec: ""),
        "cl_history": history, "CONDITIONS": CONDITIONS, "CONDITION_LABELS": CONDITION_LABELS,
    }
