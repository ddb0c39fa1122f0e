"""A lawyer follows a criminal proceeding from the denuncia to the sentence on a phone-sized
screen, in a real Chromium (see core/tests/conftest.py): denuncia → imputación → a hearing
suspended because the judge was absent → the rescheduled hearing held → procedimiento
abreviado and sentence. At each step she sees the stage and the legal deadlines change."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from conftest import PASSWORD, open_case
from core.tests.conftest import Browsing, browsing, chromium, live_static_files  # noqa: F401
from jurisdictions.models import Department
from proceedings.models import (
    Deadline,
    Hearing,
    HearingStatus,
    JusticeOffice,
    OfficeKind,
    Proceeding,
)

pytestmark = pytest.mark.browser


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _record(page, day: dt.date, event: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("link", name=re.compile("Registrar (un )?acto")).first.click()
    page.get_by_label("Acto procesal").select_option(event)
    page.get_by_label("Fecha del acto").fill(_iso(day))


def test_a_lawyer_follows_a_proceeding_from_denuncia_to_sentence(
    browsing: Browsing,  # noqa: F811 - the fixture imported above
    cast: dict[str, User],
) -> None:
    lawyer = cast["lawyer"]
    case = open_case(lawyer)
    la_paz = Department.objects.get(code="02")
    court = JusticeOffice.objects.create(
        kind=OfficeKind.SENTENCING_COURT,
        name="Juzgado de Sentencia Penal 2.º de El Alto",
        department=la_paz,
        created_by=cast["coordinator"],
    )
    today = timezone.localdate()
    complaint_on = today - dt.timedelta(days=60)
    charged_on = today - dt.timedelta(days=50)
    first_hearing = today - dt.timedelta(days=20)
    second_hearing = today - dt.timedelta(days=10)

    page = browsing.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/login/")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=login]").fill(lawyer.email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{browsing.base_url}/")
    main = page.locator("main")

    # The case page offers to register the proceeding.
    page.goto(f"/cases/{case.pk}/")
    expect(main).to_contain_text("Ningún proceso penal registrado")
    page.get_by_role("link", name="Registrar un proceso penal").click()
    page.get_by_label("NUREJ").fill("20261234567")
    page.get_by_label("Juzgado o tribunal").select_option(str(court.pk))
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_url(re.compile(r"/proceedings/\d+/(#.*)?$"))
    proceeding = Proceeding.objects.get(case=case)
    expect(main).to_contain_text("Ningún plazo legal todavía")

    # An acusación before any imputación is refused, and says why.
    _record(page, complaint_on, "denuncia")
    page.get_by_role("button", name="Registrar el acto").click()
    page.wait_for_url(re.compile(rf"/proceedings/{proceeding.pk}/(#.*)?$"))
    expect(main).to_contain_text("Investigación preliminar")
    expect(main).to_contain_text("Duración máxima del proceso")
    _record(page, charged_on, "acusacion")
    page.get_by_role("button", name="Registrar el acto").click()
    expect(main).to_contain_text("no puede registrarse cuando el proceso está en")
    expect(main).to_contain_text("Corresponde a: Etapa preparatoria")
    assert proceeding.events.count() == 1

    # Imputación: the preparatory stage and its six-month limit start.
    page.get_by_label("Acto procesal").select_option("imputacion")
    page.get_by_label("Fecha del acto").fill(_iso(charged_on))
    page.get_by_role("button", name="Registrar el acto").click()
    page.wait_for_url(re.compile(rf"/proceedings/{proceeding.pk}/(#.*)?$"))
    expect(main).to_contain_text("Etapa preparatoria")
    preparatory = main.locator("#plazos li", has_text="Duración máxima de la etapa preparatoria")
    expect(preparatory).to_contain_text("Corriendo")

    # A hearing, suspended because the judge was absent, then rescheduled and held.
    page.get_by_role("link", name="Programar una audiencia").click()
    page.get_by_label("Tipo de audiencia").select_option("abreviado")
    page.get_by_label(re.compile(r"^Fecha:?$")).fill(_iso(first_hearing))
    page.get_by_label("Hora").fill("09:00")
    page.get_by_label("Juzgado o tribunal").select_option(str(court.pk))
    page.get_by_role("button", name=re.compile("Programar|Guardar")).click()
    page.wait_for_url(re.compile(r"/hearings/\d+/$|/proceedings/\d+/(#.*)?$"))
    hearing = Hearing.objects.get(proceeding=proceeding)
    page.goto(f"/cases/{case.pk}/proceedings/{proceeding.pk}/hearings/{hearing.pk}/")
    page.get_by_label("Suspendida").check()
    page.get_by_label("Motivo de la suspensión").select_option("judge_absent")
    page.get_by_role("button", name="Registrar resultado").click()
    expect(main).to_contain_text("Ausencia del juez")
    page.get_by_role("link", name="Reprogramar").click()
    page.get_by_label(re.compile(r"^Fecha:?$")).fill(_iso(second_hearing))
    page.get_by_label("Hora").fill("10:00")
    page.get_by_role("button", name=re.compile("Reprogramar|Guardar")).click()
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.SUSPENDED
    rescheduled = Hearing.objects.get(rescheduled_from=hearing)
    page.goto(f"/cases/{case.pk}/proceedings/{proceeding.pk}/hearings/{rescheduled.pk}/")
    expect(main).to_contain_text("Reprogramada de")
    page.get_by_label("Realizada").check()
    page.get_by_role("button", name="Registrar resultado").click()
    expect(main.locator(".badge.hearing-held")).to_be_visible()

    # Procedimiento abreviado and the sentence: the preparatory limit was met, the appeal
    # window opens.
    page.goto(f"/cases/{case.pk}/proceedings/{proceeding.pk}/")
    _record(page, second_hearing, "procedimiento_abreviado")
    page.get_by_role("button", name="Registrar el acto").click()
    page.wait_for_url(re.compile(rf"/proceedings/{proceeding.pk}/(#.*)?$"))
    _record(page, second_hearing, "sentencia")
    page.get_by_label("Resultado de la sentencia").select_option("conviction")
    page.get_by_label("Años de condena").fill("12")
    page.get_by_role("button", name="Registrar el acto").click()
    page.wait_for_url(re.compile(rf"/proceedings/{proceeding.pk}/(#.*)?$"))
    expect(main).to_contain_text("Sentencia de primera instancia")
    expect(preparatory).to_contain_text("Cumplido a tiempo")
    appeal = main.locator("#plazos li", has_text="Apelación restringida de la sentencia")
    expect(appeal).to_contain_text("Corriendo")
    expect(main.locator("#audiencias")).to_contain_text("Suspendida")

    proceeding.refresh_from_db()
    assert proceeding.stage == "sentenced"
    states = dict(Deadline.objects.filter(proceeding=proceeding).values_list("rule", "state"))
    assert states["etapa_preparatoria"] == "met"
    assert states["apelacion"] == "running"

    # The refused acusación answered 400 on purpose; nothing else may fail.
    refused = f"status of 400 (Bad Request) ({browsing.base_url}/cases/{case.pk}/proceedings/"
    assert [e for e in browsing.console_errors() if refused not in e] == []
    assert browsing.csp_violations() == []
    assert browsing.page_errors == []
