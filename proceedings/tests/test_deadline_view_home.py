"""What legal deadlines and protection measures add to "Mi trabajo": my unseen alerts, how
many deadlines are overdue or due soon (with links), and measures about to expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from proceedings import services_measures
from proceedings.alerts import alerts_raise
from proceedings.models import DeadlineAlert
from proceedings.tests.justice_fixtures import member, proceeding_for

HOME = "/"


@pytest.fixture
def overdue_case(cast):
    start = timezone.localdate() - timedelta(days=60)
    return proceeding_for(cast["lawyer"], events=[("denuncia", start), ("aviso_inicio", start)])


def _html(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_my_alerts_and_the_deadline_counts(cast, client_for, overdue_case):
    case, proceeding = overdue_case
    alerts_raise()
    html = _html(client_for(cast["lawyer"]))
    alert = DeadlineAlert.objects.get(user=cast["lawyer"])
    assert "Avisos de plazos" in html
    assert "Fin de la investigación preliminar" in html
    assert f'href="/cases/{case.pk}/proceedings/{proceeding.pk}/"' in html
    assert f'action="/justice/alerts/{alert.pk}/seen/"' in html
    assert "1 plazo vencido" in html
    assert 'href="/justice/deadlines/?tab=overdue"' in html
    assert "Ningún plazo vence en los próximos 7 días." in html
    assert 'href="/justice/deadlines/"' in html
    # The task the job gave her is among her overdue or coming tasks.
    assert f"Plazo legal: Fin de la investigación preliminar ({case.survivor.code})" in html


def test_a_seen_alert_leaves_the_home_page(cast, client_for, overdue_case):
    alerts_raise()
    client = client_for(cast["lawyer"])
    alert = DeadlineAlert.objects.get(user=cast["lawyer"])
    client.post(f"/justice/alerts/{alert.pk}/seen/", {"next": HOME})
    html = _html(client)
    assert f"/justice/alerts/{alert.pk}/seen/" not in html
    assert "No tienes avisos de plazos sin ver." in html
    assert "1 plazo vencido" in html  # the deadline itself is still overdue


def test_it_counts_deadlines_due_soon(cast, client_for, overdue_case):
    from proceedings.models import Deadline

    Deadline.objects.filter(rule="duracion_maxima").update(
        due_at=timezone.now() + timedelta(days=3)
    )
    html = _html(client_for(cast["lawyer"]))
    assert "1 plazo vence en los próximos 7 días" in html
    assert 'href="/justice/deadlines/?tab=soon&amp;days=7"' in html


def test_it_shows_protection_measures_about_to_expire(cast, client_for, overdue_case):
    case, proceeding = overdue_case
    membership, today = member(cast["lawyer"]), timezone.localdate()
    protection = services_measures.measure_request(
        membership=membership,
        case=case,
        proceeding=proceeding,
        measure="salida_agresor",
        requested_on=today - timedelta(days=10),
    )
    services_measures.measure_decide(
        membership=membership,
        case=case,
        proceeding=proceeding,
        protection=protection,
        status="granted",
        decided_on=today - timedelta(days=9),
        expires_on=today + timedelta(days=2),
    )
    html = _html(client_for(cast["lawyer"]))
    assert "Medidas de protección por vencer" in html
    assert "Salida del agresor del domicilio" in html
    assert "vence en 2 días" in html
    assert f"/measures/{protection.pk}/" in html


def test_it_has_calm_empty_states(cast, client_for):
    html = _html(client_for(cast["lawyer"]))
    assert "No tienes avisos de plazos sin ver." in html
    assert "No hay plazos legales corriendo en tus casos." in html
    assert "Ninguna medida de protección vence en los próximos 14 días." in html


def test_roles_without_casework_see_none_of_it(cast, client_for, overdue_case):
    alerts_raise()
    for who in ("analyst", "org_admin"):
        html = _html(client_for(cast[who]))
        assert "Plazos legales" not in html
        assert "Avisos de plazos" not in html


def test_the_home_page_costs_the_same_with_many_alerts(cast, client_for, overdue_case):
    client = client_for(cast["lawyer"])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(HOME).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    start = timezone.localdate() - timedelta(days=60)
    for _ in range(3):
        proceeding_for(cast["lawyer"], events=[("denuncia", start), ("aviso_inicio", start)])
    alerts_raise()
    assert queries() == few
