"""The directory of courts and prosecutors' offices: everyone who works cases reads it,
coordinators maintain it; offices are deactivated, never deleted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from jurisdictions.models import Department
from proceedings.models import JusticeOffice
from proceedings.services import office_create
from proceedings.tests.justice_fixtures import la_paz, member

URL = "/justice/directory/"
NEW = URL + "new/"


def _office(cast, name="Juzgado 1.º de Instrucción Penal", kind="investigating", dept=None):
    return office_create(
        membership=member(cast["coordinator"]), kind=kind, name=name, department=dept or la_paz()
    )


def _state():
    return (
        list(JusticeOffice.objects.values_list("kind", "name", "department__code", "is_active")),
        AuditEvent.objects.filter(object_type="proceedings.justiceoffice").count(),
    )


def test_a_coordinator_adds_an_office(cast, client_for):
    response = client_for(cast["coordinator"]).post(
        NEW, {"kind": "prosecutor", "name": " Fiscalía de El Alto ", "department": "02"}
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    office = JusticeOffice.objects.get()
    assert (office.kind, office.name, office.department.code) == (
        "prosecutor",
        "Fiscalía de El Alto",
        "02",
    )
    assert office.created_by == cast["coordinator"]
    audit = AuditEvent.objects.get(object_type="proceedings.justiceoffice")
    assert audit.fields == ["department", "kind", "name"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "kind": "investigating",
                "name": "Juzgado 1.º de Instrucción Penal",
                "department": "02",
            },
            "Ya existe una oficina con ese nombre en ese departamento.",
        ),
        ({"kind": "investigating", "name": "   ", "department": "02"}, "obligatorio"),
        (
            {"kind": "investigating", "name": "Juzgado X", "department": "99"},
            "Ese departamento no existe.",
        ),
        (
            {"kind": "embassy", "name": "Juzgado X", "department": "02"},
            "Elige un tipo de la lista.",
        ),
        ({"kind": "investigating", "name": "J" * 201, "department": "02"}, "200"),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(cast, client_for, data, message):
    _office(cast)
    before = _state()
    response = client_for(cast["coordinator"]).post(NEW, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _state() == before


def test_the_same_name_is_fine_in_another_department_or_kind(cast):
    _office(cast)
    _office(cast, dept=Department.objects.get(code="07"))
    _office(cast, kind="sentencing")
    assert JusticeOffice.objects.count() == 3


def test_a_coordinator_edits_and_deactivates_an_office(cast, client_for):
    office = _office(cast)
    client = client_for(cast["coordinator"])
    page = client.get(f"{URL}{office.pk}/edit/").content.decode()
    assert 'value="Juzgado 1.º de Instrucción Penal"' in page
    response = client.post(
        f"{URL}{office.pk}/edit/",
        {
            "kind": "investigating",
            "name": "Juzgado 1.º de Instrucción Penal de El Alto",
            "department": "02",
        },
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.name == "Juzgado 1.º de Instrucción Penal de El Alto"
    assert office.is_active is False  # the box was not ticked
    assert JusticeOffice.objects.count() == 1
    lawyer_view = client_for(cast["lawyer"]).get(URL).content.decode()
    assert "de El Alto" not in lawyer_view
    assert "de El Alto" in client.get(URL + "?inactive=on").content.decode()
    client.post(
        f"{URL}{office.pk}/edit/",
        {"kind": "investigating", "name": office.name, "department": "02", "is_active": "on"},
    )
    office.refresh_from_db()
    assert office.is_active is True


def test_an_edit_into_a_duplicate_is_refused(cast, client_for):
    _office(cast)
    other = _office(cast, name="Juzgado 2.º")
    before = _state()
    response = client_for(cast["coordinator"]).post(
        f"{URL}{other.pk}/edit/",
        {
            "kind": "investigating",
            "name": "Juzgado 1.º de Instrucción Penal",
            "department": "02",
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    assert _state() == before


def test_others_who_work_cases_only_read_it(cast, client_for):
    office = _office(cast)
    for who in ("lawyer", "social_worker", "supervisor", "law_student"):
        client = client_for(cast[who])
        html = client.get(URL).content.decode()
        assert "Juzgado 1.º de Instrucción Penal" in html
        assert NEW not in html
        assert f"{office.pk}/edit/" not in html
        assert client.get(NEW).status_code == 404
        assert client.get(f"{URL}{office.pk}/edit/").status_code == 404
        before = _state()
        posted = client.post(NEW, {"kind": "prosecutor", "name": "Fiscalía Z", "department": "02"})
        assert posted.status_code == 404
        assert _state() == before


def test_people_who_do_not_work_cases_cannot_see_it(cast, client_for):
    for who in ("analyst", "org_admin"):
        assert client_for(cast[who]).get(URL).status_code == 404


def test_it_filters_by_department_and_kind(cast, client_for):
    _office(cast, "Juzgado de La Paz")
    _office(cast, "Fiscalía de La Paz", kind="prosecutor")
    _office(cast, "Juzgado de Santa Cruz", dept=Department.objects.get(code="07"))
    client = client_for(cast["lawyer"])
    html = client.get(URL + "?department=07").content.decode()
    assert "Juzgado de Santa Cruz" in html
    assert "Juzgado de La Paz" not in html
    html = client.get(URL + "?kind=court&department=02").content.decode()
    assert "Juzgado de La Paz" in html
    assert "Fiscalía de La Paz" not in html
    html = client.get(URL + "?kind=prosecutor").content.decode()
    assert "Fiscalía de La Paz" in html
    assert "Juzgado de La Paz" not in html
    empty = client.get(URL + "?kind=appeal").content.decode()
    assert "Ninguna oficina coincide con los filtros." in empty


@pytest.mark.parametrize("query", ["?department=99", "?kind=embassy"])
def test_it_refuses_unknown_filters(cast, client_for, query):
    assert client_for(cast["lawyer"]).get(URL + query).status_code == 400


def test_the_empty_directory_says_so(cast, client_for):
    assert "El directorio está vacío." in client_for(cast["lawyer"]).get(URL).content.decode()
    html = client_for(cast["coordinator"]).get(URL).content.decode()
    assert "Agregar el primer juzgado o fiscalía" in html


def test_it_pages_the_list_at_the_same_cost(cast, client_for):
    client = client_for(cast["lawyer"])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    _office(cast, "Juzgado 0")
    few = queries()
    for n in range(1, 30):
        _office(cast, f"Juzgado {n:02d}")
    assert queries() == few
    assert "Página 2 de 2" in client.get(URL + "?page=2").content.decode()


def test_an_office_of_another_id_is_404(cast, client_for):
    assert client_for(cast["coordinator"]).get(f"{URL}999999/edit/").status_code == 404
