"""How long a talk takes: its length (the person's, the catalog's, or an estimate by
kind) and the time it takes at a playback speed. One place for both rules."""

from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Coalesce

from sessions.models import Talk

# A writeup rarely gives a talk's length: until a person enters the real one, plan
# with a typical length for the kind of talk and say it is an estimate; a kind not
# named here gets the default.
ESTIMATED_SECONDS = {
    Talk.Kind.KEYNOTE: 2 * 3600,
    Talk.Kind.BREAKOUT: 3600,
    Talk.Kind.TALK: 45 * 60,
    Talk.Kind.LIGHTNING: 5 * 60,
    Talk.Kind.WORKSHOP: 2 * 3600,
}
DEFAULT_ESTIMATE = 3600


def catalog_seconds():
    """The same rule in the database, for a talk without a person's length: its own
    length, else the estimate for its kind (sorting and filtering by length)."""
    estimate = Case(
        *(When(kind=kind, then=Value(seconds)) for kind, seconds in ESTIMATED_SECONDS.items()),
        default=Value(DEFAULT_ESTIMATE),
        output_field=IntegerField(),
    )
    return Coalesce("duration_seconds", estimate, output_field=IntegerField())


# "How long at my speed": the catalog's length choices, in minutes at the person's speed.
LENGTH_CHOICES = [
    ("", "Any length"),
    ("short", "Under 30 min"),
    ("medium", "30–60 min"),
    ("long", "Over an hour"),
]
LENGTH_MINUTES = {"short": (None, 30), "medium": (30, 60), "long": (60, None)}


def at_speed(seconds: int, speed_percent: int) -> int:
    """How long `seconds` of video take at a playback speed given in percent."""
    return round(seconds * 100 / speed_percent)


def length_of(talk: Talk, entry) -> tuple[int, bool]:
    """(seconds at 1x, whether that is only an estimate) for a talk in someone's plan."""
    personal = entry.personal_seconds if entry is not None else None
    return length(personal, talk.duration_seconds, talk.length_is_slot, talk.kind)


def length(personal: int | None, duration: int | None, is_slot: bool, kind: str):
    """The rule itself, on the four values it reads (the person's length, the talk's,
    whether that is a schedule slot, the kind)."""
    if personal:
        return personal, False
    if duration:
        # A schedule's slot length is a better guess than the kind's, still a guess.
        return duration, is_slot
    return ESTIMATED_SECONDS.get(kind, DEFAULT_ESTIMATE), True
