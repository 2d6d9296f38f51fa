"""The one-click controls shown wherever a talk is (card, queue row, talk page).

Built in Python rather than included templates: a catalog page draws them for 20
talks, and includes were a fifth of its render time. Every piece is put together with
format_html, so each value is escaped by construction (a value that is already safe
HTML, a part built here, is kept as it is).

Each control is a POST form that works without JavaScript; with htmx it replaces
`target` with the part of the page named by `fragment` (see planner.views.talk.FRAGMENTS).
Buttons are named by their text plus the page's `title-<talk pk>` element, so a list
of cards does not repeat every title in its markup.
"""

from functools import cache

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from planner.markup import format_clock

_PK = 987654321  # stands for the id while a URL is reversed once per process


@cache
def _url(name: str) -> str:
    return reverse(name, args=[_PK]).replace(str(_PK), "{}")


def url(name: str, pk: int) -> str:
    """reverse(name, args=[pk]), without resolving the pattern again for each row."""
    return _url(name).format(int(pk))


def _form(context, action: str, fragment: str, target: str, body: SafeString, *,
          css="inline-form", status: str = "", queue_last: str = "") -> SafeString:  # fmt: skip
    extra = format_html('<input type="hidden" name="status" value="{}">', status) if status else ""
    # static/js/app.js sends such a form's requests one at a time, the last one winning,
    # from whichever form of that name stands on the page when the previous one answers.
    synced = format_html(' data-queue-last="{}"', queue_last) if queue_last else ""
    return format_html(
        '<form method="post" action="{action}" class="{css}" hx-post="{action}" '
        'hx-target="{target}" hx-swap="outerHTML"{synced}>'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        '<input type="hidden" name="next" value="{here}">'
        '<input type="hidden" name="fragment" value="{fragment}">{extra}\n  {body}\n</form>',
        action=action, css=css, target=target, synced=synced,
        token=str(context.get("csrf_token", "")), here=context.get("here", ""),
        fragment=fragment, extra=extra, body=body,
    )  # fmt: skip


def _button(css: str, control_id: str, talk_pk: int, label: str) -> SafeString:
    """A submit button named by its text and the page's title-<talk pk> element."""
    return format_html(
        '<button type="submit" class="{}" id="{}" aria-labelledby="{} title-{}">{}</button>',
        css, control_id, control_id, talk_pk, label,
    )  # fmt: skip


def queue_button(context, item, fragment: str, target: str, short: bool = False) -> SafeString:
    """Add to queue, or take off it."""
    entry, pk = item.entry, int(item.talk.pk)
    control_id = f"queue-toggle-{pk}"
    if entry is not None and entry.in_queue:
        label = "Remove" if short else "Remove from queue"
        body = _button("button button-quiet button-small", control_id, pk, label)
        return _form(context, url("unqueue", entry.pk), fragment, target, body)
    if entry is not None and entry.status == "watched":  # a rewatch is not the main thing here
        label, css = "Queue to watch again", "button button-quiet button-small"
    else:
        label, css = "Add to queue", "button"
    body = _button(css, control_id, pk, label)
    return _form(context, url("track", pk), fragment, target, body, status="queued")


def watched_button(context, item, fragment: str, target: str, quiet: bool = False) -> SafeString:
    """One click: watched today (the answer offers Undo)."""
    pk = int(item.talk.pk)
    css = "button button-quiet" if quiet else "button"
    body = _button(css, f"watched-{pk}", pk, "Mark watched")
    return _form(context, url("track", pk), fragment, target, body, status="watched")


