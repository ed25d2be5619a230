"""How wellness reacts to other domains: a SEV1 whose people were heavily exposed while it ran gets
a task for its commander to plan recovery time for the team (it names nobody)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import events, incidents
from ..auth import SYSTEM
from . import service

RECOVERY_TASK = "Plan recovery time for the team (heavy exposure during this incident)"
RECOVERY_DETAIL = ("The people on this incident saw a lot of high-intensity content while it ran. Plan time off "
                   "or lighter work for the coming days, offer a debrief, and point to the support resources on "
                   "the wellness page. / Команда много видела тяжёлого контента во время инцидента: запланируйте "
                   "отдых или лёгкую работу на ближайшие дни, предложите разбор и напомните о ресурсах поддержки.")


@events.subscribe(incidents.StatusChanged)
def on_resolved(session: Session, event: incidents.StatusChanged, _ev: events.Event) -> None:
    if event.to != "resolved":
        return
    inc = incidents.get(session, SYSTEM, event.ref)
    if inc.severity != 1 or not service.heavy_exposure(session, inc):
        return
    owner = next((m.username for m in incidents.members(session, inc.id) if m.role == "commander"), None)
    incidents.add_task(session, SYSTEM, inc.ref, incidents.TaskCreate(title=RECOVERY_TASK, description=RECOVERY_DETAIL,
                                                                     owner=owner))
