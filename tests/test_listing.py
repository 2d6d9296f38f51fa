"""Cached catalog listings (sessions.listing): the database changes the catalog's
version token on every change to talks, topics or conferences, and a cached search
never outlives one."""

import re

import pytest
from django.core.management import call_command
from taggit.models import Tag

from planner import queue
from planner.models import Entry
from sessions import listing
from sessions.models import Conference, Recording, Talk
from tests.conftest import WRITEUP


@pytest.fixture
def talk(make_talks) -> Talk:
    return make_talks(1)[0]


def without_nonces(html: str) -> str:
    """The page less what differs on every response: CSP nonces and masked CSRF tokens."""
    return re.sub(r'(nonce="|csrftoken": ")[^"]+"', "", html)


def changes_version(action) -> bool:
    before = listing.version()
    action()
    return listing.version() != before


def test_talk_changes_change_the_version(talk):
    assert changes_version(lambda: Talk.objects.filter(pk=talk.pk).update(title="New title"))
    assert changes_version(lambda: talk.tags.add("brand-new-topic"))
    assert changes_version(lambda: talk.tags.clear())
    assert changes_version(lambda: Conference.objects.update(name="Renamed"))
    recording = Recording.objects.create(talk=talk, provider="youtube", reference="abcdefghijk")
    assert changes_version(lambda: Recording.objects.filter(pk=recording.pk).update(language="de"))
    assert changes_version(lambda: recording.delete())
    assert changes_version(lambda: Talk.objects.filter(pk=talk.pk).delete())


def test_topic_renames_change_the_version_but_personal_tags_do_not(alice, talk):
    tag = Tag.objects.get(name="topic-0")
    assert changes_version(lambda: Tag.objects.filter(pk=tag.pk).update(slug="renamed"))
    entry = queue.track(alice, talk)
    assert not changes_version(lambda: entry.tags.add("my-own-tag"))
    assert not changes_version(lambda: queue.track(alice, talk, Entry.Status.WATCHED))


def test_a_bulk_import_changes_the_version(db):
    assert changes_version(lambda: call_command("import_writeup", WRITEUP, verbosity=0))


def test_a_bulk_write_changes_the_version_once_and_never_leaves_its_bulk_token(talk):
    from django.db import connection, transaction

    before = listing.version()
    with transaction.atomic(), listing.bulk_change():
        during = listing.version()
        Talk.objects.filter(pk=talk.pk).update(title="Renamed in bulk")
        talk.tags.add("bulk-topic")
        Recording.objects.create(talk=talk, provider="youtube", reference="abcdefghijk")
        if connection.vendor == "sqlite":  # per-row triggers skip while it is held
            assert listing.version() == during
            assert during.startswith(listing.BULK)
    after = listing.version()

    assert after not in (before, during)
    assert not after.startswith(listing.BULK)
    assert changes_version(lambda: Talk.objects.filter(pk=talk.pk).update(title="Again"))


def test_a_failed_bulk_write_leaves_the_version_and_its_triggers_as_they_were(talk):
    from django.db import transaction

    before = listing.version()
    with pytest.raises(RuntimeError), transaction.atomic(), listing.bulk_change():
        Talk.objects.filter(pk=talk.pk).update(title="Never kept")
        raise RuntimeError("the import failed half way")

    assert listing.version() == before
    assert Talk.objects.get(pk=talk.pk).title != "Never kept"
    assert changes_version(lambda: Talk.objects.filter(pk=talk.pk).update(title="Kept"))


def test_a_bulk_write_belongs_inside_a_transaction(talk):
    from django.db import connections

    wrapper = connections["default"]
    if wrapper.vendor != "sqlite":
        pytest.skip("PostgreSQL's statement triggers need no bulk token")
    wrapper.in_atomic_block = False  # as outside any transaction
    try:
        with pytest.raises(RuntimeError, match="inside the transaction"), listing.bulk_change():
            pass
    finally:
        wrapper.in_atomic_block = True


def test_cached_search_sees_a_changed_talk_at_once(client, talk):
    assert "No talks match" in client.get("/", {"q": "quokka"}).content.decode()
    Talk.objects.filter(pk=talk.pk).update(title="Quokka patterns")  # as an import would
    assert "Quokka patterns" in client.get("/", {"q": "quokka"}).content.decode()
    talk.tags.set(["marsupials"])
    page = client.get("/", {"q": "quokka", "topic": "marsupials"}).content.decode()
    assert "1 talk matching “quokka” on marsupials" in page


