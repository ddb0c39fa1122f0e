"""The judicial calendar and due dates of legal deadlines.

Counting rules (Bolivia's CPP art. 130, carried by each pack's `unit`):
- `hours` run continuously from the starting act;
- `business_days` count from the day after the starting act and skip weekends, national and
  departmental holidays (the `holidays` package) and the pack's judicial vacations;
- `calendar_days` and `months` count every day (precautionary measures).
A day-based deadline is due at the end of its last day, in the jurisdiction's time zone.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

from jurisdictions.procedure import DeadlineRule, Procedure

END_OF_DAY = dt.time(23, 59, 59)


@cache
def _holidays(country: str, subdivision: str) -> holidays.HolidayBase:
    known = holidays.list_supported_countries().get(country, [])
    return holidays.country_holidays(country, subdiv=subdivision if subdivision in known else None)


class JudicialCalendar:
    """Which days courts count, for one department of one jurisdiction."""

    def __init__(self, procedure: Procedure, department_code: str, iso_3166_2: str) -> None:
        self.procedure = procedure
        self.department_code = department_code
        subdivision = iso_3166_2.split("-", 1)[1] if "-" in iso_3166_2 else iso_3166_2
        self.holidays = _holidays(procedure.holidays_country, subdivision)
        self.vacations = [
            v for v in procedure.vacations if not v.departments or department_code in v.departments
        ]

    def closed_because(self, day: dt.date) -> str:
        """Why courts do not count `day` ("" when they do): weekend, holiday or vacation."""
        if day.weekday() >= 5:
            return "weekend"
        if day in self.holidays:
            return "holiday"
        if any(v.start <= day <= v.end for v in self.vacations):
            return "judicial_vacation"
        return ""

    def is_business_day(self, day: dt.date) -> bool:
        return not self.closed_because(day)

    def add_business_days(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th business day after `start` (the starting day itself never counts)."""
        day, counted = start, 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                counted += 1
        return day


def due_at(
    rule: DeadlineRule, start: dt.datetime, calendar: JudicialCalendar, time_zone: str
) -> dt.datetime:
    """When `rule`, started at `start` (aware), expires: an aware datetime."""
    zone = ZoneInfo(time_zone)
    local = start.astimezone(zone)
    if rule.unit == "hours":
        # Elapsed hours, counted in UTC: adding to a zoned datetime would add wall-clock
        # hours, one too many or too few across a daylight-saving change.
        return (start.astimezone(dt.UTC) + dt.timedelta(hours=rule.duration)).astimezone(zone)
    if rule.unit == "business_days":
        last = calendar.add_business_days(local.date(), rule.duration)
    elif rule.unit == "calendar_days":
        last = local.date() + dt.timedelta(days=rule.duration)
    elif rule.unit == "months":
        last = local.date() + relativedelta(months=rule.duration)
    else:  # the schema admits no other unit
        raise ValueError(f"unknown unit {rule.unit!r}")
    return dt.datetime.combine(last, END_OF_DAY, tzinfo=zone)
