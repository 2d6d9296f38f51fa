"""Sign up, sign in, sign out, change and reset a password."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

from tests.conftest import PASSWORD

NEW_PASSWORD = "another-quite-long-passphrase-77"


@pytest.mark.django_db
def test_signup_creates_account_and_signs_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "carol",
            "email": "carol@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain == [("/welcome/", 302)]
    assert "Sign out" in response.content.decode()
    assert User.objects.get(username="carol").email == "carol@example.com"


@pytest.mark.django_db
def test_signup_follows_a_local_next_but_not_an_external_one(client):
    data = {
        "username": "dan",
        "email": "d@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post("/accounts/signup/?next=/talks/x/y/", data)
    assert response.headers["Location"] == "/talks/x/y/"
    client.logout()
    data["username"] = "dan2"
    response = client.post("/accounts/signup/?next=https://evil.example/", data)
    assert response.headers["Location"] == "/welcome/"


@pytest.mark.django_db
def test_signup_mismatched_passwords_is_shown_next_to_the_field(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "carol", "email": "c@example.com", "password1": PASSWORD, "password2": "x"},
    )
    assert response.status_code == 400
    assert "The two password fields didn’t match." in response.content.decode()
    assert not User.objects.filter(username="carol").exists()


@pytest.mark.django_db
def test_signup_requires_an_email(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "carol", "email": "", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_signup_page_redirects_signed_in_users(alice_client):
    assert alice_client.get("/accounts/signup/").headers["Location"] == "/"


def test_sign_in_and_out(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, follow=True
    )
    assert "Sign out" in response.content.decode()
    response = client.post("/accounts/logout/", follow=True)
    html = response.content.decode()
    assert "Sign in" in html and "Sign out" not in html


def test_sign_in_wrong_password_says_so_and_how_many_tries_are_left(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    said = []
    for _ in range(2):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="form-errors" role="alert"' in html
        assert 'value="alice"' in html  # what was typed stays
        said.append(re.search(r"Wrong username or password[^<]*", html)[0])
    assert said == [
        "Wrong username or password (both are case-sensitive). 2 tries left, then sign-in "
        "for this account pauses for 15 minutes.",
        "Wrong username or password (both are case-sensitive). 1 try left, then sign-in "
        "for this account pauses for 15 minutes.",
    ]
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()


def test_password_change(alice_client, alice):
    page = alice_client.get("/accounts/password_change/")
    assert "Signed in as <strong>alice</strong>" in page.content.decode()
    response = alice_client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_password_change_needs_sign_in(client):
    response = client.get("/accounts/password_change/")
    assert response.headers["Location"] == "/accounts/login/?next=/accounts/password_change/"


def test_password_reset_by_email(client, alice):
    response = client.post("/accounts/password_reset/", {"email": "alice@example.com"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your Catch-up password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "You can now sign in with your new password." in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    # The link works once.
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_password_reset_unknown_email_looks_the_same(client, alice):
    response = client.post(
        "/accounts/password_reset/", {"email": "nobody@example.com"}, follow=True
    )
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_signup_states_the_password_rules_once_then_welcomes(client):
    page = client.get("/accounts/signup/").content.decode()
    assert page.count("At least 8 characters") == 1
    assert "<ul>" not in page.split("<form")[1].split("</form>")[0]  # no list of rules
    data = {"username": "nina", "email": "nina@example.com", "password1": PASSWORD,
            "password2": PASSWORD}  # fmt: skip
    response = client.post("/accounts/signup/", data, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/welcome/"
    assert "Welcome, nina" in html and "1.5x" in html
    response = client.post("/welcome/", {"speed_percent": "175"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Speed set to 1.75x. Now pick some talks." in response.content.decode()
    assert client.post("/welcome/", {"speed_percent": "300"}).status_code == 400
