"""import_writeup: clear errors that name the line, and nothing half-written."""

import itertools
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions.models import Conference, Talk
from sessions.topics import TOPICS, topics_for
from sessions.video import id_from_url as video_id_from_url
from tests.conftest import WRITEUP

GOOD = """---
title: Example Conf 2024
---

An intro.

# Keynotes

## Ada Lovelace - Chief Engine Officer

"*Numbers all the way down*"

[YouTube](https://www.youtube.com/watch?v=abcdefghijk&t=30s)

Worth it.
* First point
    * Nested point
* Second point

# Breakout Sessions

## A breakout

[YouTube](https://youtu.be/ABCDEFGHIJK)

* Only point
"""


def run_import(tmp_path, text: str | bytes) -> str:
    path = tmp_path / "writeup.md"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    from io import StringIO

    out = StringIO()
    call_command("import_writeup", str(path), stdout=out)
    return out.getvalue()


def import_error(tmp_path, text: str | bytes) -> str:
    with pytest.raises(CommandError) as info:
        run_import(tmp_path, text)
    return str(info.value)


@pytest.mark.django_db
def test_import_reads_a_small_writeup(tmp_path):
    out = run_import(tmp_path, GOOD)
    assert "Example Conf 2024: 2 talks created, 0 updated, 0 unchanged" in out
    ada, breakout = Talk.objects.order_by("position")
    assert (ada.kind, ada.speaker_name, ada.speaker_role, ada.tagline, ada.video_ref) == (
        "keynote",
        "Ada Lovelace",
        "Chief Engine Officer",
        "Numbers all the way down",
        "abcdefghijk",
    )
    assert ada.verdict == "Worth it."
    assert ada.outline == [
        {"text": "First point", "children": [{"text": "Nested point", "children": []}]},
        {"text": "Second point", "children": []},
    ]
    assert (breakout.kind, breakout.speaker_name, breakout.video_ref) == (
        "breakout",
        "",
        "ABCDEFGHIJK",
    )
    assert Conference.objects.get().year == 2024


@pytest.mark.django_db
def test_import_second_time_updates_in_place(tmp_path):
    run_import(tmp_path, GOOD)
    ids = set(Talk.objects.values_list("pk", flat=True))
    out = run_import(tmp_path, GOOD.replace("Worth it.", "Worth it, twice."))
    assert "0 talks created, 1 updated, 1 unchanged" in out
    assert set(Talk.objects.values_list("pk", flat=True)) == ids
    assert Talk.objects.get(video_ref="abcdefghijk").verdict == "Worth it, twice."


@pytest.mark.django_db
def test_importing_an_unchanged_file_again_writes_no_talk(tmp_path):
    run_import(tmp_path, GOOD)
    before = list(Talk.objects.order_by("pk").values_list("pk", "slug", "position"))
    with CaptureQueriesContext(connection) as queries:
        out = run_import(tmp_path, GOOD)
    assert "0 talks created, 0 updated, 2 unchanged" in out
    talk_table = connection.ops.quote_name(Talk._meta.db_table)
    writes = [
        q["sql"] for q in queries if re.match(rf"(UPDATE|INSERT INTO) {talk_table}", q["sql"])
    ]
    assert writes == []
    assert list(Talk.objects.order_by("pk").values_list("pk", "slug", "position")) == before


@pytest.mark.django_db
def test_talks_that_trade_titles_on_import_trade_their_addresses(tmp_path):
    run_import(tmp_path, GOOD)
    ada, breakout = Talk.objects.order_by("position")
    assert (ada.slug, breakout.slug) == ("ada-lovelace-chief-engine-officer", "a-breakout")
    traded = GOOD.replace("## Ada Lovelace - Chief Engine Officer", "## A breakout - Lead")
    traded = traded.replace("## A breakout\n", "## Ada Lovelace - Chief Engine Officer\n")
    out = run_import(tmp_path, traded)
    assert "0 talks created, 2 updated, 0 unchanged" in out
    ada.refresh_from_db()
    breakout.refresh_from_db()
    assert (ada.title, ada.slug) == ("A breakout - Lead", "a-breakout-lead")
    assert (breakout.title, breakout.slug) == (
        "Ada Lovelace - Chief Engine Officer",
        "ada-lovelace-chief-engine-officer",
    )


