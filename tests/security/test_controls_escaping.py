"""planner.controls builds its HTML with format_html: whatever a value holds, it is
escaped (a hostile page address, a talk's link or label from an import)."""

from types import SimpleNamespace

from planner import controls

EVIL = '"><script>alert(1)</script>'


def _talk(**extra):
    values = {"pk": 7, "video_ref": "x", "watch_url": "https://example.org/v?a=1&b=2",
              "video_label": "YouTube", "thumbnail": "", "title": "A talk"}  # fmt: skip
    return SimpleNamespace(**{**values, **extra})


def test_the_page_address_and_token_are_escaped_in_every_form():
    item = SimpleNamespace(talk=_talk(), entry=None)
    html = controls.queue_button({"csrf_token": EVIL, "here": EVIL}, item, "card", "closest li")
    assert "<script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_outside_links_labels_and_pictures_are_escaped():
    talk = _talk(
        watch_url=f"https://example.org/{EVIL}", video_label=EVIL, thumbnail=EVIL, title=EVIL
    )  # the poster under a picture carries the title
    for html in (controls.watch_link(talk), controls.thumbnail(talk, True)):
        assert "<script>" not in html
    assert "a=1&amp;b=2" in controls.watch_link(_talk())


def test_choice_labels_are_escaped_and_the_current_one_selected():
    field = SimpleNamespace(
        value=lambda: "b", field=SimpleNamespace(choices=[("a", EVIL), ("b", "Bee")])
    )
    html = controls.select_options(field)
    assert "<script>" not in html
    assert '<option value="b" selected>Bee</option>' in html


def test_every_value_is_escaped_even_our_own():
    """Ids, fragments and targets are ours today; a later caller passing something else
    still cannot break out of an attribute."""
    item = SimpleNamespace(talk=_talk(), entry=None)
    html = controls.watched_button({"here": "/"}, item, fragment=EVIL, target=EVIL)
    assert "<script>" not in html
    assert html.count('hx-target="&quot;&gt;&lt;script&gt;') == 1
