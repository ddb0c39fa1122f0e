"""The referrals API in the authorization matrix (see access/tests/matrix.py).

`{ra_case}` is opened by the lawyer of `org`, who leads it and is its only team member; the
survivor consented to share her incidents and notes with `other_org`. `{ra_referral}` refers
it to `other_org` for legal representation, ACCEPTED by the outsider (a coordinator of
`other_org`) who assigned herself; `{ra_pending}` refers it for psychological support and
awaits an answer.

So on the referring side (inside the case) `case_team` applies unchanged, and the outsider
gets 404 like anyone outside the case. On the receiving side (/referrals/...) only the
outsider is in the receiving organisation: she reads the referral and its data; everyone of
`org` gets 404. Members without the casework capability get 404 on the inbox too.

The matrix posts an empty *form*, which the JSON API cannot parse: an allowed write with a
body answers 400 while a forbidden one answers 404, because the case (or the referral in the
inbox) is checked while authenticating, before the body is read. Revoking and completing have
no body and answer 200.
"""

from datetime import timedelta
from typing import Any

from access.policy import Capability
from access.tests.matrix import RELATIONSHIPS, SIGNED_OUT, case_team, members_with


def objects(cast: dict[str, Any], org: Any) -> dict[str, str]:
    from django.utils import timezone

    from conftest import open_case
    from organisations.models import Membership
    from referrals import services
    from survivors.services import consent_record

    def member(role: str) -> Membership:
        return Membership.objects.select_related("organisation", "user").get(user=cast[role])

    lawyer, outsider = member("lawyer"), member("outsider")
    other_org = outsider.organisation
    today = timezone.localdate()
    case = open_case(cast["lawyer"])
    consent_record(
        membership=lawyer,
        survivor=case.survivor,
        purpose="sharing",
        given_by="survivor",
        given_on=today,
        recipient=other_org,
        categories=["incidents", "notes"],
    )

    def refer(purpose: str) -> Any:
        return services.referral_create(
            membership=lawyer,
            case=case,
            purpose=purpose,
            expires_on=today + timedelta(days=60),
            to_organisation=other_org,
            categories=["incidents", "notes"],
        )

    referral = refer("legal")
    services.referral_accept(membership=outsider, referral=referral, assignees=[cast["outsider"]])
    pending = refer("psychological")
    return {
        "ra_case": str(case.pk),
        "ra_referral": str(referral.pk),
        "ra_pending": str(pending.pk),
    }


def _case_api(ok: int) -> dict[str, int]:
    """About `{ra_case}`: its team and the whole-caseload roles; 401 without a membership."""
    return case_team(ok, out=401, deactivated=401, platform_admin=401)


def _receiving(ok: int) -> dict[str, int]:
    """About a referral made to `other_org`: only the outsider is there."""
    no_member = SIGNED_OUT | {"deactivated", "platform_admin"}
    return {
        rel: 401 if rel in no_member else ok if rel == "outsider" else 404 for rel in RELATIONSHIPS
    }


_C = "/api/v1/cases/{case_id}/referrals"
_CR = _C + "/{referral_id}"
_S = "/api/v1/cases/{ra_case}/referrals"
_SR = _S + "/{ra_referral}"
_I = "/api/v1/referrals/{referral_id}"
_IR = "/api/v1/referrals/{ra_referral}"
_IP = "/api/v1/referrals/{ra_pending}"

API: dict[tuple[str, str], tuple[str, dict[str, int]]] = {
    (_C, "GET"): (_S, _case_api(200)),
    (_C, "POST"): (_S, _case_api(400)),
    (_CR, "GET"): (_SR, _case_api(200)),
    (_CR + "/revoke", "POST"): (_SR + "/revoke", _case_api(200)),
    (_CR + "/complete", "POST"): (_SR + "/complete", _case_api(200)),
    ("/api/v1/referrals", "GET"): (
        "/api/v1/referrals",
        members_with(Capability.SEE_SURVIVORS, 200, out=401, no_member=401),
    ),
    (_I, "GET"): (_IR, _receiving(200)),
    (_I + "/accept", "POST"): (_IP + "/accept", _receiving(400)),
    (_I + "/decline", "POST"): (_IP + "/decline", _receiving(400)),
    (_I + "/complete", "POST"): (_IR + "/complete", _receiving(200)),
    (_I + "/incidents", "GET"): (_IR + "/incidents", _receiving(200)),
    # Her proceedings were not consented: 404 for everyone, the assignee too.
    (_I + "/proceedings", "GET"): (_IR + "/proceedings", _receiving(404)),
    (_I + "/notes", "GET"): (_IR + "/notes", _receiving(200)),
}
