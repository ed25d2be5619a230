"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .digest import Digest
from .digest import compose as compose_digest
from .digest import send as send_digest
from .digest import set_schedule as set_digest_schedule
from .digest import settings as digest_settings
from .events import (
    AssessmentApproved,
    AssessmentDrafted,
    AssessmentReturned,
    AssessmentReviewed,
    AssessmentSubmitted,
    DigestScheduled,
    DigestSent,
    MitigationAdded,
    MitigationRemoved,
    RiskCreated,
    RiskEdited,
    RiskFlagged,
)
from .report import annual_markdown
from .schemas import (
    AssessmentIn,
    AssessmentOut,
    DigestOut,
    DigestSettings,
    DigestSettingsIn,
    Indicator,
    MitigationIn,
    Register,
    ReturnIn,
    RiskCreate,
    RiskDetail,
    RiskEdit,
    RiskFilter,
    RiskOut,
)
from .service import (
    add_mitigation,
    approve,
    assess,
    create,
    edit,
    flag_reasons,
    flag_tick,
    get,
    indicators,
    register,
    remove_mitigation,
    return_assessment,
    review,
    submit,
)

__all__ = [
    "AssessmentApproved", "AssessmentDrafted", "AssessmentIn", "AssessmentOut", "AssessmentReturned",
    "AssessmentReviewed", "AssessmentSubmitted", "Digest", "DigestOut", "DigestScheduled", "DigestSent",
    "DigestSettings", "DigestSettingsIn", "Indicator", "MitigationAdded", "MitigationIn", "MitigationRemoved",
    "Register", "ReturnIn", "RiskCreate", "RiskCreated", "RiskDetail", "RiskEdit", "RiskEdited", "RiskFilter",
    "RiskFlagged", "RiskOut", "add_mitigation", "annual_markdown", "approve", "assess", "compose_digest", "create",
    "digest_settings", "edit", "flag_reasons", "flag_tick", "get", "indicators", "register", "remove_mitigation",
    "return_assessment", "review", "send_digest", "set_digest_schedule", "submit",
]
