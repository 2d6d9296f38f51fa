"""A person's talks out of the app as a Markdown writeup (lists, the diary) and as CSV."""

import csv
import io
import re

from planner.markup import TIMESTAMP_LINE, parse_clock
from planner.models import (
    Entry,
    Profile,
    RecommendedList,
    Viewing,
)
from sessions import video
from sessions.models import Talk

SECTIONS = [(Talk.Kind.KEYNOTE, "Keynotes"), (Talk.Kind.BREAKOUT, "Breakout Sessions")]


# Markdown -------------------------------------------------------------------


def _one_line(text: str) -> str:
    """One line of text, with any HTML made inert for whatever renders the Markdown later."""
    return " ".join(text.split()).replace("<", "&lt;").replace(">", "&gt;")


def _note_bullets(note: str, talk: Talk) -> list[str]:
    """Each line of a note as one bullet; a leading timestamp becomes a deep link."""
    bullets = []
    for line in note.splitlines():
        line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line).strip()
        if not line:
            continue
        match = TIMESTAMP_LINE.match(line)
        seconds = parse_clock(match["stamp"]) if match else None
        if match and seconds is not None and talk.has_video:
            rest = line[match.end() :]
            line = f"[{match['stamp']}]({talk.link_at(seconds)}){rest}"
        bullets.append(_one_line(line))
    return bullets


def _heading(talk: Talk) -> str:
    """The writeup's section for a talk: Keynotes, or Breakout Sessions for every other kind."""
    return dict(SECTIONS).get(talk.kind, SECTIONS[-1][1])


def _writeup(title: str, intro: str, talks: list[tuple[Talk, str, list[str], int | None]],
             grouped: bool = False) -> str:  # fmt: skip
    """talks: (talk, paragraph, bullets, start seconds), in the order given: a section
    heading starts wherever the kind of talk changes (the reader allows repeats). With
    `grouped`, one section each: the talks of a section together, in their order."""
    out = ["---", f"title: {_one_line(title)}", "---", ""]
    if intro.strip():
        out += [intro.strip().replace("<", "&lt;").replace(">", "&gt;"), ""]
    if grouped:
        order = [name for _, name in SECTIONS]
        talks = sorted(talks, key=lambda row: order.index(_heading(row[0])))  # stable
    heading = None
    for talk, paragraph, bullets, start in talks:
        if _heading(talk) != heading:
            heading = _heading(talk)
            out += [f"# {heading}", ""]
        out += [f"## {_one_line(talk.title)}", ""]
        if talk.has_video:
            link = video.watch_url(talk.video_provider, talk.video_ref, start)
            out += [f"[{talk.video_label}]({link})", ""]
        if paragraph.strip():
            out += [_one_line(paragraph), ""]
        if bullets:
            out += [f"* {b}" for b in bullets] + [""]
    return "\n".join(out).rstrip() + "\n"


def list_markdown(rlist: RecommendedList) -> str:
    """The list as a writeup, in the curator's order, with their ratings and speeds."""
    items = rlist.items.select_related("talk__conference").order_by("position")
    mine = {
        e.talk_id: e
        for e in Entry.objects.filter(user_id=rlist.user_id, talk__in=[i.talk_id for i in items])
    }
    talks = []
    for item in items:
        entry = mine.get(item.talk_id)
        facts = [
            f"From {item.talk.conference.name}.",
            f"Suggested speed {item.get_speed_percent_display()}.",
        ]
        if entry and entry.rating:
            facts.append(f"My rating: {entry.rating} of 5.")
        paragraph = " ".join([item.blurb, *facts]).strip()
        bullets = _note_bullets(entry.note, item.talk) if entry and item.share_note else []
        talks.append((item.talk, paragraph, bullets, item.start_seconds))
    return _writeup(rlist.title, rlist.intro, talks, grouped=True)


def _watched_entries(user) -> list[Entry]:
    """Records with at least one viewing, most recently watched first; viewings newest first."""
    entries = (
        Entry.objects.for_user(user)
        .filter(viewings__isnull=False)
        .distinct()
        .select_related("talk")
        .prefetch_related("viewings")
    )
    return sorted(entries, key=lambda e: e.viewings.all()[0].watched_on, reverse=True)


def diary_markdown(user) -> str:
    """The diary as a writeup: one section per talk (the format has one per video),
    naming every day it was watched."""
    talks = []
    for entry in _watched_entries(user):
        stars = f"My rating: {entry.rating} of 5. " if entry.rating else ""
        days = [f"{v.watched_on:%d %B %Y}" for v in entry.viewings.all()]
        when = "Watched on " + ", ".join(days) + "."
        talks.append((entry.talk, stars + when, _note_bullets(entry.note, entry.talk), None))
    return _writeup(f"{user.get_username()}'s watched talks", "", talks)


# CSV --------------------------------------------------------------------------


def _cell(value) -> str:
    """Text a spreadsheet shows as text: a leading = + - @ (or tab/CR) would start a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def diary_csv(user) -> str:
    speed = Profile.objects.get_or_create(user=user)[0].get_speed_percent_display()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["date", "title", "speaker", "rating", "speed", "note"])
    for viewing in Viewing.objects.for_user(user).select_related("entry__talk"):
        entry = viewing.entry
        writer.writerow(
            [
                _cell(viewing.watched_on.isoformat()),
                _cell(entry.talk.title),
                _cell(entry.talk.speaker_name),
                _cell(viewing.rating_shown or ""),
                _cell(speed),
                _cell(entry.note),
            ]
        )
    return buffer.getvalue()
