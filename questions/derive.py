"""The derivation pipeline: an Arabic article in, draft questions out, for a person to review.

Offline and deterministic; no model. The steps:

1. split the article into sentences (Arabic and Latin sentence punctuation, and line breaks);
2. find mentions in each sentence:
   - dates: day-month-year with Arabic month names in the Egyptian form (يناير, read with
     dateparser's Arabic locale) and the Levantine form (كانون الثاني, which dateparser does not
     know), alone or paired ("ديسمبر/ كانون أول 2017"); years (عام 2014); relative dates
     ("الأسبوع الماضي", "في وقت سابق من هذا العام"), asked as written and never turned into a
     calendar date the article does not state;
   - numbers: digits (Latin and Arabic-Indic) and Arabic number words (pyarabic), and duals
     whose singular the article uses (هجومان from هجوم);
   - places: a gazetteer, and a head noun with a name (قاعدة/مطار/نهر/بلدة/... + name);
   - actors: titles with a name (الجنرال قاسم سليماني), kunyas (أبو أمين), roles (قائد + an
     organisation), organisations (كتائب/ألوية/قوات/قيادة/البرلمان/... + name) and known actors;
3. turn each mention into a draft: a cloze (the sentence with the mention blanked out) asked as
   multiple choice with three distractors of the same kind from the article (other bases for a
   base, other years for a year), or, when the article has too few of them, as a typed answer.

The result is a QuestionSet that validates against questions.schema. English text the pipeline
cannot produce is marked TODO, so `quizbot questions check` rejects a draft until a person has
reviewed and translated it.
"""

from __future__ import annotations

import calendar
import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import pyarabic.araby as araby
import pyarabic.number as arabic_number
import yaml

from learning.normalize import normalize, normalize_digits
from questions import gazetteer
from questions.schema import QuestionSet

TODO = "TODO(translate)"
BLANK = "____"
MAX_ORGANISATION_WORDS = 4
MAX_NAME_WORDS = 3


# ---------------------------------------------------------------- sentences and tokens

_SENTENCE_END = re.compile(r"(?<=[.!?؟…])\s+")


def split_sentences(text: str) -> list[str]:
    """The article's sentences, verbatim: one per line, lines split after . ! ? ؟ …"""
    sentences = []
    for line in text.splitlines():
        for part in _SENTENCE_END.split(line.strip()):
            if part.strip():
                sentences.append(part.strip())
    return sentences


_TOKEN = re.compile(r"[^\s.,،؛:!?؟\"«»“”()\[\]/]+")


@dataclass(frozen=True)
class Token:
    """A word of a sentence, with where it is."""

    text: str
    start: int
    end: int

    @property
    def plain(self) -> str:
        """The word without diacritics or tatweel."""
        return araby.strip_tashkeel(araby.strip_tatweel(self.text))


def tokenize(sentence: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(sentence)]


def _key(text: str) -> str:
    """The comparison form of a name (hamza, ta marbuta, ... unified; the article kept)."""
    return normalize(text, strip_article=False)


def entity_key(name: str) -> str:
    """What identifies a place or actor, whatever name the article gives it (aliases resolved)."""
    canonical = _ALIAS_KEYS.get(_key(name), name)
    return normalize(canonical)


def _variants(word: str) -> list[tuple[int, str]]:
    """A word and its forms without a one-letter proclitic: (chars skipped, form).

    وكركوك -> كركوك; بقاعدة -> قاعدة; للجنرال -> الجنرال (ل + ال, one char skipped).
    """
    out = [(0, word)]
    if len(word) > 3 and word[0] in "وفبلك":
        rest = word[1:]
        out.append((1, rest))
        if word[0] == "ل" and rest.startswith("ل"):
            out.append((1, "ا" + rest))
        if len(rest) > 3 and rest[0] in "بلك" and word[0] in "وف":
            out.append((2, rest[1:]))
            if rest[0] == "ل" and rest[1:].startswith("ل"):
                out.append((2, "ا" + rest[1:]))
    return out


def _adjacent(sentence: str, left: Token, right: Token) -> bool:
    """Whether only spaces separate two tokens (no comma, no quote)."""
    return sentence[left.end : right.start].strip() == ""


# ---------------------------------------------------------------- mentions


@dataclass(frozen=True)
class Mention:
    """Something a question can ask about, as it appears in one sentence."""

    category: str  # dates | places | actors | numbers
    kind: str  # finer: year, month-year, relative:week; city, base, river; person, group; count
    text: str  # the answer, as the article writes it (a proclitic left out)
    start: int  # the characters to blank out in the sentence
    end: int
    sentence: int  # index of the sentence
    entity: str  # what groups mentions of the same thing (a normalised canonical name)
    en: str | None = None  # the English, when the pipeline knows it
    accepted: tuple[str, ...] = ()  # other forms of the answer
    value: tuple[int, ...] | float | None = None  # numbers: the value; dates: (day, month, year)
    priority: int = 0  # among overlapping candidates, higher wins after length

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass
class Lexicon:
    """The word lists the pipeline uses (the gazetteer module's by default)."""

    places: Mapping[str, tuple[str, str]] = field(default_factory=lambda: dict(gazetteer.PLACES))
    actors: Mapping[str, tuple[str, str]] = field(default_factory=lambda: dict(gazetteer.ACTORS))

    def __post_init__(self) -> None:
        self.place_keys = {_key(k): (k, *v) for k, v in self.places.items()}
        self.actor_keys = {_key(k): (k, *v) for k, v in self.actors.items()}
        self.longest = max((len(k.split()) for k in [*self.place_keys, *self.actor_keys]), default=1)


