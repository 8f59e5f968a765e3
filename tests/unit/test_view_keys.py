"""The view keys: declared once per feature, documented, and never used unregistered."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import shared.screens  # noqa: F401  (registers every feature's keys)
from shared.core.keys import AUDIENCES, KEYS, YOU_PARTS, audiences_for

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")


def documented_keys() -> dict[str, frozenset[str]]:
    """The table of §3.1: key name -> audiences with a check mark."""
    section = PROTOCOL.split("### 3.1 View keys per audience", 1)[1].split("###", 1)[0]
    found: dict[str, frozenset[str]] = {}
    for line in section.splitlines():
        match = re.match(r"\|\s*`([a-z_]+)(?::<id>)?`\s*\|([^|]*)\|([^|]*)\|([^|]*)\|", line)
        if match:
            marks = [cell.strip() == "✓" for cell in match.groups()[1:]]
            found[match.group(1)] = frozenset(a for a, m in zip(AUDIENCES, marks, strict=True) if m)
    return found


def test_every_registered_key_is_in_the_protocol_reference_with_its_audiences():
    documented = documented_keys()
    assert set(documented) == set(KEYS), (
        f"missing in docs/protocol.md §3.1: {sorted(set(KEYS) - set(documented))}; "
        f"documented but not registered: {sorted(set(documented) - set(KEYS))}"
    )
    for name, key in KEYS.items():
        assert documented[name] == key.audiences, name


def test_every_field_of_you_is_documented():
    section = PROTOCOL.split("#### `you` (phones only)", 1)[1].split("###", 1)[0]
    for part in YOU_PARTS.values():
        for field in part.fields:
            assert f"`{field}`" in section or f"`you.{field}`" in PROTOCOL, (
                f"you.{field} ({part.name}) is not documented"
            )


def test_a_key_nobody_registered_is_refused():
    with pytest.raises(KeyError, match="not registered"):
        audiences_for({"no_such_key"})


def _commit_keys() -> list[tuple[str, int, str]]:
    """Every key literal handed to commit_change (and set literals assigned to a
    variable named ``keys``) in the services."""
    found: list[tuple[str, int, str]] = []
    for path in (ROOT / "shared").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            sets: list[ast.AST] = []
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "commit_change":
                sets = node.args[2:3]
            elif isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(getattr(t, "id", "") in ("keys", "touched") for t in targets):
                    sets = [node.value]
            for value in sets:
                literals = [e for s in ast.walk(value) if isinstance(s, ast.Set) for e in s.elts]
                for element in literals:
                    if isinstance(element, ast.Constant) and isinstance(element.value, str):
                        found.append((str(path.relative_to(ROOT)), element.lineno, element.value))
                    elif isinstance(element, ast.JoinedStr) and element.values:
                        head = element.values[0]
                        if isinstance(head, ast.Constant):
                            found.append(
                                (str(path.relative_to(ROOT)), element.lineno, str(head.value))
                            )
    return found


def test_every_key_a_service_names_is_registered():
    used = _commit_keys()
    assert len(used) > 50  # the scan does find the services' keys
    unknown = [
        f"{path}:{line} {key!r}"
        for path, line, key in used
        if key.split(":", 1)[0] and key.split(":", 1)[0] not in KEYS
    ]
    assert not unknown, unknown
