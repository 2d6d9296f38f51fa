import weakref
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router
from django.db.models import query
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class UserQuery:
    """The user-with-profile-and-token query, compiled once per database connection."""

    sql: str
    compiler: SQLCompiler
    converters: dict
    init_list: list[str]
    start: int
    end: int


_compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def user_query(alias: str) -> UserQuery:
    connection = connections[alias]
    if (compiled := _compiled.get(connection)) is None:
        queryset = (
            get_user_model()
            ._default_manager.using(alias)
            .select_related("profile", "page_token")
            .filter(pk=0)
        )
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        assert list(params) == [0], params  # the pk is the only parameter
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
        _compiled[connection] = compiled
    return compiled


def load_user(user_id):
    """The user, their profile and their page token, as
    `select_related("profile", "page_token").get(pk=user_id)` gives them (a test compares
    the two), without building that query again on every request: Django's own row-to-object
    steps (converters, `from_db`, the select_related populators) on SQL compiled once."""
    model = get_user_model()
    alias = router.db_for_read(model)
    compiled = user_query(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(compiled.sql, [model._meta.pk.to_python(user_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    row = next(compiled.compiler.apply_converters([row], compiled.converters))
    fetch_mode = query.DEFAULT_FETCH_MODE  # what a new queryset would use
    user = model.from_db(
        alias, compiled.init_list, row[compiled.start : compiled.end], fetch_mode=fetch_mode
    )
    info = compiled.compiler.klass_info
    for populator in get_related_populators(info, compiled.compiler.select, alias, fetch_mode):
        populator.populate(row, user)
    return user


class ProfileModelBackend(ModelBackend):
    """Loads the person's profile (their speed) and page token (planner.kept) in the same
    query as the user: nearly every page needs them, and every request loads the user."""

    def get_user(self, user_id):
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
