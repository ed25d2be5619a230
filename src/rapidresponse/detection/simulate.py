"""A synthetic generator of report streams: harm × country × language series with daily (local time) and
weekly seasonality, Poisson noise, short bursts that are not incidents (a meme, a raid of reports on one
account, a news item), and optionally an injected outbreak: a dangerous challenge spreading in Kazakhstan
(Kazakh, then Russian) and spilling into Russia, growing exponentially for a few hours.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

BUCKET = timedelta(minutes=5)
# country: (languages with their shares, relative volume, UTC offset in hours)
COUNTRIES: dict[str, tuple[dict[str, float], float, int]] = {
    "RU": ({"ru": 1.0}, 1.0, 3),
    "KZ": ({"kk": 0.45, "ru": 0.55}, 0.35, 5),
    "UZ": ({"uz": 0.7, "ru": 0.3}, 0.3, 5),
    "UA": ({"uk": 0.7, "ru": 0.3}, 0.4, 2),
    "BY": ({"be": 0.15, "ru": 0.85}, 0.15, 3),
}
# harm: reports per 5 minutes in RU at the daily mean
HARMS: dict[str, float] = {"phishing": 2.0, "cyberbullying": 1.0, "health_misinformation": 0.6,
                           "dangerous_challenge": 0.35, "self_harm": 0.15}
TEXTS: dict[str, str] = {
    "phishing": "Сообщение о выплате со ссылкой, просят данные карты",
    "cyberbullying": "Группа, где выкладывают фото одноклассника и оскорбляют",
    "health_misinformation": "Канал продаёт «лекарство от всех болезней»",
    "dangerous_challenge": "Видео с опасным челленджем, дети повторяют",
    "self_harm": "Пост с опасным контентом о самоповреждении",
}


@dataclass
class Outbreak:
    start: datetime
    harm: str = "dangerous_challenge"
    series: tuple[tuple[str, str, float], ...] = (("KZ", "kk", 1.0), ("KZ", "ru", 0.6), ("RU", "ru", 0.35))
    doubling: timedelta = timedelta(minutes=25)
    peak: float = 25.0  # extra reports per 5 minutes at the peak, for weight 1.0
    lag: timedelta = timedelta(minutes=40)  # each further series starts this much later


@dataclass
class Simulation:
    start: datetime
    end: datetime
    seed: int = 7
    outbreak: Outbreak | None = None
    bursts_per_day: float = 3.0
    keys: list[tuple[str, str, str]] = field(default_factory=list)


def _diurnal(local_hour: np.ndarray) -> np.ndarray:
    """Relative activity by local hour: quiet at 4 am, busiest at 9 pm (mean about 1)."""
    return 1.0 + 0.75 * np.cos((local_hour - 21.0) / 24.0 * 2 * math.pi)


def keys() -> list[tuple[str, str, str]]:
    return [(h, c, lang) for h in HARMS for c, (langs, _, _) in COUNTRIES.items() for lang in langs]


def rates(sim: Simulation) -> tuple[list[tuple[str, str, str]], list[datetime], np.ndarray]:
    """The expected counts (series × buckets) before noise: seasonality, bursts and the outbreak."""
    rng = np.random.default_rng(sim.seed)
    n = int((sim.end - sim.start) / BUCKET)
    times = [sim.start + i * BUCKET for i in range(n)]
    epoch = np.array([t.timestamp() for t in times])
    ks = keys()
    lam = np.zeros((len(ks), n))
    for j, (harm, country, lang) in enumerate(ks):
        langs, volume, offset = COUNTRIES[country]
        local = ((epoch / 3600.0) + offset) % 24.0
        weekday = ((epoch / 86400.0 + offset / 24.0 + 3) // 1 % 7)  # 0 = Monday
        weekly = np.where(weekday >= 5, 1.15, 1.0)
        lam[j] = HARMS[harm] * volume * langs[lang] * _diurnal(local) * weekly
    days = max((sim.end - sim.start).total_seconds() / 86400.0, 1e-9)
    for _ in range(rng.poisson(sim.bursts_per_day * days)):
        j, at = int(rng.integers(len(ks))), int(rng.integers(n))
        width, height = int(rng.integers(2, 8)), float(rng.uniform(3.0, 8.0))
        lam[j, at:at + width] += height * np.maximum(lam[j, at:at + width], 0.3)
    if sim.outbreak is not None:
        ob = sim.outbreak
        for k, (country, lang, weight) in enumerate(ob.series):
            if (ob.harm, country, lang) not in ks:
                continue
            j = ks.index((ob.harm, country, lang))
            t0 = ob.start + k * ob.lag
            since = (epoch - t0.timestamp()) / ob.doubling.total_seconds()
            growth = np.where(since >= 0, np.minimum(2.0 ** since * 0.3, ob.peak), 0.0)
            lam[j] += weight * growth
    return ks, times, lam


def counts(sim: Simulation) -> Iterator[dict[str, Any]]:
    """Poisson counts per series and bucket (only non-zero buckets), ready for the series table."""
    ks, times, lam = rates(sim)
    x = np.random.default_rng(sim.seed + 1).poisson(lam)
    for j, i in zip(*np.nonzero(x), strict=True):
        h, c, lang = ks[int(j)]
        yield {"harm": h, "country": c, "language": lang, "bucket": times[int(i)], "count": int(x[j, i])}


def reports(sim: Simulation) -> Iterator[dict[str, Any]]:
    """The same counts as individual synthetic reports (signal rows for ``signals import`` or the API)."""
    rng = np.random.default_rng(sim.seed + 2)
    for n, row in enumerate(counts(sim)):
        for k in range(row["count"]):
            at = row["bucket"] + timedelta(seconds=int(rng.integers(0, 300)))
            yield {"external_id": f"sim-{sim.seed}-{n}-{k}", "source": "user_report", "occurred_at": at.isoformat(),
                   "text": f"{TEXTS[row['harm']]} ({row['country']})", "harm": row["harm"],
                   "country": row["country"], "language": row["language"], "reporter_type": "user",
                   "metadata": {"synthetic": True}}
