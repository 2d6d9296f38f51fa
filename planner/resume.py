"""What a page shows from where a person is in a talk: the clock, what is left at their
speed, the bar, the links that open the video at that second.

Each is a plain function of the resume point, which pages draw through `kept.live` (see
planner.views.common.live): the player moves the resume point every 15 s without changing
the person's page token, so a kept page fills these in as they are when it is answered."""

from planner.lengths import at_speed
from planner.markup import format_clock
from sessions import video


def clock(resume: int | None) -> str:
    return format_clock(resume)


def seconds(resume: int | None) -> str:
    return str(resume or 0)


def left(resume: int | None, length: int, speed: int) -> str:
    """What is left from the resume point, at the person's speed ("23:10")."""
    return format_clock(at_speed(max(length - (resume or 0), 0), speed))


def percent(resume: int | None, length: int) -> str:
    return str(min(100, round(100 * (resume or 0) / length)) if length else 0)


def host_link(resume: int | None, provider: str, reference: str) -> str:
    """The host's page at the resume point."""
    return video.link_at(provider, reference, resume)


def embed(resume: int | None, reference: str, origin: str) -> str:
    """The YouTube player starting at the resume point."""
    return video.embed_url(reference, resume or 0, origin=origin)
