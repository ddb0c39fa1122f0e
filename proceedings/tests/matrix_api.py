"""The proceedings API in the authorization matrix (see access/tests/matrix.py).

`{ap_case}` is opened by the lawyer, who leads it and is its only team member (`case_team`
applies unchanged); it has a proceeding `{ap_proceeding}` in La Paz with a denuncia
`{ap_event}`, an accused `{ap_accused}`, a hearing `{ap_hearing}` ahead and a requested
protection measure `{ap_measure}`. `{ap_office}` is a court of the directory.

The matrix posts an empty *form*, which the JSON API cannot parse: an allowed write answers
400 while a forbidden one answers 404, because the case (or, for the directory, the
MANAGE_DIRECTORY capability) is checked while authenticating, before the body is read.
Operations without a body answer 204 (removing the accused) or 201 (voiding the denuncia).
The directory and the pack's procedure hold no survivor data: every member reads them.
"""

from datetime import date, timedelta
from typing import Any

from access.policy import Capability
from access.tests.matrix import case_team, members_with


def objects(cast: dict[str, Any], org: Any) -> dict[str, str]:
    from django.utils import timezone

    from conftest import open_case
    from jurisdictions.models import Department
    from organisations.models import Membership
    from proceedings import services, services_hearings, services_measures

    def member(role: str) -> Membership:
        return Membership.objects.select_related("organisation", "user").get(
            user=cast[role], organisation=org
        )

    lawyer = member("lawyer")
    la_paz = Department.objects.get(code="02")
    court = services.office_create(
        membership=member("coordinator"),
        kind="investigating",
        name="Juzgado de Instrucción Penal 3.º (matriz)",
        department=la_paz,
    )
    case = open_case(cast["lawyer"])
    proceeding = services.proceeding_create(
        membership=lawyer, case=case, data=services.ProceedingData(department=la_paz)
    )
    event = services.event_record(
        membership=lawyer,
        case=case,
        proceeding=proceeding,
        data=services.EventData(type="denuncia", occurred_on=date(2026, 3, 2)),
    )
    proceeding.refresh_from_db()
    accused = services.accused_add(
        membership=lawyer, case=case, proceeding=proceeding, relationship="partner"
    )
    hearing = services_hearings.hearing_schedule(
        membership=lawyer,
        case=case,
        proceeding=proceeding,
        data=services_hearings.HearingData(
            type="cautelares", starts_at=timezone.now() + timedelta(days=10), court=court
        ),
    )
    measure = services_measures.measure_request(
        membership=lawyer,
        case=case,
        proceeding=proceeding,
        measure="prohibicion_acercamiento",
        requested_on=date(2026, 3, 3),
    )
    return {
        "ap_case": str(case.pk),
        "ap_proceeding": str(proceeding.pk),
        "ap_event": str(event.pk),
        "ap_accused": str(accused.pk),
        "ap_hearing": str(hearing.pk),
        "ap_measure": str(measure.pk),
        "ap_office": str(court.pk),
    }


def _case_api(ok: int) -> dict[str, int]:
    """About `{ap_case}`: its team and the whole-caseload roles; 401 without a membership."""
    return case_team(ok, out=401, deactivated=401, platform_admin=401)


def _members(capability: Capability | None, ok: int) -> dict[str, int]:
    return members_with(capability, ok, out=401, no_member=401)


_C = "/api/v1/cases/{case_id}/proceedings"
_CP = _C + "/{proceeding_id}"
_S = "/api/v1/cases/{ap_case}/proceedings"
_SP = _S + "/{ap_proceeding}"

API: dict[tuple[str, str], tuple[str, dict[str, int]]] = {
    (_C, "GET"): (_S, _case_api(200)),
    (_C, "POST"): (_S, _case_api(400)),
    (_CP, "GET"): (_SP, _case_api(200)),
    (_CP, "PUT"): (_SP, _case_api(400)),
    (_CP + "/charges", "GET"): (_SP + "/charges", _case_api(200)),
    (_CP + "/charges", "POST"): (_SP + "/charges", _case_api(400)),
    (_CP + "/accused", "POST"): (_SP + "/accused", _case_api(400)),
    (_CP + "/accused/{accused_id}/remove", "POST"): (
        _SP + "/accused/{ap_accused}/remove",
        _case_api(204),
    ),
    (_CP + "/events", "GET"): (_SP + "/events", _case_api(200)),
    (_CP + "/events", "POST"): (_SP + "/events", _case_api(400)),
    (_CP + "/events/{event_id}/correct", "POST"): (
        _SP + "/events/{ap_event}/correct",
        _case_api(400),
    ),
    (_CP + "/events/{event_id}/void", "POST"): (_SP + "/events/{ap_event}/void", _case_api(201)),
    (_CP + "/deadlines", "GET"): (_SP + "/deadlines", _case_api(200)),
    (_CP + "/hearings", "GET"): (_SP + "/hearings", _case_api(200)),
    (_CP + "/hearings", "POST"): (_SP + "/hearings", _case_api(400)),
    (_CP + "/hearings/{hearing_id}", "GET"): (_SP + "/hearings/{ap_hearing}", _case_api(200)),
    (_CP + "/hearings/{hearing_id}", "PUT"): (_SP + "/hearings/{ap_hearing}", _case_api(400)),
    (_CP + "/hearings/{hearing_id}/outcome", "POST"): (
        _SP + "/hearings/{ap_hearing}/outcome",
        _case_api(400),
    ),
    (_CP + "/hearings/{hearing_id}/reschedule", "POST"): (
        _SP + "/hearings/{ap_hearing}/reschedule",
        _case_api(400),
    ),
    (_CP + "/measures", "GET"): (_SP + "/measures", _case_api(200)),
    (_CP + "/measures", "POST"): (_SP + "/measures", _case_api(400)),
    (_CP + "/measures/{measure_id}/decision", "POST"): (
        _SP + "/measures/{ap_measure}/decision",
        _case_api(400),
    ),
    (_CP + "/measures/{measure_id}/end", "POST"): (
        _SP + "/measures/{ap_measure}/end",
        _case_api(400),
    ),
    (_CP + "/measures/{measure_id}/breaches", "POST"): (
        _SP + "/measures/{ap_measure}/breaches",
        _case_api(400),
    ),
    ("/api/v1/deadlines", "GET"): (
        "/api/v1/deadlines",
        _members(Capability.SEE_SURVIVORS, 200),
    ),
    ("/api/v1/hearings", "GET"): ("/api/v1/hearings", _members(Capability.SEE_SURVIVORS, 200)),
    ("/api/v1/directory/offices", "GET"): ("/api/v1/directory/offices", _members(None, 200)),
    ("/api/v1/directory/offices", "POST"): (
        "/api/v1/directory/offices",
        _members(Capability.MANAGE_DIRECTORY, 400),
    ),
    ("/api/v1/directory/offices/{office_id}", "PUT"): (
        "/api/v1/directory/offices/{ap_office}",
        _members(Capability.MANAGE_DIRECTORY, 400),
    ),
    ("/api/v1/jurisdictions/{code}/procedure", "GET"): (
        "/api/v1/jurisdictions/bo/procedure",
        _members(None, 200),
    ),
}
