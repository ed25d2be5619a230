"""The T&S severity matrix: harm × reach × velocity × vulnerable users × regulatory exposure.

Each factor earns points; the total maps to SEV1–SEV4, and a few floors make sure that what a T&S
lead would never treat as minor is not (critical harm to minors is always SEV1). The assessment
keeps its reasoning so the UI can show why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from ..i18n import N_
from .vocab import IncidentType

HARM_LEVELS = {1: N_("Low"), 2: N_("Moderate"), 3: N_("Severe"), 4: N_("Critical")}
REACH_LEVELS = {1: N_("Under 1,000 people"), 2: N_("Under 100,000"), 3: N_("Under 1 million"),
                4: N_("1 million or more")}
VELOCITY_LEVELS = {1: N_("Stable"), 2: N_("Growing"), 3: N_("Fast (doubling within a day)"),
                   4: N_("Viral (doubling within hours)")}
REGULATORY_LEVELS = {0: N_("None"), 1: N_("Possible interest"), 2: N_("Regulator or press enquiry"),
                     3: N_("Order with a legal deadline")}

WEIGHTS = {"harm": 3, "reach": 2, "velocity": 2, "vulnerable": 4, "regulatory": 2}
THRESHOLDS = ((1, 28), (2, 21), (3, 14))  # (SEV level, minimum points)

DEFAULT_HARM: dict[str, int] = {
    IncidentType.CHILD_SAFETY: 4, IncidentType.SELF_HARM: 4, IncidentType.VIOLENT_EXTREMISM: 4,
    IncidentType.DANGEROUS_CHALLENGE: 3, IncidentType.HATE_SPEECH_WAVE: 3, IncidentType.ANIMAL_CRUELTY: 3,
    IncidentType.HARASSMENT_DOXXING: 2, IncidentType.COORDINATED_INAUTHENTIC_BEHAVIOUR: 2,
    IncidentType.CRISIS_MISINFORMATION: 2, IncidentType.REGULATOR_ORDER: 2, IncidentType.OTHER: 2,
}
# Types that imply minors: their incidents start with "minors involved" ticked (a responder unticks it).
IMPLIES_MINORS: frozenset[str] = frozenset({IncidentType.CHILD_SAFETY})


class SeverityInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    harm: int = Field(ge=1, le=4, description="1 low, 2 moderate, 3 severe, 4 critical")
    reach: int = Field(default=1, ge=1, le=4, description="1 <1k, 2 <100k, 3 <1M, 4 1M+ people")
    velocity: int = Field(default=1, ge=1, le=4, description="1 stable, 2 growing, 3 fast, 4 viral")
    vulnerable: bool = Field(default=False, description="minors or other vulnerable users involved")
    regulatory: int = Field(default=0, ge=0, le=3,
                            description="0 none, 1 possible, 2 enquiry, 3 order with a deadline")

    @classmethod
    def default_for(cls, incident_type: str) -> SeverityInput:
        return cls(harm=DEFAULT_HARM.get(incident_type, 2), vulnerable=incident_type in IMPLIES_MINORS)


@dataclass
class Factor:
    name: str
    value: int | bool
    label: str
    points: int


@dataclass
class Assessment:
    level: int
    points: int
    factors: list[Factor]
    floors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"level": self.level, "points": self.points, "floors": self.floors,
                "factors": [f.__dict__ for f in self.factors]}


def assess(inp: SeverityInput) -> Assessment:
    factors = [
        Factor("harm", inp.harm, HARM_LEVELS[inp.harm], inp.harm * WEIGHTS["harm"]),
        Factor("reach", inp.reach, REACH_LEVELS[inp.reach], inp.reach * WEIGHTS["reach"]),
        Factor("velocity", inp.velocity, VELOCITY_LEVELS[inp.velocity], inp.velocity * WEIGHTS["velocity"]),
        Factor("vulnerable", inp.vulnerable, N_("Yes") if inp.vulnerable else N_("No"),
               WEIGHTS["vulnerable"] if inp.vulnerable else 0),
        Factor("regulatory", inp.regulatory, REGULATORY_LEVELS[inp.regulatory],
               inp.regulatory * WEIGHTS["regulatory"]),
    ]
    points = sum(f.points for f in factors)
    level = next((sev for sev, minimum in THRESHOLDS if points >= minimum), 4)
    floors: list[str] = []
    if inp.harm == 4 and inp.vulnerable and level > 1:
        level = 1
        floors.append(N_("Critical harm involving minors or vulnerable users is always SEV1"))
    if inp.harm == 4 and level > 2:
        level = 2
        floors.append(N_("Critical harm is at least SEV2"))
    if inp.regulatory == 3 and level > 2:
        level = 2
        floors.append(N_("A running legal deadline is at least SEV2"))
    return Assessment(level, points, factors, floors)
