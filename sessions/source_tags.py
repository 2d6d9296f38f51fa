"""Which of the tags a source gives its talks are topics. Pure: readers use it before
they cut a talk's tags to a few, the writer on every source's tags."""

import re

from django.conf.locale import LANG_INFO

from sessions.languages import language_name

# What a source tags a talk with that says nothing about its subject: rooms, days, dates.
ROOM = re.compile(r"(?i)\b(saal|hall|room|stage|b[üu]hne|auditorium)\b")
DAY = re.compile(
    r"(?i)^(?:(?:day|tag)\s*\d+|(?:mon|tues|wednes|thurs|fri|satur|sun)day|\d{4}-\d{2}-\d{2})$"
)
LANGUAGE_PART = re.compile(r"^[a-z]{2,3}$")
LANGUAGE_NAMES = {info["name"].lower() for info in LANG_INFO.values() if "name" in info}


def _language_code(tag: str) -> bool:
    """ "deu", "en", "deu-eng", "-fra": a language, or a translation's languages."""
    parts = [p for p in re.split(r"[-_ ]+", tag.lower()) if p]
    return bool(parts) and all(LANGUAGE_PART.match(p) and language_name(p) != p for p in parts)


def source_topics(tags: list[str], conference_names: set[str]) -> list[str]:
    """The tags a source gave a talk that are topics: not its conference's name or acronym
    (nor a code made from it, "39c3-deu"), a language or translation code or a language's
    name, a room, a day or a date, a number or a single letter ("AI" and "ML"-like words
    stay unless they are a language's code)."""
    names = {n.strip().lower() for n in conference_names if n and n.strip()}
    kept = []
    for tag in tags:
        low = tag.strip().lower()
        if (
            len(low) <= 1
            or low.replace(" ", "").isdigit()
            or low in names
            or any(low.startswith(f"{n}-") or low.startswith(f"{n}_") for n in names)
            or _language_code(low)
            or low in LANGUAGE_NAMES
            or ROOM.search(low)
            or DAY.match(low)
        ):
            continue
        kept.append(tag.strip())
    return kept
