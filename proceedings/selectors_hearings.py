"""Reads for hearings, their calendars and the iCal feeds, beyond `proceedings.selectors`.

Calendars start from `proceedings.selectors.visible_hearings`, which starts from the cases a
member may open. A feed is read for its owner's membership *as it is now*: a deactivated user
or membership gets nothing, and a case she left drops out of it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from access.policy import Capability, has_capability, membership_for
from cases.models import Case
from organisations.models import Membership
from proceedings.models import COURT_KINDS, CalendarFeed, Hearing, JusticeOffice
from proceedings.selectors import visible_hearings

# The feed carries the recent past (a hearing suspended last week stays visible as cancelled)
# and everything ahead, within a bound no real calendar reaches.
FEED_PAST = dt.timedelta(days=90)
FEED_MAX_EVENTS = 1000


def hearing_lock(*, hearing: Hearing) -> Hearing:
    """The hearing's row, locked for the rest of the transaction, as it is now (its status may
    have changed since the caller read it)."""
    return Hearing.objects.select_for_update().get(pk=hearing.pk)


def chain_of(*, hearing: Hearing) -> tuple[Hearing | None, Hearing | None]:
    """The hearing this one reschedules, and the one that reschedules it."""
    earlier = hearing.rescheduled_from
    later = Hearing.objects.filter(rescheduled_from=hearing).select_related("court").first()
    return earlier, later


def calendar_hearings(
    *,
    membership: Membership | None,
    start: dt.datetime,
    end: dt.datetime,
    mine: bool,
    court_id: int | None = None,
) -> QuerySet[Hearing]:
    """One period of a calendar, with what each row shows fetched up front."""
    return (
        visible_hearings(membership=membership, start=start, end=end, mine=mine, court_id=court_id)
        .select_related("proceeding__department__jurisdiction")
        .prefetch_related("companions")
    )


def court_get(*, court_id: int) -> JusticeOffice:
    """A court of the directory (active or not: its past hearings stay on its calendar)."""
    court = (
        JusticeOffice.objects.select_related("department")
        .filter(pk=court_id, kind__in=COURT_KINDS)
        .first()
    )
    if court is None:
        raise Http404
    return court


def court_by_id(*, court_id: int | None) -> JusticeOffice | None:
    """The office behind a submitted id, active or not (the service says why it will not do)."""
    if court_id is None:
        return None
    return JusticeOffice.objects.filter(pk=court_id).first()


def live_feeds(*, user_id: int, organisation_id: int) -> QuerySet[CalendarFeed]:
    return CalendarFeed.objects.filter(
        user_id=user_id, organisation_id=organisation_id, revoked_at__isnull=True
    )


def feed_membership(*, feed: CalendarFeed) -> Membership | None:
    """The membership the feed reads through, as it is at this moment; None when she may no
    longer open cases there."""
    membership = membership_for(feed.user, feed.organisation_id)
    if membership is None or not has_capability(membership, Capability.SEE_SURVIVORS):
        return None
    return membership


def feed_hearings(*, membership: Membership) -> QuerySet[Hearing]:
    """What her feed shows: the hearings of "my calendar" from the recent past on."""
    start = timezone.now() - FEED_PAST
    return visible_hearings(membership=membership, start=start, mine=True)[:FEED_MAX_EVENTS]


def companion_memberships(*, membership: Membership, case: Case) -> QuerySet[Membership]:
    """Who may accompany the survivor to a hearing of `case`: people of the organisation who
    work cases and may open this one (its team, coordinators, supervisors). A companion sees
    the hearing in her calendar and feed, so she must be able to open the case."""
    from django.db.models import Q

    from access.policy import CASELOAD_ROLES
    from cases.models import CaseMember
    from cases.selectors import casework_members

    team = CaseMember.objects.filter(case=case, removed_at__isnull=True).values("user_id")
    return casework_members(membership=membership).filter(
        Q(role__in=CASELOAD_ROLES) | Q(user_id__in=team)
    )
