"""Word lists for the derivation pipeline: places, known actors, month names, relative dates.

General-purpose lists for Arabic news about Iraq, Syria and the region, not the words of one
article: the pipeline also finds places and actors it has never heard of through patterns
(قاعدة/مطار/نهر/بلدة + name, الجنرال/قائد/أبو + name, كتائب/ألوية/قوات/قيادة + name). An entry
gives the English name and a kind, so that distractors are of the same kind (a city for a city).
"""

from __future__ import annotations

# Arabic name -> (English name, kind). Kinds: country, city, river, region.
PLACES: dict[str, tuple[str, str]] = {
    # countries and capitals standing for them
    "العراق": ("Iraq", "country"),
    "سوريا": ("Syria", "country"),
    "سورية": ("Syria", "country"),
    "إيران": ("Iran", "country"),
    "تركيا": ("Turkey", "country"),
    "الأردن": ("Jordan", "country"),
    "السعودية": ("Saudi Arabia", "country"),
    "الكويت": ("Kuwait", "country"),
    "لبنان": ("Lebanon", "country"),
    "مصر": ("Egypt", "country"),
    "روسيا": ("Russia", "country"),
    "اليمن": ("Yemen", "country"),
    "قطر": ("Qatar", "country"),
    "الولايات المتحدة": ("the United States", "country"),
    "أمريكا": ("America", "country"),
    "أميركا": ("America", "country"),
    "بريطانيا": ("Britain", "country"),
    "فرنسا": ("France", "country"),
    # cities and towns
    "بغداد": ("Baghdad", "city"),
    "واشنطن": ("Washington", "city"),
    "طهران": ("Tehran", "city"),
    "دمشق": ("Damascus", "city"),
    "بيروت": ("Beirut", "city"),
    "عمان": ("Amman", "city"),
    "أنقرة": ("Ankara", "city"),
    "الموصل": ("Mosul", "city"),
    "كركوك": ("Kirkuk", "city"),
    "البصرة": ("Basra", "city"),
    "أربيل": ("Erbil", "city"),
    "الفلوجة": ("Fallujah", "city"),
    "الرمادي": ("Ramadi", "city"),
    "تكريت": ("Tikrit", "city"),
    "سامراء": ("Samarra", "city"),
    "النجف": ("Najaf", "city"),
    "كربلاء": ("Karbala", "city"),
    "الناصرية": ("Nasiriyah", "city"),
    "بعقوبة": ("Baquba", "city"),
    "الحلة": ("Hillah", "city"),
    "السليمانية": ("Sulaymaniyah", "city"),
    "دهوك": ("Duhok", "city"),
    "حديثة": ("Haditha", "city"),
    "القائم": ("Al-Qaim", "city"),
    "القيارة": ("Qayyarah", "city"),
    "قيارة": ("Qayyarah", "city"),
    "التاجي": ("Taji", "city"),
    "عين الأسد": ("Ain al-Asad", "city"),
    "بلد": ("Balad", "city"),
    "حلب": ("Aleppo", "city"),
    "حمص": ("Homs", "city"),
    "الرقة": ("Raqqa", "city"),
    "دير الزور": ("Deir ez-Zor", "city"),
    "البوكمال": ("Albu Kamal", "city"),
    "إدلب": ("Idlib", "city"),
    # regions
    "الأنبار": ("Anbar", "region"),
    "نينوى": ("Nineveh", "region"),
    "ديالى": ("Diyala", "region"),
    "كردستان": ("Kurdistan", "region"),
    "صلاح الدين": ("Salahuddin", "region"),
    "الخليج": ("the Gulf", "region"),
    # rivers
    "الفرات": ("the Euphrates", "river"),
    "دجلة": ("the Tigris", "river"),
    "الزاب": ("the Zab", "river"),
    "شط العرب": ("the Shatt al-Arab", "river"),
    "الخابور": ("the Khabur", "river"),
    "العاصي": ("the Orontes", "river"),
    "النيل": ("the Nile", "river"),
}

