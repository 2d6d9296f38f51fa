"""Recommended lists, the public link, and taking your data with you."""

import csv
import html as htmllib
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from planner import backup, exports, queue, sharing
from planner.models import Entry, ListItem, Profile, RecommendedList
from sessions.models import Talk
from sessions.writeup import parse_writeup


@pytest.fixture
def watched(alice, catalog) -> list[Entry]:
    """alice watched three talks, rated and annotated them."""
    entries = []
    for talk, rating, note in [
        (catalog[2], 5, "12:34 the Matrix intro\n\n* 1:02:03 SimSpace Weaver part"),
        (catalog[7], 4, "Grey failures explained well"),
        (catalog[0], 3, "private thoughts about SnapStart"),
    ]:
        entry = queue.track(alice, talk, Entry.Status.WATCHED)
        entry.rating, entry.note = rating, note
        entry.save()
        entries.append(entry)
    return entries


@pytest.fixture
def rlist(alice, watched) -> RecommendedList:
    rlist = RecommendedList.objects.create(
        user=alice, title="Best of re:Invent 2022", intro="Three talks worth your evening."
    )
    sharing.add_item(rlist, watched[0].talk, blurb="Funny and deep.", start_seconds=90,
                     share_note=True)  # fmt: skip
    sharing.add_item(rlist, watched[1].talk, blurb="Practical resilience.", speed_percent=125)
    sharing.add_item(rlist, watched[2].talk, blurb="For infra nerds.")
    return rlist


def test_create_list_and_add_talks(alice_client, alice, watched):
    response = alice_client.post("/lists/", {"title": "My picks", "intro": "Hi"})
    rlist = RecommendedList.objects.get(user=alice)
    assert response.headers["Location"] == f"/lists/{rlist.pk}/"
    alice_client.post(f"/lists/{rlist.pk}/items/", {"talk": watched[0].talk_id})
    alice_client.post(f"/lists/{rlist.pk}/items/", {"talk": watched[1].talk_id})
    alice_client.post(f"/lists/{rlist.pk}/items/", {"talk": watched[0].talk_id})  # no duplicate
    assert [i.talk_id for i in rlist.items.all()] == [watched[0].talk_id, watched[1].talk_id]
    item = rlist.items.first()
    response = alice_client.post(
        f"/lists/{rlist.pk}/items/{item.pk}/",
        {f"item{item.pk}-blurb": "Watch it", f"item{item.pk}-speed_percent": "175",
         f"item{item.pk}-start": "2:00", f"item{item.pk}-share_note": "on"},
    )  # fmt: skip
    item.refresh_from_db()
    assert (item.blurb, item.speed_percent, item.start_seconds, item.share_note) == (
        "Watch it", 175, 120, True,
    )  # fmt: skip


