"""The content files' texts reach the pages in the user's language: a Russian-locale user reads the
country profile, the taxonomy, a playbook and the tasks it made in Russian, an English-locale user in English."""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webkit import declare

from rapidresponse import incidents
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.playbooks import service as playbooks

Login = Callable[..., tuple[Actor, str]]

COUNTRY = {  # /policy/countries/KZ: regulator, its role, a deadline's label and action, a law, a helpline's hours
    "ru": ("Министерство культуры и информации Республики Казахстан", "Уполномоченный орган в области средств",
           "Запрос уполномоченного органа", "Рассмотреть запрос уполномоченного органа",
           "«Об онлайн-платформах и онлайн-рекламе»", "круглосуточно"),
    "en": ("Ministry of Culture and Information of the Republic of Kazakhstan",
           "The authorised body in the field of mass media", "Request from the authorised body",
           "Consider the request from the authorised body and reply.",
           'Law No. 18-VIII "On Online Platforms and Online Advertising"', "24/7"),
}
PLAYBOOK = {  # /playbooks/dangerous_challenge: title, a task, its "done when", a template's audience and gate
    "ru": ("Опасный вирусный челлендж", "Описать челлендж и его варианты",
           "Заявление для прессы (безопасное освещение)"),
    "en": ("Dangerous viral challenge", "Map the challenge and its variants", "Press statement (safe messaging)"),
}


