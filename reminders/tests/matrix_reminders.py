"""The reminders app's routes in the authorization matrix (see access/tests/matrix.py).

The outbox is for the organisation's coordinators and supervisors (who see its whole
caseload); only coordinators edit the template and mark a reminder sent by hand (`outsider`
is a coordinator of her own organisation: she sees her own, empty, outbox and template, and
none of ours). A case's reminder hours are for anyone who can open the case (`{case}` from
cases/tests/matrix_cases.py, led by the lawyer). `{rm_message}` is a reminder of our
organisation waiting in the outbox. Empty forms are refused with 400, writing nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from access.policy import Capability
from access.tests.matrix import case_team, members_with


def objects(cast: dict[str, Any], org: Any) -> dict[str, str]:
    from django.utils import timezone

    from reminders.models import MessageState, OutboundMessage
    from reminders.tests.factories import ALL_DAY, remindable

    hearing = remindable(cast["lawyer"], timezone.now() + timedelta(days=1), safe=ALL_DAY)
    case = hearing.proceeding.case
    message = OutboundMessage(
        hearing=hearing,
        case=case,
        organisation=org,
        channel="sms",
        state=MessageState.OUTBOX,
        scheduled_for=timezone.now(),
        hearing_starts_at=hearing.starts_at,
    )
    message.body = "Recordatorio: cita."
    message.save()
    return {"rm_message": str(message.pk)}


_COORDINATORS = {"coordinator": 200, "outsider": 200}

URLS: dict[tuple[str, str], tuple[str, dict[str, str], dict[str, int]]] = {
    ("reminders/outbox/", "GET"): (
        "/reminders/outbox/",
        {},
        members_with(Capability.SEE_SURVIVORS, 404, supervisor=200, **_COORDINATORS),
    ),
    ("reminders/outbox/<int:message_id>/sent/", "POST"): (
        "/reminders/outbox/{rm_message}/sent/",
        {},
        members_with(Capability.SEE_SURVIVORS, 404, coordinator=302),
    ),
    ("reminders/template/", "GET"): (
        "/reminders/template/",
        {},
        members_with(Capability.SEE_SURVIVORS, 404, **_COORDINATORS),
    ),
    ("reminders/template/", "POST"): (
        "/reminders/template/",
        {},
        members_with(Capability.SEE_SURVIVORS, 404, coordinator=400, outsider=400),
    ),
    ("reminders/case/<int:case_id>/", "GET"): ("/reminders/case/{case}/", {}, case_team(200)),
    ("reminders/case/<int:case_id>/", "POST"): ("/reminders/case/{case}/", {}, case_team(400)),
}
