"""Risk assessment instruments defined as data, and the engine that scores them.

Each instrument is one TOML file in `safety/instruments/` (format: `safety/README.md`). Adding or
revising an instrument never needs Python: the loader validates the file and refuses it with a
message that names the file and the problem.

Rules the engine keeps:
- a score never blocks anything; the level is information for the team;
- an unanswered item counts 0 and is reported in `Result.missing` (assessments may be partial);
- a "yes" on a critical item (or a critical option) raises the level to at least the
  instrument's `critical_min_level` ("high" unless the file says otherwise), whatever the score;
- uncertainty stays in the data: `status` says whether the instrument is confirmed, still to
  check or assumed.

No Django here: the module is plain Python so any app, command or test can use it.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

Kind = Literal["yes_no", "choice"]
Status = Literal["confirmed", "to_check", "assumed"]
AppliesTo = Literal["adult", "child", "any"]

KINDS: tuple[Kind, ...] = ("yes_no", "choice")
STATUSES: tuple[Status, ...] = ("confirmed", "to_check", "assumed")
APPLIES_TO: tuple[AppliesTo, ...] = ("adult", "child", "any")

YES = "yes"
NO = "no"
DEFAULT_CRITICAL_MIN_LEVEL = "high"
DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "instruments"

# Codes become form field names and are stored with each assessment: keep them plain.
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_TOML_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")

_INSTRUMENT_KEYS = {
    "code": True,  # key -> required
    "version": True,
    "name_es": True,
    "name_en": True,
    "description_es": True,
    "description_en": True,
    "source": True,
    "status": True,
    "applies_to": True,
    "critical_min_level": False,
    "items": True,
    "levels": True,
}
_ITEM_KEYS = {
    "code": True,
    "text_es": True,
    "text_en": True,
    "help_es": False,
    "help_en": False,
    "kind": True,
    "weight": False,  # required for yes_no, refused for choice
    "options": False,  # required for choice, refused for yes_no
    "critical": False,
}
_OPTION_KEYS = {
    "code": True,
    "label_es": True,
    "label_en": True,
    "weight": True,
    "critical": False,
}
_LEVEL_KEYS = {"code": True, "min_score": True, "label_es": True, "label_en": True}


class InstrumentError(Exception):
    """An instrument file cannot be used. The message names the file and every problem found."""

    def __init__(self, path: Path | str, problems: list[str], line: int | None = None) -> None:
        self.path = Path(path)
        self.problems = tuple(problems)
        self.line = line
        if len(problems) == 1:
            message = f"{self.path}: {problems[0]}"
        else:
            listed = "\n".join(f"  - {problem}" for problem in problems)
            message = f"{self.path}: {len(problems)} problems:\n{listed}"
        super().__init__(message)


@dataclass(frozen=True)
class Option:
    code: str
    label_es: str
    label_en: str
    weight: int
    critical: bool = False


@dataclass(frozen=True)
class Item:
    code: str
    text_es: str
    text_en: str
    kind: Kind
    weight: int = 0  # yes_no only: points for "yes"
    options: tuple[Option, ...] = ()  # choice only
    critical: bool = False  # yes_no only: "yes" raises the level (choice: see Option.critical)
    help_es: str = ""
    help_en: str = ""

    @property
    def max_weight(self) -> int:
        if self.kind == "yes_no":
            return self.weight
        return max(option.weight for option in self.options)

    def option(self, code: str) -> Option | None:
        return next((option for option in self.options if option.code == code), None)


@dataclass(frozen=True)
class Level:
    code: str
    min_score: int
    label_es: str
    label_en: str


@dataclass(frozen=True)
class Instrument:
    code: str
    version: int
    name_es: str
    name_en: str
    description_es: str
    description_en: str
    source: str
    status: Status
    applies_to: AppliesTo
    items: tuple[Item, ...]
    levels: tuple[Level, ...]  # ascending by min_score, the first at 0
    critical_min_level: str = DEFAULT_CRITICAL_MIN_LEVEL

    @property
    def max_score(self) -> int:
        return sum(item.max_weight for item in self.items)

    def item(self, code: str) -> Item | None:
        return next((item for item in self.items if item.code == code), None)

    def level(self, code: str) -> Level | None:
        return next((level for level in self.levels if level.code == code), None)


@dataclass(frozen=True)
class Result:
    instrument_code: str
    instrument_version: int
    score: int
    level: Level  # the level to show: `score_level`, raised by critical items when they apply
    score_level: Level  # the level from the score alone
    answered: int
    missing: list[str]  # item codes not answered, in instrument order (counted as 0)
    critical_items: list[str]  # critical items answered yes (or with a critical option)

    @property
    def raised_by_critical(self) -> bool:
        return self.level != self.score_level

    @property
    def complete(self) -> bool:
        return not self.missing


# --- Loading ------------------------------------------------------------------------------------


def load_instrument(path: Path | str) -> Instrument:
    """Read and validate one instrument file; `InstrumentError` lists every problem found."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise InstrumentError(path, [f"cannot read the file ({error.strerror})"]) from error
    except UnicodeDecodeError as error:
        raise InstrumentError(path, ["the file is not valid UTF-8"]) from error
    except tomllib.TOMLDecodeError as error:
        # Python 3.12's TOMLDecodeError has no lineno attribute: the position is in the message.
        message = str(error)
        found = _TOML_POSITION_RE.search(message)
        if found is None:
            raise InstrumentError(path, [f"TOML syntax error: {message}"]) from error
        line, column = int(found.group(1)), int(found.group(2))
        reason = message[: found.start()]
        raise InstrumentError(
            path, [f"TOML syntax error at line {line}, column {column}: {reason}"], line=line
        ) from error
    return _Reader(path).instrument(data)


