"""Lenient comparison of typed answers, in Arabic and English.

Typed answers are graded on a normalised form, so that what a person would call "the same answer"
matches:

* Arabic: diacritics and tatweel are dropped; hamza on alef is plain alef (أ إ آ ٱ = ا), and a
  hamza anywhere else, on its seat or bare (ئ ؤ ء), is one hamza that also matches its seat
  letter (ا و ي) or nothing: القائم = القاءم = القايم, مؤمن = مومن; ta marbuta is read as ha
  (ة = ه) and alef maqsura as ya (ى = ي); Persian ya and kaf count as Arabic; the definite
  article "ال" at the start of a word is ignored (القائم = قائم).
* Digits: Arabic-Indic (٠-٩) and Persian (۰-۹) digits are Latin digits; thousands separators
  between digits are dropped (5,200 = 5200 = ٥٢٠٠); a number written in Arabic words is its
  value (ثلاثة = 3), as is a small English number word (three = 3).
* English: case, punctuation and hyphens are ignored, and so are a leading "the", "a", "an" and
  the transliterated article "al-" (Al-Qaim = Qaim).
* Words around the answer: a leading preposition or head word ("في بغداد", "مدينة بغداد",
  "in Baghdad", "the city of Baghdad"), a title ("الجنرال", "General") and a trailing head noun
  ("Baghdad city", "Qaim base") are ignored.
* Numbers: when the answer is a number, a typed answer that states that one number is right,
  with a leading "في", "سنة", "عام", "in", "year" and a following noun or era mark
  ("عام 2018", "2018م", "5200 جندياً", "8 bases"); a second number ("8 أو 9") is never right.
* A single slip of the keyboard (one letter added, dropped or changed) in one word of at least
  five letters is forgiven; never in a shorter word (Iraq is not Iran), nor in an answer with
  digits (2014 is not 2017), nor at the last letter of a word, where it makes another name
  (سليمان is not سليماني, أمينة is not أمين).

Pure Python (with pyarabic): nothing here imports telegram or sqlalchemy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import pyarabic.araby as araby
import pyarabic.number as arabic_number

from questions.schema import Question, QuestionType

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
HAMZA = "ء"
_LETTERS = str.maketrans(
    {
        "أ": "ا",  # hamza on alef: people type it as a plain alef
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",  # alef wasla
        "ئ": HAMZA,  # hamza on a seat: one hamza, whatever its seat (see _same_word)
        "ؤ": HAMZA,
        "ى": "ي",  # alef maqsura
        "ی": "ي",  # Persian ya
        "ک": "ك",  # Persian kaf
        "ە": "ه",  # Kurdish ae
    }
)
_THOUSANDS = re.compile(r"(?<=\d)[,٬'’ ](?=\d{3}(?!\d))")
_DECIMAL = re.compile(r"(?<=\d)٫(?=\d)")
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")
_DEFINITE = re.compile(r"^(?:وال|بال|ال)(?=\w{2,})")
_ENGLISH_LEADING = {"the", "a", "an", "al", "el"}
_ENGLISH_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "once": 1, "twice": 2,
}  # fmt: skip
SLIP_MIN_LETTERS = 5  # a word shorter than this must be typed exactly
_HAMZA_SEATS = "اوي"
_NUMBER_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")
_NUMBER_TRAILING_MAX = 2  # words after a number: its noun ("جندياً", "bases") or an era mark (م, هـ)
_ARABIC_TRUE = {"صح", "صحيح", "نعم", "true", "yes", "t", "y", "1"}
_ARABIC_FALSE = {"خطا", "خطأ", "غلط", "لا", "false", "no", "f", "n", "0"}


def has_arabic(text: str) -> bool:
    """Whether `text` contains an Arabic letter."""
    return bool(_ARABIC_LETTER.search(text))


def normalize_digits(text: str) -> str:
    """Arabic-Indic and Persian digits as Latin ones, without thousands separators."""
    text = text.translate(_DIGITS)
    text = _DECIMAL.sub(".", text)
    return _THOUSANDS.sub("", text)


def normalize_arabic_word(word: str, *, strip_article: bool = True) -> str:
    """One Arabic word in its comparison form (see the module docstring)."""
    word = araby.strip_tashkeel(araby.strip_tatweel(word))
    word = word.translate(_LETTERS)  # أ إ آ -> ا, ئ ؤ -> ء
    if strip_article:
        # After the hamza forms, so that ألوية and الوية (as people type it) agree. "وال" and
        # "بال" are the article behind a one-letter particle: والعراق, بالعراق.
        word = _DEFINITE.sub("", word)
    return araby.normalize_teh(word)  # ة -> ه


def normalize(text: str, *, strip_article: bool = True) -> str:
    """The comparison form of an answer: lower case, words separated by single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = araby.strip_tashkeel(araby.strip_tatweel(text))  # before splitting: marks are not \w
    text = normalize_digits(text).casefold()
    text = text.replace("_", " ")
    words = [word for word in _NOT_WORD.sub(" ", text).split() if word]
    out: list[str] = []
    for index, word in enumerate(words):
        if has_arabic(word):
            word = normalize_arabic_word(word, strip_article=strip_article)
        elif index == 0 and word in _ENGLISH_LEADING and len(words) > 1:
            continue  # "the Euphrates", "Al Qaim"
        if word:
            out.append(word)
    return " ".join(out)


