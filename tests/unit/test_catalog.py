"""The Dutch catalog is complete and keeps every placeholder of its English source."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

from shared.core.errors import ALL_MESSAGES
from shared.i18n import (
    BEAMER_LEADS,
    PHASE_LABELS,
    PHONE_TASKS,
    ROLE_LABELS,
    SIGNING_PLURALS,
    UI,
    UI_PLURALS,
)

PO = Path(__file__).resolve().parents[2] / "shared/translations/nl/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalog():
    with PO.open("rb") as fh:
        return read_po(fh)


def test_every_message_is_translated_with_the_same_placeholders():
    for message in catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, message.id
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for text in strings:  # every plural form keeps every placeholder
            assert set(PLACEHOLDER.findall(text)) == wanted, message.id


def test_every_string_the_code_marks_is_in_the_catalog():
    ids = {m.id for m in catalog()}
    for table in (ALL_MESSAGES, PHASE_LABELS, BEAMER_LEADS, PHONE_TASKS, ROLE_LABELS, UI):
        missing = set(table.values()) - ids
        assert not missing, f"run `make extract-messages` and translate: {missing}"
    for table in (UI_PLURALS, SIGNING_PLURALS):
        missing = set(table.values()) - ids
        assert not missing, f"run `make extract-messages` and translate: {missing}"
