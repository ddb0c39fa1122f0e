"""The pages of protection measures: request, decide, end, report a breach; the partial the
proceeding page includes."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from proceedings import services_measures as services
from proceedings.models import MeasureBreach, ProtectionMeasure
from proceedings.tests.justice_fixtures import member, proceeding_for


@pytest.fixture
def setup(cast):
    case, proceeding = proceeding_for(cast["lawyer"], events=[("denuncia", date(2026, 3, 2))])
    return member(cast["lawyer"]), case, proceeding


def _url(setup, tail=""):
    _m, case, proceeding = setup
    return f"/cases/{case.pk}/proceedings/{proceeding.pk}/measures/{tail}"


def _requested(setup, measure="prohibicion_acercamiento"):
    membership, case, proceeding = setup
    return services.measure_request(
        membership=membership,
        case=case,
        proceeding=proceeding,
        measure=measure,
        requested_on=date(2026, 3, 3),
    )


def _granted(setup, expires=None):
    membership, case, proceeding = setup
    return services.measure_decide(
        membership=membership,
        case=case,
        proceeding=proceeding,
        protection=_requested(setup),
        status="granted",
        decided_on=date(2026, 3, 5),
        expires_on=expires,
    )


def test_it_offers_the_measures_that_fit_an_adult(cast, client_for, setup):
    html = client_for(cast["lawyer"]).get(_url(setup, "new/")).content.decode()
    assert "Prohibición de acercarse a la víctima" in html
    assert 'value="retorno_domicilio"' in html
    assert 'value="acogida"' not in html


def test_it_offers_the_measures_for_children_when_the_survivor_is_a_child(cast, client_for):
    case, proceeding = proceeding_for(cast["lawyer"], age=13)
    url = f"/cases/{case.pk}/proceedings/{proceeding.pk}/measures/new/"
    html = client_for(cast["lawyer"]).get(url).content.decode()
    assert 'value="acogida"' in html
    assert 'value="retorno_domicilio"' not in html


def test_it_shows_measure_names_in_english(cast, client_for, setup):
    client = client_for(cast["lawyer"])
    client.cookies["django_language"] = "en"
    html = client.get(_url(setup, "new/")).content.decode()
    assert "Aggressor barred from approaching the victim" in html


def test_it_records_a_request_and_goes_to_the_measure(cast, client_for, setup):
    response = client_for(cast["lawyer"]).post(
        _url(setup, "new/"), {"measure": "salida_agresor", "requested_on": "2026-03-03"}
    )
    protection = ProtectionMeasure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(setup, f"{protection.pk}/")
    assert protection.measure == "salida_agresor"


@pytest.mark.parametrize(
    "data",
    [
        {"measure": "acogida", "requested_on": "2026-03-03"},  # for children
        {"measure": "nope", "requested_on": "2026-03-03"},
        {"measure": "salida_agresor", "requested_on": "2099-01-01"},
        {"measure": "salida_agresor", "requested_on": "no date"},
        {},
    ],
)
def test_it_refuses_a_bad_request_with_400(cast, client_for, setup, data):
    response = client_for(cast["lawyer"]).post(_url(setup, "new/"), data)
    assert response.status_code == 400
    assert (
        "Revisa los campos marcados." in response.content.decode()
        or response.context["form"].errors
    )
    assert not ProtectionMeasure.objects.exists()


def test_it_hides_the_pages_from_who_cannot_open_the_case(cast, client_for, setup):
    protection = _requested(setup)
    for who in ("social_worker", "outsider", "analyst"):
        client = client_for(cast[who])
        assert client.get(_url(setup, "new/")).status_code == 404
        assert client.get(_url(setup, f"{protection.pk}/")).status_code == 404
        posted = client.post(
            _url(setup, f"{protection.pk}/"),
            {"action": "decide", "status": "granted", "decided_on": "2026-03-05"},
        )
        assert posted.status_code == 404
    assert ProtectionMeasure.objects.get().status == "requested"


def test_it_hides_a_measure_of_another_proceeding(cast, client_for, setup):
    _other_case, other = proceeding_for(cast["lawyer"])
    theirs = services.measure_request(
        membership=member(cast["lawyer"]),
        case=_other_case,
        proceeding=other,
        measure="salida_agresor",
        requested_on=date(2026, 3, 3),
    )
    assert client_for(cast["lawyer"]).get(_url(setup, f"{theirs.pk}/")).status_code == 404


def test_it_decides_a_measure_from_its_page(cast, client_for, setup):
    protection = _requested(setup)
    client = client_for(cast["coordinator"])  # sees the whole caseload
    page = client.get(_url(setup, f"{protection.pk}/")).content.decode()
    assert "Registrar la decisión" in page
    response = client.post(
        _url(setup, f"{protection.pk}/"),
        {
            "action": "decide",
            "status": "granted",
            "decided_on": "2026-03-05",
            "expires_on": "2026-09-05",
        },
    )
    assert response.status_code == 302
    protection.refresh_from_db()
    assert (protection.status, protection.expires_on) == ("granted", date(2026, 9, 5))


def test_it_refuses_a_bad_decision_with_the_error_next_to_the_field(cast, client_for, setup):
    protection = _requested(setup)
    response = client_for(cast["lawyer"]).post(
        _url(setup, f"{protection.pk}/"),
        {
            "action": "decide",
            "status": "granted",
            "decided_on": "2026-03-05",
            "expires_on": "2026-03-01",
        },
    )
    assert response.status_code == 400
    assert "El vencimiento no puede ser anterior a la decisión." in response.content.decode()
    protection.refresh_from_db()
    assert protection.status == "requested"


def test_it_says_why_a_second_decision_is_refused(cast, client_for, setup):
    protection = _granted(setup)
    response = client_for(cast["lawyer"]).post(
        _url(setup, f"{protection.pk}/"),
        {"action": "decide", "status": "denied", "decided_on": "2026-03-06"},
    )
    assert response.status_code == 400
    assert "Esta medida ya fue decidida." in response.content.decode()
    protection.refresh_from_db()
    assert protection.status == "granted"


def test_it_ends_a_measure_and_records_breaches_from_its_page(cast, client_for, setup):
    protection = _granted(setup)
    client = client_for(cast["lawyer"])
    url = _url(setup, f"{protection.pk}/")
    breach = client.post(
        url + "breaches/new/",
        {"occurred_on": "2026-04-01", "reported_to_authority": "on", "reported_on": "2026-04-02"},
    )
    assert breach.status_code == 302
    assert breach["Location"] == url
    assert MeasureBreach.objects.get().reported_on == date(2026, 4, 2)
    ended = client.post(url, {"action": "end", "ended_on": "2026-06-01"})
    assert ended.status_code == 302
    protection.refresh_from_db()
    assert protection.status == "ended"
    page = client.get(url).content.decode()
    assert "01/04/2026" in page
    assert "01/06/2026" in page


@pytest.mark.parametrize(
    "data",
    [
        {"occurred_on": "2026-03-01"},  # before the grant
        {"occurred_on": "2026-04-01", "reported_on": "2026-04-02"},  # not marked reported
        {},
    ],
)
def test_it_refuses_a_bad_breach_with_400(cast, client_for, setup, data):
    protection = _granted(setup)
    response = client_for(cast["lawyer"]).post(_url(setup, f"{protection.pk}/breaches/new/"), data)
    assert response.status_code == 400
    assert not MeasureBreach.objects.exists()


def test_it_explains_a_breach_of_a_measure_not_granted(cast, client_for, setup):
    protection = _requested(setup)
    response = client_for(cast["lawyer"]).post(
        _url(setup, f"{protection.pk}/breaches/new/"), {"occurred_on": "2026-04-01"}
    )
    assert response.status_code == 400
    assert "Solo se registra un incumplimiento de una medida dispuesta." in (
        response.content.decode()
    )
    assert not MeasureBreach.objects.exists()


def test_it_refuses_a_post_without_an_action(cast, client_for, setup):
    protection = _requested(setup)
    response = client_for(cast["lawyer"]).post(_url(setup, f"{protection.pk}/"), {})
    assert response.status_code == 400
    assert ProtectionMeasure.objects.get().status == "requested"


def test_the_measure_page_costs_the_same_with_many_breaches(cast, client_for, setup):
    protection = _granted(setup)
    client = client_for(cast["lawyer"])
    url = _url(setup, f"{protection.pk}/")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    membership, case, proceeding = setup
    services.breach_report(
        membership=membership,
        case=case,
        proceeding=proceeding,
        protection=protection,
        occurred_on=date(2026, 4, 1),
    )
    few = queries()
    for day in range(2, 12):
        services.breach_report(
            membership=membership,
            case=case,
            proceeding=proceeding,
            protection=protection,
            occurred_on=date(2026, 4, day),
        )
    assert queries() == few


def test_the_partial_lists_the_measures_of_the_proceeding(cast, setup):
    _m, case, proceeding = setup
    html = render_to_string("proceedings/_measures.html", {"case": case, "proceeding": proceeding})
    assert "No hay medidas de protección registradas en este proceso." in html
    assert _url(setup, "new/") in html
    protection = _granted(setup, expires=date(2026, 9, 5))
    html = render_to_string("proceedings/_measures.html", {"case": case, "proceeding": proceeding})
    assert "Prohibición de acercarse a la víctima" in html
    assert _url(setup, f"{protection.pk}/") in html
    assert "05/09/2026" in html
    assert "vencida" in html  # 5 September 2026 has passed
