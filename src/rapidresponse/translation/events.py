"""What translation work records: each step of a request on its own stream (who did what and when),
the request and the approved translation on the incident's timeline (the original next to it),
and changes to people's language skills, the glossary and the memory."""

from __future__ import annotations

from ..events import DomainEvent
from ..i18n import Translate
from ..incidents import IncidentEvent


class RequestFacts(DomainEvent):
    """What every request event says: which text, from which language into which."""

    request_id: int
    source_kind: str
    source_id: str
    source_lang: str
    target_lang: str


class TranslationEvent(RequestFacts):
    subject_type = "translation"


class Requested(TranslationEvent):
    type = "translation.requested"
    priority: str
    due_at: str
    source_sha256: str

    def describe(self, _: Translate) -> str:
        return _("asked for a translation %(src)s → %(tgt)s (%(priority)s)", src=self.source_lang,
                 tgt=self.target_lang, priority=self.priority)


class Assigned(TranslationEvent):
    type = "translation.assigned"
    translator: str

    def describe(self, _: Translate) -> str:
        return _("routed the translation to %(person)s", person=self.translator)


class Started(TranslationEvent):
    type = "translation.started"

    def describe(self, _: Translate) -> str:
        return _("started translating %(src)s → %(tgt)s", src=self.source_lang, tgt=self.target_lang)


class Submitted(TranslationEvent):
    type = "translation.submitted"
    translation_sha256: str
    problems: int = 0

    def describe(self, _: Translate) -> str:
        return _("sent the translation %(src)s → %(tgt)s for review", src=self.source_lang, tgt=self.target_lang)


class Approved(TranslationEvent):
    type = "translation.approved"
    translation_sha256: str
    marks: dict[str, float] = {}

    def describe(self, _: Translate) -> str:
        return _("approved the translation %(src)s → %(tgt)s", src=self.source_lang, tgt=self.target_lang)


class Returned(TranslationEvent):
    type = "translation.returned"
    comment: str

    def describe(self, _: Translate) -> str:
        return _("returned the translation with comments: %(comment)s", comment=self.comment)


class Voided(TranslationEvent):
    type = "translation.voided"
    reason: str

    def describe(self, _: Translate) -> str:
        return _("voided the translation (%(reason)s)", reason=self.reason)


class IncidentTranslationRequested(IncidentEvent):
    type = "incident.translation_requested"
    timeline = "notes"
    request_id: int
    source_kind: str
    source_lang: str
    target_lang: str

    def describe(self, _: Translate) -> str:
        return _("asked for a translation %(src)s → %(tgt)s", src=self.source_lang, tgt=self.target_lang)


class IncidentTranslationApproved(IncidentEvent):
    """The approved translation on the timeline, with the original it translates; harmful material
    (a request with a harm) is named, never quoted: the timeline and the log show no such content,
    the translation's page shows it behind each person's safe-viewing settings."""

    type = "incident.translation_approved"
    timeline = "notes"
    request_id: int
    source_kind: str
    source_lang: str
    target_lang: str
    original: str
    translation: str
    harm: str | None = None

    def describe(self, _: Translate) -> str:
        if self.harm:
            return _("approved a translation %(src)s → %(tgt)s of harmful material (%(harm)s): it is on the "
                     "translation's page, behind each person's safe-viewing settings",
                     src=self.source_lang, tgt=self.target_lang, harm=self.harm)
        return _("approved a translation %(src)s → %(tgt)s: “%(translation)s” (original: “%(original)s”)",
                 src=self.source_lang, tgt=self.target_lang, translation=self.translation[:500],
                 original=self.original[:500])


class SkillsChanged(DomainEvent):
    type = "translation.skills_changed"
    subject_type = "user"
    skills: dict[str, str]

    def describe(self, _: Translate) -> str:
        listed = ", ".join(f"{lang} ({level})" for lang, level in sorted(self.skills.items())) or "—"
        return _("set their language skills: %(skills)s", skills=listed)


class GlossaryChanged(DomainEvent):
    type = "glossary.changed"
    subject_type = "glossary"
    added: int = 0
    updated: int = 0
    removed: int = 0
    source: str = ""

    def describe(self, _: Translate) -> str:
        return _("changed the glossary: %(added)s added, %(updated)s updated, %(removed)s removed",
                 added=self.added, updated=self.updated, removed=self.removed)


class MemoryImported(DomainEvent):
    type = "translation.memory_imported"
    subject_type = "translation_memory"
    segments: int
    source: str = ""

    def describe(self, _: Translate) -> str:
        return _("imported %(n)s segment pairs into the translation memory", n=self.segments)
