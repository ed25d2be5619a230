"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .events import Approved, IncidentTranslationApproved, IncidentTranslationRequested, Requested, Returned, Voided
from .glossary import save_term
from .memory import add_approved as add_to_memory
from .schemas import TermIn, TranslationOut, VariantIn
from .service import approved_for, for_incident, get, queue, request, review, sha256, start, submit
from .skills import qualified, set_skills, skills_of
from .sources import Source, source_reader
from .vocab import LANGUAGES, LEVELS, SOURCE_KINDS, STATES

__all__ = [
    "LANGUAGES", "LEVELS", "SOURCE_KINDS", "STATES", "Approved", "IncidentTranslationApproved",
    "IncidentTranslationRequested", "Requested", "Returned", "Source", "TermIn", "TranslationOut", "VariantIn",
    "Voided", "add_to_memory", "approved_for",
    "for_incident", "get", "qualified", "queue", "request", "review", "save_term", "set_skills", "sha256", "skills_of",
    "source_reader", "start", "submit",
]
