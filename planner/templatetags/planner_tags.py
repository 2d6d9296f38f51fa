from django import template

from planner.markup import format_clock

register = template.Library()


@register.filter
def clock(seconds: int | None) -> str:
    """3723 -> "1:02:03", 754 -> "12:34"."""
    return format_clock(seconds)


@register.filter
def at_speed(seconds: int | None, speed_percent: int) -> int | None:
    if seconds is None:
        return None
    return round(seconds * 100 / speed_percent)
