"""Recording, correcting and voiding procedural events through the pages. The pack's
transitions are enforced; a refused act writes nothing (no event, no audit, no timeline line,
no deadline) and the page says why."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from audit.models import AuditEvent
from cases.models import CaseEvent
from conftest import open_case
from proceedings.models import Deadline, ProceduralEvent
from proceedings.tests.pr_setup import days_ago, new_proceeding, record, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def proceeding(cast):
    return new_proceeding(cast["lawyer"], open_case(cast["lawyer"]))


@pytest.fixture
def client(cast, client_for):
    return client_for(cast["lawyer"])


def _post(client, proceeding, **data):
    return client.post(url(proceeding, "events/new/"), {"occurred_time": "", **data})


def _nothing_written(proceeding, events_before=0):
    assert ProceduralEvent.objects.filter(proceeding=proceeding).count() == events_before
    created = AuditEvent.objects.filter(object_type="proceedings.proceduralevent", action="create")
    assert created.count() == events_before


def _options(html):
    """The type select's option groups: {group label: [option labels]}."""
    select = html[html.index('name="type"') : html.index("</select>")]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    return {label: re.findall(r">([^<]+)</option>", body) for label, body in groups}


# ----------------------------------------------------------------------------- the form


def test_it_lists_the_acts_allowed_now_first(cast, client, proceeding):
    record(cast["lawyer"], proceeding, "denuncia", days_ago(5))
    html = client.get(url(proceeding, "events/new/")).content.decode()
    groups = _options(html)
    allowed, others = (
        groups["Corresponden a la etapa actual"],
        groups["No corresponden a la etapa actual"],
    )
    assert "Imputación formal" in allowed
    assert "Aprehensión del denunciado" in allowed
    assert "Acusación (no corresponde ahora)" in others
    assert "Etapa actual:</strong> Investigación preliminar" in html
    assert 'type="date"' in html
    assert 'type="time"' in html
    assert "Solo para una sentencia." in html


def test_it_offers_only_the_denuncia_before_any_act(client, proceeding):
    groups = _options(client.get(url(proceeding, "events/new/")).content.decode())
    assert groups["Corresponden a la etapa actual"] == ["Denuncia o querella"]


# ----------------------------------------------------------------------------- recording


def test_it_records_an_act_and_moves_the_stage(client, proceeding):
    response = _post(client, proceeding, type="denuncia", occurred_on="2026-03-02")
    proceeding.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == url(proceeding) + "#actos"
    assert (proceeding.stage, proceeding.stage_since) == ("preliminary", dt.date(2026, 3, 2))
    page = client.get(url(proceeding)).content.decode()
    assert "Acto registrado. Etapa actual: Investigación preliminar." in page
    assert "→ Investigación preliminar" in page


def test_it_records_a_back_dated_act_listed_as_not_allowed_now(cast, client, proceeding):
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    record(cast["lawyer"], proceeding, "imputacion", dt.date(2026, 3, 20))
    # An arrest before the imputación: not allowed in the current stage, fine on its date.
    response = _post(client, proceeding, type="aprehension", occurred_on="2026-03-05")
    assert response.status_code == 302
    assert Deadline.objects.get(proceeding=proceeding, rule="imputacion_24h").state == "late"


def test_it_refuses_an_acusacion_before_any_imputacion(cast, client, proceeding):
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    timeline_lines = CaseEvent.objects.count()
    response = _post(client, proceeding, type="acusacion", occurred_on="2026-04-01")
    html = response.content.decode()
    proceeding.refresh_from_db()
    assert response.status_code == 400
    assert "«Acusación» del 01/04/2026 no puede registrarse cuando el proceso está en" in html
    assert "Corresponde a: Etapa preparatoria." in html
    assert proceeding.stage == "preliminary"
    _nothing_written(proceeding, events_before=1)
    assert CaseEvent.objects.count() == timeline_lines
    assert not Deadline.objects.filter(rule="etapa_preparatoria").exists()


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        (
            {"type": "denuncia", "occurred_on": "2999-01-01"},
            "La fecha no puede estar en el futuro.",
        ),
        ({"type": "denuncia", "occurred_on": ""}, "Indica la fecha del acto."),
        (
            {"type": "desconocido", "occurred_on": "2026-03-02"},
            "Elige un acto procesal de la lista.",
        ),
        ({"type": "", "occurred_on": "2026-03-02"}, "Elige un acto procesal de la lista."),
        (
            {"type": "denuncia", "occurred_on": "1980-01-01"},
            "Revisa la fecha: es demasiado antigua.",
        ),
        (
            {"type": "denuncia", "occurred_on": "2026-03-02", "outcome": "conviction"},
            "Solo una sentencia lleva resultado y años de condena.",
        ),
    ],
)
def test_it_refuses_bad_input(client, proceeding, data, field_message):
    response = _post(client, proceeding, **data)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    _nothing_written(proceeding)
    assert not CaseEvent.objects.filter(data__what="event").exists()


