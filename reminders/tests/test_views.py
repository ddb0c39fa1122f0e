"""The reminder pages: the template (coordinators), a case's safe hours (her case team), and
the outbox (coordinators act on it and see the number; supervisors only look)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from reminders import services
from reminders.models import MessageState, OutboundMessage, ReminderTemplate, ReminderWindow
from reminders.tests.factories import (
    ALL_DAY,
    NOW,
    case_with_phone,
    consent,
    member,
    remindable,
)

TOMORROW_9 = NOW + timedelta(hours=23)

# ----------------------------------------------------------------------------- template


def test_it_lets_a_coordinator_set_the_template(cast, org, client_for):
    client = client_for(cast["coordinator"])
    page = client.get("/reminders/template/")
    assert page.status_code == 200
    assert "Recordatorio: cita el" in page.text  # the default, as an example
    response = client.post("/reminders/template/", {"text": "Te esperamos el {fecha}, {hora}."})
    assert response.status_code == 302
    assert ReminderTemplate.objects.get(organisation=org).text == "Te esperamos el {fecha}, {hora}."
    assert AuditEvent.objects.filter(object_type="reminders.remindertemplate").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hola {nombre}, el {fecha} a las {hora}.", "Dato desconocido: {nombre}"),
        ("Audiencia el {fecha} a las {hora}.", "no puede decir «audiencia»"),
        ("Casa Prueba: el {fecha} a las {hora}.", "no puede decir «Casa Prueba»"),
        ("Cita el {fecha} a las {hora}. " + "x" * 140, "un SMS admite 160"),
        ("", "Este campo es obligatorio"),
    ],
)
def test_it_refuses_a_bad_template_with_a_clear_error_and_keeps_the_old_one(
    cast, org, client_for, text, message
):
    ReminderTemplate.objects.create(
        organisation=org, text="Cita: {fecha} {hora}.", updated_by=cast["coordinator"]
    )
    response = client_for(cast["coordinator"]).post("/reminders/template/", {"text": text})
    assert response.status_code == 400
    assert message in response.text
    assert ReminderTemplate.objects.get(organisation=org).text == "Cita: {fecha} {hora}."


@pytest.mark.parametrize("role", ["supervisor", "lawyer", "social_worker", "analyst"])
def test_it_keeps_the_template_for_coordinators(cast, org, client_for, role):
    client = client_for(cast[role])
    assert client.get("/reminders/template/").status_code == 404
    ok = {"text": "Cita: {fecha} {hora}."}
    assert client.post("/reminders/template/", ok).status_code == 404
    assert not ReminderTemplate.objects.exists()


# ----------------------------------------------------------------------------- case hours


def test_it_lets_her_case_team_record_safe_hours_on_a_consented_channel(cast, client_for):
    case = case_with_phone(cast["lawyer"])
    consent(case, cast["lawyer"], "sms")
    client = client_for(cast["lawyer"])
    page = client.get(f"/reminders/case/{case.pk}/")
    assert page.status_code == 200
    assert "Vigente" in page.text  # her SMS consent
    assert "Sin consentimiento vigente" in page.text  # WhatsApp
    response = client.post(
        f"/reminders/case/{case.pk}/",
        {"channel": "sms", "safe_from": "18:00", "safe_until": "20:30"},
    )
    assert response.status_code == 302
    window = ReminderWindow.objects.get(case=case)
    assert (window.channel, window.safe_from, window.safe_until) == ("sms", time(18), time(20, 30))
    assert "18:00\N{EN DASH}20:30" in client.get(f"/reminders/case/{case.pk}/").text
    viewed = AuditEvent.objects.filter(action="view", object_type="cases.case")
    assert sum("reminder_windows" in event.fields for event in viewed) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"channel": "whatsapp", "safe_from": "18:00", "safe_until": "20:00"}, "consentimiento"),
        ({"channel": "sms", "safe_from": "20:00", "safe_until": "18:00"}, "posterior a la inicial"),
        ({"channel": "sms", "safe_from": "18:00", "safe_until": "18:00"}, "posterior a la inicial"),
        ({"channel": "sms", "safe_from": "tarde", "safe_until": "20:00"}, "Introduzca una hora"),
        ({"channel": "telegram", "safe_from": "18:00", "safe_until": "20:00"}, "Escoja una"),
    ],
)
def test_it_refuses_bad_hours_and_writes_nothing(cast, client_for, data, message):
    case = case_with_phone(cast["lawyer"])
    consent(case, cast["lawyer"], "sms")
    response = client_for(cast["lawyer"]).post(f"/reminders/case/{case.pk}/", data)
    assert response.status_code == 400
    assert message in response.text
    assert not ReminderWindow.objects.exists()


def test_it_refuses_hours_when_no_message_may_be_left(cast, client_for):
    case = case_with_phone(cast["lawyer"])
    consent(case, cast["lawyer"], "sms")
    case.may_leave_message = False
    case.save(update_fields=["may_leave_message"])
    data = {"channel": "sms", "safe_from": "18:00", "safe_until": "20:00"}
    response = client_for(cast["lawyer"]).post(f"/reminders/case/{case.pk}/", data)
    assert response.status_code == 400
    assert "no se le deben dejar mensajes" in response.text
    assert not ReminderWindow.objects.exists()


def test_it_hides_a_case_from_people_off_her_team(cast, client_for):
    case = case_with_phone(cast["lawyer"])
    consent(case, cast["lawyer"], "sms")
    data = {"channel": "sms", "safe_from": "18:00", "safe_until": "20:00"}
    for role in ("social_worker", "outsider", "analyst"):
        client = client_for(cast[role])
        assert client.get(f"/reminders/case/{case.pk}/").status_code == 404
        assert client.post(f"/reminders/case/{case.pk}/", data).status_code == 404
    assert not ReminderWindow.objects.exists()


def test_removing_the_hours_cancels_the_planned_reminders(cast, client_for):
    hearing = remindable(cast["lawyer"], timezone.now() + timedelta(hours=20), safe=ALL_DAY)
    services.reminders_plan()
    case = hearing.proceeding.case
    response = client_for(cast["lawyer"]).post(f"/reminders/case/{case.pk}/", {"remove": "sms"})
    assert response.status_code == 302
    assert not ReminderWindow.objects.exists()
    message = OutboundMessage.objects.get()
    assert (message.state, message.cancel_reason) == ("cancelled", "no_window")


def test_changing_the_hours_moves_a_planned_reminder(cast):
    hearing = remindable(cast["lawyer"], TOMORROW_9 + timedelta(days=1), safe=(time(18), time(20)))
    case = hearing.proceeding.case
    services.reminders_plan(now=NOW + timedelta(days=1))  # Tuesday 10:00, hearing Wednesday 09:00
    message = OutboundMessage.objects.get()
    assert message.scheduled_for == NOW.replace(hour=18) + timedelta(days=1)
    services.window_set(
        membership=member(cast["lawyer"]),
        case=case,
        channel="sms",
        safe_from=time(7),
        safe_until=time(8),
    )
    message.refresh_from_db()
    # Tuesday 07:00 is before the lead time (24 hours) opens: Wednesday 07:00.
    assert message.scheduled_for == NOW.replace(hour=7) + timedelta(days=2)
    assert message.state == MessageState.SCHEDULED


def test_removing_hours_that_do_not_exist_says_so(cast, client_for):
    case = case_with_phone(cast["lawyer"])
    client = client_for(cast["lawyer"])
    response = client.post(f"/reminders/case/{case.pk}/", {"remove": "sms"}, follow=True)
    assert "No hay un horario seguro para ese canal." in response.text


# ----------------------------------------------------------------------------- outbox


@pytest.fixture
def waiting(cast):
    """A reminder in the outbox, for a survivor whose name and number are recorded."""
    case = case_with_phone(cast["lawyer"])
    survivor = case.survivor
    survivor.full_name = "Ana Quispe Mamani"
    survivor.save()
    consent(case, cast["lawyer"], "sms")
    from reminders.tests.factories import hearing, window

    window(case, cast["lawyer"], "sms", ALL_DAY)
    hearing(case, cast["lawyer"], TOMORROW_9)
    services.reminders_plan(now=NOW)
    message = OutboundMessage.objects.get()
    services.reminder_send(message_id=message.pk, now=NOW)
    message.refresh_from_db()
    assert message.state == MessageState.OUTBOX
    return message


def test_it_shows_coordinators_the_number_to_call_and_never_her_name(
    cast, client_for, waiting, django_assert_max_num_queries
):
    client = client_for(cast["coordinator"])
    with django_assert_max_num_queries(20):
        page = client.get("/reminders/outbox/")
    assert page.status_code == 200
    assert waiting.case.survivor.code in page.text
    assert waiting.case.survivor.phone in page.text
    assert "Recordatorio: cita el 04/06/2030 a las 09:00." in page.text
    assert "Ana Quispe" not in page.text
    reveal = AuditEvent.objects.get(action="reveal")
    assert reveal.actor_id == cast["coordinator"].pk
    assert reveal.fields == ["phone", "reason:contact"]


def test_it_shows_supervisors_the_outbox_without_numbers(cast, client_for, waiting):
    page = client_for(cast["supervisor"]).get("/reminders/outbox/")
    assert page.status_code == 200
    assert waiting.case.survivor.code in page.text
    assert waiting.case.survivor.phone not in page.text
    assert "Marcar como enviado" not in page.text
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_it_keeps_the_outbox_from_everyone_else(cast, client_for, waiting):
    for role in ("lawyer", "social_worker", "psychologist", "law_student", "analyst"):
        assert client_for(cast[role]).get("/reminders/outbox/").status_code == 404
    other = client_for(cast["outsider"]).get("/reminders/outbox/")
    assert other.status_code == 200
    assert waiting.case.survivor.code not in other.text


def test_it_lists_scheduled_and_done_reminders_apart(cast, client_for, waiting):
    client = client_for(cast["coordinator"])
    assert waiting.case.survivor.code not in client.get("/reminders/outbox/?view=scheduled").text
    assert waiting.case.survivor.code not in client.get("/reminders/outbox/?view=done").text
    client.post(f"/reminders/outbox/{waiting.pk}/sent/")
    assert waiting.case.survivor.code in client.get("/reminders/outbox/?view=done").text
    assert "Nada por atender" in client.get("/reminders/outbox/").text


def test_it_lets_a_coordinator_mark_a_reminder_sent_once(cast, client_for, waiting):
    client = client_for(cast["coordinator"])
    response = client.post(f"/reminders/outbox/{waiting.pk}/sent/")
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == MessageState.SENT
    assert waiting.sent_by == cast["coordinator"]
    again = client.post(f"/reminders/outbox/{waiting.pk}/sent/", follow=True)
    assert "ya no espera un envío a mano" in again.text
    waiting.refresh_from_db()
    assert waiting.sent_by == cast["coordinator"]


@pytest.mark.parametrize("role", ["supervisor", "lawyer", "outsider", "analyst"])
def test_it_lets_nobody_else_mark_a_reminder_sent(cast, client_for, waiting, role):
    assert client_for(cast[role]).post(f"/reminders/outbox/{waiting.pk}/sent/").status_code == 404
    waiting.refresh_from_db()
    assert waiting.state == MessageState.OUTBOX


def test_it_says_when_no_number_is_left_to_call(cast, client_for, waiting):
    from survivors.models import Survivor

    Survivor.objects.filter(pk=waiting.case.survivor_id).update(phone="")
    page = client_for(cast["coordinator"]).get("/reminders/outbox/")
    assert "sin número registrado" in page.text
