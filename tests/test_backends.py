"""The signed-in person is loaded from SQL compiled once (planner.serving.backends): the same
objects as the ORM's select_related query gives, whatever is or isn't there."""

import gc
import logging
import threading
import weakref

import django
import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from planner import queue
from planner.models import PageToken, Profile
from planner.serving import backends
from planner.serving.backends import load_user


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def same_as_the_orm(user_id) -> User:
    expected = User.objects.select_related("profile", "page_token").get(pk=user_id)
    with CaptureQueriesContext(connection) as queries:
        user = load_user(user_id)
        assert fields(user) == fields(expected)
        for name in ("profile", "page_token"):
            try:
                related = getattr(expected, name)
            except (Profile.DoesNotExist, PageToken.DoesNotExist):
                with pytest.raises((Profile.DoesNotExist, PageToken.DoesNotExist)):
                    getattr(user, name)
            else:
                assert fields(getattr(user, name)) == fields(related)
                assert getattr(user, name).user is user
    assert len(queries) == 1
    return user


def test_a_person_with_profile_and_token(alice, make_talks):
    Profile.objects.update_or_create(user=alice, defaults={"speed_percent": 175})
    queue.track(alice, make_talks(1)[0])
    alice.last_login = alice.date_joined
    alice.save()
    user = same_as_the_orm(alice.pk)
    assert user.profile.speed_percent == 175 and user.page_token.token
    assert user.date_joined.tzinfo is not None and user.is_active is True
    assert same_as_the_orm(str(alice.pk)).pk == alice.pk  # as the session stores it


def test_a_person_without_profile_or_token(db):
    bare = User.objects.create_user("bare", password="x")
    Profile.objects.filter(user=bare).delete()  # made by a signal: gone, as for an old account
    PageToken.objects.filter(user=bare).delete()
    same_as_the_orm(bare.pk)


def test_no_such_person(db):
    assert load_user(987654) is None


def test_only_the_django_release_it_was_written_for_uses_the_compiled_query():
    assert backends.compiled_loading((6, 1, 3, "final", 0))
    assert not backends.compiled_loading((6, 2, 0, "final", 0))
    assert not backends.compiled_loading((7, 0, 0, "alpha", 0))
    assert backends.compiled_loading(django.VERSION) == backends.USE_COMPILED


def test_another_release_falls_back_to_the_orm_and_says_so(alice, monkeypatch, caplog):
    Profile.objects.update_or_create(user=alice, defaults={"speed_percent": 175})
    monkeypatch.setattr(backends, "USE_COMPILED", False)
    monkeypatch.setattr(backends, "user_query", None)  # never reached
    user = same_as_the_orm(str(alice.pk))
    assert user.profile.speed_percent == 175
    with caplog.at_level(logging.WARNING, logger="planner.serving.backends"):
        backends.warn_if_not_compiled()
    assert "loaded with the ORM query" in caplog.text


def test_the_compiled_query_goes_with_its_connection(db):
    """A thread's connection wrapper, and the compiled query kept on it, are freed once
    the thread is done with them (nothing global holds either)."""
    seen = {}

    def work():
        backends.user_query("default")
        wrapper = connections["default"]
        seen["compiled"] = weakref.ref(getattr(wrapper, backends.ATTRIBUTE))
        seen["wrapper"] = weakref.ref(wrapper)
        wrapper.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    del thread
    gc.collect()
    assert seen["wrapper"]() is None
    assert seen["compiled"]() is None


def test_a_session_from_before_the_move_still_signs_the_person_in(alice, client):
    """Sessions stored before the backend moved into planner.serving name its old path;
    Django would sign such a person out."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore as PlainStore

    old = PlainStore()
    old[SESSION_KEY] = str(alice.pk)
    old[BACKEND_SESSION_KEY] = "planner.backends.ProfileModelBackend"
    old[HASH_SESSION_KEY] = alice.get_session_auth_hash()
    old.save()
    client.cookies["sessionid"] = old.session_key

    page = client.get("/queue/")

    assert page.status_code == 200
    assert "Sign out" in page.content.decode()
