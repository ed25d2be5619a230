"""The incident vocabulary: types, statuses, roles. Labels are English msgids, translated by the UI."""

from __future__ import annotations

from enum import StrEnum

from ..i18n import N_


class IncidentType(StrEnum):
    DANGEROUS_CHALLENGE = "dangerous_challenge"
    HATE_SPEECH_WAVE = "hate_speech_wave"
    CHILD_SAFETY = "child_safety"
    SELF_HARM = "self_harm"
    VIOLENT_EXTREMISM = "violent_extremism"
    HARASSMENT_DOXXING = "harassment_doxxing"
    ANIMAL_CRUELTY = "animal_cruelty"
    COORDINATED_INAUTHENTIC_BEHAVIOUR = "coordinated_inauthentic_behaviour"
    CRISIS_MISINFORMATION = "crisis_misinformation"
    REGULATOR_ORDER = "regulator_order"
    OTHER = "other"


TYPE_LABELS: dict[str, str] = {
    "dangerous_challenge": N_("Dangerous challenge"),
    "hate_speech_wave": N_("Hate speech wave"),
    "child_safety": N_("Child safety"),
    "self_harm": N_("Self-harm and suicide"),
    "violent_extremism": N_("Violent extremism"),
    "harassment_doxxing": N_("Harassment and doxxing"),
    "animal_cruelty": N_("Animal cruelty"),
    "coordinated_inauthentic_behaviour": N_("Coordinated inauthentic behaviour"),
    "crisis_misinformation": N_("Crisis misinformation"),
    "regulator_order": N_("Regulator order"),
    "other": N_("Other"),
}

# Types whose incidents are restricted by default: only participants and admins know they exist.
RESTRICTED_BY_DEFAULT = frozenset({IncidentType.CHILD_SAFETY})


class Status(StrEnum):
    TRIAGE = "triage"
    ACTIVE = "active"
    MITIGATED = "mitigated"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    MERGED = "merged"


STATUS_LABELS: dict[str, str] = {
    "triage": N_("Triage"),
    "active": N_("Active"),
    "mitigated": N_("Mitigated"),
    "monitoring": N_("Monitoring"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
    "merged": N_("Merged"),
}

OPEN_STATUSES = frozenset({Status.TRIAGE, Status.ACTIVE, Status.MITIGATED, Status.MONITORING})


class Role(StrEnum):
    COMMANDER = "commander"
    DEPUTY = "deputy"
    COMMS_LEAD = "comms_lead"
    POLICY_LEAD = "policy_lead"
    LEGAL = "legal"
    REGIONAL_LEAD = "regional_lead"
    SCRIBE = "scribe"
    PARTICIPANT = "participant"


ROLE_LABELS: dict[str, str] = {
    "commander": N_("Incident commander"),
    "deputy": N_("Deputy commander"),
    "comms_lead": N_("Comms lead"),
    "policy_lead": N_("Policy lead"),
    "legal": N_("Legal"),
    "regional_lead": N_("Regional / language lead"),
    "scribe": N_("Scribe"),
    "participant": N_("Participant"),
}

# The incident's fields as the timeline names them when they are edited.
FIELD_LABELS: dict[str, str] = {
    "title": N_("title"),
    "summary": N_("summary"),
    "type": N_("type"),
    "harm_categories": N_("harm categories"),
    "countries": N_("countries"),
    "languages": N_("languages"),
    "source_description": N_("source"),
    "restricted": N_("access"),
    "severity_inputs": N_("severity factors"),
    "severity": N_("severity"),
}

# Roles that several people may hold at once (a lead per language, many participants).
MULTI_HOLDER_ROLES = frozenset({Role.REGIONAL_LEAD, Role.PARTICIPANT})


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


TASK_STATUS_LABELS: dict[str, str] = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "cancelled": N_("Cancelled"),
}
