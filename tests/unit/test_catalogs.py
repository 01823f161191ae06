"""Both message catalogs are complete: the same keys, the same placeholders, flagged as brace format."""

import re
import string

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALES


def messages(language: str) -> dict[str, tuple[str, set[str]]]:
    """Each message's text and flags, by key."""
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        texts = {str(m.id): str(m.string) for m in read_po(po, locale=language) if m.id}
    return {key: (text, flags_of(path.read_text(encoding="utf-8"), key)) for key, text in texts.items()}


def flags_of(po: str, key: str) -> set[str]:
    """The `#,` flags written above a message (babel guesses them from the msgid, and our msgids are keys)."""
    for block in re.split(r"\n\s*\n", po):
        if re.search(rf'^msgid "{re.escape(key)}"$', block, re.MULTILINE):
            return {f.strip() for line in re.findall(r"^#,(.*)$", block, re.MULTILINE) for f in line.split(",")}
    return set()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


CATALOGS = {language: messages(language) for language in LANGUAGES}


def test_both_languages_have_the_same_keys() -> None:
    keys = {language: set(catalog) for language, catalog in CATALOGS.items()}
    everyone = set.union(*keys.values())
    assert {language: sorted(everyone - have) for language, have in keys.items()} == {l: [] for l in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_is_left_empty(language: str) -> None:
    assert [key for key, (text, _) in CATALOGS[language].items() if not text.strip()] == []


@pytest.mark.parametrize("key", sorted(CATALOGS["en"]))
def test_every_translation_has_the_same_placeholders_and_is_flagged_when_it_has_any(key: str) -> None:
    found = {language: placeholders(catalog[key][0]) for language, catalog in CATALOGS.items() if key in catalog}
    assert len(set(map(frozenset, found.values()))) == 1, found
    for language, catalog in CATALOGS.items():
        text, flags = catalog.get(key, ("", set()))
        assert ("python-brace-format" in flags) == bool(placeholders(text)), (language, key)
