"""`manage.py check_jurisdiction`: every error in a pack is reported with its file and line,
and the command fails. Each test breaks one thing in a copy of a real pack."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from jurisdictions.tests.conftest import TESTLAND_DIR


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in the file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def lines_of(path: Path, line: str) -> list[int]:
    """The numbers of the lines of `path` that read `line` (surrounding spaces aside)."""
    text = path.read_text(encoding="utf-8").splitlines()
    return [number for number, found in enumerate(text, start=1) if found.strip() == line]


def check_fails(target: Path | str) -> list[str]:
    """Run the command on a broken pack: it must fail; returns the errors it printed."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("check_jurisdiction", str(target), stdout=out, stderr=err)
    errors = err.getvalue().splitlines()
    assert f"{len(errors)} error(s)" in str(failure.value)
    assert "OK" not in out.getvalue()
    return errors


def assert_one_error(errors: list[str], path: Path, line: int, *words: str) -> None:
    """Exactly one error names `path` and `line`, and it says `words`."""
    here = [e for e in errors if e.startswith(f"{path}:{line}: ")]
    assert len(here) == 1, f"expected an error at {path.name}:{line}, got {errors}"
    for word in words:
        assert word in here[0], here[0]


def assert_every_error_names_file_and_line(errors: list[str], directory: Path) -> None:
    for error in errors:
        where, _, message = error.partition(": ")
        file, _, line = where.rpartition(":")
        assert Path(file).parent == directory, error
        assert line.isdigit(), error
        assert message, error


# ----------------------------------------------------------------------------- good packs


def test_the_bolivian_pack_is_valid() -> None:
    out = StringIO()
    call_command("check_jurisdiction", "bo", stdout=out)
    assert "Pack bo" in out.getvalue()
    assert "OK" in out.getvalue()


def test_a_pack_outside_the_packs_folder_is_checked_by_its_path(monkeypatch) -> None:
    out = StringIO()
    call_command("check_jurisdiction", str(TESTLAND_DIR), stdout=out)
    assert "Pack tl" in out.getvalue()
    assert "2 departments, 4 municipalities, 3 offences" in out.getvalue()
    # a relative path works too (from where the command is run)
    monkeypatch.chdir(TESTLAND_DIR.parent.parent)
    out = StringIO()
    call_command("check_jurisdiction", "packs/tl", stdout=out)
    assert "Pack tl" in out.getvalue()


def test_an_unknown_pack_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No jurisdiction pack named 'xx'"):
        call_command("check_jurisdiction", "xx", stdout=StringIO(), stderr=StringIO())
    # a folder without pack.toml is a pack with every file missing
    errors = check_fails(tmp_path)
    assert errors == [f"{tmp_path / 'pack.toml'}: file is missing", *errors[1:]]


# ----------------------------------------------------------------------------- one error each

