"""Bad input anywhere gets a clear 4xx, never a 500; importers and forms are fuzzed."""

import contextlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import queue
from planner.backup import BackupError, parse_backup
from planner.forms import LengthForm, NoteForm, RatingForm, ReorderForm, StatusForm, TagForm
from sessions.writeup import WriteupError, decode, parse_writeup

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
junk_text = st.text(st.characters(codec="utf-8"), max_size=300)
FIELDS = ["status", "resume", "watched_on", "rating", "note", "name", "length"]


@pytest.fixture
def entry(alice, catalog):
    return queue.track(alice, catalog[0])


def test_nul_bytes_are_refused_with_a_message(alice_client, entry):
    hx = {"HX-Request": "true"}
    response = alice_client.post(f"/entries/{entry.pk}/note/", {"note": "a\x00b"}, headers=hx)
    assert response.status_code == 422
    assert "Null characters are not allowed." in response.content.decode()
    response = alice_client.post(
        f"/entries/{entry.pk}/status/", {"status": "watching", "resume": "1\x00:00"}
    )
    assert response.status_code == 400
    response = alice_client.post("/lists/", {"title": "x\x00"})
    assert response.status_code == 400


def test_oversized_body_is_a_400(alice_client, entry):
    response = alice_client.post(f"/entries/{entry.pk}/note/", {"note": "x" * 600_000})
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.note == ""


def test_huge_numbers_and_ids(alice_client, entry):
    assert alice_client.post("/talks/99999999999999999999/track/").status_code == 404
    assert (
        alice_client.post("/entries/99999999999999999999/rating/", {"rating": "1"}).status_code
        == 404
    )
    response = alice_client.post("/queue/reorder/", {"order": "9" * 40})
    assert response.status_code == 400
    response = alice_client.post(f"/entries/{entry.pk}/length/", {"length": "999999999:00:00"})
    assert response.status_code == 400
    assert alice_client.get("/", {"page": "9" * 30}).status_code == 200
    assert alice_client.get("/", {"min_rating": "9" * 30}).status_code == 400


def test_oversized_backup_upload_is_refused(alice_client, entry):
    big = SimpleUploadedFile("b.json", b" " * (5 * 1024 * 1024 + 1), "application/json")
    response = alice_client.post("/account/restore/", {"file": big})
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()


@FUZZ
@given(text=junk_text)
def test_fuzz_writeup_parser_only_raises_writeup_errors(text):
    with contextlib.suppress(WriteupError):
        parse_writeup(text)


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_writeup_decoder(data):
    with contextlib.suppress(WriteupError):
        parse_writeup(decode(data))


@FUZZ
@given(
    talks=st.lists(
        st.tuples(
            st.text('abcdefgh -:*"', min_size=1, max_size=20),
            st.text("ABCDEFGHIJKabc_-0123456789", min_size=0, max_size=14),
            st.lists(
                st.tuples(st.integers(0, 12), junk_text.filter(lambda t: "\n" not in t)), max_size=5
            ),
        ),
        max_size=4,
    )
)
def test_fuzz_writeup_shaped_input(talks):
    lines = ["---", "title: Fuzz 2024", "---", "# Keynotes"]
    for title, vid, bullets in talks:
        lines += [f"## {title}", f"[YouTube](https://youtu.be/{vid})"]
        lines += [" " * indent + f"* {text}" for indent, text in bullets]
    try:
        parsed = parse_writeup("\n".join(lines))
    except WriteupError:
        return
    assert all(len(t.video_id) == 11 for t in parsed.talks)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@FUZZ
@given(body=json_values, entries=st.lists(json_values, max_size=3))
def test_fuzz_backup_parser_only_raises_backup_errors(db, body, entries):
    for candidate in (
        body,
        {"format": "catch-up-backup", "version": 1, "profile": {}, "lists": [], "entries": entries},
        {
            "format": "catch-up-backup",
            "version": 1,
            "profile": body,
            "lists": entries,
            "entries": [],
        },
    ):
        with contextlib.suppress(BackupError):
            parse_backup(json.dumps(candidate).encode())


@FUZZ
@given(values=st.dictionaries(st.sampled_from(FIELDS + ["order"]), junk_text))
def test_fuzz_forms_never_crash(values):
    for form_class in (StatusForm, RatingForm, NoteForm, TagForm, LengthForm, ReorderForm):
        form = form_class(values)
        form.is_valid()


@FUZZ
@given(
    action=st.sampled_from(["status", "rating", "note", "tags", "tags/remove", "length", "move"]),
    values=st.dictionaries(
        st.sampled_from(FIELDS + ["direction"]),
        junk_text.filter(lambda t: "\x00" not in t) | st.sampled_from(["", "0", "-1", "NaN"]),
    ),
    htmx=st.booleans(),
)  # fmt: skip
def test_fuzz_personal_actions_answer_4xx_not_500(alice_client, entry, action, values, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = alice_client.post(f"/entries/{entry.pk}/{action}/", values, headers=headers)
    assert response.status_code < 500


@FUZZ
@given(params=st.dictionaries(
    st.sampled_from(["q", "kind", "topic", "status", "tag", "min_rating", "page"]), junk_text
))  # fmt: skip
def test_fuzz_filters_answer_4xx_not_500(alice_client, entry, params):
    for url in ("/", "/queue/"):
        assert alice_client.get(url, params).status_code in (200, 400)
