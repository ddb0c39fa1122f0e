"""Sending: the outbox backend hands reminders to coordinators; the HTTP backend POSTs them to
a gateway (here a real HTTP server on a local port) and retries failures with backoff, within
her safe hours, until the last attempt fails for good. The background worker runs it all."""

from __future__ import annotations

import base64
import json
import logging
import socket
import threading
from collections.abc import Iterator
from datetime import time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from conftest import run_tasks
from proceedings.models import HearingStatus
from reminders import services
from reminders.models import CancelReason, MessageState, OutboundMessage
from reminders.tasks import ensure_scheduled, plan_reminders
from reminders.tests.factories import ALL_DAY, NOW, remindable

TOMORROW_9 = NOW + timedelta(hours=23)


class Gateway:
    """An SMS gateway on 127.0.0.1: records each request and answers with the next status."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.requests: list[dict[str, Any]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "json": json.loads(self.rfile.read(length) or b"null"),
                    }
                )
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                self.send_response(status)
                if status in (301, 302, 307):
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    with Gateway() as running:
        settings.AMPARO_REMINDER_BACKEND = "http_sms"
        settings.AMPARO_SMS_URL = running.url
        settings.AMPARO_SMS_USER = "amparo"
        settings.AMPARO_SMS_PASSWORD = "s3cret"
        settings.AMPARO_SMS_TOKEN = ""
        settings.AMPARO_REMINDER_MAX_ATTEMPTS = 3
        settings.AMPARO_REMINDER_RETRY_MINUTES = 5
        yield running


def planned(user: Any, *, safe=ALL_DAY, channels=("sms",)) -> OutboundMessage:
    remindable(user, TOMORROW_9, safe=safe, channels=channels)
    services.reminders_plan(now=NOW)
    return OutboundMessage.objects.select_related("case__survivor__data_key").get(
        channel=channels[0]
    )


def planned_only() -> OutboundMessage:
    services.reminders_plan(now=NOW)
    return OutboundMessage.objects.get()


def send(message: OutboundMessage, now=NOW) -> OutboundMessage:
    services.reminder_send(message_id=message.pk, now=now)
    return OutboundMessage.objects.select_related("case__survivor__data_key").get(pk=message.pk)


def phone_of(message: OutboundMessage) -> str:
    return message.case.survivor.phone


# ----------------------------------------------------------------------------- outbox backend


def test_it_hands_a_due_reminder_to_the_coordinators_by_default(cast):
    message = send(planned(cast["lawyer"]))
    assert message.state == MessageState.OUTBOX
    assert message.backend == "outbox"
    assert message.attempts == 1
    # No number was read: nothing is sent by itself.
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_it_runs_the_planner_and_the_sender_in_the_background_worker(cast):
    remindable(cast["lawyer"], timezone.now() + timedelta(hours=3), safe=ALL_DAY)
    assert ensure_scheduled() is True
    assert ensure_scheduled() is False
    run_tasks()
    message = OutboundMessage.objects.get()
    assert message.state == MessageState.OUTBOX
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=plan_reminders.module_path, status="READY")
    assert waiting.count() == 1  # the planner queued its next run
    assert waiting.get().run_after > timezone.now()
    assert ensure_scheduled() is False


def test_it_never_sends_outside_her_safe_hours_even_when_the_worker_is_late(cast, settings):
    """Due Monday at 18:00, the worker gets to it at 21:00: it waits for Tuesday's window."""
    settings.AMPARO_REMINDER_LEAD_HOURS = 48
    monday_18, monday_21 = NOW.replace(hour=18), NOW.replace(hour=21)
    remindable(cast["lawyer"], TOMORROW_9 + timedelta(days=1), safe=(time(18), time(20)))
    message = planned_only()
    assert message.scheduled_for == monday_18
    message = send(message, now=monday_21)
    assert (message.state, message.attempts) == (MessageState.SCHEDULED, 0)
    assert message.scheduled_for == monday_18 + timedelta(days=1)
    message = send(message, now=monday_18 + timedelta(days=1, minutes=1))
    assert message.state == MessageState.OUTBOX


