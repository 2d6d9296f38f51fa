"""The session and the signed-in person, loaded by SQL compiled once per database connection:
one query reads the session row, the person it names, their profile and page token, and
the catalog's version (`load_session`); `load_user` reads a person by id the same way.

Building the select_related queries cost more than running them on every request, so this
module compiles them once and turns rows into objects with Django's own steps. Those steps
(`get_related_populators`, `apply_converters`, `from_db(fetch_mode=)`) are internals:
WRITTEN_FOR names the Django release they were read from, and on any other release the
plain ORM query is used instead (a warning says so once at start-up) until someone has
checked them again.
"""

import datetime
import logging
from contextvars import ContextVar
from dataclasses import dataclass

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import ProgrammingError, connections, router
from django.db.models import query
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

from planner.models import Session
from sessions import listing

EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)  # a placeholder: compiled, not run


@dataclass(frozen=True)
class Compiled:
    """A select_related query compiled once per database connection, with the catalog's
    version as its first column."""

    sql: str
    compiler: SQLCompiler
    converters: dict
    init_list: list[str]
    start: int
    end: int
    # Django's select_related populators for these columns, built once: with the default
    # fetch mode they keep nothing between rows (0.1 ms a request to build them again).
    populators: list
    # On PostgreSQL, the statement that prepares the query under `name` on a connection,
    # and the one that runs it (see _execute).
    prepare: str = ""
    execute: str = ""


WRITTEN_FOR = (6, 1)
logger = logging.getLogger(__name__)


def compiled_loading(version: tuple = django.VERSION) -> bool:
    """Whether the internals load_user leans on are the ones it was written against."""
    return tuple(version[:2]) == WRITTEN_FOR


USE_COMPILED = compiled_loading()


def warn_if_not_compiled() -> None:
    """Called at start-up (PlannerConfig.ready)."""
    if not USE_COMPILED:
        logger.warning(
            "planner.serving.backends was written for Django %s.%s, this is %s: the signed-in "
            "person is loaded with the ORM query (slower) until the module is checked again.",
            *WRITTEN_FOR,
            django.get_version(),
        )


# Kept on the connection wrapper itself: it goes with the wrapper (a dictionary keyed on
# the wrapper kept it forever, as the compiler inside the value refers to the wrapper).
ATTRIBUTE = "_planner_user_query"
SESSION_ATTRIBUTE = "_planner_session_query"


def _compile(queryset, first, params: int, name: str = "") -> Compiled:
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, placeholders = compiler.as_sql()
    # The filter's values are the only parameters, in the order the callers pass them.
    assert len(placeholders) == params and placeholders[0] == first, placeholders
    # The catalog's version as a first column: every signed-in page asks for it next.
    assert sql.startswith("SELECT "), sql
    sql = f"SELECT ({listing.VERSION_SQL}), {sql.removeprefix('SELECT ')}"
    select, info = compiler.select, compiler.klass_info
    start, end = info["select_fields"][0], info["select_fields"][-1] + 1
    fetch_mode = query.DEFAULT_FETCH_MODE  # what a new queryset would use
    assert not fetch_mode.track_peers  # a populator that tracks peers keeps every row's
    prepare = execute = ""
    if name and connections[queryset.db].vendor == "postgresql":
        pieces = sql.split("%s")
        assert len(pieces) == params + 1 and "%" not in "".join(pieces), sql
        numbered = pieces[0] + "".join(f"${n}{piece}" for n, piece in enumerate(pieces[1:], 1))
        prepare = f"PREPARE {name} AS {numbered}"
        execute = f"EXECUTE {name}({', '.join(['%s'] * params)})"
    return Compiled(
        sql=sql,
        compiler=compiler,
        converters=compiler.get_converters([column[0] for column in select]),
        init_list=[column[0].target.attname for column in select[start:end]],
        start=start,
        end=end,
        populators=get_related_populators(info, select, queryset.db, fetch_mode),
        prepare=prepare,
        execute=execute,
    )


def _compiled(alias: str, attribute: str, build) -> Compiled:
    connection = connections[alias]
    if (compiled := getattr(connection, attribute, None)) is None:
        compiled = build()
        setattr(connection, attribute, compiled)
    return compiled


def user_query(alias: str) -> Compiled:
    """The user with profile and page token, by id."""
    people = get_user_model()._default_manager.using(alias)
    return _compiled(
        alias,
        ATTRIBUTE,
        lambda: _compile(people.select_related("profile", "page_token").filter(pk=0), 0, 1),
    )


def session_query(alias: str) -> Compiled:
    """A session that has not expired, with the person it signs in as (and their profile
    and page token), by key."""

    def build() -> Compiled:
        # Built only when compiling: the queryset alone cost 0.25 ms a request.
        sessions = Session.objects.using(alias).select_related("user__profile", "user__page_token")
        # Two filters, so that the key comes first (one filter's keywords are sorted by name).
        current = sessions.filter(session_key="KEY").filter(expire_date__gt=EPOCH)
        return _compile(current, "KEY", 2, SESSION_STATEMENT)

    return _compiled(alias, SESSION_ATTRIBUTE, build)


