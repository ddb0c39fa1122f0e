"""The network-wide deadline list (/justice/deadlines/), protection measures about to expire,
and marking an alert seen."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from proceedings import services_measures
from proceedings.models import Deadline, DeadlineAlert, ProceduralEvent
from proceedings.tests.justice_fixtures import member, proceeding_for, record

URL = "/justice/deadlines/"


@pytest.fixture
def lawyer_case(cast):
    """A case led by the lawyer: the preliminary investigation (20 business days from the
    aviso de inicio, two months ago) is overdue; the maximum length (3 years) runs."""
    start = timezone.localdate() - timedelta(days=60)
    return proceeding_for(cast["lawyer"], events=[("denuncia", start), ("aviso_inicio", start)])


def _html(client, url=URL, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def test_it_lists_running_deadlines_with_what_a_lawyer_needs(cast, client_for, lawyer_case):
    case, proceeding = lawyer_case
    html = _html(client_for(cast["lawyer"]))
    assert "Fin de la investigación preliminar" in html
    assert "Duración máxima del proceso" in html
    assert f'href="/cases/{case.pk}/proceedings/{proceeding.pk}/"' in html
    assert case.survivor.code in html
    assert "La Paz" in html
    assert cast["lawyer"].display_name in html
    assert "venció hace" in html


def test_it_shows_rule_names_in_english(cast, client_for, lawyer_case):
    client = client_for(cast["lawyer"])
    client.cookies["django_language"] = "en"
    html = _html(client)
    assert "End of the preliminary investigation" in html


def test_it_splits_overdue_and_due_soon(cast, client_for, lawyer_case):
    client = client_for(cast["lawyer"])
    overdue = _html(client, URL + "?tab=overdue")
    assert "Fin de la investigación preliminar" in overdue
    assert "Duración máxima del proceso" not in overdue
    soon = _html(client, URL + "?tab=soon&days=7")
    assert "Fin de la investigación preliminar" not in soon
    assert "Ningún plazo vence en los próximos 7 días." in soon


def test_due_soon_follows_the_number_of_days(cast, client_for, lawyer_case):
    _case, proceeding = lawyer_case
    running = Deadline.objects.get(proceeding=proceeding, rule="duracion_maxima")
    running.due_at = timezone.now() + timedelta(days=10)
    running.save()
    client = client_for(cast["lawyer"])
    assert "Duración máxima del proceso" not in _html(client, URL + "?tab=soon&days=7")
    assert "Duración máxima del proceso" in _html(client, URL + "?tab=soon&days=11")


@pytest.mark.parametrize("query", ["?days=0", "?days=91", "?days=many", "?tab=later"])
def test_it_refuses_filters_out_of_bounds(cast, client_for, lawyer_case, query):
    html = _html(client_for(cast["lawyer"]), URL + query, status=400)
    assert "Fin de la investigación preliminar" not in html


def test_it_shows_only_deadlines_of_cases_one_may_open(cast, client_for, lawyer_case):
    code = lawyer_case[0].survivor.code
    assert code in _html(client_for(cast["coordinator"]))
    assert code in _html(client_for(cast["supervisor"]))
    html = _html(client_for(cast["social_worker"]))  # not on the team
    assert code not in html
    assert "No hay plazos legales corriendo" in html
    assert code not in _html(client_for(cast["outsider"]))


def test_it_leaves_out_deadlines_that_stopped(cast, client_for, lawyer_case):
    case, proceeding = lawyer_case
    record(cast["lawyer"], case, proceeding, "imputacion", timezone.localdate() - timedelta(days=5))
    html = _html(client_for(cast["lawyer"]))
    assert "Fin de la investigación preliminar" not in html
    assert "Duración máxima de la etapa preparatoria" in html


def _many(proceeding, n):
    """`n` extra running deadlines (rows written directly: the view only reads them)."""
    for i in range(n):
        event = ProceduralEvent.objects.create(
            proceeding=proceeding,
            type="cautelares_solicitadas",
            occurred_on=date(2026, 1, 1),
            recorded_by=proceeding.created_by,
        )
        Deadline.objects.create(
            proceeding=proceeding,
            organisation_id=proceeding.case.organisation_id,
            rule="duracion_maxima",
            start_event=event,
            started_at=timezone.now(),
            due_at=timezone.now() + timedelta(days=100 + i),
            state="running",
        )


def test_it_pages_the_list_at_the_same_cost(cast, client_for, lawyer_case):
    _case, proceeding = lawyer_case
    client = client_for(cast["lawyer"])

    def queries(url=URL):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    _many(proceeding, 30)
    assert queries() == few
    page_two = _html(client, URL + "?page=2")
    assert "Página 2 de 2" in page_two
    assert 'href="?tab=all&amp;page=1"' in _html(client, URL + "?tab=all&page=2")


def test_it_lists_protection_measures_expiring_within_two_weeks(cast, client_for, lawyer_case):
    case, proceeding = lawyer_case
    membership = member(cast["lawyer"])
    today = timezone.localdate()

    def grant(measure, expires):
        protection = services_measures.measure_request(
            membership=membership,
            case=case,
            proceeding=proceeding,
            measure=measure,
            requested_on=today - timedelta(days=30),
        )
        return services_measures.measure_decide(
            membership=membership,
            case=case,
            proceeding=proceeding,
            protection=protection,
            status="granted",
            decided_on=today - timedelta(days=29),
            expires_on=expires,
        )

    soon = grant("salida_agresor", today + timedelta(days=3))
    grant("prohibicion_comunicacion", today + timedelta(days=20))
    html = _html(client_for(cast["lawyer"]))
    assert "Salida del agresor del domicilio" in html
    assert "vence en 3 días" in html
    assert f"/measures/{soon.pk}/" in html
    assert "Prohibición de comunicarse con la víctima" not in html
    assert "Salida del agresor del domicilio" not in _html(client_for(cast["social_worker"]))


def test_it_says_when_nothing_expires(cast, client_for):
    html = _html(client_for(cast["lawyer"]))
    assert "Ninguna medida de protección dispuesta vence pronto." in html
    assert "No tienes avisos de plazos sin ver." in html


def test_analysts_and_admins_cannot_see_it(cast, client_for):
    assert client_for(cast["analyst"]).get(URL).status_code == 404
    assert client_for(cast["org_admin"]).get(URL).status_code == 404


# ----------------------------------------------------------------------------- alerts


@pytest.fixture
def alerts(cast, lawyer_case):
    _case, proceeding = lawyer_case
    deadline = Deadline.objects.get(proceeding=proceeding, rule="investigacion_preliminar")
    other = Deadline.objects.get(proceeding=proceeding, rule="duracion_maxima")
    lawyer = cast["lawyer"]
    return {
        "five": DeadlineAlert.objects.create(deadline=deadline, user=lawyer, lead=timedelta(5)),
        "one": DeadlineAlert.objects.create(deadline=deadline, user=lawyer, lead=timedelta(1)),
        "other": DeadlineAlert.objects.create(deadline=other, user=lawyer, lead=timedelta(90)),
        "theirs": DeadlineAlert.objects.create(
            deadline=deadline, user=cast["supervisor"], lead=timedelta(1)
        ),
    }


def _seen(alert) -> bool:
    alert.refresh_from_db()
    return alert.seen_at is not None


def test_it_shows_my_unseen_alerts_with_a_button(cast, client_for, alerts):
    html = _html(client_for(cast["lawyer"]))
    assert "Avisos de plazos" in html
    assert f'action="/justice/alerts/{alerts["one"].pk}/seen/"' in html
    assert f'action="/justice/alerts/{alerts["theirs"].pk}/seen/"' not in html


def test_marking_an_alert_seen_also_marks_my_earlier_ones_for_that_deadline(
    cast, client_for, alerts
):
    response = client_for(cast["lawyer"]).post(
        f"/justice/alerts/{alerts['one'].pk}/seen/", {"next": "/?x=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/?x=1"
    assert _seen(alerts["one"])
    assert _seen(alerts["five"])
    assert not _seen(alerts["other"])
    assert not _seen(alerts["theirs"])
    html = _html(client_for(cast["lawyer"]))
    assert f'action="/justice/alerts/{alerts["one"].pk}/seen/"' not in html


def test_marking_the_earlier_alert_leaves_the_later_one(cast, client_for, alerts):
    client_for(cast["lawyer"]).post(f"/justice/alerts/{alerts['five'].pk}/seen/")
    assert _seen(alerts["five"])
    assert not _seen(alerts["one"])


def test_nobody_marks_someone_elses_alert(cast, client_for, alerts):
    for who in ("coordinator", "supervisor", "outsider", "social_worker"):
        response = client_for(cast[who]).post(f"/justice/alerts/{alerts['one'].pk}/seen/")
        assert response.status_code == 404, who
    assert not _seen(alerts["one"])


def test_it_never_redirects_off_site(cast, client_for, alerts):
    response = client_for(cast["lawyer"]).post(
        f"/justice/alerts/{alerts['one'].pk}/seen/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == URL


def test_an_alert_of_a_case_i_left_is_gone(cast, client_for, alerts, lawyer_case):
    from cases.models import CaseMember

    CaseMember.objects.filter(user=cast["lawyer"]).update(removed_at=timezone.now())
    client = client_for(cast["lawyer"])
    assert client.post(f"/justice/alerts/{alerts['one'].pk}/seen/").status_code == 404
    assert f"/justice/alerts/{alerts['one'].pk}/seen/" not in _html(client)