# Words around an answer that do not change it (compared in normal form; see _core).
_IGNORED_LEADING = {
    normalize(word)
    for word in ("في", "مدينة", "قاعدة", "الجنرال", "in", "at", "city", "of", "base", "general", "gen")
}
_IGNORED_TRAILING = {normalize(word) for word in ("city", "town", "base")}
# Words before a number that still state just that number ("عام 2018", "in the year 2018").
_NUMBER_LEADING = {normalize(word) for word in ("في", "سنة", "عام", "العام", "in", "the", "year")}
# Words after a number that make it another answer ("8 أو 9", "2018 or earlier").
_NUMBER_NOT_AFTER = {normalize(word) for word in ("أو", "او", "or", "to", "إلى", "الى", "not", "ليس")}


def number_value(text: str) -> float | None:
    """The number `text` states, in digits or in Arabic or English words; None if not one number."""
    plain = normalize_digits(unicodedata.normalize("NFKC", text)).strip()
    plain = plain.strip(".،,؟?!")
    if re.fullmatch(r"\d+(?:\.\d+)?", plain):
        return float(plain)
    folded = plain.casefold()
    if folded in _ENGLISH_NUMBERS:
        return float(_ENGLISH_NUMBERS[folded])
    if has_arabic(plain):
        phrase = araby.strip_tashkeel(plain)
        phrases = arabic_number.extract_number_phrases(phrase)
        # Only when the whole text is the number phrase: "ثلاثة" yes, "ثلاثة جنود" no.
        if len(phrases) == 1 and phrases[0].strip() == phrase.strip():
            value = arabic_number.text2number(phrase)
            if value:
                return float(value)
    return None


def stated_number(text: str) -> float | None:
    """The one number a short typed answer states, with the words people put around it.

    "8", "ثماني" and "٢" as number_value reads them, and also after a leading "في", "سنة", "عام",
    "in", "year" and before a noun or an era mark ("عام 2018", "2018م", "2018 هـ", "5200 جندياً",
    "ثماني قواعد", "2 attacks"). None when the text says anything else: another number after the
    first ("8 أو 9"), a word before it that is not one of those ("ليس 8", "more than 8"), or more
    than two words after it.
    """
    value = number_value(text)
    if value is not None:
        return value
    plain = normalize_digits(unicodedata.normalize("NFKC", text))
    words = _NUMBER_TOKEN.findall(araby.strip_tashkeel(araby.strip_tatweel(plain)).casefold())
    while len(words) > 1 and normalize(words[0]) in _NUMBER_LEADING:
        words = words[1:]
    for end in range(len(words), 0, -1):
        value = number_value(" ".join(words[:end]))
        if value is None:
            continue
        rest = words[end:]
        if len(rest) > _NUMBER_TRAILING_MAX:
            return None
        if any(number_value(word) is not None or normalize(word) in _NUMBER_NOT_AFTER for word in rest):
            return None
        return value
    return None


