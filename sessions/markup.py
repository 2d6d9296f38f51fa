"""Markdown to safe HTML: catalog text (verdicts, outline lines) here, and the one
sanitising policy (`clean`) every piece of HTML from outside goes through, notes too."""

import html
import re

import markdown
import nh3

INLINE_TAGS = {"a", "em", "strong", "code"}
BLOCK_TAGS = INLINE_TAGS | {"p", "br", "ul", "ol", "li", "blockquote", "pre"}
LINK_ATTRS = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean(raw_html: str, tags: set[str], attributes: dict = LINK_ATTRS) -> str:
    """HTML with only `tags` left, links limited to http(s)/mailto and never followed
    by search engines or given our window. The one policy: change it here only."""
    return nh3.clean(
        raw_html,
        tags=tags,
        attributes=attributes,
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
    return clean(markdown.markdown(text), BLOCK_TAGS)


def render_inline(text: str) -> str:
    """One line of Markdown (links, emphasis, code) as sanitized inline HTML."""
    plain = _plain(text)
    if plain is not None:
        return plain
    rendered = markdown.markdown(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>"):
        rendered = rendered[3:-4]
    return clean(rendered, INLINE_TAGS)


# The inline Markdown outlines use: `code`, [links](https://...), **strong**, *em*, _em_.
# A writeup of ten thousand talks has hundreds of thousands of outline lines: a
# full Markdown parse per line took over a minute, these few substitutions take
# a second. The result is still sanitized by nh3, once per outline.
CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\[([^\[\]\n]+)\]\(((?:https?://|mailto:)[^\s()<>\"]+)\)")
STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
EM_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
OUTLINE_ATTRS = {**LINK_ATTRS, "ul": {"class"}, "li": {"class"}, "span": {"class"}}


def _inline(text: str) -> str:
    plain = _plain(text)
    if plain is not None:
        return plain
    out = html.escape(text.lstrip(), quote=False)
    # Each pass only where its mark is (a substring test is far cheaper than a regex).
    if "`" in out:
        out = CODE.sub(r"<code>\1</code>", out)
    if "](" in out:
        out = LINK.sub(r'<a href="\2">\1</a>', out)
    if "*" in out:
        out = STRONG.sub(r"<strong>\1</strong>", out)
        out = EM_STAR.sub(r"<em>\1</em>", out)
    if "_" in out:
        out = EM_UNDERSCORE.sub(r"<em>\1</em>", out)
    return out


def _outline_items(items: list[dict]) -> str:
    parts = ['<ul class="outline">']
    for item in items:
        css = ' class="outline-group"' if item.get("heading") else ""
        text = _inline(item["text"])
        if item.get("heading"):
            text = f'<span class="outline-heading">{text}</span>'
        children = _outline_items(item["children"]) if item.get("children") else ""
        parts.append(f"<li{css}>{text}{children}</li>")
    parts.append("</ul>")
    return "".join(parts)


def render_outline(items: list[dict]) -> str:
    """Nested outline nodes ({"text", "children", "heading"?}) as nested lists."""
    if not items:
        return ""
    return clean(_outline_items(items), INLINE_TAGS | {"ul", "li", "span"}, OUTLINE_ATTRS)


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
