"""Word diffs of amended texts, and telling namesakes apart: pure functions the console,
beamer, phones and the plan document all show."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.wording import distinct_names, field_changes, word_diff


def texts(segments, *ops):
    return "".join(s.text for s in segments if s.op in ops)


def test_a_changed_word_reads_as_removed_then_added():
    diff = word_diff("Grasveld voor de Lindelaan", "Grasveld achter de Lindelaan")
    assert [(s.op, s.text) for s in diff] == [
        ("same", "Grasveld "),
        ("removed", "voor"),
        ("added", "achter"),
        ("same", " de Lindelaan"),
    ]


def test_neighbouring_changes_join_into_one():
    diff = word_diff("the old red car", "a new blue car")
    assert [s.op for s in diff] == ["removed", "added", "same"]
    assert texts(diff, "removed") == "the old red"
    assert texts(diff, "added") == "a new blue"


@given(st.text(max_size=80), st.text(max_size=80))
def test_a_diff_rebuilds_both_versions(before, after):
    diff = word_diff(before, after)
    assert texts(diff, "same", "removed") == before
    assert texts(diff, "same", "added") == after


def test_field_changes_leave_out_unchanged_fields():
    changes = field_changes(
        {"title": "Speelplek", "where": "voor"},
        {"title": "Speelplek", "where": "achter"},
        ("title", "where", "when"),
    )
    assert list(changes) == ["where"]


def test_namesakes_are_told_apart_by_group_then_by_number():
    labels = distinct_names(
        [
            (1, "Fatima", "Bewoners"),
            (2, "Jan", "Gemeente"),
            (3, "fatima ", "Gemeente"),
            (4, "Fatima", "Bewoners"),
        ]
    )
    assert labels == {
        1: "Fatima (Bewoners)",
        2: "Jan",
        3: "fatima  (Gemeente)",
        4: "Fatima 2 (Bewoners)",
    }


def test_a_unique_name_is_shown_as_typed():
    assert distinct_names([(5, "Ad", "Jongeren")]) == {5: "Ad"}