def _match_known(tokens: Sequence[Token], i: int, table: Mapping[str, tuple[str, str, str]], longest: int):
    """The longest entry of `table` starting at token i: (skip, last token index, entry) or None."""
    for skip, first in _variants(tokens[i].plain):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            words = [first, *(t.plain for t in tokens[i + 1 : i + n])]
            entry = table.get(_key(" ".join(words)))
            if entry is not None:
                return skip, i + n - 1, entry
    return None


# ---- dates


@cache
def _egyptian_months() -> dict[str, int]:
    """Egyptian-form month names -> month number, from dateparser's Arabic locale."""
    from dateparser.languages.loader import default_loader

    info = default_loader.get_locale("ar").info
    months: dict[str, int] = {}
    for number, name in enumerate(calendar.month_name[1:], start=1):
        for word in info.get(name.lower(), []):
            months[word] = number
            months[araby.normalize_hamza(word, method="tasheel")] = number  # اكتوبر, ابريل
    return months


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _date_pattern() -> re.Pattern[str]:
    egy = _alternation(_egyptian_months())
    lev = _alternation(gazetteer.LEVANTINE_MONTHS)
    day = r"[0-9٠-٩]{1,2}"
    year = r"(?:1[89]|20)[0-9]{2}|[١٢][٠-٩]{3}"
    return re.compile(
        rf"(?<!\w)(?:(?P<day>{day})\s+)?"
        rf"(?:(?P<egy>{egy})(?:\s*/\s*(?P<lev>{lev}))?|(?P<lev2>{lev})(?:\s*/\s*(?P<egy2>{egy}))?)"
        rf"(?:\s+(?P<year>{year}))?(?!\w)"
    )


_YEAR = re.compile(r"(?<![\w/])(?:(?:عام|العام|سنة)\s+)?(?P<year>(?:19|20)[0-9]{2}|[١٢][٠-٩]{3})(?![\w/])")


@cache
def _relative_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:[وفب](?=ال|في|هذا))?(?P<rel>{_alternation(gazetteer.RELATIVE_DATES)})(?!\w)")


def _month_of(egy: str | None, lev: str | None, day: str | None, year: str | None) -> int | None:
    if egy:
        import dateparser

        words = " ".join(part for part in (day and normalize_digits(day), egy, year and normalize_digits(year)) if part)
        parsed = dateparser.parse(words, languages=["ar"], settings={"PREFER_DAY_OF_MONTH": "first"})
        if parsed is not None:
            return parsed.month
        return _egyptian_months().get(egy)
    if lev:
        return gazetteer.LEVANTINE_MONTHS.get(lev)
    return None


def _date_mentions(sentence: str, index: int) -> list[Mention]:
    found = []
    for m in _date_pattern().finditer(sentence):
        egy, lev = m.group("egy") or m.group("egy2"), m.group("lev") or m.group("lev2")
        day, year = m.group("day"), m.group("year")
        month = _month_of(egy, lev, day, year)
        if month is None:
            continue
        day_n = int(normalize_digits(day)) if day else 0
        year_n = int(normalize_digits(year)) if year else 0
        if day_n > 31:
            continue
        kind = "day-month-year" if day and year else "day-month" if day else "month-year" if year else "month"
        style = ("egy" if egy else "") + ("lev" if lev else "")
        en = " ".join(
            p for p in (str(day_n) if day_n else "", calendar.month_name[month], str(year_n) if year_n else "") if p
        )
        found.append(
            Mention(
                "dates", f"{kind}:{style}", m.group(), m.start(), m.end(), index, f"date:{day_n}-{month}-{year_n}",
                en=en, accepted=tuple(_date_forms(day_n, month, year_n)), value=(day_n, month, year_n), priority=3,
            )
        )  # fmt: skip
    for m in _YEAR.finditer(sentence):
        year = int(normalize_digits(m.group("year")))
        found.append(
            Mention(
                "dates", "year", m.group("year"), m.start("year"), m.end("year"), index, f"date:0-0-{year}",
                en=str(year), accepted=(f"عام {year}",), value=(0, 0, year), priority=2,
            )
        )  # fmt: skip
    for m in _relative_pattern().finditer(sentence):
        phrase = m.group("rel")
        en, unit, _direction = gazetteer.RELATIVE_DATES[phrase]
        found.append(
            Mention(
                "dates",
                f"relative:{unit}",
                phrase,
                m.start("rel"),
                m.end("rel"),
                index,
                f"rel:{phrase}",
                en=en,
                priority=3,
            )
        )
    return found


def _egyptian_name(month: int) -> str:
    return next(name for name, n in _egyptian_months().items() if n == month)


def _date_forms(day: int, month: int, year: int) -> list[str]:
    """Other ways to write a date: the Egyptian and the Levantine month alone, English."""
    forms = []
    for name in (_egyptian_name(month), gazetteer.LEVANTINE_CANONICAL[month]):
        forms.append(" ".join(p for p in (str(day) if day else "", name, str(year) if year else "") if p))
    english = calendar.month_name[month]
    if day:
        forms.append(f"{english} {day}" + (f" {year}" if year else ""))
    return forms


def render_date(day: int, month: int, year: int, style: str) -> str:
    """A date written the way the article writes its dates (Egyptian, Levantine or both)."""
    names = []
    if "egy" in style or not style:
        names.append(_egyptian_name(month))
    if "lev" in style:
        names.append(gazetteer.LEVANTINE_CANONICAL[month])
    parts = [str(day) if day else "", "/".join(names), str(year) if year else ""]
    return " ".join(p for p in parts if p)


# ---- numbers

