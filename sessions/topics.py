"""Topic tags for imported talks.

A writeup has no tags, so the importer gives each talk the topics whose
keywords appear in its title, tagline or verdict. Staff can change them in
the admin; a re-import sets them again from the text.
"""

import re

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
_PATTERNS = {
    topic: re.compile("|".join(rf"\b{re.escape(word)}" for word in words), re.IGNORECASE)
    for topic, words in TOPICS.items()
}


def topics_for(*texts: str) -> list[str]:
    joined = "\n".join(texts)
    return [topic for topic, pattern in _PATTERNS.items() if pattern.search(joined)]


def topics_in_use() -> list[tuple[str, str]]:
    """(slug, name) of the topics at least one talk has. One query."""
    from taggit.models import Tag

    return list(
        Tag.objects.filter(talk_sessions_taggedtalk_items__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )
