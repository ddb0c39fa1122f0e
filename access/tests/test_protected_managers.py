"""Protected models are obtained only through the access and selector layer.

Scans every project module for `<ProtectedModel>.objects` or `._default_manager` /
`._base_manager` uses outside `access/`, `*/selectors.py`, migrations and tests."""

from __future__ import annotations

import ast
from pathlib import Path

from access.registry import PROTECTED_MODELS

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "var", "node_modules", ".git", "migrations", "tests", "benchmarks"}
MANAGER_ATTRS = {"objects", "_default_manager", "_base_manager"}
# Key rotation must re-encrypt every row regardless of visibility: it is key management,
# not a read of survivor data, and it never decrypts a value to plaintext it keeps.
ALLOWED_FILES = {"crypto/rotation.py", "demo/synthetic.py"}


def _protected_names() -> set[str]:
    return {label.split(".")[1] for label in PROTECTED_MODELS}


def violations_in(source: str, names: set[str]) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGER_ATTRS
            and isinstance(node.value, ast.Name)
            and node.value.id in names
        ):
            lines.append(node.lineno)
    return lines


def _is_allowed(path: Path) -> bool:
    rel = path.relative_to(ROOT).as_posix()
    return (
        rel.startswith("access/")
        or path.name == "selectors.py"
        or path.name.startswith("selectors_")
        or rel in ALLOWED_FILES
    )


def test_it_finds_a_manager_use_in_a_sample():
    sample = "from survivors.models import Survivor\nSurvivor.objects.all()\n"
    assert violations_in(sample, {"Survivor"}) == [2]
    assert violations_in("survivor_visible_to(membership=m)\n", {"Survivor"}) == []


def test_it_keeps_protected_managers_inside_the_access_and_selector_layer():
    names = _protected_names()
    found = []
    for path in ROOT.rglob("*.py"):
        if SKIP_DIRS & set(path.relative_to(ROOT).parts) or _is_allowed(path):
            continue
        for line in violations_in(path.read_text(), names):
            found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == [], "protected manager used outside selectors: " + ", ".join(found)