def test_it_cancels_a_late_reminder_when_no_safe_moment_is_left(cast):
    remindable(cast["lawyer"], TOMORROW_9, safe=(time(18), time(20)))
    message = send(planned_only(), now=NOW.replace(hour=21))
    assert (message.state, message.cancel_reason) == ("cancelled", CancelReason.NO_WINDOW)


def test_it_cancels_at_send_time_a_reminder_whose_hearing_was_cancelled(cast):
    message = planned(cast["lawyer"])
    message.hearing.status = HearingStatus.CANCELLED
    message.hearing.save(update_fields=["status"])
    message = send(message)
    assert (message.state, message.cancel_reason) == ("cancelled", CancelReason.HEARING_CHANGED)


def test_it_cancels_a_reminder_nobody_sent_before_the_hearing(cast):
    message = send(planned(cast["lawyer"]))
    services.reminders_plan(now=TOMORROW_9 + timedelta(minutes=1))
    message.refresh_from_db()
    assert (message.state, message.cancel_reason) == ("cancelled", CancelReason.TOO_LATE)


def test_it_sends_whatsapp_reminders_by_hand_even_with_a_gateway(cast, gateway):
    message = send(planned(cast["lawyer"], channels=("whatsapp",)))
    assert message.state == MessageState.OUTBOX
    assert gateway.requests == []


# ----------------------------------------------------------------------------- HTTP gateway


def test_it_posts_the_number_and_the_text_to_the_gateway(cast, gateway):
    message = send(planned(cast["lawyer"]))
    assert message.state == MessageState.SENT
    assert message.sent_at == NOW
    assert message.backend == "http_sms"
    [request] = gateway.requests
    assert request["path"] == "/send"
    assert request["json"] == {"to": "+591" + phone_of(message), "text": message.body}
    expected = base64.b64encode(b"amparo:s3cret").decode()
    assert request["headers"]["Authorization"] == f"Basic {expected}"
    assert request["headers"]["Content-Type"] == "application/json"
    reveal = AuditEvent.objects.get(action="reveal")
    assert reveal.object_type == "survivors.survivor"
    assert reveal.fields == ["phone", "reason:reminder"]
    assert reveal.actor_id is None


def test_it_sends_a_bearer_token_when_one_is_configured(cast, gateway, settings):
    settings.AMPARO_SMS_TOKEN = "tok-123"
    send(planned(cast["lawyer"]))
    assert gateway.requests[0]["headers"]["Authorization"] == "Bearer tok-123"


def test_it_goes_through_the_worker_to_the_gateway(cast, gateway):
    remindable(cast["lawyer"], timezone.now() + timedelta(hours=3), safe=ALL_DAY)
    ensure_scheduled()
    run_tasks()
    assert OutboundMessage.objects.get().state == MessageState.SENT
    assert len(gateway.requests) == 1


def test_it_queues_the_retry_in_the_worker(cast, gateway):
    from django_tasks_db.models import DBTaskResult

    from reminders.tasks import send_reminder

    gateway.statuses = [503]
    remindable(cast["lawyer"], timezone.now() + timedelta(hours=3), safe=ALL_DAY)
    ensure_scheduled()
    run_tasks()
    message = OutboundMessage.objects.get()
    assert (message.state, message.attempts) == (MessageState.SCHEDULED, 1)
    retry = DBTaskResult.objects.get(task_path=send_reminder.module_path, status="READY")
    assert retry.run_after == message.scheduled_for
    assert retry.run_after > timezone.now()


def test_it_sends_the_new_time_when_the_hearing_moved_before_its_reminder_went(cast, gateway):
    message = planned(cast["lawyer"])
    message.hearing.starts_at = TOMORROW_9 - timedelta(hours=2)
    message.hearing.save(update_fields=["starts_at"])
    message = send(message)
    assert message.state == MessageState.SENT
    assert gateway.requests[0]["json"]["text"] == "Recordatorio: cita el 04/06/2030 a las 07:00."


