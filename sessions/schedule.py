"""When a conference's source is looked at again: a pure rule, no database.

Recordings trickle out in the weeks after a conference, so a source is read hourly while
the conference is recent (from its first day until RECENT_FOR after its last, or after the
import when the source gives no dates), daily for DAILY_FOR after that (and before the
conference: a schedule changes, its recordings are not out), then weekly. A source that
fails is tried again later each time (doubling, at most a day apart unless its pace is
slower anyway), and one that has failed for GIVE_UP_AFTER is paused.
"""

import datetime
from dataclasses import dataclass

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)
RECENT_FOR = datetime.timedelta(days=14)
DAILY_FOR = datetime.timedelta(days=60)
GIVE_UP_AFTER = datetime.timedelta(days=90)

PACE_WORDS = {HOUR: "hourly", DAY: "daily", WEEK: "weekly"}


@dataclass(frozen=True)
class Dates:
    """What the pace depends on: the conference's days, if its source gives them, and
    when it was imported."""

    first_day: datetime.date | None
    last_day: datetime.date | None
    imported_at: datetime.datetime


def _start_of(day: datetime.date, tz: datetime.tzinfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def pace(now: datetime.datetime, dates: Dates) -> datetime.timedelta:
    """How often the source is read while all goes well: HOUR, DAY or WEEK."""
    if dates.first_day and dates.last_day:
        if now < _start_of(dates.first_day, now.tzinfo):
            return DAY
        recent_until = _start_of(dates.last_day, now.tzinfo) + DAY + RECENT_FOR
    else:
        recent_until = dates.imported_at + RECENT_FOR
    if now < recent_until:
        return HOUR
    return DAY if now < recent_until + DAILY_FOR else WEEK


def next_try(now: datetime.datetime, every: datetime.timedelta, failures: int) -> datetime.datetime:
    """When to read the source next, after `failures` failed tries in a row."""
    if failures <= 0:
        return now + every
    wait = every * 2 ** min(failures, 16)  # 2**16 hours is past any cap already
    return now + min(wait, max(every, DAY))


def gives_up(now: datetime.datetime, failing_since: datetime.datetime | None) -> bool:
    """A source failing for three months is paused (staff can start it again)."""
    return failing_since is not None and now - failing_since >= GIVE_UP_AFTER


def in_words(every: datetime.timedelta) -> str:
    return PACE_WORDS.get(every, f"every {every}")
