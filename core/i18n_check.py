"""Find Amparo's translatable strings without GNU gettext, and check the English catalogue.

`manage.py makemessages` needs xgettext; this module does not, so the test suite can tell on
any machine whether a Spanish string was added without its English translation
(core/tests/test_i18n.py, docs/translations.md). It extracts what makemessages extracts:

- Python: calls to the gettext family (`_`, `gettext`, `gettext_lazy`, `pgettext`, ...) whose
  message arguments are string literals, read with `ast`.
- Templates (.html, .txt): `{% translate %}` and `{% blocktranslate %}` (and the old `trans`
  spellings), through Django's own `templatize`, the function makemessages uses to turn a
  template into the gettext calls xgettext reads. So `%(name)s` variables, `trimmed`,
  `context` and plural blocks come out exactly as they do in the catalogue.

Needs polib (a development dependency): it is only imported by the tests.
"""

from __future__ import annotations

import ast
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polib
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
CATALOGUE_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
CATALOGUE_MO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"

# Folders never scanned (besides hidden ones): the virtualenv, runtime data, migrations,
# tests (their strings are fixtures, not interface) and generated output.
SKIP_DIRS = frozenset(
    {".venv", "venv", "var", "migrations", "tests", "node_modules", "__pycache__", "locale"}
)
PYTHON_SUFFIXES = frozenset({".py"})
TEMPLATE_SUFFIXES = frozenset({".html", ".txt"})  # makemessages' defaults for "django"

# Argument positions of (context, singular, plural) for each gettext-family function,
# as makemessages passes them to xgettext with --keyword.
_Spec = tuple[int | None, int, int | None]
KEYWORDS: dict[str, _Spec] = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}

# A Python string literal as `templatize` writes it (repr(), with a `u` prefix, or a template
# `_("...")` constant copied as is).
_LITERAL = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_TEMPLATE_CALL_RE = re.compile(
    r"(?<![\w.])(?P<func>npgettext|pgettext|ngettext|gettext|_)\("
    rf"(?P<args>\s*{_LITERAL}(?:\s*,\s*{_LITERAL})*)"
)
_LITERAL_RE = re.compile(_LITERAL)
# printf-style placeholders: %(name)s, %s, %d ... (not the escaped %%).
_PLACEHOLDER_RE = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.\d+)?[a-zA-Z]")

Key = tuple[str | None, str]  # (context, msgid), how a catalogue entry is identified


@dataclass(frozen=True)
class Message:
    """One translatable string found in the source, and where."""

    msgid: str
    context: str | None = None
    plural: str | None = None
    path: str = ""
    line: int = 0

    @property
    def key(self) -> Key:
        return (self.context, self.msgid)

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


def _message_from_args(args: list[str | None], spec: _Spec, path: str, line: int) -> Message | None:
    """Build a Message when every argument the spec names is a string literal."""

    def arg(position: int | None) -> str | None:
        return args[position] if position is not None and position < len(args) else None

    context_pos, singular_pos, plural_pos = spec
    msgid, context, plural = arg(singular_pos), arg(context_pos), arg(plural_pos)
    if msgid is None or (context is None) != (context_pos is None):
        return None
    if (plural is None) != (plural_pos is None):
        return None
    return Message(msgid=msgid, context=context, plural=plural, path=path, line=line)


def extract_python(source: str, path: str = "<string>") -> list[Message]:
    """Strings passed as literals to the gettext family in Python source."""
    found: list[Message] = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = (
            func.id
            if isinstance(func, ast.Name)
            else func.attr
            if isinstance(func, ast.Attribute)
            else None
        )
        if name not in KEYWORDS:
            continue
        args = [
            arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
            for arg in node.args
        ]
        message = _message_from_args(args, KEYWORDS[name], path, node.lineno)
        if message is not None:
            found.append(message)
    return sorted(found, key=lambda m: (m.line, m.msgid))


def extract_template(source: str, path: str = "<string>") -> list[Message]:
    """Strings of a Django template, as makemessages sees them (via `templatize`)."""
    python_ish = templatize(source, origin=path)
    found: list[Message] = []
    for match in _TEMPLATE_CALL_RE.finditer(python_ish):
        args: list[str | None] = []
        for literal in _LITERAL_RE.findall(match["args"]):
            value = ast.literal_eval(literal)
            args.append(value if isinstance(value, str) else None)
        line = python_ish.count("\n", 0, match.start()) + 1
        message = _message_from_args(args, KEYWORDS[match["func"]], path, line)
        if message is not None:
            found.append(message)
    return found


