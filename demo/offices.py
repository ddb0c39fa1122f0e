"""The demo directory of courts and prosecutors' offices: for each seat where the demo cases are
heard, a juzgado de instrucción, a tribunal de sentencia, the sala penal of the departmental
court and the FEVAP, plus the Tribunal Supremo for cassation. Plausible institution names with
made-up numbering; no person is named. Created through the directory service by the demo
coordination, and only when missing, so seeding again adds nothing.
"""

from __future__ import annotations

from demo.cases import _acting, _Lookups
from jurisdictions.selectors import department_list
from proceedings import services as ps
from proceedings.models import JusticeOffice, OfficeKind
from proceedings.selectors import office_list

K = OfficeKind
DEPARTMENTS = {  # code -> (name, seat of its courts)
    "01": ("Chuquisaca", "Sucre"),
    "02": ("La Paz", "La Paz"),
    "03": ("Cochabamba", "Cochabamba"),
    "04": ("Oruro", "Oruro"),
    "07": ("Santa Cruz", "Santa Cruz de la Sierra"),
}
# seat -> department, juzgado de instrucción n.º, tribunal de sentencia n.º, sala penal.
SEATS = {
    "La Paz": ("02", "3.º", "2.º", "Primera"),
    "El Alto": ("02", "1.º", "1.º", "Primera"),
    "Cochabamba": ("03", "2.º", "4.º", "Segunda"),
    "Sucre": ("01", "1.º", "1.º", "Primera"),
    "Oruro": ("04", "1.º", "1.º", "Primera"),
    "Santa Cruz de la Sierra": ("07", "5.º", "3.º", "Tercera"),
}
EL_ALTO = {"020105", "020801"}  # El Alto and Viacha next to it have their own courts
SUPREME = ("01", "Sala Penal del Tribunal Supremo de Justicia")
FEVAP = "Fiscalía Especializada en Víctimas de Atención Prioritaria (FEVAP)"


def seat_of(municipality_code: str) -> str:
    """Where a case from this municipality is heard."""
    if municipality_code in EL_ALTO:
        return "El Alto"
    return DEPARTMENTS[municipality_code[:2]][1]


def office_names() -> list[tuple[str, str, str, str]]:
    """(seat, department code, kind, name) of every office of the demo directory."""
    names: list[tuple[str, str, str, str]] = []
    for seat, (code, first, trial, sala) in SEATS.items():
        department = DEPARTMENTS[code][0]
        sala_name = f"Sala Penal {sala} del Tribunal Departamental de Justicia de {department}"
        names += [
            (seat, code, K.INVESTIGATING_COURT, f"Juzgado de Instrucción Penal {first} de {seat}"),
            (seat, code, K.SENTENCING_COURT, f"Tribunal de Sentencia Penal {trial} de {seat}"),
            (seat, code, K.APPEAL_COURT, sala_name),
            (seat, code, K.PROSECUTOR, f"{FEVAP} {seat}"),
            (seat, SUPREME[0], K.SUPREME_COURT, SUPREME[1]),
        ]
    return names


def directory(look: _Lookups) -> dict[str, dict[str, JusticeOffice]]:
    """The demo offices, created when missing: seat -> kind -> office."""
    coordinator = _acting(look.member("coordinator", "ong-la-paz"))
    departments = {d.code: d for d in department_list()}
    existing = {(o.department.code, o.kind, o.name): o for o in office_list(active_only=False)}
    offices: dict[str, dict[str, JusticeOffice]] = {seat: {} for seat in SEATS}
    for seat, code, kind, name in office_names():
        if (code, kind, name) not in existing:
            existing[(code, kind, name)] = ps.office_create(
                membership=coordinator, kind=kind, name=name, department=departments[code]
            )
        offices[seat][kind] = existing[(code, kind, name)]
    return offices