# The country of a city, so that a city's distractors are cities of the same country.
CITY_COUNTRY: dict[str, str] = {
    **dict.fromkeys(
        ("بغداد", "الموصل", "كركوك", "البصرة", "أربيل", "الفلوجة", "الرمادي", "تكريت", "سامراء", "النجف",
         "كربلاء", "الناصرية", "بعقوبة", "الحلة", "السليمانية", "دهوك", "حديثة", "القائم", "القيارة", "قيارة",
         "التاجي", "عين الأسد", "بلد"),
        "iq",
    ),
    **dict.fromkeys(("دمشق", "حلب", "حمص", "الرقة", "دير الزور", "البوكمال", "إدلب"), "sy"),
    "واشنطن": "us",
    "طهران": "ir",
    "بيروت": "lb",
    "عمان": "jo",
    "أنقرة": "tr",
}  # fmt: skip

# Nouns that introduce a place name: قاعدة القائم, مطار بغداد, نهر الفرات.
PLACE_HEADS: dict[str, str] = {
    "قاعدة": "base",
    "مطار": "airport",
    "نهر": "river",
    "بلدة": "town",
    "مدينة": "city",
    "محافظة": "province",
    "منطقة": "area",
    "معبر": "crossing",
    "سد": "dam",
    "ميناء": "port",
    "جسر": "bridge",
    "مخيم": "camp",
    "قرية": "village",
    "حقل": "field",
    "جزيرة": "island",
    "بحيرة": "lake",
    "معسكر": "camp",
    "قضاء": "district",
    "ناحية": "subdistrict",
    "مستشفى": "hospital",
}
PLACE_HEAD_EN = {
    "base": "{} base",
    "airport": "{} airport",
    "river": "the {} river",
    "town": "the town of {}",
    "city": "the city of {}",
    "province": "{} province",
    "area": "the {} area",
    "crossing": "the {} crossing",
    "dam": "the {} dam",
    "port": "the port of {}",
    "bridge": "the {} bridge",
    "camp": "{} camp",
    "village": "the village of {}",
    "field": "the {} field",
    "island": "{} island",
    "lake": "Lake {}",
    "district": "the {} district",
    "subdistrict": "the {} subdistrict",
    "hospital": "{} hospital",
}

# Actors known by name -> (English, kind). Kinds: person, group, institution.
ACTORS: dict[str, tuple[str, str]] = {
    "داعش": ("IS", "group"),
    "تنظيم الدولة الإسلامية": ("the Islamic State group", "group"),
    "تنظيم الدولة": ("the Islamic State group", "group"),
    "حزب الله": ("Hezbollah", "group"),
    "كتائب حزب الله": ("Kataib Hezbollah", "group"),
    "عصائب أهل الحق": ("Asaib Ahl al-Haq", "group"),
    "الحشد الشعبي": ("the Popular Mobilisation Forces", "group"),
    "قوات الحشد الشعبي": ("the Popular Mobilisation Forces", "group"),
    "البيشمركة": ("the Peshmerga", "group"),
    "الأمم المتحدة": ("the United Nations", "institution"),
    "حلف شمال الأطلسي": ("NATO", "institution"),
    "الناتو": ("NATO", "institution"),
    "البنتاغون": ("the Pentagon", "institution"),
    "الكونغرس": ("Congress", "institution"),
    "البيت الأبيض": ("the White House", "institution"),
    "بي بي سي": ("the BBC", "institution"),
    "الحكومة العراقية": ("the Iraqi government", "institution"),
    "البرلمان العراقي": ("the Iraqi parliament", "institution"),
    "الجيش العراقي": ("the Iraqi army", "institution"),
    "الجيش الأمريكي": ("the US army", "institution"),
    "الجيش الأميركي": ("the US army", "institution"),
    "الجيش السوري": ("the Syrian army", "institution"),
    "قوات الأمن العراقية": ("the Iraqi security forces", "institution"),
    "الحرس الثوري الإيراني": ("Iran's Revolutionary Guards", "institution"),
    "الحرس الثوري": ("the Revolutionary Guards", "institution"),
    "حرس الثورة الإسلامية الإيراني": ("Iran's Islamic Revolutionary Guard Corps", "institution"),
    "وزارة الدفاع الأمريكية": ("the US Department of Defense", "institution"),
    "وزارة الدفاع الأميركية": ("the US Department of Defense", "institution"),
    "قيادة العمليات المشتركة العراقية": ("the Iraqi Joint Operations Command", "institution"),
    "قيادة العمليات المشتركة": ("the Joint Operations Command", "institution"),
    "التحالف": ("the coalition", "institution"),
    "المرشد الأعلى لإيران": ("Iran's Supreme Leader", "person"),
}

