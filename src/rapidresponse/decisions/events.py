"""What happens in the decision log, as typed events on each decision's stream."""

from __future__ import annotations

from ..events import DomainEvent, label
from ..i18n import Translate
from .schemas import ACTION_LABELS, APPEAL_LABELS


class DecisionEvent(DomainEvent):
    """An event on a decision's stream; ``subject_id`` is the decision's id, ``puid`` its item's."""

    subject_type = "decision"
    puid: str


class Recorded(DecisionEvent):
    type = "decision.recorded"
    action: str
    harm: str
    ground: str
    territorial_scope: list[str]
    incident: str | None = None
    affects_eu: bool

    def describe(self, _: Translate) -> str:
        return _("recorded the decision on %(puid)s: %(action)s", puid=self.puid,
                 action=label(_, ACTION_LABELS, self.action))


class Appealed(DecisionEvent):
    type = "decision.appealed"
    appeal_id: int
    appellant: str

    def describe(self, _: Translate) -> str:
        return _("recorded an appeal by %(appellant)s against the decision on %(puid)s", appellant=self.appellant,
                 puid=self.puid)


class AppealDecided(DecisionEvent):
    type = "decision.appeal_decided"
    appeal_id: int
    outcome: str
    note: str = ""

    def describe(self, _: Translate) -> str:
        return _("decided the appeal against the decision on %(puid)s: %(outcome)s", puid=self.puid,
                 outcome=label(_, APPEAL_LABELS, self.outcome))
