"""Writing the audit trail. Call `audit_record` inside the same transaction as the change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from audit.models import Action, AuditEvent
from core.context import current


def audit_record(
    *,
    action: Action | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    fields: Iterable[str] = (),
    actor_id: int | None = None,
    organisation_id: int | None = None,
) -> AuditEvent:
    """Append one event. Actor, organisation, request id and IP default to the current request.

    `fields` are field *names*; callers never pass values.
    """
    ctx = current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    event = AuditEvent(
        action=str(action),
        object_type=object_type,
        object_id=str(object_id) if object_id not in (None, "") else "",
        fields=sorted(set(fields)),
        actor_id=actor_id if actor_id is not None else ctx.actor_id,
        organisation_id=organisation_id if organisation_id is not None else ctx.organisation_id,
        request_id=ctx.request_id,
        ip=ctx.ip,
    )
    event.save()
    return event
