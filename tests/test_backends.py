"""The signed-in person is loaded from SQL compiled once (planner.backends): the same
objects as the ORM's select_related query gives, whatever is or isn't there."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planner import queue
from planner.backends import load_user
from planner.models import PageToken, Profile


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
