"""The bank covers the article: every date, place, actor, key number and quote is asked.

FACTS is the hand-made list of what the article states, each with the article words that state it
(`where`, a fragment of the source sentence) and the answer a question must give (`key`). A fact is
asked when a question drawn from that sentence has the key among its answer forms (choice, typed)
or in its statement or explanation (true/false). The list is also the ground truth that keeps the
bank honest: every key and fragment is checked against the article itself.
"""

from __future__ import annotations

import re

import pytest

from learning.normalize import normalize
from questions.bank import load_sets, read_article
from questions.schema import Category, Question, QuestionType

ARTICLE = "000_7c3ce2b50505d2e6.txt"

# (category, key: the answer as the article words it, where: a fragment of the source sentence)
FACTS: list[tuple[str, str, str]] = [
    # dates
    ("dates", "2014", "في عام 2014"),
    ("dates", "نوفمبر/تشرين الثاني 2017", "وآخر منطقة تستعيدها"),
    ("dates", "ديسمبر/ كانون أول 2017", "وفي ديسمبر/ كانون أول 2017"),
    ("dates", "ديسمبر/ كانون أول 2018", "رحلتي الأخيرة"),
    ("dates", "3 يناير/ كانون الثاني", "قُتل الجنرال سليماني"),
    ("dates", "في وقت سابق من هذا العام", "اغتيال الولايات المتحدة"),
    ("dates", "28 ديسمبر/كانون الأول", "مقاول أمريكي"),
    ("dates", "أكتوبر/تشرين أول 2019", "160 صاروخاً"),
    ("dates", "هذا الأسبوع", "وسيقام احتفال"),
    ("dates", "الأسابيع المقبلة", "سينسحب الجيش الأمريكي"),
    ("dates", "الأسبوع الماضي", "قاعدة التاجي"),
    ("dates", "العام الماضي", "يخططون لمغادرة"),
    ("dates", "الأشهر الأخيرة", "تعرضت القاعدتان"),
    # places
    ("places", "قاعدة القائم", "سينسحب الجيش الأمريكي"),
    ("places", "القائم", "وسيقام احتفال"),
    ("places", "سوريا", "الحدود مع سوريا"),
    ("places", "أقدم محطة قطار في العراق", "على أنقاض"),
    ("places", "نهر الفرات", "على طول نهر الفرات"),
    ("places", "الحدود السورية", "قاعدة مدفعيتها"),
    ("places", "بغداد", "مقابلة بمقر الحشد الشعبي"),
    ("places", "مطار بغداد", "من دون طيار"),
    ("places", "مطار قيارة", "كيو ويست"),
    ("places", "كركوك", "كيو ويست"),
    ("places", "الموصل", "لاستعادة الموصل"),
    ("places", "كركوك", "مقاول أمريكي"),
    ("places", "سوريا والعراق", "غارات جوية أمريكية"),
    ("places", "قاعدة التاجي", "قاعدة التاجي"),
    ("places", "المكان الأول", "في أيدي تنظيم الدولة"),
    # actors: people, groups, institutions, countries
    ("actors", "الحكومة العراقية وإيران", "توترات متزايدة"),
    ("actors", "الجيش العراقي", "ستسلم الولايات المتحدة"),
    ("actors", "تنظيم الدولة الإسلامية", "في أيدي تنظيم الدولة"),
    ("actors", "الميليشيات المدعومة من إيران", "على جانبي الحدود"),
    ("actors", "قوات الحشد الشعبي", "تحت سيطرة إحدى"),
    ("actors", "التحالف بقيادة الولايات المتحدة", "لمحاربة داعش"),
    ("actors", "ألوية الطفوف", "وألوية الطفوف"),
    ("actors", "حرس الثورة الإسلامية الإيراني", "على صلة وثيقة"),
    ("actors", "الجيش العراقي", "بمثابة وسيط"),
    ("actors", "الجماعات المدعومة من إيران", "قوات الأمن العراقية الرسمية"),
    ("actors", "المرشد الأعلى لإيران", "اللوحات الإعلانية"),
    ("actors", "قوات الحشد الشعبي", "وحدها"),
    ("actors", "كتائب حزب الله", "واتهمت كتائب حزب الله"),
    ("actors", "التحالف بقيادة واشنطن", "نفاه التحالف"),
    ("actors", "أبو أمين", "أطلق على نفسه"),
    ("actors", "قاسم سليماني", "اغتيال الولايات المتحدة"),
    ("actors", "قائد قوة النخبة في الحرس الثوري", "قُتل الجنرال سليماني"),
    ("actors", "أبو مهدي المهندس", "قُتل الجنرال سليماني"),
    ("actors", "نائب قائد قوات الحشد الشعبي", "قُتل الجنرال سليماني"),
    ("actors", "البرلمان العراقي", "لطرد جميع القوات الأجنبية"),
    ("actors", "مقاول أمريكي", "مقاول أمريكي"),
    ("actors", "كتائب حزب الله", "وحمّلت كتائب حزب الله"),
    ("actors", "قيادة العمليات المشتركة العراقية", "خطوة غير اعتيادية"),
    ("actors", "بقيت أكثر من اللازم", "بقيت أكثر من اللازم"),
    # numbers
    ("numbers", "3", "من 3 من أصل 8"),
    ("numbers", "8", "من 3 من أصل 8"),
    ("numbers", "مرتين", "لقد سافرت"),
    ("numbers", "علم واحد", "علم واحد فقط"),
    ("numbers", "25", "مما أسفر عن مقتل 25"),
    ("numbers", "25", "ما لا يقل عن 25"),
    ("numbers", "160", "ما لا يقل عن 25"),
    ("numbers", "هجومان", "أسفر هجومان"),
    ("numbers", "ثلاثة", "عن مقتل ثلاثة من عناصر التحالف"),
    ("numbers", "اثنين", "بجروح خطيرة"),
    ("numbers", "ثلاثة", "قتل ثلاثة من أفراد الجيش العراقي"),
    ("numbers", "ضابطي شرطة محليين ومدني واحد", "الهجوم الانتقامي"),
    ("numbers", "5200", "5200 جندي"),
    ("numbers", "عدد القوات", "ليس من الواضح"),
]

