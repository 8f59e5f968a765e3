"""The architecture's rules that import-linter cannot see (it follows modules, not names):
no package reaches into another's private names. import-linter's contracts in
pyproject.toml check the rest (pure domain, layers, no cycles) in `make lint`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "facilitator", "participant")


def _modules() -> list[tuple[str, Path]]:
    found = []
    for top in PACKAGES:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found.append((name.removesuffix(".__init__"), path))
    return found


def _owner(module: str) -> str:
    """The package that owns a module: ``shared.<package>`` (or a module of shared/ such
    as ``shared.web``), else the top package (``facilitator``, ``participant``)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "shared" else parts[0]


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_reach_ins(source: str, module: str) -> list[str]:
    """``from other.package import _name`` (or from a ``_private`` module) where the
    other package is not the importer's own."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        if not node.module.startswith(PACKAGES) or _owner(node.module) == _owner(module):
            continue
        if any(_private(part) for part in node.module.split(".")):
            found.append(f"{module}: from {node.module} import ...")
        found += [
            f"{module}: from {node.module} import {alias.name}"
            for alias in node.names
            if _private(alias.name)
        ]
    return found


def test_no_package_imports_another_packages_private_names() -> None:
    problems = []
    for module, path in _modules():
        problems += private_reach_ins(path.read_text(encoding="utf-8"), module)
    assert problems == [], "\n".join(problems)


def test_the_check_sees_a_reach_in() -> None:
    """The rule itself: a feature taking another's private helper is found, its own is not."""
    reach_in = "from shared.sharing.service import _contribution\n"
    assert private_reach_ins(reach_in, "shared.proposals.service") == [
        "shared.proposals.service: from shared.sharing.service import _contribution"
    ]
    assert private_reach_ins(reach_in, "shared.sharing.screens") == []
    public = "from shared.sharing.service import get_contribution\n"
    assert private_reach_ins(public, "shared.proposals.service") == []


def test_every_package_says_what_lives_there_and_who_may_import_it() -> None:
    missing = []
    for top in PACKAGES:
        for init in [ROOT / top / "__init__.py", *sorted((ROOT / top).glob("*/__init__.py"))]:
            if "migrations" in init.parts or "translations" in init.parts:
                continue
            doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
            if not doc or "import" not in doc.lower():
                missing.append(str(init.relative_to(ROOT)))
    assert missing == [], f"packages without a docstring naming who may import them: {missing}"