def load_all(directory: Path | str | None = None) -> dict[str, Instrument]:
    """Every `*.toml` instrument in `directory`, keyed by code; cached for the default directory."""
    if directory is None:
        return dict(_load_default())
    return _load_directory(Path(directory))


def get_instrument(code: str) -> Instrument:
    """A shipped instrument by code; `KeyError` when there is none."""
    return _load_default()[code]


@functools.cache
def _load_default() -> Mapping[str, Instrument]:
    return _load_directory(DEFAULT_DIRECTORY)


def clear_cache() -> None:
    """Forget the cached default instruments (for tests and after editing files in a shell)."""
    _load_default.cache_clear()


def _load_directory(directory: Path) -> dict[str, Instrument]:
    if not directory.is_dir():
        raise InstrumentError(directory, ["not a directory of instruments"])
    found: dict[str, Instrument] = {}
    paths: dict[str, Path] = {}
    for path in sorted(directory.glob("*.toml")):
        instrument = load_instrument(path)
        if instrument.code in found:
            raise InstrumentError(
                path,
                [
                    f"instrument code {instrument.code!r} is already used by "
                    f"{paths[instrument.code]}; each instrument has one file (bump `version` "
                    "to revise it)"
                ],
            )
        found[instrument.code] = instrument
        paths[instrument.code] = path
    return found