# (speaker, a fragment of the quote) for every quote in the article
QUOTES: list[tuple[str, str]] = [
    ("أبو أمين", "سنجعلهم يغادرون إذا لم يرغبوا في المغادرة"),
    ("مسؤول كبير في وزارة الدفاع الأمريكية", "عاملاً رئيسياً في حساب قرار نقل القوات إلى مكان آخر"),
]


def _contains(haystack: str, needle: str) -> bool:
    """Whether `needle` occurs in `haystack` word-wise, once both are normalised."""
    return f" {normalize(needle)} " in f" {normalize(haystack)} "


def _asks(question: Question, key: str) -> bool:
    if question.type is QuestionType.TRUE_FALSE:
        return _contains(question.prompt.ar, key) or _contains(question.explanation.ar, key)
    assert question.answer is not None
    return any(_contains(form, key) for form in (question.answer.ar, question.answer.en, *question.accepted))


@pytest.fixture(scope="module")
def article() -> str:
    return read_article(ARTICLE)


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return [q for s in load_sets() if s.article == ARTICLE for q in s.questions]


def test_the_fact_list_is_the_articles_and_long_enough(article: str) -> None:
    assert len(FACTS) + len(QUOTES) > 40
    for category, key, where in FACTS:
        assert where in article, where
        sentence = next(s for s in re.split(r"(?<=[.!؟?])\s+|\n", article) if where in s)
        assert key in sentence or _contains(sentence, key), (category, key)
    for _speaker, quote in QUOTES:
        assert quote in article


@pytest.mark.parametrize(("category", "key", "where"), FACTS, ids=[f"{c}:{k}@{w[:12]}" for c, k, w in FACTS])
def test_every_fact_is_asked(questions: list[Question], category: str, key: str, where: str) -> None:
    asking = [q for q in questions if where in q.source and _asks(q, key)]
    assert asking, f"no question asks {key!r} from the sentence with {where!r}"


@pytest.mark.parametrize(("speaker", "quote"), QUOTES)
def test_every_quote_is_asked_with_its_speaker(questions: list[Question], speaker: str, quote: str) -> None:
    quoted = [q for q in questions if q.category is Category.QUOTES and quote in q.source]
    assert any(_asks(q, speaker) for q in quoted), f"no quotes question names {speaker} as saying {quote!r}"


def test_all_four_categories_and_three_types_are_well_represented(questions: list[Question]) -> None:
    for category in (Category.DATES, Category.PLACES, Category.ACTORS, Category.NUMBERS):
        assert sum(q.category is category for q in questions) >= 8, category
    for kind in QuestionType:
        assert sum(q.type is kind for q in questions) >= 8, kind


def test_no_question_invents_a_year(questions: list[Question], article: str) -> None:
    # The article never says in which year Soleimani was killed or the contractor died: no year
    # the article does not state may appear in a question, an answer or an explanation.
    years_in_article = set(re.findall(r"\b(?:19|20)\d\d\b", article))
    for q in questions:
        texts = [q.prompt.ar, q.prompt.en, q.explanation.ar, q.explanation.en, *q.accepted]
        texts += [t for option in q.options() for t in (option.ar, option.en)]
        for text in texts:
            invented = set(re.findall(r"\b(?:19|20)\d\d\b", text)) - years_in_article
            assert not invented, (q.id, text)
