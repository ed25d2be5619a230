"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .detect import Detection
from .events import TermRemoved, TermsAdded
from .matcher import Match, term_key
from .matching import Annotation, annotate, annotate_batch, annotate_for, match
from .morph import script, skeleton
from .normalise import fold
from .schemas import LexiconOut, TermOut, VersionOut
from .service import (
    KINDS,
    LANGUAGES,
    STARTER,
    NewTerm,
    add_lexicon_term,
    add_term,
    add_terms,
    export_document,
    find,
    get,
    import_document,
    list_lexicons,
    remove_term,
    remove_term_text,
    versions,
)

__all__ = [
    "KINDS", "LANGUAGES", "STARTER", "Annotation", "Detection", "LexiconOut", "Match", "NewTerm", "TermOut",
    "TermRemoved", "TermsAdded", "VersionOut", "add_lexicon_term", "add_term", "add_terms", "annotate",
    "annotate_batch", "annotate_for", "export_document", "find", "fold", "get", "import_document", "list_lexicons",
    "match", "remove_term", "remove_term_text", "script", "skeleton", "term_key", "versions",
]
