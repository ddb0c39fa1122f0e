"""The first moment inside her safe window, after the earliest and before the latest."""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone

from reminders.scheduling import next_safe_moment, retry_delay


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 6, day, hour, minute, tzinfo=timezone.get_default_timezone())


def moment(earliest: datetime, latest: datetime, safe=(time(18), time(20))) -> datetime | None:
    return next_safe_moment(safe_from=safe[0], safe_until=safe[1], earliest=earliest, latest=latest)


def test_it_sends_at_once_inside_the_window():
    assert moment(at(3, 18, 30), at(4, 9)) == at(3, 18, 30)


def test_it_waits_for_the_window_to_open():
    assert moment(at(3, 10), at(4, 9)) == at(3, 18)


def test_it_waits_for_the_next_day_once_the_window_closed():
    assert moment(at(3, 20), at(5, 9)) == at(4, 18)
    assert moment(at(3, 21), at(5, 9)) == at(4, 18)


def test_it_gives_up_when_no_moment_fits_before_the_hearing():
    assert moment(at(3, 10), at(3, 15)) is None
    assert moment(at(3, 20), at(4, 17)) is None
    assert moment(at(3, 10), at(3, 18)) is None  # the latest moment is excluded


def test_it_reads_the_window_in_bolivian_time():
    utc = at(3, 18).astimezone(timezone.UTC)
    assert utc.hour == 22
    assert moment(utc, at(4, 9)) == at(3, 18)


def test_it_doubles_the_delay_between_attempts(settings):
    settings.AMPARO_REMINDER_RETRY_MINUTES = 5
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
