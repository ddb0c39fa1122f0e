"""Writes of reminders: the organisation's template, a case's safe windows, and the life of
each reminder (planned, sent or handed to a coordinator, retried, failed, cancelled).

Member-facing services check the capability again and refuse bad input with ValidationError
before writing; each writes its rows, the audit event and (for case data) a timeline line in
one transaction. The planner and the sender run in the background worker with no member:
they re-check everything that makes a reminder safe (hearing still scheduled, consent still
active, a safe window, a number) every time, and deny by default.

Logs carry ids and state codes only: never the number, the text or a gateway's answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Capability, require_capability
from audit.models import Action
from audit.services import audit_record
from cases.models import Case, EventKind
from cases.services import case_note_event
from organisations.models import Membership
from proceedings.models import Hearing, HearingStatus
from reminders import selectors
from reminders.backends import Backend, Delivery, backend_for
from reminders.models import (
    CancelReason,
    Channel,
    MessageState,
    OutboundMessage,
    ReminderTemplate,
    ReminderWindow,
)
from reminders.scheduling import lead, next_safe_moment, retry_delay, send_range
from reminders.text import DEFAULT_TEMPLATE, render, template_errors

logger = logging.getLogger("amparo.reminders")

# A claim older than this without an outcome means the worker died mid-send: we cannot know
# whether the gateway got it, so it is failed (visible in the outbox), never sent again.
STUCK_AFTER = timedelta(minutes=30)


def _gate(membership: Membership, case: Case) -> None:
    require_capability(membership, Capability.SEE_SURVIVORS)
    if case.organisation_id != membership.organisation_id:
        raise Http404


def _require_coordinator(membership: Membership | None) -> Membership:
    member = require_capability(membership, Capability.SEE_SURVIVORS)
    if not selectors.is_coordinator(member):
        raise Http404
    return member


def _timeline(case: Case, actor_id: int | None, obj: object, what: str, **data: object) -> None:
    """A line on the case timeline (kind STATUS, `data["reminder"]`; see reminders.timeline)."""
    case_note_event(
        case=case, kind=EventKind.STATUS, actor_id=actor_id, obj=obj, reminder=what, **data
    )


# ----------------------------------------------------------------------------- template


def template_text(*, organisation_id: int) -> str:
    template = selectors.template_for(organisation_id=organisation_id)
    return template.text if template else DEFAULT_TEMPLATE


def template_save(*, membership: Membership | None, text: str) -> ReminderTemplate:
    """Set the organisation's reminder text, after the checks of reminders.text."""
    coordinator = _require_coordinator(membership)
    text = text.strip()
    errors = template_errors(text, organisation_name=coordinator.organisation.name)
    if errors:
        raise ValidationError({"text": errors})
    with transaction.atomic():
        template = selectors.template_for(organisation_id=coordinator.organisation_id)
        action = Action.UPDATE if template else Action.CREATE
        template = template or ReminderTemplate(organisation_id=coordinator.organisation_id)
        template.text = text
        template.updated_by_id = coordinator.user_id
        template.updated_at = timezone.now()
        template.save()
        audit_record(action=action, obj=template, fields=["text"])
    return template


# ----------------------------------------------------------------------------- windows


