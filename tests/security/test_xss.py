"""Whatever a person types comes out inert: in pages, fragments, the share page, exports, admin."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User

from planner import exports, queue, sharing
from planner.models import Entry, RecommendedList

PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    '"><svg onload=window.__xss=1>',
    "[click me](javascript:window.__xss=1)",
    '<a href="javascript:window.__xss=1">x</a>',
    '<div hx-get="/queue/" hx-trigger="load">x</div>',
    '<button hx-on:click="window.__xss=1">x</button>',
    "'; window.__xss=1; '",
    "{{ request.user.password }}{% csrf_token %}",
]
OUR_HX_TRIGGERS = {
    "input changed delay:300ms from:#id_q, change from:select, submit",
    "change, submit",
    "submit, input changed delay:800ms from:find textarea",
    "input delay:800ms, change",
}


class Inspector(HTMLParser):
    """Collects anything in a page that could run code."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"svg", "iframe", "object", "embed", "base", "form"} and tag != "form":
            self.problems.append(f"<{tag}>")
        if tag == "script" and "nonce" not in attrs:
            self.problems.append("script without our nonce")
        for name, value in attrs.items():
            value = value or ""
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"{tag} {name}={value!r}")
            if name in {"href", "src", "action", "formaction"} and value.strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"{tag} {name}={value!r}")
            if name == "hx-trigger" and value not in OUR_HX_TRIGGERS:
                self.problems.append(f"{tag} hx-trigger={value!r}")


def assert_inert(html: str, where: str) -> None:
    inspector = Inspector()
    inspector.feed(html)
    assert inspector.problems == [], f"{where}: {inspector.problems}"
    assert "window.__xss=1</script>" not in html, where


@pytest.fixture
def attacker(catalog) -> User:
    return User.objects.create_user("mallory", "m@example.com", "x")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_every_text_field_come_out_inert(client, attacker, catalog, payload):
    client.force_login(attacker)
    talk = catalog[2]
    client.post(f"/talks/{talk.pk}/track/", {"status": "watched"})
    entry = Entry.objects.get(user=attacker, talk=talk)
    client.post(f"/entries/{entry.pk}/note/", {"note": f"12:34 {payload}\n\n{payload}"})
    tag_response = client.post(f"/entries/{entry.pk}/tags/", {"name": payload})
    assert tag_response.status_code == 400  # tags are plain words
    entry.tags.add(payload[:50])  # ...and even one that got in some other way is escaped
    client.post("/lists/", {"title": payload[:150], "intro": payload})
    rlist = RecommendedList.objects.get(user=attacker)
    client.post(f"/lists/{rlist.pk}/items/", {"talk": talk.pk})
    item = rlist.items.get()
    client.post(
        f"/lists/{rlist.pk}/items/{item.pk}/",
        {f"item{item.pk}-blurb": payload[:280], f"item{item.pk}-speed_percent": "150",
         f"item{item.pk}-share_note": "on"},
    )  # fmt: skip
    item.refresh_from_db()
    assert item.blurb == payload[:280]  # stored as typed...
    token = sharing.publish(rlist)

    hx = {"HX-Request": "true"}
    pages = {
        "talk page": client.get(talk.get_absolute_url()),
        "catalog": client.get("/"),
        "catalog fragment": client.get("/", {"tag": payload[:50]}, headers=hx),
        "watched": client.get("/watched/"),
        "lists": client.get("/lists/"),
        "list page": client.get(f"/lists/{rlist.pk}/"),
        "note fragment": client.post(f"/entries/{entry.pk}/note/", {"note": payload}, headers=hx),
        "tags fragment": client.post(
            f"/entries/{entry.pk}/tags/remove/", {"name": "x"}, headers=hx
        ),
        "share page": client.get(f"/s/{token}/"),
    }
    client.logout()
    pages["share page, signed out"] = client.get(f"/s/{token}/")
    for where, response in pages.items():
        assert response.status_code < 500, where
        assert_inert(response.content.decode(), where)  # ...and shown inert

    markdown = exports.list_markdown(rlist) + exports.diary_markdown(attacker)
    assert "<script" not in markdown and "<img" not in markdown and "<svg" not in markdown
    assert "<div" not in markdown and "<button" not in markdown
    csv_text = exports.diary_csv(attacker)
    assert "\n=" not in csv_text and ",=" not in csv_text


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_payloads_are_inert_in_the_admin(client, attacker, catalog, payload):
    entry = queue.track(attacker, catalog[0])
    entry.note = payload
    entry.save()
    RecommendedList.objects.create(user=attacker, title=payload[:150], intro=payload)
    staff = User.objects.create_user("staff", password="x", is_staff=True, is_superuser=True)
    client.force_login(staff)
    for url in [
        "/admin/planner/entry/",
        f"/admin/planner/entry/{entry.pk}/change/",
        "/admin/planner/recommendedlist/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "window.__xss=1</script>" not in html
        assert "<img src=x onerror" not in html and "<svg onload" not in html


@pytest.mark.parametrize("payload", PAYLOADS[:4])
def test_display_names_cannot_carry_markup(client, db, payload):
    response = client.post(
        "/accounts/signup/",
        {"username": payload[:150], "email": "x@example.com", "password1": "long-enough-pass-1",
         "password2": "long-enough-pass-1"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Enter a valid username" in response.content.decode()
    assert_inert(response.content.decode(), "sign-up form")
    assert not User.objects.exists()