# Words that open an organisation's name: كتائب حزب الله, ألوية الطفوف, قيادة العمليات المشتركة.
ORGANISATION_HEADS = (
    "كتائب", "ألوية", "لواء", "قوات", "قوة", "قيادة", "حركة", "حزب", "تنظيم", "جماعة", "فصائل",
    "هيئة", "وزارة", "مجلس", "منظمة", "حرس", "جبهة", "ميليشيا", "ميليشيات",
    "البرلمان", "الحكومة", "الجيش", "الحرس", "التحالف", "الشرطة", "الحشد",
)  # fmt: skip

# Words that begin a two-word place name: تل تمر, عين الأسد, جبل سنجار.
TOPONYM_PREFIXES = ("تل", "عين", "جبل", "رأس", "دير", "بئر", "كفر", "خان", "جسر", "أبو", "أم", "سيدي", "بني", "ذي")

# Offices that, with their portfolio, open a person's name: وزير النقل سامر حداد.
OFFICES = ("وزير", "رئيس", "محافظ", "سفير", "قائد", "مدير", "المتحدث باسم")

# Titles that open a person's name: الجنرال قاسم سليماني, الرئيس ...
PERSON_TITLES = (
    "الجنرال", "اللواء", "العميد", "العقيد", "الرئيس", "الوزير", "الشيخ", "السيد", "الزعيم", "المرشد",
    "القائد", "الرائد", "النقيب", "رئيس الوزراء", "وزير الدفاع", "وزير الخارجية",
)  # fmt: skip

# Words that open a role: قائد كتائب حزب الله, نائب قائد قوات الحشد الشعبي.
ROLE_HEADS = ("قائد", "نائب قائد", "زعيم", "رئيس", "وزير", "مسؤول كبير في", "متحدث باسم", "المتحدث باسم")

# Kunya: أبو أمين, أبو مهدي المهندس.
KUNYA = ("أبو", "أبي", "أبا", "أم")

# Arabic months in the Levantine (Syriac) form, which dateparser does not read; the Egyptian
# (Gregorian transliterated) form comes from dateparser's own Arabic locale.
LEVANTINE_MONTHS: dict[str, int] = {
    "كانون الثاني": 1, "كانون ثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5,
    "ايار": 5, "حزيران": 6, "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9,
    "تشرين الأول": 10, "تشرين أول": 10, "تشرين الثاني": 11, "تشرين ثاني": 11,
    "كانون الأول": 12, "كانون أول": 12,
}  # fmt: skip
LEVANTINE_CANONICAL = {
    1: "كانون الثاني", 2: "شباط", 3: "آذار", 4: "نيسان", 5: "أيار", 6: "حزيران", 7: "تموز",
    8: "آب", 9: "أيلول", 10: "تشرين الأول", 11: "تشرين الثاني", 12: "كانون الأول",
}  # fmt: skip

# Relative dates: Arabic -> (English, unit). The pipeline asks about them as written, and never
# turns them into a calendar date the article does not state.
RELATIVE_DATES: dict[str, tuple[str, str, str]] = {
    # Arabic: (English, unit, direction). A distractor never has the answer's unit and direction
    # both (the coming weeks / next week would both be right).
    "في وقت سابق من هذا العام": ("earlier this year", "year", "past"),
    "في وقت لاحق من هذا العام": ("later this year", "year", "future"),
    "في وقت سابق من هذا الشهر": ("earlier this month", "month", "past"),
    "هذا الأسبوع": ("this week", "week", "present"),
    "الأسبوع الماضي": ("last week", "week", "past"),
    "الأسبوع المقبل": ("next week", "week", "future"),
    "الأسابيع المقبلة": ("the coming weeks", "week", "future"),
    "الأسابيع الماضية": ("the past weeks", "week", "past"),
    "هذا الشهر": ("this month", "month", "present"),
    "الشهر الماضي": ("last month", "month", "past"),
    "الشهر المقبل": ("next month", "month", "future"),
    "الأشهر الأخيرة": ("recent months", "month", "past"),
    "الأشهر المقبلة": ("the coming months", "month", "future"),
    "الأشهر الماضية": ("the past months", "month", "past"),
    "هذا العام": ("this year", "year", "present"),
    "العام الماضي": ("last year", "year", "past"),
    "العام المقبل": ("next year", "year", "future"),
    "العامين الماضيين": ("the past two years", "year", "past"),
    "السنوات الأخيرة": ("recent years", "year", "past"),
    "السنوات المقبلة": ("the coming years", "year", "future"),
    "أمس": ("yesterday", "day", "past"),
    "غدا": ("tomorrow", "day", "future"),
}