def test_it_refuses_a_second_denuncia(cast, client, proceeding):
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    response = _post(client, proceeding, type="denuncia", occurred_on="2026-03-03")
    assert response.status_code == 400
    assert "ya está registrado en este proceso; solo puede haber uno." in response.content.decode()
    _nothing_written(proceeding, events_before=1)


def _to_trial(user, proceeding):
    for kind, day in [
        ("denuncia", 2),
        ("imputacion", 3),
        ("acusacion", 4),
        ("inicio_juicio", 5),
    ]:
        record(user, proceeding, kind, dt.date(2026, 3, day))


def test_it_asks_a_sentence_for_its_outcome_and_years(cast, client, proceeding):
    _to_trial(cast["lawyer"], proceeding)
    response = _post(client, proceeding, type="sentencia", occurred_on="2026-06-01")
    assert response.status_code == 400
    assert (
        "Indica si la sentencia es condenatoria, absolutoria o mixta." in response.content.decode()
    )
    response = _post(
        client, proceeding, type="sentencia", occurred_on="2026-06-01", outcome="conviction"
    )
    assert response.status_code == 400
    assert "Indica los años de condena." in response.content.decode()
    _nothing_written(proceeding, events_before=4)
    response = _post(
        client,
        proceeding,
        type="sentencia",
        occurred_on="2026-06-01",
        outcome="conviction",
        sentence_years="20",
    )
    assert response.status_code == 302
    page = client.get(url(proceeding)).content.decode()
    assert "Condenatoria, 20 años" in page
    assert "Sentencia de primera instancia" in page
    assert "Apelación restringida de la sentencia" in page  # its deadline started


def test_it_records_the_time_of_an_arrest_for_the_24_hour_rule(cast, client, proceeding):
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    response = _post(
        client, proceeding, type="aprehension", occurred_on="2026-03-03", occurred_time="22:15"
    )
    assert response.status_code == 302
    page = client.get(url(proceeding)).content.decode()
    assert "04/03/2026 22:15" in page
    assert "hora supuesta" not in page


# ----------------------------------------------------------------------------- corrections


def test_it_prefills_the_correction_form(cast, client, proceeding):
    event = record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2), at=dt.time(8, 5))
    html = client.get(url(proceeding, f"events/{event.pk}/correct/")).content.decode()
    assert '<option value="denuncia" selected>' in html
    assert 'value="2026-03-02"' in html
    assert 'value="08:05"' in html
    assert "Corriges «Denuncia o querella» del 02/03/2026." in html


def test_it_records_a_correction_and_keeps_the_old_record_struck(cast, client, proceeding):
    event = record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    response = client.post(
        url(proceeding, f"events/{event.pk}/correct/"),
        {"type": "denuncia", "occurred_on": "2026-02-27", "occurred_time": ""},
    )
    proceeding.refresh_from_db()
    assert response.status_code == 302
    assert proceeding.complaint_on == dt.date(2026, 2, 27)
    correction = ProceduralEvent.objects.get(supersedes=event)
    assert correction.occurred_on == dt.date(2026, 2, 27)
    html = client.get(url(proceeding)).content.decode()
    section = html[html.index('id="actos"') : html.index('id="calificacion"')]
    assert re.search(
        r"<del>.*02/03/2026.*Denuncia o querella.*</del>\s*<span class=\"badge\">corregido",
        section,
        re.S,
    )
    assert "(corrige un registro anterior)" in section
    assert f"events/{event.pk}/correct/" not in section  # only the effective record is editable
    assert f"events/{correction.pk}/correct/" in section


