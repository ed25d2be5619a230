"""Language: normalisation for matching, language identification, lexicons and lexicon matching.

The public surface: other domains use what is exported here: the fold texts are matched and
searched in, matching and annotating texts against the latest lexicons (no actor needed), and the
lexicon services, which take an actor and return schemas.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
