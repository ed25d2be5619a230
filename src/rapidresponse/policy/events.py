"""What the jurisdictions domain records: corrections of country profiles, on the profile's stream."""

from __future__ import annotations

from typing import Any

from ..events import DomainEvent
from ..i18n import Translate


class ProfileCorrected(DomainEvent):
    """A policy team corrected one deadline of a country profile; ``subject_id`` is the ISO code."""

    type = "policy.profile_corrected"
    subject_type = "country_profile"
    deadline: str
    before: dict[str, Any]
    after: dict[str, Any]
    correction_id: int

    def describe(self, _: Translate) -> str:
        return _("corrected the deadline %(deadline)s of the %(country)s profile", deadline=self.deadline,
                 country=self.subject_id)
