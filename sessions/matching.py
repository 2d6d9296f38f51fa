"""Which talk an uploaded video is, by its title: a pure rule, no database.

Uploads add to a talk's title what the channel needs: the conference's name
("AWS re:Invent 2022 - …", "39C3 - …"), the speakers ("… - Jane Doe", "… | Jane Doe"),
session codes ("(ARC401)") and words like "Keynote". So a title is compared as its
parts: split at the separators uploads use, with the conference's own names taken out,
each part and each run of neighbouring parts is compared with each talk's title (both
folded to lower-case words), and the best score counts. A video is matched only when
its best talk scores at least THRESHOLD and clearly beats the next (MARGIN), and a talk
goes to one video at most: a near miss is left for staff, never attached at random.
"""

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

THRESHOLD = 90.0  # of 100: rapidfuzz's normalised Indel similarity
MARGIN = 6.0
SEPARATORS = re.compile(r"\s+[-–—|/]\s+|\s*[|•]\s*|:\s+")
CODES = re.compile(r"[(\[][A-Z]{2,5}[- ]?\d{2,4}[A-Z]?(?:-R\d?)?[)\]]")
NOT_WORDS = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Lower-case words, one space apart."""
    return NOT_WORDS.sub(" ", text.casefold()).strip()


def parts(title: str, noise: Iterable[str] = ()) -> list[str]:
    """The ways an upload's title may hold the talk's title, folded."""
    title = CODES.sub(" ", title)
    pieces = [fold(p) for p in SEPARATORS.split(title)]
    unwanted = {fold(n) for n in noise if n and fold(n)}
    for name in sorted(unwanted, key=len, reverse=True):  # "re invent 2022" before "re invent"
        pieces = [re.sub(rf"\b{re.escape(name)}\b", " ", p).strip() for p in pieces]
    pieces = [" ".join(p.split()) for p in pieces]
    pieces = [p for p in pieces if p]
    runs = {
        " ".join(pieces[i:j]) for i in range(len(pieces)) for j in range(i + 1, len(pieces) + 1)
    }
    return sorted(runs, key=len, reverse=True)


def score(candidates: list[str], talk_title: str) -> float:
    folded = fold(talk_title)
    return max((fuzz.ratio(c, folded) for c in candidates), default=0.0)


def match(
    videos: dict[str, str], talks: dict[int, str], noise: Iterable[str] = ()
) -> dict[str, int]:
    """{video id: talk id} for the videos that are clearly one talk. videos: {id: title},
    talks: {id: title}; noise: the conference's names, which uploads add."""
    noise = list(noise)
    best: dict[str, tuple[float, int]] = {}
    for video_id, title in videos.items():
        candidates = parts(title, noise)
        ranked = sorted(((score(candidates, t), pk) for pk, t in talks.items()), reverse=True)
        if not ranked or ranked[0][0] < THRESHOLD:
            continue
        if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < MARGIN:
            continue  # two talks fit about as well: staff decide
        best[video_id] = ranked[0]
    # A talk is one video: when two videos claim it, neither is taken on trust.
    claims: dict[int, list[str]] = {}
    for video_id, (_, pk) in best.items():
        claims.setdefault(pk, []).append(video_id)
    return {ids[0]: pk for pk, ids in claims.items() if len(ids) == 1}