def test_list_item_bad_input_is_refused(alice_client, rlist):
    item = rlist.items.first()
    response = alice_client.post(
        f"/lists/{rlist.pk}/items/{item.pk}/",
        {f"item{item.pk}-blurb": "x" * 300, f"item{item.pk}-speed_percent": "150",
         f"item{item.pk}-start": "99:99"},
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value has at most 280 characters" in html
    assert "Enter a time as mm:ss or h:mm:ss" in html
    item.refresh_from_db()
    assert item.blurb == "Funny and deep."


def test_cannot_add_a_talk_you_never_planned(alice_client, rlist, catalog):
    response = alice_client.post(f"/lists/{rlist.pk}/items/", {"talk": catalog[12].pk})
    assert response.status_code == 400
    assert "is not one you watched or planned" in response.content.decode()


def test_reorder_list_items(alice_client, rlist):
    items = list(rlist.items.order_by("position"))
    alice_client.post(f"/lists/{rlist.pk}/items/{items[2].pk}/move/", {"direction": "top"})
    alice_client.post(f"/lists/{rlist.pk}/items/{items[0].pk}/move/", {"direction": "down"})
    order = list(rlist.items.order_by("position").values_list("pk", flat=True))
    assert order == [items[2].pk, items[1].pk, items[0].pk]


def test_publish_shows_only_what_the_owner_chose(alice_client, rlist, watched):
    alice_client.post(f"/lists/{rlist.pk}/publish/")
    rlist.refresh_from_db()
    assert len(rlist.share_token) == 43  # 256 bits, URL-safe base64
    response = Client().get(f"/s/{rlist.share_token}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Best of re:Invent 2022</h1>" in html
    assert "Three talks worth your evening." in html
    assert "Werner Vogels - CTO AWS" in html and "Funny and deep." in html
    assert f"https://youtu.be/{watched[0].talk.video_ref}?t=90" in html
    assert 'aria-label="Rated 5 of 5"' in html and 'aria-label="Rated 4 of 5"' in html
    # The first item shares its note, the others do not.
    assert "the Matrix intro" in html
    assert "Grey failures explained well" not in html
    assert "private thoughts about SnapStart" not in html
    # Previews
    assert '<meta property="og:title" content="Best of re:Invent 2022">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert "Sign in</a> or" in html


def test_unpublish_and_new_link(alice_client, rlist):
    client = Client()
    alice_client.post(f"/lists/{rlist.pk}/publish/")
    rlist.refresh_from_db()
    first = rlist.share_token
    # A new link breaks the shared one: asked first, and nothing changes until confirmed.
    question = alice_client.post(f"/lists/{rlist.pk}/publish/").content.decode()
    assert "Make a new link?" in question and "stops working" in question
    rlist.refresh_from_db()
    assert rlist.share_token == first
    alice_client.post(f"/lists/{rlist.pk}/publish/", {"confirm": "yes"})
    rlist.refresh_from_db()
    second = rlist.share_token
    assert first != second
    assert client.get(f"/s/{first}/").status_code == 404
    assert client.get(f"/s/{second}/").status_code == 200
    question = alice_client.post(f"/lists/{rlist.pk}/unpublish/").content.decode()
    assert "Switch the link off?" in question
    assert client.get(f"/s/{second}/").status_code == 200
    alice_client.post(f"/lists/{rlist.pk}/unpublish/", {"confirm": "yes"})
    assert client.get(f"/s/{second}/").status_code == 404


@pytest.mark.parametrize(
    "token",
    ["x", "a" * 43, "../../etc/passwd", "%00", "a" * 500, "Z" * 42 + "!"],
)
def test_unknown_and_malformed_tokens_are_the_same_404(client, rlist, token):
    sharing.publish(rlist)
    response = client.get(f"/s/{token}/")
    assert response.status_code == 404
    revoked = sharing.publish(rlist)
    sharing.unpublish(rlist)
    revoked_response = client.get(f"/s/{revoked}/")
    assert revoked_response.status_code == 404

    def page(r) -> str:  # the CSRF token and CSP nonce are new in every response
        return re.sub(r'"x-csrftoken": "[^"]+"|nonce="[^"]+"', "", r.content.decode())

    assert page(response) == page(revoked_response)


def test_add_these_to_my_queue_skips_what_i_have(client, bob, rlist, watched):
    sharing.publish(rlist)
    queue.track(bob, watched[1].talk, Entry.Status.WATCHED)
    queue.track(bob, watched[2].talk)
    client.force_login(bob)
    response = client.post(f"/s/{rlist.share_token}/add/", follow=True)
    html = response.content.decode()
    assert "Added 1 talk to your queue; you had already watched 1; 1 was queued already." in html
    assert Entry.objects.filter(user=bob).count() == 3
    # Twice: nothing duplicated.
    client.post(f"/s/{rlist.share_token}/add/")
    assert Entry.objects.filter(user=bob).count() == 3


def test_add_these_needs_sign_in(client, rlist):
    sharing.publish(rlist)
    response = client.post(f"/s/{rlist.share_token}/add/")
    assert response.headers["Location"].startswith("/accounts/login/")


LIST_URLS = [
    ("get", "/lists/{id}/"),
    ("post", "/lists/{id}/"),
    ("post", "/lists/{id}/delete/"),
    ("post", "/lists/{id}/items/"),
    ("post", "/lists/{id}/items/{item}/"),
    ("post", "/lists/{id}/items/{item}/move/"),
    ("post", "/lists/{id}/items/{item}/remove/"),
    ("post", "/lists/{id}/publish/"),
    ("post", "/lists/{id}/unpublish/"),
    ("get", "/lists/{id}/export.md"),
]


@pytest.mark.parametrize(("method", "url"), LIST_URLS)
def test_another_user_cannot_see_edit_or_revoke_my_list(client, bob, rlist, method, url):
    sharing.publish(rlist)
    rlist.refresh_from_db()
    before = (rlist.title, rlist.share_token, list(rlist.items.values_list("talk_id", "position")))
    client.force_login(bob)
    url = url.format(id=rlist.pk, item=rlist.items.first().pk)
    data = {"title": "hacked", "direction": "down", "talk": rlist.items.first().talk_id}
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    assert response.status_code == 404
    rlist.refresh_from_db()
    assert (
        rlist.title,
        rlist.share_token,
        list(rlist.items.values_list("talk_id", "position")),
    ) == before


@pytest.mark.parametrize(("method", "url"), LIST_URLS)
def test_list_pages_anonymous_are_sent_to_sign_in(client, rlist, method, url):
    url = url.format(id=rlist.pk, item=rlist.items.first().pk)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


# Markdown ---------------------------------------------------------------------


def test_list_markdown_round_trips_through_the_importer(alice_client, rlist, watched):
    response = alice_client.get(f"/lists/{rlist.pk}/export.md")
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="best-of-reinvent-2022.md"'
    )
    text = response.content.decode()
    parsed = parse_writeup(text)
    assert parsed.title == "Best of re:Invent 2022"
    assert parsed.intro == "Three talks worth your evening."
    # One section each, keynotes first, the curator's order within each.
    assert [t.title for t in parsed.talks] == [
        "Werner Vogels - CTO AWS",
        "Peter DeSantis - SVP AWS",
        "Operating highly available Multi-AZ applications",
    ]
    assert text.count("# Keynotes\n") == 1 and text.count("# Breakout Sessions\n") == 1
    by_title = {t.title: t for t in parsed.talks}
    vogels = by_title["Werner Vogels - CTO AWS"]
    assert vogels.video_id == "RfvL_423a-I"
    assert vogels.verdict == [
        "Funny and deep. From AWS re:Invent 2022. Suggested speed 1.5x. My rating: 5 of 5."
    ]
    assert [n["text"] for n in vogels.outline] == [
        "[12:34](https://youtu.be/RfvL_423a-I?t=754) the Matrix intro",
        "[1:02:03](https://youtu.be/RfvL_423a-I?t=3723) SimSpace Weaver part",
    ]
    assert "[YouTube](https://www.youtube.com/watch?v=RfvL_423a-I&t=90s)" in text
    assert "private thoughts" not in text  # that note is not shared
    assert by_title["Peter DeSantis - SVP AWS"].outline == []


def test_public_list_renders_its_intro_names_the_curator_and_the_total(client, alice, rlist):
    alice.first_name = "Alice <b>B</b>"
    alice.save()
    rlist.intro = "Watch **these** first.\n\n<script>x()</script>"
    rlist.save()
    token = sharing.publish(rlist)
    html = client.get(f"/s/{token}/").content.decode()
    assert "<strong>these</strong>" in html and "<script>x()" not in html
    assert '<meta property="og:description" content="Watch these first.' in html
    assert "A list recommended by Alice &lt;b&gt;B&lt;/b&gt;" in html
    # 2:00:00 keynotes at 1.5x (two) + 1:00:00 breakout at 1.25x
    assert "3 talks · 3:28:00 at the suggested speeds" in html
    for item in rlist.items.select_related("talk__conference"):
        assert f'href="{item.talk.get_absolute_url()}">{item.talk.title}</a>' in html
    assert 'data-copy="share-url"' in html
    # The whole link shows; each talk says where it is from and how long it takes.
    assert f"readonly>http://testserver/s/{token}/</textarea>" in html
    assert "<span>AWS re:Invent 2022</span>" in html
    assert "<span>1:20:00 at 1.5x, estimated</span>" in html  # a keynote at 1.5x
    assert "<span>48:00 at 1.25x, estimated</span>" in html  # a breakout at 1.25x


def test_diary_markdown_round_trips(alice_client, watched):
    text = alice_client.get("/watched/export.md").content.decode()
    parsed = parse_writeup(text)
    assert {t.video_id for t in parsed.talks} == {e.talk.video_ref for e in watched}
    desantis = next(t for t in parsed.talks if t.video_id == "R11YgBEZzqE")
    assert desantis.verdict[0].startswith("My rating: 3 of 5.")
    assert [n["text"] for n in desantis.outline] == ["private thoughts about SnapStart"]


def test_exported_writeup_imports_as_a_conference(tmp_path, alice, rlist):
    from django.core.management import call_command

    path = tmp_path / "list.md"
    path.write_text(exports.list_markdown(rlist))
    call_command("import_writeup", str(path), verbosity=0)
    imported = Talk.objects.filter(conference__name="Best of re:Invent 2022").order_by("position")
    assert [t.title for t in imported] == [
        "Werner Vogels - CTO AWS",
        "Peter DeSantis - SVP AWS",
        "Operating highly available Multi-AZ applications",
    ]


# CSV --------------------------------------------------------------------------


def test_diary_csv_opens_cleanly_and_neutralises_formulas(alice_client, alice, watched):
    Entry.objects.filter(pk=watched[1].pk).update(note='=HYPERLINK("http://evil","x")')
    Entry.objects.filter(pk=watched[2].pk).update(note="+1 and @SUM(A1)")
    Profile.objects.filter(user=alice).update(speed_percent=175)
    response = alice_client.get("/watched/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "title", "speaker", "rating", "speed", "note"]
    assert len(rows) == 4
    notes = {row[1]: row[5] for row in rows[1:]}
    assert (
        notes["Operating highly available Multi-AZ applications"]
        == '\'=HYPERLINK("http://evil","x")'
    )
    assert notes["Peter DeSantis - SVP AWS"] == "'+1 and @SUM(A1)"
    vogels = next(r for r in rows if r[1] == "Werner Vogels - CTO AWS")
    assert vogels[2:5] == ["Werner Vogels", "5", "1.75x"]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_csv_cell_neutralises_every_formula_start(value):
    assert exports._cell(value) == "'" + value


# JSON backup --------------------------------------------------------------------


def _upload(client, payload) -> object:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(
        "/account/restore/", {"file": SimpleUploadedFile("b.json", raw, "application/json")}
    )


def _comparable(data: dict) -> dict:
    data = dict(data)
    data.pop("exported_at")
    data.pop("username")
    for rl in data["lists"]:
        rl.pop("published")
    return data


def test_backup_round_trip_into_an_empty_account(client, alice, bob, alice_client, rlist, watched):
    queue.track(alice, Talk.objects.get(position=5))
    queued = queue.track(alice, Talk.objects.get(position=6), Entry.Status.WATCHING)
    queued.resume_seconds, queued.personal_seconds = 600, 2400
    queued.save()
    queued.tags.add("deep dive", "saas")
    Profile.objects.filter(user=alice).update(speed_percent=200)
    sharing.publish(rlist)

    response = alice_client.get("/account/backup.json")
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["format"] == "catch-up-backup"
    assert len(data["entries"]) == 5 and len(data["lists"]) == 1

    client.force_login(bob)
    response = _upload(client, data)
    assert response.status_code == 302
    restored = backup.backup(bob)
    assert _comparable(json.loads(json.dumps(restored))) == _comparable(data)
    # The public link is not carried over.
    assert not RecommendedList.objects.get(user=bob).is_published


def test_backup_merge_into_a_non_empty_account_has_no_duplicates(
    alice, bob, client, rlist, watched
):
    data = json.loads(json.dumps(backup.backup(alice)))
    mine = queue.track(bob, watched[0].talk)
    mine.note = "bob's own note"
    mine.save()
    client.force_login(bob)
    _upload(client, data)
    _upload(client, data)  # twice: still no duplicates
    assert Entry.objects.filter(user=bob).count() == 3
    kept = Entry.objects.get(pk=mine.pk)
    assert kept.note == "bob's own note"  # what the account had wins
    assert kept.rating == 5  # ...and the backup filled what was missing
    assert RecommendedList.objects.filter(user=bob).count() == 1
    assert ListItem.objects.filter(recommended_list__user=bob).count() == 3


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"not json at all", "this is not a JSON backup file"),
        (b"\xff\xfe\x00binary", "this is not a JSON backup file"),
        ({"format": "something-else"}, "this JSON file is not a Catch-up backup"),
        ([1, 2, 3], "this JSON file is not a Catch-up backup"),
        ({"format": "catch-up-backup", "version": 99}, "backup version 99 is not supported"),
        (
            {"format": "catch-up-backup", "version": 1, "profile": {}, "lists": [],
             "entries": [{"talk": {"video_id": "nonexistent"}}]},
            "entry 1: the talk 'nonexistent' is not in this catalog",
        ),
        (
            {"format": "catch-up-backup", "version": 1, "profile": {}, "lists": [],
             "entries": [{"talk": {"video_id": "RfvL_423a-I"}, "rating": 9}]},
            "entry 1: 'rating' is out of range",
        ),
        (
            {"format": "catch-up-backup", "version": 1, "profile": {}, "lists": [],
             "entries": [{"talk": {"video_id": "RfvL_423a-I"}, "status": "lost"}]},
            "entry 1: unknown status 'lost'",
        ),
        (
            {"format": "catch-up-backup", "version": 1, "profile": {"speed_percent": 300},
             "lists": [], "entries": []},
            "profile: 'speed_percent' is out of range",
        ),
    ],
)  # fmt: skip
def test_malformed_or_foreign_backup_is_refused_and_changes_nothing(
    alice_client, alice, watched, payload, message
):
    before = json.loads(json.dumps(backup.backup(alice)))
    response = _upload(alice_client, payload)
    assert response.status_code == 400
    assert f"Nothing was imported: {message}." in htmllib.unescape(response.content.decode())
    assert _comparable(json.loads(json.dumps(backup.backup(alice)))) == _comparable(before)


