"""The alert job: deadline alerts for the lead and the supervisors at the pack's lead times, one
task per deadline for the lead, a task before a protection measure expires; idempotent; run
by the database-backed worker every hour."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases.models import CaseEvent, CaseMember, Task
from conftest import run_tasks
from organisations.models import Membership
from proceedings import services_measures
from proceedings.alerts import alerts_raise, lead_reached
from proceedings.models import Deadline, DeadlineAlert, ProtectionMeasure
from proceedings.tests.justice_fixtures import member, proceeding_for, record

RULE = "investigacion_preliminar"  # alert_before = ["5d", "1d"]
DAY = timedelta(days=1)
LA_PAZ = ZoneInfo("America/La_Paz")


@pytest.fixture
def lawyer_case(cast):
    return proceeding_for(
        cast["lawyer"], events=[("denuncia", date(2026, 3, 2)), ("aviso_inicio", date(2026, 3, 2))]
    )


@pytest.fixture
def deadline(lawyer_case):
    return Deadline.objects.get(proceeding=lawyer_case[1], rule=RULE)


def _alerts(deadline=None):
    rows = DeadlineAlert.objects.all()
    if deadline is not None:
        rows = rows.filter(deadline=deadline)
    return sorted((a.user.email, a.lead.days) for a in rows.select_related("user"))


def test_nothing_happens_before_the_first_lead_time(deadline):
    counts = alerts_raise(deadline.due_at - 5 * DAY - timedelta(minutes=1))
    assert (counts.alerts, counts.tasks) == (0, 0)
    assert not DeadlineAlert.objects.exists()
    assert not Task.objects.exists()


def test_it_alerts_the_lead_and_the_supervisor_and_gives_the_lead_one_task(
    cast, lawyer_case, deadline
):
    case, _proceeding = lawyer_case
    counts = alerts_raise(deadline.due_at - 5 * DAY)
    assert (counts.alerts, counts.tasks) == (2, 1)
    assert _alerts() == [("lawyer-casa@example.org", 5), ("supervisor-casa@example.org", 5)]
    task = Task.objects.get()
    assert task.assignee == cast["lawyer"]
    assert task.title == f"Plazo legal: Fin de la investigación preliminar ({case.survivor.code})"
    assert task.due_on == timezone.localtime(deadline.due_at).date()
    line = CaseEvent.objects.get(kind="task", object_id=task.pk)
    assert line.actor_id is None
    assert line.data["due_on"] == task.due_on.isoformat()


def test_running_twice_writes_nothing_new(deadline):
    now = deadline.due_at - 5 * DAY
    alerts_raise(now)
    before = (_alerts(), Task.objects.count(), CaseEvent.objects.count())
    counts = alerts_raise(now)
    assert (counts.alerts, counts.tasks, counts.measure_tasks) == (0, 0, 0)
    assert (_alerts(), Task.objects.count(), CaseEvent.objects.count()) == before


def test_each_lead_time_and_the_overdue_moment_alert_once_with_a_single_task(deadline):
    for now in (
        deadline.due_at - 5 * DAY,
        deadline.due_at - 2 * DAY,  # between lead times: nothing new
        deadline.due_at - DAY,
        deadline.due_at - DAY + timedelta(hours=3),
        deadline.due_at + timedelta(seconds=1),
        deadline.due_at + 3 * DAY,
    ):
        alerts_raise(now)
    assert _alerts() == [
        ("lawyer-casa@example.org", 0),
        ("lawyer-casa@example.org", 1),
        ("lawyer-casa@example.org", 5),
        ("supervisor-casa@example.org", 0),
        ("supervisor-casa@example.org", 1),
        ("supervisor-casa@example.org", 5),
    ]
    assert Task.objects.count() == 1


def test_a_late_first_run_sends_only_the_most_urgent_alert(deadline):
    counts = alerts_raise(deadline.due_at + DAY)
    assert _alerts() == [("lawyer-casa@example.org", 0), ("supervisor-casa@example.org", 0)]
    assert (counts.alerts, counts.tasks) == (2, 1)


def test_lead_reached_reads_the_pack(deadline):
    from proceedings.selectors import procedure_for

    rule = procedure_for(deadline.proceeding).deadlines[RULE]
    assert rule.alert_before == (5 * DAY, DAY)
    assert lead_reached(rule, deadline.due_at, deadline.due_at - 6 * DAY) is None
    assert lead_reached(rule, deadline.due_at, deadline.due_at - 3 * DAY) == 5 * DAY
    assert lead_reached(rule, deadline.due_at, deadline.due_at) == timedelta(0)


def test_a_supervisor_on_the_team_is_alerted_instead_of_all_of_them(
    cast, org, make_member, lawyer_case, deadline
):
    from cases.services import team_add

    second = make_member("supervisor", org, "supervisor2@example.org")
    team_add(membership=member(cast["lawyer"]), case=lawyer_case[0], user_id=second.pk)
    alerts_raise(deadline.due_at - DAY)
    assert _alerts() == [("lawyer-casa@example.org", 1), ("supervisor2@example.org", 1)]


def test_without_a_team_supervisor_every_active_supervisor_is_alerted(
    cast, org, make_member, deadline
):
    make_member("supervisor", org, "supervisor2@example.org")
    gone = make_member("supervisor", org, "supervisor3@example.org")
    Membership.objects.filter(user=gone).update(is_active=False)
    alerts_raise(deadline.due_at - DAY)
    assert _alerts() == [
        ("lawyer-casa@example.org", 1),
        ("supervisor-casa@example.org", 1),
        ("supervisor2@example.org", 1),
    ]


def test_other_organisations_are_not_alerted(cast, deadline):
    proceeding_for(cast["outsider"])  # a case of the other organisation, no deadlines
    alerts_raise(deadline.due_at - DAY)
    assert "outsider@example.org" not in {email for email, _lead in _alerts()}


def test_a_lead_who_left_the_organisation_gets_neither_alert_nor_task(cast, deadline):
    Membership.objects.filter(user=cast["lawyer"]).update(is_active=False)
    counts = alerts_raise(deadline.due_at - DAY)
    assert _alerts() == [("supervisor-casa@example.org", 1)]
    assert (counts.tasks, Task.objects.count()) == (0, 0)


def test_a_new_lead_gets_her_own_alerts_and_task(cast, lawyer_case, deadline):
    from cases.services import team_add

    alerts_raise(deadline.due_at - 5 * DAY)
    team_add(
        membership=member(cast["lawyer"]),
        case=lawyer_case[0],
        user_id=cast["social_worker"].pk,
        lead=True,
    )
    counts = alerts_raise(deadline.due_at - 5 * DAY)
    assert (counts.alerts, counts.tasks) == (1, 1)
    assert Task.objects.filter(assignee=cast["social_worker"]).count() == 1


def test_closed_cases_raise_nothing(cast, lawyer_case, deadline):
    from cases.services import case_close

    case_close(
        membership=member(cast["lawyer"]),
        case=lawyer_case[0],
        reason="goals_met",
        closed_on=timezone.localdate(),
    )
    assert alerts_raise(deadline.due_at + DAY).alerts == 0
    assert not DeadlineAlert.objects.exists()


def test_a_deadline_that_stopped_raises_nothing(cast, lawyer_case, deadline):
    case, proceeding = lawyer_case
    record(cast["lawyer"], case, proceeding, "imputacion", date(2026, 3, 20))
    assert Deadline.objects.get(pk=deadline.pk).state == "met"
    alerts_raise(deadline.due_at + DAY)
    assert not DeadlineAlert.objects.filter(deadline=deadline).exists()


def test_the_log_has_counts_only(caplog, lawyer_case, deadline):
    with caplog.at_level(logging.INFO, logger="amparo.deadlines"):
        alerts_raise(deadline.due_at - DAY)
    messages = [r.getMessage() for r in caplog.records if r.name == "amparo.deadlines"]
    assert messages == ["deadline alerts: 2 alerts, 1 deadline tasks, 0 measure tasks"]
    assert lawyer_case[0].survivor.code not in caplog.text


# ----------------------------------------------------------------------------- measures


@pytest.fixture
def measure_case(cast):
    """Only a denuncia: its one deadline (three years) is far from any lead time."""
    return proceeding_for(cast["lawyer"], events=[("denuncia", date(2026, 3, 2))])


def _granted(cast, case, proceeding, expires, measure="salida_agresor"):
    membership = member(cast["lawyer"])
    protection = services_measures.measure_request(
        membership=membership,
        case=case,
        proceeding=proceeding,
        measure=measure,
        requested_on=date(2026, 3, 3),
    )
    return services_measures.measure_decide(
        membership=membership,
        case=case,
        proceeding=proceeding,
        protection=protection,
        status="granted",
        decided_on=date(2026, 3, 5),
        expires_on=expires,
    )


def test_it_gives_the_lead_one_task_a_week_before_a_measure_expires(cast, measure_case):
    case, proceeding = measure_case
    protection = _granted(cast, case, proceeding, date(2026, 9, 5))
    later = _granted(cast, case, proceeding, date(2026, 9, 6), "prohibicion_acercamiento")
    now = datetime(2026, 8, 29, 10, 0, tzinfo=LA_PAZ)  # 7 days before 5 Sept
    counts = alerts_raise(now)
    assert counts.measure_tasks == 1
    task = Task.objects.get()
    assert task.title == f"Medida de protección por vencer ({case.survivor.code})"
    assert (task.assignee, task.due_on) == (cast["lawyer"], date(2026, 9, 5))
    assert ProtectionMeasure.objects.get(pk=protection.pk).expiry_alerted_at == now
    assert ProtectionMeasure.objects.get(pk=later.pk).expiry_alerted_at is None
    assert alerts_raise(now).measure_tasks == 0
    assert alerts_raise(now + DAY).measure_tasks == 1  # the second measure's week came
    assert alerts_raise(now + 2 * DAY).measure_tasks == 0
    assert Task.objects.count() == 2


def test_ended_and_undated_measures_raise_nothing(cast, measure_case):
    case, proceeding = measure_case
    _granted(cast, case, proceeding, None)
    ended = _granted(cast, case, proceeding, date(2026, 9, 5), "prohibicion_acercamiento")
    services_measures.measure_end(
        membership=member(cast["lawyer"]),
        case=case,
        proceeding=proceeding,
        protection=ended,
        ended_on=date(2026, 6, 1),
    )
    now = datetime(2026, 9, 1, 10, 0, tzinfo=LA_PAZ)
    assert alerts_raise(now).measure_tasks == 0


# ----------------------------------------------------------------------------- the job


@pytest.fixture
def overdue_case(cast):
    """An aviso de inicio two months ago: its 20 business days have passed, whatever today."""
    start = timezone.localdate() - timedelta(days=60)
    return proceeding_for(cast["lawyer"], events=[("denuncia", start), ("aviso_inicio", start)])


def test_it_runs_every_hour_in_the_background(overdue_case):
    from django_tasks_db.models import DBTaskResult

    from proceedings.tasks import ensure_scheduled, raise_deadline_alerts

    assert ensure_scheduled() is True
    assert ensure_scheduled() is False
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))  # the hour came
    run_tasks()
    assert _alerts() == [("lawyer-casa@example.org", 0), ("supervisor-casa@example.org", 0)]
    assert Task.objects.count() == 1
    waiting = DBTaskResult.objects.get(task_path=raise_deadline_alerts.module_path, status="READY")
    assert waiting.run_after > timezone.now()
    assert (waiting.run_after.minute, waiting.run_after.second) == (0, 0)
    DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())
    run_tasks()  # the next hour: nothing new
    assert len(_alerts()) == 2
    assert Task.objects.count() == 1


def test_next_run_is_the_start_of_the_next_hour():
    from proceedings.tasks import next_run

    now = datetime(2026, 5, 4, 10, 42, 7, tzinfo=LA_PAZ)
    assert next_run(now) == datetime(2026, 5, 4, 11, 0, tzinfo=LA_PAZ)


def test_alerts_of_a_case_she_no_longer_sees_are_hidden(cast, client_for, overdue_case):
    alerts_raise()
    html = client_for(cast["lawyer"]).get("/").content.decode()
    assert "Fin de la investigación preliminar" in html
    CaseMember.objects.filter(user=cast["lawyer"]).update(removed_at=timezone.now())
    html = client_for(cast["lawyer"]).get("/").content.decode()
    assert "Fin de la investigación preliminar" not in html


def test_a_measure_of_a_lead_who_left_is_marked_without_a_task(cast, measure_case):
    case, proceeding = measure_case
    protection = _granted(cast, case, proceeding, date(2026, 9, 5))
    Membership.objects.filter(user=cast["lawyer"]).update(is_active=False)
    now = datetime(2026, 9, 1, 10, 0, tzinfo=LA_PAZ)
    assert alerts_raise(now).measure_tasks == 0
    assert not Task.objects.exists()
    assert ProtectionMeasure.objects.get(pk=protection.pk).expiry_alerted_at == now