def test_it_retries_with_backoff_and_then_sends(cast, gateway):
    gateway.statuses = [503]
    message = send(planned(cast["lawyer"]))
    assert message.state == MessageState.SCHEDULED
    assert (message.attempts, message.last_error) == (1, "http_503")
    assert message.scheduled_for == NOW + timedelta(minutes=5)
    early = send(message, now=NOW + timedelta(minutes=1))  # a stray early run waits
    assert (early.state, early.attempts) == (MessageState.SCHEDULED, 1)
    message = send(message, now=NOW + timedelta(minutes=5))
    assert message.state == MessageState.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert len(gateway.requests) == 2


def test_it_fails_for_good_after_the_last_attempt_and_shows_it_in_the_outbox(
    cast, gateway, client_for
):
    gateway.statuses = [500, 500, 500, 500]
    message = send(planned(cast["lawyer"]))
    message = send(message, now=NOW + timedelta(minutes=5))
    assert message.scheduled_for == NOW + timedelta(minutes=15)  # 5, then 10 minutes later
    message = send(message, now=NOW + timedelta(minutes=15))
    assert message.state == MessageState.FAILED
    assert (message.attempts, message.last_error) == (3, "http_500")
    assert len(gateway.requests) == 3
    assert send(message, now=NOW + timedelta(hours=1)).state == MessageState.FAILED
    assert len(gateway.requests) == 3
    page = client_for(cast["coordinator"]).get("/reminders/outbox/")
    assert page.status_code == 200
    assert "Falló" in page.text
    assert "http_500" in page.text
    assert phone_of(message) in page.text  # the coordinator can call her instead


def test_it_fails_when_no_retry_fits_in_her_window(cast, gateway):
    """Her window closes at 10:03: a retry 5 minutes later would be outside it."""
    gateway.statuses = [503]
    message = send(planned(cast["lawyer"], safe=(time(10), time(10, 3))))
    assert (message.state, message.last_error) == (MessageState.FAILED, "http_503")


def test_it_treats_a_network_error_as_a_failure(cast, gateway, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.AMPARO_SMS_URL = f"http://127.0.0.1:{port}/send"  # nobody listens there
    message = send(planned(cast["lawyer"]))
    assert (message.state, message.last_error) == (MessageState.SCHEDULED, "network")


def test_it_does_not_follow_a_redirect_with_her_number(cast, gateway):
    gateway.statuses = [302]
    message = send(planned(cast["lawyer"]))
    assert message.last_error == "http_302"
    assert [r["path"] for r in gateway.requests] == ["/send"]


def test_it_refuses_a_plain_http_gateway_elsewhere(cast, gateway, settings):
    settings.AMPARO_SMS_URL = "http://sms.example.org/send"
    message = send(planned(cast["lawyer"]))
    assert message.last_error == "gateway_url"
    assert message.state == MessageState.SCHEDULED


def test_it_does_not_retry_a_malformed_number(cast, gateway):
    message = planned(cast["lawyer"])
    survivor = message.case.survivor
    survivor.phone = "12"
    survivor.save()
    message = send(message)
    assert (message.state, message.last_error) == (MessageState.FAILED, "bad_number")
    assert gateway.requests == []


def test_it_fails_a_send_interrupted_midway_instead_of_sending_twice(cast):
    message = planned(cast["lawyer"])
    OutboundMessage.objects.filter(pk=message.pk).update(state=MessageState.SENDING, updated_at=NOW)
    assert services.reminders_plan(now=NOW + timedelta(minutes=10)).failed == 0
    assert services.reminders_plan(now=NOW + timedelta(minutes=31)).failed == 1
    message.refresh_from_db()
    assert (message.state, message.last_error) == (MessageState.FAILED, "interrupted")
    assert services.reminder_send(message_id=message.pk, now=NOW) == MessageState.FAILED


def test_it_never_logs_the_number_or_the_text(cast, gateway, caplog):
    gateway.statuses = [503]
    caplog.set_level(logging.DEBUG)
    message = send(planned(cast["lawyer"]))
    send(message, now=NOW + timedelta(minutes=5))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"reminder {message.pk}" in logged
    assert phone_of(message) not in logged
    assert str(message.body) not in logged
    assert "04/06/2030" not in logged