_DIGITS = re.compile(
    r"(?<![\w.,٫٬])(?P<n>[0-9]{1,3}(?:[,٬][0-9]{3})+|[0-9٠-٩]+(?:[.٫][0-9٠-٩]+)?)(?![\w])"
    r"(?:\s+(?P<scale>ألف|آلاف|الف|مليون|ملايين|مليار|مليارات)(?!\w))?"
    r"(?P<percent>\s*(?:%|٪|في المئة|في المائة|بالمئة|بالمائة)(?!\w))?"
)
_NOT_COUNTS = {"المئة", "المائة", "الألف", "الالف"}  # "60 في المئة": a unit, not a number
_SCALES = {"ألف": 1e3, "آلاف": 1e3, "الف": 1e3, "مليون": 1e6, "ملايين": 1e6, "مليار": 1e9, "مليارات": 1e9}
_TWICE = {"مرتين": 2, "مرتان": 2}


def _number_mentions(sentence: str, index: int, tokens: Sequence[Token], singulars: set[str]) -> list[Mention]:
    found = []
    for m in _DIGITS.finditer(sentence):
        scale = m.group("scale")
        value = float(normalize_digits(m.group("n")).replace(",", "")) * _SCALES.get(scale or "", 1)
        kind = "percent" if m.group("percent") else f"scaled:{scale}" if scale else "digits"
        end = m.end("scale") if scale else m.end("n")  # the blank leaves "في المئة" in the sentence
        found.append(
            Mention("numbers", kind, sentence[m.start():end], m.start(), end, index, f"n:{m.start()}",
                    en=_english_number(value), value=value)
        )  # fmt: skip
        if m.group("percent"):  # keep the percent words out of the number-word finder
            found.append(Mention("numbers", "unit", m.group("percent"), end, m.end(), index, f"u:{end}", priority=-1))
    plains = [t.plain for t in tokens]
    for first, last in arabic_number.detect_number_phrases_position(plains):
        phrase = " ".join(plains[first : last + 1])
        if any(ch.isdigit() for ch in phrase) or phrase in _NOT_COUNTS:
            continue
        value = arabic_number.text2number(phrase)
        if value:
            start, end = tokens[first].start, tokens[last].end
            found.append(
                Mention("numbers", "words", sentence[start:end], start, end, index, f"n:{start}",
                        en=_english_number(value), accepted=(str(value),), value=float(value))
            )  # fmt: skip
    for token in tokens:
        word = token.plain
        kind, value = "dual", _TWICE.get(word) or _dual_value(word, singulars)
        if word in _NOT_COUNTS:
            continue
        if value is None and word.startswith("ال") and arabic_number.extract_number_phrases(word[2:]) == [word[2:]]:
            kind, value = "words", arabic_number.text2number(word[2:]) or None  # القواعد الثلاث
        if value:
            found.append(
                Mention("numbers", kind, token.text, token.start, token.end, index, f"n:{token.start}",
                        en=_english_number(value), accepted=(str(value),), value=float(value))
            )  # fmt: skip
    return found


