"""A viewing plan: the queue cut into dated sessions that fit the time a person has.

Pure: queue items, a weekly budget, a speed and a start go in; dated sessions come
out. No database, no clock (the caller says what "now" is), so every edge is a unit
test: an empty queue, no minutes at all, a talk longer than a week, daylight-saving
changes, a start late in the day, unknown lengths, any speed.

Lengths are kept in seconds of video (what a "from 42:10" link needs); a day holds as
many video seconds as its minutes allow at the speed, so a session never runs past
the person's minutes. Talks are kept whole where they can be:

- a talk that does not fit in what is left of tonight is not begun tonight: the evening
  ends early and the talk starts the next one, so a talk that fits in an evening is
  never split;
- a talk longer than the evening it starts fills that evening and each one after it
  until it ends, so it has as few parts as those evenings allow;
- no part is shorter than ten minutes of the evening (a part that would be ends the
  evening before it early instead), and no talk is begun in an evening's last ten minutes.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from planner.lengths import at_speed

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_DAYS = 3 * 366  # a plan longer than three years says so instead of going on
MIN_PART_MINUTES = 10  # of an evening: the shortest part a talk is cut into


class NoTime(ValueError):
    """The budget has no minutes on any day: the queue could never be watched."""


@dataclass(frozen=True)
class Item:
    """One queued talk: what is left of it (from its resume point) in seconds of video."""

    key: int  # the queue record's id
    title: str
    start: int  # the resume point: where the next part begins
    length: int  # the whole video
    estimated: bool = False

    @property
    def left(self) -> int:
        return max(self.length - self.start, 0)


@dataclass(frozen=True)
class Part:
    item: Item
    start: int  # seconds into the video
    end: int

    @property
    def seconds(self) -> int:
        return self.end - self.start

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.end >= self.item.length

    @property
    def finishes(self) -> bool:
        return self.end >= self.item.length


@dataclass
class Session:
    day: datetime.date
    start: datetime.datetime  # aware, in the person's time zone
    speed: int
    parts: list[Part] = field(default_factory=list)

    @property
    def video_seconds(self) -> int:
        return sum(p.seconds for p in self.parts)

    @property
    def seconds(self) -> int:
        """How long the session takes at the speed: what the calendar blocks. Never 0 for a
        session with video in it (1 s left at 2x rounds to 0)."""
        return max(at_speed(self.video_seconds, self.speed), 1 if self.video_seconds else 0)

    @property
    def end(self) -> datetime.datetime:
        # Elapsed time, not wall-clock arithmetic: right across a daylight-saving change.
        utc = self.start.astimezone(datetime.UTC) + datetime.timedelta(seconds=self.seconds)
        return utc.astimezone(self.start.tzinfo)

    @property
    def estimated(self) -> bool:
        return any(p.item.estimated for p in self.parts)


@dataclass
class Plan:
    sessions: list[Session]
    speed: int
    cut_short: bool = False  # MAX_DAYS passed with talks left

    @property
    def finish(self) -> datetime.date | None:
        return self.sessions[-1].day if self.sessions else None

    @property
    def seconds(self) -> int:
        return sum(s.seconds for s in self.sessions)


@dataclass(frozen=True)
class Budget:
    minutes: tuple[int, ...]  # Monday first, seven of them
    start_time: datetime.time
    time_zone: str

    def seconds_on(self, day: datetime.date) -> int:
        return self.minutes[day.weekday()] * 60


def make_plan(
    items: list[Item],
    budget: Budget,
    speed: int,
    start: datetime.date,
    now: datetime.datetime | None = None,
) -> Plan:
    """Sessions from `start` on, in queue order. `now` (aware) moves a session that
    would start in the past to now, and a day already over to the next one."""
    if not any(budget.minutes):
        raise NoTime("Give at least one day some minutes: with none, the queue never ends.")
    zone = ZoneInfo(budget.time_zone)
    queue = [i for i in items if i.left > 0]
    sessions: list[Session] = []
    index, position = 0, queue[0].start if queue else 0
    # The shortest part worth making, in seconds of video (half the fullest evening where
    # evenings are shorter than twice that).
    evening = max(budget.minutes) * 60 * speed // 100
    least = min(MIN_PART_MINUTES * 60 * speed // 100, evening // 2)
    day = start
    for _ in range(MAX_DAYS):
        if index >= len(queue):
            break
        begins, capacity = _day_window(day, budget, zone, now)
        # Whole seconds of video that fit the day's minutes at the speed.
        room = capacity * speed // 100
        session = Session(day=day, start=begins, speed=speed)
        while index < len(queue) and room > 0:
            item = queue[index]
            left = item.length - position
            if left <= room:
                take = left  # the talk, or what is left of it, fits tonight
            elif session.parts or room < least:
                # Not begun or carried on after another talk (the evening ends early: the
                # next one may hold it whole), nor in an evening's last minutes.
                break
            else:  # longer than this whole evening: all of it, leaving no sliver for later
                take = room if left - room >= least else left - least
                if take < least:
                    break  # two slivers: an evening that holds what is left whole comes
            session.parts.append(Part(item, position, position + take))
            room -= take
            position += take
            if position >= item.length:
                index += 1
                position = queue[index].start if index < len(queue) else 0
        if session.parts:
            sessions.append(session)
        day += datetime.timedelta(days=1)
    return Plan(sessions=sessions, speed=speed, cut_short=index < len(queue))


def _day_window(
    day: datetime.date, budget: Budget, zone: ZoneInfo, now: datetime.datetime | None
) -> tuple[datetime.datetime, int]:
    """When the day's session starts and how many seconds it has."""
    begins = datetime.datetime.combine(day, budget.start_time, tzinfo=zone)
    capacity = budget.seconds_on(day)
    if now is not None and capacity:
        now = now.astimezone(zone)
        if begins < now:
            # Late in the day: start now, with the minutes that are left before midnight.
            midnight = datetime.datetime.combine(
                day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
            )
            left = int((midnight - now).total_seconds())
            if left <= 0:
                return begins, 0
            begins = now.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
            capacity = min(capacity, max(left - 60, 0))
    return begins, capacity