def _window_errors(
    case: Case, channel: str, safe_from: time | None, safe_until: time | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not case.is_open:
        errors[NON_FIELD_ERRORS] = _("El caso está cerrado: no se envían recordatorios.")
    elif case.may_leave_message is False:
        errors[NON_FIELD_ERRORS] = _(
            "En el contacto seguro del caso consta que no se le deben dejar mensajes. Si ella "
            "acepta recordatorios escritos, corrige primero el contacto seguro."
        )
    channels = selectors.consented_channels(
        survivor=case.survivor, organisation_id=case.organisation_id
    )
    if channel not in Channel.values:
        errors["channel"] = _("Elige un canal de la lista.")
    elif channel not in channels:
        errors["channel"] = _(
            "Ella no ha dado su consentimiento vigente para que la contacten por este canal: "
            "regístralo primero en el caso."
        )
    if safe_from is None:
        errors["safe_from"] = _("Indica desde qué hora es seguro.")
    if safe_until is None:
        errors["safe_until"] = _("Indica hasta qué hora es seguro.")
    elif safe_from is not None and safe_from >= safe_until:
        errors["safe_until"] = _(
            "La hora final debe ser posterior a la inicial (el horario no puede pasar la "
            "medianoche)."
        )
    return errors


def window_set(
    *,
    membership: Membership,
    case: Case,
    channel: str,
    safe_from: time | None,
    safe_until: time | None,
) -> ReminderWindow:
    """Record (or change) when a reminder on `channel` is safe for her. Reminders already
    planned on that channel move to the new hours, or are cancelled if none fits."""
    _gate(membership, case)
    if errors := _window_errors(case, channel, safe_from, safe_until):
        raise ValidationError(errors)
    assert safe_from is not None  # noqa: S101 - checked above
    assert safe_until is not None  # noqa: S101 - checked above
    now = timezone.now()
    with transaction.atomic():
        window = selectors.window_get(case=case, channel=channel)
        action = Action.UPDATE if window else Action.CREATE
        if window is None:
            window = ReminderWindow(case=case, channel=channel, created_by_id=membership.user_id)
        window.safe_from, window.safe_until, window.updated_at = safe_from, safe_until, now
        window.save()
        audit_record(action=action, obj=window, fields=["channel", "safe_from", "safe_until"])
        _timeline(case, membership.user_id, window, "window_set", channel=channel)
        for message in selectors.pending_messages_for_case(case=case, channel=channel):
            if message.state == MessageState.SCHEDULED:
                _replan(message, window, now)
    return window


def window_remove(*, membership: Membership, case: Case, channel: str) -> None:
    """No more reminders on `channel`; the ones planned are cancelled."""
    _gate(membership, case)
    window = selectors.window_get(case=case, channel=channel)
    if window is None:
        raise ValidationError({"channel": _("No hay un horario seguro para ese canal.")})
    now = timezone.now()
    with transaction.atomic():
        audit_record(action=Action.DELETE, obj=window, fields=["channel"])
        _timeline(case, membership.user_id, window, "window_removed", channel=channel)
        window.delete()
        for message in selectors.pending_messages_for_case(case=case, channel=channel):
            _cancel(message, CancelReason.NO_WINDOW, now)


def preferences_view_record(*, membership: Membership, case: Case) -> None:
    """Her safe hours are part of her safe-contact plan: reading them is recorded."""
    _gate(membership, case)
    audit_record(action=Action.VIEW, obj=case, fields=["reminder_windows"])


# ----------------------------------------------------------------------------- checks


def _blocker(
    *,
    hearing: Hearing,
    case: Case,
    channel: str,
    window: ReminderWindow | None,
    channels: set[str],
) -> str:
    """Why no reminder may go on `channel` for `hearing` now, or "" if one may."""
    if hearing.status != HearingStatus.SCHEDULED:
        return CancelReason.HEARING_CHANGED
    if not hearing.remind_survivor:
        return CancelReason.REMINDER_OFF
    if not case.is_open:
        return CancelReason.CASE_CLOSED
    if case.may_leave_message is False:
        return CancelReason.NO_MESSAGES
    if channel not in channels:
        return CancelReason.NO_CONSENT
    if window is None:
        return CancelReason.NO_WINDOW
    if not selectors.has_phone(survivor=case.survivor):
        return CancelReason.NO_PHONE
    return ""


def _channels(case: Case) -> set[str]:
    return selectors.consented_channels(
        survivor=case.survivor, organisation_id=case.organisation_id
    )


def _moment(
    window: ReminderWindow, starts_at: datetime, now: datetime, not_before: datetime | None = None
) -> datetime | None:
    earliest, latest = send_range(starts_at=starts_at, now=now)
    if not_before is not None:
        earliest = max(earliest, not_before)
    return next_safe_moment(
        safe_from=window.safe_from, safe_until=window.safe_until, earliest=earliest, latest=latest
    )


def _body(hearing: Hearing, organisation_id: int, organisation_name: str) -> str:
    return render(
        template_text(organisation_id=organisation_id),
        organisation_name=organisation_name,
        starts_at=hearing.starts_at,
    )


def _enqueue_send(message: OutboundMessage, when: datetime) -> None:
    from reminders.tasks import send_reminder

    send_reminder.using(run_after=when).enqueue(message.pk)


def _save(message: OutboundMessage, now: datetime, *fields: str) -> None:
    message.updated_at = now
    message.save(update_fields=[*fields, "updated_at"])


def _cancel(message: OutboundMessage, reason: str, now: datetime) -> None:
    message.state, message.cancel_reason = MessageState.CANCELLED, reason
    _save(message, now, "state", "cancel_reason")
    audit_record(
        action=Action.UPDATE,
        obj=message,
        fields=["state", "cancel_reason"],
        organisation_id=message.organisation_id,
    )
    _timeline(message.case, None, message, "cancelled", channel=message.channel, why=reason)
    logger.info("reminder %d cancelled: %s", message.pk, reason)


def _fail(message: OutboundMessage, error: str, now: datetime) -> None:
    message.state, message.last_error = MessageState.FAILED, error
    _save(message, now, "state", "last_error")
    audit_record(
        action=Action.UPDATE,
        obj=message,
        fields=["state", "last_error"],
        organisation_id=message.organisation_id,
    )
    _timeline(message.case, None, message, "failed", channel=message.channel)
    logger.warning("reminder %d failed after %d attempts: %s", message.pk, message.attempts, error)


def _replan(message: OutboundMessage, window: ReminderWindow, now: datetime) -> None:
    """Move a scheduled reminder to the first safe moment from now (the window or the hearing
    time changed), re-rendering its text; cancel it if no moment fits."""
    hearing = message.hearing
    when = _moment(window, hearing.starts_at, now)
    if when is None:
        _cancel(message, CancelReason.NO_WINDOW, now)
        return
    if message.hearing_starts_at != hearing.starts_at:
        message.body = _body(hearing, message.organisation_id, message.organisation.name)
        message.hearing_starts_at = hearing.starts_at
        _save(message, now, "body", "hearing_starts_at")
    if when != message.scheduled_for:
        message.scheduled_for = when
        _save(message, now, "scheduled_for")
        _enqueue_send(message, when)


# ----------------------------------------------------------------------------- planner


@dataclass
class PlanReport:
    created: int = 0
    cancelled: int = 0
    failed: int = 0


def _create(
    *, hearing: Hearing, case: Case, channel: str, when: datetime, now: datetime
) -> OutboundMessage | None:
    """One reminder, unless one exists already for this hearing and channel (planned by an
    earlier run or by a racing worker: the unique constraint decides)."""
    message = OutboundMessage(
        hearing=hearing,
        case=case,
        organisation_id=case.organisation_id,
        channel=channel,
        scheduled_for=when,
        hearing_starts_at=hearing.starts_at,
        created_at=now,
        updated_at=now,
    )
    message.body = _body(hearing, case.organisation_id, hearing.organisation.name)
    try:
        with transaction.atomic():
            message.save()
            audit_record(
                action=Action.CREATE,
                obj=message,
                fields=["channel", "scheduled_for", "body"],
                organisation_id=case.organisation_id,
            )
            _timeline(case, None, message, "scheduled", channel=channel, hearing=hearing.pk)
            _enqueue_send(message, when)
    except IntegrityError:
        logger.info("reminder of hearing %d on %s was already planned", hearing.pk, channel)
        return None
    logger.info("reminder %d planned for hearing %d", message.pk, hearing.pk)
    return message


def _sweep_pending(now: datetime) -> int:
    """Cancel planned reminders that are no longer wanted; follow a hearing that moved."""
    messages = list(selectors.pending_messages())
    windows = selectors.windows_for(case_ids=[m.case_id for m in messages])
    cancelled = 0
    for message in messages:
        window = windows.get((message.case_id, message.channel))
        reason = _blocker(
            hearing=message.hearing,
            case=message.case,
            channel=message.channel,
            window=window,
            channels=_channels(message.case),
        ) or (CancelReason.TOO_LATE if message.hearing.starts_at <= now else "")
        with transaction.atomic():
            if reason:
                _cancel(message, reason, now)
                cancelled += 1
            elif message.hearing_starts_at != message.hearing.starts_at:
                if message.state == MessageState.SCHEDULED and window is not None:
                    _replan(message, window, now)
                else:  # waiting for a coordinator: she must read the new date
                    message.body = _body(
                        message.hearing, message.organisation_id, message.organisation.name
                    )
                    message.hearing_starts_at = message.hearing.starts_at
                    _save(message, now, "body", "hearing_starts_at")
    return cancelled


def _sweep_stuck(now: datetime) -> int:
    stuck = list(selectors.messages_stuck_sending(since=now - STUCK_AFTER))
    for message in stuck:
        with transaction.atomic():
            _fail(message, "interrupted", now)
    return len(stuck)


def reminders_plan(*, now: datetime | None = None) -> PlanReport:
    """The periodic planner: tidy up planned reminders, then plan one per channel for every
    hearing that starts within the lead time, at the first safe moment before it."""
    now = now or timezone.now()
    report = PlanReport(cancelled=_sweep_pending(now), failed=_sweep_stuck(now))
    hearings = list(selectors.hearings_to_remind(after=now, until=now + lead()))
    taken = selectors.existing_reminders(hearing_ids=[h.pk for h in hearings])
    windows = selectors.windows_for(case_ids=[h.proceeding.case_id for h in hearings])
    for hearing in hearings:
        case = hearing.proceeding.case
        channels = _channels(case)
        for channel in sorted(channels):
            window = windows.get((case.pk, channel))
            if (hearing.pk, channel) in taken or window is None:
                continue
            if _blocker(
                hearing=hearing, case=case, channel=channel, window=window, channels=channels
            ):
                continue
            when = _moment(window, hearing.starts_at, now)
            if when and _create(hearing=hearing, case=case, channel=channel, when=when, now=now):
                report.created += 1
    return report


# ----------------------------------------------------------------------------- sending


@dataclass(frozen=True)
class _Claim:
    message_id: int
    backend: Backend
    number: str
    text: str


def _read_number(message: OutboundMessage) -> str:
    """Her number, decrypted for the gateway; the read is audited like any reveal."""
    survivor = message.case.survivor
    audit_record(
        action=Action.REVEAL,
        obj=survivor,
        fields=["phone", "reason:reminder"],
        organisation_id=message.organisation_id,
    )
    return survivor.phone or ""


def _claim(message_id: int, now: datetime) -> _Claim | None:
    """Under the row lock: check the reminder is still wanted and due, and mark it SENDING
    (so no other worker sends it). None when there is nothing to send now."""
    with transaction.atomic():
        message = selectors.message_lock(message_id=message_id)
        if message is None or message.state != MessageState.SCHEDULED:
            return None
        hearing, case = message.hearing, message.case
        window = selectors.window_get(case=case, channel=message.channel)
        reason = _blocker(
            hearing=hearing,
            case=case,
            channel=message.channel,
            window=window,
            channels=_channels(case),
        )
        if reason:
            _cancel(message, reason, now)
            return None
        assert window is not None  # noqa: S101 - _blocker refuses a missing window
        moved = message.hearing_starts_at != hearing.starts_at
        if moved:  # the hearing's time changed since the text was written
            message.body = _body(hearing, message.organisation_id, message.organisation.name)
            message.hearing_starts_at = hearing.starts_at
            _save(message, now, "body", "hearing_starts_at")
        # A run before the planned moment (a retry's backoff, a window moved later) waits.
        not_before = None if moved else message.scheduled_for
        when = _moment(window, hearing.starts_at, now, not_before=not_before)
        if when is None:
            if message.attempts:
                _fail(message, message.last_error or "no_window", now)
            else:
                _cancel(message, CancelReason.NO_WINDOW, now)
            return None
        if when > now:  # outside her safe hours, or a retry that is not due yet
            if when != message.scheduled_for:
                message.scheduled_for = when
                _save(message, now, "scheduled_for")
                _enqueue_send(message, when)
            return None
        backend = backend_for(message.channel)
        number = _read_number(message) if backend.needs_number else ""
        message.state, message.backend = MessageState.SENDING, backend.code
        message.attempts += 1
        _save(message, now, "state", "backend", "attempts")
        audit_record(
            action=Action.UPDATE,
            obj=message,
            fields=["state", "attempts"],
            organisation_id=message.organisation_id,
        )
        return _Claim(message.pk, backend, number, message.body or "")


def _record(claim: _Claim, delivery: Delivery, now: datetime) -> str:
    with transaction.atomic():
        message = selectors.message_lock(message_id=claim.message_id)
        if message is None or message.state != MessageState.SENDING:
            return message.state if message else ""
        if delivery.sent:
            message.state, message.sent_at, message.last_error = MessageState.SENT, now, ""
            _save(message, now, "state", "sent_at", "last_error")
            _timeline(message.case, None, message, "sent", channel=message.channel)
        elif delivery.queued_for_hand:
            message.state = MessageState.OUTBOX
            _save(message, now, "state")
        else:
            _retry_or_fail(message, delivery, now)
        audit_record(
            action=Action.UPDATE,
            obj=message,
            fields=["state"],
            organisation_id=message.organisation_id,
        )
    logger.info("reminder %d: %s (attempt %d)", message.pk, message.state, message.attempts)
    return message.state


def _retry_or_fail(message: OutboundMessage, delivery: Delivery, now: datetime) -> None:
    window = selectors.window_get(case=message.case, channel=message.channel)
    retry_at = None
    if not delivery.final and window and message.attempts < settings.AMPARO_REMINDER_MAX_ATTEMPTS:
        retry_at = _moment(
            window, message.hearing.starts_at, now, not_before=now + retry_delay(message.attempts)
        )
    if retry_at is None:
        _fail(message, delivery.error, now)
        return
    message.state, message.last_error, message.scheduled_for = (
        MessageState.SCHEDULED,
        delivery.error,
        retry_at,
    )
    _save(message, now, "state", "last_error", "scheduled_for")
    _enqueue_send(message, retry_at)
    logger.info("reminder %d will be retried: %s", message.pk, delivery.error)


def reminder_send(*, message_id: int, now: datetime | None = None) -> str:
    """One attempt at sending a reminder: the send task's body. Returns the state it is left
    in ("" if it does not exist)."""
    now = now or timezone.now()
    claim = _claim(message_id, now)
    if claim is None:
        return selectors.message_state(message_id=message_id)
    delivery = claim.backend.deliver(to=claim.number, text=claim.text)
    return _record(claim, delivery, now)


# ----------------------------------------------------------------------------- outbox


def message_mark_sent(*, membership: Membership | None, message: OutboundMessage) -> None:
    """A coordinator reached her herself (SMS, WhatsApp or a call) for this reminder."""
    coordinator = _require_coordinator(membership)
    if message.organisation_id != coordinator.organisation_id:
        raise Http404
    now = timezone.now()
    with transaction.atomic():
        locked = selectors.message_lock(message_id=message.pk)
        if locked is None or not selectors.hand_sendable(locked):
            raise ValidationError(
                _("Este recordatorio ya no espera un envío a mano: recarga la bandeja.")
            )
        locked.state, locked.sent_at, locked.sent_by_id = (
            MessageState.SENT,
            now,
            coordinator.user_id,
        )
        _save(locked, now, "state", "sent_at", "sent_by")
        audit_record(action=Action.UPDATE, obj=locked, fields=["state", "sent_by"])
        _timeline(locked.case, coordinator.user_id, locked, "sent_by_hand", channel=locked.channel)
    logger.info("reminder %d: sent by hand", message.pk)


def outbox_numbers(
    *, membership: Membership | None, messages: list[OutboundMessage]
) -> dict[int, str]:
    """The number to text or call for each reminder waiting for a coordinator, decrypted for
    coordinators only; each survivor's number shown is an audited reveal."""
    if not selectors.is_coordinator(membership):
        return {}
    numbers: dict[int, str] = {}
    revealed: set[int] = set()
    with transaction.atomic():
        for message in messages:
            if not selectors.hand_sendable(message):
                continue
            survivor = message.case.survivor
            numbers[message.pk] = survivor.phone or ""
            if survivor.pk not in revealed:
                revealed.add(survivor.pk)
                audit_record(action=Action.REVEAL, obj=survivor, fields=["phone", "reason:contact"])
    return numbers
