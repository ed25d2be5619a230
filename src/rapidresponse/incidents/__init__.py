"""Incidents: the model, lifecycle, severity matrix, roles, timeline and tasks.

The public surface: other domains use what is exported here (services that take and return
schemas, the vocabulary, and the events to subscribe to), never the tables behind it.
"""

from .events import (
    CommandHandedOver,
    Declared,
    IncidentEvent,
    Linked,
    MemberAdded,
    MemberRemoved,
    Merged,
    MergedFrom,
    NoteAdded,
    RoleReassigned,
    SeverityOverridden,
    SeverityOverrideCleared,
    StatusChanged,
    TaskAdded,
    TaskUpdated,
    Updated,
)
from .schemas import (
    IncidentCreate,
    IncidentDetail,
    IncidentFilter,
    IncidentOut,
    IncidentSummary,
    IncidentUpdate,
    LinkRequest,
    Member,
    MergeRequest,
    NoteCreate,
    NoteOut,
    RoleAssign,
    SeverityOverride,
    StatusChange,
    TaskCreate,
    TaskOut,
    TaskUpdate,
    TimelineEntry,
)
from .service import (
    assign_role,
    change_status,
    declare,
    get,
    get_by_id,
    holders,
    link,
    list_incidents,
    members,
    merge,
    open_by_severity,
    override_severity,
    remove_member,
    update,
    visible_ids,
)
from .severity import SeverityInput, assess
from .vocab import (
    OPEN_STATUSES,
    RESTRICTED_BY_DEFAULT,
    ROLE_LABELS,
    STATUS_LABELS,
    TASK_STATUS_LABELS,
    TYPE_LABELS,
    IncidentType,
    Role,
    Status,
    TaskStatus,
)
from .work import (
    TaskState,
    add_note,
    add_task,
    my_tasks,
    pin_note,
    recent_activity,
    task_states,
    tasks,
    timeline,
    update_task,
)

__all__ = [
    "OPEN_STATUSES", "RESTRICTED_BY_DEFAULT", "ROLE_LABELS", "STATUS_LABELS", "TASK_STATUS_LABELS", "TYPE_LABELS",
    "CommandHandedOver", "Declared", "IncidentCreate", "IncidentDetail", "IncidentEvent", "IncidentFilter",
    "IncidentOut", "IncidentSummary", "IncidentType", "IncidentUpdate", "LinkRequest", "Linked", "Member",
    "MemberAdded", "MemberRemoved", "MergeRequest", "Merged", "MergedFrom", "NoteAdded", "NoteCreate", "NoteOut",
    "Role", "RoleAssign", "RoleReassigned", "SeverityInput", "SeverityOverridden", "SeverityOverride",
    "SeverityOverrideCleared", "Status", "StatusChange", "StatusChanged", "TaskAdded", "TaskCreate", "TaskOut",
    "TaskState", "TaskStatus", "TaskUpdate", "TaskUpdated", "TimelineEntry", "Updated", "add_note", "add_task",
    "assess", "assign_role", "change_status", "declare", "get", "get_by_id", "holders", "link", "list_incidents",
    "members", "merge", "my_tasks", "open_by_severity", "override_severity", "pin_note", "recent_activity",
    "remove_member", "task_states", "tasks", "timeline", "update", "update_task", "visible_ids",
]
