"""Sample objects for the cases app's authorization matrix (see access/tests/matrix.py).

`{case}`: opened by the lawyer, who leads it; the coordinator is also on its team (so that
`{team_user}` can be removed). `{task}` and `{consent}` belong to it. `{notice}` is a match
notice held by the organisation: the outsider's organisation matched one of its survivors.
Each area of the cases app declares its routes in its own matrix_<area>.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cases.models import CaseMember, Task
from survivors.models import Consent, MatchNotice


def objects(cast: dict[str, Any], org: Any) -> dict[str, str]:
    from conftest import open_case

    case = open_case(cast["lawyer"])
    CaseMember.objects.create(case=case, user=cast["coordinator"], role="coordinator")
    task = Task.objects.create(
        case=case, title="Llamar", assignee=cast["lawyer"], created_by=cast["lawyer"]
    )
    consent = Consent.objects.create(
        survivor=case.survivor,
        purpose="statistics",
        given_by="survivor",
        given_on=date(2026, 1, 1),
        recorded_by=cast["lawyer"],
    )
    notice = MatchNotice.objects.create(
        survivor=case.survivor,
        holder=org,
        requester=cast["outsider"].memberships.get().organisation,
        requested_by=cast["outsider"],
        matched_on=["document_index"],
    )
    return {
        "case": str(case.pk),
        "task": str(task.pk),
        "consent": str(consent.pk),
        "notice": str(notice.pk),
        "team_user": str(cast["coordinator"].pk),
    }
