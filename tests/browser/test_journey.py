"""A newcomer signs up, browses the catalog, searches and opens a talk."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import scripts_ready
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_signup_browse_search_open_talk(page, live_catalog):
    page.goto("/")
    expect(page.get_by_role("heading", name="Talks", level=1)).to_be_visible()
    expect(page.locator("#result-count")).to_have_text("13 talks")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Welcome, newcomer")).to_be_visible()
    page.get_by_role("link", name="Skip: browse the talks at 1.5x").click()
    expect(page.locator(".account-menu summary")).to_contain_text("Account")
    expect(page.get_by_role("heading", name="Werner Vogels - CTO AWS")).to_be_visible()

    # Typing filters through htmx: the results change and the URL follows.
    scripts_ready(page)
    page.get_by_label("Search").fill("eventbridge")
    expect(page.locator("#result-count")).to_have_text("5 talks matching “eventbridge”")
    expect(page).to_have_url(re.compile(r"\?q=eventbridge"))
    expect(page.get_by_role("heading", name="Werner Vogels - CTO AWS")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Scaling on AWS for your first 10 million users")
    ).to_have_count(0)

    page.get_by_role(
        "link", name="Designing event-driven integrations using Amazon EventBridge", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Designing event-driven integrations using Amazon EventBridge"
    )
    expect(page.get_by_role("heading", name="Outline")).to_be_visible()
    expect(page.get_by_text("Limit of 2000 rules per event bus")).to_be_visible()
    watch = page.get_by_role("link", name="Watch on YouTube")
    expect(watch).to_have_attribute("href", "https://www.youtube.com/watch?v=eUjbLFPsATE")


def test_search_works_without_javascript(browser, live_server, live_catalog):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Search").fill("snapstart")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"\?q=snapstart"))
    expect(page.locator("#result-count")).to_have_text("1 talk matching “snapstart”")
    expect(page.get_by_role("heading", name="Peter DeSantis - SVP AWS")).to_be_visible()
    page.get_by_text("More filters").click()
    page.get_by_label("Topic").select_option("security")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#result-count")).to_have_text("0 talks matching “snapstart” on security")
    context.close()
