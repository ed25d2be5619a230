"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .events import (
    AssessmentApproved,
    AssessmentDrafted,
    AssessmentReturned,
    AssessmentReviewed,
    AssessmentSubmitted,
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
    "AssessmentReviewed", "AssessmentSubmitted", "Indicator", "MitigationAdded", "MitigationIn", "MitigationRemoved",
    "Register", "ReturnIn", "RiskCreate", "RiskCreated", "RiskDetail", "RiskEdit", "RiskEdited", "RiskFilter",
    "RiskFlagged", "RiskOut", "add_mitigation", "annual_markdown", "approve", "assess", "create", "edit",
    "flag_reasons", "flag_tick", "get", "indicators", "register", "remove_mitigation", "return_assessment", "review",
    "submit",
]