def test_it_refuses_a_correction_that_breaks_the_sequence(cast, client, proceeding):
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    charge = record(cast["lawyer"], proceeding, "imputacion", dt.date(2026, 3, 10))
    record(cast["lawyer"], proceeding, "acusacion", dt.date(2026, 5, 10))
    response = client.post(
        url(proceeding, f"events/{charge.pk}/correct/"),
        {"type": "rechazo", "occurred_on": "2026-03-10", "occurred_time": ""},
    )
    assert response.status_code == 400
    assert "no puede registrarse cuando el proceso está en" in response.content.decode()
    _nothing_written(proceeding, events_before=3)


def test_it_refuses_to_correct_a_record_already_corrected(cast, client, proceeding):
    event = record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 1), corrects=event)
    response = client.post(
        url(proceeding, f"events/{event.pk}/correct/"),
        {"type": "denuncia", "occurred_on": "2026-02-28", "occurred_time": ""},
    )
    assert response.status_code == 400
    assert "Ese acto ya fue corregido o anulado: corrige el vigente." in response.content.decode()
    _nothing_written(proceeding, events_before=2)


def test_it_lists_the_acts_allowed_where_the_corrected_act_stands(cast, client, proceeding):
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    charge = record(cast["lawyer"], proceeding, "imputacion", dt.date(2026, 3, 10))
    record(cast["lawyer"], proceeding, "acusacion", dt.date(2026, 5, 10))
    html = client.get(url(proceeding, f"events/{charge.pk}/correct/")).content.decode()
    assert "Imputación formal" in _options(html)["Corresponden a la etapa actual"]


# ----------------------------------------------------------------------------- voiding


def test_it_voids_an_act_and_shows_it_struck(cast, client, proceeding):
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    arrest = record(cast["lawyer"], proceeding, "aprehension", dt.date(2026, 3, 3))
    response = client.post(url(proceeding, f"events/{arrest.pk}/void/"))
    assert response.status_code == 302
    assert not Deadline.objects.filter(rule="imputacion_24h").exists()
    html = client.get(url(proceeding)).content.decode()
    assert "Acto anulado; queda en el historial. Etapa actual: Investigación preliminar." in html
    section = html[html.index('id="actos"') : html.index('id="calificacion"')]
    assert re.search(
        r"<del>.*Aprehensión del denunciado</del>\s*<span class=\"badge\">anulado", section, re.S
    )
    assert AuditEvent.objects.filter(
        action="delete", object_type="proceedings.proceduralevent", object_id=str(arrest.pk)
    ).exists()


def test_it_refuses_to_void_an_act_others_depend_on(cast, client, proceeding):
    record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    charge = record(cast["lawyer"], proceeding, "imputacion", dt.date(2026, 3, 10))
    record(cast["lawyer"], proceeding, "acusacion", dt.date(2026, 5, 10))
    response = client.post(url(proceeding, f"events/{charge.pk}/void/"))
    assert response.status_code == 400
    assert "«Acusación» del 10/05/2026 no puede registrarse" in response.content.decode()
    _nothing_written(proceeding, events_before=3)
    assert not AuditEvent.objects.filter(action="delete").exists()


def test_it_refuses_to_void_twice(cast, client, proceeding):
    event = record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    assert client.post(url(proceeding, f"events/{event.pk}/void/")).status_code == 302
    response = client.post(url(proceeding, f"events/{event.pk}/void/"))
    assert response.status_code == 400
    assert "Ese acto ya fue corregido o anulado" in response.content.decode()
    assert ProceduralEvent.objects.filter(proceeding=proceeding).count() == 2


def test_it_finds_no_event_of_another_proceeding(cast, client, proceeding):
    other = new_proceeding(cast["lawyer"], proceeding.case)
    event = record(cast["lawyer"], other, "denuncia", dt.date(2026, 3, 2))
    assert client.get(url(proceeding, f"events/{event.pk}/correct/")).status_code == 404
    assert client.post(url(proceeding, f"events/{event.pk}/void/")).status_code == 404
    assert ProceduralEvent.objects.count() == 1


def test_it_hides_the_event_pages_from_people_off_the_case(cast, client_for, proceeding):
    event = record(cast["lawyer"], proceeding, "denuncia", dt.date(2026, 3, 2))
    for who in ("psychologist", "outsider"):
        client = client_for(cast[who])
        assert client.get(url(proceeding, "events/new/")).status_code == 404
        assert client.post(url(proceeding, f"events/{event.pk}/void/")).status_code == 404
    assert ProceduralEvent.objects.count() == 1