# (file, text replaced, replacement, the line the error must name, words the error says)
ONE_ERROR = [
    pytest.param(
        "procedure.toml",
        'unit = "hours"',
        "unit = hours",
        "unit = hours",
        ["Invalid value"],
        id="toml-syntax-procedure",
    ),
    pytest.param(
        "pack.toml",
        'time_zone = "America/La_Paz"',
        "time_zone = America/La_Paz",
        "time_zone = America/La_Paz",
        ["Invalid value"],
        id="toml-syntax-pack",
    ),
    pytest.param(
        "offences.toml",
        'penalty = "3 a 6 años"',
        'penalty = "3 a 6 años',
        'penalty = "3 a 6 años',
        ["Illegal character"],
        id="toml-syntax-offences",
    ),
    pytest.param(
        "calendar.toml",
        'holidays_country = "BO"',
        'holidays_country "BO"',
        'holidays_country "BO"',
        ["Expected '='"],
        id="toml-syntax-calendar",
    ),
    pytest.param(
        "procedure.toml",
        'code = "aprehension"\n',
        'code = "aprehension"\ncolour = "red"\n',
        'colour = "red"',
        ["event.1", "'colour' was unexpected"],
        id="schema-unknown-key",
    ),
    pytest.param(
        "calendar.toml",
        'holidays_country = "BO"\n',
        'holidays_country = "BO"\ncountry = "BO"\n',
        'country = "BO"',
        ["'country' was unexpected"],
        id="schema-unknown-top-level-key",
    ),
    pytest.param(
        "procedure.toml",
        'unit = "hours"',
        'unit = "hour"',
        'unit = "hour"',
        ["deadline.0.unit", "'hour' is not one of"],
        id="schema-wrong-unit",
    ),
    pytest.param(
        "procedure.toml",
        "duration = 24\n",
        'duration = "24"\n',
        'duration = "24"',
        ["deadline.0.duration", "is not of type 'integer'"],
        id="schema-wrong-type",
    ),
    pytest.param(
        "procedure.toml",
        'alert_before = ["12h", "4h"]',
        'alert_before = ["12 horas", "4h"]',
        'alert_before = ["12 horas", "4h"]',
        ["deadline.0.alert_before.0"],
        id="schema-wrong-lead-time",
    ),
    pytest.param(
        "procedure.toml",
        'to = "preparatory"',
        'to = "preparatorio"',
        'to = "preparatorio"',
        ["event 'imputacion'", "unknown stage 'preparatorio'"],
        id="transition-to-unknown-stage",
    ),
    pytest.param(
        "procedure.toml",
        'from = ["rejected"]\n',
        'from = ["rechazado"]\n',
        'from = ["rechazado"]',
        ["event 'objecion_rechazo'", "unknown stage 'rechazado'"],
        id="transition-from-unknown-stage",
    ),
    pytest.param(
        "procedure.toml",
        'starts_on = "aviso_inicio"',
        'starts_on = "aviso"',
        'starts_on = "aviso"',
        ["deadline 'investigacion_preliminar'", "unknown event 'aviso'"],
        id="deadline-starts-on-unknown-event",
    ),
    pytest.param(
        "procedure.toml",
        'stopped_by = ["objecion_rechazo"]',
        'stopped_by = ["objecion"]',
        'stopped_by = ["objecion"]',
        ["deadline 'objecion_rechazo'", "unknown event 'objecion'"],
        id="deadline-stopped-by-unknown-event",
    ),
    pytest.param(
        "procedure.toml",
        'not_for_offences = ["252bis", "308bis", "258"]',
        'not_for_offences = ["252bis", "308ter", "258"]',
        'not_for_offences = ["252bis", "308ter", "258"]',
        ["deadline 'detencion_sin_acusacion'", "unknown offence '308ter'"],
        id="deadline-unknown-offence",
    ),
    pytest.param(
        "calendar.toml",
        "end = 2027-01-08",
        "end = 2026-12-01",
        "end = 2026-12-01",
        ["judicial_vacation ends before it starts"],
        id="vacation-ends-before-it-starts",
    ),
    pytest.param(
        "calendar.toml",
        "start = 2026-12-24",
        'start = "2026-13-24"',
        'start = "2026-13-24"',
        ["judicial_vacation", "month"],
        id="vacation-impossible-date",
    ),
    pytest.param(
        "calendar.toml",
        'holidays_country = "BO"',
        'holidays_country = "XX"',
        'holidays_country = "XX"',
        ["'XX'", "holidays"],
        id="holidays-country-unknown",
    ),
    pytest.param(
        "offences.toml",
        'name = "Infanticidio"\ngbvims = "physical_assault"',
        'name = "Infanticidio"\ngbvims = "homicide"',
        'gbvims = "homicide"',
        ["offence #9", "gbvims must be one of"],
        id="offence-unknown-gbvims-type",
    ),
    pytest.param(
        "offences.toml",
        'code = "321"\n',
        'code = "321"\nseverity = "high"\n',
        'severity = "high"',
        ["offence #14", "unknown keys ['severity']"],
        id="offence-unknown-key",
    ),
    pytest.param(
        "municipalities.csv",
        "010103,Poroma,0101,01",
        "010103,Poroma,0101,10",
        "010103,Poroma,0101,10",
        ["unknown department '10'"],
        id="csv-unknown-department",
    ),
    pytest.param(
        "departments.csv",
        "09,Pando,Cobija,BO-N,PND\n",
        "09,Pando,Cobija,BO-N,PND\n9-x,Otro,Otra,BO-N,OTR\n",
        "9-x,Otro,Otra,BO-N,OTR",
        ["a department needs a code and a name"],
        id="csv-bad-department-code",
    ),
    pytest.param(
        "departments.csv",
        "09,Pando,Cobija,BO-N,PND",
        "09,Pando,Cobija,BO-Z,PND",
        "09,Pando,Cobija,BO-Z,PND",
        ["iso_3166_2 'BO-Z'", "holidays"],
        id="csv-department-subdivision-unknown-to-holidays",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "marker", "words"), ONE_ERROR)
def test_each_error_names_its_file_and_line(
    pack_copy, file: str, old: str, new: str, marker: str, words: list[str]
) -> None:
    pack = pack_copy()
    edit(pack / file, old, new)
    (line,) = lines_of(pack / file, marker)
    errors = check_fails(pack)
    assert len(errors) == 1, errors
    assert_one_error(errors, pack / file, line, *words)


