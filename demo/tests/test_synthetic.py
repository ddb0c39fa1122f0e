from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit.models import AuditEvent
from cases import models as case_models
from cases.models import Case, CaseEvent, CaseMember, EventKind, Incident, Note, Task
from crypto.keys import DecryptionError, decrypt_with
from demo.seed import seed
from demo.synthetic import case_specs
from organisations.models import Organisation
from survivors.models import Consent, Survivor

CODE = re.compile(r"^[A-Z]{3}-20\d\d-\d{5}$")


@pytest.fixture
def demo(db, settings) -> Organisation:
    """The demo organisations and accounts (no demo cases: these tests count cases)."""
    settings.AMPARO_DEMO = True
    seed()
    return Organisation.objects.get(slug="ong-la-paz")


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_synthetic", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _written() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        Survivor.objects.count(),
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def _fingerprint() -> list[tuple[str, str, str, str, str]]:
    return list(
        Case.objects.order_by("pk").values_list(
            "survivor__code",
            "survivor__age_band",
            "survivor__municipality__code",
            "opened_on",
            "status",
        )
    )


def test_it_creates_exactly_the_cases_asked_for_with_valid_relations(demo):
    events_before = AuditEvent.objects.count()

    output = generate("--cases", "50", "--seed", "7")

    cases = Case.objects.filter(organisation=demo).select_related("survivor")
    assert cases.count() == 50
    assert "50 synthetic cases" in output
    for case in cases:
        assert case.survivor.organisation_id == demo.pk
        assert CODE.match(case.survivor.code)
        team = set(CaseMember.objects.filter(case=case).values_list("user_id", flat=True))
        assert case.lead_id in team
        assert Incident.objects.filter(case=case).exists()
        assert CaseEvent.objects.filter(case=case, kind=EventKind.INTAKE).count() == 1
        assert case.updated_at >= case.created_at
    assert Survivor.objects.values("code").distinct().count() == 50
    # Timeline events point at rows that exist.
    for kind, model in [
        (EventKind.NOTE, Note),
        (EventKind.TASK, Task),
        (EventKind.TESTIMONY, case_models.Testimony),
        (EventKind.INCIDENT, Incident),
        (EventKind.CONSENT, Consent),
    ]:
        ids = set(CaseEvent.objects.filter(kind=kind).values_list("object_id", flat=True))
        assert ids, kind
        assert ids == set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    # One audit event for the whole run.
    assert AuditEvent.objects.count() == events_before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_type, event.fields) == (
        "create",
        "demo.synthetic",
        ["cases"],
    )
    assert event.organisation_id == demo.pk


def test_the_same_seed_gives_the_same_cases():
    first = list(case_specs(count=200, seed=3))
    assert first == list(case_specs(count=200, seed=3))
    # A longer run starts with the cases of a shorter one.
    assert first[:50] == list(case_specs(count=50, seed=3))
    assert first != list(case_specs(count=200, seed=4))


def test_the_same_seed_gives_the_same_codes_ages_places_and_dates_in_a_fresh_database(demo):
    runs = []
    for _run in range(2):
        # Each run in a database as fresh as the other: the first one is rolled back.
        savepoint = transaction.savepoint_create()
        generate("--cases", "30", "--seed", "11")
        runs.append(_fingerprint())
        transaction.savepoint_rollback(savepoint)
    assert runs[0] == runs[1]
    assert len(runs[0]) == 30


def test_identities_are_encrypted_and_open_only_with_their_own_data_key(demo):
    generate("--cases", "5", "--seed", "1")
    survivors = list(Survivor.objects.select_related("data_key").order_by("pk"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, full_name, document_number FROM survivors_survivor ORDER BY id")
        stored = {pk: (name, document) for pk, name, document in cursor.fetchall()}
    for survivor in survivors:
        name, document = stored[survivor.pk]
        assert "Persona" not in name
        assert "SINT" not in document
        own = survivor.data_key.fernet()
        assert decrypt_with(own, name).startswith("Persona Sintética 1-")
        assert decrypt_with(own, document).startswith("SINT-1-")
    other = survivors[1].data_key.fernet()
    with pytest.raises(DecryptionError):
        decrypt_with(other, stored[survivors[0].pk][0])


@pytest.mark.parametrize(
    "args",
    [
        ["--cases", "0"],
        ["--cases", "-3"],
        ["--cases", "5", "--organisation", "no-such-organisation"],
        ["--cases", "5", "--batch", "0"],
        ["--cases", "5", "--organisation", "consultorio-umsa"],  # nobody there works cases
    ],
)
def test_it_refuses_bad_arguments_and_writes_nothing(demo, args):
    before = _written()
    with pytest.raises(CommandError):
        generate(*args)
    assert _written() == before


def test_it_refuses_to_fill_a_production_database(demo, settings):
    settings.AMPARO_DEMO = False
    settings.DEBUG = False
    with pytest.raises(CommandError, match="production"):
        generate("--cases", "5")
    assert not Case.objects.exists()


def test_the_case_list_and_case_page_work_on_synthetic_cases(demo, client_for):
    from accounts.models import User

    generate("--cases", "40", "--seed", "5")
    client = client_for(User.objects.get(email="supervisor@demo.amparo.bo"))

    listed = client.get("/cases/", {"status": "active", "department": "02"})

    assert listed.status_code == 200
    active = Case.objects.exclude(status="closed").filter(survivor__department__code="02")
    assert active.first().survivor.code in listed.content.decode()
    for case in Case.objects.order_by("pk")[:5]:
        page = client.get(f"/cases/{case.pk}/")
        assert page.status_code == 200
        assert case.survivor.code in page.content.decode()
