"""Transcripts in the shapes people have them, read into one plain shape: lines with
their start (and end) second, then passages of about 30-60 seconds that end at a
sentence's end where they can. No database here: sessions.transcripts writes them.

Shapes: WebVTT (hours optional, header blocks, STYLE and NOTE blocks, cue settings,
inline tags), YouTube's automatic captions as yt-dlp saves them (rolling two-line cues
that repeat the line before, 10 ms bridging cues, word timings, colour spans), SubRip
(long cues with [hh:mm:ss] markers inside split at those times), the WWDC transcript
JSON and the RubyEvents transcript JSON.
"""

import json
import re
from dataclasses import dataclass, field

import srt
import webvtt

from sessions.catalog import CatalogError
from sessions.readers.common import one_line

MAX_BYTES = 20 * 1024 * 1024  # a ten-hour talk's captions are a few megabytes
PASSAGE_MIN = 30  # seconds: a passage ends at the first sentence end after this
PASSAGE_MAX = 60  # seconds: ... and at a line end after this, sentence or not
BRIDGE = 0.05  # seconds: YouTube's 10 ms cues only carry the line before
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
MARKER = re.compile(r"\[(\d{1,2}):(\d{2}):(\d{2})\]")  # [hh:mm:ss] inside a SubRip cue
WORD_TIMING = re.compile(r"<\d[\d:.]*>")
VTT_TIME = re.compile(r"(\d+:)?\d{2}:\d{2}\.\d{3}")
VTT_TIMING = re.compile(r"^(\S*)[ \t]+-->[ \t]+(\S*)", re.M)


@dataclass
class Line:
    start: float
    text: str
    end: float | None = None


@dataclass
class Passage:
    start: int  # seconds into the video
    end: int
    text: str


@dataclass
class ParsedTranscript:
    lines: list[Line]
    language: str = ""  # what the file says, if it says
    key: str = ""  # the video or session the file names, if it does
    passages: list[Passage] = field(default_factory=list)


