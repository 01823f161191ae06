"""The derivation pipeline, piece by piece, and its output: drafts that validate and are honest."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from learning.normalize import forms_match
from questions.bank import article_path, load_set_file
from questions.check import check_sets
from questions.cli import main
from questions.derive import BLANK, analyse, derive, split_sentences
from questions.schema import QuestionSet, QuestionType

ARTICLE = "000_7c3ce2b50505d2e6.txt"


def mentions(text: str, category: str | None = None) -> list[tuple[str, str]]:
    """(category, text) of what the pipeline finds in `text`."""
    return [(m.category, m.text) for m in analyse(text).mentions if category in (None, m.category)]


@pytest.fixture(scope="module")
def article() -> str:
    return article_path(ARTICLE).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def drafts(article: str) -> QuestionSet:
    return derive(article, ARTICLE)


# ---------------------------------------------------------------- sentences


def test_sentences_are_verbatim_and_split_on_arabic_punctuation(article: str) -> None:
    sentences = split_sentences(article)
    assert all(s in article for s in sentences)
    assert "ولم يكن الوضع مريحاً لكلا الجانبين، ولكن كان لديهم عدو مشترك يعملون لهزيمته." in sentences
    assert "كان الجيش العراقي بمثابة وسيط، وغالباً ما كان ينسق العمليات ضد داعش." in sentences
    assert split_sentences("هل انتهى؟ نعم. ربما!") == ["هل انتهى؟", "نعم.", "ربما!"]


# ---------------------------------------------------------------- dates


def test_dates_in_egyptian_and_levantine_forms() -> None:
    found = analyse("وفي ديسمبر/ كانون أول 2017، كان. وفي آذار/مارس 2019 فاض. وفي شباط 2020 عاد.").mentions
    values = [(m.text, m.value, m.en) for m in found if m.category == "dates"]
    assert values == [
        ("ديسمبر/ كانون أول 2017", (0, 12, 2017), "December 2017"),
        ("آذار/مارس 2019", (0, 3, 2019), "March 2019"),
        ("شباط 2020", (0, 2, 2020), "February 2020"),
    ]


def test_a_day_and_month_without_a_year_stays_without_a_year() -> None:
    (date,) = [m for m in analyse("قُتل في 3 يناير/ كانون الثاني في هجوم.").mentions if m.category == "dates"]
    assert date.value == (3, 1, 0)
    assert date.en == "3 January"
    assert not any(ch.isdigit() for form in date.accepted for ch in form.replace("3", ""))


def test_relative_dates_are_found_whole() -> None:
    assert mentions("وأدى الاغتيال، في وقت سابق من هذا العام، إلى زعزعة الاستقرار.", "dates") == [
        ("dates", "في وقت سابق من هذا العام")
    ]
    assert mentions("وفي الأسبوع الماضي، أسفر هجومان.", "dates") == [("dates", "الأسبوع الماضي")]


def test_years_are_dates_not_numbers() -> None:
    assert mentions("في أيدي التنظيم في عام 2014 وآخر منطقة.") == [("dates", "2014")]


# ---------------------------------------------------------------- numbers


def test_numbers_in_digits_and_words() -> None:
    found = analyse("قتل ثلاثة من أفراد الجيش وضابطي شرطة ومدني واحد، ويصل العدد إلى ٥٢٠٠ جندي.").mentions
    values = [(m.text, m.value) for m in found if m.category == "numbers"]
    assert ("ثلاثة", 3.0) in values
    assert ("واحد", 1.0) in values
    assert ("٥٢٠٠", 5200.0) in values


def test_scaled_numbers_percentages_and_duals() -> None:
    found = analyse("سيخدم 40 ألف شخص، والنسبة 60 في المئة. وقع هجوم، ثم أسفر هجومان عن قتلى.").mentions
    values = {m.text: (m.kind, m.value) for m in found if m.category == "numbers"}
    assert values["40 ألف"] == ("scaled:ألف", 40000.0)
    assert values["60"] == ("percent", 60.0)
    assert values["هجومان"] == ("dual", 2.0)  # the article says هجوم, so هجومان is two
    assert "المئة" not in values


# ---------------------------------------------------------------- places


def test_places_from_head_nouns_and_the_gazetteer() -> None:
    text = "وبنيت قاعدة القائم قرب بلدة صغيرة على نهر الفرات، وانسحبت من مطار قيارة وكركوك إلى قاعدة مدفعيتها."
    places = mentions(text, "places")
    assert ("places", "قاعدة القائم") in places
    assert ("places", "نهر الفرات") in places
    assert ("places", "مطار قيارة") in places
    assert ("places", "كركوك") in places  # و+كركوك, without the conjunction
    assert not any("صغيرة" in p or "مدفعيتها" in p for _c, p in places)


def test_unknown_places_are_found_by_their_head() -> None:
    places = mentions("نقلت المساعدات عبر معبر اليعربية إلى بلدة تل تمر.", "places")
    assert places == [("places", "معبر اليعربية"), ("places", "بلدة تل تمر")]


# ---------------------------------------------------------------- actors


def test_titles_kunyas_roles_and_organisations() -> None:
    text = (
        "وأدى اغتيال الولايات المتحدة للجنرال الإيراني قاسم سليماني في العراق. "
        "وقتل إلى جانب أبو مهدي المهندس نائب قائد قوات الحشد الشعبي العراقية. "
        "وقال قائد كتائب حزب الله في مقابلة. واتهمت كتائب حزب الله الولايات المتحدة بالهجوم. "
        "وحمّلت كتائب حزب الله المسؤولية."
    )
    actors = [t for _c, t in mentions(text, "actors")]
    assert "قاسم سليماني" in actors
    assert "أبو مهدي المهندس" in actors
    assert "نائب قائد قوات الحشد الشعبي العراقية" in actors
    assert "قائد كتائب حزب الله" in actors
    # the organisation stops where its name does, not at the next word
    assert actors.count("كتائب حزب الله") == 2
    assert not any("المسؤولية" in a or "الولايات" in a for a in actors if a.startswith("كتائب"))


def test_a_surname_is_the_same_person() -> None:
    found = analyse("اغتيل الجنرال قاسم سليماني. قُتل الجنرال سليماني، قائد القوة.").mentions
    people = [m for m in found if m.kind == "person"]
    assert [p.text for p in people] == ["قاسم سليماني", "سليماني"]
    assert people[0].entity == people[1].entity


# ---------------------------------------------------------------- drafts


def test_drafts_validate_and_quote_the_article(drafts: QuestionSet, article: str) -> None:
    assert len(drafts.questions) >= 40
    assert {q.category.value for q in drafts.questions} >= {"dates", "places", "actors", "numbers"}
    for q in drafts.questions:
        assert q.source in article
        assert BLANK in q.prompt.ar
        assert q.prompt.ar.replace(BLANK, q.answer.ar, 1).endswith(f"«{q.source}»"), q.id


def test_draft_distractors_are_never_the_answer(drafts: QuestionSet) -> None:
    for q in drafts.questions:
        if q.type is QuestionType.CHOICE:
            forms = [q.answer.ar, *q.accepted]
            for d in q.distractors:
                assert not any(forms_match(f, d.ar) for f in forms), (q.id, d.ar)
            assert len({d.ar for d in q.distractors}) == 3


def test_drafts_never_invent_a_year(drafts: QuestionSet) -> None:
    (soleimani,) = [q for q in drafts.questions if q.answer.ar == "3 يناير/ كانون الثاني"]
    texts = [soleimani.answer.ar, soleimani.answer.en, *soleimani.accepted]
    assert not any(year in t for t in texts for year in ("2019", "2020", "2021"))


def test_derive_is_deterministic(article: str, drafts: QuestionSet) -> None:
    assert derive(article, ARTICLE) == drafts


def test_drafts_fail_the_check_only_for_want_of_a_translation(drafts: QuestionSet, article: str) -> None:
    problems = check_sets([drafts], {ARTICLE: article})
    assert problems, "an untranslated draft must not pass the check"
    for problem in problems:
        assert "TODO" in problem.reason or "translation is missing" in problem.reason, str(problem)


def test_the_derive_command_writes_a_loadable_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sets" / "draft.yaml"
    out.parent.mkdir()
    assert main(["derive", str(article_path(ARTICLE)), "--out", str(out)]) == 0
    assert "draft questions written" in capsys.readouterr().out
    loaded = load_set_file(out)
    assert loaded.article == ARTICLE
    assert out.read_text(encoding="utf-8").startswith("# Draft questions derived from")
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["questions"]
    assert main(["check", "--dir", str(out.parent)]) == 1  # TODO translations
