"""The demo's translation work: the team's language skills, a glossary of about a hundred T&S and legal
terms in Russian, English, Kazakh and Ukrainian, a memory seeded from the playbook's bilingual
templates, and open requests on the active incident (one to translate, one in review, one returned)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from .. import clock, incidents, playbooks, translation
from ..auth import Actor
from ..errors import DomainError
from ..translation import TermIn, VariantIn

GLOSSARY = Path(__file__).with_name("glossary.yaml")
SKILLS: dict[str, dict[str, str]] = {
    "marta.zielinska": {"pl": "native", "en": "professional", "ru": "reading"},
    "aigerim.nurlanova": {"kk": "native", "ru": "native", "en": "professional"},
    "dmitry.volkov": {"ru": "native", "en": "professional", "uk": "reading"},
    "tomasz.kowalski": {"pl": "native", "en": "native", "ru": "reading", "uk": "reading"},
    "yerzhan.seitkali": {"kk": "native", "ru": "native", "en": "reading"},
    "assel.zhumabekova": {"kk": "native", "ru": "professional", "en": "professional"},
    "anna.smirnova": {"ru": "native", "en": "professional"},
    "taras.melnyk": {"uk": "native", "ru": "professional", "en": "professional"},
    "jasur.tursunov": {"uz": "native", "ru": "professional", "tg": "reading"},
    "katarzyna.nowak": {"pl": "native", "en": "professional", "uk": "reading"},
    "olena.kovalenko": {"uk": "native", "en": "professional", "ru": "professional"},
    "dilnoza.karimova": {"uz": "native", "ru": "native", "en": "professional"},
    "ekaterina.orlova": {"ru": "native", "en": "professional", "be": "reading"},
    "aziz.rakhimov": {"uz": "native", "en": "professional", "ky": "reading"},
}
TEMPLATES = ("leadership_update", "press_statement", "support_page", "parent_advisory", "partner_notice")


def seed_skills(session: Session, actors: dict[str, Actor]) -> None:
    for username, skills in SKILLS.items():
        translation.set_skills(session, actors[username], skills)


def approved(session: Session, actors: dict[str, Actor], *, kind: str, source_id: str, text: str, result: str,
             source_lang: str, ref: str | None, translator: str, reviewer: str, target_lang: str = "en") -> None:
    """Take a text through the workflow to an approved translation (the demo's ``result``)."""
    r = translation.request(session, actors[translator], source_kind=kind, source_id=source_id,
                            source_lang=source_lang, target_lang=target_lang, text=text, incident=ref)
    translation.start(session, actors[translator], r.id)
    translation.submit(session, actors[translator], r.id, translation=result)
    translation.review(session, actors[reviewer], r.id, decision="approve",
                       translation_sha256=translation.sha256(result),
                       marks={"accuracy": 5, "fluency": 4, "terminology": 5, "style": 4})


def _terms() -> list[TermIn]:
    rows = yaml.safe_load(GLOSSARY.read_text("utf-8"))["terms"]
    out = []
    for row in rows:
        en, domain, pos, ru, kk, uk, forbidden = row[:7]
        out.append(TermIn(concept=en, domain=domain, part_of_speech=pos, do_not_translate=len(row) > 7,
                          variants={"en": VariantIn(preferred=en), "ru": VariantIn(preferred=ru, forbidden=forbidden),
                                    "kk": VariantIn(preferred=kk), "uk": VariantIn(preferred=uk)}))
    return out


def seed_translation(session: Session, actors: dict[str, Actor], base: datetime, active_ref: str) -> None:
    policy, comms = actors["nurlan.akhmetov"], actors["ekaterina.orlova"]
    with clock.held_at(base - timedelta(days=30)):
        for term in _terms():
            translation.save_term(session, policy, term)
    with clock.held_at(base - timedelta(hours=3)):
        for template in TEMPLATES:
            try:
                ru = playbooks.preview_update(session, comms, active_ref, template_id=template, language="ru")
                en = playbooks.preview_update(session, comms, active_ref, template_id=template, language="en")
            except DomainError:
                continue
            for source, target in ((ru.subject, en.subject), (ru.body, en.body)):
                translation.add_to_memory(session, "ru", "en", source, target, origin=f"playbook template {template}")
    with clock.held_at(base - timedelta(minutes=50)):
        note = incidents.add_note(session, actors["assel.zhumabekova"], active_ref, incidents.NoteCreate(
            body="Ата-аналарға арналған ескерту мәтіні қазақ тілінде дайын, заңгерлер тексеріп жатыр."))
        translation.request(session, actors["assel.zhumabekova"], source_kind="note", source_id=str(note.id),
                            source_lang="kk", target_lang="en")
        evidence = translation.request(
            session, actors["yerzhan.seitkali"], source_kind="evidence", source_lang="ru", target_lang="en",
            incident=active_ref, harm="dangerous_challenge",
            text="Кто не сделает #собачийкайф до пятницы — тот слабак. Снимай и отмечай троих друзей.")
        translation.start(session, actors["anna.smirnova"], evidence.id)
        translation.submit(session, actors["anna.smirnova"], evidence.id,
                           translation="Whoever doesn't do #собачийкайф by Friday is weak. Film it and tag three "
                                       "friends.")
    with clock.held_at(base - timedelta(minutes=20)):
        returned = translation.request(
            session, actors["dmitry.volkov"], source_kind="text", source_lang="ru", target_lang="uk",
            incident=active_ref, text="За последний час 38 новых жалоб (было 140). Рост замедляется.")
        translation.start(session, actors["olena.kovalenko"], returned.id)
        translation.submit(session, actors["olena.kovalenko"], returned.id,
                           translation="За останню годину нових скарг 38. Зростання сповільнюється.")
        translation.review(session, actors["taras.melnyk"], returned.id, decision="return",
                           translation_sha256=translation.sha256(
                               "За останню годину нових скарг 38. Зростання сповільнюється."),
                           comment="Не хватает «(было 140)»: число из оригинала должно остаться.",
                           marks={"accuracy": 2, "fluency": 4})
