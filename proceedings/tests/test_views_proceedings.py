"""The proceeding pages: list, create, the proceeding page, edit, charges and accused. Each bad
input answers 400 with the service's message and writes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from cases.models import CaseEvent
from cases.services import case_close
from conftest import open_case
from jurisdictions.models import Offence
from proceedings.models import Accused, Charge, OfficeKind, Proceeding
from proceedings.services import charges_reclassify
from proceedings.tests.pr_setup import (
    ACCUSED_NAME,
    NUREJ,
    PROSECUTOR_NUMBER,
    add_accused,
    days_ago,
    membership_of,
    new_proceeding,
    office,
    record,
    url,
)

pytestmark = pytest.mark.django_db


def _new_url(case):
    return f"/cases/{case.pk}/proceedings/new/"


def _audits(action, object_type="proceedings.proceeding"):
    return AuditEvent.objects.filter(action=action, object_type=object_type)


@pytest.fixture
def case(cast):
    return open_case(cast["lawyer"])


@pytest.fixture
def court(cast):
    return office(cast["coordinator"], "Juzgado 3º de Instrucción Penal de El Alto")


@pytest.fixture
def fiscalia(cast):
    return office(
        cast["coordinator"], "Fiscalía Especializada FEVAP El Alto", kind=OfficeKind.PROSECUTOR
    )


def _valid(court_office, prosecutor_office, /, **changes):
    return {
        "department": "02",
        "prosecutor_number": PROSECUTOR_NUMBER,
        "nurej": NUREJ,
        "court": str(court_office.pk),
        "prosecutor_office": str(prosecutor_office.pk),
        "incident": "",
        **changes,
    }


# ----------------------------------------------------------------------------- create


def test_it_offers_the_active_offices_of_the_case_department(cast, client_for, case, court):
    office(cast["coordinator"], "Juzgado cerrado de El Alto", active=False)
    office(cast["coordinator"], "Juzgado de Cochabamba", code="03")
    html = client_for(cast["lawyer"]).get(_new_url(case)).content.decode()
    assert '<option value="02" selected>' in html
    assert "Juzgado 3º de Instrucción Penal de El Alto" in html
    assert "Juzgado cerrado de El Alto" not in html
    assert "Juzgado de Cochabamba" not in html
    assert 'hx-get="/cases/' in html  # the department select refreshes the offices


def test_it_lists_the_offices_of_another_department_on_request(cast, client_for, case, court):
    office(cast["coordinator"], "Juzgado de Cochabamba", code="03")
    html = client_for(cast["lawyer"]).get(_new_url(case) + "?department=03").content.decode()
    assert "Juzgado de Cochabamba" in html
    assert "Juzgado 3º de Instrucción Penal de El Alto" not in html


def test_it_creates_a_proceeding(cast, client_for, case, court, fiscalia):
    response = client_for(cast["lawyer"]).post(_new_url(case), _valid(court, fiscalia))
    proceeding = Proceeding.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == url(proceeding)
    assert NUREJ not in response["Location"]
    assert (proceeding.nurej, proceeding.prosecutor_number) == (NUREJ, PROSECUTOR_NUMBER)
    assert (proceeding.court, proceeding.prosecutor_office) == (court, fiscalia)
    assert _audits("create").count() == 1


def test_it_links_the_proceeding_to_an_incident_of_the_case(
    cast, client_for, case, court, fiscalia
):
    incident = case.incidents.get()
    client_for(cast["lawyer"]).post(_new_url(case), _valid(court, fiscalia, incident=incident.pk))
    assert Proceeding.objects.get(case=case).incident == incident


def _refused(response, message):
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Proceeding.objects.exists()
    assert not _audits("create").exists()
    assert not CaseEvent.objects.filter(data__what="created").exists()


def test_it_refuses_an_unknown_court(cast, client_for, case, court, fiscalia):
    response = client_for(cast["lawyer"]).post(
        _new_url(case), _valid(court, fiscalia, court="999999")
    )
    _refused(response, "Elige un juzgado o tribunal activo del directorio.")


def test_it_refuses_a_prosecutors_office_as_the_court(cast, client_for, case, court, fiscalia):
    response = client_for(cast["lawyer"]).post(
        _new_url(case), _valid(court, fiscalia, court=str(fiscalia.pk))
    )
    _refused(response, "Elige un juzgado o tribunal activo del directorio.")


def test_it_refuses_a_court_as_the_prosecutors_office(cast, client_for, case, court, fiscalia):
    response = client_for(cast["lawyer"]).post(
        _new_url(case), _valid(court, fiscalia, prosecutor_office=str(court.pk))
    )
    _refused(response, "Elige una fiscalía activa del directorio.")


def test_it_refuses_an_inactive_court(cast, client_for, case, fiscalia):
    closed = office(cast["coordinator"], "Juzgado cerrado de El Alto", active=False)
    response = client_for(cast["lawyer"]).post(_new_url(case), _valid(closed, fiscalia))
    _refused(response, "Elige un juzgado o tribunal activo del directorio.")


def test_it_refuses_an_identifier_too_long(cast, client_for, case, court, fiscalia):
    response = client_for(cast["lawyer"]).post(
        _new_url(case), _valid(court, fiscalia, nurej="9" * 61)
    )
    _refused(response, "Demasiado largo (máximo 60 caracteres).")


def test_it_refuses_a_proceeding_in_a_closed_case(cast, client_for, case, court, fiscalia):
    case_close(
        membership=membership_of(cast["lawyer"]),
        case=case,
        reason="other",
        closed_on=days_ago(0),
    )
    client = client_for(cast["lawyer"])
    assert "El caso está cerrado" in client.get(_new_url(case)).content.decode()
    response = client.post(_new_url(case), _valid(court, fiscalia))
    _refused(response, "El caso está cerrado: reábrelo para registrar un proceso.")


def test_it_hides_the_pages_of_cases_one_cannot_open(cast, client_for, case, court, fiscalia):
    proceeding = new_proceeding(cast["lawyer"], case)
    for who in ("social_worker", "outsider"):
        client = client_for(cast[who])
        assert client.get(url(proceeding)).status_code == 404
        assert client.post(_new_url(case), _valid(court, fiscalia)).status_code == 404
    assert Proceeding.objects.count() == 1


# ----------------------------------------------------------------------------- list


def test_it_lists_the_proceedings_of_a_case(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    record(cast["lawyer"], proceeding, "denuncia", days_ago(10))
    new_proceeding(cast["lawyer"], case)
    response = client_for(cast["lawyer"]).get(f"/cases/{case.pk}/proceedings/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Abrir el proceso") == 2
    assert "Investigación preliminar" in html
    assert "Sin actos registrados" in html
    assert "Duración máxima del proceso" in html
    assert NUREJ not in html


def test_it_shows_an_empty_list(cast, client_for, case):
    html = client_for(cast["lawyer"]).get(f"/cases/{case.pk}/proceedings/").content.decode()
    assert "Ningún proceso penal registrado en este caso." in html


# ----------------------------------------------------------------------------- detail


def test_it_shows_the_stage_next_deadline_and_identifiers_first(cast, client_for, case, court):
    proceeding = new_proceeding(
        cast["lawyer"], case, nurej=NUREJ, prosecutor_number=PROSECUTOR_NUMBER, court=court
    )
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    record(cast["lawyer"], proceeding, "aprehension", dt.date(2026, 3, 3), at=dt.time(10, 30))
    response = client_for(cast["lawyer"]).get(url(proceeding))
    html = response.content.decode()
    assert response.status_code == 200
    header = html[html.index('class="case-header"') : html.index('id="plazos"')]
    assert "Investigación preliminar" in header
    assert "desde el 02/03/2026" in header
    assert "Imputación tras la aprehensión: 04/03/2026 10:30" in header
    assert "Vencido" in header
    assert NUREJ in header
    assert PROSECUTOR_NUMBER in header
    assert court.name in header


def test_it_audits_the_proceeding_page_once_per_view(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case, nurej=NUREJ)
    client = client_for(cast["supervisor"])
    client.get(url(proceeding))
    views = _audits("view")
    assert views.count() == 1
    event = views.get()
    assert event.object_id == str(proceeding.pk)
    assert event.actor_id == cast["supervisor"].pk
    assert event.fields == ["nurej", "prosecutor_number"]
    client.get(url(proceeding))
    assert _audits("view").count() == 2


def test_it_lists_deadlines_running_first_with_state_and_rule_status(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    record(cast["lawyer"], proceeding, "aprehension", dt.date(2026, 3, 3))  # no time: assumed
    record(cast["lawyer"], proceeding, "imputacion", dt.date(2026, 3, 3))
    html = client_for(cast["lawyer"]).get(url(proceeding)).content.decode()
    section = html[html.index('id="plazos"') : html.index('id="audiencias"')]
    running = section.index("Duración máxima de la etapa preparatoria")
    met = section.index("Imputación tras la aprehensión")
    assert section.index("Duración máxima del proceso") < met
    assert running < met
    assert "Cumplido a tiempo" in section
    assert "hora supuesta: el acto se registró sin hora" in section
    assert "CPP 303" in section
    assert "CPP 134" in section
    assert "confirmado" in section
    assert "por verificar" in section


def test_it_marks_a_running_deadline_past_its_due_date_as_overdue(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 1, 5))
    record(cast["lawyer"], proceeding, "rechazo", dt.date(2026, 1, 6))
    html = client_for(cast["lawyer"]).get(url(proceeding)).content.decode()
    section = html[html.index('id="plazos"') : html.index('id="audiencias"')]
    assert "Objeción al rechazo" in section
    assert '<span class="badge overdue">Vencido</span>' in section
    assert "supuesto" in section


def test_it_names_the_rules_in_english(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    record(cast["lawyer"], proceeding, "denuncia", days_ago(3))
    client = client_for(cast["lawyer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(url(proceeding)).content.decode()
    assert "Maximum length of the proceedings" in html
    assert "Preliminary investigation" in html


def test_it_shows_empty_sections_on_a_new_proceeding(cast, client_for, case):
    html = (
        client_for(cast["lawyer"]).get(url(new_proceeding(cast["lawyer"], case))).content.decode()
    )
    assert "Ningún plazo legal todavía." in html
    assert "Ningún acto registrado. Empieza por la denuncia." in html
    assert "Sin delitos calificados todavía." in html
    assert "Ninguna persona denunciada registrada." in html
    assert "Sin actos registrados" in html


def test_it_loads_the_proceeding_page_in_a_constant_number_of_queries(
    cast, client_for, case, django_assert_num_queries
):
    small = new_proceeding(cast["lawyer"], case)
    big = new_proceeding(cast["lawyer"], case)
    record(cast["lawyer"], small, "denuncia", dt.date(2026, 3, 2))
    add_accused(cast["lawyer"], small)
    record(cast["lawyer"], big, "denuncia", dt.date(2026, 3, 2))
    for day in range(3, 8):
        record(cast["lawyer"], big, "aprehension", dt.date(2026, 3, day))
        add_accused(cast["lawyer"], big)
    record(cast["lawyer"], big, "imputacion", dt.date(2026, 3, 9))
    offences = list(Offence.objects.filter(code__in=["308", "312"]))
    charges_reclassify(
        membership=membership_of(cast["lawyer"]),
        case=case,
        proceeding=big,
        offences=offences,
        basis="charge",
        on=dt.date(2026, 3, 9),
    )
    client = client_for(cast["lawyer"])
    client.get(url(small))  # session and caches settle
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(url(small)).status_code == 200
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(url(big)).status_code == 200


PAGE_QUERIES = 17


# ----------------------------------------------------------------------------- edit


def test_it_shows_the_identifiers_in_the_edit_form_and_audits_it(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case, nurej=NUREJ)
    html = client_for(cast["lawyer"]).get(url(proceeding, "edit/")).content.decode()
    assert f'value="{NUREJ}"' in html
    assert 'autocomplete="off"' in html
    assert _audits("view").count() == 1


def test_it_updates_the_proceeding(cast, client_for, case, court, fiscalia):
    proceeding = new_proceeding(cast["lawyer"], case)
    response = client_for(cast["lawyer"]).post(url(proceeding, "edit/"), _valid(court, fiscalia))
    proceeding.refresh_from_db()
    assert response.status_code == 302
    assert (proceeding.nurej, proceeding.court) == (NUREJ, court)
    assert set(_audits("update").get().fields) >= {"nurej", "court", "prosecutor_number"}


def test_it_refuses_an_edit_with_an_unknown_office(cast, client_for, case, court, fiscalia):
    proceeding = new_proceeding(cast["lawyer"], case)
    response = client_for(cast["lawyer"]).post(
        url(proceeding, "edit/"), _valid(court, fiscalia, prosecutor_office="999999")
    )
    proceeding.refresh_from_db()
    assert response.status_code == 400
    assert "Elige una fiscalía activa del directorio." in response.content.decode()
    assert (proceeding.nurej, proceeding.court) == ("", None)
    assert not _audits("update").exists()


def test_it_keeps_a_current_office_that_was_deactivated_on_the_list(cast, client_for, case, court):
    proceeding = new_proceeding(cast["lawyer"], case, court=court)
    court.is_active = False
    court.save()
    html = client_for(cast["lawyer"]).get(url(proceeding, "edit/")).content.decode()
    assert f'<option value="{court.pk}" selected>' in html


# ----------------------------------------------------------------------------- charges


def test_it_reclassifies_and_keeps_the_history(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    client = client_for(cast["lawyer"])
    first = {"offences": ["312"], "basis": "complaint", "on": "2026-03-02"}
    assert client.post(url(proceeding, "charges/"), first).status_code == 302
    second = {"offences": ["308", "312"], "basis": "charge", "on": "2026-04-10"}
    assert client.post(url(proceeding, "charges/"), second).status_code == 302
    third = {"offences": ["308"], "basis": "indictment", "on": "2026-06-01"}
    response = client.post(url(proceeding, "charges/"), third)
    assert response.status_code == 302
    assert response["Location"] == url(proceeding) + "#calificacion"
    html = client.get(url(proceeding)).content.decode()
    section = html[html.index('id="calificacion"') : html.index('id="denunciados"')]
    current, past = section.split("Calificaciones anteriores")
    assert "Art. 308:" in current
    assert "Art. 312:" not in current
    assert "Art. 312:" in past
    assert "del 02/03/2026 al 01/06/2026" in past
    assert Charge.objects.filter(proceeding=proceeding).count() == 2


def test_it_preselects_the_current_charges(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    client = client_for(cast["lawyer"])
    data = {"offences": ["308"], "basis": "charge", "on": "2026-03-02"}
    client.post(url(proceeding, "charges/"), data)
    html = client.get(url(proceeding, "charges/")).content.decode()
    assert re.search(r'value="308" id="id_offences_\d+" checked', html)
    assert not re.search(r'value="309" id="id_offences_\d+" checked', html)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"offences": [], "basis": "charge", "on": "2026-03-02"}, "Elige al menos un delito."),
        (
            {"offences": ["308"], "basis": "", "on": "2026-03-02"},
            "Elige el acto que fija la calificación.",
        ),
        (
            {"offences": ["308"], "basis": "charge", "on": "2999-01-01"},
            "La fecha no puede estar en el futuro.",
        ),
    ],
)
def test_it_refuses_a_bad_reclassification(cast, client_for, case, data, message):
    proceeding = new_proceeding(cast["lawyer"], case)
    response = client_for(cast["lawyer"]).post(url(proceeding, "charges/"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Charge.objects.exists()
    assert not CaseEvent.objects.filter(data__what="reclassified").exists()


# ----------------------------------------------------------------------------- accused


def test_it_adds_an_accused_and_masks_the_name(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    client = client_for(cast["lawyer"])
    data = {"relationship": "former_partner", "sex": "male", "name": ACCUSED_NAME}
    response = client.post(url(proceeding, "accused/new/"), data)
    assert response.status_code == 302
    assert Accused.objects.get(proceeding=proceeding).name == ACCUSED_NAME
    html = client.get(url(proceeding)).content.decode()
    assert "Expareja" in html
    assert "Nombre oculto" in html
    assert ACCUSED_NAME not in html


def test_it_refuses_an_accused_without_relationship(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    response = client_for(cast["lawyer"]).post(
        url(proceeding, "accused/new/"), {"relationship": "", "sex": "male", "name": ACCUSED_NAME}
    )
    assert response.status_code == 400
    assert not Accused.objects.exists()


def test_it_refuses_an_accused_name_too_long(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    response = client_for(cast["lawyer"]).post(
        url(proceeding, "accused/new/"),
        {"relationship": "partner", "sex": "male", "name": "x" * 201},
    )
    assert response.status_code == 400
    assert "El nombre es demasiado largo (máximo 200 caracteres)." in response.content.decode()
    assert not Accused.objects.exists()


def test_it_reveals_an_accused_name_on_request_and_audits_it(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    accused = add_accused(cast["lawyer"], proceeding)
    response = client_for(cast["supervisor"]).post(url(proceeding, f"accused/{accused.pk}/reveal/"))
    assert response.status_code == 200
    assert ACCUSED_NAME in response.content.decode()
    reveal = AuditEvent.objects.get(action="reveal", object_type="proceedings.accused")
    assert (reveal.object_id, reveal.fields) == (str(accused.pk), ["name"])
    assert reveal.actor_id == cast["supervisor"].pk


def test_it_refuses_to_reveal_with_a_get(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    accused = add_accused(cast["lawyer"], proceeding)
    response = client_for(cast["lawyer"]).get(url(proceeding, f"accused/{accused.pk}/reveal/"))
    assert response.status_code == 405
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_it_removes_an_accused_and_forgets_the_name(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    accused = add_accused(cast["lawyer"], proceeding)
    client = client_for(cast["lawyer"])
    response = client.post(url(proceeding, f"accused/{accused.pk}/remove/"))
    accused.refresh_from_db()
    assert response.status_code == 302
    assert accused.removed_at is not None
    assert accused.name == ""
    assert "Ninguna persona denunciada registrada." in client.get(url(proceeding)).content.decode()
    # Already removed: not found.
    assert client.post(url(proceeding, f"accused/{accused.pk}/reveal/")).status_code == 404


def test_it_finds_no_accused_of_another_proceeding(cast, client_for, case):
    one = new_proceeding(cast["lawyer"], case)
    other = new_proceeding(cast["lawyer"], case)
    accused = add_accused(cast["lawyer"], other)
    client = client_for(cast["lawyer"])
    assert client.post(url(one, f"accused/{accused.pk}/reveal/")).status_code == 404
    assert client.post(url(one, f"accused/{accused.pk}/remove/")).status_code == 404
    assert not AuditEvent.objects.filter(action="reveal").exists()


# ----------------------------------------------------------------------------- case page


def test_the_case_page_shows_each_proceeding_with_what_comes_next(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case)
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    record(cast["lawyer"], proceeding, "aprehension", dt.date(2026, 3, 3), at=dt.time(9, 0))
    html = client_for(cast["lawyer"]).get(f"/cases/{case.pk}/").content.decode()
    section = html[html.index('id="procesos"') : html.index('id="declaraciones"')]
    assert "Investigación preliminar" in section
    assert "Imputación tras la aprehensión: 04/03/2026 09:00" in section
    assert "Vencido" in section
    assert "Ninguna programada" in section
    assert url(proceeding) in section
    assert f"/cases/{case.pk}/proceedings/new/" in section
    assert '<a href="#procesos">' in html


def test_the_case_page_says_when_there_is_no_proceeding(cast, client_for, case):
    html = client_for(cast["lawyer"]).get(f"/cases/{case.pk}/").content.decode()
    assert "Ningún proceso penal registrado. Regístralo cuando haya denuncia" in html


def test_the_case_timeline_describes_the_proceeding(cast, client_for, case):
    proceeding = new_proceeding(cast["lawyer"], case, nurej=NUREJ)
    event = record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 1), corrects=event)
    add_accused(cast["lawyer"], proceeding)
    html = client_for(cast["lawyer"]).get(f"/cases/{case.pk}/").content.decode()
    timeline = html[html.index('id="timeline"') : html.index('id="hechos"')]
    assert "Proceso penal registrado" in timeline
    assert "Proceso penal: Denuncia o querella, 02/03/2026" in timeline
    assert "Proceso penal: acto corregido, ahora Denuncia o querella, 01/03/2026" in timeline
    assert "Proceso penal: persona denunciada agregada" in timeline
    assert NUREJ not in html
    assert ACCUSED_NAME not in html


def test_the_case_page_section_costs_the_same_for_many_proceedings(cast, client_for):
    one, many = open_case(cast["lawyer"]), open_case(cast["lawyer"])
    record(cast["lawyer"], new_proceeding(cast["lawyer"], one), "denuncia", days_ago(3))
    for _ in range(3):
        proceeding = new_proceeding(cast["lawyer"], many)
        record(cast["lawyer"], proceeding, "denuncia", days_ago(3))
        record(cast["lawyer"], proceeding, "aprehension", days_ago(2))
    client = client_for(cast["lawyer"])
    client.get(f"/cases/{one.pk}/")  # session and caches settle
    counts = []
    for case in (one, many):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/cases/{case.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
