"""The plain-text fast path renders exactly what the Markdown parser would."""

import re

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions import markup
from tests.conftest import WRITEUP

SAMPLES = [
    "plain words & more",
    'quotes "like this" and it\'s fine',
    "trailing space ",
    "a < b > c",
    "1. not a list?",
    "- dash",
    "email me@example.com",
    "see https://example.com",
    "x_y_z",
    "non\xa0breaking",
]
# Abstracts as importers give them: paragraphs with blank lines between.
PARAGRAPHS = [
    "First paragraph & more.\n\nSecond one, plain.",
    "One.\n\nTwo.\n\nThree.",
    'Ünïcode — dashes.\n\nQuotes "here" and it\'s fine.\n\nA question?',
    "One.\n\nTwo.\n\nThree, with < and >.",
    "A line\nand its second line.\n\nNext.",
    "Plain.\n\n- a list",
    "Plain.\n\n    indented code",
    "Plain.\n\n\n\nafter two blank lines",
    "Plain.\n\nsee https://example.com",
    "Plain.\n\n1. numbered",
    "Trailing.\n\n",
]


def slow_inline(text: str) -> str:
    rendered = markdown.markdown(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>"):
        rendered = rendered[3:-4]
    return markup.clean(rendered, markup.INLINE_TAGS)


def seed_lines() -> list[str]:
    lines = WRITEUP.read_text().splitlines()
    return [m[1] for line in lines if (m := re.match(r"^\s*\*\s+(.*\S)", line))]


@pytest.mark.parametrize("text", PARAGRAPHS)
def test_paragraphs_fast_path_matches_markdown(text):
    assert markup.render_block(text) == markup.clean(markdown.markdown(text), markup.BLOCK_TAGS)


@pytest.mark.parametrize("text", SAMPLES + seed_lines())
def test_fast_path_matches_markdown(text):
    assert markup.render_inline(text) == slow_inline(text)
    assert markup.render_block(text) == markup.clean(markdown.markdown(text), markup.BLOCK_TAGS)


# Lines that would be lists to Markdown never reach the outline renderer as text.
LIST_LIKE = {"1. not a list?", "- dash"}


@pytest.mark.parametrize("text", [t for t in SAMPLES if t not in LIST_LIKE] + seed_lines())
def test_outline_renderer_matches_markdown(text):
    outline = markup.render_outline([{"text": text, "children": []}])
    assert outline == f'<ul class="outline"><li>{slow_inline(text)}</li></ul>'


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<b>raw</b> html", "&lt;b&gt;raw&lt;/b&gt; html"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ('<img src=x onerror="alert(1)">', '&lt;img src=x onerror="alert(1)"&gt;'),
    ],
)
def test_outline_renderer_shows_html_as_text(text, html):
    assert markup.render_outline([{"text": text, "children": []}]) == (
        f'<ul class="outline"><li>{html}</li></ul>'
    )


# What the renderer builds without the sanitizer must be what the sanitizer gives.
PIECES = st.sampled_from(
    ["*", "**", "_", "`", "[", "]", "(", ")", "](", "https://ex.am/p?a=1&b=2", "mailto:x@y.z",
     "javascript:x", " ", "word", "é", "<", ">", "&", '"', "'", "\xa0", "\t", "\x0b", "\x00",
     "\r", "\x1f", "\x7f", "\u200b", "\ufeff", "#", "!", "<b>", "</em>", "&amp;", "{", "}",
     "|", "~", "\\"]
)  # fmt: skip
LINES = st.lists(PIECES, min_size=1, max_size=14).map("".join)
NODES = st.recursive(
    st.builds(lambda t, h: {"text": t, "heading": h, "children": []}, LINES, st.booleans()),
    lambda kids: st.builds(
        lambda t, c: {"text": t, "children": c}, LINES, st.lists(kids, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(NODES, min_size=1, max_size=4))
def test_outline_is_what_the_sanitizer_would_give(items):
    rendered = markup.render_outline(items)
    assert rendered == markup.clean(rendered, markup.OUTLINE_TAGS, markup.OUTLINE_ATTRS)


def test_crossing_emphasis_goes_through_the_sanitizer():
    rendered = markup.render_outline([{"text": "**a *b** c*", "children": []}])
    assert rendered == markup.clean(rendered, markup.OUTLINE_TAGS, markup.OUTLINE_ATTRS)
    assert "<strong>" in rendered