def _hamza_pattern(word: str) -> re.Pattern[str]:
    """A word as a pattern in which its hamza may be any hamza, its seat letter, or left out."""
    return re.compile("".join(f"[{HAMZA}{_HAMZA_SEATS}]?" if ch == HAMZA else re.escape(ch) for ch in word))


def _same_word(a: str, b: str) -> bool:
    """Whether two normalised words are the same, a hamza matching its seat or nothing."""
    if a == b:
        return True
    if HAMZA not in a and HAMZA not in b:
        return False
    return bool(_hamza_pattern(a).fullmatch(b) or _hamza_pattern(b).fullmatch(a))


def _core(words: list[str]) -> list[str]:
    """The words of an answer without a leading preposition, title or head word, nor a trailing
    head noun: "في بغداد", "the city of Baghdad", "Baghdad city" and "General Soleimani" are the
    place or the person. Never the last word left."""
    start, end = 0, len(words)
    while end - start > 1 and words[start] in _IGNORED_LEADING:
        start += 1
    while end - start > 1 and words[end - 1] in _IGNORED_TRAILING:
        end -= 1
    return words[start:end]


def _same_words(want: list[str], got: list[str]) -> bool:
    return len(want) == len(got) and all(_same_word(w, g) for w, g in zip(want, got, strict=True))


def _one_slip(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by one inserted, deleted or replaced character, not at the end.

    The last letter must be right: a slip there is how one name becomes another (سليمان for
    سليماني, أمينة for أمين, Iran for Iraq), so it is never forgiven.
    """
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return i < len(a) - 1 and a[i + 1 :] == b[i + 1 :]
    return i < len(a) and a[i:] == b[i + 1 :]


def forms_match(expected: str, given: str) -> bool:
    """Whether a typed `given` answer is the same as `expected`, leniently."""
    want, got = normalize(expected), normalize(given)
    if not got:
        return False
    if want == got:
        return True
    want_number = number_value(expected)
    if want_number is not None:
        got_number = stated_number(given)
        if got_number is not None:
            return want_number == got_number
    want_words, got_words = _core(want.split()), _core(got.split())
    if _same_words(want_words, got_words):
        return True
    if any(ch.isdigit() for ch in want + got):
        return False
    return _one_word_slipped(want_words, got_words)


def _one_word_slipped(want: list[str], got: list[str]) -> bool:
    """Whether the words are the same but for one slip in one word of at least five letters."""
    if len(want) != len(got):
        return False
    different = [(w, g) for w, g in zip(want, got, strict=True) if not _same_word(w, g)]
    if len(different) != 1:
        return False
    w, g = different[0]
    return max(len(w), len(g)) >= SLIP_MIN_LETTERS and _one_slip(w, g)


def expected_forms(question: Question) -> list[str]:
    """Every form of the right answer of a choice or typed question: Arabic, English, accepted."""
    if question.answer is None:
        return []
    return [question.answer.ar, question.answer.en, *question.accepted]


def matches_any(forms: Iterable[str], given: str) -> bool:
    """Whether `given` matches one of `forms`."""
    return any(forms_match(form, given) for form in forms)


def answers_match(question: Question, text: str) -> bool:
    """Whether `text`, as a person typed it, is a right answer to `question`.

    Choice and typed questions: the answer in either language or any accepted form, leniently.
    True/false questions: a word for true or false (صح/خطأ/نعم/لا/true/false) matching the truth.
    """
    if question.type is QuestionType.TRUE_FALSE:
        word = normalize(text, strip_article=False)
        if word in {normalize(w, strip_article=False) for w in _ARABIC_TRUE}:
            return question.truth is True
        if word in {normalize(w, strip_article=False) for w in _ARABIC_FALSE}:
            return question.truth is False
        return False
    return matches_any(expected_forms(question), text)
