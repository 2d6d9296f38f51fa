"""Markdown to safe HTML: catalog text (verdicts, outline lines) here, and the one
sanitising policy (`clean`) every piece of HTML from outside goes through, notes too."""

import html
import re
import threading
from functools import lru_cache

import markdown
import nh3

INLINE_TAGS = {"a", "em", "strong", "code"}
BLOCK_TAGS = INLINE_TAGS | {"p", "br", "ul", "ol", "li", "blockquote", "pre"}
LINK_ATTRS = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"


def clean(raw_html: str, tags: set[str], attributes: dict = LINK_ATTRS) -> str:
    """HTML with only `tags` left, links limited to http(s)/mailto and never followed
    by search engines or given our window. The one policy: change it here only."""
    return nh3.clean(
        raw_html,
        tags=tags,
        attributes=attributes,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )


# Text without any of these needs no Markdown parser: escaping it gives the same
# HTML, thousands of times faster (imports of big writeups depend on it).
MARKUP = re.compile(r"[\\`*_{}\[\]()#+!<>|~\xa0]|^\s*[-=\d]|\s{2,}$|https?:|www\.|@|\n")


def _plain(text: str) -> str | None:
    return None if MARKUP.search(text) else html.escape(text.lstrip(), quote=False)


def _paragraphs(text: str) -> str | None:
    """Plain paragraphs (no markup, one line each, blank lines between) as Markdown
    would give them; None for anything else. Most imported abstracts are this."""
    parts = text.split("\n\n")
    html_parts = []
    for part in parts:
        plain = _plain(part) if part and part == part.strip() else None
        if plain is None:
            return None
        html_parts.append(f"<p>{plain}</p>")
    return "\n".join(html_parts)


_parsers = threading.local()


def _markdown(text: str) -> str:
    """markdown.markdown(), with one parser per thread: building a parser cost more
    than converting a paragraph with it."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = markdown.Markdown()
    return parser.reset().convert(text)


def render_block(text: str) -> str:
    """Paragraphs of Markdown as sanitized HTML."""
    if not text.strip():
        return ""
    plain = _plain(text)
    if plain is not None:
        return f"<p>{plain}</p>"
    if (paragraphs := _paragraphs(text)) is not None:
        return paragraphs
    return clean(_markdown(text), BLOCK_TAGS)


def render_inline(text: str) -> str:
    """One line of Markdown (links, emphasis, code) as sanitized inline HTML."""
    plain = _plain(text)
    if plain is not None:
        return plain
    rendered = _markdown(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>"):
        rendered = rendered[3:-4]
    return clean(rendered, INLINE_TAGS)


# The inline Markdown outlines use: `code`, [links](https://...), **strong**, *em*, _em_.
# A writeup of ten thousand talks has hundreds of thousands of outline lines: a
# full Markdown parse per line took over a minute, these few substitutions take
# a second.
CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\[([^\[\]\n]+)\]\(((?:https?://|mailto:)[^\s()<>\"]+)\)")
STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
EM_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
OUTLINE_TAGS = INLINE_TAGS | {"ul", "li", "span"}
OUTLINE_ATTRS = {**LINK_ATTRS, "ul": {"class"}, "li": {"class"}, "span": {"class"}}
TAG = re.compile(r"<(/?)(code|a|strong|em)\b")


def _well_nested(html_text: str) -> bool:
    """Whether the tags the substitutions made close in the order they opened
    ("**a *b** c*" makes <strong> and <em> cross; the sanitizer would repair that)."""
    stack = []
    for closing, name in TAG.findall(html_text):
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


@lru_cache(maxsize=64)  # a talk's summary repeats its first lines: rendered once
def _inline(text: str) -> tuple[str, bool]:
    """A line as inline HTML, and whether it is already what the sanitizer would give:
    the text is escaped before any tag is made, so the only tags are the ones made
    here, with links limited to http(s)/mailto and given the link policy's rel."""
    out = html.escape(text.lstrip(), quote=False)
    # Each pass only where its mark is (a substring test is far cheaper than a regex).
    if "`" in out:
        out = CODE.sub(r"<code>\1</code>", out)
    if "](" in out:
        out = LINK.sub(rf'<a href="\2" rel="{LINK_REL}">\1</a>', out)
    if "*" in out:
        out = STRONG.sub(r"<strong>\1</strong>", out)
        out = EM_STAR.sub(r"<em>\1</em>", out)
    if "_" in out:
        out = EM_UNDERSCORE.sub(r"<em>\1</em>", out)
    if "\xa0" in out:
        out = out.replace("\xa0", "&nbsp;")
    # One substitution makes one pair of tags, which cannot cross.
    crossing = out.count("<") > 2 and not _well_nested(out)
    return out, not (crossing or "\x00" in out or "\r" in out)


def _outline_items(items: list[dict], parts: list[str], lines: list[str] | None = None) -> bool:
    parts.append('<ul class="outline">')
    safe = True
    for item in items:
        if lines is not None:
            lines.append(item["text"])
        text, ok = _inline(item["text"])
        safe = safe and ok
        if item.get("heading"):
            parts.append(f'<li class="outline-group"><span class="outline-heading">{text}</span>')
        else:
            parts.append(f"<li>{text}")
        if item.get("children"):
            safe = _outline_items(item["children"], parts, lines) and safe
        parts.append("</li>")
    parts.append("</ul>")
    return safe


def render_outline(items: list[dict]) -> str:
    """Nested outline nodes ({"text", "children", "heading"?}) as nested lists. Built
    safe (see _inline), and given to the sanitizer only when a line's tags cross or it
    holds characters the sanitizer rewrites: it costs more than the rest together on a
    big import, and tests check the two agree."""
    return outline_html_and_text(items)[0]


def outline_html_and_text(items: list[dict]) -> tuple[str, str]:
    """render_outline(), and every outline line as plain text, one per line (for
    searching), in one walk."""
    if not items:
        return "", ""
    parts: list[str] = []
    lines: list[str] = []
    if _outline_items(items, parts, lines):
        return "".join(parts), "\n".join(lines)
    return clean("".join(parts), OUTLINE_TAGS, OUTLINE_ATTRS), "\n".join(lines)


def escape(text: str) -> str:
    return html.escape(text)
