"""Reads of reminders, windows and templates.

Per-case reads take a `case` the caller obtained through `cases.selectors.case_get_for_user`.
The outbox is for the organisation's coordinators and supervisors (who see its whole
caseload); only coordinators send by hand and see the number to call. The background planner
and sender read across organisations, with no member: they are the only callers of the
functions under "background".
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from access.policy import sees_whole_caseload
from cases.models import Case, CaseStatus
from organisations.models import Membership, Role
from proceedings.models import Hearing, HearingStatus
from reminders.models import (
    HAND_SENDABLE_STATES,
    PENDING_STATES,
    Channel,
    MessageState,
    OutboundMessage,
    ReminderTemplate,
    ReminderWindow,
)
from survivors.models import Consent, ConsentPurpose, Survivor
from survivors.selectors import active_consents

_MESSAGE_RELATED = ("case__survivor__data_key", "hearing")

# ----------------------------------------------------------------------------- who


def can_see_outbox(membership: Membership | None) -> bool:
    return sees_whole_caseload(membership)


def is_coordinator(membership: Membership | None) -> bool:
    return (
        membership is not None
        and sees_whole_caseload(membership)
        and membership.role == Role.COORDINATOR
    )


# ----------------------------------------------------------------------------- organisation


def template_for(*, organisation_id: int) -> ReminderTemplate | None:
    return ReminderTemplate.objects.filter(organisation_id=organisation_id).first()


# ----------------------------------------------------------------------------- per case


def contact_consents(*, survivor: Survivor, organisation_id: int) -> list[Consent]:
    """Her active consents to be contacted by this organisation on a written channel."""
    return [
        consent
        for consent in active_consents(survivor=survivor, purpose=ConsentPurpose.CONTACT)
        if consent.channel in Channel.values and consent.recipient_id in (None, organisation_id)
    ]


def consented_channels(*, survivor: Survivor, organisation_id: int) -> set[str]:
    consents = contact_consents(survivor=survivor, organisation_id=organisation_id)
    return {consent.channel for consent in consents}


def window_list(*, case: Case) -> QuerySet[ReminderWindow]:
    return ReminderWindow.objects.filter(case=case)


def window_get(*, case: Case, channel: str) -> ReminderWindow | None:
    return window_list(case=case).filter(channel=channel).first()


def message_list_for_case(*, case: Case) -> QuerySet[OutboundMessage]:
    return (
        OutboundMessage.objects.filter(case=case)
        .select_related(*_MESSAGE_RELATED)
        .order_by("-scheduled_for", "-pk")
    )


def reminders_for_hearing(*, hearing: Hearing) -> list[OutboundMessage]:
    """The reminders of one hearing (at most one per channel)."""
    return list(OutboundMessage.objects.filter(hearing=hearing).order_by("channel"))


def has_phone(*, survivor: Survivor) -> bool:
    """Whether a number is recorded, told from the stored token without decrypting it."""
    return survivor.identity_erased_at is None and bool(survivor.__dict__.get("phone"))


# ----------------------------------------------------------------------------- outbox

OUTBOX_VIEWS = {
    "": (MessageState.OUTBOX, MessageState.FAILED, MessageState.SENDING),
    "scheduled": (MessageState.SCHEDULED,),
    "done": (MessageState.SENT, MessageState.CANCELLED),
}


def outbox_list(*, membership: Membership | None, view: str = "") -> QuerySet[OutboundMessage]:
    """The organisation's reminders in one of OUTBOX_VIEWS: to act on (default), scheduled,
    done. Soonest first, except done ones (latest first)."""
    if not can_see_outbox(membership) or view not in OUTBOX_VIEWS:
        return OutboundMessage.objects.none()
    assert membership is not None  # noqa: S101 - narrowed by can_see_outbox
    messages = OutboundMessage.objects.filter(
        organisation_id=membership.organisation_id, state__in=OUTBOX_VIEWS[view]
    ).select_related(*_MESSAGE_RELATED)
    if view == "done":
        return messages.order_by("-scheduled_for", "-pk")
    return messages.order_by("scheduled_for", "pk")


def outbox_message_get(*, membership: Membership | None, message_id: int) -> OutboundMessage:
    """A reminder of the organisation, for its coordinators; 404 otherwise."""
    if not is_coordinator(membership):
        raise Http404
    assert membership is not None  # noqa: S101 - narrowed by is_coordinator
    message = (
        OutboundMessage.objects.filter(organisation_id=membership.organisation_id, pk=message_id)
        .select_related(*_MESSAGE_RELATED)
        .first()
    )
    if message is None:
        raise Http404
    return message


def windows_for(*, case_ids: list[int]) -> dict[tuple[int, str], ReminderWindow]:
    return {
        (window.case_id, window.channel): window
        for window in ReminderWindow.objects.filter(case_id__in=case_ids)
    }


# ----------------------------------------------------------------------------- background


def hearings_to_remind(*, after: datetime, until: datetime) -> QuerySet[Hearing]:
    """Scheduled hearings that ask for a reminder, starting in (after, until], of open cases."""
    return (
        Hearing.objects.filter(
            status=HearingStatus.SCHEDULED,
            remind_survivor=True,
            starts_at__gt=after,
            starts_at__lte=until,
        )
        .exclude(proceeding__case__status=CaseStatus.CLOSED)
        .select_related("proceeding__case__survivor__data_key", "organisation")
        .order_by("starts_at", "pk")
    )


def existing_reminders(*, hearing_ids: list[int]) -> set[tuple[int, str]]:
    return set(
        OutboundMessage.objects.filter(hearing_id__in=hearing_ids).values_list(
            "hearing_id", "channel"
        )
    )


def pending_messages() -> QuerySet[OutboundMessage]:
    """Reminders not yet sent nor given up, to check that they are still wanted."""
    return OutboundMessage.objects.filter(state__in=PENDING_STATES).select_related(
        "case__survivor__data_key", "hearing", "organisation"
    )


def pending_messages_for_case(*, case: Case, channel: str) -> QuerySet[OutboundMessage]:
    return OutboundMessage.objects.filter(
        case=case, channel=channel, state__in=PENDING_STATES
    ).select_related("case__survivor__data_key", "hearing", "organisation")


def messages_stuck_sending(*, since: datetime) -> QuerySet[OutboundMessage]:
    """Claimed for sending before `since` and never finished (the worker died mid-send)."""
    return OutboundMessage.objects.filter(state=MessageState.SENDING, updated_at__lt=since)


def message_lock(*, message_id: int) -> OutboundMessage | None:
    """The message, locked for this transaction (the claim against a racing worker)."""
    return (
        OutboundMessage.objects.select_for_update(of=("self",))
        .select_related("case__survivor__data_key", "hearing", "organisation")
        .filter(pk=message_id)
        .first()
    )


def message_state(*, message_id: int) -> str:
    """The state of a reminder, "" if there is none."""
    state = OutboundMessage.objects.filter(pk=message_id).values_list("state", flat=True).first()
    return state or ""


def hand_sendable(message: OutboundMessage) -> bool:
    return message.state in HAND_SENDABLE_STATES