@pytest.mark.django_db
def test_a_talk_added_at_the_top_moves_the_others_down_writing_only_their_places(tmp_path):
    run_import(tmp_path, GOOD)
    ada, breakout = Talk.objects.order_by("position")
    added = GOOD.replace(
        "# Keynotes\n",
        "# Keynotes\n\n## Grace Hopper - Admiral\n\n[YouTube](https://youtu.be/HOPPERHOPPR)\n",
    )
    with CaptureQueriesContext(connection) as queries:
        out = run_import(tmp_path, added)
    assert "1 talk created, 2 updated, 0 unchanged" in out
    assert [t.title for t in Talk.objects.order_by("position")] == [
        "Grace Hopper - Admiral",
        "Ada Lovelace - Chief Engine Officer",
        "A breakout",
    ]
    ada.refresh_from_db()
    assert (ada.position, ada.slug, ada.verdict) == (
        2,
        "ada-lovelace-chief-engine-officer",
        "Worth it.",
    )
    talk_table = connection.ops.quote_name(Talk._meta.db_table)
    updates = [q["sql"] for q in queries if f"UPDATE {talk_table}" in q["sql"]]
    assert len(updates) == 1
    assert '"position"' in updates[0]
    assert '"title"' not in updates[0] and '"search_words"' not in updates[0]


@pytest.mark.django_db
def test_a_new_talk_that_takes_an_existing_talks_title_gets_its_own_address(tmp_path):
    run_import(tmp_path, GOOD)
    namesake = GOOD.replace(
        "# Keynotes\n", "# Keynotes\n\n## A breakout\n\n[YouTube](https://youtu.be/NAMESAKE001)\n"
    )
    out = run_import(tmp_path, namesake)
    assert "1 talk created" in out
    slugs = list(Talk.objects.order_by("position").values_list("video_ref", "slug"))
    assert len({slug for _, slug in slugs}) == 3
    assert slugs == [
        ("NAMESAKE001", "a-breakout-2"),
        ("abcdefghijk", "ada-lovelace-chief-engine-officer"),
        ("ABCDEFGHIJK", "a-breakout"),  # its address stays
    ]


@pytest.mark.django_db
def test_import_keeps_talks_missing_from_the_file(tmp_path):
    run_import(tmp_path, GOOD)
    shorter = GOOD.split("# Breakout Sessions")[0]
    out = run_import(tmp_path, shorter)
    assert "1 talk of this conference is not in the file; left as it is." in out
    assert Talk.objects.count() == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("   \n\n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "line 1: this is not UTF-8 text"),
        ("---\ntitle: X\n---\n# Keynotes\n## T\n\x00", "line 6: the file contains a NUL byte"),
        ("# Keynotes\n## T\n", "line 1: expected front matter"),
        ("---\ntitle: X\n", "line 1: the front matter is never closed"),
        ("---\nauthor: me\n---\n", "line 1: the front matter has no title"),
        (
            "---\ntitle: X\n---\n\n* a stray bullet\n# Keynotes\n",
            "line 5: a bullet comes before any '## Talk' heading",
        ),
        (
            "---\ntitle: X\n---\n# Keynotes\n* stray\n",
            "line 5: a bullet comes before any '## Talk' heading",
        ),
        (
            "---\ntitle: X\n---\n## Talk\n[YouTube](https://youtu.be/ABCDEFGHIJK)\n",
            "line 4: talk 'Talk' comes before any '# Section' heading",
        ),
        (
            "---\ntitle: X\n---\n# Workshops\n",
            "line 4: unknown section 'Workshops'",
        ),
        (
            "---\ntitle: X\n---\n# Keynotes\n## No link here\n\n* point\n",
            "line 5: talk 'No link here' has no [YouTube](...) link",
        ),
        (
            "---\ntitle: X\n---\n# Keynotes\n## Bad link\n[YouTube](https://example.com/v)\n",
            "line 6: cannot find a YouTube video in 'https://example.com/v'",
        ),
        (
            "---\ntitle: X\n---\n# Keynotes\n## One\n[YouTube](https://youtu.be/ABCDEFGHIJK)\n"
            "## Two\n[YouTube](https://youtu.be/ABCDEFGHIJK)\n",
            "line 7: talk 'Two' has the same video as the talk on line 5",
        ),
        (
            "---\ntitle: X\n---\n# Keynotes\n## " + "T" * 400 + "\n"
            "[YouTube](https://youtu.be/ABCDEFGHIJK)\n",
            "line 5: talk 'TTTT",
        ),
        ("---\ntitle: X\n---\nJust an intro.\n", "no talks found"),
    ],
)
@pytest.mark.django_db
def test_import_malformed_file_is_refused_and_writes_nothing(tmp_path, text, message):
    error = import_error(tmp_path, text)
    assert message in error
    assert "Nothing was imported." in error
    assert Conference.objects.count() == 0
    assert Talk.objects.count() == 0


