from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from jurisdictions import procedure
from jurisdictions.loader import PACKS_DIR

# Testland: a fictional country used only by the tests (files only, no Python).
TESTLAND_DIR = Path(__file__).resolve().parent / "packs" / "tl"
BOLIVIA_DIR = PACKS_DIR / "bo"


@pytest.fixture(autouse=True)
def _rules_restored() -> Iterator[None]:
    """Reading a pack registers its rules in memory (`rules_for`): a test that reads a copy
    must not leave it in place of the real one for the tests that follow."""
    loaded = dict(procedure._LOADED)
    yield
    procedure._LOADED.clear()
    procedure._LOADED.update(loaded)


@pytest.fixture
def pack_copy(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A writable copy of a pack (default: Bolivia's) in `tmp_path`."""

    def make(source: Path = BOLIVIA_DIR) -> Path:
        target = tmp_path / source.name
        shutil.copytree(source, target)
        return target

    return make
