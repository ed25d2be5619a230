"""The demo's risk register for the REECA region, seeded through the risk service once the analytics
warehouse holds the demo year: risks assessed and approved this quarter by policy and legal, the
choking challenge in KZ and RU rated high and now flagged by its indicators (the active SEV2, its
signals, alerts and regulator requests), one re-assessment waiting for legal, and one digest sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from .. import auth, clock, risk
from ..auth import Actor
from ..web.templating import Translator

ASSESSED_DAYS_AGO = 75  # within the quarter: none is due for its periodic review yet
AUTHOR, POLICY_REVIEWER, LEGAL_REVIEWER, APPROVER = ("katarzyna.nowak", "nurlan.akhmetov", "olena.kovalenko",
                                                    "aigerim.nurlanova")
# The digest's readers, given addresses for it (the demo's other people have none: a year of history
# would otherwise queue hundreds of mails to a relay the demo machine does not have).
DIGEST_TO = {"marta.zielinska": "marta.zielinska@example.org", "aigerim.nurlanova": "aigerim.nurlanova@example.org"}


@dataclass(frozen=True)
class Entry:
    harm: str
    country: str
    likelihood: int
    impact: int
    likelihood_reason: str
    impact_reason: str
    mitigations: tuple[tuple[str, str, str], ...] = ()  # (kind, ref, description)


REGISTER: tuple[Entry, ...] = (
    Entry("dangerous_challenge", "KZ", 3, 5,
          "Челленджи с удушением возвращаются каждые несколько месяцев в kk- и ru-сегментах среди подростков.",
          "Риск гибели несовершеннолетних; МКИ РК требует удаления в течение 24 часов.",
          (("playbook", "dangerous_challenge", "Плейбук опасного челленджа"),
           ("lexicon", "dangerous_challenge/kk", "Кодовые слова и хэштеги на казахском"),
           ("hash_list", "Choking-game videos (partner share)", "Хеши видео от партнёра"),
           ("threshold", "dangerous_challenge/KZ", "Порог обнаружения всплеска"))),
    Entry("dangerous_challenge", "RU", 3, 4,
          "The same challenge spreads from KZ within days through Russian-language accounts.",
          "Minors at risk; Roskomnadzor orders under Art. 15.1 of the information law.",
          (("playbook", "dangerous_challenge", "Dangerous challenge playbook"),
           ("lexicon", "dangerous_challenge/ru", "Coded terms: «тихий дом», «синий кит»"))),
    Entry("grooming", "KZ", 3, 5, "Contact through gaming chats reported by partners every month.",
          "Irreversible harm to children.", (("playbook", "child_safety", "Child safety playbook"),)),
    Entry("suicide_promotion", "RU", 2, 5, "Groups resurface after takedowns a few times a year.",
          "Risk to life; helpline referral required.",
          (("playbook", "self_harm_contagion", "Self-harm contagion playbook"),)),
    Entry("ethnic_hatred", "KZ", 3, 3, "Waves around interethnic incidents in the news.",
          "Offline violence possible; criminal liability under Art. 174 of the KZ Criminal Code."),
    Entry("terrorist_content", "RU", 2, 5, "Attack footage appears within hours of an attack.",
          "GIFCT incident protocol; legal orders within hours.",
          (("playbook", "violent_extremism_livestream", "Violent extremism playbook"),)),
    Entry("school_shooting_glorification", "RU", 2, 5, "«Колумбайн» communities persist under new names.",
          "Copycat attacks on schools."),
    Entry("crisis_misinformation", "UA", 3, 3, "False evacuation and air-raid messages during attacks.",
          "Panic and harm to civilians.", (("playbook", "crisis_misinformation", "Crisis playbook"),)),
    Entry("doxxing", "BY", 3, 3, "Activists' personal data published by coordinated channels.",
          "Persecution of the people exposed."),
    Entry("phishing", "UZ", 4, 2, "Bank and parcel-delivery lures every week.", "Financial loss, recoverable."),
    Entry("cyberbullying", "UZ", 3, 2, "Steady volume of reports from schools.", "Distress; rarely escalates."),
    Entry("animal_abuse", "KG", 2, 2, "Occasional videos shared for shock value.", "Harm to animals; viewer distress."),
)


def seed_register(session: Session) -> int:
    """Seed the register (unless it has risks already): returns how many risks were added."""
    existing = risk.register(session, auth.SYSTEM, risk.RiskFilter(limit=1))
    if existing.total:
        return 0
    people = {name: auth.to_actor(p) for name in (AUTHOR, POLICY_REVIEWER, LEGAL_REVIEWER, APPROVER)
              if (p := auth.person_named(session, name)) is not None}
    if len(people) < 4:
        return 0  # not the demo world
    base = clock.now()
    with clock.held_at(base - timedelta(days=ASSESSED_DAYS_AGO)):
        for entry in REGISTER:
            _add(session, people, entry)
    with clock.held_at(base - timedelta(days=3)):
        _reassess(session, people)
    with clock.held_at(base):
        risk.flag_tick(session)
        _digest(session)
    return len(REGISTER)


def _add(session: Session, people: dict[str, Actor], entry: Entry) -> None:
    made = risk.create(session, people[AUTHOR], risk.RiskCreate(
        harm=entry.harm, country=entry.country, likelihood=entry.likelihood, impact=entry.impact,
        likelihood_reason=entry.likelihood_reason, impact_reason=entry.impact_reason, owner=AUTHOR))
    for kind, ref, description in entry.mitigations:
        risk.add_mitigation(session, people[AUTHOR], made.id,
                            risk.MitigationIn.model_validate({"kind": kind, "ref": ref, "description": description}))
    risk.submit(session, people[AUTHOR], made.id, 1)
    risk.review(session, people[POLICY_REVIEWER], made.id, 1)
    risk.review(session, people[LEGAL_REVIEWER], made.id, 1)
    risk.approve(session, people[APPROVER], made.id, 1)


def _reassess(session: Session, people: dict[str, Actor]) -> None:
    """Crisis misinformation in UA, re-rated after the autumn: reviewed by policy, waiting for legal."""
    target = risk.register(session, auth.SYSTEM, risk.RiskFilter(harm="crisis_misinformation", country="UA"))
    risk_id = target.items[0].id
    risk.assess(session, people[AUTHOR], risk_id, risk.AssessmentIn(
        likelihood=4, impact=3, residual_likelihood=3, residual_impact=3,
        likelihood_reason="Three waves of false air-raid messages since September.",
        impact_reason="Unchanged.", why="The autumn waves came more often than assessed."))
    risk.submit(session, people[AUTHOR], risk_id, 2)
    risk.review(session, people[POLICY_REVIEWER], risk_id, 2)


def _digest(session: Session) -> None:
    """Leadership gets the digest on Mondays at 09:00 Moscow time; this week's went out."""
    for username, address in DIGEST_TO.items():
        auth.update_user(session, auth.SYSTEM, username, email=address)
    risk.set_digest_schedule(session, auth.SYSTEM, risk.DigestSettingsIn(
        weekday=0, hour=9, timezone="Europe/Moscow", recipients=list(DIGEST_TO)))
    risk.send_digest(session, auth.SYSTEM, Translator)
