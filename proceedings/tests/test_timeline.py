"""Case timeline lines about proceedings: described from codes, in the reader's language, and
reached from the case page's `status` lines."""

from __future__ import annotations

import pytest
from django.utils import translation

from cases.models import CaseEvent, EventKind
from cases.views.case_page import describe as describe_case_line
from proceedings.timeline import describe


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ({"what": "created"}, "Proceso penal registrado"),
        ({"what": "updated"}, "Proceso penal: datos actualizados"),
        ({"what": "accused_added"}, "Proceso penal: persona denunciada agregada"),
        ({"what": "accused_removed"}, "Proceso penal: persona denunciada retirada"),
        (
            {"what": "event", "event": "imputacion", "on": "2026-03-10"},
            "Proceso penal: Imputación formal, 10/03/2026",
        ),
        (
            {"what": "corrected", "event": "denuncia", "on": "2026-03-01"},
            "Proceso penal: acto corregido, ahora Denuncia o querella, 01/03/2026",
        ),
        (
            {"what": "voided", "event": "aprehension"},
            "Proceso penal: acto anulado (Aprehensión del denunciado)",
        ),
        (
            {"what": "reclassified", "basis": "charge", "offences": ["308", "312"]},
            "Proceso penal: calificación según imputación (arts. 308, 312)",
        ),
        ({"what": "hearing_scheduled", "type": "juicio"}, "Audiencia programada: Juicio oral"),
        (
            {"what": "hearing_suspended", "type": "cautelares", "reason": "judge_absent"},
            "Audiencia suspendida: Audiencia de medidas cautelares (Ausencia del juez)",
        ),
        ({"what": "hearing_held", "type": "juicio"}, "Audiencia realizada: Juicio oral"),
        (
            {"what": "measure_granted", "measure": "salida_agresor"},
            "Medida de protección dispuesta: Salida del agresor del domicilio",
        ),
        ({"what": "something_new"}, "Proceso penal actualizado"),
    ],
)
def test_it_describes_each_line_from_its_codes(data, line):
    with translation.override("es"):
        assert describe({"proceeding": 1, **data}) == line


def test_it_shows_an_unknown_code_as_it_is():
    with translation.override("es"):
        assert describe({"proceeding": 1, "what": "event", "event": "otro_acto", "on": "bad"}) == (
            "Proceso penal: otro_acto"
        )


def test_it_describes_in_english():
    with translation.override("en"):
        line = describe(
            {"proceeding": 1, "what": "event", "event": "imputacion", "on": "2026-03-10"}
        )
    assert "Formal charge (imputación)" in line


def test_the_case_page_hands_proceeding_lines_to_it():
    line = CaseEvent(kind=EventKind.STATUS, data={"proceeding": 3, "what": "created"})
    closed = CaseEvent(kind=EventKind.STATUS, data={"status": "closed", "reason": "other"})
    with translation.override("es"):
        assert describe_case_line(line, {}) == "Proceso penal registrado"
        assert describe_case_line(closed, {}) == "Caso cerrado: Otro"
