"""The reminder template's checks: nothing in the text may tell whoever reads her phone what
the appointment is about or who sends it, and it must fit in one SMS."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from reminders.text import DEFAULT_TEMPLATE, render, sms_length, template_errors

ORG = "Casa Prueba"
HEARING = datetime(2030, 6, 8, 9, 5, tzinfo=timezone.get_default_timezone())  # a Saturday


def errors(text: str) -> list[str]:
    return template_errors(text, organisation_name=ORG)


def test_it_accepts_and_renders_the_default_template():
    assert errors(DEFAULT_TEMPLATE) == []
    assert render(DEFAULT_TEMPLATE, organisation_name=ORG, starts_at=HEARING) == (
        "Recordatorio: cita el 08/06/2030 a las 09:05."
    )


def test_it_renders_the_weekday_in_local_time():
    text = "Cita el {dia} {fecha}, {hora}."
    assert errors(text) == []
    assert (
        render(text, organisation_name=ORG, starts_at=HEARING)
        == "Cita el sábado 08/06/2030, 09:05."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Hola {nombre}: cita el {fecha} a las {hora}.",
        "Cita el {} {fecha} a las {hora}.",
        "Cita el {0} {fecha} a las {hora}.",
        "Cita el {fecha.year} {fecha} a las {hora}.",
    ],
)
def test_it_refuses_unknown_placeholders(text):
    assert any("Dato desconocido" in e for e in errors(text))


@pytest.mark.parametrize(
    "text",
    ["Cita el {fecha:%d} a las {hora}.", "Cita el {fecha!r} a las {hora}.", "Cita { el {fecha}"],
)
def test_it_refuses_formats_and_stray_braces(text):
    assert len(errors(text)) == 1
    assert "llaves" in errors(text)[0]


def test_it_asks_for_the_date_and_the_time():
    assert errors("Recuerda tu cita el {fecha}.") == [
        "Incluye {hora} para que sepa cuándo es la cita."
    ]
    assert errors("Tienes una cita.") == [
        "Incluye {fecha} y {hora} para que sepa cuándo es la cita."
    ]
    assert errors("   ") == ["Escribe el texto del recordatorio."]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Audiencia el {fecha} a las {hora}.", "audiencia"),
        ("Juicio oral: {fecha} {hora}", "juicio"),
        ("Tu DENUNCIA: {fecha} {hora}", "denuncia"),
        ("Sobre la VIOLACIÓN: {fecha} {hora}", "violacion"),
        ("Caso de violencia: {fecha} {hora}", "violencia"),
        ("Cita con la fiscal el {fecha} a las {hora}", "fiscal"),
        ("Tribunal, {fecha} {hora}", "tribunal"),
        ("Tu ONG te espera el {fecha} a las {hora}", "ong"),
        ("Abusos: {fecha} {hora}", "abusos"),
        ("Tu abogada te espera el {fecha} a las {hora}", "abogada"),
        ("Casa  prueba te espera el {fecha} a las {hora}", ORG),
    ],
)
def test_it_refuses_words_that_reveal_the_purpose_or_the_sender(text, word):
    found = errors(text)
    assert len(found) == 1
    assert f"«{word}»" in found[0]


def test_it_allows_ordinary_words_that_merely_look_alike():
    assert errors("Cita en el policlínico, casa 3: {fecha} {hora}.") == []
    assert errors("Recordatorio de la casa: {fecha} {hora}.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Cita el {fecha} a las {hora}. Dudas: 2-2441234",
        "Cita el {fecha} a las {hora}. Dudas al 71234567",
        "Cita el {fecha} a las {hora}. Mira www.ejemplo.bo",
        "Cita el {fecha} a las {hora}. Escribe a hola@ejemplo",
    ],
)
def test_it_refuses_phone_numbers_and_links(text):
    assert len(errors(text)) == 1
    assert "teléfono" in errors(text)[0]


def test_it_refuses_more_than_one_sms():
    base = "Cita el {fecha} a las {hora}."  # 31 characters once filled in
    fits = base + " " + "x" * (160 - 32)
    assert sms_length(render(fits, organisation_name=ORG, starts_at=HEARING)) == (160, 160)
    assert errors(fits) == []
    too_long = fits + "x"
    assert len(errors(too_long)) == 1
    assert "161 caracteres" in errors(too_long)[0]


def test_it_counts_seventy_characters_once_the_text_has_an_accent():
    accented = "Recordá tu cita: {fecha} {hora}."  # 34 characters once filled in
    assert errors(accented + " " + "x" * 35) == []
    too_long = errors(accented + " " + "x" * 36)
    assert len(too_long) == 1
    assert "71 caracteres y un SMS admite 70" in too_long[0]
    # {dia} can be "sábado": the text is counted with it, so 70 applies.
    with_weekday = "Cita el {dia} {fecha} a las {hora}." + " " + "x" * 40
    assert "admite 70" in errors(with_weekday)[0]


def test_it_counts_extension_characters_twice():
    assert sms_length("[a]") == (5, 160)
    assert sms_length("€") == (2, 160)
    assert sms_length("á") == (1, 70)


def test_it_sends_the_default_text_when_a_stored_template_no_longer_passes():
    """The organisation was renamed after its template was saved."""
    stored = "Casa Nueva: cita el {fecha} a las {hora}."
    assert template_errors(stored, organisation_name="Casa Vieja") == []
    assert render(stored, organisation_name="Casa Nueva", starts_at=HEARING) == (
        "Recordatorio: cita el 08/06/2030 a las 09:05."
    )
