"""Translation: requests to translate an incident's texts, routed by language skills and exposure;
a translation memory, a glossary and quality checks; machine translation as a suggestion only.

The public surface: other domains ask whether an exact text has an approved translation and react
to translation events through what is exported here. Loading the domains (``domains.load``)
registers the check that holds back approval requests for texts in another language.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
