"""How good is `quizbot questions derive`? Measured, not hoped.

* Recall: the share of the curated bank's answers (choice and typed questions) that the drafts
  derived from the same article also have, in any accepted form ("anywhere in the article"), and
  the stricter share found in the curated question's own source sentence. Also with a gazetteer
  that knows none of the article's names, to see what the patterns alone find.
* Precision: the share of the drafts a reviewer can use as they are (once translated), against
  the hand labels below. A draft is unusable when its answer is not a fact of its kind, when a
  distractor is absurd or a second right answer, or when the blank cannot be answered.
* Two short texts of our own making, so the pipeline is not tuned to one article: recall against
  a hand list of each text's facts, precision against hand labels. The second text
  (tests/data/second_article.txt) was used while the pipeline was being written, so its figures
  flatter it. The third (tests/data/third_article.txt) was written afterwards and measured blind
  before any change: recall 18/26 = 69%, precision 12/20 = 60%. Its failures (the stop word على
  read as the name علي, "المئة" taken for a number, scaled numbers and percents given absurd
  distractors, Washington offered for Basra, no قضاء/ناحية/مستشفى heads) were then fixed in
  general, not for its words; the test reports its figures since.

Run `pytest tests/unit/test_derive_measure.py -q -s` to print the figures.

The labels are keyed by draft id (a hash of the source sentence and the answer). When the
pipeline changes, a test below names the drafts nobody has labelled yet: label them by reading
the draft (`quizbot questions derive ARTICLE --out DRAFT.yaml`), don't guess.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from learning.normalize import forms_match
from questions import gazetteer
from questions.bank import load_sets, read_article
from questions.derive import Lexicon, answer_recall, derive
from questions.schema import QuestionSet

ARTICLE = "000_7c3ce2b50505d2e6.txt"
SECOND = Path(__file__).resolve().parents[1] / "data" / "second_article.txt"
THIRD = Path(__file__).resolve().parents[1] / "data" / "third_article.txt"

RECALL_FLOOR = 0.80
PRECISION_FLOOR = 0.75

# Hand labels: is the draft usable as it is (once translated)? Reasons given for every "no".
ARTICLE_LABELS: dict[str, bool] = {
    "d-actors-09c11f8c99": True,  # الحكومة العراقية
    "d-places-fec05179f6": True,  # إيران
    "d-places-6d1f135050": True,  # الولايات المتحدة
    "d-numbers-0c8268d121": True,  # 3
    "d-actors-e34e1d519f": True,  # الجيش الأمريكي
    "d-dates-50c6096ad4": False,  # الأسابيع المقبلة: 'this week' is the ceremony: arguably right too
    "d-places-d03926e44b": False,  # قاعدة القائم: Qayyarah is one of the other two bases: a second right answer
    "d-numbers-e544ccf9da": True,  # 3
    "d-numbers-cb151052f3": False,  # 8: '3 out of 2' is absurd
    "d-places-43bff15195": True,  # الولايات المتحدة
    "d-actors-cc85ff8aef": True,  # الحكومة العراقية
    "d-places-c78b1bf848": True,  # إيران
    "d-dates-1c8354ea80": True,  # هذا الأسبوع
    "d-places-f0b93bc267": True,  # القائم
    "d-actors-d117021c57": False,  # الجيش العراقي: the army is part of the security forces offered
    "d-places-770463299e": False,  # سوريا: 'border with the United States' is absurd
    "d-places-5cf47c2bec": True,  # نهر الفرات
    "d-actors-0a60592b9f": True,  # تنظيم الدولة الإسلامية
    "d-dates-3534a5aa73": True,  # 2014
    "d-dates-51b1538c42": True,  # نوفمبر/تشرين الثاني 2017
    "d-actors-9da881e2c4": True,  # تنظيم الدولة
    "d-actors-40e58dc9cf": False,  # قوات الأمن العراقية: the Iraqi army fits the blank as well
    "d-places-7b66466cf2": True,  # القائم
    "d-actors-474117bdc3": False,  # قوات الحشد الشعبي: Kataib Hezbollah is also one of 'those militias'
    "d-numbers-b60f69e35e": True,  # مرتين
    "d-dates-f3a4bbba8a": True,  # العامين الماضيين
    "d-dates-b3a298ab09": True,  # ديسمبر/ كانون أول 2017
    "d-actors-71f20a2314": True,  # التحالف بقيادة الولايات المتحدة
    "d-actors-c42f1668ed": True,  # الحشد الشعبي
    "d-actors-14b2556c0c": False,  # كتائب حزب الله: parliament and government offered as PMF groups
    "d-actors-eac82bac9a": False,  # ألوية الطفوف: parliament and government offered as PMF groups
    "d-actors-a7ac19b779": True,  # حرس الثورة الإسلامية الإيراني
    "d-actors-97cb8e0cb2": False,  # الجيش العراقي: the security forces include the army
    "d-dates-ac53d3f100": True,  # ديسمبر/ كانون أول 2018
    "d-actors-c8cb1e22cc": True,  # قوات الأمن العراقية
    "d-numbers-fed758464d": True,  # واحد
    "d-actors-98065978de": True,  # المرشد الأعلى لإيران
    "d-actors-b8c9dd6e18": True,  # كتائب حزب الله
    "d-actors-fa286b00fd": True,  # التحالف بقيادة واشنطن
    "d-actors-b1b6ec722b": True,  # قائد كتائب حزب الله
    "d-actors-21a5f34f69": True,  # أبو أمين
    "d-places-bfa328abfa": True,  # بغداد
    "d-actors-bd713761ed": True,  # قاسم سليماني
    "d-dates-095aece389": True,  # في وقت سابق من هذا العام
    "d-actors-4cbdf93d82": True,  # سليماني
    "d-actors-035938a489": True,  # قائد قوة النخبة في الحرس الثوري الإيراني
    "d-dates-ecb43b7107": True,  # 3 يناير/ كانون الثاني
    "d-places-c559721593": True,  # مطار بغداد
    "d-actors-eeb72691b2": True,  # أبو مهدي المهندس
    "d-actors-e9ff0bcb7e": True,  # نائب قائد قوات الحشد الشعبي العراقية
    "d-actors-a79c034ac2": True,  # البرلمان العراقي
    "d-dates-e2639487df": False,  # العام الماضي: 'since next year' / 'since later this year' are absurd
    "d-actors-baaf40f0d7": True,  # قوات التحالف
    "d-actors-74471cddcb": True,  # مسؤول كبير في وزارة الدفاع الأمريكية
    "d-actors-2e0d7a4889": True,  # بي بي سي
    "d-places-0c46956a89": True,  # مطار قيارة
    "d-places-ad323cd561": False,  # كركوك: Al-Qaim is also being left: a second right answer
    "d-places-3d28c4e5c4": True,  # قاعدة القيارة
    "d-places-2dca17fd6b": True,  # الموصل
    "d-dates-15669f7eef": True,  # الأشهر الأخيرة
    "d-places-224c13ae7e": True,  # كركوك
    "d-dates-ec0a647c0f": True,  # 28 ديسمبر/كانون الأول
    "d-places-7eee08988f": False,  # سوريا: 'strikes in the United States' is absurd
    "d-numbers-3f08df4409": True,  # 25
    "d-numbers-e690fdc87b": True,  # 25
    "d-numbers-7299298507": True,  # 160
    "d-dates-db21bb9c93": True,  # أكتوبر/تشرين أول 2019
    "d-dates-0e483333c3": True,  # الأسبوع الماضي
    "d-places-ee73423c5a": True,  # قاعدة التاجي
    "d-numbers-b80158b069": True,  # ثلاثة
    "d-actors-d19a5d8db5": True,  # التحالف
    "d-numbers-1dd8a140f6": True,  # اثنين
    "d-numbers-f052450827": True,  # ثلاثة
    "d-numbers-227c50ddbf": True,  # واحد
    "d-actors-50912998aa": True,  # قيادة العمليات المشتركة العراقية
    "d-actors-684b041dee": True,  # البرلمان
    "d-numbers-6ee91ee0ce": True,  # 5200
    "d-numbers-854bbac3a1": True,  # الثلاث
}

SECOND_LABELS: dict[str, bool] = {
    "d-places-9c3e49d1d4": True,  # نهر الخابور
    "d-actors-af00b3041c": True,  # وزارة النقل السورية
    "d-places-88102bc531": True,  # جسر الصالحية
    "d-places-1ea5e566f8": True,  # نهر الخابور
    "d-dates-8818d75d4e": True,  # آذار/مارس 2019
    "d-actors-0a0d1e5bc4": True,  # سامر حداد
    "d-places-509d4faa48": True,  # مدينة الحسكة
    "d-numbers-9df38188ea": True,  # 40 ألف
    "d-numbers-3376012b8a": True,  # 12 مليون
    "d-actors-dd5cf791c5": True,  # الأمم المتحدة
    "d-numbers-b382462060": True,  # ثلاثة
    "d-places-21ee165e0e": True,  # محافظة الحسكة
    "d-numbers-4aafbd2de4": True,  # 900
    "d-places-9de2a535a3": True,  # بلدة الشدادي
    "d-numbers-017e9996a3": True,  # 350
    "d-actors-7ad52ba353": True,  # أبو خالد الجبوري
    "d-dates-bc82e6400f": True,  # 15 أيلول/سبتمبر 2020
    "d-dates-5544bba60b": True,  # يونيو/ حزيران
    "d-places-7622c094b6": True,  # بلدة تل تمر
    "d-places-7f0a15c8d8": True,  # مطار القامشلي
    "d-numbers-cff568d3ed": True,  # 80
    "d-actors-8c5b79e0a9": True,  # منظمة الهلال الأحمر العربي السوري
    "d-places-6dfb67dc6b": True,  # معبر اليعربية
    "d-dates-c272f90fa2": True,  # الأسابيع الماضية
    "d-actors-63be62e9c0": True,  # الحكومة السورية
    "d-places-8e8de0138e": True,  # سد الحسكة
    "d-numbers-eb5f177e81": True,  # 233 مليون
    "d-actors-fc6e7410f0": True,  # ألكسندر تشايكو
    "d-places-0086c292e2": False,  # سوريا: 'سوريا' here is part of the name قوات سوريا الديمقراطية
    "d-dates-b98e0ac038": True,  # ديسمبر/ كانون الأول
}
THIRD_LABELS: dict[str, bool] = {
    "d-places-fe6424bfa4": True,  # العراق
    "d-actors-3552bb8014": True,  # وزارة الصحة العراقية
    "d-numbers-691a39526f": True,  # 600 ألف
    "d-places-8192557385": True,  # محافظة البصرة
    "d-numbers-1114c7a4e5": True,  # 1200
    "d-dates-d9fca4864b": True,  # كانون الثاني/يناير 2023
    "d-places-63d9c115ca": True,  # البصرة
    "d-places-23465325dc": True,  # قضاء الزبير
    "d-actors-56bfbf28f0": True,  # منظمة الصحة العالمية
    "d-numbers-a5d3018387": True,  # 400 ألف
    "d-places-2e1952e694": True,  # ميناء أم قصر
    "d-dates-2fb2122e02": True,  # شباط/فبراير
    "d-numbers-ed8308bbc9": True,  # خمسة
    "d-places-63478e7488": True,  # مستشفى البصرة
    "d-actors-887e4e4478": True,  # أبو علي الموسوي
    "d-numbers-5b78ef84ad": True,  # 60
    "d-places-9c1564c198": True,  # مدينة الناصرية
    "d-places-a613a0fc77": True,  # محافظة ذي قار
    "d-dates-4e8e39d0d5": False,  # الأسابيع المقبلة: 'is due to reach ... last week' contradicts the future tense
    "d-actors-49f6821227": True,  # الحكومة العراقية
    "d-numbers-ba0060f1ec": True,  # 3 ملايين
    "d-dates-24d8a77b8c": True,  # هذا العام
}

# The facts of the second text, as its answers (dates, places, actors, numbers).
SECOND_FACTS = [
    "آذار/مارس 2019", "15 أيلول/سبتمبر 2020", "يونيو/ حزيران", "ديسمبر/ كانون الأول", "الأسابيع الماضية",
    "نهر الخابور", "جسر الصالحية", "مدينة الحسكة", "محافظة الحسكة", "بلدة الشدادي", "بلدة تل تمر",
    "مطار القامشلي", "معبر اليعربية", "سد الحسكة",
    "وزارة النقل السورية", "سامر حداد", "الأمم المتحدة", "أبو خالد الجبوري",
    "منظمة الهلال الأحمر العربي السوري", "الحكومة السورية", "ألكسندر تشايكو", "قوات سوريا الديمقراطية",
    "40 ألف", "12 مليون", "ثلاثة", "900", "350", "80", "233 مليون", "عامين",
]  # fmt: skip

# The facts of the third text.
THIRD_FACTS = [
    "كانون الثاني/يناير 2023", "شباط/فبراير", "الأسابيع المقبلة", "هذا العام",
    "العراق", "محافظة البصرة", "البصرة", "قضاء الزبير", "ناحية سفوان", "ميناء أم قصر", "مستشفى البصرة العام",
    "مدينة الناصرية", "محافظة ذي قار",
    "وزارة الصحة العراقية", "عباس التميمي", "منظمة الصحة العالمية", "منظمة يونيسف", "أبو علي الموسوي",
    "الحكومة العراقية",
    "600 ألف", "1200", "400 ألف", "خمسة", "60", "3 ملايين", "أسبوعين",
]  # fmt: skip


@pytest.fixture(scope="module")
def article_text() -> str:
    return read_article(ARTICLE)


@pytest.fixture(scope="module")
def drafts(article_text: str) -> QuestionSet:
    return derive(article_text, ARTICLE)


@pytest.fixture(scope="module")
def second_drafts() -> QuestionSet:
    return derive(SECOND.read_text(encoding="utf-8"), SECOND.name)


@pytest.fixture(scope="module")
def third_drafts() -> QuestionSet:
    return derive(THIRD.read_text(encoding="utf-8"), THIRD.name)


@pytest.fixture(scope="module")
def curated() -> list:
    return [q for s in load_sets() if s.article == ARTICLE for q in s.questions]


def precision(drafts: QuestionSet, labels: dict[str, bool]) -> tuple[int, int]:
    usable = sum(labels[q.id] for q in drafts.questions)
    return usable, len(drafts.questions)


def fact_recall(drafts: QuestionSet, facts: list[str]) -> tuple[list[str], list[str]]:
    forms = [form for q in drafts.questions for form in (q.answer.ar, *q.accepted)]
    found = [fact for fact in facts if any(forms_match(fact, form) for form in forms)]
    return found, [fact for fact in facts if fact not in found]


def test_every_draft_is_labelled(drafts: QuestionSet, second_drafts: QuestionSet, third_drafts: QuestionSet) -> None:
    pairs = [(drafts, ARTICLE_LABELS), (second_drafts, SECOND_LABELS), (third_drafts, THIRD_LABELS)]
    unlabelled = [q.id for d, labels in pairs for q in d.questions if q.id not in labels]
    assert not unlabelled, f"label these drafts by hand: {unlabelled}"
    stale = [i for d, labels in pairs for i in sorted(set(labels) - {q.id for q in d.questions})]
    assert not stale, f"these labelled drafts are no longer derived: {stale}"


def test_recall_on_the_curated_bank(drafts: QuestionSet, curated: list) -> None:
    assert answer_recall(curated, drafts).share >= RECALL_FLOOR


def test_precision_against_the_hand_labels(drafts: QuestionSet) -> None:
    usable, total = precision(drafts, ARTICLE_LABELS)
    assert usable / total >= PRECISION_FLOOR


def test_the_texts_of_our_own(second_drafts: QuestionSet, third_drafts: QuestionSet) -> None:
    for drafts, facts, labels in (
        (second_drafts, SECOND_FACTS, SECOND_LABELS),
        (third_drafts, THIRD_FACTS, THIRD_LABELS),
    ):
        found, _missed = fact_recall(drafts, facts)
        assert len(found) / len(facts) >= RECALL_FLOOR
        usable, total = precision(drafts, labels)
        assert usable / total >= PRECISION_FLOOR


def test_report_the_figures(
    drafts: QuestionSet, second_drafts: QuestionSet, third_drafts: QuestionSet, curated: list, article_text: str
) -> None:
    anywhere = answer_recall(curated, drafts)
    same_sentence = answer_recall(curated, drafts, same_sentence=True)
    unknown_names = Lexicon(
        places={k: v for k, v in gazetteer.PLACES.items() if k not in article_text},
        actors={k: v for k, v in gazetteer.ACTORS.items() if k not in article_text},
    )
    patterns_only = answer_recall(curated, derive(article_text, ARTICLE, unknown_names))
    usable, total = precision(drafts, ARTICLE_LABELS)
    n = len(anywhere.found) + len(anywhere.missed)
    lines = [
        "",
        f"derive on {ARTICLE}: {total} drafts",
        f"  recall, curated answers found anywhere:        {len(anywhere.found)}/{n} = {anywhere.share:.0%}",
        f"  recall, found in the curated source sentence:  {len(same_sentence.found)}/{n} = {same_sentence.share:.0%}",
        f"  recall, gazetteer without the article's names: {len(patterns_only.found)}/{n} = {patterns_only.share:.0%}",
        f"  precision, usable drafts (hand-labelled):      {usable}/{total} = {usable / total:.0%}",
        f"  curated answers not found: {', '.join(anywhere.missed)}",
    ]
    for path, texts_drafts, facts, labels in (
        (SECOND, second_drafts, SECOND_FACTS, SECOND_LABELS),
        (THIRD, third_drafts, THIRD_FACTS, THIRD_LABELS),
    ):
        found, missed = fact_recall(texts_drafts, facts)
        text_usable, text_total = precision(texts_drafts, labels)
        lines += [
            f"derive on {path.name}: {text_total} drafts",
            f"  recall, facts found:       {len(found)}/{len(facts)} = {len(found) / len(facts):.0%}",
            f"  precision, usable drafts:  {text_usable}/{text_total} = {text_usable / text_total:.0%}",
            f"  facts not found: {', '.join(missed)}",
        ]
    print("\n".join(lines))
