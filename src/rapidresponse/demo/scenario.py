"""The incidents running right now: the «собачий кайф» SEV2, a restricted child-safety case, and two
smaller ones. All posts, numbers and people are synthetic; method terms are never quoted."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..incidents import IncidentCreate, Role, SeverityInput, Status, TaskStatus
from .script import Script

ACTIVE_TITLE = "«Собачий кайф»: choking challenge spreading among minors (KZ, RU)"
RESTRICTED_TITLE = "Sextortion of teenagers via fake dating profiles (UZ, KZ)"

ACTIVE_SUMMARY = """\
Short videos of teenagers (12–15) taking part in the so-called **«собачий кайф»** («игра в обморок»,
the fainting game) spread in KZ (Almaty, Shymkent) and RU (Novosibirsk, Omsk) after a popular
account reposted one. Reports ×6 over baseline within two hours; ru and kk captions.

*Safe messaging:* never quote or describe the method in notes, statements or UI. Method terms are
in the blocking lexicon. Searches for the trend show crisis resources instead of results.
"""

PINNED = """\
**Status / Статус** — active, SEV2. IC: Айгерим Нурланова (Almaty).

- Searches for the trend redirect to help resources: KZ **150**, RU **8-800-2000-122**
  (regional leads confirm the numbers before any external use).