def star_buttons(context, item, fragment: str, target: str) -> SafeString:
    """One click rates; the pressed button is the rating. Requests go one at a time and
    the last click wins (data-queue-last), so what shows is what was saved."""
    pk, rating = int(item.talk.pk), item.entry.rating or 0
    # Both glyphs in each button: the stylesheet shows the filled ones up to the rating,
    # or up to the star under the pointer or focus (what a click would save).
    stars = format_html_join(
        "",
        '<button type="submit" name="rating" value="{}" class="star{}" id="star-{}-{}" '
        'aria-pressed="{}" aria-label="{} star{}"><span class="star-on">★</span>'
        '<span class="star-off">☆</span></button>',
        (
            (n, " star-filled" if n <= rating else "", pk, n, "true" if n == rating else "false",
             n, "s" if n > 1 else "")
            for n in range(1, 6)
        ),
    )  # fmt: skip
    body = format_html(
        '<span role="group" aria-labelledby="rate-{pk} title-{pk}">'
        '<span id="rate-{pk}" class="visually-hidden">Rate</span>{stars}</span>',
        pk=pk, stars=stars,
    )  # fmt: skip
    return _form(context, url("rate", item.entry.pk), fragment, target, body,
                 css="star-buttons", queue_last=f"rate-{pk}")  # fmt: skip


def shows_stars(entry) -> bool:
    """Rate what you have seen (or already rated)."""
    return entry is not None and (entry.status in ("watched", "watching") or bool(entry.rating))


def _outside(href: str) -> SafeString:
    """A link to another site shares neither the page nor the window with it."""
    return mark_safe("") if href.startswith("/") else mark_safe(' rel="noopener noreferrer"')


def resume_link(item, on_page: bool = False) -> SafeString:
    """ "Resume 12:34" for a talk in progress: our player where it stopped; else "".

    On the talk page itself (`on_page`) it links to the host at that second, which the
    player's script plays here instead: without JavaScript the link still works."""
    entry, pk = item.entry, int(item.talk.pk)
    if entry is None or entry.status != "watching" or not entry.resume_seconds:
        return mark_safe("")
    if not item.talk.video_ref:  # no recording yet: nothing to open at that second
        return mark_safe("")
    href = item.host_href if on_page else item.play_href  # live on a kept page
    here = mark_safe(" data-play-here") if on_page else ""
    return format_html(
        '<a class="button" href="{}"{}{} id="resume-{}" aria-labelledby="resume-{} title-{}">'
        "Resume {}</a>",
        href, _outside(href), here, pk, pk, pk, item.resume_clock,
    )  # fmt: skip


def play_link(talk, css: str = "button", text: str = "Watch") -> SafeString:
    """ "Watch": the talk page's player at the person's speed where it plays here, else
    the host's page; "No recording yet" without a recording."""
    if not talk.video_ref:
        return mark_safe('<span class="no-video">No recording yet</span>')
    pk, href = int(talk.pk), talk.play_url
    return format_html(
        '<a class="{}" id="play-{}" href="{}"{} aria-labelledby="play-{} title-{}">{}</a>',
        css, pk, href, _outside(href), pk, pk, text,
    )  # fmt: skip


def to_list_link(context, talk_pk: int) -> SafeString:
    """ "Add to a list": a page of its own without JavaScript; with htmx its form opens
    in the link's place."""
    pk = int(talk_pk)
    href = url("talk_to_list", pk) + "?" + urlencode({"next": context.get("here", "")})
    return format_html(
        '<a class="to-list-link" href="{}" hx-get="{}" hx-target="this" hx-swap="outerHTML" '
        'id="to-list-link-{}" aria-labelledby="to-list-link-{} title-{}">Add to a list</a>',
        href, href, pk, pk, pk,
    )  # fmt: skip


def talk_actions(context, item, fragment: str, target: str) -> SafeString:
    """A card's actions: status, resume, queue, mark watched, stars, add to a list."""
    entry = item.entry
    parts = []
    if entry is not None and entry.status:
        parts.append(
            format_html(
                '<span class="badge badge-{}">{}</span>', entry.status, entry.get_status_display()
            )
        )
    if resume := resume_link(item):
        parts.append(resume)
    # The primary action first: a few Tabs reach it from the card's title.
    parts.append(queue_button(context, item, fragment, target))
    if tell := tell_me_button(context, item):
        parts.append(tell)
    if entry is None or entry.status != "watched":
        parts.append(watched_button(context, item, fragment, target, quiet=True))
    if shows_stars(entry):
        parts.append(star_buttons(context, item, fragment, target))
    parts.append(to_list_link(context, item.talk.pk))
    joined = format_html_join("\n  ", "{}", ((part,) for part in parts))
    return format_html('<div class="card-actions">\n  {}\n</div>', joined)


