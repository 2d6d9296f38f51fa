"""The re:Invent 2022 writeup comes through the importer whole and faithful."""

import json
import re

import pytest

from sessions.management.commands.dump_catalog import catalog_json
from sessions.models import Conference, Talk
from sessions.writer import write_catalog
from sessions.writeup import decode, parse_writeup
from tests.conftest import FIXTURE, WRITEUP

K, B = "keynote", "breakout"
# (title, kind, speaker, role, tagline, video id, first words of the verdict or "")
EXPECTED = [
    ("Peter DeSantis - SVP AWS", K, "Peter DeSantis", "SVP AWS", "", "R11YgBEZzqE",
     "Focus on infrastructure. Skip unless"),
    ("Adam Selipsky - CEO AWS", K, "Adam Selipsky", "CEO AWS", "", "Xus8C2s5K9A",
     "The high level AWS pitch you've heard many times before"),
    ("Werner Vogels - CTO AWS", K, "Werner Vogels", "CTO AWS", "The World is Asynchronous",
     "RfvL_423a-I", "Entertaining, thought provoking, well worth watching."),
    ("Building next-gen applications with event-driven architectures", B, "", "", "",
     "SbL3a9YOW7s", "Entertaining presenter. Worth a watch."),
    ("Reliable scalability: How Amazon.com scales in the cloud", B, "", "", "",
     "QeW9wCB36ck", ""),
    ("SaaS microservices deep dive: Simplifying multi-tenant development", B, "", "", "",
     "NpThwz0z_D0", "Engaging presenter. Interesting to see current best practices"),
    ("How to understand and improve resiliency for serverless systems", B, "", "", "",
     "ivz_IO8rLjo", "Mostly a plug for resilience hub."),
    ("Operating highly available Multi-AZ applications", B, "", "", "", "mwUV5skJJ0s", ""),
    ("Beyond five 9s: Lessons from our highest available data planes", B, "", "", "",
     "es9527rA_8I", "Updated version of a talk that is given every year."),
    ("Scaling on AWS for your first 10 million users", B, "", "", "", "yrP3M4_13QM",
     "Updated version of talk given every year by developer advocates"),
    ("Architecting secure serverless applications", B, "", "", "", "A8iHQjHv8nY",
     "QR codes with links to further reading embedded in each slide"),
    ("Designing event-driven integrations using Amazon EventBridge", B, "", "", "",
     "eUjbLFPsATE", ""),
    ("Best practices for advanced serverless developers", B, "", "", "", "PiQ_eZFO2GU", ""),
]  # fmt: skip


def flatten(nodes: list[dict]) -> list[str]:
    out = []
    for node in nodes:
        out.append(node["text"])
        out.extend(flatten(node.get("children", [])))
    return out


def bullets_per_talk() -> dict[str, list[str]]:
    """Every bullet line of the writeup, read straight from the file, by talk heading."""
    result: dict[str, list[str]] = {}
    current = None
    for line in WRITEUP.read_text().splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            result[current] = []
        elif m := re.match(r"^\s*\*\s+(.*\S)", line):
            result[current].append(m[1])
    return result


@pytest.fixture
def imported(db) -> list[Talk]:
    write_catalog(parse_writeup(decode(WRITEUP.read_bytes())))
    return list(Talk.objects.select_related("conference").order_by("position"))


def test_catalog_has_all_13_talks_exactly(imported):
    got = [
        (t.title, t.kind, t.speaker_name, t.speaker_role, t.tagline, t.video_ref) for t in imported
    ]
    assert got == [row[:6] for row in EXPECTED]
    for talk, row in zip(imported, EXPECTED, strict=True):
        if row[6]:
            assert talk.verdict.startswith(row[6]), talk.title
        else:
            assert talk.verdict == "", talk.title
    assert [t.position for t in imported] == list(range(1, 14))
    conference = Conference.objects.get()
    assert (conference.name, conference.slug, conference.year) == (
        "AWS re:Invent 2022",
        "aws-reinvent-2022",
        2022,
    )
    assert conference.intro.startswith("I've only attended re:Invent in person once.")


def test_catalog_every_bullet_is_in_its_talks_outline_in_order(imported):
    expected = bullets_per_talk()
    assert list(expected) == [t.title for t in imported]
    for talk in imported:
        lines = [
            line for line in flatten(talk.outline) if line not in {"Fun facts", "New Announcements"}
        ]
        assert lines == expected[talk.title], talk.title
    assert sum(len(v) for v in expected.values()) == 384


def test_catalog_group_headings_are_kept_in_the_outline(imported):
    selipsky = imported[1]
    assert [n["text"] for n in selipsky.outline] == ["Fun facts", "New Announcements"]
    assert all(n["heading"] for n in selipsky.outline)
    assert len(selipsky.outline[0]["children"]) == 2
    assert len(selipsky.outline[1]["children"]) == 14
    assert selipsky.verdict == (
        "The high level AWS pitch you've heard many times before with a few fun facts and new "
        "announcements. I wouldn't bother with this one."
    )


def test_catalog_nesting_follows_indentation(imported):
    desantis = imported[0]
    lambda_item = desantis.outline[4]
    assert lambda_item["text"] == "AWS Lambda infrastructure internal performance optimization"
    assert [c["text"] for c in lambda_item["children"]][-1] == "For now JVM only"
    assert len(lambda_item["children"]) == 8


def test_fixture_is_what_the_importer_makes(imported):
    assert json.loads(catalog_json("aws-reinvent-2022")) == json.loads(FIXTURE.read_text())


def test_reimport_updates_and_never_duplicates(imported):
    before = {t.video_ref: t.pk for t in imported}
    result = write_catalog(parse_writeup(decode(WRITEUP.read_bytes())))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 13)
    assert {t.video_ref: t.pk for t in Talk.objects.all()} == before
    assert json.loads(catalog_json("aws-reinvent-2022")) == json.loads(FIXTURE.read_text())
