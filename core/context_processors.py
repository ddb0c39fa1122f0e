from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from access.policy import Capability, can_manage_platform, has_capability, sees_whole_caseload
from survivors.erasure import can_request_erasure


def amparo(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    return {
        "amparo_demo": settings.AMPARO_DEMO,
        "amparo_mfa_optional": not settings.AMPARO_REQUIRE_MFA,
        "amparo_can": {
            "manage_members": has_capability(membership, Capability.MANAGE_MEMBERS),
            "view_audit": has_capability(membership, Capability.VIEW_AUDIT),
            "see_survivors": has_capability(membership, Capability.SEE_SURVIVORS),
            "see_matches": sees_whole_caseload(membership),  # match notices of the caseload
            "manage_platform": can_manage_platform(user),
            "use_api": has_capability(membership, Capability.USE_API),
            "request_erasure": can_request_erasure(membership),
        },
    }
