"""Synthetic data for the demo world: people, countries, and what REECA incidents look like.

Everything here is invented. Titles name trends the way a T&S team would (see DOMAIN.md §4); they
never describe methods, and notes follow safe-messaging practice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    role: str
    hub: str
    timezone: str
    locale: str

    @property
    def password(self) -> str:
        return demo_password(self.role)


def demo_password(role: str) -> str:
    """The known demo password of a role (at least 10 characters)."""
    return f"rr-demo-{role}"


HUBS = {"Almaty": "Asia/Almaty", "Moscow": "Europe/Moscow", "Warsaw": "Europe/Warsaw",
        "Tashkent": "Asia/Tashkent", "Kyiv": "Europe/Kyiv"}


def _p(username: str, name: str, role: str, hub: str, locale: str) -> Person:
    return Person(username, name, role, hub, HUBS[hub], locale)


PEOPLE: tuple[Person, ...] = (
    _p("marta.zielinska", "Marta Zielińska", "admin", "Warsaw", "en"),
    _p("aigerim.nurlanova", "Айгерим Нурланова", "commander", "Almaty", "ru"),
    _p("dmitry.volkov", "Дмитрий Волков", "commander", "Moscow", "ru"),
    _p("tomasz.kowalski", "Tomasz Kowalski", "commander", "Warsaw", "en"),
    _p("yerzhan.seitkali", "Ержан Сейткали", "responder", "Almaty", "ru"),
    _p("assel.zhumabekova", "Әсел Жұмабекова", "responder", "Almaty", "ru"),
    _p("anna.smirnova", "Анна Смирнова", "responder", "Moscow", "ru"),
    _p("taras.melnyk", "Тарас Мельник", "responder", "Kyiv", "en"),
    _p("jasur.tursunov", "Jasur Tursunov", "responder", "Tashkent", "ru"),
    _p("katarzyna.nowak", "Katarzyna Nowak", "policy", "Warsaw", "en"),
    _p("nurlan.akhmetov", "Нұрлан Ахметов", "policy", "Almaty", "ru"),
    _p("olena.kovalenko", "Олена Коваленко", "legal", "Kyiv", "en"),
    _p("rustam.ospanov", "Рустам Оспанов", "legal", "Almaty", "ru"),
    _p("piotr.wisniewski", "Piotr Wiśniewski", "legal", "Warsaw", "en"),
    _p("dilnoza.karimova", "Дилноза Каримова", "comms", "Tashkent", "ru"),
    _p("ekaterina.orlova", "Екатерина Орлова", "comms", "Moscow", "ru"),
    _p("aziz.rakhimov", "Aziz Rakhimov", "analyst", "Tashkent", "en"),
    _p("maria.kuznetsova", "Мария Кузнецова", "analyst", "Moscow", "ru"),
    _p("bekzod.yusupov", "Бекзод Юсупов", "viewer", "Tashkent", "ru"),
    _p("iryna.bondarenko", "Ірина Бондаренко", "viewer", "Kyiv", "en"),
)
MARKER_USER = PEOPLE[1].username


def people_with(*roles: str) -> list[str]:
    return [p.username for p in PEOPLE if p.role in roles]


@dataclass(frozen=True)
class Country:
    code: str
    en: str
    ru: str
    languages: tuple[str, ...]
    weight: int
    cluster: str


COUNTRIES: tuple[Country, ...] = (
    Country("RU", "Russia", "Россия", ("ru",), 22, "east-slavic"),
    Country("KZ", "Kazakhstan", "Казахстан", ("kk", "ru"), 14, "central-asia"),
    Country("UA", "Ukraine", "Украина", ("uk", "ru"), 10, "east-slavic"),
    Country("UZ", "Uzbekistan", "Узбекистан", ("uz", "ru"), 8, "central-asia"),
    Country("PL", "Poland", "Польша", ("pl", "uk"), 8, "eu"),
    Country("BY", "Belarus", "Беларусь", ("be", "ru"), 5, "east-slavic"),
    Country("KG", "Kyrgyzstan", "Кыргызстан", ("ky", "ru"), 5, "central-asia"),
    Country("GE", "Georgia", "Грузия", ("ka",), 4, "caucasus"),
    Country("AZ", "Azerbaijan", "Азербайджан", ("az",), 4, "caucasus"),
    Country("AM", "Armenia", "Армения", ("hy",), 3, "caucasus"),
    Country("MD", "Moldova", "Молдова", ("ro", "ru"), 3, "eu"),
    Country("RO", "Romania", "Румыния", ("ro",), 3, "eu"),
    Country("TJ", "Tajikistan", "Таджикистан", ("tg", "ru"), 3, "central-asia"),
    Country("LT", "Lithuania", "Литва", ("lt", "ru"), 2, "eu"),
    Country("LV", "Latvia", "Латвия", ("lv", "ru"), 2, "eu"),
    Country("EE", "Estonia", "Эстония", ("et", "ru"), 2, "eu"),
    Country("TM", "Turkmenistan", "Туркменистан", ("tk", "ru"), 1, "central-asia"),
)
COUNTRY = {c.code: c for c in COUNTRIES}

# How often each type occurs, the harm levels it takes, its harm categories and usual sources.
TYPE_WEIGHTS = {
    "dangerous_challenge": 12, "hate_speech_wave": 14, "child_safety": 6, "self_harm": 10,
    "violent_extremism": 9, "harassment_doxxing": 12, "animal_cruelty": 5,
    "coordinated_inauthentic_behaviour": 10, "crisis_misinformation": 10, "regulator_order": 9, "other": 3,
}
HARM_RANGE = {
    "dangerous_challenge": (2, 4), "hate_speech_wave": (1, 3), "child_safety": (3, 4), "self_harm": (2, 4),
    "violent_extremism": (2, 4), "harassment_doxxing": (1, 3), "animal_cruelty": (2, 3),
    "coordinated_inauthentic_behaviour": (1, 3), "crisis_misinformation": (1, 3), "regulator_order": (1, 3),
    "other": (1, 2),
}
HARM_CATEGORIES = {
    "dangerous_challenge": ["dangerous-acts", "minors"], "hate_speech_wave": ["hate-speech"],
    "child_safety": ["child-sexual-exploitation", "minors"], "self_harm": ["self-harm", "suicide"],
    "violent_extremism": ["terrorism", "violent-extremism"], "harassment_doxxing": ["harassment", "doxxing"],
    "animal_cruelty": ["animal-abuse"], "coordinated_inauthentic_behaviour": ["inauthentic-behaviour"],
    "crisis_misinformation": ["misinformation"], "regulator_order": ["legal-request"],
    "other": ["scams-and-fraud"],
}
SOURCES = (
    "User reports spike", "Classifier hits above threshold", "Trusted flagger notice", "Hash-list match",
    "Press enquiry", "Регуляторное уведомление", "Жалобы пользователей", "Partner NGO escalation",
)

# (template, countries it is specific to or None). {where} is English, {where_ru} Russian.
Title = tuple[str, frozenset[str] | None]


def _any(*templates: str) -> list[Title]:
    return [(t, None) for t in templates]


def _only(codes: str, *templates: str) -> list[Title]:
    return [(t, frozenset(codes.split())) for t in templates]


TITLES: dict[str, list[Title]] = {
    "dangerous_challenge": _any(
        "«Зацепинг» videos trending among teens — {where}", "Рост роликов «зацепинг» и «руферство» — {where_ru}",
        "Blackout-style challenge resurfacing — {where}", "«Собачий кайф» re-uploads after school break — {where}",
        "Skull-breaker prank clips in school accounts — {where}",
        "Rooftopping selfie trend after viral video — {where}",
        "Fire challenge clips spreading — {where}", "Опасный челлендж в школьных чатах — {where_ru}",
    ),
    "hate_speech_wave": _any(
        "Anti-migrant slurs wave after news report — {where}",
        "Волна ксенофобных комментариев против мигрантов — {where_ru}",
        "Antisemitic comment brigading under news posts — {where}", "Homophobic raids on creator livestreams — {where}",
        "Волна оскорблений по этническому признаку после матча — {where_ru}",
        "Anti-Roma hate posts after local incident — {where}", "Исламофобные мемы в пабликах — {where_ru}",
        "Ethnic slurs after border clash news — {where}",
    ),
    "child_safety": _any(
        "Sextortion of teenage boys via fake profiles — {where}", "Grooming in game voice chats — {where}",
        "Hash-list matches: new cluster of known abuse material — {where}",
        "Сеть аккаунтов, склоняющих подростков к переписке — {where_ru}",
        "Каналы «сливов» с фото школьниц — {where_ru}", "Adult accounts mass-following minors' profiles — {where}",
    ),
    "self_harm": _any(
        "«Синий кит» hashtags resurfacing (#тихийдом) — {where}",
        "«Группы смерти»: новые зеркальные аккаунты — {where_ru}",
        "Self-harm imagery cluster in teen communities — {where}", "Pro-eating-disorder «thinspo» hashtags — {where}",
        "Suicide-contagion risk after news of a student's death — {where}",
        "#разбудименяв420 posts spike — {where}",
    ),
    "violent_extremism": _any(
        "School-shooter fan content («колумбайн») after anniversary — {where}",
        "Re-uploads of attack livestream (hash-list match) — {where}",
        "Terrorist propaganda videos in local languages — {where}", "Призывы к насилию после теракта — {where_ru}",
        "Neo-Nazi symbols and recruitment channels — {where}", "Скулшутинг: угрозы нападения на школу — {where_ru}",
    ) + _only("RU KZ", "АУЕ recruitment videos in school chats — {where_ru}"),
    "harassment_doxxing": _any(
        "Doxxing of independent journalists — {where}", "Coordinated harassment of a female streamer — {where}",
        "Утечка персональных данных активистов в Telegram-каналах — {where_ru}",
        "Swatting threats against creators — {where}", "Травля школьницы в комментариях — {where_ru}",
        "Impersonation and doxxing of LGBTQ+ users — {where}",
    ),
    "animal_cruelty": _any(
        "Animal cruelty videos sold in closed channels — {where}", "Живодёрские ролики в рекомендациях — {where_ru}",
        "Calls to cull stray dogs in city groups — {where}", "Staged «rescue» videos with animal abuse — {where}",
    ),
    "coordinated_inauthentic_behaviour": _any(
        "Bot network amplifying election narratives — {where}", "Бот-сеть продвигает фейковые опросы — {where_ru}",
        "Coordinated accounts impersonating local media — {where}",
        "Fake engagement farm boosting gambling ads — {where}",
        "Persona accounts targeting the diaspora — {where}", "Сеть аккаунтов-двойников официальных лиц — {where_ru}",
    ),
    "crisis_misinformation": _any(
        "Misleading flood casualty figures — {where}", "Фейк о закрытии границы — {where_ru}",
        "Deepfake of an official's statement — {where}", "Фейковые сообщения о «минировании» школ — {where_ru}",
        "False claims about water contamination — {where}",
    ) + _only("KZ KG UZ TJ GE AM AZ", "False evacuation claims after earthquake — {where}"),
    "regulator_order": (
        _only("RU", "RKN notice: Art. 15.1 unified register", "Требование Генпрокуратуры (ст. 15.3)",
              "Роскомнадзор: уведомление о запрещённой информации")
        + _only("KZ", "KZ authorised body request — 24 h clock (Art. 9(4)(2))",
                "Запрос уполномоченного органа РК по онлайн-платформам")
        + _only("PL LT LV EE RO", "TCO removal order — 1 h clock ({where})", "DSA Art. 9 order — {where}")
        + _only("UA", "National Council request under the Law «On Media»")
        + _only("UZ", "O'zkomnazorat removal request")
        + _only("KG", "Request under the Law on false information (24 h)")
        + _any("Government takedown request — {where}", "Court order to restrict content — {where}")
    ),
    "other": _any("Drug-shop spam («закладки») in comments — {where}", "Crypto-investment scam wave — {where}",
                  "Counterfeit medicine ads — {where}")
    + _only("RU BY", "«Мама, я попал в беду» scam wave — {where_ru}", "Fake «Госуслуги» phishing pages")
    + _only("KZ", "Fake Kaspi giveaway phishing"),
}

# Notes written during historical incidents, by phase; {n} and {k} are filled with numbers.
NOTES = {
    "triage": (
        "Первичная оценка: {n} жалоб за последний час, рост ×{k} к базовому уровню.",
        "Initial triage: {n} reports in the last hour, ×{k} over baseline.",
        "Примеры собраны в безопасном просмотрщике; медиа размыто по умолчанию.",
        "Regional lead confirms the content is local, not a spill-over from another market.",
    ),
    "mitigation": (
        "Хэштеги заблокированы, поиск ведёт на страницу помощи.",
        "Hash list updated; {n} re-uploads blocked since.",
        "Classifier threshold lowered for the affected languages; review queue staffed.",
        "Removed {n} accounts in the cluster; appeals team briefed.",
        "Охват снижен: контент исключён из рекомендаций.",
    ),
    "resolution": (
        "Объём вернулся к базовому уровню, мониторинг завершён.",
        "Volume back to baseline for 24 h; monitoring ends.",
        "No new variants in the last {k} days.",
    ),
    "closing": (
        "Post-incident review done; {k} action items filed.",
        "Разбор проведён, задачи по итогам заведены.",
    ),
}
TASKS = (
    "Block hashtags and redirect searches to help resources", "Add hashes to the shared list",
    "Stakeholder update", "Legal review of the external statement", "Reply to the regulator's request",
    "Sweep local-language content for new variants", "Brief the appeals team", "Update the detection lexicon",
    "Подготовить ответ регулятору", "Проверить контент на казахском и узбекском",
)
CANCEL_REASONS = (
    "False alarm: spike caused by a reporting-button bug", "Ложная тревога: жалобы на легитимные новости",
    "Below incident threshold; handled in the regular queue", "Duplicate report of an already handled trend",
)

# Post-incident reviews of the serious incidents of the history: written by the team, in Russian or
# English, blameless ("the queue", "the rota", never a person). ``{title}`` and ``{where}`` are filled.
REVIEWS = (
    {"language": "ru",
     "summary": "«{title}»: волну заметили по жалобам пользователей, алерт сработал позже, чем мог бы. "
                "Контент ограничен в течение дня, обращения регуляторов закрыты в срок.",
     "went_well": "Роли распределены за минуты; юристы подключились до первого обращения регулятора.",
     "went_poorly": "Ночью очередь жалоб на казахском языке разбиралась медленно; обновления для партнёров "
                    "уходили с опозданием.",
     "contributing_factors": "Словарь не знал новых закодированных написаний; в графике дежурств не было "
                             "носителя казахского языка ночью.",
     "decisions": "Ограничили поиск по хэштегу вместо удаления, чтобы сохранить доказательства; "
                  "согласовано с юристами.",
     "lessons": "Закодированные написания нужно добавлять в словарь в тот же день; график дежурств — "
                "с учётом языков.",
     "wellbeing": "Команда работала посменно, после пиковой ночи — день восстановления.",
     "whys": ["Алерт сработал поздно", "Сигналы не совпадали со словарём", "Новые написания не были внесены",
              "Нет процесса быстрого пополнения словаря"]},
    {"language": "en",
     "summary": "“{title}” ({where}) was contained within two days. Detection lagged the first reports; "
                "the playbook's clocks held.",
     "went_well": "The playbook's tasks were clear; legal answered every regulator on time.",
     "went_poorly": "Stakeholder updates slipped during the night shift; two tasks were done late.",
     "contributing_factors": "The update cadence was not handed over between shifts; the hash list lacked "
                             "re-encoded variants.",
     "decisions": "Kept the content restricted rather than removed while the appeal window ran.",
     "lessons": "Hand over the update clock with the shift; add re-encoded variants to the hash list.",
     "wellbeing": "Exposure was high for the reviewers on the first night; the rota was changed for day two.",
     "whys": ["Updates were late", "The night shift did not know the cadence", "The hand-over template omits it"]},
)
# Action items of the two latest reviewed incidents: one overdue, one that changed a playbook.
REVIEW_ITEMS = (
    {"title": "Add the new coded spellings to the kk and ru lexicons", "kind": "lexicon", "priority": "high",
     "due_days": 5},
    {"title": "Hand the update clock over with the shift (playbook exit criterion)", "kind": "playbook",
     "priority": "medium", "due_days": 14, "playbook_change": True},
)
