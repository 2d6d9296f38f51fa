"""Rules every reader shares: text from outside, lengths, names, JSON paths.

One place for each, so a frab abstract and a Sessionize description are cleaned the
same way and a duration means the same thing in every format.
"""

import datetime
import html
import json
import re

import defusedxml.ElementTree as SafeET
import nh3
from defusedxml import DefusedXmlException

from sessions.catalog import CatalogError

MAX_BYTES = 20 * 1024 * 1024
SPEAKERS_MAX = 200


def check_size(data: bytes, name: str = "the file") -> None:
    if len(data) > MAX_BYTES:
        raise CatalogError(None, f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise CatalogError(None, f"{name} is empty")


def parse_xml(data: bytes):
    """The root element of an XML file, read safely (defusedxml: no entities, no DTD)."""
    check_size(data)
    try:
        return SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise CatalogError(None, f"the XML declares entities or a DTD, refused ({exc})") from exc
    except SafeET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise CatalogError(line, f"this is not well-formed XML ({exc.msg})") from exc


def load_json(data: bytes, name: str = "the file"):
    check_size(data, name)
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise CatalogError(None, f"{name} is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise CatalogError(exc.lineno, f"{name} is not valid JSON ({exc.msg})") from exc


REWRITTEN = re.compile("[<&\x00\r\ufeff]")


def _plain(text: str) -> str:
    """Text with any HTML tags dropped and entities decoded. Text with no tag, entity
    or NUL, nor a CR (which the parser reads as a line feed) or byte-order mark (which
    it drops), is that already: most fields are (a test checks the sanitizer agrees)."""
    if not REWRITTEN.search(text):
        return text
    return html.unescape(nh3.clean(text, tags=set()))


def paragraphs(text: str | None) -> list[str]:
    """Plain paragraphs from text that may hold HTML (abstracts often do): tags
    dropped, entities decoded, blank-line separated, whitespace tidied."""
    if not text or not isinstance(text, str):
        return []
    text = re.sub(r"(?i)<br\s*/?>|</p\s*>|</li\s*>|</h\d\s*>", "\n\n", text)
    text = _plain(text)
    out = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        block = " ".join(block.split())
        if block:
            out.append(block)
    return out


def one_line(text, limit: int) -> str:
    """A short field (title, track) as one line of plain text, cut at limit."""
    if not isinstance(text, str):
        return ""
    text = " ".join(_plain(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def speakers(names) -> str:
    """ "A, B and C", or "A, B and 7 more" where all of them would not fit."""
    names = [n for n in (one_line(x, 100) for x in names or []) if n]
    if not names:
        return ""
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        head = names[:shown]
        text = (
            ", ".join(head[:-1]) + f" and {head[-1]}" if rest == 0 and len(head) > 1
            else ", ".join(head) + (f" and {rest} more" if rest else "")
        )  # fmt: skip
        if len(text) <= SPEAKERS_MAX:
            return text
    return names[0][:SPEAKERS_MAX]


CLOCK = re.compile(r"^(?:(?P<d>\d+):)?(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$")
ISO = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def duration(value, where: str) -> int | None:
    """Seconds from a schedule's duration: "H:MM", pretalx's "D:HH:MM" once a slot
    reaches a day, "HH:MM:SS", ISO 8601 "PT45M", or a number of seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CatalogError(where, f"duration {value!r} is not a length")
    if isinstance(value, int | float):
        return int(value) if value > 0 else None
    text = str(value).strip()
    if text.isdigit():
        return int(text) or None
    if match := CLOCK.match(text):
        d, h, m, s = (int(match[k] or 0) for k in "dhms")
        if match["d"] and match["s"]:
            raise CatalogError(where, f"duration {text!r} is not H:MM, D:HH:MM or PT45M")
        if m > 59 or s > 59:
            raise CatalogError(where, f"duration {text!r} has more than 59 minutes or seconds")
        return (d * 86400 + h * 3600 + m * 60 + s) or None
    if (match := ISO.match(text)) and text not in ("P", "PT"):
        d, h, m = (int(match[k] or 0) for k in "dhm")
        return (d * 86400 + h * 3600 + m * 60 + round(float(match["s"] or 0))) or None
    raise CatalogError(where, f"duration {text!r} is not H:MM, D:HH:MM or PT45M")


def day_of(value) -> datetime.date | None:
    """The date of an ISO date or date-time ("2024-12-27T11:00:00+01:00"), else None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


YEAR = re.compile(r"\b(19|20)\d{2}\b")


def year_of(*values) -> int | None:
    for value in values:
        if isinstance(value, str) and (match := YEAR.search(value)):
            return int(match.group(0))
    return None


def kind_of(type_name: str, title: str = "") -> str:
    """Our kind of talk for a schedule's "type"/format name; a source without types
    still names its keynotes in their titles ("Keynote: ...")."""
    if not type_name:
        return "keynote" if re.match(r"(?i)\W*keynote\b", title or "") else "talk"
    name = type_name.lower()
    for words, kind in (
        (("keynote",), "keynote"),
        (("lightning",), "lightning"),
        (("workshop", "tutorial", "hands-on", "training"), "workshop"),
        (("panel", "discussion", "podium"), "panel"),
        (("talk", "lecture", "vortrag", "session", "presentation", "breakout", "short"), "talk"),
    ):
        if any(word in name for word in words):
            return kind
    return "talk" if not name else "other"


def need(obj, key: str, kind: type, where: str):
    """obj[key], which must be of a kind; CatalogError naming the path otherwise."""
    if not isinstance(obj, dict):
        raise CatalogError(where, "expected an object")
    value = obj.get(key)
    if not isinstance(value, kind):
        names = {dict: "an object", list: "a list", str: "text"}
        missing = "is missing" if value is None else f"must be {names.get(kind, kind.__name__)}"
        raise CatalogError(f"{where}.{key}" if where else key, missing)
    return value


def objects(items: list, path: str):
    """(where, item) for each item of a JSON list, each of which must be an object."""
    for n, item in enumerate(items):
        where = f"{path}[{n}]"
        if not isinstance(item, dict):
            raise CatalogError(where, "must be an object")
        yield where, item


def text(obj: dict, key: str) -> str:
    value = obj.get(key)
    return value if isinstance(value, str) else ""
