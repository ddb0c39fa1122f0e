"""Authorization matrix for erasure and retention routes (see access/tests/matrix.py)."""

from __future__ import annotations

from typing import Any

from access.policy import Capability
from access.tests.matrix import RELATIONSHIPS, SIGNED_OUT, members_with


def coordinators(ok: int, *, outsider: int = 404) -> dict[str, int]:
    """Erasure is a coordinators' matter: only they see, ask and confirm."""
    return {
        rel: 302 if rel in SIGNED_OUT else ok if rel == "coordinator" else 404
        for rel in RELATIONSHIPS
    } | {"outsider": outsider}


URLS = {
    ("survivors/erasures/", "GET"): ("/survivors/erasures/", {}, coordinators(200, outsider=200)),
    ("survivors/erasures/request/<int:case_id>/", "GET"): (
        "/survivors/erasures/request/{case}/", {}, coordinators(200)),
    ("survivors/erasures/request/<int:case_id>/", "POST"): (
        "/survivors/erasures/request/{case}/", {}, coordinators(400)),
    ("survivors/erasures/<int:request_id>/confirm/", "POST"): (
        "/survivors/erasures/{erasure}/confirm/", {}, coordinators(302)),
    ("survivors/erasures/<int:request_id>/cancel/", "POST"): (
        "/survivors/erasures/{erasure}/cancel/", {}, coordinators(302)),
    ("survivors/retention/", "GET"): (
        "/survivors/retention/", {}, members_with(Capability.MANAGE_MEMBERS, 200)),
    ("survivors/retention/", "POST"): (
        "/survivors/retention/", {"years": "x"}, members_with(Capability.MANAGE_MEMBERS, 400)),
}  # fmt: skip


def objects(cast: dict[str, Any], org: Any) -> dict[str, str]:
    from conftest import open_case
    from organisations.models import Membership
    from survivors.erasure import erasure_request

    case = open_case(cast["lawyer"])
    coordinator = Membership.objects.select_related("organisation", "user").get(
        user=cast["coordinator"], organisation=org
    )
    pending = erasure_request(membership=coordinator, survivor=case.survivor, reason="safety")
    return {"erasure": str(pending.pk)}