# PostgreSQL plans the session query's four-table join afresh each time it is sent as
# text: 0.55 ms a request where running it is 0.25. Prepared once per connection, it is
# planned once (or a few times, until PostgreSQL settles on a generic plan).
SESSION_STATEMENT = "planner_session"
PREPARED_ON = "_planner_prepared_on"  # on the wrapper: the connection it was prepared on


def _execute(alias: str, cursor, compiled: Compiled, params: list) -> None:
    """Run the compiled query: as text, or as the statement prepared on this connection,
    preparing it first (in the same round trip) on a connection that has not got it. A
    prepared statement lasts as long as its connection, whatever becomes of transactions."""
    wrapper = connections[alias]
    if not compiled.execute or not getattr(settings, "PREPARED_SESSION_QUERY", False):
        cursor.execute(compiled.sql, params)
        return
    both = f"{compiled.prepare}; {compiled.execute}"
    prepared = getattr(wrapper, PREPARED_ON, None) is wrapper.connection
    try:
        cursor.execute(compiled.execute if prepared else both, params)
    except ProgrammingError as error:
        from psycopg import errors  # only PostgreSQL gets here

        # The connection lost the statement (someone ran DEALLOCATE or DISCARD) or has it
        # already (a first run that failed after preparing it): once more the other way,
        # unless a transaction is under way, which the error has ended.
        expected = errors.InvalidSqlStatementName if prepared else errors.DuplicatePreparedStatement
        if not isinstance(error.__cause__, expected) or wrapper.in_atomic_block:
            raise
        prepared = not prepared
        cursor.execute(compiled.execute if prepared else both, params)
    if not prepared:
        # PREPARE's empty result first, then EXECUTE's rows. (Not by asking each result
        # for its description: psycopg builds it anew on every read, 24 columns, 60 us.)
        cursor.nextset()
    setattr(wrapper, PREPARED_ON, wrapper.connection)


def _fetch(model, alias: str, compiled: Compiled, params: list):
    """The object the compiled query finds (its related objects set as select_related sets
    them), or None; the catalog's version read with it is recorded for this request."""
    with connections[alias].cursor() as cursor:
        _execute(alias, cursor, compiled, params)
        row = cursor.fetchone()
    if row is None:
        return None
    listing.read_with(row[0])
    row = next(compiled.compiler.apply_converters([row[1:]], compiled.converters))
    found = model.from_db(
        alias,
        compiled.init_list,
        row[compiled.start : compiled.end],
        fetch_mode=query.DEFAULT_FETCH_MODE,
    )
    for populator in compiled.populators:
        populator.populate(row, found)
    return found


def load_user(user_id):
    """The user, their profile and their page token, as
    `select_related("profile", "page_token").get(pk=user_id)` gives them (a test compares
    the two), without building that query again on every request: Django's own row-to-object
    steps (converters, `from_db`, the select_related populators) on SQL compiled once."""
    model = get_user_model()
    if not USE_COMPILED:
        related = model._default_manager.select_related("profile", "page_token")
        return related.filter(pk=user_id).first()
    alias = router.db_for_read(model)
    return _fetch(model, alias, user_query(alias), [model._meta.pk.to_python(user_id)])


# The person read with this thread's last session, for the authentication backend to take
# once (planner.serving.session_store reads the session; Django then asks the backend).
_read_with_session: ContextVar[tuple | None] = ContextVar("person_read_with_session", default=None)


def load_session(session_key: str, now):
    """The session row (None if there is none, or it has expired) and, in the same query,
    the person it signs in as, kept for `ProfileModelBackend.get_user` to take."""
    alias = router.db_for_read(Session)
    session = _fetch(Session, alias, session_query(alias), [session_key, now])
    person = session.user if session is not None and session.user_id is not None else None
    _read_with_session.set((person.pk, person) if person is not None else None)
    return session


def _person_read_with_session(user_id):
    """The person the session was read with, if it is `user_id`; taken once."""
    kept = _read_with_session.get()
    if kept is None:
        return None
    _read_with_session.set(None)
    pk, person = kept
    return person if pk == get_user_model()._meta.pk.to_python(user_id) else None


class ProfileModelBackend(ModelBackend):
    """Loads the person's profile (their speed) and page token (planner.serving.kept) in the same
    query as the user, and the catalog's version (sessions.listing.read_with): nearly every
    page needs them, and every request loads the user. Usually that query is the session's
    own (load_session), and the person is taken from it."""

    def get_user(self, user_id):
        user = _person_read_with_session(user_id) or load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