# Adjectives and common nouns that follow a head noun but are not a name: قاعدة مدفعيتها,
# بلدة صغيرة, القوات الأمريكية. Compared after normalisation.
NOT_NAMES = (
    "صغيرة", "كبيرة", "عسكرية", "جديدة", "قديمة", "أخرى", "واحدة", "رئيسية", "العسكرية", "الجوية",
    "الأخيرة", "الأولى", "الثانية", "الكبرى", "الرئيسية", "الجديدة", "القديمة", "المقبلة", "الماضية",
    "المنطقة", "البلاد", "الحدود", "المسؤولية", "الجماعة", "القاعدة", "القوات", "الأمن",
    "الأجنبية", "المتبقية", "الرسمية", "المحلية", "الخاصة", "نفسها", "نفسه", "أيضا", "أيضاً",
)  # fmt: skip

# Nationality adjectives (nisba) between a title and a name: الجنرال الإيراني قاسم سليماني.
NATIONALITIES = (
    "الإيراني", "العراقي", "الأمريكي", "الأميركي", "السوري", "التركي", "الروسي", "البريطاني",
    "الإيرانية", "العراقية", "الأمريكية", "الأميركية", "السورية",
)  # fmt: skip

# Words that end a name: prepositions, conjunctions, pronouns, common verbs.
STOP_WORDS = (
    "في", "من", "على", "إلى", "الى", "عن", "مع", "بين", "بعد", "قبل", "حتى", "منذ", "عند", "لدى",
    "و", "أو", "ثم", "لكن", "إن", "أن", "إنه", "أنه", "إنها", "أنها", "الذي", "التي", "الذين",
    "هو", "هي", "هم", "كان", "كانت", "قال", "قالت", "وهو", "وهي", "كما", "ذلك", "تلك", "هذا", "هذه",
    "قد", "لم", "لا", "ما", "أي", "كل", "جميع", "بعض", "غير", "نحو", "خلال", "عبر", "ضد", "لـ",
)  # fmt: skip

# Other names of the same place or actor: a distractor must never be one of these.
ALIASES: dict[str, str] = {
    "داعش": "تنظيم الدولة الإسلامية",
    "تنظيم الدولة": "تنظيم الدولة الإسلامية",
    "الحشد الشعبي": "قوات الحشد الشعبي",
    "الحشد": "قوات الحشد الشعبي",
    "أمريكا": "الولايات المتحدة",
    "أميركا": "الولايات المتحدة",
    "سورية": "سوريا",
    "قيارة": "القيارة",
    "البنتاغون": "وزارة الدفاع الأمريكية",
    "وزارة الدفاع الأميركية": "وزارة الدفاع الأمريكية",
    "الجيش الأميركي": "الجيش الأمريكي",
    "الناتو": "حلف شمال الأطلسي",
    "الحرس الثوري": "الحرس الثوري الإيراني",
    "حرس الثورة الإسلامية الإيراني": "الحرس الثوري الإيراني",
}

# A capital that stands for its country in news prose ("the coalition led by Washington").
METONYMS: dict[str, str] = {
    "واشنطن": "الولايات المتحدة",
    "طهران": "إيران",
    "دمشق": "سوريا",
    "موسكو": "روسيا",
    "أنقرة": "تركيا",
}
