"""Full-text search (sessions.search): the index follows every change to a talk,
on SQLite (FTS5 + triggers) and PostgreSQL (generated tsvector + GIN)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions.models import Talk


def titles(text: str) -> list[str]:
    return sorted(Talk.objects.search(text).values_list("title", flat=True))


def test_every_word_must_begin_a_word_of_the_talk(catalog):
    assert titles("vogels") == ["Werner Vogels - CTO AWS"]
    assert titles("VOGEL") == ["Werner Vogels - CTO AWS"]  # a prefix, any case
    assert titles("shuffle sharding") == [
        "Beyond five 9s: Lessons from our highest available data planes",
        "Reliable scalability: How Amazon.com scales in the cloud",
    ]
    assert titles("vogels sharding") == []  # both words, not either
    assert titles("ogels") == []  # words are matched from their start


def test_speaker_tagline_and_outline_are_searched(catalog):
    talk = Talk.objects.get(title="Werner Vogels - CTO AWS")
    assert talk in Talk.objects.search(talk.speaker_name.split()[0])
    assert talk in Talk.objects.search("eventbridge pipes")  # a line of the outline
    assert set(Talk.objects.search("serverl")) >= set(Talk.objects.search("serverless"))


def test_the_index_follows_new_changed_and_deleted_talks(make_talks):
    (talk,) = make_talks(1)
    assert titles("number") == ["Talk number 0"]
    talk.title = "Quokka patterns"
    talk.outline = [{"text": "Wombats at scale", "children": []}]
    talk.save()
    assert titles("number") == []
    assert titles("quokka") == ["Quokka patterns"]
    assert titles("wombat") == ["Quokka patterns"]
    talk.delete()
    assert titles("quokka") == []


def test_bulk_imported_talks_are_found(make_talks):
    make_talks(3)
    Talk.objects.filter(title="Talk number 1").update(title="Platypus talk")
    assert titles("platypus") == ["Platypus talk"]
    assert titles("talk") == ["Platypus talk", "Talk number 0", "Talk number 2"]


@pytest.mark.parametrize("text", ["!!!", "- * ( )", "___"])
def test_text_without_words_finds_nothing(catalog, client, text):
    assert titles(text) == []
    response = client.get("/", {"q": text})
    assert response.status_code == 200
    assert "No talks match" in response.content.decode()


@pytest.mark.parametrize(
    "text", ['vogels"', "(vogels)", "vogels -", "vogels:*", "'vogels'", "^vogels", "-vogels"]
)
def test_search_syntax_in_the_text_is_just_text(catalog, text):
    # Neither FTS5 nor tsquery operators get through: only the words count.
    assert titles(text) == ["Werner Vogels - CTO AWS"]


def test_operator_words_are_words(catalog):
    assert titles("AND") == titles("and") != []
    assert titles("v*") == titles("v") != []


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=40))
@pytest.mark.django_db
def test_any_text_is_a_valid_search(text):
    list(Talk.objects.search(text)[:5])
