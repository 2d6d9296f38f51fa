from django import template

from planner import cards, controls
from planner.markup import format_clock

register = template.Library()


@register.filter
def clock(seconds: int | None) -> str:
    """3723 -> "1:02:03", 754 -> "12:34"."""
    return format_clock(seconds)


@register.simple_tag(takes_context=True)
def queue_button(context, item, fragment: str, target: str, short: bool = False):
    return controls.queue_button(context, item, fragment, target, short)


@register.simple_tag(takes_context=True)
def watched_button(context, item, fragment: str, target: str, quiet: bool = False):
    return controls.watched_button(context, item, fragment, target, quiet)


@register.simple_tag(takes_context=True)
def talk_actions(context, item, fragment: str, target: str):
    return controls.talk_actions(context, item, fragment, target)


@register.simple_tag
def length(item):
    return controls.length(item)


@register.simple_tag(takes_context=True)
def star_buttons(context, item, fragment: str, target: str):
    return controls.star_buttons(context, item, fragment, target)


@register.simple_tag
def resume_link(item, on_page: bool = False):
    return controls.resume_link(item, on_page)


@register.filter
def hours(seconds: int | None) -> str:
    """ "12.5 hours", "40 minutes": a total a person can picture."""
    if not seconds:
        return ""
    if seconds < 3600:
        return f"{round(seconds / 60)} minutes"
    value = round(seconds / 3600, 1)
    return f"{value:g} hour{'' if value == 1 else 's'}"


@register.simple_tag(takes_context=True)
def thumbnail(context, talk, link: bool = False):
    return controls.thumbnail(talk, context.get("remote_images", True), link)


@register.simple_tag
def watch_link(talk, css: str = "watch-link", text: str = ""):
    return controls.watch_link(talk, css, text)


@register.simple_tag(takes_context=True)
def to_list_link(context, talk):
    return controls.to_list_link(context, talk.pk)


@register.simple_tag
def link_at(talk, seconds: int) -> str:
    """The video on its host at a second (a transcript's times, without JavaScript)."""
    return talk.link_at(seconds)


@register.simple_tag
def play_at(talk, seconds: int) -> str:
    """Our player at a second where it plays here, else the host's page at it."""
    return talk.play_at(seconds)


@register.simple_tag
def play_link(talk, css: str = "button", text: str = "Watch"):
    return controls.play_link(talk, css, text)


@register.simple_tag(takes_context=True)
def card(context, item):
    return cards.card(context, item)


@register.simple_tag
def select_options(field):
    return controls.select_options(field)
