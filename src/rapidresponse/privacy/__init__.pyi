"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .events import LegalHoldPlaced, LegalHoldReleased, RetentionApplied, SubjectErased, SubjectExported
from .schemas import (
    ErasureOut,
    HoldIn,
    HoldOut,
    ReleaseIn,
    RetentionReport,
    RetentionRule,
    SubjectData,
    SubjectIn,
)
from .service import (
    RULES,
    apply_retention,
    erase_subject,
    held_incident_ids,
    held_incidents,
    holds,
    last_runs,
    place_hold,
    policy,
    release_hold,
    subject_data,
)

__all__ = [
    "RULES", "ErasureOut", "HoldIn", "HoldOut", "LegalHoldPlaced", "LegalHoldReleased", "ReleaseIn", "RetentionApplied",
    "RetentionReport", "RetentionRule", "SubjectData", "SubjectErased", "SubjectExported", "SubjectIn",
    "apply_retention", "erase_subject", "held_incident_ids", "held_incidents", "holds", "last_runs", "place_hold",
    "policy", "release_hold", "subject_data",
]
