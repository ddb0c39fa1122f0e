"""The demo's criminal proceedings: every stage of the pack, overdue and running deadlines,
suspended and rescheduled hearings, measures about to expire, and nothing twice."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from access.policy import membership_for
from accounts.models import User
from audit.models import AuditEvent
from cases.models import Case, CaseEvent
from demo.cases import demo_cases, seed_cases
from demo.offices import office_names
from demo.proceedings import SCENARIOS, plan, seed_proceedings
from demo.seed import seed
from jurisdictions.procedure import rules_for
from organisations.models import Organisation
from proceedings.models import (
    Accused,
    Charge,
    Deadline,
    Hearing,
    JusticeOffice,
    MeasureBreach,
    ProceduralEvent,
    Proceeding,
    ProtectionMeasure,
)
from proceedings.selectors import visible_hearings, visible_measures_expiring
from survivors.models import Survivor
from survivors.services import Identity, identity_indexes

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo, seeded once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed()
            seed_cases()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def seeded(demo_seeded: None, db: None) -> None:
    return None


def _member(local: str, slug: str = "ong-la-paz"):
    user = User.objects.get(email=f"{local}@demo.amparo.bo")
    return membership_for(user, Organisation.objects.get(slug=slug).pk)


def _case_of(number: int) -> Case:
    index = identity_indexes(Identity(document_number=f"DEMO-{number:04d}"))["document_index"]
    return Case.objects.get(survivor__document_index=index)


def _counts() -> tuple[int, ...]:
    models = (Proceeding, ProceduralEvent, Deadline, Accused, Charge, Hearing, ProtectionMeasure)
    rows = tuple(model.objects.count() for model in models)
    others = (MeasureBreach, JusticeOffice, AuditEvent, CaseEvent)
    return rows + tuple(model.objects.count() for model in others)


def test_it_reaches_every_stage_of_the_pack(seeded):
    stages = set(Proceeding.objects.values_list("stage", flat=True))

    assert stages == set(rules_for("bo").stages)


def test_each_demo_case_lands_in_the_stage_its_scenario_says(seeded):
    for spec, scenario in plan(demo_cases()):
        proceedings = Proceeding.objects.filter(case=_case_of(spec.number))

        assert [p.stage for p in proceedings] == [scenario.stage], spec.number


def test_some_open_cases_have_no_proceeding_yet_and_closed_ones_none_new(seeded):
    open_cases = Case.objects.exclude(status="closed")
    with_proceeding = open_cases.filter(proceedings__isnull=False).distinct().count()

    assert with_proceeding == len(SCENARIOS)
    assert 0 < with_proceeding < open_cases.count()
    assert not Proceeding.objects.filter(case__status="closed").exists()


def test_several_running_deadlines_are_overdue_and_others_due_soon(seeded):
    # Only margins that no judicial vacation or holiday can close: the test runs any day.
    now = timezone.now()
    running = Deadline.objects.filter(state="running")
    overdue = set(running.filter(due_at__lt=now).values_list("rule", flat=True))

    assert {"imputacion_24h", "etapa_preparatoria", "apelacion", "objecion_rechazo"} <= overdue
    assert "investigacion_preliminar" in overdue
    ahead = running.filter(due_at__gte=now)
    assert ahead.filter(rule="imputacion_24h", due_at__lt=now + dt.timedelta(hours=24)).exists()
    assert ahead.filter(rule="etapa_preparatoria", due_at__lt=now + dt.timedelta(days=21)).exists()
    assert {"casacion", "objecion_rechazo", "apelacion", "investigacion_preliminar"} <= set(
        ahead.values_list("rule", flat=True)
    )
    states = set(Deadline.objects.values_list("rule", "state"))
    assert {("imputacion_24h", "late"), ("imputacion_24h", "met")} <= states
    assert {("etapa_preparatoria", "late"), ("etapa_preparatoria", "met")} <= states
    assert ("detencion_sin_acusacion", "not_applicable") in states


def test_hearings_were_suspended_for_several_reasons_and_rescheduled_in_chains(seeded):
    suspended = Hearing.objects.filter(status="suspended")

    assert suspended.filter(rescheduled_to__isnull=False).exists()
    assert len(set(suspended.values_list("suspension_reason", flat=True))) >= 6
    assert "" not in set(suspended.values_list("suspension_reason", flat=True))
    longest = 0
    for hearing in Hearing.objects.filter(rescheduled_to__isnull=True):
        length = 0
        while hearing.rescheduled_from_id is not None:
            hearing = hearing.rescheduled_from
            length += 1
        longest = max(longest, length)
    assert longest == 3
    assert Hearing.objects.filter(status="held").exists()
    assert not Hearing.objects.filter(status="held", starts_at__gt=timezone.now()).exists()


def test_the_demo_lawyer_has_hearings_this_week_and_next_on_weekdays(seeded):
    now = timezone.now()
    lawyer = _member("lawyer")

    ahead = list(
        visible_hearings(membership=lawyer, start=now, end=now + dt.timedelta(days=15), mine=True)
    )

    assert len(ahead) >= 5
    assert all(h.status == "scheduled" for h in ahead)
    assert all(timezone.localtime(h.starts_at).weekday() < 5 for h in Hearing.objects.all())
    assert any(h.companions.filter(pk=lawyer.user_id).exists() for h in ahead)
    assert any(h.remind_survivor for h in ahead)


def test_other_organisations_have_proceedings_and_hearings_too(seeded):
    for slug in ("slim-el-alto", "red-voluntariado"):
        assert Proceeding.objects.filter(case__organisation__slug=slug).exists()
    ahead = visible_hearings(membership=_member("coordinator", "red-voluntariado"))
    assert ahead.filter(starts_at__gt=timezone.now()).exists()


def test_protection_measures_expire_soon_and_one_was_breached(seeded):
    expiring = visible_measures_expiring(membership=_member("coordinator"), within_days=14)

    assert expiring.filter(expires_on__gte=timezone.localdate()).count() >= 2
    statuses = set(ProtectionMeasure.objects.values_list("status", flat=True))
    assert statuses == {"requested", "granted", "denied", "ended"}
    breach = MeasureBreach.objects.get()
    assert breach.reported_to_authority
    assert breach.measure.status == "granted"
    assert ProceduralEvent.objects.filter(type="medidas_proteccion").exists()


def test_a_charge_was_reclassified_at_the_imputacion(seeded):
    violacion = Charge.objects.filter(offence__code="308", basis="charge").first()

    assert violacion is not None
    proceeding = violacion.proceeding
    abuso = Charge.objects.get(proceeding=proceeding, offence__code="312")
    assert (abuso.basis, abuso.until_on, abuso.ended_by_basis) == (
        "complaint",
        violacion.from_on,
        "charge",
    )
    imputacion = ProceduralEvent.objects.get(proceeding=proceeding, type="imputacion")
    assert imputacion.occurred_on == violacion.from_on
    dropped = Charge.objects.filter(offence__code="312", ended_by_basis="charge")
    child_rape = Charge.objects.filter(offence__code="308bis", until_on=None)
    assert child_rape.filter(proceeding__in=dropped.values("proceeding")).count() >= 2


def test_no_act_is_dated_in_the_future_nor_before_the_incident(seeded):
    now = timezone.localtime()
    for event in ProceduralEvent.objects.all():
        moment = dt.datetime.combine(event.occurred_on, event.occurred_time or dt.time.min)
        assert moment <= now.replace(tzinfo=None), event.type
    for proceeding in Proceeding.objects.select_related("incident"):
        assert proceeding.incident is not None
        assert proceeding.complaint_on >= proceeding.incident.occurred_on


def test_nothing_in_the_demo_names_a_real_person(seeded):
    survivors = Survivor.objects.select_related("data_key")
    assert all(s.full_name.startswith("Persona Ficticia ") for s in survivors)
    assert all(re.fullmatch(r"(Tutora Ficticia \d{3})?", s.guardian_name) for s in survivors)
    names = [a.name for a in Accused.objects.select_related("proceeding__case__survivor__data_key")]
    assert any(names)
    assert all(re.fullmatch(r"(Denunciado Ficticio \d{3})?", name) for name in names)
    roles = {"Coordinator", "Lawyer", "Social Worker", "Psychologist", "Law Student"}
    roles |= {"Supervisor", "Analyst", "Org Admin", "Outsider", "Platform Admin"}
    demo_users = User.objects.filter(email__endswith="@demo.amparo.bo")
    assert set(demo_users.values_list("name", flat=True)) <= roles
    institutions = ("Juzgado de Instrucción", "Tribunal de Sentencia", "Sala Penal", "Fiscalía")
    assert all(o.name.startswith(institutions) for o in JusticeOffice.objects.all())
    for proceeding in Proceeding.objects.select_related("case__survivor__data_key"):
        assert proceeding.prosecutor_number.startswith("FIS-DEMO-")
        assert not proceeding.nurej or proceeding.nurej.startswith("DEMO-NUREJ-")


def test_the_directory_has_every_demo_office_once(seeded):
    expected = {(code, kind, name) for _seat, code, kind, name in office_names()}

    found = set(JusticeOffice.objects.values_list("department__code", "kind", "name"))

    assert found == expected
    assert JusticeOffice.objects.count() == len(expected)
    assert AuditEvent.objects.filter(object_type="proceedings.justiceoffice").count() == len(
        expected
    )


def test_proceedings_are_written_through_the_services(seeded):
    proceeding = Proceeding.objects.filter(case__organisation__slug="ong-la-paz").first()

    assert proceeding is not None
    lines = CaseEvent.objects.filter(case=proceeding.case, data__proceeding=proceeding.pk)
    assert {"created", "event"} <= {line.data["what"] for line in lines}
    audited = AuditEvent.objects.filter(object_type="proceedings.proceduralevent")
    assert audited.filter(actor__email="lawyer@demo.amparo.bo").exists()


def test_seeding_again_changes_nothing(seeded, settings):
    settings.AMPARO_DEMO = True
    before = _counts()

    assert seed_proceedings() == 0
    call_command("seed_demo", stdout=StringIO())

    assert _counts() == before
    assert before[0] == len(SCENARIOS)


def test_the_plan_is_the_same_every_time_and_fits_every_scenario():
    first = plan(demo_cases())

    assert first == plan(demo_cases())
    assert sorted(s.stage for _spec, s in first) == sorted(s.stage for s in SCENARIOS)
    assert len({spec.number for spec, _s in first}) == len(SCENARIOS)
    assert all(spec.status != "closed" for spec, _s in first)
