"""Language: normalisation for matching, language identification, lexicons and lexicon matching.

The public surface: other domains use what is exported here: the fold texts are matched and
searched in, matching and annotating texts against the latest lexicons (no actor needed), and the
lexicon services, which take an actor and return schemas.
"""

from .detect import Detection
from .events import TermRemoved, TermsAdded
from .matcher import Match
from .matching import Annotation, annotate, annotate_batch, annotate_for, match
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
    "annotate_batch", "annotate_for", "export_document", "find", "fold", "get", "import_document",
    "list_lexicons", "match", "remove_term", "remove_term_text", "versions",
]
