"""Reads, validates and loads jurisdiction packs (`packs/<code>/pack.toml` and its files).

Errors name the file and line, so whoever edits a pack can fix it without reading Python.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import holidays
from django.conf import settings
from django.db import connections, transaction

from jurisdictions.models import (
    Department,
    GbvimsType,
    Jurisdiction,
    Municipality,
    Offence,
    Status,
)
from jurisdictions.procedure import Procedure, read_procedure, register, syntax_error, toml_line

PACKS_DIR = Path(__file__).resolve().parent / "packs"
_STATUSES = set(Status.values)
_GBVIMS = set(GbvimsType.values)
_OFFENCE_KEYS = {
    "code",
    "article",
    "name",
    "penalty",
    "gbvims",
    "victim_min_age",
    "victim_under",
    "status",
    "mapping_status",
    "note",
}


_OFFENCE_DEFAULTS: dict[str, Any] = {"victim_min_age": None, "victim_under": None}


class PackError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Pack:
    code: str
    name: str
    version: str
    time_zone: str
    departments: list[dict[str, str]] = field(default_factory=list)
    municipalities: list[dict[str, str]] = field(default_factory=list)
    offences: list[dict[str, Any]] = field(default_factory=list)
    procedure: Procedure | None = None


def pack_dirs() -> list[Path]:
    extra = [Path(p) for p in getattr(settings, "AMPARO_EXTRA_JURISDICTION_PACKS", [])]
    return sorted(p for p in PACKS_DIR.iterdir() if (p / "pack.toml").exists()) + extra


def _toml(path: Path, errors: list[str]) -> tuple[dict[str, Any], str]:
    """The file's data and text ({} after appending its error)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        errors.append(f"{path}: file is missing")
        return {}, ""
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        errors.append(syntax_error(path, text, exc))
    return {}, text


