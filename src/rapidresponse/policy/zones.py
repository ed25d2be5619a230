"""Time zones written as people in the region write them: «МСК», «время Астаны», "Kyiv time", CET.

A letter to a regulator never says "(Europe/Moscow)": Russian official correspondence writes Moscow
time as «МСК», Kazakhstan's single zone is Astana time, and EU zones go by their abbreviations
(CET/CEST, EET/EEST). A zone with no customary name falls back to its offset ("UTC+5").
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# zone -> language -> how the zone is written after a time ("14:30 МСК", "14:30 (время Астаны)").
ZONE_NAMES: dict[str, dict[str, str]] = {
    "Europe/Moscow": {"ru": "МСК", "en": "Moscow time", "kk": "Мәскеу уақыты", "uk": "за московським часом"},
    "Asia/Almaty": {"ru": "время Астаны", "en": "Astana time", "kk": "Астана уақыты", "uk": "за часом Астани"},
    "Asia/Tashkent": {"ru": "время Ташкента", "en": "Tashkent time", "uz": "Toshkent vaqti"},
    "Europe/Kyiv": {"ru": "время Киева", "en": "Kyiv time", "uk": "за київським часом"},
    "Europe/Minsk": {"ru": "время Минска", "en": "Minsk time", "be": "па мінскім часе"},
    "Asia/Bishkek": {"ru": "время Бишкека", "en": "Bishkek time"},
    "Asia/Dushanbe": {"ru": "время Душанбе", "en": "Dushanbe time"},
    "Asia/Ashgabat": {"ru": "время Ашхабада", "en": "Ashgabat time"},
    "Asia/Tbilisi": {"ru": "время Тбилиси", "en": "Tbilisi time"},
    "Asia/Yerevan": {"ru": "время Еревана", "en": "Yerevan time"},
    "Asia/Baku": {"ru": "время Баку", "en": "Baku time"},
    "Europe/Chisinau": {"ru": "время Кишинёва", "en": "Chisinau time"},
}
BARE = {"МСК"}  # written right after the time, without brackets


def zone_name(zone: str, lang: str, at: datetime) -> str:
    """How ``zone`` is written in ``lang`` at the moment ``at`` (an abbreviation may change with DST)."""
    names = ZONE_NAMES.get(zone, {})
    if lang in names:
        return names[lang]
    if "en" in names:
        return names["en"]
    local = at.astimezone(ZoneInfo(zone))
    abbreviation = local.tzname() or ""
    if abbreviation.isalpha():  # CET, EEST…; "+05" is no name
        return abbreviation
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_time_text(at: datetime, zone: str, lang: str) -> str:
    """``at`` in ``zone`` as a letter writes it: "05.12.2026 14:30 МСК", "05.12.2026 14:30 (время Астаны)"."""
    local = at.astimezone(ZoneInfo(zone))
    name = zone_name(zone, lang, at)
    shown = name if name in BARE or name.isupper() or name.startswith("UTC") else f"({name})"
    return f"{local:%d.%m.%Y %H:%M} {shown}"
