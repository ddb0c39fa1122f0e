from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from access.policy import memberships_of
from core.context import update_context

SESSION_ACTING_ORG = "amparo_acting_org"


class ActingOrganisationMiddleware:
    """Resolves, on every request, the memberships a person holds and the one she acts through.

    The session keeps only her *choice* of organisation; whether that membership still exists
    and is active is read from the database each time, so a revocation applies at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        memberships = memberships_of(request.user)
        chosen = request.session.get(SESSION_ACTING_ORG) if memberships else None
        acting = next((m for m in memberships if m.organisation_id == chosen), None)
        if acting is None and memberships:
            acting = memberships[0]
        request.memberships = memberships  # type: ignore[attr-defined]
        request.membership = acting  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            update_context(
                actor_id=request.user.pk,
                organisation_id=acting.organisation_id if acting else None,
            )
        return self.get_response(request)
