"""The catalog and talk pages, as a visitor sees them."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import FieldFetchBlocked

from sessions.models import Talk
from tests.conftest import EXPECTED_TITLES


def test_catalog_lists_every_talk_in_writeup_order(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(title.replace("'", "&#x27;")) for title in EXPECTED_TITLES]
    assert positions == sorted(positions)
    assert "13 talks" in html
    assert "AWS re:Invent 2022: Keynotes" in html
    assert "AWS re:Invent 2022: Breakout sessions" in html
    # verdict and a short view of the outline on each card
    assert "Entertaining, thought provoking, well worth watching." in html
    assert 'Lovely "The Matrix" parody intro' in html
    # A card's picture plays the talk here (the talk page links out to YouTube).
    assert 'href="/talks/aws-reinvent-2022/werner-vogels-cto-aws/#play" tabindex="-1"' in html


def test_catalog_search_without_javascript_returns_whole_page(client, catalog):
    response = client.get("/", {"q": "snapstart"})
    html = response.content.decode()
    assert "<html" in html
    assert "1 talk matching “snapstart”" in html
    assert "Peter DeSantis - SVP AWS" in html
    assert "Werner Vogels - CTO AWS" not in html


def test_catalog_search_matches_title_speaker_and_outline(client, catalog):
    assert "Werner Vogels - CTO AWS" in client.get("/", {"q": "vogels"}).content.decode()
    by_outline = client.get("/", {"q": "shuffle sharding"}).content.decode()
    assert "2 talks matching" in by_outline
    assert "Reliable scalability" in by_outline
    assert "Beyond five 9s" in by_outline
    assert "No talks match" in client.get("/", {"q": "kubernetes"}).content.decode()


@pytest.mark.parametrize("signed_in", [False, True])
def test_each_search_box_holds_its_own_words(client, catalog, alice, signed_in):
    """The filter form is kept per filters with the words put in afresh: a later search
    never shows an earlier one's words, and words are escaped like any value."""
    import re

    if signed_in:
        client.force_login(alice)

    def box(**params) -> list[str]:
        html = client.get("/", params).content.decode()
        return re.findall(r'<input type="search" name="q"[^>]*>', html)

    assert 'value="vogels"' in box(q="vogels")[0]
    assert 'value="lambda &lt;b&gt; &quot;x&quot;"' in box(q='lambda <b> "x"')[0]
    assert 'value="snapstart"' in box(q="snapstart", kind="breakout")[0]
    assert 'value="snapstart"' in box(q="snapstart")[0]
    (empty,) = box()
    assert "value=" not in empty
    assert "value=" not in box(q="")[0]
    (again,) = box(q="vogels")
    assert 'value="vogels"' in again
    assert "\x1f" not in again