def tell_me_button(context, item) -> SafeString:
    """ "Tell me when it's out" on a talk with no recording that is not in the person's
    records (a queued talk is told about anyway). A plain form: the answer is the same
    page, back at this card, saying so."""
    talk, entry = item.talk, item.entry
    if talk.video_ref or (entry is not None and entry.status):
        return mark_safe("")
    waiting = context.get("waiting")
    if waiting is None:  # a card drawn alone (an htmx answer): ask
        from planner import news

        waiting = {talk.pk} if news.waits(context["user"], talk) else set()
    pk = int(talk.pk)
    wait, label = ("no", "Don't tell me") if pk in waiting else ("yes", "Tell me when it's out")
    said = mark_safe('<span class="muted">We&#x27;ll tell you.</span> ') if wait == "no" else ""
    return format_html(
        '<form method="post" action="{}" class="inline-form tell-form">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="next" value="{}#talk-{}">'
        '<input type="hidden" name="wait" value="{}">{}{}</form>',
        url("tell_me", pk), str(context.get("csrf_token", "")), context.get("here", ""), pk,
        wait, said, _button("button button-quiet button-small", f"tell-{pk}", pk, label),
    )  # fmt: skip


def length(item) -> SafeString:
    """ "40:00 at 1.5x (1:00:00 at 1x, estimated)": a talk's length at the person's speed."""
    text = f"{format_clock(item.seconds_at_speed)} at {item.speed_label}"
    note = ""
    if item.speed != 100:
        note = f"{format_clock(item.seconds)} at 1x" + (", estimated" if item.estimated else "")
    elif item.estimated:
        note = "estimated"
    if note:
        return format_html(
            '<span class="length">{} <span class="muted">({})</span></span>', text, note
        )
    return format_html('<span class="length">{}</span>', text)


def thumbnail(talk, show: bool, link: bool = False) -> SafeString:
    """The talk's picture, lazily loaded in a fixed 16:9 box (no layout shift) over a
    poster of its title; a neutral box in its place when remote images are off; nothing
    when there is none. With `link`, a click on it plays the talk (for the pointer only:
    the title is the keyboard's way there, one stop per card)."""
    src = talk.thumbnail
    if not src:
        return mark_safe("")
    if not show:
        return mark_safe('<span class="thumb thumb-none" aria-hidden="true"></span>')
    # Decorative (the title is beside it): empty alt, and our own poster under the picture
    # shows whenever the picture does not arrive (app.js hides a failed one).
    picture = format_html(
        '<span class="thumb" aria-hidden="true"><span class="thumb-poster">{}</span>'
        '<img src="{}" alt="" data-poster="{}" loading="lazy" decoding="async" width="320" '
        'height="180"></span>',
        talk.title,
        src,
        talk.title,
    )
    if not (link and talk.video_ref):
        return picture
    return format_html(
        '<a class="thumb-link" href="{}" tabindex="-1" aria-hidden="true">{}</a>',
        talk.play_url,
        picture,
    )


def watch_link(talk, css: str = "watch-link", text: str = "") -> SafeString:
    """ "Watch on media.ccc.de", named with the title by reference; or "No recording yet"."""
    if not talk.video_ref:
        return mark_safe('<span class="no-video">No recording yet</span>')
    pk = int(talk.pk)
    return format_html(
        '<a class="{}" id="watch-{}" href="{}" rel="noopener noreferrer" '
        'aria-labelledby="watch-{} title-{}">{}</a>',
        css, pk, talk.watch_url, pk, pk, text or f"Watch on {talk.video_label}",
    )  # fmt: skip


def select_options(bound_field) -> SafeString:
    """The <option>s of a choice field, the current value selected."""
    value = bound_field.value()
    current = "" if value is None else str(value)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (choice, mark_safe(" selected") if str(choice) == current else "", label)
            for choice, label in bound_field.field.choices
        ),
    )