def iter_source_files(root: Path = ROOT) -> Iterator[Path]:
    """Python files and templates under root, skipping SKIP_DIRS and hidden folders."""
    suffixes = PYTHON_SUFFIXES | TEMPLATE_SUFFIXES
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if Path(name).suffix in suffixes and not name.startswith("."):
                yield Path(dirpath) / name


def extract_file(path: Path, root: Path = ROOT) -> list[Message]:
    source = path.read_text(encoding="utf-8")
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    if path.suffix in PYTHON_SUFFIXES:
        return extract_python(source, shown)
    return extract_template(source, shown)


def extract_project(root: Path = ROOT) -> list[Message]:
    """Every translatable string of the project's own code and templates."""
    return [message for path in iter_source_files(root) for message in extract_file(path, root)]


def load_po(path: Path = CATALOGUE_PO) -> polib.POFile:
    return polib.pofile(str(path))


def _is_translated(entry: polib.POEntry) -> bool:
    if entry.obsolete or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def missing_translations(messages: Iterable[Message], catalogue: polib.POFile) -> list[Message]:
    """Messages with no usable translation: absent, fuzzy, obsolete, empty, or a plural
    message whose entry lacks its plural forms."""
    entries: dict[Key, polib.POEntry] = {
        (entry.msgctxt, entry.msgid): entry for entry in catalogue if not entry.obsolete
    }
    missing = []
    for message in messages:
        entry = entries.get(message.key)
        if (
            entry is None
            or not _is_translated(entry)
            or (message.plural is not None and entry.msgid_plural != message.plural)
        ):
            missing.append(message)
    return missing


def format_messages(messages: Iterable[Message]) -> str:
    """One line per distinct string, with every place it appears."""
    places: dict[Key, list[str]] = defaultdict(list)
    for message in messages:
        places[message.key].append(message.location)
    lines = []
    for (context, msgid), where in sorted(places.items(), key=lambda item: item[1][0]):
        label = f"{msgid!r}" if context is None else f"{msgid!r} (context {context!r})"
        lines.append(f"  {label}  <- {', '.join(sorted(set(where)))}")
    return "\n".join(lines)


def _compiled_pairs(entries: Iterable[polib.POEntry | polib.MOEntry]) -> dict[Key, tuple[str, ...]]:
    """What msgfmt puts in a .mo: translated entries, keyed by (context, msgid)."""
    pairs: dict[Key, tuple[str, ...]] = {}
    for entry in entries:
        if entry.msgid == "" or entry.obsolete or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            values = tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
        else:
            values = (entry.msgstr,)
        if all(values):
            pairs[(entry.msgctxt, entry.msgid)] = values
    return pairs


def mo_differences(po_path: Path = CATALOGUE_PO, mo_path: Path = CATALOGUE_MO) -> list[str]:
    """How the compiled .mo differs from its .po; empty when it is up to date."""
    if not mo_path.exists():
        return [f"{mo_path} does not exist"]
    from_po = _compiled_pairs(polib.pofile(str(po_path)))
    from_mo = _compiled_pairs(polib.mofile(str(mo_path)))
    problems = []
    for key in sorted(from_po.keys() | from_mo.keys(), key=lambda k: (k[1], k[0] or "")):
        if key not in from_mo:
            problems.append(f"not compiled: {key[1]!r}")
        elif key not in from_po:
            problems.append(f"only in the .mo: {key[1]!r}")
        elif from_po[key] != from_mo[key]:
            problems.append(f"different translation: {key[1]!r}")
    return problems


def _placeholders(text: str) -> Counter[str]:
    return Counter(_PLACEHOLDER_RE.findall(text.replace("%%", "")))


def placeholder_mismatches(catalogue: polib.POFile) -> list[str]:
    """Translations whose %-placeholders differ from the Spanish ones (they would crash or
    lose a value at run time)."""
    problems = []
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            source = set(_placeholders(entry.msgid) | _placeholders(entry.msgid_plural))
            for msgstr in entry.msgstr_plural.values():
                if not set(_placeholders(msgstr)) <= source:
                    problems.append(f"{entry.msgid!r} -> {msgstr!r}")
        elif _placeholders(entry.msgid) != _placeholders(entry.msgstr):
            problems.append(f"{entry.msgid!r} -> {entry.msgstr!r}")
    return problems