def test_catalog_search_with_htmx_returns_only_the_results(client, catalog):
    response = client.get("/", {"q": "eventbridge"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<form" not in html
    assert "Designing event-driven integrations using Amazon EventBridge" in html
    assert "Operating highly available Multi-AZ applications" not in html


def test_catalog_filters_by_topic(client, catalog):
    html = client.get("/", {"topic": "saas"}).content.decode()
    assert "1 talk on saas" in html
    assert "SaaS microservices deep dive" in html
    assert '<option value="saas" selected>saas</option>' in html


def test_catalog_unknown_topic_is_a_clear_error(client, catalog):
    response = client.get("/", {"topic": "no-such-topic"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_catalog_overlong_search_is_a_clear_error(client, catalog):
    response = client.get("/", {"q": "x" * 500})
    assert response.status_code == 400
    assert "Ensure this value has at most 200 characters" in response.content.decode()


def test_catalog_paginates(client, make_talks):
    make_talks(25)
    first = client.get("/").content.decode()
    assert "Page 1 of 2" in first
    assert "Talk number 19" in first and "Talk number 20" not in first
    second = client.get("/", {"page": 2}).content.decode()
    assert "Talk number 20" in second and "Talk number 24" in second
    # Junk page numbers fall back to a real page instead of failing.
    assert client.get("/", {"page": "abc"}).status_code == 200


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.usefixtures("no_lazy_loads")
def test_catalog_query_count_is_constant(client, make_talks, django_assert_num_queries, n):
    make_talks(n)
    # catalog version, topics in use, filter choices (2), count (first time only), talks,
    # their topics (only for cards not yet drawn for this catalog version)
    with django_assert_num_queries(7):
        response = client.get("/")
    assert f"{n} talk" in response.content.decode()
    with django_assert_num_queries(1):  # the version: the signed-out page is kept
        assert f"{n} talk" in client.get("/").content.decode()


@pytest.mark.usefixtures("no_lazy_loads")
def test_lazy_loads_fail_under_the_query_count_guard(make_talks):
    # The guard the query-count tests use must really stop a lazy load.
    make_talks(1)
    listed = Talk.objects.for_lists().get()
    assert listed.verdict_html == "<p>Verdict 0.</p>"
    with pytest.raises(FieldFetchBlocked):
        listed.outline_html  # noqa: B018
    with pytest.raises(FieldFetchBlocked):
        Talk.objects.get().conference  # noqa: B018


def test_talk_page_shows_verdict_tagline_outline_and_link(client, catalog):
    response = client.get("/talks/aws-reinvent-2022/werner-vogels-cto-aws/")
    html = response.content.decode()
    assert response.status_code == 200
    assert ">Werner Vogels - CTO AWS</h1>" in html
    assert "Werner Vogels, CTO AWS" in html
    assert "“The World is Asynchronous”" in html
    assert "Entertaining, thought provoking, well worth watching." in html
    assert 'href="https://www.youtube.com/watch?v=RfvL_423a-I"' in html
    assert "Watch on YouTube" in html
    # Full outline, nested, with the writeup's own links.
    assert "Curiosity with Werner Vogels" in html
    assert (
        '<a href="https://aws.amazon.com/builders-library/cicd-pipeline/" '
        'rel="noopener noreferrer nofollow">My CI/CD pipeline is my release captain</a>'
    ) in html
    assert html.count('<ul class="outline">') > 5


def test_talk_page_group_headings(client, catalog):
    html = client.get("/talks/aws-reinvent-2022/adam-selipsky-ceo-aws/").content.decode()
    assert '<span class="outline-heading">Fun facts</span>' in html
    assert '<span class="outline-heading">New Announcements</span>' in html
    assert "Amazon Omics - vertical application" in html


def test_talk_page_unknown_is_404(client, catalog):
    assert client.get("/talks/aws-reinvent-2022/nope/").status_code == 404
    assert client.get("/talks/other-conf/werner-vogels-cto-aws/").status_code == 404


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.usefixtures("no_lazy_loads")
def test_talk_page_query_count(client, make_talks, django_assert_num_queries, n):
    # the catalog's version (the page is kept: planner.serving.kept), the talk with its conference,
    # its topics, its recordings, its transcripts' passages; then only the version
    talks = make_talks(n)
    with django_assert_num_queries(5):
        client.get(talks[-1].get_absolute_url())
    with django_assert_num_queries(1):
        client.get(talks[-1].get_absolute_url())


def test_admin_is_for_staff_only(client, catalog):
    response = client.get("/admin/talk_sessions/talk/")
    assert response.status_code == 302
    staff = User.objects.create_user("staff", password="x", is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/talk_sessions/talk/")
    assert response.status_code == 200
    assert "Werner Vogels - CTO AWS" in response.content.decode()


def test_healthz_is_cheap(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.content == b"ok"


def test_the_signed_out_home_says_what_this_is_with_sign_up(alice_client, catalog):
    from django.test import Client

    client = Client()
    html = client.get("/").content.decode()
    pitch = html.split('<section class="panel pitch"')[1].split("</section>")[0]
    for point in ("Queue", "Watch here", "Plan your evenings", "Share lists"):
        assert f"<strong>{point}</strong>" in pitch
    assert 'href="/accounts/signup/">Sign up</a>' in pitch
    assert html.index("pitch") < html.index('class="card')  # above the catalog
    assert "pitch-heading" not in client.get("/?q=lambda").content.decode()  # not on a search
    assert "pitch-heading" not in alice_client.get("/").content.decode()
