"""The referral pages in the authorization matrix (see access/tests/matrix.py).

`{rf_case}` is opened by the lawyer (who leads it and is its only team member: `case_team`
applies to the referring side). The survivor consented to share incidents and notes with the
outsider's organisation; `{rf_referral}` refers the case there and was accepted by the
outsider (a coordinator of that organisation), who assigned herself. So the referring side is
the case team's (the outsider: 404), and the receiving side is the outsider's (the case team,
as members of another organisation: 404, except their own, empty, inbox).

Identity was not consented: revealing it is 404 for everyone, the outsider included.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from access.policy import Capability
from access.tests.matrix import case_team, members_with


def objects(cast: dict[str, Any], org: Any) -> dict[str, str]:
    from conftest import open_case
    from organisations.models import Membership
    from referrals.services import referral_accept, referral_create
    from survivors.services import consent_record

    lawyer = Membership.objects.select_related("organisation", "user").get(
        user=cast["lawyer"], organisation=org
    )
    outsider = Membership.objects.select_related("organisation", "user").get(user=cast["outsider"])
    case = open_case(cast["lawyer"])
    consent_record(
        membership=lawyer,
        survivor=case.survivor,
        purpose="sharing",
        given_by="survivor",
        given_on=timezone.localdate(),
        recipient=outsider.organisation,
        categories=["incidents", "notes"],
    )
    referral = referral_create(
        membership=lawyer,
        case=case,
        purpose="legal",
        to_organisation=outsider.organisation,
        categories=["incidents", "notes"],
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    referral_accept(membership=outsider, referral=referral, assignees=[cast["outsider"]])
    return {"rf_case": str(case.pk), "rf_referral": str(referral.pk)}


def _receiving(ok: int) -> dict[str, int]:
    """Only the receiving organisation's coordinator (the outsider) gets `ok`."""
    return members_with(Capability.SEE_SURVIVORS, 404, outsider=ok)


URLS: dict[tuple[str, str], tuple[str, dict[str, str], dict[str, int]]] = {
    # The referring side.
    ("cases/<int:case_id>/referrals/", "GET"): (
        "/cases/{rf_case}/referrals/",
        {},
        case_team(200),
    ),
    ("cases/<int:case_id>/referrals/new/", "GET"): (
        "/cases/{rf_case}/referrals/new/",
        {},
        case_team(200),
    ),
    ("cases/<int:case_id>/referrals/new/", "POST"): (
        "/cases/{rf_case}/referrals/new/",
        {},
        case_team(400),
    ),
    ("cases/<int:case_id>/referrals/<int:referral_id>/", "GET"): (
        "/cases/{rf_case}/referrals/{rf_referral}/",
        {},
        case_team(200),
    ),
    ("cases/<int:case_id>/referrals/<int:referral_id>/revoke/", "POST"): (
        "/cases/{rf_case}/referrals/{rf_referral}/revoke/",
        {},
        case_team(302),
    ),
    ("cases/<int:case_id>/referrals/<int:referral_id>/complete/", "POST"): (
        "/cases/{rf_case}/referrals/{rf_referral}/complete/",
        {},
        case_team(302),
    ),
    # The receiving side: everyone who works cases has an inbox (empty but for the outsider).
    ("referrals/", "GET"): ("/referrals/", {}, members_with(Capability.SEE_SURVIVORS, 200)),
    ("referrals/<int:referral_id>/", "GET"): ("/referrals/{rf_referral}/", {}, _receiving(200)),
    # Already accepted, and an empty form chooses nothing: refused.
    ("referrals/<int:referral_id>/", "POST"): ("/referrals/{rf_referral}/", {}, _receiving(400)),
    ("referrals/<int:referral_id>/complete/", "POST"): (
        "/referrals/{rf_referral}/complete/",
        {},
        _receiving(302),
    ),
    ("referrals/<int:referral_id>/case/", "GET"): (
        "/referrals/{rf_referral}/case/",
        {},
        _receiving(200),
    ),
    ("referrals/<int:referral_id>/identity/", "POST"): (
        "/referrals/{rf_referral}/identity/",
        {},
        _receiving(404),
    ),
}
