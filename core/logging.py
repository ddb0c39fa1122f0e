"""Structured logs: one JSON object a line, with the request id and acting ids.

Only the message template's fields the code passes are written; callers pass ids, never
personal data (the audit and access rules in docs/ say so, and review checks it).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from core.context import current


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ctx = current()
        record.request_id = ctx.request_id
        record.actor_id = ctx.actor_id
        record.organisation_id = ctx.organisation_id
        return True


# Django's own loggers put the request path in their messages; a path may hold a token (an
# invitation link) or an id, so those messages are written without their arguments.
_PATH_LOGGERS = ("django.request", "django.server", "django.security", "django.template")


def _message(record: logging.LogRecord) -> str:
    if record.name.startswith(_PATH_LOGGERS):
        return str(record.msg).replace("%s", "…").replace("%r", "…")
    return record.getMessage()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": _message(record),
            "request_id": getattr(record, "request_id", ""),
            "actor_id": getattr(record, "actor_id", None),
            "organisation_id": getattr(record, "organisation_id", None),
        }
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: messages and tracebacks may quote data.
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)
