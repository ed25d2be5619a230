"""The words of the risk register: the DSA's systemic-risk areas, the 5 × 5 scale and its bands, the
assessment workflow, the kinds of mitigation, and the indicators read next to each risk."""

from __future__ import annotations

from ..i18n import N_

# DSA art. 34(1): the four families of systemic risk, as the areas a risk is filed under.
AREAS = ("illegal_content", "fundamental_rights", "civic_discourse", "public_security", "gender_based_violence",
         "minors", "public_health", "wellbeing")
AREA_LABELS = {
    "illegal_content": N_("Illegal content"),
    "fundamental_rights": N_("Fundamental rights"),
    "civic_discourse": N_("Civic discourse and elections"),
    "public_security": N_("Public security"),
    "gender_based_violence": N_("Gender-based violence"),
    "minors": N_("Protection of minors"),
    "public_health": N_("Public health"),
    "wellbeing": N_("Physical and mental well-being"),
}
# The art. 34(1) paragraph each area falls under (the annual report's structure).
AREA_PARAGRAPH = {"illegal_content": "a", "fundamental_rights": "b", "civic_discourse": "c",
                  "public_security": "c", "gender_based_violence": "d", "minors": "d", "public_health": "d",
                  "wellbeing": "d"}

SCALE = (1, 2, 3, 4, 5)
LIKELIHOOD_LABELS = {1: N_("Rare"), 2: N_("Unlikely"), 3: N_("Possible"), 4: N_("Likely"), 5: N_("Almost certain")}
IMPACT_LABELS = {1: N_("Minimal"), 2: N_("Minor"), 3: N_("Moderate"), 4: N_("Major"), 5: N_("Severe")}

BANDS = ("low", "medium", "high", "critical")
BAND_LABELS = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High"), "critical": N_("Critical")}


def band(likelihood: int, impact: int) -> str:
    """The rating of a cell of the 5 × 5 matrix: its score (likelihood × impact) read in four bands
    (1–4 low, 5–9 medium, 10–16 high, 20–25 critical), as common risk matrices do."""
    score = likelihood * impact
    return "low" if score <= 4 else "medium" if score <= 9 else "high" if score <= 16 else "critical"


# An assessment is drafted, reviewed by policy and by legal (either order), then approved; approval
# makes its ratings the risk's. A reviewer may return it with a comment; a new draft supersedes an
# open one that was never approved.
STATES = ("draft", "in_review", "returned", "approved", "superseded")
STATE_LABELS = {"draft": N_("Draft"), "in_review": N_("In review"), "returned": N_("Returned"),
                "approved": N_("Approved"), "superseded": N_("Superseded")}
REVIEW_ROLES = ("policy", "legal")

MITIGATION_KINDS = ("playbook", "lexicon", "hash_list", "threshold", "action_item", "other")
MITIGATION_LABELS = {"playbook": N_("Playbook"), "lexicon": N_("Lexicon"), "hash_list": N_("Hash list"),
                     "threshold": N_("Detection threshold"), "action_item": N_("Action item"),
                     "other": N_("Other")}

INDICATOR_LABELS = {
    "signals": N_("Signals"), "alerts": N_("Alerts"), "incidents": N_("Incidents"),
    "severe": N_("SEV1–2 incidents"), "exposure": N_("Exposure before mitigation (signals)"),
    "mitigate_median": N_("Median time to mitigate (minutes)"), "recurring": N_("Recurrences"),
    "requests": N_("Regulator requests"),
}

WEEKDAY_LABELS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
                  N_("Sunday"))