def _csv(path: Path, columns: set[str], errors: list[str]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = columns - set(reader.fieldnames or [])
            if missing:
                errors.append(f"{path}:1: missing columns {sorted(missing)}")
                return []
            # reader.line_num: the file's line, even after blank or multi-line rows
            return [
                (reader.line_num, {k: (v or "").strip() for k, v in row.items()}) for row in reader
            ]
    except FileNotFoundError:
        errors.append(f"{path}: file is missing")
        return []


def read_pack(directory: Path) -> Pack:
    """The pack in `directory`, or PackError listing every problem found."""
    errors: list[str] = []
    meta_path = directory / "pack.toml"
    meta, meta_text = _toml(meta_path, errors)
    for key in ("code", "name", "version", "time_zone"):
        if meta and not isinstance(meta.get(key), str):
            errors.append(f"{meta_path}:{toml_line(meta_text, [key])}: '{key}' is required")
    pack = Pack(
        code=str(meta.get("code", "")),
        name=str(meta.get("name", "")),
        version=str(meta.get("version", "")),
        time_zone=str(meta.get("time_zone", "")),
    )
    geo = meta.get("geography", {})
    dep_path = directory / geo.get("departments", "departments.csv")
    mun_path = directory / geo.get("municipalities", "municipalities.csv")
    dep_codes: set[str] = set()
    dep_lines: dict[str, int] = {}
    for line, row in _csv(dep_path, {"code", "name", "abbreviation"}, errors):
        if not re.fullmatch(r"[0-9A-Z]{1,8}", row["code"]) or not row["name"]:
            errors.append(f"{dep_path}:{line}: a department needs a code and a name")
        elif row["code"] in dep_codes:
            errors.append(f"{dep_path}:{line}: department {row['code']} appears twice")
        dep_codes.add(row["code"])
        dep_lines.setdefault(row["code"], line)
        pack.departments.append(row)
    mun_codes: set[str] = set()
    for line, row in _csv(mun_path, {"code", "name", "department_code"}, errors):
        if row["department_code"] not in dep_codes:
            errors.append(f"{mun_path}:{line}: unknown department {row['department_code']!r}")
        if not row["code"] or row["code"] in mun_codes:
            errors.append(f"{mun_path}:{line}: missing or repeated municipality code")
        mun_codes.add(row["code"])
        pack.municipalities.append(row)
    offences_path = directory / "offences.toml"
    unread = len(errors)
    offences, offences_text = _toml(offences_path, errors)
    readable = len(errors) == unread  # else rules cannot be checked against the offences
    offence_codes: set[str] = set()
    for index, offence in enumerate(offences.get("offence", [])):

        def problem(key: str | None, message: str, index: int = index) -> None:
            line = toml_line(offences_text, ["offence", index, *([key] if key else [])])
            errors.append(f"{offences_path}:{line}: offence #{index + 1}: {message}")

        unknown = sorted(set(offence) - _OFFENCE_KEYS)
        if unknown:
            problem(unknown[0], f"unknown keys {unknown}")
        for key in ("code", "article", "name"):
            if not offence.get(key):
                problem(None, f"'{key}' is required")
        if offence.get("code") in offence_codes:
            problem("code", f"offence {offence['code']!r} appears twice")
        offence_codes.add(str(offence.get("code", "")))
        if offence.get("gbvims") not in _GBVIMS:
            problem("gbvims", f"gbvims must be one of {sorted(_GBVIMS)}")
        for key in ("status", "mapping_status"):
            if offence.get(key) not in _STATUSES:
                problem(key, f"{key} must be one of {sorted(_STATUSES)}")
        pack.offences.append(offence)
    files = meta.get("procedure")
    if not isinstance(files, dict):
        if meta:
            errors.append(f"{meta_path}:1: a [procedure] table is required")
    else:
        pack.procedure = read_procedure(
            directory, pack.code, files, offence_codes if readable else None, errors
        )
    if pack.procedure is not None:
        _check_subdivisions(pack, pack.procedure.holidays_country, dep_path, dep_lines, errors)
    if errors:
        raise PackError(errors)
    if pack.procedure is not None:
        register(pack.procedure)
    return pack


def _check_subdivisions(
    pack: Pack, country: str, path: Path, lines: dict[str, int], errors: list[str]
) -> None:
    """A department's ISO 3166-2 code picks its holidays: it must be a subdivision of the
    calendar's country that the `holidays` package knows (else only national ones count)."""
    known = holidays.list_supported_countries().get(country, [])
    for row in pack.departments:
        iso = row.get("iso_3166_2", "")
        if not iso:
            continue
        prefix, _, subdivision = iso.partition("-")
        if prefix != country or subdivision not in known:
            errors.append(
                f"{path}:{lines.get(row['code'], 1)}: iso_3166_2 {iso!r} is not a subdivision "
                f"of {country} known to the `holidays` package"
            )


@transaction.atomic
def load_pack(pack: Pack) -> Jurisdiction:
    """Insert or update every row of the pack. Rows are never deleted: cases refer to them."""
    taken = sorted(
        f"department {d.code}"
        for d in Department.objects.filter(
            code__in=[row["code"] for row in pack.departments]
        ).exclude(jurisdiction__code=pack.code)
    ) + sorted(
        f"municipality {m.code}"
        for m in Municipality.objects.filter(
            code__in=[row["code"] for row in pack.municipalities]
        ).exclude(department__jurisdiction__code=pack.code)
    )
    if taken:  # codes are unique across packs: loading would move another country's rows
        raise PackError(
            [f"pack {pack.code}: {what} belongs to another jurisdiction" for what in taken]
        )
    jurisdiction, _ = Jurisdiction.objects.update_or_create(
        code=pack.code,
        defaults={"name": pack.name, "version": pack.version, "time_zone": pack.time_zone},
    )
    departments = {}
    for row in pack.departments:
        departments[row["code"]], _ = Department.objects.update_or_create(
            code=row["code"],
            defaults={
                "jurisdiction": jurisdiction,
                "name": row["name"],
                "abbreviation": row["abbreviation"],
                "iso_3166_2": row.get("iso_3166_2", ""),
            },
        )
    existing = {
        m.code: m for m in Municipality.objects.filter(department__jurisdiction=jurisdiction)
    }
    new, changed = [], []
    for row in pack.municipalities:
        values = {
            "department": departments[row["department_code"]],
            "name": row["name"],
            "province_code": row.get("province_code", ""),
        }
        current = existing.get(row["code"])
        if current is None:
            new.append(Municipality(code=row["code"], **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            changed.append(current)
    Municipality.objects.bulk_create(new)
    Municipality.objects.bulk_update(changed, ["department", "name", "province_code"])
    for offence in pack.offences:
        defaults = {
            key: offence.get(key, _OFFENCE_DEFAULTS.get(key, ""))
            for key in _OFFENCE_KEYS - {"code"}
        }
        Offence.objects.update_or_create(
            jurisdiction=jurisdiction, code=offence["code"], defaults=defaults
        )
    return jurisdiction


def load_all() -> list[Jurisdiction]:
    return [load_pack(read_pack(directory)) for directory in pack_dirs()]


def sync_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Keep the database in step with the pack files after every migrate (and test set-up)."""
    if Jurisdiction._meta.db_table in connections[using].introspection.table_names():
        load_all()
