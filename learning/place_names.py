"""Time zones by the Arabic names people know them by: for reading what users type, and for showing zones.

Telegram does not tell a bot where its users are, and an Arabic speaker asked for a time zone
writes a city or a country, in Arabic. Names shared by places in different zones are left out
(عمان is both Amman and Oman; طرابلس both Tripolis), so that no answer sets a wrong zone: those users
get the suggestion and the buttons.
"""

from __future__ import annotations

import difflib
from functools import cache

from learning.normalize import normalize

# How a zone is shown to Arabic speakers: its best-known city.
ARABIC_CITY = {
    "Asia/Baghdad": "بغداد",
    "Asia/Riyadh": "الرياض",
    "Africa/Cairo": "القاهرة",
    "Asia/Dubai": "دبي",
    "Asia/Kuwait": "الكويت",
    "Asia/Qatar": "الدوحة",
    "Asia/Bahrain": "المنامة",
    "Asia/Muscat": "مسقط",
    "Asia/Amman": "عمّان",
    "Asia/Beirut": "بيروت",
    "Asia/Damascus": "دمشق",
    "Asia/Aden": "عدن",
    "Africa/Khartoum": "الخرطوم",
    "Africa/Tunis": "تونس",
    "Africa/Algiers": "الجزائر",
    "Africa/Casablanca": "الدار البيضاء",
    "Europe/Istanbul": "إسطنبول",
    "Asia/Tehran": "طهران",
    "Europe/London": "لندن",
    "Europe/Berlin": "برلين",
    "Europe/Paris": "باريس",
    "America/New_York": "نيويورك",
}

# Other names that mean one zone: countries with one zone, and their other big cities.
_MORE_NAMES = {
    "Asia/Baghdad": ("العراق", "البصرة", "أربيل", "الموصل", "النجف", "كربلاء"),
    "Asia/Riyadh": ("السعودية", "المملكة العربية السعودية", "جدة", "مكة", "المدينة المنورة", "الدمام"),
    "Africa/Cairo": ("مصر", "الإسكندرية", "الجيزة"),
    "Asia/Dubai": ("الإمارات", "أبوظبي", "أبو ظبي", "الشارقة"),
    "Asia/Qatar": ("قطر",),
    "Asia/Bahrain": ("البحرين",),
    "Asia/Muscat": ("سلطنة عمان",),
    "Asia/Amman": ("الأردن",),
    "Asia/Beirut": ("لبنان",),
    "Asia/Damascus": ("سوريا", "سورية", "حلب"),
    "Asia/Aden": ("اليمن", "صنعاء"),
    "Africa/Khartoum": ("السودان",),
    "Africa/Algiers": ("وهران",),
    "Africa/Casablanca": ("المغرب", "الرباط", "مراكش"),
    "Europe/Istanbul": ("تركيا", "أنقرة", "اسطنبول"),
    "Asia/Tehran": ("إيران",),
    "Europe/London": ("بريطانيا", "المملكة المتحدة"),
    "Europe/Berlin": ("ألمانيا",),
    "Europe/Paris": ("فرنسا",),
}


def zone_for_arabic_name(text: str) -> str | None:
    """The zone an Arabic place name means ("بغداد", "الإمارات", "ابو ظبي"), or None."""
    return _by_name().get(normalize(text))


def zone_for_misspelt_arabic_name(text: str) -> str | None:
    """The zone of the Arabic place name closest to `text` ("بغدد" → Baghdad), for a suggestion; or None."""
    close = difflib.get_close_matches(normalize(text), list(_by_name()), n=1, cutoff=0.75)
    return _by_name()[close[0]] if close else None


@cache
def _by_name() -> dict[str, str]:
    names: dict[str, str] = {}
    for zone, city in ARABIC_CITY.items():
        if zone != "Asia/Amman":  # عمان, as most type it, is Oman too
            names[normalize(city)] = zone
    for zone, more in _MORE_NAMES.items():
        names.update((normalize(name), zone) for name in more)
    return names
