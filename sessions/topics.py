"""Topic tags for imported talks.

A writeup has no tags, so the importer gives each talk the topics whose
keywords appear in its title, tagline or verdict. Staff can change them in
the admin; a re-import sets them again from the text.
"""

import re

from django.db.models import Exists, OuterRef
from taggit.models import Tag

from sessions.languages import language_name
from sessions.models import TaggedTalk

TOPICS: dict[str, tuple[str, ...]] = {
    "serverless": ("serverless", "lambda"),
    "event-driven": ("event-driven", "eventbridge", "event bus", "asynchronous"),
    "resilience": ("resilien", "availab", "nines", "chaos", "failure"),
    "security": ("secur", "iam"),
    "architecture": ("architect", "microservice"),
    "scaling": ("scal",),
    "infrastructure": ("infrastructure", "ec2", "nitro", "network"),
    "saas": ("saas", "multi-tenant"),
    "announcements": ("announcement",),
}
_NAMES = {f"t{n}": topic for n, topic in enumerate(TOPICS)}
# One pass over the text for every topic (a pattern per topic was nine passes), and one
# word-boundary test before the alternatives: with a \b in front of each word the engine
# tried every word at every character (4x slower on 10,000 talks).
_PATTERN = re.compile(
    r"\b(?:"
    + "|".join(
        f"(?P<t{n}>{'|'.join(re.escape(word) for word in words)})"
        for n, words in enumerate(TOPICS.values())
    )
    + ")"
)


def topics_for(*texts: str) -> list[str]:
    found = {_NAMES[m.lastgroup] for m in _PATTERN.finditer("\n".join(texts).lower())}
    return [topic for topic in TOPICS if topic in found]


def topics_in_use() -> list[tuple[str, str]]:
    """(slug, name) of the topics at least one talk has. One query.

    EXISTS per tag (a few dozen index probes) rather than DISTINCT over every
    talk's topic links: 3.8 ms on PostgreSQL at 20,000 talks."""
    used = TaggedTalk.objects.filter(tag=OuterRef("pk"))
    return list(Tag.objects.filter(Exists(used)).order_by("name").values_list("slug", "name"))


FACET_LIMIT = 60  # tracks or languages offered in a filter; the rest are found by search


def facets() -> dict[str, list[tuple[str, str]]]:
    """The catalog's conferences, years, tracks and languages, as filter choices. Two
    queries; cached per catalog version (sessions.listing) by the pages that use it.
    A filter with one choice or none is left out: it could not narrow anything."""
    from sessions.models import Talk, Transcript

    rows = list(
        Talk.objects.values_list(
            "conference__slug", "conference__name", "conference__year", "track", "language",
            "kind",
        ).distinct()
    )  # fmt: skip
    conferences = sorted({(-(r[2] or 0), r[1], r[0]) for r in rows})
    tracks = sorted({r[3] for r in rows if r[3]}, key=str.lower)[:FACET_LIMIT]
    languages = sorted(
        ((code, language_name(code)) for code in {r[4] for r in rows if r[4]}),
        key=lambda pair: pair[1].lower(),
    )[:FACET_LIMIT]
    years = sorted({r[2] for r in rows if r[2]}, reverse=True)
    kinds = {r[5] for r in rows}

    def offered(choices: list) -> list:
        return choices if len(choices) > 1 else []

    return {
        "conference": offered([(slug, name) for _, name, slug in conferences]),
        "year": offered([(str(y), str(y)) for y in years]),
        "track": offered([(t, t) for t in tracks]),
        "language": offered(languages),
        # Only the kinds there are: "Workshop" with no workshops would find nothing.
        "kind": offered([(k.value, k.label) for k in Talk.Kind if k.value in kinds]),
        # A second query: "Has a transcript" only once some talk has one.
        "transcript": Transcript.objects.exists(),
    }