@pytest.mark.django_db
def test_import_bad_file_leaves_existing_catalog_untouched(tmp_path):
    run_import(tmp_path, GOOD)
    before = list(Talk.objects.values_list("title", "verdict", "position"))
    broken = GOOD.replace("Worth it.", "Changed!") + "\n## Broken talk\n\n* no link\n"
    assert "talk 'Broken talk' has no [YouTube](...) link" in import_error(tmp_path, broken)
    assert list(Talk.objects.values_list("title", "verdict", "position")) == before


def test_import_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("import_writeup", str(tmp_path / "nope.md"))


@pytest.mark.parametrize(
    ("url", "video_id"),
    [
        ("https://www.youtube.com/watch?v=R11YgBEZzqE", "R11YgBEZzqE"),
        ("https://youtube.com/watch?feature=share&v=R11YgBEZzqE", "R11YgBEZzqE"),
        ("https://youtu.be/SbL3a9YOW7s", "SbL3a9YOW7s"),
        ("https://youtu.be/SbL3a9YOW7s?t=42", "SbL3a9YOW7s"),
        ("https://m.youtube.com/watch?v=RfvL_423a-I", "RfvL_423a-I"),
        ("https://www.youtube.com/embed/RfvL_423a-I", "RfvL_423a-I"),
        ("https://youtu.be/short", None),
        ("https://vimeo.com/watch?v=R11YgBEZzqE", None),
        ("javascript:alert(1)", None),
    ],
)
def test_video_id_from_both_link_forms(url, video_id):
    assert video_id_from_url(url) == video_id


@pytest.mark.django_db
def test_import_command_on_the_real_writeup(tmp_path):
    out = run_import(tmp_path, WRITEUP.read_bytes())
    assert "AWS re:Invent 2022: 13 talks created" in out


def test_topics_are_found_as_one_search_per_topic_would_find_them():
    """topics_for() scans the text once for every topic; the answer is what a search
    per topic (any of its words at the start of a word, in any case) gives."""

    def one_by_one(text: str) -> list[str]:
        return [
            topic
            for topic, words in TOPICS.items()
            if any(re.search(rf"\b{re.escape(w)}", text, re.IGNORECASE) for w in words)
        ]

    words = [w for ws in TOPICS.values() for w in ws] + ["unscalable", "diam", "x-ec2"]
    for a, b in itertools.product(words, repeat=2):
        for text in (f"{a} {b}", f"{a.upper()}{b}", f"{a}-{b}"):
            assert topics_for(text) == one_by_one(text), text


@pytest.mark.parametrize(
    ("count", "lines"),
    [
        (
            1,
            [
                "Example: 1 talk created, 1 updated, 1 unchanged, 0 skipped",
                "1 talk now has a recording.",
                "1 talk of this conference is not in the file; left as it is.",
            ],
        ),
        (
            2,
            [
                "Example: 2 talks created, 2 updated, 2 unchanged, 0 skipped",
                "2 talks now have a recording.",
                "2 talks of this conference are not in the file; left as they are.",
            ],
        ),
    ],
)
def test_the_report_counts_in_words_that_agree(count, lines):
    from sessions.writer import ImportResult, report

    result = ImportResult(
        Conference(name="Example"), count, count, count, count, videos_added=count
    )
    assert report(result) == lines
