"""Protection measures: requested, decided, ended, breached; the pack's act recorded with a
grant when the stage allows it; bad input refused with nothing written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import CaseEvent
from proceedings import services_measures as services
from proceedings.models import MeasureBreach, MeasureStatus, ProceduralEvent, ProtectionMeasure
from proceedings.tests.justice_fixtures import member, proceeding_for

DENUNCIA = date(2026, 3, 2)


@pytest.fixture
def setup(cast):
    case, proceeding = proceeding_for(cast["lawyer"], events=[("denuncia", DENUNCIA)])
    return member(cast["lawyer"]), case, proceeding


def _request(setup, measure="prohibicion_acercamiento", on=date(2026, 3, 3)):
    membership, case, proceeding = setup
    return services.measure_request(
        membership=membership, case=case, proceeding=proceeding, measure=measure, requested_on=on
    )


def _decide(setup, protection, status="granted", on=date(2026, 3, 5), expires=None):
    membership, case, proceeding = setup
    return services.measure_decide(
        membership=membership,
        case=case,
        proceeding=proceeding,
        protection=protection,
        status=status,
        decided_on=on,
        expires_on=expires,
    )


def _snapshot():
    return (
        ProtectionMeasure.objects.count(),
        MeasureBreach.objects.count(),
        ProceduralEvent.objects.count(),
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
        list(ProtectionMeasure.objects.values_list("status", "decided_on", "expires_on")),
    )


def _refused(call, field=None):
    before = _snapshot()
    with pytest.raises(ValidationError) as caught:
        call()
    assert _snapshot() == before
    if field:
        assert field in caught.value.message_dict, caught.value
    return caught.value


def _lines(case, what):
    return [
        e.data
        for e in CaseEvent.objects.filter(case=case, kind="status")
        if e.data.get("what") == what
    ]


# ----------------------------------------------------------------------------- request


def test_it_records_a_request_with_its_audit_and_timeline_line(setup):
    _m, case, proceeding = setup
    protection = _request(setup)
    assert protection.status == MeasureStatus.REQUESTED
    assert protection.organisation_id == case.organisation_id
    assert _lines(case, "measure_requested") == [
        {
            "proceeding": proceeding.pk,
            "what": "measure_requested",
            "measure": "prohibicion_acercamiento",
        }
    ]
    audit = AuditEvent.objects.get(
        object_type="proceedings.protectionmeasure", object_id=str(protection.pk)
    )
    assert (audit.action, audit.fields) == ("create", ["measure", "requested_on"])


def test_it_offers_an_adult_the_measures_for_women_and_a_child_those_for_children(cast):
    from proceedings.selectors import procedure_for

    _adult_case, adult = proceeding_for(cast["lawyer"])
    codes = {m.code for m in services.measures_for(procedure_for(adult), is_child=False)}
    assert "retorno_domicilio" in codes
    assert "salida_agresor" in codes
    assert "suspension_tutela" not in codes
    assert "acogida" not in codes
    child = {m.code for m in services.measures_for(procedure_for(adult), is_child=True)}
    assert "acogida" in child
    assert "salida_agresor" in child
    assert "retorno_domicilio" not in child


@pytest.mark.parametrize(
    ("measure", "on", "field"),
    [
        ("no_such_measure", date(2026, 3, 3), "measure"),
        ("suspension_tutela", date(2026, 3, 3), "measure"),  # for children; she is an adult
        ("salida_agresor", None, "requested_on"),
        ("salida_agresor", "tomorrow", "requested_on"),
        ("salida_agresor", date(1980, 1, 1), "requested_on"),
    ],
)
def test_it_refuses_a_bad_request_and_writes_nothing(setup, measure, on, field):
    if on == "tomorrow":
        on = timezone.localdate() + timedelta(days=1)
    _refused(lambda: _request(setup, measure, on), field)


def test_it_refuses_a_measure_for_women_when_the_survivor_is_a_child(cast):
    case, proceeding = proceeding_for(cast["lawyer"], age=12)
    setup = (member(cast["lawyer"]), case, proceeding)
    _refused(lambda: _request(setup, "retorno_domicilio"), "measure")
    assert _request(setup, "acogida").measure == "acogida"


def test_it_hides_a_proceeding_of_another_organisation(cast, setup):
    _m, case, proceeding = setup
    outsider = member(cast["outsider"])
    before = _snapshot()
    with pytest.raises(Http404):
        services.measure_request(
            membership=outsider,
            case=case,
            proceeding=proceeding,
            measure="salida_agresor",
            requested_on=date(2026, 3, 3),
        )
    assert _snapshot() == before


def test_it_refuses_a_proceeding_of_another_case(cast, setup):
    membership, case, _proceeding = setup
    _other_case, other = proceeding_for(cast["lawyer"])
    with pytest.raises(Http404):
        services.measure_request(
            membership=membership,
            case=case,
            proceeding=other,
            measure="salida_agresor",
            requested_on=date(2026, 3, 3),
        )


# ----------------------------------------------------------------------------- decision


def test_a_grant_records_the_protection_act_on_the_proceeding(setup):
    _m, case, proceeding = setup
    protection = _decide(setup, _request(setup), expires=date(2027, 3, 5))
    protection.refresh_from_db()
    assert (protection.status, protection.decided_on, protection.expires_on) == (
        "granted",
        date(2026, 3, 5),
        date(2027, 3, 5),
    )
    act = ProceduralEvent.objects.get(proceeding=proceeding, type="medidas_proteccion")
    assert act.occurred_on == date(2026, 3, 5)
    assert _lines(case, "measure_granted")[0]["measure"] == "prohibicion_acercamiento"


def test_a_grant_before_any_denuncia_is_kept_without_the_act(cast):
    case, proceeding = proceeding_for(cast["lawyer"])  # no events: the stage allows no act
    setup = (member(cast["lawyer"]), case, proceeding)
    protection = _decide(setup, _request(setup))
    assert protection.status == "granted"
    assert not ProceduralEvent.objects.filter(proceeding=proceeding).exists()
    assert _lines(case, "measure_granted")


def test_a_grant_dated_before_the_denuncia_is_kept_without_the_act(setup):
    """The stage allows the act, but the sequence refuses it on that date: skipped."""
    _m, _case, proceeding = setup
    protection = _decide(setup, _request(setup, on=date(2026, 2, 20)), on=date(2026, 2, 25))
    assert ProtectionMeasure.objects.get(pk=protection.pk).status == "granted"
    assert list(ProceduralEvent.objects.filter(proceeding=proceeding).values_list("type")) == [
        ("denuncia",)
    ]
    proceeding.refresh_from_db()
    assert proceeding.stage == "preliminary"


def test_a_denial_records_no_act(setup):
    _m, case, _proceeding = setup
    protection = _decide(setup, _request(setup), status="denied")
    assert protection.status == "denied"
    assert protection.expires_on is None
    assert not ProceduralEvent.objects.filter(type="medidas_proteccion").exists()
    assert _lines(case, "measure_denied")


@pytest.mark.parametrize(
    ("status", "on", "expires", "field"),
    [
        ("maybe", date(2026, 3, 5), None, "status"),
        ("requested", date(2026, 3, 5), None, "status"),
        ("granted", None, None, "decided_on"),
        ("granted", date(2026, 3, 1), None, "decided_on"),  # before the request (3 March)
        ("granted", "tomorrow", None, "decided_on"),
        ("granted", date(2026, 3, 5), date(2026, 3, 4), "expires_on"),
        ("denied", date(2026, 3, 5), date(2026, 9, 4), "expires_on"),
    ],
)
def test_it_refuses_a_bad_decision_and_writes_nothing(setup, status, on, expires, field):
    protection = _request(setup)
    if on == "tomorrow":
        on = timezone.localdate() + timedelta(days=1)
    _refused(lambda: _decide(setup, protection, status, on, expires), field)


def test_an_expiry_far_in_the_future_is_fine(setup):
    protection = _decide(setup, _request(setup), expires=timezone.localdate() + timedelta(days=400))
    assert protection.expires_on is not None


def test_it_refuses_to_decide_twice(setup):
    protection = _decide(setup, _request(setup))
    error = _refused(lambda: _decide(setup, protection, "denied"))
    assert "ya fue decidida" in error.messages[0]


# ----------------------------------------------------------------------------- end


def test_it_ends_a_granted_measure(setup):
    membership, case, proceeding = setup
    protection = _decide(setup, _request(setup))
    services.measure_end(
        membership=membership,
        case=case,
        proceeding=proceeding,
        protection=protection,
        ended_on=date(2026, 6, 1),
    )
    protection.refresh_from_db()
    assert (protection.status, protection.ended_on) == ("ended", date(2026, 6, 1))
    assert _lines(case, "measure_ended")


@pytest.mark.parametrize(
    ("granted", "on", "field"),
    [
        (False, date(2026, 6, 1), None),  # still requested
        (True, date(2026, 3, 4), "ended_on"),  # before the grant (5 March)
        (True, "tomorrow", "ended_on"),
        (True, None, "ended_on"),
    ],
)
def test_it_refuses_a_bad_ending_and_writes_nothing(setup, granted, on, field):
    membership, case, proceeding = setup
    protection = _request(setup)
    if granted:
        protection = _decide(setup, protection)
    if on == "tomorrow":
        on = timezone.localdate() + timedelta(days=1)
    _refused(
        lambda: services.measure_end(
            membership=membership,
            case=case,
            proceeding=proceeding,
            protection=protection,
            ended_on=on,
        ),
        field,
    )


# ----------------------------------------------------------------------------- breaches


def _breach(setup, protection, on, reported=False, reported_on=None):
    membership, case, proceeding = setup
    return services.breach_report(
        membership=membership,
        case=case,
        proceeding=proceeding,
        protection=protection,
        occurred_on=on,
        reported_to_authority=reported,
        reported_on=reported_on,
    )


def test_it_records_a_breach_reported_to_the_authority(setup):
    _m, case, _p = setup
    protection = _decide(setup, _request(setup))
    breach = _breach(setup, protection, date(2026, 4, 1), True, date(2026, 4, 2))
    assert (breach.occurred_on, breach.reported_to_authority, breach.reported_on) == (
        date(2026, 4, 1),
        True,
        date(2026, 4, 2),
    )
    assert _lines(case, "measure_breach")[0]["measure"] == "prohibicion_acercamiento"
    audit = AuditEvent.objects.get(object_type="proceedings.measurebreach")
    assert audit.fields == ["occurred_on", "reported_on", "reported_to_authority"]


def test_it_records_a_breach_of_an_ended_measure_while_it_was_in_force(setup):
    membership, case, proceeding = setup
    protection = _decide(setup, _request(setup))
    services.measure_end(
        membership=membership,
        case=case,
        proceeding=proceeding,
        protection=protection,
        ended_on=date(2026, 6, 1),
    )
    assert _breach(setup, protection, date(2026, 5, 1)).pk
    _refused(lambda: _breach(setup, protection, date(2026, 6, 2)), "occurred_on")


@pytest.mark.parametrize(
    ("on", "reported", "reported_on", "field"),
    [
        (date(2026, 3, 4), False, None, "occurred_on"),  # before the grant (5 March)
        ("tomorrow", False, None, "occurred_on"),
        (None, False, None, "occurred_on"),
        (date(2026, 4, 1), False, date(2026, 4, 2), "reported_on"),  # date but "not reported"
        (date(2026, 4, 1), True, date(2026, 3, 30), "reported_on"),  # before the breach
        (date(2026, 4, 1), True, "tomorrow", "reported_on"),
    ],
)
def test_it_refuses_a_bad_breach_and_writes_nothing(setup, on, reported, reported_on, field):
    protection = _decide(setup, _request(setup))
    tomorrow = timezone.localdate() + timedelta(days=1)
    on = tomorrow if on == "tomorrow" else on
    reported_on = tomorrow if reported_on == "tomorrow" else reported_on
    _refused(lambda: _breach(setup, protection, on, reported, reported_on), field)


def test_it_refuses_a_breach_of_a_measure_never_granted(setup):
    requested = _request(setup)
    _refused(lambda: _breach(setup, requested, date(2026, 4, 1)))
    denied = _decide(setup, _request(setup, "salida_agresor"), status="denied")
    _refused(lambda: _breach(setup, denied, date(2026, 4, 1)))
