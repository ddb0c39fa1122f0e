"""'Mi trabajo': what needs each person today, by what her role lets her do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Case, CaseMember, Task
from conftest import open_case
from organisations.models import Membership
from survivors.models import MatchNotice
from survivors.services import Identity

HOME = "/"
NAME = "Zenobia Quispe Achuri"
# session, user, memberships, the membership's user; my cases, overdue tasks, coming tasks;
# the session saved again (savepoint, update, release); my deadline alerts, the deadline
# counts, protection measures about to expire. Coordinators add the notice count.
HOME_QUERIES = 13


def _task(case, user, title, due_in_days=None):
    today = timezone.localdate()
    due = today + timedelta(days=due_in_days) if due_in_days is not None else None
    return Task.objects.create(case=case, title=title, assignee=user, created_by=user, due_on=due)


def _html(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def lawyer_case(cast):
    return open_case(cast["lawyer"], identity=Identity(full_name=NAME))


def test_it_shows_my_open_cases_by_code_never_identity(cast, client_for, lawyer_case):
    html = _html(client_for(cast["lawyer"]))
    assert "Mis casos" in html
    assert lawyer_case.survivor.code in html
    assert f'href="/cases/{lawyer_case.pk}/"' in html
    assert "El Alto (La Paz)" in html
    assert NAME not in html
    assert "Zenobia" not in html
    assert f'href="/cases/?member={cast["lawyer"].pk}&amp;status=active"' in html


def test_it_leaves_out_closed_cases_and_cases_i_am_not_on(cast, client_for, lawyer_case):
    other = open_case(cast["coordinator"])
    services.case_close(
        membership=Membership.objects.get(user=cast["lawyer"]),
        case=lawyer_case,
        reason="goals_met",
        closed_on=timezone.localdate(),
    )
    html = _html(client_for(cast["lawyer"]))
    assert lawyer_case.survivor.code not in html
    assert other.survivor.code not in html
    assert "No estás en el equipo de ningún caso abierto." in html


def test_it_shows_the_20_most_recently_active_cases_with_a_link_to_all(cast, client_for):
    cases = [open_case(cast["lawyer"]) for _ in range(21)]
    response = client_for(cast["lawyer"]).get(HOME)
    shown = [case.pk for case in response.context["my_cases"]]
    assert shown == [case.pk for case in reversed(cases[1:])]
    assert "Ver todos mis casos" in response.content.decode()


def test_it_puts_overdue_tasks_in_words_and_coming_tasks_apart(cast, client_for, lawyer_case):
    lawyer = cast["lawyer"]
    _task(lawyer_case, lawyer, "Pedir copia del cuaderno", -3)
    _task(lawyer_case, lawyer, "Llamar a la fiscal", -1)
    _task(lawyer_case, lawyer, "Preparar memorial", 0)
    _task(lawyer_case, lawyer, "Acompañar a la audiencia", 1)
    _task(lawyer_case, lawyer, "Revisar el informe", 10)
    _task(lawyer_case, lawyer, "Ordenar documentos")
    done = _task(lawyer_case, lawyer, "Tarea ya cumplida", -5)
    done.done_at = timezone.now()
    done.save()
    _task(lawyer_case, cast["coordinator"], "Tarea de otra persona", -2)
    response = client_for(lawyer).get(HOME)
    html = response.content.decode()
    overdue = [task.title for task, _days in response.context["overdue"]]
    assert overdue == ["Pedir copia del cuaderno", "Llamar a la fiscal"]
    upcoming = [task.title for task in response.context["upcoming"]]
    assert upcoming == [
        "Preparar memorial",
        "Acompañar a la audiencia",
        "Revisar el informe",
        "Ordenar documentos",
    ]
    assert "venció hace 3 días" in html
    assert "venció ayer" in html
    assert "vence hoy" in html
    assert "vence mañana" in html
    in_ten = (timezone.localdate() + timedelta(days=10)).strftime("%d/%m/%Y")
    assert f"vence el {in_ten}" in html
    assert "sin fecha" in html
    assert "Tarea ya cumplida" not in html
    assert "Tarea de otra persona" not in html


def test_it_hides_tasks_of_cases_she_no_longer_sees(cast, client_for):
    case = open_case(cast["coordinator"])
    CaseMember.objects.create(case=case, user=cast["lawyer"], role="lawyer")
    _task(case, cast["lawyer"], "Llamar a la familia", -1)
    assert "Llamar a la familia" in _html(client_for(cast["lawyer"]))
    CaseMember.objects.filter(case=case, user=cast["lawyer"]).update(removed_at=timezone.now())
    assert "Llamar a la familia" not in _html(client_for(cast["lawyer"]))


def test_it_says_when_there_is_nothing_to_do(cast, client_for):
    html = _html(client_for(cast["social_worker"]))
    assert "No tienes tareas vencidas." in html
    assert "No tienes tareas pendientes." in html
    assert "audiencias" not in html  # no placeholders for what does not exist yet
    assert 'href="/cases/intake/"' in html
    assert "Nuevo ingreso" in html


def test_it_counts_open_match_notices_for_coordinators_and_supervisors(
    cast, client_for, lawyer_case
):
    for _ in range(2):
        MatchNotice.objects.create(
            survivor=lawyer_case.survivor,
            holder=lawyer_case.organisation,
            requester=cast["outsider"].memberships.get().organisation,
            requested_by=cast["outsider"],
        )
    for role in ("coordinator", "supervisor"):
        html = _html(client_for(cast[role]))
        assert "registraron a 2 personas que ustedes ya atienden" in html
        assert 'href="/cases/matches/"' in html
    assert "Avisos de coincidencia" not in _html(client_for(cast["lawyer"]))
    MatchNotice.objects.update(state=MatchNotice.State.CLOSED)
    assert "No hay avisos de coincidencia pendientes." in _html(client_for(cast["coordinator"]))


def test_it_tells_analysts_and_org_admins_what_they_can_do(cast, client_for):
    analyst = _html(client_for(cast["analyst"]))
    assert "Tu rol no da acceso a casos ni a datos de sobrevivientes." in analyst
    assert "cifras sin datos que identifiquen" in analyst
    assert 'href="/settings/api-tokens/"' in analyst
    assert "Mis casos" not in analyst
    assert "Nuevo ingreso" not in analyst
    admin = _html(client_for(cast["org_admin"]))
    assert 'href="/org/members/"' in admin
    assert 'href="/audit/"' in admin
    assert "cifras sin datos" not in admin
    assert "Mis casos" not in admin


def test_it_keeps_the_texts_for_platform_admins_and_people_without_membership(cast, client_for):
    assert "Administras la plataforma" in _html(client_for(cast["platform_admin"]))
    assert "No perteneces a ninguna organización activa" in _html(client_for(cast["deactivated"]))
    assert client_for(None).get(HOME).status_code == 302


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return len(queries)


def test_it_reads_the_page_in_a_fixed_number_of_queries(cast, client_for):
    """Task titles are encrypted with each survivor's key: the keys come in the same query as
    the tasks, so decrypting twenty titles of twenty survivors costs nothing more."""
    lawyer = cast["lawyer"]
    client = client_for(lawyer)
    case = open_case(lawyer)
    _task(case, lawyer, "Una", -1)
    _task(case, lawyer, "Dos", 1)
    few = _queries(client)
    for n in range(15):
        other = open_case(lawyer)
        _task(other, lawyer, f"Vencida {n}", -2)
        _task(other, lawyer, f"Próxima {n}", 2)
    many = _queries(client)
    assert few == many == HOME_QUERIES
    assert "Vencida 14" in _html(client)
    assert _queries(client_for(cast["coordinator"])) == HOME_QUERIES + 1


def test_it_does_not_show_cases_of_another_organisation(cast, client_for):
    theirs = open_case(cast["outsider"])
    _task(theirs, cast["outsider"], "Tarea ajena", -1)
    assert Case.objects.count() == 1
    html = _html(client_for(cast["lawyer"]))
    assert theirs.survivor.code not in html
    assert "Tarea ajena" not in html