class _Reader:
    """Turns parsed TOML into an `Instrument`, collecting every problem before refusing it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def instrument(self, data: dict[str, Any]) -> Instrument:
        self.check_keys("", data, _INSTRUMENT_KEYS)
        code = self.code("", data, "code")
        version = data.get("version")
        if "version" in data and (type(version) is not int or version < 1):
            self.problem("", f"`version` must be a whole number from 1 (got {version!r})")
        texts = {
            key: self.text("", data, key)
            for key in ("name_es", "name_en", "description_es", "description_en", "source")
        }
        status = self.choice("", data, "status", STATUSES)
        applies_to = self.choice("", data, "applies_to", APPLIES_TO)
        items = self.items(data.get("items"), present="items" in data)
        levels = self.levels(data.get("levels"), present="levels" in data)
        critical_min_level = self.critical_min_level(data, items, levels)
        reachable = sum(item.max_weight for item in items)
        if not self.problems and levels and levels[-1].min_score > reachable:
            self.problem(
                f"level {levels[-1].code!r}",
                f"`min_score` {levels[-1].min_score} can never be reached: the items add up to "
                f"at most {reachable}",
            )
        if self.problems:
            raise InstrumentError(self.path, self.problems)
        return Instrument(
            code=code,
            version=cast(int, version),
            name_es=texts["name_es"],
            name_en=texts["name_en"],
            description_es=texts["description_es"],
            description_en=texts["description_en"],
            source=texts["source"],
            status=cast(Status, status),
            applies_to=cast(AppliesTo, applies_to),
            items=tuple(items),
            levels=tuple(levels),
            critical_min_level=critical_min_level,
        )

    # Fields ------------------------------------------------------------------------------------

    def check_keys(self, where: str, table: dict[str, Any], allowed: dict[str, bool]) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problem(where, f"unknown key {key!r}{hint}")
        for key, required in allowed.items():
            if required and key not in table:
                self.problem(where, f"missing field {key!r}")

    def text(self, where: str, table: dict[str, Any], key: str, required: bool = True) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            self.problem(where, f"{key!r} must be text (got {type(value).__name__})")
            return ""
        if required and key in table and not value.strip():
            self.problem(where, f"{key!r} must not be empty")
        return value.strip()

    def code(self, where: str, table: dict[str, Any], key: str) -> str:
        value = table.get(key)
        if key not in table:
            return ""  # reported as a missing field
        if not isinstance(value, str) or not _CODE_RE.match(value):
            self.problem(
                where,
                f"{key!r} must be lowercase letters, digits and underscores, starting with a "
                f"letter (got {value!r})",
            )
            return ""
        return value

    def choice(self, where: str, table: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
        value = table.get(key)
        if key in table and value not in allowed:
            self.problem(
                where, f"unknown {key} {value!r}; use one of {', '.join(map(repr, allowed))}"
            )
        return value if isinstance(value, str) else ""

    def weight(self, where: str, table: dict[str, Any], key: str = "weight") -> int:
        value = table.get(key)
        # TOML booleans are Python bools, which are ints: refuse them explicitly.
        if type(value) is not int or value < 0:
            self.problem(where, f"{key!r} must be a non-negative whole number (got {value!r})")
            return 0
        return value

    def flag(self, where: str, table: dict[str, Any], key: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.problem(where, f"{key!r} must be true or false (got {value!r})")
            return False
        return value

    def tables(self, where: str, value: Any, key: str, present: bool) -> list[dict[str, Any]]:
        if not present:
            return []  # reported as a missing field
        if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
            self.problem(where, f"{key!r} must be a list of tables ([[{key}]] blocks)")
            return []
        if not value:
            self.problem(where, f"{key!r} must not be empty")
        return value

    # Items -------------------------------------------------------------------------------------

    def items(self, value: Any, present: bool) -> list[Item]:
        items: list[Item] = []
        seen: set[str] = set()
        for position, table in enumerate(self.tables("", value, "items", present), start=1):
            raw_code = table.get("code")
            where = f"item {raw_code!r}" if isinstance(raw_code, str) else f"item #{position}"
            if isinstance(raw_code, str):
                if raw_code in seen:
                    self.problem(where, "duplicate item code")
                seen.add(raw_code)
            item = self.item(where, table)
            if item is not None:
                items.append(item)
        return items

    def item(self, where: str, table: dict[str, Any]) -> Item | None:
        before = len(self.problems)
        self.check_keys(where, table, _ITEM_KEYS)
        code = self.code(where, table, "code")
        text_es = self.text(where, table, "text_es")
        text_en = self.text(where, table, "text_en")
        help_es = self.text(where, table, "help_es", required=False)
        help_en = self.text(where, table, "help_en", required=False)
        kind = table.get("kind")
        critical = self.flag(where, table, "critical")
        weight = 0
        options: tuple[Option, ...] = ()
        if kind == "yes_no":
            if "options" in table:
                self.problem(where, "`options` are only for kind = 'choice'")
            if "weight" not in table:
                self.problem(where, "missing field 'weight' (points for a yes)")
            else:
                weight = self.weight(where, table)
        elif kind == "choice":
            if "weight" in table:
                self.problem(where, "`weight` is only for kind = 'yes_no'; weigh each option")
            if "critical" in table:
                self.problem(where, "`critical` is only for kind = 'yes_no'; mark the option")
            options = self.options(where, table)
        elif "kind" in table:
            self.problem(where, f"unknown kind {kind!r}; use one of {', '.join(map(repr, KINDS))}")
        if len(self.problems) > before:
            return None
        return Item(
            code=code,
            text_es=text_es,
            text_en=text_en,
            kind=cast(Kind, kind),
            weight=weight,
            options=options,
            critical=critical,
            help_es=help_es,
            help_en=help_en,
        )

    def options(self, where: str, table: dict[str, Any]) -> tuple[Option, ...]:
        value = table.get("options")
        if not isinstance(value, list) or not value:
            self.problem(where, "kind = 'choice' needs a non-empty `options` list")
            return ()
        if len(value) < 2 or not all(isinstance(entry, dict) for entry in value):
            self.problem(where, "`options` must be a list of at least two tables")
            return ()
        options: list[Option] = []
        seen: set[str] = set()
        for position, entry in enumerate(value, start=1):
            raw_code = entry.get("code")
            at = (
                f"{where}, option {raw_code!r}"
                if isinstance(raw_code, str)
                else f"{where}, option #{position}"
            )
            self.check_keys(at, entry, _OPTION_KEYS)
            code = self.code(at, entry, "code")
            if code and code in seen:
                self.problem(at, "duplicate option code")
            seen.add(code)
            options.append(
                Option(
                    code=code,
                    label_es=self.text(at, entry, "label_es"),
                    label_en=self.text(at, entry, "label_en"),
                    weight=self.weight(at, entry) if "weight" in entry else 0,
                    critical=self.flag(at, entry, "critical"),
                )
            )
        return tuple(options)

    # Levels ------------------------------------------------------------------------------------

    def levels(self, value: Any, present: bool) -> list[Level]:
        levels: list[Level] = []
        for position, table in enumerate(self.tables("", value, "levels", present), start=1):
            raw_code = table.get("code")
            where = f"level {raw_code!r}" if isinstance(raw_code, str) else f"level #{position}"
            before = len(self.problems)
            self.check_keys(where, table, _LEVEL_KEYS)
            code = self.code(where, table, "code")
            min_score = table.get("min_score")
            if "min_score" in table and (type(min_score) is not int or min_score < 0):
                self.problem(
                    where, f"'min_score' must be a non-negative whole number (got {min_score!r})"
                )
            label_es = self.text(where, table, "label_es")
            label_en = self.text(where, table, "label_en")
            if len(self.problems) > before:
                continue
            min_score = cast(int, min_score)
            if any(level.code == code for level in levels):
                self.problem(where, "duplicate level code")
                continue
            if not levels and min_score != 0:
                self.problem(
                    where, f"the first level must start at min_score = 0 (got {min_score})"
                )
            if levels and min_score <= levels[-1].min_score:
                self.problem(
                    where,
                    f"levels must be in ascending order of min_score: {min_score} does not come "
                    f"after {levels[-1].code!r} ({levels[-1].min_score})",
                )
            levels.append(Level(code, min_score, label_es, label_en))
        return levels

    def critical_min_level(
        self, data: dict[str, Any], items: list[Item], levels: list[Level]
    ) -> str:
        explicit = "critical_min_level" in data
        value = data.get("critical_min_level", DEFAULT_CRITICAL_MIN_LEVEL)
        has_critical = any(
            item.critical or any(option.critical for option in item.options) for item in items
        )
        if not levels or not (explicit or has_critical):
            return value if isinstance(value, str) else DEFAULT_CRITICAL_MIN_LEVEL
        if not any(level.code == value for level in levels):
            known = ", ".join(repr(level.code) for level in levels)
            if explicit:
                self.problem(
                    "", f"`critical_min_level` is {value!r}, not one of the levels ({known})"
                )
            else:
                self.problem(
                    "",
                    f"critical items raise the level to {DEFAULT_CRITICAL_MIN_LEVEL!r}, which is "
                    f"not one of the levels ({known}); add it or set `critical_min_level`",
                )
        return value if isinstance(value, str) else DEFAULT_CRITICAL_MIN_LEVEL


# --- Scoring ------------------------------------------------------------------------------------


def score(instrument: Instrument, answers: Mapping[str, str | bool]) -> Result:
    """Score `answers` (item code -> "yes"/"no"/True/False, or an option code for a choice item).

    Items left out are unanswered: they count 0 and are listed in `Result.missing`. An unknown
    item code or an answer the item does not accept raises `ValueError` naming the item.
    """
    problems: list[str] = []
    known = {item.code for item in instrument.items}
    for code in answers:
        if code not in known:
            problems.append(f"unknown item {code!r}")

    total = 0
    answered = 0
    missing: list[str] = []
    critical_items: list[str] = []
    for item in instrument.items:
        if item.code not in answers:
            missing.append(item.code)
            continue
        value = answers[item.code]
        if item.kind == "yes_no":
            yes = _yes_no(value)
            if yes is None:
                problems.append(f"item {item.code!r} takes 'yes' or 'no' (got {_shown(value)})")
                continue
            answered += 1
            if yes:
                total += item.weight
                if item.critical:
                    critical_items.append(item.code)
        else:
            option = item.option(value) if isinstance(value, str) else None
            if option is None:
                allowed = ", ".join(repr(option.code) for option in item.options)
                problems.append(f"item {item.code!r} takes one of {allowed} (got {_shown(value)})")
                continue
            answered += 1
            total += option.weight
            if option.critical:
                critical_items.append(item.code)

    if problems:
        raise ValueError(f"Instrument {instrument.code!r}: " + "; ".join(problems))

    score_level = level_for(instrument, total)
    level = score_level
    floor = instrument.level(instrument.critical_min_level)
    if critical_items and floor is not None and floor.min_score > score_level.min_score:
        level = floor
    return Result(
        instrument_code=instrument.code,
        instrument_version=instrument.version,
        score=total,
        level=level,
        score_level=score_level,
        answered=answered,
        missing=missing,
        critical_items=critical_items,
    )


def level_for(instrument: Instrument, points: int) -> Level:
    """The highest level whose `min_score` the points reach (the score alone, no critical rule)."""
    reached = instrument.levels[0]
    for level in instrument.levels:
        if points >= level.min_score:
            reached = level
    return reached


def _yes_no(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if value == YES:
        return True
    if value == NO:
        return False
    return None


def _shown(value: object) -> str:
    # Answers are form codes, not free text; still, never echo a long value into a message.
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- Labels -------------------------------------------------------------------------------------

_LABEL_FIELDS: dict[type, str] = {Instrument: "name", Item: "text", Option: "label", Level: "label"}


def label(
    obj: Instrument | Item | Option | Level, language: str | None, field: str | None = None
) -> str:
    """The text of `obj` in `language` ("es", "en", "en-us"...), falling back to Spanish.

    `field` picks another bilingual text: `label(item, "en", "help")`,
    `label(instrument, "en", "description")`. By default: an instrument's name, an item's text,
    an option's or a level's label.
    """
    base = field or _LABEL_FIELDS[type(obj)]
    spanish = getattr(obj, f"{base}_es")
    language = (language or "es").lower().replace("_", "-").split("-")[0]
    if language == "es":
        return cast(str, spanish)
    return cast(str, getattr(obj, f"{base}_{language}", "") or spanish)
