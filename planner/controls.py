"""The one-click controls shown wherever a talk is (card, queue row, talk page).

Built in Python rather than included templates: a catalog page draws them for 20
talks, and includes plus per-argument escaping were a fifth of its render time. The
only text from outside is the page address (`here`), escaped once per control;
everything else is ours (ids, fixed words, URLs reversed from our own patterns).

Each control is a POST form that works without JavaScript; with htmx it replaces
`target` with the part of the page named by `fragment` (see planner.views.talk.FRAGMENTS).
Buttons are named by their text plus the page's `title-<talk pk>` element, so a list
of cards does not repeat every title in its markup.
"""

from functools import cache

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from planner.markup import format_clock

_PK = 987654321  # stands for the id while a URL is reversed once per process


@cache
def _url(name: str) -> str:
    return reverse(name, args=[_PK]).replace(str(_PK), "{}")


def url(name: str, pk: int) -> str:
    """reverse(name, args=[pk]), without resolving the pattern again for each row."""
    return _url(name).format(int(pk))


def _form(context, action: str, fragment: str, target: str, body: str, *, css="inline-form",
          status: str = "", sync: bool = False) -> SafeString:  # fmt: skip
    token = escape(str(context.get("csrf_token", "")))
    here = escape(context.get("here", ""))
    extra = f'<input type="hidden" name="status" value="{status}">' if status else ""
    synced = ' hx-sync="this:queue last"' if sync else ""
    return mark_safe(
        f'<form method="post" action="{action}" class="{css}" hx-post="{action}" '
        f'hx-target="{target}" hx-swap="outerHTML"{synced}>'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        f'<input type="hidden" name="next" value="{here}">'
        f'<input type="hidden" name="fragment" value="{fragment}">{extra}\n  {body}\n</form>'
    )


def _named(control_id: str, talk_pk: int) -> str:
    return f'id="{control_id}" aria-labelledby="{control_id} title-{talk_pk}"'


def queue_button(context, item, fragment: str, target: str, short: bool = False) -> SafeString:
    """Add to queue, or take off it."""
    entry, pk = item.entry, int(item.talk.pk)
    named = _named(f"queue-toggle-{pk}", pk)
    if entry is not None and entry.in_queue:
        label = "Remove" if short else "Remove from queue"
        css = "button button-quiet button-small"
        body = f'<button type="submit" class="{css}" {named}>{label}</button>'
        return _form(context, url("unqueue", entry.pk), fragment, target, body)
    if entry is not None and entry.status == "watched":  # a rewatch is not the main thing here
        label, css = "Queue to watch again", "button button-quiet button-small"
    else:
        label, css = "Add to queue", "button"
    body = f'<button type="submit" class="{css}" {named}>{label}</button>'
    return _form(context, url("track", pk), fragment, target, body, status="queued")


def watched_button(context, item, fragment: str, target: str, quiet: bool = False) -> SafeString:
    """One click: watched today (the answer offers Undo)."""
    pk = int(item.talk.pk)
    css = "button button-quiet" if quiet else "button"
    body = (
        f'<button type="submit" class="{css}" {_named(f"watched-{pk}", pk)}>Mark watched</button>'
    )
    return _form(context, url("track", pk), fragment, target, body, status="watched")


def star_buttons(context, item, fragment: str, target: str) -> SafeString:
    """One click rates; the pressed button is the rating. Requests from one form go one
    at a time and the last one wins (hx-sync), so what shows is what was saved."""
    pk, rating = int(item.talk.pk), item.entry.rating or 0
    stars = "".join(
        f'<button type="submit" name="rating" value="{n}" class="star" id="star-{pk}-{n}" '
        f'aria-pressed="{"true" if n == rating else "false"}" '
        f'aria-label="{n} star{"s" if n > 1 else ""}">{"★" if n <= rating else "☆"}</button>'
        for n in range(1, 6)
    )
    body = (
        f'<span role="group" aria-labelledby="rate-{pk} title-{pk}">'
        f'<span id="rate-{pk}" class="visually-hidden">Rate</span>{stars}</span>'
    )
    return _form(context, url("rate", item.entry.pk), fragment, target, body,
                 css="star-buttons", sync=True)  # fmt: skip


