"""Sign-in can't be brute-forced, resets are throttled, sessions end when they should."""

import pytest
from django.core import mail
from django.test import Client

from planner.models import Session
from tests.conftest import PASSWORD


def test_repeated_wrong_passwords_lock_sign_in_with_429(client, alice):
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    # Even the right password waits out the cool-off.
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_and_address(client, alice, bob):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302


def test_password_reset_is_throttled(client, alice, settings):
    settings.RESET_RATE_PER_HOUR = 3
    for _ in range(3):
        response = client.post("/accounts/password_reset/", {"email": "alice@example.com"})
        assert response.status_code == 302
    response = client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    assert response.status_code == 429
    assert "Too many reset requests" in response.content.decode()
    assert len(mail.outbox) == 3


def test_signup_is_throttled(client, db, settings):
    settings.SIGNUP_RATE_PER_HOUR = 2
    data = {"email": "x@example.com", "password1": PASSWORD, "password2": PASSWORD}
    for n in range(2):
        assert client.post("/accounts/signup/", {"username": f"u{n}", **data}).status_code == 302
        client.logout()
    response = client.post("/accounts/signup/", {"username": "u9", **data})
    assert response.status_code == 429


def test_reset_does_not_reveal_which_emails_exist(client, alice):
    known = client.post("/accounts/password_reset/", {"email": "alice@example.com"}, follow=True)
    unknown = client.post("/accounts/password_reset/", {"email": "zed@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code == 200


def test_signup_does_not_reveal_emails_in_use(client, alice):
    data = {"username": "newbie", "email": "alice@example.com", "password1": PASSWORD,
            "password2": PASSWORD}  # fmt: skip
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 302  # an email address is not an identity here


def test_session_key_rotates_on_sign_in(client, alice):
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert client.session.session_key != before


def test_sign_out_kills_the_session_on_the_server(client, alice):
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie is worth nothing now.
    thief = Client()
    thief.cookies["sessionid"] = key
    assert thief.get("/queue/").status_code == 302


def test_password_change_ends_other_sessions(alice):
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        device.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
        assert device.get("/queue/").status_code == 200
    laptop.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "new-secret-phrase-99",
         "new_password2": "new-secret-phrase-99"},
    )  # fmt: skip
    assert laptop.get("/queue/").status_code == 200  # the device that changed it stays in
    assert phone.get("/queue/").status_code == 302  # the other one is signed out


@pytest.mark.parametrize("url", ["/accounts/logout/"])
def test_sign_out_needs_post(alice_client, url):
    assert alice_client.get(url).status_code == 405
