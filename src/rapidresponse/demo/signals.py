"""Signals in the demo world: the last six hours of reports around the «собачий кайф» choking-game
incident in Kazakhstan and Russia (Russian and Kazakh, in Cyrillic and in Latin letters), rising in the
last two hours, beside ordinary background reports, so that the series and the trends have something
to show: the challenge is one trend, whatever the language or script of a report. Synthetic posts only.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from .. import signals
from ..auth import Actor

TOTAL = 2400
HOURS = 6
CHALLENGE = [
    ("ru", "Дети снимают собачий кайф челлендж и выкладывают видео, в комментариях просят повторить {tag}"),
    ("ru", "В школе №{n} мальчики играют в собачий кайф, один потерял сознание, видео разошлось по чатам"),
    ("kk", "Балалар «собачий кайф» челленджін түсіріп жатыр, видео мектеп чаттарында тарап жатыр {tag}"),
    ("kk", "№{n} мектепте қауіпті ойын: «собачий кайф», бір бала есінен танды, видеоны бәрі бөлісіп жатыр"),
    # the first text again as teenagers type it on a Latin keyboard
    ("ru", "Deti snimayut sobachij kajf chellendzh i vykladyvayut video, v kommentariyakh prosyat povtorit {tag}"),
]
BACKGROUND = [
    ("phishing", "ru", "Пришла ссылка «Госуслуги: получите выплату», просят ввести данные карты {n}"),
    ("phishing", "kk", "Kaspi атынан хабарлама келді, картаның кодын сұрайды, алаяқтар сияқты {n}"),
    ("cyberbullying", "ru", "Одноклассники создали группу, где выкладывают фото девочки и оскорбляют её {n}"),
    ("health_misinformation", "ru", "Канал продаёт «лекарство от всех болезней», пишет что врачи скрывают {n}"),
]
SOURCES = ["user_report"] * 6 + ["classifier"] * 3 + ["trusted_flagger"]


def _rows(rng: random.Random, base: datetime, media_hashes: Sequence[str] = ()) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(TOTAL):
        challenge = i % 5 != 0
        # the challenge ramps up: most of its reports land in the last two hours
        minutes = HOURS * 60 * (rng.random() ** (3 if challenge else 1))
        at = base - timedelta(minutes=minutes, seconds=rng.randint(0, 59))
        if challenge:
            language, template = rng.choice(CHALLENGE)
            harm = "dangerous_challenge"
            country = "KZ" if language == "kk" or rng.random() < 0.5 else "RU"
        else:
            harm, language, template = rng.choice(BACKGROUND)
            country = "KZ" if language == "kk" else rng.choice(["RU", "KZ", "UZ"])
        rows.append({
            "external_id": f"demo-{i:05d}", "source": rng.choice(SOURCES), "occurred_at": at.isoformat(),
            "text": template.format(n=rng.randint(1, 60), tag=rng.choice(["#собачийкайф", "#кайф", "#челлендж"])),
            "harm": harm, "country": country, "language": language, "content_type": "video",
            "content_id": f"vid-{rng.randint(1, 400)}", "reporter_type": rng.choice(["user", "minor", "parent"]),
            "url": f"https://video.example/v/{rng.randint(10_000, 99_999)}", "metadata": {"app": "demo"},
        })
        if challenge and media_hashes and rng.random() < 0.05:  # a keyframe hash of the reported video
            rows[-1]["media_hash"] = rng.choice(media_hashes)
    return rows


def seed_signals(session: Session, actor: Actor, base: datetime, *, seed: int = 2024,
                 media_hashes: Sequence[str] = ()) -> int:
    """Ingest the demo signals in bulk batches; returns how many were stored. Some challenge videos carry
    one of ``media_hashes`` (near copies of a partner's hash list), so they match when processed."""
    rows = _rows(random.Random(seed), base, media_hashes)
    stored = 0
    for i in range(0, len(rows), 1200):
        stored += signals.ingest(session, actor, rows[i:i + 1200], channel="demo").inserted
    signals.process_pending(session)  # the demo shows its series and trends at once, without a worker
    return stored
