"""The plain-text fast path renders exactly what the Markdown parser would."""

import re

import markdown
import pytest

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


def slow_inline(text: str) -> str:
    rendered = markdown.markdown(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>"):
        rendered = rendered[3:-4]
    return markup._clean(rendered, markup.INLINE_TAGS)


def seed_lines() -> list[str]:
    lines = WRITEUP.read_text().splitlines()
    return [m[1] for line in lines if (m := re.match(r"^\s*\*\s+(.*\S)", line))]


@pytest.mark.parametrize("text", SAMPLES + seed_lines())
def test_fast_path_matches_markdown(text):
    assert markup.render_inline(text) == slow_inline(text)
    assert markup.render_block(text) == markup._clean(markdown.markdown(text), markup.BLOCK_TAGS)
