"""Which incident type a signal harm escalates to, and whose signals are shown to whom."""

from __future__ import annotations

from ..auth import Actor, Perm
from ..incidents import RESTRICTED_BY_DEFAULT, IncidentType

HARM_TYPES = {
    "dangerous_challenge": "dangerous_challenge", "dangerous-acts": "dangerous_challenge",
    "child_safety": "child_safety", "csam": "child_safety", "grooming": "child_safety",
    "child_sexual_exploitation": "child_safety", "self_harm": "self_harm", "suicide_promotion": "self_harm",
    "hate_speech": "hate_speech_wave", "violent_extremism": "violent_extremism", "terrorism": "violent_extremism",
    "cyberbullying": "harassment_doxxing", "harassment": "harassment_doxxing", "doxxing": "harassment_doxxing",
    "animal_cruelty": "animal_cruelty", "health_misinformation": "crisis_misinformation",
    "misinformation": "crisis_misinformation", "coordinated_inauthentic_behaviour": "coordinated_inauthentic_behaviour",
}


def incident_type_for(harm: str) -> str:
    return HARM_TYPES.get(harm, harm if harm in {t.value for t in IncidentType} else "other")


def restricted_harm(harm: str) -> bool:
    """Signals of a harm whose incidents are restricted by default (child safety)."""
    return incident_type_for(harm) in {t.value for t in RESTRICTED_BY_DEFAULT}


def may_read_samples(actor: Actor, harm: str) -> bool:
    """Sample report texts of restricted harms are for those who may see restricted incidents."""
    return not restricted_harm(harm) or actor.can(Perm.INCIDENTS_RESTRICTED)