- Method terms are blocked and never shown; media is blurred in the viewer.
- Next stakeholder update: 18:00 Almaty / 16:00 Moscow.
- Комментарии для СМИ — только через Дилнозу (comms), после согласования с юристами.
"""


def _abs(start: datetime, minutes: float) -> datetime:
    return start + timedelta(minutes=minutes)


def active_incident(number: int, base: datetime) -> Script:
    """The SEV2 everyone is working on: declared six hours ago, detected 1 h 40 before that."""
    s = Script(number)
    t0 = base - timedelta(hours=6)
    ic, scribe = "aigerim.nurlanova", "anna.smirnova"
    s.declare(t0, "yerzhan.seitkali", IncidentCreate(
        title=ACTIVE_TITLE, type="dangerous_challenge", summary=ACTIVE_SUMMARY,
        countries=["KZ", "RU"], languages=["ru", "kk"], harm_categories=["dangerous-acts", "minors"],
        source_description="User reports spike (×6 in 2 h) + trusted flagger (KZ child-protection NGO)",
        severity=SeverityInput(harm=3, reach=3, velocity=3, vulnerable=True, regulatory=1),
        detected_at=t0 - timedelta(minutes=100)))
    at = lambda m: _abs(t0, m)  # noqa: E731
    s.role(at(4), ic, Role.COMMANDER, ic)
    s.status(at(6), ic, Status.ACTIVE)
    s.note(at(7), "yerzhan.seitkali", "Рост жалоб в 6 раз за 2 часа на ролики с тегом #собачийкайф. "
           "Авторы в основном 12–15 лет, KZ (Алматы, Шымкент) и RU (Новосибирск, Омск). "
           "Примеры собраны в безопасном просмотрщике.")
    for minute, role, who in ((9, Role.DEPUTY, "dmitry.volkov"), (10, Role.REGIONAL_LEAD, "assel.zhumabekova"),
                              (11, Role.SCRIBE, scribe), (12, Role.COMMS_LEAD, "dilnoza.karimova"),
                              (13, Role.POLICY_LEAD, "katarzyna.nowak"), (14, Role.LEGAL, "rustam.ospanov")):
        s.role(at(minute), ic, role, who)
    s.note(at(15), ic, PINNED, pinned=True)
    # The playbook of the type applied itself on declaration; these are the team's own tasks beside it.
    tasks = (
        ("advisory", "Draft the parent advisory in Russian and Kazakh", "dilnoza.karimova", 60 * 8),
        ("legal", "Legal review of the advisory; prepare for a KZ authorised-body request", "rustam.ospanov",
         60 * 10),
        ("kk", "Sweep Kazakh-language posts for new variants of the tags", "assel.zhumabekova", 60 * 9),
        ("le", "Agree the escalation path to law enforcement for imminent-risk reports", "olena.kovalenko",
         60 * 12),
    )
    for i, (key, title, owner, due) in enumerate(tasks):
        s.task(at(18 + i), ic, key, title, owner=owner, due_at=at(due))
    s.note(at(26), "assel.zhumabekova", "Қазақ тіліндегі жазбаларды қарап жатырмын; жаңа хэштегтер табылса, "
           "лексиконға қосамын.")
    s.conditions(at(30), ic, ["minors_involved", "regulator_involved"])
    s.playbook_step(at(40), "assel.zhumabekova", "scope", TaskStatus.DONE)
    s.playbook_step(at(48), ic, "stop_amplification", TaskStatus.DONE)
    s.note(at(62), "katarzyna.nowak", "Policy call: remove challenge videos by minors as dangerous acts; no "
           "strikes for under-16 creators, show the safety interstitial instead. Adults reposting for "
           "views get a strike.")
    s.playbook_step(at(80), "katarzyna.nowak", "enforcement_guidance", TaskStatus.DONE)
    s.note(at(95), scribe, "Hash-matching on for the 14 seed videos: 212 re-uploads blocked in the last hour.")
    s.playbook_step(at(118), "assel.zhumabekova", "lexicon", TaskStatus.DONE)
    s.note(at(150), "dilnoza.karimova", "Черновик обращения к родителям на русском и казахском готов, "
           "ждёт согласования юристов.")
    s.task_status(at(155), "dilnoza.karimova", "advisory", TaskStatus.IN_PROGRESS)
    s.note(at(185), "rustam.ospanov", "Ожидаем запрос уполномоченного органа РК; при получении у нас 24 ч на "
           "рассмотрение (ст. 9(4)(2) Закона об онлайн-платформах). Ответ готовлю заранее.")
    s.note(at(240), "assel.zhumabekova", "Ата-аналарға арналған ескерту мәтіні қазақ тілінде дайын, заңгерлер "
           "тексеріп жатыр.")
    s.task_status(at(245), "assel.zhumabekova", "kk", TaskStatus.IN_PROGRESS)
    s.note(at(270), "dmitry.volkov", "RU side: videos demoted from recommendations; search for the trend shows "
           "the help page. Volume in RU is flat since 13:00 MSK.")
    s.playbook_step(at(200), "katarzyna.nowak", "safety_resources", TaskStatus.DONE)
    s.playbook_step(at(230), "rustam.ospanov", "regulator_check", TaskStatus.IN_PROGRESS)
    s.note(at(320), ic, "Stakeholder update #1 sent (ru/en). Growth is slowing in KZ, still ×3 over baseline.")
    s.playbook_step(at(321), "dilnoza.karimova", "first_update", TaskStatus.DONE)
    s.update(at(330), "dilnoza.karimova", "press_statement", "ru", ask_approval=True)
    s.note(at(345), "yerzhan.seitkali", "За последний час 38 новых жалоб (было 140). Рост замедляется, "
           "но новые аккаунты продолжают перезаливать ролики.")
    return s


def restricted_incident(number: int, base: datetime) -> Script:
    """A child-safety case only its few members (and admins) know about."""
    s = Script(number)
    t0 = base - timedelta(days=2, hours=5)
    ic = "dmitry.volkov"  # declares it, so he can see it: nobody else knows of it yet
    s.declare(t0, ic, IncidentCreate(
        title=RESTRICTED_TITLE, type="child_safety", countries=["UZ", "KZ"], languages=["uz", "ru", "kk"],
        harm_categories=["child-sexual-exploitation", "sextortion", "minors"],
        summary="A cluster of fake profiles contacts teenagers and then threatens them. Restricted: "
                "need-to-know only. Victims' content is never copied into notes.",
        source_description="Trusted flagger (UZ child-protection hotline)",
        severity=SeverityInput(harm=4, reach=2, velocity=2, vulnerable=True, regulatory=1),
        detected_at=t0 - timedelta(minutes=50)))
    at = lambda m: _abs(t0, m)  # noqa: E731
    s.status(at(3), ic, Status.ACTIVE)
    s.role(at(5), ic, Role.PARTICIPANT, "jasur.tursunov")
    s.role(at(10), ic, Role.LEGAL, "olena.kovalenko")
    s.role(at(11), ic, Role.REGIONAL_LEAD, "assel.zhumabekova")
    s.task(at(15), ic, "le", "Report to law enforcement and the hotline (UZ, KZ)", owner="olena.kovalenko",
           due_at=at(180))
    s.task(at(16), ic, "lexicon", "Add the outreach script phrases to the detection lexicon",
           owner="assel.zhumabekova", due_at=base + timedelta(days=1))
    s.note(at(40), "jasur.tursunov", "37 profiles in the cluster, same photos and scripts. Accounts suspended; "
           "evidence preserved.")
    s.task_status(at(170), "olena.kovalenko", "le", TaskStatus.DONE)
    s.note(at(175), "olena.kovalenko", "Reports filed with law enforcement in UZ and KZ and with the hotline.")
    s.status(at(60 * 22), ic, Status.MITIGATED)
    s.note(at(60 * 22 + 5), ic, "Кластер удалён, повторных регистраций за сутки нет. Наблюдаем.")
    return s


def open_incidents(first: int, base: datetime) -> list[Script]:
    """Two smaller open incidents, so the dashboard is not a single line."""
    hate = Script(first)
    t0 = base - timedelta(minutes=40)
    hate.declare(t0, "taras.melnyk", IncidentCreate(
        title="Anti-migrant slurs wave under news posts — Russia, Kazakhstan", type="hate_speech_wave",
        countries=["RU", "KZ"], languages=["ru"], harm_categories=["hate-speech"],
        source_description="Classifier hits above threshold",
        severity=SeverityInput(harm=2, reach=2, velocity=2, vulnerable=False, regulatory=0),
        detected_at=t0 - timedelta(minutes=25)))
    hate.note(t0 + timedelta(minutes=3), "taras.melnyk", "Comment volume ×4 on three news posts; reviewing.")
    cib = Script(first + 1)
    t1 = base - timedelta(days=3, hours=2)
    cib.declare(t1, "tomasz.kowalski", IncidentCreate(
        title="Bot network amplifying election narratives — Moldova, Romania",
        type="coordinated_inauthentic_behaviour", countries=["MD", "RO"], languages=["ro", "ru"],
        harm_categories=["inauthentic-behaviour"], source_description="Partner NGO escalation",
        severity=SeverityInput(harm=2, reach=2, velocity=1, vulnerable=False, regulatory=1),
        detected_at=t1 - timedelta(hours=5)))
    cib.status(t1 + timedelta(minutes=10), "tomasz.kowalski", Status.ACTIVE)
    cib.role(t1 + timedelta(minutes=12), "tomasz.kowalski", Role.REGIONAL_LEAD, "taras.melnyk")
    cib.status(t1 + timedelta(hours=20), "tomasz.kowalski", Status.MITIGATED)
    cib.status(t1 + timedelta(hours=21), "tomasz.kowalski", Status.MONITORING)
    cib.note(t1 + timedelta(hours=21), "tomasz.kowalski", "412 accounts removed; watching for re-registration.")
    return [hate, cib]
