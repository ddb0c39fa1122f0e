"""A lawyer assesses the risk and builds the safety plan on a phone-sized screen, in a real
Chromium (see core/tests/conftest.py), with no JavaScript of its own."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from conftest import PASSWORD, open_case
from core.tests.conftest import Browsing, browsing, chromium, live_static_files  # noqa: F401
from safety.models import RiskAssessment, SafetyStep

pytestmark = pytest.mark.browser


def test_a_lawyer_assesses_the_risk_and_plans_a_step(
    browsing: Browsing,  # noqa: F811 - the fixture imported above
    cast: dict[str, User],
) -> None:
    case = open_case(cast["lawyer"])
    page = browsing.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/login/")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=login]").fill(cast["lawyer"].email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{browsing.base_url}/")

    page.goto(f"/cases/{case.pk}/safety/")
    expect(page.locator("main")).to_contain_text("Todavía no hay evaluaciones de riesgo")
    page.get_by_role("link", name=re.compile("Nueva evaluación")).click()

    strangulation = page.get_by_role("group", name=re.compile(r"apretado el cuello"))
    expect(strangulation).to_contain_text("Pregunta crítica")
    strangulation.get_by_label("Sí").check()
    page.get_by_role("group", name=re.compile(r"^¿Le sigue")).get_by_label("No").check()
    page.get_by_role("button", name="Calcular y guardar").click()

    page.wait_for_url(re.compile(r"/safety/assessments/\d+/$"))
    main = page.locator("main")
    expect(main).to_contain_text("Alto")
    expect(main).to_contain_text("Respuestas críticas que elevaron el nivel")
    expect(main).to_contain_text("nunca bloquea un servicio")
    assert RiskAssessment.objects.get().level == "high"

    page.get_by_role("link", name="Ir al plan de seguridad").click()
    page.get_by_label("Sección del plan").select_option("contact")
    page.get_by_label(re.compile(r"^Paso:?$")).fill("Guardar el número de la FELCV")
    page.get_by_role("button", name="Añadir al plan").click()
    expect(main).to_contain_text("Guardar el número de la FELCV")
    page.get_by_role("button", name="Marcar cumplido").click()
    expect(main).to_contain_text("Cumplido el")
    assert SafetyStep.objects.get().done_on is not None

    assert browsing.console_errors() == []
    assert browsing.csp_violations() == []
    assert browsing.page_errors == []
