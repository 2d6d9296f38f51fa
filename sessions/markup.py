"""Markdown to safe HTML for catalog text (verdicts, outline lines)."""

import html
import re

import markdown
import nh3

INLINE_TAGS = {"a", "em", "strong", "code"}
BLOCK_TAGS = INLINE_TAGS | {"p", "br", "ul", "ol", "li", "blockquote", "pre"}
LINK_ATTRS = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _clean(raw_html: str, tags: set[str]) -> str:
    return nh3.clean(
        raw_html,
        tags=tags,
        attributes=LINK_ATTRS,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


# Text without any of these needs no Markdown parser: escaping it gives the same
# HTML, thousands of times faster (imports of big writeups depend on it).
MARKUP = re.compile(r"[\\`*_{}\[\]()#+!<>|~\xa0]|^\s*[-=\d]|\s{2,}$|https?:|www\.|@|\n")


def _plain(text: str) -> str | None:
    return None if MARKUP.search(text) else html.escape(text.lstrip(), quote=False)


def render_block(text: str) -> str:
    """Paragraphs of Markdown as sanitized HTML."""
    if not text.strip():
        return ""
    plain = _plain(text)
    if plain is not None:
        return f"<p>{plain}</p>"
    return _clean(markdown.markdown(text), BLOCK_TAGS)


def render_inline(text: str) -> str:
    """One line of Markdown (links, emphasis, code) as sanitized inline HTML."""
    plain = _plain(text)
    if plain is not None:
        return plain
    rendered = markdown.markdown(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>"):
        rendered = rendered[3:-4]
    return _clean(rendered, INLINE_TAGS)


def render_outline(items: list[dict]) -> str:
    """Nested outline nodes ({"text", "children", "heading"?}) as nested lists."""
    if not items:
        return ""
    parts = ['<ul class="outline">']
    for item in items:
        css = ' class="outline-group"' if item.get("heading") else ""
        text = render_inline(item["text"])
        if item.get("heading"):
            text = f'<span class="outline-heading">{text}</span>'
        parts.append(f"<li{css}>{text}{render_outline(item.get('children', []))}</li>")
    parts.append("</ul>")
    return "".join(parts)


def plain_outline(items: list[dict]) -> str:
    """Every outline line as plain text, one per line, for searching."""
    lines: list[str] = []

    def walk(nodes: list[dict]) -> None:
        for node in nodes:
            lines.append(node["text"])
            walk(node.get("children", []))

    walk(items)
    return "\n".join(lines)


def escape(text: str) -> str:
    return html.escape(text)
