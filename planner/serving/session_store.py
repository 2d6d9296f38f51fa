"""Django's database sessions, read with plain SQL: every signed-in request loads its
session, and building that ORM query cost more than running it."""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

# Sessions signed in before the backend moved into this package name it by its old path;
# Django signs out a session whose backend is not in AUTHENTICATION_BACKENDS.
RENAMED_BACKENDS = {
    "planner.backends.ProfileModelBackend": "planner.serving.backends.ProfileModelBackend",
}


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        data = super().load()
        renamed = RENAMED_BACKENDS.get(data.get(BACKEND_SESSION_KEY))
        if renamed:
            data[BACKEND_SESSION_KEY] = renamed
        return data

    def _get_session_from_db(self):
        table = self.model._meta.db_table
        connection = connections[router.db_for_read(self.model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
