"""A pack's criminal procedure and judicial calendar: read from its TOML files, validated
against the JSON schemas in `schema/`, then checked for consistency (every stage, event and
offence a rule names must exist). Errors name the file and the line.

The result is held in memory (`rules_for(code)`): proceedings store stage, event and deadline
*codes*, and read names, transitions and limits from here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import holidays
from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
START = "start"  # the pseudo-stage before a proceeding's first event


@dataclass(frozen=True)
class Named:
    code: str
    name: str
    name_en: str

    def label(self, language: str | None) -> str:
        return self.name_en if (language or "").startswith("en") else self.name


@dataclass(frozen=True)
class Stage(Named):
    ends: bool = False
    outcome: str = ""


@dataclass(frozen=True)
class EventType(Named):
    from_stages: tuple[str, ...] = ()
    to: str = ""
    once: bool = False
    sentence: bool = False
    article: str = ""
    status: str = ""
    note: str = ""


@dataclass(frozen=True)
class DeadlineRule(Named):
    starts_on: str = ""
    stopped_by: tuple[str, ...] = ()
    duration: int = 0
    unit: str = ""
    article: str = ""
    source: str = ""
    status: str = ""
    not_for_offences: tuple[str, ...] = ()
    alert_before: tuple[dt.timedelta, ...] = ()
    note: str = ""
    not_after: tuple[str, ...] = ()  # no clock starts once one of these acts was recorded


@dataclass(frozen=True)
class Measure(Named):
    for_: str = "both"
    article: str = ""
    status: str = ""


@dataclass(frozen=True)
class Vacation:
    start: dt.date
    end: dt.date
    name: str
    source: str
    status: str
    departments: tuple[str, ...] = ()  # empty: the whole country


@dataclass(frozen=True)
class Procedure:
    pack_code: str
    holidays_country: str
    stages: dict[str, Stage]
    events: dict[str, EventType]
    deadlines: dict[str, DeadlineRule]
    hearing_types: dict[str, Named]
    measures: dict[str, Measure]
    vacations: tuple[Vacation, ...] = field(default=())

    def stage(self, code: str) -> Stage | None:
        return self.stages.get(code)


def _lead(text: str) -> dt.timedelta:
    amount = int(text[:-1])
    return dt.timedelta(hours=amount) if text.endswith("h") else dt.timedelta(days=amount)


def toml_line(text: str, path: list[Any]) -> int:
    """The line of `text` that holds the value at `path` (e.g. ["event", 3, "unit"]), as far as
    a line scan can tell: the `[[event]]` header of the fourth event, then its `unit =` line."""
    lines = text.splitlines()
    if not path:
        return 1
    table, rest = str(path[0]), path[1:]
    index = rest[0] if rest and isinstance(rest[0], int) else None
    key = str(rest[1]) if len(rest) > 1 else None
    header = re.compile(r"^\s*\[\[\s*" + re.escape(table) + r"\s*\]\]")
    any_header = re.compile(r"^\s*\[")
    if index is None:
        table_header = re.compile(r"^\s*\[\[?\s*" + re.escape(table) + r"\s*\]")
        for number, line in enumerate(lines, start=1):
            if re.match(r"^\s*" + re.escape(table) + r"\s*=", line) or table_header.match(line):
                return number
        return 1
    seen = -1
    for number, line in enumerate(lines, start=1):
        if header.match(line):
            seen += 1
            if seen == index:
                if key is None:
                    return number
                for offset, inner in enumerate(lines[number:], start=number + 1):
                    if any_header.match(inner):
                        break
                    if re.match(r"^\s*" + re.escape(key) + r"\s*=", inner):
                        return offset
                return number
    return 1


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def syntax_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> str:
    """`path:line: message` for a TOML syntax error (tomllib puts the line in its message)."""
    found = re.search(r"at line (\d+)", str(exc))
    line = int(found.group(1)) if found else max(1, len(text.splitlines()))  # end of document
    return f"{path}:{line}: {exc}"


def _error_path(error: Any) -> list[Any]:
    """Where a schema error is: for an unknown key, the key itself (not its table)."""
    where = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        unknown = sorted(key for key in error.instance if key not in known)
        if unknown:
            where.append(unknown[0])
    return where


@cache
def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _load(path: Path, schema: str, errors: list[str]) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        errors.append(f"{path}: file is missing")
        return {}, ""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        errors.append(syntax_error(path, text, exc))
        return {}, text
    data = _jsonable(data)
    found = list(_validator(schema).iter_errors(data))
    located = []
    for error in found:
        label = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        located.append((toml_line(text, _error_path(error)), f"{label}: {error.message}"))
    errors.extend(f"{path}:{line}: {message}" for line, message in sorted(located))
    return ({} if found else data), text


def read_procedure(
    directory: Path,
    pack_code: str,
    files: dict[str, str],
    offence_codes: set[str] | None,
    errors: list[str],
) -> Procedure | None:
    """The procedure of the pack in `directory`, or None after appending its errors.
    `offence_codes`: None when the offences could not be read (nothing to check against)."""
    before = len(errors)
    proc_path = directory / files.get("file", "procedure.toml")
    cal_path = directory / files.get("calendar", "calendar.toml")
    data, text = _load(proc_path, "procedure.schema.json", errors)
    cal, cal_text = _load(cal_path, "calendar.schema.json", errors)
    if len(errors) > before:
        return None

    def problem(path: list[Any], message: str) -> None:
        errors.append(f"{proc_path}:{toml_line(text, path)}: {message}")

    def unique(table: str) -> set[str]:
        codes: set[str] = set()
        for index, row in enumerate(data[table]):
            if row["code"] in codes:
                problem([table, index, "code"], f"{table} {row['code']!r} appears twice")
            codes.add(row["code"])
        return codes

    stage_codes = unique("stage")
    event_codes = unique("event")
    unique("deadline")
    unique("hearing_type")
    unique("protection_measure")
    if START in stage_codes:
        problem(["stage"], f"{START!r} is reserved for the moment before the first event")
    for index, row in enumerate(data["event"]):
        for stage in row["from"]:
            if stage != START and stage not in stage_codes:
                problem(["event", index, "from"], f"event {row['code']!r}: unknown stage {stage!r}")
        if row.get("to") and row["to"] not in stage_codes:
            problem(["event", index, "to"], f"event {row['code']!r}: unknown stage {row['to']!r}")
    if not any(START in row["from"] for row in data["event"]):
        problem(["event"], 'no event may start a proceeding (none lists "start" in `from`)')
    for index, row in enumerate(data["deadline"]):
        where = f"deadline {row['code']!r}"
        if row["starts_on"] not in event_codes:
            problem(
                ["deadline", index, "starts_on"], f"{where}: unknown event {row['starts_on']!r}"
            )
        for key in ("stopped_by", "not_after"):
            for event in row.get(key, []):
                if event not in event_codes:
                    problem(["deadline", index, key], f"{where}: unknown event {event!r}")
        for offence in row.get("not_for_offences", []):
            if offence_codes is not None and offence not in offence_codes:
                problem(
                    ["deadline", index, "not_for_offences"], f"{where}: unknown offence {offence!r}"
                )
    if cal["holidays_country"] not in holidays.list_supported_countries():
        line = toml_line(cal_text, ["holidays_country"])
        errors.append(
            f"{cal_path}:{line}: holidays_country {cal['holidays_country']!r} is not a country "
            "the `holidays` package knows"
        )
    vacations = []
    for index, row in enumerate(cal.get("judicial_vacation", [])):
        try:
            start, end = dt.date.fromisoformat(row["start"]), dt.date.fromisoformat(row["end"])
        except ValueError as exc:
            line = toml_line(cal_text, ["judicial_vacation", index, "start"])
            errors.append(f"{cal_path}:{line}: judicial_vacation: {exc}")
            continue
        if end < start:
            line = toml_line(cal_text, ["judicial_vacation", index, "end"])
            errors.append(f"{cal_path}:{line}: judicial_vacation ends before it starts")
        vacations.append(
            Vacation(
                start, end, row["name"], row["source"], row["status"],
                tuple(row.get("departments", [])),
            )
        )  # fmt: skip
    if len(errors) > before:
        return None
    return Procedure(
        pack_code=pack_code,
        holidays_country=cal["holidays_country"],
        stages={
            r["code"]: Stage(
                r["code"], r["name"], r["name_en"], r.get("ends", False), r.get("outcome", "")
            )
            for r in data["stage"]
        },
        events={
            r["code"]: EventType(
                r["code"],
                r["name"],
                r["name_en"],
                tuple(r["from"]),
                r.get("to", ""),
                r.get("once", False),
                r.get("sentence", False),
                r["article"],
                r["status"],
                r.get("note", ""),
            )
            for r in data["event"]
        },
        deadlines={
            r["code"]: DeadlineRule(
                r["code"],
                r["name"],
                r["name_en"],
                r["starts_on"],
                tuple(r["stopped_by"]),
                r["duration"],
                r["unit"],
                r["article"],
                r["source"],
                r["status"],
                tuple(r.get("not_for_offences", [])),
                tuple(sorted((_lead(x) for x in r.get("alert_before", [])), reverse=True)),
                r.get("note", ""),
                tuple(r.get("not_after", [])),
            )
            for r in data["deadline"]
        },
        hearing_types={
            r["code"]: Named(r["code"], r["name"], r["name_en"]) for r in data["hearing_type"]
        },
        measures={
            r["code"]: Measure(
                r["code"], r["name"], r["name_en"], r["for"], r["article"], r["status"]
            )
            for r in data["protection_measure"]
        },
        vacations=tuple(sorted(vacations, key=lambda v: v.start)),
    )


_LOADED: dict[str, Procedure] = {}


def register(procedure: Procedure) -> None:
    """Called by the loader for every pack it reads; `rules_for` serves from here."""
    _LOADED[procedure.pack_code] = procedure


def rules_for(pack_code: str) -> Procedure:
    """The procedure of a loaded pack. Packs are read at start-up (and on every migrate)."""
    if pack_code not in _LOADED:
        from jurisdictions.loader import pack_dirs, read_pack

        for directory in pack_dirs():
            read_pack(directory)  # registers it
    return _LOADED[pack_code]
