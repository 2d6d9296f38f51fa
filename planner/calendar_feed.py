"""A viewing plan as iCalendar (RFC 5545), built with the icalendar library.

One event per day's session: its start and end in the person's time zone (with the
VTIMEZONE apps need), the talk titles as the summary, each part with where to start
and a link to the video at that second in the description, and a UID made of the
plan and the day, so calendar apps update an event when the plan changes instead of
adding a second one.
"""

import datetime
from collections.abc import Callable

from icalendar import Calendar, Event

from planner.markup import format_clock
from planner.planning import Part, Plan

PRODID = "-//Catch-up//Viewing plan//EN"


def part_span(part: Part) -> str:
    """Where a part of a talk starts and stops: "up to 25:12", "from 42:10 to the end",
    "from 9:42 to 25:12"; "" for a whole talk."""
    if part.whole:
        return ""
    if part.start == 0:
        return f"up to {format_clock(part.end)}"
    end = "the end" if part.finishes else format_clock(part.end)
    return f"from {format_clock(part.start)} to {end}"


def part_line(part: Part) -> str:
    """ "Talk title (from 42:10 to the end)"."""
    span = part_span(part)
    return f"{part.item.title} ({span})" if span else part.item.title


def calendar(plan: Plan, plan_id: int, link: Callable[[Part], str], name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    for session in plan.sessions:
        event = Event()
        event.add("uid", f"plan-{plan_id}-{session.day:%Y%m%d}@catch-up")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.start)
        event.add("dtend", session.end)
        titles = [p.item.title for p in session.parts]
        summary = titles[0] if len(titles) == 1 else f"{titles[0]} + {len(titles) - 1} more"
        event.add("summary", f"Watch: {summary}")
        lines = []
        for part in session.parts:
            lines.append(part_line(part))
            if url := link(part):
                lines.append(url)
            lines.append("")
        speed = f"{session.speed / 100:g}x"
        note = " Some lengths are estimates." if session.estimated else ""
        lines.append(f"{format_clock(session.seconds)} at {speed}.{note}")
        event.add("description", "\n".join(lines))
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
