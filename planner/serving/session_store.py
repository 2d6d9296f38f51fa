"""Django's database sessions in a table that names each session's person
(planner.models.Session): every signed-in request reads its session and then its person,
and here one query compiled once per connection reads both (planner.serving.backends)."""

from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from planner.models import Session
from planner.serving import backends

# Sessions signed in before the backend moved into this package name it by its old path;
# Django signs out a session whose backend is not in AUTHENTICATION_BACKENDS.
RENAMED_BACKENDS = {
    "planner.backends.ProfileModelBackend": "planner.serving.backends.ProfileModelBackend",
}


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        person = data.get(SESSION_KEY)
        session.user_id = None if person is None else get_user_model()._meta.pk.to_python(person)
        return session

    def load(self) -> dict:
        data = super().load()
        renamed = RENAMED_BACKENDS.get(data.get(BACKEND_SESSION_KEY))
        if renamed:
            data[BACKEND_SESSION_KEY] = renamed
        return data

    def _get_session_from_db(self):
        if not backends.USE_COMPILED:
            return super()._get_session_from_db()
        alias = router.db_for_read(self.model)
        now = connections[alias].ops.adapt_datetimefield_value(timezone.now())
        session = backends.load_session(self.session_key, now)
        if session is None:
            self._session_key = None
        return session
