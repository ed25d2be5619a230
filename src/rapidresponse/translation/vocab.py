"""The words of translation work: languages, skill levels, states, what can be translated, marks."""

from __future__ import annotations

from datetime import timedelta

from ..i18n import N_

# The languages a request can name (ISO 639-1), with their names in the UI.
LANGUAGES: dict[str, str] = {
    "ru": N_("Russian"), "en": N_("English"), "kk": N_("Kazakh"), "uk": N_("Ukrainian"), "uz": N_("Uzbek"),
    "ky": N_("Kyrgyz"), "tg": N_("Tajik"), "be": N_("Belarusian"), "pl": N_("Polish"), "ro": N_("Romanian"),
    "ka": N_("Georgian"), "hy": N_("Armenian"), "az": N_("Azerbaijani"),
}
# The language legal reads: a text for an outside audience in another language needs an approved
# translation into it before approval can be requested.
WORKING_LANGUAGE = "en"

LEVELS: dict[str, str] = {"native": N_("Native"), "professional": N_("Professional"), "reading": N_("Reading")}
WRITES = ("native", "professional")  # the levels that may translate into or review a language

STATES: dict[str, str] = {
    "requested": N_("Requested"), "in_translation": N_("In translation"), "in_review": N_("In review"),
    "approved": N_("Approved"), "returned": N_("Returned"), "void": N_("Void (the source changed)"),
}
OPEN_STATES = ("requested", "in_translation", "in_review", "returned")

SOURCE_KINDS: dict[str, str] = {
    "signal": N_("Signal text"), "note": N_("Note"), "evidence": N_("Evidence"),
    "stakeholder_update": N_("Stakeholder update"), "reply_letter": N_("Reply letter"), "review": N_("Review"),
    "text": N_("Text"),
}
# Subject types of the texts legal approves, as their domains name them, and the kind they are here.
GATED = {"stakeholder_update": "stakeholder_update", "regulator_request": "reply_letter"}

MARK_CATEGORIES: dict[str, str] = {"accuracy": N_("Accuracy"), "fluency": N_("Fluency"),
                                   "terminology": N_("Terminology"), "style": N_("Style")}

# Channels with a length limit (characters).
CHANNEL_LIMITS: dict[str, int] = {"sms": 160, "push": 178, "x": 280, "telegram_caption": 1024}
CHANNEL_LABELS: dict[str, str] = {"sms": N_("SMS"), "push": N_("Push notification"), "x": N_("Post on X"),
                                  "telegram_caption": N_("Telegram caption")}

# Priority and the time to deliver, from the incident's severity (no incident: normal).
PRIORITY: dict[int, tuple[str, timedelta]] = {
    1: ("urgent", timedelta(hours=1)), 2: ("high", timedelta(hours=4)), 3: ("normal", timedelta(hours=24)),
    4: ("low", timedelta(hours=72)),
}
PRIORITY_LABELS: dict[str, str] = {"urgent": N_("Urgent"), "high": N_("High"), "normal": N_("Normal"),
                                   "low": N_("Low")}
PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}

PARTS_OF_SPEECH = ("noun", "verb", "adjective", "adverb", "phrase", "proper_noun", "abbreviation")
TERM_DOMAINS = ("harm", "legal", "product", "general")
PART_OF_SPEECH_LABELS: dict[str, str] = {
    "noun": N_("noun"), "verb": N_("verb"), "adjective": N_("adjective"), "adverb": N_("adverb"),
    "phrase": N_("phrase"), "proper_noun": N_("proper noun"), "abbreviation": N_("abbreviation")}
TERM_DOMAIN_LABELS: dict[str, str] = {"harm": N_("Harm"), "legal": N_("Law and regulation"), "product": N_("Product"),
                                      "general": N_("General")}