@pytest.mark.usefixtures("no_lazy_loads")
def test_search_query_counts(client, make_talks, django_assert_num_queries):
    make_talks(25)
    # version, topics in use, filter choices (2), the catalog's order (the first time this
    # version is asked), ids of every match, the page's talks, their topics (no passages:
    # no talk has a transcript)
    with django_assert_num_queries(8):
        first = client.get("/", {"q": "talk number", "page": 2}).content.decode()
    assert "25 talks matching" in first and "Talk number 24" in first
    assert "Page 2 of 2" in first and "Talk number 19" not in first
    with django_assert_num_queries(1):  # the same search again: the version (the page is kept)
        again = client.get("/", {"q": "talk number", "page": 2}).content.decode()
    assert without_nonces(again) == without_nonces(first)


def test_personal_filters_are_never_cached(alice_client, alice, make_talks):
    talks = make_talks(3)
    assert "0 talks" in alice_client.get("/", {"q": "talk", "status": "queued"}).content.decode()
    queue.track(alice, talks[1])  # the catalog is unchanged: only alice's plan
    page = alice_client.get("/", {"q": "talk", "status": "queued"}).content.decode()
    assert "1 talk matching" in page and "Talk number 1" in page


def test_a_missing_version_row_is_made_again(talk):
    from sessions.models import CatalogVersion

    CatalogVersion.objects.all().delete()  # as a test database flush does
    token = listing.version()
    assert CatalogVersion.objects.get().token == token
    assert changes_version(lambda: Talk.objects.filter(pk=talk.pk).update(title="Changed"))


def test_search_results_follow_the_catalog_order_as_it_changes(client, make_talks):
    def found(**params) -> list[str]:
        html = client.get("/", {"q": "number", **params}).content.decode()
        return re.findall(r"<h3[^>]*>\s*<a [^>]*>([^<]*)</a>", html)

    make_talks(3)
    assert found() == ["Talk number 0", "Talk number 1", "Talk number 2"]
    # The writeup's order changes, and a newer conference comes first: the order kept for
    # the version before is not the one used after.
    Talk.objects.filter(title="Talk number 0").update(position=10)
    newest = make_talks(1, conference_slug="newer")[0]
    Talk.objects.filter(pk=newest.pk).update(title="Newest number")
    assert found() == ["Newest number", "Talk number 1", "Talk number 2", "Talk number 0"]
    assert found(kind="breakout") == ["Talk number 1"]
    assert found(sort="date")[-1] == "Talk number 0"  # an order the database gives


def test_the_catalog_count_follows_new_talks(client, make_talks):
    make_talks(2)
    assert "2 talks" in client.get("/").content.decode()
    make_talks(1)
    assert "3 talks" in client.get("/").content.decode()


def test_matches_come_in_catalog_order_whether_few_or_most_of_the_catalog(make_talks):
    talks = make_talks(20)
    order = [pk for (pk,) in Talk.objects.in_order().values_list("pk")]
    token = listing.version()
    gone = max(order) + 1  # a talk deleted since the search found it
    # Few are sorted by their places; most are picked out of the order (PICK_SHARE).
    for count in (1, 2, 3, 15, 20):
        found = [talk.pk for talk in reversed(talks[:count])] + [gone]
        assert listing.in_order(token, found) == [pk for pk in order if pk in found]
    assert listing.in_order(token, []) == []


@pytest.mark.django_db
def test_rows_asked_by_index_are_the_same_rows_and_leave_the_planner_as_it_was(make_talks):
    from django.db import DataError, connection, transaction

    make_talks(3)
    sql = f"SELECT id FROM {Talk._meta.db_table} WHERE id > %s ORDER BY id"
    assert listing.raw_rows(sql, [0], by_index=True) == listing.raw_rows(sql, [0])
    assert len(listing.raw_rows(sql, [0])) == 3
    if connection.vendor != "postgresql":
        return

    def seqscan() -> str:
        return listing.raw_rows("SELECT current_setting('enable_seqscan')", [])[0][0]

    assert listing.raw_rows("SELECT current_setting(%s)", ["enable_seqscan"], by_index=True) == [
        ("off",)
    ]
    assert seqscan() == "on"
    with pytest.raises(DataError), transaction.atomic():  # a SELECT that fails: all goes back
        listing.raw_rows("SELECT 1 / (id - id) FROM talk_sessions_talk", [], by_index=True)
    assert seqscan() == "on"
