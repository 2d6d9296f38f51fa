"""The signed-in person is loaded from SQL compiled once (planner.serving.backends): the same
objects as the ORM's select_related query gives, whatever is or isn't there."""

import datetime
import gc
import importlib
import logging
import threading
import time
import weakref

import django
import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user
from django.contrib.auth.models import User
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session as PlainSession
from django.db import connection, connections
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from planner import queue
from planner.models import PageToken, Profile, Session
from planner.serving import backends
from planner.serving.backends import load_user
from tests.conftest import PASSWORD

BACKEND = "planner.serving.backends.ProfileModelBackend"


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


def plain_session(data: dict) -> str:
    """A session as Django's own database store wrote it, before sessions had a table of
    our own (planner migration 0013)."""
    from django.contrib.sessions.backends.db import SessionStore as PlainStore

    old = PlainStore()
    old.update(data)
    old.save()
    return old.session_key


def move_sessions_as_the_migration_does() -> None:
    from django.apps import apps

    importlib.import_module("planner.migrations.0013_sessions").forwards(apps, None)


def test_sessions_from_before_the_moves_still_sign_the_person_in(alice, client):
    """Sessions stored before the backend moved into planner.serving name its old path
    (Django would sign such a person out), and lived in Django's own table."""
    key = plain_session(
        {
            SESSION_KEY: str(alice.pk),
            BACKEND_SESSION_KEY: "planner.backends.ProfileModelBackend",
            HASH_SESSION_KEY: alice.get_session_auth_hash(),
        }
    )
    move_sessions_as_the_migration_does()
    assert Session.objects.get(session_key=key).user == alice
    assert not PlainSession.objects.exists()  # none left to come back by migrating back
    client.cookies["sessionid"] = key

    page = client.get("/queue/")

    assert page.status_code == 200
    assert "Sign out" in page.content.decode()


def test_the_move_keeps_sessions_of_nobody_and_of_people_gone(alice, db):
    gone = User.objects.create_user("gone", password="x")
    anonymous = plain_session({"theme": "dark"})
    orphan = plain_session({SESSION_KEY: str(gone.pk), BACKEND_SESSION_KEY: BACKEND})
    gone.delete()
    Session.objects.all().delete()
    move_sessions_as_the_migration_does()
    moved = dict(Session.objects.values_list("session_key", "user_id"))
    assert moved == {anonymous: None, orphan: None}


def test_a_session_names_its_person_from_sign_in_to_sign_out(alice, client):
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    key = client.cookies["sessionid"].value
    assert Session.objects.get(session_key=key).user == alice
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()


def test_deleting_a_person_deletes_their_sessions(alice, client):
    client.force_login(alice)
    assert Session.objects.filter(user=alice).count() == 1
    alice.delete()
    assert not Session.objects.exists()


def test_one_query_reads_the_session_and_the_person(alice, client):
    Profile.objects.update_or_create(user=alice, defaults={"speed_percent": 175})
    client.force_login(alice)
    request = RequestFactory().get("/")
    request.COOKIES["sessionid"] = client.cookies["sessionid"].value
    SessionMiddleware(lambda r: None).process_request(request)
    with CaptureQueriesContext(connection) as queries:
        user = get_user(request)
    assert user == alice and user.profile.speed_percent == 175 and user.page_token.token
    assert len(queries) == 1, [q["sql"] for q in queries]


def test_a_compiled_session_query_is_not_built_again(db, monkeypatch):
    compiled = backends.session_query("default")

    def built_again(*args, **kwargs):
        raise AssertionError("the session queryset was built again")

    monkeypatch.setattr(Session.objects, "using", built_again)
    assert backends.session_query("default") is compiled


def test_each_read_gives_its_own_person_profile_and_token(alice, db):
    """The compiled query's populators are built once and shared by every read: nothing of
    one read may show in another."""
    bob = User.objects.create_user("bob", password="x")
    Profile.objects.update_or_create(user=alice, defaults={"speed_percent": 175})
    Profile.objects.update_or_create(user=bob, defaults={"speed_percent": 200})
    first, second, again = load_user(alice.pk), load_user(bob.pk), load_user(alice.pk)
    assert (first.profile.speed_percent, second.profile.speed_percent) == (175, 200)
    assert first is not again and first.profile is not again.profile
    for person in (first, second, again):
        assert person.profile.user is person and person.page_token.user is person


def test_the_person_read_with_a_session_is_taken_once_and_only_for_them(alice, db):
    bob = User.objects.create_user("bob", password="x")
    store = importlib.import_module("planner.serving.session_store").SessionStore()
    store.update({SESSION_KEY: str(alice.pk), BACKEND_SESSION_KEY: BACKEND})
    store.save()
    backend = backends.ProfileModelBackend()

    backends.load_session(store.session_key, timezone.now())
    with CaptureQueriesContext(connection) as queries:
        assert backend.get_user(bob.pk) == bob  # another person: read afresh
    assert len(queries) == 1

    backends.load_session(store.session_key, timezone.now())
    with CaptureQueriesContext(connection) as queries:
        assert backend.get_user(str(alice.pk)) == alice
        assert backend.get_user(alice.pk) == alice  # the second time: read afresh
    assert len(queries) == 1


