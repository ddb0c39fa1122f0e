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


def pack_dirs() -> list[Path]:
    extra = [Path(p) for p in getattr(settings, "AMPARO_EXTRA_JURISDICTION_PACKS", [])]
    return sorted(p for p in PACKS_DIR.iterdir() if (p / "pack.toml").exists()) + extra


def _toml(path: Path, errors: list[str]) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        errors.append(f"{path}: file is missing")
    except tomllib.TOMLDecodeError as exc:
        errors.append(f"{path}: {exc}")  # the message names the line and column
    return {}


def _csv(path: Path, columns: set[str], errors: list[str]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = columns - set(reader.fieldnames or [])
            if missing:
                errors.append(f"{path}:1: missing columns {sorted(missing)}")
                return []
            return [
                (n, {k: (v or "").strip() for k, v in row.items()})
                for n, row in enumerate(reader, start=2)
            ]
    except FileNotFoundError:
        errors.append(f"{path}: file is missing")
        return []


def read_pack(directory: Path) -> Pack:
    """The pack in `directory`, or PackError listing every problem found."""
    errors: list[str] = []
    meta = _toml(directory / "pack.toml", errors)
    for key in ("code", "name", "version", "time_zone"):
        if meta and not isinstance(meta.get(key), str):
            errors.append(f"{directory / 'pack.toml'}: '{key}' is required")
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
    for line, row in _csv(dep_path, {"code", "name", "abbreviation"}, errors):
        if not re.fullmatch(r"[0-9A-Z]{1,8}", row["code"]) or not row["name"]:
            errors.append(f"{dep_path}:{line}: a department needs a code and a name")
        elif row["code"] in dep_codes:
            errors.append(f"{dep_path}:{line}: department {row['code']} appears twice")
        dep_codes.add(row["code"])
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
    for index, offence in enumerate(_toml(offences_path, errors).get("offence", []), start=1):
        where = f"{offences_path}: offence #{index} ({offence.get('code', '?')})"
        unknown = set(offence) - _OFFENCE_KEYS
        if unknown:
            errors.append(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("code", "article", "name"):
            if not offence.get(key):
                errors.append(f"{where}: '{key}' is required")
        if offence.get("gbvims") not in _GBVIMS:
            errors.append(f"{where}: gbvims must be one of {sorted(_GBVIMS)}")
        for key in ("status", "mapping_status"):
            if offence.get(key) not in _STATUSES:
                errors.append(f"{where}: {key} must be one of {sorted(_STATUSES)}")
        pack.offences.append(offence)
    if errors:
        raise PackError(errors)
    return pack


@transaction.atomic
def load_pack(pack: Pack) -> Jurisdiction:
    """Insert or update every row of the pack. Rows are never deleted: cases refer to them."""
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
