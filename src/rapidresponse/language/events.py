"""What happens to a lexicon, as typed events on the lexicon's own stream (``lexicon:<id>``)."""

from __future__ import annotations

from typing import Any

from ..events import DomainEvent
from ..i18n import Translate


class LexiconEvent(DomainEvent):
    subject_type = "lexicon"
    harm: str
    language: str
    version: int


class TermsAdded(LexiconEvent):
    """Terms added as one new version; ``terms`` lists the first 50 (id, term, kind), ``count`` all of them."""

    type = "lexicon.terms_added"
    change: str
    terms: list[dict[str, Any]]
    count: int

    def describe(self, _: Translate) -> str:
        if self.count == 1 and self.terms:
            return _("added «%(term)s» to the %(harm)s/%(language)s lexicon (version %(version)s)",
                     term=self.terms[0].get("term", ""), harm=self.harm, language=self.language,
                     version=self.version)
        return _("added %(n)s terms to the %(harm)s/%(language)s lexicon (version %(version)s)", n=self.count,
                 harm=self.harm, language=self.language, version=self.version)


class TermRemoved(LexiconEvent):
    type = "lexicon.term_removed"
    term: dict[str, Any]  # id, term, kind

    def describe(self, _: Translate) -> str:
        return _("removed «%(term)s» from the %(harm)s/%(language)s lexicon (version %(version)s)",
                 term=self.term.get("term", ""), harm=self.harm, language=self.language, version=self.version)
