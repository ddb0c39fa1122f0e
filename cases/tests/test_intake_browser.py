"""A lawyer walks the short intake in a real Chromium, from the menu to the new case page,
with no help from JavaScript beyond what the page ships (see core/tests/conftest.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from conftest import PASSWORD
from core.tests.conftest import Browsing, browsing, chromium, live_static_files  # noqa: F401
from survivors.models import Survivor

pytestmark = pytest.mark.browser


def _sign_in(session: Browsing, user: User) -> None:
    page = session.page
    page.goto("/accounts/login/")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=login]").fill(user.email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{session.base_url}/")


def test_a_lawyer_opens_a_case_in_three_steps(
    browsing: Browsing,  # noqa: F811 - the fixture imported above
    cast: dict[str, User],
) -> None:
    page = browsing.page
    _sign_in(browsing, cast["lawyer"])

    page.get_by_role("navigation", name="Principal").get_by_role(
        "link", name="Nuevo ingreso"
    ).click()
    expect(page.locator("main")).to_contain_text("Paso 1 de 3")
    page.get_by_label("Sí, puede hablar").check()
    page.get_by_label("WhatsApp").check()
    page.get_by_label("Horarios seguros").fill("Mañanas, de 9:00 a 11:00")
    page.get_by_label("Palabra clave").fill("girasol")
    page.get_by_role("button", name="Siguiente").click()

    expect(page.locator("main")).to_contain_text("Paso 2 de 3")
    expect(page.locator("main")).to_contain_text("Amparo genera un código")
    page.get_by_label("Edad").fill("31")
    page.get_by_label("Sexo").select_option("female")
    page.get_by_label("Municipio donde vive").select_option(label="El Alto (La Paz)")
    page.get_by_label("Aymara").check()
    page.get_by_label("Nombre completo").fill("Juana Prueba Navegador")
    page.get_by_role("button", name="Siguiente").click()

    expect(page.locator("main")).to_contain_text("Paso 3 de 3")
    page.get_by_label("Agresión física").check()
    page.get_by_label(re.compile(r"^Mes:?$")).select_option("4")
    page.get_by_role("spinbutton", name=re.compile(r"^Año")).fill("2026")
    with page.expect_response(re.compile(r"/cases/\d+/$")) as landed:
        page.get_by_role("button", name="Abrir el caso").click()

    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    code = Survivor.objects.get().code
    assert re.fullmatch(r"LPZ-\d{4}-\d{5}", code)
    # The case page is written separately; until it exists the redirect target answers 404.
    assert landed.value.status in {200, 404}
    if landed.value.status == 200:
        expect(page.locator("main")).to_contain_text(code)
        assert browsing.console_errors() == []
    assert browsing.csp_violations() == []
    assert browsing.page_errors == []
