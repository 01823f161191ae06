"""Lenient comparison of typed answers, in Arabic and English.

Typed answers are graded on a normalised form, so that what a person would call "the same answer"
matches:

* Arabic: diacritics and tatweel are dropped; alef and hamza forms (أ إ آ ٱ ؤ ئ) are unified;
  ta marbuta is read as ha (ة = ه) and alef maqsura as ya (ى = ي); Persian ya and kaf count as
  Arabic; the definite article "ال" at the start of a word is ignored (القائم = قائم).
* Digits: Arabic-Indic (٠-٩) and Persian (۰-۹) digits are Latin digits; thousands separators
  between digits are dropped (5,200 = 5200 = ٥٢٠٠); a number written in Arabic words is its
  value (ثلاثة = 3), as is a small English number word (three = 3).
* English: case, punctuation and hyphens are ignored, and so are a leading "the", "a", "an" and
  the transliterated article "al-" (Al-Qaim = Qaim).
* A single slip of the keyboard (one letter added, dropped or changed) in one word of at least
  five letters is forgiven; never in a shorter word (Iraq is not Iran) nor in an answer with
  digits (2014 is not 2017).

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
_LETTERS = str.maketrans(
    {
        "ٱ": "ا",  # alef wasla
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
    word = word.translate(_LETTERS)
    word = araby.normalize_hamza(word, method="tasheel")  # أ إ آ ؤ ئ -> ا ا ا و ي
    word = word.replace("ء", "")  # a bare hamza is spelled in too many ways to count
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


def _one_slip(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by at most one inserted, deleted or replaced character."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] or (len(a) == len(b) and a[i + 1 :] == b[i + 1 :])


def forms_match(expected: str, given: str) -> bool:
    """Whether a typed `given` answer is the same as `expected`, leniently."""
    want, got = normalize(expected), normalize(given)
    if not got:
        return False
    if want == got:
        return True
    want_number, got_number = number_value(expected), number_value(given)
    if want_number is not None and got_number is not None:
        return want_number == got_number
    if any(ch.isdigit() for ch in want + got):
        return False
    return _one_word_slipped(want.split(), got.split())


def _one_word_slipped(want: list[str], got: list[str]) -> bool:
    """Whether the words are the same but for one slip in one word of at least five letters."""
    if len(want) != len(got):
        return False
    different = [(w, g) for w, g in zip(want, got, strict=True) if w != g]
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
