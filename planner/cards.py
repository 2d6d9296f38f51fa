"""A talk's card: the public part rendered once per catalog version, the person's part
(length at their speed, "Now available", the actions) put in at each request.

A catalog page of 20 cards spent two thirds of its time in the template engine
drawing the same titles, verdicts and chips for every request. The public part is
the `card-public` partial of planner/catalog.html, rendered with a random mark in
each personal slot and kept, cut at the marks, in this process's memory under the
catalog's version token: any change to a talk, its topics or its conference makes a
new token, so a card can never show an old title. Nothing personal is in it.
"""

import secrets

from django.core.cache import caches
from django.db.models import prefetch_related_objects
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from planner import controls
from planner.markup import format_clock
from sessions import search
from sessions.models import TaggedTalk, tag_links

SLOTS = ("length", "said", "badge", "actions")
# Random per process: no talk's text can contain them by chance.
MARKS = {name: mark_safe(f"\x1f{secrets.token_hex(8)}\x1f") for name in SLOTS}


def _key(talk, remote_images: bool, version: str) -> str:
    return f"card:{version}:{talk.pk}:{int(remote_images)}"


def _render(talk, remote_images: bool) -> list[str]:
    """The card's public HTML cut at the personal slots (len(SLOTS) + 1 pieces)."""
    html = get_template("planner/catalog.html#card-public").render(
        {"talk": talk, "slot": MARKS, "remote_images": remote_images}
    )
    pieces = [html]
    for name in SLOTS:
        pieces[-1:] = pieces[-1].split(MARKS[name], 1)
    return pieces


def prepare(talks: list, remote_images: bool, version: str) -> None:
    """Find the public part of each talk's card in memory (one lookup for the page);
    load the topics of the others in one query and draw them. Talks come without
    their topics: a page whose cards are all in memory needs none."""
    store = caches["cards"]
    keys = {talk.pk: _key(talk, remote_images, version) for talk in talks}
    found = store.get_many(keys.values())
    missing = [talk for talk in talks if keys[talk.pk] not in found]
    prefetch_related_objects(missing, tag_links(TaggedTalk, "topic_links", "topic_list"))
    drawn = {}
    for talk in missing:
        drawn[keys[talk.pk]] = _render(talk, remote_images)
    store.set_many(drawn)
    for talk in talks:
        talk.card_pieces = found.get(keys[talk.pk]) or drawn[keys[talk.pk]]


def find_said(talks: list, query: str, said_only: set[int]) -> None:
    """Where each talk's transcript says what was searched for, as `talk.said_html`
    (sessions.search.where_said): the passage, marked, with its time linking to our
    player there. Nothing for a talk found by its title whose transcript does not say
    every word in one passage."""
    found = search.patterns(query)
    said = search.where_said([t.pk for t in talks], query, said_only)
    for talk in talks:
        if talk.pk not in said:
            continue
        start, text = said[talk.pk]
        href = talk.play_at(start) or (
            reverse("transcript_page", args=[talk.conference.slug, talk.slug])
            + f"?{urlencode({'q': query})}"
        )
        talk.said_html = format_html(
            '\n  <p class="said"><a href="{}">Said at {}</a> “{}”</p>',
            href,
            format_clock(start),
            mark_safe(search.excerpt(text, found)),
        )


def card(context, item) -> SafeString:
    """The whole card for `item` (controls.Item), as the catalog and its htmx answers
    show it; the public part as prepare() found it, else drawn now."""
    talk, entry = item.talk, item.entry
    pieces = getattr(talk, "card_pieces", None)
    if pieces is None:
        pieces = _render(talk, bool(context.get("remote_images", True)))
    new = (
        entry is not None
        and entry.in_queue
        and talk.video_since is not None
        and entry.created_at < talk.video_since
    )
    actions = ""
    user = context.get("user")
    if user is not None and user.is_authenticated:
        actions = "\n  " + controls.talk_actions(context, item, "card", "closest li")
    if context.get("announce"):
        actions += "\n  " + render_to_string(
            "_announce.html", {**context.flatten(), "where": "card"}
        )
    personal = (
        controls.length(item),
        getattr(talk, "said_html", ""),
        ' <span class="badge badge-new">Now available</span>' if new else "",
        actions,
    )
    out = [pieces[0]]
    for piece, rest in zip(personal, pieces[1:], strict=True):
        out += [piece, rest]
    return mark_safe("".join(out))