def test_backup_is_personal(client, alice_client, bob, watched):
    client.force_login(bob)
    data = json.loads(client.get("/account/backup.json").content)
    assert data["entries"] == [] and data["username"] == "bob"


@pytest.mark.parametrize(
    "url", ["/watched/export.md", "/watched/export.csv", "/account/backup.json"]
)
def test_exports_need_sign_in(client, url):
    assert client.get(url).headers["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.usefixtures("no_lazy_loads")
def test_shared_page_query_count(client, alice, make_talks, django_assert_num_queries, n):
    rlist = RecommendedList.objects.create(user=alice, title="L")
    for talk in make_talks(n):
        queue.track(alice, talk, Entry.Status.WATCHED)
        sharing.add_item(rlist, talk)
    token = sharing.publish(rlist)
    # list by digest (with its curator's page token), catalog version (the kept page's key),
    # items with talks, owner's records; then the first two only
    with django_assert_num_queries(4):
        response = client.get(f"/s/{token}/")
    assert response.content.decode().count('class="card"') == n
    with django_assert_num_queries(2):
        assert client.get(f"/s/{token}/").content.decode().count('class="card"') == n


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.usefixtures("no_lazy_loads")
def test_my_lists_query_count(alice_client, alice, make_talks, django_assert_num_queries, n):
    talks = make_talks(n)
    for i in range(n):
        rlist = RecommendedList.objects.create(user=alice, title=f"List {i}")
        for talk in talks:
            sharing.add_item(rlist, talk)
    # session with its person and profile, lists, their items
    with django_assert_num_queries(3):
        response = alice_client.get("/lists/")
    html = response.content.decode()
    assert all(f"List {i}" in html for i in range(n))


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.usefixtures("no_lazy_loads")
def test_list_page_query_count(alice_client, alice, make_talks, django_assert_num_queries, n):
    rlist = RecommendedList.objects.create(user=alice, title="L")
    for talk in make_talks(n):
        queue.track(alice, talk, Entry.Status.WATCHED)
        sharing.add_item(rlist, talk)
    # session with its person and profile, the list, its items with talks, the talks one
    # may add
    with django_assert_num_queries(4):
        response = alice_client.get(f"/lists/{rlist.pk}/")
    assert response.content.decode().count("Talk number") >= n
