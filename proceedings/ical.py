"""The iCal text of a feed. A calendar on a phone is seen by whoever holds the phone, and the
feed's URL can leak: each event says only "Audiencia", the case code and the court. Never a
name, the offence, the hearing type (it tells the stage of the case), NUREJ or prosecutor's
number. The text is the same in every language, so that nothing depends on who reads it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from proceedings.models import Hearing, HearingStatus

SUMMARY = "Audiencia"
DURATION = dt.timedelta(hours=1)
PRODID = "-//Amparo//Audiencias//ES"
CANCELLED = {HearingStatus.SUSPENDED, HearingStatus.CANCELLED}


def hearing_event(hearing: Hearing, stamp: dt.datetime) -> Event:
    code = hearing.proceeding.case.survivor.code
    event = Event()
    event.add("uid", f"hearing-{hearing.pk}@amparo")
    event.add("dtstamp", stamp)
    event.add("dtstart", hearing.starts_at.astimezone(dt.UTC))
    event.add("dtend", (hearing.starts_at + DURATION).astimezone(dt.UTC))
    event.add("last-modified", hearing.updated_at.astimezone(dt.UTC))
    event.add("summary", SUMMARY)
    event.add("description", f"Caso {code}")
    event.add("location", hearing.court.name)
    event.add("status", "CANCELLED" if hearing.status in CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def feed_calendar(hearings: Iterable[Hearing]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Audiencias")
    stamp = timezone.now().astimezone(dt.UTC)
    for hearing in hearings:
        calendar.add_component(hearing_event(hearing, stamp))
    return calendar.to_ical()