def _clock(value) -> float:
    """Seconds from 12.5, "12.5", "04.000", "01:08.250" or "1:02:03,5"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\s*(\d+:){0,2}\d+([.,]\d+)?\s*", value):
        seconds = 0.0
        for part in value.strip().replace(",", ".").split(":"):
            seconds = seconds * 60 + float(part)
        return seconds
    raise ValueError(f"not a time: {value!r}")


CUE_TEXT_LIMIT = 20_000  # characters: a SubRip cue may run for minutes


def _text(raw: str) -> str:
    """A cue's words: inline tags (voices, styles, word timings, colour spans) dropped,
    then sanitised as all outside text is."""
    # Word timings (<00:00:04.170>) are no HTML: out first; the sanitiser drops the
    # rest, a script's or style's content with it.
    return one_line(WORD_TIMING.sub("", raw), CUE_TEXT_LIMIT)


def _decode(data: bytes, name: str) -> str:
    if len(data) > MAX_BYTES:
        raise CatalogError(None, f"{name} is larger than {MAX_BYTES // 1024 // 1024} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(None, f"{name} is not UTF-8 text") from exc


def read_vtt(data: bytes, name: str = "the file") -> ParsedTranscript:
    text = _decode(data, name)
    if not text.lstrip().startswith("WEBVTT"):
        raise CatalogError(1, f"{name} does not start with WEBVTT")
    # The library skips a cue it cannot read: a cut-off file would pass for a short one.
    for match in VTT_TIMING.finditer(text):
        if not (VTT_TIME.fullmatch(match[1]) and VTT_TIME.fullmatch(match[2])):
            line = text.count("\n", 0, match.start()) + 1
            raise CatalogError(line, f"{name}: a cue time that is not a time (cut off?)")
    try:
        captions = webvtt.from_string(text).captions
    except (webvtt.errors.MalformedFileError, webvtt.errors.MalformedCaptionError) as exc:
        raise CatalogError(None, f"{name} is not a WebVTT file I can read ({exc})") from exc
    language = ""
    if header := re.search(r"^Language:\s*([A-Za-z-]{2,12})\s*$", text[:2000], re.M):
        language = header[1]
    lines: list[Line] = []
    recent: list[str] = []  # the last lines said: rolling captions repeat them
    for caption in captions:
        start, end = _clock(caption.start), _clock(caption.end)
        if end - start <= BRIDGE:
            continue
        for raw in caption.raw_text.splitlines():
            said = _text(raw)
            if not said or said in recent:
                continue
            lines.append(Line(start, said, end))
            recent = (recent + [said])[-2:]
    if not lines and captions:
        raise CatalogError(None, f"{name} has cues but no words")
    return ParsedTranscript(lines, language)


def read_srt(data: bytes, name: str = "the file") -> ParsedTranscript:
    text = _decode(data, name)
    lines: list[Line] = []
    try:
        subtitles = list(srt.parse(text, ignore_errors=False))
    except srt.SRTParseError as exc:
        line = text.count("\n", 0, exc.actual_start) + 1
        raise CatalogError(line, f"{name} is not a SubRip file I can read") from exc
    for subtitle in subtitles:
        start, end = subtitle.start.total_seconds(), subtitle.end.total_seconds()
        # A long cue may say where it is with [hh:mm:ss] markers: each starts a line.
        at, pieces = start, []
        position = 0
        for marker in MARKER.finditer(subtitle.content):
            pieces.append((at, subtitle.content[position : marker.start()]))
            at = int(marker[1]) * 3600 + int(marker[2]) * 60 + int(marker[3])
            position = marker.end()
        pieces.append((at, subtitle.content[position:]))
        for index, (piece_start, piece) in enumerate(pieces):
            said = _text(piece.replace("\n", " "))
            piece_end = pieces[index + 1][0] if index + 1 < len(pieces) else end
            if said:
                lines.append(Line(piece_start, said, piece_end))
    return ParsedTranscript(lines)


def read_json(data: bytes, name: str = "the file") -> ParsedTranscript:
    """The WWDC shape ({"<session>": {"language", "transcript": [[seconds, phrase]]}}) or
    the RubyEvents one ({"video_id", "cues": [{"start_time", "end_time", "text"}]})."""
    text = _decode(data, name)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(exc.lineno, f"{name} is not valid JSON ({exc.msg})") from exc
    if not isinstance(document, dict):
        raise CatalogError(None, f"{name}: expected an object")
    try:
        if isinstance(document.get("cues"), list):
            lines = [
                Line(_clock(cue["start_time"]), _text(str(cue["text"])), _clock(cue["end_time"]))
                for cue in document["cues"]
            ]
            return ParsedTranscript(
                [line for line in lines if line.text], key=str(document.get("video_id") or "")
            )
        if len(document) == 1:
            key, session = next(iter(document.items()))
            if isinstance(session, dict) and isinstance(session.get("transcript"), list):
                lines = [Line(_clock(at), _text(str(said))) for at, said in session["transcript"]]
                return ParsedTranscript(
                    [line for line in lines if line.text],
                    language=str(session.get("language") or ""),
                    key=str(key),
                )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(None, f"{name}: a cue without a time or text ({exc})") from exc
    raise CatalogError(None, f"{name} is neither a WWDC nor a RubyEvents transcript")


READERS = {".vtt": read_vtt, ".srt": read_srt, ".json": read_json}


def read(data: bytes, suffix: str, name: str = "the file") -> ParsedTranscript:
    """A transcript file by its suffix, with its passages."""
    reader = READERS.get(suffix.lower())
    if reader is None:
        raise CatalogError(None, f"{name}: not a transcript (.vtt, .srt or .json)")
    parsed = reader(data, name)
    lines = sorted(parsed.lines, key=lambda line: line.start)
    if not lines:
        raise CatalogError(None, f"{name} holds no words")
    parsed.lines = lines
    parsed.passages = passages(lines)
    return parsed


def passages(lines: list[Line]) -> list[Passage]:
    """Lines joined into passages of about 30-60 seconds, ending at a sentence's end
    where one comes after 30 seconds, else at the line end after 60, or before a line
    that starts after 60 (a silence: the passage's time must be where its words are)."""
    out: list[Passage] = []
    words: list[str] = []
    start = end = 0.0
    for index, line in enumerate(lines):
        if not words:
            start = line.start
        words.append(line.text)
        following = lines[index + 1].start if index + 1 < len(lines) else None
        # Its end, or where the next line starts (the WWDC shape gives starts only).
        end = line.end if line.end is not None else following if following is not None else start
        length = end - start
        gap = following is not None and following - start >= PASSAGE_MAX
        if (
            (length >= PASSAGE_MIN and SENTENCE_END.search(line.text))
            or length >= PASSAGE_MAX
            or gap
        ):
            out.append(Passage(int(start), max(int(start), round(end)), " ".join(words)))
            words = []
    if words:
        out.append(Passage(int(start), max(int(start), round(end)), " ".join(words)))
    return out