def _dual_value(word: str, singulars: set[str]) -> int | None:
    """2 for a dual whose singular the article uses: هجومان (هجوم), قاعدتين (قاعدة); else None."""
    for suffix, restore in (("تان", "ة"), ("تين", "ة"), ("ان", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + restore
            bare = stem[2:] if stem.startswith("ال") else stem
            if len(bare) >= 3 and (stem in singulars or bare in singulars):
                return 2
    return None


def _english_number(value: float | int) -> str:
    n = int(value)
    return f"{n:,}" if n == value else str(value)


# ---- places and actors


def _is_name_word(token: Token, lexicon: Lexicon, *, definite_only: bool) -> bool:
    word = token.plain
    key = _key(word)
    # stop words by their spelling: normalised, على would be the name علي
    if word in _STOP_WORDS or key in _NOT_NAME_KEYS or any(ch.isdigit() for ch in word):
        return False
    if definite_only and not word.startswith("ال") and key not in lexicon.place_keys:
        return False
    return True


_ALIAS_KEYS = {_key(k): v for k, v in gazetteer.ALIASES.items()}
_CITY_COUNTRY = {_key(k): v for k, v in gazetteer.CITY_COUNTRY.items()}
_STOP_WORDS = set(gazetteer.STOP_WORDS)
_NOT_NAME_KEYS = {_key(w) for w in gazetteer.NOT_NAMES}
_NATIONALITY_KEYS = {_key(w) for w in gazetteer.NATIONALITIES}
_PLACE_HEAD_KEYS = {_key(k): v for k, v in gazetteer.PLACE_HEADS.items()}
_ORG_HEAD_KEYS = {_key(k) for k in gazetteer.ORGANISATION_HEADS}
_TITLE_KEYS = {_key(k): k for k in gazetteer.PERSON_TITLES}
_ROLE_KEYS = {_key(k): k for k in gazetteer.ROLE_HEADS}
_KUNYA_KEYS = {_key(k) for k in gazetteer.KUNYA}
_TOPONYM_KEYS = {_key(k) for k in gazetteer.TOPONYM_PREFIXES}
_OFFICE_KEYS = {_key(k) for k in gazetteer.OFFICES}
_ORG_NAME_WORDS = {_key(w) for w in ("حزب", "الله", "أهل", "الحق", "النخبة", "الدفاع", "الخارجية", "الداخلية")}


def _known_mentions(sentence: str, index: int, tokens: Sequence[Token], lexicon: Lexicon) -> list[Mention]:
    """Places and actors of the gazetteer, by name."""
    found = []
    for i, _token in enumerate(tokens):
        for table, category in ((lexicon.actor_keys, "actors"), (lexicon.place_keys, "places")):
            match = _match_known(tokens, i, table, lexicon.longest)
            if match is None:
                continue
            skip, last, (name, en, kind) = match
            start, end = tokens[i].start + skip, tokens[last].end
            text = (
                name if sentence[start:end] != name and _key(sentence[start:end]) == _key(name) else sentence[start:end]
            )
            found.append(Mention(category, kind, text, start, end, index, entity_key(name), en=en, priority=1))
    return found


def _place_mentions(sentence: str, index: int, tokens: Sequence[Token], lexicon: Lexicon) -> list[Mention]:
    """قاعدة/مطار/نهر/... + a name."""
    found = []
    for i, token in enumerate(tokens[:-1]):
        for skip, head in _variants(token.plain):
            kind = _PLACE_HEAD_KEYS.get(_key(head))
            if kind is None or not _adjacent(sentence, token, tokens[i + 1]):
                continue
            known = _match_known(tokens, i + 1, lexicon.place_keys, lexicon.longest)
            if known is not None and known[0] == 0:
                last, (name, name_en, _k) = known[1], known[2]
            elif _is_name_word(tokens[i + 1], lexicon, definite_only=True):
                last, name, name_en = i + 1, tokens[i + 1].plain, None
                if _key(name) in _NATIONALITY_KEYS:
                    continue
            elif (
                _key(tokens[i + 1].plain) in _TOPONYM_KEYS and i + 2 < len(tokens)
                and _adjacent(sentence, tokens[i + 1], tokens[i + 2])
                and _is_name_word(tokens[i + 2], lexicon, definite_only=False)
            ):  # fmt: skip
                last, name, name_en = i + 2, f"{tokens[i + 1].plain} {tokens[i + 2].plain}", None
            else:
                continue
            start, end = token.start + skip, tokens[last].end
            en = gazetteer.PLACE_HEAD_EN[kind].format(name_en.removeprefix("the ")) if name_en else None
            found.append(
                Mention("places", f"head:{kind}", sentence[start:end], start, end, index, entity_key(name), en=en,
                        accepted=(name, *((name_en,) if name_en else ())), priority=2)
            )  # fmt: skip
            break
    return found


def _organisation_end(
    sentence: str, tokens: Sequence[Token], i: int, lexicon: Lexicon, head_definite: bool
) -> int | None:
    """The last token of an organisation name whose head is token i, or None if it has no name."""
    last = i
    for j in range(i + 1, min(len(tokens), i + 1 + MAX_ORGANISATION_WORDS)):
        if not _adjacent(sentence, tokens[j - 1], tokens[j]):
            break
        word = tokens[j].plain
        key = _key(word)
        if key == _key("بقيادة") and j + 1 < len(tokens):
            known = _match_known(tokens, j + 1, lexicon.place_keys, lexicon.longest)
            if known is not None and known[0] == 0:
                last = known[1]
            break
        if _match_known(tokens, j, lexicon.place_keys, lexicon.longest) and key not in _NATIONALITY_KEYS:
            break  # "اتهمت كتائب حزب الله الولايات المتحدة": the next name is someone else
        if key in _ORG_NAME_WORDS or (word.startswith("ال") and _is_name_word(tokens[j], lexicon, definite_only=True)):
            last = j
        else:
            break
    if last == i and not head_definite:
        return None
    return last


def _names_after(
    sentence: str, tokens: Sequence[Token], j: int, lexicon: Lexicon, *, strict: bool = False
) -> list[Token]:
    """The words of a personal name starting at token j, after any nationality adjectives.

    A name word has no article and is no stop word or place; `strict` also stops at a word that
    opens an organisation or a place (وزير النقل سامر حداد في مدينة ...).
    """
    while j < len(tokens) and _key(tokens[j].plain) in _NATIONALITY_KEYS:
        j += 1
    names: list[Token] = []
    while j < len(tokens) and len(names) < MAX_NAME_WORDS and _adjacent(sentence, tokens[j - 1], tokens[j]):
        token = tokens[j]
        if token.plain.startswith("ال") or not _is_name_word(token, lexicon, definite_only=False):
            break
        if _match_known(tokens, j, lexicon.place_keys, lexicon.longest) is not None:
            break
        if strict and (_key(token.plain) in _ORG_HEAD_KEYS or _key(token.plain) in _PLACE_HEAD_KEYS):
            break
        names.append(token)
        j += 1
    return names


def _person(sentence: str, index: int, first: Token, last: Token, accepted: tuple[str, ...] = ()) -> Mention:
    start, end = first.start, last.end
    text = sentence[start:end]
    return Mention("actors", "person", text, start, end, index, entity_key(text), accepted=accepted, priority=2)


def _kunya_end(sentence: str, tokens: Sequence[Token], i: int, lexicon: Lexicon) -> int | None:
    """The last token of a kunya at token i (أبو أمين, أبو مهدي المهندس), or None."""
    if i + 1 >= len(tokens) or not _adjacent(sentence, tokens[i], tokens[i + 1]):
        return None
    name = tokens[i + 1]
    if name.plain.startswith("ال") or not _is_name_word(name, lexicon, definite_only=False):
        return None
    last = i + 1
    if last + 1 < len(tokens) and _adjacent(sentence, tokens[last], tokens[last + 1]):
        nisba = tokens[last + 1]  # المهندس: a definite surname, but not a nationality
        if (
            nisba.plain.startswith("ال")
            and _is_name_word(nisba, lexicon, definite_only=True)
            and _key(nisba.plain) not in _NATIONALITY_KEYS
        ):
            last += 1
    return last


def _role_mention(sentence: str, index: int, tokens: Sequence[Token], i: int, lexicon: Lexicon) -> Mention | None:
    """An office and its organisation at token i: قائد كتائب حزب الله, نائب قائد قوات الحشد الشعبي."""
    for role_key, role in _ROLE_KEYS.items():
        n = len(role.split())
        if i + n >= len(tokens):
            continue
        rest = [t.plain for t in tokens[i + 1 : i + n]]
        skip = next((s for s, w in _variants(tokens[i].plain) if _key(" ".join([w, *rest])) == role_key), None)
        if skip is None:
            continue
        org_last = _organisation_at(sentence, tokens, i + n, lexicon)
        if org_last is None:
            known = _match_known(tokens, i + n, lexicon.actor_keys, lexicon.longest)
            org_last = known[1] if known and known[0] == 0 else None
        if org_last is None:
            continue
        # "قائد قوة النخبة في الحرس الثوري": a role may go on with في + another organisation
        if org_last + 2 < len(tokens) and tokens[org_last + 1].plain == "في":
            org_last = _organisation_at(sentence, tokens, org_last + 2, lexicon) or org_last
        start, end = tokens[i].start + skip, tokens[org_last].end
        text = sentence[start:end]
        return Mention("actors", "role", text, start, end, index, entity_key(text), priority=2)
    return None


def _organisation_at(sentence: str, tokens: Sequence[Token], i: int, lexicon: Lexicon) -> int | None:
    """The last token of an organisation whose head is token i, or None if none starts there."""
    for _skip, word in _variants(tokens[i].plain):
        if _key(word) in _ORG_HEAD_KEYS:
            return _organisation_end(sentence, tokens, i, lexicon, head_definite=word.startswith("ال"))
    return None


def _actor_mentions(sentence: str, index: int, tokens: Sequence[Token], lexicon: Lexicon) -> list[Mention]:
    """Organisations, titled persons, officials, kunyas and roles."""
    found = []
    for i, token in enumerate(tokens):
        for skip, word in _variants(token.plain):
            key = _key(word)
            # organisation: كتائب حزب الله, قوات الحشد الشعبي, البرلمان
            if key in _ORG_HEAD_KEYS:
                last = _organisation_end(sentence, tokens, i, lexicon, head_definite=word.startswith("ال"))
                if last is not None:
                    start, end = token.start + skip, tokens[last].end
                    text = _strip_prefix(sentence[start:end], word, token.plain[skip:])
                    found.append(Mention("actors", "group", text, start, end, index, entity_key(text), priority=1))
                break
            # person with a title: الجنرال الإيراني قاسم سليماني -> قاسم سليماني
            if key in _TITLE_KEYS:
                names = _names_after(sentence, tokens, i + 1, lexicon)
                if names:
                    surname = (names[-1].text,) if len(names) > 1 else ()
                    found.append(_person(sentence, index, names[0], names[-1], surname))
                break
            # office with its portfolio, then a name: وزير النقل سامر حداد -> سامر حداد
            if key in _OFFICE_KEYS and i + 2 < len(tokens) and tokens[i + 1].plain.startswith("ال"):
                names = _names_after(sentence, tokens, i + 2, lexicon, strict=True)
                if len(names) >= 2:
                    found.append(_person(sentence, index, names[0], names[-1], (names[-1].text,)))
                    break
            # kunya: أبو أمين, أبو مهدي المهندس
            if key in _KUNYA_KEYS and skip == 0:
                last = _kunya_end(sentence, tokens, i, lexicon)
                if last is not None:
                    found.append(_person(sentence, index, token, tokens[last]))
                break
        role = _role_mention(sentence, index, tokens, i, lexicon)
        if role is not None:
            found.append(role)
    return found


def _strip_prefix(text: str, head: str, written: str) -> str:
    """The organisation as it is named: للجيش -> الجيش (when a ل stood for the article's alef)."""
    if head != written and head.startswith("ال") and not text.startswith("ال"):
        return "ا" + text
    return text


# ---------------------------------------------------------------- finding everything


@dataclass(frozen=True)
class Analysis:
    """An article's sentences and the mentions found in them."""

    sentences: list[str]
    mentions: list[Mention]


def analyse(text: str, lexicon: Lexicon | None = None) -> Analysis:
    """Split `text` into sentences and find every date, number, place and actor in them."""
    lexicon = lexicon or Lexicon()
    sentences = split_sentences(text)
    all_tokens = [tokenize(s) for s in sentences]
    singulars = {t.plain for tokens in all_tokens for t in tokens}
    mentions: list[Mention] = []
    for index, (sentence, tokens) in enumerate(zip(sentences, all_tokens, strict=True)):
        candidates = [
            *_date_mentions(sentence, index),
            *_known_mentions(sentence, index, tokens, lexicon),
            *_place_mentions(sentence, index, tokens, lexicon),
            *_actor_mentions(sentence, index, tokens, lexicon),
            *_number_mentions(sentence, index, tokens, singulars),
        ]
        mentions += _without_overlaps(candidates)
    return Analysis(sentences, _canonical(mentions, lexicon))


def _without_overlaps(candidates: Sequence[Mention]) -> list[Mention]:
    """The longest candidates first (then the likelier kind), none overlapping another."""
    chosen: list[Mention] = []
    for mention in sorted(candidates, key=lambda m: (-m.length, -m.priority, m.start)):
        if all(mention.end <= other.start or mention.start >= other.end for other in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


def _canonical(mentions: list[Mention], lexicon: Lexicon) -> list[Mention]:
    """Mentions of one thing share an entity; organisations lose words that only one occurrence has.

    "كتائب حزب الله المسؤولية" (once) becomes "كتائب حزب الله" (seen in many sentences); a person
    named once in full and later by surname ("قاسم سليماني", "سليماني") is one person.
    """
    groups = [m for m in mentions if m.category == "actors" and m.kind in ("group", "role")]
    support = Counter()
    for m in groups:
        words = m.text.split()
        for n in range(1, len(words) + 1):
            support[_key(" ".join(words[:n]))] += 1
    out = []
    for m in mentions:
        if m.category == "actors" and m.kind in ("group", "role"):
            words = m.text.split()
            keep = len(words)
            while (
                keep > 2 and support[_key(" ".join(words[:keep]))] < 2
                and support[_key(" ".join(words[: keep - 1]))] >= 2 and _key(words[keep - 2]) != _key("بقيادة")
            ):  # fmt: skip
                keep -= 1
            if keep < len(words):
                text = " ".join(words[:keep])
                cut = m.start + len(text) if m.text.startswith(text) else m.end
                m = replace(m, text=text, end=cut, entity=entity_key(text))
            known = lexicon.actor_keys.get(_key(m.text))
            if known is not None:
                m = replace(m, en=known[1])
            trimmed = _without_trailing_nationality(m.text)
            if trimmed != m.text:
                m = replace(m, accepted=(*m.accepted, trimmed))
        out.append(m)
    persons = [m for m in out if m.category == "actors" and m.kind == "person"]
    full = {m.entity: m for m in persons}
    merged = []
    for m in out:
        if m.category == "actors" and m.kind == "person":
            longer = [p for p in full.values() if p.entity != m.entity and p.entity.endswith(" " + m.entity)]
            if longer:
                m = replace(m, entity=longer[0].entity, accepted=(*m.accepted, longer[0].text))
        merged.append(m)
    return merged


def _without_trailing_nationality(text: str) -> str:
    words = text.split()
    while len(words) > 2 and _key(words[-1]) in _NATIONALITY_KEYS:
        words.pop()
    return " ".join(words)


# ---------------------------------------------------------------- distractors


def _distractors(mention: Mention, analysis: Analysis) -> list[tuple[str, str | None]]:
    """Up to three wrong answers of the same kind, (Arabic, English or None), best first."""
    if mention.category == "numbers":
        return [] if mention.kind == "dual" else _number_distractors(mention, analysis)
    if mention.category == "dates":
        return _date_distractors(mention, analysis)
    in_sentence = {m.entity for m in analysis.mentions if m.sentence == mention.sentence} | _setting(analysis)
    taken: list[Mention] = [mention]
    out: list[tuple[str, str | None]] = []
    for rank in (_same_kind, _compatible_kind):
        for m in analysis.mentions:
            if m.category != mention.category or m.entity in in_sentence or not rank(m, mention):
                continue
            if any(_same_thing(m, t) for t in taken):
                continue
            taken.append(m)
            out.append((m.text, m.en))
    if mention.category == "places" and len(out) < 3:
        out += _gazetteer_places(mention, taken, in_sentence, 3 - len(out))
    if mention.kind == "role" and len(out) < 3:
        out += _made_up_roles(mention, analysis, taken, in_sentence, 3 - len(out))
    return out[:3]


def _made_up_roles(
    mention: Mention, analysis: Analysis, taken: list[Mention], in_sentence: set[str], count: int
) -> list[tuple[str, str | None]]:
    """The answer's office at another organisation of the article: قائد ألوية الطفوف."""
    office = next((k for k in sorted(gazetteer.ROLE_HEADS, key=len, reverse=True) if mention.text.startswith(k)), None)
    if office is None:
        return []
    out: list[tuple[str, str | None]] = []
    for m in analysis.mentions:
        if m.category != "actors" or m.kind != "group" or m.entity in in_sentence:
            continue
        text = f"{office} {m.text}"
        candidate = replace(m, text=text, entity=entity_key(text), kind="role")
        if any(_same_thing(candidate, t) or entity_key(text) == t.entity for t in taken):
            continue
        if any(_words(m.text) <= _words(t.text) for t in taken if t.kind == "role"):
            continue  # "قائد كتائب حزب الله" is there already
        taken.append(candidate)
        out.append((text, None))
        if len(out) == count:
            break
    return out


def _same_thing(a: Mention, b: Mention) -> bool:
    """Whether two mentions may name the same thing: same entity, or one's words inside the other's.

    "الحشد" and "قوات الحشد الشعبي", "التحالف" and "قوات التحالف" may be one actor: never offer
    one as a wrong answer for the other.
    """
    if a.entity == b.entity:
        return True
    wa, wb = _words(a.text), _words(b.text)
    if wa and wb and (wa <= wb or wb <= wa):
        return True
    generic = {normalize(w) for w in ("قوات", "قوة", "بقيادة")}
    na, nb = wa - generic, wb - generic
    return bool(na) and bool(nb) and (na <= nb or nb <= na)


def _words(text: str) -> set[str]:
    """The words of a name, a capital standing for its country (واشنطن = الولايات المتحدة)."""
    words: set[str] = set()
    for word in normalize(text).split():
        words.update(_METONYM_WORDS.get(word, [word]))
    return words


_METONYM_WORDS = {normalize(k): normalize(v).split() for k, v in gazetteer.METONYMS.items()}


def _same_kind(a: Mention, b: Mention) -> bool:
    return a.kind == b.kind


def _compatible_kind(a: Mention, b: Mention) -> bool:
    """Second choice: any place with a head for one with a head; a group for an institution."""
    if a.category == "places":
        # a base for an airport, a town for a city; never a city for a country, a bridge or a river
        return a.kind.startswith("head:") and b.kind.startswith("head:") and _place_class(a) == _place_class(b)
    return {a.kind, b.kind} <= {"group", "institution"}


_PLACE_CLASSES = {
    "settlement": {"city", "town", "village", "area", "province", "island", "camp"},
    "facility": {"base", "airport", "bridge", "dam", "crossing", "port", "field"},
    "water": {"river", "lake"},
}


def _place_class(mention: Mention) -> str:
    kind = mention.kind.removeprefix("head:")
    return next((name for name, kinds in _PLACE_CLASSES.items() if kind in kinds), kind)


def _gazetteer_places(
    mention: Mention, taken: list[Mention], excluded: set[str], count: int
) -> list[tuple[str, str | None]]:
    """Places of the same kind from the gazetteer: rivers for a river, cities for a city."""
    headed = mention.kind.startswith("head:")
    kind = mention.kind.removeprefix("head:")
    if kind not in ("country", "city", "river", "region") or (headed and kind != "river"):
        return []
    head = "نهر " if headed else ""
    taken_entities = {m.entity for m in taken} | excluded
    out: list[tuple[str, str | None]] = []
    english_seen: set[str] = set()
    country = _CITY_COUNTRY.get(_key(mention.text))
    entries = sorted(gazetteer.PLACES.items(), key=lambda item: _CITY_COUNTRY.get(_key(item[0])) != country)
    for name, (en, entry_kind) in entries:
        if entry_kind != kind or entity_key(name) in taken_entities or en in english_seen:
            continue
        if headed and " " in name:
            continue
        english_seen.add(en)
        out.append((head + name, gazetteer.PLACE_HEAD_EN["river"].format(en.removeprefix("the ")) if headed else en))
        if len(out) == count:
            break
    return out


def _round(value: float) -> float:
    """`value` to two significant digits (7800, 2600, 10000)."""
    if value < 10:
        return float(round(value))
    digits = int(math.floor(math.log10(value))) - 1
    return float(round(value, -digits))


def _number_distractors(mention: Mention, analysis: Analysis) -> list[tuple[str, str | None]]:
    """Other numbers of the article of a like size, then made-up neighbours."""
    assert isinstance(mention.value, float)
    value = mention.value
    years = {float(m.value[2]) for m in analysis.mentions if m.category == "dates" and isinstance(m.value, tuple)}
    same_kind = ("digits", "words") if mention.kind in ("digits", "words") else (mention.kind,)
    others = {
        m.value
        for m in analysis.mentions
        if m.category == "numbers" and isinstance(m.value, float) and m.kind in same_kind
    }
    pool = sorted(
        (v for v in others - {value} - years if max(v, value) / max(min(v, value), 1) <= 10),
        key=lambda v: (abs(math.log((v + 1) / (value + 1))), v),
    )
    picked = pool[:3]
    scale = _SCALES.get(mention.kind.partition(":")[2], 1.0)
    base = value / scale
    if base < 10:
        guesses = [base + 1, base + 2, base - 1, base + 3, base + 4]
    else:
        guesses = [_round(base * f) for f in (2, 0.5, 1.5, 3, 0.25, 0.75)]
    for guess in (g * scale for g in guesses):
        if mention.kind == "percent" and guess > 100:
            continue
        if len(picked) < 3 and guess > 0 and guess != value and guess not in picked:
            picked.append(guess)
    out = []
    for v in picked:
        n = int(v)
        if mention.kind == "words" and n == v:
            text = arabic_number.number2text(n)
        elif mention.kind.startswith("scaled:"):
            word = mention.kind.partition(":")[2]
            text = f"{v / _SCALES[word]:g} {word}"
        else:
            text = str(n) if n == v else str(v)
            if "," in mention.text:
                text = f"{n:,}"
        out.append((text, _english_number(v)))
    return out


def _date_distractors(mention: Mention, analysis: Analysis) -> list[tuple[str, str | None]]:
    if mention.kind.startswith("relative"):
        _en, unit, direction = gazetteer.RELATIVE_DATES[mention.text]
        in_sentence = {m.text for m in analysis.mentions if m.sentence == mention.sentence}
        used = {m.text for m in analysis.mentions if m.category == "dates"}
        others = [
            (ar, en)
            for ar, (en, u, d) in gazetteer.RELATIVE_DATES.items()
            if ar not in in_sentence
            and ar not in mention.text
            and mention.text not in ar
            and (u, d) != (unit, direction)
        ]
        # the same unit first (this week for last week), then those the article uses
        others.sort(key=lambda pair: (gazetteer.RELATIVE_DATES[pair[0]][1] != unit, pair[0] not in used))
        return others[:3]
    assert isinstance(mention.value, tuple)
    day, month, year = mention.value
    kind, _, style = mention.kind.partition(":")
    same: list[tuple[int, int, int]] = []
    for m in analysis.mentions:
        if m.category == "dates" and isinstance(m.value, tuple) and m.value != mention.value:
            d, mo, y = m.value
            if not month and y:
                d, mo = 0, 0  # a year: the years of every date are candidates
            if (bool(d), bool(mo), bool(y)) == (bool(day), bool(month), bool(year)) and (d, mo, y) not in same:
                if (d, mo, y) != mention.value:
                    same.append((d, mo, y))
    shifts = [(0, 1), (0, -1), (0, 2), (1, 0), (-1, 0), (0, 3)]
    for dy, dm in ((0, s) for s in (1, -1, 2, -2)) if month else ((s, 0) for s in (1, -1, 2, -2, 3)):
        shifts.append((dy, dm))
    for dy, dm in shifts:
        if len(same) >= 3:
            break
        if month:
            mo = (month - 1 + dm) % 12 + 1
            y = year + dy + (month - 1 + dm) // 12 if year else 0
            candidate = (day, mo, y)
        else:
            candidate = (0, 0, year + (dy or dm))
        if candidate != mention.value and candidate not in same:
            same.append(candidate)
    out = []
    for d, mo, y in same[:3]:
        if mo:
            text = render_date(d, mo, y, style)
            en = " ".join(p for p in (str(d) if d else "", calendar.month_name[mo], str(y) if y else "") if p)
        else:
            text = en = str(y)
        out.append((text, en))
    return out


# ---------------------------------------------------------------- drafts


def _draft_id(category: str, source: str, answer: str) -> str:
    digest = hashlib.sha1(f"{source}\x00{answer}".encode()).hexdigest()[:10]
    return f"d-{category}-{digest}"


def _english(ar: str, en: str | None) -> str:
    return en if en else f"{TODO}: {ar}"


def draft_question(mention: Mention, analysis: Analysis) -> dict:
    """One draft question (as a dict in the set file's shape) asking about `mention`."""
    sentence = analysis.sentences[mention.sentence]
    cloze = sentence[: mention.start] + BLANK + sentence[mention.end :]
    distractors = _distractors(mention, analysis)
    kind = "choice" if len(distractors) == 3 else "typed"
    question: dict = {
        "id": _draft_id(mention.category, sentence, mention.text),
        "category": mention.category,
        "type": kind,
        "difficulty": 2,
        "prompt": {
            "ar": f"أكمل الجملة من المقال: «{cloze}»",
            "en": f"{TODO}: complete the article's sentence: «{cloze}»",
        },
        "answer": {"ar": mention.text, "en": _english(mention.text, mention.en)},
    }
    accepted = [a for a in dict.fromkeys(mention.accepted) if a and _key(a) != _key(mention.text)]
    if accepted:
        question["accepted"] = accepted
    if kind == "choice":
        question["distractors"] = [{"ar": ar, "en": _english(ar, en)} for ar, en in distractors]
    question["explanation"] = {
        "ar": f"الجواب «{mention.text}» كما ورد في المقال.",
        "en": f"{TODO}: the answer is “{_english(mention.text, mention.en)}”, as the article says.",
    }
    question["source"] = sentence
    return question


MAX_TYPED_WORDS = 3  # a typed draft's answer has at most this many words
MAX_DRAFTS_PER_ENTITY = 2  # a place or actor is asked at most this often (its first mentions)
SETTING_SHARE = 0.2  # a country named in this share of the sentences is the setting, not a question


def _setting(analysis: Analysis) -> set[str]:
    """The countries the whole article is about ("العراق" in a report on Iraq): too easy to ask."""
    sentences = Counter(
        entity for entity, _sentence in {(m.entity, m.sentence) for m in analysis.mentions if m.kind == "country"}
    )
    return {e for e, n in sentences.items() if n >= SETTING_SHARE * len(analysis.sentences)}


def derive(text: str, article_name: str, lexicon: Lexicon | None = None) -> QuestionSet:
    """Draft questions for the dates, numbers, places and actors the article states."""
    analysis = analyse(text, lexicon)
    setting = _setting(analysis)
    questions, seen = [], set()
    per_entity: Counter[tuple[str, str, str]] = Counter()
    for mention in analysis.mentions:
        key = (mention.category, mention.entity, mention.sentence)
        if key in seen or mention.entity in setting:
            continue
        seen.add(key)
        if mention.category in ("places", "actors"):
            counted = (
                mention.category,
                mention.kind.removeprefix("head:") if mention.kind.startswith("head:") else "",
                mention.entity,
            )
            per_entity[counted] += 1
            if per_entity[counted] > MAX_DRAFTS_PER_ENTITY:
                continue
        if mention.kind == "unit":
            continue
        if mention.kind == "dual" and _key(mention.text) not in _TWICE:
            continue  # "هجومان": the blank would be the counted noun itself
        question = draft_question(mention, analysis)
        if question["type"] == "typed" and len(mention.text.split()) > MAX_TYPED_WORDS:
            continue  # nobody types a long title exactly; without distractors it is no question
        if question["id"] not in {q["id"] for q in questions}:
            questions.append(question)
    stem = re.sub(r"[^a-z0-9_-]+", "-", Path(article_name).stem.lower()).strip("-_") or "article"
    return QuestionSet.model_validate(
        {
            "id": f"draft-{stem}"[:40],
            "title": {"ar": f"مسودة أسئلة: {article_name}", "en": f"Draft questions: {article_name}"},
            "article": article_name,
            "attribution": "TODO: the article's source and attribution",
            "questions": questions,
        }
    )


def to_yaml(drafts: QuestionSet, article_name: str) -> str:
    """The draft set as a set file, with a header that says what to do with it."""
    data = drafts.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    for question in data["questions"]:
        for empty in ("accepted", "distractors"):
            if not question.get(empty):
                question.pop(empty, None)
    header = (
        f"# Draft questions derived from {article_name} by `quizbot questions derive`.\n"
        "# Review every question: keep, fix or delete it; translate each TODO; check the distractors\n"
        "# are wrong but plausible. Then move it into a set under questions/sets/ and run\n"
        "# `quizbot questions check`. Draft ids are stable for the same sentence and answer.\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=4096)


def derive_file(article: Path, out: Path) -> QuestionSet:
    """Derive drafts from the article file and write them to `out` as YAML."""
    text = Path(article).read_text(encoding="utf-8")
    drafts = derive(text, Path(article).name)
    Path(out).write_text(to_yaml(drafts, Path(article).name), encoding="utf-8")
    return drafts


# ---------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Recall:
    """How many curated answers the drafts find."""

    found: list[str]
    missed: list[str]

    @property
    def share(self) -> float:
        total = len(self.found) + len(self.missed)
        return len(self.found) / total if total else 0.0


def answer_recall(curated: Sequence, drafts: QuestionSet, *, same_sentence: bool = False) -> Recall:
    """The curated choice/typed questions whose answer (in any accepted form) a draft also has.

    With `same_sentence`, the draft must come from the curated question's source sentence.
    """
    from learning.normalize import forms_match

    by_sentence: dict[str, list] = defaultdict(list)
    for draft in drafts.questions:
        by_sentence[draft.source].append(draft)
    found, missed = [], []
    for question in curated:
        if question.answer is None:
            continue
        forms = [question.answer.ar, question.answer.en, *question.accepted]
        pool = by_sentence.get(question.source, []) if same_sentence else list(drafts.questions)
        hit = any(
            forms_match(form, draft_form)
            for draft in pool
            for draft_form in (draft.answer.ar, *draft.accepted)
            for form in forms
        )
        (found if hit else missed).append(question.id)
    return Recall(found, missed)
