"""The planner: one reminder per hearing and channel, at the first safe moment, only with
consent, a safe window and a number; never two, however often it runs."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from proceedings.models import HearingStatus
from reminders import services
from reminders.models import CancelReason, MessageState, OutboundMessage, ReminderTemplate
from reminders.tests.factories import (
    ALL_DAY,
    NOW,
    case_with_phone,
    consent,
    hearing,
    member,
    remindable,
    window,
)
from survivors.services import consent_withdraw

TOMORROW_9 = NOW + timedelta(hours=23)  # Tuesday 09:00; NOW is Monday 10:00


def plan(now=NOW):
    return services.reminders_plan(now=now)


def test_it_plans_one_neutral_reminder_at_the_first_safe_moment(cast):
    item = remindable(cast["lawyer"], TOMORROW_9)
    assert plan().created == 1
    message = OutboundMessage.objects.get()
    assert message.hearing == item
    assert message.channel == "sms"
    assert message.state == MessageState.SCHEDULED
    assert message.scheduled_for == NOW.replace(hour=18)  # her window opens at 18:00 today
    assert message.body == "Recordatorio: cita el 04/06/2030 a las 09:00."


def test_it_never_plans_twice_for_the_same_hearing_and_channel(cast):
    remindable(cast["lawyer"], TOMORROW_9)
    assert plan().created == 1
    assert plan().created == 0
    assert plan(NOW + timedelta(minutes=15)).created == 0
    assert OutboundMessage.objects.count() == 1


def test_it_lets_the_database_settle_a_race_between_two_planners(cast):
    """Two workers that both saw no reminder yet: the second insert is refused and skipped."""
    item = remindable(cast["lawyer"], TOMORROW_9)
    case = item.proceeding.case
    first = services._create(hearing=item, case=case, channel="sms", when=NOW, now=NOW)
    second = services._create(hearing=item, case=case, channel="sms", when=NOW, now=NOW)
    assert first is not None
    assert second is None
    assert OutboundMessage.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundMessage(
            hearing=item,
            case=case,
            organisation=case.organisation,
            channel="sms",
            scheduled_for=NOW,
            hearing_starts_at=item.starts_at,
        ).save()


def test_it_plans_one_reminder_per_consented_channel(cast):
    remindable(cast["lawyer"], TOMORROW_9, channels=("sms", "whatsapp"))
    assert plan().created == 2
    assert sorted(OutboundMessage.objects.values_list("channel", flat=True)) == ["sms", "whatsapp"]


def test_it_sends_at_once_when_she_is_inside_her_window(cast):
    remindable(cast["lawyer"], TOMORROW_9, safe=(time(9), time(12)))
    plan()
    assert OutboundMessage.objects.get().scheduled_for == NOW


def test_it_plans_nothing_when_no_safe_moment_fits_before_the_hearing(cast):
    """Hearing today at 15:00, her window 18:00-20:00: nothing, and still nothing later."""
    remindable(cast["lawyer"], NOW + timedelta(hours=5))
    assert plan().created == 0
    assert plan(NOW + timedelta(hours=3)).created == 0
    assert not OutboundMessage.objects.exists()


def test_it_leaves_enough_notice_before_the_hearing(cast, settings):
    """Window 08:00-08:30, hearing at 09:00: with an hour's notice, the window is too late."""
    settings.AMPARO_REMINDER_MIN_NOTICE_MINUTES = 60
    remindable(cast["lawyer"], TOMORROW_9, safe=(time(8), time(8, 30)))
    assert plan().created == 0
    settings.AMPARO_REMINDER_MIN_NOTICE_MINUTES = 30
    assert plan().created == 1
    assert OutboundMessage.objects.get().scheduled_for == TOMORROW_9.replace(hour=8)


def test_it_waits_for_the_lead_time(cast, settings):
    settings.AMPARO_REMINDER_LEAD_HOURS = 24
    remindable(cast["lawyer"], NOW + timedelta(hours=30), safe=ALL_DAY)
    assert plan().created == 0
    assert plan(NOW + timedelta(hours=6)).created == 1
    assert OutboundMessage.objects.get().scheduled_for == NOW + timedelta(hours=6)


def test_it_plans_nothing_without_a_window(cast):
    remindable(cast["lawyer"], TOMORROW_9, safe=None)
    assert plan().created == 0


def test_it_plans_nothing_without_consent_to_that_channel(cast):
    case = case_with_phone(cast["lawyer"])
    consent(case, cast["lawyer"], "call")  # a phone call, not a written message
    window(case, cast["lawyer"], "sms", ALL_DAY)
    hearing(case, cast["lawyer"], TOMORROW_9)
    assert plan().created == 0


def test_it_plans_nothing_once_her_consent_is_withdrawn(cast):
    item = remindable(cast["lawyer"], TOMORROW_9)
    given = item.proceeding.case.survivor.consents.get()
    consent_withdraw(membership=member(cast["lawyer"]), consent=given)
    assert plan().created == 0


