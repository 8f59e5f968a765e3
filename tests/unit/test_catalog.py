"""Every catalog (Dutch, Arabic, Turkish, Polish; English is the source) is complete,
keeps every placeholder of its English source and has the plural forms its language
needs; the catalogs no native speaker has reviewed say so."""

import re
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from shared.core.errors import ALL_MESSAGES
from shared.i18n import (
    AWAITING_REVIEW,
    BEAMER_LEADS,
    KADER_UI,
    LANGUAGES,
    PARTY_TASKS,
    PHASE_LABELS,
    PHONE_TASKS,
    ROLE_LABELS,
    SIGNING_PLURALS,
    SIGNING_UI,
    UI,
    UI_PLURALS,
    plural_samples,
)

ROOT = Path(__file__).resolve().parents[2] / "shared/translations"
PLACEHOLDER = re.compile(r"\{(\w+)\}|%\((\w+)\)s")
CATALOGS = [lang for lang in LANGUAGES if lang != "en"]


def catalog(lang: str = "nl"):
    with (ROOT / lang / "LC_MESSAGES/messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def names(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def test_every_screen_language_but_the_source_has_a_catalog():
    assert sorted(CATALOGS) == sorted(p.name for p in ROOT.iterdir() if p.is_dir())


@pytest.mark.parametrize("lang", CATALOGS)
def test_every_message_is_translated_with_the_same_placeholders(lang):
    with (ROOT / "messages.pot").open("rb") as fh:
        source = {m.id for m in read_po(fh) if m.id}
    messages = {m.id: m for m in catalog(lang) if m.id}
    assert set(messages) == source, "run `make extract-messages` and translate"
    forms = get_plural(lang).num_plurals
    for message in messages.values():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings) and not message.fuzzy, message.id
        wanted = names(" ".join(ids))
        if isinstance(message.id, tuple):
            assert len(strings) == forms, (lang, message.id)
            # a form may say the count in words ("one dot", Arabic's dual) but adds none
            for text in strings:
                assert names(text) <= wanted, (lang, message.id, text)
            assert set().union(*(names(t) for t in strings)) == wanted, (lang, message.id)
        else:
            assert names(strings[0]) == wanted, (lang, message.id, strings[0])


@pytest.mark.parametrize("lang", CATALOGS)
def test_the_catalog_counts_as_its_language_does(lang):
    header = catalog(lang).plural_forms
    assert header.startswith(f"nplurals={get_plural(lang).num_plurals};"), header


@pytest.mark.parametrize("lang", sorted(AWAITING_REVIEW))
def test_an_unreviewed_catalog_says_so(lang):
    assert "awaiting review by a native speaker" in (catalog(lang).language_team or "")


def test_every_string_the_code_marks_is_in_the_catalog():
    ids = {m.id for m in catalog()}
    tables = (ALL_MESSAGES, PHASE_LABELS, BEAMER_LEADS, PHONE_TASKS, ROLE_LABELS, UI, KADER_UI)
    for table in (*tables, PARTY_TASKS, SIGNING_UI):
        missing = set(table.values()) - ids
        assert not missing, f"run `make extract-messages` and translate: {missing}"
    for table in (UI_PLURALS, SIGNING_PLURALS):
        missing = set(table.values()) - ids
        assert not missing, f"run `make extract-messages` and translate: {missing}"


@pytest.mark.parametrize("lang", CATALOGS)
def test_the_scripts_pick_the_form_the_server_would(lang):
    """The phone picks a plural form by CLDR category (Intl.PluralRules) among forms the
    server made for one sample count per category: for every count, that is the form
    the catalog's own Plural-Forms picks."""
    from babel import Locale
    from babel.support import Translations

    translations = Translations.load(str(ROOT), [lang], "messages")
    rule = Locale.parse(lang).plural_form
    samples = plural_samples(lang)
    one, other = next(iter(UI_PLURALS.values()))
    for n in range(0, 2000):
        assert translations.ungettext(one, other, n) == translations.ungettext(
            one, other, samples[rule(n)]
        ), (lang, n)


def test_the_menu_names_each_language_as_babel_does_in_itself():
    from babel import Locale

    from shared.i18n import ENDONYMS

    assert set(ENDONYMS) == set(LANGUAGES)
    for code, name in ENDONYMS.items():
        own = Locale.parse(code).get_display_name(code) or ""
        assert name == own[:1].upper() + own[1:], (code, name, own)
