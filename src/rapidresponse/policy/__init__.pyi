"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from . import dsa
from .countries import (
    DEFAULT_DEADLINE_HOURS,
    Confidence,
    CountryProfile,
    Deadline,
    Regulator,
    TimeKind,
    Trigger,
)
from .deadlines import BusinessCalendar, Clock, due_at, start_clock
from .events import ProfileCorrected
from .helplines import Helpline, HelplineKind, helplines_for, helplines_text, load_helplines
from .loading import PolicyDataError
from .overview import IncidentRules, rules_for, summary, tile_map
from .profiles import clear_cache, get_country, load_countries, regulator_label
from .rules import Obligation, checklist, require_known
from .schemas import Correction, CountryCode, LanguageTag
from .service import correct_deadline, corrections
from .taxonomy import HarmNode, Taxonomy, dsa_fields_for_harm, load_taxonomy
from .zones import local_time_text, zone_name

__all__ = [
    "DEFAULT_DEADLINE_HOURS", "BusinessCalendar", "Clock", "Confidence", "Correction", "CountryCode",
    "CountryProfile", "Deadline", "HarmNode", "Helpline", "HelplineKind", "IncidentRules", "LanguageTag",
    "Obligation", "PolicyDataError", "ProfileCorrected", "Regulator", "Taxonomy", "TimeKind", "Trigger", "checklist",
    "clear_cache", "correct_deadline", "corrections", "dsa", "dsa_fields_for_harm", "due_at", "get_country",
    "helplines_for", "helplines_text", "load_countries", "load_helplines", "load_taxonomy", "local_time_text",
    "regulator_label", "require_known", "rules_for", "start_clock", "summary", "tile_map", "zone_name",
]
