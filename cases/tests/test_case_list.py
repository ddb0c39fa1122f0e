"""The case list: codes and places, never identity; filters, sorting, pages, htmx rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Case, CaseMember, CaseStatus
from conftest import open_case
from jurisdictions.models import Municipality, Offence
from organisations.models import Membership
from survivors.services import Identity

LIST = "/cases/"
NAME = "Zenobia Quispe Achuri"
DOCUMENT = "4829113 LP"
# The page's queries, whatever the number of cases on it and whatever each case holds:
# session, user, memberships and the membership's user (middleware and gate); people,
# departments, municipalities and offences (filter form); count and rows (paginator, one join
# for code, place and lead); the session saved again (savepoint, update, release).
LIST_QUERIES = 14  # the page's ids, then its rows (deep pages stay cheap)


def _membership(user):
    return Membership.objects.select_related("organisation", "user").get(user=user, is_active=True)


def _codes(response) -> list[str]:
    return [case.survivor.code for case in response.context["page"].object_list]


def _set(case, **values) -> None:
    Case.objects.filter(pk=case.pk).update(**values)


@pytest.fixture
def three(cast):
    """Three cases of the lawyer: El Alto (La Paz), Sucre (Chuquisaca), Cochabamba."""
    return [
        open_case(cast["lawyer"], municipality="020105", identity=Identity(full_name=NAME)),
        open_case(cast["lawyer"], municipality="010101", age=15),
        open_case(cast["lawyer"], municipality="030101", age=40),
    ]


def test_it_lists_codes_places_and_leads_never_identity(cast, client_for, three):
    response = client_for(cast["coordinator"]).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    for case in three:
        assert case.survivor.code in html
        assert f'href="/cases/{case.pk}/"' in html
    assert "El Alto (La Paz)" in html
    assert "Sucre (Chuquisaca)" in html
    assert "14 a 17 años" in html
    assert "Sin evaluar" in html
    assert "Abierto" in html
    assert cast["lawyer"].display_name in html
    assert NAME not in html
    assert "Zenobia" not in html


def test_it_hides_cases_of_other_organisations(cast, client_for, three):
    theirs = open_case(cast["outsider"])
    mine = client_for(cast["coordinator"]).get(LIST)
    assert theirs.survivor.code not in mine.content.decode()
    other = client_for(cast["outsider"]).get(LIST)
    assert _codes(other) == [theirs.survivor.code]


def test_it_shows_other_roles_only_the_cases_whose_team_they_are_on(cast, client_for, three):
    CaseMember.objects.create(case=three[1], user=cast["social_worker"], role="social_worker")
    response = client_for(cast["social_worker"]).get(LIST)
    assert _codes(response) == [three[1].survivor.code]
    assert _codes(client_for(cast["psychologist"]).get(LIST)) == []


@pytest.mark.parametrize("role", ["analyst", "org_admin"])
def test_it_refuses_roles_that_do_not_work_cases(cast, client_for, role):
    assert client_for(cast[role]).get(LIST).status_code == 404


def test_it_says_there_are_no_cases_or_that_none_matches(cast, client_for, three):
    client = client_for(cast["psychologist"])
    assert "No hay casos." in client.get(LIST).content.decode()
    response = client_for(cast["coordinator"]).get(LIST, {"code": "ZZZ"})
    assert response.status_code == 200
    assert "Ningún caso coincide con los filtros." in response.content.decode()
    assert "No hay casos." not in response.content.decode()


def test_it_searches_by_code(cast, client_for, three):
    code = three[1].survivor.code
    response = client_for(cast["coordinator"]).get(LIST, {"code": code.lower()})
    assert _codes(response) == [code]
    assert _codes(client_for(cast["coordinator"]).get(LIST, {"code": "CHQ-"})) == [code]


def test_it_filters_by_status_with_active_meaning_not_closed(cast, client_for, three):
    services.case_close(
        membership=_membership(cast["lawyer"]),
        case=three[0],
        reason="goals_met",
        closed_on=timezone.localdate(),
    )
    _set(three[1], status=CaseStatus.REOPENED)
    client = client_for(cast["coordinator"])
    active = client.get(LIST, {"status": "active"})
    assert sorted(_codes(active)) == sorted(c.survivor.code for c in three[1:])
    assert _codes(client.get(LIST, {"status": "closed"})) == [three[0].survivor.code]
    assert _codes(client.get(LIST, {"status": "reopened"})) == [three[1].survivor.code]


def test_it_filters_by_team_member_without_repeating_cases(cast, client_for, three):
    sw = cast["social_worker"]
    CaseMember.objects.create(
        case=three[0], user=sw, role="social_worker", removed_at=timezone.now()
    )
    CaseMember.objects.create(case=three[0], user=sw, role="social_worker")  # back on the team
    CaseMember.objects.create(
        case=three[2], user=sw, role="social_worker", removed_at=timezone.now()
    )
    response = client_for(cast["coordinator"]).get(LIST, {"member": sw.pk})
    assert _codes(response) == [three[0].survivor.code]


def test_it_filters_by_department_and_municipality(cast, client_for, three):
    client = client_for(cast["coordinator"])
    assert _codes(client.get(LIST, {"department": "02"})) == [three[0].survivor.code]
    assert _codes(client.get(LIST, {"municipality": "010101"})) == [three[1].survivor.code]
    both = client.get(LIST, {"department": "03", "municipality": "030101"})
    assert _codes(both) == [three[2].survivor.code]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("municipality", "999999", "Código de municipio (INE) desconocido."),
        ("department", "99", "Código de departamento desconocido."),
        ("offence", "no-such", "Código de delito desconocido."),
        ("member", "999999", "Esa persona no trabaja casos en tu organización."),
        ("member", "abc", "Esa persona no trabaja casos en tu organización."),
        ("status", "lost", ""),
    ],
)
def test_it_refuses_unknown_codes_instead_of_ignoring_them(
    cast, client_for, three, name, value, message
):
    response = client_for(cast["coordinator"]).get(LIST, {name: value})
    assert response.status_code == 400
    assert response.context["page"] is None
    assert response.context["form"].errors[name]
    assert message in response.context["form"].errors[name][0]


def test_it_refuses_a_municipality_outside_the_chosen_department(cast, client_for, three):
    response = client_for(cast["coordinator"]).get(
        LIST, {"department": "01", "municipality": "020105"}
    )
    assert response.status_code == 400
    assert "no está en el departamento" in response.content.decode()


def test_it_does_not_offer_people_who_do_not_work_cases(cast, client_for):
    form = client_for(cast["coordinator"]).get(LIST).context["form"]
    offered = {value for value, _label in form.fields["member"].choices if value}
    assert cast["lawyer"].pk in offered
    assert cast["analyst"].pk not in offered
    assert cast["org_admin"].pk not in offered
    assert cast["outsider"].pk not in offered
    assert cast["deactivated"].pk not in offered


def test_it_filters_by_offence_without_repeating_cases(cast, client_for, three):
    rape, other = Offence.objects.filter(code__in=["308", "312"]).order_by("code")
    membership = _membership(cast["lawyer"])
    place = Municipality.objects.get(code="020105")
    for offences in ([rape], [rape, other]):  # two incidents with the same offence
        services.incident_add(
            membership=membership,
            case=three[0],
            data=services.IncidentData(
                violence_type="rape",
                occurred_on=date(2026, 1, 1),
                municipality=place,
                offences=offences,
            ),
        )
    client = client_for(cast["coordinator"])
    assert _codes(client.get(LIST, {"offence": "308"})) == [three[0].survivor.code]
    assert _codes(client.get(LIST, {"offence": "309"})) == []


def test_it_filters_by_risk_level_and_age_band(cast, client_for, three):
    _set(three[0], risk_level="high")
    _set(three[1], risk_level="low")
    client = client_for(cast["coordinator"])
    assert _codes(client.get(LIST, {"risk": "high"})) == [three[0].survivor.code]
    assert _codes(client.get(LIST, {"risk": "none"})) == [three[2].survivor.code]
    assert _codes(client.get(LIST, {"age_band": "14-17"})) == [three[1].survivor.code]
    assert "Alto" in client.get(LIST, {"risk": "high"}).content.decode()


def test_it_sorts_by_activity_opening_code_and_risk(cast, client_for, three):
    a, b, c = three
    _set(a, opened_on=date(2026, 1, 1), risk_level="moderate")
    _set(b, opened_on=date(2026, 3, 1), risk_level="extreme")
    _set(c, opened_on=date(2026, 2, 1))
    client = client_for(cast["coordinator"])

    def order(sort):
        return _codes(client.get(LIST, {"sort": sort}))

    code = {case.pk: case.survivor.code for case in three}
    assert order("-updated_at") == [code[c.pk], code[b.pk], code[a.pk]]  # last opened first
    assert order("-opened_on") == [code[b.pk], code[c.pk], code[a.pk]]
    assert order("opened_on") == [code[a.pk], code[c.pk], code[b.pk]]
    assert order("code") == sorted(code.values())
    assert order("-risk") == [code[b.pk], code[a.pk], code[c.pk]]


def test_it_pages_by_25_keeping_the_filters(cast, client_for):
    for _ in range(27):
        open_case(cast["lawyer"])
    client = client_for(cast["coordinator"])
    first = client.get(LIST, {"status": "active", "sort": "code"})
    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].paginator.count == 27
    assert 'href="?status=active&amp;sort=code&amp;page=2"' in first.content.decode()
    second = client.get(LIST, {"status": "active", "sort": "code", "page": "2"})
    assert len(second.context["page"].object_list) == 2
    assert client.get(LIST, {"page": "999"}).context["page"].number == 2
    assert client.get(LIST, {"page": "abc"}).context["page"].number == 1


def test_it_answers_htmx_with_the_rows_only(cast, client_for, three):
    client = client_for(cast["coordinator"])
    page = client.get(LIST).content.decode()
    assert 'hx-get="/cases/"' in page
    assert 'hx-target="#rows"' in page
    assert 'hx-push-url="true"' in page
    rows = client.get(LIST, {"code": three[0].survivor.code}, HTTP_HX_REQUEST="true")
    html = rows.content.decode()
    assert rows.status_code == 200
    assert "<h1>" not in html
    assert "<form" not in html
    assert three[0].survivor.code in html
    assert three[1].survivor.code not in html


def test_it_answers_htmx_with_the_errors_when_a_filter_is_wrong(cast, client_for):
    response = client_for(cast["coordinator"]).get(
        LIST, {"municipality": "999999"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert "Código de municipio (INE) desconocido." in response.content.decode()


def test_it_shows_cases_in_the_nav_only_to_people_who_work_cases(cast, client_for):
    assert 'href="/cases/"' in client_for(cast["lawyer"]).get("/").content.decode()
    assert 'href="/cases/"' not in client_for(cast["org_admin"]).get("/").content.decode()
    assert 'href="/cases/"' not in client_for(cast["analyst"]).get("/").content.decode()


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, params or {})
    assert response.status_code == 200
    return len(queries)


def test_it_reads_a_page_in_a_fixed_number_of_queries(cast, client_for, django_assert_num_queries):
    client = client_for(cast["coordinator"])
    for _ in range(3):
        open_case(cast["lawyer"])
    few = _queries(client)
    for n in range(27):
        case = open_case(cast["lawyer"], age=10 + n)
        CaseMember.objects.create(case=case, user=cast["social_worker"], role="social_worker")
        _set(case, lead=cast["social_worker"] if n % 2 else cast["lawyer"], risk_level="high")
    many = _queries(client)
    assert few == many == LIST_QUERIES
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(
            LIST, {"member": cast["social_worker"].pk, "status": "active", "sort": "-risk"}
        )
    assert response.context["page"].paginator.count == 27
