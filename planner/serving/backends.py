"""The signed-in person, loaded by SQL compiled once per database connection.

Building the select_related query cost more than running it on every request, so this
module compiles it once and turns rows into objects with Django's own steps. Those steps
(`get_related_populators`, `apply_converters`, `from_db(fetch_mode=)`) are internals:
WRITTEN_FOR names the Django release they were read from, and on any other release the
plain ORM query is used instead (a warning says so once at start-up) until someone has
checked them again.
"""

import logging
from dataclasses import dataclass

import django
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router
from django.db.models import query
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

from sessions import listing


@dataclass(frozen=True)
class UserQuery:
    """The user-with-profile-and-token query, compiled once per database connection."""

    sql: str
    compiler: SQLCompiler
    converters: dict
    init_list: list[str]
    start: int
    end: int


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


def user_query(alias: str) -> UserQuery:
    connection = connections[alias]
    if (compiled := getattr(connection, ATTRIBUTE, None)) is None:
        queryset = (
            get_user_model()
            ._default_manager.using(alias)
            .select_related("profile", "page_token")
            .filter(pk=0)
        )
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        assert list(params) == [0], params  # the pk is the only parameter
        # The catalog's version as a first column: every signed-in page asks for it next.
        assert sql.startswith("SELECT "), sql
        sql = f"SELECT ({listing.VERSION_SQL}), {sql.removeprefix('SELECT ')}"
        select, info = compiler.select, compiler.klass_info
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        compiled = UserQuery(
            sql=sql,
            compiler=compiler,
            converters=compiler.get_converters([column[0] for column in select]),
            init_list=[column[0].target.attname for column in select[start:end]],
            start=start,
            end=end,
        )
        setattr(connection, ATTRIBUTE, compiled)
    return compiled


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
    compiled = user_query(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(compiled.sql, [model._meta.pk.to_python(user_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    listing.read_with(row[0])
    row = next(compiled.compiler.apply_converters([row[1:]], compiled.converters))
    fetch_mode = query.DEFAULT_FETCH_MODE  # what a new queryset would use
    user = model.from_db(
        alias, compiled.init_list, row[compiled.start : compiled.end], fetch_mode=fetch_mode
    )
    info = compiled.compiler.klass_info
    for populator in get_related_populators(info, compiled.compiler.select, alias, fetch_mode):
        populator.populate(row, user)
    return user


class ProfileModelBackend(ModelBackend):
    """Loads the person's profile (their speed) and page token (planner.serving.kept) in the same
    query as the user, and the catalog's version (sessions.listing.read_with): nearly every
    page needs them, and every request loads the user."""

    def get_user(self, user_id):
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
