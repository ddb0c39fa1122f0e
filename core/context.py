"""Who is acting, for whom, in which request: read by the audit trail and the logs."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    actor_id: int | None = None
    organisation_id: int | None = None


_EMPTY = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("amparo_request", default=_EMPTY)


def current() -> RequestContext:
    return _current.get()


def set_context(ctx: RequestContext) -> None:
    _current.set(ctx)


def update_context(**changes: object) -> None:
    _current.set(replace(_current.get(), **changes))  # type: ignore[arg-type]