def test_a_session_whose_person_column_is_empty_still_signs_them_in(alice, client):
    """A session row written by something other than our store (say, a script that saved it
    through Django's plain model) names its person only in its data."""
    client.force_login(alice)
    Session.objects.update(user=None)
    page = client.get("/queue/")
    assert page.status_code == 200 and "Sign out" in page.content.decode()


def test_the_workers_clock_forgets_expired_sessions(alice, client):
    """Expired sessions sign nobody in; the worker's clock deletes them, not live ones."""
    from planner import background

    client.force_login(alice)
    live = client.cookies["sessionid"].value
    store = importlib.import_module("planner.serving.session_store").SessionStore
    old = store()
    old.update({SESSION_KEY: str(alice.pk), BACKEND_SESSION_KEY: BACKEND})
    old.set_expiry(1)
    old.save()
    expired = old.session_key
    later = timezone.now() + datetime.timedelta(seconds=5)
    background.tick(later)
    assert set(Session.objects.values_list("session_key", flat=True)) == {live}
    assert expired != live


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _session_sql(client) -> list[str]:
    """What the page's session read sent (the statement that names the session table)."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/queue/")
    assert page.status_code == 200 and "Sign out" in page.content.decode()
    return [q["sql"] for q in queries if backends.SESSION_STATEMENT in q["sql"]
            or "planner_session" in q["sql"]]  # fmt: skip


def _forget_prepared() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    setattr(connection, backends.PREPARED_ON, None)


@on_postgresql
def test_the_session_query_is_prepared_once_a_connection(alice, client):
    client.force_login(alice)
    _forget_prepared()
    first, again = _session_sql(client), _session_sql(client)
    assert len(first) == 1 and first[0].startswith("PREPARE planner_session AS SELECT")
    assert again == [again[0]] and again[0].startswith("EXECUTE planner_session(")


@on_postgresql
def test_without_prepared_statements_the_query_is_sent_as_text(alice, client, settings):
    settings.PREPARED_SESSION_QUERY = False
    client.force_login(alice)
    sent = _session_sql(client)
    assert len(sent) == 1 and sent[0].startswith("SELECT (SELECT token")


@on_postgresql
def test_a_statement_the_connection_lost_or_already_has_is_taken_in_stride(
    transactional_db, alice, client
):
    """Outside a transaction, as the session is read: DEALLOCATE run by someone else, a
    connection that has the statement though this process does not know it, and a new
    connection."""
    client.force_login(alice)
    _session_sql(client)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert _session_sql(client)[-1].startswith("PREPARE planner_session")
    setattr(connection, backends.PREPARED_ON, None)
    assert _session_sql(client)[-1].startswith("EXECUTE planner_session(")
    assert getattr(connection, backends.PREPARED_ON) is connection.connection
    connection.close()  # a new connection has not got it
    assert _session_sql(client)[-1].startswith("PREPARE planner_session")


# The health check between requests (planner.serving.postgresql) --------------------


@pytest.fixture
def own_connection(db):
    """A connection of its own, outside the test's transaction, as a worker keeps one."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _asked_if_usable(wrapper, monkeypatch) -> list[bool]:
    asked = []
    usable = wrapper.is_usable
    monkeypatch.setattr(wrapper, "is_usable", lambda: asked.append(usable()) or asked[-1])
    return asked


def _until_it_has_something_to_read(wrapper) -> None:
    from planner.serving.postgresql.base import _nothing_to_read

    deadline = time.monotonic() + 5
    while _nothing_to_read(wrapper.connection.fileno()) and time.monotonic() < deadline:
        time.sleep(0.01)


@on_postgresql
def test_a_connection_the_server_said_nothing_on_is_trusted_without_a_round_trip(
    own_connection, monkeypatch
):
    asked = _asked_if_usable(own_connection, monkeypatch)
    pid = _pid(own_connection)
    own_connection.close_if_unusable_or_obsolete()  # as at the end of a request
    assert not own_connection.health_check_done  # the next request's first query checks
    assert _pid(own_connection) == pid
    assert asked == [] and own_connection.health_check_done


@on_postgresql
def test_a_connection_the_server_ended_is_noticed_and_opened_again(own_connection, monkeypatch):
    asked = _asked_if_usable(own_connection, monkeypatch)
    pid = _pid(own_connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    _until_it_has_something_to_read(own_connection)
    own_connection.close_if_unusable_or_obsolete()
    assert _pid(own_connection) != pid  # no error page: a new connection
    assert asked == [False]


@on_postgresql
def test_a_connection_that_heard_something_else_is_asked_and_kept(own_connection, monkeypatch):
    asked = _asked_if_usable(own_connection, monkeypatch)
    with own_connection.cursor() as cursor:
        cursor.execute("LISTEN planner_test")
    pid = _pid(own_connection)
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("NOTIFY planner_test")
    other.close()
    _until_it_has_something_to_read(own_connection)
    own_connection.close_if_unusable_or_obsolete()
    assert _pid(own_connection) == pid
    assert asked == [True]
