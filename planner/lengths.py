"""How long a talk takes: its length (the person's, the catalog's, or an estimate by
kind) and the time it takes at a playback speed. One place for both rules, in Python
and in SQL."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from sessions.models import Talk

# A writeup rarely gives a talk's length: until a person enters the real one, plan
# with a typical length for the kind of talk and say it is an estimate. One table
# for Python (length_of) and SQL (length_expression); a kind not named here gets
# the default in both.
ESTIMATED_SECONDS = {
    Talk.Kind.KEYNOTE: 2 * 3600,
    Talk.Kind.BREAKOUT: 3600,
    Talk.Kind.TALK: 45 * 60,
    Talk.Kind.LIGHTNING: 5 * 60,
    Talk.Kind.WORKSHOP: 2 * 3600,
}
DEFAULT_ESTIMATE = 3600


def at_speed(seconds: int, speed_percent: int) -> int:
    """How long `seconds` of video take at a playback speed given in percent."""
    return round(seconds * 100 / speed_percent)


def length_of(talk: Talk, entry) -> tuple[int, bool]:
    """(seconds at 1x, whether that is only an estimate) for a talk in someone's plan."""
    if entry is not None and entry.personal_seconds:
        return entry.personal_seconds, False
    if talk.duration_seconds:
        # A schedule's slot length is a better guess than the kind's, still a guess.
        return talk.duration_seconds, talk.length_is_slot
    return ESTIMATED_SECONDS.get(talk.kind, DEFAULT_ESTIMATE), True


def length_expression() -> models.Expression:
    """length_of() in SQL, over Entry rows: the person's length, the talk's, or the estimate."""
    estimate = models.Case(
        *(
            models.When(talk__kind=kind, then=models.Value(s))
            for kind, s in ESTIMATED_SECONDS.items()
        ),
        default=models.Value(DEFAULT_ESTIMATE),
    )
    return Coalesce("personal_seconds", "talk__duration_seconds", estimate)


ESTIMATED = Q(personal_seconds__isnull=True) & (
    Q(talk__duration_seconds__isnull=True) | Q(talk__length_is_slot=True)
)
