"""Texts of the notifications the platform sends on its own, in the recipient's language."""

from __future__ import annotations

from typing import Any

from ..config import get_settings

SEV = {1: "SEV1", 2: "SEV2", 3: "SEV3", 4: "SEV4"}

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "incident.declared": {
        "en": ("[{sev}] {ref} declared: {title}",
               "Incident {ref} ({type}, {sev}) was declared by {actor}.\n\n{title}\n\nOpen it: {url}"),
        "ru": ("[{sev}] {ref} объявлен: {title}",
               "Инцидент {ref} ({type}, {sev}) объявлен пользователем {actor}.\n\n{title}\n\nОткрыть: {url}"),
    },
    "incident.member_added": {
        "en": ("{ref}: you are now {role} — {title}",
               "{actor} added you to incident {ref} as {role}.\n\n{title}\n\nOpen it: {url}"),
        "ru": ("{ref}: ваша роль — {role}. {title}",
               "{actor} добавил(а) вас в инцидент {ref} в роли «{role}».\n\n{title}\n\nОткрыть: {url}"),
    },
    "task.due_soon": {
        "en": ("{ref}: due {due} — {task}",
               "Your playbook task on {ref} is due {due}:\n\n{task}\n\nDone when: {done_when}\n\n{title}\n"
               "Open it: {url}"),
        "ru": ("{ref}: срок {due} — {task}",
               "Срок вашей задачи по плану инцидента {ref} — {due}:\n\n{task}\n\nГотово, когда: {done_when}\n\n"
               "{title}\nОткрыть: {url}"),
    },
    "task.overdue": {
        "en": ("{ref}: overdue — {task}",
               "A playbook task on {ref} is overdue (was due {due}; owner: {owner}):\n\n{task}\n\n{title}\n"
               "Open it: {url}"),
        "ru": ("{ref}: просрочено — {task}",
               "Задача по плану инцидента {ref} просрочена (срок был {due}; ответственный: {owner}):\n\n{task}\n\n"
               "{title}\nОткрыть: {url}"),
    },
    "update.due": {
        "en": ("{ref}: stakeholder update due {due}",
               "The next stakeholder update on {ref} ({sev}) is due {due}. Compose it from the playbook's templates:\n"
               "{url}/updates\n\n{title}"),
        "ru": ("{ref}: до {due} нужно обновление для заинтересованных сторон",
               "Следующее обновление по инциденту {ref} ({sev}) нужно отправить до {due}. Составьте его по шаблонам "
               "плана:\n{url}/updates\n\n{title}"),
    },
    "update.overdue": {
        "en": ("{ref}: stakeholder update overdue (due {due})",
               "No stakeholder update on {ref} ({sev}) has gone out since it was due {due}.\n{url}/updates\n\n{title}"),
        "ru": ("{ref}: обновление для заинтересованных сторон просрочено (срок {due})",
               "Обновление по инциденту {ref} ({sev}) не отправлено, хотя срок был {due}.\n{url}/updates\n\n{title}"),
    },
    "playbook.escalation": {
        "en": ("{ref}: pull in {target} within {within}",
               "A condition on {ref} holds: {condition}.\nThe playbook says: pull in {target} within {within}.\n\n"
               "{note}\n\n{title}\nOpen it: {url}"),
        "ru": ("{ref}: подключить «{target}» в течение {within}",
               "По инциденту {ref} выполнено условие: {condition}.\nПо плану нужно подключить «{target}» в течение "
               "{within}.\n\n{note}\n\n{title}\nОткрыть: {url}"),
    },
    "approval.requested": {
        "en": ("Approval needed: {approval_title}",
               "{actor} asks the {required_role} role to approve a text ({approval_kind}){on_ref}.\n\n"
               "Read and decide: {approvals_url}"),
        "ru": ("Нужно согласование: {approval_title}",
               "{actor} просит роль «{required_role}» согласовать текст ({approval_kind}){on_ref}.\n\n"
               "Прочитать и решить: {approvals_url}"),
    },
    "approval.decided": {
        "en": ("{decision_en}: {approval_title}",
               "{actor} {decision_en_lower} your text ({approval_kind}){on_ref}.\n\n{comment}\n\n{approvals_url}"),
        "ru": ("{decision_ru}: {approval_title}",
               "{actor}: решение по вашему тексту ({approval_kind}){on_ref} — {decision_ru_lower}.\n\n{comment}\n\n"
               "{approvals_url}"),
    },
    "review.feedback": {
        "en": ("{ref}: how did the response go? Your feedback for the review",
               "{actor} has put the review of {ref} up for review. Before the review meeting, tell the team in a "
               "few lines what went well, what went poorly and how you coped (anonymously if you prefer).\n\n"
               "{title}\nGive feedback: {url}/review"),
        "ru": ("{ref}: как прошло реагирование? Ваш отзыв для разбора",
               "{actor} передал(а) разбор инцидента {ref} на согласование. До встречи по разбору напишите в "
               "нескольких строках, что прошло хорошо, что плохо и как вы справлялись (можно анонимно).\n\n"
               "{title}\nОставить отзыв: {url}/review"),
    },
    "action_item.overdue": {
        "en": ("{ref}: action item overdue — {item}",
               "The action item “{item}” from the review of {ref} was due {due} and is still {status} "
               "(owner: {owner}).\n\n{title}\nOpen the action items: {url}/review"),
        "ru": ("{ref}: просрочен пункт плана улучшений — {item}",
               "Пункт «{item}» из разбора инцидента {ref} нужно было выполнить до {due}; он всё ещё не выполнен "
               "(ответственный: {owner}).\n\n{title}\nОткрыть разбор: {url}/review"),
    },
    "request.deadline_warning": {
        "en": ("{request}: {percent}% of the legal clock used — {regulator} ({country})",
               "The reply to {regulator} ({country}) on request {request} is due {due}.\n"
               "{percent}% of its {hours} clock ({instrument}) has run; {remaining} left.\n\nOpen it: {url}"),
        "ru": ("{request}: прошло {percent}% законного срока — {regulator} ({country})",
               "Ответ {regulator} ({country}) по запросу {request} нужно дать до {due}.\n"
               "Прошло {percent}% срока {hours} ({instrument}); осталось {remaining}.\n\nОткрыть: {url}"),
    },
    "request.breached": {
        "en": ("BREACHED {request}: the legal deadline of {regulator} ({country}) has passed",
               "The reply to {regulator} ({country}) on request {request} was due {due} ({instrument}) and has "
               "not been sent. Legal is escalated.\n\nOpen it: {url}"),
        "ru": ("СРОК НАРУШЕН {request}: законный срок {regulator} ({country}) истёк",
               "Ответ {regulator} ({country}) по запросу {request} нужно было дать до {due} ({instrument}), "
               "он не отправлен. Вопрос передан юристам.\n\nОткрыть: {url}"),
    },
}
RESTRICTED_TITLE = {"en": "restricted incident (details only in rapidresponse)",
                    "ru": "инцидент с ограниченным доступом (подробности только в rapidresponse)"}


def render(kind: str, locale: str, *, restricted: bool, **facts: Any) -> tuple[str, str]:
    """Subject and body. A restricted incident's title never leaves the platform."""
    lang = locale if locale in TEXTS[kind] else "en"
    facts = dict(facts)
    if restricted:
        facts["title"] = RESTRICTED_TITLE[lang]
    facts.setdefault("sev", SEV.get(int(facts.get("severity") or 0), "SEV?"))
    facts.setdefault("url", f"{get_settings().base_url.rstrip('/')}/incidents/{facts.get('ref', '')}")
    subject, body = TEXTS[kind][lang]
    subject = " ".join(subject.format(**facts).split())[:300]
    return subject, body.format(**facts)
