"""While the database is down, a page answers 500 and says so once in the log."""

import logging

from django.db import OperationalError
from django.db.backends import utils


def test_a_failing_database_is_logged_once(alice_client, caplog, monkeypatch):
    alice_client.get("/queue/")  # the session is good; then the database goes away

    def down(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    alice_client.raise_request_exception = False
    with monkeypatch.context() as patched, caplog.at_level(logging.ERROR, logger="django.request"):
        patched.setattr(utils.CursorWrapper, "execute", down)
        patched.setattr(utils.CursorWrapper, "executemany", down)
        response = alice_client.get("/queue/")
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.name == "django.request"]
    assert [r.levelno for r in errors] == [logging.ERROR]
    assert "no-store" in response["Cache-Control"]
