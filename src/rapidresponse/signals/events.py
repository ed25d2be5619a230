"""What signal intake records: one event per stored batch (on ``signals:intake``) and one per batch
whose reported media matched a hash list (on ``signals:hash_matches``), never one per signal."""

from __future__ import annotations

from ..events import DomainEvent
from ..i18n import Translate


class SignalBatchEvent(DomainEvent):
    """``subject_id`` names the batch (a random id, or the range of signal ids it is about)."""

    subject_type = "signal_batch"


class BatchIngested(SignalBatchEvent):
    type = "signals.batch_ingested"
    channel: str
    received: int
    inserted: int
    duplicates: int
    rejected: int
    first_id: int
    last_id: int
    harms: dict[str, int]

    def describe(self, _: Translate) -> str:
        return _("stored %(inserted)s of %(received)s signals from %(channel)s (%(duplicates)s duplicates, "
                 "%(rejected)s rejected)", inserted=self.inserted, received=self.received, channel=self.channel,
                 duplicates=self.duplicates, rejected=self.rejected)


class HashMatched(SignalBatchEvent):
    type = "signals.hash_matched"
    matches: int
    lists: dict[str, int]

    def describe(self, _: Translate) -> str:
        return _("matched reported media against hash lists %(n)s times", n=self.matches)


INTAKE_STREAM = "signals:intake"
HASH_MATCH_STREAM = "signals:hash_matches"
