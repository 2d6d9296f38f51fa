"""The browser tests' own harness."""

import pytest

pytestmark = pytest.mark.browser


def test_a_browser_that_died_is_launched_again_for_the_next_test(chromium):
    dead = chromium.current()
    dead.close()  # as a crash leaves it: disconnected
    assert not dead.is_connected()
    again = chromium.current()
    assert again is not dead and again.is_connected()
    assert again.new_page().evaluate("1 + 1") == 2