def _page(client: TestClient, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, url
    return html_module.unescape(resp.text)


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_country_and_playbook_pages_show_the_content_in_the_users_language(client: TestClient, logged_in: Login,
                                                                           locale: str) -> None:
    logged_in("responder", locale=locale)
    other = "en" if locale == "ru" else "ru"
    page = _page(client, "/policy/countries/KZ")
    for text in COUNTRY[locale]:
        assert text in page, (locale, text)
    assert ("Пн Вт Ср Чт Пт" in page) == (locale == "ru") and ("Mon Tue Wed Thu Fri" in page) == (locale == "en")
    for text in COUNTRY[other][1:5]:  # the other language's texts are not shown (names may repeat natively)
        assert text not in page, (locale, text)
    page = _page(client, "/playbooks/dangerous_challenge")
    for text in PLAYBOOK[locale]:
        assert text in page, (locale, text)
    for text in PLAYBOOK[other]:
        assert text not in page, (locale, text)
    assert ("Внешнее заявление" in page) == (locale == "ru") and ("External statement" in page) == (locale == "en")


def test_russian_taxonomy_and_eu_country_pages_have_no_english_content(client: TestClient, logged_in: Login) -> None:
    logged_in("responder", locale="ru")
    page = _page(client, "/policy/taxonomy")
    assert "Правила сообщества, §2.1 «Опасные действия»" in page and "Community Guidelines" not in page
    page = _page(client, "/policy/countries/PL")
    assert "Польша" in page and "Приказ об удалении террористического контента" in page
    assert "Координатор цифровых услуг" in page and "Digital Services Coordinator" not in page
    assert "without undue delay" not in page and "без неоправданной задержки" in page
    assert "Регламент (ЕС) 2022/2065 (Акт о цифровых услугах), ст. 9 (приказ польского органа)" in page
    page = _page(client, "/policy")
    assert "Казахстан" in page and "Kazakhstan" not in page


def _tasks_section(page: str) -> str:
    """The incident page's task list (the checklist above it names the steps in any case)."""
    return page[page.index('id="tasks"'):].split("</section>", 1)[0]


def _playbook_incident(client: TestClient, logged_in: Login,
                       locale: str) -> tuple[Actor, str, list[Any], dict[str, Any]]:
    """A commander reading in ``locale``, an incident they declared (it runs the dangerous-challenge playbook),
    the playbook's steps and the incident's tasks by title."""
    commander, csrf = logged_in("commander", locale=locale)
    ref = declare(client, csrf)
    with unit_of_work(read_only=True) as s:
        steps = playbooks.get_playbook(s, playbooks.PLAYBOOK_ACTOR, "dangerous_challenge").playbook.tasks
        tasks = {t.title: t for t in incidents.tasks(s, commander, ref)}
    return commander, ref, list(steps), tasks


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_a_playbooks_tasks_read_in_the_users_language_until_someone_edits_them(client: TestClient,
                                                                               logged_in: Login, locale: str) -> None:
    commander, ref, steps, tasks = _playbook_incident(client, logged_in, locale)
    scope = next(spec for spec in steps if spec.id == "scope")
    other = "en" if locale == "ru" else "ru"
    tasks_html = _tasks_section(_page(client, f"/incidents/{ref}"))
    assert scope.title.get(locale) in tasks_html and scope.title.get(other) not in tasks_html
    assert scope.done_when.get(locale) in tasks_html and scope.done_when.get(other) not in tasks_html
    assert ("Готово, когда: " in tasks_html) == (locale == "ru")
    mine = [spec for spec in steps if tasks.get(spec.title.en) and tasks[spec.title.en].owner == commander.username]
    assert mine, "the commander owns some of the playbook's tasks"
    page = _page(client, "/")
    board = page[page.index('id="h-tasks"'):].split("</section>", 1)[0]  # "My tasks"
    assert all(spec.title.get(locale) in board and spec.title.get(other) not in board for spec in mine)

    # an edited title is its author's words, shown as written (and marked as such); its description is still
    # the playbook's
    with unit_of_work() as s:
        incidents.update_task(s, commander, ref, tasks[scope.title.en].id,
                              incidents.TaskUpdate(title="Map it, with the Almaty team"))
    tasks_html = _tasks_section(_page(client, f"/incidents/{ref}"))
    assert re.search(r"<span class=\"strong\" data-user-text>Map it, with the Almaty team</span>", tasks_html)
    assert scope.title.get(locale) not in tasks_html and scope.done_when.get(locale) in tasks_html


def _timeline_section(page: str) -> str:
    return page[page.index('id="timeline"'):].split("</section>", 1)[0]


def _quoted(text: str) -> str:
    """A task's title as an activity line quotes it: marked as the words it is."""
    return f"<span data-user-text>{text}</span>"


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_the_timeline_and_the_activity_quote_a_playbooks_task_in_the_users_language_until_someone_edits_it(
        client: TestClient, logged_in: Login, locale: str) -> None:
    commander, ref, steps, tasks = _playbook_incident(client, logged_in, locale)
    scope = next(spec for spec in steps if spec.id == "scope")
    other = "en" if locale == "ru" else "ru"
    assert scope.title.get("ru") != scope.title.en
    with unit_of_work() as s:  # a change that keeps the title: the line quotes the playbook's words
        incidents.update_task(s, commander, ref, tasks[scope.title.en].id, incidents.TaskUpdate(status="in_progress"))
    timeline = _timeline_section(_page(client, f"/incidents/{ref}"))
    added = {"ru": "добавил(а) задачу «", "en": "added the task “"}[locale]
    set_to = {"ru": "перевёл(а) задачу «", "en": "set the task “"}[locale]
    assert added + _quoted(scope.title.get(locale)) in timeline
    assert set_to + _quoted(scope.title.get(locale)) in timeline
    assert _quoted(scope.title.get(other)) not in timeline
    board = _page(client, "/")
    activity = board[board.index('id="h-activity"'):].split("</section>", 1)[0]
    assert set_to + _quoted(scope.title.get(locale)) in activity and _quoted(scope.title.get(other)) not in activity

    # the timeline the API gives keeps the events as recorded, in English
    with unit_of_work() as s:
        entries = incidents.timeline(s, commander, ref, kinds=["tasks"])
    quoted = [e for e in entries if e.payload["task_id"] == tasks[scope.title.en].id]
    assert [e.payload["title"] for e in quoted] == [scope.title.en] * 2
    assert all(e.shown.get("title", scope.title.en) == scope.title.en for e in quoted)

    # an edited title is its author's words: the line that edits it quotes it as written, and the task's
    # title is no longer the playbook's, so no line rewords it
    with unit_of_work() as s:
        incidents.update_task(s, commander, ref, tasks[scope.title.en].id,
                              incidents.TaskUpdate(title="Map it, with the Almaty team"))
    timeline = _timeline_section(_page(client, f"/incidents/{ref}"))
    updated = {"ru": "обновил(а) задачу «", "en": "updated the task “"}[locale]
    assert updated + _quoted("Map it, with the Almaty team") in timeline
    assert _quoted(scope.title.get("ru")) not in timeline
    other_step = next(spec for spec in steps if spec.id != "scope" and spec.title.en in tasks)
    assert added + _quoted(other_step.title.get(locale)) in timeline  # the others are still the playbook's


def test_russian_country_pages_name_regulators_helplines_and_languages_in_russian(client: TestClient,
                                                                                  logged_in: Login) -> None:
    logged_in("responder", locale="ru")
    page = _page(client, "/policy/countries/RU")
    assert "<strong>Роскомнадзор (РКН)</strong>" in page and "Roskomnadzor" not in page
    page = _page(client, "/policy/countries/SK")  # RpMS has no Russian short name: its Russian name stands alone
    assert "Совет по медиауслугам" in page and "RpMS" not in page
    page = _page(client, "/policy/countries/HU")  # a helpline's own name is shown in its language, untranslated
    assert 'Детская линия (<span lang="hu">Kék Vonal</span>)' in page
    page = _page(client, "/policy/countries/RS")
    assert "сербский (латиница) <code>sr-Latn</code>" in page
    page = _page(client, "/policy/countries/ME")
    assert "черногорский <code>cnr</code>" in page
    page = _page(client, "/policy/taxonomy")
    assert "Команда Безопасность детей и подростков" in page and "youth_safety" not in page
    page = _page(client, "/policy")
    assert "Роскомнадзор" in page and "Roskomnadzor" not in page


def test_an_english_country_page_keeps_the_english_short_names(client: TestClient, logged_in: Login) -> None:
    logged_in("responder", locale="en")
    page = _page(client, "/policy/countries/RU")
    assert "<strong>Roskomnadzor (RKN)</strong>" in page and "Роскомнадзор (РКН)" not in page
    assert "<strong>RpMS</strong>" in _page(client, "/policy/countries/SK")
    assert 'Child helpline (<span lang="hu">Kék Vonal</span>)' in _page(client, "/policy/countries/HU")
    assert "Serbian (Latin) <code>sr-Latn</code>" in _page(client, "/policy/countries/RS")
    assert "Team Youth safety" in _page(client, "/policy/taxonomy")