def test_a_missing_required_key_names_the_table_that_lacks_it(pack_copy) -> None:
    pack = pack_copy()
    # the notice to the judge (aviso_inicio) loses its article
    edit(pack / "procedure.toml", 'once = true\narticle = "CPP 300"\n', "once = true\n")
    (code_line,) = lines_of(pack / "procedure.toml", 'code = "aviso_inicio"')
    header = code_line - 1
    assert (pack / "procedure.toml").read_text().splitlines()[header - 1] == "[[event]]"
    errors = check_fails(pack)
    assert errors == [
        f"{pack / 'procedure.toml'}:{header}: event.2: 'article' is a required property"
    ]


def test_a_missing_pack_key_is_reported_on_pack_toml(pack_copy) -> None:
    pack = pack_copy()
    edit(pack / "pack.toml", 'time_zone = "America/La_Paz"\n', "")
    errors = check_fails(pack)
    assert errors == [f"{pack / 'pack.toml'}:1: 'time_zone' is required"]


# ----------------------------------------------------------------------------- duplicates

# (file, text replaced, replacement, the repeated line: the error names its last occurrence)
DUPLICATES = [
    pytest.param(
        "procedure.toml",
        'code = "archived"\n',
        'code = "archived"\nname = "Archivado"\nname_en = "Archived"\n\n[[stage]]\n'
        'code = "archived"\n',
        'code = "archived"',
        "stage 'archived' appears twice",
        id="stage",
    ),
    pytest.param(
        "procedure.toml",
        'code = "archivo"',
        'code = "extincion"',
        'code = "extincion"',
        "event 'extincion' appears twice",
        id="event",
    ),
    pytest.param(
        "offences.toml",
        'code = "312ter"',
        'code = "312bis"',
        'code = "312bis"',
        "offence '312bis' appears twice",
        id="offence",
    ),
    pytest.param(
        "departments.csv",
        "09,Pando,Cobija,BO-N,PND\n",
        "09,Pando,Cobija,BO-N,PND\n02,La Paz bis,La Paz,BO-L,LPB\n",
        "02,La Paz bis,La Paz,BO-L,LPB",
        "department 02 appears twice",
        id="department",
    ),
    pytest.param(
        "municipalities.csv",
        "010103,Poroma,0101,01",
        "010102,Poroma,0101,01",
        "010102,Poroma,0101,01",
        "repeated municipality code",
        id="municipality",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "marker", "words"), DUPLICATES)
def test_a_duplicate_code_is_reported_where_it_repeats(
    pack_copy, file: str, old: str, new: str, marker: str, words: str
) -> None:
    pack = pack_copy()
    edit(pack / file, old, new)
    errors = check_fails(pack)
    if file.endswith(".csv"):  # the repeated row is the edited one; its code appears earlier
        (line,) = lines_of(pack / file, marker)
    else:  # two tables carry the code: the later one is the repeat
        first, line = lines_of(pack / file, marker)
        assert first < line
    assert len(errors) == 1, errors
    assert_one_error(errors, pack / file, line, words)


# ----------------------------------------------------------------------------- all at once


def test_every_error_of_a_pack_is_reported_at_once(pack_copy) -> None:
    pack = pack_copy()
    edit(pack / "municipalities.csv", "010103,Poroma,0101,01", "010103,Poroma,0101,10")
    edit(pack / "offences.toml", 'code = "321"\n', 'code = "321"\nseverity = "high"\n')
    edit(pack / "calendar.toml", "end = 2027-01-08", "end = 2026-12-01")
    edit(pack / "procedure.toml", 'to = "preparatory"', 'to = "preparatorio"')
    edit(pack / "procedure.toml", 'starts_on = "aviso_inicio"', 'starts_on = "aviso"')
    errors = check_fails(pack)
    assert len(errors) == 5, errors
    assert_every_error_names_file_and_line(errors, pack)
    assert {Path(e.split(":")[0]).name for e in errors} == {
        "municipalities.csv",
        "offences.toml",
        "calendar.toml",
        "procedure.toml",
    }


def test_the_command_exits_with_a_failure_status(pack_copy) -> None:
    """Run as a program (as a lawyer or CI would): the exit status is not zero."""
    pack = pack_copy()
    edit(pack / "calendar.toml", "end = 2027-01-08", "end = 2026-12-01")
    (line,) = lines_of(pack / "calendar.toml", "end = 2026-12-01")
    broken = subprocess.run(  # noqa: S603 (our own manage.py, a path we made)
        [sys.executable, "manage.py", "check_jurisdiction", str(pack)],
        cwd=settings.BASE_DIR,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert broken.returncode != 0
    assert f"{pack / 'calendar.toml'}:{line}: judicial_vacation ends" in broken.stderr
