from __future__ import annotations

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
from cases import selectors
from cases.models import Case, CaseEvent, CaseMember, Incident, Note, Task
from cases.services import revictimisation_warning
from demo.cases import demo_cases, seed_cases
from demo.seed import seed
from survivors.models import Consent, Survivor
from survivors.selectors import consent_list

DEMO_CASES = 64
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo, seeded once for the module in a transaction rolled back at its end; each
    test runs in a savepoint inside it."""
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


def _member(local: str, slug: str):
    return membership_for(User.objects.get(email=f"{local}@demo.amparo.bo"), _org_id(slug))


def _org_id(slug: str) -> int:
    from organisations.models import Organisation

    return Organisation.objects.get(slug=slug).pk


def test_it_seeds_the_fictional_cases_once_however_often_it_runs(seeded, settings):
    settings.AMPARO_DEMO = True
    counts = (Case.objects.count(), Survivor.objects.count(), AuditEvent.objects.count())

    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert counts[:2] == (DEMO_CASES, DEMO_CASES)
    assert (Case.objects.count(), Survivor.objects.count(), AuditEvent.objects.count()) == counts
    assert f"0 created, {DEMO_CASES} already there" in out.getvalue()


def test_the_demo_is_the_same_every_time():
    assert demo_cases() == demo_cases()
    assert demo_cases() != demo_cases(seed=7)
    assert len(demo_cases()) == DEMO_CASES


def test_every_demo_case_has_its_timeline_and_audit_trail(seeded):
    for case in Case.objects.all():
        assert CaseEvent.objects.filter(case=case, kind="intake").exists()
        assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).exists()
        assert case.opened_on <= timezone.localdate()
    audited_by = set(AuditEvent.objects.exclude(actor=None).values_list("actor__email", flat=True))
    assert {"lawyer@demo.amparo.bo", "outsider@demo.amparo.bo"} <= audited_by


def test_identities_are_obviously_fictional(seeded):
    names = [s.full_name for s in Survivor.objects.select_related("data_key")]
    assert all(name.startswith("Persona Ficticia ") for name in names)


def test_the_demo_covers_who_the_organisations_accompany(seeded):
    survivors = Survivor.objects.all()
    assert {"0-4", "5-9", "10-13"} & set(survivors.values_list("age_band", flat=True))
    assert survivors.filter(age_band="14-17").exists()
    assert survivors.filter(is_child=False).exists()
    assert survivors.filter(sex="male").count() < survivors.filter(sex="female").count() / 4
    assert survivors.filter(sex="male").exists()
    places = set(survivors.values_list("municipality__code", flat=True))
    assert {"020105", "020101"} <= places
    assert any(code.startswith("03") for code in places)
    assert any(code[:2] not in ("02", "03") for code in places)


def test_the_demo_covers_what_happened_and_where_the_case_stands(seeded):
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == {"open", "closed", "reopened"}
    reasons = set(Case.objects.filter(status="closed").values_list("closure_reason", flat=True))
    assert len(reasons) >= 4
    offences = set(Incident.offences.through.objects.values_list("offence__code", flat=True))
    assert {"308", "308bis", "309", "312", "272bis"} <= offences
    assert len(set(Incident.objects.values_list("violence_type", flat=True))) >= 4
    assert len(set(Incident.objects.values_list("perpetrator_relationship", flat=True))) >= 6
    assert Incident.objects.filter(repeats_earlier=True).exists()


def test_some_survivors_were_asked_again_after_a_gesell_interview(seeded):
    warned = [
        case
        for case in Case.objects.all()
        if revictimisation_warning(selectors.testimony_list(case=case))
        and selectors.testimony_list(case=case).filter(gesell_chamber=True).exists()
    ]
    assert len(warned) >= 3


def test_the_demo_has_notes_tasks_and_teams_of_every_kind(seeded):
    assert set(Note.objects.values_list("sensitivity", flat=True)) == {
        "normal",
        "team",
        "discipline",
    }
    today = timezone.localdate()
    open_tasks = Task.objects.filter(done_at=None)
    assert open_tasks.filter(due_on__lt=today).exists()  # overdue
    assert open_tasks.filter(due_on__gte=today).exists()
    assert Task.objects.exclude(done_at=None).exists()
    on_teams = set(CaseMember.objects.values_list("user__email", flat=True))
    for local in ("lawyer", "social_worker", "psychologist", "law_student"):
        assert f"{local}@demo.amparo.bo" in on_teams


def test_the_demo_has_consents_of_adults_and_children(seeded):
    survivors = list(Survivor.objects.all())
    with_statistics = [
        s for s in survivors if consent_list(survivor=s).filter(purpose="statistics").exists()
    ]
    assert len(with_statistics) >= 0.7 * len(survivors)
    assert Consent.objects.filter(purpose="statistics").exclude(withdrawn_at=None).count() == 1
    children = Consent.objects.filter(survivor__is_child=True)
    assert children.exists()
    assert set(children.values_list("given_by", "child_assent")) == {("guardian", True)}
    assert set(
        Consent.objects.filter(survivor__is_child=False).values_list("given_by", flat=True)
    ) == {"survivor"}
    assert Consent.objects.filter(purpose="sharing").exclude(recipient=None).exists()
    assert all(c.given_on <= timezone.localdate() for c in Consent.objects.all())


def test_the_outsider_sees_only_her_organisations_cases(seeded):
    outsider = _member("outsider", "slim-el-alto")

    visible = selectors.case_visible_to(membership=outsider)

    assert visible.count() == Case.objects.filter(organisation__slug="slim-el-alto").count() > 0
    assert not visible.exclude(organisation__slug="slim-el-alto").exists()


def test_the_lawyer_sees_her_team_cases_and_the_coordinator_the_whole_caseload(seeded):
    lawyer = selectors.case_visible_to(membership=_member("lawyer", "ong-la-paz"))
    caseload = selectors.case_visible_to(membership=_member("coordinator", "ong-la-paz"))

    assert caseload.count() == Case.objects.filter(organisation__slug="ong-la-paz").count()
    assert 0 < lawyer.count() < caseload.count()


def test_the_demo_cases_open_in_the_case_list_and_case_pages(seeded, client_for):
    outsider = client_for(User.objects.get(email="outsider@demo.amparo.bo"))

    listed = outsider.get("/cases/")

    assert listed.status_code == 200
    html = listed.content.decode()
    for case in Case.objects.select_related("survivor"):
        assert (case.survivor.code in html) == (case.organisation.slug == "slim-el-alto")
    lawyer = client_for(User.objects.get(email="lawyer@demo.amparo.bo"))
    for case in selectors.case_visible_to(membership=_member("lawyer", "ong-la-paz"))[:5]:
        assert lawyer.get(f"/cases/{case.pk}/").status_code == 200