def test_it_plans_nothing_without_her_number(cast):
    case = case_with_phone(cast["lawyer"], phone="")
    consent(case, cast["lawyer"], "sms")
    window(case, cast["lawyer"], "sms", ALL_DAY)
    hearing(case, cast["lawyer"], TOMORROW_9)
    assert plan().created == 0


def test_it_plans_nothing_when_no_message_may_be_left(cast):
    item = remindable(cast["lawyer"], TOMORROW_9)
    case = item.proceeding.case
    case.may_leave_message = False
    case.save(update_fields=["may_leave_message"])
    assert plan().created == 0


def test_it_plans_nothing_for_a_hearing_that_asks_for_no_reminder(cast):
    item = remindable(cast["lawyer"], TOMORROW_9)
    item.remind_survivor = False
    item.save(update_fields=["remind_survivor"])
    assert plan().created == 0


def test_it_plans_nothing_for_a_hearing_no_longer_scheduled(cast):
    item = remindable(cast["lawyer"], TOMORROW_9)
    item.status = HearingStatus.SUSPENDED
    item.save(update_fields=["status"])
    assert plan().created == 0


def test_it_cancels_the_reminder_of_a_suspended_hearing_and_reminds_of_the_new_date(cast):
    item = remindable(cast["lawyer"], TOMORROW_9, safe=ALL_DAY)
    plan()
    item.status, item.suspension_reason = HearingStatus.SUSPENDED, "judge_absent"
    item.save(update_fields=["status", "suspension_reason"])
    later = hearing(
        item.proceeding.case,
        cast["lawyer"],
        TOMORROW_9 + timedelta(hours=1),
        of=item.proceeding,
        rescheduled_from=item,
    )
    report = plan(NOW + timedelta(minutes=15))
    assert report.cancelled == 1
    old = OutboundMessage.objects.get(hearing=item)
    assert old.state == MessageState.CANCELLED
    assert old.cancel_reason == CancelReason.HEARING_CHANGED
    assert report.created == 1
    new = OutboundMessage.objects.get(hearing=later)
    assert new.body == "Recordatorio: cita el 04/06/2030 a las 10:00."


def test_it_cancels_a_planned_reminder_when_her_consent_is_withdrawn(cast):
    item = remindable(cast["lawyer"], TOMORROW_9)
    plan()
    given = item.proceeding.case.survivor.consents.get()
    consent_withdraw(membership=member(cast["lawyer"]), consent=given)
    assert plan(NOW + timedelta(minutes=15)).cancelled == 1
    message = OutboundMessage.objects.get()
    assert (message.state, message.cancel_reason) == ("cancelled", CancelReason.NO_CONSENT)
    assert plan(NOW + timedelta(minutes=30)).created == 0  # cancelled stays cancelled


def test_it_follows_a_hearing_whose_time_changed(cast):
    item = remindable(cast["lawyer"], TOMORROW_9)
    plan()
    item.starts_at = TOMORROW_9 + timedelta(days=1)  # Wednesday 09:00
    item.save(update_fields=["starts_at"])
    plan(NOW + timedelta(minutes=15))
    message = OutboundMessage.objects.get()
    assert message.state == MessageState.SCHEDULED
    assert message.body == "Recordatorio: cita el 05/06/2030 a las 09:00."
    assert message.scheduled_for == NOW.replace(hour=18) + timedelta(days=1)


def test_it_uses_the_organisations_template(cast, org):
    ReminderTemplate.objects.create(
        organisation=org,
        text="Hola. Nos vemos el {dia} {fecha}, {hora}.",
        updated_by=cast["coordinator"],
    )
    remindable(cast["lawyer"], TOMORROW_9)
    plan()
    assert OutboundMessage.objects.get().body == "Hola. Nos vemos el martes 04/06/2030, 09:00."


def test_it_writes_the_reminder_on_the_case_timeline_and_the_audit_trail(cast):
    from audit.models import AuditEvent
    from cases.models import CaseEvent
    from reminders.timeline import describe

    item = remindable(cast["lawyer"], TOMORROW_9)
    plan()
    message = OutboundMessage.objects.get()
    line = CaseEvent.objects.filter(case=item.proceeding.case, data__reminder="scheduled").get()
    assert describe(line.data) == "Recordatorio de audiencia programado (SMS)"
    assert str(message.body) not in str(line.data)
    created = AuditEvent.objects.get(object_type="reminders.outboundmessage", action="create")
    assert created.fields == ["body", "channel", "scheduled_for"]
    assert created.organisation_id == item.organisation_id


def test_the_planner_uses_the_current_time_by_default(cast):
    remindable(cast["lawyer"], timezone.now() + timedelta(hours=3), safe=ALL_DAY)
    assert services.reminders_plan().created == 1
