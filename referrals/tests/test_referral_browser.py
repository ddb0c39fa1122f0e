"""A referral walked through in two real browsers (see core/tests/conftest.py): the lawyer of
Casa Prueba refers a case to another organisation, sharing only incidents and notes; that
organisation's coordinator accepts it and reads the shared case; the lawyer sees the read and
revokes the referral; on her next request the other organisation's page is gone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from cases.services import note_add
from conftest import PASSWORD, open_case
from core.tests.conftest import Browsing, browsing, chromium, live_static_files  # noqa: F401
from organisations.models import Organisation
from referrals.models import Referral, Status
from referrals.tests.views_setup import membership_of, share

pytestmark = pytest.mark.browser


def _sign_in(page: Any, base_url: str, user: User) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/login/")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=login]").fill(user.email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base_url}/")


def test_referral_acceptance_access_revocation_and_access_gone(
    browsing: Browsing,  # noqa: F811 - the fixture imported above
    chromium: Any,  # noqa: F811
    cast: dict[str, User],
    other_org: Organisation,
) -> None:
    lawyer, receiver = cast["lawyer"], cast["outsider"]
    case = open_case(lawyer)
    share(lawyer, case, other_org, categories=("incidents", "notes"))
    note_add(
        membership=membership_of(lawyer),
        case=case,
        body="Prefiere que la llamen por la tarde",
        sensitivity="normal",
    )
    note_add(
        membership=membership_of(lawyer),
        case=case,
        body="Solo para el equipo",
        sensitivity="team",
    )

    # The lawyer refers the case.
    page = browsing.page
    _sign_in(page, browsing.base_url, lawyer)
    page.goto(f"/cases/{case.pk}/referrals/new/")
    page.get_by_label("Organización de la red").select_option(str(other_org.pk))
    page.get_by_label("Para qué").select_option("legal")
    page.get_by_label("Hechos").check()
    page.get_by_label("Notas").check()
    page.get_by_role("button", name="Derivar").click()
    page.wait_for_url(re.compile(rf"/cases/{case.pk}/referrals/\d+/$"))
    referral = Referral.objects.get(case=case)
    assert referral.status == Status.PENDING
    main = page.locator("main")
    expect(main).to_contain_text("Pendiente de respuesta")

    # The other organisation's coordinator accepts it and reads what was shared, nothing else.
    other = chromium.new_context(base_url=browsing.base_url, locale="es-BO")
    other.set_default_timeout(10_000)
    theirs = other.new_page()
    _sign_in(theirs, browsing.base_url, receiver)
    theirs.goto("/referrals/")
    theirs.get_by_role("link", name=re.compile(case.survivor.code)).first.click()
    theirs.get_by_label(re.compile(receiver.display_name)).check()
    theirs.get_by_role("button", name="Aceptar la derivación").click()
    theirs.get_by_role("link", name="Ver el caso compartido").click()
    shared = theirs.locator("main")
    expect(shared).to_contain_text("Prefiere que la llamen por la tarde")
    expect(shared).not_to_contain_text("Solo para el equipo")
    expect(shared.locator("#hechos-title")).to_be_visible()
    expect(shared.locator("#procesos-title")).to_have_count(0)
    shared_url = theirs.url

    # The lawyer sees the read, then revokes the referral.
    page.reload()
    expect(main).to_contain_text("Aceptada")
    expect(main.locator("section", has_text="Qué leyó la otra organización")).to_contain_text(
        receiver.display_name
    )
    page.get_by_text("Revocar la derivación").click()
    page.get_by_role("button", name="Sí, revocar").click()
    expect(main).to_contain_text("Revocada")

    # Her next request finds nothing.
    response = theirs.goto(shared_url)
    assert response is not None
    assert response.status == 404
    expect(theirs.locator("main")).not_to_contain_text("Prefiere que la llamen por la tarde")
    other.close()

    assert browsing.page_errors == []
    assert browsing.csp_violations() == []
