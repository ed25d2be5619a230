"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .events import (
    ConditionsSet,
    Escalated,
    PlaybookApplied,
    PlaybookFailed,
    PlaybookSaved,
    TaskDueSoon,
    TaskOverdue,
    UpdateDrafted,
    UpdateDue,
    UpdateEdited,
    UpdateOverdue,
    UpdateSent,
)
from .files import parse as parse_playbook
from .schemas import Checklist, ChecklistStep, PastRun, PreviewOut, RunOut, TaskWording, UpdateOut, VersionOut
from .service import apply, checklist, list_playbooks, next_updates, playbook_text, set_conditions, task_texts
from .service import save as save_playbook
from .spec import AUDIENCES, CONDITIONS, GATE_KINDS, Playbook
from .updates import create as create_update
from .updates import list_updates, update_text
from .updates import preview as preview_update
from .updates import request_approval as request_update_approval
from .updates import send as send_update

__all__ = [
    "AUDIENCES", "CONDITIONS", "GATE_KINDS", "Checklist", "ChecklistStep", "ConditionsSet", "Escalated", "PastRun",
    "Playbook", "PlaybookApplied", "PlaybookFailed", "PlaybookSaved", "PreviewOut", "RunOut", "TaskDueSoon",
    "TaskOverdue", "TaskWording", "UpdateDrafted", "UpdateDue", "UpdateEdited", "UpdateOut", "UpdateOverdue",
    "UpdateSent", "VersionOut", "apply", "checklist", "create_update", "list_playbooks", "list_updates",
    "next_updates", "parse_playbook", "playbook_text", "preview_update", "request_update_approval", "save_playbook",
    "send_update", "set_conditions", "task_texts", "update_text",
]
