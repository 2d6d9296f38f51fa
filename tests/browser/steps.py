"""Steps the browser tests share."""

from tests.conftest import PASSWORD


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def scripts_ready(page) -> None:
    """Wait until the page's scripts run (htmx, then app.js marks <html class="js">): text
    typed before that is typed into a page without JavaScript, and no htmx request follows."""
    # A selector, not a script: the pages' CSP forbids the eval a wait_for_function needs.
    # app.js runs after htmx (both deferred, in order), so html.js means both are in.
    page.locator("html.js").wait_for(state="attached")