def shows_stars(entry) -> bool:
    """Rate what you have seen (or already rated)."""
    return entry is not None and (entry.status in ("watched", "watching") or bool(entry.rating))


def resume_link(item) -> SafeString:
    """ "Resume 12:34" for a talk in progress: the video at the saved second; else ""."""
    entry, pk = item.entry, int(item.talk.pk)
    if entry is None or entry.status != "watching" or not entry.resume_seconds:
        return mark_safe("")
    if not item.talk.video_ref:  # no recording yet: nothing to open at that second
        return mark_safe("")
    return mark_safe(
        f'<a class="button" href="{escape(entry.resume_url)}" rel="noopener noreferrer" '
        f"{_named(f'resume-{pk}', pk)}>Resume {format_clock(entry.resume_seconds)}</a>"
    )


def talk_actions(context, item, fragment: str, target: str) -> SafeString:
    """A card's actions: status, resume, mark watched, stars, queue."""
    entry = item.entry
    parts = []
    if entry is not None and entry.status:
        parts.append(
            f'<span class="badge badge-{entry.status}">{entry.get_status_display()}</span>'
        )
    if resume := resume_link(item):
        parts.append(resume)
    if entry is None or entry.status != "watched":
        parts.append(watched_button(context, item, fragment, target, quiet=True))
    if shows_stars(entry):
        parts.append(star_buttons(context, item, fragment, target))
    parts.append(queue_button(context, item, fragment, target))
    return mark_safe('<div class="card-actions">\n  ' + "\n  ".join(parts) + "\n</div>")


def length(item) -> SafeString:
    """ "40:00 at 1.5x (1:00:00 at 1x, estimated)": a talk's length at the person's speed."""
    text = f"{format_clock(item.seconds_at_speed)} at {item.speed_label}"
    if item.speed != 100:
        note = f"{format_clock(item.seconds)} at 1x" + (", estimated" if item.estimated else "")
        text += f' <span class="muted">({note})</span>'
    elif item.estimated:
        text += ' <span class="muted">(estimated)</span>'
    return mark_safe(f'<span class="length">{text}</span>')


def thumbnail(talk, show: bool) -> SafeString:
    """The talk's picture, lazily loaded in a fixed 16:9 box (no layout shift); a
    neutral box in its place when remote images are off; nothing when there is none."""
    src = talk.thumbnail
    if not src:
        return mark_safe("")
    if not show:
        return mark_safe('<span class="thumb thumb-none" aria-hidden="true"></span>')
    return mark_safe(
        f'<img class="thumb" src="{escape(src)}" alt="Video still" loading="lazy" '
        'decoding="async" width="320" height="180">'
    )


def watch_link(talk, css: str = "watch-link", text: str = "") -> SafeString:
    """ "Watch on media.ccc.de", named with the title by reference; or "No recording yet"."""
    if not talk.video_ref:
        return mark_safe('<span class="no-video">No recording yet</span>')
    pk = int(talk.pk)
    return mark_safe(
        f'<a class="{css}" id="watch-{pk}" href="{escape(talk.watch_url)}" '
        f'rel="noopener noreferrer" aria-labelledby="watch-{pk} title-{pk}">'
        f"{text or 'Watch on ' + escape(talk.video_label)}</a>"
    )


def select_options(bound_field) -> SafeString:
    """The <option>s of a choice field, the current value selected."""
    value = bound_field.value()
    current = "" if value is None else str(value)
    return mark_safe(
        "".join(
            f'<option value="{escape(choice)}"{" selected" if str(choice) == current else ""}>'
            f"{escape(label)}</option>"
            for choice, label in bound_field.field.choices
        )
    )
